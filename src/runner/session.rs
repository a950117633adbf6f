//! One run's connection to its target: the shared HTTP client, the target's rate-limit windows
//! (per token and endpoint) and its health. Fixtures and steps send every request through
//! [`Session::send`], so pacing and the dead-target abort live in one place.

use crate::check::RateLimitReading;
use crate::exchange::{self, Exchange};
use crate::redact::Redactor;
use crate::target::Target;
use crate::vector::{AuthMode, Bindings, Request};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A rate-limit window: whose token, which endpoint.
type WindowKey = (&'static str, String);

/// How patient a run is with a real target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Patience {
    /// Vectors in flight at once.
    pub concurrency: usize,
    /// The longest the run waits, in total, for rate-limit windows to reset; past it, vectors
    /// that still need the window are not judged (throttled).
    pub max_wait: Duration,
    /// How long a state read may take to show an earlier write; zero: no retries.
    pub consistency_window: Duration,
    /// Consecutive requests without an answer after which the target counts as unresponsive.
    pub unresponsive_after: usize,
}

impl Default for Patience {
    fn default() -> Patience {
        Patience {
            concurrency: crate::run::RunArgs::DEFAULT_CONCURRENCY,
            max_wait: Duration::from_secs(60),
            consistency_window: Duration::from_secs(2),
            unresponsive_after: 8,
        }
    }
}

/// Why a request was not sent, or its answer cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The vector asks for a request the kit cannot build (the vector's fault).
    Vector(String),
    /// The target's rate limit would need a longer wait than `--max-wait` allows.
    Throttled(String),
    /// The target stopped answering; the run gives up on it.
    Unresponsive(String),
}

/// The run's view of one target.
pub struct Session {
    /// What is tested.
    pub target: std::sync::Arc<Target>,
    /// Shared HTTP client.
    pub client: reqwest::Client,
    /// Applied to a vector's result when it leaves the run (see `evaluate`), never before a
    /// check reads a response.
    pub redactor: Redactor,
    /// Settings.
    pub patience: Patience,
    windows: Mutex<HashMap<WindowKey, Window>>,
    /// The last rate-limit reading per token and endpoint, with when it was received.
    readings: Mutex<HashMap<WindowKey, (Instant, RateLimitReading)>>,
    waiting: Mutex<Waiting>,
    silent_in_a_row: AtomicUsize,
    unresponsive: AtomicBool,
    started: Instant,
}

/// Time spent waiting for windows, counted as wall time: waits that overlap count once.
#[derive(Debug, Default)]
struct Waiting {
    total: Duration,
    /// When the latest wait started so far ends.
    until: Option<Instant>,
}

impl Waiting {
    /// What a wait from now until `end` adds to the total.
    fn added_by(&self, now: Instant, end: Instant) -> Duration {
        let from = self.until.map_or(now, |until| until.max(now));
        end.saturating_duration_since(from)
    }
}

/// What the target last said about one rate-limit window.
#[derive(Debug, Clone, Copy)]
struct Window {
    remaining: u64,
    /// UTC epoch seconds.
    reset: u64,
}

