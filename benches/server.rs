//! `cargo bench --bench server`: the reference server's costs under load, printed as figures
//! (never asserted; the regression tests hold the limits).
//!
//! - nonce cache: time per check with 10^3 and 10^6 live nonces, in a steady state where the
//!   clock advances and old nonces expire while new ones arrive;
//! - durable `--state`: time per acknowledged write (`entries/add` over HTTP) with and without a
//!   state file, and what one journal record costs for a small and a full collection.

use std::time::{Duration, Instant};

use collections_conformance::oauth::{self, Credentials, SigningInput};
use collections_conformance::server::{self, NonceCache, RateLimitConfig, ServerConfig};

/// The default timestamp window: a nonce stays live for twice this.
const WINDOW: u64 = 300;

/// Fills a cache with `live` nonces spread over the live horizon, then times `ops` further
/// checks while the clock keeps moving (so expiry runs as it would in production). Returns the
/// mean, median and worst time per check.
fn nonce_steady_state(
    live: usize,
    ops: usize,
    budget: Duration,
) -> (Duration, Duration, Duration, usize) {
    let mut cache = NonceCache::default();
    let horizon = 2 * WINDOW as usize;
    let per_second = live.div_ceil(horizon).max(1);
    let mut now = 1_700_000_000u64;
    let mut counter = 0usize;
    let mut next = |cache: &mut NonceCache, now: &mut u64| {
        counter += 1;
        if counter % per_second == 0 {
            *now += 1;
        }
        let nonce = format!("n{counter:016x}");
        std::hint::black_box(
            cache.check_and_record("consumer", "token", &nonce, *now, WINDOW, false),
        );
    };
    for _ in 0..live {
        next(&mut cache, &mut now);
    }
    let mut samples = Vec::with_capacity(ops);
    let started = Instant::now();
    for _ in 0..ops {
        let t = Instant::now();
        next(&mut cache, &mut now);
        samples.push(t.elapsed());
        if started.elapsed() > budget {
            break;
        }
    }
    let n = samples.len();
    let mean = samples.iter().sum::<Duration>() / n as u32;
    samples.sort();
    (mean, samples[n / 2], samples[n - 1], n)
}

/// The default seed with at least `tweets` public tweets (one an hour, all by the main user).
fn seed_with(tweets: usize) -> server::Seed {
    let mut seed = server::Seed::default();
    let author = seed.users[0].user_id.clone();
    let template = seed.tweets[0].clone();
    let first: u64 = template.id.parse().unwrap();
    for i in seed.tweets.len()..tweets {
        seed.tweets.push(server::SeedTweet {
            id: (first + 1_000_000 + i as u64).to_string(),
            user_id: author.clone(),
            ..template.clone()
        });
    }
    seed
}

/// Median time of one signed `entries/add` + `entries/remove` pair (two acknowledged writes)
/// against a server, in a collection already holding `size` tweets.
async fn write_cost(state: Option<std::path::PathBuf>, size: usize, pairs: usize) -> Duration {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = ServerConfig {
        state_file: state,
        rate_limits: RateLimitConfig {
            default_limit: u32::MAX,
            ..RateLimitConfig::default()
        },
        seed: seed_with(size + 1),
        ..ServerConfig::default()
    };
    let running = server::start(config).await.expect("server starts");
    let info = running.info().clone();
    let http = reqwest::Client::new();
    let creds = Credentials {
        consumer_key: info.consumer_key.clone(),
        consumer_secret: info.consumer_secret.clone(),
        token: info.users[0].access_token.clone(),
        token_secret: info.users[0].access_token_secret.clone(),
    };
    let call = |endpoint: &str, params: Vec<(String, String)>| {
        let url = url::Url::parse(&format!("{}/1.1/{endpoint}.json", info.base_url)).unwrap();
        let auth = oauth::authorization_header(&oauth::sign(
            &creds,
            &SigningInput::new("POST", &url, &params),
        ));
        http.post(url)
            .header("authorization", auth)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(oauth::encode_pairs(&params))
            .send()
    };
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    let created = call("collections/create", vec![pair("name", "bench")])
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&created).unwrap();
    let id = created["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    for t in info.tweet_ids.iter().take(size) {
        call(
            "collections/entries/add",
            vec![pair("id", &id), pair("tweet_id", t)],
        )
        .await
        .unwrap();
    }
    let moving = info.tweet_ids.last().unwrap().clone();
    let mut samples = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let started = Instant::now();
        for endpoint in ["collections/entries/add", "collections/entries/remove"] {
            let r = call(endpoint, vec![pair("id", &id), pair("tweet_id", &moving)])
                .await
                .unwrap();
            assert!(r.status().is_success());
            r.bytes().await.unwrap();
        }
        samples.push(started.elapsed() / 2);
    }
    running.shutdown().await.expect("clean shutdown");
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let mut means = Vec::new();
    for live in [1_000usize, 1_000_000] {
        let (mean, p50, max, n) = nonce_steady_state(live, 200_000, Duration::from_secs(5));
        println!(
            "nonce cache: {live:>9} live nonces: mean {:.3} µs, p50 {:.3} µs, max {:.1} µs per check ({n} checks)",
            mean.as_secs_f64() * 1e6,
            p50.as_secs_f64() * 1e6,
            max.as_secs_f64() * 1e6,
        );
        means.push(mean);
    }
    println!(
        "nonce cache: mean at 10^6 / mean at 10^3 = {:.2}x",
        means[1].as_secs_f64() / means[0].as_secs_f64()
    );

    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    for size in [0usize, 2000] {
        let memory = runtime.block_on(write_cost(None, size, 500));
        let durable = runtime.block_on(write_cost(
            Some(dir.path().join(format!("s{size}.json"))),
            size,
            500,
        ));
        println!(
            "state: acknowledged write in a collection of {size} tweets: {:.0} µs in memory, {:.0} µs with --state (+{:.0} µs per write, median of 1000)",
            memory.as_secs_f64() * 1e6,
            durable.as_secs_f64() * 1e6,
            (durable.as_secs_f64() - memory.as_secs_f64()) * 1e6,
        );
    }
}
