//! The server's behaviour as data: every choice the sources leave open and every deliberate
//! deviation is one field of [`Policy`], read by the handlers at the place the behaviour is
//! decided. [`Policy::default`] is the faithful server.
//!
//! A fault ([`super::faults`]) and a variant ([`super::variants`]) are both just another value:
//! a named function that changes one field (two at most, when one choice shows in two places).
//! The server holds one [`Behaviour`] in its shared state: one policy per endpoint of the family
//! (and one for paths that name none). A fault or a variant bends the endpoints its [`Scope`]
//! names and leaves the others faithful, so vectors can still set up fixtures and read state back
//! through them; a fault in an oracle endpoint (create, entries/add, entries, destroy) is one the
//! kit must notice in its oracle vectors.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::errors::{ApiError, JSON_CONTENT_TYPE};
use super::faults::Fault;
use super::routes::Endpoint;
use super::store::{AtCapacity, TimelineOrder};
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

/// How an entry mutation answers a per-tweet outcome the documentation reports as a soft error
/// (a duplicate add, a move of a tweet not in the collection).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftAnswer {
    /// The documented soft error in `response.errors` (faithful).
    Report,
    /// The success envelope, nothing reported.
    Succeed,
    /// A hard error envelope instead.
    Refuse(Refusal),
}

/// How `collections/entries` answers `was_truncated`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truncation {
    /// Whether entries of the requested range did not fit in the page (faithful).
    Exact,
    /// Always `false`.
    Never,
    /// `true` whenever the page holds `count` entries, whether or not any are left (the
    /// off-by-one of a server that fetches exactly `count`).
    WhenPageFull,
}

