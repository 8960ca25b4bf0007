//! Signing keys and signed tree heads (checkpoints) in the transparency-dev *signed note*
//! format (c2sp.org/signed-note, c2sp.org/tlog-checkpoint); FORMAT.md §3 and §4.
//!
//! A checkpoint says: the log named `origin` had `size` entries with root `root` at `time`.
//! The installation signs it with its Ed25519 key; whoever keeps a copy (the coordination
//! office, a court) can later hold the log to it with a consistency proof. Keys are passed
//! in: nothing here draws randomness except [`LogKey::generate`], which is handed its RNG.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use crate::tree::Hash;

/// The operating system's random generator: pass it to [`LogKey::generate`].
pub use rand_core::OsRng;

/// Ed25519 signature type byte of the signed-note format.
const ALG_ED25519: u8 = 0x01;

/// Why a key or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A key or log name that the note format cannot carry.
    #[error("{0:?} is not a valid name: it must be non-empty, without spaces, '+' or newlines")]
    BadName(String),
    /// A key file that does not parse.
    #[error("not a key: {0}")]
    BadKey(&'static str),
    /// The key id in a key file does not match the key.
    #[error("the key id in the key text does not match the key")]
    KeyIdMismatch,
    /// A checkpoint text that does not parse.
    #[error("not a checkpoint: {0}")]
    Malformed(&'static str),
    /// The checkpoint body is not in the one canonical form.
    #[error("the checkpoint body is not in canonical form")]
    NotCanonical,
    /// No signature line.
    #[error("the checkpoint has no signature")]
    Unsigned,
    /// Signed by a key not in the keyring.
    #[error("signed by key {name}+{key_id}, which is not among the known keys")]
    UnknownKey {
        /// Key name.
        name: String,
        /// Key id (8 hex digits).
        key_id: String,
    },
    /// The signature does not verify.
    #[error("the signature of key {name}+{key_id} is not valid for this checkpoint")]
    BadSignature {
        /// Key name.
        name: String,
        /// Key id (8 hex digits).
        key_id: String,
    },
}

fn check_name(name: &str) -> Result<(), CheckpointError> {
    if name.is_empty() || name.chars().any(|c| c == '+' || c.is_whitespace()) {
        Err(CheckpointError::BadName(name.to_string()))
    } else {
        Ok(())
    }
}

/// The signed-note key id: the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
pub fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(key.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The installation's signing key, with the name it signs under.
#[derive(Clone)]
pub struct LogKey {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKey({})", self.verifier().text())
    }
}

impl LogKey {
    /// A new key named `name`, from `rng` (the OS generator in production).
    pub fn generate(name: &str, rng: &mut impl CryptoRngCore) -> Result<Self, CheckpointError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_string(),
            key: SigningKey::generate(rng),
        })
    }

    /// A key from its 32-byte seed (tests, or a seed kept in an HSM-backed secret).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, CheckpointError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public half.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey::new(&self.name, self.key.verifying_key())
    }

    /// The private key file text: `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>`
    /// and a newline (the Go `golang.org/x/mod/sumdb/note` format). Keep it secret.
    pub fn private_text(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}\n",
            self.name,
            hex::encode(key_id(&self.name, &self.key.verifying_key())),
            B64.encode(raw)
        )
    }

    /// Parses [`LogKey::private_text`].
    pub fn from_private_text(text: &str) -> Result<Self, CheckpointError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(CheckpointError::BadKey("expected PRIVATE+KEY+…"))?;
        let (name, id, raw) = split_key_text(rest)?;
        let seed: [u8; 32] = raw
            .try_into()
            .map_err(|_| CheckpointError::BadKey("the seed is not 32 bytes"))?;
        let key = Self::from_seed(name, seed)?;
        if key_id(name, &key.key.verifying_key()) != id {
            return Err(CheckpointError::KeyIdMismatch);
        }
        Ok(key)
    }

    /// Signs `checkpoint`.
    pub fn sign(&self, checkpoint: &Checkpoint) -> Result<SignedCheckpoint, CheckpointError> {
        let body = checkpoint.body()?;
        let sig = self.key.sign(body.as_bytes());
        Ok(SignedCheckpoint {
            checkpoint: checkpoint.clone(),
            signatures: vec![NoteSignature {
                name: self.name.clone(),
                key_id: key_id(&self.name, &self.key.verifying_key()),
                signature: sig.to_bytes(),
            }],
        })
    }
}

/// `<name>+<hex id>+<base64(0x01 || key)>` → parts, key bytes without the type byte.
fn split_key_text(s: &str) -> Result<(&str, [u8; 4], Vec<u8>), CheckpointError> {
    // The base64 key may itself contain '+': split off name and id only.
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CheckpointError::BadKey("expected name+keyid+key"));
    };
    check_name(name)?;
    let mut kid = [0u8; 4];
    hex::decode_to_slice(id, &mut kid)
        .map_err(|_| CheckpointError::BadKey("the key id is not 8 hex digits"))?;
    let raw = B64
        .decode(b64)
        .map_err(|_| CheckpointError::BadKey("the key is not base64"))?;
    match raw.split_first() {
        Some((&ALG_ED25519, key)) => Ok((name, kid, key.to_vec())),
        _ => Err(CheckpointError::BadKey(
            "not an Ed25519 key (type byte 0x01)",
        )),
    }
}

