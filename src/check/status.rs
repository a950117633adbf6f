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

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::response;
    use crate::vector::StatusPattern::{Class, Code};

    #[test]
    fn an_acceptable_code_or_class_holds() {
        assert_eq!(
            check(&[Code(200)], &response(200, "application/json", b"{}")),
            None
        );
        assert_eq!(
            check(&[Code(403), Class(4)], &response(404, "x", b"")),
            None
        );
    }

    #[test]
    fn any_other_status_is_a_mismatch_listing_the_acceptable_ones() {
        assert_eq!(
            check(&[Code(200)], &response(201, "x", b""))
                .unwrap()
                .to_string(),
            "status: expected 200, actual 201"
        );
        assert_eq!(
            check(&[Code(400), Class(4)], &response(500, "x", b""))
                .unwrap()
                .to_string(),
            "status: expected one of 400, 4xx, actual 500"
        );
    }
}
