//! The hard envelope `{"errors":[{"code":N,"message":"..."}]}` carries an acceptable code.

use super::{Mismatch, body_json, excerpt};
use crate::exchange::RecordedResponse;
use crate::spec::Spec;

pub(super) fn check(
    acceptable: &[u32],
    response: &RecordedResponse,
    spec: &Spec,
) -> Option<Mismatch> {
    let expected = acceptable
        .iter()
        .map(|code| spec.error_codes.describe(*code))
        .collect::<Vec<_>>()
        .join(" or ");
    let expected = format!("errors[].code {expected}");
    let json = match body_json("error code", response) {
        Ok(json) => json,
        Err(mismatch) => {
            return Some(Mismatch {
                expected,
                ..mismatch
            });
        }
    };
    let Some(errors) = json.get("errors").and_then(|e| e.as_array()) else {
        return Some(
            Mismatch::new(
                "error code",
                expected,
                format!("no `errors` array in {}", excerpt(&response.body)),
            )
            .at("/errors"),
        );
    };
    let codes: Vec<Option<u64>> = errors
        .iter()
        .map(|error| error.get("code").and_then(|c| c.as_u64()))
        .collect();
    if codes
        .iter()
        .flatten()
        .any(|code| acceptable.iter().any(|a| u64::from(*a) == *code))
    {
        return None;
    }
    let actual = if codes.is_empty() {
        "an empty `errors` array".to_string()
    } else {
        codes
            .iter()
            .map(|code| match code {
                Some(code) => {
                    u32::try_from(*code).map_or(code.to_string(), |c| spec.error_codes.describe(c))
                }
                None => "an error without an integer `code`".into(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(Mismatch::new("error code", expected, actual).at("/errors"))
}
