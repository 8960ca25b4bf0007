//! What every CLI test needs: run the built `wangjian` with arguments and stdin, and read
//! its output as text.
#![allow(dead_code)] // each test binary uses a different part

use std::io::Write;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// Runs `wangjian ARGS` with `stdin` as its standard input and waits for it.
pub fn wangjian(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wangjian");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait for wangjian")
}

/// Standard output as UTF-8 text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// Standard error as UTF-8 text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// A fresh PostgreSQL schema for one test, dropped when the value is dropped. The server is
/// `WANGJIAN_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`), reached with
/// `psql`; `None` (the test is skipped, saying so) only when `WANGJIAN_SKIP_PG=1`.
pub struct PgSchema {
    /// The `--db` URL whose search path is the schema.
    pub url: String,
    name: String,
    server: String,
}

impl PgSchema {
    pub fn create() -> Option<PgSchema> {
        if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("WANGJIAN_SKIP_PG=1: skipping a PostgreSQL test");
            return None;
        }
        let server = std::env::var("WANGJIAN_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos();
        let name = format!("wjcli_{}_{nanos}", std::process::id());
        psql(&server, &format!("CREATE SCHEMA {name}"));
        let sep = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{sep}options=-c%20search_path%3D{name}");
        Some(PgSchema { url, name, server })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        psql(
            &self.server,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

fn psql(server: &str, sql: &str) {
    let out = Command::new("psql")
        .args([server, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .unwrap_or_else(|e| {
            panic!("psql is needed for PostgreSQL tests ({e}); set WANGJIAN_SKIP_PG=1 to skip them")
        });
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `host:port` a `wangjian serve` child prints on its first stdout line (it listens on
/// port 0, so the address is only known from what it says).
pub fn served_address(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("the child's stdout is piped"))
        .read_line(&mut line)
        .unwrap();
    line.split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string()
}
