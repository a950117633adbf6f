//! OAuth 1.0a verification of the reference server: every authentication error row, the three
//! parameter placements, client encoding variants, and interoperability with an independent
//! signer (the `oauth1-request` crate).

use crate::server_support::{Kit, Placement, Req, pairs};
use collections_conformance::oauth::{self, Credentials};
use collections_conformance::server::ServerConfig;

/// A remove request for a tweet not in a fresh collection: 200 when authentication passes.
async fn setup() -> (Kit, String, String) {
    let kit = Kit::start().await;
    let id = kit.create(0, "Auth").await;
    let tweet = kit.tweet(0);
    (kit, id, tweet)
}

fn remove_params(id: &str, tweet: &str) -> Vec<(String, String)> {
    pairs(&[("id", id), ("tweet_id", tweet)])
}

fn unsigned(kit: &Kit, method: &str, endpoint: &str, query: &str) -> Req {
    Req {
        method: method.into(),
        url: format!("{}?{query}", kit.url(endpoint)),
        authorization: None,
        content_type: None,
        body: None,
        extra_headers: vec![],
    }
}

#[tokio::test]
async fn missing_or_app_only_authentication() {
    let (kit, id, tweet) = setup().await;
    let q = format!("id={id}&tweet_id={tweet}");
    let r = kit
        .send(unsigned(&kit, "POST", "collections/entries/remove", &q))
        .await;
    r.assert_error(400, 215);
    assert_eq!(r.body["errors"][0]["message"], "Bad Authentication data.");
    assert!(r.header("x-rate-limit-limit").is_none());
    kit.send(unsigned(
        &kit,
        "GET",
        "collections/show",
        &format!("id={id}"),
    ))
    .await
    .assert_error(400, 215);

    let mut req = unsigned(&kit, "POST", "collections/entries/remove", &q);
    req.authorization = Some(format!("Bearer {}", kit.server.info().bearer_token));
    let r = kit.send(req.clone()).await;
    r.assert_error(403, 220);
    assert_eq!(
        r.raw,
        r#"{"errors":[{"code":220,"message":"Your credentials do not allow access to this resource."}]}"#
    );
    req.authorization = Some("Bearer AAAAAAAAAAAAAAAAAAAAAnotarealtoken".into());
    let r = kit.send(req.clone()).await;
    r.assert_error(401, 89);
    assert_eq!(r.body["errors"][0]["message"], "Invalid or expired token");
    req.authorization = Some("Basic dXNlcjpwYXNz".into());
    kit.send(req).await.assert_error(400, 215);
}

#[tokio::test]
async fn wrong_credentials() {
    let (kit, id, tweet) = setup().await;
    let params = remove_params(&id, &tweet);
    let ep = "collections/entries/remove";
    let send = |creds: Credentials| {
        let req = kit.build(&creds, "POST", ep, &params, &[], Placement::Header, |_| {});
        kit.send(req)
    };
    let good = kit.creds(0);
    assert_eq!(send(good.clone()).await.status, 200);

    let mut c = good.clone();
    c.consumer_secret.push('x');
    send(c).await.assert_error(401, 32);
    let mut c = good.clone();
    c.token_secret = "wrong".into();
    send(c).await.assert_error(401, 32);
    let mut c = good.clone();
    c.consumer_key = "unknownconsumerkey0000000".into();
    send(c).await.assert_error(401, 32);
    let mut c = good.clone();
    c.token = format!("{}-unknown", kit.server.info().users[0].user_id);
    let r = send(c).await;
    r.assert_error(401, 89);
    // The seed's revoked token, correctly signed with its secret.
    let seed = ServerConfig::default().seed;
    let revoked = &seed.revoked_tokens[0];
    let mut c = good.clone();
    c.token = revoked.access_token.clone();
    c.token_secret = revoked.access_token_secret.clone();
    send(c).await.assert_error(401, 89);
    // Another user's token with the main user's secret.
    let mut c = good.clone();
    c.token = kit.creds(1).token;
    send(c).await.assert_error(401, 32);
}

