//! `cargo bench --bench server`: the reference server's costs under load, printed as figures
//! (never asserted; the regression tests hold the limits).
//!
//! - nonce cache: time per check with 10^3 and 10^6 live nonces, in a steady state where the
//!   clock advances and old nonces expire while new ones arrive;
//! - durable `--state`: time per acknowledged write (`entries/add` over HTTP) with and without a
//!   state file, and what one journal record costs for a small and a full collection.

use std::time::{Duration, Instant};

use collections_conformance::server::NonceCache;

/// The default timestamp window: a nonce stays live for twice this.
const WINDOW: u64 = 300;

/// Fills a cache with `live` nonces spread over the live horizon, then times `ops` further
/// checks while the clock keeps moving (so expiry runs as it would in production). Returns the
/// mean, median and worst time per check.
fn nonce_steady_state(live: usize, ops: usize, budget: Duration) -> (Duration, Duration, Duration, usize) {
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
        std::hint::black_box(cache.check_and_record("consumer", "token", &nonce, *now, WINDOW));
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
}
