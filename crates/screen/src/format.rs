//! A built [`Index`] as bytes, so that a large list is indexed once and opened in well
//! under a second (`wangjian screen --save-index` / `--index`).
//!
//! Layout (all integers little-endian): the magic `WJSCRIDX`, a `u32` format version
//! ([`FORMAT_VERSION`]), then these sections in order, each a `u64` count followed by
//! that many items:
//!
//! | section | item |
//! |---|---|
//! | text | `u8` (UTF-8: ids, listed names, identifier values) |
//! | chars | `u32` (Unicode scalar values: cores and branch labels) |
//! | regions | `u32` (GB/T 2260 codes; 0 for 中国) |
//! | entries | 4 × `u32`: id start, id length (in text), first name, first identifier |
//! | idents | 4 × `u32`: kind (1 uscc … 5 domain), valid (0/1), value start, value length |
//! | names | 12 × `u32`: entry, via (0 name, 1 alias, 2 former name), raw start, raw length, core start, core length, trade-name length, regions start, regions length, form (0 none, 1 … 8), branch start, branch length + 1 (0: not a branch) |
//! | keys | `u64` (bigram keys, strictly increasing) |
//! | offsets | `u32` (one more than keys; non-decreasing, the last = postings) |
//! | postings | `u32` (name indexes) |
//! | ident hashes | `u64` hash + `u32` entry |
//! | merged | nothing: the count itself is the number of merged lines |
//!
//! [`Index::from_bytes`] checks everything a later lookup relies on (UTF-8, scalar values,
//! every range within its array, orders, enum values) and refuses anything else with a
//! [`FormatError`]; it never panics, whatever the bytes.

use crate::ident::IdentKind;
use crate::index::{EntryRec, IdentRec, Index, NameRec, Span};
use crate::record::NameVia;
use crate::words::FormKind;

const MAGIC: &[u8; 8] = b"WJSCRIDX";
/// The version written by [`Index::to_bytes`]; [`Index::from_bytes`] reads only this one.
pub const FORMAT_VERSION: u32 = 1;

/// Why bytes are not an index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Not a screening index at all.
    #[error("not a wangjian screening index (bad magic)")]
    Magic,
    /// Written by another version.
    #[error("screening index format version {found}, this build reads version {FORMAT_VERSION}: rebuild the index")]
    Version {
        /// The version found.
        found: u32,
    },
    /// Cut short or inconsistent.
    #[error("corrupt screening index: {0}")]
    Corrupt(&'static str),
}

const KINDS: [IdentKind; 5] = IdentKind::ALL;
const VIAS: [NameVia; 3] = [NameVia::Name, NameVia::Alias, NameVia::FormerName];
const FORMS: [FormKind; 8] = [
    FormKind::Company,
    FormKind::JointStock,
    FormKind::Group,
    FormKind::Partnership,
    FormKind::SoleProprietorship,
    FormKind::Cooperative,
    FormKind::IndividualBusiness,
    FormKind::Other,
];

fn code<T: PartialEq>(all: &[T], v: &T) -> u32 {
    all.iter().position(|x| x == v).map_or(0, |p| p as u32)
}

struct Writer(Vec<u8>);

