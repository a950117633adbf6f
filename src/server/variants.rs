//! Variants: plausible alternative behaviours of a faithful server, each a choice the sources
//! leave open (the reference, `shared/reference/twitter-collections-v1.1.md`, marks the point
//! UNVERIFIED, shows two answers, or says nothing), each citing the section that leaves it open.
//!
//! They are the mirror of the faults: a fault must make a vector of its level fail (the kill
//! matrix), a variant must pass every vector of the default profile (the tolerance matrix,
//! `src/mutants.rs`). A MUST vector that fails under a variant claims more than the sources say.
//!
//! Like a fault, a variant is a value: [`Variant::apply`] changes one field of the server's
//! [`Behaviour`], on the endpoint whose choice it is ([`Variant::scope`]: remove unless it names
//! another) or on every endpoint (a choice of the whole API: rendering, transport,
//! authentication, rate limits). A few variants are
//! the same server as a SHOULD fault: SHOULD is exactly "the sources leave it open", so the strict
//! profile catches them and the default profile must not.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::policy::{Answer, Behaviour, Policy, RateLimitHeaders, Refusal, Scope};
use super::routes::Endpoint;

/// A 400 / 44 "<name> parameter is invalid." refusal.
const INVALID_PARAMETER: Refusal = Refusal::code(44)
    .with_status(400)
    .with_message("{name} parameter is invalid.");

/// The latency of [`Variant::SlowResponses`] ("an extra second on every response").
pub const SLOW_RESPONSE_LATENCY: Duration = Duration::from_secs(1);

/// One alternative behaviour (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// Unknown or destroyed collection: the soft `not_found` at 200.
    UnknownCollectionSoftNotFound,
    /// Unknown or destroyed collection: 400 / 44.
    UnknownCollection400,
    /// Malformed collection id: 400 / 44.
    MalformedId400,
    /// Another user's collection: 404 / 34.
    ForeignCollection404,
    /// Wrong method: 404 / 34.
    WrongMethod404,
    /// Missing parameter: 403 / 170.
    MissingParam170,
    /// Unknown parameters refused with 400 / 44.
    UnknownParams400,
    /// Empty values count as present (and are then malformed).
    EmptyParamsPresent,
    /// Non-numeric tweet id: the soft `not_found` echoing it.
    NonNumericTweetIdSoftNotFound,
    /// A tweet id naming no tweet: 404 / 144.
    UnknownTweet144,
    /// The soft `not_found` with HTTP 404.
    SoftNotFound404,
    /// Unknown token: 403 / 89.
    UnknownToken403,
    /// A 15-minute timestamp window.
    TimestampWindow15Min,
    /// Future timestamps not refused.
    FutureTimestampsTolerated,
    /// `oauth_*` read from the `Authorization` header only.
    OauthHeaderOnly,
    /// No `x-rate-limit-*` on POST responses.
    NoRateLimitHeadersOnPost,
    /// POST endpoints limited to 180 per window.
    WriteLimit180,
    /// Object keys in reverse order.
    KeysReordered,
    /// Pretty-printed JSON.
    PrettyJson,
    /// `Content-Type: application/json;charset=UTF-8`.
    ContentTypeSpelling,
    /// Hard errors carry a `label`.
    ErrorLabel,
    /// Messages spelled with or without the final period.
    MessagePeriod,
    /// `Connection: close` on every response.
    ConnectionClose,
    /// A second of latency on every response.
    SlowResponses,
    // The rest of the family (each names its endpoint in Variant::scope).
    /// collections/destroy of an unknown or already destroyed collection answered {"destroyed":true}.
    DestroyUnknownDestroyedTrue,
    /// collections/create with a timeline_order that is none of the three refused 400 / 44 "timeline_order parameter is invalid.".
    CreateUnknownOrder400,
    /// collections/update without name refused 403 / 38.
    UpdateRequiresName,
    /// collections/list gives a user's collections oldest first.
    ListOldestFirst,
    /// collections/list pages 50 collections without count.
    ListDefaultCount50,
    /// collections/entries answers without objects.users.
    EntriesWithoutUsers,
    /// collections/entries/move in a tweet_chron or tweet_reverse_chron collection refused 400 / 44 "id parameter is invalid." instead of 403 / 87.
    MoveTimeOrdered400,
    /// collections/entries/curate removing a tweet not in the collection reports nothing.
    CurateAbsentRemovalSilent,
    /// collections/entries/curate stops at the first failing change, reporting it.
    CurateStopsAtFirstFailure,
}

