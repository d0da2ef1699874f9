//! Argon2id hashing on the blocking pool, with bounded concurrency so logins can
//! never starve the request workers or exhaust memory.

use crate::config::Argon2Cost;
use crate::domain::Password;
use crate::error::Error;
use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct PasswordService {
    argon: Argon2<'static>,
    cost: Argon2Cost,
    permits: Arc<Semaphore>,
    /// A real hash of a random password: unknown users are verified against it so
    /// that they cost the same time as known ones.
    dummy_hash: Arc<str>,
}

/// The answer of a verification.
#[derive(Debug)]
pub struct Verified {
    pub matches: bool,
    /// A fresh hash at the current cost, when the stored one used another.
    pub rehash: Option<String>,
}

impl PasswordService {
    pub fn new(cost: Argon2Cost) -> anyhow::Result<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("bad argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = uuid::Uuid::new_v4().to_string();
        let dummy_hash = hash_with(&argon, &dummy).context("cannot compute the dummy hash")?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            argon,
            cost,
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: dummy_hash.into(),
        })
    }

    pub fn cost(&self) -> Argon2Cost {
        self.cost
    }

    /// Hash a new password (PHC string).
    pub async fn hash(&self, password: &Password) -> Result<String, Error> {
        let argon = self.argon.clone();
        let pw = SecretString::from(password.expose().to_owned());
        self.run(move || hash_with(&argon, pw.expose_secret()))
            .await?
            .map_err(Error::internal)
    }

    /// Verify a candidate against a stored hash, or against the dummy hash when
    /// there is no user, so both paths cost the same.
    pub async fn verify(
        &self,
        candidate: SecretString,
        stored: Option<String>,
    ) -> Result<Verified, Error> {
        let argon = self.argon.clone();
        let cost = self.cost;
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Verified {
                    matches: false,
                    rehash: None,
                };
            };
            let matches = known
                && argon
                    .verify_password(candidate.expose_secret().as_bytes(), &parsed)
                    .is_ok();
            // The dummy path still pays for one verification.
            if !known {
                let _ = argon.verify_password(candidate.expose_secret().as_bytes(), &parsed);
            }
            let rehash = (matches && !has_cost(&parsed, cost))
                .then(|| hash_with(&argon, candidate.expose_secret()).ok())
                .flatten();
            Verified { matches, rehash }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("hashing pool closed: {e}")))?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(f))
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("hashing task failed: {e}")))
    }
}

fn hash_with(argon: &Argon2<'_>, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 failed: {e}"))
}

fn has_cost(hash: &PasswordHash<'_>, cost: Argon2Cost) -> bool {
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && params.m_cost() == cost.memory_kib
        && params.t_cost() == cost.iterations
        && params.p_cost() == cost.parallelism
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Argon2Cost = Argon2Cost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn pw(s: &str) -> Password {
        Password::parse(SecretString::from(s.to_owned())).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let svc = PasswordService::new(CHEAP).unwrap();
        let a = svc.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        let b = svc.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        let ok = svc
            .verify("Tr0ub4dor&3x".to_owned().into(), Some(a.clone()))
            .await
            .unwrap();
        assert!(ok.matches && ok.rehash.is_none());
        let bad = svc
            .verify("wrong-one!".to_owned().into(), Some(a))
            .await
            .unwrap();
        assert!(!bad.matches);
    }

    #[tokio::test]
    async fn unknown_user_never_matches() {
        let svc = PasswordService::new(CHEAP).unwrap();
        let v = svc
            .verify("anything-at-all".to_owned().into(), None)
            .await
            .unwrap();
        assert!(!v.matches);
    }

    #[tokio::test]
    async fn rehashes_when_the_cost_changed() {
        let old = PasswordService::new(CHEAP).unwrap();
        let hash = old.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        let new = PasswordService::new(Argon2Cost {
            memory_kib: 128,
            ..CHEAP
        })
        .unwrap();
        let v = new
            .verify("Tr0ub4dor&3x".to_owned().into(), Some(hash))
            .await
            .unwrap();
        assert!(v.matches);
        assert!(v
            .rehash
            .unwrap()
            .starts_with("$argon2id$v=19$m=128,t=1,p=1$"));
    }

    #[tokio::test]
    async fn production_cost_is_owasp() {
        let svc = PasswordService::new(Argon2Cost::OWASP).unwrap();
        let hash = svc.hash(&pw("Tr0ub4dor&3x")).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}
