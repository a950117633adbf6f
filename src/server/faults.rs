//! Fault profiles: deliberate, one-at-a-time deviations from the faithful behaviour, so the kit can
//! prove each vector has teeth (a suite that passes against a broken server proves nothing).
//!
//! Every fault is ONE deviation, named after what it breaks, and touches only
//! `POST collections/entries/remove` (the endpoint under test). The other endpoints stay faithful,
//! so vectors can still set up fixtures (create, add), read state back (entries) and tear down
//! (destroy) under any fault. Each fault names the requirement of `specs/requirements.json` it
//! violates and that requirement's level, which decides which vectors must catch it (see
//! `src/mutants.rs`).
//!
//! A fault is data, not a branch: [`Fault::apply`] changes one field of the remove endpoint's
//! [`Policy`] (see [`super::policy`]), which the handlers read where the behaviour is decided.
//! The metadata (name, level, requirement, description) is the one table in `Fault::row`.

use std::fmt;
use std::str::FromStr;

use super::policy::{
    Answer, BaseStringEncoding, ErrorShape, Policy, RateLimitHeaders, Refusal, Removal,
};

/// How binding the requirement a fault breaks is. The server keeps its own small enum rather than
/// the harness's level type, because the server never imports the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultLevel {
    /// The broken requirement is a MUST: a MUST vector has to catch the fault.
    Must,
    /// The broken requirement is a SHOULD: a MUST or SHOULD vector has to catch it (strict profile).
    Should,
}

impl FaultLevel {
    /// `must` or `should`, as in `specs/requirements.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultLevel::Must => "must",
            FaultLevel::Should => "should",
        }
    }
}

/// One deliberate deviation of the reference server (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    // Authentication.
    /// OAuth verification skipped entirely.
    AuthSkipped,
    /// Form-body parameters left out of the signature base string.
    BodyParamsUnsigned,
    /// `oauth_timestamp` not checked.
    StaleTimestampAccepted,
    /// Nonces not remembered.
    NonceReplayAccepted,
    /// The app's bearer token accepted as the main user.
    BearerAccepted,
    /// Signature not compared for a known token.
    AnySignatureAccepted,
    /// Unknown or revoked tokens accepted as the main user.
    UnknownTokenAccepted,
    /// `PLAINTEXT` signatures accepted.
    PlaintextAccepted,
    /// `oauth_version` not checked.
    OauthVersionUnchecked,
    /// Duplicate parameter keys accepted.
    DuplicateParamsAccepted,
    /// `oauth_timestamp` in the future not checked.
    FutureTimestampAccepted,
    /// Signatures made for another method or URL accepted.
    SignatureIgnoresMethodAndUrl,
    /// A request without `oauth_signature` accepted.
    MissingSignatureAccepted,
    /// An unknown consumer key accepted.
    UnknownConsumerAccepted,
    /// `oauth_*` read from the header only.
    OauthHeaderOnly,
    /// The base string encodes values as a form (`+` for space).
    BaseStringFormEncoded,
    /// Every auth refusal answered 401 / 32.
    AuthErrorsAll32,
    /// Query and form decoded without `+` as a space.
    PlusNotSpace,
    /// A signature that does not verify answered 401 / 89 instead of 32.
    SignatureErrors89,
    // Parameters.
    /// Missing `tweet_id` answered with the success envelope.
    MissingTweetIdSucceeds,
    /// Missing `id` answered with the success envelope.
    MissingIdSucceeds,
    /// API parameters read from the form body only.
    QueryParamsIgnored,
    /// API parameters read from the query string only.
    FormParamsIgnored,
    /// Ownership not checked.
    ForeignCollectionModifiable,
    /// Empty `id` / `tweet_id` treated as present.
    EmptyParamsNotMissing,
    /// Missing parameters answered 400 / 44.
    MissingParamWrongCode,
    /// A malformed collection id answered with the success envelope.
    MalformedIdSucceeds,
    /// A non-numeric `tweet_id` answered with the success envelope.
    NonNumericTweetIdSucceeds,
    /// Unknown parameters refused.
    UnknownParamsRefused,
    /// Another user's collection answered 401 / 32.
    ForeignCollection401,
    // Envelopes.
    /// Absent tweet answered with a hard 404 / 144.
    HardNotFound,
    /// `change.tweet_id` echoed as a JSON number.
    TweetIdAsNumber,
    /// Hard errors as `{"errors":{…}}`.
    ErrorsAsObject,
    /// Soft envelope without `objects`.
    ObjectsMissing,
    /// Soft error `reason` is `missing`.
    WrongReason,
    /// Soft error `op` is `delete`.
    WrongOp,
    /// `Content-Type: text/html`.
    HtmlContentType,
    /// Hard errors as `{"code":…,"message":…}`.
    ErrorFieldsTopLevel,
    /// Soft not_found with HTTP 404.
    SoftNotFound404,
    /// Hard errors as plain text.
    PlainTextErrors,
    // State.
    /// Success reported, nothing removed.
    RemoveNoop,
    /// The whole collection emptied.
    RemoveClears,
    /// The top entry removed instead of the named one.
    RemoveWrongTweet,
    /// Absent tweet answered with the success envelope.
    AbsentTweetSucceeds,
    /// Absent tweet removed from another collection holding it.
    RemoveFromAnyCollection,
    // Method.
    /// GET acts as POST.
    GetAccepted,
    /// Wrong method answered 404 / 34.
    WrongMethod404,
    // Rate limits.
    /// No `x-rate-limit-*` headers.
    RateLimitHeadersMissing,
    /// Never 429.
    RateLimitNever429,
    /// `x-rate-limit-remaining` never counts down.
    RateLimitRemainingFrozen,
    /// Over the limit, the remove is carried out before the 429.
    RateLimitedRemoveApplied,
    // Collections.
    /// 500 for an unknown collection.
    UnknownCollection500,
    /// Unknown collection answered with the success envelope.
    UnknownCollectionSucceeds,
    /// Unknown collection answered 403 / 87.
    UnknownCollectionWrongCode,
    // OAuth signature details (the signature matrix).
    /// The header's `realm` signed.
    RealmSigned,
    /// A signature made without the token secret accepted too.
    KeyWithoutTokenSecretAccepted,
    /// Form-body parameters unsigned when `oauth_*` travel in the body.
    BodyUnsignedWithOauthInBody,
    /// Query values decoded twice before signing.
    QueryDecodedTwice,
    /// A non-form body signed as form parameters.
    NonFormBodySigned,
    /// Only a token's last nonce remembered.
    NonceLastOnly,
    /// `oauth_timestamp` checked only in the Authorization header.
    TimestampHeaderOnly,
    /// Empty-valued parameters left out of the base string.
    EmptyParamsUnsigned,
}

