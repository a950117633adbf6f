//! The contract as data: everything under `specs/`, loaded once per run.

mod error_codes;
mod requirements;
mod schemas;

pub use error_codes::{ErrorCode, ErrorCodes};
pub use requirements::{CitingVector, Requirement, Requirements};
pub use schemas::{SchemaProblem, Schemas};

use std::path::{Path, PathBuf};

/// The loaded `specs/` folder.
pub struct Spec {
    /// Folder it was loaded from, for messages.
    pub root: PathBuf,
    /// Compiled JSON Schemas by name (file stem).
    pub schemas: Schemas,
    /// Normative statements by id.
    pub requirements: Requirements,
    /// v1.1 error codes.
    pub error_codes: ErrorCodes,
}

impl Spec {
    /// Loads and compiles `specs/`; fails with a message naming the file that is wrong.
    pub fn load(root: &Path) -> anyhow::Result<Spec> {
        Ok(Spec {
            root: root.to_path_buf(),
            schemas: Schemas::load(&root.join("schemas"))?,
            requirements: Requirements::load(&root.join("requirements.json"))?,
            error_codes: ErrorCodes::load(&root.join("error-codes.json"))?,
        })
    }
}

/// Reads and parses a JSON file, naming the file and the line of a syntax error.
pub(crate) fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{} is not valid JSON (line {}, column {}): {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}
