//! `specs/requirements.json`: every normative statement about the endpoint, with its source.

use crate::vector::{Evidence, Level};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One normative statement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Stable id, e.g. `remove.param.tweet_id.required`.
    pub id: String,
    /// How binding it is.
    pub level: Level,
    /// What it rests on.
    pub evidence: Evidence,
    /// The statement, in one line.
    pub statement: String,
    /// Where it is written (or, for inferred ones, the page that is silent).
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "$comment", default)]
    _comment: Option<String>,
    requirements: Vec<Requirement>,
}

/// All requirements, by id.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    by_id: BTreeMap<String, Requirement>,
}

impl Requirements {
    /// Loads the file; duplicate ids are an error.
    pub fn load(path: &Path) -> anyhow::Result<Requirements> {
        let file: File = serde_json::from_value(super::read_json(path)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut by_id = BTreeMap::new();
        for requirement in file.requirements {
            let id = requirement.id.clone();
            if by_id.insert(id.clone(), requirement).is_some() {
                anyhow::bail!("{}: requirement id `{id}` appears twice", path.display());
            }
        }
        Ok(Requirements { by_id })
    }

    /// The requirement with this id.
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.by_id.get(id)
    }

    /// Every requirement, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = &Requirement> {
        self.by_id.values()
    }
}
