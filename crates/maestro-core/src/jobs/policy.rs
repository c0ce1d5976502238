//! Retries and time limits: how many attempts a job gets, how long it waits between them
//! (exponential backoff), how long one attempt may run, and how long a worker's lease lasts.

use std::time::Duration as StdDuration;

use chrono::Duration;
use maestro_model::FieldError;
use serde_json::{Map, Value};

/// Attempts and backoff of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// 1 to 10; 1 means no retry.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one, at most an hour.
    pub backoff_seconds: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff_seconds: 5,
        }
    }
}

/// The longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 3600;

impl RetryPolicy {
    /// Reads `max_attempts` and `backoff_seconds` (both optional) from a schedule's fields.
    pub fn parse(spec: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Self {
        let mut p = Self::default();
        if let Some(v) = spec.get("max_attempts").filter(|v| !v.is_null()) {
            match v.as_u64() {
                Some(n @ 1..=10) => p.max_attempts = n as u32,
                _ => errors.push(FieldError::new(
                    "max_attempts",
                    "must be a whole number from 1 to 10",
                )),
            }
        }
        if let Some(v) = spec.get("backoff_seconds").filter(|v| !v.is_null()) {
            match v.as_u64() {
                Some(n @ 0..=3600) => p.backoff_seconds = n as u32,
                _ => errors.push(FieldError::new(
                    "backoff_seconds",
                    "must be a whole number of seconds from 0 to 3600",
                )),
            }
        }
        p
    }

    /// The wait after the failure of attempt `attempt` (1-based).
    pub fn delay(backoff_seconds: u32, attempt: u32) -> Duration {
        let factor = 1i64 << attempt.saturating_sub(1).min(20);
        Duration::seconds((i64::from(backoff_seconds) * factor).min(MAX_BACKOFF_SECONDS))
    }
}

/// Timings of workers and the scheduler.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How long a claimed job stays with its worker without a heartbeat; a job whose worker
    /// died runs again after this.
    pub job_lease: StdDuration,
    /// How often idle workers look for due jobs (they are also woken when jobs are queued).
    pub poll: StdDuration,
    /// How long the scheduler's leadership lasts without renewal; another process takes over
    /// within about this long after the leader dies.
    pub scheduler_lease: StdDuration,
    /// Jobs each worker runs at once.
    pub concurrency: usize,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            job_lease: StdDuration::from_secs(30),
            poll: StdDuration::from_secs(1),
            scheduler_lease: StdDuration::from_secs(15),
            concurrency: 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(RetryPolicy::delay(5, 1), Duration::seconds(5));
        assert_eq!(RetryPolicy::delay(5, 2), Duration::seconds(10));
        assert_eq!(RetryPolicy::delay(5, 3), Duration::seconds(20));
        assert_eq!(RetryPolicy::delay(600, 30), Duration::seconds(3600));
        assert_eq!(RetryPolicy::delay(0, 4), Duration::zero());
    }

    #[test]
    fn parses_and_reports() {
        let mut errors = Vec::new();
        let spec = json!({"max_attempts": 2, "backoff_seconds": 1});
        let p = RetryPolicy::parse(spec.as_object().unwrap(), &mut errors);
        assert_eq!((p.max_attempts, p.backoff_seconds, errors.len()), (2, 1, 0));
        let spec = json!({"max_attempts": 0, "backoff_seconds": -1});
        RetryPolicy::parse(spec.as_object().unwrap(), &mut errors);
        assert_eq!(errors.len(), 2);
    }
}