#[tokio::test]
async fn timestamps_nonces_methods_and_versions() {
    let (kit, id, tweet) = setup().await;
    let params = remove_params(&id, &tweet);
    let ep = "collections/entries/remove";
    let now = oauth::unix_now();
    let with = |adjust: Box<dyn FnOnce(&mut oauth::SigningInput<'_>)>| {
        let req = kit.build(
            &kit.creds(0),
            "POST",
            ep,
            &params,
            &[],
            Placement::Header,
            adjust,
        );
        kit.send(req)
    };
    let r = with(Box::new(move |i| i.timestamp = now - 400)).await;
    r.assert_error(401, 135);
    assert_eq!(
        r.body["errors"][0]["message"],
        "Could not authenticate you."
    );
    with(Box::new(move |i| i.timestamp = now + 400))
        .await
        .assert_error(401, 135);
    assert_eq!(
        with(Box::new(move |i| i.timestamp = now - 250))
            .await
            .status,
        200
    );
    assert_eq!(
        with(Box::new(move |i| i.timestamp = now + 250))
            .await
            .status,
        200
    );
    with(Box::new(|i| i.signature_method = "PLAINTEXT"))
        .await
        .assert_error(401, 32);
    with(Box::new(|i| i.signature_method = "HMAC-SHA256"))
        .await
        .assert_error(401, 32);
    with(Box::new(|i| i.version = Some("2.0")))
        .await
        .assert_error(401, 32);
    assert_eq!(with(Box::new(|i| i.version = None)).await.status, 200);

    // Replay: the identical request twice.
    let req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &params,
        &[],
        Placement::Header,
        |_| {},
    );
    assert_eq!(kit.send(req.clone()).await.status, 200);
    kit.send(req).await.assert_error(401, 32);
    // Same nonce for another user is not a replay.
    let req = kit.build(
        &kit.creds(1),
        "GET",
        "collections/show",
        &pairs(&[("id", &id)]),
        &[],
        Placement::Header,
        |i| i.nonce = "sharednonce".into(),
    );
    assert_eq!(kit.send(req).await.status, 200);
    let req = kit.build(
        &kit.creds(0),
        "GET",
        "collections/show",
        &pairs(&[("id", &id)]),
        &[],
        Placement::Header,
        |i| i.nonce = "sharednonce".into(),
    );
    assert_eq!(kit.send(req).await.status, 200);
}

#[tokio::test]
async fn timestamp_window_is_configurable() {
    let kit = Kit::start_with(ServerConfig {
        timestamp_window_secs: 10,
        ..ServerConfig::default()
    })
    .await;
    let now = oauth::unix_now();
    let show = |ts: u64| {
        let req = kit.build(
            &kit.creds(0),
            "GET",
            "collections/show",
            &pairs(&[("id", "custom-1")]),
            &[],
            Placement::Header,
            move |i| i.timestamp = ts,
        );
        kit.send(req)
    };
    show(now - 30).await.assert_error(401, 135);
    show(now - 2).await.assert_error(404, 34);
}

#[tokio::test]
async fn incomplete_or_malformed_oauth_is_bad_authentication_data() {
    let (kit, id, tweet) = setup().await;
    let params = remove_params(&id, &tweet);
    let ep = "collections/entries/remove";
    for missing in [
        "oauth_signature",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_consumer_key",
        "oauth_token",
        "oauth_signature_method",
    ] {
        // Sign normally, then drop one protocol parameter from the header.
        let url = url::Url::parse(&kit.url(ep)).unwrap();
        let input = oauth::SigningInput::new("POST", &url, &params);
        let mut oauth_pairs = oauth::sign(&kit.creds(0), &input);
        oauth_pairs.retain(|(k, _)| k != missing);
        let req = Req {
            method: "POST".into(),
            url: format!("{}?{}", kit.url(ep), oauth::encode_pairs(&params)),
            authorization: Some(oauth::authorization_header(&oauth_pairs)),
            content_type: None,
            body: None,
            extra_headers: vec![],
        };
        let r = kit.send(req).await;
        assert_eq!(
            (r.status, r.code()),
            (400, Some(215)),
            "without {missing}: {}",
            r.raw
        );
    }
    let mut req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &params,
        &[],
        Placement::Header,
        |_| {},
    );
    req.authorization = Some(req.authorization.unwrap().replace("\", ", " "));
    kit.send(req).await.assert_error(400, 215);
}

#[tokio::test]
async fn duplicate_parameters_are_refused() {
    let (kit, id, tweet) = setup().await;
    let ep = "collections/entries/remove";
    let mut params = remove_params(&id, &tweet);
    params.push(("tweet_id".into(), kit.tweet(1)));
    let req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &params,
        &[],
        Placement::Header,
        |_| {},
    );
    kit.send(req).await.assert_error(401, 32);
    // Same key once in the query and once in the form body.
    let req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &pairs(&[("id", &id)]),
        &remove_params(&id, &tweet),
        Placement::Header,
        |_| {},
    );
    kit.send(req).await.assert_error(401, 32);
    // An oauth parameter both in the header and the query.
    let mut req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &remove_params(&id, &tweet),
        &[],
        Placement::Header,
        |_| {},
    );
    req.url.push_str("&oauth_nonce=again");
    kit.send(req).await.assert_error(401, 32);
}

