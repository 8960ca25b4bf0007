//! The canonical entry encoding: round trips, one encoding per entry, clear errors, and no
//! panic on any bytes.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;
use wangjian_domain::audit::{AuditEvent, FieldChange, ObjectType};
use wangjian_domain::id::{AuditEventId, CaseId, OrgId, RequestId, UserId};
use wangjian_ledger::entry::{
    AuditEventEntry, CustodyEntry, CustodyEvent, DecodeError, Entry, EvidenceCaptured,
    ENTRY_VERSION,
};

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (-10_000_000_000i64..100_000_000_000, 0u32..1_000_000_000)
        .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap_or_default())
}

fn text() -> impl Strategy<Value = String> {
    ".{0,12}"
}

fn entry() -> impl Strategy<Value = Entry> {
    let evidence = (
        any::<[u8; 32]>(),
        any::<u64>(),
        text(),
        text(),
        proptest::option::of(uuid()),
        proptest::option::of(uuid()),
        uuid(),
        uuid(),
        time(),
    )
        .prop_map(
            |(blob, size, media_type, source, case, listing, captured_by, org, at)| {
                Entry::EvidenceCaptured(EvidenceCaptured {
                    blob,
                    size,
                    media_type,
                    source,
                    case,
                    listing,
                    captured_by,
                    org,
                    at,
                })
            },
        );
    let audit = (
        (uuid(), uuid(), uuid(), uuid(), time(), text(), text()),
        (
            uuid(),
            proptest::option::of(uuid()),
            proptest::option::of(any::<[u8; 32]>()),
            any::<[u8; 32]>(),
            proptest::collection::vec(text(), 0..4),
            any::<[u8; 32]>(),
        ),
    )
        .prop_map(
            |(
                (id, request_id, actor, actor_org, at, action, object_type),
                (object_id, root_case, before_digest, after_digest, changed_fields, changed_digest),
            )| {
                Entry::AuditEvent(AuditEventEntry {
                    id,
                    request_id,
                    actor,
                    actor_org,
                    at,
                    action,
                    object_type,
                    object_id,
                    root_case,
                    before_digest,
                    after_digest,
                    changed_fields,
                    changed_digest,
                })
            },
        );
    let event = prop_oneof![
        (text(), any::<u64>(), text(), text()).prop_map(
            |(description, quantity, unit, custody)| {
                CustodyEvent::Seized {
                    description,
                    quantity,
                    unit,
                    custody,
                }
            }
        ),
        (text(), text(), text()).prop_map(|(from, to, note)| CustodyEvent::HandedOver {
            from,
            to,
            note
        }),
        (
            -1_000_000i64..1_000_000,
            text(),
            text(),
            proptest::collection::vec(text(), 0..4)
        )
            .prop_map(|(d, method, place, witnesses)| CustodyEvent::Destroyed {
                on: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::TimeDelta::days(d),
                method,
                place,
                witnesses,
            }),
    ];
    let custody = (uuid(), uuid(), uuid(), uuid(), time(), event).prop_map(
        |(item, case, org, recorded_by, at, event)| {
            Entry::Custody(CustodyEntry {
                item,
                case,
                org,
                recorded_by,
                at,
                event,
            })
        },
    );
    prop_oneof![evidence, audit, custody]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_inverts_encode(e in entry()) {
        let bytes = e.encode();
        prop_assert_eq!(bytes[0], ENTRY_VERSION);
        prop_assert_eq!(Entry::decode(&bytes), Ok(e));
    }

    #[test]
    fn any_change_of_length_or_trailing_byte_is_refused(e in entry(), extra: u8) {
        let mut bytes = e.encode();
        bytes.push(extra);
        prop_assert!(Entry::decode(&bytes).is_err());
        bytes.truncate(bytes.len() - 2);
        prop_assert!(Entry::decode(&bytes).is_err());
    }

    #[test]
    fn decode_never_panics_and_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(e) = Entry::decode(&bytes) {
            prop_assert_eq!(e.encode(), bytes);
        }
    }

    #[test]
    fn decode_never_panics_on_mutated_entries(e in entry(), at in any::<prop::sample::Index>(), byte: u8) {
        let mut bytes = e.encode();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(d) = Entry::decode(&bytes) {
            prop_assert_eq!(d.encode(), bytes);
        }
    }
}

#[test]
fn unknown_version_and_kind_are_named() {
    let e = wangjian_ledger::sample::entry(0, Uuid::nil(), 1);
    let mut bytes = e.encode();
    bytes[0] = 2;
    assert_eq!(Entry::decode(&bytes), Err(DecodeError::UnknownVersion(2)));
    assert_eq!(
        DecodeError::UnknownVersion(2).to_string(),
        "entry encoding version 2 is not supported (this build reads version 1)"
    );
    bytes[0] = 1;
    bytes[1] = 9;
    assert_eq!(Entry::decode(&bytes), Err(DecodeError::UnknownKind(9)));
    assert_eq!(Entry::decode(&[1, 1]), Err(DecodeError::TooShort(2)));
}

#[test]
fn evidence_entry_bytes_are_stable() {
    // The documented layout (FORMAT.md §2): a change here is a format change.
    let e = Entry::EvidenceCaptured(EvidenceCaptured {
        blob: [0xAB; 32],
        size: 5,
        media_type: "a/b".into(),
        source: "x".into(),
        case: None,
        listing: Some(Uuid::from_u128(1)),
        captured_by: Uuid::from_u128(2),
        org: Uuid::from_u128(3),
        at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    });
    let b = e.encode();
    let mut want = vec![1, 1, 0, 0, 0, 0];
    want.extend([0xAB; 32]);
    want.extend(5u64.to_be_bytes());
    want.extend([0, 0, 0, 3, b'a', b'/', b'b']);
    want.extend([0, 0, 0, 1, b'x']);
    want.push(0);
    want.push(1);
    want.extend(1u128.to_be_bytes());
    want.extend(2u128.to_be_bytes());
    want.extend(3u128.to_be_bytes());
    want.extend(1_767_225_600i64.to_be_bytes());
    want.extend(0u32.to_be_bytes());
    let body = (want.len() - 6) as u32;
    want[2..6].copy_from_slice(&body.to_be_bytes());
    assert_eq!(b, want);
}

#[test]
fn domain_audit_events_become_entries() {
    let ev = AuditEvent {
        id: AuditEventId(Uuid::from_u128(1)),
        request_id: RequestId(Uuid::from_u128(2)),
        actor: UserId(Uuid::from_u128(3)),
        actor_org: OrgId(Uuid::from_u128(4)),
        at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        action: "seized.hand_over".into(),
        object_type: ObjectType::SeizedItem,
        object_id: Uuid::from_u128(5),
        root_case: Some(CaseId(Uuid::from_u128(6))),
        changed: vec![FieldChange {
            field: "custody".into(),
            before: "公物仓A".into(),
            after: "检验所".into(),
        }],
        before_digest: Some("ab".repeat(32)),
        after_digest: "cd".repeat(32),
    };
    let e = AuditEventEntry::from_event(&ev).unwrap();
    assert_eq!(e.object_type, "seized_item");
    assert_eq!(e.changed_fields, ["custody"]);
    assert_eq!(e.before_digest, Some([0xab; 32]));
    // The digest pins the values: another value, another digest.
    let mut other = ev.clone();
    other.changed[0].after = "公安".into();
    assert_ne!(
        AuditEventEntry::from_event(&other).unwrap().changed_digest,
        e.changed_digest
    );
    let mut bad = ev;
    bad.after_digest = "not hex".into();
    assert!(AuditEventEntry::from_event(&bad).is_err());
}
