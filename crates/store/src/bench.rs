//! Hooks for `benches/evidence_log.rs` (not an API): the audit insert without the log (the
//! baseline), the same with the log, and writing generated perfect nodes directly to build
//! a large tree fast.

use wangjian_domain::AuditEvent;
use wangjian_ledger::{Entry, Hash, NodeId};

use crate::log::int;
use crate::value::Val;
use crate::{Store, StoreError};

/// Writes `events` in one transaction: the audit rows only (`with_log` false), or the
/// audit rows and their log entries, as `Store::apply` does.
pub async fn audit_events(
    store: &Store,
    events: &[AuditEvent],
    with_log: bool,
) -> Result<(), StoreError> {
    let mut tx = store.pool.begin_write().await?;
    if with_log {
        crate::write::append_audit(&mut tx, events, Vec::new()).await?;
    } else {
        crate::write::insert_audit_events(&mut tx, events).await?;
    }
    tx.commit().await
}

/// Inserts perfect nodes as given (generated elsewhere), in one transaction.
pub async fn insert_nodes(store: &Store, nodes: &[(NodeId, Hash)]) -> Result<(), StoreError> {
    let mut tx = store.pool.begin_write().await?;
    crate::log::insert_nodes(&mut tx, nodes).await?;
    tx.commit().await
}

/// Inserts entry `index` alone (its nodes written by `insert_nodes`), so the log's
/// size reads `index + 1` without storing every entry of a generated tree.
pub async fn insert_last_entry(store: &Store, index: u64, entry: &Entry) -> Result<(), StoreError> {
    let mut tx = store.pool.begin_write().await?;
    tx.exec(
        "INSERT INTO log_entries (leaf_index, kind, entry, appended_at) VALUES ($1, $2, $3, $4)",
        vec![
            int(index),
            Val::Int(Some(entry.kind() as i64)),
            Val::from(entry.encode()),
            Val::from(chrono::Utc::now()),
        ],
    )
    .await?;
    tx.commit().await
}

/// The baseline of `bench/notices.sh`: the same notice rows, one plain multi-row insert
/// per call into a copy of the table (`bench_notices`, no unique index, no audit events,
/// no evidence log), in one transaction.
pub async fn plain_insert_notices(
    store: &Store,
    notices: &[wangjian_domain::notice::Notice],
) -> Result<(), StoreError> {
    let t = &crate::schema::NOTICES;
    let rows = notices
        .iter()
        .map(|n| t.values(&crate::write::notice_json(n)?))
        .collect::<Result<Vec<_>, _>>()?;
    let cols: Vec<_> = t
        .insert_cols()
        .into_iter()
        .map(|c| (c.name, c.kind))
        .collect();
    let mut tx = store.pool.begin_write().await?;
    tx.exec(
        "CREATE TABLE IF NOT EXISTS bench_notices AS SELECT * FROM notices WHERE 1 = 0",
        vec![],
    )
    .await?;
    tx.insert_ignoring("bench_notices", &cols, rows).await?;
    tx.commit().await
}
