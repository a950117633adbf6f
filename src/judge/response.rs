//! The response rules that need no fixtures: what any answer of a Collections endpoint must look
//! like, whatever was asked. Each is judged with the kit's own checks ([`crate::check`]) where one
//! exists.
//!
//! - invariants: no 5xx, a JSON media type, a UTF-8 JSON body;
//! - `charset=utf-8` on the media type (SHOULD);
//! - envelope: a 2xx answer validates against the endpoint's schema (the entry-change envelope
//!   for add/remove/move/curate), a 4xx against the hard error envelope;
//! - status/code pairs: each code of a hard envelope comes with a status
//!   `specs/error-codes.json` ties it to; a 429 carries code 88;
//! - ids as strings in `response` and `objects.timelines` (embedded tweets and users keep their
//!   numeric `id` beside `id_str`, as v1.1 documents).

use super::endpoint::{Target, success_schema};
use super::finding::Finding;
use crate::check::{self, Context, Mismatch};
use crate::exchange::RecordedResponse;
use crate::spec::Spec;
use crate::vector::{Bindings, Expect, Level};

/// Requirement: success and soft-error answers of entry changes use the soft envelope.
const SOFT_SHAPE: &str = "envelope.soft.shape";
/// Requirement: refusals use the hard envelope.
const HARD_SHAPE: &str = "envelope.hard.shape";
/// Requirement: ids are JSON strings.
const IDS_STRINGS: &str = "remove.ids.strings";
/// Requirement: `application/json; charset=utf-8`.
const CHARSET: &str = "remove.response.content_type";
/// Requirement: an exhausted window answers 429 with code 88.
const EXHAUSTED: &str = "ratelimit.exhausted";

/// Every response rule `response` breaks.
pub fn judge(spec: &Spec, target: &Target, response: &RecordedResponse) -> Vec<Finding> {
    let mut found: Vec<Finding> = check::invariants(response)
        .into_iter()
        .map(|(id, mismatch)| Finding::of(spec, id, Level::Must, mismatch))
        .collect();
    let json_media_type = found
        .iter()
        .all(|f| f.mismatch.check != "invariant content type");
    if json_media_type {
        found.extend(charset(spec, response));
    }
    if response.json.is_none() {
        // The invariants said why; every other rule reads the JSON.
        return found;
    }
    let schema_findings = envelope(spec, target, response);
    let schema_pointers: Vec<Option<String>> = schema_findings
        .iter()
        .map(|f| f.mismatch.pointer.clone())
        .collect();
    found.extend(schema_findings);
    if (400..500).contains(&response.status) {
        found.extend(status_code_pairs(spec, response));
    }
    // A numeric id the schema already located is one problem, not two.
    found.extend(
        ids_as_strings(spec, response)
            .into_iter()
            .filter(|f| !schema_pointers.contains(&f.mismatch.pointer)),
    );
    found
}

fn charset(spec: &Spec, response: &RecordedResponse) -> Option<Finding> {
    let value = response.header("content-type")?;
    let has_utf8 = value.split(';').skip(1).any(|parameter| {
        parameter.split_once('=').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("charset")
                && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
    });
    (!has_utf8).then(|| {
        Finding::of(
            spec,
            CHARSET,
            Level::Should,
            Mismatch::new("content type", "application/json; charset=utf-8", value),
        )
    })
}

/// The schema the status calls for, judged by the kit's schema check.
fn envelope(spec: &Spec, target: &Target, response: &RecordedResponse) -> Vec<Finding> {
    let (schema, requirement) = match response.status {
        200..=299 => match success_schema(&target.name) {
            Some(schema @ "entry-change-envelope") => (schema, Some(SOFT_SHAPE)),
            Some(schema) => (schema, None),
            None => return Vec::new(),
        },
        400..=499 => ("hard-error-envelope", Some(HARD_SHAPE)),
        _ => return Vec::new(),
    };
    let expect: Expect = match serde_json::from_value(serde_json::json!({ "schema": schema })) {
        Ok(expect) => expect,
        Err(_) => return Vec::new(),
    };
    let bindings = Bindings::default();
    let context = Context {
        spec,
        bindings: &bindings,
        previous_rate_limit: None,
    };
    check::judge(&expect, response, &context)
        .into_iter()
        .map(|mismatch| match requirement {
            Some(id) => Finding::of(spec, id, Level::Must, mismatch),
            // The other endpoints' schemas are their documented answers; no requirement of the
            // kit (which is about remove) states them.
            None => Finding::rule(Level::Must, mismatch),
        })
        .collect()
}

