//! Entry-level endpoints: entries (read), add, remove, move, curate.
//!
//! The mutations answer with the soft envelope `{"objects":{},"response":{"errors":[…]}}`
//! (HTTP 200) for per-tweet outcomes, in each endpoint's documented key order.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::{Value, json};

use super::{above, collection_id, count, owned, parse_tweet_id, readable, required, tweet_id};
use crate::server::errors::ApiError;
use crate::server::policy::{Answer, EntriesOrder, Policy, Removal, SoftAnswer, Truncation};
use crate::server::render;
use crate::server::routes::Call;
use crate::server::state::AppState;
use crate::server::store::{AddOutcome, MoveOutcome, Placement, Store, TimelineOrder};

/// Default page size of `entries` (undocumented; 20 as v1.1 timelines used).
const ENTRIES_DEFAULT_COUNT: usize = 20;

/// The soft envelope, `objects` first ([D-ADD], [D-MOV], [D-CUR]).
fn soft(errors: Vec<Value>) -> Value {
    json!({"objects": {}, "response": {"errors": errors}})
}

/// The soft envelope in remove's documented order: `response` first ([D-REM]).
fn soft_remove(errors: Vec<Value>) -> Value {
    json!({"response": {"errors": errors}, "objects": {}})
}

/// `GET collections/entries`: tweets in descending `sort_index`, paged by position.
pub fn entries(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let params = &call.params;
    let id = collection_id(required(params, "id")?)?;
    let count = count(params, ENTRIES_DEFAULT_COUNT, policy);
    // Unparsable positions are ignored rather than refused (undocumented either way).
    let position = |name: &str| params.non_empty(name).and_then(|v| v.parse::<u64>().ok());
    let (max_position, min_position) = (position("max_position"), position("min_position"));

    // A server whose timelines settle late (`--settle-ms`) reads an older store.
    let settled = state.visible_store();
    let live;
    let store: &super::Store = match &settled {
        Some(store) => store,
        None => {
            live = state.store();
            &live
        }
    };
    let collection = readable(store, &id, call, policy)?;
    let mut listed: Vec<_> = collection.entries.iter().collect();
    match policy.entries_order {
        EntriesOrder::Stored => {}
        EntriesOrder::Reversed => listed.reverse(),
        EntriesOrder::NewestTweetFirst => listed.sort_by_key(|e| std::cmp::Reverse(e.tweet_id)),
    }
    let in_range: Vec<_> = listed
        .into_iter()
        .filter(|e| {
            max_position.is_none_or(|max| {
                e.sort_index < max
                    || (policy.max_position_inclusive
                        && e.sort_index == max
                        && !policy.paging_skips_boundary)
            })
        })
        .filter(|e| {
            min_position.is_none_or(|min| {
                e.sort_index > min || (!policy.min_position_exclusive && e.sort_index == min)
            })
        })
        .collect();
    let page = &in_range[..count.min(in_range.len())];

    let feature_context = STANDARD_NO_PAD.encode(format!("custom:{}", collection.numeric_id()));
    let timeline: Vec<Value> = page
        .iter()
        .map(|e| {
            json!({
                "feature_context": feature_context,
                "tweet": {"id": e.tweet_id.to_string(), "sort_index": e.sort_index.to_string()},
            })
        })
        .collect();
    let mut tweets = serde_json::Map::new();
    let mut authors = Vec::new();
    for entry in page {
        if let Some(tweet) = state.tweets.get(&entry.tweet_id) {
            tweets.insert(tweet.id.clone(), render::tweet(tweet));
            authors.push(tweet.user_id.as_str());
        }
    }
    let mut position_json = serde_json::Map::new();
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        // Under `paging-skips-entry` the cursor names the next page's first entry.
        let last = match in_range.get(page.len()) {
            Some(next) if policy.paging_skips_boundary => next,
            _ => last,
        };
        let (max, min) = if policy.positions_in_order {
            (first, last)
        } else {
            (last, first)
        };
        position_json.insert("max_position".into(), max.sort_index.to_string().into());
        position_json.insert("min_position".into(), min.sort_index.to_string().into());
    }
    let truncated = match policy.truncation {
        Truncation::Exact => in_range.len() > page.len(),
        Truncation::Never => false,
        Truncation::WhenPageFull => page.len() >= count,
    };
    position_json.insert("was_truncated".into(), truncated.into());
    let mut objects = json!({
        "timelines": {collection.id.clone(): render::timeline(state, collection)},
        "tweets": tweets,
        "users": render::users(state, authors),
    });
    if !policy.entries_users {
        if let Some(objects) = objects.as_object_mut() {
            objects.remove("users");
        }
    }
    Ok(json!({
        "objects": objects,
        "response": {
            "position": position_json,
            "timeline": timeline,
            "timeline_id": collection.id,
        },
    }))
}

