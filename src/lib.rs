//! Conformance kit for Twitter REST API v1.1 `POST collections/entries/remove`, with a faithful
//! reference server of the Collections endpoints.
//!
//! Data flows one way: `vectors/` + `specs/` -> [`vector`] -> [`fixture`] -> [`exchange`] ->
//! [`check`] -> [`runner`] -> reports. The harness and the server share only [`oauth`].

pub mod check;
pub mod exchange;
pub mod fixture;
pub mod oauth;
pub mod redact;
pub mod spec;
pub mod target;
pub mod vector;
pub mod offline;
pub mod runner;
pub mod verdict;
pub mod embedded;
pub mod run;
pub mod server;
