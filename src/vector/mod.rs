//! The vector file format: one JSON file under `vectors/` is one case and one trial.
//!
//! The types here mirror `specs/schemas/vector.json`; the schema is what rejects unknown keys and
//! names the JSON pointer of a mistake, these types are what the runner works with.

mod load;
mod template;

pub use load::{
    Discovered, LoadedVector, MAX_VECTOR_BYTES, VectorError, discover, load_all, vector_id,
};
pub use template::{Bindings, FixtureValues, TemplateError};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An object key as one JSON pointer token (RFC 6901: `~` as `~0`, `/` as `~1`), for messages that
/// locate a problem in a vector or a response body.
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// How strongly the documentation binds an implementation to a vector's expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Stated by the endpoint's page or the v1.1 docs: a failure is non-conformance.
    Must,
    /// Observed elsewhere or the best reading of silent docs: fails only in the strict profile.
    Should,
    /// Optional behaviour: reported, never fails a run.
    May,
}

impl Level {
    /// Upper-case name, as in the run summary (`MUST 12/12`).
    pub fn label(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }

    /// Lower-case name, as in trial kinds and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
        }
    }
}

/// Where a requirement or vector's expectation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Written in Twitter's documentation.
    Documented,
    /// Seen in real responses, reported in public issue threads.
    Observed,
    /// Our reading where the sources say nothing.
    Inferred,
}

impl Evidence {
    /// Lower-case name, as in vector files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Documented => "documented",
            Evidence::Observed => "observed",
            Evidence::Inferred => "inferred",
        }
    }
}

/// One vector file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// One line a person reads in a report.
    pub title: String,
    /// Longer explanation, when the title is not enough.
    #[serde(default)]
    pub description: Option<String>,
    /// Ids from `specs/requirements.json` this vector covers.
    pub requirements: Vec<String>,
    /// The level of the vector's verdict.
    pub level: Level,
    /// What the expectation rests on.
    pub evidence: Evidence,
    /// The endpoint under test (`collections/create`): its every response is held to the
    /// invariants, and it is not treated as an oracle of this vector. Default: remove.
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    /// This vector watches state other vectors could change at the same time (a user's list of
    /// collections, say): its steps run after every other vector, one vector at a time, so what
    /// changes while they run is their own doing. Its fixtures are created while the other
    /// vectors run and stay until every `alone` vector is done, so it must tolerate collections
    /// it did not create (as it must on any real account).
    #[serde(default)]
    pub alone: bool,
    /// This vector vouches for its endpoint as an oracle the kit relies on (fixtures, state
    /// reads): it runs before every other vector, and when it fails, the vectors that rely on
    /// that endpoint are not judged.
    #[serde(default)]
    pub oracle: bool,
    /// What must exist on the target before the steps run.
    #[serde(default)]
    pub fixtures: Fixtures,
    /// What the vector does: HTTP steps or an offline OAuth check.
    #[serde(flatten)]
    pub body: VectorBody,
}

/// The endpoint every vector tests unless it names another.
pub const DEFAULT_ENDPOINT: &str = "collections/entries/remove";

fn default_endpoint() -> String {
    DEFAULT_ENDPOINT.to_string()
}

/// The endpoints the kit itself relies on: fixtures are created with the first two and destroyed
/// with the last, state is read back with `collections/entries`.
pub const ORACLES: [&str; 4] = [
    "collections/create",
    "collections/entries/add",
    "collections/entries",
    "collections/destroy",
];

/// The two kinds of vector: exchanges with a target, or known answers for the signer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VectorBody {
    /// Requests sent in order to the target, each with its expectations.
    Steps(Vec<Step>),
    /// A signature computed offline and compared with a published result.
    Signature(Box<SignatureCase>),
    /// Percent-encoding cases checked offline.
    PercentEncoding(Vec<EncodingCase>),
    /// A collection planted before every other vector and read back between phases and at the
    /// end: no request of the run names it, so it must not change.
    Canary(CanarySpec),
    /// Seeded random sequences of the family's operations, checked against an executable model
    /// of the documented semantics (`src/model/`).
    Model(Box<ModelConfig>),
}

