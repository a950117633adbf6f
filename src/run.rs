//! One whole run: load the suite, pick the target (or start the embedded reference server), run
//! the trials, print the level summary, decide the exit code.
//!
//! `main.rs` (`collections-conformance run`), `tests/conformance.rs` (`cargo test`) and an
//! implementer's own `tests/conformance.rs` all come through [`run`].

use crate::embedded;
use crate::report::{self, Coverage, RunReport};
use crate::runner::{Patience, Profile, Session, Suite, SuiteConfig, Summary};
use crate::target::TargetArgs;
use crate::verdict::{NotJudgedCause, Outcome, VectorResult};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Everything a run is configured with, from flags or the same-named environment variables.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// The implementation under test.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Folder of vector files (default: the kit's own `vectors/`).
    #[arg(long, env = "CONFORMANCE_VECTORS")]
    pub vectors: Option<PathBuf>,
    /// Folder of specs (default: the kit's own `specs/`).
    #[arg(long, env = "CONFORMANCE_SPECS")]
    pub specs: Option<PathBuf>,
    /// `default` fails the run on MUST vectors only; `strict` also on SHOULD.
    #[arg(long, env = "CONFORMANCE_PROFILE", value_enum, default_value_t = Profile::Default)]
    pub profile: Profile,
    /// Same as `--profile strict`.
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report here (one testcase per vector).
    #[arg(long, env = "CONFORMANCE_JUNIT")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here (every vector with its exchanges, secrets redacted).
    #[arg(long, env = "CONFORMANCE_REPORT_JSON")]
    pub report_json: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, env = "CONFORMANCE_REPORT_HTML")]
    pub report_html: Option<PathBuf>,
    /// Exit 0/1 on what was judged even when MUST vectors could not be judged (missing
    /// settings, setup failures, throttling); the summary and reports still show the gap.
    #[arg(long, env = "CONFORMANCE_ALLOW_INCOMPLETE")]
    pub allow_incomplete: bool,
    /// Vectors in flight at once, whatever the test harness's thread count.
    #[arg(long, env = "CONFORMANCE_CONCURRENCY", default_value_t = 32)]
    pub concurrency: usize,
    /// Seconds the run may spend, in total, waiting for the target's rate-limit windows to reset;
    /// vectors that would need longer are not judged (throttled).
    #[arg(long, env = "CONFORMANCE_MAX_WAIT", default_value_t = 60.0)]
    pub max_wait: f64,
    /// Seconds a state read may keep retrying until it shows an earlier write (0: no retries).
    #[arg(long, env = "CONFORMANCE_CONSISTENCY_WINDOW", default_value_t = 2.0)]
    pub consistency_window: f64,
    /// Seed of the model suite's sequences, replacing the model vectors' own (a failure prints it).
    #[arg(long, env = "CONFORMANCE_SEED")]
    pub seed: Option<u64>,
}

/// How a run that did its job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every trial passed or was ignored with a reason.
    Passed,
    /// At least one vector failed at a level the profile enforces.
    Failed,
}

/// Why a run could not do its job: broken specs or vectors, no usable target, nothing ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable(pub String);

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unusable {}

/// The documented exit codes: 0 passed, 1 a vector failed, 2 the run could not do its job (its
/// reason is printed on stderr). For `main` functions: the binary's, `tests/conformance.rs`, and
/// an implementer's own test target.
pub fn exit_code(result: &Result<RunOutcome, Unusable>) -> ExitCode {
    match result {
        Ok(RunOutcome::Passed) => ExitCode::from(0),
        Ok(RunOutcome::Failed) => ExitCode::from(1),
        Err(unusable) => {
            eprintln!("conformance: {unusable}");
            ExitCode::from(2)
        }
    }
}

impl RunArgs {
    /// Settings from the environment only, for `cargo test` where libtest-mimic owns the
    /// command line. A malformed `CONFORMANCE_*` value makes the run unusable rather than
    /// quietly falling back to the embedded server.
    pub fn from_env() -> Result<RunArgs, Unusable> {
        #[derive(clap::Parser)]
        struct EnvOnly {
            #[command(flatten)]
            run: RunArgs,
        }
        <EnvOnly as clap::Parser>::try_parse_from(["conformance"])
            .map(|parsed| parsed.run)
            .map_err(|e| Unusable(format!("bad CONFORMANCE_* environment variable: {e}")))
    }

    /// The profile after `--strict`.
    pub fn effective_profile(&self) -> Profile {
        if self.strict {
            Profile::Strict
        } else {
            self.profile
        }
    }

