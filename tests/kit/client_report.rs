//! `serve --client-report`: the report of the clients, seen from the server. A client that signs
//! and paces as documented conforms; one that signs with `+` for spaces, leaves its form body out
//! of the signature, signs with a wrong token secret, reuses a nonce, sends a bearer token or
//! retries a 429 at once is named with the reason; nothing secret ever reaches the report.

use collections_conformance::oauth::{self, Credentials};
use collections_conformance::server::{self, ServerConfig};
use serde_json::Value;

use crate::server_support::{Kit, Placement, Req, Spawned, pairs, read};

fn config(dir: &tempfile::TempDir) -> ServerConfig {
    ServerConfig {
        client_report: Some(dir.path().join("clients.json")),
        ..ServerConfig::default()
    }
}

/// `GET /_client-report`.
async fn report(kit: &Kit) -> Value {
    let url = format!("{}{}", kit.server.base_url(), server::CLIENT_REPORT_PATH);
    let response = read(kit.http.get(url).send().await.unwrap()).await;
    assert_eq!(response.status, 200, "{}", response.raw);
    assert_eq!(response.body["format"], server::CLIENT_REPORT_FORMAT);
    response.body
}

/// The report's entry for the client with this User-Agent.
fn client<'a>(report: &'a Value, user_agent: &str) -> &'a Value {
    report["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_agent"] == user_agent)
        .unwrap_or_else(|| panic!("no client {user_agent:?} in {report:#}"))
}

/// The client's finding of this kind.
fn finding<'a>(client: &'a Value, kind: &str) -> &'a Value {
    client["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} finding in {client:#}"))
}

fn with_agent(mut req: Req, user_agent: &str) -> Req {
    req.extra_headers
        .push(("user-agent".into(), user_agent.into()));
    req
}

/// A `collections/create` whose signature `base_string` builds from (method, base URL, signed
/// pairs) and whose body is `body` as sent: how a client with a signing bug behaves.
fn mis_signed(
    kit: &Kit,
    creds: &Credentials,
    name: &str,
    body: &str,
    user_agent: &str,
    base_string: impl Fn(&str, &str, &[(String, String)]) -> String,
) -> Req {
    let url = kit.url("collections/create");
    let base_url = oauth::base_url(&url::Url::parse(&url).unwrap());
    let nonce = oauth::generate_nonce();
    let timestamp = oauth::unix_now().to_string();
    let mut oauth_pairs = pairs(&[
        ("oauth_consumer_key", &creds.consumer_key),
        ("oauth_nonce", &nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", &timestamp),
        ("oauth_token", &creds.token),
        ("oauth_version", "1.0"),
    ]);
    let mut signed = pairs(&[("name", name)]);
    signed.extend(oauth_pairs.clone());
    let base = base_string("POST", &base_url, &signed);
    let key = oauth::signing_key(&creds.consumer_secret, &creds.token_secret);
    oauth_pairs.push(("oauth_signature".into(), oauth::hmac_sha1(&key, &base)));
    Req {
        method: "POST".into(),
        url,
        authorization: Some(oauth::authorization_header(&oauth_pairs)),
        content_type: Some("application/x-www-form-urlencoded".into()),
        body: Some(body.as_bytes().to_vec()),
        extra_headers: vec![("user-agent".into(), user_agent.into())],
    }
}

/// The `+`-for-space signer: keys and values form-encoded, the rest as RFC 3986 says.
fn plus_for_space(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut encoded: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", form(k), form(v)))
        .collect();
    encoded.sort();
    format!(
        "{method}&{}&{}",
        oauth::percent_encode(base_url),
        oauth::percent_encode(&encoded.join("&"))
    )
}

#[tokio::test]
async fn a_client_signing_as_documented_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let kit = Kit::start_with(config(&dir)).await;
    let creds = kit.creds(0);
    let form = pairs(&[("name", "Ladies + Gentlemen ~*!")]);
    for placement in [Placement::Header, Placement::Query] {
        let agent = format!("well-behaved/{placement:?}");
        let req = kit.build(
            &creds,
            "POST",
            "collections/create",
            &[],
            &form,
            placement,
            |_| {},
        );
        let created = kit.send(with_agent(req, &agent)).await;
        assert_eq!(created.status, 200, "{}", created.raw);
        let id = created.body["response"]["timeline_id"].as_str().unwrap();
        let query = pairs(&[("id", id)]);
        let req = kit.build(
            &creds,
            "GET",
            "collections/entries",
            &query,
            &[],
            placement,
            |_| {},
        );
        assert_eq!(kit.send(with_agent(req, &agent)).await.status, 200);
    }

    let report = report(&kit).await;
    for placement in ["Header", "Query"] {
        let entry = client(&report, &format!("well-behaved/{placement}"));
        assert_eq!(entry["verdict"], "conforms", "{entry:#}");
        assert_eq!(entry["reasons"], serde_json::json!([]), "{entry:#}");
        assert_eq!(
            (entry["requests"].as_u64(), entry["authenticated"].as_u64()),
            (Some(2), Some(2))
        );
        assert_eq!(entry["access_token"], creds.token.as_str());
        assert_eq!(entry["timestamp_skew"]["count"], 2);
    }
    // OAuth parameters in the query are standard (RFC 5849 section 3.5): a note, no deviation.
    let query = client(&report, "well-behaved/Query");
    assert_eq!(finding(query, "oauth_placement")["severity"], "note");
    assert_eq!(report["summary"]["conforms"], 2);
    // On demand, the files were written too.
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("clients.json")).unwrap()).unwrap();
    assert_eq!(written["summary"]["clients"], 2);
    let markdown = std::fs::read_to_string(dir.path().join("clients.md")).unwrap();
    assert!(
        markdown.contains("## conforms: well-behaved/Header"),
        "{markdown}"
    );
    // Another method on the report's path gets the envelope of an unknown path.
    let url = format!("{}{}", kit.server.base_url(), server::CLIENT_REPORT_PATH);
    read(kit.http.post(url).send().await.unwrap())
        .await
        .assert_error(404, 34);
}

