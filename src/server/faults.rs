//! Fault profiles: deliberate, one-at-a-time deviations from the faithful behaviour, so the kit can
//! prove each vector has teeth (a suite that passes against a broken server proves nothing).
//!
//! Every fault is ONE deviation, named after what it breaks, on the endpoint(s) its
//! [`Fault::scope`] names (`POST collections/entries/remove` unless it says otherwise). The other
//! endpoints stay faithful, so vectors can still set up fixtures (create, add), read state back
//! (entries) and tear down (destroy) under a fault elsewhere; a fault in one of those oracle
//! endpoints is for the kit's oracle vectors to catch. Each fault names the requirement of
//! `specs/requirements.json` it violates and that requirement's level, which decides which
//! vectors must catch it (see `src/mutants.rs`).
//!
//! The state faults (re-adds, removes across collections, ids as float64, paging, move, curate)
//! bend the shared behaviour of the entry endpoints; their scope is every endpoint.
//!
//! A fault is data, not a branch: [`Fault::apply`] changes one field of the bent endpoint's
//! [`Policy`] (see [`super::policy`]), which the handlers read where the behaviour is decided.
//! The metadata (name, level, requirement, description) is the one table in `Fault::row`; the
//! endpoint it bends is [`Fault::scope`].

use std::fmt;
use std::str::FromStr;

