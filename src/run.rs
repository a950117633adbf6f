//! One whole run: load the suite, pick the target (or start the embedded reference server), run
//! the trials, print the level summary, decide the exit code.
//!
//! `main.rs` (`collections-conformance run`), `tests/conformance.rs` (`cargo test`) and an
//! implementer's own `tests/conformance.rs` all come through [`run`].

use crate::embedded;
use crate::report::{self, Coverage, RunReport};
use crate::runner::{Patience, Profile, Session, Suite, SuiteConfig, Summary};
use crate::target::TargetArgs;
use crate::target_file::{self, Given, TargetFile};
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
    #[arg(long, env = "CONFORMANCE_CONCURRENCY", default_value_t = RunArgs::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Seconds the run may spend, in total, waiting for the target's rate-limit windows to reset;
    /// vectors that would need longer are not judged (throttled).
    #[arg(long, env = "CONFORMANCE_MAX_WAIT", default_value_t = 60.0)]
    pub max_wait: f64,
    /// Seconds a state read may keep retrying until it shows an earlier write (0: no retries).
    #[arg(long, env = "CONFORMANCE_CONSISTENCY_WINDOW", default_value_t = 2.0)]
    pub consistency_window: f64,
    /// A target file (TOML; see the README), or a folder of them (repeatable). Flags and
    /// CONFORMANCE_* variables override its keys. With several targets the suite runs against
    /// each, at once, and `--matrix-html` / `--matrix-json` compare them; the exit code is the
    /// worst target's. Under `cargo test`, CONFORMANCE_TARGET may name one file.
    #[arg(long = "target", env = "CONFORMANCE_TARGET", value_name = "FILE|DIR")]
    pub targets: Vec<PathBuf>,
    /// Write the vectors x targets matrix as one self-contained HTML page here.
    #[arg(long, env = "CONFORMANCE_MATRIX_HTML", value_name = "FILE")]
    pub matrix_html: Option<PathBuf>,
    /// Write the vectors x targets matrix as JSON here.
    #[arg(long, env = "CONFORMANCE_MATRIX_JSON", value_name = "FILE")]
    pub matrix_json: Option<PathBuf>,
    /// Which defaulted settings were given by flag or environment (they override a target
    /// file); filled from the command line's matches, none when built in code.
    #[arg(skip)]
    pub given: Given,
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
    /// Vectors in flight by default: enough that a remote target's latency, not the kit, sets
    /// the wall time of the bundled corpus (see `cargo bench --bench remote`); pacing by the
    /// target's rate-limit headers keeps it polite.
    pub const DEFAULT_CONCURRENCY: usize = 64;

    /// Settings from the environment only, for `cargo test` where libtest-mimic owns the
    /// command line. A malformed `CONFORMANCE_*` value makes the run unusable rather than
    /// quietly falling back to the embedded server.
    pub fn from_env() -> Result<RunArgs, Unusable> {
        #[derive(clap::Parser)]
        struct EnvOnly {
            #[command(flatten)]
            run: RunArgs,
        }
        let bad = |e: clap::Error| Unusable(format!("bad CONFORMANCE_* environment variable: {e}"));
        let matches = <EnvOnly as clap::CommandFactory>::command()
            .try_get_matches_from(["conformance"])
            .map_err(bad)?;
        let mut run = <EnvOnly as clap::FromArgMatches>::from_arg_matches(&matches)
            .map_err(bad)?
            .run;
        run.given = Given::from_matches(&matches);
        // libtest-mimic owns the command line here, so the matrix (one trial list per target)
        // stays a `collections-conformance run` feature.
        if let [path] = run.targets.as_slice() {
            if path.is_dir() {
                return Err(Unusable(format!(
                    "CONFORMANCE_TARGET names the folder {}: under `cargo test` it names one target file; compare several with `collections-conformance run --target {} --matrix-html FILE`",
                    path.display(),
                    path.display()
                )));
            }
        }
        Ok(run)
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
    let files = target_file::load_all(&run_args.targets).map_err(Unusable)?;
    if files.len() > 1 {
        return run_matrix(test_args, run_args, &files);
    }
    let applied;
    let run_args = match files.first() {
        Some(file) => {
            applied = applied_file(file, run_args);
            &applied
        }
        None => run_args,
    };
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
        let target = run_args.target.resolve().map_err(|e| match files.first() {
            Some(file) => Unusable(target_file::with_file_keys(&e, &file.path)),
            None => Unusable(e),
        })?;
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
    let verdict = verdict_of_run(
        &suite,
        &summary,
        &results,
        &conclusion,
        run_args,
        session.as_deref(),
    );
    if run_args.matrix_html.is_some() || run_args.matrix_json.is_some() {
        let name = match files.first() {
            Some(file) => file.name.clone(),
            None if run_args.target.has_base_url() => "target".to_string(),
            None => "embedded".to_string(),
        };
        let runs = [TargetRun {
            name,
            detail: report.target.clone(),
            profile,
            results,
            outcome: verdict.clone(),
        }];
        write_matrix(run_args, &runs).map_err(|e| Unusable(format!("{e:#}")))?;
    }
    verdict
}

