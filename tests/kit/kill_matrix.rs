//! Both matrices as one test: every vector must pass against the faithful reference server, every
//! fault profile must make at least one vector of its level fail (the kill matrix), and every
//! variant, a faithful server that made another choice the sources leave open, must pass the
//! default profile (the tolerance matrix). This is what turns CI red when someone adds a fault
//! without a vector that notices, or a vector that demands more than the documentation states.
//!
//! Runs over the bundled `vectors/` and `specs/`; `KILL_MATRIX_VECTORS` and `KILL_MATRIX_SPECS`
//! point it at other folders (e.g. a corpus being written in another worktree).
//!
//! To stay within `cargo test`'s budget, each fault runs only the vectors that can observe it,
//! likeliest killers first, and stops at the first kill (the verdict "caught" is the same; see
//! `docs/mutants.md`). The second test checks that the selection changes no verdict.

use std::collections::BTreeSet;

use collections_conformance::mutants::{self, MatrixConfig, Touches};
use collections_conformance::runner::{Profile, Suite, SuiteConfig};
use collections_conformance::server::{Endpoint, Fault, Scope, Variant};

fn suite_config() -> SuiteConfig {
    let mut suite = SuiteConfig::bundled(Profile::Default);
    if let Some(vectors) = std::env::var_os("KILL_MATRIX_VECTORS") {
        suite.vectors = vectors.into();
    }
    if let Some(specs) = std::env::var_os("KILL_MATRIX_SPECS") {
        suite.specs = specs.into();
    }
    suite
}

/// The requirement group of an id: `create.name.required` -> `create`.
fn group(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// The requirement groups some vector cites (`remove`, `auth`, `create` …).
fn cited_groups(suite: &Suite) -> BTreeSet<String> {
    suite
        .vectors
        .iter()
        .filter_map(|loaded| loaded.vector.as_ref().ok())
        .flat_map(|vector| vector.requirements.iter().map(|id| group(id).to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_passes_the_clean_server_every_fault_is_caught_and_every_variant_tolerated() {
    let suite = suite_config();
    let cited = cited_groups(&Suite::load(suite.clone()).expect("the suite loads"));
    let mut config = MatrixConfig::new(suite);
    config.stop_at_first_kill = true;
    let started = std::time::Instant::now();
    let matrix = mutants::run(&config).await.expect("the matrices run");
    eprintln!(
        "kill matrix: {} faults, {} variants, {} vectors, {} of {} vector runs, {:.1} s",
        matrix.faults.len(),
        matrix.variants.len(),
        matrix.vectors,
        matrix.vector_runs,
        matrix.vector_runs_unfiltered,
        started.elapsed().as_secs_f64()
    );
    assert!(matrix.vectors > 0, "no vectors found");
    assert_eq!(matrix.variants.len(), Variant::ALL.len());

    let mut problems = Vec::new();
    // A fault whose requirement group no vector cites yet (the family's endpoints, while their
    // vectors are written beside these faults) cannot be caught: it is listed, not failed. Once
    // a vector cites the group, its faults count. The remove endpoint's are never pending.
    let pending = |name: &str| {
        name.parse::<Fault>().is_ok_and(|fault| {
            fault.scope() != Scope::Only(&[Endpoint::EntriesRemove])
                && fault.requirements().all(|id| !cited.contains(group(id)))
        })
    };
    let waiting: Vec<&str> = matrix
        .survivors()
        .into_iter()
        .filter(|row| pending(&row.fault))
        .map(|row| row.fault.as_str())
        .collect();
    if !waiting.is_empty() {
        eprintln!(
            "faults waiting for vectors citing their requirement group: {}",
            waiting.join(", ")
        );
    }
    for failure in &matrix.clean.failures {
        problems.push(format!(
            "vector {} [{}] fails against the faithful server: {}",
            failure.id, failure.level, failure.summary
        ));
    }
    for row in matrix
        .survivors()
        .into_iter()
        .filter(|r| !pending(&r.fault))
    {
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

/// The selection is sound: for a fault of an endpoint no bundled vector calls (show), one of an
/// endpoint only fixtures call (destroy: a selection blind to fixtures loses its killer) and a
/// variant of a read endpoint the remove vectors use (entries), the verdicts and the vectors
/// that fail are the same whether every vector runs or only those that can observe it; and a
/// vector's calls are read as the docs say. (Faults whose killers wait out a consistency window
/// per failing state read, like `entries-reversed`, were compared with `mutants --every-vector`
/// instead: see `docs/mutants.md`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_only_the_vectors_that_can_observe_a_fault_changes_no_verdict() {
    let faults = vec![Fault::ShowOwnerOnly, Fault::DestroyNoop];
    let mut verdicts = Vec::new();
    for every_vector in [true, false] {
        let mut config = MatrixConfig::new(suite_config());
        config.faults = faults.clone();
        config.variants = vec![Variant::EntriesWithoutUsers];
        config.every_vector = every_vector;
        let matrix = mutants::run(&config).await.expect("the matrix runs");
        let rows: Vec<_> = matrix
            .faults
            .iter()
            .map(|r| {
                (
                    r.fault.clone(),
                    r.caught,
                    r.killed_by.clone(),
                    r.also_failed.clone(),
                )
            })
            .collect();
        let variant = &matrix.variants[0];
        let variant = (variant.passed, variant.noticed_by.clone());
        verdicts.push((rows, variant, matrix.vector_runs));
    }
    let (all, picked) = (&verdicts[0], &verdicts[1]);
    assert_eq!(all.0, picked.0, "the selection changed a fault's verdict");
    assert_eq!(all.1, picked.1, "the selection changed a variant's verdict");
    assert!(
        picked.2 < all.2,
        "nothing was skipped: {} vs {}",
        picked.2,
        all.2
    );

    let suite = Suite::load(suite_config()).expect("the suite loads");
    for loaded in &suite.vectors {
        // Model sequences and canaries run on every server: no selection to check.
        let Some(touches) = Touches::of(loaded) else {
            assert!(
                loaded.id.starts_with("model::") || loaded.id.starts_with("isolation::"),
                "{} did not load",
                loaded.id
            );
            continue;
        };
        if loaded.id.starts_with("oauth::") {
            assert_eq!(touches, Touches::default(), "{}: offline", loaded.id);
        }
        if loaded.id.starts_with("remove::") && !touches.unknown_path {
            assert!(
                touches.endpoints.contains(&Endpoint::EntriesRemove),
                "{}: {touches:?}",
                loaded.id
            );
        }
    }
}
