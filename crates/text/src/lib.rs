//! The **match form** of listing text: the one form wangjian detectors match marks, slang
//! and keywords on, with an **offset map** back to the original so every hit can be shown
//! on the text the seller wrote.
//!
//! Sellers write `ＮＩＫＥ`, `N1KE`, `A.D.I.D.A.S`, `耐❤克`, `髙仿`, `Nіkе` (Cyrillic і and е)
//! precisely so that a plain keyword search misses them. [`normalize`] folds all of these to
//! one form (`nike`, `adidas`, `耐克`, `高仿`), and [`pinyin()`] adds a second projection of
//! Chinese into toneless pinyin (`奈克` → `nai ke`) for marks imitated by homophones.
//!
//! This crate must never do I/O, never panic on any input, and never drop the link between
//! the match form and the original: every byte of the match form comes from a known range of
//! the original ([`MatchForm::original_range`], [`MatchForm::segments`]).
//!
//! # What is folded, character by character
//!
//! Each code point is folded once, through a table built on first use (code points below
//! U+20000; later planes are folded on the fly by the same function):
//!
//! 1. Default-ignorable code points are dropped **without** breaking the word: zero-width
//!    space/joiners (U+200B–U+200D), U+2060, U+FEFF, soft hyphen, variation selectors, tags.
//!    Combining marks that are not letters are dropped the same way.
//! 2. NFKC: full-width `ＮＩＫＥ`, `１：１`, ideographic space, circled `ⓝⓘⓚⓔ`, styled
//!    `𝐍𝐈𝐊𝐄`, `㎏` → `kg`, Kangxi radicals → Han.
//! 3. Confusables (Unicode confusables.txt skeleton, UTS #39, via `unicode-security`):
//!    Latin-extension, IPA, Greek, Cyrillic, Armenian, Cherokee and Coptic letters that look
//!    like **one** Latin letter become it, the case of the original choosing between
//!    candidates (Greek `Ν` → `n`, but `ν` → `v`; Cyrillic `І` → `i`). Greek `κ` and
//!    Cyrillic `к` (skeleton `ĸ`) → `k`. Applied to every such letter, in any context: a
//!    Russian or Greek word comes out partly latinized, which is acceptable for matching.
//! 4. Lowercase (full Unicode lowercasing); Latin, Greek and Cyrillic letters lose their
//!    diacritics (`é` → `e`).
//! 5. Traditional → simplified, for every character of OpenCC's `TSCharacters.txt`
//!    (`data/`, Apache-2.0; first candidate when there are several: `乾` → `干`), then the
//!    committed variant list `data/variants.tsv` (`髙` → `高`, `塲` → `场`, `㐅` → `五`, …).
//! 6. Typographic apostrophes (`’ ‘ ʼ ′`) → `'`.
//!
//! Folding repeats until the result folds to itself, so the match form is idempotent.
//!
//! # How words are written
//!
//! After folding, every character is one of:
//!
//! | class | characters | in the match form |
//! |---|---|---|
//! | letter | `a`–`z`, letters of other space-separated scripts | kept |
//! | digit | `0`–`9` | kept (may become a letter, below) |
//! | word punctuation | `:` `+` `%` `#` `&` `'` `@` `$` | kept inside words (`1:1`, `at&t`, `50%`) |
//! | number punctuation | `.` `,` with a digit right before and after | kept (`99.9`, `1,000`) |
//! | wide | Han, kana, hangul, bopomofo | kept, never next to a space |
//! | separator | whitespace, every other ASCII punctuation (`- . · _ * / \| ~ ( ) !` …), CJK punctuation (`、，。・…`), symbols, emoji, anything else | dropped; breaks words |
//! | invisible | default-ignorables, combining marks | dropped; does **not** break words |
//!
//! Tokens are maximal runs of letters, digits and word punctuation. Then:
//!
//! - Tokens separated in the original are separated by exactly **one ASCII space**.
//! - **Except** adjacent single-character tokens (one letter or digit each, at least one of
//!   the two a letter) are joined: `A.D.I.D.A.S` → `adidas`, `n i k e` → `nike`, `L V` →
//!   `lv`, `N 1 K E` → `nike`; `3 4 5` stays `3 4 5`.
//! - Between wide characters, and between a wide character and a token, separators vanish:
//!   `高-仿` → `高仿`, `阿 迪 达 斯` → `阿迪达斯`, `耐❤克` → `耐克`, `LV 包` → `lv包`.
//! - No leading or trailing space, never two spaces. A case change is not a boundary
//!   (`LVMH` → `lvmh`), nor is a letter–digit change (`iPhone15` → `iphone15`).
//!
//! **Look-alike rule**: inside a word (after joining), a maximal run of the characters
//! `0→o 1→i 3→e 4→a 5→s 7→t @→a $→s` becomes letters only when the characters right before
//! and right after the run are ASCII letters: `N1KE` → `nike`, `R0LEX` → `rolex`, `adid@s` →
//! `adidas`, `b00ts` → `boots`; but `iphone15`, `2024`, `1:1`, `3m`, `a4`, `gucc1`, `@nike`
//! stay. `|` and `!` are separators, not letters.
//!
//! What detectors rely on: a Latin pattern is a word match where the characters just before
//! its start and just after its end in the match form are not `[a-z0-9]`
//! ([`is_latin_boundary`], [`is_latin_word`]): `lv` matches in `lv包`, `lv bag`, `L.V`, but not
//! inside `lvmh`.
//!
//! # Pinyin projection
//!
//! [`pinyin()`] writes the same text with each Han character replaced by the toneless syllable
//! of its most common reading (the `pinyin` crate's first reading, from Unihan kMandarin;
//! for a few heteronyms that is not the everyday one: `长` → `zhang`, `乐` → `le`),
//! `ü` written `v` (`绿` → `lv`, `女` → `nv`). Syllables, Latin words (exactly as in the
//! match form) and runs of Han characters without a reading, kana or hangul are separated by
//! one space: `耐克鞋 Nike` → `nai ke xie nike`. It is **not** idempotent in general:
//! single-letter syllables (`阿` → `a`, `哦` → `o`) next to each other are joined when the
//! projection is normalized again (`a o` → `ao`), and pinyin of pinyin re-reads nothing.
//!
//! Homophone matching uses the same readings as numbers: [`Syllable::of`] gives each Han
//! character's toneless syllable as a small id (1 to [`Syllable::count`]), so a sequence of
//! characters becomes a sequence of ids, one per character.
//!
//! # Offsets
//!
//! All offsets are bytes. [`MatchForm::original_range`] maps any match-form range back to
//! the smallest original range covering every character that produced it; [`char_offset`]
//! turns a byte offset into the char offset scan output uses.
//!
//! # Testing
//!
//! `cargo fuzz` needs a nightly toolchain, which the project does not use; instead
//! `tests/fuzz.rs` runs proptest over arbitrary bytes (lossy-decoded) and arbitrary strings
//! from all of Unicode with many cases, checking no panic, idempotence and the offset-map
//! invariants. `tests/golden/normalize.txt` pins the output on real listing text.

