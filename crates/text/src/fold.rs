//! Folding of one character: what it becomes in the match form and how it behaves there.
//!
//! All the Unicode work (NFKC, case, diacritics, confusables, traditional → simplified,
//! variants) happens here, once per code point: the results for every code point below
//! U+20000 are computed on first use and kept in one table, so the hot loop does one array
//! read per character. Rarer code points (CJK extension B and later, tags, emoji in the
//! supplementary planes) are folded on the fly with the very same function.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

mod tables {
    include!(concat!(env!("OUT_DIR"), "/tables.rs"));
}

/// How a folded character takes part in the match form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Breaks words and prints nothing (whitespace, punctuation, symbols, emoji).
    Sep,
    /// Han, kana, hangul: written without spaces, separators around them vanish.
    Wide,
    /// A letter of a space-separated script: `a`–`z` or another script's letter.
    Letter,
    /// `0`–`9`.
    Digit,
    /// Punctuation kept inside words: `: + % # & ' @ $`.
    Punct,
}

impl Kind {
    fn code(self) -> u32 {
        match self {
            Kind::Sep => 1,
            Kind::Wide => 2,
            Kind::Letter => 3,
            Kind::Digit => 4,
            Kind::Punct => 5,
        }
    }

    fn from_code(code: u32) -> Option<Kind> {
        Some(match code {
            1 => Kind::Sep,
            2 => Kind::Wide,
            3 => Kind::Letter,
            4 => Kind::Digit,
            5 => Kind::Punct,
            _ => return None,
        })
    }
}

/// One character of the match form (or a separator) produced by folding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Folded {
    pub(crate) ch: char,
    pub(crate) kind: Kind,
}

/// Code points below this are folded through the table.
const TABLE_END: u32 = 0x2_0000;
const KIND_SHIFT: u32 = 21;
const CHAR_MASK: u32 = (1 << KIND_SHIFT) - 1;
/// Entry code for "several folded characters": the low bits index `Table::spans`.
const MULTI: u32 = 7;

