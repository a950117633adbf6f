//! The hard error envelope `{"errors":[{"code":N,"message":"…"}]}` and the JSON responses every
//! endpoint shares.
//!
//! Messages and statuses come from `specs/error-codes.json` (the contract the harness also reads),
//! so a wording fix there changes the server too. The few codes the server uses that the spec
//! table does not list carry their wording here, with the source in the comment.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The content type Twitter sent on every v1.1 JSON response, errors included.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// One row of `specs/error-codes.json`.
struct CodeRow {
    status: u16,
    message: String,
}

/// The code table, parsed once. A malformed spec file is a build-time bug, caught by the tests.
static CODES: LazyLock<HashMap<u32, CodeRow>> = LazyLock::new(|| {
    let spec: Value = serde_json::from_str(include_str!("../../specs/error-codes.json"))
        .expect("specs/error-codes.json is valid JSON");
    let mut table = HashMap::new();
    if let Some(codes) = spec.get("codes").and_then(Value::as_object) {
        for (code, row) in codes {
            let (Ok(code), Some(status), Some(message)) = (
                code.parse::<u32>(),
                row.pointer("/statuses/0").and_then(Value::as_u64),
                row.get("message").and_then(Value::as_str),
            ) else {
                continue;
            };
            table.insert(
                code,
                CodeRow {
                    status: status as u16,
                    message: message.to_string(),
                },
            );
        }
    }
    // Codes the spec table does not carry (yet), from the v1.1 code table
    // <https://developer.twitter.com/en/docs/basics/response-codes>.
    for (code, status, message) in [
        (50, 404, "User not found."),
        (
            120,
            403,
            "Account update failed: value is too long (maximum is {max} characters).",
        ),
        (195, 403, "Missing or invalid url parameter."),
    ] {
        table.entry(code).or_insert_with(|| CodeRow {
            status,
            message: message.to_string(),
        });
    }
    table
});

/// A request error, answered with the hard envelope. Constructed from a code so the status and
/// the wording always agree with the spec table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// Twitter error code (`errors[0].code`).
    pub code: u32,
    /// Human-readable text (`errors[0].message`).
    pub message: String,
}

impl ApiError {
    /// The error for `code` with the status and message the spec table gives it.
    pub fn code(code: u32) -> Self {
        let (status, message) = match CODES.get(&code) {
            Some(row) => (row.status, row.message.clone()),
            None => (400, format!("Error {code}.")),
        };
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            message,
        }
    }

    /// Same code, another status (for codes whose status this server chooses differently).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Same code, another message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// 400 / 215: no authentication, or authentication too broken to read.
    pub fn bad_authentication() -> Self {
        Self::code(215)
    }

    /// 401 / 32: the request could not be authenticated.
    pub fn not_authenticated() -> Self {
        Self::code(32)
    }

    /// 401 / 89: the token is unknown or revoked.
    pub fn invalid_token() -> Self {
        Self::code(89)
    }

    /// 404 / 34: no such page or collection.
    pub fn not_found() -> Self {
        Self::code(34)
    }

    /// 404 / 144: no such tweet.
    pub fn no_status() -> Self {
        Self::code(144)
    }

    /// 403 / 87: the collection belongs to someone else.
    pub fn not_permitted() -> Self {
        Self::code(87)
    }

    /// 403 / 38: `<name> parameter is missing.`
    pub fn missing_parameter(name: &str) -> Self {
        let error = Self::code(38);
        let message = error.message.replace("{name}", name);
        error.with_message(message)
    }

    /// 403 / 120: a text parameter is longer than its documented maximum.
    pub fn too_long(max: usize) -> Self {
        let error = Self::code(120);
        let message = error.message.replace("{max}", &max.to_string());
        error.with_message(message)
    }

    /// 400 / 86: the endpoint exists but not for this HTTP method.
    pub fn wrong_method(required: &str) -> Self {
        Self::code(86).with_message(format!("This method requires a {required}."))
    }

    /// 429 / 88: the rate-limit window is exhausted.
    pub fn rate_limited() -> Self {
        Self::code(88)
    }

    /// 400 / 131: a body the server cannot use (malformed JSON for curate, too large).
    pub fn bad_body() -> Self {
        Self::code(131).with_status(StatusCode::BAD_REQUEST)
    }

    /// The envelope as JSON: `{"errors":[{"code":N,"message":"…"}]}`.
    pub fn body(&self) -> Value {
        serde_json::json!({"errors": [{"code": self.code, "message": self.message}]})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A compact JSON response (no trailing newline) with Twitter's content type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_table_drives_status_and_message() {
        let e = ApiError::code(32);
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert_eq!(e.message, "Could not authenticate you.");
        assert_eq!(ApiError::code(89).status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            ApiError::missing_parameter("id").message,
            "id parameter is missing."
        );
        assert_eq!(ApiError::rate_limited().message, "Rate limit exceeded");
        assert_eq!(ApiError::code(50).status, StatusCode::NOT_FOUND);
    }
}