impl Writer {
    fn count(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }
    fn u32s(&mut self, items: impl Iterator<Item = u32>) {
        for v in items {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }
}

impl Index {
    /// The index as bytes (see the module documentation for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(
            self.text.len() + 4 * self.chars.len() + 48 * self.names.len() + 64,
        ));
        w.0.extend_from_slice(MAGIC);
        w.0.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        w.count(self.text.len());
        w.0.extend_from_slice(self.text.as_bytes());
        w.count(self.chars.len());
        w.u32s(self.chars.iter().map(|&c| c as u32));
        w.count(self.regions.len());
        w.u32s(self.regions.iter().copied());
        w.count(self.entries.len());
        w.u32s(
            self.entries
                .iter()
                .flat_map(|e| [e.id.start, e.id.len, e.first_name, e.first_ident]),
        );
        w.count(self.idents.len());
        w.u32s(self.idents.iter().flat_map(|i| {
            [
                code(&KINDS, &i.kind) + 1,
                u32::from(i.valid),
                i.value.start,
                i.value.len,
            ]
        }));
        w.count(self.names.len());
        w.u32s(self.names.iter().flat_map(|n| {
            let (bs, bl) = n.branch.map_or((0, 0), |b| (b.start, b.len + 1));
            [
                n.entry,
                code(&VIAS, &n.via),
                n.raw.start,
                n.raw.len,
                n.core.start,
                n.core.len,
                n.trade_len,
                n.regions.start,
                n.regions.len,
                n.form.map_or(0, |f| code(&FORMS, &f) + 1),
                bs,
                bl,
            ]
        }));
        w.count(self.keys.len());
        for k in &self.keys {
            w.0.extend_from_slice(&k.to_le_bytes());
        }
        w.count(self.offsets.len());
        w.u32s(self.offsets.iter().copied());
        w.count(self.postings.len());
        w.u32s(self.postings.iter().copied());
        w.count(self.ident_hashes.len());
        for (h, e) in &self.ident_hashes {
            w.0.extend_from_slice(&h.to_le_bytes());
            w.0.extend_from_slice(&e.to_le_bytes());
        }
        w.count(self.merged as usize);
        w.0
    }

    /// Opens an index written by [`Index::to_bytes`], checking it whole.
    pub fn from_bytes(bytes: &[u8]) -> Result<Index, FormatError> {
        let mut r = Reader(bytes);
        if r.take(8)? != MAGIC {
            return Err(FormatError::Magic);
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(FormatError::Version { found: version });
        }
        let n = r.count(1)?;
        let text = String::from_utf8(r.take(n)?.to_vec())
            .map_err(|_| FormatError::Corrupt("text is not UTF-8"))?;
        let n = r.count(4)?;
        let chars = r
            .u32s(n)?
            .map(char::from_u32)
            .collect::<Option<Vec<char>>>()
            .ok_or(FormatError::Corrupt(
                "a character is not a Unicode scalar value",
            ))?;
        let n = r.count(4)?;
        let regions: Vec<u32> = r.u32s(n)?.collect();
        let n = r.count(16)?;
        let entries: Vec<EntryRec> = r
            .u32s(4 * n)?
            .collect::<Vec<u32>>()
            .chunks_exact(4)
            .map(|c| EntryRec {
                id: Span {
                    start: c[0],
                    len: c[1],
                },
                first_name: c[2],
                first_ident: c[3],
            })
            .collect();
        let n = r.count(16)?;
        let idents = r
            .u32s(4 * n)?
            .collect::<Vec<u32>>()
            .chunks_exact(4)
            .map(|c| {
                Some(IdentRec {
                    kind: *KINDS.get((c[0] as usize).checked_sub(1)?)?,
                    valid: match c[1] {
                        0 => false,
                        1 => true,
                        _ => return None,
                    },
                    value: Span {
                        start: c[2],
                        len: c[3],
                    },
                })
            })
            .collect::<Option<Vec<IdentRec>>>()
            .ok_or(FormatError::Corrupt(
                "an identifier's kind or flag is unknown",
            ))?;
        let n = r.count(48)?;
        let names = r
            .u32s(12 * n)?
            .collect::<Vec<u32>>()
            .chunks_exact(12)
            .map(|c| {
                Some(NameRec {
                    entry: c[0],
                    via: *VIAS.get(c[1] as usize)?,
                    raw: Span {
                        start: c[2],
                        len: c[3],
                    },
                    core: Span {
                        start: c[4],
                        len: c[5],
                    },
                    trade_len: c[6],
                    regions: Span {
                        start: c[7],
                        len: c[8],
                    },
                    form: match c[9] {
                        0 => None,
                        f => Some(*FORMS.get(f as usize - 1)?),
                    },
                    branch: match c[11] {
                        0 => None,
                        l => Some(Span {
                            start: c[10],
                            len: l - 1,
                        }),
                    },
                })
            })
            .collect::<Option<Vec<NameRec>>>()
            .ok_or(FormatError::Corrupt("a name's kind or form is unknown"))?;
        let n = r.count(8)?;
        let keys: Vec<u64> = r.take(8 * n)?.chunks_exact(8).map(le_u64).collect();
        let n = r.count(4)?;
        let offsets: Vec<u32> = r.u32s(n)?.collect();
        let n = r.count(4)?;
        let postings: Vec<u32> = r.u32s(n)?.collect();
        let n = r.count(12)?;
        let ident_hashes: Vec<(u64, u32)> = r
            .take(12 * n)?
            .chunks_exact(12)
            .map(|c| (le_u64(&c[..8]), le_u32(&c[8..])))
            .collect();
        let merged = r.u64()?;
        if !r.0.is_empty() {
            return Err(FormatError::Corrupt("bytes after the last section"));
        }

        let check = |ok: bool, what: &'static str| {
            if ok {
                Ok(())
            } else {
                Err(FormatError::Corrupt(what))
            }
        };
        let str_ok = |s: Span| {
            s.fits(text.len())
                && text.is_char_boundary(s.start as usize)
                && text.is_char_boundary((s.start + s.len) as usize)
        };
        let mut last = (0u32, 0u32);
        for e in &entries {
            check(str_ok(e.id), "an id lies outside the text")?;
            check(
                e.first_name >= last.0
                    && e.first_ident >= last.1
                    && e.first_name as usize <= names.len()
                    && e.first_ident as usize <= idents.len(),
                "entries' names or identifiers out of order",
            )?;
            last = (e.first_name, e.first_ident);
        }
        check(
            entries
                .first()
                .is_none_or(|e| e.first_name == 0 && e.first_ident == 0),
            "the first entry does not start at the first name",
        )?;
        for i in &idents {
            check(str_ok(i.value), "an identifier lies outside the text")?;
        }
        for nm in &names {
            check((nm.entry as usize) < entries.len(), "a name of no entry")?;
            check(str_ok(nm.raw), "a name lies outside the text")?;
            check(
                nm.core.fits(chars.len()),
                "a core lies outside the characters",
            )?;
            check(
                nm.trade_len <= nm.core.len,
                "a trade name longer than its core",
            )?;
            check(nm.regions.fits(regions.len()), "divisions out of range")?;
            check(
                nm.branch.is_none_or(|b| b.fits(chars.len())),
                "a branch label out of range",
            )?;
        }
        check(
            keys.windows(2).all(|w| w[0] < w[1]),
            "bigram keys out of order",
        )?;
        check(
            offsets.len() == keys.len() + 1
                && offsets.first() == Some(&0)
                && offsets.windows(2).all(|w| w[0] <= w[1])
                && offsets.last().map(|&l| l as usize) == Some(postings.len()),
            "postings offsets inconsistent",
        )?;
        check(
            postings.iter().all(|&p| (p as usize) < names.len()),
            "a posting of no name",
        )?;
        check(
            ident_hashes.windows(2).all(|w| w[0] <= w[1])
                && ident_hashes
                    .iter()
                    .all(|&(_, e)| (e as usize) < entries.len()),
            "identifier table out of order or range",
        )?;
        let mut ix = Index {
            text,
            chars,
            regions,
            entries,
            idents,
            names,
            keys,
            offsets,
            postings,
            ident_hashes,
            merged,
            ..Index::default()
        };
        ix.rebuild_slots();
        Ok(ix)
    }
}

