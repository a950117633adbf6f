//! Fault profiles of the reference server: every fault changes what a client observes on
//! `collections/entries/remove` (one probe per fault, run against the clean server and the faulty
//! one, must differ), faults stay on remove, and `serve --fault` parses names.
//!
//! The probes are deliberately independent of the vectors: if a fault silently stopped having
//! any effect, the kill matrix would report it as a survivor and someone would write a vector
//! for a fault that does not exist; this test names the broken fault instead.

use std::collections::BTreeSet;

use crate::server_support::{Kit, Placement, Resp, pairs};
use collections_conformance::oauth;
use collections_conformance::server::{Fault, ServeArgs, ServerConfig};

/// The part of a response a probe compares: status, content type, body (ids of collections
/// never appear in remove answers, so two fresh servers answer byte-identically).
fn seen(r: &Resp) -> String {
    format!(
        "{} {} {}",
        r.status,
        r.header("content-type").unwrap_or_default(),
        r.raw
    )
}

/// A collection of the main user holding the first `n` seeded tweets (tweet `n-1` on top).
async fn collection(kit: &Kit, user: usize, n: usize) -> String {
    let id = kit.create(user, "Probe").await;
    let tweets: Vec<String> = (0..n).map(|i| kit.tweet(i)).collect();
    kit.add(user, &id, &tweets).await;
    id
}