/// Whose canary collection to plant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanarySpec {
    /// `user` (default) or `other_user`.
    #[serde(default)]
    pub owner: Option<AuthMode>,
}

/// What a model vector runs: how many sequences, how long, which operations. Deterministic for a
/// given seed; `CONFORMANCE_SEED` / `--seed` replaces `seed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Seed of the first sequence; sequence `i` uses a seed derived from it and `i`.
    pub seed: u64,
    /// How many sequences to run.
    pub sequences: usize,
    /// Operations per sequence, after the two `create`s that open it.
    pub length: usize,
    /// Wall-time budget for the sequences (not the shrinking); past it no new operation starts.
    pub budget_ms: u64,
    /// Wall-time budget for shrinking a failing sequence.
    #[serde(default = "default_shrink_budget_ms")]
    pub shrink_budget_ms: u64,
    /// How many of the target's tweets a sequence draws from (float64 neighbours first, when
    /// the target offers them).
    #[serde(default = "default_model_tweets")]
    pub tweets: usize,
    /// The operations generated; the documented ones when absent.
    #[serde(default)]
    pub operations: Option<Vec<ModelOperation>>,
    /// Independent writes sent at once to one collection (the `concurrent` operation).
    #[serde(default)]
    pub concurrency: Option<ConcurrencyConfig>,
}

fn default_shrink_budget_ms() -> u64 {
    20_000
}

fn default_model_tweets() -> usize {
    8
}

/// An operation the model suite may generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelOperation {
    /// `collections/entries/add` without `relative_to` (on top, or `duplicate`).
    Add,
    /// `collections/entries/add` with `relative_to` and, sometimes, `above`.
    AddRelative,
    /// `collections/entries/remove` of a present or an absent tweet.
    Remove,
    /// `collections/entries/move` with `relative_to` and, sometimes, `above`.
    Move,
    /// `collections/entries/curate` whose changes all succeed, or all are duplicates.
    Curate,
    /// `collections/entries/curate` mixing failing and succeeding changes (partial success and
    /// the remove `not_found` are UNVERIFIED: SHOULD vectors only).
    CurateMixed,
    /// `collections/entries` walked page by page (`count`, `max_position`) or read newer than an
    /// entry (`min_position`).
    Entries,
    /// `collections/destroy` of the sequence's second collection.
    Destroy,
    /// Independent writes to one collection at once (needs `concurrency`).
    Concurrent,
}

/// How the `concurrent` operation writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcurrencyConfig {
    /// Requests in flight at once in one `concurrent` operation (2 or more).
    pub writers: usize,
}

/// What a vector needs to exist before it runs; created through the API, destroyed afterwards.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// A collection of the main user, `{{collection.id}}`, holding `{{tweets[i]}}`.
    #[serde(default)]
    pub collection: Option<CollectionFixture>,
    /// A collection of the second user, `{{other_collection.id}}`, holding
    /// `{{other_collection.tweets[i]}}`.
    #[serde(default)]
    pub other_collection: Option<CollectionFixture>,
    /// Number of tweet ids that exist on the target but are in no fixture collection,
    /// `{{spare_tweets[i]}}`.
    #[serde(default)]
    pub spare_tweets: usize,
}

/// A collection to create for a vector.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionFixture {
    /// How many tweets to add, in order; the last added is on top of the collection.
    #[serde(default)]
    pub tweets: usize,
    /// Destroy the collection before the steps run, so the id names a collection that is gone.
    #[serde(default)]
    pub destroyed: bool,
    /// Who creates and owns it: `user`, `other_user` or `limited_user`. Default: `user` for
    /// `collection`, `other_user` for `other_collection`.
    #[serde(default)]
    pub owner: Option<AuthMode>,
    /// `name` sent to `collections/create`; default `conformance <vector>` cut to 25 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// `description` sent to `collections/create`, so a vector can read it back.
    #[serde(default)]
    pub description: Option<String>,
    /// `url` sent to `collections/create`, so a vector can read it back.
    #[serde(default)]
    pub url: Option<String>,
    /// `timeline_order` sent to `collections/create`, for the ordering vectors of the family.
    #[serde(default)]
    pub timeline_order: Option<String>,
    /// Fill the collection to the target's declared capacity (`CONFORMANCE_COLLECTION_CAPACITY`;
    /// the documentation gives no number) instead of adding `tweets`: `tweets[0]` is added first,
    /// so it is the oldest addition. Vectors may name `tweets[0]` and `tweets[1]` only, the
    /// capacity being the target's.
    #[serde(default)]
    pub at_capacity: bool,
}

