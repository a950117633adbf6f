//! Golden tests of failure text, from real exchanges: each case sends a vector's real request
//! with the kit's exchange code to a stub target that answers a canned broken response, judges it
//! with the real checks, redacts it as every output does, and renders the failure text, which
//! must read exactly as the file under `tests/golden/` says. The README's "a failure reads like
//! this" excerpt is one of these files.
//!
//! Signing uses fixed credentials, nonce and timestamp; two things vary per run and are pinned
//! here: the stub's ephemeral port (shown as 8080) and the exchange's wall time (shown as 3 ms).
//!
//! After an intended change of wording, regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test kit failure_text` and review the diff.

use collections_conformance::exchange::{self, Exchange};
use collections_conformance::redact::Redactor;
use collections_conformance::runner::{judge_step, step_name};
use collections_conformance::spec::Spec;
use collections_conformance::target::{Target, TargetArgs};
use collections_conformance::vector::{self, Bindings, FixtureValues, VectorBody};
use collections_conformance::verdict::failure_text;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CONSUMER_SECRET: &str = "golden-consumer-secret";
const TOKEN_SECRET: &str = "golden-token-secret";
/// Shaped like an issued bearer token: it holds percent escapes itself.
const BEARER: &str = "AAAAAAAAAAAAAAAAAAAAAGolden%2FBearer%2BToken%3DValue";
const NONCE: &str = "goldenNonce0000000000000000000000";
const TIMESTAMP: u64 = 1_700_000_000;
/// The port failure texts show in place of the stub's ephemeral one.
const SHOWN_PORT: u16 = 8080;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bindings() -> Bindings {
    Bindings::from_fixtures(&FixtureValues {
        collection: Some((
            "custom-1500000000000000001".into(),
            vec!["1404000000000000001".into(), "1404000000000000002".into()],
        )),
        other_collection: None,
        spare_tweets: vec!["1404000000000000009".into()],
    })
}

fn target(port: u16, timeout_secs: f64) -> Target {
    target_with_secrets(port, timeout_secs, CONSUMER_SECRET, TOKEN_SECRET)
}

fn target_with_secrets(
    port: u16,
    timeout_secs: f64,
    consumer_secret: &str,
    token_secret: &str,
) -> Target {
    TargetArgs {
        base_url: Some(format!("http://127.0.0.1:{port}")),
        consumer_key: Some("goldenConsumerKey".into()),
        consumer_secret: Some(consumer_secret.into()),
        access_token: Some("1-goldenAccessToken".into()),
        access_token_secret: Some(token_secret.into()),
        bearer_token: Some(BEARER.into()),
        tweet_ids: vec!["1404000000000000001".into()],
        timeout_secs,
        ..TargetArgs::default()
    }
    .resolve()
    .unwrap()
}

/// What the stub received: the request head as text.
type Received = Arc<Mutex<Vec<String>>>;

/// How the stub answers a request head: `None` never answers (a hung target).
type Answer = fn(&str) -> Option<Vec<u8>>;