/// `POST collections/entries/add`: any known public tweet; a duplicate is a soft error.
pub fn add(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let params = &call.params;
    let id_param = required(params, "id")?;
    let tweet_param = required(params, "tweet_id")?;
    let id = collection_id(id_param)?;
    let tweet = tweet_id(tweet_param)?;
    let relative_to = params
        .non_empty("relative_to")
        .filter(|_| policy.honour_relative_to)
        .map(tweet_id)
        .transpose()?;

    let mut store = state.store();
    let collection = owned(&store, &id, call, policy)?;
    if !state.tweets.contains_key(&tweet) {
        return Err(ApiError::no_status());
    }
    let placement = match relative_to {
        Some(relative_to) => Placement::Relative {
            relative_to,
            above: above(params, policy),
        },
        None if policy.add_on_top => Placement::Top,
        // At the bottom: below the last entry.
        None => match collection.entries.last() {
            Some(last) => Placement::Relative {
                relative_to: last.tweet_id,
                above: false,
            },
            None => Placement::Top,
        },
    };
    if policy.ids_as_float64 && float64_neighbour(&store, &id, tweet).is_some() {
        return Ok(soft(vec![json!({
            "change": {"op": "add", "tweet_id": tweet.to_string()},
            "reason": "duplicate",
        })]));
    }
    let capacity = state.collection_capacity;
    if policy.readd_restores_position
        && store.restore_removed(&id, tweet, capacity, policy.at_capacity)
    {
        return Ok(soft(vec![]));
    }
    match store.add_with(&id, tweet, placement, capacity, policy.at_capacity) {
        Some(AddOutcome::Added) => Ok(soft(vec![])),
        Some(AddOutcome::Full) => Err(ApiError::not_permitted()),
        Some(AddOutcome::Duplicate) => match policy.duplicate {
            SoftAnswer::Report => Ok(soft(vec![json!({
                "change": {"op": "add", "tweet_id": tweet.to_string()},
                "reason": "duplicate",
            })])),
            SoftAnswer::Succeed => Ok(soft(vec![])),
            SoftAnswer::Refuse(refusal) => Err(refusal.error("tweet_id")),
        },
        Some(AddOutcome::RelativeNotFound) => Err(ApiError::no_status()),
        None => Err(ApiError::not_found()),
    }
}

/// Under `ids-as-float64`: another tweet of the collection whose id rounds to the same double.
fn float64_neighbour(store: &Store, id: &str, tweet: u64) -> Option<u64> {
    store.get(id).and_then(|c| {
        c.entries
            .iter()
            .map(|e| e.tweet_id)
            .find(|&t| t != tweet && t as f64 == tweet as f64)
    })
}

