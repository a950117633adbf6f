//! The reference server: a faithful, stateful implementation of the Twitter REST API v1.1
//! Collections endpoints, for SDK authors now that the live service is gone, and as the default
//! target of the conformance kit.
//!
//! It shares only [`crate::oauth`] and the data under `specs/` with the harness. Behaviour where
//! Twitter's documentation is silent is listed in the README's behaviour table.
//!
//! Run in-process with [`start`], or standalone with [`serve_cli`] (`collections-conformance serve`).

mod auth;
mod client_report;
mod conn;
mod errors;
mod faults;
mod handlers;
mod nonces;
mod params;
mod persist;
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
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use client_report::{FORMAT as CLIENT_REPORT_FORMAT, REPORT_PATH as CLIENT_REPORT_PATH};
pub use conn::{
    ConnLimits, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_SHUTDOWN_TIMEOUT,
};
pub use errors::{ApiError, JSON_CONTENT_TYPE};
pub use faults::{Fault, FaultLevel};
pub use nonces::{DEFAULT_MAX_LIVE_NONCES, NonceCache, NonceCheck};
pub use persist::{FORMAT as STATE_FORMAT, VERSION as STATE_VERSION, journal_path};
pub use policy::{
    Answer, BaseStringEncoding, Behaviour, EntriesOrder, ErrorShape, Policy, RateLimitHeaders,
    Refusal, Removal, Scope, SoftAnswer,
};
pub use rate_limit::{DEFAULT_LIMIT, DEFAULT_WINDOW_SECS, RateLimitConfig, endpoint_key};
pub use routes::Endpoint;
pub use seed::{Seed, SeedApp, SeedToken, SeedTweet, SeedUser};
pub use store::{AtCapacity, Collection, Entry, Store, TimelineOrder};
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
    /// Where collections live across restarts: loaded at start, every acknowledged change
    /// journaled before its response, folded into the file at shutdown (see `--state`).
    pub state_file: Option<PathBuf>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Entries per collection before an add evicts the oldest addition (at least 1: `start`
    /// refuses 0); announced in the ready line.
    pub collection_capacity: usize,
    /// Log one line per request on stderr.
    pub log_requests: bool,
    /// Deliberate deviations, each on the endpoint its scope names, for mutation testing of the
    /// kit's vectors (empty = the faithful server).
    pub faults: BTreeSet<Fault>,
    /// Connection timeouts and caps.
    pub limits: ConnLimits,
    /// How long a write stays invisible to `collections/entries` reads: a faithful server whose
    /// timelines settle late (no source promises read-your-writes). Zero: visible at once.
    pub settle: Duration,
    /// Live OAuth nonces held at most; past it requests get 503 / 130 until nonces expire.
    pub max_live_nonces: usize,
    /// Alternative behaviours where the sources leave a choice open (empty = the kit's choices),
    /// for the tolerance matrix and for clients that want to meet another faithful server.
    pub variants: BTreeSet<Variant>,
    /// Replaces the latency of [`Variant::SlowResponses`] (the matrix shortens it).
    pub latency: Option<std::time::Duration>,
    /// Where to write the per-client conformance report (`--client-report`); `None`: nothing is
    /// recorded.
    pub client_report: Option<PathBuf>,
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
            limits: ConnLimits::default(),
            settle: Duration::ZERO,
            max_live_nonces: DEFAULT_MAX_LIVE_NONCES,
            client_report: None,
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
    /// Entries a collection holds before an add evicts the oldest addition, so a harness can
    /// fill a collection to its capacity; ready lines of servers older than this field mean
    /// [`DEFAULT_COLLECTION_CAPACITY`].
    #[serde(default = "default_collection_capacity")]
    pub collection_capacity: usize,
}

/// What a ready line without `collection_capacity` means: the capacity servers had before it.
fn default_collection_capacity() -> usize {
    DEFAULT_COLLECTION_CAPACITY
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

    /// Stops accepting, lets in-flight requests finish (dropping connections still open after
    /// the shutdown timeout), then folds the journal into the state file if one is configured.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .context("server task panicked")?
                .context("server failed")?;
        }
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || match &state.durability {
            Some(durability) => durability.save_all(&state.store),
            None => Ok(()),
        })
        .await
        .context("saving state panicked")?
        .context("saving state at shutdown")?;
        match &self.state.client_report {
            Some(report) => report
                .write()
                .map(drop)
                .context("writing the client report at shutdown"),
            None => Ok(()),
        }
    }
}

