//! Rate-limit headers across a recording: each response's `x-rate-limit-*` numeric and
//! consistent, and, per access token and endpoint, `remaining` counting down within a window,
//! the window (`reset`) moving only once the previous one has ended.
//!
//! Times come from the recording (`startedDateTime`), never from the clock now: a HAR is judged
//! long after it was made. Requests that were in flight at once may be counted by the server in
//! another order than they started; such a recording can show a false "not decreasing".

use super::finding::Finding;
use crate::check::{Mismatch, RateLimitReading};
use crate::exchange::RecordedResponse;
use crate::spec::Spec;
use crate::vector::Level;
use std::collections::HashMap;

/// Requirement the rules check.
const HEADERS: &str = "ratelimit.headers";

/// Seconds of slack for clocks that tick between a server's answer and the recorder's timestamp.
const SLACK: i64 = 1;

/// The latest reading per (token, endpoint), to compare the next one with.
#[derive(Debug, Default)]
pub struct Windows {
    last: HashMap<(String, String), Seen>,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    entry: usize,
    reading: RateLimitReading,
}

impl Windows {
    /// Judges the headers of entry `entry` (started at `started`, Unix seconds, if known), sent
    /// with access token `token` (empty: none) to `endpoint`, and remembers its reading.
    pub fn judge(
        &mut self,
        spec: &Spec,
        entry: usize,
        started: Option<i64>,
        token: &str,
        endpoint: &str,
        response: &RecordedResponse,
    ) -> Vec<Finding> {
        let finding = |mismatch| Finding::of(spec, HEADERS, Level::Should, mismatch);
        let any = [
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
        ]
        .iter()
        .any(|name| response.header(name).is_some());
        if !any {
            // Refusals before authentication carry none; a success should.
            if (200..300).contains(&response.status) && !token.is_empty() {
                return vec![finding(Mismatch::new(
                    "x-rate-limit-* headers",
                    "present on an authenticated success",
                    "absent",
                ))];
            }
            return Vec::new();
        }
        let reading = match RateLimitReading::read(response) {
            Ok(reading) => reading,
            Err(mismatch) => return vec![finding(mismatch)],
        };
        let mut found = Vec::new();
        if reading.remaining > reading.limit {
            found.push(finding(Mismatch::new(
                "x-rate-limit-remaining",
                format!("at most x-rate-limit-limit ({})", reading.limit),
                reading.remaining.to_string(),
            )));
        }
        let reset = i64::try_from(reading.reset).unwrap_or(i64::MAX);
        if let Some(started) = started {
            if reset + SLACK < started {
                found.push(finding(Mismatch::new(
                    "x-rate-limit-reset",
                    format!("a time after the request ({started}, from startedDateTime)"),
                    reading.reset.to_string(),
                )));
            } else if reset > started + 15 * 60 + 60 {
                found.push(finding(Mismatch::new(
                    "x-rate-limit-reset",
                    format!("within the 15-minute window of the request ({started})"),
                    reading.reset.to_string(),
                )));
            }
        }
        let key = (token.to_string(), endpoint.to_string());
        if !token.is_empty() {
            if let Some(before) = self.last.get(&key) {
                found.extend(sequence(before, &reading, started).into_iter().map(finding));
            }
            self.last.insert(key, Seen { entry, reading });
        }
        found
    }
}

