//! What one vector's run concluded, and the failure text a person reads.
//!
//! The text is built once here and reused by every output (trial message, reports), so a failure
//! reads the same everywhere: requirement and level, source, expected vs actual, a reproducer.

use crate::check::Mismatch;
use crate::exchange::Exchange;
use crate::spec::Spec;
use crate::vector::{Level, Vector};
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Duration;

/// How a vector ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Every step met its expectations.
    Passed,
    /// A step did not; `message` is the full failure text.
    Failed {
        /// Failure text.
        message: String,
    },
    /// The vector could not be run against the target, so nothing is claimed about it.
    NotJudged {
        /// Why, and what to do about it.
        reason: String,
        /// The kind of reason, for summaries.
        cause: NotJudgedCause,
    },
    /// The vector file is broken.
    Invalid {
        /// Every problem, with file and JSON pointer.
        message: String,
    },
}

/// Why a vector was not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotJudgedCause {
    /// A setting the vector needs is missing (second user, bearer token, tweet ids, target).
    Configuration,
    /// Its fixtures could not be set up through the target's own endpoints.
    Setup,
    /// The target's rate limit would have needed a longer wait than `--max-wait`.
    Throttled,
    /// The target stopped answering.
    Unresponsive,
    /// An endpoint the vector relies on (fixtures, state reads) failed its own oracle vector.
    Oracle,
}

impl NotJudgedCause {
    /// Short name for summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            NotJudgedCause::Configuration => "configuration missing",
            NotJudgedCause::Setup => "setup failed",
            NotJudgedCause::Throttled => "throttled",
            NotJudgedCause::Unresponsive => "target unresponsive",
            NotJudgedCause::Oracle => "oracle failed",
        }
    }
}

/// What a vector is about: the target, or the kit itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VectorKind {
    /// Runs against the target; its verdict is a claim about the target.
    Target,
    /// Runs against the target first and judges an endpoint the kit relies on (fixtures, state
    /// reads); counted apart, and its failure leaves the vectors relying on it not judged.
    Oracle,
    /// An offline check of the kit (signer known answers); never a verdict about the target,
    /// and a failing one makes the run unusable.
    SelfCheck,
}

/// One step as it ran: its exchanges (two for a replay) and what did not match.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// `POST collections/entries/remove` or the step's name.
    pub name: String,
    /// Every exchange of the step; the last one is judged.
    pub exchanges: Vec<Exchange>,
    /// For each acceptable alternative, what did not match (all empty: never judged).
    pub mismatches: Vec<(String, Vec<Mismatch>)>,
    /// Whether the step met its expectations and its exchanges broke no invariant.
    pub passed: bool,
    /// Invariants the step's exchanges broke, whatever the step expected: (requirement id,
    /// mismatch). They fail the step at that requirement's level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<(String, Mismatch)>,
    /// For a state read retried within the consistency window: how many times it was sent and
    /// how long the target took to show the earlier write (`None`: judged on the first read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled: Option<Settled>,
    /// Values the step was to `capture` for later steps and did not find; they fail the step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub captures: Vec<Mismatch>,
}

/// How a state read converged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settled {
    /// Reads sent, the judged one included.
    pub attempts: usize,
    /// Time from the first read to the judged one.
    #[serde(rename = "after_ms", serialize_with = "as_millis")]
    pub after: Duration,
}

fn as_millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.as_millis() as u64)
}

/// Everything about one vector's run, for summaries and reports.
#[derive(Debug, Clone, Serialize)]
pub struct VectorResult {
    /// Trial id.
    pub id: String,
    /// Vector file.
    pub path: PathBuf,
    /// Title, or the file name for invalid vectors.
    pub title: String,
    /// Target vector or kit self-check.
    pub kind: VectorKind,
    /// The level this verdict counts at: the vector's own, raised when an invariant of a
    /// higher level failed (invalid vectors count as MUST: a broken file must be fixed).
    pub level: Level,
    /// Requirement ids covered.
    pub requirements: Vec<String>,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Wall time, fixtures included.
    pub duration: Duration,
    /// Steps that ran.
    pub steps: Vec<StepRecord>,
}

impl VectorResult {
    /// Whether its requirements count as checked by this run: it was judged against the target,
    /// or it is a kit self-check that passed (its requirements are about the kit's signer).
    pub fn checked_its_requirements(&self) -> bool {
        self.is_judged() || (self.kind == VectorKind::SelfCheck && self.outcome == Outcome::Passed)
    }
}