/// Binds, spawns the server on the current tokio runtime, and returns once it is accepting
/// connections. With a `state_file`, refuses to start when its folder is missing or not
/// writable, or when the file is not a valid state file of this server.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    config.seed.validate().context("invalid seed")?;
    anyhow::ensure!(
        config.collection_capacity > 0,
        "the collection capacity must be at least 1"
    );
    let (store, durability) = match &config.state_file {
        Some(path) => {
            // A server that lets collections grow past capacity may have saved them so.
            let behaviour = config.behaviour();
            let grows = Endpoint::ALL
                .iter()
                .any(|e| behaviour.for_endpoint(*e).at_capacity == AtCapacity::Grow);
            let (path, seed, capacity) = (
                path.clone(),
                config.seed.clone(),
                Some(config.collection_capacity).filter(|_| !grows),
            );
            let (store, durability) = tokio::task::spawn_blocking(move || {
                persist::open(&path, |store| validate_store(store, &seed, capacity))
            })
            .await
            .context("loading state panicked")??;
            (store, Some(durability))
        }
        None => (Store::default(), None),
    };
    let mut state = AppState::new(&config, store, durability);
    if let Some(path) = &config.client_report {
        let report =
            client_report::ClientReport::create(path, &config.seed, config.timestamp_window_secs)?;
        state.client_report = Some(report);
    }
    let state = Arc::new(state);
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let mut app = axum::Router::new();
    if state.client_report.is_some() {
        app = app.route(
            client_report::REPORT_PATH,
            axum::routing::any(client_report::on_demand),
        );
    }
    let app = app.fallback(routes::dispatch).with_state(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let limits = config.limits;
    let task = tokio::spawn(conn::serve(
        listener,
        app,
        state.clone(),
        limits,
        async move {
            // Either an explicit shutdown or the handle being dropped.
            let _ = rx.await;
        },
    ));
    let info = ready_info(&config.seed, addr, config.collection_capacity);
    Ok(RunningServer {
        addr,
        info,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// A loaded store may only hold what this server could have produced with this seed (and
/// within `capacity`, unless `None`: a server whose collections grow past it).
fn validate_store(store: &Store, seed: &Seed, capacity: Option<usize>) -> anyhow::Result<()> {
    let tweets: std::collections::HashSet<u64> = seed
        .tweets
        .iter()
        .filter_map(|t| t.id.parse().ok())
        .collect();
    store.validate(
        |owner| seed.users.iter().any(|u| u.user_id == owner),
        |tweet| tweets.contains(&tweet),
        capacity,
    )
}

fn ready_info(seed: &Seed, addr: SocketAddr, collection_capacity: usize) -> ReadyInfo {
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
        collection_capacity,
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
    /// Keep collections in FILE: loaded at start (if it exists), every acknowledged change
    /// journaled to FILE.journal before its response, folded into FILE at shutdown. The folder
    /// must exist and be writable; a file that is not a state file of this server is refused.
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
    /// Entries a collection holds before an add evicts its oldest addition (undocumented: "a
    /// few thousand Tweets"); announced in the ready line. A small one lets a suite fill a
    /// collection quickly.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_COLLECTION_CAPACITY, value_parser = parse_capacity)]
    pub collection_capacity: usize,
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
    /// Milliseconds a write stays invisible to `collections/entries` reads (a server whose
    /// timelines settle late; the kit's `--consistency-window` must cover it).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub settle_ms: u64,
    /// Record what every client did (signatures, placement, encoding, clock, nonces, pacing)
    /// and write a per-client conformance report to FILE (JSON) and beside it (`.md`) at
    /// shutdown; `GET /_client-report` writes and returns it on demand.
    #[arg(long, value_name = "FILE")]
    pub client_report: Option<PathBuf>,
    /// Seconds a client has to send a request head; also how long an idle keep-alive
    /// connection stays open.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_HEADER_TIMEOUT.as_secs_f64(), value_parser = parse_secs)]
    pub header_timeout: f64,
    /// Seconds a client has to send a request body once its head arrived (then 408).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_BODY_TIMEOUT.as_secs_f64(), value_parser = parse_secs)]
    pub body_timeout: f64,
    /// Seconds shutdown waits for open connections before dropping them and saving `--state`.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT.as_secs_f64(), value_parser = parse_secs)]
    pub shutdown_timeout: f64,
    /// Simultaneous connections in total (lowered to fit the descriptor limit); more get 503.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Simultaneous connections from one client IP; more get 503 / 130.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,
    /// Once listening, write a target file for this server (base URL, seeded credentials and
    /// tweets) to FILE, before the ready line: `run --target FILE` then tests it.
    #[arg(long, value_name = "FILE")]
    pub write_target: Option<PathBuf>,
}

fn parse_secs(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!(
            "expected seconds between 0 and 86400, got {value:?}"
        )),
    }
}

fn parse_capacity(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(0) => Err("a collection must hold at least 1 tweet".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a number of tweets, got {value:?}")),
    }
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
            collection_capacity: self.collection_capacity,
            log_requests: self.log_requests,
            faults: self.faults.iter().copied().collect(),
            variants: self.variants.iter().copied().collect(),
            latency: None,
            settle: Duration::from_millis(self.settle_ms),
            limits: ConnLimits {
                header_timeout: Duration::from_secs_f64(self.header_timeout),
                body_timeout: Duration::from_secs_f64(self.body_timeout),
                shutdown_timeout: Duration::from_secs_f64(self.shutdown_timeout),
                max_connections: self.max_connections,
                max_connections_per_ip: self.max_connections_per_ip,
            },
            max_live_nonces: DEFAULT_MAX_LIVE_NONCES,
            client_report: self.client_report.clone(),
        })
    }
}

/// `collections-conformance serve`: starts, prints one JSON line ([`ReadyInfo`]) on stdout once
/// accepting, waits for SIGINT or SIGTERM, then shuts down gracefully (saving `--state`).
pub async fn serve_cli(args: ServeArgs) -> anyhow::Result<()> {
    let server = start(args.to_config()?).await?;
    if let Some(path) = &args.write_target {
        crate::target_file::write_for_server(path, server.info())?;
    }
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
