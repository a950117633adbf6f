//! The server's behaviour as data: every choice the sources leave open and every deliberate
//! deviation is one field of [`Policy`], read by the handlers at the place the behaviour is
//! decided. [`Policy::default`] is the faithful server.
//!
//! A fault ([`super::faults`]) and a variant ([`super::variants`]) are both just another value:
//! a named function that changes one field (two at most, when one choice shows in two places).
//! The server holds one [`Behaviour`] in its shared state: the policy of the endpoint under test
//! (`collections/entries/remove`, which faults and most variants bend) and the policy of every
//! other endpoint (which only server-wide variants bend, so vectors can still set up fixtures and
//! read state back under any fault).

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::errors::{ApiError, JSON_CONTENT_TYPE};
use super::faults::Fault;
use super::routes::Endpoint;
use super::variants::Variant;

/// A hard refusal: a code, and the status and message the code table gives it unless overridden.
/// `{name}` in the message is replaced by the parameter (or required method) concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Twitter error code.
    pub code: u32,
    /// HTTP status; `None` = the code table's.
    pub status: Option<u16>,
    /// Message template; `None` = the code table's.
    pub message: Option<&'static str>,
}

impl Refusal {
    /// The code with the table's status and message.
    pub const fn code(code: u32) -> Refusal {
        Refusal {
            code,
            status: None,
            message: None,
        }
    }

    /// The code with another status (the table's message).
    pub const fn with_status(self, status: u16) -> Refusal {
        Refusal {
            status: Some(status),
            ..self
        }
    }

    /// The code with another message template.
    pub const fn with_message(self, message: &'static str) -> Refusal {
        Refusal {
            message: Some(message),
            ..self
        }
    }

    /// The error for `name` (a parameter, or the method an endpoint requires).
    pub fn error(&self, name: &str) -> ApiError {
        let mut error = ApiError::code(self.code);
        if let Some(status) = self.status.and_then(|s| StatusCode::from_u16(s).ok()) {
            error = error.with_status(status);
        }
        let template = self.message.map(str::to_string).unwrap_or(error.message);
        error.message = template.replace("{name}", name);
        error
    }
}

/// How `collections/entries/remove` answers a request it cannot carry out as asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A hard error envelope.
    Refuse(Refusal),
    /// The soft `not_found` for the named tweet (nothing changed).
    SoftNotFound,
    /// The success envelope (nothing changed): only faults answer so.
    Succeed,
}

/// What a remove of a tweet that IS in the collection takes away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The named tweet (faithful).
    Named,
    /// Nothing.
    Nothing,
    /// Every entry.
    Everything,
    /// The collection's top entry instead of the named one.
    TopEntry,
}

/// How the OAuth signature base string encodes parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseStringEncoding {
    /// RFC 3986, as Twitter documents (faithful).
    Rfc3986,
    /// `application/x-www-form-urlencoded` (space as `+`, `*` kept, `~` as `%7E`).
    Form,
}

/// The shape of a hard error body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorShape {
    /// `{"errors":[{"code","message"}]}` (faithful).
    Array,
    /// `{"errors":{"code","message"}}`.
    Object,
    /// `{"code","message"}`.
    TopLevel,
    /// The bare message as `text/plain`.
    PlainText,
}

/// Which responses carry the `x-rate-limit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimitHeaders {
    /// Every authenticated response (faithful).
    Always,
    /// Responses of GET endpoints only.
    ReadsOnly,
    /// None.
    Never,
}

