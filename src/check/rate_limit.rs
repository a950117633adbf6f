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
    let now = crate::oauth::unix_now();
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
            Some(before)
                if reading.remaining >= before.remaining && reading.reset == before.reset =>
            {
                found.push(Mismatch::new(
                    "x-rate-limit-remaining",
                    format!("less than the previous step's {}", before.remaining),
                    reading.remaining.to_string(),
                ))
            }
            None => found.push(Mismatch::new(
                "x-rate-limit-remaining",
                "a previous step with rate-limit headers to compare with",
                "none (the vector is wrong: put `decreasing` on a later step)",
            )),
            _ => {}
        }
    }
    found
}
