//! Collection-level endpoints: create, destroy, update, show, list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{collection_id, count, existing, owned, readable, required, tweet_id};
use crate::server::errors::ApiError;
use crate::server::params::Params;
use crate::server::policy::{Policy, Refusal};
use crate::server::render;
use crate::server::routes::Call;
use crate::server::state::AppState;
use crate::server::store::{Collection, TimelineOrder};

/// Default page size of `list` (the documentation gives none; 20 as common SDKs assume).
const LIST_DEFAULT_COUNT: usize = 20;

/// The create/update/show response: `response.timeline_id`, then the owner and the timeline
/// ([D-CRE], [D-UPD] key order). The policy may drop `response` or trim the timeline object.
fn single(
    state: &AppState,
    collection: &Collection,
    response_first: bool,
    policy: &Policy,
) -> Value {
    let mut timeline = render::timeline(state, collection);
    if !policy.full_timeline {
        if let Some(object) = timeline.as_object_mut() {
            object.retain(|key, _| key == "name" || key == "user_id");
        }
    }
    let objects = json!({
        "users": render::users(state, [collection.user_id.as_str()]),
        "timelines": {collection.id.clone(): timeline},
    });
    if !policy.single_response {
        return json!({ "objects": objects });
    }
    let response = json!({"timeline_id": collection.id});
    if response_first {
        json!({"response": response, "objects": objects})
    } else {
        json!({"objects": objects, "response": response})
    }
}

/// Validates the descriptive fields shared by create and update (the documented limits: name "in
/// 25 characters or less", description "160 characters or fewer", a "fully-qualified URL").
/// `None` for an omitted one.
fn text_fields(
    params: &Params,
    policy: &Policy,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let description = params.get("description").map(str::to_string);
    if let Some(description) = &description {
        if description.chars().count() > policy.description_max {
            return Err(ApiError::too_long(policy.description_max));
        }
    }
    let url = params.get("url").map(str::to_string);
    if let Some(url) = url
        .as_deref()
        .filter(|u| !u.is_empty() && policy.validate_url)
    {
        let valid = url::Url::parse(url)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .unwrap_or(false);
        if !valid {
            return Err(ApiError::code(195));
        }
    }
    Ok((description, url))
}

fn check_name(name: &str, policy: &Policy) -> Result<(), ApiError> {
    if name.chars().count() > policy.name_max {
        return Err(ApiError::too_long(policy.name_max));
    }
    Ok(())
}

/// `POST collections/create`: name required; description, url, timeline_order optional.
pub fn create(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let name = match required(&call.params, "name") {
        Err(_) if !policy.require_name => String::new(),
        name => name?.to_string(),
    };
    check_name(&name, policy)?;
    let (description, url) = text_fields(&call.params, policy)?;
    // An unrecognised order falls back to the documented default rather than failing.
    let order = match call.params.non_empty("timeline_order") {
        Some(raw) if policy.honour_timeline_order => match TimelineOrder::parse(raw) {
            Some(order) => order,
            None => match policy.refuse_unknown_timeline_order {
                Some(refusal) => return Err(refusal.error("timeline_order")),
                None => policy.default_timeline_order,
            },
        },
        _ => policy.default_timeline_order,
    };
    let mut store = state.store();
    let id = store.create(
        &call.principal.user_id,
        name,
        description.unwrap_or_default(),
        url.unwrap_or_default(),
        order,
    );
    let collection = existing(&store, &id)?;
    Ok(single(state, collection, true, policy))
}

/// `POST collections/destroy`: `{"destroyed":true}` ([D-DES]).
pub fn destroy(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let id = collection_id(required(&call.params, "id")?)?;
    let mut store = state.store();
    match owned(&store, &id, call, policy) {
        Err(_) if policy.destroy_unknown_succeeds && store.get(&id).is_none() => {}
        result => {
            result?;
        }
    }
    if policy.destroy_deletes {
        store.destroy(&id);
    }
    if policy.destroy_bare_body {
        Ok(json!({"destroyed": true}))
    } else {
        Ok(json!({"objects": {}, "response": {"destroyed": true}}))
    }
}

