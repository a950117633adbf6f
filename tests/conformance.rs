//! `cargo test --test conformance`: every vector as one trial, against `CONFORMANCE_BASE_URL`
//! or, when it is unset, against the embedded reference server.
//!
//! libtest-mimic owns the command line here (filters, `--list`, `--format`); the target comes
//! from `CONFORMANCE_*` environment variables.

fn main() -> std::process::ExitCode {
    let test_args = libtest_mimic::Arguments::from_args();
    let run_args = collections_conformance::run::RunArgs::from_env();
    collections_conformance::run::run(&test_args, &run_args)
}
