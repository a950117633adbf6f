//! Runs the reference server standalone until the real CLI (`collections-conformance serve`)
//! exists: `cargo run --example serve -- --port 8080`.

use clap::Parser;
use collections_conformance::server::{ServeArgs, serve_cli};

/// Collections v1.1 reference server.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    serve_cli(Cli::parse().serve).await
}