struct Table {
    /// Per code point: 0 = ignorable (nothing), kind << 21 | char, or MULTI << 21 | span index.
    entries: Vec<u32>,
    spans: Vec<(u32, u32)>,
    multi: Vec<Folded>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

fn build_table() -> Table {
    let mut entries = vec![0u32; TABLE_END as usize];
    let mut spans = Vec::new();
    let mut multi = Vec::new();
    let mut scratch = Vec::new();
    for cp in 0..TABLE_END {
        let Some(c) = char::from_u32(cp) else {
            // Surrogates never occur in a `str`.
            continue;
        };
        scratch.clear();
        fold_fixed(c, &mut scratch);
        entries[cp as usize] = match scratch.as_slice() {
            [] => 0,
            [one] => one.kind.code() << KIND_SHIFT | one.ch as u32,
            many => {
                let start = multi.len() as u32;
                multi.extend_from_slice(many);
                spans.push((start, many.len() as u32));
                MULTI << KIND_SHIFT | (spans.len() as u32 - 1)
            }
        };
    }
    Table {
        entries,
        spans,
        multi,
    }
}

/// What one character folds to.
pub(crate) enum Fold {
    /// Nothing (an invisible character).
    Nothing,
    /// Exactly one character: the common case, answered by one table read.
    One(Folded),
    /// Several characters (`½` → `1/2`).
    Many(&'static [Folded]),
    /// Folded on the fly (code points past the table).
    Owned(Vec<Folded>),
}

impl Fold {
    /// The characters of `Many` and `Owned` (empty for the others).
    pub(crate) fn several(&self) -> &[Folded] {
        match self {
            Fold::Many(fs) => fs,
            Fold::Owned(fs) => fs,
            Fold::Nothing | Fold::One(_) => &[],
        }
    }
}

/// What `c` folds to. Returns the result instead of calling back, so the caller's loop
/// handles the one-character case inline.
#[inline(always)]
pub(crate) fn fold(c: char) -> Fold {
    let cp = c as u32;
    if cp < TABLE_END {
        let t = table();
        let e = t.entries[cp as usize];
        let code = e >> KIND_SHIFT;
        if code == MULTI {
            return t
                .spans
                .get((e & CHAR_MASK) as usize)
                .and_then(|&(start, len)| t.multi.get(start as usize..(start + len) as usize))
                .map_or(Fold::Nothing, Fold::Many);
        }
        match (Kind::from_code(code), char::from_u32(e & CHAR_MASK)) {
            (Some(kind), Some(ch)) => Fold::One(Folded { ch, kind }),
            _ => Fold::Nothing,
        }
    } else {
        let mut out = Vec::new();
        fold_fixed(c, &mut out);
        match out.as_slice() {
            [] => Fold::Nothing,
            [one] => Fold::One(*one),
            _ => Fold::Owned(out),
        }
    }
}

/// Calls `each` with every folded character `c` turns into (none for invisible characters),
/// and whether it is the only one.
#[inline]
pub(crate) fn fold_char(c: char, mut each: impl FnMut(Folded, bool)) {
    match fold(c) {
        Fold::One(f) => each(f, true),
        several => several.several().iter().for_each(|&f| each(f, false)),
    }
}

/// Folds `c` until its output no longer changes when folded again, so that the match form
/// of a match form is itself.
pub(crate) fn fold_fixed(c: char, out: &mut Vec<Folded>) {
    let mut cur = Vec::with_capacity(2);
    fold_once(c, &mut cur);
    let mut next = Vec::with_capacity(2);
    let mut again = Vec::with_capacity(2);
    for _ in 0..4 {
        let mut changed = false;
        next.clear();
        for f in &cur {
            if f.kind == Kind::Sep {
                next.push(*f);
                continue;
            }
            again.clear();
            fold_once(f.ch, &mut again);
            if again.len() == 1 && again[0] == *f {
                next.push(*f);
            } else {
                changed = true;
                next.extend_from_slice(&again);
            }
        }
        std::mem::swap(&mut cur, &mut next);
        if !changed {
            break;
        }
    }
    out.extend_from_slice(&cur);
}

fn fold_once(c: char, out: &mut Vec<Folded>) {
    if is_ignorable(c) {
        return;
    }
    if c.is_ascii() {
        out.push(classify(c.to_ascii_lowercase()));
        return;
    }
    for d in std::iter::once(c).nfkc() {
        if is_ignorable(d) || (is_combining_mark(d) && !d.is_alphabetic()) {
            continue;
        }
        let d = confusable(d).unwrap_or(d);
        for e in d.to_lowercase() {
            if is_ignorable(e) || (is_combining_mark(e) && !e.is_alphabetic()) {
                continue;
            }
            let e = strip_diacritics(e);
            let e = confusable(e).unwrap_or(e);
            let e = lookup(tables::TS_CHARACTERS, e).unwrap_or(e);
            let e = lookup(tables::VARIANTS, e).unwrap_or(e);
            let e = match e {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{02B9}' | '\u{2032}' => '\'',
                other => other,
            };
            out.push(classify(e));
        }
    }
}

fn lookup(table: &[(char, char)], c: char) -> Option<char> {
    table
        .binary_search_by_key(&c, |&(from, _)| from)
        .ok()
        .and_then(|i| table.get(i))
        .map(|&(_, to)| to)
}

fn classify(c: char) -> Folded {
    let kind = match c {
        'a'..='z' => Kind::Letter,
        '0'..='9' => Kind::Digit,
        ':' | '+' | '%' | '#' | '&' | '\'' | '@' | '$' => Kind::Punct,
        _ if c.is_ascii() || c.is_whitespace() => Kind::Sep,
        _ if c.is_alphanumeric() && is_wide(c) => Kind::Wide,
        _ if c.is_alphanumeric() => Kind::Letter,
        _ => Kind::Sep,
    };
    Folded { ch: c, kind }
}

/// Scripts written without spaces between words (Han, kana, hangul, bopomofo).
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF
        | 0x2E80..=0x2FDF
        | 0x3005..=0x3007
        | 0x3021..=0x3029
        | 0x3031..=0x3035
        | 0x3038..=0x303C
        | 0x3040..=0x312F
        | 0x3130..=0x318F
        | 0x31A0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F
        | 0x1B000..=0x1B16F
        | 0x20000..=0x3FFFF)
}

