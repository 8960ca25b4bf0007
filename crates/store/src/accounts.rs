//! The accounts' audit trail (table `account_events`): sign-ins, failed sign-ins, tokens
//! made and revoked, roles granted and removed. Kept apart from the evidence log: it
//! records who reached the system, not enforcement steps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_domain::{OrgId, UserId};

use crate::schema::{self, from_row};
use crate::value::Val;
use crate::{Store, StoreError};

/// One event of the accounts' audit trail. The user is `None` for a failed sign-in with
/// an unknown name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvent {
    /// Stable id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// `account.sign_in`, `account.sign_in_failed`, `account.permission_changed`, …
    pub action: String,
    /// The user, when known.
    pub user: Option<UserId>,
    /// The organization acted for, when known.
    pub org: Option<OrgId>,
    /// The login name as typed (trimmed, at most 64 characters).
    pub login: String,
    /// The client address.
    pub ip: Option<String>,
    /// The request id.
    pub request_id: String,
    /// What else (the role granted, the token id, …).
    pub detail: serde_json::Value,
}

/// An account event with its position in the trail.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAccountEvent {
    /// Position (monotonic).
    pub seq: i64,
    /// The event.
    pub event: AccountEvent,
}

/// Appends `account.permission_changed` for a granted or revoked role, inside `tx`.
pub(crate) async fn permission_event(
    tx: &mut crate::backend::Tx,
    m: &wangjian_domain::org::Membership,
    granted: bool,
) -> Result<(), StoreError> {
    let e = AccountEvent {
        id: Uuid::now_v7(),
        at: Utc::now(),
        action: "account.permission_changed".into(),
        user: Some(m.user),
        org: Some(m.org),
        login: String::new(),
        ip: None,
        request_id: "-".into(),
        detail: serde_json::json!({"role": m.role, "granted": granted}),
    };
    let t = &schema::ACCOUNT_EVENTS;
    tx.exec(&t.insert_sql(1), t.values(&crate::write::json_of(&e)?)?)
        .await?;
    Ok(())
}

impl Store {
    /// Appends an event to the accounts' audit trail; returns its `seq`.
    pub async fn record_account_event(&self, e: &AccountEvent) -> Result<i64, StoreError> {
        let t = &schema::ACCOUNT_EVENTS;
        let json = crate::write::json_of(e)?;
        let sql = format!("{} RETURNING seq", t.insert_sql(1));
        let rows = self.pool.fetch(&sql, t.values(&json)?).await?;
        rows.first()
            .ok_or_else(|| StoreError::Corrupt("insert returned no seq".into()))?
            .int(0)
    }

    /// The latest `limit` account events, newest first; only `user`'s when given.
    pub async fn account_events(
        &self,
        user: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<StoredAccountEvent>, StoreError> {
        let t = &schema::ACCOUNT_EVENTS;
        let (filter, args) = match user {
            Some(u) => ("WHERE user_id = $1", vec![Val::from(u.0)]),
            None => ("", vec![]),
        };
        let sql = format!(
            "SELECT {} FROM account_events {filter} ORDER BY seq DESC LIMIT {}",
            t.select_list(""),
            limit.clamp(1, 1000)
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAccountEvent {
                    seq: r.int(0)?,
                    event: from_row(t, r)?,
                })
            })
            .collect()
    }
}
