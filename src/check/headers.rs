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

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::{lines, response};
    use crate::vector::HeaderExpectation;
    use std::collections::BTreeMap;

    fn expect(
        name: &str,
        present: Option<bool>,
        equals: Option<&str>,
    ) -> BTreeMap<String, HeaderExpectation> {
        BTreeMap::from([(
            name.to_string(),
            HeaderExpectation {
                present,
                equals: equals.map(str::to_string),
            },
        )])
    }

    #[test]
    fn presence_absence_and_values_are_checked_case_insensitively_by_name() {
        let r = response(200, "application/json; charset=utf-8", b"{}");
        assert!(check(&expect("Content-Type", Some(true), None), &r).is_empty());
        assert!(check(&expect("x-missing", Some(false), None), &r).is_empty());
        assert!(
            check(
                &expect(
                    "content-type",
                    None,
                    Some("application/json; charset=utf-8")
                ),
                &r
            )
            .is_empty()
        );
    }

    #[test]
    fn each_broken_expectation_is_named() {
        let r = response(200, "application/json", b"{}");
        assert_eq!(
            lines(&check(&expect("x-transaction", Some(true), None), &r)),
            ["header x-transaction: expected present, actual absent"]
        );
        assert_eq!(
            lines(&check(&expect("content-type", Some(false), None), &r)),
            ["header content-type: expected absent, actual `application/json`"]
        );
        assert_eq!(
            lines(&check(
                &expect(
                    "content-type",
                    None,
                    Some("application/json; charset=utf-8")
                ),
                &r
            )),
            [
                "header content-type: expected `application/json; charset=utf-8`, actual `application/json`"
            ]
        );
        assert_eq!(
            lines(&check(&expect("x-gone", Some(true), Some("1")), &r)),
            [
                "header x-gone: expected present, actual absent",
                "header x-gone: expected `1`, actual absent"
            ]
        );
    }
}