impl Variant {
    /// Every variant, in the order of the docs table.
    pub const ALL: [Variant; 33] = [
        Variant::UnknownCollectionSoftNotFound,
        Variant::UnknownCollection400,
        Variant::MalformedId400,
        Variant::ForeignCollection404,
        Variant::WrongMethod404,
        Variant::MissingParam170,
        Variant::UnknownParams400,
        Variant::EmptyParamsPresent,
        Variant::NonNumericTweetIdSoftNotFound,
        Variant::UnknownTweet144,
        Variant::SoftNotFound404,
        Variant::UnknownToken403,
        Variant::TimestampWindow15Min,
        Variant::FutureTimestampsTolerated,
        Variant::OauthHeaderOnly,
        Variant::NoRateLimitHeadersOnPost,
        Variant::WriteLimit180,
        Variant::KeysReordered,
        Variant::PrettyJson,
        Variant::ContentTypeSpelling,
        Variant::ErrorLabel,
        Variant::MessagePeriod,
        Variant::ConnectionClose,
        Variant::SlowResponses,
        Variant::DestroyUnknownDestroyedTrue,
        Variant::CreateUnknownOrder400,
        Variant::UpdateRequiresName,
        Variant::ListOldestFirst,
        Variant::ListDefaultCount50,
        Variant::EntriesWithoutUsers,
        Variant::MoveTimeOrdered400,
        Variant::CurateAbsentRemovalSilent,
        Variant::CurateStopsAtFirstFailure,
    ];

