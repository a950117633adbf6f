//! What an implementer writes as `tests/conformance.rs` in their own repository to run every
//! vector of the kit against their server, one test per vector, inside their `cargo test`.
//!
//! Their `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! collections-conformance = "0.1"
//!
//! [[test]]
//! name = "conformance"
//! harness = false
//! ```
//!
//! Here the kit's own reference server stands in for "your server"; replace step 1 with however
//! you start yours, and step 2 with its credentials. Run it: `cargo run --example
//! conformance_in_your_repo` (takes the same arguments as `cargo test`, e.g. `-- auth`).

use collections_conformance::run::{self, RunArgs};

fn main() -> std::process::ExitCode {
    run::exit_code(&conformance())
}

fn conformance() -> Result<run::RunOutcome, run::Unusable> {
    // 1. Start the implementation under test on a free port.
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    // A capacity the seeded tweets can fill, so the eviction vector is judged (a real server:
    // configure a small capacity for testing, or give as many tweet ids as its capacity and one).
    let config = collections_conformance::server::ServerConfig {
        collection_capacity: 12,
        ..Default::default()
    };
    let server = runtime
        .block_on(collections_conformance::server::start(config))
        .expect("the server starts");
    let seeded = server.info();

    // 2. Tell the kit where it is and how to sign (other CONFORMANCE_* settings still apply).
    let mut args = RunArgs::from_env()?;
    args.target.base_url = Some(server.base_url());
    args.target.consumer_key = Some(seeded.consumer_key.clone());
    args.target.consumer_secret = Some(seeded.consumer_secret.clone());
    args.target.access_token = Some(seeded.users[0].access_token.clone());
    args.target.access_token_secret = Some(seeded.users[0].access_token_secret.clone());
    args.target.other_access_token = Some(seeded.users[1].access_token.clone());
    args.target.other_access_token_secret = Some(seeded.users[1].access_token_secret.clone());
    // The user whose remove limit is small (the 429 vector); without it that MUST vector is
    // not judged and the run is incomplete (exit 2).
    args.target.limited_access_token = Some(seeded.users[2].access_token.clone());
    args.target.limited_access_token_secret = Some(seeded.users[2].access_token_secret.clone());
    args.target.bearer_token = Some(seeded.bearer_token.clone());
    args.target.tweet_ids = seeded.tweet_ids.clone();
    args.target.collection_capacity = Some(seeded.collection_capacity);

    // 3. Every vector is one test; filters, --list and --format work as in `cargo test`.
    run::from_command_line(&args)
}
