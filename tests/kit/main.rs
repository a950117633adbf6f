//! The kit's own tests, in one integration-test binary: each file under `tests/` used to link the
//! whole crate into a binary of its own, which cost more build time than the tests themselves.
//!
//! `cargo test --test kit server_auth::` runs one group; `tests/conformance.rs` (the suite
//! itself) stays a separate `harness = false` target.

mod server_support;
mod support;

mod client_report;
mod export_openapi;
mod failure_text;
mod family;
mod harness_cli;
mod harness_hostile;
mod judge_har;
mod kill_matrix;
mod levels;
mod matrix;
mod model_suite;
mod real_targets;
mod reports;
mod server_auth;
mod server_endpoints;
mod server_faults;
mod server_rate_limit;
mod server_robustness;
mod server_state;
mod server_variants;
mod signature_matrix;
mod target_files;
mod vector_loading;
