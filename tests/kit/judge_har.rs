//! `collections-conformance judge FILE.har`: traffic recorded here from the reference server (the
//! test writes the HAR itself from real exchanges) is judged all-pass; the same recording with a
//! tampered response body, signature or rate-limit header fails, naming the exchange.

use crate::support::BIN;
use collections_conformance::judge::har::{
    Content, Creator, Entry, Har, Log, Pair, PostData, Request, Response,
};
use collections_conformance::judge::{self, EntryVerdict, signature::Keys};
use collections_conformance::oauth::{self, Credentials, SigningInput};
use collections_conformance::server::{self, ReadyInfo, ServerConfig};
use collections_conformance::spec::Spec;
use collections_conformance::verdict::{Outcome, VectorResult};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// How a recorded request is signed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Signing {
    /// Correctly, in the Authorization header.
    Header,
    /// Correctly, with the oauth_* parameters in the form body.
    Form,
    /// Leaving the form-body parameters out of the base string (a common client bug).
    BodyUnsigned,
    /// Not at all.
    None,
}

/// One request to record.
struct Call {
    method: &'static str,
    endpoint: &'static str,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    signing: Signing,
}

fn call(
    method: &'static str,
    endpoint: &'static str,
    query: &[(&str, &str)],
    form: &[(&str, &str)],
    signing: Signing,
) -> Call {
    let pairs = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    Call {
        method,
        endpoint,
        query: pairs(query),
        form: pairs(form),
        signing,
    }
}

/// The current time (chrono is built without its clock feature).
fn now() -> chrono::DateTime<chrono::Utc> {
    std::time::SystemTime::now().into()
}

/// An HTTP client (reqwest is built without a crypto provider: install one first).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn credentials(info: &ReadyInfo) -> Credentials {
    Credentials {
        consumer_key: info.consumer_key.clone(),
        consumer_secret: info.consumer_secret.clone(),
        token: info.users[0].access_token.clone(),
        token_secret: info.users[0].access_token_secret.clone(),
    }
}

fn keys(info: &ReadyInfo) -> Keys {
    Keys {
        consumer_key: Some(info.consumer_key.clone()),
        consumer_secret: info.consumer_secret.clone(),
        // Every seeded user: the interop client signs its deliberate mistake as the second.
        tokens: info
            .users
            .iter()
            .map(|u| (u.access_token.clone(), u.access_token_secret.clone()))
            .collect(),
    }
}

