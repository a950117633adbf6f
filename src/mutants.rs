//! The two matrices that keep the vectors honest.
//!
//! The **kill matrix** proves the vectors have teeth: a suite that passes against a broken server
//! proves nothing. The kit runs every vector against the faithful reference server (which must
//! pass everything) and then against one in-process server per fault profile ([`Fault`]); a fault
//! is *caught* ("killed") when at least one vector of a level that would fail a run failed:
//! - a MUST fault must make a MUST vector fail (the default profile would then fail the run);
//! - a SHOULD fault must make a MUST or SHOULD vector fail (the strict profile would).
//!
//! A fault nobody catches (a *survivor*) names the vector to write next.
//!
//! The **tolerance matrix** proves the vectors claim no more than the sources: one server per
//! [`Variant`], a faithful server that made another choice the sources leave open, must pass the
//! default profile (no MUST vector fails). A MUST vector failing under a variant is a *false
//! failure*: it names the vector to relax or split.
//!
//! Both run, per fault or variant, only the vectors that can observe it ([`observes`]): the
//! vectors whose steps or fixtures send a request to an endpoint whose policy the fault or
//! variant changes (found by comparing its [`Behaviour`] with the faithful one, not from a
//! declared scope). Every other vector talks only to faithful endpoints, so it would answer
//! exactly as against the clean server (which it passes); running it proves nothing and costs
//! time. See `docs/mutants.md` for why that is sound.
//!
//! Like [`crate::embedded`], this is glue that knows both the server and the harness.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::embedded;
use crate::runner::{Suite, SuiteConfig};
use crate::server::{Behaviour, Endpoint, Fault, FaultLevel, Scope, ServerConfig, Variant};
use crate::vector::{Level, LoadedVector, VectorBody};
use crate::verdict::{Outcome, VectorResult};

/// How to run the matrix.
#[derive(Debug, Clone)]
pub struct MatrixConfig {
    /// Vectors and specs (the profile is irrelevant: the matrix judges each fault at its level).
    pub suite: SuiteConfig,
    /// Vectors run at once against each server.
    pub parallel: usize,
    /// Servers (the clean one and faulty ones) under test at once.
    pub concurrent_servers: usize,
    /// Seconds to wait for each response.
    pub timeout_secs: f64,
    /// The faults to try (default: every one).
    pub faults: Vec<Fault>,
    /// The variants to try (default: every one).
    pub variants: Vec<Variant>,
    /// Vectors run at once against the clean server and each variant's server (faithful
    /// servers, so vectors cannot see each other's damage, as in an ordinary parallel run).
    pub variant_parallel: usize,
    /// Replaces the latency of `slow-responses` (default: its own second).
    pub latency: Option<Duration>,
    /// Run every vector against every server, not only those that can observe the fault or
    /// variant (slower; the verdicts are the same, which `tests/kit/kill_matrix.rs` checks).
    pub every_vector: bool,
    /// Stop a fault's run at the first vector that catches it (the `caught` verdict is the same;
    /// `killed_by` then names only the first killers, and toothless vectors are not reported).
    /// Vectors citing a requirement the fault breaks run first, as the likeliest killers.
    pub stop_at_first_kill: bool,
}

impl MatrixConfig {
    /// Every fault against the given vectors, with defaults sized for a 2-core CI machine.
    ///
    /// Vectors run one at a time per server, many servers at once: vectors share the seeded
    /// tweets, so under a fault that touches other collections (`remove-from-any-collection`)
    /// concurrent vectors on one server would see each other's damage, and a fault would be
    /// "caught" by chance. One vector at a time per server keeps every verdict deterministic.
    pub fn new(suite: SuiteConfig) -> MatrixConfig {
        MatrixConfig {
            suite,
            parallel: 1,
            concurrent_servers: 8,
            timeout_secs: 10.0,
            faults: Fault::ALL.to_vec(),
            variants: Variant::ALL.to_vec(),
            variant_parallel: 128,
            latency: None,
            every_vector: false,
            stop_at_first_kill: false,
        }
    }
}

/// One failing vector, in short.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// Trial id.
    pub id: String,
    /// Vector level (`must`, `should`, `may`; `invalid` for a broken file).
    pub level: String,
    /// The first line of the failure text (or the ignore reason).
    pub summary: String,
}