    /// How patient the run is with the target.
    pub fn patience(&self) -> Result<Patience, Unusable> {
        let seconds = |value: f64, name: &str| {
            Duration::try_from_secs_f64(value).map_err(|_| {
                Unusable(format!(
                    "{name} {value} is not a non-negative number of seconds"
                ))
            })
        };
        if self.concurrency == 0 {
            return Err(Unusable(
                "--concurrency (CONFORMANCE_CONCURRENCY) must be at least 1".into(),
            ));
        }
        Ok(Patience {
            concurrency: self.concurrency,
            max_wait: seconds(self.max_wait, "--max-wait (CONFORMANCE_MAX_WAIT)")?,
            consistency_window: seconds(
                self.consistency_window,
                "--consistency-window (CONFORMANCE_CONSISTENCY_WINDOW)",
            )?,
            ..Patience::default()
        })
    }

    /// Where vectors and specs come from.
    pub fn suite_config(&self) -> SuiteConfig {
        let mut config = SuiteConfig::bundled(self.effective_profile());
        if let Some(vectors) = &self.vectors {
            config.vectors = vectors.clone();
        }
        if let Some(specs) = &self.specs {
            config.specs = specs.clone();
        }
        config
    }
}

/// Runs the suite with the test-harness arguments of this process's command line (what a
/// `harness = false` test target receives from `cargo test`).
pub fn from_command_line(run_args: &RunArgs) -> Result<RunOutcome, Unusable> {
    run(&libtest_mimic::Arguments::from_args(), run_args)
}

/// Runs the suite with libtest-mimic's arguments (filters, `--list`, `--format`, ...). Prints the
/// trials and the summary; never panics on bad input; leaves the exit code to the caller
/// ([`exit_code`]).
pub fn run(
    test_args: &libtest_mimic::Arguments,
    run_args: &RunArgs,
) -> Result<RunOutcome, Unusable> {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return Err(Unusable(format!("cannot start the async runtime: {e}"))),
    };
    let config = run_args.suite_config();
    let profile = config.profile;
    let patience = run_args.patience()?;
    let suite = Suite::load(config).map_err(|e| Unusable(format!("{e:#}")))?;
    crate::model::set_seed(run_args.seed);

    let mut embedded_server = None;
    let session: Option<Arc<Session>> = if test_args.list {
        None
    } else if run_args.target.has_base_url() {
        let target = run_args.target.resolve().map_err(Unusable)?;
        Some(Arc::new(Session::new(Arc::new(target), patience)))
    } else {
        match runtime.block_on(embedded::start(run_args.target.timeout_secs)) {
            Ok((server, target)) => {
                embedded_server = Some(server);
                Some(Arc::new(Session::new(Arc::new(target), patience)))
            }
            Err(e) => {
                return Err(Unusable(format!(
                    "cannot start the embedded reference server: {e:#}"
                )));
            }
        }
    };
    if let Some(session) = &session {
        if !matches!(test_args.format, Some(libtest_mimic::FormatSetting::Json)) {
            let origin = if embedded_server.is_some() {
                "embedded reference server"
            } else {
                "target"
            };
            println!("conformance: {origin} at {}", session.target.base_url);
        }
    }

    let target_url = session
        .as_ref()
        .map_or_else(String::new, |s| s.target.base_url.to_string());
    let started = std::time::Instant::now();
    let trials = suite.trials(session.clone(), runtime.handle(), test_args);
    let conclusion = libtest_mimic::run(test_args, trials);
    if let Some(server) = embedded_server {
        if let Err(e) = runtime.block_on(server.shutdown()) {
            eprintln!("conformance: embedded server did not shut down cleanly: {e:#}");
        }
    }
    if test_args.list {
        return Ok(RunOutcome::Passed);
    }

    let results = suite.board.results();
    let summary = Summary::of(&results, profile);
    println!("{}", summary.render(profile));
    if let Some(session) = &session {
        if !session.waited().is_zero() {
            println!(
                "conformance: waited {:.1} s in all for the target's rate-limit windows",
                session.waited().as_secs_f64()
            );
        }
    }
    let report = RunReport {
        results: &results,
        summary: &summary,
        profile,
        target: target_url,
        duration: started.elapsed(),
        coverage: Coverage::of(&suite, &results),
    };
    write_reports(run_args, &report).map_err(|e| Unusable(format!("{e:#}")))?;
    verdict_of_run(
        &suite,
        &summary,
        &results,
        &conclusion,
        run_args,
        session.as_deref(),
    )
}

