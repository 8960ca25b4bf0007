//! The evidence log and the blob store, on both backends: every audit event (and seized
//! goods' custody) is a log entry written with it; proofs from the stored nodes verify;
//! blobs are stored once; a case's package verifies offline; `verify_log` names every
//! tampered row.

use chrono::{TimeZone, Utc};
use wangjian_domain::seized;
use wangjian_ledger::{leaf_hash, verify_package, Entry, EntryKind, LogKey, Package};

use super::*;

contract!(
    audit_events_are_log_entries_with_proofs,
    seized_goods_custody_is_logged,
    blobs_once_capture_and_package_verify,
    checkpoints_keys_and_rotation,
    verify_log_names_each_tampered_row,
);

fn key(seed: u8) -> LogKey {
    LogKey::from_seed("wangjian.test/evidence", [seed; 32]).unwrap()
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 5, 3, 0, 0).unwrap()
}

/// All entries of the log, in order.
async fn entries(s: &Store) -> Vec<Vec<u8>> {
    let n = s.log_size().await.unwrap();
    let mut v = Vec::new();
    for i in 0..n {
        v.push(s.log_entry(i).await.unwrap().expect("entry present"));
    }
    v
}

async fn audit_events_are_log_entries_with_proofs(s: &Store) {
    seed(s).await;
    assert_eq!(s.log_size().await.unwrap(), 0);
    let l = leads(s, HZ, 0, 3).await;
    let mut seqs = Vec::new();
    for (k, lead) in l.iter().enumerate() {
        let reg = register(s, &actor(A, HZ, Role::Officer), *lead, 10 + k as u128).await;
        seqs.extend(reg.seqs);
    }
    let all = entries(s).await;
    assert_eq!(all.len(), seqs.len(), "one entry per audit event");
    for seq in &seqs {
        let i = s.log_index_of_audit(*seq).await.unwrap().expect("logged");
        let e = Entry::decode(&all[i as usize]).unwrap();
        let Entry::AuditEvent(a) = e else {
            panic!("entry {i} is not an audit event")
        };
        assert!(a.root_case.is_some());
    }
    let n = all.len() as u64;
    let root = s.log_root(n).await.unwrap();
    for (i, bytes) in all.iter().enumerate() {
        for size in [i as u64 + 1, n] {
            let p = s.prove_inclusion(i as u64, size).await.unwrap();
            let r = s.log_root(size).await.unwrap();
            p.verify(&leaf_hash(bytes), &r).unwrap();
        }
    }
    // A wrong leaf does not verify.
    let p = s.prove_inclusion(0, n).await.unwrap();
    assert!(p.verify(&leaf_hash(b"forged"), &root).is_err());
    for old in 1..n {
        let c = s.prove_consistency(old, n).await.unwrap();
        c.verify(&s.log_root(old).await.unwrap(), &root).unwrap();
    }
    let err = s.prove_inclusion(0, n + 1).await.unwrap_err();
    assert!(err.to_string().contains("beyond the log"), "{err}");
    let rep = s.verify_log().await.unwrap();
    assert_eq!(rep.problems, Vec::<String>::new());
    assert_eq!(rep.entries, n);
    assert_eq!(rep.nodes, 2 * n - u64::from(n.count_ones()));
}

async fn seized_goods_custody_is_logged(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let a = actor(A, HZ, Role::Officer);
    let reg = register(s, &a, l[0], 1).await;
    let case = reg.value.case.id;
    let change = seized::record_seizure(
        &a,
        case,
        "假冒运动鞋",
        40,
        "双",
        "公物仓",
        &ctx(day(2024, 9, 4), 3),
    )
    .unwrap();
    let item = s.apply(change).await.unwrap().value;
    let change = seized::hand_over(
        &a,
        &item,
        "公物仓",
        "检测机构",
        "交接单 7",
        &ctx(day(2024, 9, 5), 4),
    )
    .unwrap();
    let item = s.apply(change).await.unwrap().value;
    let change = seized::destroy(
        &a,
        &item,
        day(2024, 9, 6),
        "粉碎",
        "某处置场",
        &["甲".into(), "乙".into()],
        &ctx(day(2024, 9, 6), 5),
    )
    .unwrap();
    s.apply(change).await.unwrap();
    let custody: Vec<_> = entries(s)
        .await
        .iter()
        .filter_map(|b| match Entry::decode(b).unwrap() {
            Entry::Custody(c) => Some(c),
            _ => None,
        })
        .collect();
    let kinds: Vec<_> = custody
        .iter()
        .map(|c| serde_json::to_value(&c.event).unwrap()["event"].clone())
        .collect();
    assert_eq!(kinds, ["seized", "handed_over", "destroyed"]);
    assert!(custody
        .iter()
        .all(|c| c.case == case.0 && c.item == item.id.0));
    assert!(s.verify_log().await.unwrap().problems.is_empty());
}