impl VectorResult {
    /// The result with every secret and signature replaced, for output: trial messages,
    /// summaries, reports. Checks have already judged the raw exchanges.
    pub fn redacted(self, redactor: &crate::redact::Redactor) -> VectorResult {
        let outcome = match self.outcome {
            Outcome::Failed { message } => Outcome::Failed {
                message: redactor.redact(&message),
            },
            Outcome::NotJudged { reason, cause } => Outcome::NotJudged {
                reason: redactor.redact(&reason),
                cause,
            },
            other => other,
        };
        let steps = self
            .steps
            .into_iter()
            .map(|step| StepRecord {
                exchanges: step
                    .exchanges
                    .iter()
                    .map(|e| e.redacted(redactor))
                    .collect(),
                invariants: step
                    .invariants
                    .iter()
                    .map(|(id, m)| (id.clone(), m.redacted(redactor)))
                    .collect(),
                captures: step.captures.iter().map(|m| m.redacted(redactor)).collect(),
                mismatches: step
                    .mismatches
                    .into_iter()
                    .map(|(label, found)| {
                        let found = found.iter().map(|m| m.redacted(redactor)).collect();
                        (redactor.redact(&label), found)
                    })
                    .collect(),
                ..step
            })
            .collect();
        VectorResult {
            outcome,
            steps,
            ..self
        }
    }
}

impl Outcome {
    /// One line for lists: `passed`, `failed`, `not judged (throttled)`, `invalid`.
    pub fn short(&self) -> String {
        match self {
            Outcome::Passed => "passed".into(),
            Outcome::Failed { .. } => "failed".into(),
            Outcome::NotJudged { cause, .. } => format!("not judged ({})", cause.as_str()),
            Outcome::Invalid { .. } => "invalid".into(),
        }
    }
}

impl VectorResult {
    /// Whether it ran against the target and was judged (passed or failed).
    pub fn is_judged(&self) -> bool {
        self.kind != VectorKind::SelfCheck
            && matches!(self.outcome, Outcome::Passed | Outcome::Failed { .. })
    }
}

/// Renders the failure text of a vector whose step `failed_step` did not meet expectations.
pub fn failure_text(
    id: &str,
    path: &std::path::Path,
    vector: &Vector,
    spec: &Spec,
    step_count: usize,
    failed_step: usize,
    record: &StepRecord,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{id}: {}", vector.title);
    let _ = writeln!(
        out,
        "  level {}, {} · file {}",
        vector.level.label(),
        vector.evidence.as_str(),
        path.display()
    );
    for requirement_id in &vector.requirements {
        match spec.requirements.get(requirement_id) {
            Some(r) => {
                let _ = writeln!(
                    out,
                    "  requirement {} [{}, {}]: {}\n    source: {}",
                    r.id,
                    r.level.label(),
                    r.evidence.as_str(),
                    r.statement,
                    r.source
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  requirement {requirement_id} (not in specs/requirements.json)"
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "  step {} of {step_count}: {}",
        failed_step + 1,
        record.name
    );
    let judged = record.exchanges.last();
    for (requirement_id, mismatch) in &record.invariants {
        let level = spec
            .requirements
            .get(requirement_id)
            .map_or("?", |r| r.level.label());
        let _ = writeln!(
            out,
            "    broke {requirement_id} [{level}], checked on every response of the endpoint under test: {mismatch}"
        );
    }
    for mismatch in &record.captures {
        let _ = writeln!(out, "    {mismatch}");
    }
    let met = record.mismatches.iter().any(|(_, found)| found.is_empty());
    match &record.mismatches[..] {
        _ if met => {}
        [(_, mismatches)] => write_mismatches(&mut out, mismatches, "    "),
        alternatives => {
            let _ = writeln!(
                out,
                "    none of {} acceptable outcomes matched:",
                alternatives.len()
            );
            for (i, (label, mismatches)) in alternatives.iter().enumerate() {
                let _ = writeln!(out, "    ({}) {label}:", (b'a' + i as u8) as char);
                write_mismatches(&mut out, mismatches, "        ");
            }
        }
    }
    if let Some(exchange) = judged {
        // Without a response, the mismatch above already says why.
        if let Ok(response) = &exchange.response {
            let _ = writeln!(
                out,
                "  response: HTTP {}, content-type {}, {} ms",
                response.status,
                response.header("content-type").unwrap_or("(none)"),
                exchange.duration.as_millis()
            );
            let _ = writeln!(out, "    body: {}", crate::check::excerpt(&response.body));
        }
        if record.exchanges.len() > 1 {
            let _ = writeln!(
                out,
                "  (the same signed request was sent {} times; the last is judged)",
                record.exchanges.len()
            );
        }
        let _ = writeln!(
            out,
            "  reproduce (fill in the placeholders; OAuth requests need a fresh signature):"
        );
        let _ = write!(out, "    {}", exchange.request.curl);
    }
    out
}

fn write_mismatches(out: &mut String, mismatches: &[Mismatch], indent: &str) {
    for mismatch in mismatches {
        let _ = writeln!(out, "{indent}{mismatch}");
    }
}