/// Everything the server may do one way or another (see the module docs). Field groups follow
/// the request pipeline: method, parameters, authentication, rate limit, operation, rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    // Method.
    /// GET on a POST endpoint acts as POST.
    pub get_acts_as_post: bool,
    /// The answer to a method the endpoint does not serve (`{name}` = the method it requires).
    pub wrong_method: Refusal,

    // Parameters.
    /// `+` in the query and form body decodes as a space.
    pub plus_is_space: bool,
    /// API parameters are read from the query string.
    pub params_from_query: bool,
    /// API parameters are read from a form body.
    pub params_from_form: bool,
    /// An empty `id` or `tweet_id` counts as missing.
    pub empty_is_missing: bool,
    /// A missing `id` is refused (else answered with the success envelope).
    pub require_id: bool,
    /// A missing `tweet_id` is refused (else answered with the success envelope).
    pub require_tweet_id: bool,
    /// The answer to a missing parameter.
    pub missing_parameter: Refusal,
    /// The answer to a parameter other than `id` and `tweet_id`; `None` = ignored.
    pub unknown_parameter: Option<Refusal>,
    /// The answer to a collection id that is not `custom-<digits>`.
    pub malformed_id: Answer,
    /// The answer to a `tweet_id` that is not a decimal number (out-of-range numbers stay 144).
    pub non_numeric_tweet_id: Answer,

    // Authentication.
    /// OAuth is verified at all.
    pub verify_credentials: bool,
    /// The app's bearer token is accepted as the main user.
    pub accept_bearer: bool,
    /// `oauth_*` parameters are read from the query and form body as well as the header.
    pub oauth_in_params: bool,
    /// A key repeated across header, query and body is refused.
    pub refuse_duplicate_keys: bool,
    /// `oauth_signature` is required.
    pub require_signature: bool,
    /// `PLAINTEXT` signatures are accepted.
    pub accept_plaintext: bool,
    /// `oauth_version` other than `1.0` is refused.
    pub check_oauth_version: bool,
    /// The consumer key is checked.
    pub check_consumer_key: bool,
    /// Unknown or revoked tokens are accepted as the main user.
    pub accept_unknown_tokens: bool,
    /// The answer to an unknown or revoked token.
    pub unknown_token: Refusal,
    /// Timestamps older than the window are refused.
    pub refuse_stale_timestamps: bool,
    /// Timestamps further ahead than the window are refused.
    pub refuse_future_timestamps: bool,
    /// Timestamp window in seconds; `None` = the server's configured one.
    pub timestamp_window_secs: Option<u64>,
    /// Form-body parameters are part of the signature base string.
    pub sign_body_params: bool,
    /// How the base string encodes parameters.
    pub base_string_encoding: BaseStringEncoding,
    /// The signature must be made for this method and URL.
    pub signature_binds_method_and_url: bool,
    /// The signature is compared at all.
    pub compare_signatures: bool,
    /// The answer to a signature that does not verify.
    pub bad_signature: Refusal,
    /// Nonces are remembered (replays refused).
    pub remember_nonces: bool,
    /// When set, every authentication refusal is answered with this one.
    pub every_auth_refusal: Option<Refusal>,

    // Rate limits.
    /// Requests over the limit are refused with 429 / 88.
    pub enforce_rate_limit: bool,
    /// Over the limit, the operation is carried out before the 429.
    pub apply_when_rate_limited: bool,
    /// Which responses carry `x-rate-limit-*`.
    pub rate_limit_headers: RateLimitHeaders,
    /// `x-rate-limit-remaining` counts down.
    pub count_down_remaining: bool,
    /// A lower limit for POST endpoints (user overrides below it still apply).
    pub write_limit_cap: Option<u32>,

    // The operation.
    /// Ownership is checked.
    pub check_ownership: bool,
    /// The answer to another user's collection.
    pub foreign_collection: Answer,
    /// The answer to a well-formed collection id naming no (or a destroyed) collection.
    pub unknown_collection: Answer,
    /// What a remove of a tweet in the collection takes away.
    pub removal: Removal,
    /// A tweet not in this collection is removed from another one holding it.
    pub remove_elsewhere: bool,
    /// The answer to a tweet not in the collection.
    pub absent_tweet: Answer,
    /// The answer to a well-formed tweet id naming no tweet at all; `None` = as `absent_tweet`.
    pub nonexistent_tweet: Option<Answer>,

    // Rendering.
    /// `change.op` of the soft `not_found`.
    pub soft_op: &'static str,
    /// `reason` of the soft `not_found`.
    pub soft_reason: &'static str,
    /// `change.tweet_id` as a JSON number instead of a string.
    pub tweet_id_as_number: bool,
    /// The soft envelope carries `objects`.
    pub soft_objects: bool,
    /// HTTP status of a soft envelope with errors.
    pub soft_error_status: u16,
    /// Shape of hard errors.
    pub error_shape: ErrorShape,
    /// Hard errors carry an extra `label` field (as code 99 does).
    pub error_label: bool,
    /// Message spelling: a trailing period dropped where the table has one, added where not.
    pub toggle_message_period: bool,
    /// `Content-Type` of JSON responses.
    pub content_type: &'static str,
    /// Object keys in reverse of the documented order.
    pub reverse_keys: bool,
    /// JSON pretty-printed (as the remove page shows it) instead of compact.
    pub pretty_json: bool,

    // Transport.
    /// `Connection: close` on every response.
    pub connection_close: bool,
    /// Delay before every response.
    pub latency: Duration,

    // OAuth signature details (the signature matrix, `vectors/oauth-matrix/`).
    /// The Authorization header's `realm` goes into the base string (RFC 5849 keeps it out).
    pub sign_realm: bool,
    /// A signature made with the key `consumer_secret&` (no token secret) is also accepted.
    pub accept_key_without_token_secret: bool,
    /// Form-body parameters are signed even when the `oauth_*` parameters travel in the body.
    pub sign_body_params_with_oauth_in_body: bool,
    /// Query values are percent-decoded a second time (`+` kept) before the base string is built.
    pub decode_query_twice: bool,
    /// A body is read as form parameters whatever its `Content-Type`.
    pub any_body_is_form: bool,
    /// Only the last nonce per token is remembered (a replay after another request passes).
    pub remember_last_nonce_only: bool,
    /// `oauth_timestamp` is checked only when it comes in the Authorization header.
    pub check_timestamp_in_header_only: bool,
    /// Parameters with an empty value are left out of the base string.
    pub drop_empty_params: bool,
}

