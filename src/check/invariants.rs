//! What every response of the endpoint under test must be, whatever its step expects: not a 5xx,
//! a JSON media type, and a body that is UTF-8 JSON. Each mismatch names the requirement it
//! breaks, so the runner can judge it at that requirement's level.

use super::{Mismatch, body_json, content_type};
use crate::exchange::RecordedResponse;

/// Requirement broken by a 5xx answer.
pub const NO_5XX: &str = "robustness.no_5xx";
/// Requirement broken by a non-JSON media type or body.
pub const RESPONSE_JSON: &str = "remove.response.json";

/// Every invariant `response` breaks, each with the id of the requirement (in
/// `specs/requirements.json`) it breaks; empty when all hold.
pub fn invariants(response: &RecordedResponse) -> Vec<(&'static str, Mismatch)> {
    let mut found = Vec::new();
    if response.status >= 500 {
        found.push((
            NO_5XX,
            Mismatch::new(
                "invariant status",
                "not a 5xx (bad input is the client's error)",
                response.status.to_string(),
            ),
        ));
    }
    if let Some(mismatch) = content_type::check("application/json", response) {
        found.push((
            RESPONSE_JSON,
            Mismatch {
                check: "invariant content type".into(),
                ..mismatch
            },
        ));
    }
    if let Err(mismatch) = body_json("invariant JSON body", response) {
        found.push((RESPONSE_JSON, mismatch));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::RecordedResponse;

    fn response(status: u16, content_type: &str, body: &[u8]) -> RecordedResponse {
        RecordedResponse::new(
            status,
            vec![("content-type".into(), content_type.into())],
            body.to_vec(),
            false,
        )
    }

    fn ids(response: &RecordedResponse) -> Vec<&'static str> {
        invariants(response).into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn a_json_answer_of_any_non_5xx_status_holds() {
        for status in [200, 403, 404, 429] {
            let ok = response(
                status,
                "application/json; charset=utf-8",
                br#"{"errors":[]}"#,
            );
            assert!(
                invariants(&ok).is_empty(),
                "{status}: {:?}",
                invariants(&ok)
            );
        }
    }

    #[test]
    fn a_5xx_breaks_no_5xx_even_with_a_json_body() {
        let found = invariants(&response(503, "application/json", br#"{"errors":[]}"#));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, NO_5XX);
        assert_eq!(found[0].1.actual, "503");
    }

    #[test]
    fn a_wrong_media_type_or_a_non_json_body_breaks_response_json() {
        assert_eq!(ids(&response(200, "text/html", b"{}")), [RESPONSE_JSON]);
        assert_eq!(
            ids(&response(400, "application/json", b"<html>no</html>")),
            [RESPONSE_JSON]
        );
        let mut headerless = response(200, "application/json", b"{}");
        headerless.headers.clear();
        assert_eq!(ids(&headerless), [RESPONSE_JSON]);
        assert_eq!(
            ids(&response(500, "text/plain", b"oops")),
            [NO_5XX, RESPONSE_JSON, RESPONSE_JSON]
        );
    }

    #[test]
    fn a_body_that_is_not_utf8_is_named_so() {
        let found = invariants(&response(
            403,
            "application/json",
            b"{\"errors\":[{\"code\":1,\"message\":\"\xff\xfe\"}]}",
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, RESPONSE_JSON);
        assert!(
            found[0]
                .1
                .actual
                .starts_with("not UTF-8 (RFC 8259 requires UTF-8): invalid byte 0xff at offset 32"),
            "{}",
            found[0].1
        );
    }
}
