//! `cargo bench --bench remote`: the kit against a target that is not on loopback speed.
//!
//! - the whole run (`run`, through the test harness, default settings) against the reference
//!   server behind a loopback proxy that adds 25 ms each way: wall time, the critical path (the
//!   longest single vector, from the JSON report) and their ratio;
//! - the whole run against a reference server with a tight remove limit and a short window:
//!   failed and not-judged counts, and how long it waited for windows.
//!
//! Figures are printed, never asserted.

use collections_conformance::embedded;
use collections_conformance::run::{self, RunArgs};
use collections_conformance::server::{RateLimitConfig, ServerConfig};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ONE_WAY: Duration = Duration::from_millis(25);

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");

    // 1. Latency: the reference server behind a 25 ms-each-way proxy.
    let (server, target) = runtime
        .block_on(embedded::start(10.0))
        .expect("the embedded server starts");
    let upstream = target.base_url.clone();
    let proxy = runtime.block_on(start_proxy(
        upstream.host_str().unwrap_or("127.0.0.1").to_string(),
        upstream.port().expect("the embedded server has a port"),
    ));
    let mut args = run_args_for(&server, &format!("http://{proxy}"));
    let dir = tempfile::tempdir().expect("a temp dir");
    args.report_json = Some(dir.path().join("latency.json"));
    let started = Instant::now();
    let outcome = run::run(&quiet(), &args);
    let wall = started.elapsed();
    let critical = critical_path(&dir.path().join("latency.json"));
    println!(
        "remote (25 ms each way): wall {:.2} s, critical path {:.2} s, ratio {:.2}x, outcome {outcome:?}",
        wall.as_secs_f64(),
        critical.as_secs_f64(),
        wall.as_secs_f64() / critical.as_secs_f64()
    );
    runtime.block_on(server.shutdown()).expect("clean shutdown");

    // 2. A tight remove limit with a short window: the kit waits instead of failing.
    let mut config = ServerConfig {
        rate_limits: RateLimitConfig {
            window_secs: 5,
            ..RateLimitConfig::default()
        },
        // Fillable by the seed, so the eviction vector is judged here too.
        collection_capacity: embedded::EMBEDDED_COLLECTION_CAPACITY,
        ..ServerConfig::default()
    };
    config
        .rate_limits
        .endpoint_limits
        .insert("collections/entries/remove".into(), 20);
    // Started directly: `embedded::start_with` lifts server-wide limits for the kit's traffic.
    let server = runtime
        .block_on(collections_conformance::server::start(config))
        .expect("the throttled server starts");
    let base_url = server.info().base_url.clone();
    let mut args = run_args_for(&server, &base_url);
    args.report_json = Some(dir.path().join("throttled.json"));
    let started = Instant::now();
    let outcome = run::run(&quiet(), &args);
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("throttled.json")).expect("the report"),
    )
    .expect("JSON");
    let failed = report["vectors"]
        .as_array()
        .map_or(0, |v| v.iter().filter(|v| v["verdict"] == "failed").count());
    println!(
        "throttled (remove 20 per 5 s window, --max-wait 60): wall {:.1} s, {failed} failed, MUST not judged {}, outcome {outcome:?}",
        started.elapsed().as_secs_f64(),
        report["summary"]["levels"]["must"]["not_judged"]
    );
    runtime.block_on(server.shutdown()).expect("clean shutdown");
}

fn quiet() -> libtest_mimic::Arguments {
    libtest_mimic::Arguments {
        quiet: true,
        ..libtest_mimic::Arguments::default()
    }
}

/// Run settings for a started reference server reached at `base_url`.
fn run_args_for(
    server: &collections_conformance::server::RunningServer,
    base_url: &str,
) -> RunArgs {
    let mut args = RunArgs {
        concurrency: RunArgs::DEFAULT_CONCURRENCY,
        max_wait: 60.0,
        consistency_window: 2.0,
        ..RunArgs::default()
    };
    args.target = embedded::target_args(server.info(), 10.0);
    args.target.base_url = Some(base_url.to_string());
    args
}

/// The longest single vector of a run: the least time any scheduler could take.
fn critical_path(report: &Path) -> Duration {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).expect("the report")).expect("JSON");
    let longest = report["vectors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["duration_ms"].as_u64())
        .max()
        .unwrap_or(1);
    Duration::from_millis(longest)
}

/// A TCP proxy on loopback that delivers every chunk `ONE_WAY` after it was read, in both
/// directions, without limiting throughput (chunks in flight overlap).
async fn start_proxy(host: String, port: u16) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let host = host.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect((host.as_str(), port)).await else {
                    return;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(delayed_pipe(client_read, server_write));
                tokio::spawn(delayed_pipe(server_read, client_write));
            });
        }
    });
    address
}

async fn delayed_pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
) {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((read_at, chunk)) = receiver.recv().await {
            tokio::time::sleep_until((read_at + ONE_WAY).into()).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buffer = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buffer).await {
        if n == 0 || sender.send((Instant::now(), buffer[..n].to_vec())).is_err() {
            break;
        }
    }
    drop(sender);
    let _ = writer.await;
}