/// A target on an ephemeral port that records every request head and answers it with `answer`.
async fn stub(answer: Answer) -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0; 4096];
                let head_end = loop {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                    if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at;
                    }
                };
                let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
                log.lock().unwrap().push(head.clone());
                match answer(&head) {
                    Some(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    (port, received)
}

/// An HTTP/1.1 response with a content type and a body, closing the connection.
fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Sends `vector_file`'s step `step` to a stub answering with `answer`, judges the exchange, and
/// renders the redacted failure text.
async fn text_of(vector_file: &str, step: usize, answer: Answer, timeout_secs: f64) -> String {
    let spec = Spec::load(&repo().join("specs")).unwrap();
    let loaded = vector::load_all(&repo().join("vectors"), &spec)
        .unwrap()
        .into_iter()
        .find(|v| v.path.ends_with(vector_file))
        .unwrap_or_else(|| panic!("no vector {vector_file}"));
    let vector = loaded.vector.unwrap();
    let VectorBody::Steps(steps) = &vector.body else {
        panic!("{vector_file} has no steps")
    };
    let (port, received) = stub(answer).await;
    let target = target(port, timeout_secs);
    let client = exchange::client(&target);
    let exchanges: Vec<Exchange> = exchange::with_fixed_nonce(
        NONCE,
        TIMESTAMP,
        exchange::perform(&client, &target, &steps[step].request, &bindings()),
    )
    .await
    .unwrap()
    .into_iter()
    .map(|e| Exchange {
        duration: Duration::from_millis(3),
        ..e
    })
    .collect();

    // The reproducer is the request the target received: same method and request target, and
    // every header the kit set, byte for byte (before redaction).
    let heads = received.lock().unwrap().clone();
    assert_eq!(heads.len(), exchanges.len(), "{heads:?}");
    for (head, exchange) in heads.iter().zip(&exchanges) {
        let request = &exchange.request;
        let url = url::Url::parse(&request.url).unwrap();
        let target_path = &url[url::Position::BeforePath..url::Position::AfterQuery];
        assert!(
            head.starts_with(&format!("{} {target_path} HTTP/1.1\r\n", request.method)),
            "{head}"
        );
        for (name, value) in &request.headers {
            let line = format!("\r\n{}: {value}", name.to_ascii_lowercase());
            assert!(
                head.to_ascii_lowercase()
                    .contains(&line.to_ascii_lowercase()),
                "{line} not in {head}"
            );
        }
    }

    let record = judge_step(
        step_name(&steps[step]),
        &vector.endpoint,
        &steps[step],
        exchanges,
        &spec,
        &bindings(),
        None,
    );
    assert!(!record.passed, "the broken answer passed {vector_file}");
    // What leaves the process is redacted, exchanges and mismatch texts alike.
    let redactor = Redactor::new(target.secrets());
    let mut record = record;
    record.exchanges = record
        .exchanges
        .iter()
        .map(|e| e.redacted(&redactor))
        .collect();
    for (_, found) in &mut record.mismatches {
        *found = found.iter().map(|m| m.redacted(&redactor)).collect();
    }
    let text = failure_text(
        &loaded.id,
        Path::new("vectors").join(vector_file).as_path(),
        &vector,
        &spec,
        steps.len(),
        step,
        &record,
    );
    for secret in [
        CONSUMER_SECRET,
        TOKEN_SECRET,
        BEARER,
        "Golden",
        "Token=Value",
    ] {
        assert!(!text.contains(secret), "`{secret}` leaked:\n{text}");
    }
    text.replace(
        &format!("127.0.0.1:{port}"),
        &format!("127.0.0.1:{SHOWN_PORT}"),
    )
}

fn update() -> bool {
    std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1")
}

fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(format!("{name}.txt"));
    if update() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        expected, actual,
        "failure text changed; if intended, run UPDATE_GOLDEN=1 cargo test --test kit failure_text"
    );
}

#[tokio::test]
async fn success_answered_with_a_hard_404() {
    let text = text_of(
        "remove/envelope/success.json",
        0,
        |_| {
            Some(http(
                "404 Not Found",
                "application/json; charset=utf-8",
                br#"{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}"#,
            ))
        },
        10.0,
    )
    .await;
    golden("success-answered-with-hard-404", &text);
}

#[tokio::test]
async fn not_found_with_a_numeric_tweet_id() {
    let text = text_of(
        "remove/envelope/not-found.json",
        0,
        |_| {
            Some(http(
                "200 OK",
                "application/json",
                br#"{"response":{"errors":[{"change":{"tweet_id":1404000000000000009,"op":"remove"},"reason":"not_found"}]},"objects":{}}"#,
            ))
        },
        10.0,
    )
    .await;
    golden("not-found-with-numeric-tweet-id", &text);
}

#[tokio::test]
async fn two_acceptable_outcomes_and_neither_met() {
    let text = text_of(
        "remove/params/non-numeric-tweet-id.json",
        0,
        |_| {
            Some(http(
                "500 Internal Server Error",
                "text/html",
                b"<html><body>Internal Server Error</body></html>",
            ))
        },
        10.0,
    )
    .await;
    golden("any-of-neither-met", &text);
}

#[tokio::test]
async fn wrong_error_code() {
    let text = text_of(
        "remove/params/missing-parameter-code.json",
        0,
        |_| {
            Some(http(
                "400 Bad Request",
                "application/json",
                br#"{"errors":[{"code":44,"message":"attachment_url parameter is invalid."}]}"#,
            ))
        },
        10.0,
    )
    .await;
    golden("wrong-error-code", &text);
}

#[tokio::test]
async fn an_error_message_that_is_not_utf8() {
    let text = text_of(
        "remove/envelope/hard-error-shape-request-errors.json",
        0,
        |_| {
            Some(http(
                "403 Forbidden",
                "application/json; charset=utf-8",
                b"{\"errors\":[{\"code\":38,\"message\":\"tweet_id \xff\xfe parameter is missing.\"}]}",
            ))
        },
        10.0,
    )
    .await;
    golden("error-message-not-utf8", &text);
}

