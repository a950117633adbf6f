"""Checks the server's client report after the python-twitter-tools run: the client that signed
with the right secrets conforms, and the deliberate mis-signer (the second user's token with a
wrong token secret) is named with the reason.

Usage: check_client_report.py READY.json CLIENT-REPORT.json
"""
import json
import sys

ready = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
markdown = sys.argv[2].rsplit(".", 1)[0] + ".md"


def fail(message):
    print("client report check failed: " + message, file=sys.stderr)
    try:
        print(open(markdown).read(), file=sys.stderr)
    except OSError:
        pass
    sys.exit(1)


def by_token(token):
    found = [c for c in report["clients"] if c.get("access_token") == token]
    if len(found) != 1:
        fail("expected one client with token %s, found %d" % (token, len(found)))
    return found[0]


if report.get("format") != "collections-conformance client report":
    fail("not a client report: %r" % report.get("format"))

good = by_token(ready["users"][0]["access_token"])
if good["verdict"] != "conforms" or good["reasons"]:
    fail("python-twitter-tools does not conform: %s %s" % (good["verdict"], good["reasons"]))
if good["requests"] < 6 or good["authenticated"] != good["requests"]:
    fail("expected every request of the conforming client authenticated: %r" % good)

bad = by_token(ready["users"][1]["access_token"])
reasons = " ".join(bad["reasons"])
if bad["verdict"] != "refused requests" or "signature does not match" not in reasons:
    fail("the mis-signing client is not named with its reason: %s %s" % (bad["verdict"], reasons))
if "wrong consumer secret or token secret" not in reasons:
    fail("the mis-signer's reason does not point at the signing key: %s" % reasons)

print(
    "client report: %s conforms (%d requests); %s: %s"
    % (good["client"], good["requests"], bad["client"], bad["reasons"][0])
)
