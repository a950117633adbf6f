//! `{{name}}` placeholders in vectors, filled with fixture values at run time.

use super::Fixtures;
use std::collections::BTreeMap;

/// The values fixtures provide, in the names vectors use for them.
#[derive(Debug, Clone, Default)]
pub struct FixtureValues {
    /// `collection.id` and `tweets[i]`.
    pub collection: Option<(String, Vec<String>)>,
    /// `other_collection.id` and `other_collection.tweets[i]`.
    pub other_collection: Option<(String, Vec<String>)>,
    /// `spare_tweets[i]`.
    pub spare_tweets: Vec<String>,
}

/// Values a vector's strings may refer to, such as `collection.id` or `tweets[0]`.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    values: BTreeMap<String, String>,
}

/// A placeholder that names no bound value, or is not closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The text that could not be filled.
    pub text: String,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot fill `{}`: {}", self.text, self.problem)
    }
}

impl std::error::Error for TemplateError {}

impl Bindings {
    /// The one place that names fixture values for templates.
    pub fn from_fixtures(values: &FixtureValues) -> Bindings {
        let mut bindings = Bindings::default();
        if let Some((id, tweets)) = &values.collection {
            bindings.set("collection.id", id.clone());
            bindings.set_list("tweets", tweets);
        }
        if let Some((id, tweets)) = &values.other_collection {
            bindings.set("other_collection.id", id.clone());
            bindings.set_list("other_collection.tweets", tweets);
        }
        bindings.set_list("spare_tweets", &values.spare_tweets);
        bindings
    }

    /// Bindings with stand-in values for what `fixtures` declares, so a linter can tell which
    /// placeholders a vector may use before anything is created.
    pub fn placeholders_for(fixtures: &Fixtures) -> Bindings {
        let stand_ins = |prefix: &str, n: usize| -> Vec<String> {
            (0..n).map(|i| format!("{prefix}{i}")).collect()
        };
        // A full collection's size is the target's; vectors may count on its first two tweets.
        let tweets = |c: &super::CollectionFixture| if c.at_capacity { 2 } else { c.tweets };
        let mut bindings = Bindings::from_fixtures(&FixtureValues {
            collection: fixtures
                .collection
                .as_ref()
                .map(|c| ("custom-1".to_string(), stand_ins("1", tweets(c)))),
            other_collection: fixtures
                .other_collection
                .as_ref()
                .map(|c| ("custom-2".to_string(), stand_ins("2", tweets(c)))),
            spare_tweets: stand_ins("3", fixtures.spare_tweets),
        });
        let declared = [
            ("collection", fixtures.collection.is_some()),
            ("other_collection", fixtures.other_collection.is_some()),
        ];
        for (prefix, _) in declared.into_iter().filter(|(_, declared)| *declared) {
            bindings.set(format!("{prefix}.user_id"), "4");
            bindings.set(format!("{prefix}.screen_name"), "someone");
        }
        bindings
    }

    /// Binds `name` to `value`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Binds `name[0]`, `name[1]`, ... to the values in order.
    pub fn set_list(&mut self, name: &str, values: &[String]) {
        for (i, value) in values.iter().enumerate() {
            self.set(format!("{name}[{i}]"), value.clone());
        }
    }

    /// The names that are bound, for error messages.
    pub fn names(&self) -> Vec<&str> {
        self.values.keys().map(String::as_str).collect()
    }

    /// Replaces every `{{name}}` in `text`.
    pub fn fill(&self, text: &str) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| TemplateError {
                text: text.to_string(),
                problem: "`{{` is never closed by `}}`".to_string(),
            })?;
            let name = after[..end].trim();
            let value = self.values.get(name).ok_or_else(|| TemplateError {
                text: text.to_string(),
                problem: format!(
                    "`{name}` is not defined here; defined: {}",
                    if self.values.is_empty() {
                        "nothing (declare fixtures in the vector)".to_string()
                    } else {
                        self.names().join(", ")
                    }
                ),
            })?;
            out.push_str(value);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Fills every string inside a JSON value, keys included.
    pub fn fill_json(&self, value: &serde_json::Value) -> Result<serde_json::Value, TemplateError> {
        use serde_json::Value;
        Ok(match value {
            Value::String(s) => Value::String(self.fill(s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.fill_json(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut filled = serde_json::Map::new();
                for (k, v) in map {
                    filled.insert(self.fill(k)?, self.fill_json(v)?);
                }
                Value::Object(filled)
            }
            other => other.clone(),
        })
    }

    /// Fills both sides of every pair.
    pub fn fill_pairs(
        &self,
        pairs: &[(String, String)],
    ) -> Result<Vec<(String, String)>, TemplateError> {
        pairs
            .iter()
            .map(|(k, v)| Ok((self.fill(k)?, self.fill(v)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bindings() -> Bindings {
        let mut b = Bindings::default();
        b.set("collection.id", "custom-1");
        b.set_list("tweets", &["10".to_string(), "11".to_string()]);
        b
    }

    #[test]
    fn fills_known_names_and_leaves_text_alone() {
        let b = bindings();
        assert_eq!(
            b.fill("id={{collection.id}}&t={{ tweets[1] }}").unwrap(),
            "id=custom-1&t=11"
        );
        assert_eq!(b.fill("no placeholders").unwrap(), "no placeholders");
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_errors() {
        let b = bindings();
        let err = b.fill("{{tweets[2]}}").unwrap_err();
        assert!(err.problem.contains("`tweets[2]` is not defined"), "{err}");
        assert!(err.problem.contains("tweets[1]"), "{err}");
        assert!(b.fill("{{collection.id").is_err());
    }

    #[test]
    fn fills_json_strings_and_keys() {
        let b = bindings();
        let v = serde_json::json!({"{{collection.id}}": ["{{tweets[0]}}", 3]});
        assert_eq!(
            b.fill_json(&v).unwrap(),
            serde_json::json!({"custom-1": ["10", 3]})
        );
    }
}
