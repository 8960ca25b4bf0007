//! Building the match form (and the pinyin projection) from folded characters, with the
//! offset map back to the original.

use std::ops::Range;

use pinyin::ToPinyin;

use crate::fold::{fold, fold_char, Fold, Folded, Kind};

/// One folded character with the byte range of the original character it came from.
#[derive(Clone, Copy, Debug)]
struct Atom {
    ch: char,
    kind: Kind,
    /// The only output of its original character (so it can map linearly).
    whole: bool,
    o0: usize,
    o1: usize,
}

/// A piece of the offset map: original bytes `o0..o1` produced match-form bytes `m0..m1`.
/// When `linear`, the piece maps byte for byte (each original character became exactly one
/// character of the same length), so sub-ranges map exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    o0: usize,
    o1: usize,
    m0: usize,
    m1: usize,
    linear: bool,
}

/// The match form of a text with its offset map back to the original.
///
/// Build one with [`normalize`](crate::normalize) or [`pinyin()`](crate::pinyin()), or reuse one
/// with [`normalize_into`](crate::normalize_into) / [`pinyin_into`](crate::pinyin_into),
/// which keep its allocations.
#[derive(Clone, Debug, Default)]
pub struct MatchForm {
    text: String,
    segments: Vec<Segment>,
    atoms: Vec<Atom>,
    word: Vec<Atom>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Match,
    Pinyin,
}