async fn blobs_once_capture_and_package_verify(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 2).await;
    let reg = register(s, &actor(A, HZ, Role::Officer), l[0], 1).await;
    let other = register(s, &actor(A, HZ, Role::Officer), l[1], 2).await;
    let case = reg.value.case.id.0;
    let html = b"<html><title>\xe9\xab\x98\xe4\xbb\xbf N1ke</title></html>".to_vec();
    let cap = |bytes: Vec<u8>, case: Option<uuid::Uuid>, source: &str| Capture {
        bytes,
        media_type: "text/html".into(),
        source: source.into(),
        case,
        listing: None,
        captured_by: A.0,
        org: HZ.0,
        at: t0(),
    };
    let first = s
        .capture(cap(
            html.clone(),
            Some(case),
            "https://shop.example.com/item/0",
        ))
        .await
        .unwrap();
    assert!(first.new_blob && !first.already_captured);
    let again = s
        .capture(cap(html.clone(), Some(case), "copy.html"))
        .await
        .unwrap();
    assert!(again.already_captured, "same bytes, same case: one capture");
    assert_eq!(again.leaf_index, first.leaf_index);
    let elsewhere = s
        .capture(cap(html.clone(), Some(other.value.case.id.0), "o.html"))
        .await
        .unwrap();
    assert!(!elsewhere.new_blob && !elsewhere.already_captured);
    assert_ne!(elsewhere.leaf_index, first.leaf_index);
    let png = vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3];
    let shot = s
        .capture(Capture {
            media_type: "image/png".into(),
            ..cap(png.clone(), Some(case), "shot.png")
        })
        .await
        .unwrap();
    let mut stored = 0;
    s.export_table("blobs", |_| {
        stored += 1;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(stored, 2, "the same content is stored once");
    assert_eq!(s.blob(&first.sha256).await.unwrap().unwrap().0, html);
    assert_eq!(
        s.blob(&shot.sha256).await.unwrap().unwrap(),
        (png, "image/png".to_string())
    );
    assert_eq!(s.blob(&[7; 32]).await.unwrap(), None);
    let bad = s.capture(cap(vec![1], Some(case), " ")).await.unwrap_err();
    assert!(bad.to_string().contains("source"), "{bad}");
    // The case's evidence, read back from the log: its two captures in log order (not the
    // other case's, not the audit entries).
    let evidence = s.case_evidence(case).await.unwrap();
    let found: Vec<(u64, [u8; 32], &str)> = evidence
        .iter()
        .map(|(i, e)| (*i, e.blob, e.source.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                first.leaf_index,
                first.sha256,
                "https://shop.example.com/item/0"
            ),
            (shot.leaf_index, shot.sha256, "shot.png"),
        ]
    );
    assert_eq!(evidence[1].1.media_type, "image/png");
    assert!(s
        .case_evidence(uuid::Uuid::now_v7())
        .await
        .unwrap()
        .is_empty());

    let pkg: Package = s
        .evidence_package(
            wangjian_ledger::package::CaseRef {
                id: case,
                number: "浙杭市监案〔2024〕1号".into(),
            },
            &key(1),
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(pkg.blobs.len(), 2);
    let kinds: Vec<EntryKind> = pkg
        .entries
        .iter()
        .map(|e| Entry::decode(&e.bytes).unwrap().kind())
        .collect();
    assert!(kinds.contains(&EntryKind::AuditEvent));
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == EntryKind::EvidenceCaptured)
            .count(),
        2
    );
    let bytes = pkg.build().unwrap();
    let report = verify_package(&bytes, None);
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(report.summary.entries, pkg.entries.len());
    assert!(s.verify_log().await.unwrap().problems.is_empty());
}

