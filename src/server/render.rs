//! The JSON objects responses embed (users, tweets, timelines), in v1.1's shapes
//! ([D-CRE], [D-SHO], [D-ENT]): ids as both number and `id_str` in users and tweets, strings
//! everywhere in the Collections-specific parts.

use serde_json::{Value, json};

use super::seed::{SeedTweet, SeedUser};
use super::state::AppState;
use super::store::Collection;

/// A v1.1 user object (the fields clients commonly read; counts are plausible constants).
pub fn user(state: &AppState, user: &SeedUser) -> Value {
    let statuses = state
        .seed
        .tweets
        .iter()
        .filter(|t| t.user_id == user.user_id)
        .count();
    json!({
        "id": user.user_id.parse::<u64>().unwrap_or(0),
        "id_str": user.user_id,
        "name": user.name,
        "screen_name": user.screen_name,
        "location": "",
        "description": "",
        "url": null,
        "entities": {"description": {"urls": []}},
        "protected": false,
        "followers_count": 0,
        "friends_count": 0,
        "listed_count": 0,
        "created_at": "Tue Jun 08 09:00:00 +0000 2021",
        "favourites_count": 0,
        "utc_offset": null,
        "time_zone": null,
        "geo_enabled": false,
        "verified": false,
        "statuses_count": statuses,
        "lang": null,
        "contributors_enabled": false,
        "is_translator": false,
        "profile_background_color": "F5F8FA",
        "profile_image_url": "http://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png",
        "profile_image_url_https": "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png",
        "profile_link_color": "1DA1F2",
        "profile_text_color": "333333",
        "default_profile": true,
        "default_profile_image": true,
        "following": false,
        "follow_request_sent": false,
        "notifications": false
    })
}

/// A v1.1 tweet object with the decomposed user reference `{"id","id_str"}` that `entries` uses.
pub fn tweet(tweet: &SeedTweet) -> Value {
    json!({
        "created_at": tweet.created_at,
        "id": tweet.id.parse::<u64>().unwrap_or(0),
        "id_str": tweet.id,
        "text": tweet.text,
        "truncated": false,
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "source": "<a href=\"https://github.com/\" rel=\"nofollow\">Collections Conformance Kit</a>",
        "in_reply_to_status_id": null,
        "in_reply_to_status_id_str": null,
        "in_reply_to_user_id": null,
        "in_reply_to_user_id_str": null,
        "in_reply_to_screen_name": null,
        "user": {"id": tweet.user_id.parse::<u64>().unwrap_or(0), "id_str": tweet.user_id},
        "geo": null,
        "coordinates": null,
        "place": null,
        "contributors": null,
        "is_quote_status": false,
        "retweet_count": 0,
        "favorite_count": 0,
        "favorited": false,
        "retweeted": false,
        "lang": "en"
    })
}

/// The timeline (collection) object of show, list and entries; `name` and `user_id` first, as the
/// minimal form in the create example.
pub fn timeline(state: &AppState, collection: &Collection) -> Value {
    let screen_name = state
        .users
        .get(&collection.user_id)
        .map(|u| u.screen_name.as_str())
        .unwrap_or("i");
    json!({
        "name": collection.name,
        "user_id": collection.user_id,
        "collection_url": format!("https://twitter.com/{screen_name}/timelines/{}", collection.numeric_id()),
        "description": collection.description,
        "url": collection.url,
        "visibility": "public",
        "timeline_order": collection.timeline_order.as_str(),
        "collection_type": "user"
    })
}

/// `{"<user id>": user}` for the given user ids (unknown ids skipped), in order, without repeats.
pub fn users<'a>(state: &AppState, ids: impl IntoIterator<Item = &'a str>) -> Value {
    let mut map = serde_json::Map::new();
    for id in ids {
        if map.contains_key(id) {
            continue;
        }
        if let Some(u) = state.users.get(id) {
            map.insert(id.to_string(), user(state, u));
        }
    }
    Value::Object(map)
}
