//! `collections-conformance`: run the conformance suite, serve the reference server, list and
//! lint vectors, run the kill matrix. Only this file decides exit codes.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use collections_conformance::mutants::{self, MatrixConfig};
use collections_conformance::report::{self, Matrix};
use collections_conformance::run::{self, RunArgs};
use collections_conformance::runner::{Profile, Suite, SuiteConfig};
use collections_conformance::server::{self, Fault, ServeArgs, Variant};
use collections_conformance::target_file::Given;
use collections_conformance::vector::Level;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "collections-conformance",
    version,
    about = "Conformance kit and reference server for Twitter API v1.1 POST collections/entries/remove"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every vector against a target (default: the embedded reference server).
    ///
    /// Accepts the test-harness arguments of `cargo test`: a filter, --exact, --skip, --list,
    /// --format, --test-threads, --ignored.
    Run {
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        test: libtest_mimic::Arguments,
    },
    /// Serve the reference server; prints one JSON line with its URL and credentials when ready.
    Serve(ServeArgs),
    /// List the vectors (or, with --requirements, each requirement with the vectors covering it).
    List {
        #[command(flatten)]
        run: RunArgs,
        /// Print requirement x vectors instead of the vectors.
        #[arg(long)]
        requirements: bool,
        /// Print how many requests a full run sends per token and endpoint, to size the rate
        /// limits of a test deployment.
        #[arg(long, conflicts_with = "requirements")]
        budget: bool,
    },
    /// Check every vector file against the format; exits 1 on any problem.
    Lint {
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run every vector against the clean reference server, against one deliberately broken
    /// server per fault (the kill matrix) and against one faithful server per variant (the
    /// tolerance matrix); exits 0 when the clean server passes, every fault is caught and every
    /// variant passes the default profile, 1 when not, 2 when the matrices cannot run.
    Mutants(MutantsArgs),
    /// Judge recorded traffic: every exchange of a HAR file that targets a Collections endpoint,
    /// against the response rules that need no fixtures and (with credentials) the client's
    /// OAuth 1.0a signing. One trial per exchange; exit codes, profiles and reports as `run`.
    ///
    /// Accepts the test-harness arguments after the file: a filter, --exact, --skip, --list,
    /// --format.
    Judge {
        #[command(flatten)]
        judge: collections_conformance::judge::JudgeArgs,
        #[command(flatten)]
        test: libtest_mimic::Arguments,
    },
    /// Write the contract in another tool's format (`export openapi`: OpenAPI 3.1).
    Export {
        #[command(subcommand)]
        format: ExportFormat,
    },
}

/// Formats of `collections-conformance export`.
#[derive(Subcommand)]
enum ExportFormat {
    /// An OpenAPI 3.1 document of the Collections endpoints, generated from `specs/` (schemas,
    /// error codes, requirements, the OAuth 1.0a scheme, documented examples).
    Openapi {
        /// Write the document here instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Folder of specs (default: the kit's own `specs/`).
        #[arg(long, env = "CONFORMANCE_SPECS")]
        specs: Option<PathBuf>,
    },
}

/// Options of `collections-conformance mutants`.
#[derive(clap::Args)]
struct MutantsArgs {
    /// Folder of vector files (default: the kit's own `vectors/`).
    #[arg(long, env = "CONFORMANCE_VECTORS")]
    vectors: Option<PathBuf>,
    /// Folder of specs (default: the kit's own `specs/`).
    #[arg(long, env = "CONFORMANCE_SPECS")]
    specs: Option<PathBuf>,
    /// Only these faults (repeatable). Without --fault and --variant, every fault and every
    /// variant; with either, only the ones named.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<Fault>,
    /// Only these variants (repeatable; see --fault).
    #[arg(long = "variant", value_name = "NAME")]
    variants: Vec<Variant>,
    /// Vectors run at once against each variant's server (variants are faithful servers, so
    /// vectors may share one; all at once keeps `slow-responses` from dominating the run).
    #[arg(long, value_name = "N", default_value_t = 128)]
    variant_parallel: usize,
    /// Latency of the `slow-responses` variant in milliseconds (default: its own second).
    #[arg(long, value_name = "MS")]
    slow_latency_ms: Option<u64>,
    /// Vectors run at once against each server (above 1, vectors can see each other's damage
    /// under faults that touch other collections, and verdicts stop being deterministic).
    #[arg(long, value_name = "N", default_value_t = 1)]
    parallel: usize,
    /// Servers (the clean one, then one per fault) tested at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    servers: usize,
    /// Seconds to wait for each response.
    #[arg(long = "timeout", value_name = "SECS", default_value_t = 10.0)]
    timeout_secs: f64,
    /// Run every vector against every fault and variant server, not only the vectors that can
    /// observe it (slower, same verdicts; for checking the selection).
    #[arg(long)]
    every_vector: bool,
    /// Stop each fault's run at the first vector that catches it (same verdicts, fewer killers
    /// listed; what `cargo test` does).
    #[arg(long)]
    first_kill: bool,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t = MutantsFormat::Text)]
    format: MutantsFormat,
    /// Also write the matrix as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Also write both matrices as one HTML page in the shape of `run --matrix-html`: vectors as
    /// rows, the clean server, each fault and each variant as columns.
    #[arg(long, value_name = "PATH")]
    matrix_html: Option<PathBuf>,
    /// Also write both matrices in the JSON shape of `run --matrix-json` (cells keyed by
    /// `clean`, `fault:NAME`, `variant:NAME`).
    #[arg(long, value_name = "PATH")]
    matrix_json: Option<PathBuf>,
    /// Print every fault (name, level, requirement, description) and every variant (name,
    /// reference sections, scope, description) as Markdown tables and exit.
    #[arg(long)]
    list: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MutantsFormat {
    /// A table, the clean server's verdict and the survivors.
    Text,
    /// The matrix as one JSON document.
    Json,
}