/// Sends a signed remove with `query` on the URL, `form` in the body and the signing input
/// adjusted by `adjust`.
async fn remove_with(
    kit: &Kit,
    creds: &oauth::Credentials,
    query: &[(&str, &str)],
    form: &[(&str, &str)],
    adjust: impl FnOnce(&mut oauth::SigningInput<'_>),
) -> Resp {
    let req = kit.build(
        creds,
        "POST",
        "collections/entries/remove",
        &pairs(query),
        &pairs(form),
        Placement::Header,
        adjust,
    );
    kit.send(req).await
}

/// What a client sees of the behaviour `fault` bends, on a fresh server.
async fn probe(kit: &Kit, fault: Fault) -> String {
    let remove = "collections/entries/remove";
    let main = kit.creds(0);
    let id = collection(kit, 0, 3).await;
    let (t0, t1, t3) = (kit.tweet(0), kit.tweet(1), kit.tweet(3));
    match fault {
        Fault::AuthSkipped => {
            let r = kit
                .send(crate::server_support::Req {
                    method: "POST".into(),
                    url: format!("{}?id={id}&tweet_id={t1}", kit.url(remove)),
                    authorization: None,
                    content_type: None,
                    body: None,
                    extra_headers: Vec::new(),
                })
                .await;
            seen(&r)
        }
        Fault::BearerAccepted => {
            let mut req = kit.build(
                &main,
                "POST",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t1)]),
                &[],
                Placement::Header,
                |_| {},
            );
            req.authorization = Some(format!("Bearer {}", kit.server.info().bearer_token));
            seen(&kit.send(req).await)
        }
        Fault::BodyParamsUnsigned | Fault::FormParamsIgnored => {
            let r = remove_with(kit, &main, &[], &[("id", &id), ("tweet_id", &t1)], |_| {}).await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&id).await)
        }
        Fault::StaleTimestampAccepted => {
            let r = remove_with(kit, &main, &[("id", &id), ("tweet_id", &t1)], &[], |i| {
                i.timestamp -= 3600
            })
            .await;
            seen(&r)
        }
        Fault::NonceReplayAccepted => {
            let req = kit.build(
                &main,
                "POST",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t1)]),
                &[],
                Placement::Header,
                |_| {},
            );
            kit.send(req.clone()).await;
            seen(&kit.send(req).await)
        }
        Fault::AnySignatureAccepted => {
            let mut creds = main.clone();
            creds.token_secret.push('x');
            seen(&remove_with(kit, &creds, &[("id", &id), ("tweet_id", &t1)], &[], |_| {}).await)
        }
        Fault::UnknownTokenAccepted => {
            let mut creds = main.clone();
            creds.token = "1-unknownTokenForTheFaultProbe".into();
            seen(&remove_with(kit, &creds, &[("id", &id), ("tweet_id", &t1)], &[], |_| {}).await)
        }
        Fault::PlaintextAccepted => seen(
            &remove_with(kit, &main, &[("id", &id), ("tweet_id", &t1)], &[], |i| {
                i.signature_method = "PLAINTEXT"
            })
            .await,
        ),
        Fault::OauthVersionUnchecked => seen(
            &remove_with(kit, &main, &[("id", &id), ("tweet_id", &t1)], &[], |i| {
                i.version = Some("2.0")
            })
            .await,
        ),
        Fault::DuplicateParamsAccepted => seen(
            &remove_with(
                kit,
                &main,
                &[("id", &id), ("tweet_id", &t1)],
                &[("tweet_id", &t1)],
                |_| {},
            )
            .await,
        ),
        Fault::MissingTweetIdSucceeds
        | Fault::MissingParamWrongCode
        | Fault::ErrorsAsObject
        | Fault::ErrorFieldsTopLevel
        | Fault::PlainTextErrors => seen(&kit.post_query(0, remove, &[("id", &id)]).await),
        Fault::MissingIdSucceeds => seen(&kit.post_query(0, remove, &[("tweet_id", &t1)]).await),
        Fault::EmptyParamsNotMissing => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", "")])
                .await,
        ),
        Fault::QueryParamsIgnored | Fault::HtmlContentType => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t1)])
                .await,
        ),
        Fault::FutureTimestampAccepted => seen(
            &remove_with(kit, &main, &[("id", &id), ("tweet_id", &t1)], &[], |i| {
                i.timestamp += 3600
            })
            .await,
        ),
        Fault::SignatureIgnoresMethodAndUrl => seen(
            &remove_with(kit, &main, &[("id", &id), ("tweet_id", &t1)], &[], |i| {
                i.method = "GET"
            })
            .await,
        ),
        Fault::MissingSignatureAccepted => {
            let mut req = kit.build(
                &main,
                "POST",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t1)]),
                &[],
                Placement::Header,
                |_| {},
            );
            let header = req.authorization.take().unwrap();
            let fields: Vec<&str> = header
                .trim_start_matches("OAuth ")
                .split(", ")
                .filter(|f| !f.starts_with("oauth_signature="))
                .collect();
            req.authorization = Some(format!("OAuth {}", fields.join(", ")));
            seen(&kit.send(req).await)
        }
        Fault::UnknownConsumerAccepted => {
            let mut creds = main.clone();
            creds.consumer_key = "unknownConsumerForTheFaultProbe".into();
            seen(&remove_with(kit, &creds, &[("id", &id), ("tweet_id", &t1)], &[], |_| {}).await)
        }
        Fault::OauthHeaderOnly => {
            let req = kit.build(
                &main,
                "POST",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t1)]),
                &[],
                Placement::Query,
                |_| {},
            );
            seen(&kit.send(req).await)
        }
        Fault::BaseStringFormEncoded => seen(
            &kit.post_query(
                0,
                remove,
                &[("id", &id), ("tweet_id", &t1), ("note", "a b*~!")],
            )
            .await,
        ),
        Fault::PlusNotSpace => {
            let mut req = kit.build(
                &main,
                "POST",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t1), ("note", "a b")]),
                &[],
                Placement::Header,
                |_| {},
            );
            req.url = req.url.replace("%20", "+");
            seen(&kit.send(req).await)
        }
        Fault::SignatureErrors89 => {
            let mut creds = main.clone();
            creds.token_secret.push('x');
            seen(&remove_with(kit, &creds, &[("id", &id), ("tweet_id", &t1)], &[], |_| {}).await)
        }
        Fault::AuthErrorsAll32 => {
            let mut creds = main.clone();
            creds.token = "1-unknownTokenForTheFaultProbe".into();
            seen(&remove_with(kit, &creds, &[("id", &id), ("tweet_id", &t1)], &[], |_| {}).await)
        }
        Fault::MalformedIdSucceeds => seen(
            &kit.post_query(0, remove, &[("id", "abc"), ("tweet_id", &t1)])
                .await,
        ),
        Fault::NonNumericTweetIdSucceeds => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", "abc")])
                .await,
        ),
        Fault::UnknownParamsRefused => seen(
            &kit.post_query(
                0,
                remove,
                &[("id", &id), ("tweet_id", &t1), ("include_entities", "true")],
            )
            .await,
        ),
        Fault::RateLimitedRemoveApplied => {
            // The throttled user may remove 3 times per window; the 4th names a tweet it holds.
            let own = collection(kit, 2, 3).await;
            for _ in 0..3 {
                kit.post_query(2, remove, &[("id", &own), ("tweet_id", &t3)])
                    .await;
            }
            let r = kit
                .post_query(2, remove, &[("id", &own), ("tweet_id", &t0)])
                .await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&own).await)
        }
        Fault::ForeignCollectionModifiable | Fault::ForeignCollection401 => {
            let theirs = collection(kit, 1, 2).await;
            let r = kit
                .post_query(0, remove, &[("id", &theirs), ("tweet_id", &t1)])
                .await;
            seen(&r)
        }
        Fault::HardNotFound
        | Fault::TweetIdAsNumber
        | Fault::ObjectsMissing
        | Fault::WrongReason
        | Fault::WrongOp
        | Fault::SoftNotFound404
        | Fault::AbsentTweetSucceeds => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await,
        ),
        Fault::RemoveNoop | Fault::RemoveClears | Fault::RemoveWrongTweet => {
            let r = kit
                .post_query(0, remove, &[("id", &id), ("tweet_id", &t1)])
                .await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&id).await)
        }
        Fault::RemoveFromAnyCollection => {
            let other = kit.create(0, "Other").await;
            kit.add(0, &other, std::slice::from_ref(&t3)).await;
            let r = kit
                .post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&other).await)
        }
        Fault::GetAccepted => {
            let r = kit
                .call(0, "GET", remove, &[("id", &id), ("tweet_id", &t0)])
                .await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&id).await)
        }
        Fault::WrongMethod404 => {
            let req = kit.build(
                &main,
                "DELETE",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t0)]),
                &[],
                Placement::Header,
                |_| {},
            );
            seen(&kit.send(req).await)
        }
        Fault::RateLimitHeadersMissing | Fault::RateLimitRemainingFrozen => {
            kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await;
            let r = kit
                .post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await;
            format!(
                "{} limit={:?} remaining={:?} reset={}",
                seen(&r),
                r.header("x-rate-limit-limit"),
                r.header("x-rate-limit-remaining"),
                r.header("x-rate-limit-reset").is_some()
            )
        }
        Fault::RateLimitNever429 => {
            // The throttled user may remove 3 times per window.
            let mut statuses = Vec::new();
            for _ in 0..4 {
                statuses.push(kit.post_query(2, remove, &[("id", &id)]).await.status);
            }
            format!("{statuses:?}")
        }
        Fault::RealmSigned => {
            let params = pairs(&[("id", &id), ("tweet_id", &t1)]);
            let mut req = kit.build(
                &main,
                "POST",
                remove,
                &params,
                &[],
                Placement::Header,
                |_| {},
            );
            let header = req.authorization.take().unwrap();
            let fields = header.trim_start_matches("OAuth ");
            req.authorization = Some(format!("OAuth realm=\"Probe\", {fields}"));
            seen(&kit.send(req).await)
        }
        Fault::KeyWithoutTokenSecretAccepted => {
            let mut creds = main.clone();
            creds.token_secret.clear();
            seen(&remove_with(kit, &creds, &[("id", &id), ("tweet_id", &t1)], &[], |_| {}).await)
        }
        Fault::BodyUnsignedWithOauthInBody => {
            let params = pairs(&[("id", &id), ("tweet_id", &t1)]);
            let req = kit.build(&main, "POST", remove, &[], &params, Placement::Form, |_| {});
            seen(&kit.send(req).await)
        }
        Fault::QueryDecodedTwice | Fault::EmptyParamsUnsigned => seen(
            &kit.post_query(
                0,
                remove,
                &[
                    ("id", &id),
                    ("tweet_id", &t1),
                    ("note", "%41"),
                    ("empty", ""),
                ],
            )
            .await,
        ),
        Fault::NonFormBodySigned => {
            let params = pairs(&[("id", &id), ("tweet_id", &t1)]);
            let mut req = kit.build(
                &main,
                "POST",
                remove,
                &params,
                &[],
                Placement::Header,
                |_| {},
            );
            req.content_type = Some("application/json".into());
            req.body = Some(br#"{"a":"b"}"#.to_vec());
            seen(&kit.send(req).await)
        }
        Fault::NonceLastOnly => {
            let params = pairs(&[("id", &id), ("tweet_id", &t1)]);
            let first = kit.build(
                &main,
                "POST",
                remove,
                &params,
                &[],
                Placement::Header,
                |_| {},
            );
            let other = kit.build(
                &main,
                "POST",
                remove,
                &params,
                &[],
                Placement::Header,
                |_| {},
            );
            kit.send(first.clone()).await;
            kit.send(other).await;
            seen(&kit.send(first).await)
        }
        Fault::TimestampHeaderOnly => {
            let params = pairs(&[("id", &id), ("tweet_id", &t1)]);
            let req = kit.build(&main, "POST", remove, &params, &[], Placement::Query, |i| {
                i.timestamp -= 3 * 24 * 3600
            });
            seen(&kit.send(req).await)
        }
        Fault::UnknownCollection500
        | Fault::UnknownCollectionSucceeds
        | Fault::UnknownCollectionWrongCode => seen(
            &kit.post_query(0, remove, &[("id", "custom-999999"), ("tweet_id", &t1)])
                .await,
        ),
    }
}

