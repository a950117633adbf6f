//! Canaries: a collection per user, planted before any vector runs and named by no request of
//! the run, holding the same tweets the vectors' fixtures use. Read back between phases and at
//! the end: any change means some request changed a collection it did not name (a remove that
//! strips the tweet from every collection, a write into another user's collection), reported as
//! a failure of its own instead of an unrelated vector's.

use super::session::Session;
use crate::fixture::{self, Provisioned, SetupError};
use crate::vector::{
    AuthMode, Bindings, CollectionFixture, Fixtures, Level, LoadedVector, Request, VectorBody,
};
use crate::verdict::{NotJudgedCause, Outcome, VectorKind, VectorResult};
use std::time::{Duration, Instant};

/// The requirement a changed canary breaks (the canary vector files cite it too).
const REQUIREMENT: &str = "isolation.unnamed_collections_unchanged";

/// Tweets each canary holds: the first ones of the target's list, which every fixture uses.
const TWEETS: usize = 3;

/// One planted canary and what it looked like right after planting.
pub struct Canary {
    /// The vector file that asked for it.
    loaded: LoadedVector,
    owner: AuthMode,
    collection: String,
    provisioned: Provisioned,
    baseline: Vec<String>,
    /// The first change seen, with the phase it happened in.
    changed: Option<String>,
}

/// Plants one canary: creates the collection through the target's own endpoints and reads it
/// back until it shows every tweet (within the consistency window).
pub async fn plant(session: &Session, loaded: &LoadedVector) -> Result<Canary, SetupError> {
    let owner = match loaded.vector.as_ref().map(|v| &v.body) {
        Ok(VectorBody::Canary(spec)) => spec.owner.unwrap_or(AuthMode::User),
        _ => AuthMode::User,
    };
    let fixtures = Fixtures {
        collection: Some(CollectionFixture {
            tweets: TWEETS,
            owner: Some(owner),
            ..CollectionFixture::default()
        }),
        ..Fixtures::default()
    };
    let provisioned = fixture::provision(session, &fixtures, "canary").await?;
    let (collection, _) = provisioned
        .values
        .collection
        .clone()
        .expect("the collection fixture was provisioned");
    let mut canary = Canary {
        loaded: loaded.clone(),
        owner,
        collection,
        provisioned,
        baseline: Vec::new(),
        changed: None,
    };
    let deadline = Instant::now() + session.patience.consistency_window;
    // A target whose reads settle late may not show the new collection at once.
    loop {
        let settled = Instant::now() >= deadline;
        match canary.read(session).await {
            Ok(timeline) if timeline.len() >= TWEETS || settled => {
                canary.baseline = timeline;
                return Ok(canary);
            }
            Err(message) if settled => {
                fixture::teardown(session, canary.provisioned).await;
                return Err(SetupError {
                    cause: NotJudgedCause::Setup,
                    message,
                });
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

impl Canary {
    /// Reads the canary's timeline: tweet ids in the order the target lists them.
    async fn read(&self, session: &Session) -> Result<Vec<String>, String> {
        let request = Request::api(
            "GET",
            "collections/entries",
            vec![("id".into(), self.collection.clone())],
            self.owner,
        );
        let exchanges = session
            .send(&request, &Bindings::default(), true)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let response = match exchanges.last().map(|e| &e.response) {
            Some(Ok(response)) => response,
            Some(Err(error)) => return Err(format!("collections/entries: {error}")),
            None => return Err("collections/entries: no request was sent".into()),
        };
        let timeline = response
            .json
            .as_ref()
            .and_then(|json| json.pointer("/response/timeline"))
            .and_then(|t| t.as_array())
            .ok_or_else(|| {
                format!(
                    "collections/entries answered HTTP {} without response.timeline",
                    response.status
                )
            })?;
        Ok(timeline
            .iter()
            .filter_map(|entry| entry.pointer("/tweet/id").and_then(|id| id.as_str()))
            .map(str::to_string)
            .collect())
    }

    /// Reads the canary after `phase` and remembers the first change. A read that still differs
    /// after the consistency window counts as a change.
    pub async fn inspect(&mut self, session: &Session, phase: &str) {
        if self.changed.is_some() {
            return;
        }
        let deadline = Instant::now() + session.patience.consistency_window;
        loop {
            let seen = self.read(session).await;
            let differs = match &seen {
                Ok(timeline) => *timeline != self.baseline,
                // A read that fails says nothing about the canary; the vectors judge the reads.
                Err(_) => return,
            };
            if !differs {
                return;
            }
            if Instant::now() >= deadline {
                self.changed = Some(format!(
                    "{phase}: expected the timeline it had when planted, {:?}, actual {:?}",
                    self.baseline,
                    seen.unwrap_or_default()
                ));
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Destroys the canary and gives its verdict.
    pub async fn finish(self, session: &Session) -> VectorResult {
        let outcome = match &self.changed {
            None => Outcome::Passed,
            Some(change) => Outcome::Failed {
                message: format!(
                    "{}: a collection that no request of this run named was changed\n  level MUST · requirement {REQUIREMENT} · file {}\n  canary collection {} of the {}, holding the tweets the vectors' fixtures use, changed {change}\n  some request changed a collection it did not name: look for a remove or add that touches every collection holding the tweet, or a write into another user's collection",
                    self.loaded.id,
                    self.loaded.path.display(),
                    self.collection,
                    owner_name(self.owner),
                ),
            },
        };
        fixture::teardown(session, self.provisioned).await;
        result(&self.loaded, outcome)
    }
}

/// The result of a canary that could not be planted.
pub fn not_planted(loaded: &LoadedVector, error: SetupError) -> VectorResult {
    result(
        loaded,
        Outcome::NotJudged {
            reason: format!("the canary could not be planted: {}", error.message),
            cause: error.cause,
        },
    )
}

fn result(loaded: &LoadedVector, outcome: Outcome) -> VectorResult {
    let vector = loaded.vector.as_ref().ok();
    VectorResult {
        id: loaded.id.clone(),
        path: loaded.path.clone(),
        title: vector.map_or_else(String::new, |v| v.title.clone()),
        kind: VectorKind::Target,
        level: vector.map_or(Level::Must, |v| v.level),
        requirements: vector.map_or_else(Vec::new, |v| v.requirements.clone()),
        outcome,
        duration: Duration::ZERO,
        steps: Vec::new(),
    }
}

fn owner_name(owner: AuthMode) -> &'static str {
    match owner {
        AuthMode::OtherUser => "second user",
        _ => "main user",
    }
}