#[tokio::test]
async fn a_client_signing_plus_for_space_is_named_with_both_base_strings() {
    let dir = tempfile::tempdir().unwrap();
    let kit = Kit::start_with(config(&dir)).await;
    let req = mis_signed(
        &kit,
        &kit.creds(0),
        "my list",
        "name=my+list",
        "plus-signer/1.0",
        plus_for_space,
    );
    kit.send(req).await.assert_error(401, 32);

    let report = report(&kit).await;
    let entry = client(&report, "plus-signer/1.0");
    assert_eq!(entry["verdict"], "refused requests", "{entry:#}");
    let signature = finding(entry, "signature_mismatch");
    assert_eq!(signature["severity"], "refused");
    let reason = signature["reason"].as_str().unwrap();
    assert!(
        reason.contains("application/x-www-form-urlencoded way (space as `+`"),
        "{reason}"
    );
    let example = &signature["example"];
    assert_eq!(example["server_answer"], "401/32");
    assert_eq!(example["request"], "POST /1.1/collections/create.json");
    let expected = example["expected_base_string"].as_str().unwrap();
    let signed = example["client_base_string"].as_str().unwrap();
    assert!(expected.contains("name%3Dmy%2520list"), "{expected}");
    assert!(signed.contains("name%3Dmy%2Blist"), "{signed}");
    assert_eq!(
        example["differences"],
        serde_json::json!([
            "only in the expected parameters: name=my%20list",
            "only in the client's parameters: name=my+list"
        ])
    );
    // The `+` in the body itself is tolerated, and said so.
    assert_eq!(finding(entry, "plus_for_space")["severity"], "tolerated");
    assert!(
        entry["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("refused: signature does not match")
    );
}

#[tokio::test]
async fn a_client_leaving_its_form_body_unsigned_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let kit = Kit::start_with(config(&dir)).await;
    let req = mis_signed(
        &kit,
        &kit.creds(0),
        "mine",
        "name=mine",
        "body-forgetter/2",
        |method, url, params| {
            let oauth_only: Vec<_> = params
                .iter()
                .filter(|(k, _)| k.starts_with("oauth_"))
                .cloned()
                .collect();
            oauth::signature_base_string(method, url, &oauth_only)
        },
    );
    kit.send(req).await.assert_error(401, 32);
    let report = report(&kit).await;
    let entry = client(&report, "body-forgetter/2");
    assert_eq!(entry["verdict"], "refused requests");
    let signature = finding(entry, "signature_mismatch");
    assert!(
        signature["reason"]
            .as_str()
            .unwrap()
            .contains("form-body parameters left out of the signature"),
        "{signature:#}"
    );
    assert_eq!(
        signature["example"]["differences"],
        serde_json::json!(["only in the expected parameters: name=mine"])
    );
}