impl MatchForm {
    /// An empty match form, ready to be filled by `normalize_into` or `pinyin_into`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The match form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length of the match form in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// True when the match form is empty (the original had no letters, digits or Han).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Maps a byte range of the match form to the byte range of the original text it came
    /// from, covering every original character that produced any part of it.
    ///
    /// Offsets that are not on a character boundary are widened to the enclosing characters;
    /// out-of-range offsets are clamped; an empty range maps to an empty range at the mapped
    /// position. Never panics.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let mut b = range.end.min(len);
        let mut a = range.start.min(b);
        while !self.text.is_char_boundary(a) {
            a -= 1;
        }
        while !self.text.is_char_boundary(b) {
            b += 1;
        }
        let segs = &self.segments;
        let (Some(first_seg), Some(last_seg)) = (segs.first(), segs.last()) else {
            return 0..0;
        };
        if a == b {
            let p = if a >= len {
                last_seg.o1
            } else {
                let i = segs.partition_point(|s| s.m1 <= a);
                match segs.get(i) {
                    Some(s) if s.linear => s.o0 + (a - s.m0),
                    Some(s) if a <= s.m0 => s.o0,
                    Some(s) => s.o1,
                    None => last_seg.o1,
                }
            };
            return p..p;
        }
        let i = segs.partition_point(|s| s.m1 <= a);
        let j = segs.partition_point(|s| s.m0 < b).saturating_sub(1);
        let s = segs.get(i).unwrap_or(first_seg);
        let e = segs.get(j.max(i)).unwrap_or(last_seg);
        let start = if s.linear {
            s.o0 + (a.max(s.m0) - s.m0)
        } else {
            s.o0
        };
        let end = if e.linear {
            e.o0 + (b.min(e.m1) - e.m0)
        } else {
            e.o1
        };
        start..end.max(start)
    }

    /// Each (original byte range, match-form byte range) segment, in order. The match-form
    /// ranges tile the match form; the original ranges are in order and do not overlap
    /// (an original range may be empty, e.g. for the space between two pinyin syllables).
    /// Runs of characters that map one to one with the same length are one segment.
    pub fn segments(&self) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
        self.segments.iter().map(|s| (s.o0..s.o1, s.m0..s.m1))
    }

    fn clear(&mut self) {
        self.text.clear();
        self.segments.clear();
        self.atoms.clear();
        self.word.clear();
    }

    /// Records that original `o0..o1` produced the match-form bytes from `m0` to the end.
    #[inline]
    fn add_segment(&mut self, o0: usize, o1: usize, m0: usize, linear: bool) {
        let m1 = self.text.len();
        if let Some(last) = self.segments.last_mut() {
            if last.m1 == m0 {
                if last.o0 == o0 && last.o1 == o1 {
                    last.m1 = m1;
                    last.linear = false;
                    return;
                }
                if linear && last.linear && last.o1 == o0 {
                    last.o1 = o1;
                    last.m1 = m1;
                    return;
                }
                if o0 < last.o1 {
                    // Overlaps the previous piece (several outputs of one character that a
                    // space split): keep the map monotone by widening the previous piece.
                    last.o1 = last.o1.max(o1);
                    last.m1 = m1;
                    last.linear = false;
                    return;
                }
            }
        }
        self.segments.push(Segment {
            o0,
            o1,
            m0,
            m1,
            linear,
        });
    }

    #[inline(always)]
    fn push_char(&mut self, ch: char, o0: usize, o1: usize, whole: bool) {
        let m0 = self.text.len();
        self.text.push(ch);
        let linear = whole && ch.len_utf8() == o1 - o0;
        // The common case first: the next character of a one-to-one run (what
        // `add_segment` would do; `o0 < o1` here, so it cannot be the same character).
        if let Some(last) = self.segments.last_mut() {
            if linear && last.linear && last.m1 == m0 && last.o1 == o0 {
                last.o1 = o1;
                last.m1 = self.text.len();
                return;
            }
        }
        self.add_segment(o0, o1, m0, linear);
    }

    /// A space standing for the separators in original `o0..o1` (ends in either order).
    /// When they lie inside the character written last (a separator produced by the same
    /// character as the word before, e.g. `🄀` → `0.`), the space joins that character's
    /// segment, unless `may_be_empty` (pinyin syllable spaces stand for nothing).
    fn push_space(&mut self, o0: usize, o1: usize, may_be_empty: bool) {
        let (o0, o1) = (o0.min(o1), o0.max(o1));
        let floor = self.segments.last().map_or(0, |s| s.o1);
        let inside_last = o0 < floor;
        let (o0, o1) = (o0.max(floor), o1.max(floor));
        let m0 = self.text.len();
        self.text.push(' ');
        if o0 == o1 && (inside_last || !may_be_empty) {
            if let Some(last) = self.segments.last_mut() {
                last.m1 = self.text.len();
                last.linear = false;
                return;
            }
        }
        self.add_segment(o0, o1, m0, o1 - o0 == 1);
    }

    pub(crate) fn build(&mut self, input: &str, pinyin: bool) {
        self.clear();
        let mut atoms = std::mem::take(&mut self.atoms);
        if pinyin {
            collect_atoms(input, &mut atoms);
            self.assemble(&atoms, Mode::Pinyin);
        } else {
            self.build_match(input, &mut atoms);
        }
        self.atoms = atoms;
    }

    /// The match form in one pass: what [`collect_atoms`] then [`Self::assemble`] write,
    /// without gathering the (mostly Han) wide characters first. In match mode nothing
    /// carries across a wide character: it is written as it comes, separators before it
    /// vanish, and a Latin run ends there. So only the atoms since the last wide
    /// character are gathered, and assembled alone when the next one (or the end) comes.
    ///
    /// Most characters of Chinese text fold to themselves: a run of those is copied whole
    /// and its segment extended once, exactly what writing them one by one would do.
    fn build_match(&mut self, input: &str, pending: &mut Vec<Atom>) {
        pending.clear();
        self.text.reserve(input.len());
        // Original bytes `run.0..run.1` of characters that fold to themselves, written
        // (with their segment) only when something else comes: it continues the last
        // segment, which is linear and ends at `run.0` and at the end of the text.
        let mut run: Option<(usize, usize)> = None;
        for (o0, c) in input.char_indices() {
            let o1 = o0 + c.len_utf8();
            match fold(c) {
                Fold::One(f) => {
                    // The hot case: a character that folds to itself continues the run.
                    if f.kind == Kind::Wide && f.ch == c && pending.is_empty() {
                        if let Some((_, end)) = &mut run {
                            if *end == o0 {
                                *end = o1;
                                continue;
                            }
                        }
                    }
                    self.match_step(input, pending, &mut run, f, true, c, o0, o1);
                }
                several => {
                    for &f in several.several() {
                        self.match_step(input, pending, &mut run, f, false, c, o0, o1);
                    }
                }
            }
        }
        self.flush_run(input, run.take());
        if !pending.is_empty() {
            self.assemble(pending, Mode::Match);
        }
    }

    /// One folded character `f` of original `c` (bytes `o0..o1`) in `build_match`.
    #[allow(clippy::too_many_arguments)]
    fn match_step(
        &mut self,
        input: &str,
        pending: &mut Vec<Atom>,
        run: &mut Option<(usize, usize)>,
        f: Folded,
        whole: bool,
        c: char,
        o0: usize,
        o1: usize,
    ) {
        match f.kind {
            Kind::Wide if whole && f.ch == c && pending.is_empty() => {
                self.flush_run(input, run.take());
                self.push_char(c, o0, o1, true);
                if self
                    .segments
                    .last()
                    .is_some_and(|s| s.linear && s.o1 == o1 && s.m1 == self.text.len())
                {
                    *run = Some((o1, o1));
                }
            }
            Kind::Wide => {
                self.flush_run(input, run.take());
                if !pending.is_empty() {
                    self.assemble(pending, Mode::Match);
                    pending.clear();
                }
                self.push_char(f.ch, o0, o1, whole);
            }
            Kind::Sep => match pending.last_mut() {
                // One separator stands for a run of them (as in `collect_atoms`).
                Some(last) if last.kind == Kind::Sep => {
                    last.ch = ' ';
                    last.o1 = o1;
                }
                Some(_) => pending.push(Atom {
                    ch: f.ch,
                    kind: f.kind,
                    whole,
                    o0,
                    o1,
                }),
                // Separators before a run write nothing: `assemble` skips them.
                None => {}
            },
            _ => {
                self.flush_run(input, run.take());
                pending.push(Atom {
                    ch: f.ch,
                    kind: f.kind,
                    whole,
                    o0,
                    o1,
                })
            }
        }
    }

    /// Writes the characters of `run` (see `build_match`) and extends the last segment.
    #[inline]
    fn flush_run(&mut self, input: &str, run: Option<(usize, usize)>) {
        let Some((start, end)) = run else {
            return;
        };
        if start == end {
            return;
        }
        self.text.push_str(input.get(start..end).unwrap_or(""));
        if let Some(last) = self.segments.last_mut() {
            last.o1 = end;
            last.m1 = self.text.len();
        }
    }

    fn assemble(&mut self, atoms: &[Atom], mode: Mode) {
        // End (original offset) of the last word or syllable after which a space is due.
        let mut last_end: Option<usize> = None;
        // In pinyin mode, Han characters without a reading are kept as they are, one run.
        let mut raw_wide_open = false;
        let mut i = 0;
        while let Some(atom) = atoms.get(i) {
            match atom.kind {
                Kind::Sep => {
                    raw_wide_open = false;
                    i += 1;
                }
                Kind::Wide => {
                    match mode {
                        Mode::Match => {
                            self.push_char(atom.ch, atom.o0, atom.o1, atom.whole);
                            last_end = None;
                        }
                        Mode::Pinyin => {
                            let reading = atom.ch.to_pinyin().map(|p| p.plain());
                            if reading.is_none() && raw_wide_open {
                                self.push_char(atom.ch, atom.o0, atom.o1, atom.whole);
                            } else {
                                if let Some(end) = last_end {
                                    self.push_space(end, atom.o0, true);
                                }
                                match reading {
                                    Some(syllable) => self.push_syllable(syllable, atom),
                                    None => self.push_char(atom.ch, atom.o0, atom.o1, atom.whole),
                                }
                            }
                            raw_wide_open = reading.is_none();
                            last_end = Some(atom.o1);
                        }
                    }
                    i += 1;
                }
                Kind::Letter | Kind::Digit | Kind::Punct => {
                    let end = atoms[i..]
                        .iter()
                        .position(|a| a.kind == Kind::Wide)
                        .map_or(atoms.len(), |p| i + p);
                    if mode == Mode::Match {
                        last_end = None;
                    }
                    last_end = self.push_latin_run(&atoms[i..end], last_end);
                    raw_wide_open = false;
                    i = end;
                }
            }
        }
    }

    fn push_syllable(&mut self, syllable: &str, atom: &Atom) {
        let m0 = self.text.len();
        for c in syllable.chars() {
            self.text.push(match c {
                'ü' => 'v',
                'ê' | 'ē' | 'é' | 'ě' | 'è' => 'e',
                'ḿ' => 'm',
                'ń' | 'ň' | 'ǹ' => 'n',
                c if c.is_ascii() => c.to_ascii_lowercase(),
                _ => continue,
            });
        }
        if self.text.len() == m0 {
            self.text.push(atom.ch);
        }
        self.add_segment(atom.o0, atom.o1, m0, false);
    }

    /// Writes one run of Latin-script tokens (no Wide atom inside) and returns the original
    /// end offset of its last word, if it wrote any.
    fn push_latin_run(&mut self, run: &[Atom], mut last_end: Option<usize>) -> Option<usize> {
        let mut word = std::mem::take(&mut self.word);
        word.clear();
        // The previous token, when it was one letter or digit: it may join the next one.
        let mut prev_single: Option<Kind> = None;
        // Original range of the separators since the last token, and of those before the
        // word being gathered: the space written before a word stands for them.
        let mut gap: Option<(usize, usize)> = None;
        let mut word_gap: Option<(usize, usize)> = None;
        let mut k = 0;
        while k < run.len() {
            if run[k].kind == Kind::Sep && !is_number_dot(run, k) {
                let a = &run[k];
                gap = Some(gap.map_or((a.o0, a.o1), |(g0, _)| (g0, a.o1)));
                k += 1;
                continue;
            }
            let start = k;
            while k < run.len() && (run[k].kind != Kind::Sep || is_number_dot(run, k)) {
                k += 1;
            }
            let token = &run[start..k];
            let single = match token {
                [one] if matches!(one.kind, Kind::Letter | Kind::Digit) => Some(one.kind),
                _ => None,
            };
            let join = matches!((prev_single, single), (Some(a), Some(b)) if a == Kind::Letter || b == Kind::Letter);
            if !join && !word.is_empty() {
                last_end = Some(self.push_word(&mut word, last_end, word_gap));
            }
            if word.is_empty() {
                word_gap = gap;
            }
            gap = None;
            word.extend(token.iter().map(|a| {
                let mut a = *a;
                if a.kind == Kind::Sep {
                    a.kind = Kind::Punct;
                }
                a
            }));
            prev_single = single;
        }
        if !word.is_empty() {
            last_end = Some(self.push_word(&mut word, last_end, word_gap));
        }
        self.word = word;
        last_end
    }

    /// Folds look-alikes in one word, writes it (after a space standing for `gap`, or for
    /// what lies between `last_end` and the word, when a space is due) and returns the
    /// original end offset of its last character.
    fn push_word(
        &mut self,
        word: &mut Vec<Atom>,
        last_end: Option<usize>,
        gap: Option<(usize, usize)>,
    ) -> usize {
        fold_lookalikes(word);
        let first_start = word.first().map_or(0, |a| a.o0);
        if let Some(end) = last_end {
            match gap {
                Some((g0, g1)) => self.push_space(g0, g1, false),
                None => self.push_space(end, first_start, true),
            }
        }
        let mut end = first_start;
        for a in word.iter() {
            self.push_char(a.ch, a.o0, a.o1, a.whole);
            end = a.o1;
        }
        word.clear();
        end
    }
}

