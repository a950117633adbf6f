//! `collections/entries` lists exactly these tweets, in this order.

use super::{Mismatch, body_json, show};
use crate::exchange::RecordedResponse;
use crate::vector::Bindings;
use serde_json::Value;

pub(super) fn check(
    expected: &[String],
    response: &RecordedResponse,
    bindings: &Bindings,
) -> Option<Mismatch> {
    const POINTER: &str = "/response/timeline";
    let json = match body_json("timeline", response) {
        Ok(json) => json,
        Err(mismatch) => return Some(mismatch),
    };
    let want: Vec<String> = match expected.iter().map(|id| bindings.fill(id)).collect() {
        Ok(want) => want,
        Err(e) => {
            return Some(Mismatch::new(
                "timeline",
                "placeholders that resolve",
                e.to_string(),
            ));
        }
    };
    let Some(entries) = json.pointer(POINTER).and_then(Value::as_array) else {
        return Some(
            Mismatch::new(
                "timeline",
                format!("{want:?}"),
                json.pointer(POINTER).map_or("absent".into(), show),
            )
            .at(POINTER),
        );
    };
    let have: Vec<String> = entries
        .iter()
        .map(|entry| match entry.pointer("/tweet/id") {
            Some(Value::String(id)) => id.clone(),
            Some(other) => format!("{other} (not a string)"),
            None => "(entry without tweet.id)".into(),
        })
        .collect();
    (want != have).then(|| {
        Mismatch::new(
            "timeline tweet ids",
            format!("{want:?}"),
            format!("{have:?}"),
        )
        .at(POINTER)
    })
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::{bindings, json, response};

    fn timeline(ids: &[&str]) -> String {
        let entries: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"tweet":{{"id":"{id}"}},"sort_index":"1"}}"#))
            .collect();
        format!(
            r#"{{"objects":{{}},"response":{{"timeline":[{}]}}}}"#,
            entries.join(",")
        )
    }

    #[test]
    fn the_same_ids_in_the_same_order_hold() {
        let want = ["{{tweets[0]}}".to_string(), "{{tweets[1]}}".to_string()];
        assert_eq!(
            check(&want, &json(&timeline(&["101", "102"])), &bindings()),
            None
        );
        assert_eq!(check(&[], &json(&timeline(&[])), &bindings()), None);
    }

    #[test]
    fn another_order_a_missing_id_or_a_numeric_id_is_a_mismatch() {
        let b = bindings();
        let want = ["101".to_string(), "102".to_string()];
        let swapped = check(&want, &json(&timeline(&["102", "101"])), &b).unwrap();
        assert_eq!(
            swapped.to_string(),
            r#"timeline tweet ids at /response/timeline: expected ["101", "102"], actual ["102", "101"]"#
        );
        assert!(check(&want, &json(&timeline(&["101"])), &b).is_some());
        let numeric =
            json(r#"{"response":{"timeline":[{"tweet":{"id":101}},{"tweet":{"id":"102"}}]}}"#);
        assert!(
            check(&want, &numeric, &b)
                .unwrap()
                .actual
                .contains("101 (not a string)")
        );
        let absent = check(&want, &json(r#"{"errors":[]}"#), &b).unwrap();
        assert_eq!(absent.actual, "absent");
        let unbound = check(&["{{tweets[7]}}".to_string()], &json(&timeline(&[])), &b).unwrap();
        assert_eq!(unbound.expected, "placeholders that resolve");
    }

    #[test]
    fn a_body_that_is_not_utf8_says_so() {
        let body = format!("{}\u{0}", timeline(&["101"])).into_bytes();
        let mut bytes = body.clone();
        *bytes.last_mut().unwrap() = 0xc3;
        let found = check(&[], &response(200, "application/json", &bytes), &bindings()).unwrap();
        assert!(
            found
                .actual
                .starts_with("not UTF-8 (RFC 8259 requires UTF-8)"),
            "{found}"
        );
    }
}
