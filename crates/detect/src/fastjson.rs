//! A fast path for the JSON listing lines a patrol reads by the million.
//!
//! It reads the plain, well-formed line (an object whose strings have no escapes, known
//! fields of the expected types, each once) with no allocation beyond integer ids, and
//! gives up — `None` — on anything else: an escape anywhere in the line, a duplicate
//! field, a wrong type, nesting deeper than [`MAX_DEPTH`], any syntax error. The caller
//! then parses the line with serde_json, which gives the exact same result on lines this
//! path accepts (tested against it on generated and mutated lines) and serde_json's error
//! messages on the rest. So this path never decides an error; it only makes the common
//! case cheap (serde's generic visitors were a fifth of a scan).

use std::borrow::Cow;

use crate::listing::{Id, RawListing};
use crate::ShopRef;

/// Deeper unknown values go to serde_json (its own limit is 128).
const MAX_DEPTH: u32 = 64;

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// The fields of a listing line; `None` when serde_json must decide.
pub(crate) fn listing(line: &str) -> Option<RawListing<'_>> {
    // An escape or a control character (tabs included) anywhere: serde_json unescapes,
    // validates surrogates and refuses raw control characters in strings its own way.
    if has_escape_or_control(line.as_bytes()) {
        return None;
    }
    let mut p = Parser {
        s: line,
        b: line.as_bytes(),
        i: 0,
    };
    p.ws();
    let raw = p.object_listing()?;
    p.ws();
    (p.i == p.b.len()).then_some(raw)
}

/// True when a byte of `b` is below 0x20 or a backslash (eight bytes at a time).
fn has_escape_or_control(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        // A byte below 0x20 (its high bit clear) or equal to `\\`.
        let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let x = w ^ (ONES * u64::from(b'\\'));
        let backslash = x.wrapping_sub(ONES) & !x & HIGH;
        if below | backslash != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| c < 0x20 || c == b'\\')
}

/// A decimal without exponent and with at most 15 significant digits, as the nearest
/// double: its digits are an exact integer below 2^53 and the power of ten is exact, so
/// one division rounds correctly, as serde_json's own fast path does. `None` for the rest.
fn exact_decimal(n: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, digits) = match n.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, n),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.len() + frac.len() > 15 || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut m: u64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        m = m * 10 + u64::from(b - b'0');
    }
    let v = m as f64 / POW10[frac.len()];
    Some(if neg { -v } else { v })
}