/// A `.` or `,` between two digits (`99.9`, `1,000`) is part of the number, not a separator.
fn is_number_dot(run: &[Atom], k: usize) -> bool {
    matches!(run.get(k), Some(a) if a.kind == Kind::Sep && (a.ch == '.' || a.ch == ','))
        && k > 0
        && matches!(run.get(k - 1), Some(p) if p.kind == Kind::Digit)
        && matches!(run.get(k + 1), Some(n) if n.kind == Kind::Digit)
}

/// The letter a digit or symbol stands for inside a word (`N1KE`, `R0LEX`, `adid@s`).
pub(crate) fn lookalike_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        _ => return None,
    })
}

/// Folds every maximal run of look-alike characters that has an ASCII letter right before
/// and right after it inside the word.
fn fold_lookalikes(word: &mut [Atom]) {
    let mut i = 0;
    while i < word.len() {
        if lookalike_letter(word[i].ch).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < word.len() && lookalike_letter(word[i].ch).is_some() {
            i += 1;
        }
        let before = start
            .checked_sub(1)
            .and_then(|p| word.get(p))
            .is_some_and(|a| a.ch.is_ascii_lowercase());
        let after = word.get(i).is_some_and(|a| a.ch.is_ascii_lowercase());
        if before && after {
            for a in &mut word[start..i] {
                if let Some(l) = lookalike_letter(a.ch) {
                    a.ch = l;
                    a.kind = Kind::Letter;
                }
            }
        }
    }
}

