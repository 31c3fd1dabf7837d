//! The `X-Hub-Signature-256` check on Meta's webhook POSTs (sheet §2).
//!
//! Meta signs the **raw body bytes** with HMAC-SHA256 under the App Secret and sends
//! `sha256=<64 hex>`. The check must run over the bytes exactly as received, before any JSON
//! parsing: re-serialising would change escapes and key order and break the signature. One
//! app secret covers every tenant, because every onboarded WABA is subscribed to Chorus's app.
//!
//! Errors say *why* a check failed (missing, malformed, mismatch) so the API can log and count
//! them apart; all three are answered the same way (401/403) and never echo the expected value.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header Meta puts the signature in. HTTP header names are case-insensitive.
pub const HEADER: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";
/// A SHA-256 digest is 32 bytes, 64 hex characters.
const DIGEST_LEN: usize = 32;

/// Why a webhook signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header (or an empty one).
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header is present but is not `sha256=` followed by 64 hex characters.
    #[error("the X-Hub-Signature-256 header is malformed: {0}")]
    Malformed(&'static str),
    /// Well-formed, but not the HMAC of this body under this secret.
    #[error("the webhook signature does not match the body")]
    Mismatch,
}

/// Check `header` (the value of `X-Hub-Signature-256`, if any) against `body` under
/// `app_secret`, in constant time. Pass the body bytes exactly as they came off the wire.
pub fn verify(app_secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let value = header.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(SignatureError::Missing);
    }
    let hex_digest = strip_prefix_ignore_case(value, PREFIX)
        .ok_or(SignatureError::Malformed("it does not start with sha256="))?;
    if hex_digest.len() != DIGEST_LEN * 2 {
        return Err(SignatureError::Malformed(
            "the digest is not 64 hex characters",
        ));
    }
    let expected = hex::decode(hex_digest)
        .map_err(|_| SignatureError::Malformed("the digest is not hexadecimal"))?;
    // `verify_slice` compares in constant time.
    mac(app_secret, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The header value Meta would send for `body`: `sha256=<lowercase hex>`. For fakes and tests.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    format!(
        "{PREFIX}{}",
        hex::encode(mac(app_secret, body).finalize().into_bytes())
    )
}

fn mac(app_secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length (long keys are hashed first), so this cannot fail; the
    // fallback keeps the code free of `expect` and is never reached.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app_secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(body);
    mac
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"app-secret-for-tests";
    const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;

    #[test]
    fn a_signed_body_verifies() {
        let header = sign(SECRET, BODY);
        assert!(header.starts_with("sha256="));
        assert_eq!(header.len(), 7 + 64);
        assert_eq!(verify(SECRET, BODY, Some(&header)), Ok(()));
    }

    #[test]
    fn known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn uppercase_hex_and_prefix_and_whitespace_are_accepted() {
        let header = sign(SECRET, BODY).to_uppercase();
        assert_eq!(verify(SECRET, BODY, Some(&format!(" {header} "))), Ok(()));
    }

    #[test]
    fn missing_header() {
        assert_eq!(verify(SECRET, BODY, None), Err(SignatureError::Missing));
        assert_eq!(
            verify(SECRET, BODY, Some("  ")),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn malformed_headers() {
        let digest = &sign(SECRET, BODY)[7..];
        for bad in [
            digest.to_owned(),                   // no prefix
            format!("sha1={digest}"),            // the legacy header's algorithm
            format!("sha256={}", &digest[..62]), // too short
            format!("sha256={digest}00"),        // too long
            format!("sha256=zz{}", &digest[2..]),
        ] {
            assert!(
                matches!(
                    verify(SECRET, BODY, Some(&bad)),
                    Err(SignatureError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn mismatches() {
        let header = sign(SECRET, BODY);
        assert_eq!(
            verify(b"another-secret", BODY, Some(&header)),
            Err(SignatureError::Mismatch)
        );
        let mut tampered = BODY.to_vec();
        tampered.push(b' ');
        assert_eq!(
            verify(SECRET, &tampered, Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_raw_bytes_are_signed_not_the_json() {
        // The same JSON with a non-ASCII character written raw and escaped: different bytes,
        // so different signatures. The check must use the bytes received.
        let raw = "{\"body\":\"ä\"}".as_bytes();
        let escaped = br#"{"body":"\u00e4"}"#;
        let header = sign(SECRET, escaped);
        assert_eq!(verify(SECRET, escaped, Some(&header)), Ok(()));
        assert_eq!(
            verify(SECRET, raw, Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn empty_secret_and_body_still_work() {
        let header = sign(b"", b"");
        assert_eq!(verify(b"", b"", Some(&header)), Ok(()));
    }
}
