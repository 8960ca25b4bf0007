//! `wangjian serve` as a process: it binds, prints its URL, answers, signs the evidence
//! log's checkpoint with the key `wangjian log` would use, and stops cleanly on SIGTERM.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn serve_answers_health_and_stops_on_sigterm() {
    let db = std::env::temp_dir().join(format!("wj-cli-serve-{}.db", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(format!("sqlite:{}", db.display()))
        .env_remove("WANGJIAN_LOG_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = common::served_address(&mut child);
    let get = |path: &str| {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        resp
    };
    let resp = get("/api/v1/health");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"status\":\"ok\""));
    // The public checkpoint, signed at start with `<database file>.log-key` (made on
    // first use), the key `wangjian log checkpoint` finds by default.
    let resp = get("/api/v1/log/checkpoint");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("wangjian.local/evidence\n"), "{resp}");
    let key = format!("{}.log-key", db.display());
    assert!(std::path::Path::new(&key).exists(), "{key}");

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The schema was created on first use.
    assert!(db.exists());
    for suffix in ["", "-wal", "-shm", ".log-key"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}
