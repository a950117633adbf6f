//! The replay guard: every `oauth_nonce` a consumer and token used within the live horizon
//! (twice the timestamp window: a request older than that fails the timestamp check anyway).
//!
//! Checks and expiry are amortised O(1): nonces sit in a hash set keyed by a 128-bit keyed hash of
//! (consumer, token, nonce), and in a queue in the order they arrived, so expiry pops from the
//! front instead of scanning the set. Memory is bounded: each live nonce costs a fixed number of
//! bytes whatever its length, and at most `capacity` are held; past that, new requests are refused
//! with 503 / 130 ("Over capacity") until old nonces expire, rather than forgetting nonces that
//! could still be replayed.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};

use axum::http::StatusCode;

use super::errors::ApiError;

/// Live nonces held at most by default (about 80 MB at the limit).
pub const DEFAULT_MAX_LIVE_NONCES: usize = 1_000_000;

/// What a nonce check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonceCheck {
    /// Not seen within the horizon; now recorded.
    Fresh,
    /// Already used by this consumer and token within the horizon: a replay.
    Replayed,
    /// The cache holds its maximum of live nonces; the request cannot be checked.
    Full,
}

/// Nonces seen recently, per (consumer key, token), to refuse replays.
#[derive(Debug)]
pub struct NonceCache {
    /// Key hash → when it was recorded.
    seen: HashMap<u128, u64>,
    /// (when recorded, key hash), oldest first; times never decrease.
    queue: VecDeque<(u64, u128)>,
    /// Two independently keyed hashers, so the 128-bit key cannot be steered into collisions.
    hashers: (RandomState, RandomState),
    capacity: usize,
    /// The last nonce per (consumer, token) key hash, used instead of `seen` by a server that
    /// keeps one nonce per token (the `nonce-last-only` fault).
    last: HashMap<u128, u128>,
}

impl Default for NonceCache {
    fn default() -> Self {
        NonceCache::with_capacity_limit(DEFAULT_MAX_LIVE_NONCES)
    }
}

impl NonceCache {
    /// A cache holding at most `capacity` live nonces (at least 1).
    pub fn with_capacity_limit(capacity: usize) -> Self {
        NonceCache {
            last: HashMap::new(),
            seen: HashMap::new(),
            queue: VecDeque::new(),
            hashers: (RandomState::new(), RandomState::new()),
            capacity: capacity.max(1),
        }
    }

    /// Live nonces held right now.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no nonce is held.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Checks the nonce at `now` (Unix seconds) against the last `2 × window` seconds and records
    /// it when fresh.
    pub fn check_and_record(
        &mut self,
        consumer: &str,
        token: &str,
        nonce: &str,
        now: u64,
        window: u64,
        last_only: bool,
    ) -> NonceCheck {
        if last_only {
            let token_key = self.key(consumer, token, "");
            let nonce_key = self.key(consumer, token, nonce);
            return match self.last.insert(token_key, nonce_key) {
                Some(previous) if previous == nonce_key => NonceCheck::Replayed,
                _ => NonceCheck::Fresh,
            };
        }
        let horizon = window.saturating_mul(2).max(1);
        self.expire(now, horizon);
        let key = self.key(consumer, token, nonce);
        if self.seen.contains_key(&key) {
            return NonceCheck::Replayed;
        }
        if self.seen.len() >= self.capacity {
            return NonceCheck::Full;
        }
        // Keep the queue in time order even if the wall clock steps back.
        let at = self.queue.back().map_or(now, |(last, _)| now.max(*last));
        self.seen.insert(key, at);
        self.queue.push_back((at, key));
        NonceCheck::Fresh
    }

