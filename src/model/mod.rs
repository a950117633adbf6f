//! The model-based state suite: seeded random sequences of the family's operations (create,
//! add with and without `relative_to`/`above`, remove, move, curate, entries with paging,
//! destroy, writes sent at once) run against the target and against an executable model of the
//! documented semantics. The first divergence fails the vector with the shortest reproducing
//! sequence the shrinker finds and the seed that replays it.
//!
//! - [`model`]: what the documentation says each operation does and answers;
//! - [`generate`]: seeded sequences the model can predict;
//! - [`shrink`]: smaller candidates of a failing sequence;
//! - [`execute`]: sends a sequence through the run's session and compares.
//!
//! Bounded by the vector's sequence count and time budget; deterministic for a given seed (the
//! same sequences in the same order; how many run depends on the budget). `CONFORMANCE_SEED` /
//! `--seed` replaces every model vector's seed ([`set_seed`]).

pub mod execute;
pub mod generate;
#[allow(clippy::module_inception)]
pub mod model;
pub mod shrink;

use crate::runner::{SendError, Session};
use crate::spec::Spec;
use crate::vector::{ModelConfig, ModelOperation, Vector};
use crate::verdict::{NotJudgedCause, Outcome, StepRecord};
use execute::{Divergence, Executor, Replay};
use model::Op;
use std::fmt::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// At most this many shrink candidates are replayed for one failure.
const MAX_SHRINK_REPLAYS: usize = 400;

static SEED: Mutex<Option<u64>> = Mutex::new(None);

/// Replaces the seed of every model vector of this process (`--seed`, `CONFORMANCE_SEED`);
/// `None` restores the vectors' own.
pub fn set_seed(seed: Option<u64>) {
    *SEED.lock().unwrap_or_else(|e| e.into_inner()) = seed;
}

fn seed_override() -> Option<u64> {
    *SEED.lock().unwrap_or_else(|e| e.into_inner())
}

/// The operations of a vector that lists none: every documented one.
const DOCUMENTED: [ModelOperation; 7] = [
    ModelOperation::Add,
    ModelOperation::AddRelative,
    ModelOperation::Remove,
    ModelOperation::Move,
    ModelOperation::Curate,
    ModelOperation::Entries,
    ModelOperation::Destroy,
];

/// Runs one model vector against the session's target: the outcome, and on a failure the
/// requests of the shrunk sequence (the diverging one last).
pub async fn run(
    id: &str,
    path: &Path,
    vector: &Vector,
    config: &ModelConfig,
    spec: &Spec,
    session: &Session,
) -> (Outcome, Vec<StepRecord>) {
    if let Some(missing) = session.target.missing_for(vector) {
        return (
            not_judged(NotJudgedCause::Configuration, missing),
            Vec::new(),
        );
    }
    let seed = seed_override().unwrap_or(config.seed);
    let operations = config
        .operations
        .clone()
        .unwrap_or_else(|| DOCUMENTED.to_vec());
    let pool = generate::pool(seed, &session.target.tweet_ids, config.tweets);
    let settings = generate::Settings {
        open_points: operations.contains(&ModelOperation::CurateMixed),
        operations,
        length: config.length,
        tweets: pool.len(),
        writers: config.concurrency.as_ref().map_or(3, |c| c.writers),
    };
    let executor = Executor {
        session,
        pool,
        open_points: settings.open_points,
        requests: AtomicUsize::new(0),
    };
    let started = Instant::now();
    let deadline = started + Duration::from_millis(config.budget_ms);
    let (mut sequences, mut operations_run) = (0, 0);
    for index in 0..config.sequences {
        if Instant::now() > deadline {
            break;
        }
        let ops = generate::sequence(generate::sequence_seed(seed, index), &settings);
        match executor.run(&ops, Some(deadline)).await {
            Replay::Passed(ran) => {
                sequences += 1;
                operations_run += ran;
            }
            Replay::Stopped(stop) => return (stopped(stop), Vec::new()),
            Replay::Diverged(divergence) => {
                let original = ops.len().min(divergence.at + 1);
                let (ops, divergence, replays) = shrink_failure(
                    &executor,
                    ops[..original].to_vec(),
                    *divergence,
                    Duration::from_millis(config.shrink_budget_ms),
                )
                .await;
                let message = failure_text(
                    id,
                    path,
                    vector,
                    spec,
                    &executor.pool,
                    Failure {
                        seed,
                        index,
                        sequences: config.sequences,
                        original,
                        replays,
                        ops: &ops,
                        divergence: &divergence,
                    },
                );
                return (Outcome::Failed { message }, divergence.records);
            }
        }
    }
    eprintln!(
        "conformance: {id}: seed {seed}: {sequences} of {} sequences, {operations_run} operations, {} requests in {:.2} s{} (replay with CONFORMANCE_SEED={seed})",
        config.sequences,
        executor.requests.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        if sequences < config.sequences {
            " (time budget reached)"
        } else {
            ""
        },
    );
    (Outcome::Passed, Vec::new())
}

