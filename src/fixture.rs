//! Provisions what a vector declares through the API itself (`collections/create`,
//! `collections/entries/add`) and destroys it afterwards, so vectors are independent and can run
//! in parallel against any implementation.

use crate::exchange::Exchange;
use crate::runner::{SendError, Session};
use crate::vector::{AuthMode, Bindings, CollectionFixture, FixtureValues, Fixtures, Request};
use crate::verdict::NotJudgedCause;

/// What was created for one vector; hand it back to [`teardown`].
#[derive(Debug, Default)]
pub struct Provisioned {
    /// The values templates refer to.
    pub bindings: Bindings,
    /// The same values, by fixture.
    pub values: FixtureValues,
    /// Collections to destroy afterwards, with the user that owns each.
    created: Vec<(String, AuthMode)>,
    /// Every exchange made while provisioning, for reports.
    pub exchanges: Vec<Exchange>,
}

/// Why fixtures could not be set up: the vector is then not judged, never failed, because the
/// endpoint at fault is not the one under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError {
    /// `Setup` when a fixture endpoint misbehaved; `Throttled` or `Unresponsive` otherwise.
    pub cause: NotJudgedCause,
    /// What went wrong, with the fixture endpoint, its response and a reproducer.
    pub message: String,
}

impl SetupError {
    fn setup(message: impl Into<String>) -> SetupError {
        SetupError {
            cause: NotJudgedCause::Setup,
            message: message.into(),
        }
    }
}

/// The connection to the target and what has been created so far.
struct Provisioner<'a> {
    session: &'a Session,
    provisioned: Provisioned,
}

/// Creates the fixtures. On error, whatever was already created is destroyed before returning.
pub async fn provision(
    session: &Session,
    fixtures: &Fixtures,
    label: &str,
) -> Result<Provisioned, SetupError> {
    let mut provisioner = Provisioner {
        session,
        provisioned: Provisioned::default(),
    };
    match provisioner.create_all(fixtures, label).await {
        Ok(values) => {
            provisioner.provisioned.bindings = Bindings::from_fixtures(&values);
            provisioner.provisioned.values = values;
            Ok(provisioner.provisioned)
        }
        Err(e) => {
            provisioner.destroy_all().await;
            Err(e)
        }
    }
}

/// Destroys what [`provision`] created. Failures are ignored: the vector's verdict is already
/// decided, and a target that cannot destroy is caught by vectors of its own.
pub async fn teardown(session: &Session, provisioned: Provisioned) {
    let mut provisioner = Provisioner {
        session,
        provisioned,
    };
    provisioner.destroy_all().await;
}

impl Provisioner<'_> {
    /// Tweet ids are dealt out in order, so the collections and the spare tweets never share one.
    async fn create_all(
        &mut self,
        fixtures: &Fixtures,
        label: &str,
    ) -> Result<FixtureValues, SetupError> {
        let mut tweets = self.session.target.tweet_ids.iter().cloned();
        let mut take = |n: usize| -> Vec<String> { tweets.by_ref().take(n).collect() };
        let main = fixtures.collection.as_ref().map(|c| (c, take(c.tweets)));
        let other = fixtures
            .other_collection
            .as_ref()
            .map(|c| (c, take(c.tweets)));
        let mut values = FixtureValues {
            spare_tweets: take(fixtures.spare_tweets),
            ..FixtureValues::default()
        };
        if let Some((fixture, ids)) = main {
            let id = self
                .collection(fixture, &ids, AuthMode::User, label)
                .await?;
            values.collection = Some((id, ids));
        }
        if let Some((fixture, ids)) = other {
            let id = self
                .collection(fixture, &ids, AuthMode::OtherUser, label)
                .await?;
            values.other_collection = Some((id, ids));
        }
        Ok(values)
    }

    /// Creates one collection (owned by `fixture.owner`, else `default_owner`) holding the tweets.
    async fn collection(
        &mut self,
        fixture: &CollectionFixture,
        tweet_ids: &[String],
        default_owner: AuthMode,
        label: &str,
    ) -> Result<String, SetupError> {
        let owner = fixture.owner.unwrap_or(default_owner);
        let name: String = format!("conformance {label}").chars().take(25).collect();
        let created = self
            .call(owner, "collections/create", &[("name", &name)])
            .await?;
        let id = created
            .pointer("/response/timeline_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                SetupError::setup(format!(
                    "collections/create answered without response.timeline_id: {created}"
                ))
            })?
            .to_string();
        self.provisioned.created.push((id.clone(), owner));
        for tweet_id in tweet_ids {
            let params = [("id", id.as_str()), ("tweet_id", tweet_id.as_str())];
            let added = self.call(owner, "collections/entries/add", &params).await?;
            let errors = added.pointer("/response/errors").and_then(|e| e.as_array());
            if errors.is_none_or(|errors| !errors.is_empty()) {
                return Err(SetupError::setup(format!(
                    "collections/entries/add of tweet {tweet_id} did not succeed: {added}"
                )));
            }
        }
        if fixture.destroyed {
            self.call(owner, "collections/destroy", &[("id", &id)])
                .await?;
            self.provisioned
                .created
                .retain(|(created, _)| created != &id);
        }
        Ok(id)
    }

    async fn destroy_all(&mut self) {
        for (id, owner) in std::mem::take(&mut self.provisioned.created) {
            let _ = self
                .call(owner, "collections/destroy", &[("id", &id)])
                .await;
        }
    }

    /// Sends one signed POST and returns its JSON body, or why it failed.
    async fn call(
        &mut self,
        auth: AuthMode,
        endpoint: &str,
        params: &[(&str, &str)],
    ) -> Result<serde_json::Value, SetupError> {
        let query = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let request = Request::api("POST", endpoint, query, auth);
        let mut exchanges = self
            .session
            .send(&request, &Bindings::default(), true)
            .await
            .map_err(|e| match e {
                SendError::Vector(message) => SetupError::setup(message),
                SendError::Throttled(message) => SetupError {
                    cause: NotJudgedCause::Throttled,
                    message,
                },
                SendError::Unresponsive(message) => SetupError {
                    cause: NotJudgedCause::Unresponsive,
                    message,
                },
            })?;
        let exchange = exchanges
            .pop()
            .ok_or_else(|| SetupError::setup("no exchange was made"))?;
        self.provisioned.exchanges.push(exchange.clone());
        let response = exchange
            .response
            .map_err(|e| SetupError::setup(format!("{endpoint}: {e}")))?;
        if response.status != 200 {
            return Err(SetupError::setup(format!(
                "{endpoint} answered HTTP {} ({}); reproduce with: {}",
                response.status,
                crate::check::excerpt(&response.body),
                exchange.request.curl
            )));
        }
        let problem = response.body_problem.clone();
        response.json.ok_or_else(|| {
            SetupError::setup(format!(
                "{endpoint} answered a body that is {}: {}",
                problem.map_or("not JSON".to_string(), |p| p.to_string()),
                crate::check::excerpt(&response.body)
            ))
        })
    }
}