/// The order `collections/entries` lists a collection in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntriesOrder {
    /// Descending `sort_index`, which follows the collection's `timeline_order` (faithful).
    Stored,
    /// The stored order reversed (oldest addition first in a curated collection).
    Reversed,
    /// Newest tweet first whatever the collection's `timeline_order`.
    NewestTweetFirst,
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

    // The family's operations: each read only by the handler of its endpoint (the comment
    // names it); a fault or variant bends the endpoint's policy, so the field means "on this
    // endpoint".
    /// create: a missing `name` is refused (else the collection is created with an empty name).
    pub require_name: bool,
    /// create, update: the longest `name` accepted, in characters.
    pub name_max: usize,
    /// create, update: the longest `description` accepted, in characters.
    pub description_max: usize,
    /// create, update: `url` must be an absolute http(s) URL.
    pub validate_url: bool,
    /// create: `timeline_order` is read (else every collection gets the default order).
    pub honour_timeline_order: bool,
    /// create: the order of a collection created without `timeline_order`.
    pub default_timeline_order: TimelineOrder,
    /// create: an unrecognised `timeline_order` is refused (else the default order is used).
    pub refuse_unknown_timeline_order: Option<Refusal>,
    /// create, update, show: the answer carries `response.timeline_id` (else `objects` only).
    pub single_response: bool,
    /// show: the timeline object carries every field (else `name` and `user_id` only).
    pub full_timeline: bool,
    /// show, entries: anyone may read any collection (else only its owner: 403 / 87).
    pub public_reads: bool,
    /// destroy: the collection is deleted (else it survives the `{"destroyed":true}`).
    pub destroy_deletes: bool,
    /// destroy: the body is the bare `{"destroyed":true}` (else wrapped in `response`).
    pub destroy_bare_body: bool,
    /// destroy: an unknown or destroyed collection is answered `{"destroyed":true}`.
    pub destroy_unknown_succeeds: bool,
    /// update: `name` is applied.
    pub update_name: bool,
    /// update: an omitted `description` or `url` becomes `""` (else keeps the stored value).
    pub update_clears_omitted: bool,
    /// update: an omitted `name` is refused 403 / 38 (else the stored name is kept).
    pub update_requires_name: bool,
    /// list: `user_id` is read (else the caller's collections are listed).
    pub list_by_user_id: bool,
    /// list: `screen_name` is read (else only `user_id` names the user).
    pub list_by_screen_name: bool,
    /// list: `tweet_id` filters the collections.
    pub list_tweet_filter: bool,
    /// list: `cursor` is read (else every request starts at the beginning).
    pub list_cursor: bool,
    /// list: `next_cursor` is given when more results exist.
    pub next_cursor: bool,
    /// list: newest collection first (else oldest first).
    pub list_newest_first: bool,
    /// list, entries: `count` is read (else the default page size always).
    pub read_count: bool,
    /// list, entries: the page size without `count`; `None` = the endpoint's (20).
    pub default_count: Option<usize>,
    /// entries: the order the timeline is listed in.
    pub entries_order: EntriesOrder,
    /// entries: `max_position` is inclusive ("less than or equal"; else exclusive).
    pub max_position_inclusive: bool,
    /// entries: `min_position` is exclusive ("greater than"; else inclusive).
    pub min_position_exclusive: bool,
    /// entries: how `was_truncated` is answered.
    pub truncation: Truncation,
    /// entries: `max_position` and `min_position` given the right way round (else swapped).
    pub positions_in_order: bool,
    /// entries: `objects.users` is included.
    pub entries_users: bool,
    /// entries/add: a tweet without `relative_to` goes on top (else at the bottom).
    pub add_on_top: bool,
    /// entries/add: `relative_to` is read (else the tweet goes where it would without it).
    pub honour_relative_to: bool,
    /// entries/add, entries/move: `above=false` is read (else always above).
    pub honour_above: bool,
    /// entries/add: the answer to a tweet already in the collection.
    pub duplicate: SoftAnswer,
    /// entries/add (and curate's adds): what an add to a full collection does; [D-ADD] evicts
    /// the oldest addition.
    pub at_capacity: AtCapacity,
    /// entries/move: the answer to a tweet not in the collection.
    pub move_not_found: SoftAnswer,
    /// entries/move: the tweet is moved (else the success envelope, order unchanged).
    pub move_moves: bool,
    /// entries/move: the answer to a collection in a tweet-time order.
    pub move_time_ordered: Refusal,
    /// entries/curate: the most changes one request may carry; `None` = no limit.
    pub curate_max_changes: Option<usize>,
    /// entries/curate: every change is tried (else the first failure ends the request, the
    /// changes after it not applied).
    pub curate_continue_after_failure: bool,
    /// entries/curate: failed changes are reported as soft errors (else `errors` is empty).
    pub curate_report_failures: bool,
    /// entries/curate: removing a tweet not in the collection is a soft `not_found` (else
    /// silent).
    pub curate_report_absent_removal: bool,
    /// entries/curate: `id` and `changes` are read from the JSON body (else from the query and
    /// form only).
    pub curate_json_body: bool,
    /// entries/curate: the body is never a parameter (else parsed as a form, whatever its
    /// `Content-Type`, and so part of the signature base string).
    pub curate_body_unsigned: bool,

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

    // State across the entry endpoints (add, move, curate, entries): only server-wide faults set
    // these, so both policies of a [`Behaviour`] carry them.
    /// A re-added tweet returns to the position it had before it was removed, not to the top.
    pub readd_restores_position: bool,
    /// A remove also takes the tweet out of every other collection holding it.
    pub remove_from_every_collection: bool,
    /// Tweet ids compared as float64 (the JavaScript `Number` bug): neighbours that round to the
    /// same double count as one tweet for add's duplicate check and remove's lookup.
    pub ids_as_float64: bool,
    /// `entries` pages cursor-style (`min_position` names the first entry of the next page)
    /// while `max_position` excludes its entry: one entry lost between pages.
    pub paging_skips_boundary: bool,
    /// `move` finds its anchor before taking the tweet out, so a move downwards lands one below.
    pub move_stale_anchor: bool,
    /// `curate` applies only its first change (and still answers success for all).
    pub curate_first_change_only: bool,
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
            require_name: true,
            name_max: 25,
            description_max: 160,
            validate_url: true,
            honour_timeline_order: true,
            default_timeline_order: TimelineOrder::CurationReverseChron,
            refuse_unknown_timeline_order: None,
            single_response: true,
            full_timeline: true,
            public_reads: true,
            destroy_deletes: true,
            destroy_bare_body: true,
            destroy_unknown_succeeds: false,
            update_name: true,
            update_clears_omitted: true,
            update_requires_name: false,
            list_by_user_id: true,
            list_by_screen_name: true,
            list_tweet_filter: true,
            list_cursor: true,
            next_cursor: true,
            list_newest_first: true,
            read_count: true,
            default_count: None,
            entries_order: EntriesOrder::Stored,
            max_position_inclusive: true,
            min_position_exclusive: true,
            truncation: Truncation::Exact,
            positions_in_order: true,
            entries_users: true,
            add_on_top: true,
            honour_relative_to: true,
            honour_above: true,
            duplicate: SoftAnswer::Report,
            at_capacity: AtCapacity::EvictOldest,
            move_not_found: SoftAnswer::Report,
            move_moves: true,
            move_time_ordered: Refusal::code(87),
            curate_max_changes: Some(100),
            curate_continue_after_failure: true,
            curate_report_failures: true,
            curate_report_absent_removal: true,
            curate_json_body: true,
            curate_body_unsigned: true,
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
            readd_restores_position: false,
            remove_from_every_collection: false,
            ids_as_float64: false,
            paging_skips_boundary: false,
            move_stale_anchor: false,
            curate_first_change_only: false,
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