/// The run's exit, from most to least serious: the kit is broken, the vectors are, the target
/// never answered, MUST vectors were not judged, a vector failed.
fn verdict_of_run(
    suite: &Suite,
    summary: &Summary,
    results: &[VectorResult],
    conclusion: &libtest_mimic::Conclusion,
    run_args: &RunArgs,
    session: Option<&Session>,
) -> Result<RunOutcome, Unusable> {
    if summary.self_check_failed() {
        return Err(Unusable(format!(
            "{} of {} kit self-checks failed: the kit's own signer or encoder is broken, so no verdict of this run can be trusted",
            summary.self_checks.1 - summary.self_checks.0,
            summary.self_checks.1
        )));
    }
    if summary.invalid > 0 {
        return Err(Unusable(format!(
            "{} vector file(s) are invalid; `collections-conformance lint` lists every problem",
            summary.invalid
        )));
    }
    if target_unreachable(results) {
        return Err(Unusable(
            "the target never answered (every request failed to connect); check CONFORMANCE_BASE_URL".into(),
        ));
    }
    if let Some(session) = session.filter(|s| s.is_unresponsive()) {
        return Err(Unusable(format!(
            "{}; check that the target at {} is up and answering",
            session.unresponsive_reason(),
            session.target.base_url
        )));
    }
    let ran = conclusion.num_passed + conclusion.num_failed + conclusion.num_ignored;
    if ran == 0 && conclusion.num_filtered_out == 0 {
        return Err(Unusable(format!(
            "no trial ran; check the vectors folder {}",
            suite.config.vectors.display()
        )));
    }
    if !summary.unjudged_must.is_empty() && !run_args.allow_incomplete {
        let unjudged: Vec<_> = summary
            .not_judged_reasons
            .iter()
            .filter(|(_, (_, ids))| ids.iter().any(|id| summary.unjudged_must.contains(id)))
            .collect();
        let configuration: Vec<&str> = unjudged
            .iter()
            .filter(|(_, (cause, _))| *cause == NotJudgedCause::Configuration)
            .map(|(reason, _)| reason.as_str())
            .collect();
        let reasons: Vec<String> = unjudged
            .iter()
            .map(|(reason, (_, ids))| {
                let must: Vec<&str> = ids
                    .iter()
                    .filter(|id| summary.unjudged_must.contains(id))
                    .map(String::as_str)
                    .collect();
                format!(
                    "  {reason}\n    MUST vectors left unjudged: {}",
                    must.join(", ")
                )
            })
            .collect();
        let joined = configuration.join(" ");
        let settings = settings_named(&joined);
        let settings = if settings.is_empty() {
            String::new()
        } else {
            format!("\nmissing settings: {}", settings.join(", "))
        };
        return Err(Unusable(format!(
            "incomplete run: {} MUST vector(s) were not judged, so this run cannot say the target conforms:{settings}\n{}\n(--allow-incomplete / CONFORMANCE_ALLOW_INCOMPLETE=1 accepts a partial run)",
            summary.unjudged_must.len(),
            reasons.join("\n")
        )));
    }
    if conclusion.has_failed() {
        Ok(RunOutcome::Failed)
    } else {
        Ok(RunOutcome::Passed)
    }
}

/// The `CONFORMANCE_*` names in a text, once each, in order of appearance.
fn settings_named(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices("CONFORMANCE_") {
        let name = &text[at..];
        let end = name
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .unwrap_or(name.len());
        if !names.contains(&&name[..end]) {
            names.push(&name[..end]);
        }
    }
    names
}

fn write_reports(run_args: &RunArgs, report: &RunReport<'_>) -> anyhow::Result<()> {
    if let Some(path) = &run_args.junit {
        report::write(path, &report::junit(report)?)?;
    }
    if let Some(path) = &run_args.report_json {
        report::write(path, &report::json(report)?)?;
    }
    if let Some(path) = &run_args.report_html {
        report::write(path, &report::html(report)?)?;
    }
    Ok(())
}

/// Whether online vectors ran and not one request reached the target: the run tested nothing.
fn target_unreachable(results: &[VectorResult]) -> bool {
    let mut online_failures = 0;
    for result in results {
        match &result.outcome {
            Outcome::Failed { message } if message.contains("could not connect") => {
                online_failures += 1
            }
            Outcome::Failed { .. } => return false,
            Outcome::Passed if !result.steps.is_empty() => return false,
            _ => {}
        }
    }
    online_failures > 0
}
