//! Rate limiting of the reference server: headers, per-user seed overrides, configured limits,
//! the exact 429 body, and window reset.

use crate::server_support::Kit;
use collections_conformance::server::{RateLimitConfig, ServerConfig};

#[tokio::test]
async fn headers_on_every_authenticated_response() {
    let kit = Kit::start().await;
    let before = collections_conformance::oauth::unix_now();
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-1")])
        .await;
    r.assert_error(404, 34);
    assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("1000"));
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("999"));
    let reset: u64 = r.header("x-rate-limit-reset").unwrap().parse().unwrap();
    assert!((before + 899..=before + 901).contains(&reset), "{reset}");
    let r = kit
        .call(0, "GET", "collections/show", &[("id", "custom-1")])
        .await;
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("998"));
    // POST endpoints are limited too (1000, inferred), counted separately per endpoint and token.
    let r = kit.call(0, "POST", "collections/entries/remove", &[]).await;
    r.assert_error(403, 38);
    assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("1000"));
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("999"));
    let r = kit
        .call(1, "GET", "collections/show", &[("id", "custom-1")])
        .await;
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("999"));
    // Not on unauthenticated or method errors.
    let r = kit.call(0, "GET", "collections/entries/remove", &[]).await;
    assert!(r.header("x-rate-limit-limit").is_none());
}

#[tokio::test]
async fn throttled_user_hits_429_with_the_documented_body() {
    let kit = Kit::start().await;
    let throttled = &kit.server.info().users[2];
    assert_eq!(
        throttled.rate_limits.get("collections/entries/remove"),
        Some(&3)
    );
    let id = kit.create(2, "Throttled").await;
    let tweet = kit.tweet(0);
    for remaining in ["2", "1", "0"] {
        let r = kit
            .call(
                2,
                "POST",
                "collections/entries/remove",
                &[("id", &id), ("tweet_id", &tweet)],
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("3"));
        assert_eq!(
            r.header("x-rate-limit-remaining").as_deref(),
            Some(remaining)
        );
    }
    let r = kit
        .call(
            2,
            "POST",
            "collections/entries/remove",
            &[("id", &id), ("tweet_id", &tweet)],
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.raw,
        r#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#
    );
    r.assert_json();
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("0"));
    assert!(r.header("x-rate-limit-reset").is_some());
    // The main user is unaffected.
    let r = kit.call(0, "POST", "collections/entries/remove", &[]).await;
    assert_eq!(r.status, 403);
}

async fn remove(kit: &Kit) -> crate::server_support::Resp {
    kit.call(0, "POST", "collections/entries/remove", &[]).await
}

#[tokio::test]
async fn configured_limits_and_window_reset() {
    let mut rate_limits = RateLimitConfig {
        window_secs: 1,
        ..RateLimitConfig::default()
    };
    rate_limits
        .endpoint_limits
        .insert("entries/remove".into(), 2);
    let kit = Kit::start_with(ServerConfig {
        rate_limits,
        ..ServerConfig::default()
    })
    .await;
    // Align to the start of a fresh second so the two hits and the refusal share one window.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(
        1000 - u64::from(now.subsec_millis()) + 20,
    ))
    .await;
    assert_eq!(remove(&kit).await.status, 403);
    assert_eq!(remove(&kit).await.status, 403);
    remove(&kit).await.assert_error(429, 88);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = remove(&kit).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("1"));
}
