//! JSON Schemas under `specs/schemas/`, compiled once through one offline registry.
//!
//! Each file's `$id` is `urn:collections-conformance:<file stem>`, so schemas refer to each other
//! by URN and nothing is ever fetched over the network.

use jsonschema::{Registry, Validator};
use std::collections::BTreeMap;
use std::path::Path;

/// One place where an instance breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// JSON pointer into the instance (`/response/errors/0/change/tweet_id`); empty for the root.
    pub instance_path: String,
    /// JSON pointer into the schema of the keyword that failed.
    pub schema_path: String,
    /// What failed, in jsonschema's words.
    pub message: String,
}

impl std::fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "at {at}: {} (schema {})", self.message, self.schema_path)
    }
}

/// Compiled schemas by name.
pub struct Schemas {
    validators: BTreeMap<String, Validator>,
}

/// The URN prefix of every schema's `$id`.
pub const URN_PREFIX: &str = "urn:collections-conformance:";

impl Schemas {
    /// Loads every `*.json` in `dir`, checks each `$id`, and compiles them.
    pub fn load(dir: &Path) -> anyhow::Result<Schemas> {
        let mut documents = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("cannot read schema folder {}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        entries.sort();
        for path in entries {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let document = super::read_json(&path)?;
            let expected_id = format!("{URN_PREFIX}{name}");
            if document.get("$id").and_then(|v| v.as_str()) != Some(expected_id.as_str()) {
                anyhow::bail!(
                    "{}: `$id` must be \"{expected_id}\" so other schemas can refer to it",
                    path.display()
                );
            }
            documents.push((name, expected_id, document));
        }
        let registry = Registry::new()
            .extend(
                documents
                    .iter()
                    .map(|(_, id, document)| (id.as_str(), document)),
            )
            .and_then(|builder| builder.prepare())
            .map_err(|e| anyhow::anyhow!("schemas in {}: {e}", dir.display()))?;
        let mut validators = BTreeMap::new();
        for (name, _, document) in &documents {
            let validator = jsonschema::options()
                .with_registry(&registry)
                .build(document)
                .map_err(|e| {
                    anyhow::anyhow!("schema {name} in {} does not compile: {e}", dir.display())
                })?;
            validators.insert(name.clone(), validator);
        }
        Ok(Schemas { validators })
    }

    /// Whether a schema of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.validators.contains_key(name)
    }

    /// Every schema name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.validators.keys().map(String::as_str)
    }

    /// The compiled validator of the named schema, for callers that turn errors into messages of
    /// their own (the vector linter names missing keys instead of dumping a failed `oneOf`).
    pub fn validator(&self, name: &str) -> Option<&Validator> {
        self.validators.get(name)
    }

    /// Validates `instance` against the named schema; `None` when there is no such schema.
    pub fn check(&self, name: &str, instance: &serde_json::Value) -> Option<Vec<SchemaProblem>> {
        let validator = self.validators.get(name)?;
        Some(
            validator
                .iter_errors(instance)
                .map(|error| SchemaProblem {
                    instance_path: error.instance_path().as_str().to_string(),
                    schema_path: error.schema_path().as_str().to_string(),
                    message: error.to_string(),
                })
                .collect(),
        )
    }
}
