//! Expectations -> verdicts. Each check is one file; each returns the mismatches it found, and
//! every mismatch says what was expected, what came, and where (a JSON pointer when it applies).

mod content_type;
mod cross_cutting;
mod hard_errors;
mod headers;
mod invariants;
mod json_match;
mod rate_limit;
mod schema;
mod soft_errors;
mod status;
mod timeline;
mod values;

pub use cross_cutting::cross_cutting;
pub use invariants::invariants;
pub use json_match::json_diff;
pub use rate_limit::RateLimitReading;

use crate::exchange::RecordedResponse;
use crate::spec::Spec;
use crate::vector::{Bindings, Expect};
use serde::Serialize;

/// One way a response differs from an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// Which check: `status`, `schema entry-change-envelope`, `json`, `error_codes`, ...
    pub check: String,
    /// JSON pointer into the body where the difference is, if it is in the body.
    pub pointer: Option<String>,
    /// What the vector expects.
    pub expected: String,
    /// What the response has.
    pub actual: String,
}

impl Mismatch {
    /// A mismatch without a location.
    pub fn new(
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Mismatch {
            check: check.into(),
            pointer: None,
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// The same mismatch located at a JSON pointer.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// A copy fit to leave the process: the texts quote the response, so they may quote a
    /// secret the target echoed.
    pub fn redacted(&self, redactor: &crate::redact::Redactor) -> Mismatch {
        Mismatch {
            check: redactor.redact(&self.check),
            pointer: self.pointer.as_deref().map(|p| redactor.redact(p)),
            expected: redactor.redact(&self.expected),
            actual: redactor.redact(&self.actual),
        }
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.check)?;
        if let Some(pointer) = &self.pointer {
            write!(f, " at {}", if pointer.is_empty() { "/" } else { pointer })?;
        }
        if self.expected.is_empty() {
            write!(f, ": {}", self.actual)
        } else {
            write!(f, ": expected {}, actual {}", self.expected, self.actual)
        }
    }
}

/// What the checks may consult besides the response.
pub struct Context<'a> {
    /// Schemas and error codes.
    pub spec: &'a Spec,
    /// Fixture values, to fill templated expectations.
    pub bindings: &'a Bindings,
    /// Rate-limit headers of the latest earlier step of the vector that had them.
    pub previous_rate_limit: Option<RateLimitReading>,
}

/// Every mismatch between one response and one set of expectations; empty means it holds.
pub fn judge(expect: &Expect, response: &RecordedResponse, context: &Context<'_>) -> Vec<Mismatch> {
    let mut found = Vec::new();
    if let Some(statuses) = &expect.status {
        found.extend(status::check(&statuses.values(), response));
    }
    if let Some(media_type) = &expect.content_type {
        found.extend(content_type::check(media_type, response));
    }
    found.extend(headers::check(&expect.headers, response));
    if let Some(name) = &expect.schema {
        found.extend(schema::check(context.spec, name, response));
    }
    if let Some(json) = &expect.json {
        found.extend(json_match::check(json, response, context.bindings));
    }
    if let Some(codes) = &expect.error_codes {
        found.extend(hard_errors::check(codes, response, context.spec));
    }
    if let Some(expected) = &expect.soft_errors {
        found.extend(soft_errors::check(expected, response, context.bindings));
    }
    if let Some(timeline) = &expect.timeline {
        found.extend(timeline::check(timeline, response, context.bindings));
    }
    found.extend(values::check(&expect.values, response, context.bindings));
    if let Some(rate_limit) = &expect.rate_limit {
        found.extend(rate_limit::check(
            rate_limit,
            response,
            context.previous_rate_limit,
        ));
    }
    found
}

/// The body as JSON, or a mismatch saying why it is not: not UTF-8, not JSON, too large.
fn body_json<'r>(
    check: &str,
    response: &'r RecordedResponse,
) -> Result<&'r serde_json::Value, Mismatch> {
    response.json.as_ref().ok_or_else(|| {
        Mismatch::new(
            check,
            "a JSON body",
            format!(
                "{}: {}",
                body_problem_summary(response),
                excerpt(&response.body)
            ),
        )
    })
}

/// Why a body has no JSON value, in the words failure text uses: `not UTF-8 (RFC 8259 requires
/// UTF-8)` with the offending byte, or `not JSON`.
fn body_problem_summary(response: &RecordedResponse) -> String {
    use crate::exchange::BodyProblem;
    match &response.body_problem {
        Some(problem @ (BodyProblem::NotUtf8 { .. } | BodyProblem::TooLarge)) => {
            problem.to_string()
        }
        // The parser's position is noise for a person; the excerpt shows the body.
        Some(BodyProblem::NotJson(_)) | None => "not JSON".into(),
    }
}

/// A short, one-line excerpt of a text for failure messages.
pub fn excerpt(text: &str) -> String {
    const LIMIT: usize = 200;
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.is_empty() {
        return "(empty body)".into();
    }
    match one_line.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("`{}…` ({} bytes)", &one_line[..cut], text.len()),
        None => format!("`{one_line}`"),
    }
}

/// A JSON value in compact form for failure text.
fn show(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 200 {
        excerpt(&text)
    } else {
        text
    }
}

/// Builders the check modules' unit tests share.
#[cfg(test)]
mod test_support {
    use crate::exchange::RecordedResponse;
    use crate::spec::Spec;
    use crate::vector::{Bindings, FixtureValues};

    /// A response with one `content-type` header and these body bytes.
    pub fn response(status: u16, content_type: &str, body: &[u8]) -> RecordedResponse {
        RecordedResponse::new(
            status,
            vec![("content-type".into(), content_type.into())],
            body.to_vec(),
            false,
        )
    }

    /// A JSON response (`application/json; charset=utf-8`, HTTP 200).
    pub fn json(body: &str) -> RecordedResponse {
        response(200, "application/json; charset=utf-8", body.as_bytes())
    }

    /// The kit's own `specs/`.
    pub fn spec() -> Spec {
        Spec::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    /// A collection `custom-9` holding tweets `101` and `102`; spare tweet `109`.
    pub fn bindings() -> Bindings {
        Bindings::from_fixtures(&FixtureValues {
            collection: Some(("custom-9".into(), vec!["101".into(), "102".into()])),
            other_collection: None,
            spare_tweets: vec!["109".into()],
        })
    }

    /// Each mismatch as its one-line text.
    pub fn lines<'a>(found: impl IntoIterator<Item = &'a super::Mismatch>) -> Vec<String> {
        found.into_iter().map(ToString::to_string).collect()
    }
}
