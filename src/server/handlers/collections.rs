//! Collection-level endpoints: create, destroy, update, show, list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{collection_id, count, existing, owned, required, tweet_id};
use crate::server::errors::ApiError;
use crate::server::params::Params;
use crate::server::render;
use crate::server::routes::Call;
use crate::server::state::AppState;
use crate::server::store::{Collection, TimelineOrder};

/// Documented maximum length of `name` ("in 25 characters or less").
const NAME_MAX: usize = 25;
/// Documented maximum length of `description` ("160 characters or fewer").
const DESCRIPTION_MAX: usize = 160;
/// Default page size of `list` (the documentation gives none; 20 as common SDKs assume).
const LIST_DEFAULT_COUNT: usize = 20;

/// The create/update response: `response.timeline_id`, then the owner and the timeline
/// ([D-CRE], [D-UPD] key order).
fn single(state: &AppState, collection: &Collection, response_first: bool) -> Value {
    let objects = json!({
        "users": render::users(state, [collection.user_id.as_str()]),
        "timelines": {collection.id.clone(): render::timeline(state, collection)},
    });
    let response = json!({"timeline_id": collection.id});
    if response_first {
        json!({"response": response, "objects": objects})
    } else {
        json!({"objects": objects, "response": response})
    }
}

/// Validates the descriptive fields shared by create and update.
fn text_fields(params: &Params) -> Result<(String, String), ApiError> {
    let description = params.get("description").unwrap_or("").to_string();
    if description.chars().count() > DESCRIPTION_MAX {
        return Err(ApiError::too_long(DESCRIPTION_MAX));
    }
    let url = params.get("url").unwrap_or("").to_string();
    if !url.is_empty() {
        let valid = url::Url::parse(&url)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .unwrap_or(false);
        if !valid {
            return Err(ApiError::code(195));
        }
    }
    Ok((description, url))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.chars().count() > NAME_MAX {
        return Err(ApiError::too_long(NAME_MAX));
    }
    Ok(())
}

/// `POST collections/create`: name required; description, url, timeline_order optional.
pub fn create(state: &AppState, call: &Call) -> Result<Value, ApiError> {
    let name = required(&call.params, "name")?.to_string();
    check_name(&name)?;
    let (description, url) = text_fields(&call.params)?;
    // An unrecognised order falls back to the documented default rather than failing.
    let order = call
        .params
        .get("timeline_order")
        .and_then(TimelineOrder::parse)
        .unwrap_or_default();
    let mut store = state.store();
    let id = store.create(&call.principal.user_id, name, description, url, order);
    let collection = existing(&store, &id)?;
    Ok(single(state, collection, true))
}

/// `POST collections/destroy`: `{"destroyed":true}` ([D-DES]).
pub fn destroy(state: &AppState, call: &Call) -> Result<Value, ApiError> {
    let id = collection_id(required(&call.params, "id")?)?;
    let mut store = state.store();
    owned(&store, &id, call)?;
    store.destroy(&id);
    Ok(json!({"destroyed": true}))
}

/// `POST collections/update`: omitted description/url become `""` ([D-UPD]); an omitted name
/// keeps the current one.
pub fn update(state: &AppState, call: &Call) -> Result<Value, ApiError> {
    let id = collection_id(required(&call.params, "id")?)?;
    let name = call.params.non_empty("name").map(str::to_string);
    if let Some(name) = &name {
        check_name(name)?;
    }
    let (description, url) = text_fields(&call.params)?;
    let mut store = state.store();
    owned(&store, &id, call)?;
    let collection = store.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if let Some(name) = name {
        collection.name = name;
    }
    collection.description = description;
    collection.url = url;
    Ok(single(state, collection, true))
}

/// `GET collections/show`: anyone may read any collection ([D-ABOUT]).
pub fn show(state: &AppState, call: &Call) -> Result<Value, ApiError> {
    let id = collection_id(required(&call.params, "id")?)?;
    let store = state.store();
    Ok(single(state, existing(&store, &id)?, false))
}

/// `GET collections/list`: a user's collections (by `user_id` or `screen_name`), optionally only
/// those holding `tweet_id`, newest first, cursored.
pub fn list(state: &AppState, call: &Call) -> Result<Value, ApiError> {
    let params = &call.params;
    let user_id = match (params.non_empty("user_id"), params.non_empty("screen_name")) {
        (Some(id), _) => state.users.get(id).map(|u| u.user_id.clone()),
        (None, Some(name)) => state
            .screen_names
            .get(&name.trim_start_matches('@').to_ascii_lowercase())
            .cloned(),
        (None, None) => return Err(ApiError::missing_parameter("user_id")),
    }
    .ok_or_else(|| ApiError::code(50))?;
    let tweet = params.non_empty("tweet_id").map(tweet_id).transpose()?;
    let count = count(params, LIST_DEFAULT_COUNT);
    let offset = params
        .non_empty("cursor")
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
    let page: Vec<&Collection> = mine.iter().skip(offset).take(count).copied().collect();

    let mut timelines = serde_json::Map::new();
    for c in &page {
        timelines.insert(c.id.clone(), render::timeline(state, c));
    }
    let results: Vec<Value> = page.iter().map(|c| json!({"timeline_id": c.id})).collect();
    let mut cursors = serde_json::Map::new();
    if offset + page.len() < mine.len() {
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
