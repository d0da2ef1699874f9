//! Access tokens (HS256 JWTs, short-lived) and opaque refresh tokens.

use crate::config::{AUDIENCE, ISSUER};
use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The session (refresh-token family) the token belongs to.
    pub sid: String,
    pub iat: i64,
    /// Not before: the moment it was issued (checked when present; tokens of
    /// earlier versions have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
}

/// Seconds of clock difference between instances a token's times allow.
const LEEWAY: u64 = 5;

#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl TokenService {
    pub fn new(secret: &SecretString, access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let key = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY;
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    /// A signed access token for the user in the session.
    pub fn issue_access(&self, user_id: i64, session_id: &str) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            iat: now,
            nbf: Some(now),
            exp: now + self.access_ttl.as_secs() as i64,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("cannot sign a token: {e}"))
    }

    /// The claims of a good token; `None` for anything else (bad signature, other
    /// algorithm, expired, wrong issuer or audience, malformed).
    /// A token issued in the future (`iat` past now, beyond the leeway) is
    /// refused too, as one not valid yet (`nbf`).
    pub fn verify_access(&self, token: &str) -> Option<Claims> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        let now = chrono::Utc::now().timestamp();
        (claims.iat <= now + LEEWAY as i64).then_some(claims)
    }
}

/// A new opaque refresh token (256 random bits) and the hash that is stored.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(secret: &str) -> TokenService {
        TokenService::new(
            &SecretString::from(secret.to_owned()),
            Duration::from_secs(900),
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn round_trip() {
        let s = svc(&"k".repeat(32));
        let t = s.issue_access(7, "sess").unwrap();
        let c = s.verify_access(&t).unwrap();
        assert_eq!((c.sub.as_str(), c.sid.as_str()), ("7", "sess"));
        assert_eq!(c.exp - c.iat, 900);
    }

    #[test]
    fn foreign_key_and_tampering_are_refused() {
        let t = svc(&"k".repeat(32)).issue_access(7, "s").unwrap();
        assert!(svc(&"j".repeat(32)).verify_access(&t).is_none());
        let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"sub":"1","sid":"s","iat":1,"exp":99999999999,"iss":"clientele","aud":"clientele-api","jti":"x"}"#);
        assert!(svc(&"k".repeat(32))
            .verify_access(&parts.join("."))
            .is_none());
    }

    #[test]
    fn alg_none_is_refused() {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let now = chrono::Utc::now().timestamp();
        let token = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&format!(
                r#"{{"sub":"1","sid":"s","iat":{now},"exp":{},"iss":"clientele","aud":"clientele-api","jti":"x"}}"#,
                now + 600
            ))
        );
        assert!(svc(&"k".repeat(32)).verify_access(&token).is_none());
    }

    /// A token signed with the right key but not valid yet (`nbf`), or
    /// claiming to be issued in the future (`iat`), is refused.
    #[test]
    fn future_tokens_are_refused() {
        let s = svc(&"k".repeat(32));
        let now = chrono::Utc::now().timestamp();
        let sign = |claims: serde_json::Value| {
            encode(&Header::new(Algorithm::HS256), &claims, &s.encoding).unwrap()
        };
        let claims = |iat: i64, nbf: Option<i64>| {
            let mut c = serde_json::json!({"sub": "1", "sid": "s", "iat": iat, "exp": now + 600,
                "iss": "clientele", "aud": "clientele-api", "jti": "x"});
            if let Some(nbf) = nbf {
                c["nbf"] = nbf.into();
            }
            c
        };
        assert!(s.verify_access(&sign(claims(now, Some(now)))).is_some());
        assert!(
            s.verify_access(&sign(claims(now, None))).is_some(),
            "earlier tokens"
        );
        assert!(
            s.verify_access(&sign(claims(now, Some(now + 60))))
                .is_none(),
            "nbf"
        );
        assert!(
            s.verify_access(&sign(claims(now + 60, None))).is_none(),
            "iat"
        );
        assert!(
            s.verify_access(&sign(claims(now + 3, Some(now + 3))))
                .is_some(),
            "leeway"
        );
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), ha);
        assert_ne!(a, ha);
    }
}