/// How the faithful server fared: it must pass every vector.
#[derive(Debug, Clone, Serialize)]
pub struct CleanRun {
    /// Vectors that failed (or were invalid) against the faithful server.
    pub failures: Vec<Failure>,
    /// Vectors the embedded target could not run (they cannot kill anything either).
    pub ignored: Vec<Failure>,
}

/// One fault's row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRow {
    /// Kebab-case name (`serve --fault NAME`).
    pub fault: String,
    /// Level of the requirement the fault breaks.
    pub level: String,
    /// Requirement id the fault violates.
    pub requirement: String,
    /// What the server does wrong.
    pub description: String,
    /// The endpoint(s) the fault bends (`every endpoint` for a fault of the whole API).
    pub endpoints: String,
    /// Vectors run against the fault's server: those that can observe it.
    pub vectors_run: usize,
    /// Whether a vector of a counting level failed.
    pub caught: bool,
    /// Vectors of a counting level that failed: they caught the fault.
    pub killed_by: Vec<String>,
    /// Vectors that failed at a level that does not count for this fault (e.g. a SHOULD vector
    /// on a MUST fault): a hint that a vector's level may be too low.
    pub also_failed: Vec<String>,
}

/// One variant's row of the tolerance matrix.
#[derive(Debug, Clone, Serialize)]
pub struct VariantRow {
    /// Kebab-case name (`serve --variant NAME`).
    pub variant: String,
    /// The reference sections that leave the choice open.
    pub sections: String,
    /// What the server does instead.
    pub description: String,
    /// Vectors run against the variant's server: those that can observe it.
    pub vectors_run: usize,
    /// Whether the default profile passed: no MUST vector failed, none was invalid.
    pub passed: bool,
    /// MUST vectors that failed (or were invalid): each claims more than the sources say.
    pub false_failures: Vec<Failure>,
    /// SHOULD and MAY vectors that failed: allowed (they pin the kit's choice), listed so a
    /// reader sees which vectors the variant's choice touches.
    pub noticed_by: Vec<String>,
}

/// Both matrices (the name is the kill matrix's, which came first).
#[derive(Debug, Clone, Serialize)]
pub struct KillMatrix {
    /// Vector files run against each server.
    pub vectors: usize,
    /// The faithful server's run.
    pub clean: CleanRun,
    /// One row per fault, in [`Fault::ALL`] order.
    pub faults: Vec<FaultRow>,
    /// One row per variant, in [`Variant::ALL`] order: the tolerance matrix.
    pub variants: Vec<VariantRow>,
    /// Vectors that caught none of the faults (failures at a level that does not count aside):
    /// they have no proven teeth yet. Empty unless every fault was tried.
    pub toothless_vectors: Vec<String>,
    /// Vector runs against fault and variant servers, in all (each vector runs once per server
    /// that it can observe).
    pub vector_runs: usize,
    /// Vector runs a matrix running every vector against every server would have made.
    pub vector_runs_unfiltered: usize,
    /// Wall time of the whole matrix, in seconds.
    pub elapsed_secs: f64,
}

impl KillMatrix {
    /// The faults no vector caught at their level.
    pub fn survivors(&self) -> Vec<&FaultRow> {
        self.faults.iter().filter(|row| !row.caught).collect()
    }

    /// The variants under which a MUST vector failed.
    pub fn intolerant(&self) -> Vec<&VariantRow> {
        self.variants.iter().filter(|row| !row.passed).collect()
    }

    /// The clean server passed everything, every fault was caught and every variant passed the
    /// default profile.
    pub fn passed(&self) -> bool {
        self.clean.failures.is_empty()
            && self.faults.iter().all(|row| row.caught)
            && self.variants.iter().all(|row| row.passed)
    }

