//! `cargo bench --bench suite`: how long the kit takes, printed as figures (never asserted).
//!
//! - the whole suite against the embedded reference server (median of 5 runs);
//! - OAuth 1.0a HMAC-SHA1 signing of a remove request (per signature);
//! - the kill matrix (every vector against the clean server and every fault).

use collections_conformance::mutants::{self, MatrixConfig};
use collections_conformance::oauth::{self, Credentials, SigningInput};
use collections_conformance::runner::{Profile, Suite, SuiteConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");

    let suite = Suite::load(SuiteConfig::bundled(Profile::Strict)).expect("specs and vectors load");
    let mut samples = Vec::new();
    let mut vectors = 0;
    for _ in 0..5 {
        let (server, target) = runtime
            .block_on(collections_conformance::embedded::start(10.0))
            .expect("the embedded server starts");
        let started = Instant::now();
        let results = runtime.block_on(suite.evaluate_all(Arc::new(target), 8));
        samples.push(started.elapsed());
        vectors = results.len();
        runtime.block_on(server.shutdown()).expect("clean shutdown");
    }
    println!(
        "suite: {vectors} vectors against the embedded server, median {:.0} ms over 5 runs (8 at a time)",
        median(samples).as_secs_f64() * 1000.0
    );

    let credentials = Credentials {
        consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
        consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
        token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
        token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
    };
    let url =
        url::Url::parse("https://api.twitter.com/1.1/collections/entries/remove.json").unwrap();
    let params = vec![
        ("id".to_string(), "custom-388061495298244609".to_string()),
        ("tweet_id".to_string(), "390890231215292416".to_string()),
    ];
    let rounds = 20_000;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(oauth::sign(
            &credentials,
            &SigningInput::new("POST", &url, &params),
        ));
    }
    println!(
        "oauth: {:.2} µs per signed remove request ({rounds} signatures)",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
    );

    let started = Instant::now();
    let matrix = runtime
        .block_on(mutants::run(&MatrixConfig::new(SuiteConfig::bundled(
            Profile::Default,
        ))))
        .expect("the kill matrix runs");
    println!(
        "kill matrix: {} faults, {} survivors, {:.1} s",
        matrix.faults.len(),
        matrix.survivors().len(),
        started.elapsed().as_secs_f64()
    );
}
