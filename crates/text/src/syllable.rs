//! Toneless pinyin syllables as small numbers: the alphabet homophone matching runs on.
//!
//! A Chinese homophone of a mark (奈克 for 耐克) is the same sequence of syllables. Matching
//! sequences of syllable *ids*, one per Han character, is exact where matching spelled-out
//! pinyin is not (`di ao` against `diao` needs spaces and boundary checks) and costs one
//! table lookup per character instead of writing and re-reading a Latin projection.

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::ToPinyin;

/// One toneless syllable (`nai`, `lv`), as read by [`pinyin()`](crate::pinyin()): the first
/// reading of a character, `ü` written `v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Syllable(u16);

/// Ranges read from the table (the rest, e.g. CJK extension B+, are read on demand).
const TABLED: [(u32, u32); 2] = [(0x3400, 0x9fff), (0xf900, 0xfaff)];

struct Syllables {
    /// Syllable of each tabled code point (0 = none), ranges back to back.
    ids: Vec<u16>,
    /// Id → spelling; index 0 is unused.
    names: Vec<String>,
    by_name: HashMap<String, u16>,
}

fn spell(reading: &str) -> String {
    let mut s = String::with_capacity(reading.len());
    for c in reading.chars() {
        match c {
            'ü' => s.push('v'),
            'ê' | 'ē' | 'é' | 'ě' | 'è' => s.push('e'),
            'ḿ' => s.push('m'),
            'ń' | 'ň' | 'ǹ' => s.push('n'),
            c if c.is_ascii() => s.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    s
}

fn syllables() -> &'static Syllables {
    static TABLE: OnceLock<Syllables> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Syllables {
            ids: Vec::new(),
            names: vec![String::new()],
            by_name: HashMap::new(),
        };
        for (lo, hi) in TABLED {
            for cp in lo..=hi {
                let id = char::from_u32(cp)
                    .and_then(|c| c.to_pinyin())
                    .map(|p| spell(p.plain()))
                    .filter(|s| !s.is_empty())
                    .map_or(0, |s| match t.by_name.get(&s) {
                        Some(id) => *id,
                        None => {
                            let id = t.names.len() as u16;
                            t.names.push(s.clone());
                            t.by_name.insert(s, id);
                            id
                        }
                    });
                t.ids.push(id);
            }
        }
        t
    })
}

impl Syllable {
    /// The syllable of `c`, or `None` when it is not a Han character with a reading.
    pub fn of(c: char) -> Option<Syllable> {
        let t = syllables();
        let cp = c as u32;
        let mut base = 0usize;
        for (lo, hi) in TABLED {
            if (lo..=hi).contains(&cp) {
                let id = t.ids.get(base + (cp - lo) as usize).copied().unwrap_or(0);
                return (id != 0).then_some(Syllable(id));
            }
            base += (hi - lo + 1) as usize;
        }
        if cp < 0x20000 {
            return None;
        }
        let s = spell(c.to_pinyin()?.plain());
        t.by_name.get(&s).map(|id| Syllable(*id))
    }

    /// The syllable's number: 1 to [`Syllable::count`], the same in every process.
    pub fn id(self) -> u16 {
        self.0
    }

    /// The syllable with number `id`, if there is one.
    pub fn from_id(id: u16) -> Option<Syllable> {
        (id != 0 && (id as usize) < syllables().names.len()).then_some(Syllable(id))
    }

    /// How many syllables there are.
    pub fn count() -> u16 {
        (syllables().names.len() - 1) as u16
    }

    /// The spelling (`nai`).
    pub fn as_str(self) -> &'static str {
        syllables()
            .names
            .get(self.0 as usize)
            .map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_share_a_syllable_and_spellings_match_the_projection() {
        let s = |c| Syllable::of(c).expect("reading");
        assert_eq!(s('耐'), s('奈'));
        assert_eq!(s('克'), s('课'));
        assert_ne!(s('耐'), s('克'));
        assert_eq!(s('绿').as_str(), "lv");
        assert_eq!(s('耐').as_str(), "nai");
        assert_eq!(Syllable::of('a'), None);
        assert_eq!(Syllable::of('。'), None);
        // Every syllable is spelled as the pinyin projection spells that character.
        for c in "耐克阿迪达斯茅台五粮液女绿长乐嗯".chars() {
            assert_eq!(crate::pinyin(&c.to_string()).as_str(), s(c).as_str(), "{c}");
        }
        let n = Syllable::count();
        assert!((300..2000).contains(&n), "{n}");
        assert_eq!(Syllable::from_id(s('耐').id()), Some(s('耐')));
        assert_eq!(Syllable::from_id(0), None);
        assert_eq!(Syllable::from_id(n + 1), None);
    }
}