    /// The kebab-case name (`serve --variant NAME`).
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// The reference sections (`§N`) that leave the choice open.
    pub fn sections(self) -> &'static str {
        self.row().1
    }

    /// One line: what the server does instead, and why the sources allow it.
    pub fn description(self) -> &'static str {
        self.row().2
    }

    /// Whether the choice is the whole API's (every endpoint) rather than remove's alone.
    pub fn server_wide(self) -> bool {
        self.row().3
    }

    /// `(name, sections, description, server-wide)`: the one metadata table.
    fn row(self) -> (&'static str, &'static str, &'static str, bool) {
        match self {
            Variant::UnknownCollectionSoftNotFound => (
                "unknown-collection-soft-not-found",
                "§2, §10",
                "an unknown or destroyed collection answered with the soft not_found at 200 (the error for an unknown collection is undocumented)",
                false,
            ),
            Variant::UnknownCollection400 => (
                "unknown-collection-400",
                "§2, §10",
                "an unknown or destroyed collection answered 400 / 44 \"id parameter is invalid.\" (undocumented; 44 is the table's invalid-parameter code)",
                false,
            ),
            Variant::MalformedId400 => (
                "malformed-id-400",
                "§1, §10",
                "a collection id that is not custom-<digits> answered 400 / 44 \"id parameter is invalid.\" (no source documents the error for a malformed id)",
                false,
            ),
            Variant::ForeignCollection404 => (
                "foreign-collection-404",
                "§2, §10",
                "another user's collection answered 404 / 34, hiding that it exists (the ownership error is undocumented)",
                false,
            ),
            Variant::WrongMethod404 => (
                "wrong-method-404",
                "§2, §5.2",
                "a wrong method answered 404 / 34 (86 is observed on entries/add only; the 2013 status table: 404 \"also returned when the requested format is not supported by the requested method\"); the same server as the SHOULD fault wrong-method-404",
                false,
            ),
            Variant::MissingParam170 => (
                "missing-param-170",
                "§2, §5.3",
                "a missing parameter answered 403 / 170 \"Missing required parameter: <name>.\" (observed on other v1.1 endpoints; 38 vs 170 is open)",
                false,
            ),
            Variant::UnknownParams400 => (
                "unknown-params-400",
                "§2, §5.2",
                "a parameter other than id and tweet_id refused with 400 / 44, nothing changed (the page lists two parameters; the X-era 400 text covers \"invalid query parameters\"); the same server as the SHOULD fault unknown-params-refused",
                false,
            ),
            Variant::EmptyParamsPresent => (
                "empty-params-present",
                "§2, §10",
                "an empty id or tweet_id counts as present and malformed (404 / 34, 404 / 144) rather than missing; the same server as the SHOULD fault empty-params-not-missing",
                false,
            ),
            Variant::NonNumericTweetIdSoftNotFound => (
                "non-numeric-tweet-id-soft-not-found",
                "§2, §8",
                "a tweet_id that is not a number answered with the soft not_found echoing it, as curate does per change (the error for a malformed tweet id is undocumented)",
                false,
            ),
            Variant::UnknownTweet144 => (
                "unknown-tweet-144",
                "§4.1, §10",
                "a well-formed tweet id naming no tweet answered 404 / 144 \"No status found with that ID.\" (only not_found for a tweet not in the collection is documented)",
                false,
            ),
            Variant::SoftNotFound404 => (
                "soft-not-found-404",
                "§2, §8, §10",
                "the soft not_found body sent with HTTP 404 (its status is undocumented; 200 is an inference); the same server as the SHOULD fault soft-not-found-404",
                false,
            ),
            Variant::UnknownToken403 => (
                "unknown-token-403",
                "§5.3, §9",
                "an unknown or revoked token answered 403 / 89, the code table's status (the app-only example shows 401)",
                true,
            ),
            Variant::TimestampWindow15Min => (
                "timestamp-window-15min",
                "§7.1",
                "oauth_timestamp accepted up to 15 minutes off (the allowed skew is undocumented)",
                true,
            ),
            Variant::FutureTimestampsTolerated => (
                "future-timestamps-tolerated",
                "§7.1",
                "timestamps ahead of the clock accepted (only \"too far in the past\" is documented); the same server as the SHOULD fault future-timestamp-accepted, on every endpoint",
                true,
            ),
            Variant::OauthHeaderOnly => (
                "oauth-header-only",
                "§7.1, §7.2",
                "oauth_* parameters read from the Authorization header only (the only placement Twitter documents); the same server as the SHOULD fault oauth-header-only, on every endpoint",
                true,
            ),
            Variant::NoRateLimitHeadersOnPost => (
                "no-rate-limit-headers-on-post",
                "§6, §10",
                "no x-rate-limit-* headers on responses of POST endpoints (whether POST responses carried them is undocumented)",
                true,
            ),
            Variant::WriteLimit180 => (
                "write-limit-180",
                "§6, §10",
                "POST endpoints limited to 180 requests per 15-minute window (no Collections POST limit is documented; 180 is the other documented bucket)",
                true,
            ),
            Variant::KeysReordered => (
                "keys-reordered",
                "§4.1, §5.1",
                "every JSON object's keys in reverse order (key order differs between the published examples; JSON consumers must not depend on it)",
                true,
            ),
            Variant::PrettyJson => (
                "pretty-json",
                "§2, §9",
                "JSON pretty-printed, as the remove page shows its examples (whitespace is not part of the contract)",
                true,
            ),
            Variant::ContentTypeSpelling => (
                "content-type-spelling",
                "§2, §7.4",
                "Content-Type: application/json;charset=UTF-8 (the same media type spelled another way; remove documents only \"Response formats JSON\")",
                true,
            ),
            Variant::ErrorLabel => (
                "error-label",
                "§5.1",
                "hard errors carry an extra \"label\" field beside code and message, as the published code-99 error does",
                true,
            ),
            Variant::MessagePeriod => (
                "message-period",
                "§5.1, §6",
                "hard error messages with the final period dropped (or added where the table has none), as published examples spell them (\"clients match on code, not on message\")",
                true,
            ),
            Variant::ConnectionClose => (
                "connection-close",
                "§7.2",
                "Connection: close on every response (persistence is undocumented; the documented example request itself closes)",
                true,
            ),
            Variant::SlowResponses => (
                "slow-responses",
                "§5.2",
                "an extra second before every response (no response time is documented; 503 and 504 say the service may be slow)",
                true,
            ),
            Variant::DestroyUnknownDestroyedTrue => (
                "destroy-unknown-destroyed-true",
                "§3.5",
                "collections/destroy of an unknown or already destroyed collection answered {\"destroyed\":true} (the answer for a non-existent id is UNVERIFIED)",
                false,
            ),
            Variant::CreateUnknownOrder400 => (
                "create-unknown-order-400",
                "§3.4",
                "collections/create with a timeline_order that is none of the three refused 400 / 44 \"timeline_order parameter is invalid.\" (the page lists three values and says nothing of others)",
                false,
            ),
            Variant::UpdateRequiresName => (
                "update-requires-name",
                "§3.6",
                "collections/update without name refused 403 / 38 (\"Partial updates are not currently supported: please provide name, description, and url\", though the table marks name optional)",
                false,
            ),
            Variant::ListOldestFirst => (
                "list-oldest-first",
                "§3.8",
                "collections/list gives a user's collections oldest first (the order of results is undocumented)",
                false,
            ),
            Variant::ListDefaultCount50 => (
                "list-default-count-50",
                "§3.8",
                "collections/list pages 50 collections without count (the server's default count is UNVERIFIED; SDKs assume 20)",
                false,
            ),
            Variant::EntriesWithoutUsers => (
                "entries-without-users",
                "§3.9",
                "collections/entries answers without objects.users (the example has none; whether the live API included users is UNVERIFIED)",
                false,
            ),
            Variant::MoveTimeOrdered400 => (
                "move-time-ordered-400",
                "§3.2",
                "collections/entries/move in a tweet_chron or tweet_reverse_chron collection refused 400 / 44 \"id parameter is invalid.\" instead of 403 / 87 (the behaviour outside curation_reverse_chron is UNVERIFIED)",
                false,
            ),
            Variant::CurateAbsentRemovalSilent => (
                "curate-absent-removal-silent",
                "§3.3, §4.1",
                "collections/entries/curate removing a tweet not in the collection reports nothing (not_found for a curate remove is UNVERIFIED)",
                false,
            ),
            Variant::CurateStopsAtFirstFailure => (
                "curate-stops-at-first-failure",
                "§3.3",
                "collections/entries/curate stops at the first failing change, reporting it (partial-success semantics are UNVERIFIED); the same server as the SHOULD fault curate-stops-at-first-failure",
                false,
            ),
        }
    }

    /// The endpoints whose choice this is: every one for a server-wide variant, else
    /// `collections/entries/remove` unless listed here.
    pub fn scope(self) -> Scope {
        if self.server_wide() {
            return Scope::Everywhere;
        }
        match self {
            Variant::DestroyUnknownDestroyedTrue => Scope::Only(&[Endpoint::Destroy]),
            Variant::CreateUnknownOrder400 => Scope::Only(&[Endpoint::Create]),
            Variant::UpdateRequiresName => Scope::Only(&[Endpoint::Update]),
            Variant::ListOldestFirst | Variant::ListDefaultCount50 => {
                Scope::Only(&[Endpoint::List])
            }
            Variant::EntriesWithoutUsers => Scope::Only(&[Endpoint::Entries]),
            Variant::MoveTimeOrdered400 => Scope::Only(&[Endpoint::EntriesMove]),
            Variant::CurateAbsentRemovalSilent | Variant::CurateStopsAtFirstFailure => {
                Scope::Only(&[Endpoint::EntriesCurate])
            }
            _ => Scope::Only(&[Endpoint::EntriesRemove]),
        }
    }

    /// Changes `behaviour` the way this variant describes, on the endpoints of its scope.
    pub fn apply(self, behaviour: &mut Behaviour) {
        behaviour.bend(self.scope(), |policy| self.change(policy));
    }

    /// The one field this variant sets.
    fn change(self, p: &mut Policy) {
        match self {
            Variant::UnknownCollectionSoftNotFound => p.unknown_collection = Answer::SoftNotFound,
            Variant::UnknownCollection400 => {
                p.unknown_collection = Answer::Refuse(INVALID_PARAMETER);
            }
            Variant::MalformedId400 => p.malformed_id = Answer::Refuse(INVALID_PARAMETER),
            Variant::ForeignCollection404 => {
                p.foreign_collection = Answer::Refuse(Refusal::code(34));
            }
            Variant::WrongMethod404 => p.wrong_method = Refusal::code(34),
            Variant::MissingParam170 => p.missing_parameter = Refusal::code(170),
            Variant::UnknownParams400 => p.unknown_parameter = Some(INVALID_PARAMETER),
            Variant::EmptyParamsPresent => p.empty_is_missing = false,
            Variant::NonNumericTweetIdSoftNotFound => p.non_numeric_tweet_id = Answer::SoftNotFound,
            Variant::UnknownTweet144 => {
                p.nonexistent_tweet = Some(Answer::Refuse(Refusal::code(144)));
            }
            Variant::SoftNotFound404 => p.soft_error_status = 404,
            Variant::UnknownToken403 => p.unknown_token = Refusal::code(89).with_status(403),
            Variant::TimestampWindow15Min => p.timestamp_window_secs = Some(15 * 60),
            Variant::FutureTimestampsTolerated => p.refuse_future_timestamps = false,
            Variant::OauthHeaderOnly => p.oauth_in_params = false,
            Variant::NoRateLimitHeadersOnPost => p.rate_limit_headers = RateLimitHeaders::ReadsOnly,
            Variant::WriteLimit180 => p.write_limit_cap = Some(180),
            Variant::KeysReordered => p.reverse_keys = true,
            Variant::PrettyJson => p.pretty_json = true,
            Variant::ContentTypeSpelling => p.content_type = "application/json;charset=UTF-8",
            Variant::ErrorLabel => p.error_label = true,
            Variant::MessagePeriod => p.toggle_message_period = true,
            Variant::ConnectionClose => p.connection_close = true,
            Variant::SlowResponses => p.latency = SLOW_RESPONSE_LATENCY,
            Variant::DestroyUnknownDestroyedTrue => p.destroy_unknown_succeeds = true,
            Variant::CreateUnknownOrder400 => {
                p.refuse_unknown_timeline_order = Some(INVALID_PARAMETER)
            }
            Variant::UpdateRequiresName => p.update_requires_name = true,
            Variant::ListOldestFirst => p.list_newest_first = false,
            Variant::ListDefaultCount50 => p.default_count = Some(50),
            Variant::EntriesWithoutUsers => p.entries_users = false,
            Variant::MoveTimeOrdered400 => p.move_time_ordered = INVALID_PARAMETER,
            Variant::CurateAbsentRemovalSilent => p.curate_report_absent_removal = false,
            Variant::CurateStopsAtFirstFailure => p.curate_continue_after_failure = false,
        }
    }

    /// The server's behaviour under this variant alone.
    pub fn behaviour(self) -> Behaviour {
        let mut behaviour = Behaviour::default();
        self.apply(&mut behaviour);
        behaviour
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = String;

    /// Parses a variant name; the error lists every name.
    fn from_str(name: &str) -> Result<Variant, String> {
        Variant::ALL
            .into_iter()
            .find(|v| v.name() == name.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
                format!("unknown variant {name:?}; known: {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_round_trip_and_every_variant_cites_a_section() {
        let mut seen = BTreeSet::new();
        for variant in Variant::ALL {
            let name = variant.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert_eq!(name.parse::<Variant>(), Ok(variant));
            assert!(
                variant.sections().starts_with('§'),
                "{name} cites no section"
            );
            assert!(!variant.description().is_empty());
        }
        assert!(
            "nope"
                .parse::<Variant>()
                .unwrap_err()
                .contains("keys-reordered")
        );
    }

    #[test]
    fn every_variant_changes_the_server_and_no_two_alike() {
        let mut seen: Vec<(Variant, Behaviour)> = Vec::new();
        for variant in Variant::ALL {
            let behaviour = variant.behaviour();
            assert_ne!(behaviour, Behaviour::default(), "{variant} changes nothing");
            let (bent, unknown_path) = behaviour.bent();
            match variant.scope() {
                Scope::Everywhere => {
                    assert!(unknown_path && bent == Endpoint::ALL, "{variant}: scope");
                }
                Scope::Only(endpoints) => {
                    assert!(!unknown_path && bent == endpoints, "{variant}: scope");
                }
            }
            if let Some((twin, _)) = seen.iter().find(|(_, b)| *b == behaviour) {
                panic!("{variant} and {twin} make the same server");
            }
            seen.push((variant, behaviour));
        }
    }

    #[test]
    fn the_cited_sections_exist_in_the_reference() {
        // The reference lives beside the project (shared/reference); skip when it is not there.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/twitter-collections-v1.1.md"
        );
        let Ok(reference) = std::fs::read_to_string(path) else {
            return;
        };
        for variant in Variant::ALL {
            for section in variant.sections().split(", ") {
                let number = section.trim_start_matches('§');
                let heading = format!("\n## {number}. ");
                let sub = format!("\n### {number} ");
                assert!(
                    reference.contains(&heading) || reference.contains(&sub),
                    "{variant} cites {section}, which the reference does not have"
                );
            }
        }
    }
}
