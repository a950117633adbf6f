//! The soft envelope's `response.errors` holds exactly the expected `{change, reason}` entries.

use super::{Mismatch, body_json, show};
use crate::exchange::RecordedResponse;
use crate::vector::{Bindings, SoftError};
use serde_json::Value;

pub(super) fn check(
    expected: &[SoftError],
    response: &RecordedResponse,
    bindings: &Bindings,
) -> Vec<Mismatch> {
    const POINTER: &str = "/response/errors";
    let json = match body_json("soft errors", response) {
        Ok(json) => json,
        Err(mismatch) => return vec![mismatch],
    };
    let mut want = Vec::new();
    for error in expected {
        match bindings.fill(&error.tweet_id) {
            Ok(tweet_id) => want.push(SoftError {
                tweet_id,
                ..error.clone()
            }),
            Err(e) => {
                return vec![Mismatch::new(
                    "soft errors",
                    "placeholders that resolve",
                    e.to_string(),
                )];
            }
        }
    }
    let describe = |errors: &[SoftError]| -> String {
        if errors.is_empty() {
            return "[] (no soft errors)".into();
        }
        errors
            .iter()
            .map(|e| {
                format!(
                    "{{op: {}, tweet_id: \"{}\", reason: {}}}",
                    e.op, e.tweet_id, e.reason
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(entries) = json.pointer(POINTER).and_then(Value::as_array) else {
        let actual = json.pointer(POINTER).map_or("absent".to_string(), |v| {
            format!("not an array: {}", show(v))
        });
        return vec![Mismatch::new("soft errors", describe(&want), actual).at(POINTER)];
    };
    let mut found = Vec::new();
    let mut have = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("{POINTER}/{i}");
        let text = |pointer: &str| {
            entry
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        if let Some(id) = entry.pointer("/change/tweet_id") {
            if !id.is_string() {
                found.push(
                    Mismatch::new(
                        "soft errors",
                        "tweet_id as a JSON string",
                        format!(
                            "{} ({})",
                            id,
                            if id.is_number() {
                                "number"
                            } else {
                                "not a string"
                            }
                        ),
                    )
                    .at(format!("{at}/change/tweet_id")),
                );
            }
        }
        match (
            text("/change/op"),
            entry.pointer("/change/tweet_id"),
            text("/reason"),
        ) {
            (Some(op), Some(id), Some(reason)) => have.push(SoftError {
                op,
                tweet_id: id.as_str().map_or_else(|| id.to_string(), str::to_string),
                reason,
            }),
            _ => found.push(
                Mismatch::new(
                    "soft errors",
                    "{change: {op, tweet_id}, reason}",
                    show(entry),
                )
                .at(at),
            ),
        }
    }
    let mut sorted_want = want.clone();
    let mut sorted_have = have.clone();
    let key = |e: &SoftError| (e.op.clone(), e.tweet_id.clone(), e.reason.clone());
    sorted_want.sort_by_key(key);
    sorted_have.sort_by_key(key);
    if found.is_empty() && sorted_want != sorted_have {
        found.push(Mismatch::new("soft errors", describe(&want), describe(&have)).at(POINTER));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::{bindings, json, lines, response};
    use crate::vector::SoftError;

    fn not_found(tweet_id: &str) -> SoftError {
        SoftError {
            op: "remove".into(),
            tweet_id: tweet_id.into(),
            reason: "not_found".into(),
        }
    }

    #[test]
    fn the_expected_entries_in_any_order_hold() {
        let body = r#"{"response":{"errors":[
            {"change":{"op":"remove","tweet_id":"102"},"reason":"not_found"},
            {"change":{"op":"remove","tweet_id":"109"},"reason":"not_found"}]},"objects":{}}"#;
        let want = [not_found("{{spare_tweets[0]}}"), not_found("{{tweets[1]}}")];
        assert!(check(&want, &json(body), &bindings()).is_empty());
        assert!(
            check(
                &[],
                &json(r#"{"response":{"errors":[]},"objects":{}}"#),
                &bindings()
            )
            .is_empty()
        );
    }

    #[test]
    fn missing_extra_or_numeric_entries_are_mismatches() {
        let b = bindings();
        let none = json(r#"{"response":{"errors":[]},"objects":{}}"#);
        assert_eq!(
            lines(&check(&[not_found("109")], &none, &b)),
            [
                "soft errors at /response/errors: expected {op: remove, tweet_id: \"109\", reason: not_found}, actual [] (no soft errors)"
            ]
        );
        let one = json(
            r#"{"response":{"errors":[{"change":{"op":"remove","tweet_id":"109"},"reason":"not_found"}]}}"#,
        );
        assert_eq!(check(&[], &one, &b).len(), 1);
        let numeric = json(
            r#"{"response":{"errors":[{"change":{"op":"remove","tweet_id":109},"reason":"not_found"}]}}"#,
        );
        let found = check(&[not_found("109")], &numeric, &b);
        assert_eq!(
            found[0].pointer.as_deref(),
            Some("/response/errors/0/change/tweet_id")
        );
        assert_eq!(found[0].actual, "109 (number)");
        let shapeless = json(r#"{"response":{"errors":[{"tweet_id":"109"}]}}"#);
        assert_eq!(
            check(&[not_found("109")], &shapeless, &b)[0].expected,
            "{change: {op, tweet_id}, reason}"
        );
        let hard = json(r#"{"errors":[{"code":34,"message":"x"}]}"#);
        assert_eq!(check(&[not_found("109")], &hard, &b)[0].actual, "absent");
        let unbound = check(&[not_found("{{nothing}}")], &none, &b);
        assert_eq!(unbound[0].expected, "placeholders that resolve");
    }

    #[test]
    fn a_body_that_is_not_utf8_says_so() {
        let body = b"{\"response\":{\"errors\":[]},\"objects\":{},\"x\":\"\xfe\"}";
        let found = check(&[], &response(200, "application/json", body), &bindings());
        assert!(
            found[0]
                .actual
                .starts_with("not UTF-8 (RFC 8259 requires UTF-8)"),
            "{}",
            found[0]
        );
    }
}