impl CollectionFixture {
    /// The optional `collections/create` parameters this fixture sets, in documented order.
    pub fn create_params(&self) -> Vec<(&'static str, &str)> {
        [
            ("description", &self.description),
            ("url", &self.url),
            ("timeline_order", &self.timeline_order),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

/// One request and what its response must look like.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step does, for failure text; defaults to method and endpoint.
    #[serde(default)]
    pub name: Option<String>,
    /// The request to send.
    pub request: Request,
    /// What the response must satisfy.
    pub expect: Expectation,
    /// Before the judged request, send it (freshly signed each time) until the target says the
    /// rate-limit window is used up: `x-rate-limit-remaining: 0` or a 429. Bounded.
    #[serde(default)]
    pub exhaust_rate_limit: bool,
    /// Values the later steps need from this step's answer, by name: `{"next":
    /// "/response/cursors/next_cursor"}` binds `{{next}}` to the string (or number) at that JSON
    /// pointer once the step has passed. Cursors and positions are opaque, so following them is
    /// the only honest way to page.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// A JSON pointer into this step's answer (`/response/timeline_id`) naming a collection the
    /// step created: the kit destroys it after the vector, as it destroys fixtures, whatever the
    /// verdict, so a vector of `collections/create` leaves nothing behind.
    #[serde(default)]
    pub destroy_afterwards: Option<String>,
}

/// A request, in terms of the API rather than bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Endpoint under `/1.1/`, without `.json`: `collections/entries/remove`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// A raw path instead of an endpoint, for requests to paths that do not exist.
    #[serde(default)]
    pub path: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Query parameters, in order; templated.
    #[serde(default)]
    pub query: Params,
    /// `application/x-www-form-urlencoded` body parameters, in order; templated.
    #[serde(default)]
    pub form: Params,
    /// A raw body with its content type, instead of `form`.
    #[serde(default)]
    pub body: Option<RawBody>,
    /// Extra request headers; templated.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How the request is authenticated.
    #[serde(default)]
    pub auth: AuthMode,
    /// Where the `oauth_*` parameters travel.
    #[serde(default)]
    pub oauth_in: OAuthPlacement,
    /// How the query and form body are percent-encoded on the wire (the signature is always
    /// computed over the decoded values, as OAuth requires).
    #[serde(default)]
    pub encoding: WireEncoding,
}

/// How a client percent-encodes parameters; servers meet every one of these in the wild.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireEncoding {
    /// RFC 3986, upper-case hex, space as `%20`: what the documentation asks for.
    #[default]
    Rfc3986,
    /// HTML-form style: space as `+`, `*` left as is, `~` as `%7E`, lower-case hex.
    Form,
}

impl Request {
    /// A request to an endpoint with query parameters, as the kit itself sends for fixtures.
    pub fn api(
        method: &str,
        endpoint: &str,
        query: Vec<(String, String)>,
        auth: AuthMode,
    ) -> Request {
        Request {
            endpoint: Some(endpoint.to_string()),
            path: None,
            method: method.to_string(),
            query: Params::Pairs(query),
            form: Params::default(),
            body: None,
            headers: BTreeMap::new(),
            auth,
            oauth_in: OAuthPlacement::Header,
            encoding: WireEncoding::Rfc3986,
        }
    }
}

