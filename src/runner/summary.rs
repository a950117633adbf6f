//! Counts of a finished run, per level: judged, passed, not judged (and why), and the kit's own
//! self-checks apart, so a summary never claims more than was tested.

use super::Profile;
use crate::vector::Level;
use crate::verdict::{NotJudgedCause, Outcome, VectorKind, VectorResult};
use std::collections::BTreeMap;

/// The counts of one level.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LevelCount {
    /// Vectors of this level that were selected to run.
    pub total: usize,
    /// Vectors that ran against the target and were judged (passed or failed).
    pub judged: usize,
    /// Judged vectors that passed.
    pub passed: usize,
    /// Vectors not judged, by cause.
    pub not_judged: BTreeMap<NotJudgedCause, usize>,
}

impl LevelCount {
    /// Vectors not judged, whatever the cause.
    pub fn not_judged_total(&self) -> usize {
        self.not_judged.values().sum()
    }
}

/// Counts by level for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per level, target vectors only.
    pub by_level: BTreeMap<Level, LevelCount>,
    /// Oracle vectors (the endpoints the kit relies on), all levels together.
    pub oracles: LevelCount,
    /// Kit self-checks: (passed, ran).
    pub self_checks: (usize, usize),
    /// Broken vector files.
    pub invalid: usize,
    /// Ids of failed vectors that did not fail the run under the profile.
    pub tolerated: Vec<(String, Level)>,
    /// Every distinct reason a vector was not judged, with its cause and the ids it applies to.
    pub not_judged_reasons: BTreeMap<String, (NotJudgedCause, Vec<String>)>,
    /// Ids of MUST vectors that were not judged: a run with any is incomplete.
    pub unjudged_must: Vec<String>,
    /// State reads that showed the expected state only after retries, and the longest wait.
    pub settled: (usize, std::time::Duration),
}

impl Summary {
    /// Summarises the results under a profile.
    pub fn of(results: &[VectorResult], profile: Profile) -> Summary {
        let mut summary = Summary::default();
        for level in [Level::Must, Level::Should, Level::May] {
            summary.by_level.insert(level, LevelCount::default());
        }
        for settled in results
            .iter()
            .flat_map(|r| &r.steps)
            .filter_map(|step| step.settled)
        {
            summary.settled.0 += 1;
            summary.settled.1 = summary.settled.1.max(settled.after);
        }
        for result in results {
            if result.kind == VectorKind::SelfCheck {
                summary.self_checks.1 += 1;
                if result.outcome == Outcome::Passed {
                    summary.self_checks.0 += 1;
                }
                continue;
            }
            if let Outcome::Invalid { .. } = result.outcome {
                summary.invalid += 1;
                continue;
            }
            let count = if result.kind == VectorKind::Oracle {
                &mut summary.oracles
            } else {
                summary.by_level.entry(result.level).or_default()
            };
            count.total += 1;
            match &result.outcome {
                Outcome::Passed => {
                    count.judged += 1;
                    count.passed += 1;
                }
                Outcome::Failed { .. } => {
                    count.judged += 1;
                    if !profile.fails_on(result.level) {
                        summary.tolerated.push((result.id.clone(), result.level));
                    }
                }
                Outcome::NotJudged { reason, cause } => {
                    *count.not_judged.entry(*cause).or_default() += 1;
                    summary
                        .not_judged_reasons
                        .entry(reason.clone())
                        .or_insert_with(|| (*cause, Vec::new()))
                        .1
                        .push(result.id.clone());
                    if result.level == Level::Must {
                        summary.unjudged_must.push(result.id.clone());
                    }
                }
                Outcome::Invalid { .. } => unreachable!("counted above"),
            }
        }
        summary.tolerated.sort();
        summary.unjudged_must.sort();
        summary
    }

    /// Whether a failing self-check says the kit itself is broken.
    pub fn self_check_failed(&self) -> bool {
        self.self_checks.0 < self.self_checks.1
    }

    /// `conformance: MUST 38/41 judged, 38 passed · 3 not judged (3 configuration missing) · …`
    /// then the reasons for what was not judged and the tolerated failures, so gaps are visible.
    pub fn render(&self, profile: Profile) -> String {
        let levels: Vec<String> = self
            .by_level
            .iter()
            .map(|(level, count)| {
                let mut text = format!(
                    "{} {}/{} judged, {} passed",
                    level.label(),
                    count.judged,
                    count.total,
                    count.passed
                );
                if count.not_judged_total() > 0 {
                    let causes: Vec<String> = count
                        .not_judged
                        .iter()
                        .map(|(cause, n)| format!("{n} {}", cause.as_str()))
                        .collect();
                    text.push_str(&format!(
                        " · {} not judged ({})",
                        count.not_judged_total(),
                        causes.join(", ")
                    ));
                }
                text
            })
            .collect();
        let profile_name = match profile {
            Profile::Default => "default: MUST fails the run",
            Profile::Strict => "strict: MUST and SHOULD fail the run",
        };
        let oracles = if self.oracles.total > 0 {
            format!(
                " · oracles {}/{} judged, {} passed",
                self.oracles.judged, self.oracles.total, self.oracles.passed
            )
        } else {
            String::new()
        };
        let mut text = format!(
            "conformance: {}{oracles} · self-checks {}/{} · {} invalid (profile {profile_name})",
            levels.join(" · "),
            self.self_checks.0,
            self.self_checks.1,
            self.invalid
        );
        if self.settled.0 > 0 {
            text.push_str(&format!(
                "\n  {} state read(s) showed an earlier write only after retries; the target took up to {} ms to settle",
                self.settled.0,
                self.settled.1.as_millis()
            ));
        }
        for (reason, (_, ids)) in &self.not_judged_reasons {
            let shown: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
            let more = ids.len().saturating_sub(shown.len());
            text.push_str(&format!(
                "\n  not judged ({} vector{}: {}{}): {reason}",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        for (id, level) in &self.tolerated {
            text.push_str(&format!(
                "\n  not met, not failing this profile: {id} ({}){}",
                level.label(),
                if *level == Level::Should {
                    " — run with --strict (CONFORMANCE_PROFILE=strict) to fail on it"
                } else {
                    ""
                }
            ));
        }
        text
    }
}
