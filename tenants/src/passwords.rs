//! Password hashing (argon2id, m=19 MiB, t=2, p=1, the OWASP minimum) and the password policy.
//!
//! Hashing takes tens of milliseconds of CPU, so it always runs on tokio's blocking pool, never
//! on the async threads that serve requests.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use std::sync::LazyLock;

use crate::error::{Error, Result};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    // Params::new only fails for out-of-range values; these are constants within range.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified against when the email is unknown so that the answer
/// takes as long as for a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&crate::crypto::random_secret()).unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// Hash a password for storage (PHC string).
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing task: {e}")))?
}

/// Verify `password` against a stored hash; `None` verifies against a dummy hash and fails,
/// so unknown accounts cost the same time as known ones.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = hasher()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        ok && known
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("verifying task: {e}")))
}

/// Check a new password against the policy: length, and not a known common password.
pub fn check_policy(password: &str, email: &str, name: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(Error::invalid(
            "password",
            format!("Use at least {MIN_LENGTH} characters."),
        ));
    }
    if chars > MAX_LENGTH {
        return Err(Error::invalid(
            "password",
            format!("Use at most {MAX_LENGTH} characters."),
        ));
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if lower == email.to_lowercase() || (!local.is_empty() && lower == local) {
        return Err(Error::invalid(
            "password",
            "Your password must not be your email address.",
        ));
    }
    if is_common(password, &[email, name]) {
        return Err(Error::invalid(
            "password",
            "This password is too common. Choose one that is harder to guess.",
        ));
    }
    Ok(())
}

/// True when the password is (a simple variation of) an entry in zxcvbn's lists of common
/// passwords and words, or guessable in under 10^6 tries.
fn is_common(password: &str, user_inputs: &[&str]) -> bool {
    let entropy = zxcvbn::zxcvbn(password, user_inputs);
    let whole_dictionary_word = entropy.sequence().len() == 1
        && matches!(
            entropy.sequence()[0].pattern,
            zxcvbn::matching::patterns::MatchPattern::Dictionary(_)
        );
    whole_dictionary_word || (entropy.guesses_log10() < 6.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_and_common() {
        assert!(check_policy("short", "a@b.co", "A").is_err());
        assert!(check_policy("password123", "a@b.co", "A").is_err());
        assert!(check_policy("1234567890", "a@b.co", "A").is_err());
        assert!(check_policy("qwertyuiop", "a@b.co", "A").is_err());
        assert!(check_policy("iloveyou12", "a@b.co", "A").is_err());
        assert!(check_policy("ana.garcia@example.com", "ana.garcia@example.com", "Ana").is_err());
        assert!(check_policy("correct horse battery staple", "a@b.co", "A").is_ok());
        assert!(check_policy("Tq7!vR2#mW9z", "a@b.co", "A").is_ok());
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery staple".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse battery staple".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery staple".into(), Some(h))
                .await
                .unwrap()
        );
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }
}
