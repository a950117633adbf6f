//! One rule a recorded exchange breaks: the mismatch, and the requirement and level it counts at.

use crate::check::Mismatch;
use crate::spec::Spec;
use crate::vector::Level;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Id in `specs/requirements.json`, when a requirement states the rule.
    pub requirement: Option<&'static str>,
    /// The level it counts at: the requirement's, or the rule's own when no requirement states it.
    pub level: Level,
    /// What differs.
    pub mismatch: Mismatch,
}

impl Finding {
    /// A finding for a requirement of `spec`, at that requirement's level (`fallback` if the
    /// specs folder in use does not have it).
    pub fn of(spec: &Spec, requirement: &'static str, fallback: Level, mismatch: Mismatch) -> Self {
        Finding {
            requirement: Some(requirement),
            level: spec
                .requirements
                .get(requirement)
                .map_or(fallback, |r| r.level),
            mismatch,
        }
    }

    /// A finding no requirement states, at a level of its own.
    pub fn rule(level: Level, mismatch: Mismatch) -> Self {
        Finding {
            requirement: None,
            level,
            mismatch,
        }
    }

    /// `[MUST remove.ids.strings] ids as strings at /response/...: expected ..., actual ...`.
    pub fn line(&self) -> String {
        match self.requirement {
            Some(id) => format!("[{} {id}] {}", self.level.label(), self.mismatch),
            None => format!("[{}] {}", self.level.label(), self.mismatch),
        }
    }
}
