//! Single values of the body, each at a JSON pointer: there or not, equal to a value or not, an
//! array with or without a matching element.

use super::{Mismatch, body_json, json_diff, show};
use crate::exchange::RecordedResponse;
use crate::vector::{Bindings, MatchMode, ValueCheck};
use serde_json::Value;

const CHECK: &str = "value";

pub(super) fn check(
    checks: &[ValueCheck],
    response: &RecordedResponse,
    bindings: &Bindings,
) -> Vec<Mismatch> {
    if checks.is_empty() {
        return Vec::new();
    }
    let body = match body_json(CHECK, response) {
        Ok(json) => json,
        Err(mismatch) => return vec![mismatch],
    };
    checks
        .iter()
        .flat_map(|value_check| match filled(value_check, bindings) {
            Ok(filled) => judge(&filled, body),
            Err(e) => vec![Mismatch::new(
                CHECK,
                "a vector whose placeholders resolve",
                e.to_string(),
            )],
        })
        .collect()
}

/// The check with its pointer and values filled.
fn filled(
    check: &ValueCheck,
    bindings: &Bindings,
) -> Result<ValueCheck, crate::vector::TemplateError> {
    let fill = |value: &Option<Value>| value.as_ref().map(|v| bindings.fill_json(v)).transpose();
    Ok(ValueCheck {
        pointer: bindings.fill(&check.pointer)?,
        present: check.present,
        equals: fill(&check.equals)?,
        differs_from: fill(&check.differs_from)?,
        has_item: fill(&check.has_item)?,
        lacks_item: fill(&check.lacks_item)?,
    })
}

/// Every predicate of one (filled) check that the body breaks.
fn judge(check: &ValueCheck, body: &Value) -> Vec<Mismatch> {
    let at = check.pointer.as_str();
    let found = body.pointer(at);
    let actual = || found.map_or_else(|| "nothing there".to_string(), show);
    let mut mismatches = Vec::new();
    let mut fail =
        |expected: String| mismatches.push(Mismatch::new(CHECK, expected, actual()).at(at));
    match (check.present, found) {
        (Some(true), None) => fail("a value".into()),
        (Some(false), Some(_)) => fail("nothing".into()),
        _ => {}
    }
    if let Some(want) = &check.equals {
        if found != Some(want) {
            fail(show(want));
        }
    }
    if let Some(other) = &check.differs_from {
        if found == Some(other) {
            fail(format!("anything but {}", show(other)));
        }
    }
    if let Some(item) = &check.has_item {
        let holds = found
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|i| contains(i, item)));
        if !holds {
            fail(format!(
                "an array with an element containing {}",
                show(item)
            ));
        }
    }
    if let Some(item) = &check.lacks_item {
        match found {
            None => {}
            Some(Value::Array(items)) => {
                if let Some(i) = items.iter().position(|i| contains(i, item)) {
                    mismatches.push(
                        Mismatch::new(
                            CHECK,
                            format!("no element containing {}", show(item)),
                            show(&items[i]),
                        )
                        .at(format!("{at}/{i}")),
                    );
                }
            }
            Some(_) => fail(format!(
                "an array without an element containing {}",
                show(item)
            )),
        }
    }
    mismatches
}

/// Whether `item` contains `want` as `json` `subset` compares.
fn contains(item: &Value, want: &Value) -> bool {
    json_diff(want, item, MatchMode::Subset).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(check: ValueCheck, body: Value) -> Vec<String> {
        judge(&check, &body)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn at(pointer: &str) -> ValueCheck {
        ValueCheck {
            pointer: pointer.into(),
            ..ValueCheck::default()
        }
    }

    #[test]
    fn present_and_equals() {
        let body = json!({"response": {"position": {"was_truncated": true}}});
        let truncated = "/response/position/was_truncated";
        let present = ValueCheck {
            present: Some(true),
            ..at(truncated)
        };
        assert!(run(present, body.clone()).is_empty());
        let absent = ValueCheck {
            present: Some(false),
            ..at(truncated)
        };
        assert_eq!(
            run(absent, body.clone()),
            ["value at /response/position/was_truncated: expected nothing, actual true"]
        );
        let equals = ValueCheck {
            equals: Some(json!(false)),
            ..at(truncated)
        };
        assert_eq!(
            run(equals, body.clone()),
            ["value at /response/position/was_truncated: expected false, actual true"]
        );
        let missing = ValueCheck {
            equals: Some(json!(true)),
            ..at("/response/nope")
        };
        assert_eq!(
            run(missing, body),
            ["value at /response/nope: expected true, actual nothing there"]
        );
    }

    #[test]
    fn differs_from_accepts_absence_and_other_values() {
        let cursor = |body: Value| {
            let check = ValueCheck {
                differs_from: Some(json!("B1")),
                ..at("/response/cursors/next_cursor")
            };
            run(check, body)
        };
        assert!(cursor(json!({"response": {"cursors": {}}})).is_empty());
        assert!(cursor(json!({"response": {"cursors": {"next_cursor": "B2"}}})).is_empty());
        assert_eq!(
            cursor(json!({"response": {"cursors": {"next_cursor": "B1"}}})),
            ["value at /response/cursors/next_cursor: expected anything but \"B1\", actual \"B1\""]
        );
    }

    #[test]
    fn has_item_and_lacks_item_compare_elements_as_subsets() {
        let body = json!({"response": {"results": [{"timeline_id": "custom-1"}, {"timeline_id": "custom-2", "x": 1}]}});
        let results = "/response/results";
        let has = |id: &str| ValueCheck {
            has_item: Some(json!({"timeline_id": id})),
            ..at(results)
        };
        let lacks = |id: &str| ValueCheck {
            lacks_item: Some(json!({"timeline_id": id})),
            ..at(results)
        };
        assert!(run(has("custom-2"), body.clone()).is_empty());
        assert_eq!(run(has("custom-3"), body.clone()).len(), 1);
        assert!(run(lacks("custom-3"), body.clone()).is_empty());
        assert_eq!(
            run(lacks("custom-2"), body.clone()),
            [
                "value at /response/results/1: expected no element containing {\"timeline_id\":\"custom-2\"}, actual {\"timeline_id\":\"custom-2\",\"x\":1}"
            ]
        );
        assert!(run(lacks("custom-1"), json!({"response": {}})).is_empty());
        assert_eq!(
            run(lacks("custom-1"), json!({"response": {"results": "no"}})).len(),
            1
        );
        assert_eq!(run(has("custom-1"), json!({"response": {}})).len(), 1);
    }
}