/// Request parameters: an object, or a list of pairs when a key repeats or order matters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Params {
    /// `{"id": "...", "tweet_id": "..."}`.
    Map(BTreeMap<String, String>),
    /// `[["id", "..."], ["id", "..."]]`.
    Pairs(Vec<(String, String)>),
}

impl Default for Params {
    fn default() -> Self {
        Params::Pairs(Vec::new())
    }
}

impl Params {
    /// The parameters as ordered pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        match self {
            Params::Map(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Params::Pairs(pairs) => pairs.clone(),
        }
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        match self {
            Params::Map(map) => map.is_empty(),
            Params::Pairs(pairs) => pairs.is_empty(),
        }
    }
}

/// A body sent as given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    /// `Content-Type` header; omitted when absent.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Body text; templated.
    pub text: String,
}

/// How a step authenticates. Each mode is a complete, deliberate way of signing (or not), so
/// vectors name what they test instead of assembling headers by hand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// Valid OAuth 1.0a user context of the main user.
    #[default]
    User,
    /// Valid OAuth 1.0a user context of the second user of the same app.
    OtherUser,
    /// Valid OAuth 1.0a user context of the user whose rate limits are small.
    LimitedUser,
    /// No authentication at all.
    None,
    /// `Authorization: Bearer` with the app's valid bearer token.
    Bearer,
    /// `Authorization: Bearer` with a token the target never issued.
    UnknownBearer,
    /// Valid parameters, signature with one character changed.
    BadSignature,
    /// Signed with a wrong token secret.
    WrongTokenSecret,
    /// Signed with a wrong consumer secret.
    WrongConsumerSecret,
    /// A consumer key the target does not know.
    UnknownConsumer,
    /// An access token the target does not know.
    UnknownToken,
    /// `oauth_timestamp` an hour in the past (the allowed skew is undocumented: SHOULD vectors).
    StaleTimestamp,
    /// `oauth_timestamp` three days in the past: stale under any window (MUST vectors).
    StaleTimestampDays,
    /// `oauth_timestamp` an hour in the future.
    FutureTimestamp,
    /// The exact same signed request sent twice; the second is judged.
    ReplayedNonce,
    /// Form-body parameters left out of the signature base string.
    BodyParamsUnsigned,
    /// Signature computed for GET while the request is sent with its own method.
    SignedForOtherMethod,
    /// Signature computed for another URL (the `add` endpoint).
    SignedForOtherUrl,
    /// `oauth_version="2.0"`, correctly signed.
    OauthVersion2,
    /// `oauth_signature_method="PLAINTEXT"`.
    Plaintext,
    /// OAuth header without `oauth_signature`.
    MissingSignature,
    /// Valid, with `realm="..."` in the Authorization header, which RFC 5849 leaves out of the
    /// base string (header placement only).
    RealmInHeader,
    /// Signed with the key `consumer_secret&`, as if there were no token secret (the token is
    /// still sent).
    NoTokenSecret,
    /// Query parameters left out of the signature base string (the mirror of
    /// `body_params_unsigned`).
    QueryParamsUnsigned,
    /// A raw non-form body (`body`) signed as if its text were form parameters.
    NonFormBodySigned,
    /// The signed request sent, then a freshly signed copy, then the first again (same nonce);
    /// the last is judged: a replay that is not immediate.
    ReplayedNonceLater,
}

impl AuthMode {
    /// Whether this mode is a correct OAuth 1.0a signature of a seeded user: its requests act as
    /// that user (reads of state, collections it owns, rate-limit counters of its token).
    pub fn signs_as_user(self) -> bool {
        matches!(
            self,
            AuthMode::User | AuthMode::OtherUser | AuthMode::LimitedUser
        )
    }

    /// What the target configuration must provide for this mode, if anything beyond the main user.
    pub fn needs(self) -> Option<Need> {
        match self {
            AuthMode::OtherUser => Some(Need::OtherUser),
            AuthMode::LimitedUser => Some(Need::LimitedUser),
            AuthMode::Bearer => Some(Need::BearerToken),
            _ => None,
        }
    }
}

