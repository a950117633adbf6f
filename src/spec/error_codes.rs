//! `specs/error-codes.json`: v1.1 error codes with the HTTP statuses sources tie them to.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One error code.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorCode {
    /// Every status a source pairs with the code; the first is the usual one.
    pub statuses: Vec<u16>,
    /// The message text (`{name}` stands for a parameter name).
    pub message: String,
    /// `documented`, `observed` or `inferred`.
    pub evidence: String,
    /// Where it is written.
    pub source: String,
}

#[derive(Deserialize)]
struct File {
    codes: BTreeMap<u32, ErrorCode>,
}

/// All known codes.
#[derive(Debug, Clone, Default)]
pub struct ErrorCodes {
    by_code: BTreeMap<u32, ErrorCode>,
}

impl ErrorCodes {
    /// Loads the file.
    pub fn load(path: &Path) -> anyhow::Result<ErrorCodes> {
        let file: File = serde_json::from_value(super::read_json(path)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(ErrorCodes {
            by_code: file.codes,
        })
    }

    /// The entry for a code.
    pub fn get(&self, code: u32) -> Option<&ErrorCode> {
        self.by_code.get(&code)
    }

    /// Every code with its entry, in ascending order (for exports that list the whole table).
    pub fn iter(&self) -> impl Iterator<Item = (u32, &ErrorCode)> {
        self.by_code.iter().map(|(code, entry)| (*code, entry))
    }

    /// `32 (Could not authenticate you.)`, for failure text.
    pub fn describe(&self, code: u32) -> String {
        match self.get(code) {
            Some(entry) => format!("{code} ({})", entry.message.replace("{name}", "<name>")),
            None => code.to_string(),
        }
    }
}
