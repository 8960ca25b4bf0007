//! `wangjian db|import|export|backup|patrol` against a SQLite file, including the crash
//! test: SIGKILL in the middle of a bulk import loses no acknowledged batch.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wangjian"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("wj-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    let o = bin().args(args).current_dir(dir).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const ORGS: &str = r#"{"name":"杭州市市场监督管理局","case_prefix":"浙杭市监","kind":"agency","agency_type":"market_regulation","level":"city","region":"330100"}
{"name":"某电商平台","case_prefix":"PLAT","kind":"platform","region":"330106"}
{"name":"bad","case_prefix":"X","kind":"agency","region":"330100"}
"#;

fn listing(i: usize, title: &str) -> String {
    format!(
        r#"{{"id":"L{i}","platform":"PLAT","title":"{title}","price":99.0,"shop":{{"id":"s{}","name":"店"}},"captured_at":"2024-09-02T01:00:00Z"}}"#,
        i % 5
    )
}

fn count(db: &str, table: &str, dir: &Path) -> usize {
    let (code, out, err) = run(&["export", "--db", db, table], dir);
    assert_eq!(code, 0, "{err}");
    out.lines().count()
}

#[test]
fn import_patrol_export_backup_round_trip() {
    let dir = tmp("round");
    let db = format!("sqlite:{}", dir.join("w.db").display());
    let (code, _, err) = run(&["db", "migrate", "--db", &db], &dir);
    assert_eq!(code, 0, "{err}");
    std::fs::write(dir.join("orgs.jsonl"), ORGS).unwrap();
    let (code, _, err) = run(&["import", "orgs", "--db", &db, "orgs.jsonl"], &dir);
    assert_eq!(code, 1, "one bad line: {err}");
    assert!(err.contains("orgs.jsonl:3:"), "{err}");
    assert!(err.contains("2 new"), "{err}");
    let (_, _, err) = run(&["import", "orgs", "--db", &db, "orgs.jsonl"], &dir);
    assert!(
        err.contains("0 new, 0 changed, 2 unchanged"),
        "idempotent: {err}"
    );
    std::fs::write(dir.join("users.csv"), "name,login,org,roles\n张三,zhangsan,浙杭市监,officer;supervisor\n李四,lisi,nowhere,officer\n").unwrap();
    let (code, _, err) = run(&["import", "users", "--db", &db, "users.csv"], &dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("users.csv:3:"), "{err}");
    assert_eq!(count(&db, "memberships", &dir), 2);

    let mut input = String::new();
    for i in 0..30 {
        let t = if i % 3 == 0 {
            "高仿 耐克 运动鞋 原单"
        } else {
            "普通 帆布鞋"
        };
        input.push_str(&listing(i, t));
        input.push('\n');
    }
    input.push_str("{not json\n");
    input.push_str(r#"{"id":"LX","platform":"PLAT","title":"t","captured_at":"yesterday"}"#);
    input.push('\n');
    std::fs::write(dir.join("l.jsonl"), &input).unwrap();
    let args = [
        "patrol",
        "--db",
        &db,
        "--org",
        "浙杭市监",
        "--batch",
        "8",
        "l.jsonl",
    ];
    let (code, out, err) = run(&args, &dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("l.jsonl:31:"), "{err}");
    assert!(
        err.contains("l.jsonl:32:") && err.contains("captured_at: \"yesterday\""),
        "a bad capture time is a bad line, not now: {err}"
    );
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(
        out.starts_with("committed batch 1 l.jsonl lines 1..8\n"),
        "{out}"
    );
    let leads = count(&db, "leads", &dir);
    assert!(
        leads >= 10,
        "the 10 counterfeit listings are leads: {leads}"
    );
    run(&args, &dir);
    assert_eq!(count(&db, "leads", &dir), leads, "re-patrol adds no lead");
    assert_eq!(count(&db, "listings", &dir), 30);
    assert_eq!(count(&db, "listing_snapshots", &dir), 30);

    let backup = dir.join("copy.db");
    let (code, _, err) = run(&["backup", "--db", &db, backup.to_str().unwrap()], &dir);
    assert_eq!(code, 0, "{err}");
    let copy = format!("sqlite:{}", backup.display());
    assert_eq!(count(&copy, "leads", &dir), leads);
    let (code, out, _) = run(&["db", "check", "--db", &copy], &dir);
    assert_eq!((code, out.trim()), (0, "ok"));
    let (code, _, err) = run(&["db", "analyze", "--db", &db], &dir);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("statistics of"), "{err}");
    let (code, _, err) = run(&["db", "analyze", "--db", "mysql://nowhere"], &dir);
    assert_ne!(code, 0, "{err}");
    let (code, _, err) = run(&["export", "--db", &db, "nope"], &dir);
    assert_eq!(code, 2, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Kills `wangjian import listings` with SIGKILL after a few acknowledged batches: every
/// acknowledged batch is stored, no partial batch is, and the database is sound.
#[cfg(unix)]
#[test]
fn sigkill_mid_import_loses_no_acknowledged_batch() {
    let dir = tmp("kill");
    let db = format!("sqlite:{}", dir.join("w.db").display());
    std::fs::write(dir.join("orgs.jsonl"), ORGS).unwrap();
    run(&["import", "orgs", "--db", &db, "orgs.jsonl"], &dir);
    let n = 200_000;
    let batch = 500;
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("big.jsonl")).unwrap());
        for i in 0..n {
            writeln!(f, "{}", listing(i, "普通 帆布鞋 款式 颜色 尺码")).unwrap();
        }
    }
    let mut child = bin()
        .args([
            "import",
            "listings",
            "--db",
            &db,
            "--batch",
            &batch.to_string(),
            "big.jsonl",
        ])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked = 0usize;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(l)) = lines.next() {
        assert!(l.starts_with("committed batch "), "{l}");
        acked = l.rsplit("..").next().unwrap().parse().unwrap();
        if acked >= 5 * batch {
            break;
        }
    }
    // SIGKILL: no destructor, no flush, no chance to finish the transaction in flight.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(acked >= 5 * batch && acked < n, "killed mid-way ({acked})");
    let stored = count(&db, "listings", &dir);
    assert!(
        stored >= acked,
        "every acknowledged line is stored: {stored} < {acked}"
    );
    assert_eq!(stored % batch, 0, "only whole batches: {stored}");
    let (code, out, _) = run(&["db", "check", "--db", &db], &dir);
    assert_eq!((code, out.trim()), (0, "ok"));
    let _ = std::fs::remove_dir_all(&dir);
}
