//! Reporting bad input lines on stderr and turning the count into an exit status; where
//! a command's results go (`-o FILE` or stdout).

use std::fmt::Display;
use std::io;
use std::process::ExitCode;

/// Counts the bad lines of one run and reports each one on stderr as
/// `wangjian: SOURCE:LINE: MESSAGE`.
#[derive(Debug, Default)]
pub struct BadLines {
    count: u64,
}

impl BadLines {
    /// Reports one bad line.
    pub fn report(&mut self, source: &str, line: u64, message: impl Display) {
        self.count += 1;
        eprintln!("wangjian: {source}:{line}: {message}");
    }

    /// How many bad lines were reported.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// 0 when no line was bad, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        if self.count == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

/// True when the error is a broken pipe on output (e.g. `wangjian … | head`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Where a command writes its results: the file of `-o FILE` (created), else stdout;
/// buffered either way.
pub fn output(path: Option<&std::path::Path>) -> anyhow::Result<io::BufWriter<Box<dyn io::Write>>> {
    use anyhow::Context;
    let out: Box<dyn io::Write> = match path {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("creating output {}", p.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    Ok(io::BufWriter::with_capacity(1 << 16, out))
}
