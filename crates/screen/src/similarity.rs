//! How alike two short strings are: the Indel similarity `2·LCS / (|a| + |b|)` over
//! characters (what rapidfuzz calls `ratio`), in [0, 1], 1 for equal strings. Names are
//! short (a trade name is 2–6 characters), so the quadratic LCS costs less than a hash.

/// Indel similarity of `a` and `b`; 1 when both are empty.
pub fn similarity(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    if a == b {
        return 1.0;
    }
    2.0 * lcs(a, b) as f64 / total as f64
}

/// Length of the longest common subsequence, with one row of `u16` (names longer than
/// 65 535 characters count as that long).
fn lcs(a: &[char], b: &[char]) -> usize {
    let (a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
    let mut stack = [0u16; 64];
    let mut heap;
    let row: &mut [u16] = if b.len() < stack.len() {
        &mut stack[..=b.len()]
    } else {
        heap = vec![0u16; b.len() + 1];
        &mut heap
    };
    for &ca in a {
        let mut diag = 0u16;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if ca == cb {
                diag.saturating_add(1)
            } else {
                up.max(row[j])
            };
            diag = up;
        }
    }
    row[b.len()] as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str) -> f64 {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        similarity(&a, &b)
    }

    #[test]
    fn known_values() {
        assert_eq!(s("", ""), 1.0);
        assert_eq!(s("阿里巴巴", "阿里巴巴"), 1.0);
        assert_eq!(s("阿里巴巴", ""), 0.0);
        assert_eq!(s("京东世纪", "京东"), 2.0 * 2.0 / 6.0);
        assert_eq!(s("abc", "xyz"), 0.0);
        assert_eq!(s("kitten", "sitting"), 2.0 * 4.0 / 13.0);
    }

    #[test]
    fn long_strings_use_the_heap() {
        let a = "甲".repeat(100) + "乙";
        let b = "甲".repeat(100);
        assert!((s(&a, &b) - 200.0 / 201.0).abs() < 1e-12);
    }
}
