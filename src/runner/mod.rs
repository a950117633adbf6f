//! Vectors -> libtest-mimic trials. Every selected vector runs as a task on the async runtime
//! ([`schedule`]), as many at once as `--concurrency` allows, whatever the test harness's thread
//! count; each trial waits for its vector's result, and one trial per requirement reports
//! whether a judged vector checked it.

mod board;
mod budget;
mod canary;
mod evaluate;
mod session;
mod summary;

pub use board::Board;
pub use budget::Budget;
pub use evaluate::{evaluate, judge_step, oracle_not_judged, step_name};
pub use session::{Patience, SendError, Session};
pub use summary::{LevelCount, Summary};

use crate::fixture;
use crate::spec::Spec;
use crate::vector::{self, Level, LoadedVector, VectorBody};
use crate::verdict::{Outcome, VectorKind, VectorResult};
use futures_util::future::join_all;
use libtest_mimic::{Completion, Failed, Trial};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Which levels fail a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// MUST vectors fail the run; SHOULD failures are reported but do not fail it.
    #[default]
    Default,
    /// MUST and SHOULD vectors fail the run.
    Strict,
}

impl Profile {
    /// Whether a failed vector of this level fails its trial.
    pub fn fails_on(self, level: Level) -> bool {
        match level {
            Level::Must => true,
            Level::Should => self == Profile::Strict,
            Level::May => false,
        }
    }
}

/// Where the suite's data lives, and how to judge.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// The `vectors/` folder.
    pub vectors: PathBuf,
    /// The `specs/` folder.
    pub specs: PathBuf,
    /// Which levels fail the run.
    pub profile: Profile,
}

impl SuiteConfig {
    /// The kit's own `vectors/` and `specs/`: the source folders, or the copy embedded in the
    /// binary when they are not there (an installed or copied binary).
    pub fn bundled(profile: Profile) -> SuiteConfig {
        // If unpacking fails, loading from the source path fails with an error naming it.
        let root =
            crate::bundled::root().unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        SuiteConfig {
            vectors: root.join("vectors"),
            specs: root.join("specs"),
            profile,
        }
    }
}

/// The loaded suite: specs, vectors, and the board the running vectors post their results to.
pub struct Suite {
    /// Loaded `specs/`.
    pub spec: Arc<Spec>,
    /// Every vector file, valid or not.
    pub vectors: Vec<LoadedVector>,
    /// How to judge.
    pub config: SuiteConfig,
    /// Results of the vectors that ran.
    pub board: Arc<Board>,
    /// Requirement ids whose coverage trial ran (filters may skip some).
    pub coverage_checked: Arc<Mutex<Vec<String>>>,
}

