//! Variants of the reference server: every variant changes what a client observes (one probe per
//! variant, run against the faithful server and the variant, must differ), remove-only variants
//! leave the other endpoints alone while server-wide ones do not, and `serve --variant` parses
//! names.
//!
//! Without the probes, a variant that silently stopped having any effect would "pass" the
//! tolerance matrix and prove nothing.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::server_support::{Kit, Placement, Resp, pairs};
use collections_conformance::server::{Endpoint, Scope, ServeArgs, ServerConfig, Variant};

/// Status, content type, connection header and body of a response.
fn seen(r: &Resp) -> String {
    format!(
        "{} {} {:?} {}",
        r.status,
        r.header("content-type").unwrap_or_default(),
        r.header("connection"),
        r.raw
    )
}

/// A signed remove by the main user with `query` on the URL and the signing input adjusted.
async fn remove_signed(
    kit: &Kit,
    query: &[(&str, &str)],
    placement: Placement,
    adjust: impl FnOnce(&mut collections_conformance::oauth::SigningInput<'_>),
) -> Resp {
    let req = kit.build(
        &kit.creds(0),
        "POST",
        "collections/entries/remove",
        &pairs(query),
        &[],
        placement,
        adjust,
    );
    kit.send(req).await
}

/// What a client sees of the choice `variant` makes, on a fresh server.
async fn probe(kit: &Kit, variant: Variant) -> String {
    let remove = "collections/entries/remove";
    let id = kit.create(0, "Probe").await;
    kit.add(0, &id, &[kit.tweet(0), kit.tweet(1)]).await;
    let (t0, t3) = (kit.tweet(0), kit.tweet(3));
    match variant {
        Variant::UnknownCollectionSoftNotFound | Variant::UnknownCollection400 => seen(
            &kit.post_query(0, remove, &[("id", "custom-999999"), ("tweet_id", &t0)])
                .await,
        ),
        Variant::MalformedId400 => seen(
            &kit.post_query(0, remove, &[("id", "abc"), ("tweet_id", &t0)])
                .await,
        ),
        Variant::ForeignCollection404 => {
            let theirs = kit.create(1, "Theirs").await;
            seen(
                &kit.post_query(0, remove, &[("id", &theirs), ("tweet_id", &t0)])
                    .await,
            )
        }
        Variant::WrongMethod404 => seen(
            &kit.call(0, "PUT", remove, &[("id", &id), ("tweet_id", &t0)])
                .await,
        ),
        Variant::MissingParam170
        | Variant::ErrorLabel
        | Variant::MessagePeriod
        | Variant::KeysReordered => {
            let hard = kit.post_query(0, remove, &[("id", &id)]).await;
            let soft = kit
                .post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await;
            format!("{} / {}", seen(&hard), seen(&soft))
        }
        Variant::UnknownParams400 => seen(
            &kit.post_query(
                0,
                remove,
                &[("id", &id), ("tweet_id", &t0), ("include_entities", "1")],
            )
            .await,
        ),
        Variant::EmptyParamsPresent => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", "")])
                .await,
        ),
        Variant::NonNumericTweetIdSoftNotFound => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", "abc")])
                .await,
        ),
        Variant::UnknownTweet144 => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", "999999999")])
                .await,
        ),
        Variant::SoftNotFound404 | Variant::PrettyJson | Variant::ContentTypeSpelling => seen(
            &kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await,
        ),
        Variant::UnknownToken403 => {
            let mut creds = kit.creds(0);
            creds.token = "1-unknownTokenForTheVariantProbe".into();
            let req = kit.build(
                &creds,
                "POST",
                remove,
                &pairs(&[("id", &id), ("tweet_id", &t0)]),
                &[],
                Placement::Header,
                |_| {},
            );
            seen(&kit.send(req).await)
        }
        Variant::TimestampWindow15Min => seen(
            &remove_signed(
                kit,
                &[("id", &id), ("tweet_id", &t0)],
                Placement::Header,
                |i| i.timestamp -= 600,
            )
            .await,
        ),
        Variant::FutureTimestampsTolerated => seen(
            &remove_signed(
                kit,
                &[("id", &id), ("tweet_id", &t0)],
                Placement::Header,
                |i| i.timestamp += 3600,
            )
            .await,
        ),
        Variant::OauthHeaderOnly => seen(
            &remove_signed(
                kit,
                &[("id", &id), ("tweet_id", &t0)],
                Placement::Query,
                |_| {},
            )
            .await,
        ),
        Variant::NoRateLimitHeadersOnPost | Variant::WriteLimit180 => {
            let r = kit
                .post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await;
            format!(
                "limit={:?} remaining={:?}",
                r.header("x-rate-limit-limit"),
                r.header("x-rate-limit-remaining")
            )
        }
        Variant::ConnectionClose => format!(
            "{:?}",
            kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await
                .header("connection")
        ),
        Variant::SlowResponses => {
            let started = Instant::now();
            kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t3)])
                .await;
            format!("slow: {}", started.elapsed() >= PROBE_LATENCY)
        }
        // The rest of the family: status and code, or the part of the body the choice changes
        // (collection ids are time-based, so whole bodies differ between any two servers).
        Variant::DestroyUnknownDestroyedTrue => seen(
            &kit.call(0, "POST", "collections/destroy", &[("id", "custom-999999")])
                .await,
        ),
        Variant::CreateUnknownOrder400 => {
            let params = [("name", "n"), ("timeline_order", "sideways")];
            let r = kit.call(0, "POST", "collections/create", &params).await;
            format!("{} {:?}", r.status, r.code())
        }
        Variant::UpdateRequiresName => {
            let params = [("id", id.as_str()), ("description", "d")];
            let r = kit.call(0, "POST", "collections/update", &params).await;
            format!("{} {:?}", r.status, r.code())
        }
        Variant::ListOldestFirst | Variant::ListDefaultCount50 => {
            for i in 0..21 {
                kit.create(0, &format!("C{i}")).await;
            }
            let user = kit.server.info().users[0].user_id.clone();
            let r = kit
                .call(0, "GET", "collections/list", &[("user_id", &user)])
                .await;
            let results = r.body["response"]["results"].as_array().cloned();
            let first = results
                .as_ref()
                .and_then(|r| r.first())
                .and_then(|r| r["timeline_id"].as_str())
                .map(|t| r.body["objects"]["timelines"][t]["name"].clone());
            format!("{} {:?}", results.map_or(0, |r| r.len()), first)
        }
        Variant::EntriesWithoutUsers => {
            let r = kit
                .call(0, "GET", "collections/entries", &[("id", &id)])
                .await;
            format!("{} users={}", r.status, r.body["objects"]["users"])
        }
        Variant::MoveTimeOrdered400 => {
            let params = [("name", "n"), ("timeline_order", "tweet_chron")];
            let r = kit.call(0, "POST", "collections/create", &params).await;
            let chron = r.body["response"]["timeline_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            kit.add(0, &chron, &[t0.clone(), kit.tweet(1)]).await;
            let params = [
                ("id", chron.as_str()),
                ("tweet_id", &t0),
                ("relative_to", &kit.tweet(1)),
            ];
            let r = kit
                .call(0, "POST", "collections/entries/move", &params)
                .await;
            format!("{} {:?}", r.status, r.code())
        }
        Variant::CurateAbsentRemovalSilent | Variant::CurateStopsAtFirstFailure => {
            let body = serde_json::json!({"id": id, "changes": [
                {"op": "remove", "tweet_id": t3},
                {"op": "add", "tweet_id": kit.tweet(2)},
            ]});
            let mut req = kit.build(
                &kit.creds(0),
                "POST",
                "collections/entries/curate",
                &[],
                &[],
                Placement::Header,
                |_| {},
            );
            req.content_type = Some("application/json".into());
            req.body = Some(body.to_string().into_bytes());
            let r = kit.send(req).await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&id).await)
        }
    }
}