impl Session {
    /// A session for a target.
    pub fn new(target: std::sync::Arc<Target>, patience: Patience) -> Session {
        Session {
            client: exchange::client(&target),
            redactor: Redactor::new(target.secrets()),
            target,
            patience,
            windows: Mutex::default(),
            readings: Mutex::default(),
            waiting: Mutex::default(),
            silent_in_a_row: AtomicUsize::new(0),
            unresponsive: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    /// Whether the run gave up on the target.
    pub fn is_unresponsive(&self) -> bool {
        self.unresponsive.load(Ordering::Relaxed)
    }

    /// Why the run gave up on the target.
    pub fn unresponsive_reason(&self) -> String {
        format!(
            "target unresponsive: {} requests in a row got no answer within {:.1} s (CONFORMANCE_TIMEOUT); the remaining vectors were not sent",
            self.patience.unresponsive_after,
            self.target.timeout.as_secs_f64()
        )
    }

    /// The total time spent waiting for rate-limit windows so far.
    pub fn waited(&self) -> Duration {
        self.waiting.lock().unwrap().total
    }

    /// Sends one request: waits for its rate-limit window if it is used up, retries an
    /// unexpected 429 after the reset (when `paced`), and records the target's health.
    /// `paced: false` is for steps that test rate limiting themselves.
    pub async fn send(
        &self,
        request: &Request,
        bindings: &Bindings,
        paced: bool,
    ) -> Result<Vec<Exchange>, SendError> {
        let key = (
            token_of(request.auth),
            request.endpoint.clone().unwrap_or_default(),
        );
        loop {
            if self.is_unresponsive() {
                return Err(SendError::Unresponsive(self.unresponsive_reason()));
            }
            if paced {
                self.reserve(&key).await?;
            }
            let exchanges = exchange::perform(&self.client, &self.target, request, bindings)
                .await
                .map_err(SendError::Vector)?;
            let last = exchanges.last().map(|e| &e.response);
            match last {
                Some(Ok(response)) => {
                    self.silent_in_a_row.store(0, Ordering::Relaxed);
                    self.observe(&key, response);
                    if paced && response.status == 429 {
                        continue; // observe() marked the window used up; reserve() waits or gives up.
                    }
                }
                Some(Err(_)) => {
                    let silent = self.silent_in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
                    if silent >= self.patience.unresponsive_after {
                        self.unresponsive.store(true, Ordering::Relaxed);
                    }
                }
                None => {}
            }
            return Ok(exchanges);
        }
    }

    /// Takes one request from the window, waiting for its reset when it is used up.
    async fn reserve(&self, key: &WindowKey) -> Result<(), SendError> {
        loop {
            let wait_until = {
                let mut windows = self.windows.lock().unwrap();
                match windows.get_mut(key) {
                    Some(window) if window.remaining == 0 => {
                        let now = crate::oauth::unix_now();
                        if window.reset < now {
                            windows.remove(key);
                            return Ok(());
                        }
                        window.reset
                    }
                    Some(window) => {
                        window.remaining -= 1;
                        return Ok(());
                    }
                    None => return Ok(()),
                }
            };
            let now = crate::oauth::unix_now();
            // One second of slack: the reset is whole seconds, and clocks differ a little.
            let wait = Duration::from_secs(wait_until.saturating_sub(now) + 1);
            {
                let mut waiting = self.waiting.lock().unwrap();
                let now = Instant::now();
                let end = now + wait;
                let added = waiting.added_by(now, end);
                if waiting.total + added > self.patience.max_wait {
                    return Err(SendError::Throttled(format!(
                        "throttled: the rate-limit window of {} for the {} token resets in {} s, past what --max-wait {} s (CONFORMANCE_MAX_WAIT) still allows ({:.0} s already spent waiting)",
                        key.1,
                        key.0,
                        wait.as_secs(),
                        self.patience.max_wait.as_secs(),
                        waiting.total.as_secs_f64()
                    )));
                }
                // Concurrent waits for one reset end within a second of each other: say it once.
                if added >= Duration::from_secs(1) {
                    eprintln!(
                        "conformance: rate limit of {} ({} token) used up; waiting {} s for its reset (until {:.0} s into the run)",
                        key.1,
                        key.0,
                        wait.as_secs(),
                        (self.started.elapsed() + wait).as_secs_f64()
                    );
                }
                waiting.total += added;
                waiting.until = Some(waiting.until.map_or(end, |until| until.max(end)));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Holds the rate-limit headers of one token's endpoint to one story across the whole run:
    /// within a window the limit stays and remaining never goes up; the reset moves only once
    /// the previous window has ended. Requests that overlapped in time are not compared (the
    /// target may have counted them in either order), nor refusals of the authentication.
    pub fn rate_limit_consistency(
        &self,
        request: &Request,
        exchange: &Exchange,
    ) -> Option<crate::check::Mismatch> {
        let response = exchange.response.as_ref().ok()?;
        let valid_token = request.auth.signs_as_user();
        if !valid_token || response.status == 401 || response.status >= 500 {
            return None;
        }
        let reading = RateLimitReading::read(response).ok()?;
        let key = (
            token_of(request.auth),
            request.endpoint.clone().unwrap_or_default(),
        );
        let now = Instant::now();
        let sent = now.checked_sub(exchange.duration).unwrap_or(now);
        let mut readings = self.readings.lock().unwrap();
        let previous = readings.insert(key.clone(), (now, reading));
        let (received, before) = previous?;
        if received > sent {
            return None;
        }
        let problem = if reading.reset == before.reset {
            if reading.limit != before.limit {
                Some(format!(
                    "x-rate-limit-limit {} within the window where it was {}",
                    reading.limit, before.limit
                ))
            } else if reading.remaining > before.remaining {
                Some(format!(
                    "x-rate-limit-remaining went up from {} to {} within one window (reset {})",
                    before.remaining, reading.remaining, reading.reset
                ))
            } else {
                None
            }
        } else if reading.reset < before.reset {
            Some(format!(
                "x-rate-limit-reset went back from {} to {}",
                before.reset, reading.reset
            ))
        } else if before.reset > crate::oauth::unix_now() + 1 {
            Some(format!(
                "x-rate-limit-reset moved from {} to {} before the window ended",
                before.reset, reading.reset
            ))
        } else {
            None
        };
        problem.map(|actual| {
            crate::check::Mismatch::new(
                format!(
                    "rate-limit headers of the {} token on {} across the run",
                    key.0, key.1
                ),
                "one consistent window per token and endpoint",
                actual,
            )
        })
    }

    /// Remembers what a response says about its window.
    fn observe(&self, key: &WindowKey, response: &exchange::RecordedResponse) {
        let reading = RateLimitReading::read(response).ok();
        let mut windows = self.windows.lock().unwrap();
        match (reading, response.status) {
            (_, 429) => {
                let reset = reading.map_or_else(
                    // A 429 without a reset: try again in a few seconds.
                    || crate::oauth::unix_now() + 5,
                    |r| r.reset,
                );
                windows.insert(
                    key.clone(),
                    Window {
                        remaining: 0,
                        reset,
                    },
                );
            }
            (Some(reading), _) => {
                let window = windows.entry(key.clone()).or_insert(Window {
                    remaining: reading.remaining,
                    reset: reading.reset,
                });
                if window.reset != reading.reset {
                    *window = Window {
                        remaining: reading.remaining,
                        reset: reading.reset,
                    };
                } else {
                    window.remaining = window.remaining.min(reading.remaining);
                }
            }
            (None, _) => {}
        }
    }
}

/// Whose rate-limit window a request counts against.
pub(super) fn token_of(auth: AuthMode) -> &'static str {
    match auth {
        AuthMode::OtherUser => "other user",
        AuthMode::LimitedUser => "limited user",
        AuthMode::Bearer | AuthMode::UnknownBearer => "bearer",
        AuthMode::None => "anonymous",
        _ => "main user",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{RecordedRequest, RecordedResponse};

    fn session() -> Session {
        let target = crate::target::TargetArgs {
            base_url: Some("http://127.0.0.1:9".into()),
            consumer_key: Some("k".into()),
            consumer_secret: Some("s".into()),
            access_token: Some("t".into()),
            access_token_secret: Some("ts".into()),
            timeout_secs: 1.0,
            ..Default::default()
        }
        .resolve()
        .unwrap();
        Session::new(std::sync::Arc::new(target), Patience::default())
    }

    fn exchange(remaining: u64, reset: u64) -> Exchange {
        let headers = vec![
            ("x-rate-limit-limit".to_string(), "15".to_string()),
            ("x-rate-limit-remaining".to_string(), remaining.to_string()),
            ("x-rate-limit-reset".to_string(), reset.to_string()),
        ];
        Exchange {
            request: RecordedRequest::new("POST", "http://x/", Vec::new(), None),
            response: Ok(RecordedResponse::new(200, headers, b"{}".to_vec(), false)),
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn rate_limit_headers_must_tell_one_story_per_token() {
        let session = session();
        let request = Request::api(
            "POST",
            "collections/entries/remove",
            Vec::new(),
            AuthMode::User,
        );
        let later = crate::oauth::unix_now() + 600;
        assert_eq!(
            session.rate_limit_consistency(&request, &exchange(14, later)),
            None
        );
        assert_eq!(
            session.rate_limit_consistency(&request, &exchange(13, later)),
            None
        );
        let up = session.rate_limit_consistency(&request, &exchange(14, later));
        assert!(up.is_some_and(|m| m.actual.contains("went up from 13 to 14")));
        let moved = session.rate_limit_consistency(&request, &exchange(15, later + 60));
        assert!(moved.is_some_and(|m| m.actual.contains("before the window ended")));
        // Another token has its own window.
        let other = Request::api(
            "POST",
            "collections/entries/remove",
            Vec::new(),
            AuthMode::OtherUser,
        );
        assert_eq!(
            session.rate_limit_consistency(&other, &exchange(15, later)),
            None
        );
    }
}