async fn checkpoints_keys_and_rotation(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 2).await;
    register(s, &actor(A, HZ, Role::Officer), l[0], 1).await;
    let h1 = s.sign_checkpoint(&key(1), t0()).await.unwrap();
    assert_eq!(h1.tree_size, s.log_size().await.unwrap());
    assert_eq!(h1.root, s.log_root(h1.tree_size).await.unwrap());
    // Nothing appended since: the same head.
    assert_eq!(s.sign_checkpoint(&key(1), t0()).await.unwrap(), h1);
    // Another key is not the log's key.
    let err = s.sign_checkpoint(&key(2), t0()).await.unwrap_err();
    assert!(err.to_string().contains("not this log's key"), "{err}");
    register(s, &actor(A, HZ, Role::Officer), l[1], 2).await;
    let h2 = s.sign_checkpoint(&key(1), t0()).await.unwrap();
    assert!(h2.tree_size > h1.tree_size);
    // Rotation: both keys sign the hand-over head; the old key is retired.
    let h3 = s.rotate_key(&key(1), &key(2), t0()).await.unwrap();
    let note = wangjian_ledger::SignedCheckpoint::parse(&h3.note).unwrap();
    assert_eq!(note.signatures.len(), 2);
    let err = s.sign_checkpoint(&key(1), t0()).await.unwrap_err();
    assert!(err.to_string().contains("retired"), "{err}");
    let keys = s.log_keys().await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys.iter().filter(|k| k.retired_at.is_some()).count(), 1);
    assert_eq!(s.tree_heads().await.unwrap().len(), 3);
    let rep = s.verify_log().await.unwrap();
    assert_eq!(rep.problems, Vec::<String>::new());
    assert_eq!(rep.heads, 3);
}

/// Drops the append-only triggers so the test can play the attacker with database access.
async fn unguard(s: &Store) {
    let sql = match s.backend() {
        Backend::Sqlite => vec![
            "DROP TRIGGER log_nodes_no_update",
            "DROP TRIGGER log_entries_no_update",
            "DROP TRIGGER tree_heads_no_update",
            "DROP TRIGGER blobs_no_update",
            "DROP TRIGGER log_entries_no_delete",
        ],
        Backend::Postgres => vec![
            "DROP TRIGGER log_nodes_no_change ON log_nodes",
            "DROP TRIGGER log_entries_no_change ON log_entries",
            "DROP TRIGGER tree_heads_no_change ON tree_heads",
            "DROP TRIGGER blobs_no_change ON blobs",
        ],
    };
    for q in sql {
        s.pool.exec(q, vec![]).await.unwrap();
    }
}

async fn verify_log_names_each_tampered_row(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let reg = register(s, &actor(A, HZ, Role::Officer), l[0], 1).await;
    let case = reg.value.case.id.0;
    s.capture(Capture {
        bytes: b"<html>snapshot</html>".to_vec(),
        media_type: "text/html".into(),
        source: "s.html".into(),
        case: Some(case),
        listing: None,
        captured_by: A.0,
        org: HZ.0,
        at: t0(),
    })
    .await
    .unwrap();
    s.sign_checkpoint(&key(1), t0()).await.unwrap();
    assert!(s.verify_log().await.unwrap().problems.is_empty());
    // The guards hold.
    let err = s
        .pool
        .exec("UPDATE log_nodes SET hash = hash WHERE level = 0", vec![])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(s
        .pool
        .exec("DELETE FROM log_entries", vec![])
        .await
        .is_err());
    unguard(s).await;
    // 1. A node's hash.
    s.pool
        .exec(
            "UPDATE log_nodes SET hash = $1 WHERE level = 1 AND idx = 0",
            vec![crate::value::Val::from(vec![9u8; 32])],
        )
        .await
        .unwrap();
    let p = s.verify_log().await.unwrap().problems;
    assert!(
        p.iter()
            .any(|p| p.contains("node (level 1, index 0) differs")),
        "{p:?}"
    );
    // 2. An entry's bytes (one byte of the action).
    let e0 = s.log_entry(0).await.unwrap().unwrap();
    let mut forged = e0.clone();
    let last = forged.len() - 40;
    forged[last] ^= 1;
    s.pool
        .exec(
            "UPDATE log_entries SET entry = $1 WHERE leaf_index = 0",
            vec![crate::value::Val::from(forged)],
        )
        .await
        .unwrap();
    let p = s.verify_log().await.unwrap().problems;
    assert!(
        p.iter()
            .any(|p| p.contains("entry 0: its stored leaf hash")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|p| p.contains("tree head at size")),
        "the signed root no longer matches: {p:?}"
    );
    // 3. A blob's bytes.
    s.pool
        .exec(
            "UPDATE blobs SET bytes = $1",
            vec![crate::value::Val::from(b"<html>changed</html>".to_vec())],
        )
        .await
        .unwrap();
    let p = s.verify_log().await.unwrap().problems;
    assert!(
        p.iter().any(|p| p.contains("do not hash to its name")),
        "{p:?}"
    );
    // 4. A tree head's stored size.
    s.pool
        .exec("UPDATE tree_heads SET tree_size = tree_size + 1", vec![])
        .await
        .unwrap();
    let p = s.verify_log().await.unwrap().problems;
    assert!(
        p.iter().any(|p| p.contains("differ from the signed note")),
        "{p:?}"
    );
}
