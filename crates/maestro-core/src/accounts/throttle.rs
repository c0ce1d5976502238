//! Login throttling: repeated failures for one account or from one address lock further
//! attempts for a while (429 with Retry-After). Counted in the database, so every process
//! sharing it enforces the same limits.

use std::net::IpAddr;

use chrono::Duration;

use crate::{Core, CoreError, CoreResult};

/// Failures counted within this window.
const WINDOW_MINUTES: i64 = 15;
/// Failures per account before locking.
const ACCOUNT_LIMIT: u32 = 5;
/// Failures per address before locking (an address may serve many people).
const ADDRESS_LIMIT: u32 = 20;
/// The lock doubles with each failure past the limit, up to this.
const MAX_LOCK_MINUTES: i64 = 15;

pub(crate) fn keys(email: &str, addr: Option<IpAddr>) -> Vec<(String, u32)> {
    let mut keys = vec![(format!("account:{email}"), ACCOUNT_LIMIT)];
    if let Some(a) = addr {
        keys.push((format!("address:{a}"), ADDRESS_LIMIT));
    }
    keys
}

fn lock_for(failures: u32, limit: u32) -> Duration {
    let over = failures.saturating_sub(limit).min(10);
    let secs = 30i64 << over;
    Duration::seconds(secs.min(MAX_LOCK_MINUTES * 60))
}

impl Core {
    /// Refuses with 429 while any of `keys` is locked.
    pub(crate) async fn check_login_lock(&self, keys: &[(String, u32)]) -> CoreResult<()> {
        let now = self.now();
        let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        if let Some(until) = self.store.login_locked_until(&names, now).await? {
            let secs = (until - now).num_seconds().max(1) as u64;
            return Err(CoreError::TooManyRequests(secs));
        }
        Ok(())
    }

    /// Counts a failed login and locks the keys that reached their limit.
    pub(crate) async fn login_failed(&self, keys: &[(String, u32)]) -> CoreResult<()> {
        let now = self.now();
        for (key, limit) in keys {
            let failures = self
                .store
                .record_login_failure(key, now, Duration::minutes(WINDOW_MINUTES))
                .await?;
            if failures >= *limit {
                self.store
                    .lock_login(key, now + lock_for(failures, *limit))
                    .await?;
            }
        }
        Ok(())
    }

    /// Forgets an account's failures after a successful login.
    pub(crate) async fn login_succeeded(&self, keys: &[(String, u32)]) -> CoreResult<()> {
        if let Some((account, _)) = keys.first() {
            self.store.clear_login_failures(account).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_and_are_capped() {
        assert_eq!(lock_for(5, 5), Duration::seconds(30));
        assert_eq!(lock_for(6, 5), Duration::seconds(60));
        assert_eq!(lock_for(60, 5), Duration::minutes(MAX_LOCK_MINUTES));
    }
}
