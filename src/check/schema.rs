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
