//! `wangjian verify` and `wangjian ledger keygen`: a package built by the library verifies
//! through the binary; tampered, it fails with each problem on its own line.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

use wangjian_ledger::sample;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args(args)
        .output()
        .expect("start wangjian")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn write_package(dir: &Path, bytes: &[u8]) -> String {
    let p = dir.join("case-0042.tar");
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// The package with one byte of its first blob changed.
fn tamper_blob(bytes: &[u8]) -> Vec<u8> {
    let mut files = BTreeMap::new();
    for e in tar::Archive::new(bytes).entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        files.insert(path, data);
    }
    let blob = files
        .keys()
        .find(|k| k.starts_with("blobs/"))
        .unwrap()
        .clone();
    files.get_mut(&blob).unwrap()[0] ^= 0x20;
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in &files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn verify_ok_then_tampered() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample::package(15, 5).build().unwrap();
    let path = write_package(dir.path(), &bytes);

    let o = run(&["verify", &path]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let key = sample::key().verifier();
    assert_eq!(
        stdout(&o),
        format!(
            "OK (验证通过): 15 entries, 5 blobs, case 沪市监案〔2026〕0042号, tree size 63, root {}, signed by {}+{} at 2026-11-02T10:05:04Z\n  note: checked against the key carried in the package; compare its key id with the key the agency publishes, or pass it with --key\n",
            hex::encode(sample::package(15, 5).checkpoint.checkpoint.root),
            sample::ORIGIN,
            key.key_id()
        )
    );

    std::fs::write(&path, tamper_blob(&bytes)).unwrap();
    let o = run(&["verify", &path]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("FAILED (验证未通过): 1 problem in "));
    assert!(lines[1].starts_with("  - blob file blobs/") && lines[1].contains("is corrupt"));
}

#[test]
fn pinned_keys_and_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_package(dir.path(), &sample::package(3, 1).build().unwrap());
    let keys = dir.path().join("keys");
    let o = run(&[
        "ledger",
        "keygen",
        "--name",
        "wangjian.test/evidence",
        "--out",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut files: Vec<_> = std::fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    let (private, public) = (&files[0], &files[1]);
    assert!(private.extension().unwrap() == "key" && public.extension().unwrap() == "pub");
    let key =
        wangjian_ledger::LogKey::from_private_text(&std::fs::read_to_string(private).unwrap())
            .unwrap();
    assert_eq!(
        std::fs::read_to_string(public).unwrap().trim(),
        key.verifier().text()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The package is signed by the sample key, not by the new one: untrusted.
    let o = run(&["verify", "--key", public.to_str().unwrap(), &path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not among the trusted keys given"));
    // Pinned to the right key (with the new one also in the ring, as after a rotation).
    let sample_pub = dir.path().join("sample.pub");
    std::fs::write(&sample_pub, sample::key().verifier().text()).unwrap();
    let o = run(&[
        "verify",
        "--key",
        public.to_str().unwrap(),
        "--key",
        sample_pub.to_str().unwrap(),
        &path,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["verify", "/nonexistent/package.tar"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("reading package"));
    assert_eq!(run(&["verify"]).status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pub");
    std::fs::write(&bad, "not a key").unwrap();
    let o = run(&["verify", "--key", bad.to_str().unwrap(), "x.tar"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn not_a_package_is_a_failed_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_package(dir.path(), b"just some bytes");
    let o = run(&["verify", &path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not a readable archive"));
}

#[test]
fn the_sample_package_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.tar");
    let p = path.to_str().unwrap();
    let o = run(&["ledger", "sample", "--out", p, "--entries", "30"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["verify", p]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("OK (验证通过): 30 entries, 10 blobs"));
}
