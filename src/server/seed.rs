//! The seeded world: one app, its users and their tokens, and the public tweets collections can
//! hold.
//!
//! Everything is deterministic so the README can print the credentials and anyone can sign
//! requests to a fresh server. `--config FILE` replaces any part of it with a JSON document of the
//! same shape (missing fields keep their default).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in milliseconds; ids encode time since it.
pub const TWITTER_EPOCH_MS: u64 = 1_288_834_974_657;

/// The whole seeded world.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    /// The one registered app (consumer key/secret and its bearer token).
    pub app: SeedApp,
    /// Users who authorized the app, each with a live access token.
    pub users: Vec<SeedUser>,
    /// Tokens that once worked and were revoked: using one yields 401 / 89.
    pub revoked_tokens: Vec<SeedToken>,
    /// Public tweets that may be added to collections.
    pub tweets: Vec<SeedTweet>,
}

/// The registered app.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SeedApp {
    /// Display name, for the README only.
    pub name: String,
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// The consumer secret clients sign with.
    pub consumer_secret: String,
    /// The app-only bearer token; refused on user-context endpoints with 403 / 220.
    pub bearer_token: String,
}

/// A user of the app and the access token the app holds for them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// Numeric user id, as a string.
    pub user_id: String,
    /// `@handle` without the `@` (at most 15 characters on Twitter).
    pub screen_name: String,
    /// Display name.
    pub name: String,
    /// `oauth_token`: `<user_id>-<random>` as Twitter issued them.
    pub access_token: String,
    /// The token secret clients sign with.
    pub access_token_secret: String,
    /// Per-endpoint request limits for this user's token, overriding the server's
    /// (`"collections/entries/remove": 3`), so rate-limit tests need not send 1000 requests.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rate_limits: BTreeMap<String, u32>,
}

/// A token pair not tied to a live user entry (used for revoked tokens).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SeedToken {
    /// The user the token was issued to.
    pub user_id: String,
    /// `oauth_token`.
    pub access_token: String,
    /// Its secret (a correct signature with it is still refused).
    pub access_token_secret: String,
}

/// A public tweet, with just enough data to render `objects.tweets`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SeedTweet {
    /// Snowflake id, as a string of digits.
    pub id: String,
    /// Author; must be one of the seeded users.
    pub user_id: String,
    /// Tweet text.
    pub text: String,
    /// Creation time in Twitter's format, e.g. `Tue Jun 15 00:00:00 +0000 2021`.
    pub created_at: String,
}

/// The seeded main user's id (owner of most test collections).
pub const MAIN_USER_ID: &str = "1402371210094518273";
/// The second user of the same app (for ownership tests).
pub const OTHER_USER_ID: &str = "1402371583418712066";
/// The third user, with small per-endpoint rate limits.
pub const THROTTLED_USER_ID: &str = "1402372075003891713";

impl Default for SeedApp {
    fn default() -> Self {
        SeedApp {
            name: "Collections Conformance Kit".into(),
            consumer_key: "M0XvqZjxTW3xvboSRt5Mh3dAw".into(),
            consumer_secret: "VtRMflhbmuaptt0Azn0DNRUQxA71p2Td8VKqxryo1nIj7BRd03".into(),
            bearer_token:
                "AAAAAAAAAAAAAAAAAAAAAQ2ybv097SHzxgQA6TCvY4dhKMlRdZQ9QsTXUuSnH6av1Ib8pp1xxXHU0BScJ"
                    .into(),
        }
    }
}

impl Default for Seed {
    fn default() -> Self {
        let user = |id: &str, screen: &str, name: &str, token: &str, secret: &str| SeedUser {
            user_id: id.into(),
            screen_name: screen.into(),
            name: name.into(),
            access_token: format!("{id}-{token}"),
            access_token_secret: secret.into(),
            rate_limits: BTreeMap::new(),
        };
        let mut throttled = user(
            THROTTLED_USER_ID,
            "kit_throttled",
            "Throttled Tester",
            "Nbc7Hrd0APsmYaUSRCsllZq3ZycZOkN8gaW18vjs",
            "gJ0Wu8FxTwXqxni7z9KwRkNr4aE28uz5eRTpPWzUB4q60",
        );
        // Only remove is throttled: the user can still set up fixtures (create, add) and be
        // checked (entries) however often the suite runs within one window.
        throttled
            .rate_limits
            .insert("collections/entries/remove".into(), 3);
        let users = vec![
            user(
                MAIN_USER_ID,
                "kit_curator",
                "Kit Curator",
                "Xj675eVq30XYqaNUDqN9Nifp28uwCDydesokF5NS",
                "AllsNdV40J599dTCZWZYvRSZeyx4Ag8SsaxTmknuj64AX",
            ),
            user(
                OTHER_USER_ID,
                "kit_neighbour",
                "Kit Neighbour",
                "6VM2ewMuBY6rfNcAKEIOUttYpATIk27f4t3tGolU",
                "ByxRmXBYQ0DVbpag1xYKiuMw7TpHD8BHbNdZU0NYJ2gCl",
            ),
            throttled,
        ];
        let revoked_tokens = vec![SeedToken {
            user_id: MAIN_USER_ID.into(),
            access_token: format!("{MAIN_USER_ID}-sskDI1EDL0Y6wu1JOSNta0PKhe37ak1aSJARa771"),
            access_token_secret: "7tzNlIrTtfkbSh2Cde2wioVMEuUYMjPeFXsRgZzCYTHY2".into(),
        }];
        Seed {
            app: SeedApp::default(),
            users,
            revoked_tokens,
            tweets: default_tweets()
                .into_iter()
                .chain(float64_neighbours())
                .collect(),
        }
    }
}

