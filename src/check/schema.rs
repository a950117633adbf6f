//! The body validates against a named schema from `specs/schemas/`.

use super::{Mismatch, body_json};
use crate::exchange::RecordedResponse;
use crate::spec::Spec;

pub(super) fn check(spec: &Spec, name: &str, response: &RecordedResponse) -> Vec<Mismatch> {
    let label = format!("schema {name}");
    let json = match body_json(&label, response) {
        Ok(json) => json,
        Err(mismatch) => return vec![mismatch],
    };
    match spec.schemas.check(name, json) {
        None => vec![Mismatch::new(
            &label,
            "a schema of that name",
            "none in specs/schemas/",
        )],
        Some(problems) => problems
            .into_iter()
            .map(|p| {
                Mismatch::new(
                    &label,
                    "",
                    format!("{} (keyword {})", p.message, p.schema_path),
                )
                .at(p.instance_path)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::check::test_support::{json, lines, response, spec};

    #[test]
    fn a_valid_body_holds() {
        let spec = spec();
        assert!(
            check(
                &spec,
                "entry-change-envelope",
                &json(r#"{"response":{"errors":[]},"objects":{}}"#)
            )
            .is_empty()
        );
        assert!(
            check(
                &spec,
                "hard-error-envelope",
                &json(r#"{"errors":[{"code":34,"message":"Sorry"}]}"#)
            )
            .is_empty()
        );
    }

    #[test]
    fn each_violation_is_located_by_pointer() {
        let spec = spec();
        let found = check(
            &spec,
            "entry-change-envelope",
            &json(
                r#"{"response":{"errors":[{"change":{"op":"remove","tweet_id":1},"reason":"not_found"}]},"objects":{}}"#,
            ),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].pointer.as_deref(),
            Some("/response/errors/0/change/tweet_id")
        );
        assert_eq!(
            lines(&check(&spec, "no-such-schema", &json("{}"))),
            [
                "schema no-such-schema: expected a schema of that name, actual none in specs/schemas/"
            ]
        );
        let text = check(
            &spec,
            "hard-error-envelope",
            &response(200, "text/plain", b"ok"),
        );
        assert_eq!(
            lines(&text),
            ["schema hard-error-envelope: expected a JSON body, actual not JSON: `ok`"]
        );
    }

    #[test]
    fn the_hard_envelope_refuses_the_soft_envelope_keys() {
        let spec = spec();
        for body in [
            r#"{"errors":[{"code":34,"message":"Sorry"}],"objects":{}}"#,
            r#"{"errors":[{"code":34,"message":"Sorry"}],"response":{"errors":[]}}"#,
        ] {
            assert!(
                !check(&spec, "hard-error-envelope", &json(body)).is_empty(),
                "accepted {body}"
            );
        }
    }
}
