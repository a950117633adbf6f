//! One vector, start to end: an invalid file, an offline self-check, or needs -> fixtures ->
//! steps -> teardown against the target. Every way a vector can end is decided here.

use super::session::{SendError, Session};
use crate::check::{self, Mismatch, RateLimitReading};
use crate::exchange::Exchange;
use crate::fixture::{self, SetupError};
use crate::spec::Spec;
use crate::vector::{Bindings, Level, LoadedVector, Step, Vector, VectorBody};
use crate::verdict::{
    NotJudgedCause, Outcome, Settled, StepRecord, VectorKind, VectorResult, failure_text,
};
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs one vector file against the session's target (or offline, for self-checks).
pub async fn evaluate(
    loaded: &LoadedVector,
    spec: &Spec,
    session: Option<&Session>,
) -> VectorResult {
    let started = Instant::now();
    let (id, path) = (loaded.id.as_str(), loaded.path.as_path());
    let vector = match &loaded.vector {
        Ok(vector) => vector,
        Err(errors) => {
            let message = format!(
                "invalid vector file {} ({} problem{}):\n{}",
                path.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                errors
                    .iter()
                    .map(|e| format!("  {e}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            return VectorResult {
                id: id.to_string(),
                path: path.to_path_buf(),
                title: path.display().to_string(),
                kind: VectorKind::Target,
                level: Level::Must,
                requirements: Vec::new(),
                outcome: Outcome::Invalid { message },
                duration: started.elapsed(),
                steps: Vec::new(),
            };
        }
    };
    let (kind, outcome, steps, level) = match (&vector.body, session) {
        (VectorBody::Steps(_), Some(session)) => {
            let (outcome, steps, level) = run_online(id, path, vector, spec, session).await;
            (target_kind(vector), outcome, steps, level)
        }
        (VectorBody::Model(config), Some(session)) => {
            let (outcome, steps) = crate::model::run(id, path, vector, config, spec, session).await;
            (target_kind(vector), outcome, steps, vector.level)
        }
        (VectorBody::Steps(_) | VectorBody::Model(_), None) => (
            target_kind(vector),
            not_judged(
                NotJudgedCause::Configuration,
                "no target: set CONFORMANCE_BASE_URL and credentials",
            ),
            Vec::new(),
            vector.level,
        ),
        // Canaries are planted and judged around the whole run (see `run_phases`), never alone.
        (VectorBody::Canary(_), _) => (
            VectorKind::Target,
            not_judged(
                NotJudgedCause::Configuration,
                "a canary is judged around a whole run, not on its own",
            ),
            Vec::new(),
            vector.level,
        ),
        (VectorBody::Signature(case), _) => (
            VectorKind::SelfCheck,
            offline_outcome(id, path, vector, crate::offline::check_signature(case)),
            Vec::new(),
            vector.level,
        ),
        (VectorBody::PercentEncoding(cases), _) => (
            VectorKind::SelfCheck,
            offline_outcome(id, path, vector, crate::offline::check_encoding(cases)),
            Vec::new(),
            vector.level,
        ),
    };
    finish(
        loaded,
        vector,
        kind,
        (outcome, steps, level),
        started,
        session,
    )
}

/// What preparing a step vector ahead of its turn gave (see [`prepare`]).
pub enum Prepared {
    /// Its fixtures are in place: run its steps with [`evaluate_prepared`], then hand the
    /// fixtures to [`fixture::teardown`].
    Ready(fixture::Provisioned),
    /// It ended before its steps could run (not judged, invalid, offline): its result.
    Done(Box<VectorResult>),
}

/// Creates a step vector's fixtures ahead of its turn, so that a vector that must run alone
/// spends its turn on its steps only; every other vector is simply evaluated.
pub async fn prepare(loaded: &LoadedVector, spec: &Spec, session: Option<&Session>) -> Prepared {
    let started = Instant::now();
    let (Ok(vector), Some(session)) = (&loaded.vector, session) else {
        return Prepared::Done(Box::new(evaluate(loaded, spec, session).await));
    };
    if !matches!(vector.body, VectorBody::Steps(_)) {
        return Prepared::Done(Box::new(evaluate(loaded, spec, Some(session)).await));
    }
    match provision_for(&loaded.id, vector, session).await {
        Ok(provisioned) => Prepared::Ready(provisioned),
        Err(outcome) => Prepared::Done(Box::new(finish(
            loaded,
            vector,
            target_kind(vector),
            (outcome, Vec::new(), vector.level),
            started,
            Some(session),
        ))),
    }
}

/// The steps of a vector whose fixtures [`prepare`] created; the fixtures are left in place.
pub async fn evaluate_prepared(
    loaded: &LoadedVector,
    spec: &Spec,
    session: &Session,
    provisioned: &mut fixture::Provisioned,
) -> VectorResult {
    let started = Instant::now();
    let vector = match &loaded.vector {
        Ok(vector) => vector,
        Err(_) => return evaluate(loaded, spec, Some(session)).await,
    };
    let ran = run_steps(&loaded.id, &loaded.path, vector, spec, session, provisioned).await;
    finish(
        loaded,
        vector,
        target_kind(vector),
        ran,
        started,
        Some(session),
    )
}

/// The vector's result, redacted when it talked to a target.
fn finish(
    loaded: &LoadedVector,
    vector: &Vector,
    kind: VectorKind,
    (outcome, steps, level): (Outcome, Vec<StepRecord>, Level),
    started: Instant,
    session: Option<&Session>,
) -> VectorResult {
    let result = VectorResult {
        id: loaded.id.clone(),
        path: loaded.path.clone(),
        title: vector.title.clone(),
        kind,
        level,
        requirements: vector.requirements.clone(),
        outcome,
        duration: started.elapsed(),
        steps,
    };
    // The boundary: everything above judged what the target sent; what leaves is redacted.
    match session {
        Some(session) => result.redacted(&session.redactor),
        None => result,
    }
}

fn target_kind(vector: &Vector) -> VectorKind {
    if vector.oracle {
        VectorKind::Oracle
    } else {
        VectorKind::Target
    }
}

/// The result of a vector that was not run because an oracle endpoint it relies on failed its
/// own vector: `failed` maps each failed oracle endpoint to the vectors that showed it.
pub fn oracle_not_judged(
    loaded: &LoadedVector,
    vector: &Vector,
    failed: &[(&str, Vec<String>)],
) -> VectorResult {
    let reasons: Vec<String> = failed
        .iter()
        .map(|(endpoint, ids)| {
            format!(
                "oracle `{endpoint}` does not conform (see vector {})",
                ids.join(", ")
            )
        })
        .collect();
    VectorResult {
        id: loaded.id.clone(),
        path: loaded.path.clone(),
        title: vector.title.clone(),
        kind: target_kind(vector),
        level: vector.level,
        requirements: vector.requirements.clone(),
        outcome: not_judged(
            NotJudgedCause::Oracle,
            format!(
                "{}; this vector relies on it, so nothing was claimed about {}",
                reasons.join("; "),
                vector.requirements.join(", ")
            ),
        ),
        duration: Duration::ZERO,
        steps: Vec::new(),
    }
}

fn not_judged(cause: NotJudgedCause, reason: impl Into<String>) -> Outcome {
    Outcome::NotJudged {
        reason: reason.into(),
        cause,
    }
}

fn offline_outcome(id: &str, path: &Path, vector: &Vector, mismatches: Vec<Mismatch>) -> Outcome {
    if mismatches.is_empty() {
        return Outcome::Passed;
    }
    let mut message = format!(
        "{id}: {}\n  kit self-check · file {}\n  the kit's own OAuth signer or encoder is broken; no verdict of this run can be trusted\n",
        vector.title,
        path.display()
    );
    for mismatch in mismatches {
        message.push_str(&format!("  {mismatch}\n"));
    }
    Outcome::Failed { message }
}

/// Needs, fixtures, steps, teardown. Returns the outcome, the steps that ran and the level the
/// verdict counts at.
async fn run_online(
    id: &str,
    path: &Path,
    vector: &Vector,
    spec: &Spec,
    session: &Session,
) -> (Outcome, Vec<StepRecord>, Level) {
    let provisioned = match provision_for(id, vector, session).await {
        Ok(provisioned) => provisioned,
        Err(outcome) => return (outcome, Vec::new(), vector.level),
    };
    let mut provisioned = provisioned;
    let ran = run_steps(id, path, vector, spec, session, &mut provisioned).await;
    fixture::teardown(session, provisioned).await;
    ran
}

/// The vector's fixtures, or why it cannot be judged: settings it lacks, a target that stopped
/// answering, or fixture endpoints that failed.
async fn provision_for(
    id: &str,
    vector: &Vector,
    session: &Session,
) -> Result<fixture::Provisioned, Outcome> {
    if let Some(missing) = session.target.missing_for(vector) {
        return Err(not_judged(NotJudgedCause::Configuration, missing));
    }
    if session.is_unresponsive() {
        let reason = session.unresponsive_reason();
        return Err(not_judged(NotJudgedCause::Unresponsive, reason));
    }
    let label = id.rsplit("::").next().unwrap_or(id);
    fixture::provision(session, &vector.fixtures, label)
        .await
        .map_err(|SetupError { cause, message }| {
            let reason = match cause {
                NotJudgedCause::Setup => format!(
                    "setup failed: the target's own endpoints could not provide this vector's fixtures, so nothing was claimed about {}: {message}",
                    vector.requirements.join(", ")
                ),
                _ => message,
            };
            not_judged(cause, reason)
        })
}

/// The steps, in order, on fixtures already in place; the first failing step ends the vector.
async fn run_steps(
    id: &str,
    path: &Path,
    vector: &Vector,
    spec: &Spec,
    session: &Session,
    provisioned: &mut fixture::Provisioned,
) -> (Outcome, Vec<StepRecord>, Level) {
    let VectorBody::Steps(steps) = &vector.body else {
        unreachable!("run_steps is only called for step vectors")
    };
    let mut level = vector.level;
    let mut records = Vec::new();
    let mut outcome = Outcome::Passed;
    let mut previous_rate_limit = None;
    // The fixtures' values, then whatever the steps capture for the steps after them.
    let mut bindings = provisioned.bindings.clone();
    for (i, step) in steps.iter().enumerate() {
        let mut record = match run_step(
            &vector.endpoint,
            step,
            spec,
            session,
            &bindings,
            previous_rate_limit,
        )
        .await
        {
            Ok(record) => record,
            Err(SendError::Vector(problem)) => StepRecord {
                invariants: Vec::new(),
                name: step_name(step),
                exchanges: Vec::new(),
                mismatches: vec![(
                    "request".into(),
                    vec![Mismatch::new(
                        "vector",
                        "a request the kit can build",
                        problem,
                    )],
                )],
                passed: false,
                settled: None,
                captures: Vec::new(),
            },
            Err(SendError::Throttled(reason)) => {
                outcome = not_judged(NotJudgedCause::Throttled, reason);
                break;
            }
            Err(SendError::Unresponsive(reason)) => {
                outcome = not_judged(NotJudgedCause::Unresponsive, reason);
                break;
            }
        };
        if let Some(Ok(response)) = record.exchanges.last().map(|e| &e.response) {
            if let Ok(reading) = RateLimitReading::read(response) {
                previous_rate_limit = Some(reading);
            }
        }
        if let Some(created) = created_collection(step, &record) {
            provisioned.adopt(created, step.request.auth);
        }
        if record.passed {
            if let Err(missing) = capture(step, &record, &mut bindings) {
                record.passed = false;
                record.captures = missing;
            }
        }
        let passed = record.passed;
        if !passed {
            level = level_with_invariants(level, &record, spec);
            let mut message = failure_text(id, path, vector, spec, steps.len(), i, &record);
            // A read that passed but lacked a value to capture was not retried.
            let capture_failed = !record.captures.is_empty();
            if !capture_failed && (record.settled.is_some() || is_state_read(step)) {
                message.push_str(&consistency_note(session.patience.consistency_window));
            }
            outcome = Outcome::Failed { message };
        }
        records.push(record);
        if !passed {
            break;
        }
    }
    (outcome, records, level)
}

/// The id of the collection a step created and wants destroyed afterwards (`destroy_afterwards`),
/// when its answer holds one, whatever the verdict: only a user can own it.
fn created_collection(step: &Step, record: &StepRecord) -> Option<String> {
    let pointer = step.destroy_afterwards.as_deref()?;
    let owned_by_a_user = step.request.auth.signs_as_user();
    let response = record.exchanges.last()?.response.as_ref().ok()?;
    let id = response.json.as_ref()?.pointer(pointer)?.as_str()?;
    owned_by_a_user.then(|| id.to_string())
}

/// Binds the values a passed step captures (`capture`) for the steps after it. A value that is
/// not there, or neither a string nor a number, fails the step: the steps after it could not
/// send what the vector means.
fn capture(step: &Step, record: &StepRecord, bindings: &mut Bindings) -> Result<(), Vec<Mismatch>> {
    let body = match record.exchanges.last().map(|e| &e.response) {
        Some(Ok(response)) => response.json.as_ref(),
        _ => None,
    };
    let mut missing = Vec::new();
    for (name, pointer) in &step.capture {
        match body.and_then(|json| json.pointer(pointer)) {
            Some(serde_json::Value::String(text)) => bindings.set(name.clone(), text.clone()),
            Some(serde_json::Value::Number(number)) => {
                bindings.set(name.clone(), number.to_string())
            }
            other => missing.push(
                Mismatch::new(
                    format!("capture `{name}`"),
                    "a string or a number for the steps after this one",
                    other.map_or_else(|| "nothing there".to_string(), |v| v.to_string()),
                )
                .at(pointer.clone()),
            ),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

fn consistency_note(window: Duration) -> String {
    if window.is_zero() {
        "\n  (state read judged once: --consistency-window is 0, CONFORMANCE_CONSISTENCY_WINDOW)"
            .into()
    } else {
        format!(
            "\n  (state read retried for {:.1} s, --consistency-window / CONFORMANCE_CONSISTENCY_WINDOW, and never showed the expected state)",
            window.as_secs_f64()
        )
    }
}

/// A read of state that earlier writes (the fixtures, earlier steps) made: a correctly signed
/// GET. Only these are retried within the consistency window, and only while they fail;
/// refusals (other auth modes) and writes are never retried.
fn is_state_read(step: &Step) -> bool {
    step.request.method.eq_ignore_ascii_case("GET") && step.request.auth.signs_as_user()
}

/// The requirement broken by rate-limit headers that contradict earlier ones of the same token.
const RATE_LIMIT_HEADERS: &str = "ratelimit.headers";

/// Whether the step itself is about rate limiting, so a 429 is its answer, not an obstacle.
fn tests_rate_limiting(step: &Step) -> bool {
    step.exhaust_rate_limit
        || step.expect.alternatives().iter().any(|expect| {
            expect.rate_limit.is_some()
                || expect.status.as_ref().is_some_and(|s| {
                    // Only an explicit 429: a "4xx" class means "refused", not "throttled".
                    s.values()
                        .contains(&crate::vector::StatusPattern::Code(429))
                })
        })
}

async fn run_step(
    endpoint: &str,
    step: &Step,
    spec: &Spec,
    session: &Session,
    bindings: &Bindings,
    previous_rate_limit: Option<RateLimitReading>,
) -> Result<StepRecord, SendError> {
    let paced = !tests_rate_limiting(step);
    let window = if is_state_read(step) {
        session.patience.consistency_window
    } else {
        Duration::ZERO
    };
    let first_read = Instant::now();
    let mut attempts = 0;
    let mut pause = Duration::from_millis(25);
    loop {
        attempts += 1;
        let exchanges = if step.exhaust_rate_limit {
            exhaust_then_perform(session, step, bindings).await?
        } else {
            session.send(&step.request, bindings, paced).await?
        };
        let mut record = judge_step(
            step_name(step),
            endpoint,
            step,
            exchanges,
            spec,
            bindings,
            previous_rate_limit,
        );
        let inconsistent: Vec<(String, Mismatch)> = record
            .exchanges
            .iter()
            .filter_map(|exchange| session.rate_limit_consistency(&step.request, exchange))
            .map(|mismatch| (RATE_LIMIT_HEADERS.to_string(), mismatch))
            .collect();
        if !inconsistent.is_empty() {
            record.passed = false;
            record.invariants.extend(inconsistent);
        }
        let elapsed = first_read.elapsed();
        let answered = matches!(record.exchanges.last().map(|e| &e.response), Some(Ok(_)));
        if record.passed || !answered || elapsed + pause > window {
            let settled = (attempts > 1).then_some(Settled {
                attempts,
                after: elapsed,
            });
            return Ok(StepRecord { settled, ..record });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(400));
    }
}

/// How failure text names a step: its `name`, or method and path.
pub fn step_name(step: &Step) -> String {
    let request = &step.request;
    step.name.clone().unwrap_or_else(|| {
        let path = request
            .endpoint
            .as_deref()
            .map(crate::exchange::endpoint_path)
            .or_else(|| request.path.clone())
            .unwrap_or_default();
        format!("{} {path}", request.method)
    })
}

/// Judges a step's exchanges (the last one) against each acceptable alternative.
pub fn judge_step(
    name: String,
    endpoint: &str,
    step: &Step,
    exchanges: Vec<Exchange>,
    spec: &Spec,
    bindings: &Bindings,
    previous_rate_limit: Option<RateLimitReading>,
) -> StepRecord {
    let context = check::Context {
        spec,
        bindings,
        previous_rate_limit,
    };
    let mut mismatches = Vec::new();
    let mut passed = false;
    for (i, expect) in step.expect.alternatives().iter().enumerate() {
        let label = expect
            .label
            .clone()
            .unwrap_or_else(|| format!("outcome {}", i + 1));
        let found = match exchanges.last().map(|e| &e.response) {
            Some(Ok(response)) => check::judge(expect, response, &context),
            Some(Err(error)) => vec![Mismatch::new("response", "an HTTP response", error.clone())],
            None => vec![Mismatch::new(
                "response",
                "an HTTP response",
                "no request was sent",
            )],
        };
        passed |= found.is_empty();
        mismatches.push((label, found));
    }
    let invariants: Vec<(String, Mismatch)> = if under_test(step, endpoint) {
        exchanges
            .iter()
            .filter_map(|e| e.response.as_ref().ok())
            .flat_map(|response| {
                let mut broken = check::invariants(response);
                broken.extend(check::cross_cutting(response, spec));
                broken
            })
            .filter_map(|(id, mismatch)| Some((requirement_for(endpoint, id)?, mismatch)))
            .collect()
    } else {
        Vec::new()
    };
    StepRecord {
        name,
        exchanges,
        mismatches,
        passed: passed && invariants.is_empty(),
        invariants,
        settled: None,
        captures: Vec::new(),
    }
}

/// The requirement an invariant breaks on `endpoint`: remove's own, or the family-wide one
/// (`None`: the rule is documented for remove only).
fn requirement_for(endpoint: &str, id: &str) -> Option<String> {
    if endpoint == crate::vector::DEFAULT_ENDPOINT {
        return Some(id.to_string());
    }
    match id {
        "remove.response.json" => Some("collections.response.json".into()),
        "remove.ids.strings" => None,
        other => Some(other.to_string()),
    }
}

/// Whether the step talks to the endpoint under test, whose every response is held to the
/// invariants (fixture and state-read endpoints are judged by their own vectors).
fn under_test(step: &Step, endpoint: &str) -> bool {
    let request = &step.request;
    request.endpoint.as_deref() == Some(endpoint)
        || request
            .path
            .as_deref()
            .is_some_and(|path| path.contains(&format!("/{endpoint}.json")))
}

/// The level a failed step counts at. When the step's own expectations failed: the vector's,
/// raised to that of a broken invariant's requirement when that is higher (a SHOULD vector that
/// got a 5xx fails the MUST no-5xx rule). When only invariants failed: the highest level among
/// them (a MUST vector whose answer was right but broke a SHOULD rule fails at SHOULD).
fn level_with_invariants(level: Level, record: &StepRecord, spec: &Spec) -> Level {
    let broken = record
        .invariants
        .iter()
        .filter_map(|(id, _)| spec.requirements.get(id).map(|r| r.level));
    let expectations_met = record.mismatches.iter().any(|(_, found)| found.is_empty());
    if expectations_met {
        broken.min().unwrap_or(level)
    } else {
        broken.fold(level, |highest, broken| highest.min(broken))
    }
}

/// The most requests `exhaust_rate_limit` sends before judging: a target that never limits
/// cannot keep a trial busy for long.
const MAX_EXHAUST_REQUESTS: usize = 200;

/// Sends the request until the target reports the window used up (remaining 0, or a 429 or a
/// transport failure, which are judged as they are), then sends the judged request.
async fn exhaust_then_perform(
    session: &Session,
    step: &Step,
    bindings: &Bindings,
) -> Result<Vec<Exchange>, SendError> {
    for _ in 0..MAX_EXHAUST_REQUESTS {
        let exchanges = session.send(&step.request, bindings, false).await?;
        match exchanges.last().map(|e| &e.response) {
            Some(Ok(response)) if response.status == 429 => return Ok(exchanges),
            Some(Ok(response)) => {
                if RateLimitReading::read(response).is_ok_and(|r| r.remaining == 0) {
                    break;
                }
            }
            _ => return Ok(exchanges),
        }
    }
    session.send(&step.request, bindings, false).await
}
