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

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::response;

    #[test]
    fn the_media_type_is_compared_without_parameters_or_case() {
        for actual in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
        ] {
            assert_eq!(
                check("application/json", &response(200, actual, b"{}")),
                None
            );
        }
    }

    #[test]
    fn another_media_type_or_none_is_a_mismatch() {
        let found = check(
            "application/json",
            &response(200, "text/html; charset=utf-8", b""),
        );
        assert_eq!(
            found.unwrap().to_string(),
            "content type: expected application/json, actual text/html; charset=utf-8"
        );
        // `application/json-seq` shares a prefix, not the media type.
        assert!(
            check(
                "application/json",
                &response(200, "application/json-seq", b"")
            )
            .is_some()
        );
        let mut headerless = response(200, "application/json", b"{}");
        headerless.headers.clear();
        assert_eq!(
            check("application/json", &headerless).unwrap().actual,
            "no Content-Type header"
        );
    }
}