/// Sends one call to the server and records it as a HAR entry, as a recording proxy would.
async fn record(http: &reqwest::Client, info: &ReadyInfo, call: &Call) -> Entry {
    let mut url =
        url::Url::parse(&format!("{}/1.1/{}.json", info.base_url, call.endpoint)).unwrap();
    if !call.query.is_empty() {
        url.set_query(Some(&oauth::encode_pairs(&call.query)));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut form = call.form.clone();
    let credentials = credentials(info);
    let signed: Vec<(String, String)> = match call.signing {
        Signing::BodyUnsigned => call.query.clone(),
        _ => call.query.iter().chain(&call.form).cloned().collect(),
    };
    let oauth_params = oauth::sign(&credentials, &SigningInput::new(call.method, &url, &signed));
    match call.signing {
        Signing::Header | Signing::BodyUnsigned => headers.push((
            "Authorization".into(),
            oauth::authorization_header(&oauth_params),
        )),
        Signing::Form => form.extend(oauth_params),
        Signing::None => {}
    }
    let body = (!form.is_empty()).then(|| oauth::encode_pairs(&form));
    if body.is_some() {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    let started = now();
    let mut request = http.request(call.method.parse().unwrap(), url.clone());
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    if let Some(body) = &body {
        request = request.body(body.clone());
    }
    let response = request.send().await.expect("the reference server answers");
    let status = response.status().as_u16();
    let response_headers: Vec<Pair> = response
        .headers()
        .iter()
        .map(|(k, v)| Pair {
            name: k.to_string(),
            value: v.to_str().unwrap_or_default().to_string(),
        })
        .collect();
    let mime = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.bytes().await.unwrap();
    Entry {
        started_date_time: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        time: (now() - started).num_milliseconds() as f64,
        request: Request {
            method: call.method.into(),
            url: url.to_string(),
            http_version: "HTTP/1.1".into(),
            headers: headers
                .iter()
                .map(|(k, v)| Pair {
                    name: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            query_string: call
                .query
                .iter()
                .map(|(k, v)| Pair {
                    name: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            post_data: body.map(|text| PostData {
                mime_type: "application/x-www-form-urlencoded".into(),
                params: Vec::new(),
                text: Some(text),
            }),
            cookies: Vec::new(),
            headers_size: -1,
            body_size: -1,
        },
        response: Response {
            status,
            status_text: String::new(),
            http_version: "HTTP/1.1".into(),
            headers: response_headers,
            content: Content {
                size: bytes.len() as i64,
                mime_type: mime,
                text: Some(String::from_utf8(bytes.to_vec()).expect("the server answers UTF-8")),
                encoding: None,
            },
            cookies: Vec::new(),
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
        },
        cache: serde_json::json!({}),
        timings: serde_json::json!({ "send": 0, "wait": 0, "receive": 0 }),
    }
}

fn har(entries: Vec<Entry>) -> Har {
    Har {
        log: Log {
            version: "1.2".into(),
            creator: Creator {
                name: "tests/kit/judge_har.rs".into(),
                version: "1".into(),
            },
            entries,
        },
    }
}

/// A session with the reference server: create a collection, add and remove tweets in every
/// documented way, read it back, hit a refusal, destroy it. Returns the recording and the ready
/// info (credentials).
async fn recorded_session(extra: Vec<Call>) -> (Har, ReadyInfo) {
    let server = server::start(ServerConfig::default()).await.unwrap();
    let info = server.info().clone();
    let http = http();
    let mut entries = Vec::new();
    let create = record(
        &http,
        &info,
        &call(
            "POST",
            "collections/create",
            &[("name", "judge me")],
            &[],
            Signing::Header,
        ),
    )
    .await;
    let body: serde_json::Value =
        serde_json::from_str(create.response.content.text.as_deref().unwrap()).unwrap();
    let id = body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    entries.push(create);
    let (t0, t1) = (info.tweet_ids[0].as_str(), info.tweet_ids[1].as_str());
    for call in [
        call(
            "POST",
            "collections/entries/add",
            &[("id", &id), ("tweet_id", t0)],
            &[],
            Signing::Header,
        ),
        call(
            "POST",
            "collections/entries/add",
            &[],
            &[("id", &id), ("tweet_id", t1)],
            Signing::Form,
        ),
        call(
            "POST",
            "collections/entries/remove",
            &[("id", &id), ("tweet_id", t0)],
            &[],
            Signing::Header,
        ),
        call(
            "POST",
            "collections/entries/remove",
            &[("id", &id)],
            &[("tweet_id", t0)],
            Signing::Header,
        ),
        call(
            "POST",
            "collections/entries/remove",
            &[("id", &id)],
            &[],
            Signing::Header,
        ),
        call(
            "GET",
            "collections/entries",
            &[("id", &id)],
            &[],
            Signing::Header,
        ),
        call(
            "GET",
            "collections/show",
            &[("id", &id)],
            &[],
            Signing::Header,
        ),
        call(
            "POST",
            "collections/entries/remove",
            &[("id", &id), ("tweet_id", t1)],
            &[],
            Signing::Header,
        ),
    ] {
        entries.push(record(&http, &info, &call).await);
    }
    for mut call in extra {
        for (_, value) in call.query.iter_mut().chain(call.form.iter_mut()) {
            if value == "{id}" {
                *value = id.clone();
            }
        }
        entries.push(record(&http, &info, &call).await);
    }
    entries.push(
        record(
            &http,
            &info,
            &call(
                "POST",
                "collections/destroy",
                &[("id", &id)],
                &[],
                Signing::Header,
            ),
        )
        .await,
    );
    server.shutdown().await.unwrap();
    (har(entries), info)
}

fn spec() -> Spec {
    Spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
}

fn judged(har: &Har, keys: Option<Keys>) -> Vec<VectorResult> {
    judge::judge_har(har, Path::new("recorded.har"), &spec(), keys)
        .into_iter()
        .map(|v| match v {
            EntryVerdict::Judged(result) => *result,
            EntryVerdict::Skipped { id, .. } => panic!("{id} skipped"),
        })
        .collect()
}

fn failure(result: &VectorResult) -> &str {
    match &result.outcome {
        Outcome::Failed { message } => message,
        other => panic!("{} {other:?}", result.id),
    }
}

fn write(dir: &Path, har: &Har) -> PathBuf {
    let path = dir.join("recorded.har");
    std::fs::write(&path, serde_json::to_string_pretty(har).unwrap()).unwrap();
    path
}

fn judge_cli(path: &Path, info: Option<&ReadyInfo>, extra: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command.arg("judge").arg(path).args(extra);
    for name in [
        "CONFORMANCE_CONSUMER_KEY",
        "CONFORMANCE_CONSUMER_SECRET",
        "CONFORMANCE_ACCESS_TOKEN",
        "CONFORMANCE_ACCESS_TOKEN_SECRET",
    ] {
        command.env_remove(name);
    }
    if let Some(info) = info {
        command
            .env("CONFORMANCE_CONSUMER_KEY", &info.consumer_key)
            .env("CONFORMANCE_CONSUMER_SECRET", &info.consumer_secret)
            .env("CONFORMANCE_ACCESS_TOKEN", &info.users[0].access_token)
            .env(
                "CONFORMANCE_ACCESS_TOKEN_SECRET",
                &info.users[0].access_token_secret,
            );
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn traffic_recorded_from_the_reference_server_is_judged_all_pass() {
    let (har, info) = recorded_session(Vec::new()).await;
    let results = judged(&har, Some(keys(&info)));
    assert_eq!(results.len(), 10);
    for result in &results {
        assert_eq!(
            result.outcome,
            Outcome::Passed,
            "{}: {:?}",
            result.id,
            result.outcome
        );
    }
    assert_eq!(
        results[3].id,
        "exchange::003 POST /1.1/collections/entries/remove.json"
    );

    // The CLI, with the credentials in the same variables `run` reads, and both reports.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &har);
    let (junit, json) = (dir.path().join("judge.xml"), dir.path().join("judge.json"));
    let output = judge_cli(
        &path,
        Some(&info),
        &[
            "--junit",
            junit.to_str().unwrap(),
            "--report-json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        text(&output).contains("signatures verified with the given credentials"),
        "{}",
        text(&output)
    );
    assert!(
        text(&output).contains("10 passed; 0 failed"),
        "{}",
        text(&output)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let report_text = report.to_string();
    assert!(report_text.contains("exchange::003 POST /1.1/collections/entries/remove.json"));
    assert!(
        !report_text.contains(&info.consumer_secret),
        "a secret reached the report"
    );
    assert!(
        !report_text.contains(&info.users[0].access_token_secret),
        "a secret reached the report"
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("testcase")
    );
}

#[tokio::test]
async fn a_tampered_response_body_fails_naming_the_exchange() {
    let (mut har, info) = recorded_session(Vec::new()).await;
    // entries[4] is the second remove of the same tweet: the documented soft not_found.
    let content = &mut har.log.entries[4].response.content;
    let original = content.text.clone().unwrap();
    assert!(original.contains("\"reason\":\"not_found\""), "{original}");
    let tweet = &info.tweet_ids[0];
    content.text = Some(original.replace(
        &format!("\"tweet_id\":\"{tweet}\""),
        &format!("\"tweet_id\":{tweet}"),
    ));
    let results = judged(&har, Some(keys(&info)));
    let message = failure(&results[4]);
    assert!(
        message.starts_with("log.entries[4] POST http://"),
        "{message}"
    );
    assert!(message.contains("[MUST envelope.soft.shape] schema entry-change-envelope at /response/errors/0/change/tweet_id"), "{message}");
    for (i, result) in results.iter().enumerate().filter(|(i, _)| *i != 4) {
        assert_eq!(result.outcome, Outcome::Passed, "{i}");
    }

    // A hard envelope that lost its code, and a body that is not JSON.
    har.log.entries[5].response.content.text =
        Some(r#"{"errors":[{"message":"Missing required parameter: tweet_id."}]}"#.into());
    har.log.entries[6].response.content.text = Some("<html>oops</html>".into());
    let results = judged(&har, Some(keys(&info)));
    assert!(
        failure(&results[5])
            .contains("[MUST envelope.hard.shape] schema hard-error-envelope at /errors/0"),
        "{}",
        failure(&results[5])
    );
    assert!(
        failure(&results[6]).contains("[MUST remove.response.json] invariant JSON body"),
        "{}",
        failure(&results[6])
    );

    let dir = tempfile::tempdir().unwrap();
    let output = judge_cli(&write(dir.path(), &har), Some(&info), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = text(&output);
    assert!(
        out.contains("exchange::004 POST /1.1/collections/entries/remove.json ... FAILED"),
        "{out}"
    );
    assert!(out.contains("log.entries[4] POST"), "{out}");
}

#[tokio::test]
async fn a_tampered_signature_fails_naming_the_exchange_and_the_mistake() {
    let (mut har, info) = recorded_session(vec![call(
        "POST",
        "collections/entries/remove",
        &[("id", "{id}")],
        &[("tweet_id", "1")],
        Signing::BodyUnsigned,
    )])
    .await;
    // The server refused the unsigned-body request with the documented 401 / 32: the response
    // rules hold, the client's signature does not.
    let unsigned = &har.log.entries[9];
    assert_eq!(unsigned.response.status, 401);
    let results = judged(&har, Some(keys(&info)));
    let message = failure(&results[9]);
    assert!(message.starts_with("log.entries[9] POST"), "{message}");
    assert!(
        message.contains("[MUST auth.signature.covers_body] OAuth signature"),
        "{message}"
    );
    assert!(
        message.contains("one made with the form-body parameters left out of the base string"),
        "{message}"
    );

    // Without credentials only the response rules are judged: the same file passes.
    assert!(
        judged(&har, None)
            .iter()
            .all(|r| r.outcome == Outcome::Passed)
    );

    // A signature changed after the fact, on a request the server accepted.
    let header = har.log.entries[3]
        .request
        .headers
        .iter_mut()
        .find(|h| h.name == "Authorization")
        .unwrap();
    let signature = oauth::parse_authorization_header(&header.value)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == "oauth_signature")
        .unwrap()
        .1;
    // The last character before the `=` carries 2 bits of the digest (A, Q, g or w): swap it for
    // another of those, so the tampered signature always differs from the real one.
    let last = &signature[signature.len() - 2..signature.len() - 1];
    let other = if last == "A" { "Q" } else { "A" };
    let tampered = format!("{}{other}", &signature[..signature.len() - 2]);
    header.value = header.value.replace(
        &oauth::percent_encode(&signature),
        &oauth::percent_encode(&format!("{tampered}=")),
    );
    let results = judged(&har, Some(keys(&info)));
    let message = failure(&results[3]);
    assert!(message.contains("[MUST auth.signature.verified] OAuth signature: expected the HMAC-SHA1 of the base string `POST&http%3A%2F%2F127.0.0.1"), "{message}");

    let dir = tempfile::tempdir().unwrap();
    let output = judge_cli(&write(dir.path(), &har), Some(&info), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = text(&output);
    assert!(
        out.contains("exchange::003 POST /1.1/collections/entries/remove.json ... FAILED"),
        "{out}"
    );
    assert!(
        out.contains("exchange::009 POST /1.1/collections/entries/remove.json ... FAILED"),
        "{out}"
    );
    assert!(
        !out.contains(&tampered),
        "the signature reached the output: {out}"
    );
    assert!(!out.contains(&info.consumer_secret), "{out}");
}

#[tokio::test]
async fn placement_and_token_problems_are_named_or_left_unjudged() {
    let (mut har, info) = recorded_session(vec![call(
        "POST",
        "collections/entries/remove",
        &[("id", "{id}"), ("tweet_id", "1")],
        &[],
        Signing::None,
    )])
    .await;
    let results = judged(&har, Some(keys(&info)));
    assert!(failure(&results[9]).contains("[MUST auth.user_context.required] OAuth 1.0a: expected a request signed in user context, actual no oauth_* parameters"), "{}", failure(&results[9]));

    // A token the given credentials do not include: the signature is not judged, and says so.
    let other = Keys {
        tokens: vec![("someone-else".into(), "secret".into())],
        ..keys(&info)
    };
    let results = judged(&har, Some(other));
    match &results[3].outcome {
        Outcome::NotJudged { reason, .. } => assert!(
            reason.contains("is not among the given access tokens"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }

    // The CLI calls such a run incomplete (exit 2, naming the token) unless told to accept it.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &har);
    let stranger = [
        "--access-token",
        "someone-else",
        "--access-token-secret",
        "secret",
    ];
    let output = judge_cli(&path, Some(&info), &stranger);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("could not be judged with the given credentials"),
        "{}",
        text(&output)
    );
    let accepted = judge_cli(
        &path,
        Some(&info),
        &[&stranger[..], &["--allow-incomplete"]].concat(),
    );
    assert_eq!(
        accepted.status.code(),
        Some(1),
        "entries[9] is unsigned: {}",
        text(&accepted)
    );

    // OAuth parameters in the header and the query at once.
    let entry = &mut har.log.entries[3];
    entry.request.url.push_str("&oauth_version=1.0");
    let results = judged(&har, Some(keys(&info)));
    assert!(
        failure(&results[3]).contains("OAuth placement: expected oauth_* parameters in one place"),
        "{}",
        failure(&results[3])
    );
}

#[tokio::test]
async fn rate_limit_headers_are_followed_across_the_file() {
    let (mut har, info) = recorded_session(Vec::new()).await;
    // entries[3], [4], [5] and [8] are removes with the same token: remaining counts down.
    let remaining = |entry: &Entry| {
        entry
            .response
            .headers
            .iter()
            .find(|h| h.name == "x-rate-limit-remaining")
            .unwrap()
            .value
            .clone()
    };
    let before = remaining(&har.log.entries[3]);
    let header = har.log.entries[4]
        .response
        .headers
        .iter_mut()
        .find(|h| h.name == "x-rate-limit-remaining")
        .unwrap();
    header.value = before.clone();
    let results = judged(&har, Some(keys(&info)));
    assert!(
        failure(&results[4]).contains(&format!("[SHOULD ratelimit.headers] x-rate-limit-remaining: expected less than {before} (log.entries[3], same token, endpoint and window), actual {before}")),
        "{}",
        failure(&results[4])
    );
    // SHOULD: the default profile reports it, `--strict` fails on it.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &har);
    assert_eq!(judge_cli(&path, Some(&info), &[]).status.code(), Some(0));
    let strict = judge_cli(&path, Some(&info), &["--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
}

#[test]
fn unusable_input_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = judge_cli(&dir.path().join("nope.har"), None, &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("cannot read"), "{}", text(&missing));

    let not_har = dir.path().join("not.har");
    std::fs::write(&not_har, r#"{"log":{"entries":[{"request":{}}]}}"#).unwrap();
    let output = judge_cli(&not_har, None, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("not a HAR file (line 1"),
        "{}",
        text(&output)
    );

    let other = dir.path().join("other.har");
    let mut entry = serde_json::json!({
        "startedDateTime": "2026-11-28T03:00:00.000Z", "time": 1,
        "request": {"method": "GET", "url": "https://example.com/1.1/statuses/show.json?id=1"},
        "response": {"status": 200, "content": {"size": 2, "mimeType": "application/json", "text": "{}"}}
    });
    std::fs::write(
        &other,
        serde_json::json!({"log": {"version": "1.2", "entries": [entry.clone()]}}).to_string(),
    )
    .unwrap();
    let output = judge_cli(&other, None, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("none of its 1 entries targets a Collections endpoint"),
        "{}",
        text(&output)
    );

    // No response recorded: not judged, not a failure; a base64 body that is not UTF-8 fails.
    entry["request"]["url"] = "https://example.com/1.1/collections/show.json?id=custom-1".into();
    let mut aborted = entry.clone();
    aborted["response"] = serde_json::json!({"status": 0});
    let mut latin1 = entry.clone();
    latin1["response"]["content"] = serde_json::json!({"size": 3, "mimeType": "application/json", "encoding": "base64", "text": "eyL/"});
    let file = dir.path().join("mixed.har");
    std::fs::write(
        &file,
        serde_json::json!({"log": {"version": "1.2", "entries": [aborted, latin1]}}).to_string(),
    )
    .unwrap();
    let output = judge_cli(&file, None, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let out = text(&output);
    assert!(out.contains("exchange::000 GET /1.1/collections/show.json ... ignored (not judged: log.entries[0]: no response was recorded (status 0))"), "{out}");
    assert!(out.contains("not UTF-8"), "{out}");
}

/// python-twitter-tools (tests/interop/) through a recording proxy: its HAR is judged all-pass
/// except the one request it signs with a wrong token secret on purpose, which is named.
/// Needs `pip install twitter==1.19.6` (PyPI): run with `--ignored`.
#[tokio::test]
#[ignore = "installs python-twitter-tools from PyPI into a venv"]
async fn traffic_recorded_from_python_twitter_tools_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let ok = |c: &mut Command| c.status().map(|s| s.success()).unwrap_or(false);
    assert!(
        ok(Command::new("python3").arg("-m").arg("venv").arg(&venv)),
        "python3 -m venv"
    );
    assert!(
        ok(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "twitter==1.19.6"
        ])),
        "pip install twitter"
    );

    let server = server::start(ServerConfig::default()).await.unwrap();
    let info = server.info().clone();
    let proxy = recording_proxy(info.base_url.clone()).await;
    let mut ready = serde_json::to_value(&info).unwrap();
    ready["base_url"] = proxy.base_url.clone().into();
    let ready_file = dir.path().join("ready.json");
    std::fs::write(&ready_file, ready.to_string()).unwrap();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/python_twitter_tools.py");
    let python = venv.join("bin/python");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python).arg(script).arg(&ready_file).output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let har = har(proxy.entries.lock().unwrap().clone());
    server.shutdown().await.unwrap();
    assert_eq!(
        har.log.entries.len(),
        7,
        "create, add, remove x2, entries, bad signature, destroy"
    );
    // CONFORMANCE_KEEP_HAR=FILE keeps the recording, to try `judge` on it by hand.
    if let Some(keep) = std::env::var_os("CONFORMANCE_KEEP_HAR") {
        std::fs::write(keep, serde_json::to_string_pretty(&har).unwrap()).unwrap();
        let credentials = serde_json::json!({"consumer_key": info.consumer_key, "consumer_secret": info.consumer_secret, "access_token": info.users[0].access_token, "access_token_secret": info.users[0].access_token_secret});
        println!("credentials: {credentials}");
    }

    // Response rules alone: all pass.
    let results = judged(&har, None);
    for result in &results {
        assert_eq!(
            result.outcome,
            Outcome::Passed,
            "{}: {:?}",
            result.id,
            result.outcome
        );
    }
    // With the credentials: only the request signed with "not-the-secret" fails, by name.
    let results = judged(&har, Some(keys(&info)));
    for (i, result) in results.iter().enumerate() {
        if i == 5 {
            assert!(
                failure(result).contains("[MUST auth.signature.verified]"),
                "{}",
                failure(result)
            );
        } else {
            assert_eq!(
                result.outcome,
                Outcome::Passed,
                "{}: {:?}",
                result.id,
                result.outcome
            );
        }
    }
}

/// A reverse proxy that forwards every request to `upstream` and records it as a HAR entry.
struct Proxy {
    base_url: String,
    entries: std::sync::Arc<std::sync::Mutex<Vec<Entry>>>,
}

async fn recording_proxy(upstream: String) -> Proxy {
    use axum::body::{Body, to_bytes};
    use axum::extract::Request as AxumRequest;
    let entries = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = entries.clone();
    let http = http();
    let app = axum::Router::new().fallback(move |request: AxumRequest| {
        let (upstream, http, recorded) = (upstream.clone(), http.clone(), recorded.clone());
        async move {
            let started = now();
            let method = request.method().to_string();
            let path_and_query = request
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            // The server checks the signature against the Host the client addressed, so the
            // Host header is forwarded; the HAR records the URL the client used (the proxy's).
            let host = request
                .headers()
                .get("host")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let url = format!("http://{host}{path_and_query}");
            let forward_to = format!("{upstream}{path_and_query}");
            let headers: Vec<(String, String)> = request
                .headers()
                .iter()
                .filter(|(k, _)| !["content-length", "transfer-encoding"].contains(&k.as_str()))
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect();
            let body = to_bytes(request.into_body(), 1 << 20)
                .await
                .unwrap_or_default();
            let mut forward = http.request(method.parse().unwrap(), &forward_to);
            for (k, v) in &headers {
                forward = forward.header(k, v);
            }
            let response = forward.body(body.to_vec()).send().await.unwrap();
            let status = response.status();
            let response_headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap();
            let parsed = url::Url::parse(&url).unwrap();
            let content_type = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone());
            recorded.lock().unwrap().push(Entry {
                started_date_time: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                time: (now() - started).num_milliseconds() as f64,
                request: Request {
                    method: method.clone(),
                    url: url.clone(),
                    http_version: "HTTP/1.1".into(),
                    headers: headers
                        .iter()
                        .map(|(k, v)| Pair {
                            name: k.clone(),
                            value: v.clone(),
                        })
                        .collect(),
                    query_string: parsed
                        .query_pairs()
                        .map(|(k, v)| Pair {
                            name: k.into(),
                            value: v.into(),
                        })
                        .collect(),
                    post_data: (!body.is_empty()).then(|| PostData {
                        mime_type: content_type.unwrap_or_default(),
                        params: Vec::new(),
                        text: Some(String::from_utf8_lossy(&body).into_owned()),
                    }),
                    cookies: Vec::new(),
                    headers_size: -1,
                    body_size: body.len() as i64,
                },
                response: Response {
                    status: status.as_u16(),
                    status_text: String::new(),
                    http_version: "HTTP/1.1".into(),
                    headers: response_headers
                        .iter()
                        .map(|(k, v)| Pair {
                            name: k.to_string(),
                            value: v.to_str().unwrap_or_default().into(),
                        })
                        .collect(),
                    content: Content {
                        size: bytes.len() as i64,
                        mime_type: response_headers
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .into(),
                        text: Some(String::from_utf8_lossy(&bytes).into_owned()),
                        encoding: None,
                    },
                    cookies: Vec::new(),
                    redirect_url: String::new(),
                    headers_size: -1,
                    body_size: bytes.len() as i64,
                },
                cache: serde_json::json!({}),
                timings: serde_json::json!({ "send": 0, "wait": 0, "receive": 0 }),
            });
            let mut answer = axum::response::Response::builder().status(status.as_u16());
            for (k, v) in response_headers
                .iter()
                .filter(|(k, _)| *k != "transfer-encoding")
            {
                answer = answer.header(k, v);
            }
            answer.body(Body::from(bytes)).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Proxy { base_url, entries }
}
