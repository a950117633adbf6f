//! The kill matrix as a test: every vector must pass against the faithful reference server, and
//! every fault profile must make at least one vector of its level fail. This is what turns CI red
//! when someone adds a fault (or weakens a vector) without a vector that notices.
//!
//! Runs over the bundled `vectors/` and `specs/`; `KILL_MATRIX_VECTORS` and `KILL_MATRIX_SPECS`
//! point it at other folders (e.g. a corpus being written in another worktree).

use collections_conformance::mutants::{self, MatrixConfig};
use collections_conformance::runner::{Profile, SuiteConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_passes_the_clean_server_and_every_fault_is_caught() {
    let mut suite = SuiteConfig::bundled(Profile::Default);
    if let Some(vectors) = std::env::var_os("KILL_MATRIX_VECTORS") {
        suite.vectors = vectors.into();
    }
    if let Some(specs) = std::env::var_os("KILL_MATRIX_SPECS") {
        suite.specs = specs.into();
    }
    let matrix = mutants::run(&MatrixConfig::new(suite))
        .await
        .expect("the kill matrix runs");
    assert!(matrix.vectors > 0, "no vectors found");

    let mut problems = Vec::new();
    for failure in &matrix.clean.failures {
        problems.push(format!(
            "vector {} [{}] fails against the faithful server: {}",
            failure.id, failure.level, failure.summary
        ));
    }
    for row in matrix.survivors() {
        problems.push(format!(
            "fault {} survives [{} · {}]: {}\n    -> add a {} vector that fails under it (reproduce: `collections-conformance serve --fault {}`)",
            row.fault,
            row.level.to_uppercase(),
            row.requirement,
            row.description,
            if row.level == "must" { "MUST" } else { "MUST or SHOULD" },
            row.fault,
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the kill matrix:\n{}\n\n{}",
        problems.len(),
        problems.join("\n"),
        matrix.render()
    );
}