    /// The tolerance matrix as a table, then each false failure (vector and first mismatch).
    pub fn render_variants(&self) -> String {
        let mut out = String::new();
        if self.variants.is_empty() {
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .variants
            .iter()
            .map(|row| {
                let failing: Vec<String> =
                    row.false_failures.iter().map(|f| f.id.clone()).collect();
                vec![
                    row.variant.clone(),
                    row.sections.clone(),
                    if row.passed { "yes" } else { "NO" }.to_string(),
                    killers_cell(&failing),
                    killers_cell(&row.noticed_by),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "variant",
                "open in",
                "passes",
                "false failures (MUST)",
                "noticed by (SHOULD/MAY)",
            ],
            &rows,
        ));
        let _ = writeln!(out);
        let intolerant = self.intolerant();
        let _ = writeln!(
            out,
            "tolerance matrix: {}/{} variants pass the default profile",
            self.variants.len() - intolerant.len(),
            self.variants.len()
        );
        if !intolerant.is_empty() {
            let _ = writeln!(
                out,
                "false failures (a MUST vector fails a faithful server that made another allowed choice; relax or split the vector; reproduce with `serve --variant NAME`):"
            );
            for row in intolerant {
                let _ = writeln!(
                    out,
                    "  {} [{}]: {}",
                    row.variant, row.sections, row.description
                );
                for failure in &row.false_failures {
                    let _ = writeln!(
                        out,
                        "    {} [{}] {}",
                        failure.id, failure.level, failure.summary
                    );
                }
            }
        }
        out
    }

    /// The matrix as a table for people, then the clean server's failures and the survivors with
    /// what each breaks, so the reader knows which vector to write.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let headers = ["fault", "level", "requirement", "caught", "killed by"];
        let rows: Vec<[String; 5]> = self
            .faults
            .iter()
            .map(|row| {
                [
                    row.fault.clone(),
                    row.level.to_uppercase(),
                    row.requirement.clone(),
                    if row.caught { "yes" } else { "NO" }.to_string(),
                    killers_cell(&row.killed_by),
                ]
            })
            .collect();
        let mut widths = headers.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    text.push_str(cell);
                } else {
                    let _ = write!(text, "{cell:<width$}  ");
                }
            }
            text.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(headers));
        for row in &rows {
            let _ = writeln!(out, "{}", line(row.each_ref().map(String::as_str)));
        }
        let _ = writeln!(out);
        if self.clean.failures.is_empty() {
            let _ = writeln!(
                out,
                "clean server: all {} vectors pass",
                self.vectors - self.clean.ignored.len()
            );
        } else {
            let _ = writeln!(
                out,
                "clean server: {} vector(s) FAIL against the faithful server (fix the vector or the server first):",
                self.clean.failures.len()
            );
            for failure in &self.clean.failures {
                let _ = writeln!(
                    out,
                    "  {} [{}] {}",
                    failure.id, failure.level, failure.summary
                );
            }
        }
        for ignored in &self.clean.ignored {
            let _ = writeln!(
                out,
                "  ignored (kills nothing): {} — {}",
                ignored.id, ignored.summary
            );
        }
        let survivors = self.survivors();
        let caught = self.faults.len() - survivors.len();
        let _ = writeln!(
            out,
            "kill matrix: {caught}/{} faults caught · {} vectors · {} of {} vector runs (each fault and variant against the vectors that can observe it) · {:.1} s",
            self.faults.len(),
            self.vectors,
            self.vector_runs,
            self.vector_runs_unfiltered,
            self.elapsed_secs
        );
        if !survivors.is_empty() {
            let _ = writeln!(
                out,
                "survivors (add a vector of the given level or above that fails under the fault; reproduce with `serve --fault NAME`):"
            );
            for row in survivors {
                let _ = writeln!(
                    out,
                    "  {} [{} · {}]: {}",
                    row.fault,
                    row.level.to_uppercase(),
                    row.requirement,
                    row.description
                );
                if !row.also_failed.is_empty() {
                    let _ = writeln!(
                        out,
                        "    failed only at a level that does not count: {}",
                        row.also_failed.join(", ")
                    );
                }
            }
        }
        if !self.toothless_vectors.is_empty() {
            let _ = writeln!(
                out,
                "vectors that caught none of the {} faults (fine when they pin a detail no fault breaks yet): {}",
                self.faults.len(),
                self.toothless_vectors.join(", ")
            );
        }
        if !self.variants.is_empty() {
            let _ = writeln!(out);
            out.push_str(&self.render_variants());
        }
        out
    }
}