#[tokio::test]
async fn a_target_echoing_the_bearer_token_decoded_shows_placeholders() {
    // Answers 200 with the Authorization header percent-decoded and JSON-escaped in the body.
    let text = text_of(
        "remove/envelope/hard-error-shape-request-errors.json",
        4,
        |head| {
            let authorization = head
                .lines()
                .find_map(|l| l.strip_prefix("authorization: "))
                .unwrap_or_default();
            let decoded = percent_encoding::percent_decode_str(authorization).decode_utf8_lossy();
            // `/` written `\/`, as PHP-style JSON encoders do.
            let body = format!(r#"{{"echo":"{}"}}"#, decoded.replace('/', "\\/"));
            Some(http("200 OK", "application/json", body.as_bytes()))
        },
        10.0,
    )
    .await;
    golden("echoed-bearer-token", &text);
}

#[tokio::test]
async fn no_response_at_all() {
    let text = text_of("remove/envelope/success.json", 0, |_| None, 0.3).await;
    golden("no-response", &text);
}

/// Checks judge the bytes the target sent: with secrets as short as `1` and `4`, redacting before
/// the checks (as the kit once did) turned `x-rate-limit-remaining: 14` into placeholders and
/// failed a faithful target. Redaction is for output only.
#[tokio::test]
async fn a_short_secret_does_not_change_what_the_checks_judge() {
    let spec = Spec::load(&repo().join("specs")).unwrap();
    let loaded = vector::load_all(&repo().join("vectors"), &spec)
        .unwrap()
        .into_iter()
        .find(|v| v.path.ends_with("remove/rate_limit/headers.json"))
        .unwrap();
    let vector = loaded.vector.unwrap();
    let VectorBody::Steps(steps) = &vector.body else {
        panic!("no steps")
    };
    let (port, _) = stub(|_| {
        let reset = collections_conformance::oauth::unix_now() + 600;
        let mut bytes = http(
            "200 OK",
            "application/json; charset=utf-8",
            br#"{"objects":{},"response":{"errors":[]}}"#,
        );
        let headers = format!(
            "x-rate-limit-limit: 15\r\nx-rate-limit-remaining: 14\r\nx-rate-limit-reset: {reset}\r\n"
        );
        let at = bytes.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
        bytes.splice(at..at, headers.into_bytes());
        Some(bytes)
    })
    .await;
    let target = target_with_secrets(port, 10.0, "1", "4");
    let client = exchange::client(&target);
    let exchanges = exchange::perform(&client, &target, &steps[0].request, &bindings())
        .await
        .unwrap();
    let judge = |exchanges: Vec<Exchange>| {
        judge_step(
            step_name(&steps[0]),
            &vector.endpoint,
            &steps[0],
            exchanges,
            &spec,
            &bindings(),
            None,
        )
    };
    let raw = judge(exchanges.clone());
    assert!(raw.passed, "{:?}", raw.mismatches);

    // What the old, redact-while-recording exchange handed the checks: refused.
    let redactor = Redactor::new(target.secrets());
    let redacted: Vec<Exchange> = exchanges.iter().map(|e| e.redacted(&redactor)).collect();
    let response = redacted[0].response.as_ref().unwrap();
    assert_eq!(
        response.header("x-rate-limit-remaining"),
        Some("$CONFORMANCE_CONSUMER_SECRET$CONFORMANCE_ACCESS_TOKEN_SECRET")
    );
    assert!(!judge(redacted).passed);
}

/// The README's excerpt is the golden file, verbatim.
#[test]
fn readme_failure_excerpt_is_a_golden_text() {
    const GOLDEN: &str = "wrong-error-code";
    const HEADING: &str = "## A failure reads like this";
    let readme_path = repo().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let golden_text =
        std::fs::read_to_string(repo().join(format!("tests/golden/{GOLDEN}.txt"))).unwrap();
    let section = readme
        .find(HEADING)
        .expect("README has the failure section");
    let open = section + readme[section..].find("```\n").expect("a code block") + 4;
    let close = open + readme[open..].find("\n```").expect("a closed code block");
    if update() {
        let updated = format!(
            "{}{}{}",
            &readme[..open],
            golden_text.trim_end(),
            &readme[close..]
        );
        std::fs::write(&readme_path, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[open..close],
        golden_text.trim_end(),
        "README excerpt differs from tests/golden/{GOLDEN}.txt; run UPDATE_GOLDEN=1 cargo test --test kit failure_text"
    );
}
