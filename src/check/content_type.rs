//! The media type of the response, parameters (`charset`) aside.

use super::Mismatch;
use crate::exchange::RecordedResponse;

pub(super) fn check(expected: &str, response: &RecordedResponse) -> Option<Mismatch> {
    let essence = |value: &str| {
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    match response.header("content-type") {
        Some(actual) if essence(actual) == essence(expected) => None,
        Some(actual) => Some(Mismatch::new("content type", expected, actual)),
        None => Some(Mismatch::new(
            "content type",
            expected,
            "no Content-Type header",
        )),
    }
}
