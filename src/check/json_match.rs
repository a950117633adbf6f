//! The body equals, or contains, an expected JSON value; differences are reported by pointer.

use super::{Mismatch, body_json, show};
use crate::exchange::RecordedResponse;
use crate::vector::{Bindings, JsonMatch, MatchMode, pointer_token};
use serde_json::Value;

pub(super) fn check(
    expected: &JsonMatch,
    response: &RecordedResponse,
    bindings: &Bindings,
) -> Vec<Mismatch> {
    let actual = match body_json("json", response) {
        Ok(json) => json,
        Err(mismatch) => return vec![mismatch],
    };
    match bindings.fill_json(&expected.value) {
        Ok(value) => json_diff(&value, actual, expected.mode),
        Err(e) => vec![Mismatch::new(
            "json",
            "a vector whose placeholders resolve",
            e.to_string(),
        )],
    }
}

/// Every difference between `expected` and `actual`, each located by a JSON pointer.
/// In `Subset` mode objects may have extra keys; arrays must match element by element either way.
pub fn json_diff(expected: &Value, actual: &Value, mode: MatchMode) -> Vec<Mismatch> {
    let mut found = Vec::new();
    diff(expected, actual, mode, String::new(), &mut found);
    found
}

fn diff(
    expected: &Value,
    actual: &Value,
    mode: MatchMode,
    pointer: String,
    found: &mut Vec<Mismatch>,
) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, want_value) in want {
                let child = format!("{pointer}/{}", pointer_token(key));
                match have.get(key) {
                    Some(have_value) => diff(want_value, have_value, mode, child, found),
                    None => {
                        found.push(Mismatch::new("json", show(want_value), "key missing").at(child))
                    }
                }
            }
            if mode == MatchMode::Exact {
                for (key, have_value) in have {
                    if !want.contains_key(key) {
                        let child = format!("{pointer}/{}", pointer_token(key));
                        found
                            .push(Mismatch::new("json", "no such key", show(have_value)).at(child));
                    }
                }
            }
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                found.push(
                    Mismatch::new(
                        "json",
                        format!("{} element(s): {}", want.len(), show(expected)),
                        format!("{} element(s): {}", have.len(), show(actual)),
                    )
                    .at(pointer),
                );
                return;
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                diff(w, h, mode, format!("{pointer}/{i}"), found);
            }
        }
        (want, have) if want == have => {}
        (want, have) => found.push(
            Mismatch::new(
                "json",
                format!("{} ({})", show(want), kind(want)),
                format!("{} ({})", show(have), kind(have)),
            )
            .at(pointer),
        ),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_reports_missing_extra_and_type_changes_by_pointer() {
        let want = json!({"response": {"errors": []}, "objects": {}});
        let have = json!({"response": {"errors": {}}, "extra": 1});
        let found = json_diff(&want, &have, MatchMode::Exact);
        let pointers: Vec<_> = found.iter().map(|m| m.pointer.clone().unwrap()).collect();
        assert_eq!(pointers, ["/response/errors", "/objects", "/extra"]);
        assert!(found[0].expected.contains("array") && found[0].actual.contains("object"));
    }

    #[test]
    fn check_fills_placeholders_and_needs_a_utf8_json_body() {
        use crate::check::test_support::{bindings, json, response};
        let want = JsonMatch {
            mode: MatchMode::Subset,
            value: json!({"change": {"tweet_id": "{{tweets[0]}}"}}),
        };
        let b = bindings();
        assert!(check(&want, &json(r#"{"change":{"tweet_id":"101"},"x":1}"#), &b).is_empty());
        let other = check(&want, &json(r#"{"change":{"tweet_id":"102"}}"#), &b);
        assert_eq!(
            other[0].to_string(),
            r#"json at /change/tweet_id: expected "101" (string), actual "102" (string)"#
        );
        let latin1 = response(
            200,
            "application/json",
            b"{\"change\":{\"tweet_id\":\"101\"},\"n\":\"\xe9\"}",
        );
        assert!(
            check(&want, &latin1, &b)[0]
                .actual
                .starts_with("not UTF-8 (RFC 8259 requires UTF-8): invalid byte 0xe9"),
            "{:?}",
            check(&want, &latin1, &b)
        );
        let unbound = JsonMatch {
            mode: MatchMode::Exact,
            value: json!("{{nothing}}"),
        };
        assert_eq!(
            check(&unbound, &json("1"), &b)[0].expected,
            "a vector whose placeholders resolve"
        );
    }

    #[test]
    fn subset_allows_extra_keys_but_not_string_for_number() {
        let want = json!({"change": {"tweet_id": "1"}});
        assert!(
            json_diff(
                &want,
                &json!({"change": {"tweet_id": "1", "op": "remove"}}),
                MatchMode::Subset
            )
            .is_empty()
        );
        let found = json_diff(
            &want,
            &json!({"change": {"tweet_id": 1}}),
            MatchMode::Subset,
        );
        assert_eq!(found[0].pointer.as_deref(), Some("/change/tweet_id"));
    }
}