impl Suite {
    /// Loads specs and vectors; fails only when `specs/` itself is broken or `vectors/` unreadable
    /// (a broken vector file becomes a failing trial instead).
    pub fn load(config: SuiteConfig) -> anyhow::Result<Suite> {
        let spec = Spec::load(&config.specs)?;
        let vectors = vector::load_all(&config.vectors, &spec).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the vectors folder {}: {e}",
                config.vectors.display()
            )
        })?;
        Ok(Suite {
            spec: Arc::new(spec),
            vectors,
            config,
            board: Arc::default(),
            coverage_checked: Arc::default(),
        })
    }

    /// Every trial (vectors first, then one coverage trial per requirement), with the vectors
    /// that the arguments select already running on `runtime`.
    pub fn trials(
        &self,
        session: Option<Arc<Session>>,
        runtime: &tokio::runtime::Handle,
        args: &libtest_mimic::Arguments,
    ) -> Vec<Trial> {
        let mut trials: Vec<Trial> = self.vectors.iter().map(|v| self.vector_trial(v)).collect();
        let selected: Vec<LoadedVector> = if args.list || args.ignored {
            Vec::new()
        } else {
            self.vectors
                .iter()
                .zip(&trials)
                .filter(|(_, trial)| !args.is_filtered_out(trial))
                .map(|(vector, _)| vector.clone())
                .collect()
        };
        let selected_ids: Vec<String> = selected.iter().map(|v| v.id.clone()).collect();
        self.schedule(selected, session, runtime);
        trials.extend(self.coverage_trials(&selected_ids));
        trials
    }

    /// Starts the selected vectors in the background (see [`run_phases`]); trials wait for
    /// their results on the board.
    fn schedule(
        &self,
        vectors: Vec<LoadedVector>,
        session: Option<Arc<Session>>,
        runtime: &tokio::runtime::Handle,
    ) {
        let oracles: Vec<LoadedVector> = self
            .vectors
            .iter()
            .filter(|v| is_oracle(v))
            .cloned()
            .collect();
        let selected: Vec<LoadedVector> = vectors.into_iter().filter(|v| !is_oracle(v)).collect();
        let (spec, board) = (Arc::clone(&self.spec), Arc::clone(&self.board));
        runtime.spawn(run_phases(spec, oracles, selected, session, board));
    }

    fn vector_trial(&self, loaded: &LoadedVector) -> Trial {
        let kind = match &loaded.vector {
            Ok(vector) if vector.is_self_check() => "self-check",
            Ok(vector) => vector.level.as_str(),
            Err(_) => "invalid",
        };
        let id = loaded.id.clone();
        let board = Arc::clone(&self.board);
        let profile = self.config.profile;
        Trial::ignorable_test(loaded.id.clone(), move || {
            let result = board.wait(&id);
            match result.outcome {
                Outcome::Passed => Ok(Completion::Completed),
                Outcome::NotJudged { reason, .. } => {
                    Ok(Completion::ignored_with(format!("not judged: {reason}")))
                }
                Outcome::Failed { message }
                    if result.kind == VectorKind::SelfCheck || profile.fails_on(result.level) =>
                {
                    Err(Failed::from(message))
                }
                Outcome::Failed { .. } => Ok(Completion::Completed),
                Outcome::Invalid { message } => Err(Failed::from(message)),
            }
        })
        .with_kind(kind)
    }

    /// Runs every vector against a target without the test harness, `parallel` at a time, and
    /// returns the results sorted by id (for kill matrices and other programmatic uses).
    pub async fn evaluate_all(
        &self,
        target: Arc<crate::target::Target>,
        parallel: usize,
    ) -> Vec<VectorResult> {
        let patience = Patience {
            concurrency: parallel.max(1),
            ..Patience::default()
        };
        let session = Arc::new(Session::new(target, patience));
        let board = Arc::new(Board::default());
        let (oracles, others): (Vec<_>, Vec<_>) = self.vectors.iter().cloned().partition(is_oracle);
        run_phases(
            Arc::clone(&self.spec),
            oracles,
            others,
            Some(session),
            Arc::clone(&board),
        )
        .await;
        board.results()
    }

    /// One trial per requirement: passes when a vector that ran and was judged checks it.
    fn coverage_trials(&self, selected: &[String]) -> Vec<Trial> {
        let covered = self.coverage();
        self.spec
            .requirements
            .iter()
            .map(|requirement| {
                let citing = covered.get(&requirement.id).cloned().unwrap_or_default();
                let running: Vec<String> = citing
                    .iter()
                    .filter(|id| selected.contains(id))
                    .cloned()
                    .collect();
                let id = requirement.id.clone();
                let checked = Arc::clone(&self.coverage_checked);
                let board = Arc::clone(&self.board);
                Trial::ignorable_test(format!("requirement::{id}"), move || {
                    checked.lock().unwrap().push(id.clone());
                    if citing.is_empty() {
                        return Err(Failed::from(format!(
                            "requirement {id} is covered by no vector: add a vector under vectors/ whose `requirements` lists \"{id}\""
                        )));
                    }
                    let results = board.wait_all(&running);
                    if results.iter().any(|r| r.checked_its_requirements()) {
                        return Ok(Completion::Completed);
                    }
                    let why = if running.is_empty() {
                        format!("none of its vectors ran ({})", citing.join(", "))
                    } else {
                        results
                            .iter()
                            .map(|r| format!("{}: {}", r.id, r.outcome.short()))
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    Ok(Completion::ignored_with(format!(
                        "not judged: no vector that checks {id} was judged ({why})"
                    )))
                })
                .with_kind("coverage")
            })
            .collect()
    }

    /// Requirement id -> ids of the valid vectors that cover it.
    pub fn coverage(&self) -> BTreeMap<String, Vec<String>> {
        let mut covered: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for loaded in &self.vectors {
            if let Ok(vector) = &loaded.vector {
                for requirement in &vector.requirements {
                    covered
                        .entry(requirement.clone())
                        .or_default()
                        .push(loaded.id.clone());
                }
            }
        }
        covered
    }
}

fn is_oracle(loaded: &LoadedVector) -> bool {
    loaded.vector.as_ref().is_ok_and(|vector| vector.oracle)
}

fn is_canary(loaded: &LoadedVector) -> bool {
    loaded
        .vector
        .as_ref()
        .is_ok_and(|vector| matches!(vector.body, VectorBody::Canary(_)))
}