impl Fault {
    /// Every fault, in the order of the docs table.
    pub const ALL: [Fault; 62] = [
        Fault::AuthSkipped,
        Fault::BodyParamsUnsigned,
        Fault::StaleTimestampAccepted,
        Fault::NonceReplayAccepted,
        Fault::BearerAccepted,
        Fault::AnySignatureAccepted,
        Fault::UnknownTokenAccepted,
        Fault::PlaintextAccepted,
        Fault::OauthVersionUnchecked,
        Fault::DuplicateParamsAccepted,
        Fault::FutureTimestampAccepted,
        Fault::SignatureIgnoresMethodAndUrl,
        Fault::MissingSignatureAccepted,
        Fault::UnknownConsumerAccepted,
        Fault::OauthHeaderOnly,
        Fault::BaseStringFormEncoded,
        Fault::PlusNotSpace,
        Fault::SignatureErrors89,
        Fault::AuthErrorsAll32,
        Fault::MissingTweetIdSucceeds,
        Fault::MissingIdSucceeds,
        Fault::QueryParamsIgnored,
        Fault::FormParamsIgnored,
        Fault::ForeignCollectionModifiable,
        Fault::EmptyParamsNotMissing,
        Fault::MissingParamWrongCode,
        Fault::MalformedIdSucceeds,
        Fault::NonNumericTweetIdSucceeds,
        Fault::UnknownParamsRefused,
        Fault::ForeignCollection401,
        Fault::HardNotFound,
        Fault::TweetIdAsNumber,
        Fault::ErrorsAsObject,
        Fault::ObjectsMissing,
        Fault::WrongReason,
        Fault::WrongOp,
        Fault::HtmlContentType,
        Fault::ErrorFieldsTopLevel,
        Fault::SoftNotFound404,
        Fault::PlainTextErrors,
        Fault::RemoveNoop,
        Fault::RemoveClears,
        Fault::RemoveWrongTweet,
        Fault::AbsentTweetSucceeds,
        Fault::RemoveFromAnyCollection,
        Fault::GetAccepted,
        Fault::WrongMethod404,
        Fault::RateLimitHeadersMissing,
        Fault::RateLimitNever429,
        Fault::RateLimitRemainingFrozen,
        Fault::RateLimitedRemoveApplied,
        Fault::UnknownCollection500,
        Fault::UnknownCollectionSucceeds,
        Fault::UnknownCollectionWrongCode,
        Fault::RealmSigned,
        Fault::KeyWithoutTokenSecretAccepted,
        Fault::BodyUnsignedWithOauthInBody,
        Fault::QueryDecodedTwice,
        Fault::NonFormBodySigned,
        Fault::NonceLastOnly,
        Fault::TimestampHeaderOnly,
        Fault::EmptyParamsUnsigned,
    ];

