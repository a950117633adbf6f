//! Conformance kit for Twitter REST API v1.1 `POST collections/entries/remove`, with a faithful
//! reference server of the Collections endpoints.
//!
//! Data flows one way: `vectors/` + `specs/` -> [`vector`] -> [`fixture`] -> [`exchange`] ->
//! [`check`] -> [`runner`] -> reports. The harness and the server share only [`oauth`];
//! [`embedded`] is the glue that makes the server the default target, and [`mutants`] the glue
//! that runs the vectors against deliberately broken servers (the kill matrix).
//!
//! Beside the suite: [`export`] writes the contract in other tools' formats (OpenAPI 3.1), and
//! [`judge`] holds recorded traffic (HAR files) to the rules that need no fixtures.

pub mod bundled;
pub mod check;
pub mod embedded;
pub mod exchange;
pub mod export;
pub mod fixture;
pub mod judge;
pub mod model;
pub mod mutants;
pub mod oauth;
pub mod offline;
pub mod redact;
pub mod report;
pub mod run;
pub mod runner;
pub mod server;
pub mod spec;
pub mod target;
pub mod target_file;
pub mod vector;
pub mod verdict;
