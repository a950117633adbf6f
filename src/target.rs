//! What is tested: the base URL, the credentials to sign with, the tweet ids that exist there.
//!
//! The same settings come from environment variables (for `cargo test`, where libtest-mimic owns
//! the argument list) and from command-line flags (clap reads both from one definition).

use crate::oauth::Credentials;
use crate::vector::Need;
use std::time::Duration;

/// Target settings as given by the user; every field may be missing until resolved.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// Base URL of the implementation under test, e.g. http://127.0.0.1:8080. Unset: the embedded
    /// reference server on 127.0.0.1 with an ephemeral port and its seeded credentials.
    #[arg(long, env = "CONFORMANCE_BASE_URL")]
    pub base_url: Option<String>,
    /// OAuth consumer key of the app.
    #[arg(long, env = "CONFORMANCE_CONSUMER_KEY")]
    pub consumer_key: Option<String>,
    /// OAuth consumer secret of the app.
    #[arg(long, env = "CONFORMANCE_CONSUMER_SECRET", hide_env_values = true)]
    pub consumer_secret: Option<String>,
    /// Access token of the main user.
    #[arg(long, env = "CONFORMANCE_ACCESS_TOKEN")]
    pub access_token: Option<String>,
    /// Access token secret of the main user.
    #[arg(long, env = "CONFORMANCE_ACCESS_TOKEN_SECRET", hide_env_values = true)]
    pub access_token_secret: Option<String>,
    /// The app's bearer token (app-only auth), for the vectors that check it is refused.
    #[arg(long, env = "CONFORMANCE_BEARER_TOKEN", hide_env_values = true)]
    pub bearer_token: Option<String>,
    /// Access token of a second user of the same app, for ownership vectors.
    #[arg(long, env = "CONFORMANCE_OTHER_ACCESS_TOKEN")]
    pub other_access_token: Option<String>,
    /// Access token secret of the second user.
    #[arg(
        long,
        env = "CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
        hide_env_values = true
    )]
    pub other_access_token_secret: Option<String>,
    /// Access token of a user whose remove rate limit is small, for the 429 vector.
    #[arg(long, env = "CONFORMANCE_LIMITED_ACCESS_TOKEN")]
    pub limited_access_token: Option<String>,
    /// Access token secret of the rate-limited user.
    #[arg(
        long,
        env = "CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
        hide_env_values = true
    )]
    pub limited_access_token_secret: Option<String>,
    /// Comma-separated ids of public tweets that exist on the target.
    #[arg(long, env = "CONFORMANCE_TWEET_IDS", value_delimiter = ',')]
    pub tweet_ids: Vec<String>,
    /// How many tweets a collection holds before an add evicts the oldest ("up to a few thousand
    /// Tweets" is all the documentation says), for the eviction vector; that vector also needs
    /// this many tweet ids and one more, so a small capacity configured for testing keeps it quick.
    #[arg(long, env = "CONFORMANCE_COLLECTION_CAPACITY")]
    pub collection_capacity: Option<usize>,
    /// Seconds to wait for each response before the trial fails.
    #[arg(long = "timeout", env = "CONFORMANCE_TIMEOUT", default_value_t = 10.0)]
    pub timeout_secs: f64,
}

/// One user's token pair.
#[derive(Debug, Clone)]
pub struct Token {
    /// `oauth_token`.
    pub token: String,
    /// Token secret.
    pub secret: String,
}

/// A fully resolved target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL without a trailing slash.
    pub base_url: url::Url,
    /// Consumer key of the app.
    pub consumer_key: String,
    /// Consumer secret of the app.
    pub consumer_secret: String,
    /// The main user; every online vector needs it.
    pub user: Token,
    /// A second user of the same app.
    pub other_user: Option<Token>,
    /// A user with a small remove rate limit.
    pub limited_user: Option<Token>,
    /// The app's bearer token.
    pub bearer_token: Option<String>,
    /// Public tweet ids that exist on the target.
    pub tweet_ids: Vec<String>,
    /// The declared collection capacity.
    pub collection_capacity: Option<usize>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The HTTP client, built on first use and shared by every vector run against this target:
    /// building one loads the platform's root certificates, which cost ~15 ms per vector in a
    /// debug build (most of the kill matrix's time before this cache).
    pub(crate) http: std::sync::OnceLock<reqwest::Client>,
}

impl TargetArgs {
    /// Whether the user named a target; if not, the embedded reference server is used.
    pub fn has_base_url(&self) -> bool {
        self.base_url.as_deref().is_some_and(|url| !url.is_empty())
    }

