//! Endpoint handlers: plain functions from a verified [`Call`] to a JSON body or an [`ApiError`].
//!
//! Within a handler, checks run from syntax to semantics: required parameters (403 / 38, in the
//! documented parameter order), then their form (a malformed collection id is 404 / 34, a
//! malformed tweet id 404 / 144), then existence (404 / 34), then ownership for mutations
//! (403 / 87), then the operation.

mod collections;
mod entries;

use serde_json::Value;

use super::errors::ApiError;
use super::params::Params;
use super::policy::Policy;
use super::routes::{Call, Endpoint};
use super::state::AppState;
use super::store::{Collection, MAX_ID, Store};

/// Runs the handler of `call.endpoint`; remove reads the `policy`, the other entry endpoints
/// only its state fields (only the server-wide state faults bend them).
pub fn handle(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    match call.endpoint {
        Endpoint::Create => collections::create(state, call),
        Endpoint::Destroy => collections::destroy(state, call),
        Endpoint::Update => collections::update(state, call),
        Endpoint::Show => collections::show(state, call),
        Endpoint::List => collections::list(state, call),
        Endpoint::Entries => entries::entries(state, policy, call),
        Endpoint::EntriesAdd => entries::add(state, policy, call),
        Endpoint::EntriesRemove => entries::remove(state, policy, call),
        Endpoint::EntriesMove => entries::move_entry(state, policy, call),
        Endpoint::EntriesCurate => entries::curate(state, policy, call),
    }
}

/// A required parameter: present and non-empty, else 403 / 38 naming it.
fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    params
        .non_empty(name)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// Checks a collection id is `custom-<digits>` (the only form Twitter issued); anything else
/// cannot name a collection, so it is 404 / 34 like an unknown one.
fn collection_id(value: &str) -> Result<String, ApiError> {
    let digits = value.strip_prefix("custom-").unwrap_or("");
    if !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_string())
    } else {
        Err(ApiError::not_found())
    }
}

/// Parses a tweet id: 1 to 19 ASCII digits, 1 ..= 2^63-1. Anything else cannot name a tweet:
/// 404 / 144.
fn tweet_id(value: &str) -> Result<u64, ApiError> {
    parse_tweet_id(value).ok_or_else(ApiError::no_status)
}

/// [`tweet_id`] without the error, for curate's per-change handling.
fn parse_tweet_id(value: &str) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value
        .parse::<u64>()
        .ok()
        .filter(|id| (1..=MAX_ID).contains(id))
}

/// The collection, if it exists (404 / 34 otherwise).
fn existing<'a>(store: &'a Store, id: &str) -> Result<&'a Collection, ApiError> {
    store.get(id).ok_or_else(ApiError::not_found)
}

/// The collection, if it exists and the caller owns it (404 / 34, 403 / 87).
fn owned<'a>(store: &'a Store, id: &str, call: &Call) -> Result<&'a Collection, ApiError> {
    let collection = existing(store, id)?;
    if collection.user_id == call.principal.user_id {
        Ok(collection)
    } else {
        Err(ApiError::not_permitted())
    }
}

/// `above` as documented ("Set to false to insert … below"): `false`/`0` mean below, anything
/// else (including absence) above.
fn above(params: &Params) -> bool {
    !matches!(
        params.get("above").map(str::to_ascii_lowercase).as_deref(),
        Some("false" | "0")
    )
}

/// `count` clamped to 1..=200 as documented ("Specify a count between 1 and 200"); absent or
/// unparsable means the default.
fn count(params: &Params, default: usize) -> usize {
    params
        .get("count")
        .and_then(|c| c.trim().parse::<i64>().ok())
        .map(|c| c.clamp(1, 200) as usize)
        .unwrap_or(default)
}