impl Default for Policy {
    /// The faithful server.
    fn default() -> Self {
        Policy {
            get_acts_as_post: false,
            wrong_method: Refusal::code(86).with_message("This method requires a {name}."),
            plus_is_space: true,
            params_from_query: true,
            params_from_form: true,
            empty_is_missing: true,
            require_id: true,
            require_tweet_id: true,
            missing_parameter: Refusal::code(38),
            unknown_parameter: None,
            malformed_id: Answer::Refuse(Refusal::code(34)),
            non_numeric_tweet_id: Answer::Refuse(Refusal::code(144)),
            verify_credentials: true,
            accept_bearer: false,
            oauth_in_params: true,
            refuse_duplicate_keys: true,
            require_signature: true,
            accept_plaintext: false,
            check_oauth_version: true,
            check_consumer_key: true,
            accept_unknown_tokens: false,
            unknown_token: Refusal::code(89),
            refuse_stale_timestamps: true,
            refuse_future_timestamps: true,
            timestamp_window_secs: None,
            sign_body_params: true,
            base_string_encoding: BaseStringEncoding::Rfc3986,
            signature_binds_method_and_url: true,
            compare_signatures: true,
            bad_signature: Refusal::code(32),
            remember_nonces: true,
            every_auth_refusal: None,
            enforce_rate_limit: true,
            apply_when_rate_limited: false,
            rate_limit_headers: RateLimitHeaders::Always,
            count_down_remaining: true,
            write_limit_cap: None,
            check_ownership: true,
            foreign_collection: Answer::Refuse(Refusal::code(87)),
            unknown_collection: Answer::Refuse(Refusal::code(34)),
            removal: Removal::Named,
            remove_elsewhere: false,
            absent_tweet: Answer::SoftNotFound,
            nonexistent_tweet: None,
            soft_op: "remove",
            soft_reason: "not_found",
            tweet_id_as_number: false,
            soft_objects: true,
            soft_error_status: 200,
            error_shape: ErrorShape::Array,
            error_label: false,
            toggle_message_period: false,
            content_type: JSON_CONTENT_TYPE,
            reverse_keys: false,
            pretty_json: false,
            connection_close: false,
            latency: Duration::ZERO,
            sign_realm: false,
            accept_key_without_token_secret: false,
            sign_body_params_with_oauth_in_body: true,
            decode_query_twice: false,
            any_body_is_form: false,
            remember_last_nonce_only: false,
            check_timestamp_in_header_only: false,
            drop_empty_params: false,
        }
    }
}

impl Policy {
    /// A hard error as the response, in the shape and spelling this policy renders.
    pub fn error_response(&self, error: ApiError) -> Response {
        let message = if self.toggle_message_period {
            match error.message.strip_suffix('.') {
                Some(stripped) => stripped.to_string(),
                None => format!("{}.", error.message),
            }
        } else {
            error.message.clone()
        };
        if self.error_shape == ErrorShape::PlainText {
            let mut response = (error.status, message).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return response;
        }
        let mut item = serde_json::json!({"code": error.code, "message": message});
        if self.error_label {
            item["label"] = Value::String(label(&error.message));
        }
        let body = match self.error_shape {
            ErrorShape::Object => serde_json::json!({ "errors": item }),
            ErrorShape::TopLevel => item,
            _ => serde_json::json!({ "errors": [item] }),
        };
        self.json_response(error.status, &body)
    }

    /// A handler's answer: the status is 200, or [`Policy::soft_error_status`] for a soft
    /// envelope with errors.
    pub fn success_response(&self, body: &Value) -> Response {
        let soft_errors = body
            .pointer("/response/errors")
            .and_then(Value::as_array)
            .is_some_and(|errors| !errors.is_empty());
        let status = if soft_errors {
            StatusCode::from_u16(self.soft_error_status).unwrap_or(StatusCode::OK)
        } else {
            StatusCode::OK
        };
        self.json_response(status, body)
    }

