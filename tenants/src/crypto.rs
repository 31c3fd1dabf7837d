//! Small, well-known primitives: random secrets, SHA-256 digests, constant-time comparison and
//! per-purpose keys derived from the one configured secret (`CHORUS_SECRET_KEY`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64 (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// Lowercase hex of the SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

/// Compare two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The application's master secret. Purpose keys are derived from it with HMAC-SHA256, so the
/// JWT key, token keys and the encryption key are independent of each other.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// At least 32 bytes of key material.
    pub fn new(material: &[u8]) -> anyhow::Result<Self> {
        if material.len() < 32 {
            anyhow::bail!("CHORUS_SECRET_KEY must be at least 32 characters long");
        }
        Ok(Self(material.to_vec()))
    }

    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_hmac());
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

// HMAC accepts keys of any length, so `new_from_slice` cannot fail.
fn unreachable_hmac() -> Hmac<Sha256> {
    panic!("HMAC-SHA256 accepts keys of every length")
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_differ_per_purpose() {
        let k = SecretKey::new(&[7u8; 32]).unwrap();
        assert_ne!(k.derive("jwt"), k.derive("mail"));
        assert_eq!(k.derive("jwt"), k.derive("jwt"));
        assert!(SecretKey::new(b"short").is_err());
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

/// Encryption of secrets at rest (Graph API access tokens, app secrets): AES-256-GCM with a key
/// derived from the master secret and a random 96-bit nonce per value; stored as nonce ‖ ciphertext.
#[derive(Clone)]
pub struct SecretBox {
    cipher: aes_gcm::Aes256Gcm,
}

impl SecretBox {
    pub fn new(key: &SecretKey) -> Self {
        use aes_gcm::aead::KeyInit;
        let k = key.derive("chorus/secrets/v1");
        let cipher = aes_gcm::Aes256Gcm::new(&k.into());
        Self { cipher }
    }

    pub fn seal(&self, plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
        use aes_gcm::aead::Aead;
        let mut n = [0u8; 12];
        rand::rng().fill_bytes(&mut n);
        let nonce = aes_gcm::Nonce::from(n);
        let ct = self
            .cipher
            .encrypt(&nonce, plaintext)
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = n.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        use aes_gcm::aead::Aead;
        if sealed.len() < 12 + 16 {
            anyhow::bail!("sealed value too short");
        }
        let (n, ct) = sealed.split_at(12);
        let mut nonce_bytes = [0u8; 12];
        nonce_bytes.copy_from_slice(n);
        let nonce = aes_gcm::Nonce::from(nonce_bytes);
        self.cipher
            .decrypt(&nonce, ct)
            .map_err(|_| anyhow::anyhow!("decryption failed (wrong key or tampered value)"))
    }
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// A bearer token that names the business and row it belongs to, plus a random secret of
/// which only the SHA-256 is stored: `<tenant uuid>.<row uuid>.<secret>`. Naming the business
/// lets the token be resolved through that business's tenant door, with no system access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedToken {
    pub tenant: uuid::Uuid,
    pub id: uuid::Uuid,
    pub secret: String,
}

impl ScopedToken {
    pub fn generate(tenant: uuid::Uuid, id: uuid::Uuid) -> Self {
        Self {
            tenant,
            id,
            secret: random_secret(),
        }
    }

    pub fn hash(&self) -> Vec<u8> {
        sha256(self.secret.as_bytes())
    }

    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.trim().splitn(3, '.');
        let tenant = uuid::Uuid::parse_str(parts.next()?).ok()?;
        let id = uuid::Uuid::parse_str(parts.next()?).ok()?;
        let secret = parts.next()?;
        if secret.len() < 32 || secret.len() > 64 {
            return None;
        }
        Some(Self {
            tenant,
            id,
            secret: secret.to_owned(),
        })
    }

    /// Does this token's secret match the stored hash?
    pub fn matches(&self, stored_hash: &[u8]) -> bool {
        constant_time_eq(&self.hash(), stored_hash)
    }
}

impl std::fmt::Display for ScopedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.tenant.simple(),
            self.id.simple(),
            self.secret
        )
    }
}

#[cfg(test)]
mod scoped_tests {
    use super::*;

    #[test]
    fn secret_box_round_trip_and_tamper() {
        let b = SecretBox::new(&SecretKey::new(&[3u8; 32]).unwrap());
        let sealed = b.seal(b"EAAG-token").unwrap();
        assert_ne!(&sealed[12..], b"EAAG-token");
        assert_eq!(b.open(&sealed).unwrap(), b"EAAG-token");
        let mut bad = sealed.clone();
        bad[20] ^= 1;
        assert!(b.open(&bad).is_err());
        let other = SecretBox::new(&SecretKey::new(&[4u8; 32]).unwrap());
        assert!(other.open(&sealed).is_err());
        assert_ne!(b.seal(b"x").unwrap(), b.seal(b"x").unwrap());
    }

    #[test]
    fn scoped_token_round_trip() {
        let t = ScopedToken::generate(uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let parsed = ScopedToken::parse(&t.to_string()).unwrap();
        assert_eq!(parsed, t);
        assert!(parsed.matches(&t.hash()));
        assert!(!parsed.matches(&sha256(b"other")));
        assert!(ScopedToken::parse("nope").is_none());
        assert!(ScopedToken::parse("a.b.c").is_none());
    }
}