fn le_u64(c: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&c[..8]);
    u64::from_le_bytes(b)
}

fn le_u32(c: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&c[..4]);
    u32::from_le_bytes(b)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        if n > self.0.len() {
            return Err(FormatError::Corrupt("cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(le_u32(self.take(4)?))
    }
    fn u64(&mut self) -> Result<u64, FormatError> {
        Ok(le_u64(self.take(8)?))
    }
    /// A section's count, checked against the bytes left (`size` bytes an item).
    fn count(&mut self, size: usize) -> Result<usize, FormatError> {
        let n = self.u64()?;
        match usize::try_from(n).ok().and_then(|n| n.checked_mul(size)) {
            Some(b) if b <= self.0.len() => Ok(n as usize),
            _ => Err(FormatError::Corrupt(
                "a section is longer than the bytes left",
            )),
        }
    }
    fn u32s(&mut self, n: usize) -> Result<impl Iterator<Item = u32> + 'a, FormatError> {
        let bytes = self.take(n.checked_mul(4).ok_or(FormatError::Corrupt("cut short"))?)?;
        Ok(bytes.chunks_exact(4).map(le_u32))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Index, Options, Record};

    fn sample() -> Index {
        Index::build([
            Record {
                id: Some("E1".into()),
                name: Some("北京京东世纪贸易有限公司上海分公司".into()),
                uscc: vec!["91330100716105852F".into()],
                ..Record::default()
            },
            Record {
                id: Some("E2".into()),
                name: Some("海尔智家股份有限公司（原青岛海尔股份有限公司）".into()),
                phone: vec!["13800138000".into()],
                ..Record::default()
            },
        ])
        .expect("entries")
    }

    #[test]
    fn round_trip_answers_alike() {
        let a = sample();
        let bytes = a.to_bytes();
        let b = Index::from_bytes(&bytes).expect("valid bytes");
        assert_eq!(b.to_bytes(), bytes);
        for name in ["北京京东世纪贸易有限公司", "青岛海尔股份有限公司", "无关"]
        {
            let c = Record {
                name: Some(name.into()),
                ..Record::default()
            };
            assert_eq!(
                a.screen(&c, &Options::default()),
                b.screen(&c, &Options::default())
            );
        }
    }

    #[test]
    fn damaged_bytes_are_refused_not_panicked_on() {
        let bytes = sample().to_bytes();
        assert!(matches!(
            Index::from_bytes(b"nonsense"),
            Err(super::FormatError::Magic)
        ));
        let mut old = bytes.clone();
        old[8] = 9;
        assert!(matches!(
            Index::from_bytes(&old),
            Err(super::FormatError::Version { found: 9 })
        ));
        for cut in 0..bytes.len() {
            assert!(Index::from_bytes(&bytes[..cut]).is_err());
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xFF;
            if let Ok(ix) = Index::from_bytes(&b) {
                // Whatever survives the checks still answers without panicking.
                let _ = ix.screen(
                    &Record {
                        name: Some("北京京东世纪贸易有限公司".into()),
                        phone: vec!["13800138000".into()],
                        ..Record::default()
                    },
                    &Options::default(),
                );
            }
        }
    }
}