/// One target's finished run, as the matrix sees it.
pub struct TargetRun {
    /// The target's name (its file's `name`, or its file name).
    pub name: String,
    /// Its base URL.
    pub detail: String,
    /// The profile it was judged under.
    pub profile: Profile,
    /// Every vector's result.
    pub results: Vec<VectorResult>,
    /// How its run ended.
    pub outcome: Result<RunOutcome, Unusable>,
}

/// A target file applied to the run's settings, with a note on stderr naming the keys of the
/// file that flags or environment variables override.
fn applied_file(file: &TargetFile, run_args: &RunArgs) -> RunArgs {
    let (args, overridden) = file.apply(run_args);
    if !overridden.is_empty() {
        eprintln!(
            "conformance: target file {}: {} given by flag or CONFORMANCE_* variable, overriding the file",
            file.path.display(),
            overridden.join(", ")
        );
    }
    args
}

fn write_matrix(run_args: &RunArgs, runs: &[TargetRun]) -> anyhow::Result<()> {
    let matrix = report::Matrix::of_targets(runs);
    if let Some(path) = &run_args.matrix_html {
        report::write(path, &matrix.html())?;
    }
    if let Some(path) = &run_args.matrix_json {
        report::write(path, &matrix.json()?)?;
    }
    Ok(())
}

/// The settings that name one target; given by flag or environment with several target files,
/// they would make every target the same, so the matrix refuses them.
fn target_naming_settings(args: &TargetArgs) -> Vec<&'static str> {
    let set = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.is_empty());
    let mut named = Vec::new();
    for (value, name) in [
        (&args.base_url, "CONFORMANCE_BASE_URL"),
        (&args.consumer_key, "CONFORMANCE_CONSUMER_KEY"),
        (&args.consumer_secret, "CONFORMANCE_CONSUMER_SECRET"),
        (&args.access_token, "CONFORMANCE_ACCESS_TOKEN"),
        (&args.access_token_secret, "CONFORMANCE_ACCESS_TOKEN_SECRET"),
        (&args.bearer_token, "CONFORMANCE_BEARER_TOKEN"),
        (&args.other_access_token, "CONFORMANCE_OTHER_ACCESS_TOKEN"),
        (
            &args.other_access_token_secret,
            "CONFORMANCE_OTHER_ACCESS_TOKEN_SECRET",
        ),
        (
            &args.limited_access_token,
            "CONFORMANCE_LIMITED_ACCESS_TOKEN",
        ),
        (
            &args.limited_access_token_secret,
            "CONFORMANCE_LIMITED_ACCESS_TOKEN_SECRET",
        ),
    ] {
        if set(value) {
            named.push(name);
        }
    }
    if args.tweet_ids.iter().any(|id| !id.trim().is_empty()) {
        named.push("CONFORMANCE_TWEET_IDS");
    }
    named
}