#[tokio::test]
async fn a_wrong_token_secret_is_named_and_no_secret_or_signature_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let kit = Kit::start_with(config(&dir)).await;
    let good = kit.creds(1);
    let bad = Credentials {
        token_secret: "not-the-secret".into(),
        ..good.clone()
    };
    let req = mis_signed(
        &kit,
        &bad,
        "x",
        "name=x",
        "wrong-secret",
        oauth::signature_base_string,
    );
    // The signature the server expected for this very request: it must not be printed.
    let authorization = req.authorization.clone().unwrap();
    let presented = oauth::parse_authorization_header(&authorization)
        .unwrap()
        .unwrap();
    let mut signed: Vec<(String, String)> = presented
        .iter()
        .filter(|(k, _)| k != "oauth_signature")
        .cloned()
        .collect();
    signed.push(("name".into(), "x".into()));
    let base_url = oauth::base_url(&url::Url::parse(&req.url).unwrap());
    let expected_signature = oauth::expected_signature(
        "POST",
        &base_url,
        &signed,
        &good.consumer_secret,
        &good.token_secret,
    );
    kit.send(req).await.assert_error(401, 32);
    let report = report(&kit).await;
    let entry = client(&report, "wrong-secret");
    assert_eq!(entry["verdict"], "refused requests");
    let signature = finding(entry, "signature_mismatch");
    assert!(
        signature["reason"]
            .as_str()
            .unwrap()
            .contains("wrong consumer secret or token secret"),
        "{signature:#}"
    );
    assert!(signature["example"]["expected_base_string"].is_string());
    assert!(signature["example"]["client_base_string"].is_null());

    kit.server.shutdown().await.unwrap();
    let info_secrets = [
        good.consumer_secret.clone(),
        good.token_secret.clone(),
        "not-the-secret".to_string(),
        expected_signature.clone(),
        oauth::percent_encode(&expected_signature),
    ];
    for file in ["clients.json", "clients.md"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(text.contains("wrong-secret"), "{file}: {text}");
        for secret in &info_secrets {
            assert!(!text.contains(secret.as_str()), "{file} holds {secret:?}");
        }
    }
}

#[tokio::test]
async fn bearer_tokens_never_reach_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let kit = Kit::start_with(config(&dir)).await;
    let bearer = kit.server.info().bearer_token.clone();
    let req = Req {
        method: "POST".into(),
        url: kit.url("collections/create"),
        authorization: Some(format!("Bearer {bearer}")),
        content_type: Some("application/x-www-form-urlencoded".into()),
        body: Some(b"name=x".to_vec()),
        extra_headers: vec![("user-agent".into(), "app-only".into())],
    };
    kit.send(req).await.assert_error(403, 220);
    let text = report(&kit).await.to_string();
    assert!(text.contains("app-only"), "{text}");
    assert!(!text.contains(&bearer), "{text}");
}