    /// A JSON response rendered as this policy says (key order, whitespace, content type).
    pub fn json_response(&self, status: StatusCode, body: &Value) -> Response {
        let reversed;
        let body = if self.reverse_keys {
            reversed = reverse_keys(body);
            &reversed
        } else {
            body
        };
        let bytes = if self.pretty_json {
            serde_json::to_vec_pretty(body)
        } else {
            serde_json::to_vec(body)
        }
        .unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (status, bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        response
    }

    /// The last touches every response gets: the content type a fault dictates even on
    /// non-JSON answers, and `Connection: close`.
    pub fn finish(&self, mut response: Response) -> Response {
        if self.content_type != JSON_CONTENT_TYPE
            && !self.content_type.starts_with("application/json")
        {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
        }
        if self.connection_close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// The policies of one server: the endpoint under test's and everyone else's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// `collections/entries/remove`.
    pub remove: Policy,
    /// Every other endpoint (and unknown paths).
    pub elsewhere: Policy,
}

impl Behaviour {
    /// The faithful server with `variants` then `faults` applied, in order (a later one wins
    /// where two change the same field). Faults touch only remove.
    pub fn new(faults: &BTreeSet<Fault>, variants: &BTreeSet<Variant>) -> Behaviour {
        let mut behaviour = Behaviour::default();
        for variant in variants {
            variant.apply(&mut behaviour);
        }
        for fault in faults {
            fault.apply(&mut behaviour.remove);
        }
        behaviour
    }

    /// The policy a request on `endpoint` follows.
    pub fn for_endpoint(&self, endpoint: Endpoint) -> &Policy {
        if endpoint == Endpoint::EntriesRemove {
            &self.remove
        } else {
            &self.elsewhere
        }
    }

    /// Applies `change` to both policies (a server-wide choice).
    pub fn everywhere(&mut self, change: impl Fn(&mut Policy)) {
        change(&mut self.remove);
        change(&mut self.elsewhere);
    }
}

/// A snake_case label from a message (`Sorry, that page does not exist.` ->
/// `sorry_that_page_does_not_exist`).
fn label(message: &str) -> String {
    message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// The value with every object's keys in reverse order (arrays keep theirs).
fn reverse_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reverse_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(reverse_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_take_the_table_unless_overridden() {
        let e = Refusal::code(38).error("id");
        assert_eq!(
            (e.status.as_u16(), e.code, e.message.as_str()),
            (403, 38, "id parameter is missing.")
        );
        let e = Refusal::code(44)
            .with_status(400)
            .with_message("{name} parameter is invalid.")
            .error("note");
        assert_eq!(
            (e.status.as_u16(), e.code, e.message.as_str()),
            (400, 44, "note parameter is invalid.")
        );
        let e = Policy::default().wrong_method.error("POST");
        assert_eq!(
            (e.status.as_u16(), e.message.as_str()),
            (400, "This method requires a POST.")
        );
    }

    #[test]
    fn rendering_follows_the_policy() {
        let body = serde_json::json!({"response": {"errors": []}, "objects": {}});
        let raw = |policy: &Policy| {
            let response = policy.json_response(StatusCode::OK, &body);
            let content_type = response.headers()[header::CONTENT_TYPE].clone();
            let bytes = futures_body(response);
            (content_type, bytes)
        };
        let faithful = raw(&Policy::default());
        assert_eq!(faithful.0, JSON_CONTENT_TYPE);
        assert_eq!(faithful.1, r#"{"response":{"errors":[]},"objects":{}}"#);
        let reversed = raw(&Policy {
            reverse_keys: true,
            ..Policy::default()
        });
        assert_eq!(reversed.1, r#"{"objects":{},"response":{"errors":[]}}"#);
        let pretty = raw(&Policy {
            pretty_json: true,
            ..Policy::default()
        });
        assert!(pretty.1.contains("\n  \"objects\""), "{}", pretty.1);
    }

    #[test]
    fn error_labels_and_spellings() {
        let policy = Policy {
            error_label: true,
            toggle_message_period: true,
            ..Policy::default()
        };
        let response = policy.error_response(ApiError::not_found());
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            futures_body(response),
            r#"{"errors":[{"code":34,"message":"Sorry, that page does not exist","label":"sorry_that_page_does_not_exist"}]}"#
        );
        let plain = Policy {
            error_shape: ErrorShape::PlainText,
            ..Policy::default()
        }
        .error_response(ApiError::not_found());
        assert_eq!(
            plain.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }

    /// The body of a response built in memory.
    fn futures_body(response: Response) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}