/// Something a vector needs from the target configuration; missing means the trial is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `CONFORMANCE_OTHER_ACCESS_TOKEN` and its secret.
    OtherUser,
    /// `CONFORMANCE_LIMITED_ACCESS_TOKEN`, its secret and `CONFORMANCE_LIMITED_REMOVE_LIMIT`.
    LimitedUser,
    /// `CONFORMANCE_BEARER_TOKEN`.
    BearerToken,
    /// Enough `CONFORMANCE_TWEET_IDS` for the fixtures.
    TweetIds(usize),
    /// `CONFORMANCE_COLLECTION_CAPACITY` (at least 2), and tweet ids enough to fill this many
    /// collections to it besides `other_tweets`.
    FullCollections {
        /// Collections filled to capacity.
        collections: usize,
        /// Tweet ids needed besides theirs.
        other_tweets: usize,
    },
}

/// Where `oauth_*` parameters are sent; RFC 5849 section 3.5 allows all three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthPlacement {
    /// `Authorization: OAuth ...`.
    #[default]
    Header,
    /// In the query string.
    Query,
    /// In the form body.
    Form,
}

/// What a response must satisfy: one set of expectations, or several acceptable alternatives
/// where the sources disagree.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expectation {
    /// Any one of these is acceptable.
    AnyOf {
        /// The alternatives, each complete on its own.
        any_of: Vec<Expect>,
    },
    /// Exactly this.
    One(Box<Expect>),
}

impl Expectation {
    /// The alternatives: one element unless the vector lists several.
    pub fn alternatives(&self) -> Vec<&Expect> {
        match self {
            Expectation::AnyOf { any_of } => any_of.iter().collect(),
            Expectation::One(expect) => vec![expect],
        }
    }
}

/// A set of expectations on one response; every one present must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// What this alternative means, for failure text (`"soft not_found"`).
    #[serde(default)]
    pub label: Option<String>,
    /// Acceptable HTTP status codes, or classes such as `"4xx"` where the sources only say
    /// "refused".
    #[serde(default)]
    pub status: Option<OneOrMany<StatusPattern>>,
    /// Media type of the response (`application/json`), parameters ignored.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Header expectations by (case-insensitive) name.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderExpectation>,
    /// Name of a schema under `specs/schemas/` the body must validate against.
    #[serde(default)]
    pub schema: Option<String>,
    /// A JSON value the body must match; templated.
    #[serde(default)]
    pub json: Option<JsonMatch>,
    /// The hard envelope must carry an error whose `code` is one of these.
    #[serde(default)]
    pub error_codes: Option<Vec<u32>>,
    /// The soft envelope's `response.errors`, exactly (order ignored); templated.
    #[serde(default)]
    pub soft_errors: Option<Vec<SoftError>>,
    /// The tweet ids of `collections/entries`' `response.timeline`, in order; templated.
    #[serde(default)]
    pub timeline: Option<Vec<String>>,
    /// Rate-limit headers present and consistent (limit >= remaining, reset in the future, and
    /// remaining lower than in the previous step that had them).
    #[serde(default)]
    pub rate_limit: Option<RateLimitExpectation>,
    /// Checks of single values of the body, each at a JSON pointer; templated.
    #[serde(default)]
    pub values: Vec<ValueCheck>,
}

/// A check of the value at one JSON pointer of the body. Every predicate given must hold; a
/// pointer may hold placeholders (`/objects/timelines/{{collection.id}}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueCheck {
    /// Where, as a JSON pointer (RFC 6901) into the body.
    pub pointer: String,
    /// `true`: a value must be there; `false`: nothing may be there.
    #[serde(default)]
    pub present: Option<bool>,
    /// The value is there and equals this one.
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
    /// Nothing is there, or a value other than this one (a page's `next_cursor` must not be the
    /// cursor that was followed).
    #[serde(default)]
    pub differs_from: Option<serde_json::Value>,
    /// The value is an array with an element that contains this one (objects: these keys with
    /// these values, as `json` `subset` compares).
    #[serde(default)]
    pub has_item: Option<serde_json::Value>,
    /// Nothing is there, or an array none of whose elements contains this one.
    #[serde(default)]
    pub lacks_item: Option<serde_json::Value>,
}