    /// Drops every nonce recorded more than `horizon` seconds before `now`; each nonce is popped
    /// once, so the cost is amortised over the checks that recorded them.
    fn expire(&mut self, now: u64, horizon: u64) {
        while let Some(&(at, key)) = self.queue.front() {
            if now.saturating_sub(at) <= horizon {
                break;
            }
            self.queue.pop_front();
            self.seen.remove(&key);
        }
        // Give memory back after a burst, at most once per halving.
        if self.seen.capacity() > 4096 && self.seen.capacity() > 4 * self.seen.len() {
            self.seen.shrink_to(2 * self.seen.len());
            self.queue.shrink_to(2 * self.queue.len());
        }
    }

    fn key(&self, consumer: &str, token: &str, nonce: &str) -> u128 {
        // Lengths first, so ("ab","c") and ("a","bc") differ.
        let parts = (consumer.len(), token.len(), consumer, token, nonce);
        let high = self.hashers.0.hash_one(parts) as u128;
        let low = self.hashers.1.hash_one(parts) as u128;
        (high << 64) | low
    }
}

/// 503 / 130, Twitter's "Over capacity": the answer when the cache is full.
pub fn over_capacity() -> ApiError {
    ApiError::code(130)
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .with_message("Over capacity")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_single_use_within_the_window() {
        let mut cache = NonceCache::default();
        assert_eq!(
            cache.check_and_record("c", "t", "n", 1000, 300, false),
            NonceCheck::Fresh
        );
        assert_eq!(
            cache.check_and_record("c", "t", "n", 1100, 300, false),
            NonceCheck::Replayed
        );
        assert_eq!(
            cache.check_and_record("c", "u", "n", 1100, 300, false),
            NonceCheck::Fresh
        );
        assert_eq!(
            cache.check_and_record("ct", "", "n", 1100, 300, false),
            NonceCheck::Fresh
        );
        assert_eq!(
            cache.check_and_record("c", "t", "n", 1600, 300, false),
            NonceCheck::Replayed
        );
        assert_eq!(
            cache.check_and_record("c", "t", "n", 2000, 300, false),
            NonceCheck::Fresh
        );
    }

    #[test]
    fn expiry_pops_old_nonces_and_the_limit_refuses_rather_than_forgets() {
        let mut cache = NonceCache::with_capacity_limit(3);
        for (i, n) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(
                cache.check_and_record("c", "t", n, 1000 + i as u64, 10, false),
                NonceCheck::Fresh
            );
        }
        assert_eq!(
            cache.check_and_record("c", "t", "d", 1005, 10, false),
            NonceCheck::Full
        );
        // "a" is still replayable: a full cache never forgets it.
        assert_eq!(
            cache.check_and_record("c", "t", "a", 1005, 10, false),
            NonceCheck::Replayed
        );
        // 21 s after "a" it expires, and only it.
        assert_eq!(
            cache.check_and_record("c", "t", "d", 1021, 10, false),
            NonceCheck::Fresh
        );
        assert_eq!(cache.len(), 3);
        assert_eq!(
            cache.check_and_record("c", "t", "b", 1021, 10, false),
            NonceCheck::Replayed
        );
        // A clock stepping back keeps the queue ordered; everything expires eventually.
        assert_eq!(
            cache.check_and_record("c", "t", "e", 900, 10, false),
            NonceCheck::Full
        );
        assert_eq!(
            cache.check_and_record("c", "t", "e", 5000, 10, false),
            NonceCheck::Fresh
        );
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn keeping_only_the_last_nonce_lets_a_later_replay_through() {
        let mut last = NonceCache::default();
        assert_eq!(
            last.check_and_record("c", "t", "a", 1000, 300, true),
            NonceCheck::Fresh
        );
        assert_eq!(
            last.check_and_record("c", "t", "a", 1000, 300, true),
            NonceCheck::Replayed
        );
        assert_eq!(
            last.check_and_record("c", "t", "b", 1001, 300, true),
            NonceCheck::Fresh
        );
        assert_eq!(
            last.check_and_record("c", "t", "a", 1002, 300, true),
            NonceCheck::Fresh
        );
    }
}
