//! Real services for the cluster tests: a private `nats-server` with JetStream on a free
//! port and a temporary store directory (so tests never disturb one another or the
//! machine's NATS), a fresh database on the shared PostgreSQL server, and a private
//! PostgreSQL instance (initdb in a temporary directory, on a free port) for the tests
//! that stop it.
#![allow(dead_code)] // each test binary uses a different part

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound and released; good enough for a test).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find(name: &str, dirs: &[&str]) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .map(str::to_string)
        .chain(dirs.iter().map(|d| d.to_string()))
        .map(|d| Path::new(&d).join(name))
        .find(|p| p.is_file())
}

fn wait_port(port: u16, within: Duration) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A private nats-server with JetStream.
pub struct Nats {
    bin: PathBuf,
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Nats {
    /// Starts one; `None` (saying so) when no `nats-server` is installed.
    pub fn start() -> Option<Nats> {
        let Some(bin) = find("nats-server", &["/usr/sbin", "/usr/local/bin"]) else {
            eprintln!("nats-server not found (PATH, /usr/sbin): skipping a NATS test");
            return None;
        };
        let mut n = Nats {
            bin,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        n.resume();
        Some(n)
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops it gracefully (SIGTERM: JetStream flushes its files).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port with the same store.
    pub fn resume(&mut self) {
        let child = Command::new(&self.bin)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        self.child = Some(child);
        assert!(
            wait_port(self.port, Duration::from_secs(20)),
            "nats-server did not listen"
        );
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn psql(server: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([server, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .output()
        .expect("psql is needed for PostgreSQL tests");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// One number a query answers.
pub fn count(url: &str, sql: &str) -> i64 {
    psql(url, sql).parse().unwrap()
}

/// A fresh database on the shared PostgreSQL server (`WANGJIAN_TEST_PG`), dropped after.
pub struct PgDb {
    pub url: String,
    name: String,
    server: String,
}

impl PgDb {
    /// `None` (saying so) when `WANGJIAN_SKIP_PG=1`.
    pub fn create() -> Option<PgDb> {
        if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("WANGJIAN_SKIP_PG=1: skipping a PostgreSQL test");
            return None;
        }
        let server = std::env::var("WANGJIAN_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("wjnats_{}_{nanos}", std::process::id());
        psql(&server, &format!("CREATE DATABASE {name}"));
        let (base, _) = server.rsplit_once('/').unwrap();
        Some(PgDb {
            url: format!("{base}/{name}"),
            name,
            server,
        })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                &self.server,
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

/// A private PostgreSQL instance (initdb in a temporary directory, a free port), for the
/// tests that stop and start it. Run as the `postgres` account when the test runs as root
/// (PostgreSQL refuses root).
pub struct PrivatePg {
    bin: PathBuf,
    pub port: u16,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

impl PrivatePg {
    /// `None` (saying so) when initdb is not installed.
    pub fn start() -> Option<PrivatePg> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| {
                let mut v: Vec<PathBuf> = d
                    .filter_map(Result::ok)
                    .map(|e| e.path().join("bin"))
                    .collect();
                v.sort();
                v.pop()
            })
            .filter(|b| b.join("initdb").is_file());
        let Some(bin) = bin else {
            eprintln!(
                "initdb not found (/usr/lib/postgresql/*/bin): skipping a PostgreSQL fault test"
            );
            return None;
        };
        // Root? (the effective uid, through `id -u`).
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = tempfile::tempdir().unwrap();
        if root {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the private PostgreSQL directory to postgres");
        }
        let pg = PrivatePg {
            bin,
            port: free_port(),
            dir,
            as_postgres: root,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        pg.resume();
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).output().expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops it (fast: open connections are cut).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// Starts it (again).
    pub fn resume(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "start"],
        );
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        };
    }
}