fn collect_atoms(input: &str, atoms: &mut Vec<Atom>) {
    atoms.clear();
    atoms.reserve(input.len());
    for (o0, c) in input.char_indices() {
        let o1 = o0 + c.len_utf8();
        fold_char(c, |f: Folded, whole| {
            if f.kind == Kind::Sep {
                match atoms.last_mut() {
                    // One separator stands for a run of them; a run is never a decimal point.
                    Some(last) if last.kind == Kind::Sep => {
                        last.ch = ' ';
                        last.o1 = o1;
                        return;
                    }
                    None => return,
                    Some(_) => {}
                }
            }
            atoms.push(Atom {
                ch: f.ch,
                kind: f.kind,
                whole,
                o0,
                o1,
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The two-pass match form (gather every atom, then assemble): the reference for the
    /// one-pass `build_match`.
    fn two_pass(input: &str) -> MatchForm {
        let mut f = MatchForm::new();
        let mut atoms = Vec::new();
        collect_atoms(input, &mut atoms);
        f.assemble(&atoms, Mode::Match);
        f
    }

    fn same(input: &str) -> Result<(), TestCaseError> {
        let want = two_pass(input);
        let mut got = MatchForm::new();
        // Twice into the same form: reuse must not leak state from the last build.
        got.build("前一个 Text 1,000 ", false);
        got.build(input, false);
        prop_assert_eq!(got.as_str(), want.as_str(), "{:?}", input);
        prop_assert_eq!(&got.segments, &want.segments, "{:?}", input);
        Ok(())
    }

    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "耐克",
            "高仿",
            "N1KE",
            "ｎｉｋｅ",
            "a",
            "b",
            "1",
            "9",
            ".",
            ",",
            " ",
            "  ",
            "-",
            "·",
            "、",
            "\u{200B}",
            "\u{0301}",
            "😍",
            "㈱",
            "㍿",
            "½",
            "ⓝ",
            "@",
            "$",
            "'",
            "\t",
            "i phone",
            "99.9%",
            "1:1",
            "Ａ",
            "乾",
            "ｶﾞ",
            "한",
            "𠀀",
            "\u{E0041}",
            "0",
            "lv",
        ]);
        prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn one_pass_equals_two_pass_on_listing_pieces(s in pieces()) {
            same(&s)?;
        }

        #[test]
        fn one_pass_equals_two_pass_on_any_chars(v in prop::collection::vec(any::<char>(), 0..40)) {
            same(&v.into_iter().collect::<String>())?;
        }
    }

    #[test]
    fn one_pass_equals_two_pass_on_every_char_between_han_and_latin() {
        for cp in (0..0x3_0000u32).step_by(7) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            for s in [
                format!("耐{c}克"),
                format!("a{c}b"),
                format!("{c}"),
                format!("1{c}2 耐"),
            ] {
                same(&s)
                    .map_err(|e| format!("U+{cp:04X}: {e}"))
                    .expect("same");
            }
        }
    }
}
