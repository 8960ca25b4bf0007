//! Reading line-oriented input from outside: stdin or files written by sellers, platforms
//! and other tools. Nothing here may panic or give up on bad input: a bad line is reported
//! with its number and the caller carries on with the next one.

use std::fmt;
use std::io::{self, BufRead};

/// Lines longer than this are reported as errors instead of being held in memory.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Why one input line could not be used as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// The line is not valid UTF-8; `valid_up_to` bytes were valid.
    InvalidUtf8 {
        /// Number of leading bytes that were valid UTF-8.
        valid_up_to: usize,
    },
    /// The line is longer than the limit; `bytes` is its full length.
    TooLong {
        /// Full length of the line in bytes (without the line ending).
        bytes: u64,
    },
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineProblem::InvalidUtf8 { valid_up_to } => {
                write!(f, "not valid UTF-8 (after byte {valid_up_to})")
            }
            LineProblem::TooLong { bytes } => write!(
                f,
                "line is {bytes} bytes long, more than the limit of {MAX_LINE_BYTES} bytes"
            ),
        }
    }
}

/// Calls `each` for every line of `reader` with its 1-based number and its text (without
/// `\n` or `\r\n`), or the problem that made it unusable. Memory stays bounded by
/// `max_len` whatever the input. Stops early only on an I/O error or when `each` fails.
pub fn for_each_line<R, F>(mut reader: R, max_len: usize, mut each: F) -> io::Result<()>
where
    R: BufRead,
    F: FnMut(u64, Result<&str, LineProblem>) -> io::Result<()>,
{
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut number: u64 = 0;
    loop {
        buf.clear();
        let mut overflow: u64 = 0;
        let mut saw_any = false;
        let mut ended = false;
        // Read one line in chunks so that an endless line cannot exhaust memory.
        loop {
            let chunk = match reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            saw_any = true;
            let (take, found_newline) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let body = if found_newline {
                &chunk[..take - 1]
            } else {
                chunk
            };
            if overflow == 0 && buf.len() + body.len() <= max_len {
                buf.extend_from_slice(body);
            } else {
                if overflow == 0 {
                    overflow = buf.len() as u64;
                    buf.clear();
                }
                overflow += body.len() as u64;
            }
            reader.consume(take);
            if found_newline {
                ended = true;
                break;
            }
        }
        if !saw_any {
            return Ok(());
        }
        number += 1;
        if overflow > 0 {
            each(number, Err(LineProblem::TooLong { bytes: overflow }))?;
        } else {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            match std::str::from_utf8(&buf) {
                Ok(s) => each(number, Ok(s))?,
                Err(e) => each(
                    number,
                    Err(LineProblem::InvalidUtf8 {
                        valid_up_to: e.valid_up_to(),
                    }),
                )?,
            }
        }
        if !ended {
            return Ok(());
        }
    }
}

/// A `YYYY-MM-DD` command-line date (clap's value parser for `--today`, `--due`, `--on`).
pub(crate) fn date_arg(s: &str) -> Result<chrono::NaiveDate, wangjian_calendar::CalendarError> {
    wangjian_calendar::parse_date(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], max: usize) -> Vec<(u64, Result<String, LineProblem>)> {
        let mut out = Vec::new();
        for_each_line(io::BufReader::with_capacity(4, input), max, |n, l| {
            out.push((n, l.map(str::to_owned)));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn splits_lines_and_strips_crlf() {
        let got = collect(b"a\r\nb\n\nc", 100);
        let want: Vec<(u64, Result<String, LineProblem>)> = vec![
            (1, Ok("a".into())),
            (2, Ok("b".into())),
            (3, Ok("".into())),
            (4, Ok("c".into())),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn reports_invalid_utf8_and_goes_on() {
        let got = collect(b"ok\n\xff\xfe\nnext\n", 100);
        assert_eq!(
            got[1],
            (2, Err(LineProblem::InvalidUtf8 { valid_up_to: 0 }))
        );
        assert_eq!(got[2], (3, Ok("next".into())));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn reports_long_lines_without_holding_them() {
        let mut input = vec![b'x'; 50];
        input.extend_from_slice(b"\nshort\n");
        let got = collect(&input, 10);
        assert_eq!(got[0], (1, Err(LineProblem::TooLong { bytes: 50 })));
        assert_eq!(got[1], (2, Ok("short".into())));
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(collect(b"", 10).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_counts_every_line(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300), max in 0usize..40) {
            let got = collect(&bytes, max);
            let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
            let expected = if bytes.is_empty() { 0 } else if bytes.ends_with(b"\n") { newlines } else { newlines + 1 };
            proptest::prop_assert_eq!(got.len(), expected);
        }
    }
}