/// A plain-text table: columns padded to their widest cell, the last one unpadded.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<width$}  ");
            }
        }
        text.trim_end().to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(headers.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// The endpoints of a scope for people: `entries/add`, `create`, or `every endpoint`.
pub fn scope_cell(scope: Scope) -> String {
    match scope {
        Scope::Everywhere => "every endpoint".to_string(),
        Scope::Only(endpoints) => endpoints
            .iter()
            .map(|e| e.name().trim_start_matches("collections/"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Every variant as a Markdown table (`name | open in | scope | description`), for
/// `mutants --list` and `docs/mutants.md`.
pub fn variant_table() -> String {
    let mut out = String::from("| variant | open in | scope | description |\n|---|---|---|---|\n");
    for variant in Variant::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            variant.name(),
            variant.sections(),
            scope_cell(variant.scope()),
            variant.description().replace('|', "\\|")
        );
    }
    out
}

/// Every fault as a Markdown table (`name | endpoint | level | requirement | description`), for
/// `mutants --list` and `docs/mutants.md`.
pub fn fault_table() -> String {
    let mut out = String::from(
        "| fault | endpoint | level | requirement | description |\n|---|---|---|---|---|\n",
    );
    for fault in Fault::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | `{}` | {} |",
            fault.name(),
            scope_cell(fault.scope()),
            fault.level().as_str().to_uppercase(),
            fault.requirement(),
            fault.description().replace('|', "\\|")
        );
    }
    out
}

/// `a, b, c +4` (first three and how many more), or `—`.
fn killers_cell(killers: &[String]) -> String {
    const SHOWN: usize = 3;
    if killers.is_empty() {
        return "—".to_string();
    }
    let mut cell = killers
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if killers.len() > SHOWN {
        let _ = write!(
            cell,
            " +{} ({} in all)",
            killers.len() - SHOWN,
            killers.len()
        );
    }
    cell
}

/// Whether a failing vector of `level` catches a fault of `fault_level` (see the module docs).
pub fn counts(fault_level: FaultLevel, level: Level) -> bool {
    match fault_level {
        FaultLevel::Must => level == Level::Must,
        FaultLevel::Should => matches!(level, Level::Must | Level::Should),
    }
}

/// What a vector can observe of a server: the endpoints it sends requests to (its steps, and
/// the fixture endpoints `collections/create`, `entries/add` and `destroy` when it declares a
/// fixture), and whether it sends to a path that names no endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touches {
    /// Endpoints the vector calls.
    pub endpoints: BTreeSet<Endpoint>,
    /// Whether it also calls a path that is no endpoint (or an endpoint name the server lacks).
    pub unknown_path: bool,
}

impl Touches {
    /// What `vector` calls; `None` when it cannot be told (a vector file that did not load,
    /// which every server must then run).
    pub fn of(vector: &LoadedVector) -> Option<Touches> {
        let vector = vector.vector.as_ref().ok()?;
        let mut touches = Touches::default();
        let steps = match &vector.body {
            VectorBody::Steps(steps) => steps,
            // Model sequences and canaries call whatever they generate or plant, and watch
            // collections other vectors write: every server runs them.
            VectorBody::Model(_) | VectorBody::Canary(_) => return None,
            // Offline vectors talk to no server.
            VectorBody::Signature(_) | VectorBody::PercentEncoding(_) => return Some(touches),
        };
        for fixture in [
            &vector.fixtures.collection,
            &vector.fixtures.other_collection,
        ]
        .into_iter()
        .flatten()
        {
            touches.endpoints.insert(Endpoint::Create);
            touches.endpoints.insert(Endpoint::Destroy);
            if fixture.tweets > 0 || fixture.at_capacity {
                touches.endpoints.insert(Endpoint::EntriesAdd);
            }
        }
        for step in steps {
            let request = &step.request;
            let endpoint = match (&request.endpoint, &request.path) {
                (Some(name), _) => Endpoint::from_name(name),
                (None, Some(path)) => Endpoint::from_path(path.split('?').next().unwrap_or("")),
                (None, None) => None,
            };
            match endpoint {
                Some(endpoint) => {
                    touches.endpoints.insert(endpoint);
                }
                None => touches.unknown_path = true,
            }
        }
        Some(touches)
    }
}

/// Whether a vector that calls `touches` (`None`: unknown, so yes) can observe `behaviour`: it
/// calls an endpoint whose policy differs from the faithful one, or a path that is no endpoint
/// when the unknown path's policy differs.
pub fn observes(touches: Option<&Touches>, behaviour: &Behaviour) -> bool {
    let Some(touches) = touches else {
        return true;
    };
    let (bent, unknown_path) = behaviour.bent();
    (unknown_path && touches.unknown_path) || bent.iter().any(|e| touches.endpoints.contains(e))
}

