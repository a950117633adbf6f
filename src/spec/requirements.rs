//! `specs/requirements.json`: every normative statement about the endpoint, with its source, and
//! the one level rule that keeps verdicts honest (see [`Requirement::level_problem`]).

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
    /// Sections of the project's API reference (`§2, §10`) the statement rests on, so a reader can
    /// find the quoted sources and the points marked UNVERIFIED there.
    pub reference: String,
    /// For an inferred MUST: why no implementation that keeps the documented contract could
    /// behave otherwise. Without it an inferred statement is at most SHOULD.
    #[serde(default)]
    pub must_because: Option<String>,
    /// The point marked UNVERIFIED in the reference that the statement rests on; such a
    /// statement is SHOULD or MAY, never MUST.
    #[serde(default)]
    pub unverified: Option<String>,
}

impl Requirement {
    /// What is wrong with this requirement's level under the one level rule, if anything:
    /// MUST only when documented, or inferred with a reason (`must_because`) why no faithful
    /// implementation could differ; never MUST when resting on an UNVERIFIED point. A reason is
    /// only meaningful on an inferred MUST, so it is refused elsewhere (it would read as a claim).
    pub fn level_problem(&self) -> Option<String> {
        let because = self
            .must_because
            .as_deref()
            .is_some_and(|text| !text.trim().is_empty());
        if self.unverified.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Some("`unverified` is empty: name the UNVERIFIED point or drop the field".into());
        }
        if self.must_because.is_some() && !because {
            return Some("`must_because` is empty: give the reason or drop the field".into());
        }
        if self.level == Level::Must {
            if let Some(point) = &self.unverified {
                return Some(format!(
                    "is MUST but rests on an UNVERIFIED point ({point}): make it SHOULD or MAY"
                ));
            }
            match self.evidence {
                Evidence::Documented if because => {
                    return Some(
                        "is documented: `must_because` belongs to inferred MUSTs only".into(),
                    );
                }
                Evidence::Documented => {}
                Evidence::Inferred if because => {}
                Evidence::Inferred => {
                    return Some(
                        "is an inferred MUST without `must_because`: say why no implementation \
                         that keeps the documented contract could differ, or make it SHOULD"
                            .into(),
                    );
                }
                Evidence::Observed => {
                    return Some(
                        "is MUST on observed evidence: what issue threads saw is not the \
                         documented contract; make it SHOULD"
                            .into(),
                    );
                }
            }
        } else if because {
            return Some(format!(
                "is {} but has `must_because`: the field justifies MUSTs only",
                self.level.label()
            ));
        }
        if self.reference.trim().is_empty() || !self.reference.contains('§') {
            return Some("`reference` names no section (`§2`) of the API reference".into());
        }
        None
    }
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
    /// Loads the file; duplicate ids and levels that break the level rule are errors.
    pub fn load(path: &Path) -> anyhow::Result<Requirements> {
        Self::from_json(super::read_json(path)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Builds the set from the parsed file; the error names the requirement that is wrong.
    pub fn from_json(json: serde_json::Value) -> anyhow::Result<Requirements> {
        let file: File = serde_json::from_value(json)?;
        let mut by_id = BTreeMap::new();
        for requirement in file.requirements {
            if let Some(problem) = requirement.level_problem() {
                anyhow::bail!("requirement `{}` {problem}", requirement.id);
            }
            let id = requirement.id.clone();
            if by_id.insert(id.clone(), requirement).is_some() {
                anyhow::bail!("requirement id `{id}` appears twice");
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