    /// The kebab-case name used on the command line (`serve --fault NAME`) and in reports.
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// Level of the requirement the fault breaks.
    pub fn level(self) -> FaultLevel {
        self.row().1
    }

    /// Id of the requirement in `specs/requirements.json` the fault is built to violate (the
    /// first of [`Fault::requirements`]).
    pub fn requirement(self) -> &'static str {
        self.requirements().next().unwrap_or_default()
    }

    /// Every requirement the fault breaks: the table's requirement cell may list several ids,
    /// separated by commas; the fault's level is the highest of theirs.
    pub fn requirements(self) -> impl Iterator<Item = &'static str> {
        self.row()
            .2
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
    }

    /// One line: what the server does wrong under this fault.
    pub fn description(self) -> &'static str {
        self.row().3
    }

    fn row(self) -> (&'static str, FaultLevel, &'static str, &'static str) {
        use FaultLevel::{Must, Should};
        match self {
            Fault::AuthSkipped => (
                "auth-skipped",
                Must,
                "auth.user_context.required",
                "OAuth verification skipped: any or no credentials accepted (as the named token's user if known, else the main user)",
            ),
            Fault::BodyParamsUnsigned => (
                "body-params-unsigned",
                Must,
                "auth.signature.covers_body",
                "form-body parameters left out of the signature base string: correctly signed form requests fail, body-unsigned ones pass",
            ),
            Fault::StaleTimestampAccepted => (
                "stale-timestamp-accepted",
                Must,
                "auth.timestamp.window",
                "oauth_timestamp not checked against the past: stale timestamps accepted",
            ),
            Fault::NonceReplayAccepted => (
                "nonce-replay-accepted",
                Should,
                "auth.nonce.replay",
                "nonces not remembered: the same signed request accepted twice",
            ),
            Fault::BearerAccepted => (
                "bearer-accepted",
                Must,
                "auth.bearer.refused",
                "the app's bearer token accepted as the main user",
            ),
            Fault::AnySignatureAccepted => (
                "any-signature-accepted",
                Must,
                "auth.signature.verified",
                "oauth_signature not compared: any signature accepted for a known token",
            ),
            Fault::UnknownTokenAccepted => (
                "unknown-token-accepted",
                Must,
                "auth.token.unknown",
                "an unknown or revoked access token accepted as the main user",
            ),
            Fault::PlaintextAccepted => (
                "plaintext-accepted",
                Must,
                "auth.signature.hmac_sha1_only",
                "oauth_signature_method PLAINTEXT accepted (signature = the signing key)",
            ),
            Fault::OauthVersionUnchecked => (
                "oauth-version-unchecked",
                Should,
                "auth.version",
                "oauth_version not checked: 2.0 accepted",
            ),
            Fault::DuplicateParamsAccepted => (
                "duplicate-params-accepted",
                Should,
                "remove.param.duplicate_refused",
                "a key repeated across header, query and body accepted (first value used)",
            ),
            Fault::FutureTimestampAccepted => (
                "future-timestamp-accepted",
                Should,
                "auth.timestamp.future",
                "oauth_timestamp not checked against the future: timestamps an hour ahead accepted",
            ),
            Fault::SignatureIgnoresMethodAndUrl => (
                "signature-ignores-method-and-url",
                Must,
                "auth.signature.covers_method_and_url",
                "a signature made for another HTTP method or another Collections endpoint URL accepted",
            ),
            Fault::MissingSignatureAccepted => (
                "missing-signature-accepted",
                Must,
                "auth.signature.required",
                "a request without oauth_signature accepted (a present one is still verified)",
            ),
            Fault::UnknownConsumerAccepted => (
                "unknown-consumer-accepted",
                Must,
                "auth.consumer.unknown",
                "oauth_consumer_key not checked (the signature is still verified with the app's secret)",
            ),
            Fault::OauthHeaderOnly => (
                "oauth-header-only",
                Should,
                "auth.placement.query_or_body",
                "oauth_* parameters read from the Authorization header only; in the query or body they are ignored (400 / 215)",
            ),
            Fault::BaseStringFormEncoded => (
                "base-string-form-encoded",
                Must,
                "remove.param.encoding",
                "the signature base string encodes parameters as a form (space as +, * kept, ~ as %7E) instead of RFC 3986",
            ),
            Fault::PlusNotSpace => (
                "plus-not-space",
                Should,
                "remove.param.form_decoding",
                "query and form body percent-decoded without `+` as a space, so form-style clients fail their signatures",
            ),
            Fault::SignatureErrors89 => (
                "signature-errors-89",
                Should,
                "auth.signature.code_32",
                "a signature that does not verify answered 401 / 89 (\"Invalid or expired token\") instead of 32",
            ),
            Fault::AuthErrorsAll32 => (
                "auth-errors-all-32",
                Should,
                "auth.none.code_215",
                "every authentication refusal answered 401 / 32 (no 215, 89, 135 or 220)",
            ),
            Fault::MissingTweetIdSucceeds => (
                "missing-tweet-id-succeeds",
                Must,
                "remove.param.tweet_id.required",
                "missing tweet_id answered with the success envelope (nothing removed)",
            ),
            Fault::MissingIdSucceeds => (
                "missing-id-succeeds",
                Must,
                "remove.param.id.required",
                "missing id answered with the success envelope (nothing removed)",
            ),
            Fault::QueryParamsIgnored => (
                "query-params-ignored",
                Must,
                "remove.param.in_query",
                "API parameters read from the form body only; the query string is ignored (still signed)",
            ),
            Fault::FormParamsIgnored => (
                "form-params-ignored",
                Should,
                "remove.param.in_form_body",
                "API parameters read from the query string only; the form body is ignored (still signed)",
            ),
            Fault::ForeignCollectionModifiable => (
                "foreign-collection-modifiable",
                Must,
                "remove.collection.foreign",
                "ownership not checked: another user's collection can be modified",
            ),
            Fault::EmptyParamsNotMissing => (
                "empty-params-not-missing",
                Should,
                "remove.param.empty_is_missing",
                "an empty id or tweet_id counts as present (404 / 34 or 404 / 144 instead of 403 / 38)",
            ),
            Fault::MissingParamWrongCode => (
                "missing-param-wrong-code",
                Should,
                "remove.param.missing.code",
                "a missing parameter answered 400 / 44 \"<name> parameter is invalid.\" instead of 403 / 38",
            ),
            Fault::MalformedIdSucceeds => (
                "malformed-id-succeeds",
                Should,
                "remove.param.id.format",
                "a collection id that is not custom-<digits> answered with the success envelope",
            ),
            Fault::NonNumericTweetIdSucceeds => (
                "non-numeric-tweet-id-succeeds",
                Should,
                "remove.param.tweet_id.format",
                "a tweet_id that is not a number answered with the success envelope",
            ),
            Fault::UnknownParamsRefused => (
                "unknown-params-refused",
                Should,
                "remove.param.unknown_ignored",
                "a parameter other than id and tweet_id refused with 400 / 44",
            ),
            Fault::ForeignCollection401 => (
                "foreign-collection-401",
                Should,
                "remove.collection.foreign.code",
                "another user's collection answered 401 / 32, as if unauthenticated, instead of 403 / 87 (nothing removed)",
            ),
            Fault::HardNotFound => (
                "hard-not-found",
                Must,
                "remove.not_found.soft",
                "a tweet not in the collection answered with a hard 404 / 144 instead of the soft not_found",
            ),
            Fault::TweetIdAsNumber => (
                "tweet-id-as-number",
                Must,
                "remove.ids.strings",
                "change.tweet_id echoed as a JSON number",
            ),
            Fault::ErrorsAsObject => (
                "errors-as-object",
                Must,
                "envelope.hard.shape",
                "hard errors as {\"errors\":{\"code\",\"message\"}} (an object, not an array)",
            ),
            Fault::ObjectsMissing => (
                "objects-missing",
                Must,
                "envelope.soft.shape",
                "the soft envelope lacks \"objects\"",
            ),
            Fault::WrongReason => (
                "wrong-reason",
                Must,
                "remove.not_found.soft",
                "soft not_found with reason \"missing\"",
            ),
            Fault::WrongOp => (
                "wrong-op",
                Must,
                "envelope.soft.shape",
                "soft error change.op \"delete\" instead of \"remove\"",
            ),
            Fault::HtmlContentType => (
                "html-content-type",
                Must,
                "remove.response.content_type, remove.response.json",
                "every remove response labelled Content-Type: text/html; charset=utf-8 (body unchanged)",
            ),
            Fault::ErrorFieldsTopLevel => (
                "error-fields-top-level",
                Must,
                "envelope.hard.shape",
                "hard errors as {\"code\":…,\"message\":…} without the errors array",
            ),
            Fault::SoftNotFound404 => (
                "soft-not-found-404",
                Should,
                "remove.not_found.status_200",
                "the soft not_found body sent with HTTP 404",
            ),
            Fault::PlainTextErrors => (
                "plain-text-errors",
                Must,
                "remove.response.json",
                "hard errors as the bare message in text/plain (not JSON)",
            ),
            Fault::RemoveNoop => (
                "remove-noop",
                Must,
                "remove.state.removed",
                "remove answers success but removes nothing",
            ),
            Fault::RemoveClears => (
                "remove-clears",
                Must,
                "remove.state.others_kept",
                "remove empties the whole collection",
            ),
            Fault::RemoveWrongTweet => (
                "remove-wrong-tweet",
                Must,
                "remove.state.others_kept",
                "remove takes the collection's top entry instead of the named tweet",
            ),
            Fault::AbsentTweetSucceeds => (
                "absent-tweet-succeeds",
                Must,
                "remove.state.twice_not_found",
                "a tweet not in the collection (e.g. removed already) answered with the success envelope",
            ),
            Fault::RemoveFromAnyCollection => (
                "remove-from-any-collection",
                Must,
                "remove.state.other_collection",
                "a tweet not in this collection is removed from another collection holding it (answer still not_found)",
            ),
            Fault::GetAccepted => (
                "get-accepted",
                Must,
                "remove.method.others_refused",
                "GET on remove acts as POST",
            ),
            Fault::WrongMethod404 => (
                "wrong-method-404",
                Should,
                "remove.method.code_86",
                "a wrong method answered 404 / 34 instead of 400 / 86",
            ),
            Fault::RateLimitHeadersMissing => (
                "rate-limit-headers-missing",
                Should,
                "ratelimit.headers",
                "no x-rate-limit-* headers",
            ),
            Fault::RateLimitNever429 => (
                "rate-limit-never-429",
                Must,
                "ratelimit.exhausted",
                "requests are counted but never refused with 429 / 88",
            ),
            Fault::RateLimitRemainingFrozen => (
                "rate-limit-remaining-frozen",
                Should,
                "ratelimit.headers",
                "x-rate-limit-remaining always equals the limit (never counts down)",
            ),
            Fault::RateLimitedRemoveApplied => (
                "rate-limited-remove-applied",
                Must,
                "ratelimit.exhausted",
                "over the limit, the tweet is removed anyway before the 429 / 88 is answered",
            ),
            Fault::UnknownCollection500 => (
                "unknown-collection-500",
                Must,
                "robustness.no_5xx",
                "an unknown collection answered HTTP 500 / 131",
            ),
            Fault::UnknownCollectionSucceeds => (
                "unknown-collection-succeeds",
                Must,
                "remove.collection.unknown",
                "an unknown collection answered with the success envelope",
            ),
            Fault::UnknownCollectionWrongCode => (
                "unknown-collection-wrong-code",
                Should,
                "remove.collection.unknown.code",
                "an unknown collection answered 403 / 87 instead of 404 / 34",
            ),
            Fault::RealmSigned => (
                "realm-signed",
                Must,
                "auth.realm.excluded",
                "the Authorization header's realm put into the signature base string: correctly signed requests that carry a realm fail",
            ),
            Fault::KeyWithoutTokenSecretAccepted => (
                "key-without-token-secret-accepted",
                Must,
                "auth.signature.token_secret",
                "a signature made with the key `consumer_secret&` (no token secret) accepted beside the right one",
            ),
            Fault::BodyUnsignedWithOauthInBody => (
                "body-unsigned-with-oauth-in-body",
                Must,
                "auth.signature.covers_body",
                "when the oauth_* parameters travel in the form body, the body's other parameters are left out of the base string",
            ),
            Fault::QueryDecodedTwice => (
                "query-decoded-twice",
                Must,
                "remove.param.encoding",
                "query values percent-decoded a second time before signing (`%2541` becomes `A`, `+` kept): values holding `%XX` fail their signatures",
            ),
            Fault::NonFormBodySigned => (
                "non-form-body-signed",
                Must,
                "auth.signature.non_form_body",
                "a body that is not a form (JSON) read as form parameters into the base string: correctly signed requests with a JSON body fail",
            ),
            Fault::NonceLastOnly => (
                "nonce-last-only",
                Should,
                "auth.nonce.replay_later",
                "only a token's last nonce remembered: a replay after another request is accepted",
            ),
            Fault::TimestampHeaderOnly => (
                "timestamp-header-only",
                Must,
                "auth.timestamp.window",
                "oauth_timestamp checked only when it comes in the Authorization header: stale timestamps in the query or body accepted",
            ),
            Fault::EmptyParamsUnsigned => (
                "empty-params-unsigned",
                Must,
                "remove.param.encoding",
                "parameters with an empty value left out of the signature base string (RFC 5849 signs them as `key=`): requests carrying one fail their signatures",
            ),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    /// Parses a fault name; the error lists every name, so a typo on the command line is easy to
    /// fix.
    fn from_str(name: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == name.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!("unknown fault {name:?}; known: {}", names.join(", "))
            })
    }
}

