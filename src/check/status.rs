//! The HTTP status is one of the acceptable ones.

use super::Mismatch;
use crate::exchange::RecordedResponse;
use crate::vector::StatusPattern;

pub(super) fn check(acceptable: &[StatusPattern], response: &RecordedResponse) -> Option<Mismatch> {
    if acceptable
        .iter()
        .any(|pattern| pattern.matches(response.status))
    {
        return None;
    }
    let expected = match acceptable {
        [one] => one.to_string(),
        many => format!(
            "one of {}",
            many.iter()
                .map(StatusPattern::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(Mismatch::new(
        "status",
        expected,
        response.status.to_string(),
    ))
}
