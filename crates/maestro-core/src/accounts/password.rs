//! Password hashing with Argon2id (PHC strings) and the minimum strength rule (length, and a
//! zxcvbn guessability estimate).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::{CoreError, CoreResult};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 256;

/// Rejects passwords too short, too long or made of one repeated character.
pub fn check_strength(password: &str) -> CoreResult<()> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(CoreError::invalid(
            "password",
            format!("must be at least {MIN_LENGTH} characters"),
        ));
    }
    if n > MAX_LENGTH {
        return Err(CoreError::invalid(
            "password",
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(CoreError::invalid(
            "password",
            "is too weak: use different characters",
        ));
    }
    // Length alone lets `password`, `12345678` or `qwertyui` in: zxcvbn estimates how many
    // guesses a cracker with the usual lists and patterns needs (score 2: about 10⁸, beyond an
    // online attack under the login throttle).
    let estimate = zxcvbn::zxcvbn(password, &[]);
    if (estimate.score() as u8) < MIN_SCORE {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .filter(|w| !w.is_empty())
            .map_or_else(String::new, |w| format!(" ({w})"));
        return Err(CoreError::invalid(
            "password",
            format!(
                "is too easy to guess{hint}: use a few uncommon words, or a longer mix of \
                 characters"
            ),
        ));
    }
    Ok(())
}

/// The least zxcvbn score a password needs (0 to 4).
const MIN_SCORE: u8 = 2;

/// Hashes a password into a PHC string with a random salt.
pub fn hash(password: &str) -> CoreResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Burns the same time as a real verification, so a login for an unknown e-mail is not faster.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_verifies() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("x", "not a phc string"));
    }

    #[test]
    fn strength() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("aaaaaaaaaa").is_err());
        assert!(check_strength("a-fine-passphrase").is_ok());
        for weak in [
            "password",
            "12345678",
            "abcdefgh",
            "aaaaaaab",
            "Password1",
            "qwertyui",
        ] {
            assert!(check_strength(weak).is_err(), "{weak}");
        }
        // What the test suites and the bench use stays acceptable.
        for fine in [
            "a-long-passphrase",
            "correct-horse-battery",
            "bench-password-1",
            "set-by-the-admin",
            "a-new-passphrase",
            "a-brand-new-passphrase",
            "hijacked-passphrase",
            "a-fresh-passphrase",
            "another-new-passphrase",
            "new-long-passphrase",
            "third-long-passphrase",
            "from-standard-input",
            "a-strong-new-one",
        ] {
            assert!(check_strength(fine).is_ok(), "{fine}");
        }
    }
}
