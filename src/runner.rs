//! Vectors -> libtest-mimic trials: one trial per vector file, one per requirement (coverage),
//! and the level summary printed after the run.

use crate::check::{self, Mismatch, RateLimitReading};
use crate::exchange::{self, Exchange};
use crate::fixture;
use crate::redact::Redactor;
use crate::spec::Spec;
use crate::target::Target;
use crate::vector::{self, Bindings, Level, LoadedVector, Step, Vector, VectorBody};
use crate::verdict::{Outcome, StepRecord, VectorResult, failure_text};
use libtest_mimic::{Completion, Failed, Trial};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

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
    /// The kit's own `vectors/` and `specs/`, wherever the crate's sources are.
    pub fn bundled(profile: Profile) -> SuiteConfig {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        SuiteConfig {
            vectors: root.join("vectors"),
            specs: root.join("specs"),
            profile,
        }
    }
}

/// The loaded suite: specs, vectors, and the results trials fill in as they run.
pub struct Suite {
    /// Loaded `specs/`.
    pub spec: Arc<Spec>,
    /// Every vector file, valid or not.
    pub vectors: Vec<LoadedVector>,
    /// How to judge.
    pub config: SuiteConfig,
    /// Results of the trials that ran, in completion order.
    pub results: Arc<Mutex<Vec<VectorResult>>>,
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
            results: Arc::default(),
            coverage_checked: Arc::default(),
        })
    }

    /// Every trial: vectors first, then one coverage trial per requirement.
    pub fn trials(
        &self,
        target: Option<Arc<Target>>,
        runtime: tokio::runtime::Handle,
    ) -> Vec<Trial> {
        let mut trials: Vec<Trial> = self
            .vectors
            .iter()
            .map(|loaded| self.vector_trial(loaded, target.clone(), runtime.clone()))
            .collect();
        trials.extend(self.coverage_trials());
        trials
    }

    fn vector_trial(
        &self,
        loaded: &LoadedVector,
        target: Option<Arc<Target>>,
        runtime: tokio::runtime::Handle,
    ) -> Trial {
        let kind = match &loaded.vector {
            Ok(vector) => vector.level.as_str(),
            Err(_) => "invalid",
        };
        let loaded = loaded.clone();
        let results = Arc::clone(&self.results);
        let spec = Arc::clone(&self.spec);
        let profile = self.config.profile;
        Trial::ignorable_test(loaded.id.clone(), move || {
            let result = runtime.block_on(evaluate(&loaded, &spec, target.as_deref()));
            let outcome = result.outcome.clone();
            let level = result.level;
            results.lock().unwrap().push(result);
            match outcome {
                Outcome::Passed => Ok(Completion::Completed),
                Outcome::Ignored { reason } => Ok(Completion::ignored_with(reason)),
                Outcome::Failed { message } if profile.fails_on(level) => {
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
    pub async fn evaluate_all(&self, target: Arc<Target>, parallel: usize) -> Vec<VectorResult> {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for loaded in self.vectors.clone() {
            let spec = Arc::clone(&self.spec);
            let target = Arc::clone(&target);
            let semaphore = Arc::clone(&semaphore);
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                evaluate(&loaded, &spec, Some(&target)).await
            });
        }
        let mut results = Vec::new();
        while let Some(result) = tasks.join_next().await {
            if let Ok(result) = result {
                results.push(result);
            }
        }
        results.sort_by(|a, b| a.id.cmp(&b.id));
        results
    }

    fn coverage_trials(&self) -> Vec<Trial> {
        let covered = self.coverage();
        self.spec
            .requirements
            .iter()
            .map(|requirement| {
                let vectors = covered.get(&requirement.id).cloned().unwrap_or_default();
                let id = requirement.id.clone();
                let checked = Arc::clone(&self.coverage_checked);
                Trial::test(format!("requirement::{id}"), move || {
                    checked.lock().unwrap().push(id.clone());
                    if vectors.is_empty() {
                        Err(Failed::from(format!(
                            "requirement {id} is covered by no vector: add a vector under vectors/ whose `requirements` lists \"{id}\""
                        )))
                    } else {
                        Ok(())
                    }
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

/// Runs one vector file: an invalid file, an offline check, or fixtures + steps against `target`.
pub async fn evaluate(loaded: &LoadedVector, spec: &Spec, target: Option<&Target>) -> VectorResult {
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
                level: Level::Must,
                requirements: Vec::new(),
                outcome: Outcome::Invalid { message },
                duration: started.elapsed(),
                steps: Vec::new(),
            };
        }
    };
    let (outcome, steps) = match (&vector.body, target) {
        (VectorBody::Steps(_), Some(target)) => run_online(id, path, vector, spec, target).await,
        (VectorBody::Steps(_), None) => (
            Outcome::Ignored {
                reason: "no target: set CONFORMANCE_BASE_URL and credentials".into(),
            },
            Vec::new(),
        ),
        (VectorBody::Signature(case), _) => (
            offline_outcome(id, path, vector, crate::offline::check_signature(case)),
            Vec::new(),
        ),
        (VectorBody::PercentEncoding(cases), _) => (
            offline_outcome(id, path, vector, crate::offline::check_encoding(cases)),
            Vec::new(),
        ),
    };
    VectorResult {
        id: id.to_string(),
        path: path.to_path_buf(),
        title: vector.title.clone(),
        level: vector.level,
        requirements: vector.requirements.clone(),
        outcome,
        duration: started.elapsed(),
        steps,
    }
}

fn offline_outcome(id: &str, path: &Path, vector: &Vector, mismatches: Vec<Mismatch>) -> Outcome {
    if mismatches.is_empty() {
        return Outcome::Passed;
    }
    let mut message = format!(
        "{id}: {}\n  level {} · file {}\n",
        vector.title,
        vector.level.label(),
        path.display()
    );
    for mismatch in mismatches {
        message.push_str(&format!("  {mismatch}\n"));
    }
    Outcome::Failed { message }
}

/// Runs an online vector: needs, fixtures, steps, teardown.
async fn run_online(
    id: &str,
    path: &Path,
    vector: &Vector,
    spec: &Spec,
    target: &Target,
) -> (Outcome, Vec<StepRecord>) {
    let reasons: Vec<String> = vector
        .needs()
        .into_iter()
        .filter_map(|need| target.lacks(need))
        .collect();
    if !reasons.is_empty() {
        return (
            Outcome::Ignored {
                reason: reasons.join("; "),
            },
            Vec::new(),
        );
    }
    let VectorBody::Steps(steps) = &vector.body else {
        unreachable!("run_online is only called for step vectors")
    };
    let client = exchange::client(target);
    let redactor = Redactor::new(target.secrets());
    let label = id.rsplit("::").next().unwrap_or(id);
    let provisioned = match fixture::provision(&client, target, &redactor, &vector.fixtures, label)
        .await
    {
        Ok(provisioned) => provisioned,
        Err(e) => {
            let message = format!(
                "{id}: {}\n  level {} · file {}\n  could not set up the fixtures through the API (collections/create, collections/entries/add): {e}",
                vector.title,
                vector.level.label(),
                path.display()
            );
            return (Outcome::Failed { message }, Vec::new());
        }
    };
    let mut records = Vec::new();
    let mut outcome = Outcome::Passed;
    let mut previous_rate_limit = None;
    for (i, step) in steps.iter().enumerate() {
        let record = run_step(
            step,
            spec,
            target,
            &client,
            &provisioned.bindings,
            previous_rate_limit,
        )
        .await;
        if let Some(Ok(response)) = record.exchanges.last().map(|e| &e.response) {
            if let Ok(reading) = RateLimitReading::read(response) {
                previous_rate_limit = Some(reading);
            }
        }
        // Judged on the raw exchange above; only the redacted record leaves the process.
        let record = redact_record(record, &redactor);
        let passed = record.passed;
        if !passed {
            outcome = Outcome::Failed {
                message: failure_text(id, path, vector, spec, steps.len(), i, &record),
            };
        }
        records.push(record);
        if !passed {
            break;
        }
    }
    fixture::teardown(&client, target, &redactor, provisioned).await;
    (outcome, records)
}

/// The record with secrets replaced in its exchanges and mismatch texts, for output.
fn redact_record(record: StepRecord, redactor: &Redactor) -> StepRecord {
    StepRecord {
        exchanges: record
            .exchanges
            .iter()
            .map(|e| e.redacted(redactor))
            .collect(),
        mismatches: record
            .mismatches
            .into_iter()
            .map(|(label, found)| {
                let found = found.iter().map(|m| m.redacted(redactor)).collect();
                (redactor.redact(&label), found)
            })
            .collect(),
        ..record
    }
}

async fn run_step(
    step: &Step,
    spec: &Spec,
    target: &Target,
    client: &reqwest::Client,
    bindings: &Bindings,
    previous_rate_limit: Option<RateLimitReading>,
) -> StepRecord {
    let request = &step.request;
    let name = step_name(step);
    let exchanges = if step.exhaust_rate_limit {
        exhaust_then_perform(client, target, request, bindings).await
    } else {
        exchange::perform(client, target, request, bindings).await
    };
    let exchanges: Vec<Exchange> = match exchanges {
        Ok(exchanges) => exchanges,
        Err(problem) => {
            return StepRecord {
                name,
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
            };
        }
    };
    judge_step(name, step, exchanges, spec, bindings, previous_rate_limit)
}

/// How failure text names a step: its `name`, or method and path.
pub fn step_name(step: &Step) -> String {
    let request = &step.request;
    step.name.clone().unwrap_or_else(|| {
        let path = request
            .endpoint
            .as_deref()
            .map(exchange::endpoint_path)
            .or_else(|| request.path.clone())
            .unwrap_or_default();
        format!("{} {path}", request.method)
    })
}

/// Judges a step's exchanges (the last one) against each acceptable alternative.
pub fn judge_step(
    name: String,
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
    StepRecord {
        name,
        exchanges,
        mismatches,
        passed,
    }
}

/// The most requests `exhaust_rate_limit` sends before judging: a target that never limits
/// cannot keep a trial busy for long.
const MAX_EXHAUST_REQUESTS: usize = 200;

/// Sends the request until the target reports the window used up (remaining 0, or a 429 or a
/// transport failure, which are judged as they are), then sends the judged request.
async fn exhaust_then_perform(
    client: &reqwest::Client,
    target: &Target,
    request: &vector::Request,
    bindings: &Bindings,
) -> Result<Vec<Exchange>, String> {
    for _ in 0..MAX_EXHAUST_REQUESTS {
        let exchanges = exchange::perform(client, target, request, bindings).await?;
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
    exchange::perform(client, target, request, bindings).await
}

/// Counts by level for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per level: (passed, judged) — ignored and invalid vectors are not judged.
    pub by_level: BTreeMap<Level, (usize, usize)>,
    /// Vectors ignored for lack of configuration.
    pub ignored: usize,
    /// Broken vector files.
    pub invalid: usize,
    /// Ids of failed vectors that did not fail the run under the profile.
    pub tolerated: Vec<(String, Level)>,
}

impl Summary {
    /// Summarises the results under a profile.
    pub fn of(results: &[VectorResult], profile: Profile) -> Summary {
        let mut summary = Summary::default();
        for level in [Level::Must, Level::Should, Level::May] {
            summary.by_level.insert(level, (0, 0));
        }
        for result in results {
            match &result.outcome {
                Outcome::Passed => {
                    let entry = summary.by_level.entry(result.level).or_default();
                    entry.0 += 1;
                    entry.1 += 1;
                }
                Outcome::Failed { .. } => {
                    summary.by_level.entry(result.level).or_default().1 += 1;
                    if !profile.fails_on(result.level) {
                        summary.tolerated.push((result.id.clone(), result.level));
                    }
                }
                Outcome::Ignored { .. } => summary.ignored += 1,
                Outcome::Invalid { .. } => summary.invalid += 1,
            }
        }
        summary.tolerated.sort();
        summary
    }

    /// `conformance: MUST 41/41 · SHOULD 11/12 · MAY 2/3 · 2 ignored · 0 invalid (profile default)`
    /// followed by the tolerated failures, so they are visible.
    pub fn render(&self, profile: Profile) -> String {
        let levels: Vec<String> = self
            .by_level
            .iter()
            .map(|(level, (passed, judged))| format!("{} {passed}/{judged}", level.label()))
            .collect();
        let profile_name = match profile {
            Profile::Default => "default: MUST fails the run",
            Profile::Strict => "strict: MUST and SHOULD fail the run",
        };
        let mut text = format!(
            "conformance: {} · {} ignored · {} invalid (profile {profile_name})",
            levels.join(" · "),
            self.ignored,
            self.invalid
        );
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
