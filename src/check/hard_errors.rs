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

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::{json, response, spec};

    #[test]
    fn an_acceptable_code_anywhere_in_errors_holds() {
        let spec = spec();
        let body = r#"{"errors":[{"code":44,"message":"a"},{"code":38,"message":"b"}]}"#;
        assert_eq!(check(&[38, 170], &json(body), &spec), None);
    }

    #[test]
    fn other_codes_missing_codes_and_non_envelopes_are_named() {
        let spec = spec();
        let wrong = check(
            &[34],
            &json(r#"{"errors":[{"code":44,"message":"x"}]}"#),
            &spec,
        )
        .unwrap();
        assert_eq!(wrong.pointer.as_deref(), Some("/errors"));
        assert!(wrong.expected.starts_with("errors[].code 34"), "{wrong}");
        assert!(wrong.actual.starts_with("44"), "{wrong}");
        let empty = check(&[34], &json(r#"{"errors":[]}"#), &spec).unwrap();
        assert_eq!(empty.actual, "an empty `errors` array");
        let string_code = check(&[34], &json(r#"{"errors":[{"code":"34"}]}"#), &spec).unwrap();
        assert_eq!(string_code.actual, "an error without an integer `code`");
        let soft = check(
            &[34],
            &json(r#"{"response":{"errors":[]},"objects":{}}"#),
            &spec,
        )
        .unwrap();
        assert!(soft.actual.starts_with("no `errors` array in"), "{soft}");
        let html = check(&[34], &response(404, "text/html", b"<h1>404</h1>"), &spec).unwrap();
        assert_eq!(html.actual, "not JSON: `<h1>404</h1>`");
    }

    #[test]
    fn a_body_that_is_not_utf8_is_not_utf8_rather_than_not_json() {
        let spec = spec();
        let body = b"{\"errors\":[{\"code\":34,\"message\":\"\xff\xfe\"}]}";
        let found = check(&[34], &response(404, "application/json", body), &spec).unwrap();
        assert!(
            found
                .actual
                .starts_with("not UTF-8 (RFC 8259 requires UTF-8): invalid byte 0xff at offset 33"),
            "{found}"
        );
    }
}
