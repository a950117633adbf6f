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
use collections_conformance::server::{Endpoint, Fault, Variant};

/// Endpoints the bundled corpus has no vector for yet: a fault of one of them cannot be caught
/// and is listed, not failed. The test fails when one of them gains a vector, so the entry must
/// then go (and its faults count from then on). Empty once the family's vectors are merged.
const ENDPOINTS_WITHOUT_VECTORS_YET: &[Endpoint] = &[
    Endpoint::Show,
    Endpoint::Update,
    Endpoint::List,
    Endpoint::EntriesMove,
    Endpoint::EntriesCurate,
];

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

/// Endpoints some vector's steps call (fixtures aside: a fixture is not a test of its endpoint).
fn endpoints_with_vectors(suite: &Suite) -> BTreeSet<Endpoint> {
    use collections_conformance::vector::VectorBody;
    let mut called = BTreeSet::new();
    for loaded in &suite.vectors {
        let Ok(vector) = &loaded.vector else { continue };
        let VectorBody::Steps(steps) = &vector.body else {
            continue;
        };
        for step in steps {
            if let Some(endpoint) = step
                .request
                .endpoint
                .as_deref()
                .and_then(Endpoint::from_name)
            {
                called.insert(endpoint);
            }
        }
    }
    called
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_passes_the_clean_server_every_fault_is_caught_and_every_variant_tolerated() {
    let suite = suite_config();
    let covered = endpoints_with_vectors(&Suite::load(suite.clone()).expect("the suite loads"));
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
    for endpoint in ENDPOINTS_WITHOUT_VECTORS_YET {
        if covered.contains(endpoint) {
            problems.push(format!(
                "{} has vectors now: remove it from ENDPOINTS_WITHOUT_VECTORS_YET so its faults count",
                endpoint.name()
            ));
        }
    }
    let pending = |name: &str| {
        name.parse::<Fault>()
            .is_ok_and(|fault| match fault.scope() {
                collections_conformance::server::Scope::Only(endpoints) => endpoints
                    .iter()
                    .all(|e| ENDPOINTS_WITHOUT_VECTORS_YET.contains(e)),
                collections_conformance::server::Scope::Everywhere => false,
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
            "faults waiting for the vectors of their endpoint: {}",
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

/// The selection is sound: for a fault of an oracle endpoint (observed through fixtures), one of
/// remove and one of a read, the vectors that catch it are the same whether every vector runs or
/// only those that can observe it; and a vector's calls are read as the docs say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_only_the_vectors_that_can_observe_a_fault_changes_no_verdict() {
    let faults = vec![
        Fault::AddAtBottom,
        Fault::RemoveNoop,
        Fault::EntriesReversed,
    ];
    let mut verdicts = Vec::new();
    for every_vector in [true, false] {
        let mut config = MatrixConfig::new(suite_config());
        config.faults = faults.clone();
        config.variants = vec![Variant::KeysReordered];
        config.every_vector = every_vector;
        let matrix = mutants::run(&config).await.expect("the matrix runs");
        let rows: Vec<(String, bool, Vec<String>)> = matrix
            .faults
            .iter()
            .map(|r| (r.fault.clone(), r.caught, r.killed_by.clone()))
            .collect();
        verdicts.push((rows, matrix.vector_runs, matrix.variants[0].passed));
    }
    let (all, picked) = (&verdicts[0], &verdicts[1]);
    assert_eq!(all.0, picked.0, "the selection changed a verdict");
    assert_eq!(all.2, picked.2);
    assert!(
        picked.1 < all.1,
        "nothing was skipped: {} vs {}",
        picked.1,
        all.1
    );

    let suite = Suite::load(suite_config()).expect("the suite loads");
    for loaded in &suite.vectors {
        let touches = Touches::of(loaded).expect("bundled vectors load");
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