#[tokio::test]
async fn all_three_placements_are_accepted_and_tampering_is_detected() {
    let (kit, id, tweet) = setup().await;
    let ep = "collections/entries/remove";
    let params = remove_params(&id, &tweet);
    for placement in [Placement::Header, Placement::Query, Placement::Form] {
        for (query, form) in [(params.clone(), vec![]), (vec![], params.clone())] {
            let req = kit.build(&kit.creds(0), "POST", ep, &query, &form, placement, |_| {});
            let r = kit.send(req.clone()).await;
            assert_eq!(r.status, 200, "{placement:?}: {}", r.raw);
            assert_eq!(r.body["response"]["errors"][0]["reason"], "not_found");
            // Change one byte of the tweet id after signing.
            let last = tweet.chars().last().unwrap();
            let swapped = if last == '1' { '2' } else { '1' };
            let tampered_id = format!("{}{swapped}", &tweet[..tweet.len() - 1]);
            let mut bad = kit.build(&kit.creds(0), "POST", ep, &query, &form, placement, |_| {});
            bad.url = bad.url.replace(&tweet, &tampered_id);
            bad.body = bad.body.map(|b| {
                String::from_utf8(b)
                    .unwrap()
                    .replace(&tweet, &tampered_id)
                    .into_bytes()
            });
            kit.send(bad).await.assert_error(401, 32);
        }
    }
    // GET with oauth in the query.
    let req = kit.build(
        &kit.creds(1),
        "GET",
        "collections/entries",
        &pairs(&[("id", &id)]),
        &[],
        Placement::Query,
        |_| {},
    );
    assert_eq!(kit.send(req).await.status, 200);
}

#[tokio::test]
async fn client_encoding_variants_verify() {
    let kit = Kit::start().await;
    let name = "a b~c*d+e";
    let signed = pairs(&[("name", name)]);
    // What different clients put on the wire for the same decoded value.
    for wire in [
        "a+b~c*d%2Be",
        "a%20b%7Ec%2Ad%2Be",
        "a%20b~c*d%2be",
        "a+b%7e*d%2B",
    ] {
        for in_body in [false, true] {
            let mut req = kit.build(
                &kit.creds(0),
                "POST",
                "collections/create",
                &[],
                &[],
                Placement::Header,
                |_| {},
            );
            // Re-sign over the decoded value, then put the chosen wire form in place.
            let url = url::Url::parse(&req.url).unwrap();
            let input = oauth::SigningInput::new("POST", &url, &signed);
            req.authorization = Some(oauth::authorization_header(&oauth::sign(
                &kit.creds(0),
                &input,
            )));
            if in_body {
                req.content_type = Some("application/x-www-form-urlencoded".into());
                req.body = Some(format!("name={wire}").into_bytes());
            } else {
                req.url = format!("{}?name={wire}", req.url);
            }
            let r = kit.send(req).await;
            if wire == "a+b%7e*d%2B" {
                // Decodes to "a b~*d+" — a different value than was signed.
                r.assert_error(401, 32);
                continue;
            }
            assert_eq!(r.status, 200, "{wire} in_body={in_body}: {}", r.raw);
            let id = r.body["response"]["timeline_id"].as_str().unwrap();
            assert_eq!(r.body["objects"]["timelines"][id]["name"], name);
        }
    }
}

#[tokio::test]
async fn base_url_uses_host_header_and_forwarded_proto() {
    let (kit, id, _) = setup().await;
    let port = kit.server.addr().port();
    let query = pairs(&[("id", &id)]);
    let sign_for = |base: &str| {
        let url = url::Url::parse(&format!("{base}/1.1/collections/show.json")).unwrap();
        let input = oauth::SigningInput::new("GET", &url, &query);
        Req {
            method: "GET".into(),
            url: format!("{}?id={id}", kit.url("collections/show")),
            authorization: Some(oauth::authorization_header(&oauth::sign(
                &kit.creds(0),
                &input,
            ))),
            content_type: None,
            body: None,
            extra_headers: vec![],
        }
    };
    let mut req = sign_for("https://api.twitter.com");
    kit.send(req.clone()).await.assert_error(401, 32);
    req.extra_headers = vec![
        ("host".into(), "api.twitter.com".into()),
        ("x-forwarded-proto".into(), "https".into()),
    ];
    assert_eq!(kit.send(req).await.status, 200);
    let mut req = sign_for(&format!("http://localhost:{port}"));
    req.extra_headers = vec![("host".into(), format!("localhost:{port}"))];
    assert_eq!(kit.send(req).await.status, 200);
}