/// Runs the clean server and every configured fault; fails only when the suite cannot be loaded
/// or a server cannot start.
pub async fn run(config: &MatrixConfig) -> anyhow::Result<KillMatrix> {
    let started = Instant::now();
    let suite = Arc::new(Suite::load(config.suite.clone())?);
    let touches: Vec<Option<Touches>> = suite.vectors.iter().map(Touches::of).collect();
    // Slow variants first, so their waiting overlaps everyone else's work.
    let mut variants = config.variants.clone();
    variants.sort_by_key(|v| std::cmp::Reverse(v.behaviour().unknown_path().latency));
    let runs: Vec<Server> = std::iter::once(Server::Clean)
        .chain(variants.into_iter().map(Server::Variant))
        .chain(config.faults.iter().copied().map(Server::Fault))
        .collect();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(
        config.concurrent_servers.max(1),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    let (mut vector_runs, mut vector_runs_unfiltered) = (0, 0);
    for (index, server) in runs.into_iter().enumerate() {
        // The clean server runs everything; the others only what can observe them.
        let subset = match server.behaviour() {
            Some(behaviour) if !config.every_vector => {
                let picked: Vec<LoadedVector> = suite
                    .vectors
                    .iter()
                    .zip(&touches)
                    .filter(|(_, touches)| observes(touches.as_ref(), &behaviour))
                    .map(|(vector, _)| vector.clone())
                    .collect();
                Arc::new(subset(&suite, picked))
            }
            _ => Arc::clone(&suite),
        };
        if !matches!(server, Server::Clean) {
            vector_runs_unfiltered += suite.vectors.len();
        }
        let semaphore = Arc::clone(&semaphore);
        // The clean server and the variants are faithful: their vectors run all at once, as in
        // an ordinary run. A fault server runs one vector at a time (see `MatrixConfig::new`).
        let parallel = match server {
            Server::Variant(_) | Server::Clean => config.variant_parallel,
            Server::Fault(_) => config.parallel,
        };
        let (timeout, latency) = (config.timeout_secs, config.latency);
        let batches = match server {
            Server::Fault(fault) if config.stop_at_first_kill => likeliest_first(&subset, fault)
                .into_iter()
                .map(Arc::new)
                .collect(),
            _ => vec![subset],
        };
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let mut results = Vec::new();
            for batch in batches {
                match run_one(&batch, server, latency, parallel, timeout).await {
                    Ok(batch_results) => results.extend(batch_results),
                    Err(e) => return (index, server, results.len(), Err(e)),
                }
                let caught = |fault: Fault| {
                    results.iter().any(|r| {
                        matches!(r.outcome, Outcome::Failed { .. })
                            && counts(fault.level(), r.level)
                    })
                };
                if matches!(server, Server::Fault(fault) if caught(fault)) {
                    break;
                }
            }
            let ran = results.len();
            (index, server, ran, Ok(results))
        });
    }
    let mut by_index = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (index, server, vectors_run, results) = joined?;
        by_index.insert(index, (server, vectors_run, results?));
    }

    let mut clean = CleanRun {
        failures: Vec::new(),
        ignored: Vec::new(),
    };
    let mut rows = Vec::new();
    let mut variant_rows = Vec::new();
    let mut killers_of_any: BTreeSet<String> = BTreeSet::new();
    for (server, vectors_run, results) in by_index.into_values() {
        if !matches!(server, Server::Clean) {
            vector_runs += vectors_run;
        }
        let fault = match server {
            Server::Fault(fault) => fault,
            Server::Variant(variant) => {
                variant_rows.push(variant_row(variant, vectors_run, &results));
                continue;
            }
            Server::Clean => {
                for result in &results {
                    match &result.outcome {
                        Outcome::Passed => {}
                        Outcome::NotJudged { reason, .. } => clean.ignored.push(Failure {
                            id: result.id.clone(),
                            level: result.level.as_str().to_string(),
                            summary: reason.clone(),
                        }),
                        Outcome::Failed { message } => {
                            clean.failures.push(failure(result, message))
                        }
                        Outcome::Invalid { message } => clean.failures.push(Failure {
                            level: "invalid".into(),
                            ..failure(result, message)
                        }),
                    }
                }
                continue;
            }
        };
        let mut killed_by = Vec::new();
        let mut also_failed = Vec::new();
        for result in &results {
            if !matches!(result.outcome, Outcome::Failed { .. }) {
                continue;
            }
            if counts(fault.level(), result.level) {
                killed_by.push(result.id.clone());
            } else {
                also_failed.push(result.id.clone());
            }
        }
        killers_of_any.extend(killed_by.iter().cloned());
        rows.push(FaultRow {
            fault: fault.name().to_string(),
            level: fault.level().as_str().to_string(),
            requirement: fault.requirement().to_string(),
            description: fault.description().to_string(),
            endpoints: scope_cell(fault.scope()),
            vectors_run,
            caught: !killed_by.is_empty(),
            killed_by,
            also_failed,
        });
    }
    // Only meaningful over the whole fault list, each run to the end: a subset leaves most
    // vectors idle.
    let every_fault =
        Fault::ALL.iter().all(|f| config.faults.contains(f)) && !config.stop_at_first_kill;
    let toothless_vectors = suite
        .vectors
        .iter()
        .filter(|_| every_fault)
        .map(|v| v.id.clone())
        .filter(|id| !killers_of_any.contains(id))
        .filter(|id| !clean.ignored.iter().any(|i| &i.id == id))
        .filter(|id| !clean.failures.iter().any(|f| &f.id == id))
        .collect();
    Ok(KillMatrix {
        vectors: suite.vectors.len(),
        clean,
        faults: rows,
        variants: {
            variant_rows.sort_by_key(|row| {
                Variant::ALL
                    .iter()
                    .position(|v| v.name() == row.variant)
                    .unwrap_or(usize::MAX)
            });
            variant_rows
        },
        toothless_vectors,
        vector_runs,
        vector_runs_unfiltered,
        elapsed_secs: started.elapsed().as_secs_f64(),
    })
}

