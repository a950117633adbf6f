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

/// Creates the fixtures. On error, whatever was already created is destroyed before returning.
pub async fn provision(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    fixtures: &Fixtures,
    label: &str,
) -> Result<Provisioned, String> {
    let mut provisioned = Provisioned::default();
    let result = provision_into(client, target, redactor, fixtures, label, &mut provisioned).await;
    match result {
        Ok(values) => {
            provisioned.bindings = Bindings::from_fixtures(&values);
            Ok(provisioned)
        }
        Err(e) => {
            teardown(client, target, redactor, provisioned).await;
            Err(e)
        }
    }
}

async fn provision_into(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    fixtures: &Fixtures,
    label: &str,
    provisioned: &mut Provisioned,
) -> Result<FixtureValues, String> {
    let mut tweets = target.tweet_ids.iter().cloned();
    let mut take = |n: usize| -> Vec<String> { tweets.by_ref().take(n).collect() };
    let main = fixtures.collection.as_ref().map(|c| (c, take(c.tweets)));
    let other = fixtures
        .other_collection
        .as_ref()
        .map(|c| (c, take(c.tweets)));
    let spare_tweets = take(fixtures.spare_tweets);

    let mut values = FixtureValues {
        spare_tweets,
        ..FixtureValues::default()
    };
    if let Some((fixture, ids)) = main {
        let id = collection(
            client,
            target,
            redactor,
            fixture,
            &ids,
            fixture.owner.unwrap_or(AuthMode::User),
            label,
            provisioned,
        )
        .await?;
        values.collection = Some((id, ids));
    }
    if let Some((fixture, ids)) = other {
        let id = collection(
            client,
            target,
            redactor,
            fixture,
            &ids,
            fixture.owner.unwrap_or(AuthMode::OtherUser),
            label,
            provisioned,
        )
        .await?;
        values.other_collection = Some((id, ids));
    }
    Ok(values)
}

#[allow(clippy::too_many_arguments)]
async fn collection(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    fixture: &CollectionFixture,
    tweet_ids: &[String],
    owner: AuthMode,
    label: &str,
    provisioned: &mut Provisioned,
) -> Result<String, String> {
    let name: String = format!("conformance {label}").chars().take(25).collect();
    let created = call(
        client,
        target,
        redactor,
        owner,
        "collections/create",
        &[("name", &name)],
        provisioned,
    )
    .await?;
    let id = created
        .pointer("/response/timeline_id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            format!("collections/create answered without response.timeline_id: {created}")
        })?
        .to_string();
    provisioned.created.push((id.clone(), owner));
    for tweet_id in tweet_ids {
        let added = call(
            client,
            target,
            redactor,
            owner,
            "collections/entries/add",
            &[("id", &id), ("tweet_id", tweet_id)],
            provisioned,
        )
        .await?;
        let errors = added.pointer("/response/errors").and_then(|e| e.as_array());
        if errors.is_none_or(|errors| !errors.is_empty()) {
            return Err(format!(
                "collections/entries/add of tweet {tweet_id} did not succeed: {added}"
            ));
        }
    }
    if fixture.destroyed {
        call(
            client,
            target,
            redactor,
            owner,
            "collections/destroy",
            &[("id", &id)],
            provisioned,
        )
        .await?;
        provisioned.created.retain(|(created, _)| created != &id);
    }
    Ok(id)
}

/// Sends one signed POST and returns its JSON body, or why it failed.
async fn call(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    auth: AuthMode,
    endpoint: &str,
    params: &[(&str, &str)],
    provisioned: &mut Provisioned,
) -> Result<serde_json::Value, String> {
    let query = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let request = Request::api("POST", endpoint, query, auth);
    let mut exchanges =
        exchange::perform(client, target, redactor, &request, &Bindings::default()).await?;
    let exchange = exchanges.pop().ok_or("no exchange was made")?;
    provisioned.exchanges.push(exchange.clone());
    let response = exchange.response.map_err(|e| format!("{endpoint}: {e}"))?;
    if response.status != 200 {
        return Err(format!(
            "{endpoint} answered HTTP {} ({}); reproduce with: {}",
            response.status,
            crate::check::excerpt(&response.body),
            exchange.request.curl
        ));
    }
    response.json.ok_or_else(|| {
        format!(
            "{endpoint} answered a body that is not JSON: {}",
            crate::check::excerpt(&response.body)
        )
    })
}

/// Destroys what [`provision`] created. Failures are ignored: the vector's verdict is already
/// decided, and a target that cannot destroy is caught by vectors of its own.
pub async fn teardown(
    client: &reqwest::Client,
    target: &Target,
    redactor: &Redactor,
    provisioned: Provisioned,
) {
    let mut scratch = Provisioned::default();
    for (id, owner) in provisioned.created {
        let _ = call(
            client,
            target,
            redactor,
            owner,
            "collections/destroy",
            &[("id", &id)],
            &mut scratch,
        )
        .await;
    }
}