/// The `slow-responses` latency in these probes (its second would only slow the test down).
const PROBE_LATENCY: Duration = Duration::from_millis(300);

fn with(variants: impl IntoIterator<Item = Variant>) -> ServerConfig {
    ServerConfig {
        variants: variants.into_iter().collect(),
        latency: Some(PROBE_LATENCY),
        ..ServerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variant_changes_what_a_client_sees() {
    let mut unchanged = Vec::new();
    for variant in Variant::ALL {
        let faithful = Kit::start().await;
        let other = Kit::start_with(with([variant])).await;
        let expected = probe(&faithful, variant).await;
        let actual = probe(&other, variant).await;
        if expected == actual {
            unchanged.push(format!("{variant}: both answered {expected}"));
        }
    }
    assert!(
        unchanged.is_empty(),
        "variants without effect:\n{}",
        unchanged.join("\n")
    );
}

#[tokio::test]
async fn variants_answer_as_described() {
    let remove = "collections/entries/remove";
    let kit = Kit::start_with(with([
        Variant::UnknownCollectionSoftNotFound,
        Variant::MissingParam170,
        Variant::KeysReordered,
    ]))
    .await;
    let t0 = kit.tweet(0);
    let r = kit
        .post_query(0, remove, &[("id", "custom-999999"), ("tweet_id", &t0)])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.raw,
        format!(
            r#"{{"objects":{{}},"response":{{"errors":[{{"reason":"not_found","change":{{"op":"remove","tweet_id":"{t0}"}}}}]}}}}"#
        )
    );
    let r = kit.post_query(0, remove, &[("id", "custom-999999")]).await;
    assert_eq!(
        r.raw,
        r#"{"errors":[{"message":"Missing required parameter: tweet_id.","code":170}]}"#
    );
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn remove_only_variants_leave_other_endpoints_alone() {
    let all: Vec<Variant> = Variant::ALL
        .into_iter()
        .filter(|v| *v != Variant::SlowResponses)
        .collect();
    let remove_only = all
        .iter()
        .copied()
        .filter(|v| v.scope() == Scope::Only(&[Endpoint::EntriesRemove]));
    let kit = Kit::start_with(with(remove_only)).await;
    // Fixtures and reads behave as on the faithful server.
    let id = kit.create(0, "Fixture").await;
    kit.add(0, &id, &[kit.tweet(0)]).await;
    assert_eq!(kit.entry_ids(&id).await, vec![kit.tweet(0)]);
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-999999")])
        .await;
    r.assert_error(404, 34);
    let r = kit.call(0, "POST", "collections/entries/add", &[]).await;
    r.assert_error(403, 38);

    // Server-wide variants reach every endpoint.
    let kit = Kit::start_with(with([Variant::KeysReordered, Variant::ContentTypeSpelling])).await;
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-999999")])
        .await;
    assert_eq!(
        r.raw,
        r#"{"errors":[{"message":"Sorry, that page does not exist.","code":34}]}"#
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
}

#[test]
fn serve_accepts_variant_names_and_refuses_unknown_ones() {
    let exe = env!("CARGO_BIN_EXE_collections-conformance");
    let output = std::process::Command::new(exe)
        .args(["serve", "--variant", "no-such-variant"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown variant"), "{stderr}");
    assert!(stderr.contains("keys-reordered"), "{stderr}");

    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }
    let parsed = <Serve as clap::Parser>::try_parse_from([
        "serve",
        "--variant",
        "pretty-json",
        "--variant",
        "missing-param-170",
        "--fault",
        "remove-noop",
    ])
    .unwrap();
    let config = parsed.args.to_config().unwrap();
    let expected: BTreeSet<Variant> = [Variant::PrettyJson, Variant::MissingParam170].into();
    assert_eq!(config.variants, expected);
    assert_eq!(config.faults.len(), 1);
    let behaviour = config.behaviour();
    let (remove, create) = (
        behaviour.for_endpoint(Endpoint::EntriesRemove),
        behaviour.for_endpoint(Endpoint::Create),
    );
    assert!(create.pretty_json && remove.pretty_json);
    assert!(behaviour.unknown_path().pretty_json);
    assert_eq!(remove.missing_parameter.code, 170);
    assert_eq!(create.missing_parameter.code, 38);
}
