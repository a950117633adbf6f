//! Conformance kit for Twitter REST API v1.1 `POST collections/entries/remove`.
pub mod oauth;
pub mod server;