/// A single value or a list of acceptable values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// One acceptable value.
    One(T),
    /// Any of these.
    Many(Vec<T>),
}

impl<T: PartialEq + Clone> OneOrMany<T> {
    /// The acceptable values as a list.
    pub fn values(&self) -> Vec<T> {
        match self {
            OneOrMany::One(value) => vec![value.clone()],
            OneOrMany::Many(values) => values.clone(),
        }
    }
}

/// One acceptable status: an exact code (`404`) or a class (`"4xx"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StatusPattern {
    /// Exactly this code.
    Code(u16),
    /// Any code of this class: `"2xx"` .. `"5xx"`.
    #[serde(with = "status_class")]
    Class(u16),
}

impl StatusPattern {
    /// Whether `status` is acceptable.
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusPattern::Code(code) => code == status,
            StatusPattern::Class(hundreds) => status / 100 == hundreds,
        }
    }
}

impl std::fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusPattern::Code(code) => write!(f, "{code}"),
            StatusPattern::Class(hundreds) => write!(f, "{hundreds}xx"),
        }
    }
}

/// `"4xx"` <-> 4.
mod status_class {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hundreds: &u16, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{hundreds}xx"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_bytes() {
            [digit @ b'1'..=b'5', b'x', b'x'] => Ok(u16::from(digit - b'0')),
            _ => Err(serde::de::Error::custom(format!(
                "status class `{text}` is not one of 1xx..5xx"
            ))),
        }
    }
}

/// An expectation on one header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpectation {
    /// Whether the header must be present (`true`) or absent (`false`).
    #[serde(default)]
    pub present: Option<bool>,
    /// Exact value (case-sensitive).
    #[serde(default)]
    pub equals: Option<String>,
}

/// A JSON expectation: the body equals `value`, or contains it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonMatch {
    /// `exact`: same value, same object keys; `subset`: every key of `value` present and matching,
    /// arrays compared element by element with equal length.
    pub mode: MatchMode,
    /// The expected value; strings are templated.
    pub value: serde_json::Value,
}

/// How strictly a JSON value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Equal values; objects have the same keys.
    Exact,
    /// Objects may carry more keys than expected.
    Subset,
}

/// One expected entry of the soft envelope's `response.errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftError {
    /// `change.op`: `add`, `remove`, `move`.
    pub op: String,
    /// `change.tweet_id`, which must be a JSON string.
    pub tweet_id: String,
    /// `reason`: `not_found`, `duplicate`.
    pub reason: String,
}

/// Expectations on the `x-rate-limit-*` headers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitExpectation {
    /// `remaining` must be lower than in the last earlier step of this vector that had it.
    #[serde(default)]
    pub decreasing: bool,
}

