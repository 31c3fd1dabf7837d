//! Access tokens: short-lived (15 minutes) HS256 JWTs. The algorithm is pinned, and issuer,
//! audience and expiry are checked, so `alg: none`, another key or another audience all fail.
//! A token only says who; whether that membership is still active is checked on every request
//! (see `people::memberships::load_actor`), so deactivation takes effect at once.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::crypto::SecretKey;
use crate::error::{Error, Result};
use crate::ids::{MembershipId, TenantId, UserId};

pub const ISSUER: &str = "chorus";
pub const AUDIENCE: &str = "chorus-api";
pub const ACCESS_TTL_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: UserId,
    pub tid: TenantId,
    pub mid: MembershipId,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Issues and checks access tokens with a key derived from the master secret.
#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl AccessTokens {
    pub fn new(secret: &SecretKey) -> Self {
        let key = secret.derive("chorus/jwt/v1");
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
        }
    }

    pub fn issue(
        &self,
        user: UserId,
        tenant: TenantId,
        membership: MembershipId,
    ) -> Result<String> {
        self.issue_at(user, tenant, membership, Utc::now().timestamp())
    }

    /// Issue a token as if at `iat` (tests use this to make expired tokens).
    pub fn issue_at(
        &self,
        user: UserId,
        tenant: TenantId,
        membership: MembershipId,
        iat: i64,
    ) -> Result<String> {
        let claims = Claims {
            sub: user,
            tid: tenant,
            mid: membership,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat,
            exp: iat + ACCESS_TTL_SECS,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::Internal(anyhow::anyhow!("signing a token: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let message = match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                        "The access token has expired."
                    }
                    _ => "The access token is not valid.",
                };
                Error::unauthorized("unauthorized", message)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn tokens(seed: u8) -> AccessTokens {
        AccessTokens::new(&SecretKey::new(&[seed; 32]).unwrap())
    }

    #[test]
    fn round_trip_and_rejections() {
        let t = tokens(1);
        let (u, tn, m) = (UserId::new(), TenantId::new(), MembershipId::new());
        let tok = t.issue(u, tn, m).unwrap();
        let c = t.verify(&tok).unwrap();
        assert_eq!((c.sub, c.tid, c.mid), (u, tn, m));
        // Another key.
        assert!(tokens(2).verify(&tok).is_err());
        // Expired.
        let old = t.issue_at(u, tn, m, Utc::now().timestamp() - 3600).unwrap();
        assert!(t.verify(&old).is_err());
        // alg: none with the same claims.
        let payload = tok.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            payload
        );
        assert!(t.verify(&none).is_err());
        // Tampered payload.
        let mut parts: Vec<String> = tok.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                tid: TenantId::new(),
                ..c.clone()
            })
            .unwrap(),
        );
        assert!(t.verify(&parts.join(".")).is_err());
    }
}