#![deny(missing_docs)]

mod fold;
mod form;
mod syllable;

use std::ops::Range;

pub use form::MatchForm;
pub use syllable::Syllable;

/// The match form of `input` (see the crate documentation for what is folded and how words
/// are written).
pub fn normalize(input: &str) -> MatchForm {
    let mut out = MatchForm::new();
    normalize_into(input, &mut out);
    out
}

/// Like [`normalize`], reusing the allocations of `out` (the hot path of a scan).
pub fn normalize_into(input: &str, out: &mut MatchForm) {
    out.build(input, false);
}

/// The pinyin projection of `input`: Han characters as toneless pinyin syllables, with the
/// same offset-map contract as [`normalize`].
pub fn pinyin(input: &str) -> MatchForm {
    let mut out = MatchForm::new();
    pinyin_into(input, &mut out);
    out
}

/// Like [`pinyin()`], reusing the allocations of `out`.
pub fn pinyin_into(input: &str, out: &mut MatchForm) {
    out.build(input, true);
}

/// Converts a byte offset in `s` to a char offset. An offset inside a character counts that
/// character as not yet reached; an offset past the end gives the number of characters.
pub fn char_offset(s: &str, byte: usize) -> usize {
    let mut end = byte.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    // Characters are the bytes that do not continue one (`10xxxxxx`), counted eight at
    // a time.
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = &s.as_bytes()[..end];
    let mut chunks = bytes.chunks_exact(8);
    let mut continuing = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        continuing += (w & !(w << 1) & HIGH).count_ones() as usize;
    }
    continuing += chunks
        .remainder()
        .iter()
        .filter(|&&b| b & 0xC0 == 0x80)
        .count();
    end - continuing
}

/// True when `byte` of a match form is a Latin word boundary: the start or end of the form,
/// or a position where the characters on both sides are not both `[a-z0-9]`. Offsets past
/// the end count as the end.
pub fn is_latin_boundary(form: &str, byte: usize) -> bool {
    let bytes = form.as_bytes();
    let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if byte == 0 || byte >= bytes.len() {
        return true;
    }
    !(alnum(bytes.get(byte - 1)) && alnum(bytes.get(byte)))
}

/// True when `range` of a match form may count as a whole-word match of a Latin pattern: the
/// character before it and the character after it are not `[a-z0-9]`.
pub fn is_latin_word(form: &str, range: Range<usize>) -> bool {
    let bytes = form.as_bytes();
    let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let before = range.start.checked_sub(1).and_then(|i| bytes.get(i));
    !alnum(before) && !alnum(bytes.get(range.end))
}
