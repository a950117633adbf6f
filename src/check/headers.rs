//! Named headers present, absent, or equal to a value.

use super::Mismatch;
use crate::exchange::RecordedResponse;
use crate::vector::HeaderExpectation;
use std::collections::BTreeMap;

pub(super) fn check(
    expected: &BTreeMap<String, HeaderExpectation>,
    response: &RecordedResponse,
) -> Vec<Mismatch> {
    let mut found = Vec::new();
    for (name, expectation) in expected {
        let actual = response.header(name);
        let what = format!("header {name}");
        match (expectation.present, actual) {
            (Some(true), None) => found.push(Mismatch::new(&what, "present", "absent")),
            (Some(false), Some(value)) => {
                found.push(Mismatch::new(&what, "absent", format!("`{value}`")))
            }
            _ => {}
        }
        if let Some(value) = &expectation.equals {
            if actual != Some(value.as_str()) {
                found.push(Mismatch::new(
                    &what,
                    format!("`{value}`"),
                    actual.map_or("absent".to_string(), |a| format!("`{a}`")),
                ));
            }
        }
    }
    found
}
