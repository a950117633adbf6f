//! Reports of a finished run: JUnit XML for CI test views, JSON for machines, HTML for people.
//!
//! Every report is built from the same [`RunReport`]; the failure text inside is the one the
//! trial printed, so a failure reads the same everywhere. Results are redacted before they reach
//! a report (see `runner`), so no report can hold a secret.

mod html;
mod json;
mod junit;
pub mod matrix;

pub use html::html;
pub use json::json;
pub use junit::junit;
pub use matrix::Matrix;

use crate::runner::{Profile, Summary};
use crate::verdict::{Outcome, VectorKind, VectorResult};
use std::path::Path;
use std::time::Duration;

/// A finished run, as reports see it.
pub struct RunReport<'a> {
    /// Every vector's result, sorted by id.
    pub results: &'a [VectorResult],
    /// Counts by level.
    pub summary: &'a Summary,
    /// The profile the run was judged under.
    pub profile: Profile,
    /// Base URL of the target.
    pub target: String,
    /// Wall time of the whole run.
    pub duration: Duration,
    /// Every requirement with the ids of the vectors that cover it (none: uncovered).
    pub coverage: Vec<Coverage>,
}

/// One requirement and the vectors that cover it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Coverage {
    /// Requirement id.
    pub id: String,
    /// Its level.
    pub level: crate::vector::Level,
    /// Its statement.
    pub statement: String,
    /// Where it is written.
    pub source: String,
    /// Ids of the valid vectors that list it.
    pub vectors: Vec<String>,
    /// Ids of those vectors that ran and were judged in this run: the requirement was checked
    /// only if this is not empty.
    pub judged_by: Vec<String>,
}

impl Coverage {
    /// The coverage of every requirement whose `requirement::` trial ran (none when a filter
    /// skipped them all), so reports show what the trials showed.
    pub fn of(suite: &crate::runner::Suite, results: &[VectorResult]) -> Vec<Coverage> {
        let covered = suite.coverage();
        let checked = suite
            .coverage_checked
            .lock()
            .map(|ids| ids.clone())
            .unwrap_or_default();
        suite
            .spec
            .requirements
            .iter()
            .filter(|r| checked.contains(&r.id))
            .map(|r| Coverage {
                id: r.id.clone(),
                level: r.level,
                statement: r.statement.clone(),
                source: r.source.clone(),
                vectors: covered.get(&r.id).cloned().unwrap_or_default(),
                judged_by: results
                    .iter()
                    .filter(|result| {
                        result.checked_its_requirements() && result.requirements.contains(&r.id)
                    })
                    .map(|result| result.id.clone())
                    .collect(),
            })
            .collect()
    }
}

/// A vector's verdict under the run's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Met its expectations.
    Passed,
    /// Did not, at a level the profile enforces: fails the run.
    Failed,
    /// Did not, at a level the profile tolerates: reported, does not fail the run.
    NotMet,
    /// Not judged: a setting was missing, setup failed, the target throttled or stopped.
    NotJudged,
    /// The vector file is broken.
    Invalid,
}

impl Verdict {
    /// The verdict of a result under a profile.
    pub fn of(result: &VectorResult, profile: Profile) -> Verdict {
        match &result.outcome {
            Outcome::Passed => Verdict::Passed,
            Outcome::Failed { .. }
                if result.kind == VectorKind::SelfCheck || profile.fails_on(result.level) =>
            {
                Verdict::Failed
            }
            Outcome::Failed { .. } => Verdict::NotMet,
            Outcome::NotJudged { .. } => Verdict::NotJudged,
            Outcome::Invalid { .. } => Verdict::Invalid,
        }
    }

    /// Lower-case name used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::NotMet => "not_met",
            Verdict::NotJudged => "not_judged",
            Verdict::Invalid => "invalid",
        }
    }

    /// Order in which reports list vectors: problems first.
    fn rank(self) -> u8 {
        match self {
            Verdict::Invalid => 0,
            Verdict::Failed => 1,
            Verdict::NotMet => 2,
            Verdict::NotJudged => 3,
            Verdict::Passed => 4,
        }
    }
}

/// The area of a vector id: everything before the last `::` (`remove::params`).
pub fn area(id: &str) -> &str {
    id.rsplit_once("::").map_or("", |(area, _)| area)
}

/// The message of a non-passing result (failure text, reason not judged, lint problems).
pub fn message(result: &VectorResult) -> Option<&str> {
    match &result.outcome {
        Outcome::Passed => None,
        Outcome::Failed { message } | Outcome::Invalid { message } => Some(message),
        Outcome::NotJudged { reason, .. } => Some(reason),
    }
}

/// Writes a report file, creating its folder; the error names the path.
pub fn write(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents)
        .map_err(|e| anyhow::anyhow!("cannot write report {}: {e}", path.display()))
}
