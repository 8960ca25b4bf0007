//! The compiled rule-set file: a detector written once (`wangjian rules compile`) and
//! loaded in milliseconds by later scans, even with 100 000 marks.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `WJDETECT` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 8 | payload length *n* |
//! | 32 | SHA-256 of the payload |
//! | *n* | payload: four sections, each an 8-byte length and its bytes |
//!
//! Sections: the canonical rule set (JSON; its SHA-256 is the rule-set version), the match
//! tables (JSON), the main automaton and the homophone automaton over syllable ids
//! (daachorse serialization; the last is empty when there is none). Version 2 added the
//! registry tables (Nice classes of marks and category words, ordinary-word marks, the
//! characters of each mark) and the syllable alphabet of the homophone automaton.
//!
//! Nothing is trusted before the magic, the version, the length and the checksum agree.
//! The checksum guards against corruption and truncation, not against a forger: a compiled
//! file is a build artefact to be kept with the same care as the binary.

use daachorse::CharwiseDoubleArrayAhoCorasick;
use sha2::{Digest, Sha256};

use crate::detector::{hex, Canon, Detector, Tables};

/// File magic.
pub const MAGIC: &[u8; 8] = b"WJDETECT";
/// Format version; files of another version are refused.
pub const FORMAT_VERSION: u32 = 2;

/// Why a compiled file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CompiledError {
    /// Not a compiled rule-set file.
    #[error("not a wangjian compiled rule set (bad magic)")]
    Magic,
    /// Written by another version of the format.
    #[error("compiled with format version {found}, this build reads version {FORMAT_VERSION}; recompile with `wangjian rules compile`")]
    Version {
        /// The version in the file.
        found: u32,
    },
    /// Truncated or with trailing bytes.
    #[error("truncated or padded: {0}")]
    Length(String),
    /// The payload does not match its checksum.
    #[error("checksum mismatch: the file is corrupt")]
    Checksum,
    /// A section could not be decoded.
    #[error("bad section {section}: {message}")]
    Section {
        /// Which section.
        section: &'static str,
        /// What went wrong.
        message: String,
    },
}

fn section(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn take<'a>(data: &mut &'a [u8], name: &'static str) -> Result<&'a [u8], CompiledError> {
    let bad = |m: &str| CompiledError::Section {
        section: name,
        message: m.to_string(),
    };
    if data.len() < 8 {
        return Err(bad("missing length"));
    }
    let (len, rest) = data.split_at(8);
    let mut buf = [0u8; 8];
    buf.copy_from_slice(len);
    let n = usize::try_from(u64::from_le_bytes(buf)).map_err(|_| bad("length too large"))?;
    if rest.len() < n {
        return Err(bad("shorter than its length"));
    }
    let (body, rest) = rest.split_at(n);
    *data = rest;
    Ok(body)
}

impl Detector {
    /// Writes the detector in the compiled format.
    pub fn to_compiled(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        section(
            &mut payload,
            &serde_json::to_vec(&self.canon).unwrap_or_default(),
        );
        section(
            &mut payload,
            &serde_json::to_vec(&self.tables).unwrap_or_default(),
        );
        section(&mut payload, &self.ac.serialize());
        section(
            &mut payload,
            &self
                .pinyin_ac
                .as_ref()
                .map(|a| a.serialize())
                .unwrap_or_default(),
        );
        let mut out = Vec::with_capacity(payload.len() + 52);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&Sha256::digest(&payload));
        out.extend_from_slice(&payload);
        out
    }

    /// Loads a detector written by [`Detector::to_compiled`].
    pub fn from_compiled(bytes: &[u8]) -> Result<Detector, CompiledError> {
        if bytes.len() < 52 || &bytes[..8] != MAGIC {
            return Err(CompiledError::Magic);
        }
        let mut v = [0u8; 4];
        v.copy_from_slice(&bytes[8..12]);
        let found = u32::from_le_bytes(v);
        if found != FORMAT_VERSION {
            return Err(CompiledError::Version { found });
        }
        let mut l = [0u8; 8];
        l.copy_from_slice(&bytes[12..20]);
        let n = u64::from_le_bytes(l);
        let payload = &bytes[52..];
        if payload.len() as u64 != n {
            return Err(CompiledError::Length(format!(
                "header says {n} payload bytes, file has {}",
                payload.len()
            )));
        }
        let checksum = &bytes[20..52];
        let [canon_bytes, tables_bytes, ac_bytes, py_bytes] = match split(payload) {
            Ok(sections) => sections,
            // A corrupt file says so before its sections are read.
            Err(_) if Sha256::digest(payload).as_slice() != checksum => {
                return Err(CompiledError::Checksum)
            }
            Err(e) => return Err(e),
        };
        // Three parts at once: the rule set, the tables, and the checksum followed by the
        // automata (read without validation, so only once the checksum holds). Parsing the
        // JSON sections of a corrupt file is harmless: they are thrown away.
        let json = |section: &'static str, e: serde_json::Error| CompiledError::Section {
            section,
            message: e.to_string(),
        };
        let stopped = |section: &'static str| CompiledError::Section {
            section,
            message: "its reader stopped".into(),
        };
        let (automata, canon, tables) = std::thread::scope(|scope| {
            let canon = scope.spawn(|| {
                let canon: Canon =
                    serde_json::from_slice(canon_bytes).map_err(|e| json("rules", e))?;
                Ok((canon, hex(&Sha256::digest(canon_bytes))))
            });
            let tables = scope.spawn(|| {
                serde_json::from_slice::<Tables>(tables_bytes).map_err(|e| json("tables", e))
            });
            let automata = automata(checksum, payload, ac_bytes, py_bytes);
            (
                automata,
                canon.join().unwrap_or_else(|_| Err(stopped("rules"))),
                tables.join().unwrap_or_else(|_| Err(stopped("tables"))),
            )
        });
        let (ac, pinyin_ac) = automata?;
        // The canonical section is exactly what the version digests.
        let (canon, version) = canon?;
        let tables = tables?;
        let n = canon.marks.len();
        if tables.mark_categories.len() != n
            || tables.mark_classes.len() != n
            || tables.mark_ordinary.len() != n
            || tables.mark_chars.len() != n
            || tables.authorized.len() != n
        {
            return Err(CompiledError::Section {
                section: "tables",
                message: "do not match the marks".into(),
            });
        }
        Ok(Detector::assemble(canon, tables, ac, pinyin_ac, version))
    }
}