#[tokio::test]
async fn a_client_retrying_a_429_at_once_is_named_and_a_patient_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir);
    config
        .rate_limits
        .endpoint_limits
        .insert("collections/list".into(), 1);
    let kit = Kit::start_with(config).await;
    let list = |user: usize, agent: &str| {
        let query = pairs(&[("user_id", &kit.server.info().users[user].user_id)]);
        let req = kit.build(
            &kit.creds(user),
            "GET",
            "collections/list",
            &query,
            &[],
            Placement::Header,
            |_| {},
        );
        with_agent(req, agent)
    };
    // Impatient: a 429, then the same call again at once.
    let statuses = [
        kit.send(list(0, "impatient")).await.status,
        kit.send(list(0, "impatient")).await.status,
        kit.send(list(0, "impatient")).await.status,
    ];
    assert_eq!(statuses, [200, 429, 429]);
    // Patient: one 429, then it stops (it would wait for x-rate-limit-reset).
    assert_eq!(kit.send(list(1, "patient")).await.status, 200);
    assert_eq!(kit.send(list(1, "patient")).await.status, 429);

    let report = report(&kit).await;
    let impatient = client(&report, "impatient");
    assert_eq!(impatient["verdict"], "refused requests", "{impatient:#}");
    assert_eq!(impatient["rate_limited"], 2);
    let retry = finding(impatient, "retry_before_reset");
    assert_eq!(
        (retry["severity"].as_str(), retry["count"].as_u64()),
        (Some("refused"), Some(1))
    );
    assert!(
        retry["reason"].as_str().unwrap().contains(
            "retried collections/list after a 429 without waiting for x-rate-limit-reset"
        )
    );
    let patient = client(&report, "patient");
    assert_eq!(patient["verdict"], "conforms", "{patient:#}");
    assert_eq!(patient["rate_limited"], 1);
}

#[tokio::test]
async fn reused_nonces_skewed_clocks_and_a_missing_version_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let kit = Kit::start_with(config(&dir)).await;
    let query = pairs(&[("user_id", &kit.server.info().users[0].user_id)]);
    let once = kit.build(
        &kit.creds(0),
        "GET",
        "collections/list",
        &query,
        &[],
        Placement::Header,
        |_| {},
    );
    let once = with_agent(once, "replayer");
    assert_eq!(kit.send(once.clone()).await.status, 200);
    kit.send(once).await.assert_error(401, 32);
    let skewed = kit.build(
        &kit.creds(0),
        "GET",
        "collections/list",
        &query,
        &[],
        Placement::Header,
        |input| {
            input.timestamp -= 200;
            input.version = None;
        },
    );
    assert_eq!(kit.send(with_agent(skewed, "drifting")).await.status, 200);

    let report = report(&kit).await;
    let replayer = client(&report, "replayer");
    assert_eq!(replayer["verdict"], "refused requests");
    assert_eq!(finding(replayer, "nonce_reused")["severity"], "refused");
    let drifting = client(&report, "drifting");
    assert_eq!(drifting["verdict"], "tolerated deviations", "{drifting:#}");
    assert_eq!(finding(drifting, "clock_skew")["severity"], "tolerated");
    assert_eq!(
        finding(drifting, "oauth_version_missing")["severity"],
        "tolerated"
    );
    let skew = &drifting["timestamp_skew"];
    assert!(
        (-201..=-199).contains(&skew["min_secs"].as_i64().unwrap()),
        "{skew}"
    );
    assert_eq!(skew["histogram"], serde_json::json!({"<=300s": 1}));
}

#[tokio::test]
async fn without_the_option_nothing_is_recorded_and_the_path_is_not_found() {
    let kit = Kit::start().await;
    let url = format!("{}{}", kit.server.base_url(), server::CLIENT_REPORT_PATH);
    let response = read(kit.http.get(url).send().await.unwrap()).await;
    response.assert_error(404, 34);
}

#[test]
fn serve_writes_the_report_at_sigterm_and_refuses_an_unwritable_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let mut spawned = Spawned::start(&["--client-report", path.to_str().unwrap()], None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response =
        runtime.block_on(spawned.call(0, "POST", "collections/create", &[("name", "n")]));
    assert_eq!(response.status, 200, "{}", response.raw);
    let status = spawned
        .terminate(std::time::Duration::from_secs(10))
        .expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    let report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(report["clients"][0]["verdict"], "conforms", "{report:#}");
    assert_eq!(report["clients"][0]["requests"], 1);
    assert!(
        std::fs::read_to_string(dir.path().join("report.md"))
            .unwrap()
            .contains("## conforms")
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_collections-conformance"))
        .args(["serve", "--client-report"])
        .arg(dir.path().join("missing-folder/report.json"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--client-report"), "{stderr}");
}