/// The vectors of `suite` in batches for a run that stops at the first kill of `fault`: first
/// those citing a requirement the fault breaks, then the ones whose steps call an endpoint the
/// fault bends, then the rest (fixture users), each batch small enough that little runs after
/// the first kill.
fn likeliest_first(suite: &Suite, fault: Fault) -> Vec<Suite> {
    const BATCH: usize = 8;
    let cites = |vector: &LoadedVector| {
        vector.vector.as_ref().is_ok_and(|v| {
            v.requirements
                .iter()
                .any(|r| fault.requirements().any(|broken| broken == r))
        })
    };
    let (bent, _) = fault.behaviour().bent();
    let calls_bent = |vector: &LoadedVector| {
        vector.vector.as_ref().is_ok_and(|v| match &v.body {
            VectorBody::Steps(steps) => steps.iter().any(|step| {
                let request = &step.request;
                let endpoint = request
                    .endpoint
                    .as_deref()
                    .and_then(Endpoint::from_name)
                    .or_else(|| request.path.as_deref().and_then(Endpoint::from_path));
                endpoint.is_some_and(|e| bent.contains(&e))
            }),
            _ => false,
        })
    };
    let mut ordered: Vec<LoadedVector> = suite.vectors.clone();
    ordered.sort_by_key(|v| (!cites(v), !calls_bent(v)));
    let citing = ordered.iter().take_while(|v| cites(v)).count();
    let mut batches = Vec::new();
    let mut rest = ordered.split_off(citing);
    if !ordered.is_empty() {
        batches.push(subset(suite, ordered));
    }
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(BATCH));
        batches.push(subset(suite, rest));
        rest = tail;
    }
    batches
}

/// The suite with only `vectors` (same specs and judging), and a board of its own.
fn subset(suite: &Suite, vectors: Vec<LoadedVector>) -> Suite {
    Suite {
        spec: Arc::clone(&suite.spec),
        vectors,
        config: suite.config.clone(),
        board: Arc::default(),
        coverage_checked: Arc::default(),
    }
}

fn failure(result: &VectorResult, message: &str) -> Failure {
    // The line after "step N of M: …" is the first mismatch; offline vectors have none.
    let lines: Vec<&str> = message.lines().collect();
    let summary = lines
        .iter()
        .position(|line| line.trim_start().starts_with("step "))
        .and_then(|i| lines.get(i + 1))
        .or_else(|| lines.last())
        .map(|line| line.trim().to_string())
        .unwrap_or_default();
    Failure {
        id: result.id.clone(),
        level: result.level.as_str().to_string(),
        summary,
    }
}

