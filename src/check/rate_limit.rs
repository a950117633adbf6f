//! `x-rate-limit-*` headers: present, numeric, consistent, and counting down.

use super::Mismatch;
use crate::exchange::RecordedResponse;
use crate::vector::RateLimitExpectation;

/// The three rate-limit headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitReading {
    /// `x-rate-limit-limit`.
    pub limit: u64,
    /// `x-rate-limit-remaining`.
    pub remaining: u64,
    /// `x-rate-limit-reset`, UTC epoch seconds.
    pub reset: u64,
}

impl RateLimitReading {
    /// Reads the headers; `Err` names the first one missing or not a number.
    pub fn read(response: &RecordedResponse) -> Result<RateLimitReading, Mismatch> {
        let number = |name: &str| -> Result<u64, Mismatch> {
            let value = response
                .header(name)
                .ok_or_else(|| Mismatch::new(format!("header {name}"), "present", "absent"))?;
            value.trim().parse().map_err(|_| {
                Mismatch::new(
                    format!("header {name}"),
                    "a non-negative integer",
                    format!("`{value}`"),
                )
            })
        };
        Ok(RateLimitReading {
            limit: number("x-rate-limit-limit")?,
            remaining: number("x-rate-limit-remaining")?,
            reset: number("x-rate-limit-reset")?,
        })
    }
}

pub(super) fn check(
    expectation: &RateLimitExpectation,
    response: &RecordedResponse,
    previous: Option<RateLimitReading>,
) -> Vec<Mismatch> {
    check_at(expectation, response, previous, crate::oauth::unix_now())
}

/// [`check`] at a given time (UTC epoch seconds), so tests can place the window.
fn check_at(
    expectation: &RateLimitExpectation,
    response: &RecordedResponse,
    previous: Option<RateLimitReading>,
    now: u64,
) -> Vec<Mismatch> {
    let reading = match RateLimitReading::read(response) {
        Ok(reading) => reading,
        Err(mismatch) => return vec![mismatch],
    };
    let mut found = Vec::new();
    if reading.remaining > reading.limit {
        found.push(Mismatch::new(
            "x-rate-limit-remaining",
            format!("at most x-rate-limit-limit ({})", reading.limit),
            reading.remaining.to_string(),
        ));
    }
    // A second of slack for clocks that tick between the server's answer and this check.
    if reading.reset + 1 < now {
        found.push(Mismatch::new(
            "x-rate-limit-reset",
            format!("a time in the future (now is {now})"),
            reading.reset.to_string(),
        ));
    }
    if reading.reset > now + 15 * 60 + 60 {
        found.push(Mismatch::new(
            "x-rate-limit-reset",
            format!("within the 15-minute window (now is {now})"),
            reading.reset.to_string(),
        ));
    }
    if expectation.decreasing {
        match previous {
            None => found.push(Mismatch::new(
                "x-rate-limit-remaining",
                "a previous step with rate-limit headers to compare with",
                "none (the vector is wrong: put `decreasing` on a later step)",
            )),
            // Same window: the request must have been counted.
            Some(before) if reading.reset == before.reset => {
                if reading.remaining >= before.remaining {
                    found.push(Mismatch::new(
                        "x-rate-limit-remaining",
                        format!("less than the previous step's {}", before.remaining),
                        reading.remaining.to_string(),
                    ));
                }
            }
            // A new window may start only once the previous one has ended (with the same second
            // of slack as above); before that, the reset must stay where it was.
            Some(before) if before.reset > now + 1 => found.push(Mismatch::new(
                "x-rate-limit-reset",
                format!(
                    "unchanged at {} until that window ends (now is {now}), with remaining below {}",
                    before.reset, before.remaining
                ),
                format!("{} (remaining {})", reading.reset, reading.remaining),
            )),
            Some(_) => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;

    fn response(limit: &str, remaining: &str, reset: &str) -> RecordedResponse {
        RecordedResponse::new(
            200,
            vec![
                ("x-rate-limit-limit".into(), limit.into()),
                ("x-rate-limit-remaining".into(), remaining.into()),
                ("x-rate-limit-reset".into(), reset.into()),
            ],
            b"{}".to_vec(),
            false,
        )
    }

    fn reading(remaining: u64, reset: u64) -> Option<RateLimitReading> {
        Some(RateLimitReading {
            limit: 15,
            remaining,
            reset,
        })
    }

    fn judge(
        decreasing: bool,
        response: &RecordedResponse,
        previous: Option<RateLimitReading>,
    ) -> Vec<String> {
        check_at(
            &RateLimitExpectation { decreasing },
            response,
            previous,
            NOW,
        )
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    #[test]
    fn consistent_headers_hold() {
        let reset = (NOW + 600).to_string();
        assert!(judge(false, &response("15", "14", &reset), None).is_empty());
    }

    #[test]
    fn missing_non_numeric_and_inconsistent_headers_are_named() {
        let reset = (NOW + 600).to_string();
        let mut absent = response("15", "14", &reset);
        absent.headers.remove(1);
        assert_eq!(
            judge(false, &absent, None),
            ["header x-rate-limit-remaining: expected present, actual absent"]
        );
        assert_eq!(
            judge(false, &response("15", "fourteen", &reset), None),
            ["header x-rate-limit-remaining: expected a non-negative integer, actual `fourteen`"]
        );
        let found = judge(false, &response("15", "16", &(NOW - 10).to_string()), None);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("x-rate-limit-remaining: expected at most"));
        assert!(found[1].contains("a time in the future"));
        let far = judge(false, &response("15", "1", &(NOW + 3600).to_string()), None);
        assert!(far[0].contains("within the 15-minute window"), "{far:?}");
    }

    #[test]
    fn decreasing_within_one_window() {
        let reset = NOW + 600;
        let r = response("15", "13", &reset.to_string());
        assert!(judge(true, &r, reading(14, reset)).is_empty());
        assert_eq!(
            judge(true, &r, reading(13, reset)),
            ["x-rate-limit-remaining: expected less than the previous step's 13, actual 13"]
        );
        assert!(judge(true, &r, None)[0].contains("put `decreasing` on a later step"));
    }

    #[test]
    fn the_reset_may_move_only_once_the_previous_window_has_ended() {
        // A target that restarts its window on every request never counts down: refused.
        let moved = response("15", "15", &(NOW + 900).to_string());
        let found = judge(true, &moved, reading(14, NOW + 600));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("x-rate-limit-reset: expected unchanged at"),
            "{found:?}"
        );
        // The previous window ended: a fresh one, at any remaining, is fine.
        assert!(judge(true, &moved, reading(0, NOW - 5)).is_empty());
        assert!(judge(true, &moved, reading(0, NOW)).is_empty());
    }
}
