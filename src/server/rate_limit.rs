//! Per-token, per-endpoint request limits in fixed windows, as v1.1 counted them ("per user
//! access token", 15-minute windows; <https://developer.twitter.com/en/docs/twitter-api/v1/rate-limits>).
//!
//! A window starts with the first request a token makes to an endpoint and lasts
//! `window_secs`; `x-rate-limit-reset` is its end in Unix seconds.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// The limit documented for the GET endpoints (show, list, entries), and chosen for the POST
/// endpoints, whose pages say only "Rate limited? Yes".
pub const DEFAULT_LIMIT: u32 = 1000;

/// Fifteen minutes, the v1.1 window.
pub const DEFAULT_WINDOW_SECS: u64 = 900;

/// Limits the server enforces; per-user overrides come from the seed and win over these.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default)]
pub struct RateLimitConfig {
    /// Window length in seconds (default 900).
    pub window_secs: u64,
    /// Requests per window for endpoints without an explicit limit (default 1000).
    pub default_limit: u32,
    /// Per-endpoint limits, keyed `collections/entries/remove` (see [`endpoint_key`]).
    pub endpoint_limits: BTreeMap<String, u32>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            window_secs: DEFAULT_WINDOW_SECS,
            default_limit: DEFAULT_LIMIT,
            endpoint_limits: BTreeMap::new(),
        }
    }
}

/// Normalizes how people name an endpoint (`entries/remove`, `/1.1/collections/entries/remove.json`)
/// to the key used everywhere: `collections/entries/remove`.
pub fn endpoint_key(name: &str) -> String {
    let name = name.trim().trim_start_matches('/');
    let name = name.strip_prefix("1.1/").unwrap_or(name);
    let name = name.strip_suffix(".json").unwrap_or(name);
    if name.starts_with("collections/") || name == "collections" {
        name.to_string()
    } else {
        format!("collections/{name}")
    }
}

/// What the `x-rate-limit-*` headers say after a request was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// `x-rate-limit-limit`.
    pub limit: u32,
    /// `x-rate-limit-remaining`.
    pub remaining: u32,
    /// `x-rate-limit-reset`: end of the window, Unix seconds.
    pub reset: u64,
    /// Whether this request is over the limit (answer 429 / 88).
    pub exceeded: bool,
}

/// Counters per (access token, endpoint).
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<(String, String), Window>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: u64,
    used: u32,
}

impl RateLimiter {
    /// Counts one request at `now` against a limit and reports the quota.
    pub fn hit(
        &mut self,
        token: &str,
        endpoint: &str,
        limit: u32,
        window_secs: u64,
        now: u64,
    ) -> Quota {
        let window_secs = window_secs.max(1);
        if self.windows.len() > 100_000 {
            self.windows.retain(|_, w| w.start + window_secs > now);
        }
        let window = self
            .windows
            .entry((token.to_string(), endpoint.to_string()))
            .or_insert(Window {
                start: now,
                used: 0,
            });
        if now >= window.start + window_secs {
            *window = Window {
                start: now,
                used: 0,
            };
        }
        let exceeded = window.used >= limit;
        if !exceeded {
            window.used += 1;
        }
        Quota {
            limit,
            remaining: limit.saturating_sub(window.used),
            reset: window.start + window_secs,
            exceeded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_down_refuse_and_reset() {
        let mut rl = RateLimiter::default();
        let q = rl.hit("t", "e", 2, 900, 1000);
        assert_eq!((q.remaining, q.reset, q.exceeded), (1, 1900, false));
        assert!(!rl.hit("t", "e", 2, 900, 1001).exceeded);
        let q = rl.hit("t", "e", 2, 900, 1002);
        assert!(q.exceeded);
        assert_eq!(q.remaining, 0);
        assert!(!rl.hit("t", "other", 2, 900, 1002).exceeded);
        assert!(!rl.hit("u", "e", 2, 900, 1002).exceeded);
        let q = rl.hit("t", "e", 2, 900, 1900);
        assert_eq!((q.remaining, q.reset, q.exceeded), (1, 2800, false));
    }

    #[test]
    fn endpoint_names_normalize() {
        for n in [
            "entries/remove",
            "collections/entries/remove",
            "/1.1/collections/entries/remove.json",
        ] {
            assert_eq!(endpoint_key(n), "collections/entries/remove");
        }
    }
}