/// Each known code with a status the code table ties to it; a 429 carries code 88.
fn status_code_pairs(spec: &Spec, response: &RecordedResponse) -> Vec<Finding> {
    let Some(errors) = response
        .json
        .as_ref()
        .and_then(|json| json.get("errors"))
        .and_then(|errors| errors.as_array())
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut codes = Vec::new();
    for (i, error) in errors.iter().enumerate() {
        let Some(code) = error
            .get("code")
            .and_then(|c| c.as_u64())
            .and_then(|c| u32::try_from(c).ok())
        else {
            continue;
        };
        codes.push(code);
        let Some(entry) = spec.error_codes.get(code) else {
            continue;
        };
        if !entry.statuses.contains(&response.status) {
            let statuses: Vec<String> = entry.statuses.iter().map(u16::to_string).collect();
            found.push(Finding::rule(
                Level::Should,
                Mismatch::new(
                    "status/code pair",
                    format!(
                        "HTTP {} for code {} (specs/error-codes.json)",
                        statuses.join(" or "),
                        spec.error_codes.describe(code)
                    ),
                    format!("HTTP {}", response.status),
                )
                .at(format!("/errors/{i}/code")),
            ));
        }
    }
    if response.status == 429 && !codes.contains(&88) {
        found.push(Finding::of(
            spec,
            EXHAUSTED,
            Level::Must,
            Mismatch::new(
                "error code",
                format!(
                    "errors[].code {} with HTTP 429",
                    spec.error_codes.describe(88)
                ),
                if codes.is_empty() {
                    "no integer code".to_string()
                } else {
                    codes
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            )
            .at("/errors"),
        ));
    }
    found
}

/// Keys whose values are identifiers, cursors or positions (all strings in the Collections API).
fn is_id_key(key: &str) -> bool {
    key == "id"
        || key.ends_with("_id")
        || matches!(
            key,
            "max_position" | "min_position" | "next_cursor" | "previous_cursor" | "sort_index"
        )
}

fn ids_as_strings(spec: &Spec, response: &RecordedResponse) -> Vec<Finding> {
    let Some(json) = &response.json else {
        return Vec::new();
    };
    let mut numbers = Vec::new();
    if let Some(inner) = json.get("response") {
        numeric_ids(inner, "/response", &mut numbers);
    }
    if let Some(timelines) = json.pointer("/objects/timelines") {
        numeric_ids(timelines, "/objects/timelines", &mut numbers);
    }
    numbers
        .into_iter()
        .map(|(pointer, value)| {
            Finding::of(
                spec,
                IDS_STRINGS,
                Level::Must,
                Mismatch::new(
                    "ids as strings",
                    "a JSON string (Collections ids, cursors and positions are strings)",
                    format!("the number {value}"),
                )
                .at(pointer),
            )
        })
        .collect()
}

fn numeric_ids(value: &serde_json::Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if inner.is_number() && is_id_key(key) {
                    out.push((here, inner.to_string()));
                } else {
                    numeric_ids(inner, &here, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numeric_ids(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    fn remove() -> Target {
        Target {
            name: "collections/entries/remove".into(),
            path: "/1.1/collections/entries/remove.json".into(),
        }
    }

    fn response(status: u16, content_type: &str, body: &str) -> RecordedResponse {
        RecordedResponse::new(
            status,
            vec![("content-type".into(), content_type.into())],
            body.as_bytes().to_vec(),
            false,
        )
    }

    fn lines(found: &[Finding]) -> Vec<String> {
        found.iter().map(Finding::line).collect()
    }

    const JSON: &str = "application/json; charset=utf-8";

    #[test]
    fn documented_answers_hold() {
        let spec = spec();
        for (status, body) in [
            (200, r#"{"objects":{},"response":{"errors":[]}}"#),
            (
                200,
                r#"{"response":{"errors":[{"change":{"tweet_id":"390890231215292416","op":"remove"},"reason":"not_found"}]},"objects":{}}"#,
            ),
            (
                404,
                r#"{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}"#,
            ),
            (
                429,
                r#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#,
            ),
            (
                401,
                r#"{"errors":[{"code":89,"message":"Invalid or expired token"}]}"#,
            ),
            (
                403,
                r#"{"errors":[{"code":89,"message":"Invalid or expired token"}]}"#,
            ),
        ] {
            let found = judge(&spec, &remove(), &response(status, JSON, body));
            assert!(found.is_empty(), "{status} {body}: {:?}", lines(&found));
        }
    }

    #[test]
    fn each_rule_names_what_breaks_it() {
        let spec = spec();
        let numeric = judge(
            &spec,
            &remove(),
            &response(
                200,
                JSON,
                r#"{"response":{"errors":[{"change":{"tweet_id":1,"op":"remove"},"reason":"not_found"}]},"objects":{}}"#,
            ),
        );
        assert_eq!(numeric.len(), 1, "{:?}", lines(&numeric));
        assert!(lines(&numeric)[0].starts_with("[MUST envelope.soft.shape] schema entry-change-envelope at /response/errors/0/change/tweet_id"));

        let hard_as_200 = judge(
            &spec,
            &remove(),
            &response(200, JSON, r#"{"errors":[{"code":34,"message":"x"}]}"#),
        );
        assert!(
            lines(&hard_as_200)[0].starts_with("[MUST envelope.soft.shape]"),
            "{:?}",
            lines(&hard_as_200)
        );

        let soft_as_404 = judge(
            &spec,
            &remove(),
            &response(404, JSON, r#"{"objects":{},"response":{"errors":[]}}"#),
        );
        assert!(
            lines(&soft_as_404)[0].starts_with("[MUST envelope.hard.shape]"),
            "{:?}",
            lines(&soft_as_404)
        );

        let pair = judge(
            &spec,
            &remove(),
            &response(
                403,
                JSON,
                r#"{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}"#,
            ),
        );
        assert_eq!(
            lines(&pair),
            [
                "[SHOULD] status/code pair at /errors/0/code: expected HTTP 404 for code 34 (Sorry, that page does not exist.) (specs/error-codes.json), actual HTTP 403"
            ]
        );

        let no_88 = judge(
            &spec,
            &remove(),
            &response(
                429,
                JSON,
                r#"{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}"#,
            ),
        );
        assert!(
            lines(&no_88)
                .iter()
                .any(|l| l.starts_with("[MUST ratelimit.exhausted] error code at /errors")),
            "{:?}",
            lines(&no_88)
        );

        let charset = judge(
            &spec,
            &remove(),
            &response(
                200,
                "application/json",
                r#"{"objects":{},"response":{"errors":[]}}"#,
            ),
        );
        assert_eq!(
            lines(&charset),
            [
                "[SHOULD remove.response.content_type] content type: expected application/json; charset=utf-8, actual application/json"
            ]
        );

        let html = judge(
            &spec,
            &remove(),
            &response(502, "text/html", "<h1>bad gateway</h1>"),
        );
        assert_eq!(html.len(), 3, "{:?}", lines(&html));
        assert!(html.iter().all(|f| f.level == Level::Must));
    }

    #[test]
    fn numeric_ids_outside_the_schemas_are_found_but_embedded_tweets_keep_theirs() {
        let spec = spec();
        let show = Target {
            name: "collections/show".into(),
            path: "/1.1/collections/show.json".into(),
        };
        let body = r#"{"objects":{"tweets":{"5":{"id":5,"id_str":"5"}},"timelines":{"custom-1":{"name":"n","user_id":"7","max_position":12}}},"response":{"timeline_id":"custom-1"}}"#;
        let found = judge(&spec, &show, &response(200, JSON, body));
        assert_eq!(
            lines(&found),
            [
                "[MUST remove.ids.strings] ids as strings at /objects/timelines/custom-1/max_position: expected a JSON string (Collections ids, cursors and positions are strings), actual the number 12"
            ]
        );
    }
}