/// Which server a run of the matrix tests.
#[derive(Debug, Clone, Copy)]
enum Server {
    /// The faithful server.
    Clean,
    /// One fault.
    Fault(Fault),
    /// One variant.
    Variant(Variant),
}

impl Server {
    /// The server's behaviour; `None` for the clean server (which runs every vector).
    fn behaviour(self) -> Option<Behaviour> {
        match self {
            Server::Clean => None,
            Server::Fault(fault) => Some(fault.behaviour()),
            Server::Variant(variant) => Some(variant.behaviour()),
        }
    }
}

/// A variant's row: MUST failures (and invalid vectors) are false failures; SHOULD and MAY
/// failures only say which vectors pin the choice the variant makes differently.
fn variant_row(variant: Variant, vectors_run: usize, results: &[VectorResult]) -> VariantRow {
    let mut false_failures = Vec::new();
    let mut noticed_by = Vec::new();
    for result in results {
        match &result.outcome {
            Outcome::Failed { message } if result.level == Level::Must => {
                false_failures.push(failure(result, message));
            }
            Outcome::Failed { .. } => noticed_by.push(result.id.clone()),
            Outcome::Invalid { message } => false_failures.push(Failure {
                level: "invalid".into(),
                ..failure(result, message)
            }),
            _ => {}
        }
    }
    VariantRow {
        variant: variant.name().to_string(),
        sections: variant.sections().to_string(),
        description: variant.description().to_string(),
        vectors_run,
        passed: false_failures.is_empty(),
        false_failures,
        noticed_by,
    }
}

/// One fresh server (clean, one fault or one variant), every vector against it, then shutdown.
async fn run_one(
    suite: &Suite,
    server: Server,
    latency: Option<Duration>,
    parallel: usize,
    timeout_secs: f64,
) -> anyhow::Result<Vec<VectorResult>> {
    let mut config = ServerConfig {
        latency,
        ..ServerConfig::default()
    };
    let name = match server {
        Server::Clean => "the clean server".to_string(),
        Server::Fault(fault) => {
            config.faults.insert(fault);
            format!("fault {fault}")
        }
        Server::Variant(variant) => {
            config.variants.insert(variant);
            format!("variant {variant}")
        }
    };
    let (server, target) = embedded::start_with(config, timeout_secs)
        .await
        .map_err(|e| anyhow::anyhow!("cannot start {name}: {e:#}"))?;
    let results = suite.evaluate_all(Arc::new(target), parallel).await;
    if results.len() != suite.vectors.len() {
        // evaluate_all drops vectors whose task panicked; a missing verdict must not pass for
        // a vector that "did not fail".
        anyhow::bail!(
            "against {name}, {} of {} vectors ended without a verdict (a panic in the harness)",
            suite.vectors.len() - results.len(),
            suite.vectors.len()
        );
    }
    // Shutdown waits for in-flight connections; a client keeping one alive must not hang the
    // matrix, so give it a bound and drop the server otherwise (dropping also stops it).
    let _ = tokio::time::timeout(Duration::from_secs(5), server.shutdown()).await;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_count_as_the_profiles_would_fail_a_run() {
        assert!(counts(FaultLevel::Must, Level::Must));
        assert!(!counts(FaultLevel::Must, Level::Should));
        assert!(!counts(FaultLevel::Must, Level::May));
        assert!(counts(FaultLevel::Should, Level::Must));
        assert!(counts(FaultLevel::Should, Level::Should));
        assert!(!counts(FaultLevel::Should, Level::May));
    }

    #[test]
    fn the_docs_list_every_fault_and_variant_as_the_code_does() {
        // docs/mutants.md embeds `mutants --list`; regenerate it when a fault changes.
        let docs = include_str!("../docs/mutants.md");
        for row in fault_table().lines().chain(variant_table().lines()) {
            assert!(
                docs.contains(row),
                "docs/mutants.md lacks or differs in this row (paste `collections-conformance mutants --list`):\n{row}"
            );
        }
    }

    #[test]
    fn killer_cell_shows_three_and_a_count() {
        let ids: Vec<String> = (1..=5).map(|i| format!("v{i}")).collect();
        assert_eq!(killers_cell(&ids[..2]), "v1, v2");
        assert_eq!(killers_cell(&ids), "v1, v2, v3 +2 (5 in all)");
        assert_eq!(killers_cell(&[]), "—");
    }
}
