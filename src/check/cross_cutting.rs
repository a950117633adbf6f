//! Rules that hold for every response of the endpoint under test, checked on every exchange
//! rather than in one vector: ids are JSON strings at every size, and authentication and
//! rate-limit refusals carry the hard envelope. Each names the requirement it breaks.

use super::{Mismatch, schema};
use crate::exchange::RecordedResponse;
use crate::spec::Spec;
use serde_json::Value;

/// Requirement broken by an id sent as a JSON number.
pub const IDS_AS_STRINGS: &str = "remove.ids.strings";
/// Requirement broken by a 401 or 429 without the hard envelope.
pub const HARD_ENVELOPE: &str = "envelope.hard.shape";

/// Keys whose values are ids or positions: JSON strings wherever they appear (a server that
/// writes small ids as numbers and large ones as strings breaks JavaScript clients only
/// sometimes, which is worse).
const ID_KEYS: [&str; 6] = [
    "tweet_id",
    "timeline_id",
    "sort_index",
    "max_position",
    "min_position",
    "id_str",
];

/// Every cross-cutting rule `response` breaks, with the requirement id.
pub fn cross_cutting(response: &RecordedResponse, spec: &Spec) -> Vec<(&'static str, Mismatch)> {
    let mut found = Vec::new();
    if let Some(json) = &response.json {
        let mut numbers = Vec::new();
        numeric_ids(json, String::new(), false, &mut numbers);
        for (pointer, value) in numbers {
            found.push((
                IDS_AS_STRINGS,
                Mismatch::new("invariant ids as strings", "a JSON string", value).at(pointer),
            ));
        }
    }
    if matches!(response.status, 401 | 429) {
        for mismatch in schema::check(spec, "hard-error-envelope", response) {
            found.push((
                HARD_ENVELOPE,
                Mismatch {
                    check: format!("invariant hard envelope on {}", response.status),
                    ..mismatch
                },
            ));
        }
    }
    found
}

/// Collects id-like values that are numbers: values of [`ID_KEYS`], and `id` inside a timeline
/// entry's `tweet` (the documented `{"tweet": {"id": "…", "sort_index": "…"}}`).
fn numeric_ids(value: &Value, pointer: String, in_tweet: bool, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let at = format!("{pointer}/{}", crate::vector::pointer_token(key));
                let id_key = ID_KEYS.contains(&key.as_str()) || (in_tweet && key == "id");
                if id_key && child.is_number() {
                    out.push((at.clone(), child.to_string()));
                }
                numeric_ids(child, at, key == "tweet", out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numeric_ids(item, format!("{pointer}/{i}"), false, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    fn response(status: u16, body: &str) -> RecordedResponse {
        RecordedResponse::new(
            status,
            vec![("content-type".into(), "application/json".into())],
            body.as_bytes().to_vec(),
            false,
        )
    }

    fn broken(status: u16, body: &str) -> Vec<(&'static str, String)> {
        cross_cutting(&response(status, body), &spec())
            .into_iter()
            .map(|(id, m)| (id, m.to_string()))
            .collect()
    }

    #[test]
    fn small_ids_written_as_numbers_are_caught_wherever_they_are() {
        let body = r#"{"objects":{},"response":{"timeline_id":"custom-1","timeline":[{"tweet":{"id":20,"sort_index":"20"}}],"errors":[{"change":{"op":"remove","tweet_id":21},"reason":"not_found"}]}}"#;
        let found = broken(200, body);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].1.contains("/response/timeline/0/tweet/id"),
            "{found:?}"
        );
        assert!(
            found[1].1.contains("/response/errors/0/change/tweet_id"),
            "{found:?}"
        );
    }

    #[test]
    fn ids_as_strings_and_numeric_non_ids_pass() {
        let body = r#"{"objects":{"tweets":{"20":{"id":20,"id_str":"20","retweet_count":3}}},"response":{"timeline":[{"tweet":{"id":"20","sort_index":"20"}}]}}"#;
        assert_eq!(broken(200, body), []);
    }

    #[test]
    fn auth_and_rate_limit_refusals_need_the_hard_envelope() {
        assert_eq!(
            broken(
                401,
                r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#
            ),
            []
        );
        assert_eq!(
            broken(
                429,
                r#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#
            ),
            []
        );
        let soft = r#"{"objects":{},"response":{"errors":[]}}"#;
        assert!(broken(401, soft).iter().all(|(id, _)| *id == HARD_ENVELOPE));
        assert!(!broken(401, soft).is_empty());
        assert!(!broken(429, r#"{"error":"slow down"}"#).is_empty());
        assert_eq!(
            broken(404, soft),
            [],
            "other refusals may differ (envelope.hard.request_errors is SHOULD)"
        );
    }
}
