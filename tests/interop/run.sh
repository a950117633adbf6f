#!/usr/bin/env bash
# Interoperability: third-party Twitter clients against `collections-conformance serve`, with the
# server's client report checked afterwards (the client conforms; the deliberate mis-signer is
# named with its reason).
# Usage: tests/interop/run.sh PATH-TO-collections-conformance-BINARY
set -euo pipefail
bin=${1:?path to the collections-conformance binary}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "twitter==1.19.6"

"$bin" serve --port 0 --client-report "$work/clients.json" > "$work/ready.json" &
server=$!
for _ in $(seq 50); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
"$work/venv/bin/python" "$here/python_twitter_tools.py" "$work/ready.json"
# SIGTERM writes the report; a failing shutdown fails the run.
kill -TERM "$server"
wait "$server"
"$work/venv/bin/python" "$here/check_client_report.py" "$work/ready.json" "$work/clients.json"
