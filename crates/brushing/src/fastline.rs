//! A fast path for plain order lines: the millions of lines of an upload are objects of
//! short strings and numbers, and serde_json's generic machinery was most of a run.
//!
//! It reads a line that has no backslash and no control character, whose known fields
//! appear once with the expected JSON types (ids as strings or integers without sign or
//! leading zero, numbers without exponent and with at most 15 significant digits), and
//! any unknown fields with any value; and returns `None` for everything else, so the
//! caller asks serde_json, which gives the same fields on every line this path accepts
//! (property-tested) and its own error messages on the rest. This path never decides
//! that a line is bad.

use std::borrow::Cow;

use crate::order::Fields;

struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Fields of a plain line, or `None` when serde_json must read it.
pub(crate) fn fields(line: &str) -> Option<Fields<'_>> {
    if line.bytes().any(|c| c < 0x20 || c == b'\\') {
        return None;
    }
    let mut c = Cursor {
        s: line,
        b: line.as_bytes(),
        i: 0,
    };
    let mut f = Fields::default();
    let mut seen = 0u32;
    c.ws();
    c.eat(b'{')?;
    c.ws();
    if c.eat(b'}').is_none() {
        loop {
            c.ws();
            let key = c.string()?;
            c.ws();
            c.eat(b':')?;
            c.ws();
            let bit = match key {
                "order_id" => 0,
                "buyer" => 1,
                "shop" => 2,
                "listing" => 3,
                "time" => 4,
                "amount" => 5,
                "address" => 6,
                "device" => 7,
                "ip" => 8,
                "review" => 9,
                "weight" => 10,
                "logistics" => 11,
                _ => {
                    c.skip(0)?;
                    32
                }
            };
            if bit < 32 {
                if seen & (1 << bit) != 0 {
                    return None;
                }
                seen |= 1 << bit;
                match bit {
                    0 => f.order_id = c.id()?,
                    1 => f.buyer = c.id()?,
                    2 => f.shop = c.id()?,
                    3 => f.listing = c.id()?,
                    4 => f.time = c.opt_string()?,
                    5 => f.amount = c.opt_number()?,
                    6 => f.address = c.opt_string()?,
                    7 => f.device = c.opt_string()?,
                    8 => f.ip = c.opt_string()?,
                    9 => f.review = c.opt_string()?,
                    10 => f.weight = c.opt_number()?,
                    _ => f.logistics = c.opt_string()?,
                }
            }
            c.ws();
            match c.peek()? {
                b',' => c.i += 1,
                b'}' => {
                    c.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    c.ws();
    (c.i == c.b.len()).then_some(f)
}

impl<'a> Cursor<'a> {
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

    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = memchr::memchr(b'"', &self.b[start..])?;
        self.i = start + len + 1;
        self.s.get(start..start + len)
    }

    fn null(&mut self) -> bool {
        if self.b.get(self.i..self.i + 4) == Some(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    /// A JSON number's text, checked against the grammar.
    fn number_text(&mut self) -> Option<&'a str> {
        let start = self.i;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            let d = self.i;
            self.digits();
            if self.i == d {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            let d = self.i;
            self.digits();
            if self.i == d {
                return None;
            }
        }
        self.s.get(start..self.i)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    /// An id: a string, or an integer written canonically (what serde's integer visitor
    /// would print back). `Some(None)` for null.
    fn id(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Some(Cow::Borrowed(s))),
            b'n' => self.null().then_some(None),
            _ => {
                let t = self.number_text()?;
                let canonical = !t.is_empty()
                    && t.bytes().all(|b| b.is_ascii_digit())
                    && (t == "0" || !t.starts_with('0'))
                    && t.parse::<u64>().is_ok();
                canonical.then_some(Some(Cow::Borrowed(t)))
            }
        }
    }

    fn opt_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Some(Cow::Borrowed(s))),
            b'n' => self.null().then_some(None),
            _ => None,
        }
    }

    /// A number without exponent and with at most 15 significant digits (exactly the
    /// same double whoever parses it), or such a number in a string, or null.
    fn opt_number(&mut self) -> Option<Option<f64>> {
        let text = match self.peek()? {
            b'n' => return self.null().then_some(None),
            b'"' => self.string()?.trim(),
            _ => self.number_text()?,
        };
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        let plain = text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        if !plain || digits == 0 || digits > 15 || text.starts_with('.') || text.ends_with('.') {
            return None;
        }
        text.parse::<f64>().ok().filter(|x| x.is_finite()).map(Some)
    }

    /// Skips any JSON value (no escapes are in the line).
    fn skip(&mut self, depth: u32) -> Option<()> {
        if depth > 64 {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'n' => self.null().then_some(()),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            open @ (b'{' | b'[') => {
                self.i += 1;
                let close = if open == b'{' { b'}' } else { b']' };
                self.ws();
                if self.eat(close).is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    if open == b'{' {
                        self.string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                    }
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        c if c == close => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.number_text().map(drop),
        }
    }

    fn word(&mut self, w: &[u8]) -> Option<()> {
        (self.b.get(self.i..self.i + w.len())? == w).then(|| self.i += w.len())
    }
}