/// One run, in phases, every result posted to the board as it completes:
/// 1. canaries are planted (collections no request will name);
/// 2. the oracle vectors run (the endpoints the kit relies on), those that read their writes
///    back through another oracle endpoint after that endpoint's own, then the canaries are read;
/// 3. every other vector runs, `concurrency` at a time, except those relying on an oracle
///    endpoint that failed its own vector (not judged), and those marked `alone`, whose fixtures
///    are created meanwhile and whose steps then run one at a time; then the canaries are read
///    and judged.
async fn run_phases(
    spec: Arc<Spec>,
    oracles: Vec<LoadedVector>,
    vectors: Vec<LoadedVector>,
    session: Option<Arc<Session>>,
    board: Arc<Board>,
) {
    let (canaries, others): (Vec<_>, Vec<_>) = vectors.into_iter().partition(is_canary);
    let concurrency = session
        .as_ref()
        .map_or(1, |s| s.patience.concurrency.max(1));
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
    // Each task posts its own result as soon as it is done, and hands it back.
    let run = |loaded: LoadedVector| {
        let (spec, session) = (Arc::clone(&spec), session.clone());
        let (permits, board) = (Arc::clone(&permits), Arc::clone(&board));
        tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let task = {
                let loaded = loaded.clone();
                tokio::spawn(async move { evaluate(&loaded, &spec, session.as_deref()).await })
            };
            // A panic in the kit must not leave the trial waiting forever.
            let result = match task.await {
                Ok(result) => result,
                Err(e) => panicked(&loaded, &e.to_string()),
            };
            board.post(result.clone());
            result
        })
    };

    let mut planted = Vec::new();
    let plantings = canaries
        .iter()
        .map(|loaded| plant_canary(loaded, session.as_deref()));
    for planting in join_all(plantings).await {
        match planting {
            Ok(canary) => planted.push(canary),
            Err(result) => board.post(*result),
        }
    }

    // Oracles in rounds: one that reads state through another oracle endpoint (a read-your-writes
    // check through collections/entries) waits for that endpoint's own vectors, and is not judged
    // when they fail, so a broken entries is not blamed on create or add.
    let mut failed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pending = oracles;
    while !pending.is_empty() {
        let untested: BTreeSet<String> = pending.iter().filter_map(endpoint_of).collect();
        let (mut ready, mut waiting): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|l| !reads_through(l).iter().any(|e| untested.contains(*e)));
        if ready.is_empty() {
            // Oracles that read through each other: nothing to wait for, run them together.
            ready = std::mem::take(&mut waiting);
        }
        let tasks: Vec<_> = ready
            .into_iter()
            .map(|loaded| (endpoint_of(&loaded), run(loaded)))
            .collect();
        for (endpoint, task) in tasks {
            if let (Ok(result), Some(endpoint)) = (task.await, endpoint) {
                if matches!(result.outcome, Outcome::Failed { .. }) {
                    failed.entry(endpoint).or_default().push(result.id);
                }
            }
        }
        pending = Vec::new();
        for loaded in waiting {
            let broken: Vec<(&str, Vec<String>)> = reads_through(&loaded)
                .into_iter()
                .filter_map(|e| failed.get(e).map(|ids| (e, ids.clone())))
                .collect();
            match &loaded.vector {
                Ok(vector) if !broken.is_empty() => {
                    board.post(oracle_not_judged(&loaded, vector, &broken));
                }
                _ => pending.push(loaded),
            }
        }
    }
    if let Some(session) = &session {
        let inspections = planted
            .iter_mut()
            .map(|canary| canary.inspect(session, "while the oracle vectors ran"));
        join_all(inspections).await;
    }

    let mut tasks = Vec::new();
    let mut alone = Vec::new();
    // A vector that runs alone gets its fixtures while the others run, so its turn holds only
    // its steps; what the others leave is none of its concern, only what changes during its
    // steps is.
    let prepare = |loaded: LoadedVector| {
        let (spec, session) = (Arc::clone(&spec), session.clone());
        let permits = Arc::clone(&permits);
        tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            evaluate::prepare(&loaded, &spec, session.as_deref()).await
        })
    };
    for loaded in others {
        let broken: Vec<(&str, Vec<String>)> = match &loaded.vector {
            Ok(vector) => vector
                .relies_on()
                .into_iter()
                .filter_map(|e| failed.get(e).map(|ids| (e, ids.clone())))
                .collect(),
            Err(_) => Vec::new(),
        };
        match &loaded.vector {
            Ok(vector) if !broken.is_empty() => {
                board.post(oracle_not_judged(&loaded, vector, &broken));
            }
            Ok(vector) if vector.alone => alone.push((loaded.clone(), prepare(loaded))),
            _ => tasks.push(run(loaded)),
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    run_alone(alone, &spec, session.as_ref(), &board).await;
    if let Some(session) = &session {
        let endings = planted.into_iter().map(|mut canary| async move {
            canary.inspect(session, "while the other vectors ran").await;
            canary.finish(session).await
        });
        for result in join_all(endings).await {
            board.post(result);
        }
    }
}

/// Vectors that watch shared state: their steps run one at a time once nothing else runs, on
/// fixtures prepared while the others ran; the fixtures go once they all have run.
async fn run_alone(
    alone: Vec<(LoadedVector, tokio::task::JoinHandle<evaluate::Prepared>)>,
    spec: &Arc<Spec>,
    session: Option<&Arc<Session>>,
    board: &Board,
) {
    let mut leftovers = Vec::new();
    for (loaded, preparing) in alone {
        let (provisioned, session) = match (preparing.await, session) {
            (Ok(evaluate::Prepared::Ready(provisioned)), Some(session)) => {
                (provisioned, Arc::clone(session))
            }
            (Ok(evaluate::Prepared::Done(result)), _) => {
                board.post(*result);
                continue;
            }
            (Ok(evaluate::Prepared::Ready(_)), None) => {
                board.post(panicked(&loaded, "fixtures were prepared without a target"));
                continue;
            }
            (Err(e), _) => {
                board.post(panicked(&loaded, &e.to_string()));
                continue;
            }
        };
        let (spec, id) = (Arc::clone(spec), loaded.clone());
        let task = tokio::spawn(async move {
            let mut provisioned = provisioned;
            let result = evaluate::evaluate_prepared(&id, &spec, &session, &mut provisioned).await;
            (result, provisioned)
        });
        match task.await {
            Ok((result, provisioned)) => {
                board.post(result);
                leftovers.push(provisioned);
            }
            Err(e) => board.post(panicked(&loaded, &e.to_string())),
        }
    }
    if let Some(session) = session {
        join_all(leftovers.into_iter().map(|p| fixture::teardown(session, p))).await;
    }
}

/// Plants a canary, or says why it cannot be (as the result to post).
async fn plant_canary(
    loaded: &LoadedVector,
    session: Option<&Session>,
) -> Result<canary::Canary, Box<VectorResult>> {
    let Some(session) = session else {
        let reason = "no target: set CONFORMANCE_BASE_URL and credentials";
        return Err(Box::new(canary::not_planted(
            loaded,
            fixture::SetupError {
                cause: crate::verdict::NotJudgedCause::Configuration,
                message: reason.into(),
            },
        )));
    };
    if let Some(missing) = loaded
        .vector
        .as_ref()
        .ok()
        .and_then(|vector| session.target.missing_for(vector))
    {
        return Err(Box::new(canary::not_planted(
            loaded,
            fixture::SetupError {
                cause: crate::verdict::NotJudgedCause::Configuration,
                message: missing,
            },
        )));
    }
    canary::plant(session, loaded)
        .await
        .map_err(|e| Box::new(canary::not_planted(loaded, e)))
}

/// The oracle endpoints other than its own that a valid vector's steps send requests to.
fn reads_through(loaded: &LoadedVector) -> Vec<&'static str> {
    loaded
        .vector
        .as_ref()
        .map_or_else(|_| Vec::new(), |vector| vector.steps_call())
}

/// The endpoint a valid vector tests.
fn endpoint_of(loaded: &LoadedVector) -> Option<String> {
    loaded.vector.as_ref().ok().map(|v| v.endpoint.clone())
}

/// The result of a vector whose evaluation panicked: the kit's fault, reported as invalid.
fn panicked(loaded: &LoadedVector, panic: &str) -> VectorResult {
    VectorResult {
        id: loaded.id.clone(),
        path: loaded.path.clone(),
        title: loaded.path.display().to_string(),
        kind: VectorKind::Target,
        level: Level::Must,
        requirements: Vec::new(),
        outcome: Outcome::Invalid {
            message: format!(
                "the kit panicked while running {}: {panic} (a bug in the kit, please report it)",
                loaded.path.display()
            ),
        },
        duration: std::time::Duration::ZERO,
        steps: Vec::new(),
    }
}
