//! The model-based state suite (`vectors/model/`, `src/model/`): it passes against the faithful
//! server, and finds every state fault with a shrunk sequence and the seed that replays it.

use collections_conformance::embedded;
use collections_conformance::runner::{Patience, Session, evaluate};
use collections_conformance::server::{Fault, ServerConfig};
use collections_conformance::spec::Spec;
use collections_conformance::vector::{self, LoadedVector};
use collections_conformance::verdict::{Outcome, VectorResult};
use std::path::PathBuf;
use std::sync::Arc;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn model_vector(spec: &Spec, file: &str) -> LoadedVector {
    vector::load_all(&repo().join("vectors"), spec)
        .unwrap()
        .into_iter()
        .find(|v| v.path.ends_with(file))
        .unwrap_or_else(|| panic!("no vector {file}"))
}

/// Runs one model vector against a fresh embedded server with `faults`.
async fn run(file: &str, faults: &[Fault]) -> VectorResult {
    let spec = Spec::load(&repo().join("specs")).unwrap();
    let loaded = model_vector(&spec, file);
    assert!(loaded.vector.is_ok(), "{file}: {:?}", loaded.vector.err());
    let config = ServerConfig {
        faults: faults.iter().copied().collect(),
        ..ServerConfig::default()
    };
    let (server, target) = embedded::start_with(config, 10.0).await.unwrap();
    let session = Session::new(Arc::new(target), Patience::default());
    let result = evaluate(&loaded, &spec, Some(&session)).await;
    drop(server);
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_vectors_pass_against_the_faithful_server() {
    for file in [
        "model/default.json",
        "model/concurrent.json",
        "model/open-points.json",
    ] {
        let result = run(file, &[]).await;
        assert_eq!(result.outcome, Outcome::Passed, "{file}");
    }
}

/// The state faults and the vector that must find each.
const STATE_FAULTS: [(Fault, &str); 6] = [
    (Fault::ReaddKeepsPosition, "model/default.json"),
    (Fault::RemoveFromEveryCollection, "model/default.json"),
    (Fault::IdsAsFloat64, "model/default.json"),
    (Fault::PagingSkipsEntry, "model/default.json"),
    (Fault::MoveOffByOne, "model/default.json"),
    (Fault::CurateFirstChangeOnly, "model/default.json"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_fault_is_found_with_a_shrunk_sequence_and_its_seed() {
    let mut missed = Vec::new();
    for (fault, file) in STATE_FAULTS {
        assert!(fault.server_wide(), "{fault} is a state fault");
        let result = run(file, &[fault]).await;
        let Outcome::Failed { message } = &result.outcome else {
            missed.push(format!("{fault}: {:?}", result.outcome));
            continue;
        };
        eprintln!("--- {fault}\n{message}");
        assert!(message.contains("seed 1 (sequence"), "{fault}: {message}");
        assert!(message.contains("CONFORMANCE_SEED=1"), "{fault}: {message}");
        let ops = message
            .lines()
            .filter(|l| l.starts_with("    ") && l.trim_start().starts_with(char::is_numeric))
            .count();
        // Two creates at most, the operations that set the state up, the one that diverges.
        assert!(
            (1..=6).contains(&ops),
            "{fault}: not shrunk ({ops} operations):\n{message}"
        );
        assert!(
            !result.steps.is_empty() && !result.steps.last().unwrap().passed,
            "{fault}: the diverging request is recorded last"
        );
    }
    assert!(
        missed.is_empty(),
        "state faults not found:\n{}",
        missed.join("\n")
    );
}

/// `--seed` reaches the model vectors and is printed (run in a child process: the override is
/// process-wide, and the kill matrix runs beside this test).
#[test]
fn the_seed_is_settable_and_printed() {
    let exe = env!("CARGO_BIN_EXE_collections-conformance");
    let output = std::process::Command::new(exe)
        .args(["run", "--seed", "424242", "model::default", "--exact"])
        .env_remove("CONFORMANCE_BASE_URL")
        .env_remove("CONFORMANCE_SEED")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("model::default: seed 424242:"), "{stderr}");
}
