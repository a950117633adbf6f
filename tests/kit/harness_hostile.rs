//! A hostile or broken target gives failed trials with a reason: never a hang, a panic, or a
//! leaked secret.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_collections-conformance");
const CONSUMER_SECRET: &str = "hostile-test-consumer-secret-0123456789";
const TOKEN_SECRET: &str = "hostile-test-token-secret-9876543210";
const BEARER: &str = "AAAAhostileTestBearerToken000000000000";

/// Serves every connection on a thread with `answer`, on an ephemeral loopback port.
fn serve(answer: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    address
}

/// Reads one request head and body (up to what is available within a short wait).
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
        if request.windows(4).any(|w| w == b"\r\n\r\n") && n < buf.len() {
            break;
        }
    }
    request
}

fn reply(mut stream: TcpStream, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Two vectors without fixtures (so the hostile answer reaches the checks) and one with.
fn vectors() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let step = |auth: &str| {
        format!(
            r#"{{"title": "remove as {auth}", "requirements": ["remove.success.envelope"], "level": "must", "evidence": "documented",
                "steps": [{{"request": {{"endpoint": "collections/entries/remove", "method": "POST",
                   "query": {{"id": "custom-1", "tweet_id": "20"}}, "form": {{"note": "x"}}, "auth": "{auth}"}},
                   "expect": {{"status": 200, "schema": "entry-change-envelope"}}}}]}}"#
        )
    };
    for auth in ["user", "bearer", "plaintext"] {
        std::fs::write(dir.path().join(format!("{auth}.json")), step(auth)).unwrap();
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/remove/envelope/success.json"),
        dir.path().join("with-fixtures.json"),
    )
    .unwrap();
    dir
}

fn run_against(base_url: &str) -> (Output, Duration) {
    let dir = vectors();
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["run", "--vectors"])
        .arg(dir.path())
        .args(["--skip", "requirement::"])
        .env("CONFORMANCE_BASE_URL", base_url)
        .env("CONFORMANCE_CONSUMER_KEY", "hostile-key")
        .env("CONFORMANCE_CONSUMER_SECRET", CONSUMER_SECRET)
        .env("CONFORMANCE_ACCESS_TOKEN", "1-hostile-token")
        .env("CONFORMANCE_ACCESS_TOKEN_SECRET", TOKEN_SECRET)
        .env("CONFORMANCE_BEARER_TOKEN", BEARER)
        .env("CONFORMANCE_TWEET_IDS", "20,21,22")
        .env("CONFORMANCE_TIMEOUT", "1")
        .output()
        .unwrap();
    (output, started.elapsed())
}

/// The hostile targets below also break `collections/create`, so the fixture vector is not
/// judged (setup failed) and the run is incomplete: exit 2, with the failed vectors still shown.
fn assert_failed_without_secrets(output: &Output, elapsed: Duration, reason: &str) -> String {
    let out = assert_outcome_without_secrets(output, elapsed, reason, 2);
    assert!(out.contains("FAILED"), "{out}");
    assert!(out.contains("setup failed"), "{out}");
    assert!(out.contains("incomplete run"), "{out}");
    out
}

/// Like [`assert_failed_without_secrets`], for a run that ends with exit code `code`.
fn assert_outcome_without_secrets(
    output: &Output,
    elapsed: Duration,
    reason: &str,
    code: i32,
) -> String {
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(code), "{out}");
    assert!(
        elapsed < Duration::from_secs(30),
        "took {elapsed:?}:\n{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
    assert!(out.contains(reason), "missing `{reason}` in:\n{out}");
    for secret in [CONSUMER_SECRET, TOKEN_SECRET, BEARER] {
        assert!(!out.contains(secret), "secret `{secret}` leaked:\n{out}");
    }
    for (i, _) in out.match_indices("oauth_signature=") {
        let value = &out[i + "oauth_signature=".len()..];
        let value = value.trim_start_matches('"');
        assert!(
            value.starts_with("$OAUTH_SIGNATURE"),
            "signature leaked near:\n{}",
            &out[i..(i + 80).min(out.len())]
        );
    }
    out
}

#[test]
fn a_server_that_never_answers_fails_each_trial_by_timeout() {
    let url = serve(|mut stream| {
        let _ = read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(60));
    });
    let (output, elapsed) = run_against(&url);
    assert_failed_without_secrets(&output, elapsed, "timed out");
}

#[test]
fn a_server_that_answers_garbage_fails_with_what_it_sent() {
    let url = serve(|mut stream| {
        let _ = read_request(&mut stream);
        reply(stream, "text/html", b"<html>not json</html>");
    });
    let (output, elapsed) = run_against(&url);
    let out = assert_failed_without_secrets(&output, elapsed, "not JSON: `<html>not json</html>`");
    assert!(out.contains("collections/create answered"), "{out}");
}