fn not_judged(cause: NotJudgedCause, reason: impl Into<String>) -> Outcome {
    Outcome::NotJudged {
        reason: reason.into(),
        cause,
    }
}

fn stopped(stop: SendError) -> Outcome {
    match stop {
        SendError::Throttled(reason) => not_judged(NotJudgedCause::Throttled, reason),
        SendError::Unresponsive(reason) => not_judged(NotJudgedCause::Unresponsive, reason),
        SendError::Vector(reason) => Outcome::Failed {
            message: format!("the model suite built a request the kit cannot send: {reason}"),
        },
    }
}

/// Drops operations, then simplifies arguments, keeping each candidate the model can predict
/// that still diverges; stops at a fixed point or the budget.
async fn shrink_failure(
    executor: &Executor<'_>,
    mut ops: Vec<Op>,
    mut divergence: Divergence,
    budget: Duration,
) -> (Vec<Op>, Divergence, usize) {
    let deadline = Instant::now() + budget;
    let mut replays = 0;
    'shrinking: loop {
        for candidate in shrink::candidates(&ops) {
            if Instant::now() > deadline || replays >= MAX_SHRINK_REPLAYS {
                break 'shrinking;
            }
            if !model::predictable(&candidate, executor.open_points) {
                continue;
            }
            replays += 1;
            match executor.run(&candidate, None).await {
                Replay::Diverged(found) => {
                    ops = candidate[..=found.at.min(candidate.len() - 1)].to_vec();
                    divergence = *found;
                    continue 'shrinking;
                }
                Replay::Stopped(_) => break 'shrinking,
                Replay::Passed(_) => {}
            }
        }
        break;
    }
    (ops, divergence, replays)
}

/// What a failure text is made of.
struct Failure<'a> {
    seed: u64,
    index: usize,
    sequences: usize,
    original: usize,
    replays: usize,
    ops: &'a [Op],
    divergence: &'a Divergence,
}

fn failure_text(
    id: &str,
    path: &Path,
    vector: &Vector,
    spec: &Spec,
    pool: &[String],
    f: Failure<'_>,
) -> String {
    let d = f.divergence;
    let mut out = String::new();
    let _ = writeln!(out, "{id}: {}", vector.title);
    match spec.requirements.get(d.requirement) {
        Some(r) => {
            let _ = writeln!(
                out,
                "  {} · requirement {} ({}): {}\n  source: {}",
                vector.level.label(),
                r.id,
                r.level.label(),
                r.statement,
                r.source
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  {} · requirement {}",
                vector.level.label(),
                d.requirement
            );
        }
    }
    let _ = writeln!(out, "  file {}", path.display());
    let _ = writeln!(
        out,
        "  seed {} (sequence {} of {}); replay with CONFORMANCE_SEED={} or --seed {}",
        f.seed,
        f.index + 1,
        f.sequences,
        f.seed,
        f.seed
    );
    let _ = writeln!(
        out,
        "  shortest reproducing sequence: {} operation{} (shrunk from {} in {} replay{}):",
        f.ops.len(),
        if f.ops.len() == 1 { "" } else { "s" },
        f.original,
        f.replays,
        if f.replays == 1 { "" } else { "s" }
    );
    for (i, op) in f.ops.iter().enumerate() {
        let _ = writeln!(out, "    {}. {op}", i + 1);
    }
    let used: Vec<String> = (0..pool.len())
        .filter(|t| f.ops.iter().any(|op| names(op, *t)))
        .map(|t| format!("t{t} = {}", pool[t]))
        .collect();
    if !used.is_empty() {
        let _ = writeln!(out, "  tweets: {}", used.join(", "));
    }
    let _ = writeln!(
        out,
        "  diverged at operation {} ({}):\n    expected: {}\n    actual:   {}",
        d.at + 1,
        d.what,
        d.expected,
        d.actual
    );
    if let Some(curl) = &d.curl {
        let _ = writeln!(out, "  reproduce the last request: {curl}");
    }
    out
}

/// Whether the operation names tweet `t`.
fn names(op: &Op, t: usize) -> bool {
    let text = format!("{op} ");
    text.contains(&format!("t{t} "))
        || text.contains(&format!("t{t},"))
        || text.contains(&format!("t{t}]"))
}