/// Unicode Default_Ignorable_Code_Point (DerivedCoreProperties.txt): zero-width characters,
/// joiners, direction marks, variation selectors, BOM, tags. Invisible, so dropped without
/// breaking the word they sit in.
pub(crate) fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD
        | 0x034F
        | 0x061C
        | 0x115F..=0x1160
        | 0x17B4..=0x17B5
        | 0x180B..=0x180F
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x206F
        | 0x3164
        | 0xFE00..=0xFE0F
        | 0xFEFF
        | 0xFFA0
        | 0xFFF0..=0xFFF8
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Latin, Greek and Cyrillic letters with diacritics lose them (`é` → `e`, `ё` → `е`).
fn strip_diacritics(c: char) -> char {
    let cp = c as u32;
    if c.is_ascii() || !(cp < 0x0530 || (0x1E00..=0x1FFF).contains(&cp)) {
        return c;
    }
    let mut base = None;
    for d in std::iter::once(c).nfd() {
        if is_combining_mark(d) {
            continue;
        }
        if base.is_some() {
            return c;
        }
        base = Some(d);
    }
    base.unwrap_or(c)
}

/// Scripts whose letters are folded to the Latin letter they look like.
fn confusable_script(c: char) -> bool {
    matches!(c as u32,
        0x0080..=0x058F
        | 0x13A0..=0x13FF
        | 0x1D00..=0x1DBF
        | 0x1E00..=0x1FFF
        | 0x2C60..=0x2C7F
        | 0x2C80..=0x2CFF
        | 0xA640..=0xA69F
        | 0xA720..=0xA7FF
        | 0xAB30..=0xABBF)
}

/// The ASCII letter `c` is a confusable of (Unicode confusables.txt skeleton, UTS #39), with
/// the case chosen to match `c`; `None` when `c` does not look like one letter a–z.
fn confusable(c: char) -> Option<char> {
    if c.is_ascii() || !c.is_alphabetic() || !confusable_script(c) {
        return None;
    }
    let proto = skeleton_of(c);
    let candidates = ascii_prototypes().get(&proto)?;
    let upper = c.is_uppercase();
    candidates
        .iter()
        .find(|l| l.is_ascii_uppercase() == upper)
        .or_else(|| candidates.first())
        .copied()
}

fn skeleton_of(c: char) -> String {
    let mut buf = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut buf))
        .filter(|d| !is_combining_mark(*d))
        .collect()
}

/// Skeleton → the ASCII letters that have it (`"l"` → `['I', 'l']`).
fn ascii_prototypes() -> &'static HashMap<String, Vec<char>> {
    static MAP: OnceLock<HashMap<String, Vec<char>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: HashMap<String, Vec<char>> = HashMap::new();
        for l in ('a'..='z').chain('A'..='Z') {
            map.entry(skeleton_of(l)).or_default().push(l);
        }
        // confusables.txt maps Greek κ and Cyrillic к to kra (ĸ), which no Latin word
        // uses; in listings they stand for k.
        map.entry("\u{138}".to_owned()).or_default().push('k');
        map
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(c: char) -> Vec<Folded> {
        let mut v = Vec::new();
        fold_char(c, |f, _| v.push(f));
        v
    }

    #[test]
    fn confusables_fold_to_latin_by_case() {
        for (c, want) in [
            ('а', 'a'),
            ('е', 'e'),
            ('о', 'o'),
            ('р', 'p'),
            ('с', 'c'),
            ('х', 'x'),
            ('і', 'i'),
            ('ο', 'o'),
            ('Α', 'a'),
            ('Β', 'b'),
            ('Ε', 'e'),
            ('Η', 'h'),
            ('Ι', 'i'),
            ('Κ', 'k'),
            ('Μ', 'm'),
            ('Ν', 'n'),
            ('Ο', 'o'),
            ('Ρ', 'p'),
            ('Τ', 't'),
            ('Χ', 'x'),
            ('Υ', 'y'),
            ('Ζ', 'z'),
            ('ν', 'v'),
        ] {
            assert_eq!(fold(c), vec![classify(want)], "{c} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn every_table_entry_is_a_fixed_point() {
        let t = table();
        for cp in 0..TABLE_END {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let first = fold(c);
            for f in first.iter().filter(|f| f.kind != Kind::Sep) {
                assert_eq!(fold(f.ch), vec![*f], "U+{cp:04X} → {:?}", f.ch);
            }
        }
        assert!(!t.spans.is_empty());
    }

    #[test]
    fn data_tables_are_sorted_and_loaded() {
        assert!(tables::TS_CHARACTERS.len() > 4000);
        assert!(tables::TS_CHARACTERS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(tables::VARIANTS.len() >= 30);
        assert!(tables::VARIANTS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