    /// Checks that everything an external target needs is there, and says what is missing.
    pub fn resolve(&self) -> Result<Target, String> {
        let base = self
            .base_url
            .as_deref()
            .ok_or("no base URL: set CONFORMANCE_BASE_URL or --base-url")?;
        let base_url = url::Url::parse(base.trim_end_matches('/'))
            .map_err(|e| format!("CONFORMANCE_BASE_URL `{base}` is not a URL: {e}"))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(format!(
                "CONFORMANCE_BASE_URL `{base}` must start with http:// or https://"
            ));
        }
        let required = |value: &Option<String>, name: &str| -> Result<String, String> {
            value
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("{name} is not set; a target at a base URL needs it"))
        };
        let pair = |token: &Option<String>, secret: &Option<String>| match (token, secret) {
            (Some(token), Some(secret)) if !token.is_empty() && !secret.is_empty() => Some(Token {
                token: token.clone(),
                secret: secret.clone(),
            }),
            _ => None,
        };
        let timeout = Duration::try_from_secs_f64(self.timeout_secs)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                format!(
                    "timeout {} is not a positive number of seconds",
                    self.timeout_secs
                )
            })?;
        Ok(Target {
            base_url,
            consumer_key: required(&self.consumer_key, "CONFORMANCE_CONSUMER_KEY")?,
            consumer_secret: required(&self.consumer_secret, "CONFORMANCE_CONSUMER_SECRET")?,
            user: Token {
                token: required(&self.access_token, "CONFORMANCE_ACCESS_TOKEN")?,
                secret: required(&self.access_token_secret, "CONFORMANCE_ACCESS_TOKEN_SECRET")?,
            },
            other_user: pair(&self.other_access_token, &self.other_access_token_secret),
            limited_user: pair(
                &self.limited_access_token,
                &self.limited_access_token_secret,
            ),
            bearer_token: self.bearer_token.clone().filter(|t| !t.is_empty()),
            tweet_ids: self
                .tweet_ids
                .iter()
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty())
                .collect(),
            collection_capacity: self.collection_capacity,
            timeout,
            http: std::sync::OnceLock::new(),
        })
    }
}

impl Target {
    /// OAuth credentials of a user of this target's app.
    pub fn credentials(&self, token: &Token) -> Credentials {
        Credentials {
            consumer_key: self.consumer_key.clone(),
            consumer_secret: self.consumer_secret.clone(),
            token: token.token.clone(),
            token_secret: token.secret.clone(),
        }
    }

    /// Why this target cannot run a vector with this need, or `None` if it can.
    pub fn lacks(&self, need: Need) -> Option<String> {
        match need {
            Need::OtherUser if self.other_user.is_none() => Some(
                "needs a second user of the same app: set CONFORMANCE_OTHER_ACCESS_TOKEN and CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET (in a target file: [other_user])".into(),
            ),
            Need::LimitedUser if self.limited_user.is_none() => Some(
                "needs a user with a small rate limit on remove: set CONFORMANCE_LIMITED_ACCESS_TOKEN and CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET (in a target file: [limited_user])".into(),
            ),
            Need::BearerToken if self.bearer_token.is_none() => {
                Some("needs the app's bearer token: set CONFORMANCE_BEARER_TOKEN (in a target file: bearer_token)".into())
            }
            Need::TweetIds(n) if self.tweet_ids.len() < n => Some(format!(
                "needs {n} tweet ids that exist on the target, CONFORMANCE_TWEET_IDS (in a target file: tweet_ids) has {}",
                self.tweet_ids.len()
            )),
            Need::FullCollections {
                collections,
                other_tweets,
            } => match self.collection_capacity {
                None => Some(
                    "needs the target's collection capacity, which the documentation does not give (\"up to a few thousand Tweets\"): set CONFORMANCE_COLLECTION_CAPACITY (in a target file: collection_capacity); configure a small one on the target for testing, it must fill a collection".into(),
                ),
                Some(capacity) if capacity < 2 => Some(format!(
                    "CONFORMANCE_COLLECTION_CAPACITY is {capacity}; the eviction vectors need at least 2"
                )),
                Some(capacity) => {
                    let n = capacity * collections + other_tweets;
                    (self.tweet_ids.len() < n).then(|| format!(
                        "needs {n} tweet ids that exist on the target ({collections} collection(s) filled to the capacity of {capacity}, and {other_tweets} more), CONFORMANCE_TWEET_IDS (in a target file: tweet_ids) has {}; a smaller capacity configured on the target needs fewer",
                        self.tweet_ids.len()
                    ))
                }
            },
            _ => None,
        }
    }

    /// Why this target cannot run `vector`: every setting it needs and lacks, or `None`.
    pub fn missing_for(&self, vector: &crate::vector::Vector) -> Option<String> {
        let missing: Vec<String> = vector
            .needs()
            .into_iter()
            .filter_map(|need| self.lacks(need))
            .collect();
        (!missing.is_empty()).then(|| missing.join("; "))
    }

    /// Every secret of this target with the placeholder that replaces it in any output.
    pub fn secrets(&self) -> Vec<(String, &'static str)> {
        let mut secrets = vec![
            (self.consumer_secret.clone(), "$CONFORMANCE_CONSUMER_SECRET"),
            (self.user.secret.clone(), "$CONFORMANCE_ACCESS_TOKEN_SECRET"),
        ];
        if let Some(other) = &self.other_user {
            secrets.push((
                other.secret.clone(),
                "$CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
            ));
        }
        if let Some(limited) = &self.limited_user {
            secrets.push((
                limited.secret.clone(),
                "$CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
            ));
        }
        if let Some(bearer) = &self.bearer_token {
            secrets.push((bearer.clone(), "$CONFORMANCE_BEARER_TOKEN"));
        }
        secrets.retain(|(secret, _)| !secret.is_empty());
        secrets
    }
}
