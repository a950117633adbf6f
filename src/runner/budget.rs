//! How many requests a run sends, per token and endpoint, so a user can size the rate limits of
//! a test deployment before pointing the kit at it (`list --budget`).

use super::session::token_of;
use crate::vector::{AuthMode, LoadedVector, VectorBody};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Requests per (token, endpoint), in the best case: no retries, no 429s.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Requests by token and endpoint.
    pub requests: BTreeMap<(&'static str, String), usize>,
    /// Steps that send until the target reports the window used up: (vector id, token, endpoint).
    pub exhausting: Vec<(String, &'static str, String)>,
    /// Fixtures filled to the target's collection capacity: (vector id, token).
    pub full_collections: Vec<(String, &'static str)>,
    /// Model vectors, whose requests depend on the sequences they generate: (vector id,
    /// sequences, operations per sequence).
    pub models: Vec<(String, usize, usize)>,
}

impl Budget {
    /// The budget of every valid vector that talks to the target.
    pub fn of(vectors: &[LoadedVector]) -> Budget {
        let mut budget = Budget::default();
        for loaded in vectors {
            let Ok(vector) = &loaded.vector else { continue };
            if let VectorBody::Canary(canary) = &vector.body {
                // Planted (create, 3 adds), read after planting, between phases and at the end.
                let owner = token_of(canary.owner.unwrap_or(AuthMode::User));
                budget.add(owner, "collections/create", 1);
                budget.add(owner, "collections/entries/add", 3);
                budget.add(owner, "collections/entries", 3);
                budget.add(owner, "collections/destroy", 1);
                continue;
            }
            if let VectorBody::Model(config) = &vector.body {
                budget
                    .models
                    .push((loaded.id.clone(), config.sequences, config.length));
                continue;
            }
            let VectorBody::Steps(steps) = &vector.body else {
                continue;
            };
            let fixtures = [
                (vector.fixtures.collection.as_ref(), AuthMode::User),
                (
                    vector.fixtures.other_collection.as_ref(),
                    AuthMode::OtherUser,
                ),
            ];
            for (fixture, default_owner) in fixtures {
                let Some(fixture) = fixture else { continue };
                let owner = token_of(fixture.owner.unwrap_or(default_owner));
                budget.add(owner, "collections/create", 1);
                budget.add(owner, "collections/entries/add", fixture.tweets);
                if fixture.at_capacity {
                    budget.full_collections.push((loaded.id.clone(), owner));
                }
                budget.add(owner, "collections/destroy", 1);
            }
            for step in steps {
                let endpoint = step
                    .request
                    .endpoint
                    .clone()
                    .or_else(|| step.request.path.clone())
                    .unwrap_or_default();
                let token = token_of(step.request.auth);
                if step.exhaust_rate_limit {
                    budget
                        .exhausting
                        .push((loaded.id.clone(), token, endpoint.clone()));
                }
                let sends = if step.request.auth == AuthMode::ReplayedNonce {
                    2
                } else {
                    1
                };
                budget.add(token, &endpoint, sends);
                if step.destroy_afterwards.is_some() {
                    budget.add(token, "collections/destroy", 1);
                }
            }
        }
        budget
    }

    fn add(&mut self, token: &'static str, endpoint: &str, n: usize) {
        if n > 0 {
            *self
                .requests
                .entry((token, endpoint.to_string()))
                .or_default() += n;
        }
    }

    /// A table for people.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "requests a full run sends (best case: no retries, no 429s; refused requests included)\n",
        );
        let _ = writeln!(out, "{:<14} {:<36} {:>8}", "token", "endpoint", "requests");
        for ((token, endpoint), n) in &self.requests {
            let _ = writeln!(out, "{token:<14} {endpoint:<36} {n:>8}");
        }
        let total: usize = self.requests.values().sum();
        let _ = writeln!(out, "{:<14} {:<36} {total:>8}", "all", "");
        for (id, token, endpoint) in &self.exhausting {
            let _ = writeln!(
                out,
                "plus {id}: sends {endpoint} as the {token} until the target reports the window used up (at most the window's limit + 1)"
            );
        }
        for (id, sequences, length) in &self.models {
            let _ = writeln!(
                out,
                "plus {id}: {sequences} sequences of 2 creates and up to {length} operations, as the main user; after each write every collection of the sequence is read back (collections/entries), so count about 3 requests per operation"
            );
        }
        for (id, token) in &self.full_collections {
            let _ = writeln!(
                out,
                "plus {id}: sends collections/entries/add as the {token} once per tweet of the target's collection capacity (CONFORMANCE_COLLECTION_CAPACITY)"
            );
        }
        out
    }
}