/// An offline signature computation with its published result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureCase {
    /// HTTP method.
    pub method: String,
    /// Request URL, query included (the query's parameters are signed).
    pub url: String,
    /// Form-body parameters, decoded.
    #[serde(default)]
    pub form: Vec<(String, String)>,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// Consumer secret.
    pub consumer_secret: String,
    /// `oauth_token`.
    #[serde(default)]
    pub token: String,
    /// Token secret.
    #[serde(default)]
    pub token_secret: String,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_timestamp`.
    pub timestamp: u64,
    /// Published intermediate and final values; each present one is compared.
    pub expect: SignatureExpect,
}

/// Published values of a signature walk-through.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureExpect {
    /// The sorted, encoded parameter string.
    #[serde(default)]
    pub parameter_string: Option<String>,
    /// The signature base string.
    #[serde(default)]
    pub base_string: Option<String>,
    /// The signing key.
    #[serde(default)]
    pub signing_key: Option<String>,
    /// `oauth_signature`, base64.
    #[serde(default)]
    pub signature: Option<String>,
    /// The complete `Authorization` header value.
    #[serde(default)]
    pub authorization_header: Option<String>,
}

/// One percent-encoding known answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodingCase {
    /// Raw text.
    pub input: String,
    /// Its RFC 3986 encoding.
    pub expect: String,
}

impl Vector {
    /// The oracle endpoints this vector relies on without testing them: its fixtures' create,
    /// add and destroy, and the steps' requests to oracle endpoints other than its own.
    pub fn relies_on(&self) -> Vec<&'static str> {
        let mut endpoints: Vec<&'static str> = Vec::new();
        // The model suite creates, adds, reads and destroys as part of every sequence.
        if matches!(self.body, VectorBody::Model(_)) {
            endpoints.extend(ORACLES);
        }
        let collections = [&self.fixtures.collection, &self.fixtures.other_collection];
        for fixture in collections.into_iter().flatten() {
            endpoints.push("collections/create");
            if fixture.tweets > 0 || fixture.at_capacity {
                endpoints.push("collections/entries/add");
            }
            endpoints.push("collections/destroy");
        }
        endpoints.extend(self.steps_call());
        endpoints.retain(|e| *e != self.endpoint);
        endpoints.sort_unstable();
        endpoints.dedup();
        endpoints
    }

    /// The oracle endpoints other than its own that the vector's steps send requests to (a
    /// read-your-writes check through `collections/entries`, say), once each.
    pub fn steps_call(&self) -> Vec<&'static str> {
        let VectorBody::Steps(steps) = &self.body else {
            return Vec::new();
        };
        let mut endpoints: Vec<&'static str> = ORACLES
            .into_iter()
            .filter(|o| *o != self.endpoint)
            .filter(|o| {
                steps
                    .iter()
                    .any(|s| s.request.endpoint.as_deref() == Some(*o))
            })
            .collect();
        endpoints.sort_unstable();
        endpoints
    }

    /// Whether this is an offline check of the kit itself rather than of a target.
    pub fn is_self_check(&self) -> bool {
        matches!(
            self.body,
            VectorBody::Signature(_) | VectorBody::PercentEncoding(_)
        )
    }

    /// What the target configuration must provide to run this vector.
    pub fn needs(&self) -> Vec<Need> {
        let mut needs = Vec::new();
        if let VectorBody::Steps(steps) = &self.body {
            for step in steps {
                if let Some(need) = step.request.auth.needs() {
                    if !needs.contains(&need) {
                        needs.push(need);
                    }
                }
            }
        }
        let owners = [
            self.fixtures
                .collection
                .as_ref()
                .map(|c| c.owner.unwrap_or(AuthMode::User)),
            self.fixtures
                .other_collection
                .as_ref()
                .map(|c| c.owner.unwrap_or(AuthMode::OtherUser)),
        ];
        for need in owners.into_iter().flatten().filter_map(AuthMode::needs) {
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        if let VectorBody::Canary(canary) = &self.body {
            if let Some(need) = canary.owner.and_then(AuthMode::needs) {
                needs.push(need);
            }
            needs.push(Need::TweetIds(3));
        }
        let collections = [&self.fixtures.collection, &self.fixtures.other_collection];
        let tweets = collections
            .iter()
            .copied()
            .flatten()
            .map(|c| c.tweets)
            .sum::<usize>()
            + self.fixtures.spare_tweets;
        let tweets = match &self.body {
            VectorBody::Model(config) => tweets.max(config.tweets.max(2)),
            _ => tweets,
        };
        let full = collections
            .iter()
            .copied()
            .flatten()
            .filter(|c| c.at_capacity)
            .count();
        if full > 0 {
            needs.push(Need::FullCollections {
                collections: full,
                other_tweets: tweets,
            });
        } else if tweets > 0 {
            needs.push(Need::TweetIds(tweets));
        }
        needs
    }

    /// Whether the vector talks to a target (offline signer vectors do not).
    pub fn is_online(&self) -> bool {
        matches!(self.body, VectorBody::Steps(_) | VectorBody::Model(_))
    }
}