/// Exit codes of the subcommands other than `run` (whose codes come from [`run::exit_code`]).
const EXIT_PASSED: u8 = 0;
const EXIT_FAILED: u8 = 1;
const EXIT_UNUSABLE: u8 = 2;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Run {
            run: mut args,
            test,
        } => {
            // Which defaulted settings were given, so they (and only they) override a target
            // file.
            if let Some(("run", run_matches)) = matches.subcommand() {
                args.given = Given::from_matches(run_matches);
            }
            if test.list {
                end_quietly_when_stdout_closes();
            }
            run::exit_code(&run::run(&test, &args))
        }
        Command::Serve(args) => serve(args),
        Command::List {
            run,
            requirements,
            budget,
        } => {
            end_quietly_when_stdout_closes();
            list(&run, requirements, budget)
        }
        Command::Lint { run } => {
            end_quietly_when_stdout_closes();
            lint(&run)
        }
        Command::Mutants(args) => {
            if args.list {
                end_quietly_when_stdout_closes();
            }
            mutants_cli(args)
        }
        Command::Export { format } => {
            end_quietly_when_stdout_closes();
            export(format)
        }
        Command::Judge { judge, test } => {
            run::exit_code(&collections_conformance::judge::run(&test, &judge))
        }
    }
}

/// For the commands that only print (listings, tables, exports): when the reader of stdout goes
/// away (`| head`), end at once like other command-line tools rather than panicking on the
/// broken pipe. Commands that talk over sockets keep Rust's default (SIGPIPE ignored), so a
/// peer that closes a connection is an error the kit reports, never a killed process.
fn end_quietly_when_stdout_closes() {
    #[cfg(unix)]
    // SAFETY: called once, before any thread is started; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn export(format: ExportFormat) -> ExitCode {
    let ExportFormat::Openapi { output, specs } = format;
    let root = specs.unwrap_or_else(|| SuiteConfig::bundled(Profile::Default).specs);
    let text = collections_conformance::spec::Spec::load(&root)
        .and_then(|spec| collections_conformance::export::openapi::render(&spec));
    let text = match text {
        Ok(text) => text,
        Err(e) => {
            eprintln!("export openapi: {e:#}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let written = match &output {
        Some(path) => collections_conformance::report::write(path, &text),
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
            .map_err(anyhow::Error::from),
    };
    match written {
        Ok(()) => ExitCode::from(EXIT_PASSED),
        Err(e) => {
            eprintln!("export openapi: {e:#}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn mutants_cli(args: MutantsArgs) -> ExitCode {
    if args.list {
        print!("{}\n{}", mutants::fault_table(), mutants::variant_table());
        return ExitCode::from(EXIT_PASSED);
    }
    let mut suite = SuiteConfig::bundled(Profile::Default);
    if let Some(vectors) = args.vectors {
        suite.vectors = vectors;
    }
    if let Some(specs) = args.specs {
        suite.specs = specs;
    }
    let mut config = MatrixConfig::new(suite.clone());
    config.parallel = args.parallel;
    config.concurrent_servers = args.servers;
    config.timeout_secs = args.timeout_secs;
    if !args.faults.is_empty() || !args.variants.is_empty() {
        config.faults = args.faults;
        config.variants = args.variants;
    }
    config.variant_parallel = args.variant_parallel;
    config.every_vector = args.every_vector;
    config.stop_at_first_kill = args.first_kill;
    config.latency = args.slow_latency_ms.map(std::time::Duration::from_millis);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mutants: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let matrix = match runtime.block_on(mutants::run(&config)) {
        Ok(matrix) => matrix,
        Err(e) => {
            eprintln!("mutants: {e:#}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let json = match serde_json::to_string_pretty(&matrix) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("mutants: cannot render the matrix as JSON: {e}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, format!("{json}\n")) {
            eprintln!("mutants: cannot write {}: {e}", path.display());
            return ExitCode::from(EXIT_UNUSABLE);
        }
    }
    if args.matrix_html.is_some() || args.matrix_json.is_some() {
        let written = Suite::load(suite).and_then(|suite| {
            let shaped = Matrix::of_mutants(&matrix, &suite);
            if let Some(path) = &args.matrix_html {
                report::write(path, &shaped.html())?;
            }
            if let Some(path) = &args.matrix_json {
                report::write(path, &shaped.json()?)?;
            }
            Ok(())
        });
        if let Err(e) = written {
            eprintln!("mutants: {e:#}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    }
    match args.format {
        MutantsFormat::Text => print!("{}", matrix.render()),
        MutantsFormat::Json => println!("{json}"),
    }
    if matrix.passed() {
        ExitCode::from(EXIT_PASSED)
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("serve: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    match runtime.block_on(server::serve_cli(args)) {
        Ok(()) => ExitCode::from(EXIT_PASSED),
        Err(e) => {
            eprintln!("serve: {e:#}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn load(run: &RunArgs) -> Result<Suite, ExitCode> {
    Suite::load(run.suite_config()).map_err(|e| {
        eprintln!("{e:#}");
        ExitCode::from(EXIT_UNUSABLE)
    })
}

fn list(run: &RunArgs, requirements: bool, budget: bool) -> ExitCode {
    let suite = match load(run) {
        Ok(suite) => suite,
        Err(code) => return code,
    };
    let mut text = String::new();
    if budget {
        text = collections_conformance::runner::Budget::of(&suite.vectors).render();
    } else if requirements {
        text.push_str(&signature_matrix_line(&suite.vectors));
        let coverage = suite.coverage();
        for requirement in suite.spec.requirements.iter() {
            let vectors = coverage.get(&requirement.id).cloned().unwrap_or_default();
            text.push_str(&format!(
                "{} [{} · {:?}] {}\n",
                requirement.id,
                requirement.level.label(),
                requirement.evidence,
                requirement.statement
            ));
            if vectors.is_empty() {
                text.push_str("    (no vector)\n");
            }
            for vector in vectors {
                text.push_str(&format!("    {vector}\n"));
            }
        }
    } else {
        for loaded in &suite.vectors {
            text.push_str(&match &loaded.vector {
                Ok(vector) => format!(
                    "{} [{}] {} ({})\n",
                    loaded.id,
                    vector.level.label(),
                    vector.title,
                    vector.requirements.join(", ")
                ),
                Err(_) => format!("{} [INVALID] {}\n", loaded.id, loaded.path.display()),
            });
        }
    }
    // A closed pipe (`list | head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    ExitCode::from(EXIT_PASSED)
}

/// The size and levels of the generated signature matrix (`vectors/oauth-matrix/`), the first
/// line of `list --requirements`.
fn signature_matrix_line(vectors: &[collections_conformance::vector::LoadedVector]) -> String {
    let levels: Vec<Level> = vectors
        .iter()
        .filter(|loaded| loaded.id.starts_with("oauth_matrix::"))
        .filter_map(|loaded| loaded.vector.as_ref().ok().map(|v| v.level))
        .collect();
    let count = |level: Level| levels.iter().filter(|l| **l == level).count();
    format!(
        "signature matrix: {} vectors ({} MUST, {} SHOULD) under vectors/oauth-matrix/\n",
        levels.len(),
        count(Level::Must),
        count(Level::Should)
    )
}

fn lint(run: &RunArgs) -> ExitCode {
    let suite = match load(run) {
        Ok(suite) => suite,
        Err(code) => return code,
    };
    let (mut problems, mut invalid) = (0, 0);
    for loaded in &suite.vectors {
        if let Err(errors) = &loaded.vector {
            invalid += 1;
            for error in errors {
                eprintln!("{error}");
                problems += 1;
            }
        }
    }
    let total = suite.vectors.len();
    if problems == 0 {
        println!("lint: {total} vector files, no problems");
        ExitCode::from(EXIT_PASSED)
    } else {
        eprintln!(
            "lint: {problems} problem(s) in {invalid} of {total} vector files; each invalid file is one failing trial of `run`"
        );
        ExitCode::from(EXIT_FAILED)
    }
}
