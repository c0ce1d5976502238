//! Session tokens: HS256 JWTs naming a session row, so they expire on their own and can be
//! revoked. The signing key is random, generated once and kept in the database.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ports::Store;
use crate::{CoreError, CoreResult};

const KEY_NAME: &str = "jwt_signing_key";

/// The claims of a session token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Session id.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub async fn load(store: &dyn Store) -> CoreResult<Self> {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        let candidate: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let secret = store.secret_get_or_insert(KEY_NAME, &candidate).await?;
        Ok(Self::from_secret(secret.as_bytes()))
    }

    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn sign(
        &self,
        user: Uuid,
        session: Uuid,
        issued: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> CoreResult<String> {
        let claims = Claims {
            sub: user.to_string(),
            sid: session.to_string(),
            iat: issued.timestamp(),
            exp: expires.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| CoreError::Internal(format!("token signing failed: {e}")))
    }

    /// Verifies signature (HS256 only: `alg: none` and other algorithms are refused) and expiry.
    pub fn verify(&self, token: &str) -> CoreResult<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|d| d.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                CoreError::Unauthenticated(
                    match e.kind() {
                        ErrorKind::ExpiredSignature => "the token has expired: sign in again",
                        ErrorKind::InvalidSignature => "the token's signature does not match",
                        _ => "the token is not one Maestro issued (malformed)",
                    }
                    .into(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn signs_verifies_and_rejects_tampering() {
        let keys = Keys::from_secret(b"0123456789abcdef0123456789abcdef");
        let now = Utc::now();
        let (u, s) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys.sign(u, s, now, now + Duration::hours(1)).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, u.to_string());
        let other = Keys::from_secret(b"another key of thirty-two bytes!");
        assert!(other.verify(&token).is_err());
        let expired = keys
            .sign(u, s, now - Duration::hours(2), now - Duration::hours(1))
            .unwrap();
        assert!(keys.verify(&expired).is_err());
        // alg: none
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        assert!(
            keys.verify(&format!("{none_header}.{}.", parts[1]))
                .is_err()
        );
    }
}
