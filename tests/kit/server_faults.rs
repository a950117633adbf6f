//! Fault profiles of the reference server: every fault changes what a client observes on
//! `collections/entries/remove` (one probe per fault, run against the clean server and the faulty
//! one, must differ), faults stay on remove, and `serve --fault` parses names.
//!
//! The probes are deliberately independent of the vectors: if a fault silently stopped having
//! any effect, the kill matrix would report it as a survivor and someone would write a vector
//! for a fault that does not exist; this test names the broken fault instead.

use std::collections::BTreeSet;

use crate::server_support::{Kit, Placement, Req, Resp, pairs};
use collections_conformance::oauth;
use collections_conformance::server::{Endpoint, Fault, Scope, ServeArgs, ServerConfig};

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
    // The state faults bend every endpoint; their probes below start from remove's fixtures.
    if fault.scope() != Scope::Only(&[Endpoint::EntriesRemove]) && !fault.server_wide() {
        return family_probe(kit, fault).await;
    }
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
        Fault::CreateNameOptional
        | Fault::CreateNameUnlimited
        | Fault::CreateDescriptionUnlimited
        | Fault::CreateUrlUnchecked
        | Fault::CreateTimelineOrderIgnored
        | Fault::CreateDefaultOrderReverseChron
        | Fault::CreateResponseMissing
        | Fault::DestroyNoop
        | Fault::DestroyEnvelopeWrapped
        | Fault::DestroyForeignCollection
        | Fault::ShowResponseMissing
        | Fault::ShowOwnerOnly
        | Fault::ShowTimelineMinimal
        | Fault::UpdateNameIgnored
        | Fault::UpdateKeepsOmitted
        | Fault::UpdateResponseMissing
        | Fault::UpdateForeignCollection
        | Fault::ListScreenNameIgnored
        | Fault::ListCallerOnly
        | Fault::ListCursorIgnored
        | Fault::ListNextCursorMissing
        | Fault::ListCountIgnored
        | Fault::ListTweetIdIgnored
        | Fault::EntriesReversed
        | Fault::EntriesTimelineOrderIgnored
        | Fault::EntriesCountIgnored
        | Fault::EntriesMaxPositionExclusive
        | Fault::EntriesMinPositionInclusive
        | Fault::EntriesNeverTruncated
        | Fault::EntriesTruncatedWhenPageFull
        | Fault::EntriesPositionsSwapped
        | Fault::AddAtBottom
        | Fault::AddRelativeToIgnored
        | Fault::AddAboveIgnored
        | Fault::AddDuplicateHardError
        | Fault::AddDuplicateSilent
        | Fault::AddForeignCollection
        | Fault::AddCapacityRefused
        | Fault::AddCapacityEvictsNewest
        | Fault::AddCapacityUnbounded
        | Fault::MoveNotFoundHard
        | Fault::MoveNoop
        | Fault::MoveAboveIgnored
        | Fault::CurateLimitUnenforced
        | Fault::CurateStopsAtFirstFailure
        | Fault::CurateFailuresUnreported
        | Fault::CurateJsonBodyIgnored
        | Fault::CurateBodySigned => unreachable!("{fault} is probed by family_probe"),
        // State faults: what the collections hold afterwards.
        Fault::ReaddKeepsPosition => {
            kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t0)])
                .await;
            kit.add(0, &id, std::slice::from_ref(&t0)).await;
            format!("{:?}", kit.entry_ids(&id).await)
        }
        Fault::RemoveFromEveryCollection => {
            let other = kit.create(0, "Other").await;
            kit.add(0, &other, std::slice::from_ref(&t1)).await;
            kit.post_query(0, remove, &[("id", &id), ("tweet_id", &t1)])
                .await;
            format!("{:?}", kit.entry_ids(&other).await)
        }
        Fault::IdsAsFloat64 => {
            // The seed's float64 neighbours come after its sixty ordinary tweets.
            let (a, b) = (kit.tweet(60), kit.tweet(61));
            assert_eq!(
                a.parse::<u64>().unwrap() as f64,
                b.parse::<u64>().unwrap() as f64
            );
            kit.add(0, &id, std::slice::from_ref(&a)).await;
            let r = kit
                .post_query(
                    0,
                    "collections/entries/add",
                    &[("id", &id), ("tweet_id", &b)],
                )
                .await;
            format!("{} {:?}", seen(&r), kit.entry_ids(&id).await)
        }
        Fault::PagingSkipsEntry => {
            let entries = "collections/entries";
            let first = kit
                .call(0, "GET", entries, &[("id", &id), ("count", "2")])
                .await;
            let min = first.body["response"]["position"]["min_position"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let second = kit
                .call(
                    0,
                    "GET",
                    entries,
                    &[("id", &id), ("count", "2"), ("max_position", &min)],
                )
                .await;
            let ids = |r: &crate::server_support::Resp| -> Vec<String> {
                r.body["response"]["timeline"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| e["tweet"]["id"].as_str().unwrap_or_default().to_string())
                    .collect()
            };
            format!("{:?} {:?}", ids(&first), ids(&second))
        }
        Fault::MoveOffByOne => {
            let t2 = kit.tweet(2);
            kit.post_query(
                0,
                "collections/entries/move",
                &[
                    ("id", &id),
                    ("tweet_id", &t2),
                    ("relative_to", &t1),
                    ("above", "false"),
                ],
            )
            .await;
            format!("{:?}", kit.entry_ids(&id).await)
        }
        Fault::CurateFirstChangeOnly => {
            let body = serde_json::json!({"id": id, "changes": [
                {"op": "remove", "tweet_id": t0}, {"op": "remove", "tweet_id": t1}
            ]});
            let mut req = kit.build(
                &main,
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

/// A response with the parts that differ between two fresh servers anyway (collection ids, which
/// are time-based) replaced by `N`.
fn norm(r: &Resp) -> String {
    let mut text = seen(r);
    for prefix in ["custom-", "timelines/"] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(prefix) {
            out.push_str(&rest[..at + prefix.len()]);
            rest = rest[at + prefix.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            out.push('N');
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// Creates a collection with `params` as `user`, returning the response and the id (if any).
async fn create_with(kit: &Kit, user: usize, params: &[(&str, &str)]) -> (Resp, Option<String>) {
    let r = kit.call(user, "POST", "collections/create", params).await;
    let id = r.body["response"]["timeline_id"]
        .as_str()
        .map(str::to_string);
    (r, id)
}

/// Adds tweets one by one as `user` without asserting, returning each answer's status.
async fn add_each(kit: &Kit, user: usize, id: &str, tweets: &[String]) -> Vec<u16> {
    let mut statuses = Vec::new();
    for t in tweets {
        let r = kit
            .call(
                user,
                "POST",
                "collections/entries/add",
                &[("id", id), ("tweet_id", t)],
            )
            .await;
        statuses.push(r.status);
    }
    statuses
}

/// What `collections/entries` shows of a page: tweet ids, `was_truncated`, and whether the
/// positions are the first and last entries' sort indexes (the indexes themselves are time-based).
async fn page(kit: &Kit, id: &str, extra: &[(&str, &str)]) -> String {
    let mut params = vec![("id", id)];
    params.extend_from_slice(extra);
    let r = kit.call(0, "GET", "collections/entries", &params).await;
    let timeline = r.body["response"]["timeline"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<&str> = timeline
        .iter()
        .filter_map(|e| e["tweet"]["id"].as_str())
        .collect();
    let index = |i: Option<&serde_json::Value>| i.map(|e| e["tweet"]["sort_index"].clone());
    let position = &r.body["response"]["position"];
    format!(
        "{} {ids:?} truncated={} max_is_first={} min_is_last={}",
        r.status,
        position["was_truncated"],
        index(timeline.first()) == Some(position["max_position"].clone()),
        index(timeline.last()) == Some(position["min_position"].clone()),
    )
}

/// The `sort_index` of the entry at `at` of a collection (top = 0).
async fn sort_index(kit: &Kit, id: &str, at: usize) -> String {
    let r = kit
        .call(
            0,
            "GET",
            "collections/entries",
            &[("id", id), ("count", "200")],
        )
        .await;
    r.body["response"]["timeline"][at]["tweet"]["sort_index"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A curate request by the main user with a JSON body (signed over the query only, as
/// documented).
async fn curate_json(kit: &Kit, body: &serde_json::Value) -> Resp {
    let mut req: Req = kit.build(
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
    kit.send(req).await
}

/// The probes of the faults outside remove: one per endpoint, each touching every behaviour a
/// fault of that endpoint bends.
async fn family_probe(kit: &Kit, fault: Fault) -> String {
    let t: Vec<String> = (0..6).map(|i| kit.tweet(i)).collect();
    let Scope::Only(&[endpoint]) = fault.scope() else {
        unreachable!("{fault}: one endpoint");
    };
    let mut out = Vec::new();
    match endpoint {
        Endpoint::Create => {
            let long_name = "n".repeat(26);
            let long_description = "d".repeat(161);
            for params in [
                &[("description", "no name")][..],
                &[("name", &long_name)],
                &[("name", "n"), ("description", &long_description)],
                &[("name", "n"), ("url", "not a url")],
                &[("name", "n"), ("timeline_order", "tweet_chron")],
                &[("name", "n")],
            ] {
                out.push(norm(&create_with(kit, 0, params).await.0));
            }
        }
        Endpoint::Destroy => {
            let own = kit.create(0, "Own").await;
            let theirs = kit.create(1, "Theirs").await;
            for id in [&own, &theirs] {
                let r = kit
                    .call(0, "POST", "collections/destroy", &[("id", id)])
                    .await;
                let shown = kit.call(0, "GET", "collections/show", &[("id", id)]).await;
                out.push(format!("{} then show {}", norm(&r), shown.status));
            }
        }
        Endpoint::Show => {
            let theirs = kit.create(1, "Theirs").await;
            out.push(norm(
                &kit.call(0, "GET", "collections/show", &[("id", &theirs)])
                    .await,
            ));
        }
        Endpoint::Update => {
            let params = [
                ("name", "Old"),
                ("description", "d"),
                ("url", "https://example.com/"),
            ];
            let (_, own) = create_with(kit, 0, &params).await;
            let own = own.expect("created");
            let r = kit
                .call(
                    0,
                    "POST",
                    "collections/update",
                    &[("id", &own), ("name", "New")],
                )
                .await;
            let shown = kit
                .call(0, "GET", "collections/show", &[("id", &own)])
                .await;
            out.push(format!("{} then {}", norm(&r), norm(&shown)));
            let theirs = kit.create(1, "Theirs").await;
            let r = kit
                .call(
                    0,
                    "POST",
                    "collections/update",
                    &[("id", &theirs), ("name", "Mine")],
                )
                .await;
            let shown = kit
                .call(0, "GET", "collections/show", &[("id", &theirs)])
                .await;
            out.push(format!("{} then {}", r.status, norm(&shown)));
        }
        Endpoint::List => {
            let other = kit.server.info().users[1].clone();
            for name in ["A", "B", "C"] {
                kit.create(1, name).await;
            }
            let holding = kit.create(1, "Holding").await;
            kit.add(1, &holding, std::slice::from_ref(&t[0])).await;
            let by_name = [("screen_name", other.screen_name.as_str()), ("count", "1")];
            let r = kit.call(0, "GET", "collections/list", &by_name).await;
            out.push(norm(&r));
            let by_id = [("user_id", other.user_id.as_str()), ("count", "2")];
            let first = kit.call(0, "GET", "collections/list", &by_id).await;
            out.push(norm(&first));
            let cursor = first.body["response"]["cursors"]["next_cursor"]
                .as_str()
                .unwrap_or("none")
                .to_string();
            let next = [
                ("user_id", other.user_id.as_str()),
                ("count", "2"),
                ("cursor", &cursor),
            ];
            out.push(norm(&kit.call(0, "GET", "collections/list", &next).await));
            let holding = [("user_id", other.user_id.as_str()), ("tweet_id", &t[0])];
            out.push(norm(
                &kit.call(0, "GET", "collections/list", &holding).await,
            ));
        }
        Endpoint::Entries => {
            let curated = kit.create(0, "Curated").await;
            kit.add(0, &curated, &[t[0].clone(), t[2].clone(), t[1].clone()])
                .await;
            out.push(page(kit, &curated, &[]).await);
            out.push(page(kit, &curated, &[("count", "1")]).await);
            // The page holds every entry: nothing is left outside it.
            out.push(page(kit, &curated, &[("count", "3")]).await);
            let top = sort_index(kit, &curated, 0).await;
            let bottom = sort_index(kit, &curated, 2).await;
            out.push(page(kit, &curated, &[("max_position", &top)]).await);
            out.push(page(kit, &curated, &[("min_position", &bottom)]).await);
            let (_, chron) =
                create_with(kit, 0, &[("name", "C"), ("timeline_order", "tweet_chron")]).await;
            let chron = chron.expect("created");
            kit.add(0, &chron, &[t[2].clone(), t[0].clone(), t[1].clone()])
                .await;
            out.push(page(kit, &chron, &[]).await);
        }
        Endpoint::EntriesAdd => {
            let id = kit.create(0, "Curated").await;
            let add = "collections/entries/add";
            kit.add(0, &id, &[t[0].clone(), t[1].clone()]).await;
            let below = [
                ("id", id.as_str()),
                ("tweet_id", &t[2]),
                ("relative_to", &t[0]),
                ("above", "false"),
            ];
            out.push(norm(&kit.call(0, "POST", add, &below).await));
            let above = [
                ("id", id.as_str()),
                ("tweet_id", &t[3]),
                ("relative_to", &t[2]),
            ];
            out.push(norm(&kit.call(0, "POST", add, &above).await));
            let again = [("id", id.as_str()), ("tweet_id", &t[0])];
            out.push(norm(&kit.call(0, "POST", add, &again).await));
            out.push(format!("{:?}", kit.entry_ids(&id).await));
            // The probe servers hold 4 tweets per collection: the 5th evicts the oldest.
            let full = kit.create(0, "Full").await;
            out.push(format!("{:?}", add_each(kit, 0, &full, &t[..5]).await));
            out.push(format!("{:?}", kit.entry_ids(&full).await));
            let theirs = kit.create(1, "Theirs").await;
            out.push(format!("{:?}", add_each(kit, 0, &theirs, &t[..1]).await));
            out.push(format!("{:?}", kit.entry_ids(&theirs).await));
        }
        Endpoint::EntriesMove => {
            let id = kit.create(0, "Curated").await;
            kit.add(0, &id, &[t[0].clone(), t[1].clone(), t[2].clone()])
                .await;
            let mv = "collections/entries/move";
            let below = [
                ("id", id.as_str()),
                ("tweet_id", &t[2]),
                ("relative_to", &t[0]),
                ("above", "false"),
            ];
            out.push(norm(&kit.call(0, "POST", mv, &below).await));
            out.push(format!("{:?}", kit.entry_ids(&id).await));
            let absent = [
                ("id", id.as_str()),
                ("tweet_id", &t[5]),
                ("relative_to", &t[1]),
            ];
            out.push(norm(&kit.call(0, "POST", mv, &absent).await));
        }
        Endpoint::EntriesCurate => {
            let id = kit.create(0, "Curated").await;
            let change = |op: &str, tweet: &str| serde_json::json!({"op": op, "tweet_id": tweet});
            let changes = vec![
                change("add", &t[0]),
                change("add", &t[0]),
                change("add", &t[1]),
            ];
            let r = curate_json(kit, &serde_json::json!({"id": id, "changes": changes})).await;
            out.push(norm(&r));
            out.push(format!("{:?}", kit.entry_ids(&id).await));
            let many = kit.create(0, "Many").await;
            let mut changes: Vec<_> = (0..60).map(|i| change("add", &kit.tweet(i))).collect();
            changes.extend((0..41).map(|i| change("remove", &kit.tweet(i))));
            let r = curate_json(kit, &serde_json::json!({"id": many, "changes": changes})).await;
            out.push(format!("{} {}", r.status, kit.entry_ids(&many).await.len()));
        }
        Endpoint::EntriesRemove => unreachable!("{fault}: remove faults have their own probe"),
    }
    out.join("\n")
}

fn with(faults: impl IntoIterator<Item = Fault>) -> ServerConfig {
    ServerConfig {
        faults: faults.into_iter().collect(),
        // Small enough for the add probe to reach it.
        collection_capacity: 4,
        ..ServerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_changes_what_a_client_sees() {
    let mut unchanged = Vec::new();
    for fault in Fault::ALL {
        let clean = Kit::start_with(with([])).await;
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
async fn remove_faults_touch_only_remove() {
    let remove_faults = Fault::ALL
        .into_iter()
        .filter(|f| f.scope() == Scope::Only(&[Endpoint::EntriesRemove]));
    let kit = Kit::start_with(with(remove_faults)).await;
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
    // The requirements of the family's other endpoints are written beside these faults: a
    // fault whose requirement names a group (`create.`, `list.` …) with no requirement in the
    // specs yet is listed, not failed; once the group exists, every id must resolve.
    let group = |id: &str| format!("{}.", id.split('.').next().unwrap_or(id));
    let group_exists = |id: &str| levels.keys().any(|known| known.starts_with(&group(id)));
    let mut pending = Vec::new();
    let mut problems = Vec::new();
    for fault in Fault::ALL {
        if fault.requirements().all(|id| !group_exists(id)) {
            pending.push(fault.name());
            continue;
        }
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
    if !pending.is_empty() {
        eprintln!(
            "faults whose requirement group is not in specs/requirements.json yet: {}",
            pending.join(", ")
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What a client sees of a full collection, on a server holding 3 tweets per collection: named
/// observations, so a test can say which ones a fault may change.
async fn capacity_story(kit: &Kit) -> Vec<(&'static str, String)> {
    let t: Vec<String> = (0..6).map(|i| kit.tweet(i)).collect();
    let add = "collections/entries/add";
    let mut seen = Vec::new();
    let full = kit.create(0, "Full").await;
    let statuses = add_each(kit, 0, &full, &t[..3]).await;
    // t0, the earliest addition, moves to the top: eviction goes by time added, not place.
    let moved = [
        ("id", full.as_str()),
        ("tweet_id", &t[0]),
        ("relative_to", &t[2]),
    ];
    let r = kit
        .call(0, "POST", "collections/entries/move", &moved)
        .await;
    seen.push(("filling", format!("{statuses:?} move {}", r.status)));
    seen.push(("full", format!("{:?}", kit.entry_ids(&full).await)));
    let again = [("id", full.as_str()), ("tweet_id", &t[1])];
    let r = kit.call(0, "POST", add, &again).await;
    seen.push(("duplicate at capacity", format!("{} {}", r.status, r.raw)));
    seen.push((
        "after duplicate",
        format!("{:?}", kit.entry_ids(&full).await),
    ));
    let fourth = [("id", full.as_str()), ("tweet_id", &t[3])];
    let r = kit.call(0, "POST", add, &fourth).await;
    seen.push(("fourth add", format!("{} {}", r.status, r.raw)));
    seen.push((
        "after fourth add",
        format!("{:?}", kit.entry_ids(&full).await),
    ));
    let readd = [("id", full.as_str()), ("tweet_id", &t[0])];
    let r = kit.call(0, "POST", add, &readd).await;
    seen.push(("re-add of t0", format!("{} {}", r.status, r.raw)));
    seen.push(("after re-add", format!("{:?}", kit.entry_ids(&full).await)));
    // curate's adds, outside the capacity faults' scope.
    let curated = kit.create(0, "Curated").await;
    kit.add(0, &curated, &t[..3]).await;
    let changes = serde_json::json!([{"op": "add", "tweet_id": t[4]}]);
    let r = curate_json(kit, &serde_json::json!({"id": curated, "changes": changes})).await;
    seen.push(("curate at capacity", format!("{} {}", r.status, r.raw)));
    seen.push((
        "after curate",
        format!("{:?}", kit.entry_ids(&curated).await),
    ));
    seen
}

/// The names of the observations that differ between two stories.
fn differing(clean: &[(&'static str, String)], other: &[(&'static str, String)]) -> Vec<String> {
    clean
        .iter()
        .zip(other)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| format!("{name}: {a} -> {b}"))
        .collect()
}

fn capacity_3(faults: impl IntoIterator<Item = Fault>) -> ServerConfig {
    ServerConfig {
        faults: faults.into_iter().collect(),
        collection_capacity: 3,
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn capacity_faults_break_the_eviction_and_nothing_else() {
    let clean = Kit::start_with(capacity_3([])).await;
    let t: Vec<String> = (0..6).map(|i| clean.tweet(i)).collect();
    let faithful = capacity_story(&clean).await;
    let value = |name: &str| {
        faithful
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let list = |ids: &[&String]| format!("{ids:?}");
    let success = r#"200 {"objects":{},"response":{"errors":[]}}"#;
    // The faithful server: t0 (added first, now on top) is the one evicted, with the success
    // envelope; the others stay; t0 comes back as a new addition, evicting t1 in its turn.
    assert_eq!(value("full"), list(&[&t[0], &t[2], &t[1]]));
    assert_eq!(value("fourth add"), success);
    assert_eq!(value("after fourth add"), list(&[&t[3], &t[2], &t[1]]));
    assert_eq!(
        value("re-add of t0"),
        success,
        "an evicted tweet is no duplicate"
    );
    assert_eq!(value("after re-add"), list(&[&t[0], &t[3], &t[2]]));
    assert_eq!(
        value("after duplicate"),
        value("full"),
        "a duplicate evicts nothing"
    );
    assert_eq!(value("after curate"), list(&[&t[4], &t[2], &t[1]]));

    let changed = [
        "fourth add",
        "after fourth add",
        "re-add of t0",
        "after re-add",
    ];
    for (fault, expected_after) in [
        (Fault::AddCapacityRefused, list(&[&t[0], &t[2], &t[1]])),
        (Fault::AddCapacityEvictsNewest, list(&[&t[3], &t[0], &t[1]])),
        (
            Fault::AddCapacityUnbounded,
            list(&[&t[3], &t[0], &t[2], &t[1]]),
        ),
    ] {
        let kit = Kit::start_with(capacity_3([fault])).await;
        let story = capacity_story(&kit).await;
        let diffs = differing(&faithful, &story);
        let names: Vec<&str> = diffs.iter().map(|d| d.split(':').next().unwrap()).collect();
        let allowed: Vec<&str> = changed
            .iter()
            .copied()
            .filter(|n| *n != "fourth add" || fault == Fault::AddCapacityRefused)
            .collect();
        assert_eq!(names, allowed, "{fault}:\n{}", diffs.join("\n"));
        let got = |name: &str| story.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        assert_eq!(got("after fourth add"), expected_after, "{fault}");
        if fault == Fault::AddCapacityRefused {
            assert!(
                got("fourth add").starts_with("403 "),
                "{}",
                got("fourth add")
            );
            assert!(
                got("fourth add").contains(r#""code":87"#),
                "{}",
                got("fourth add")
            );
        } else {
            assert_eq!(got("fourth add"), success, "{fault}");
        }
    }
}

/// The names of a `collections/list` answer's results, in order, and whether it has a
/// next_cursor (names, since collection ids differ between two servers).
fn listed(r: &Resp) -> String {
    let names: Vec<&str> = r.body["response"]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["timeline_id"].as_str())
        .map(|id| {
            r.body["objects"]["timelines"][id]["name"]
                .as_str()
                .unwrap_or("?")
        })
        .collect();
    let more = r.body["response"]["cursors"]["next_cursor"].is_string();
    format!("{} {names:?} more={more}", r.status)
}

/// The tweet ids of a `collections/entries` answer with `params`.
async fn listed_entries(kit: &Kit, params: &[(&str, &str)]) -> String {
    let r = kit.call(0, "GET", "collections/entries", params).await;
    let ids: Vec<&str> = r.body["response"]["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["tweet"]["id"].as_str())
        .collect();
    format!("{} {ids:?}", r.status)
}

/// What a client sees of list's cursor and tweet_id, and of entries' positions: named
/// observations, so a test can say which ones a fault may change.
async fn paging_story(kit: &Kit) -> Vec<(&'static str, String)> {
    let t: Vec<String> = (0..4).map(|i| kit.tweet(i)).collect();
    let mut seen = Vec::new();
    let user = kit.server.info().users[1].user_id.clone();
    for name in ["A", "B", "C"] {
        let id = kit.create(1, name).await;
        if name == "B" {
            kit.add(1, &id, std::slice::from_ref(&t[0])).await;
        }
    }
    let first = [("user_id", user.as_str()), ("count", "2")];
    let r = kit.call(0, "GET", "collections/list", &first).await;
    seen.push(("list first page", listed(&r)));
    let cursor = r.body["response"]["cursors"]["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let next = [
        ("user_id", user.as_str()),
        ("count", "2"),
        ("cursor", &cursor),
    ];
    let r = kit.call(0, "GET", "collections/list", &next).await;
    seen.push(("list after next_cursor", listed(&r)));
    let holding = [("user_id", user.as_str()), ("tweet_id", &t[0])];
    let r = kit.call(0, "GET", "collections/list", &holding).await;
    seen.push(("list by tweet_id", listed(&r)));

    let id = kit.create(0, "Positions").await;
    kit.add(0, &id, &t[..4]).await;
    let second = sort_index(kit, &id, 1).await;
    let third = sort_index(kit, &id, 2).await;
    seen.push(("entries", listed_entries(kit, &[("id", &id)]).await));
    let max = [("id", id.as_str()), ("max_position", &second)];
    seen.push(("entries max_position", listed_entries(kit, &max).await));
    let min = [("id", id.as_str()), ("min_position", &third)];
    seen.push(("entries min_position", listed_entries(kit, &min).await));
    let both = [
        ("id", id.as_str()),
        ("max_position", &third),
        ("min_position", &second),
    ];
    seen.push(("entries empty range", listed_entries(kit, &both).await));
    seen
}

#[tokio::test]
async fn restored_list_and_position_faults_change_only_their_behaviour() {
    let clean = Kit::start_with(with([])).await;
    let t: Vec<String> = (0..4).map(|i| clean.tweet(i)).collect();
    let faithful = paging_story(&clean).await;
    let value = |story: &[(&'static str, String)], name: &str| {
        story.iter().find(|(n, _)| *n == name).unwrap().1.clone()
    };
    // The faithful server: the cursor leads on, tweet_id filters, a sort_index as max_position
    // starts the page with that entry and as min_position stops just above it.
    assert_eq!(
        value(&faithful, "list first page"),
        r#"200 ["C", "B"] more=true"#
    );
    assert_eq!(
        value(&faithful, "list after next_cursor"),
        r#"200 ["A"] more=false"#
    );
    assert_eq!(
        value(&faithful, "list by tweet_id"),
        r#"200 ["B"] more=false"#
    );
    assert_eq!(
        value(&faithful, "entries max_position"),
        format!("200 {:?}", [&t[2], &t[1], &t[0]])
    );
    assert_eq!(
        value(&faithful, "entries min_position"),
        format!("200 {:?}", [&t[3], &t[2]])
    );
    assert_eq!(value(&faithful, "entries empty range"), "200 []");

    for (fault, name, broken) in [
        (
            Fault::ListCursorIgnored,
            "list after next_cursor",
            r#"200 ["C", "B"] more=true"#.to_string(),
        ),
        (
            Fault::ListTweetIdIgnored,
            "list by tweet_id",
            r#"200 ["C", "B", "A"] more=false"#.to_string(),
        ),
        (
            Fault::EntriesMaxPositionExclusive,
            "entries max_position",
            format!("200 {:?}", [&t[1], &t[0]]),
        ),
        (
            Fault::EntriesMinPositionInclusive,
            "entries min_position",
            format!("200 {:?}", [&t[3], &t[2], &t[1]]),
        ),
    ] {
        let kit = Kit::start_with(with([fault])).await;
        let story = paging_story(&kit).await;
        let diffs = differing(&faithful, &story);
        assert_eq!(diffs.len(), 1, "{fault}:\n{}", diffs.join("\n"));
        assert_eq!(value(&story, name), broken, "{fault}");
    }
}
