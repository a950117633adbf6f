//! The reference server: a faithful, stateful implementation of the Twitter REST API v1.1
//! Collections endpoints, for SDK authors now that the live service is gone, and as the default
//! target of the conformance kit.
//!
//! It shares only [`crate::oauth`] and the data under `specs/` with the harness. Behaviour where
//! Twitter's documentation is silent is listed in the README's behaviour table.
//!
//! Run in-process with [`start`], or standalone with [`serve_cli`] (`collections-conformance serve`).

mod auth;
mod errors;
mod faults;
mod handlers;
mod params;
mod policy;
mod rate_limit;
mod render;
mod routes;
mod seed;
mod state;
mod store;
mod variants;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use errors::{ApiError, JSON_CONTENT_TYPE};
pub use faults::{Fault, FaultLevel};
pub use policy::{
    Answer, BaseStringEncoding, Behaviour, EntriesOrder, ErrorShape, Policy, RateLimitHeaders,
    Refusal, Removal, Scope, SoftAnswer,
};
pub use rate_limit::{DEFAULT_LIMIT, DEFAULT_WINDOW_SECS, RateLimitConfig, endpoint_key};
pub use routes::Endpoint;
pub use seed::{Seed, SeedApp, SeedToken, SeedTweet, SeedUser};
pub use store::{Collection, Entry, Store, TimelineOrder};
pub use variants::{SLOW_RESPONSE_LATENCY, Variant};

use state::AppState;

/// Default `oauth_timestamp` tolerance in seconds, both into the past and the future.
pub const DEFAULT_TIMESTAMP_WINDOW_SECS: u64 = 300;
/// Default cap on request bodies (64 KiB); larger bodies get 413 with an error envelope.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
/// Default collection capacity ("a few thousand Tweets" [D-ADD]).
pub const DEFAULT_COLLECTION_CAPACITY: usize = 5000;

/// How to run a server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Seeded app, users, tokens and tweets.
    pub seed: Seed,
    /// Allowed `oauth_timestamp` skew in seconds (default 300).
    pub timestamp_window_secs: u64,
    /// Rate limits (default 1000 per endpoint per 15 minutes).
    pub rate_limits: RateLimitConfig,
    /// Where to load collections from at start and save them at shutdown.
    pub state_file: Option<PathBuf>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Entries per collection before the oldest addition is evicted.
    pub collection_capacity: usize,
    /// Log one line per request on stderr.
    pub log_requests: bool,
    /// Deliberate deviations, each on the endpoint its scope names, for mutation testing of the
    /// kit's vectors (empty = the faithful server).
    pub faults: BTreeSet<Fault>,
    /// Alternative behaviours where the sources leave a choice open (empty = the kit's choices),
    /// for the tolerance matrix and for clients that want to meet another faithful server.
    pub variants: BTreeSet<Variant>,
    /// Replaces the latency of [`Variant::SlowResponses`] (the matrix shortens it).
    pub latency: Option<std::time::Duration>,
}

impl ServerConfig {
    /// The server's behaviour: the faithful policy with the variants, then the faults, applied.
    pub fn behaviour(&self) -> Behaviour {
        let mut behaviour = Behaviour::new(&self.faults, &self.variants);
        if let Some(latency) = self.latency {
            behaviour.everywhere(|p| {
                if !p.latency.is_zero() {
                    p.latency = latency;
                }
            });
        }
        behaviour
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            seed: Seed::default(),
            timestamp_window_secs: DEFAULT_TIMESTAMP_WINDOW_SECS,
            rate_limits: RateLimitConfig::default(),
            state_file: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            collection_capacity: DEFAULT_COLLECTION_CAPACITY,
            log_requests: false,
            faults: BTreeSet::new(),
            variants: BTreeSet::new(),
            latency: None,
        }
    }
}

/// What a client needs to talk to a running server; printed as one JSON line by `serve`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReadyInfo {
    /// `http://HOST:PORT`, no trailing slash; endpoints live under `/1.1/collections/…`.
    pub base_url: String,
    /// The app's consumer key.
    pub consumer_key: String,
    /// The app's consumer secret.
    pub consumer_secret: String,
    /// Users with live tokens: main user first, then the second user, then the throttled one.
    pub users: Vec<ReadyUser>,
    /// The app's bearer token (refused by every Collections endpoint with 403 / 220).
    pub bearer_token: String,
    /// Public tweets that may be added to collections.
    pub tweet_ids: Vec<String>,
}

/// One seeded user and their token pair.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReadyUser {
    /// Screen name.
    pub screen_name: String,
    /// Numeric user id as a string.
    pub user_id: String,
    /// `oauth_token`.
    pub access_token: String,
    /// Token secret.
    pub access_token_secret: String,
    /// Per-endpoint limits that differ from the server's (omitted when none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rate_limits: BTreeMap<String, u32>,
}

/// A server running on the current tokio runtime. Dropping it without [`RunningServer::shutdown`]
/// also stops it (without saving state).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    info: ReadyInfo,
    state: Arc<AppState>,
    state_file: Option<PathBuf>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (loopback when bound to an unspecified address).
    pub fn base_url(&self) -> String {
        self.info.base_url.clone()
    }

    /// Credentials and fixtures for clients.
    pub fn info(&self) -> &ReadyInfo {
        &self.info
    }

    /// Stops accepting, lets in-flight requests finish, then saves the state file if one is
    /// configured.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .context("server task panicked")?
                .context("server failed")?;
        }
        if let Some(path) = &self.state_file {
            let snapshot = self.state.store().clone();
            snapshot
                .save(path)
                .with_context(|| format!("saving state to {}", path.display()))?;
        }
        Ok(())
    }
}

