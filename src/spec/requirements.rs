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
        if self
            .unverified
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Some(
                "`unverified` is empty: name the UNVERIFIED point or drop the field".into(),
            );
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

/// A vector as the requirements table lists it.
#[derive(Debug, Clone)]
pub struct CitingVector {
    /// Path under `vectors/`, with `/` separators: `remove/params/missing-id.json`.
    pub path: String,
    /// The vector's level.
    pub level: Level,
    /// Requirement ids it cites.
    pub requirements: Vec<String>,
}

impl Requirements {
    /// `docs/requirements.md`: every requirement with its level, evidence, reference sections,
    /// source and the vectors citing it, then the reasons of the inferred MUSTs and the open
    /// (UNVERIFIED) points. Generated so it cannot drift from the data; a test compares it with
    /// the committed file.
    pub fn markdown(&self, vectors: &[CitingVector]) -> String {
        let mut out = String::new();
        out.push_str(
            "# Requirements x vectors\n\n\
             <!-- Generated from specs/requirements.json and vectors/ by the test \
             `levels::requirements_doc_is_current`; do not edit by hand. Rewrite it with \
             `UPDATE_REQUIREMENTS_DOC=1 cargo test --test kit levels::`. -->\n\n\
             **The level rule.** A requirement is MUST only when the documentation states it \
             (evidence `documented`), or when no implementation that respects the documented \
             contract could differ (evidence `inferred`, with the reason under \
             [Why MUST](#why-must-inferred-musts)). A requirement that rests on a point the API \
             reference marks UNVERIFIED is SHOULD or MAY ([Open points](#open-points-unverified-never-must)). \
             A vector is never of a higher level than the highest requirement it cites; a vector \
             that mixed a documented core with an open detail is split into a MUST vector and a \
             SHOULD vector. `§` names sections of the project's API reference \
             (`shared/reference/twitter-collections-v1.1.md`), which quotes each source.\n\n",
        );
        let count = |level: Level| self.iter().filter(|r| r.level == level).count();
        let musts = |evidence: Evidence| {
            self.iter()
                .filter(|r| r.level == Level::Must && r.evidence == evidence)
                .count()
        };
        let vector_count = |level: Level| vectors.iter().filter(|v| v.level == level).count();
        out.push_str(&format!(
            "Requirements: {} · MUST {} ({} documented, {} inferred) · SHOULD {} · MAY {}.  \n\
             Vectors: {} · MUST {} · SHOULD {} · MAY {}.\n\n",
            self.by_id.len(),
            count(Level::Must),
            musts(Evidence::Documented),
            musts(Evidence::Inferred),
            count(Level::Should),
            count(Level::May),
            vectors.len(),
            vector_count(Level::Must),
            vector_count(Level::Should),
            vector_count(Level::May),
        ));
        out.push_str(
            "| Requirement | Level | Evidence | § | Source | Vectors |\n\
             |---|---|---|---|---|---|\n",
        );
        let mut sorted: Vec<&Requirement> = self.iter().collect();
        sorted.sort_by(|a, b| (a.level, &a.id).cmp(&(b.level, &b.id)));
        for r in &sorted {
            let mut citing: Vec<&CitingVector> = vectors
                .iter()
                .filter(|v| v.requirements.contains(&r.id))
                .collect();
            citing.sort_by(|a, b| (a.level, &a.path).cmp(&(b.level, &b.path)));
            let cited = if citing.is_empty() {
                "**none**".to_string()
            } else {
                citing
                    .iter()
                    .map(|v| {
                        format!(
                            "[{}](../vectors/{}) {}",
                            v.path.trim_end_matches(".json"),
                            v.path,
                            v.level.label()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let mark = if r.unverified.is_some() {
                " (UNVERIFIED point)"
            } else {
                ""
            };
            out.push_str(&format!(
                "| `{}`<br>{} | {} | {}{} | {} | {} | {} |\n",
                r.id,
                cell(&r.statement),
                r.level.label(),
                r.evidence.as_str(),
                mark,
                cell(&r.reference),
                source_link(&r.source),
                cited
            ));
        }
        out.push_str("\n## Why MUST (inferred MUSTs)\n\n");
        for r in &sorted {
            if let Some(because) = &r.must_because {
                out.push_str(&format!("- `{}`: {}\n", r.id, escape(because)));
            }
        }
        out.push_str("\n## Open points (UNVERIFIED, never MUST)\n\n");
        for r in &sorted {
            if let Some(point) = &r.unverified {
                out.push_str(&format!(
                    "- `{}` ({}): {}\n",
                    r.id,
                    r.level.label(),
                    escape(point)
                ));
            }
        }
        out
    }
}

/// Text safe inside a Markdown table cell: no column breaks, no line breaks, and no `<named>`
/// swallowed as an HTML tag.
fn cell(text: &str) -> String {
    escape(text).replace('|', "\\|").replace('\n', " ")
}

/// Text safe in Markdown prose: `<` and `>` shown, not read as HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A source URL as a short Markdown link: host and last path segment.
fn source_link(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    let without_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    let host = without_scheme.split('/').next().unwrap_or(without_scheme);
    let last = without_scheme.rsplit('/').next().unwrap_or(without_scheme);
    let label = if last == host {
        host.to_string()
    } else {
        format!("{host} …/{last}")
    };
    format!("[{}]({})", cell(&label), url)
}