/// Sixty public tweets, one an hour from 2021-06-15T00:00Z, written by the three users in turn.
/// Ids are real snowflakes for their creation time, so id order is time order.
fn default_tweets() -> Vec<SeedTweet> {
    const START_MS: u64 = 1_623_715_200_000;
    const TOPICS: [&str; 6] = [
        "Trail notes from the north ridge",
        "Reading list: distributed systems & coffee",
        "Sunrise over the harbour ☀",
        "Release day! Changelog inside",
        "Thread: what we learned testing OAuth 1.0a",
        "Quiet morning, loud keyboard",
    ];
    let authors = [MAIN_USER_ID, OTHER_USER_ID, THROTTLED_USER_ID];
    (0..60u64)
        .map(|i| {
            let ms = START_MS + i * 3_600_000 + i * 1_237;
            let id = ((ms - TWITTER_EPOCH_MS) << 22) | ((i % 31) << 12) | (i % 4096);
            SeedTweet {
                id: id.to_string(),
                user_id: authors[(i % 3) as usize].into(),
                text: format!("{} (sample tweet {})", TOPICS[(i % 6) as usize], i + 1),
                created_at: twitter_date(ms / 1000),
            }
        })
        .collect()
}

/// Four more tweets whose ids differ only in their last digits, in two pairs that each round to
/// one float64 (1404000000000000001 and ...002 both parse as 1.404e18): a server that reads ids
/// as JavaScript numbers confuses them, which the model suite checks. They come last, so the
/// fixtures (which take the first ids) never hold them by accident.
fn float64_neighbours() -> Vec<SeedTweet> {
    const IDS: [u64; 4] = [
        1_404_000_000_000_000_001,
        1_404_000_000_000_000_002,
        1_404_000_000_000_000_257,
        1_404_000_000_000_000_258,
    ];
    IDS.iter()
        .enumerate()
        .map(|(i, &id)| {
            let ms = (id >> 22) + TWITTER_EPOCH_MS;
            SeedTweet {
                id: id.to_string(),
                user_id: MAIN_USER_ID.into(),
                text: format!(
                    "Twin ids, as JavaScript would round them (neighbour {})",
                    i + 1
                ),
                created_at: twitter_date(ms / 1000),
            }
        })
        .collect()
}

impl Seed {
    /// Checks what the server relies on: numeric ids, unique tokens, tweet authors that exist.
    pub fn validate(&self) -> anyhow::Result<()> {
        let numeric = |s: &str| !s.is_empty() && s.len() <= 19 && s.parse::<u64>().is_ok();
        let mut tokens = HashSet::new();
        let mut ids = HashSet::new();
        for user in &self.users {
            anyhow::ensure!(
                numeric(&user.user_id),
                "seed user {:?}: user_id must be digits",
                user.screen_name
            );
            anyhow::ensure!(
                ids.insert(user.user_id.as_str()),
                "seed user id {} appears twice",
                user.user_id
            );
            anyhow::ensure!(
                tokens.insert(user.access_token.as_str()),
                "access token of {} appears twice",
                user.screen_name
            );
        }
        for token in &self.revoked_tokens {
            anyhow::ensure!(
                tokens.insert(token.access_token.as_str()),
                "revoked token {} is also live or repeated",
                token.access_token
            );
        }
        let mut tweet_ids = HashSet::new();
        for tweet in &self.tweets {
            anyhow::ensure!(
                numeric(&tweet.id) && tweet.id.parse::<i64>().is_ok(),
                "seed tweet id {:?} must be a positive 64-bit number",
                tweet.id
            );
            anyhow::ensure!(
                tweet_ids.insert(tweet.id.as_str()),
                "seed tweet {} appears twice",
                tweet.id
            );
            anyhow::ensure!(
                ids.contains(tweet.user_id.as_str()),
                "seed tweet {} has an author that is not a seeded user",
                tweet.id
            );
        }
        anyhow::ensure!(!self.app.consumer_key.is_empty(), "consumer_key is empty");
        Ok(())
    }
}

/// Formats Unix seconds the way v1.1 did: `Tue Jun 15 00:00:00 +0000 2021`.
pub fn twitter_date(unix_secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm), for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} +0000 {}",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        year
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_is_valid_and_plausible() {
        let seed = Seed::default();
        seed.validate().unwrap();
        assert_eq!(seed.app.consumer_key.len(), 25);
        assert_eq!(seed.app.consumer_secret.len(), 50);
        assert!(seed.tweets.len() >= 50);
        for tweet in &seed.tweets {
            assert!((18..=19).contains(&tweet.id.len()), "{}", tweet.id);
        }
        for user in &seed.users {
            assert!(user.access_token.starts_with(&format!("{}-", user.user_id)));
            assert!(user.screen_name.len() <= 15);
        }
    }

    #[test]
    fn seed_offers_ids_that_collide_as_float64() {
        let ids: Vec<u64> = Seed::default()
            .tweets
            .iter()
            .map(|t| t.id.parse().unwrap())
            .collect();
        let pairs = ids
            .iter()
            .enumerate()
            .flat_map(|(i, a)| ids[i + 1..].iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a != b && *a as f64 == *b as f64)
            .count();
        assert_eq!(pairs, 2, "two pairs of float64 neighbours");
    }

    #[test]
    fn dates_render_like_twitter() {
        assert_eq!(
            twitter_date(1_623_715_200),
            "Tue Jun 15 00:00:00 +0000 2021"
        );
        assert_eq!(
            twitter_date(1_318_622_958),
            "Fri Oct 14 20:09:18 +0000 2011"
        );
        assert_eq!(twitter_date(0), "Thu Jan 01 00:00:00 +0000 1970");
    }
}
