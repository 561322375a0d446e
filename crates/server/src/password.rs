//! Room passwords: stored only as Argon2id hashes with a random salt.
//!
//! Hashing is deliberately slow (tens of milliseconds), so the async wrappers
//! run it on tokio's blocking pool; the runtime threads keep relaying signals.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// A stored password hash in PHC string form (`$argon2id$v=19$...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordDigest(String);

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("hashing the password failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the hashing task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Hashes `password` with Argon2id and a fresh random salt.
pub fn hash(password: &str) -> Result<PasswordDigest, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| PasswordDigest(h.to_string()))
        .map_err(PasswordError::Hash)
}

/// Whether `password` matches `digest`. A digest that cannot be parsed matches nothing.
pub fn verify(password: &str, digest: &PasswordDigest) -> bool {
    match PasswordHash::new(&digest.0) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// [`hash`] on the blocking pool.
pub async fn hash_async(password: String) -> Result<PasswordDigest, PasswordError> {
    tokio::task::spawn_blocking(move || hash(&password)).await?
}

/// [`verify`] on the blocking pool.
pub async fn verify_async(password: String, digest: PasswordDigest) -> Result<bool, PasswordError> {
    Ok(tokio::task::spawn_blocking(move || verify(&password, &digest)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_password_verifies_and_wrong_does_not() {
        let Ok(digest) = hash("correct horse") else {
            panic!("hashing must work");
        };
        assert!(digest.0.starts_with("$argon2id$"));
        assert!(verify("correct horse", &digest));
        assert!(!verify("Correct horse", &digest));
        assert!(!verify("", &digest));
    }

    #[test]
    fn same_password_gets_different_salts() {
        let (Ok(a), Ok(b)) = (hash("pw"), hash("pw")) else {
            panic!("hashing must work");
        };
        assert_ne!(a, b);
    }

    #[test]
    fn garbage_digest_matches_nothing() {
        assert!(!verify("pw", &PasswordDigest("not a hash".into())));
    }
}
