//! Both matrices as one test: every vector must pass against the faithful reference server, every
//! fault profile must make at least one vector of its level fail (the kill matrix), and every
//! variant, a faithful server that made another choice the sources leave open, must pass the
//! default profile (the tolerance matrix). This is what turns CI red when someone adds a fault
//! without a vector that notices, or a vector that demands more than the documentation states.
//!
//! Runs over the bundled `vectors/` and `specs/`; `KILL_MATRIX_VECTORS` and `KILL_MATRIX_SPECS`
//! point it at other folders (e.g. a corpus being written in another worktree).

use collections_conformance::mutants::{self, MatrixConfig};
use collections_conformance::runner::{Profile, SuiteConfig};
use collections_conformance::server::Variant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_passes_the_clean_server_every_fault_is_caught_and_every_variant_tolerated() {
    let mut suite = SuiteConfig::bundled(Profile::Default);
    if let Some(vectors) = std::env::var_os("KILL_MATRIX_VECTORS") {
        suite.vectors = vectors.into();
    }
    if let Some(specs) = std::env::var_os("KILL_MATRIX_SPECS") {
        suite.specs = specs.into();
    }
    let matrix = mutants::run(&MatrixConfig::new(suite))
        .await
        .expect("the matrices run");
    assert!(matrix.vectors > 0, "no vectors found");
    assert_eq!(matrix.variants.len(), Variant::ALL.len());

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
    for row in &matrix.variants {
        for failure in &row.false_failures {
            problems.push(format!(
                "false failure: vector {} [{}] fails under variant {} [{}]: {}\n    -> {}\n    -> the vector demands more than the sources say: relax or split it (reproduce: `collections-conformance serve --variant {}`)",
                failure.id,
                failure.level,
                row.variant,
                row.sections,
                failure.summary,
                row.description,
                row.variant,
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the matrices:\n{}\n\n{}",
        problems.len(),
        problems.join("\n"),
        matrix.render()
    );
}