/// A public key with its name and key id: what verifiers keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl VerifierKey {
    fn new(name: &str, key: VerifyingKey) -> Self {
        Self {
            name: name.to_string(),
            id: key_id(name, &key),
            key,
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id as 8 hex digits.
    pub fn key_id(&self) -> String {
        hex::encode(self.id)
    }

    /// The public key file text (the signed-note verifier key):
    /// `<name>+<key id hex>+<base64(0x01 || public key)>`, no newline.
    pub fn text(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{}+{}", self.name, self.key_id(), B64.encode(raw))
    }

    /// Parses [`VerifierKey::text`] (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let (name, id, raw) = split_key_text(text.trim())?;
        let bytes: [u8; 32] = raw
            .as_slice()
            .try_into()
            .map_err(|_| CheckpointError::BadKey("the public key is not 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| CheckpointError::BadKey("not a valid Ed25519 public key"))?;
        let k = Self::new(name, key);
        if k.id != id {
            return Err(CheckpointError::KeyIdMismatch);
        }
        Ok(k)
    }
}

/// The public keys a verifier trusts: the current one and every retired one, so that old
/// checkpoints stay checkable after a rotation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<VerifierKey>,
}

impl Keyring {
    /// A keyring of `keys`.
    pub fn new(keys: Vec<VerifierKey>) -> Self {
        Self { keys }
    }

    /// Adds a key.
    pub fn add(&mut self, key: VerifierKey) {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }

    /// The keys.
    pub fn keys(&self) -> &[VerifierKey] {
        &self.keys
    }

    fn find(&self, name: &str, id: [u8; 4]) -> impl Iterator<Item = &VerifierKey> {
        let name = name.to_string();
        self.keys
            .iter()
            .filter(move |k| k.name == name && k.id == id)
    }
}

/// An unsigned tree head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name: the installation (`wangjian.example-amr.gov.cn/evidence`).
    pub origin: String,
    /// Number of entries.
    pub size: u64,
    /// Root hash of those entries.
    pub root: Hash,
    /// When the head was made (whole seconds, UTC).
    pub time: DateTime<Utc>,
}

impl Checkpoint {
    /// The signed text: origin, size, base64 root and `time <RFC 3339>` lines.
    pub fn body(&self) -> Result<String, CheckpointError> {
        if self.origin.is_empty() || self.origin.contains(['\n', '\r']) {
            return Err(CheckpointError::BadName(self.origin.clone()));
        }
        Ok(format!(
            "{}\n{}\n{}\ntime {}\n",
            self.origin,
            self.size,
            B64.encode(self.root),
            self.time.to_rfc3339_opts(SecondsFormat::Secs, true)
        ))
    }

    fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let lines: Vec<&str> = body.split_terminator('\n').collect();
        let [origin, size, root, time] = lines[..] else {
            return Err(CheckpointError::Malformed("the body must have four lines"));
        };
        let size = size
            .parse::<u64>()
            .map_err(|_| CheckpointError::Malformed("the second line is not a tree size"))?;
        let root: Hash = B64
            .decode(root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or(CheckpointError::Malformed(
                "the third line is not a base64 SHA-256 root",
            ))?;
        let time = time
            .strip_prefix("time ")
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .ok_or(CheckpointError::Malformed(
                "the fourth line is not `time <RFC 3339>`",
            ))?
            .with_timezone(&Utc);
        let c = Self {
            origin: origin.to_string(),
            size,
            root,
            time,
        };
        if c.body()? != body {
            return Err(CheckpointError::NotCanonical);
        }
        Ok(c)
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key id.
    pub key_id: [u8; 4],
    /// Ed25519 signature of the body.
    pub signature: [u8; 64],
}

/// A checkpoint with its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The tree head.
    pub checkpoint: Checkpoint,
    /// Signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

impl SignedCheckpoint {
    /// The note text: body, a blank line, one `— <name> <base64(id || signature)>` line per
    /// signature.
    pub fn text(&self) -> Result<String, CheckpointError> {
        let mut s = self.checkpoint.body()?;
        s.push('\n');
        for sig in &self.signatures {
            let mut raw = sig.key_id.to_vec();
            raw.extend_from_slice(&sig.signature);
            s.push_str(&format!("\u{2014} {} {}\n", sig.name, B64.encode(raw)));
        }
        Ok(s)
    }

