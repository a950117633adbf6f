//! One whole run: load the suite, pick the target (or start the embedded reference server), run
//! the trials, print the level summary, decide the exit code.
//!
//! `main.rs` (`collections-conformance run`), `tests/conformance.rs` (`cargo test`) and an
//! implementer's own `tests/conformance.rs` all come through [`run`].

use crate::embedded;
use crate::report::{self, Coverage, RunReport};
use crate::runner::{Profile, Suite, SuiteConfig, Summary};
use crate::target::{Target, TargetArgs};
use crate::verdict::{Outcome, VectorResult};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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
    let suite = Suite::load(config).map_err(|e| Unusable(format!("{e:#}")))?;

    let mut embedded_server = None;
    let target: Option<Arc<Target>> = if test_args.list {
        None
    } else if run_args.target.has_base_url() {
        Some(Arc::new(run_args.target.resolve().map_err(Unusable)?))
    } else {
        match runtime.block_on(embedded::start(run_args.target.timeout_secs)) {
            Ok((server, target)) => {
                embedded_server = Some(server);
                Some(Arc::new(target))
            }
            Err(e) => {
                return Err(Unusable(format!(
                    "cannot start the embedded reference server: {e:#}"
                )));
            }
        }
    };
    if let Some(target) = &target {
        if !test_args.list && !matches!(test_args.format, Some(libtest_mimic::FormatSetting::Json))
        {
            let origin = if embedded_server.is_some() {
                "embedded reference server"
            } else {
                "target"
            };
            println!("conformance: {origin} at {}", target.base_url);
        }
    }

    let target_url = target
        .as_ref()
        .map_or_else(String::new, |t| t.base_url.to_string());
    let started = std::time::Instant::now();
    let trials = suite.trials(target, runtime.handle().clone());
    let conclusion = libtest_mimic::run(test_args, trials);
    if let Some(server) = embedded_server {
        if let Err(e) = runtime.block_on(server.shutdown()) {
            eprintln!("conformance: embedded server did not shut down cleanly: {e:#}");
        }
    }
    if test_args.list {
        return Ok(RunOutcome::Passed);
    }

    let mut results = suite.results.lock().map(|r| r.clone()).unwrap_or_default();
    results.sort_by(|a, b| a.id.cmp(&b.id));
    let summary = Summary::of(&results, profile);
    println!("{}", summary.render(profile));
    let report = RunReport {
        results: &results,
        summary: &summary,
        profile,
        target: target_url,
        duration: started.elapsed(),
        coverage: Coverage::of(&suite),
    };
    write_reports(run_args, &report).map_err(|e| Unusable(format!("{e:#}")))?;
    if target_unreachable(&results) {
        return Err(Unusable(
            "the target never answered (every request failed to connect); check CONFORMANCE_BASE_URL".into(),
        ));
    }
    let ran = conclusion.num_passed + conclusion.num_failed;
    if summary.invalid > 0 {
        Err(Unusable(format!(
            "{} vector file(s) are invalid; `collections-conformance lint` lists every problem",
            summary.invalid
        )))
    } else if ran == 0 && conclusion.num_filtered_out == 0 {
        Err(Unusable(format!(
            "no trial ran; check the vectors folder {}",
            suite.config.vectors.display()
        )))
    } else if conclusion.has_failed() {
        Ok(RunOutcome::Failed)
    } else {
        Ok(RunOutcome::Passed)
    }
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