#[test]
fn a_server_that_echoes_requests_leaks_no_secret_through_the_kit() {
    let url = serve(|mut stream| {
        let request = read_request(&mut stream);
        reply(stream, "application/json", &request);
    });
    let (output, elapsed) = run_against(&url);
    assert_failed_without_secrets(&output, elapsed, "Authorization: ");
}

#[test]
fn a_server_that_floods_is_cut_off() {
    let url = serve(|mut stream| {
        let _ = read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n");
        let chunk = vec![b'['; 64 * 1024];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) && stream.write_all(&chunk).is_ok() {}
    });
    let (output, elapsed) = run_against(&url);
    assert_failed_without_secrets(&output, elapsed, "FAILED");
}

#[test]
fn a_target_that_refuses_connections_fails_with_the_reason() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (output, elapsed) = run_against(&format!("http://127.0.0.1:{port}"));
    // Nothing reached the target: the run could not do its job (exit code 2), not "a vector failed".
    let out = assert_outcome_without_secrets(&output, elapsed, "could not connect", 2);
    assert!(out.contains("the target never answered"), "{out}");
}

/// A target that accepts connections and never answers must not cost suite size x timeout:
/// after a few requests in a row without an answer the run stops sending, marks the rest not
/// judged (target unresponsive) and exits 2. Before the scheduler and the abort, these 40
/// vectors took 40 x 1 s / 2 threads = 20 s.
#[test]
fn a_target_that_never_answers_ends_the_run_early() {
    let url = serve(|mut stream| {
        let _ = read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(60));
    });
    let dir = vectors();
    let success = std::fs::read_to_string(dir.path().join("with-fixtures.json")).unwrap();
    for i in 0..40 {
        std::fs::write(dir.path().join(format!("copy-{i:02}.json")), &success).unwrap();
    }
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["run", "--vectors"])
        .arg(dir.path())
        .args(["--skip", "requirement::"])
        .env("CONFORMANCE_BASE_URL", &url)
        .env("CONFORMANCE_CONSUMER_KEY", "hostile-key")
        .env("CONFORMANCE_CONSUMER_SECRET", CONSUMER_SECRET)
        .env("CONFORMANCE_ACCESS_TOKEN", "1-hostile-token")
        .env("CONFORMANCE_ACCESS_TOKEN_SECRET", TOKEN_SECRET)
        .env("CONFORMANCE_BEARER_TOKEN", BEARER)
        .env("CONFORMANCE_TWEET_IDS", "20,21,22")
        .env("CONFORMANCE_TIMEOUT", "1")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let out = assert_outcome_without_secrets(&output, elapsed, "target unresponsive", 2);
    assert!(
        elapsed < Duration::from_secs(6), // 2 x the 1 s timeout, plus start-up and slack
        "took {elapsed:?}, expected about 2 x CONFORMANCE_TIMEOUT:\n{out}"
    );
    assert!(out.contains("not judged"), "{out}");
}

/// Secrets shaped like real ones: bearer tokens carry `%2F`, `%2B`, `%3D`; secrets carry `/` and
/// `+`, which encoders and escapers rewrite.
const SHAPED_CONSUMER_SECRET: &str = "shaped/consumer+secret=0123456789abcdef";
const SHAPED_TOKEN_SECRET: &str = "shaped/token+secret=fedcba9876543210";
const SHAPED_BEARER: &str = "AAAAAAAAAAAAAAAAAAAAAShaped%2FBearer%2BToken%3D0123456789";