fn sequence(before: &Seen, now: &RateLimitReading, started: Option<i64>) -> Option<Mismatch> {
    let previous = before.reading;
    if now.reset == previous.reset {
        let counted =
            now.remaining < previous.remaining || (previous.remaining == 0 && now.remaining == 0);
        return (!counted).then(|| {
            Mismatch::new(
                "x-rate-limit-remaining",
                format!(
                    "less than {} (log.entries[{}], same token, endpoint and window)",
                    previous.remaining, before.entry
                ),
                now.remaining.to_string(),
            )
        });
    }
    // A new window may start only once the previous one has ended.
    let ended =
        started.is_some_and(|t| t + SLACK >= i64::try_from(previous.reset).unwrap_or(i64::MAX));
    (!ended).then(|| {
        Mismatch::new(
            "x-rate-limit-reset",
            format!(
                "unchanged at {} (log.entries[{}]) until that window ends{}",
                previous.reset,
                before.entry,
                started.map_or(
                    " (this entry has no valid startedDateTime)".to_string(),
                    |t| format!("; this request started at {t}")
                )
            ),
            format!("{} (remaining {})", now.reset, now.remaining),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_800_000_000;

    fn spec() -> Spec {
        Spec::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    fn response(status: u16, limit: &str, remaining: &str, reset: i64) -> RecordedResponse {
        RecordedResponse::new(
            status,
            vec![
                ("x-rate-limit-limit".into(), limit.into()),
                ("x-rate-limit-remaining".into(), remaining.into()),
                ("x-rate-limit-reset".into(), reset.to_string()),
            ],
            b"{}".to_vec(),
            false,
        )
    }

    fn texts(found: Vec<Finding>) -> Vec<String> {
        found.iter().map(|f| f.mismatch.to_string()).collect()
    }

    #[test]
    fn a_countdown_within_one_window_and_a_new_window_after_it_hold() {
        let spec = spec();
        let mut windows = Windows::default();
        let reset = T + 900;
        for (i, remaining) in ["3", "2", "1", "0"].iter().enumerate() {
            let r = response(200, "4", remaining, reset);
            assert!(
                windows
                    .judge(&spec, i, Some(T + i as i64), "tok", "/r", &r)
                    .is_empty()
            );
        }
        // Exhausted: further 429s stay at 0.
        let r = response(429, "4", "0", reset);
        assert!(
            windows
                .judge(&spec, 4, Some(T + 5), "tok", "/r", &r)
                .is_empty()
        );
        // After the window ended, a new one starts.
        let r = response(200, "4", "3", reset + 900);
        assert!(
            windows
                .judge(&spec, 5, Some(reset), "tok", "/r", &r)
                .is_empty()
        );
        // Another token or endpoint has windows of its own.
        let r = response(200, "4", "3", reset);
        assert!(
            windows
                .judge(&spec, 6, Some(T + 6), "other", "/r", &r)
                .is_empty()
        );
        assert!(
            windows
                .judge(&spec, 7, Some(T + 6), "tok", "/s", &r)
                .is_empty()
        );
    }

    #[test]
    fn a_count_that_does_not_go_down_or_a_window_that_moves_early_is_named() {
        let spec = spec();
        let mut windows = Windows::default();
        let reset = T + 900;
        assert!(
            windows
                .judge(
                    &spec,
                    0,
                    Some(T),
                    "tok",
                    "/r",
                    &response(200, "4", "3", reset)
                )
                .is_empty()
        );
        assert_eq!(
            texts(windows.judge(
                &spec,
                1,
                Some(T + 1),
                "tok",
                "/r",
                &response(200, "4", "3", reset)
            )),
            [
                "x-rate-limit-remaining: expected less than 3 (log.entries[0], same token, endpoint and window), actual 3"
            ]
        );
        let moved = texts(windows.judge(
            &spec,
            2,
            Some(T + 2),
            "tok",
            "/r",
            &response(200, "4", "4", reset + 5),
        ));
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert!(moved[0].starts_with(&format!("x-rate-limit-reset: expected unchanged at {reset} (log.entries[1]) until that window ends; this request started at {}", T + 2)), "{moved:?}");
    }

    #[test]
    fn malformed_or_inconsistent_headers_are_named() {
        let spec = spec();
        let mut windows = Windows::default();
        assert_eq!(
            texts(windows.judge(
                &spec,
                0,
                Some(T),
                "tok",
                "/r",
                &response(200, "4", "many", T + 900)
            )),
            ["header x-rate-limit-remaining: expected a non-negative integer, actual `many`"]
        );
        let found = texts(windows.judge(
            &spec,
            1,
            Some(T),
            "tok",
            "/q",
            &response(200, "4", "9", T - 60),
        ));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("x-rate-limit-remaining: expected at most x-rate-limit-limit (4)")
        );
        assert!(found[1].starts_with("x-rate-limit-reset: expected a time after the request"));
        let absent = RecordedResponse::new(200, vec![], b"{}".to_vec(), false);
        assert_eq!(
            texts(windows.judge(&spec, 2, Some(T), "tok", "/q", &absent)),
            ["x-rate-limit-* headers: expected present on an authenticated success, actual absent"]
        );
        assert!(
            windows
                .judge(&spec, 3, Some(T), "", "/q", &absent)
                .is_empty()
        );
    }
}
