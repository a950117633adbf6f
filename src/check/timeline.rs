//! `collections/entries` lists exactly these tweets, in this order.

use super::{Mismatch, body_json, show};
use crate::exchange::RecordedResponse;
use crate::vector::Bindings;
use serde_json::Value;

pub(super) fn check(
    expected: &[String],
    response: &RecordedResponse,
    bindings: &Bindings,
) -> Option<Mismatch> {
    const POINTER: &str = "/response/timeline";
    let json = match body_json("timeline", response) {
        Ok(json) => json,
        Err(mismatch) => return Some(mismatch),
    };
    let want: Vec<String> = match expected.iter().map(|id| bindings.fill(id)).collect() {
        Ok(want) => want,
        Err(e) => {
            return Some(Mismatch::new(
                "timeline",
                "placeholders that resolve",
                e.to_string(),
            ));
        }
    };
    let Some(entries) = json.pointer(POINTER).and_then(Value::as_array) else {
        return Some(
            Mismatch::new(
                "timeline",
                format!("{want:?}"),
                json.pointer(POINTER).map_or("absent".into(), show),
            )
            .at(POINTER),
        );
    };
    let have: Vec<String> = entries
        .iter()
        .map(|entry| match entry.pointer("/tweet/id") {
            Some(Value::String(id)) => id.clone(),
            Some(other) => format!("{other} (not a string)"),
            None => "(entry without tweet.id)".into(),
        })
        .collect();
    (want != have).then(|| {
        Mismatch::new(
            "timeline tweet ids",
            format!("{want:?}"),
            format!("{have:?}"),
        )
        .at(POINTER)
    })
}