/// Marks field `bit` as seen; `None` when it already was (a duplicate field).
fn first(seen: &mut u32, bit: u32) -> Option<()> {
    let fresh = *seen & (1 << bit) == 0;
    *seen |= 1 << bit;
    fresh.then_some(())
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string without escapes (none are in the line), borrowed.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        // No escapes and no control characters in the line: the next quote ends it.
        let len = memchr::memchr(b'"', &self.b[start..])?;
        self.i = start + len + 1;
        // Both ends are ASCII quotes, so these are character boundaries.
        self.s.get(start..start + len)
    }

    /// The text of a number, checked against JSON's grammar.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digits1()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digits1()?;
        }
        self.s.get(start..self.i)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn digits1(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// `null` (then `None`) or not: whether the value is absent.
    fn null(&mut self) -> bool {
        self.literal(b"null").is_some()
    }

    /// Any JSON value, checked and skipped.
    fn skip_value(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                self.i += 1;
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.skip_value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.skip_value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number().map(drop),
        }
    }

    /// A text field: a string or `null`.
    fn text(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(|s| Some(Cow::Borrowed(s)))
    }

    /// `{ "key": value, ... }`, calling `field` with each key; `field` reads the value and
    /// says `None` to give up.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            field(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn object_listing(&mut self) -> Option<RawListing<'a>> {
        let mut raw = RawListing::default();
        // Fields seen, to leave duplicates to serde_json (which refuses them).
        let mut seen = 0u32;
        self.object(|p, key| {
            let (bit, slot) = match key {
                "id" => {
                    first(&mut seen, 0)?;
                    raw.id = p.id()?;
                    return Some(());
                }
                "price" => {
                    first(&mut seen, 1)?;
                    raw.price = p.price()?;
                    return Some(());
                }
                "shop" => {
                    first(&mut seen, 2)?;
                    raw.shop = p.shop()?;
                    return Some(());
                }
                "platform" => (3, &mut raw.platform),
                "title" => (4, &mut raw.title),
                "description" => (5, &mut raw.description),
                "category" => (6, &mut raw.category),
                "ship_from" => (7, &mut raw.ship_from),
                "url" => (8, &mut raw.url),
                "captured_at" => (9, &mut raw.captured_at),
                _ => return p.skip_value(1),
            };
            first(&mut seen, bit)?;
            *slot = p.text()?;
            Some(())
        })?;
        Some(raw)
    }

    /// A string, a non-negative integer that fits in 64 bits, or `null`.
    fn id(&mut self) -> Option<Option<Id<'a>>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Some(Id(Cow::Borrowed(s)))),
            b'n' => self.null().then_some(None),
            // Negative ids (and `-0`, a float to serde_json) are left to serde_json.
            b'0'..=b'9' => {
                let n = self.number()?;
                let v: u64 = n.parse().ok()?;
                Some(Some(Id(Cow::Owned(v.to_string()))))
            }
            _ => None,
        }
    }

    /// A number or `null`, rounded exactly as serde_json rounds it: short decimals by one
    /// exact division (as serde_json does), the rest by serde_json itself.
    fn price(&mut self) -> Option<Option<f64>> {
        if self.null() {
            return Some(None);
        }
        let n = self.number()?;
        Some(Some(match exact_decimal(n) {
            Some(v) => v,
            None => serde_json::from_str::<f64>(n).ok()?,
        }))
    }

    fn shop(&mut self) -> Option<Option<ShopRef<'a>>> {
        if self.null() {
            return Some(None);
        }
        let mut shop = ShopRef::default();
        let mut seen = 0u32;
        self.object(|p, key| {
            let (bit, slot) = match key {
                "id" => (0, &mut shop.id),
                "name" => (1, &mut shop.name),
                "province" => (2, &mut shop.province),
                "city" => (3, &mut shop.city),
                "license_no" => (4, &mut shop.license_no),
                "uscc" => (5, &mut shop.uscc),
                _ => return p.skip_value(2),
            };
            first(&mut seen, bit)?;
            *slot = p.text()?;
            Some(())
        })?;
        Some(Some(shop))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn exact_decimals_are_what_serde_json_reads(
            neg in any::<bool>(),
            int in 0u64..10_000_000_000,
            frac in "[0-9]{0,9}",
        ) {
            let n = format!("{}{int}{}{frac}", if neg { "-" } else { "" }, if frac.is_empty() { "" } else { "." });
            let want: f64 = serde_json::from_str(&n).expect("number");
            if let Some(got) = exact_decimal(&n) {
                prop_assert_eq!(got.to_bits(), want.to_bits(), "{}", n);
            }
        }

        #[test]
        fn escapes_and_control_bytes_are_found_anywhere(s in "[a-z耐克 ]{0,40}", at in any::<prop::sample::Index>(), b in prop::sample::select(vec![b'\\', 0u8, 9, 10, 13, 31])) {
            prop_assert!(!has_escape_or_control(s.as_bytes()));
            let mut v = s.into_bytes();
            let i = at.index(v.len() + 1);
            v.insert(i, b);
            prop_assert!(has_escape_or_control(&v));
        }
    }

    #[test]
    fn long_or_exponent_numbers_are_left_to_serde_json() {
        assert_eq!(exact_decimal("1234567890.12345"), Some(1234567890.12345));
        assert_eq!(exact_decimal("1234567890.123456"), None);
        assert_eq!(exact_decimal("1e3"), None);
        assert_eq!(exact_decimal("-0"), Some(-0.0));
    }
}