/// The four sections of a payload.
fn split(payload: &[u8]) -> Result<[&[u8]; 4], CompiledError> {
    let mut rest = payload;
    let sections = [
        take(&mut rest, "rules")?,
        take(&mut rest, "tables")?,
        take(&mut rest, "automaton")?,
        take(&mut rest, "pinyin automaton")?,
    ];
    if !rest.is_empty() {
        return Err(CompiledError::Length("bytes after the last section".into()));
    }
    Ok(sections)
}

type Automata = (
    CharwiseDoubleArrayAhoCorasick<u32>,
    Option<CharwiseDoubleArrayAhoCorasick<u32>>,
);

/// Checks the payload against its checksum and only then reads the automata sections.
fn automata(
    checksum: &[u8],
    payload: &[u8],
    ac_bytes: &[u8],
    py_bytes: &[u8],
) -> Result<Automata, CompiledError> {
    if Sha256::digest(payload).as_slice() != checksum {
        return Err(CompiledError::Checksum);
    }
    // SAFETY: daachorse reads these bytes without validation. They are exactly the
    // bytes `serialize` wrote: the format version matched and the SHA-256 of the whole
    // payload, which covers them, matched the header.
    let (ac, tail) =
        unsafe { CharwiseDoubleArrayAhoCorasick::<u32>::deserialize_unchecked(ac_bytes) };
    if !tail.is_empty() {
        return Err(CompiledError::Length(
            "automaton section has extra bytes".into(),
        ));
    }
    let pinyin_ac = if py_bytes.is_empty() {
        None
    } else {
        // SAFETY: as above.
        let (a, tail) =
            unsafe { CharwiseDoubleArrayAhoCorasick::<u32>::deserialize_unchecked(py_bytes) };
        if !tail.is_empty() {
            return Err(CompiledError::Length(
                "pinyin automaton section has extra bytes".into(),
            ));
        }
        Some(a)
    };
    Ok((ac, pinyin_ac))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::RulePack;

    #[test]
    fn any_changed_payload_byte_is_a_checksum_error() {
        let pack = RulePack::embedded().expect("default pack");
        let good = Detector::build(pack, Vec::new())
            .expect("detector")
            .to_compiled();
        assert!(Detector::from_compiled(&good).is_ok());
        // Every section length, and bytes spread over the whole payload.
        let step = (good.len() / 199).max(1);
        for i in (52..good.len()).step_by(step).chain(52..60) {
            let mut bad = good.clone();
            bad[i] ^= 0x20;
            assert!(
                matches!(Detector::from_compiled(&bad), Err(CompiledError::Checksum)),
                "byte {i}"
            );
        }
        assert!(matches!(
            Detector::from_compiled(&good[..good.len() - 1]),
            Err(CompiledError::Length(_))
        ));
    }
}
