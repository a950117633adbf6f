//! Provisions what a vector declares through the API itself (`collections/create`,
//! `collections/entries/add`) and destroys it afterwards, so vectors are independent and can run
//! in parallel against any implementation.

use crate::exchange::Exchange;
use crate::runner::{SendError, Session};
use crate::vector::{
    AuthMode, Bindings, CollectionFixture, FixtureValues, Fixtures, Request, pointer_token,
};
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

impl Provisioned {
    /// Takes a collection a step created into the vector's teardown, destroyed as `owner`.
    pub fn adopt(&mut self, id: String, owner: AuthMode) {
        self.created.push((id, owner));
    }
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

/// What a `collections/create` answer says of the collection's owner (documented in its
/// `objects`, but a fixture does not need it, so each part is optional).
struct Owner {
    user_id: Option<String>,
    screen_name: Option<String>,
}

/// Binds `<prefix>.user_id` and `<prefix>.screen_name` to what the create answer gave.
fn bind_owner(owners: &mut Vec<(String, String)>, prefix: &str, owner: Owner) {
    for (name, value) in [
        ("user_id", owner.user_id),
        ("screen_name", owner.screen_name),
    ] {
        if let Some(value) = value {
            owners.push((format!("{prefix}.{name}"), value));
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
        Ok((values, owners)) => {
            let mut bindings = Bindings::from_fixtures(&values);
            for (name, value) in owners {
                bindings.set(name, value);
            }
            provisioner.provisioned.bindings = bindings;
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
    ) -> Result<(FixtureValues, Vec<(String, String)>), SetupError> {
        let mut tweets = self.session.target.tweet_ids.iter().cloned();
        // The vector's needs were checked, so a full collection has a capacity to fill.
        let capacity = self.session.target.collection_capacity.unwrap_or(0);
        let mut take = |c: &CollectionFixture| -> Vec<String> {
            let n = if c.at_capacity { capacity } else { c.tweets };
            tweets.by_ref().take(n).collect()
        };
        let main = fixtures.collection.as_ref().map(|c| (c, take(c)));
        let other = fixtures.other_collection.as_ref().map(|c| (c, take(c)));
        let mut values = FixtureValues {
            spare_tweets: tweets.take(fixtures.spare_tweets).collect(),
            ..FixtureValues::default()
        };
        let mut owners = Vec::new();
        if let Some((fixture, ids)) = main {
            let (id, owner) = self
                .collection(fixture, &ids, AuthMode::User, label)
                .await?;
            values.collection = Some((id, ids));
            bind_owner(&mut owners, "collection", owner);
        }
        if let Some((fixture, ids)) = other {
            let (id, owner) = self
                .collection(fixture, &ids, AuthMode::OtherUser, label)
                .await?;
            values.other_collection = Some((id, ids));
            bind_owner(&mut owners, "other_collection", owner);
        }
        Ok((values, owners))
    }

    /// Creates one collection (owned by `fixture.owner`, else `default_owner`) holding the tweets;
    /// returns its id and what the answer says of its owner.
    async fn collection(
        &mut self,
        fixture: &CollectionFixture,
        tweet_ids: &[String],
        default_owner: AuthMode,
        label: &str,
    ) -> Result<(String, Owner), SetupError> {
        let owner = fixture.owner.unwrap_or(default_owner);
        let name: String = fixture
            .name
            .clone()
            .unwrap_or_else(|| format!("conformance {label}").chars().take(25).collect());
        let mut params = vec![("name", name.as_str())];
        params.extend(fixture.create_params());
        let created = self.call(owner, "collections/create", &params).await?;
        let id = created
            .pointer("/response/timeline_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                SetupError::setup(format!(
                    "collections/create answered without response.timeline_id: {created}"
                ))
            })?
            .to_string();
        let user_id = created
            .pointer(&format!(
                "/objects/timelines/{}/user_id",
                pointer_token(&id)
            ))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let screen_name = user_id.as_deref().and_then(|user| {
            created
                .pointer(&format!(
                    "/objects/users/{}/screen_name",
                    pointer_token(user)
                ))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        });
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
        Ok((
            id,
            Owner {
                user_id,
                screen_name,
            },
        ))
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
