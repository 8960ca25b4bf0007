//! Pre-session CSRF tokens (the sign-in and portal forms, before there is a session to
//! hold a synchronizer token): a random nonce and its HMAC-SHA-256 under a key the server
//! draws from the operating system on first use and keeps in memory only. A cookie value
//! the server did not sign is no token at all, so a caller cannot choose one and post it
//! back (double submit alone would let it). A restart makes the open forms stale, as it
//! ends the sessions, which live in memory too.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::NoRandomness;

/// Random bytes of a pre-session token (its nonce).
const NONCE: usize = 24;
/// Bytes of its MAC kept (128 bits).
const TAG: usize = 16;

/// The key that signs pre-session CSRF tokens.
#[derive(Debug, Default)]
pub struct PresessionKey {
    key: OnceLock<[u8; 32]>,
}

impl PresessionKey {
    fn key(&self) -> Result<&[u8; 32], NoRandomness> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| NoRandomness(e.to_string()))?;
        // Two first uses at once: both draw, one key wins, both use it.
        Ok(self.key.get_or_init(|| k))
    }

    fn mac(key: &[u8; 32], nonce: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length: 32 bytes never fails.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        m.update(b"wangjian pre-session csrf v1\0");
        m.update(nonce);
        m
    }

    /// A new token: `base64url(nonce).base64url(tag)` (55 characters).
    pub fn issue(&self) -> Result<String, NoRandomness> {
        let key = self.key()?;
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| NoRandomness(e.to_string()))?;
        let tag = Self::mac(key, &nonce).finalize().into_bytes();
        Ok(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(&tag[..TAG])
        ))
    }

    /// True for a token this server issued (since it started); in constant time.
    pub fn verify(&self, token: &str) -> bool {
        let Ok(key) = self.key() else {
            return false;
        };
        let Some((n, t)) = token.split_once('.') else {
            return false;
        };
        let (Ok(nonce), Ok(tag)) = (URL_SAFE_NO_PAD.decode(n), URL_SAFE_NO_PAD.decode(t)) else {
            return false;
        };
        nonce.len() == NONCE
            && tag.len() == TAG
            && Self::mac(key, &nonce).verify_truncated_left(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 15, finding 8): any 43-byte cookie value was accepted as a
    /// pre-session token, so a caller could choose one and post it back.
    #[test]
    fn only_tokens_this_server_signed_pass() {
        let k = PresessionKey::default();
        let t = k.issue().unwrap();
        assert_eq!(t.len(), 55);
        assert!(k.verify(&t));
        assert_ne!(t, k.issue().unwrap());
        let other = PresessionKey::default().issue().unwrap();
        assert!(
            !k.verify(&other),
            "another server's (or a restarted one's) token"
        );
        let (n, tag) = t.split_once('.').unwrap();
        let mut flipped = tag.to_string().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let flipped = format!("{n}.{}", String::from_utf8(flipped).unwrap());
        for bad in [
            "A".repeat(43),
            "x".repeat(55),
            flipped,
            format!("{n}."),
            format!(".{tag}"),
            format!("{n}.{tag}.{tag}"),
            format!("{n}.{}", &tag[..10]),
            String::new(),
            "短.短".into(),
        ] {
            assert!(!k.verify(&bad), "{bad}");
        }
    }
}
