//! Every parser of outside input refuses bad input with an error, never a panic: checkpoint
//! notes, key files, whole packages (random bytes, truncations), proofs.

use proptest::prelude::*;
use wangjian_ledger::{sample, verify_package, LogKey, SignedCheckpoint, VerifierKey};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn checkpoint_and_key_texts(s in "\\PC{0,200}") {
        let _ = SignedCheckpoint::parse(&s);
        let _ = VerifierKey::parse(&s);
        let _ = LogKey::from_private_text(&s);
    }

    #[test]
    fn mutated_checkpoints(at in any::<prop::sample::Index>(), c in any::<char>()) {
        let text = sample::package(2, 1).checkpoint.text().unwrap();
        let mut chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len());
        chars[i] = c;
        let s: String = chars.into_iter().collect();
        if let Ok(parsed) = SignedCheckpoint::parse(&s) {
            // Whatever still parses prints back to the same text.
            prop_assert_eq!(parsed.text().unwrap(), s);
        }
    }

    #[test]
    fn random_package_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(!verify_package(&bytes, None).is_valid());
    }
}

#[test]
fn every_truncation_of_a_package_is_refused() {
    let bytes = sample::package(3, 1).build().unwrap();
    // Every 64th length, and the lengths around each 512-byte tar block.
    let mut lens: Vec<usize> = (0..bytes.len()).step_by(64).collect();
    lens.extend((512..bytes.len()).step_by(512).flat_map(|b| [b - 1, b + 1]));
    for n in lens {
        let r = verify_package(&bytes[..n], None);
        // The two trailing zero blocks of a tar archive are optional to readers.
        if r.is_valid() {
            assert!(n >= bytes.len() - 1024, "truncated to {n} bytes yet valid");
        }
    }
}