/// The suite against several targets at once (each its own session, every vector of every
/// target started before the first trial list prints), one libtest-mimic trial list per target,
/// per-target reports, then the matrix. The exit is the worst target's.
fn run_matrix(
    test_args: &libtest_mimic::Arguments,
    run_args: &RunArgs,
    files: &[TargetFile],
) -> Result<RunOutcome, Unusable> {
    let named = target_naming_settings(&run_args.target);
    if !named.is_empty() {
        return Err(Unusable(format!(
            "{} given by flag or environment variable, but --target names {} targets: each target file names its own (unset them, or run one target)",
            named.join(", "),
            files.len()
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Unusable(format!("cannot start the async runtime: {e}")))?;
    let mut prepared = Vec::new();
    for file in files {
        let args = applied_file(file, run_args);
        let within = |e: String| Unusable(target_file::with_file_keys(&e, &file.path));
        let patience = args.patience().map_err(|e| within(e.0))?;
        let target = args.target.resolve().map_err(within)?;
        let suite = Suite::load(args.suite_config()).map_err(|e| Unusable(format!("{e:#}")))?;
        prepared.push((file, args, suite, target, patience));
    }
    if test_args.list {
        if let Some((_, _, suite, _, _)) = prepared.first() {
            let _ = libtest_mimic::run(test_args, suite.trials(None, runtime.handle(), test_args));
        }
        return Ok(RunOutcome::Passed);
    }
    let json_format = matches!(test_args.format, Some(libtest_mimic::FormatSetting::Json));
    let started = std::time::Instant::now();
    let running: Vec<_> = prepared
        .into_iter()
        .map(|(file, args, suite, target, patience)| {
            let session = Arc::new(Session::new(Arc::new(target), patience));
            let trials = suite.trials(Some(Arc::clone(&session)), runtime.handle(), test_args);
            (file, args, suite, session, trials)
        })
        .collect();
    let mut runs = Vec::new();
    for (file, args, suite, session, trials) in running {
        if !json_format {
            println!(
                "conformance: target `{}` ({}) at {}",
                file.name,
                file.path.display(),
                session.target.base_url
            );
        }
        let conclusion = libtest_mimic::run(test_args, trials);
        let results = suite.board.results();
        let profile = suite.config.profile;
        let summary = Summary::of(&results, profile);
        println!("{}", summary.render(profile));
        if !session.waited().is_zero() {
            println!(
                "conformance: waited {:.1} s in all for the rate-limit windows of `{}`",
                session.waited().as_secs_f64(),
                file.name
            );
        }
        let report = RunReport {
            results: &results,
            summary: &summary,
            profile,
            target: session.target.base_url.to_string(),
            duration: started.elapsed(),
            coverage: Coverage::of(&suite, &results),
        };
        let outcome = write_reports(&per_target_reports(&args, &file.name), &report)
            .map_err(|e| Unusable(format!("{e:#}")))
            .and_then(|()| {
                verdict_of_run(
                    &suite,
                    &summary,
                    &results,
                    &conclusion,
                    &args,
                    Some(&session),
                )
            });
        runs.push(TargetRun {
            name: file.name.clone(),
            detail: report.target.clone(),
            profile,
            results,
            outcome,
        });
    }
    write_matrix(run_args, &runs).map_err(|e| Unusable(format!("{e:#}")))?;
    let lines: Vec<String> = runs
        .iter()
        .map(|run| match &run.outcome {
            Ok(RunOutcome::Passed) => format!("`{}` passed", run.name),
            Ok(RunOutcome::Failed) => format!("`{}` failed", run.name),
            Err(_) => format!("`{}` unusable", run.name),
        })
        .collect();
    println!("conformance: {} targets: {}", runs.len(), lines.join(" · "));
    let unusable: Vec<String> = runs
        .iter()
        .filter_map(|run| {
            run.outcome
                .as_ref()
                .err()
                .map(|e| format!("target `{}`: {e}", run.name))
        })
        .collect();
    if !unusable.is_empty() {
        return Err(Unusable(unusable.join("\n")));
    }
    if runs.iter().any(|run| run.outcome == Ok(RunOutcome::Failed)) {
        Ok(RunOutcome::Failed)
    } else {
        Ok(RunOutcome::Passed)
    }
}

/// The report paths of one target of several: `report.json` becomes `report.NAME.json`.
fn per_target_reports(args: &RunArgs, name: &str) -> RunArgs {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let rename = |path: &Option<PathBuf>| {
        path.as_ref().map(|path| {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = match path.extension() {
                Some(ext) => format!("{stem}.{safe}.{}", ext.to_string_lossy()),
                None => format!("{stem}.{safe}"),
            };
            path.with_file_name(file)
        })
    };
    RunArgs {
        junit: rename(&args.junit),
        report_json: rename(&args.report_json),
        report_html: rename(&args.report_html),
        ..args.clone()
    }
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
        let url = session.map_or_else(String::new, |s| s.target.base_url.to_string());
        return Err(Unusable(format!(
            "the target never answered (every request failed to connect); check CONFORMANCE_BASE_URL, and that the target at {url} is up and answering"
        )));
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
