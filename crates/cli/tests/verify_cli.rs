//! `wangjian verify` and `wangjian ledger keygen`: a package built by the library verifies
//! through the binary; tampered, it fails with each problem on its own line. Then the
//! evidence log end to end: a case built through the CLI, a captured snapshot, `evidence
//! export`, `verify`, each part of the exported package tampered with and caught, `log
//! verify`/`prove`/`consistency`; and a SIGKILL in the middle of a stream of captures loses
//! no acknowledged entry and leaves no half-written leaf.

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

fn unpack(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for e in tar::Archive::new(bytes).entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        files.insert(path, data);
    }
    files
}

/// The files as `evidence export` would write them (so each test sees only the problem it
/// made), or a plain tar when the manifest or checkpoint no longer reads.
fn repack(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    if let Some(bytes) = wangjian_ledger::package::canonical_archive(files) {
        return bytes;
    }
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

fn first(files: &BTreeMap<String, Vec<u8>>, prefix: &str) -> String {
    files
        .keys()
        .find(|k| k.starts_with(prefix))
        .unwrap()
        .clone()
}

/// The package with one byte of its first blob changed.
fn tamper_blob(bytes: &[u8]) -> Vec<u8> {
    let mut files = unpack(bytes);
    let blob = first(&files, "blobs/");
    files.get_mut(&blob).unwrap()[0] ^= 0x20;
    repack(&files)
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

/// `wangjian ARGS --db DB`; case actions dated inside the demo's calendar.
fn on(db: &str, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--db", db]);
    if args[0] == "case" {
        all.extend(["--now", "2026-06-16T02:00:00Z"]);
    }
    run(&all)
}

fn ok(o: Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
}

/// A registered case of the Hangzhou bureau, moved into verification through the CLI.
fn a_case(db: &str) -> String {
    ok(on(
        db,
        &["demo", "--listings", "200", "--today", "2026-06-15"],
    ));
    let list = ok(on(
        db,
        &["case", "list", "--org", "杭市监", "--state", "registered"],
    ));
    let id = list.split('\t').next().unwrap().trim().to_string();
    assert_eq!(id.len(), 36, "{list}");
    ok(on(
        db,
        &[
            "case",
            "transition",
            &id,
            "start_verification",
            "--as",
            "hz_officer",
            "--set",
            "verifier=hz_officer",
        ],
    ));
    id
}

fn verify_out(files: &BTreeMap<String, Vec<u8>>, dir: &Path, name: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, repack(files)).unwrap();
    let o = run(&["verify", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{name} must fail: {}", stdout(&o));
    stdout(&o)
}

#[test]
fn a_case_exported_through_the_cli_verifies_and_every_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("w.db").display());
    let case = a_case(&db);
    // The demo's cases have captured listing snapshots: one exports and verifies.
    let rows = ok(on(&db, &["export", "log_entries"]));
    let captured: serde_json::Value = rows
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| !r["blob_sha256"].is_null())
        .expect("the demo captured evidence");
    let demo_case = captured["case_id"].as_str().unwrap();
    let demo_pkg = dir.path().join("demo-case.tar");
    let out = ok(on(
        &db,
        &[
            "evidence",
            "export",
            "--case",
            demo_case,
            "-o",
            demo_pkg.to_str().unwrap(),
        ],
    ));
    assert!(out.contains(" 2 blobs"), "{out}");
    let verdict = ok(run(&["verify", demo_pkg.to_str().unwrap()]));
    assert!(verdict.contains(", 2 blobs, "), "{verdict}");
    let page = dir.path().join("item-0.html");
    std::fs::write(
        &page,
        "<html><h1>高仿 N1ke 运动鞋</h1><p>原单 ¥199</p></html>",
    )
    .unwrap();
    let shot = dir.path().join("shot.png");
    std::fs::write(&shot, [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 1, 2, 3]).unwrap();
    let p = page.to_str().unwrap();
    let out = ok(on(
        &db,
        &[
            "capture",
            p,
            shot.to_str().unwrap(),
            "--case",
            &case,
            "--as",
            "hz_officer",
        ],
    ));
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.starts_with("captured entry "), "{out}");
    // The same bytes again: kept once, not logged twice.
    let again = ok(on(
        &db,
        &["capture", p, "--case", &case, "--as", "hz_officer"],
    ));
    assert!(again.starts_with("already captured entry "), "{again}");
    // Another agency's officer may not add evidence.
    let o = on(&db, &["capture", p, "--case", &case, "--as", "nb_officer"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("may not add evidence"));

    let pkg = dir.path().join("case.tar");
    let pkg_s = pkg.to_str().unwrap();
    let out = ok(on(
        &db,
        &["evidence", "export", "--case", &case, "-o", pkg_s],
    ));
    assert!(out.contains("2 blobs"), "{out}");
    // The key was made on first use, next to the database, private.
    let key = dir.path().join("w.db.log-key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let verdict = ok(run(&["verify", pkg_s]));
    assert!(verdict.starts_with("OK (验证通过): "), "{verdict}");
    assert!(verdict.contains(", 2 blobs, case 杭市监〔"), "{verdict}");
    // Pinned to the published key.
    let keys = ok(on(&db, &["log", "keys"]));
    let public: serde_json::Value = serde_json::from_str(keys.lines().next().unwrap()).unwrap();
    let pubfile = dir.path().join("log.pub");
    std::fs::write(&pubfile, public["public_text"].as_str().unwrap()).unwrap();
    ok(run(&["verify", "--key", pubfile.to_str().unwrap(), pkg_s]));

    let bytes = std::fs::read(&pkg).unwrap();
    let files = unpack(&bytes);
    // 1. One byte of a blob.
    let mut f = files.clone();
    let k = first(&f, "blobs/");
    f.get_mut(&k).unwrap()[3] ^= 1;
    let m = verify_out(&f, dir.path(), "blob.tar");
    assert!(
        m.contains(&format!("blob file {k}")) && m.contains("is corrupt"),
        "{m}"
    );
    // 2. A field of an entry (the source of a capture).
    let mut f = files.clone();
    let k = f
        .keys()
        .find(|k| {
            k.starts_with("entries/")
                && matches!(
                    wangjian_ledger::Entry::decode(&files[*k]),
                    Ok(wangjian_ledger::Entry::EvidenceCaptured(_))
                )
        })
        .unwrap()
        .clone();
    let mut e = wangjian_ledger::Entry::decode(&f[&k]).unwrap();
    if let wangjian_ledger::Entry::EvidenceCaptured(x) = &mut e {
        x.source = "forged.html".into();
    }
    f.insert(k.clone(), e.encode());
    let m = verify_out(&f, dir.path(), "entry.tar");
    assert!(m.contains("leaf hash"), "{m}");
    // 3. A proof hash.
    let mut f = files.clone();
    let k = first(&f, "proofs/");
    let mut p: serde_json::Value = serde_json::from_slice(&f[&k]).unwrap();
    p["hashes"][0] = serde_json::Value::String("00".repeat(32));
    f.insert(k, serde_json::to_vec_pretty(&p).unwrap());
    let m = verify_out(&f, dir.path(), "proof.tar");
    assert!(m.contains("FAILED (验证未通过): 1 problem"), "{m}");
    // 4. The signature.
    let mut f = files.clone();
    let c = f.get_mut("checkpoint").unwrap();
    let n = c.len();
    c[n - 10] = if c[n - 10] == b'A' { b'B' } else { b'A' };
    let m = verify_out(&f, dir.path(), "sig.tar");
    assert!(m.contains("signature"), "{m}");
    // 5. The tree size.
    let mut f = files.clone();
    let text = String::from_utf8(f["checkpoint"].clone()).unwrap();
    let size: u64 = text.lines().nth(1).unwrap().parse().unwrap();
    f.insert(
        "checkpoint".into(),
        text.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1)
            .into_bytes(),
    );
    let m = verify_out(&f, dir.path(), "size.tar");
    assert!(m.contains("tree size"), "{m}");

    // The whole log against its signed head, and proofs printed from the store.
    let v = ok(on(&db, &["log", "verify"]));
    assert!(
        v.starts_with("OK: ") && v.contains(" 2 signed tree heads"),
        "{v}"
    );
    let cp = ok(on(&db, &["log", "checkpoint"]));
    assert_eq!(cp.lines().nth(1).unwrap().parse::<u64>().unwrap(), size);
    let proof: serde_json::Value =
        serde_json::from_str(&ok(on(&db, &["log", "prove", "0"]))).unwrap();
    assert_eq!(proof["tree_size"], size);
    let cons: serde_json::Value = serde_json::from_str(&ok(on(
        &db,
        &["log", "consistency", "1", &size.to_string()],
    )))
    .unwrap();
    assert_eq!(cons["old_size"], 1);
    let o = on(&db, &["log", "prove", &(size + 5).to_string()]);
    assert_eq!(o.status.code(), Some(2));
}

