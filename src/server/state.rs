//! `AppState`: everything a request handler may read or change, shared behind an `Arc`.
//!
//! Immutable lookups (seed users, tweets, credentials) need no lock; mutable state (collections,
//! nonces, rate-limit counters) sits behind one `std::sync::Mutex` each, never held across an
//! `.await`, so each operation is atomic.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::auth::Registry;
use super::nonces::NonceCache;
use super::persist::Durability;
use super::policy::Behaviour;
use super::rate_limit::{RateLimitConfig, RateLimiter, endpoint_key};
use super::seed::{Seed, SeedTweet, SeedUser};
use super::store::Store;

/// Shared server state.
#[derive(Debug)]
pub struct AppState {
    /// The seeded world as configured.
    pub seed: Seed,
    /// Credentials index for OAuth verification.
    pub registry: Registry,
    /// Seeded users by id.
    pub users: HashMap<String, SeedUser>,
    /// User ids by lowercase screen name.
    pub screen_names: HashMap<String, String>,
    /// Public tweets by id.
    pub tweets: HashMap<u64, SeedTweet>,
    /// The collections.
    pub store: Mutex<Store>,
    /// Nonces seen recently.
    pub nonces: Mutex<NonceCache>,
    /// Where acknowledged changes are saved (`--state`), if anywhere.
    pub durability: Option<Durability>,
    /// Rate-limit counters.
    pub limiter: Mutex<RateLimiter>,
    /// Allowed clock skew for `oauth_timestamp`, both directions.
    pub timestamp_window_secs: u64,
    /// Server-wide rate limits.
    pub rate_limits: RateLimitConfig,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Entries a collection holds before the oldest addition is evicted.
    pub collection_capacity: usize,
    /// Whether to log one line per request on stderr.
    pub log_requests: bool,
    /// What the server does where it may differ (see [`super::policy`]): the faithful policy
    /// unless faults or variants were configured.
    pub behaviour: Behaviour,
    /// How long a write stays invisible to `collections/entries` reads (`--settle-ms`; zero:
    /// read-your-writes), with the store as it was after each change, oldest first.
    settle: Duration,
    history: Mutex<VecDeque<(Instant, u64, Store)>>,
    /// The per-client report (`--client-report`), recorded at one seam of the pipeline.
    pub client_report: Option<super::client_report::ClientReport>,
}

impl AppState {
    /// Builds the state from a validated seed, an initial store and its persistence.
    pub fn new(config: &super::ServerConfig, store: Store, durability: Option<Durability>) -> Self {
        let seed = config.seed.clone();
        let users: HashMap<String, SeedUser> = seed
            .users
            .iter()
            .map(|u| (u.user_id.clone(), u.clone()))
            .collect();
        let screen_names = seed
            .users
            .iter()
            .map(|u| (u.screen_name.to_ascii_lowercase(), u.user_id.clone()))
            .collect();
        let tweets = seed
            .tweets
            .iter()
            .filter_map(|t| Some((t.id.parse().ok()?, t.clone())))
            .collect();
        AppState {
            registry: Registry::from_seed(&seed),
            users,
            screen_names,
            tweets,
            seed,
            store: Mutex::new(store),
            nonces: Mutex::new(NonceCache::with_capacity_limit(config.max_live_nonces)),
            durability,
            limiter: Mutex::new(RateLimiter::default()),
            timestamp_window_secs: config.timestamp_window_secs,
            rate_limits: config.rate_limits.clone(),
            max_body_bytes: config.max_body_bytes,
            collection_capacity: config.collection_capacity,
            log_requests: config.log_requests,
            behaviour: config.behaviour(),
            settle: config.settle,
            history: Mutex::default(),
            client_report: None,
        }
        .with_first_snapshot()
    }

    fn with_first_snapshot(self) -> AppState {
        if !self.settle.is_zero() {
            let store = self.store().clone();
            let visible_since = Instant::now()
                .checked_sub(self.settle)
                .unwrap_or_else(Instant::now);
            lock(&self.history).push_back((visible_since, store.generation(), store));
        }
        self
    }

    /// After a request: remembers the store if it changed, for [`AppState::visible_store`].
    pub fn note_changes(&self) {
        if self.settle.is_zero() {
            return;
        }
        let store = self.store().clone();
        let now = Instant::now();
        let mut history = lock(&self.history);
        if history
            .back()
            .is_some_and(|(_, generation, _)| *generation == store.generation())
        {
            return;
        }
        history.push_back((now, store.generation(), store));
        // Keep the newest snapshot that is already visible, and everything after it.
        while history.len() > 1 && history[1].0 + self.settle <= now {
            history.pop_front();
        }
    }

    /// The store as reads see it: with `--settle-ms`, as it was that long ago (a server whose
    /// timelines settle late); otherwise `None`, and reads use the live store.
    pub fn visible_store(&self) -> Option<Store> {
        if self.settle.is_zero() {
            return None;
        }
        let now = Instant::now();
        let history = lock(&self.history);
        history
            .iter()
            .rev()
            .find(|(at, _, _)| *at + self.settle <= now)
            .or_else(|| history.front())
            .map(|(_, _, store)| store.clone())
    }

    /// The store, recovering from a poisoned lock (a panicking request must not take the server
    /// down with it; store operations leave it consistent).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The limit for a user on an endpoint: the user's seed override, else the server's
    /// per-endpoint limit, else the default.
    pub fn limit_for(&self, user_id: &str, endpoint: &str) -> u32 {
        let from = |map: &BTreeMap<String, u32>| {
            map.iter()
                .find(|(k, _)| endpoint_key(k) == endpoint)
                .map(|(_, v)| *v)
        };
        self.users
            .get(user_id)
            .and_then(|u| from(&u.rate_limits))
            .or_else(|| from(&self.rate_limits.endpoint_limits))
            .unwrap_or(self.rate_limits.default_limit)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
