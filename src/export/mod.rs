//! Descriptions of the contract in other tools' formats, generated from `specs/` so they cannot
//! drift from what the kit checks.

pub mod openapi;