    /// Parses a note text.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let (body, sigs) = text.split_once("\n\n").ok_or(CheckpointError::Malformed(
            "no blank line before the signatures",
        ))?;
        let mut body = body.to_string();
        body.push('\n');
        let checkpoint = Checkpoint::parse_body(&body)?;
        let mut signatures = Vec::new();
        for line in sigs.split_terminator('\n') {
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or(CheckpointError::Malformed(
                    "a signature line must start with '— '",
                ))?;
            let (name, b64) = rest.split_once(' ').ok_or(CheckpointError::Malformed(
                "a signature line needs a name and a signature",
            ))?;
            check_name(name)?;
            let raw = B64
                .decode(b64)
                .map_err(|_| CheckpointError::Malformed("the signature is not base64"))?;
            let (Ok(key_id), Ok(signature)) = (
                <[u8; 4]>::try_from(raw.get(..4).unwrap_or_default()),
                <[u8; 64]>::try_from(raw.get(4..).unwrap_or_default()),
            ) else {
                return Err(CheckpointError::Malformed(
                    "a signature must be a 4-byte key id and a 64-byte Ed25519 signature",
                ));
            };
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_id,
                signature,
            });
        }
        if signatures.is_empty() {
            return Err(CheckpointError::Unsigned);
        }
        Ok(Self {
            checkpoint,
            signatures,
        })
    }

    /// Checks that some signature is valid and made by a key of `keyring`; returns that key.
    /// Every signature by a known key must be valid; signatures by unknown keys (a witness
    /// cosigning, say) are ignored as long as one known key signed.
    pub fn verify<'k>(&self, keyring: &'k Keyring) -> Result<&'k VerifierKey, CheckpointError> {
        let body = self.checkpoint.body()?;
        let mut found = None;
        let mut first_unknown = None;
        for sig in &self.signatures {
            let mut candidates = keyring.find(&sig.name, sig.key_id).peekable();
            if candidates.peek().is_none() {
                first_unknown.get_or_insert(sig);
                continue;
            }
            let s = Signature::from_bytes(&sig.signature);
            let good = candidates.find(|k| k.key.verify_strict(body.as_bytes(), &s).is_ok());
            match good {
                Some(k) => {
                    found.get_or_insert(k);
                }
                None => {
                    return Err(CheckpointError::BadSignature {
                        name: sig.name.clone(),
                        key_id: hex::encode(sig.key_id),
                    })
                }
            }
        }
        match (found, first_unknown) {
            (Some(k), _) => Ok(k),
            (None, Some(sig)) => Err(CheckpointError::UnknownKey {
                name: sig.name.clone(),
                key_id: hex::encode(sig.key_id),
            }),
            (None, None) => Err(CheckpointError::Unsigned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn key() -> LogKey {
        LogKey::from_seed("wangjian.test/evidence", [7; 32]).unwrap()
    }

    fn head() -> Checkpoint {
        Checkpoint {
            origin: "wangjian.test/evidence".into(),
            size: 340,
            root: [9; 32],
            time: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
        }
    }

    #[test]
    fn sign_print_parse_verify() {
        let signed = key().sign(&head()).unwrap();
        let text = signed.text().unwrap();
        assert!(text.starts_with(
            "wangjian.test/evidence\n340\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\ntime 2026-11-23T10:00:00Z\n\n\u{2014} wangjian.test/evidence "
        ));
        let parsed = SignedCheckpoint::parse(&text).unwrap();
        assert_eq!(parsed, signed);
        let ring = Keyring::new(vec![key().verifier()]);
        assert_eq!(parsed.verify(&ring).unwrap(), &key().verifier());
        // Another size under the same signature fails.
        let forged = text.replacen("\n340\n", "\n341\n", 1);
        let f = SignedCheckpoint::parse(&forged).unwrap();
        assert!(matches!(
            f.verify(&ring),
            Err(CheckpointError::BadSignature { .. })
        ));
        // A rotated-out key is still accepted when kept in the ring; an unknown one is not.
        let new = LogKey::from_seed("wangjian.test/evidence", [8; 32]).unwrap();
        assert!(matches!(
            parsed.verify(&Keyring::new(vec![new.verifier()])),
            Err(CheckpointError::UnknownKey { .. })
        ));
        assert!(parsed
            .verify(&Keyring::new(vec![new.verifier(), key().verifier()]))
            .is_ok());
    }

    #[test]
    fn key_texts_round_trip() {
        let k = key();
        let back = LogKey::from_private_text(&k.private_text()).unwrap();
        assert_eq!(back.verifier(), k.verifier());
        let v = VerifierKey::parse(&k.verifier().text()).unwrap();
        assert_eq!(v, k.verifier());
        let mut t = k.verifier().text();
        t.replace_range(t.find('+').unwrap() + 1..t.find('+').unwrap() + 3, "00");
        assert!(VerifierKey::parse(&t).is_err());
        assert!(LogKey::from_seed("bad name", [0; 32]).is_err());
    }

    #[test]
    fn non_canonical_bodies_are_refused() {
        let text = key().sign(&head()).unwrap().text().unwrap();
        let padded = text.replacen("\n340\n", "\n0340\n", 1);
        assert_eq!(
            SignedCheckpoint::parse(&padded),
            Err(CheckpointError::NotCanonical)
        );
    }
}
