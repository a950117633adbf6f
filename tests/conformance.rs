//! `cargo test --test conformance`: every vector as one trial, against `CONFORMANCE_BASE_URL`
//! or, when it is unset, against the embedded reference server.
//!
//! libtest-mimic owns the command line here (filters, `--list`, `--format`); the target comes
//! from `CONFORMANCE_*` environment variables.

use collections_conformance::run::{self, RunArgs};

fn main() -> std::process::ExitCode {
    run::exit_code(&RunArgs::from_env().and_then(|args| run::from_command_line(&args)))
}