/// `POST collections/entries/remove`: a tweet not in the collection is the soft `not_found`.
///
/// Every open choice and deviation is a field of `policy` (see [`crate::server::policy`]), read
/// at the step it decides; with the default policy this is exactly the documented behaviour.
pub fn remove(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let params = &call.params;
    let parameter = |name: &str| {
        let value = if policy.empty_is_missing {
            params.non_empty(name)
        } else {
            params.get(name)
        };
        value.ok_or_else(|| policy.missing_parameter.error(name))
    };
    let success = || soft_remove_as(policy, vec![]);
    let id_param = match parameter("id") {
        Err(_) if !policy.require_id => return Ok(success()),
        result => result?,
    };
    let tweet_param = match parameter("tweet_id") {
        Err(_) if !policy.require_tweet_id => return Ok(success()),
        result => result?,
    };
    if let Some(refusal) = &policy.unknown_parameter {
        if let Some((name, _)) = params.0.iter().find(|(k, _)| k != "id" && k != "tweet_id") {
            return Err(refusal.error(name));
        }
    }
    // An answer other than "carry on": a refusal names `parameter`, a soft not_found echoes
    // `echoed` as the tweet id.
    let answer = |answer: Answer, parameter: &str, echoed: &str| match answer {
        Answer::Refuse(refusal) => Err(refusal.error(parameter)),
        Answer::Succeed => Ok(success()),
        Answer::SoftNotFound => Ok(soft_not_found(policy, echoed)),
    };
    let Ok(id) = collection_id(id_param) else {
        return answer(policy.malformed_id, "id", tweet_param);
    };
    let tweet = match tweet_id(tweet_param) {
        Ok(tweet) => tweet,
        Err(_) if !tweet_param.bytes().all(|b| b.is_ascii_digit()) => {
            return answer(policy.non_numeric_tweet_id, "tweet_id", tweet_param);
        }
        Err(error) => return Err(error),
    };
    let echoed = tweet.to_string();

    let mut store = state.store();
    match store.get(&id) {
        None => return answer(policy.unknown_collection, "id", &echoed),
        Some(collection)
            if policy.check_ownership && collection.user_id != call.principal.user_id =>
        {
            return answer(policy.foreign_collection, "id", &echoed);
        }
        Some(_) => {}
    }
    if !state.tweets.contains_key(&tweet) {
        if let Some(nonexistent) = policy.nonexistent_tweet {
            return answer(nonexistent, "tweet_id", &echoed);
        }
    }
    let mut tweet = tweet;
    if policy.ids_as_float64 && !store.get(&id).is_some_and(|c| c.contains(tweet)) {
        tweet = float64_neighbour(&store, &id, tweet).unwrap_or(tweet);
    }
    let contained = store.get(&id).is_some_and(|c| c.contains(tweet));
    let removed = if !contained {
        if policy.remove_elsewhere {
            if let Some(other) = store
                .collections
                .values()
                .find(|c| c.contains(tweet))
                .map(|c| c.id.clone())
            {
                store.remove(&other, tweet);
            }
        }
        false
    } else {
        if policy.remove_from_every_collection {
            let holding: Vec<String> = store
                .collections
                .values()
                .filter(|c| c.id != id && c.contains(tweet))
                .map(|c| c.id.clone())
                .collect();
            for other in holding {
                store.remove(&other, tweet);
            }
        }
        match policy.removal {
            Removal::Named => store.remove(&id, tweet).unwrap_or(false),
            Removal::Nothing => true,
            Removal::Everything => store.get_mut(&id).is_some_and(|c| {
                c.entries.clear();
                true
            }),
            Removal::TopEntry => {
                let top = store
                    .get(&id)
                    .and_then(|c| c.entries.first().map(|e| e.tweet_id));
                top.and_then(|top| store.remove(&id, top)).unwrap_or(false)
            }
        }
    };
    if removed {
        Ok(success())
    } else {
        answer(policy.absent_tweet, "tweet_id", &echoed)
    }
}

/// The soft `not_found` for `tweet` (echoed as sent), in the policy's spelling.
fn soft_not_found(policy: &Policy, tweet: &str) -> Value {
    let echoed = match tweet.parse::<u64>() {
        Ok(number) if policy.tweet_id_as_number => json!(number),
        _ => json!(tweet),
    };
    soft_remove_as(
        policy,
        vec![
            json!({"change": {"tweet_id": echoed, "op": policy.soft_op}, "reason": policy.soft_reason}),
        ],
    )
}

/// [`soft_remove`], without `objects` when the policy drops it.
fn soft_remove_as(policy: &Policy, errors: Vec<Value>) -> Value {
    if policy.soft_objects {
        soft_remove(errors)
    } else {
        json!({"response": {"errors": errors}})
    }
}

/// `POST collections/entries/move`: only in `curation_reverse_chron` collections.
pub fn move_entry(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let params = &call.params;
    let id_param = required(params, "id")?;
    let tweet_param = required(params, "tweet_id")?;
    let relative_param = required(params, "relative_to")?;
    let id = collection_id(id_param)?;
    let tweet = tweet_id(tweet_param)?;
    let relative_to = tweet_id(relative_param)?;

    let mut store = state.store();
    let collection = owned(&store, &id, call, policy)?;
    if collection.timeline_order != TimelineOrder::CurationReverseChron {
        return Err(policy.move_time_ordered.error("id"));
    }
    let outcome = if policy.move_moves {
        store.move_entry_with(
            &id,
            tweet,
            relative_to,
            above(params, policy),
            policy.move_stale_anchor,
        )
    } else {
        // Checks as a move would, changes nothing.
        store
            .get(&id)
            .map(|c| match (c.contains(tweet), c.contains(relative_to)) {
                (false, _) => MoveOutcome::NotFound,
                (true, false) => MoveOutcome::RelativeNotFound,
                (true, true) => MoveOutcome::Moved,
            })
    };
    match outcome {
        Some(MoveOutcome::Moved) => Ok(soft(vec![])),
        Some(MoveOutcome::NotFound) => match policy.move_not_found {
            SoftAnswer::Report => Ok(soft(vec![json!({
                "change": {"op": "move", "tweet_id": tweet.to_string()},
                "reason": "not_found",
            })])),
            SoftAnswer::Succeed => Ok(soft(vec![])),
            SoftAnswer::Refuse(refusal) => Err(refusal.error("tweet_id")),
        },
        Some(MoveOutcome::RelativeNotFound) => Err(ApiError::no_status()),
        None => Err(ApiError::not_found()),
    }
}