/// Every spelling in which a secret can come back from a target that echoes the request.
fn spellings(secret: &str) -> Vec<String> {
    let encoded = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let decoded = percent_encoding::percent_decode_str(secret)
        .decode_utf8_lossy()
        .into_owned();
    let form_decoded = percent_encoding::percent_decode_str(&secret.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned();
    let mut forms = vec![
        secret.to_string(),
        encoded.clone(),
        encoded.to_lowercase(),
        decoded.clone(),
        form_decoded,
        secret.replace('/', "\\/"),
        decoded.replace('/', "\\/"),
    ];
    forms.sort();
    forms.dedup();
    forms
}

/// A target that answers every request with the request echoed back in every spelling a
/// careless implementation produces: raw, percent-decoded, form-decoded and JSON-escaped.
/// Nothing secret may reach the terminal or any report, whatever the spelling.
#[test]
fn a_target_echoing_requests_in_every_spelling_leaks_nothing_into_any_output() {
    let url = serve(|mut stream| {
        let request = String::from_utf8_lossy(&read_request(&mut stream)).into_owned();
        let decoded = percent_encoding::percent_decode_str(&request)
            .decode_utf8_lossy()
            .into_owned();
        let form_decoded = percent_encoding::percent_decode_str(&request.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        let body = serde_json::json!({
            "raw": request,
            "decoded": decoded,
            "form_decoded": form_decoded,
        })
        .to_string()
        .replace('/', "\\/");
        reply(stream, "application/json", body.as_bytes());
    });
    let dir = vectors();
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["run", "--vectors"])
        .arg(dir.path())
        .arg("--junit")
        .arg(out.path().join("junit.xml"))
        .arg("--report-json")
        .arg(out.path().join("report.json"))
        .arg("--report-html")
        .arg(out.path().join("report.html"))
        .env("CONFORMANCE_BASE_URL", &url)
        .env("CONFORMANCE_CONSUMER_KEY", "hostile-key")
        .env("CONFORMANCE_CONSUMER_SECRET", SHAPED_CONSUMER_SECRET)
        .env("CONFORMANCE_ACCESS_TOKEN", "1-hostile-token")
        .env("CONFORMANCE_ACCESS_TOKEN_SECRET", SHAPED_TOKEN_SECRET)
        .env("CONFORMANCE_BEARER_TOKEN", SHAPED_BEARER)
        .env("CONFORMANCE_TWEET_IDS", "20,21,22")
        .env("CONFORMANCE_TIMEOUT", "2")
        .output()
        .unwrap();
    let mut outputs = vec![
        (
            "stdout",
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    for file in ["junit.xml", "report.json", "report.html"] {
        let text = std::fs::read_to_string(out.path().join(file))
            .unwrap_or_else(|e| panic!("{file} was not written: {e}"));
        outputs.push((file, text));
    }
    // The echo reached the outputs (so the test tests something): the consumer key is no secret.
    assert!(
        outputs.iter().any(|(_, text)| text.contains("hostile-key")),
        "no echo reached any output"
    );
    for (name, text) in &outputs {
        for secret in [SHAPED_CONSUMER_SECRET, SHAPED_TOKEN_SECRET, SHAPED_BEARER] {
            for spelling in spellings(secret) {
                assert!(
                    !text.contains(&spelling),
                    "{name} holds the secret {secret:?} spelled {spelling:?}"
                );
            }
        }
        // Reports escape quotes for XML and HTML; read through that.
        let text = text.replace("&quot;", "\"").replace("&#34;", "\"");
        for (at, _) in text.match_indices("oauth_signature") {
            let after = &text[at + "oauth_signature".len()..];
            // Prose ("oauth_signature is refused") and other keys are not values.
            if !after.starts_with(['=', '"', '\\', ':', '%', '\'']) {
                continue;
            }
            let value = after.trim_start_matches(|c: char| "=\\\"':%3Dd2u0".contains(c));
            assert!(
                value.starts_with("$OAUTH_SIGNATURE"),
                "{name} holds a signature near: {}",
                &text[at..(at + 60).min(text.len())]
            );
        }
    }
}

/// One character XML 1.0 forbids (U+FFFE, U+FFFF, a control character) in a response must not
/// make the JUnit file unreadable: CI reporters drop a file their parser rejects, and with it
/// the whole run.
#[test]
fn xml_forbidden_characters_from_the_target_keep_junit_parseable() {
    let url = serve(|mut stream| {
        let _ = read_request(&mut stream);
        reply(
            stream,
            "application/json",
            "{\"errors\":[{\"code\":32,\"message\":\"bad \u{fffe}\u{ffff}\u{1}\u{1b} bytes\"}]}"
                .as_bytes(),
        );
    });
    let dir = vectors();
    let out = tempfile::tempdir().unwrap();
    let junit = out.path().join("junit.xml");
    let output = Command::new(BIN)
        .args(["run", "--vectors"])
        .arg(dir.path())
        .arg("--junit")
        .arg(&junit)
        .env("CONFORMANCE_BASE_URL", &url)
        .env("CONFORMANCE_CONSUMER_KEY", "hostile-key")
        .env("CONFORMANCE_CONSUMER_SECRET", CONSUMER_SECRET)
        .env("CONFORMANCE_ACCESS_TOKEN", "1-hostile-token")
        .env("CONFORMANCE_ACCESS_TOKEN_SECRET", TOKEN_SECRET)
        .env("CONFORMANCE_BEARER_TOKEN", BEARER)
        .env("CONFORMANCE_TWEET_IDS", "20,21,22")
        .env("CONFORMANCE_TIMEOUT", "2")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&junit).unwrap_or_else(|e| {
        panic!(
            "no JUnit file ({e}):\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let document = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("JUnit is not XML a parser accepts: {e}\n{text}"));
    let failures = document
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert!(failures > 0, "{text}");
    assert!(text.contains("bad \u{fffd}\u{fffd}"), "{text}");
}