use super::policy::{
    Answer, BaseStringEncoding, Behaviour, ErrorShape, Policy, RateLimitHeaders, Refusal, Removal,
    Scope,
};
use super::policy::{EntriesOrder, SoftAnswer, Truncation};
use super::routes::Endpoint;
use super::store::{AtCapacity, TimelineOrder};

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
    // The rest of the family (each names its endpoint in Fault::scope).
    /// collections/create without name creates a collection with an empty name instead of 403 / 38
    CreateNameOptional,
    /// collections/create and its name limit: names up to 100 characters accepted and stored
    CreateNameUnlimited,
    /// collections/create accepts and stores descriptions of any length
    CreateDescriptionUnlimited,
    /// collections/create stores any url, fully-qualified or not
    CreateUrlUnchecked,
    /// collections/create ignores timeline_order: every collection is curation_reverse_chron
    CreateTimelineOrderIgnored,
    /// collections/create without timeline_order makes a tweet_reverse_chron collection
    CreateDefaultOrderReverseChron,
    /// collections/create answers {"objects":…} without response.timeline_id
    CreateResponseMissing,
    /// collections/destroy answers {"destroyed":true} but the collection survives
    DestroyNoop,
    /// collections/destroy answers {"objects":{},"response":{"destroyed":true}} instead of the bare {"destroyed":true}
    DestroyEnvelopeWrapped,
    /// collections/destroy does not check ownership: another user's collection is destroyed
    DestroyForeignCollection,
    /// collections/show answers {"objects":…} without response.timeline_id
    ShowResponseMissing,
    /// collections/show refuses another user's collection with 403 / 87
    ShowOwnerOnly,
    /// collections/show's timeline object carries only name and user_id
    ShowTimelineMinimal,
    /// collections/update answers success but keeps the old name
    UpdateNameIgnored,
    /// collections/update keeps the stored description and url when they are omitted
    UpdateKeepsOmitted,
    /// collections/update answers {"objects":…} without response.timeline_id
    UpdateResponseMissing,
    /// collections/update does not check ownership: another user's collection is changed
    UpdateForeignCollection,
    /// collections/list reads user_id only: a request by screen_name is refused 403 / 38
    ListScreenNameIgnored,
    /// collections/list ignores user_id and screen_name: it always lists the caller's collections
    ListCallerOnly,
    /// collections/list ignores cursor: every page is the first one
    ListCursorIgnored,
    /// collections/list gives no next_cursor when more results exist
    ListNextCursorMissing,
    /// collections/list ignores count: pages are always 20 long
    ListCountIgnored,
    /// collections/list ignores tweet_id: the user's collections are listed whether they hold the tweet or not
    ListTweetIdIgnored,
    /// collections/entries lists the timeline in reverse
    EntriesReversed,
    /// collections/entries lists every collection newest tweet first, whatever its timeline_order
    EntriesTimelineOrderIgnored,
    /// collections/entries ignores count: pages are always 20 long
    EntriesCountIgnored,
    /// collections/entries treats max_position as exclusive
    EntriesMaxPositionExclusive,
    /// collections/entries treats min_position as inclusive
    EntriesMinPositionInclusive,
    /// collections/entries always answers was_truncated false, even when more tweets are outside the page
    EntriesNeverTruncated,
    /// collections/entries answers was_truncated true whenever the page is full, even when no
    /// tweet is left outside it
    EntriesTruncatedWhenPageFull,
    /// collections/entries gives max_position and min_position swapped
    EntriesPositionsSwapped,
    /// collections/entries/add puts a new tweet at the bottom of a curated collection instead of the top
    AddAtBottom,
    /// collections/entries/add ignores relative_to: the tweet goes on top
    AddRelativeToIgnored,
    /// collections/entries/add ignores above=false: the tweet goes above relative_to
    AddAboveIgnored,
    /// collections/entries/add answers a tweet already in the collection with a hard 400 / 44 instead of the soft duplicate
    AddDuplicateHardError,
    /// collections/entries/add answers a tweet already in the collection with the success envelope
    AddDuplicateSilent,
    /// collections/entries/add does not check ownership: a tweet is added to another user's collection
    AddForeignCollection,
    /// collections/entries/add to a full collection is refused instead of evicting the oldest addition
    AddCapacityRefused,
    /// collections/entries/add to a full collection evicts the most recent addition instead of the oldest
    AddCapacityEvictsNewest,
    /// collections/entries/add to a full collection evicts nothing: the collection grows past its capacity
    AddCapacityUnbounded,
    /// collections/entries/move answers a tweet not in the collection with a hard 404 / 144 instead of the soft not_found
    MoveNotFoundHard,
    /// collections/entries/move answers success but leaves the order unchanged
    MoveNoop,
    /// collections/entries/move ignores above=false: the tweet goes above relative_to
    MoveAboveIgnored,
    /// collections/entries/curate applies more than 100 changes in one request
    CurateLimitUnenforced,
    /// collections/entries/curate stops at the first failing change: it is reported, the changes after it are not applied
    CurateStopsAtFirstFailure,
    /// collections/entries/curate answers errors [] even when changes failed
    CurateFailuresUnreported,
    /// collections/entries/curate reads id and changes from the query and form only: a JSON body is refused 403 / 38
    CurateJsonBodyIgnored,
    /// collections/entries/curate parses its body as a form whatever the Content-Type, so the JSON body enters the signature base string and correctly signed requests fail 401 / 32
    CurateBodySigned,
    // State across the entry endpoints (server-wide: see `Fault::server_wide`).
    /// A re-added tweet returns to its old position instead of the top.
    ReaddKeepsPosition,
    /// Remove takes the tweet out of every collection holding it.
    RemoveFromEveryCollection,
    /// Tweet ids compared as float64.
    IdsAsFloat64,
    /// Paging by position loses one entry between pages.
    PagingSkipsEntry,
    /// Move downwards lands one below the place asked for.
    MoveOffByOne,
    /// Curate applies only its first change.
    CurateFirstChangeOnly,
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
    /// Whether this is a state fault, bending the behaviour the entry endpoints share (found by
    /// the model-based suite rather than by one vector).
    pub fn server_wide(self) -> bool {
        matches!(self.scope(), Scope::Everywhere)
    }

    /// Every fault, in the order of the docs table.
    pub const ALL: [Fault; 116] = [
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
        Fault::CreateNameOptional,
        Fault::CreateNameUnlimited,
        Fault::CreateDescriptionUnlimited,
        Fault::CreateUrlUnchecked,
        Fault::CreateTimelineOrderIgnored,
        Fault::CreateDefaultOrderReverseChron,
        Fault::CreateResponseMissing,
        Fault::DestroyNoop,
        Fault::DestroyEnvelopeWrapped,
        Fault::DestroyForeignCollection,
        Fault::ShowResponseMissing,
        Fault::ShowOwnerOnly,
        Fault::ShowTimelineMinimal,
        Fault::UpdateNameIgnored,
        Fault::UpdateKeepsOmitted,
        Fault::UpdateResponseMissing,
        Fault::UpdateForeignCollection,
        Fault::ListScreenNameIgnored,
        Fault::ListCallerOnly,
        Fault::ListCursorIgnored,
        Fault::ListNextCursorMissing,
        Fault::ListCountIgnored,
        Fault::ListTweetIdIgnored,
        Fault::EntriesReversed,
        Fault::EntriesTimelineOrderIgnored,
        Fault::EntriesCountIgnored,
        Fault::EntriesMaxPositionExclusive,
        Fault::EntriesMinPositionInclusive,
        Fault::EntriesNeverTruncated,
        Fault::EntriesTruncatedWhenPageFull,
        Fault::EntriesPositionsSwapped,
        Fault::AddAtBottom,
        Fault::AddRelativeToIgnored,
        Fault::AddAboveIgnored,
        Fault::AddDuplicateHardError,
        Fault::AddDuplicateSilent,
        Fault::AddForeignCollection,
        Fault::AddCapacityRefused,
        Fault::AddCapacityEvictsNewest,
        Fault::AddCapacityUnbounded,
        Fault::MoveNotFoundHard,
        Fault::MoveNoop,
        Fault::MoveAboveIgnored,
        Fault::CurateLimitUnenforced,
        Fault::CurateStopsAtFirstFailure,
        Fault::CurateFailuresUnreported,
        Fault::CurateJsonBodyIgnored,
        Fault::CurateBodySigned,
        Fault::ReaddKeepsPosition,
        Fault::RemoveFromEveryCollection,
        Fault::IdsAsFloat64,
        Fault::PagingSkipsEntry,
        Fault::MoveOffByOne,
        Fault::CurateFirstChangeOnly,
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
            Fault::CreateNameOptional => (
                "create-name-optional",
                Must,
                "create.name.required",
                "collections/create without name creates a collection with an empty name instead of 403 / 38",
            ),
            Fault::CreateNameUnlimited => (
                "create-name-unlimited",
                Should,
                "create.name.too_long",
                "collections/create and its name limit: names up to 100 characters accepted and stored (the limit is 25)",
            ),
            Fault::CreateDescriptionUnlimited => (
                "create-description-unlimited",
                Should,
                "create.description.too_long",
                "collections/create accepts and stores descriptions of any length (the limit is 160 characters)",
            ),
            Fault::CreateUrlUnchecked => (
                "create-url-unchecked",
                Should,
                "create.url.invalid",
                "collections/create stores any url, fully-qualified or not (e.g. `not a url`)",
            ),
            Fault::CreateTimelineOrderIgnored => (
                "create-timeline-order-ignored",
                Must,
                "create.timeline_order.values",
                "collections/create ignores timeline_order: every collection is curation_reverse_chron",
            ),
            Fault::CreateDefaultOrderReverseChron => (
                "create-default-order-tweet-reverse-chron",
                Must,
                "create.timeline_order.default",
                "collections/create without timeline_order makes a tweet_reverse_chron collection (the default is curation_reverse_chron)",
            ),
            Fault::CreateResponseMissing => (
                "create-response-missing",
                Must,
                "create.envelope",
                "collections/create answers {\"objects\":…} without response.timeline_id (an oracle fault: fixtures cannot be built)",
            ),
            Fault::DestroyNoop => (
                "destroy-noop",
                Must,
                "destroy.gone",
                "collections/destroy answers {\"destroyed\":true} but the collection survives (show and entries still find it)",
            ),
            Fault::DestroyEnvelopeWrapped => (
                "destroy-envelope-wrapped",
                Must,
                "destroy.envelope",
                "collections/destroy answers {\"objects\":{},\"response\":{\"destroyed\":true}} instead of the bare {\"destroyed\":true}",
            ),
            Fault::DestroyForeignCollection => (
                "destroy-foreign-collection",
                Must,
                "collections.foreign.refused",
                "collections/destroy does not check ownership: another user's collection is destroyed",
            ),
            Fault::ShowResponseMissing => (
                "show-response-missing",
                Must,
                "show.envelope",
                "collections/show answers {\"objects\":…} without response.timeline_id",
            ),
            Fault::ShowOwnerOnly => (
                "show-owner-only",
                Must,
                "collections.read.any_user",
                "collections/show refuses another user's collection with 403 / 87 (collections are public)",
            ),
            Fault::ShowTimelineMinimal => (
                "show-timeline-minimal",
                Must,
                "show.envelope",
                "collections/show's timeline object carries only name and user_id (no description, url, collection_url, timeline_order …)",
            ),
            Fault::UpdateNameIgnored => (
                "update-name-ignored",
                Must,
                "update.name",
                "collections/update answers success but keeps the old name",
            ),
            Fault::UpdateKeepsOmitted => (
                "update-keeps-omitted",
                Must,
                "update.omitted_cleared",
                "collections/update keeps the stored description and url when they are omitted (they must become \"\")",
            ),
            Fault::UpdateResponseMissing => (
                "update-response-missing",
                Must,
                "update.envelope",
                "collections/update answers {\"objects\":…} without response.timeline_id",
            ),
            Fault::UpdateForeignCollection => (
                "update-foreign-collection",
                Must,
                "collections.foreign.refused",
                "collections/update does not check ownership: another user's collection is changed",
            ),
            Fault::ListScreenNameIgnored => (
                "list-screen-name-ignored",
                Must,
                "list.screen_name",
                "collections/list reads user_id only: a request by screen_name is refused 403 / 38",
            ),
            Fault::ListCallerOnly => (
                "list-caller-only",
                Must,
                "list.user_id",
                "collections/list ignores user_id and screen_name: it always lists the caller's collections",
            ),
            Fault::ListCursorIgnored => (
                "list-cursor-ignored",
                Must,
                "list.cursor.follows",
                "collections/list ignores cursor: every page is the first one (following next_cursor answers the first page again)",
            ),
            Fault::ListNextCursorMissing => (
                "list-next-cursor-missing",
                Must,
                "list.cursor",
                "collections/list gives no next_cursor when more results exist",
            ),
            Fault::ListCountIgnored => (
                "list-count-ignored",
                Must,
                "list.count",
                "collections/list ignores count: pages are always 20 long",
            ),
            Fault::ListTweetIdIgnored => (
                "list-tweet-id-ignored",
                Must,
                "list.tweet_id.filters",
                "collections/list ignores tweet_id: the user's collections are listed whether they hold the tweet or not",
            ),
            Fault::EntriesReversed => (
                "entries-reversed",
                Must,
                "entries.order.curation_reverse_chron",
                "collections/entries lists the timeline in reverse (oldest addition first; an oracle fault: state reads are wrong)",
            ),
            Fault::EntriesTimelineOrderIgnored => (
                "entries-timeline-order-ignored",
                Must,
                "entries.order.tweet_chron",
                "collections/entries lists every collection newest tweet first, whatever its timeline_order (tweet_chron and curated orders lost)",
            ),
            Fault::EntriesCountIgnored => (
                "entries-count-ignored",
                Must,
                "entries.count",
                "collections/entries ignores count: pages are always 20 long",
            ),
            Fault::EntriesMaxPositionExclusive => (
                "entries-max-position-exclusive",
                Must,
                "entries.position.sort_index",
                "collections/entries treats max_position as exclusive (\"less than\" instead of \"less than or equal\"): an entry's sort_index as max_position leaves that entry out",
            ),
            Fault::EntriesMinPositionInclusive => (
                "entries-min-position-inclusive",
                Must,
                "entries.position.sort_index",
                "collections/entries treats min_position as inclusive (\"greater than or equal\" instead of \"greater than\")",
            ),
            Fault::EntriesNeverTruncated => (
                "entries-never-truncated",
                Must,
                "entries.was_truncated",
                "collections/entries always answers was_truncated false, even when more tweets are outside the page",
            ),
            Fault::EntriesTruncatedWhenPageFull => (
                "entries-truncated-when-page-full",
                Must,
                "entries.was_truncated",
                "collections/entries answers was_truncated true whenever the page holds count entries, even when none is left outside it",
            ),
            Fault::EntriesPositionsSwapped => (
                "entries-positions-swapped",
                Must,
                "entries.envelope",
                "collections/entries gives max_position and min_position swapped (max is the last entry's sort_index)",
            ),
            Fault::AddAtBottom => (
                "add-at-bottom",
                Must,
                "add.top",
                "collections/entries/add puts a new tweet at the bottom of a curated collection instead of the top",
            ),
            Fault::AddRelativeToIgnored => (
                "add-relative-to-ignored",
                Must,
                "add.relative_to.above",
                "collections/entries/add ignores relative_to: the tweet goes on top",
            ),
            Fault::AddAboveIgnored => (
                "add-above-ignored",
                Must,
                "add.relative_to.below",
                "collections/entries/add ignores above=false: the tweet goes above relative_to",
            ),
            Fault::AddDuplicateHardError => (
                "add-duplicate-hard-error",
                Must,
                "add.duplicate.soft_error",
                "collections/entries/add answers a tweet already in the collection with a hard 400 / 44 instead of the soft duplicate",
            ),
            Fault::AddDuplicateSilent => (
                "add-duplicate-silent",
                Must,
                "add.duplicate.soft_error",
                "collections/entries/add answers a tweet already in the collection with the success envelope (no duplicate reported)",
            ),
            Fault::AddForeignCollection => (
                "add-foreign-collection",
                Must,
                "collections.foreign.refused",
                "collections/entries/add does not check ownership: a tweet is added to another user's collection",
            ),
            Fault::AddCapacityRefused => (
                "add-capacity-refused",
                Must,
                "add.capacity.evicts_oldest",
                "collections/entries/add to a full collection is refused 403 / 87 instead of evicting the oldest addition",
            ),
            Fault::AddCapacityEvictsNewest => (
                "add-capacity-evicts-newest",
                Must,
                "add.capacity.evicts_oldest",
                "collections/entries/add to a full collection evicts the most recent earlier addition instead of the oldest",
            ),
            Fault::AddCapacityUnbounded => (
                "add-capacity-unbounded",
                Must,
                "add.capacity.evicts_oldest",
                "collections/entries/add to a full collection evicts nothing: the collection grows past its capacity",
            ),
            Fault::MoveNotFoundHard => (
                "move-not-found-hard",
                Must,
                "move.not_found.soft",
                "collections/entries/move answers a tweet not in the collection with a hard 404 / 144 instead of the soft not_found",
            ),
            Fault::MoveNoop => (
                "move-noop",
                Must,
                "move.order.above",
                "collections/entries/move answers success but leaves the order unchanged",
            ),
            Fault::MoveAboveIgnored => (
                "move-above-ignored",
                Must,
                "move.order.below",
                "collections/entries/move ignores above=false: the tweet goes above relative_to",
            ),
            Fault::CurateLimitUnenforced => (
                "curate-limit-unenforced",
                Should,
                "curate.limit.over_100",
                "collections/entries/curate applies more than 100 changes in one request",
            ),
            Fault::CurateStopsAtFirstFailure => (
                "curate-stops-at-first-failure",
                Should,
                "curate.partial",
                "collections/entries/curate stops at the first failing change: it is reported, the changes after it are not applied",
            ),
            Fault::CurateFailuresUnreported => (
                "curate-failures-unreported",
                Must,
                "curate.per_change.soft_errors",
                "collections/entries/curate answers errors [] even when changes failed (duplicates, tweets not found)",
            ),
            Fault::CurateJsonBodyIgnored => (
                "curate-json-body-ignored",
                Must,
                "curate.json_body",
                "collections/entries/curate reads id and changes from the query and form only: a JSON body is refused 403 / 38",
            ),
            Fault::CurateBodySigned => (
                "curate-body-signed",
                Must,
                "curate.body.not_signed",
                "collections/entries/curate parses its body as a form whatever the Content-Type, so the JSON body enters the signature base string and correctly signed requests fail 401 / 32",
            ),
            Fault::ReaddKeepsPosition => (
                "readd-keeps-position",
                Must,
                "state.add.on_top",
                "a tweet removed and added again returns to the position it had, not to the top",
            ),
            Fault::RemoveFromEveryCollection => (
                "remove-from-every-collection",
                Must,
                "state.collections.isolated",
                "remove takes the tweet out of every collection holding it (a delete without the collection in its filter)",
            ),
            Fault::IdsAsFloat64 => (
                "ids-as-float64",
                Must,
                "state.ids.exact",
                "tweet ids compared as float64: neighbours such as 1404000000000000001 and ...002 count as one tweet (add answers duplicate, remove takes the neighbour)",
            ),
            Fault::PagingSkipsEntry => (
                "paging-skips-entry",
                Must,
                "state.entries.paging",
                "entries pages cursor-style (min_position names the next page's first entry) but max_position excludes it: one entry lost between pages",
            ),
            Fault::MoveOffByOne => (
                "move-off-by-one",
                Must,
                "state.move.placed",
                "move finds relative_to's index before taking the tweet out: a tweet moved downwards lands one place below",
            ),
            Fault::CurateFirstChangeOnly => (
                "curate-first-change-only",
                Must,
                "state.curate.applied",
                "curate applies only its first change and answers success for all",
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
    /// The endpoints this fault bends: `collections/entries/remove` unless listed here (the
    /// faults of the other endpoints name theirs; a fault of the whole API says `Everywhere`).
    pub fn scope(self) -> Scope {
        const fn only(endpoint: &'static [Endpoint]) -> Scope {
            Scope::Only(endpoint)
        }
        match self {
            Fault::ReaddKeepsPosition
            | Fault::RemoveFromEveryCollection
            | Fault::IdsAsFloat64
            | Fault::PagingSkipsEntry
            | Fault::MoveOffByOne
            | Fault::CurateFirstChangeOnly => Scope::Everywhere,
            Fault::CreateNameOptional
            | Fault::CreateNameUnlimited
            | Fault::CreateDescriptionUnlimited
            | Fault::CreateUrlUnchecked
            | Fault::CreateTimelineOrderIgnored
            | Fault::CreateDefaultOrderReverseChron
            | Fault::CreateResponseMissing => only(&[Endpoint::Create]),
            Fault::DestroyNoop
            | Fault::DestroyEnvelopeWrapped
            | Fault::DestroyForeignCollection => only(&[Endpoint::Destroy]),
            Fault::ShowResponseMissing | Fault::ShowOwnerOnly | Fault::ShowTimelineMinimal => {
                only(&[Endpoint::Show])
            }
            Fault::UpdateNameIgnored
            | Fault::UpdateKeepsOmitted
            | Fault::UpdateResponseMissing
            | Fault::UpdateForeignCollection => only(&[Endpoint::Update]),
            Fault::ListScreenNameIgnored
            | Fault::ListCallerOnly
            | Fault::ListCursorIgnored
            | Fault::ListNextCursorMissing
            | Fault::ListCountIgnored
            | Fault::ListTweetIdIgnored => only(&[Endpoint::List]),
            Fault::EntriesReversed
            | Fault::EntriesTimelineOrderIgnored
            | Fault::EntriesCountIgnored
            | Fault::EntriesMaxPositionExclusive
            | Fault::EntriesMinPositionInclusive
            | Fault::EntriesNeverTruncated
            | Fault::EntriesTruncatedWhenPageFull
            | Fault::EntriesPositionsSwapped => only(&[Endpoint::Entries]),
            Fault::AddAtBottom
            | Fault::AddRelativeToIgnored
            | Fault::AddAboveIgnored
            | Fault::AddDuplicateHardError
            | Fault::AddDuplicateSilent
            | Fault::AddForeignCollection
            | Fault::AddCapacityRefused
            | Fault::AddCapacityEvictsNewest
            | Fault::AddCapacityUnbounded => only(&[Endpoint::EntriesAdd]),
            Fault::MoveNotFoundHard | Fault::MoveNoop | Fault::MoveAboveIgnored => {
                only(&[Endpoint::EntriesMove])
            }
            Fault::CurateLimitUnenforced
            | Fault::CurateStopsAtFirstFailure
            | Fault::CurateFailuresUnreported
            | Fault::CurateJsonBodyIgnored
            | Fault::CurateBodySigned => only(&[Endpoint::EntriesCurate]),
            _ => only(&[Endpoint::EntriesRemove]),
        }
    }

    /// Bends `policy` (that of an endpoint in [`Fault::scope`]) the way this fault describes: one
    /// field each.
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
            Fault::CreateNameOptional => p.require_name = false,
            Fault::CreateNameUnlimited => p.name_max = 100,
            Fault::CreateDescriptionUnlimited => p.description_max = usize::MAX,
            Fault::CreateUrlUnchecked => p.validate_url = false,
            Fault::CreateTimelineOrderIgnored => p.honour_timeline_order = false,
            Fault::CreateDefaultOrderReverseChron => {
                p.default_timeline_order = TimelineOrder::TweetReverseChron
            }
            Fault::CreateResponseMissing => p.single_response = false,
            Fault::DestroyNoop => p.destroy_deletes = false,
            Fault::DestroyEnvelopeWrapped => p.destroy_bare_body = false,
            Fault::DestroyForeignCollection => p.check_ownership = false,
            Fault::ShowResponseMissing => p.single_response = false,
            Fault::ShowOwnerOnly => p.public_reads = false,
            Fault::ShowTimelineMinimal => p.full_timeline = false,
            Fault::UpdateNameIgnored => p.update_name = false,
            Fault::UpdateKeepsOmitted => p.update_clears_omitted = false,
            Fault::UpdateResponseMissing => p.single_response = false,
            Fault::UpdateForeignCollection => p.check_ownership = false,
            Fault::ListScreenNameIgnored => p.list_by_screen_name = false,
            Fault::ListCallerOnly => p.list_by_user_id = false,
            Fault::ListCursorIgnored => p.list_cursor = false,
            Fault::ListNextCursorMissing => p.next_cursor = false,
            Fault::ListCountIgnored => p.read_count = false,
            Fault::ListTweetIdIgnored => p.list_tweet_filter = false,
            Fault::EntriesReversed => p.entries_order = EntriesOrder::Reversed,
            Fault::EntriesTimelineOrderIgnored => p.entries_order = EntriesOrder::NewestTweetFirst,
            Fault::EntriesCountIgnored => p.read_count = false,
            Fault::EntriesMaxPositionExclusive => p.max_position_inclusive = false,
            Fault::EntriesMinPositionInclusive => p.min_position_exclusive = false,
            Fault::EntriesNeverTruncated => p.truncation = Truncation::Never,
            Fault::EntriesTruncatedWhenPageFull => p.truncation = Truncation::WhenPageFull,
            Fault::EntriesPositionsSwapped => p.positions_in_order = false,
            Fault::AddAtBottom => p.add_on_top = false,
            Fault::AddRelativeToIgnored => p.honour_relative_to = false,
            Fault::AddAboveIgnored => p.honour_above = false,
            Fault::AddDuplicateHardError => p.duplicate = SoftAnswer::Refuse(INVALID_PARAMETER),
            Fault::AddDuplicateSilent => p.duplicate = SoftAnswer::Succeed,
            Fault::AddForeignCollection => p.check_ownership = false,
            Fault::AddCapacityRefused => p.at_capacity = AtCapacity::Refuse,
            Fault::AddCapacityEvictsNewest => p.at_capacity = AtCapacity::EvictNewest,
            Fault::AddCapacityUnbounded => p.at_capacity = AtCapacity::Grow,
            Fault::MoveNotFoundHard => p.move_not_found = SoftAnswer::Refuse(Refusal::code(144)),
            Fault::MoveNoop => p.move_moves = false,
            Fault::MoveAboveIgnored => p.honour_above = false,
            Fault::CurateLimitUnenforced => p.curate_max_changes = None,
            Fault::CurateStopsAtFirstFailure => p.curate_continue_after_failure = false,
            Fault::CurateFailuresUnreported => p.curate_report_failures = false,
            Fault::CurateJsonBodyIgnored => p.curate_json_body = false,
            Fault::CurateBodySigned => p.curate_body_unsigned = false,
            Fault::ReaddKeepsPosition => p.readd_restores_position = true,
            Fault::RemoveFromEveryCollection => p.remove_from_every_collection = true,
            Fault::IdsAsFloat64 => p.ids_as_float64 = true,
            Fault::PagingSkipsEntry => p.paging_skips_boundary = true,
            Fault::MoveOffByOne => p.move_stale_anchor = true,
            Fault::CurateFirstChangeOnly => p.curate_first_change_only = true,
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

    /// The server's behaviour under this fault alone.
    pub fn behaviour(self) -> Behaviour {
        Behaviour::new(&[self].into(), &Default::default())
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
        let mut seen: Vec<(Fault, Behaviour)> = Vec::new();
        for fault in Fault::ALL {
            let behaviour = fault.behaviour();
            assert_ne!(behaviour, Behaviour::default(), "{fault} changes nothing");
            if let Some((twin, _)) = seen.iter().find(|(_, b)| *b == behaviour) {
                panic!("{fault} and {twin} make the same server");
            }
            seen.push((fault, behaviour));
        }
    }

    #[test]
    fn every_fault_bends_exactly_the_endpoints_of_its_scope() {
        for fault in Fault::ALL {
            let (bent, unknown_path) = fault.behaviour().bent();
            match fault.scope() {
                Scope::Everywhere => assert_eq!(bent, Endpoint::ALL, "{fault}"),
                Scope::Only(endpoints) => {
                    assert_eq!(bent, endpoints, "{fault}");
                    assert!(!unknown_path, "{fault} bends the unknown path");
                }
            }
        }
    }
}
