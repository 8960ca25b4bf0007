//! Review fingerprints: template reviews (刷单好评模板) written by one hand across many
//! accounts, found even when punctuation, width, traditional characters or a few words
//! change.
//!
//! A review is read in its match form (`wangjian_text::normalize`: width, case,
//! traditional → simplified, evasion variants; spaces dropped). Its exact fingerprint is
//! a 64-bit hash of that form; its near-duplicate fingerprint is a 64-bit SimHash
//! (Charikar, STOC 2002) of its character bigrams, so two texts differing in a few
//! characters differ in a few bits. Reviews shorter than [`MIN_CHARS`] characters (好评,
//! 不错) are too common to tell anything and get no fingerprint.

use std::hash::BuildHasher;

/// Shortest review (in characters of the match form) that can be a template.
pub const MIN_CHARS: usize = 8;

/// Two SimHashes at most this many bits apart are near-duplicates. For bigram SimHash of
/// a 20-character review, changing two characters (four bigrams) moves about 13 bits;
/// unrelated texts are Binomial(64, ½) apart, 14 bits or fewer once in ~90 000 pairs.
pub const NEAR_BITS: u32 = 14;

/// The fingerprints of one review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReviewPrint {
    /// Hash of the match form.
    pub exact: u64,
    /// SimHash of the match form's character bigrams.
    pub sim: u64,
}

impl ReviewPrint {
    /// The fingerprints of `text`; `None` when it is shorter than [`MIN_CHARS`].
    pub fn of(text: &str) -> Option<ReviewPrint> {
        let form = wangjian_text::normalize(text);
        let chars: Vec<char> = form.as_str().chars().filter(|c| *c != ' ').collect();
        if chars.len() < MIN_CHARS {
            return None;
        }
        let hasher = foldhash::fast::FixedState::with_seed(0x007e_71e3);
        let exact = hasher.hash_one(&chars);
        let mut votes = [0i32; 64];
        for w in chars.windows(2) {
            let h = hasher.hash_one((w[0], w[1]));
            for (bit, v) in votes.iter_mut().enumerate() {
                *v += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        }
        let sim = votes
            .iter()
            .enumerate()
            .fold(0u64, |acc, (bit, &v)| acc | (u64::from(v > 0) << bit));
        Some(ReviewPrint { exact, sim })
    }

    /// True when the two are the same text or near-duplicates.
    pub fn near(&self, other: &ReviewPrint) -> bool {
        self.exact == other.exact || (self.sim ^ other.sim).count_ones() <= NEAR_BITS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_across_spelling_and_small_edits() {
        let a = ReviewPrint::of("宝贝收到了，质量非常好，物流也很快，五星好评！").unwrap();
        let b = ReviewPrint::of("寶貝收到了 質量非常好 物流也很快 五星好評").unwrap();
        let c = ReviewPrint::of("宝贝收到了，质量非常好，物流超级快，五星好评！").unwrap();
        let d = ReviewPrint::of("尺码偏小一号，建议买大一码，颜色和图片一样").unwrap();
        assert_eq!(a.exact, b.exact);
        assert!(a.near(&c), "{}", (a.sim ^ c.sim).count_ones());
        assert!(!a.near(&d), "{}", (a.sim ^ d.sim).count_ones());
        assert!(ReviewPrint::of("好评！").is_none());
    }
}