/// `POST collections/update`: omitted description/url become `""` ([D-UPD]); an omitted name
/// keeps the current one.
pub fn update(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let id = collection_id(required(&call.params, "id")?)?;
    let name = call.params.non_empty("name").map(str::to_string);
    match &name {
        Some(name) => check_name(name, policy)?,
        None if policy.update_requires_name => {
            return Err(Refusal::code(38).error("name"));
        }
        None => {}
    }
    let (description, url) = text_fields(&call.params, policy)?;
    let mut store = state.store();
    owned(&store, &id, call, policy)?;
    let collection = store.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if let Some(name) = name.filter(|_| policy.update_name) {
        collection.name = name;
    }
    if let Some(description) = description.or(policy.update_clears_omitted.then(String::new)) {
        collection.description = description;
    }
    if let Some(url) = url.or(policy.update_clears_omitted.then(String::new)) {
        collection.url = url;
    }
    Ok(single(state, collection, true, policy))
}

/// `GET collections/show`: anyone may read any collection ([D-ABOUT]).
pub fn show(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let id = collection_id(required(&call.params, "id")?)?;
    let store = state.store();
    let collection = readable(&store, &id, call, policy)?;
    Ok(single(state, collection, false, policy))
}

/// `GET collections/list`: a user's collections (by `user_id` or `screen_name`), optionally only
/// those holding `tweet_id`, newest first, cursored.
pub fn list(state: &AppState, policy: &Policy, call: &Call) -> Result<Value, ApiError> {
    let params = &call.params;
    let by_id = params
        .non_empty("user_id")
        .filter(|_| policy.list_by_user_id);
    let by_name = params
        .non_empty("screen_name")
        .filter(|_| policy.list_by_screen_name);
    let user_id = match (by_id, by_name) {
        _ if !policy.list_by_user_id => Some(call.principal.user_id.clone()),
        (Some(id), _) => state.users.get(id).map(|u| u.user_id.clone()),
        (None, Some(name)) => state
            .screen_names
            .get(&name.trim_start_matches('@').to_ascii_lowercase())
            .cloned(),
        (None, None) => return Err(ApiError::missing_parameter("user_id")),
    }
    .ok_or_else(|| ApiError::code(50))?;
    let tweet = params
        .non_empty("tweet_id")
        .filter(|_| policy.list_tweet_filter)
        .map(tweet_id)
        .transpose()?;
    let count = count(params, LIST_DEFAULT_COUNT, policy);
    let offset = params
        .non_empty("cursor")
        .filter(|_| policy.list_cursor)
        .and_then(decode_cursor)
        .unwrap_or(0);

    let store = state.store();
    let mut mine: Vec<&Collection> = store
        .collections
        .values()
        .filter(|c| c.user_id == user_id)
        .filter(|c| tweet.is_none_or(|t| c.contains(t)))
        .collect();
    // Newest first: ids are time-ordered numbers.
    mine.sort_by_key(|c| std::cmp::Reverse(c.numeric_id().parse::<u64>().unwrap_or(0)));
    if !policy.list_newest_first {
        mine.reverse();
    }
    let page: Vec<&Collection> = mine.iter().skip(offset).take(count).copied().collect();

    let mut timelines = serde_json::Map::new();
    for c in &page {
        timelines.insert(c.id.clone(), render::timeline(state, c));
    }
    let results: Vec<Value> = page.iter().map(|c| json!({"timeline_id": c.id})).collect();
    let mut cursors = serde_json::Map::new();
    if offset + page.len() < mine.len() && policy.next_cursor {
        cursors.insert(
            "next_cursor".into(),
            encode_cursor(offset + page.len()).into(),
        );
    }
    if offset > 0 {
        cursors.insert(
            "previous_cursor".into(),
            encode_cursor(offset.saturating_sub(count)).into(),
        );
    }
    Ok(json!({
        "objects": {
            "users": render::users(state, [user_id.as_str()]),
            "timelines": timelines,
        },
        "response": {"results": results, "cursors": cursors},
    }))
}

/// Cursors are opaque strings (like Twitter's `B9XAeo1CcAA`); here they encode an offset.
fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o{offset}"))
}

/// An offset from a cursor; unreadable cursors restart at the beginning.
fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix('o')?
        .parse()
        .ok()
}
