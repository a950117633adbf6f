//! The HTTP status is one of the acceptable ones.

use super::Mismatch;
use crate::exchange::RecordedResponse;

pub(super) fn check(acceptable: &[u16], response: &RecordedResponse) -> Option<Mismatch> {
    if acceptable.contains(&response.status) {
        return None;
    }
    let expected = match acceptable {
        [one] => one.to_string(),
        many => format!(
            "one of {}",
            many.iter()
                .map(u16::to_string)
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