fn with(faults: impl IntoIterator<Item = Fault>) -> ServerConfig {
    ServerConfig {
        faults: faults.into_iter().collect(),
        ..ServerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_changes_what_a_client_sees() {
    let mut unchanged = Vec::new();
    for fault in Fault::ALL {
        let clean = Kit::start().await;
        let faulty = Kit::start_with(with([fault])).await;
        let expected = probe(&clean, fault).await;
        let actual = probe(&faulty, fault).await;
        if expected == actual {
            unchanged.push(format!("{fault}: both answered {expected}"));
        }
    }
    assert!(
        unchanged.is_empty(),
        "faults without effect:\n{}",
        unchanged.join("\n")
    );
}

#[tokio::test]
async fn faults_answer_as_described() {
    let remove = "collections/entries/remove";
    // A few faults spelled out, so a reader sees what "broken" means.
    let kit = Kit::start_with(with([Fault::TweetIdAsNumber, Fault::ErrorsAsObject])).await;
    let id = collection(&kit, 0, 1).await;
    let absent = kit.tweet(5);
    let r = kit
        .post_query(0, remove, &[("id", &id), ("tweet_id", &absent)])
        .await;
    assert_eq!(
        r.body["response"]["errors"][0]["change"]["tweet_id"],
        serde_json::json!(absent.parse::<u64>().unwrap()),
        "{}",
        r.raw
    );
    let r = kit.post_query(0, remove, &[("id", &id)]).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["errors"]["code"], 38, "{}", r.raw);

    let kit = Kit::start_with(with([Fault::UnknownCollection500])).await;
    let r = kit
        .post_query(
            0,
            remove,
            &[("id", "custom-424242"), ("tweet_id", &kit.tweet(0))],
        )
        .await;
    assert_eq!((r.status, r.code()), (500, Some(131)), "{}", r.raw);

    let kit = Kit::start_with(with([Fault::RemoveWrongTweet])).await;
    let id = collection(&kit, 0, 3).await;
    let r = kit
        .post_query(0, remove, &[("id", &id), ("tweet_id", &kit.tweet(0))])
        .await;
    assert_eq!(r.raw, r#"{"response":{"errors":[]},"objects":{}}"#);
    // Tweet 2 (the top one) went; tweet 0, the one named, stayed.
    assert_eq!(kit.entry_ids(&id).await, vec![kit.tweet(1), kit.tweet(0)]);
}

#[tokio::test]
async fn faults_touch_only_remove() {
    let kit = Kit::start_with(with(Fault::ALL)).await;
    // Fixtures and state reads work as on the faithful server.
    let id = collection(&kit, 0, 2).await;
    assert_eq!(kit.entry_ids(&id).await, vec![kit.tweet(1), kit.tweet(0)]);
    let r = kit.call(0, "POST", "collections/entries/add", &[]).await;
    r.assert_error(403, 38);
    assert!(r.header("x-rate-limit-remaining").is_some());
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-999999")])
        .await;
    r.assert_error(404, 34);
    // While remove is broken.
    let r = kit.post_query(0, "collections/entries/remove", &[]).await;
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn serve_accepts_fault_names_and_refuses_unknown_ones() {
    let exe = env!("CARGO_BIN_EXE_collections-conformance");
    let output = std::process::Command::new(exe)
        .args(["serve", "--fault", "no-such-fault"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown fault"), "{stderr}");
    assert!(stderr.contains("remove-noop"), "{stderr}");

    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }
    let parsed = <Serve as clap::Parser>::try_parse_from([
        "serve",
        "--fault",
        "remove-noop",
        "--fault",
        "get-accepted",
    ])
    .unwrap();
    let expected: BTreeSet<Fault> = [Fault::RemoveNoop, Fault::GetAccepted].into();
    assert_eq!(parsed.args.to_config().unwrap().faults, expected);
    let parsed = <Serve as clap::Parser>::try_parse_from(["serve"]).unwrap();
    assert!(parsed.args.to_config().unwrap().faults.is_empty());
}

/// The level rule for faults: a fault is as binding as the most binding requirement it breaks
/// (a fault breaking a MUST must be caught by a MUST vector, whatever else it breaks). Read from
/// `specs/requirements.json` at run time, so a re-graded requirement shows here at once.
#[test]
fn every_fault_level_is_the_highest_level_among_the_requirements_it_breaks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/requirements.json");
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("specs/requirements.json"))
            .expect("specs/requirements.json is JSON");
    let levels: std::collections::BTreeMap<&str, &str> = spec["requirements"]
        .as_array()
        .expect("a requirements array")
        .iter()
        .filter_map(|r| Some((r["id"].as_str()?, r["level"].as_str()?)))
        .collect();
    let rank = |level: &str| match level {
        "must" => 3,
        "should" => 2,
        "may" => 1,
        _ => 0,
    };
    let mut problems = Vec::new();
    for fault in Fault::ALL {
        let mut highest: Option<(&str, &str)> = None;
        for id in fault.requirements() {
            match levels.get(id) {
                None => problems.push(format!("{fault}: no requirement {id}")),
                Some(&level) => {
                    if highest.is_none_or(|(_, h)| rank(level) > rank(h)) {
                        highest = Some((id, level));
                    }
                }
            }
        }
        match highest {
            None => problems.push(format!("{fault} names no requirement")),
            Some((id, level)) if level != fault.level().as_str() => problems.push(format!(
                "{fault} is declared {} but breaks {id} ({level})",
                fault.level().as_str()
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
