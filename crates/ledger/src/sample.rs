//! A deterministic sample log and evidence package: for tests, benchmarks and demos. Pure:
//! fixed keys, ids and times, no I/O.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::blob::sha256;
use crate::checkpoint::{Checkpoint, LogKey};
use crate::entry::{AuditEventEntry, CustodyEntry, CustodyEvent, Entry, EvidenceCaptured};
use crate::package::{CaseRef, Package, PackageBlob, PackageEntry};
use crate::plan::{prove_inclusion, MemoryNodeStore};

/// The origin (and key name) of the sample log.
pub const ORIGIN: &str = "wangjian.example/evidence";

/// The sample case.
pub fn case() -> CaseRef {
    CaseRef {
        id: Uuid::from_u128(0xCA5E),
        number: "沪市监案〔2026〕0042号".into(),
    }
}

/// The sample signing key (fixed seed: never use it for anything real).
pub fn key() -> LogKey {
    // The name is a constant without spaces or '+', so this cannot fail.
    LogKey::from_seed(ORIGIN, [42; 32]).unwrap_or_else(|_| unreachable!())
}

fn at(i: u64) -> DateTime<Utc> {
    let base = Utc
        .with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH);
    base + chrono::TimeDelta::seconds(i as i64 * 61)
}

/// Blob `i` of the sample: a small HTML snapshot.
pub fn blob(i: usize) -> PackageBlob {
    PackageBlob {
        name: format!("https://shop.example/item/{i}"),
        media_type: "text/html".into(),
        bytes: format!("<html><h1>耐克 运动鞋 高仿 #{i}</h1><p>¥99</p></html>").into_bytes(),
    }
}

/// Entry `i` of the sample for case `case`: evidence, audit event or custody in turn.
pub fn entry(i: u64, case: Uuid, blobs: usize) -> Entry {
    let user = Uuid::from_u128(0x05E2);
    let org = Uuid::from_u128(0x0A6E);
    match i % 3 {
        0 if blobs > 0 => {
            let b = blob(i as usize / 3 % blobs);
            Entry::EvidenceCaptured(EvidenceCaptured {
                blob: sha256(&b.bytes),
                size: b.bytes.len() as u64,
                media_type: b.media_type,
                source: b.name,
                case: Some(case),
                listing: Some(Uuid::from_u128(0x1157 + u128::from(i))),
                captured_by: user,
                org,
                at: at(i),
            })
        }
        1 => Entry::Custody(CustodyEntry {
            item: Uuid::from_u128(0x5E12),
            case,
            org,
            recorded_by: user,
            at: at(i),
            event: if i % 2 == 0 {
                CustodyEvent::HandedOver {
                    from: "公物仓A".into(),
                    to: "检验所".into(),
                    note: format!("交接单{i:03}"),
                }
            } else {
                CustodyEvent::Destroyed {
                    on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
                    method: "粉碎".into(),
                    place: "某危废处置中心".into(),
                    witnesses: vec!["王五".into(), "赵六".into()],
                }
            },
        }),
        _ => Entry::AuditEvent(AuditEventEntry {
            id: Uuid::from_u128(0xE000 + u128::from(i)),
            request_id: Uuid::from_u128(0xF000 + u128::from(i)),
            actor: user,
            actor_org: org,
            at: at(i),
            action: "case.update".into(),
            object_type: "case".into(),
            object_id: case,
            root_case: Some(case),
            before_digest: Some(sha256(format!("before {i}").as_bytes())),
            after_digest: sha256(format!("after {i}").as_bytes()),
            changed_fields: vec!["state".into(), "version".into()],
            changed_digest: sha256(format!("changed {i}").as_bytes()),
        }),
    }
}

/// A sample log where every fourth entry belongs to the sample case (the others to other
/// cases), and the package of the case's `entries` entries and the blobs they capture
/// (at most `blobs`; evidence is every third entry), signed with [`key`] at the final size.
pub fn package(entries: usize, blobs: usize) -> Package {
    let case = case();
    let mut log = MemoryNodeStore::new();
    let mut ours = Vec::new();
    for i in 0..entries as u64 * 4 + 3 {
        let is_ours = i % 4 == 1 && ours.len() < entries;
        let e = if is_ours {
            entry(ours.len() as u64, case.id, blobs)
        } else {
            entry(i, Uuid::from_u128(0xD0_0000 + u128::from(i)), blobs)
        };
        let bytes = e.encode();
        let index = log.append_entry(&bytes).unwrap_or_default();
        if is_ours {
            ours.push((index, bytes));
        }
    }
    let checkpoint = Checkpoint {
        origin: ORIGIN.into(),
        size: log.size(),
        root: log.root(),
        time: at(entries as u64 * 4 + 4),
    };
    let key = key();
    let signed = key
        .sign(&checkpoint)
        .unwrap_or_else(|_| unreachable!("the sample origin is valid"));
    let captured: Vec<_> = ours
        .iter()
        .filter_map(|(_, bytes)| Entry::decode(bytes).ok()?.blob())
        .collect();
    let entries = ours
        .into_iter()
        .filter_map(|(leaf_index, bytes)| {
            let proof = prove_inclusion(&log, leaf_index, log.size()).ok()?;
            Some(PackageEntry {
                leaf_index,
                bytes,
                proof,
            })
        })
        .collect();
    Package {
        case,
        checkpoint: signed,
        keys: vec![key.verifier()],
        entries,
        blobs: (0..blobs)
            .map(blob)
            .filter(|b| captured.contains(&sha256(&b.bytes)))
            .collect(),
    }
}
