//! Where running vectors post their results and trials wait for them. Trials run on the test
//! harness's threads and vectors on the async runtime; the board is the only thing they share.

use crate::verdict::VectorResult;
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex};

/// Results by vector id, posted as vectors complete.
#[derive(Default)]
pub struct Board {
    results: Mutex<BTreeMap<String, VectorResult>>,
    posted: Condvar,
}

impl Board {
    /// Posts a finished vector's result and wakes the trials waiting for it.
    pub fn post(&self, result: VectorResult) {
        let mut results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        results.insert(result.id.clone(), result);
        self.posted.notify_all();
    }

    /// Blocks until the vector's result is posted.
    pub fn wait(&self, id: &str) -> VectorResult {
        let mut results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(result) = results.get(id) {
                return result.clone();
            }
            results = self.posted.wait(results).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Blocks until every one of these vectors' results is posted.
    pub fn wait_all(&self, ids: &[String]) -> Vec<VectorResult> {
        ids.iter().map(|id| self.wait(id)).collect()
    }

    /// Every result posted so far, sorted by id.
    pub fn results(&self) -> Vec<VectorResult> {
        let results = self.results.lock().unwrap_or_else(|e| e.into_inner());
        results.values().cloned().collect()
    }
}