/// Kills `wangjian capture` with SIGKILL in the middle of a stream of captures: every
/// acknowledged entry is in the log, no half-written leaf is, and `log verify` passes.
#[cfg(unix)]
#[test]
fn sigkill_mid_captures_loses_no_acknowledged_entry() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("w.db").display());
    let case = a_case(&db);
    let before: u64 = {
        let v = ok(on(&db, &["log", "verify"]));
        v.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let n = 3000;
    let snaps = dir.path().join("snaps");
    std::fs::create_dir(&snaps).unwrap();
    let mut files = Vec::new();
    for i in 0..n {
        let p = snaps.join(format!("{i:05}.html"));
        std::fs::write(&p, format!("<html>listing {i}</html>")).unwrap();
        files.push(p.to_string_lossy().into_owned());
    }
    let mut args = vec![
        "capture",
        "--db",
        &db,
        "--case",
        &case,
        "--as",
        "hz_officer",
    ];
    args.extend(files.iter().map(String::as_str));
    let mut child = Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(l)) = lines.next() {
        let index: u64 = l.split_whitespace().nth(2).unwrap().parse().unwrap();
        acked.push(index);
        if acked.len() >= 200 {
            break;
        }
    }
    // SIGKILL: no destructor, no flush, the transaction in flight is cut off.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(acked.len() >= 200 && acked.len() < n, "killed mid-way");
    let v = ok(on(&db, &["log", "verify"]));
    assert!(v.starts_with("OK: "), "{v}");
    let size: u64 = v.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(size > before);
    for i in &acked {
        assert!(*i < size, "acknowledged entry {i} is in the log of {size}");
        let p: serde_json::Value = serde_json::from_str(&ok(on(
            &db,
            &["log", "prove", &i.to_string(), "--size", &size.to_string()],
        )))
        .unwrap();
        assert_eq!(p["leaf_index"], *i);
    }
    // Every entry after the old size is a whole capture of a file of this stream.
    assert!(size - before >= acked.len() as u64);
    let (code, _) = (on(&db, &["db", "check"]).status.code(), ());
    assert_eq!(code, Some(0));
}