/// One validated curate change.
enum Change {
    Add(String),
    Remove(String),
}

/// `POST collections/entries/curate`: a JSON body `{"id":…,"changes":[{"op","tweet_id"}]}`, up to
/// 100 changes, applied in order under one lock; each failing change is one soft error
/// (`reason` before `change`, as [D-CUR] shows), the others take effect.
pub fn curate(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let body: Value = if policy.curate_json_body {
        serde_json::from_slice(&call.body).map_err(|_| ApiError::bad_body())?
    } else {
        // The body unread: `id` and `changes` only from the query and form.
        json!({"changes": call.params.non_empty("changes")})
    };
    let body = body.as_object().ok_or_else(ApiError::bad_body)?;
    let id = match body.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) | Some(Value::String(_)) => call
            .params
            .non_empty("id")
            .map(str::to_string)
            .ok_or_else(|| ApiError::missing_parameter("id"))?,
        Some(_) => return Err(ApiError::bad_body()),
    };
    let changes = match body.get("changes") {
        None | Some(Value::Null) => return Err(ApiError::missing_parameter("changes")),
        Some(Value::Array(changes)) => changes,
        Some(_) => return Err(ApiError::bad_body()),
    };
    if policy
        .curate_max_changes
        .is_some_and(|max| changes.len() > max)
    {
        return Err(ApiError::bad_body());
    }
    let mut parsed = Vec::with_capacity(changes.len());
    for change in changes {
        let tweet = match change.get("tweet_id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(ApiError::bad_body()),
        };
        match change.get("op").and_then(Value::as_str) {
            Some("add") => parsed.push(Change::Add(tweet)),
            Some("remove") => parsed.push(Change::Remove(tweet)),
            _ => return Err(ApiError::bad_body()),
        }
    }
    let id = collection_id(&id)?;

    let mut store = state.store();
    owned(&store, &id, call, policy)?;
    let mut errors = Vec::new();
    let soft_error = |reason: &str, op: &str, tweet: &str| json!({"reason": reason, "change": {"op": op, "tweet_id": tweet}});
    let applied = if policy.curate_first_change_only {
        1
    } else {
        parsed.len()
    };
    for change in parsed.into_iter().take(applied) {
        let failure = match change {
            Change::Add(raw) => match parse_tweet_id(&raw).filter(|t| state.tweets.contains_key(t))
            {
                None => Some(soft_error("not_found", "add", &raw)),
                Some(tweet) => match store.add_with(
                    &id,
                    tweet,
                    Placement::Top,
                    state.collection_capacity,
                    policy.at_capacity,
                ) {
                    Some(AddOutcome::Duplicate) => {
                        Some(soft_error("duplicate", "add", &tweet.to_string()))
                    }
                    // Only a policy that refuses at capacity gets here; no reason is
                    // documented for it, so it borrows the add's error name.
                    Some(AddOutcome::Full) => {
                        Some(soft_error("not_permitted", "add", &tweet.to_string()))
                    }
                    _ => None,
                },
            },
            Change::Remove(raw) => match parse_tweet_id(&raw) {
                Some(tweet) if store.remove(&id, tweet) == Some(true) => None,
                _ if !policy.curate_report_absent_removal => None,
                _ => Some(soft_error("not_found", "remove", &raw)),
            },
        };
        if let Some(failure) = failure {
            if policy.curate_report_failures {
                errors.push(failure);
            }
            if !policy.curate_continue_after_failure {
                break;
            }
        }
    }
    Ok(soft(errors))
}
