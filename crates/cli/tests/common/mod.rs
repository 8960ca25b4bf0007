//! What every CLI test needs: run the built `wangjian` with arguments and stdin, and read
//! its output as text.
#![allow(dead_code)] // each test binary uses a different part

use std::io::Write;
use std::process::{Command, Output, Stdio};

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