/// Which endpoints a fault or a variant bends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// These endpoints only (the others stay faithful, so vectors can still set up fixtures and
    /// read state back through them).
    Only(&'static [Endpoint]),
    /// Every endpoint, and the answer to paths that are no endpoint: a choice of the whole API.
    Everywhere,
}

/// The policies of one server: one per endpoint of the family, and one for paths that name no
/// endpoint. Faults and variants bend the endpoints their [`Scope`] names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// Indexed like [`Endpoint::ALL`].
    endpoints: [Policy; Endpoint::ALL.len()],
    /// Paths that name no endpoint (404 / 34).
    unknown_path: Policy,
}

impl Behaviour {
    /// The faithful server with `variants` then `faults` applied, in order (a later one wins
    /// where two change the same field), each on the endpoints of its scope.
    pub fn new(faults: &BTreeSet<Fault>, variants: &BTreeSet<Variant>) -> Behaviour {
        let mut behaviour = Behaviour::default();
        for variant in variants {
            variant.apply(&mut behaviour);
        }
        for fault in faults {
            behaviour.bend(fault.scope(), |policy| fault.apply(policy));
        }
        behaviour
    }

    /// The policy a request on `endpoint` follows.
    pub fn for_endpoint(&self, endpoint: Endpoint) -> &Policy {
        &self.endpoints[endpoint.index()]
    }

    /// The policy of `endpoint`, to change it.
    pub fn for_endpoint_mut(&mut self, endpoint: Endpoint) -> &mut Policy {
        &mut self.endpoints[endpoint.index()]
    }

    /// The policy of a request whose path names no endpoint.
    pub fn unknown_path(&self) -> &Policy {
        &self.unknown_path
    }

    /// Applies `change` to every policy, the unknown path's included (a server-wide choice).
    pub fn everywhere(&mut self, change: impl Fn(&mut Policy)) {
        self.endpoints.iter_mut().for_each(&change);
        change(&mut self.unknown_path);
    }

    /// Applies `change` to the policies `scope` names.
    pub fn bend(&mut self, scope: Scope, change: impl Fn(&mut Policy)) {
        match scope {
            Scope::Everywhere => self.everywhere(change),
            Scope::Only(endpoints) => {
                for endpoint in endpoints {
                    change(self.for_endpoint_mut(*endpoint));
                }
            }
        }
    }

    /// The endpoints whose policy differs from the faithful one, and whether the unknown path's
    /// does: what a client can observe of this behaviour, found from the values themselves (not
    /// from a declared scope), so the kill matrix can run only the vectors that could notice.
    pub fn bent(&self) -> (Vec<Endpoint>, bool) {
        let faithful = Policy::default();
        let endpoints = Endpoint::ALL
            .into_iter()
            .filter(|e| *self.for_endpoint(*e) != faithful)
            .collect();
        (endpoints, self.unknown_path != faithful)
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