/// A 400 / 44 "<name> parameter is invalid." refusal (code 44's table text names one parameter;
/// the pattern is the table's).
const INVALID_PARAMETER: Refusal = Refusal::code(44)
    .with_status(400)
    .with_message("{name} parameter is invalid.");

impl Fault {
    /// Bends `policy` (the remove endpoint's) the way this fault describes: one field each.
    pub fn apply(self, policy: &mut Policy) {
        let p = policy;
        match self {
            Fault::AuthSkipped => p.verify_credentials = false,
            Fault::BodyParamsUnsigned => p.sign_body_params = false,
            Fault::StaleTimestampAccepted => p.refuse_stale_timestamps = false,
            Fault::NonceReplayAccepted => p.remember_nonces = false,
            Fault::BearerAccepted => p.accept_bearer = true,
            Fault::AnySignatureAccepted => p.compare_signatures = false,
            Fault::UnknownTokenAccepted => p.accept_unknown_tokens = true,
            Fault::PlaintextAccepted => p.accept_plaintext = true,
            Fault::OauthVersionUnchecked => p.check_oauth_version = false,
            Fault::DuplicateParamsAccepted => p.refuse_duplicate_keys = false,
            Fault::FutureTimestampAccepted => p.refuse_future_timestamps = false,
            Fault::SignatureIgnoresMethodAndUrl => p.signature_binds_method_and_url = false,
            Fault::MissingSignatureAccepted => p.require_signature = false,
            Fault::UnknownConsumerAccepted => p.check_consumer_key = false,
            Fault::OauthHeaderOnly => p.oauth_in_params = false,
            Fault::BaseStringFormEncoded => p.base_string_encoding = BaseStringEncoding::Form,
            Fault::PlusNotSpace => p.plus_is_space = false,
            Fault::SignatureErrors89 => p.bad_signature = Refusal::code(89),
            Fault::AuthErrorsAll32 => p.every_auth_refusal = Some(Refusal::code(32)),
            Fault::MissingTweetIdSucceeds => p.require_tweet_id = false,
            Fault::MissingIdSucceeds => p.require_id = false,
            Fault::QueryParamsIgnored => p.params_from_query = false,
            Fault::FormParamsIgnored => p.params_from_form = false,
            Fault::ForeignCollectionModifiable => p.check_ownership = false,
            Fault::EmptyParamsNotMissing => p.empty_is_missing = false,
            Fault::MissingParamWrongCode => p.missing_parameter = INVALID_PARAMETER,
            Fault::MalformedIdSucceeds => p.malformed_id = Answer::Succeed,
            Fault::NonNumericTweetIdSucceeds => p.non_numeric_tweet_id = Answer::Succeed,
            Fault::UnknownParamsRefused => p.unknown_parameter = Some(INVALID_PARAMETER),
            Fault::ForeignCollection401 => {
                p.foreign_collection = Answer::Refuse(Refusal::code(32));
            }
            Fault::HardNotFound => p.absent_tweet = Answer::Refuse(Refusal::code(144)),
            Fault::TweetIdAsNumber => p.tweet_id_as_number = true,
            Fault::ErrorsAsObject => p.error_shape = ErrorShape::Object,
            Fault::ObjectsMissing => p.soft_objects = false,
            Fault::WrongReason => p.soft_reason = "missing",
            Fault::WrongOp => p.soft_op = "delete",
            Fault::HtmlContentType => p.content_type = "text/html; charset=utf-8",
            Fault::ErrorFieldsTopLevel => p.error_shape = ErrorShape::TopLevel,
            Fault::SoftNotFound404 => p.soft_error_status = 404,
            Fault::PlainTextErrors => p.error_shape = ErrorShape::PlainText,
            Fault::RemoveNoop => p.removal = Removal::Nothing,
            Fault::RemoveClears => p.removal = Removal::Everything,
            Fault::RemoveWrongTweet => p.removal = Removal::TopEntry,
            Fault::AbsentTweetSucceeds => p.absent_tweet = Answer::Succeed,
            Fault::RemoveFromAnyCollection => p.remove_elsewhere = true,
            Fault::GetAccepted => p.get_acts_as_post = true,
            Fault::WrongMethod404 => p.wrong_method = Refusal::code(34),
            Fault::RateLimitHeadersMissing => p.rate_limit_headers = RateLimitHeaders::Never,
            Fault::RateLimitNever429 => p.enforce_rate_limit = false,
            Fault::RateLimitRemainingFrozen => p.count_down_remaining = false,
            Fault::RateLimitedRemoveApplied => p.apply_when_rate_limited = true,
            Fault::UnknownCollection500 => {
                p.unknown_collection = Answer::Refuse(Refusal::code(131));
            }
            Fault::UnknownCollectionSucceeds => p.unknown_collection = Answer::Succeed,
            Fault::UnknownCollectionWrongCode => {
                p.unknown_collection = Answer::Refuse(Refusal::code(87));
            }
            Fault::RealmSigned => p.sign_realm = true,
            Fault::KeyWithoutTokenSecretAccepted => p.accept_key_without_token_secret = true,
            Fault::BodyUnsignedWithOauthInBody => p.sign_body_params_with_oauth_in_body = false,
            Fault::QueryDecodedTwice => p.decode_query_twice = true,
            Fault::NonFormBodySigned => p.any_body_is_form = true,
            Fault::NonceLastOnly => p.remember_last_nonce_only = true,
            Fault::TimestampHeaderOnly => p.check_timestamp_in_header_only = true,
            Fault::EmptyParamsUnsigned => p.drop_empty_params = true,
        }
    }

    /// The remove endpoint's policy under this fault alone.
    pub fn policy(self) -> Policy {
        let mut policy = Policy::default();
        self.apply(&mut policy);
        policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = BTreeSet::new();
        for fault in Fault::ALL {
            let name = fault.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name} is not kebab-case"
            );
            assert_eq!(name.parse::<Fault>(), Ok(fault));
            assert!(!fault.description().is_empty());
        }
        assert!(
            "no-such-fault"
                .parse::<Fault>()
                .unwrap_err()
                .contains("auth-skipped")
        );
    }

    #[test]
    fn every_fault_changes_the_faithful_policy_and_no_two_alike() {
        let mut seen: Vec<(Fault, Policy)> = Vec::new();
        for fault in Fault::ALL {
            let policy = fault.policy();
            assert_ne!(policy, Policy::default(), "{fault} changes nothing");
            if let Some((twin, _)) = seen.iter().find(|(_, p)| *p == policy) {
                panic!("{fault} and {twin} make the same server");
            }
            seen.push((fault, policy));
        }
    }
}
