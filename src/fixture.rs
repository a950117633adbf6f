//! Provisions what a vector declares through the API itself (`collections/create`,
//! `collections/entries/add`) and destroys it afterwards, so vectors are independent and can run
//! in parallel against any implementation.

use crate::exchange::{self, Exchange};
use crate::redact::Redactor;
use crate::target::Target;
use crate::vector::{AuthMode, Bindings, CollectionFixture, FixtureValues, Fixtures, Request};

/// What was created for one vector; hand it back to [`teardown`].
#[derive(Debug, Default)]
pub struct Provisioned {
    /// The values templates refer to.
    pub bindings: Bindings,
    /// Collections to destroy afterwards, with the user that owns each.
    created: Vec<(String, AuthMode)>,
    /// Every exchange made while provisioning, for reports.
    pub exchanges: Vec<Exchange>,
}

/// The connection to the target and what has been created so far.
struct Provisioner<'a> {
    client: &'a reqwest::Client,
    target: &'a Target,
    redactor: &'a Redactor,
    provisioned: Provisioned,
}

/// Creates the fixtures. On error, whatever was already created is destroyed before returning.
pub async fn provision(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    fixtures: &Fixtures,
    label: &str,
) -> Result<Provisioned, String> {
    let mut provisioner = Provisioner {
        client,
        target,
        redactor,
        provisioned: Provisioned::default(),
    };
    match provisioner.create_all(fixtures, label).await {
        Ok(values) => {
            provisioner.provisioned.bindings = Bindings::from_fixtures(&values);
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
pub async fn teardown(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    provisioned: Provisioned,
) {
    let mut provisioner = Provisioner {
        client,
        target,
        redactor,
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
    ) -> Result<FixtureValues, String> {
        let mut tweets = self.target.tweet_ids.iter().cloned();
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
    ) -> Result<String, String> {
        let owner = fixture.owner.unwrap_or(default_owner);
        let name: String = format!("conformance {label}").chars().take(25).collect();
        let created = self
            .call(owner, "collections/create", &[("name", &name)])
            .await?;
        let id = created
            .pointer("/response/timeline_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                format!("collections/create answered without response.timeline_id: {created}")
            })?
            .to_string();
        self.provisioned.created.push((id.clone(), owner));
        for tweet_id in tweet_ids {
            let params = [("id", id.as_str()), ("tweet_id", tweet_id.as_str())];
            let added = self.call(owner, "collections/entries/add", &params).await?;
            let errors = added.pointer("/response/errors").and_then(|e| e.as_array());
            if errors.is_none_or(|errors| !errors.is_empty()) {
                return Err(format!(
                    "collections/entries/add of tweet {tweet_id} did not succeed: {added}"
                ));
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
    ) -> Result<serde_json::Value, String> {
        let query = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let request = Request::api("POST", endpoint, query, auth);
        let mut exchanges =
            exchange::perform(self.client, self.target, &request, &Bindings::default()).await?;
        let exchange = exchanges.pop().ok_or("no exchange was made")?;
        self.provisioned.exchanges.push(exchange.clone());
        // The error text leaves the process (failure text, reports): redact it.
        let redact = |text: String| self.redactor.redact(&text);
        let response = exchange
            .response
            .map_err(|e| redact(format!("{endpoint}: {e}")))?;
        if response.status != 200 {
            return Err(redact(format!(
                "{endpoint} answered HTTP {} ({}); reproduce with: {}",
                response.status,
                crate::check::excerpt(&response.body),
                exchange.request.curl
            )));
        }
        let problem = response.body_problem.clone();
        response.json.ok_or_else(|| {
            redact(format!(
                "{endpoint} answered a body that is {}: {}",
                problem.map_or("not JSON".to_string(), |p| p.to_string()),
                crate::check::excerpt(&response.body)
            ))
        })
    }
}