#[tokio::test]
async fn curate_body_is_never_signed() {
    let (kit, id, tweet) = setup().await;
    let ep = "collections/entries/curate";
    // Signing the JSON fields as if they were form parameters (a known client mistake) fails.
    let form = pairs(&[("id", &id), ("changes", "[]")]);
    let req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &[],
        &form,
        Placement::Header,
        |_| {},
    );
    kit.send(req).await.assert_error(401, 32);
    // Query parameters are signed; the JSON body is not.
    let mut req = kit.build(
        &kit.creds(0),
        "POST",
        ep,
        &pairs(&[("include", "x")]),
        &[],
        Placement::Header,
        |_| {},
    );
    req.content_type = Some("application/json".into());
    req.body = Some(
        format!(r#"{{"id":"{id}","changes":[{{"op":"add","tweet_id":"{tweet}"}}]}}"#).into_bytes(),
    );
    let r = kit.send(req).await;
    assert_eq!(r.raw, r#"{"objects":{},"response":{"errors":[]}}"#);
}

/// The independent signer: `oauth1-request` 0.6.
mod independent {
    use super::*;
    use oauth1_request as oauth1;

    fn token(kit: &Kit) -> oauth1::Token<String, String> {
        let c = kit.creds(0);
        oauth1::Token::from_parts(c.consumer_key, c.consumer_secret, c.token, c.token_secret)
    }

    #[tokio::test]
    async fn requests_signed_by_oauth1_request_are_accepted_and_tampering_refused() {
        let (kit, id, tweet) = setup().await;
        let uri = kit.url("collections/entries/remove");
        let request =
            oauth1::ParameterList::new(vec![("id", id.as_str()), ("tweet_id", tweet.as_str())]);
        let tampered_tweet = kit.tweet(1);

        // Authorization header, parameters in a form body.
        let header = oauth1::post(&uri, &request, &token(&kit), oauth1::HMAC_SHA1);
        let body = oauth1::to_form(&request);
        for (body, status) in [
            (body.clone(), 200),
            (body.replace(&tweet, &tampered_tweet), 401),
        ] {
            let r = kit
                .send(Req {
                    method: "POST".into(),
                    url: uri.clone(),
                    authorization: Some(header.clone()),
                    content_type: Some("application/x-www-form-urlencoded".into()),
                    body: Some(body.into_bytes()),
                    extra_headers: vec![],
                })
                .await;
            assert_eq!(r.status, status, "{}", r.raw);
            if status == 401 {
                r.assert_error(401, 32);
            }
        }

        // Everything in the query string.
        let builder = oauth1::Builder::with_token(token(&kit), oauth1::HMAC_SHA1);
        // `to_query`/`to_form` emit the protocol parameters only (the request parameters are
        // signed but not written), so the request parameters are appended separately.
        let signed_uri = format!(
            "{}&{}",
            builder.to_query("POST", uri.clone(), &request),
            oauth1::to_form(&request)
        );
        for (url, status) in [
            (signed_uri.clone(), 200),
            (signed_uri.replace(&tweet, &tampered_tweet), 401),
        ] {
            let r = kit
                .send(Req {
                    method: "POST".into(),
                    url,
                    authorization: None,
                    content_type: None,
                    body: None,
                    extra_headers: vec![],
                })
                .await;
            assert_eq!(r.status, status, "{}", r.raw);
        }

        // Everything in the form body.
        let builder = oauth1::Builder::with_token(token(&kit), oauth1::HMAC_SHA1);
        let form = format!(
            "{}&{}",
            oauth1::to_form(&request),
            builder.to_form("POST", &uri, &request)
        );
        for (body, status) in [
            (form.clone(), 200),
            (form.replace(&tweet, &tampered_tweet), 401),
        ] {
            let r = kit
                .send(Req {
                    method: "POST".into(),
                    url: uri.clone(),
                    authorization: None,
                    content_type: Some("application/x-www-form-urlencoded".into()),
                    body: Some(body.into_bytes()),
                    extra_headers: vec![],
                })
                .await;
            assert_eq!(r.status, status, "{}", r.raw);
        }

        // GET with a header and awkward characters in values.
        let entries = kit.url("collections/list");
        let screen = kit.server.info().users[0].screen_name.clone();
        let request = oauth1::ParameterList::new(vec![
            ("screen_name", screen.as_str()),
            ("cursor", "a b~c*!'()"),
        ]);
        let header = oauth1::get(&entries, &request, &token(&kit), oauth1::HMAC_SHA1);
        let r = kit
            .send(Req {
                method: "GET".into(),
                url: oauth1::to_query(entries.clone(), &request),
                authorization: Some(header),
                content_type: None,
                body: None,
                extra_headers: vec![],
            })
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
    }
}
