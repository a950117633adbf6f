//! The glue that makes the reference server the default target: start it in-process on
//! 127.0.0.1 with an ephemeral port and turn its seeded credentials into a [`Target`].
//!
//! This is the only module that knows both sides; the harness itself never imports the server.

use crate::server::{self, ReadyInfo, RunningServer, ServerConfig};
use crate::target::{Target, TargetArgs};

/// The endpoint whose small per-user limit makes a user the "limited" one.
const REMOVE_ENDPOINT: &str = "collections/entries/remove";

/// Starts the reference server on the current runtime and returns it with a target for it.
pub async fn start(timeout_secs: f64) -> anyhow::Result<(RunningServer, Target)> {
    start_with(ServerConfig::default(), timeout_secs).await
}

/// Like [`start`], with a server configuration of the caller's (fault profiles).
///
/// The kit's own traffic is never throttled here, however many vectors a run holds: every limit
/// not set per user in the seed is lifted. Only the seeded throttled user keeps its small
/// remove limit, for the rate-limit vectors.
pub async fn start_with(
    config: ServerConfig,
    timeout_secs: f64,
) -> anyhow::Result<(RunningServer, Target)> {
    let server = server::start(embedded_config(config)).await?;
    let target = target_args(server.info(), timeout_secs)
        .resolve()
        .map_err(|e| anyhow::anyhow!("the reference server's seed is unusable: {e}"))?;
    Ok((server, target))
}

/// The collection capacity of the embedded server: small enough that the seed's tweets fill a
/// collection, so the eviction vector is judged; larger than any other vector's collections.
pub const EMBEDDED_COLLECTION_CAPACITY: usize = 12;

/// The configuration with every server-wide limit lifted (per-user seed limits stay), and a
/// capacity the seed can reach.
fn embedded_config(mut config: ServerConfig) -> ServerConfig {
    config.collection_capacity = config.collection_capacity.min(EMBEDDED_COLLECTION_CAPACITY);
    config.rate_limits.default_limit = u32::MAX;
    config.rate_limits.endpoint_limits.clear();
    // Every connection comes from the kit on loopback: the per-client cap (against half-open
    // floods from strangers) would turn the kit's own concurrency into 503s.
    config.limits.max_connections_per_ip = config.limits.max_connections;
    config
}

/// Target settings for a server's ready line: the first user is the main one, the first other
/// user without small limits is the second, a user with a small remove limit is the limited one.
pub fn target_args(info: &ReadyInfo, timeout_secs: f64) -> TargetArgs {
    let mut users = info.users.iter();
    let main = users.next();
    let (limited, unlimited): (Vec<_>, Vec<_>) =
        users.partition(|u| u.rate_limits.contains_key(REMOVE_ENDPOINT));
    let other = unlimited.first();
    let limited = limited.first();
    TargetArgs {
        base_url: Some(info.base_url.clone()),
        consumer_key: Some(info.consumer_key.clone()),
        consumer_secret: Some(info.consumer_secret.clone()),
        access_token: main.map(|u| u.access_token.clone()),
        access_token_secret: main.map(|u| u.access_token_secret.clone()),
        bearer_token: Some(info.bearer_token.clone()),
        other_access_token: other.map(|u| u.access_token.clone()),
        other_access_token_secret: other.map(|u| u.access_token_secret.clone()),
        limited_access_token: limited.map(|u| u.access_token.clone()),
        limited_access_token_secret: limited.map(|u| u.access_token_secret.clone()),
        tweet_ids: info.tweet_ids.clone(),
        collection_capacity: Some(info.collection_capacity),
        timeout_secs,
    }
}