/// Binds, spawns the server on the current tokio runtime, and returns once it is accepting
/// connections. Loads `state_file` when it exists.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    config.seed.validate().context("invalid seed")?;
    let store = match &config.state_file {
        Some(path) => Store::load(path)?,
        None => Store::default(),
    };
    let state = Arc::new(AppState::new(&config, store));
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new()
        .fallback(routes::dispatch)
        .with_state(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // Either an explicit shutdown or the handle being dropped.
                let _ = rx.await;
            })
            .await
    });
    let info = ready_info(&config.seed, addr);
    Ok(RunningServer {
        addr,
        info,
        state,
        state_file: config.state_file,
        shutdown: Some(tx),
        task: Some(task),
    })
}

fn ready_info(seed: &Seed, addr: SocketAddr) -> ReadyInfo {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    ReadyInfo {
        base_url: format!("http://{}", SocketAddr::new(ip, addr.port())),
        consumer_key: seed.app.consumer_key.clone(),
        consumer_secret: seed.app.consumer_secret.clone(),
        users: seed
            .users
            .iter()
            .map(|u| ReadyUser {
                screen_name: u.screen_name.clone(),
                user_id: u.user_id.clone(),
                access_token: u.access_token.clone(),
                access_token_secret: u.access_token_secret.clone(),
                rate_limits: u
                    .rate_limits
                    .iter()
                    .map(|(k, v)| (endpoint_key(k), *v))
                    .collect(),
            })
            .collect(),
        bearer_token: seed.app.bearer_token.clone(),
        tweet_ids: seed.tweets.iter().map(|t| t.id.clone()).collect(),
    }
}

/// Options of `collections-conformance serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free port (the chosen one is in the ready line).
    #[arg(long, default_value_t = 0, env = "CONFORMANCE_SERVER_PORT")]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "CONFORMANCE_SERVER_HOST")]
    pub host: IpAddr,
    /// JSON file replacing parts of the seed (same shape as the default seed: `app`, `users`,
    /// `revoked_tokens`, `tweets`; omitted fields keep their defaults).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Load collections from FILE at start (if it exists) and save them there at shutdown.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Allowed `oauth_timestamp` skew in seconds, past and future.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMESTAMP_WINDOW_SECS)]
    pub timestamp_window: u64,
    /// Per-endpoint limit, e.g. `entries/remove=5` (repeatable; applies to every user without a
    /// seed override).
    #[arg(long = "rate-limit", value_name = "ENDPOINT=N", value_parser = parse_rate_limit)]
    pub rate_limit: Vec<(String, u32)>,
    /// Limit for endpoints without `--rate-limit`.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub default_rate_limit: u32,
    /// Rate-limit window length in seconds.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WINDOW_SECS)]
    pub rate_window: u64,
    /// Largest accepted request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Log one line per request on stderr.
    #[arg(long)]
    pub log_requests: bool,
    /// Break the server on purpose, one deviation per fault (repeatable), to check that a client
    /// or test suite notices; `collections-conformance mutants --list` lists every NAME and the
    /// endpoint it bends.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<Fault>,
    /// Make another choice where the sources leave one open (repeatable): a faithful server that
    /// differs from the kit's; `collections-conformance mutants --list` lists every NAME with
    /// the reference section that leaves it open.
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<Variant>,
}

fn parse_rate_limit(value: &str) -> Result<(String, u32), String> {
    let (endpoint, limit) = value
        .split_once('=')
        .ok_or_else(|| format!("expected ENDPOINT=N, got {value:?}"))?;
    let key = endpoint_key(endpoint);
    let name = key.trim_start_matches("/1.1/");
    if !Endpoint::ALL.iter().any(|e| e.name() == name) {
        return Err(format!("unknown endpoint {endpoint:?}"));
    }
    let limit = limit
        .trim()
        .parse()
        .map_err(|_| format!("limit must be a number, got {limit:?}"))?;
    Ok((key, limit))
}

impl ServeArgs {
    /// The server configuration these options describe.
    pub fn to_config(&self) -> anyhow::Result<ServerConfig> {
        let seed = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a valid seed", path.display()))?
            }
            None => Seed::default(),
        };
        Ok(ServerConfig {
            bind: SocketAddr::new(self.host, self.port),
            seed,
            timestamp_window_secs: self.timestamp_window,
            rate_limits: RateLimitConfig {
                window_secs: self.rate_window,
                default_limit: self.default_rate_limit,
                endpoint_limits: self.rate_limit.iter().cloned().collect(),
            },
            state_file: self.state.clone(),
            max_body_bytes: self.max_body_bytes,
            collection_capacity: DEFAULT_COLLECTION_CAPACITY,
            log_requests: self.log_requests,
            faults: self.faults.iter().copied().collect(),
            variants: self.variants.iter().copied().collect(),
            latency: None,
        })
    }
}

/// `collections-conformance serve`: starts, prints one JSON line ([`ReadyInfo`]) on stdout once
/// accepting, waits for SIGINT or SIGTERM, then shuts down gracefully (saving `--state`).
pub async fn serve_cli(args: ServeArgs) -> anyhow::Result<()> {
    let server = start(args.to_config()?).await?;
    {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer(&mut stdout, server.info())?;
        stdout.write_all(b"\n")?;
        stdout.flush()?;
    }
    wait_for_signal().await?;
    server.shutdown().await
}

async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
