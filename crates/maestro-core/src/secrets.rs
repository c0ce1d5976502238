//! Secrets at rest: write-only fields (connection credentials) are sealed with
//! XChaCha20-Poly1305 under a 32-byte key that never reaches the database, and opened only for
//! the work that needs them (discovery). The database keeps a fingerprint of the key so a
//! process started with a different key refuses to run instead of failing later.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{CoreError, CoreResult};

const VERSION: &str = "v1";

/// Seals and opens secret values.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    fingerprint: String,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SecretBox {
    /// A box for a key given as 64 hexadecimal characters.
    pub fn from_hex(key: &str) -> CoreResult<Self> {
        let bytes = unhex(key.trim()).filter(|b| b.len() == 32).ok_or_else(|| {
            CoreError::Internal(
                "the secret key must be 64 hexadecimal characters (32 bytes)".into(),
            )
        })?;
        let key =
            Key::try_from(&bytes[..]).map_err(|_| CoreError::Internal("bad secret key".into()))?;
        let fingerprint =
            hex(&Sha256::digest([b"maestro-secret-key:".as_slice(), &bytes].concat())[..8]);
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key),
            fingerprint,
        })
    }

    /// A new random key, as 64 hexadecimal characters.
    pub fn generate_key() -> String {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        hex(&bytes)
    }

    /// A short, non-reversible identifier of the key.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Encrypts a JSON value: `v1:<nonce>:<ciphertext>` in hexadecimal.
    pub fn seal(&self, value: &Value) -> CoreResult<String> {
        let mut nonce = [0u8; 24];
        rand::fill(&mut nonce);
        let plain = serde_json::to_vec(value).map_err(|e| CoreError::Internal(e.to_string()))?;
        let nonce_ref =
            XNonce::try_from(&nonce[..]).map_err(|_| CoreError::Internal("bad nonce".into()))?;
        let sealed = self
            .cipher
            .encrypt(&nonce_ref, plain.as_slice())
            .map_err(|_| CoreError::Internal("encryption failed".into()))?;
        Ok(format!("{VERSION}:{}:{}", hex(&nonce), hex(&sealed)))
    }

    /// Decrypts what [`SecretBox::seal`] produced.
    pub fn open(&self, sealed: &str) -> CoreResult<Value> {
        let bad =
            || CoreError::Internal("a stored secret cannot be decrypted with this key".into());
        let mut parts = sealed.splitn(3, ':');
        let (Some(VERSION), Some(nonce), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let nonce = unhex(nonce).filter(|n| n.len() == 24).ok_or_else(bad)?;
        let body = unhex(body).ok_or_else(bad)?;
        let nonce = XNonce::try_from(&nonce[..]).map_err(|_| bad())?;
        let plain = self
            .cipher
            .decrypt(&nonce, body.as_slice())
            .map_err(|_| bad())?;
        serde_json::from_slice(&plain).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seals_and_opens_and_detects_the_wrong_key() {
        let a = SecretBox::from_hex(&SecretBox::generate_key()).unwrap();
        let b = SecretBox::from_hex(&SecretBox::generate_key()).unwrap();
        let secret = json!({"access_key_id": "AKIA", "secret_access_key": "s3cr3t"});
        let sealed = a.seal(&secret).unwrap();
        assert!(!sealed.contains("s3cr3t"));
        assert_ne!(sealed, a.seal(&secret).unwrap(), "fresh nonce every time");
        assert_eq!(a.open(&sealed).unwrap(), secret);
        assert!(b.open(&sealed).is_err());
        assert!(a.open("v1:00:00").is_err());
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert!(SecretBox::from_hex("abc").is_err());
    }
}
