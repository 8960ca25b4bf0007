//! Notices to platforms (通知—删除, table `notices`) and platforms' self-inspection records
//! (自查自纠, table `self_inspections`). A batch of notices is one transaction and one
//! multi-row insert (multi-row `VALUES` on SQLite, one `UNNEST` per column on
//! PostgreSQL), with one audit event per notice appended to the trail and the evidence
//! log in the same transaction. One open notice per listing is the unique index on the
//! derived column `open_listing`; a step on one notice goes through the one write path
//! (`Store::apply`) with its optimistic version.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wangjian_domain::notice::{Notice, NoticeId, NoticeState};
use wangjian_domain::self_inspection::SelfInspection;
use wangjian_domain::{Change, ListingId, OrgId, ShopId};

use crate::query::{Cursor, Page};
use crate::schema::{self, from_row};
use crate::value::Val;
use crate::write::{append_audit, notice_json, Applied};
use crate::{Store, StoreError};

/// A listing as a notice needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeTarget {
    /// The platform it is offered on.
    pub platform: OrgId,
    /// Its shop.
    pub shop: Option<ShopId>,
}

/// A notice list query (the policy's scope, as columns).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeQuery {
    /// Only notices sent by this organization.
    pub sender: Option<OrgId>,
    /// Only notices sent to this platform.
    pub recipient: Option<OrgId>,
    /// Only in this state.
    pub state: Option<NoticeState>,
    /// Keyset cursor (the last id of the previous page).
    pub after: Option<Cursor>,
    /// Page size (1–500).
    pub limit: u32,
}

/// What a platform's week holds, counted from the record (see `App::platform_weekly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekCounts {
    /// Listing snapshots the platform delivered (pushed or patrolled) in the week.
    pub listings_patrolled: i64,
    /// Listings removed, blocked or disconnected on a notice in the week.
    pub notice_removals: i64,
    /// Listings delisted by self-inspection (delist, close shop) in the week.
    pub own_removals: i64,
    /// Distinct shops warned.
    pub shops_warned: i64,
    /// Distinct shops ordered to rectify.
    pub shops_rectified: i64,
    /// Distinct shops closed.
    pub shops_closed: i64,
    /// Notices sent to the platform in the week.
    pub notices_received: i64,
    /// Notices the platform acted on (a measure) in the week.
    pub notices_acted: i64,
    /// Of those, decided by the act deadline.
    pub acted_within_deadline: i64,
    /// Scan leads made from what it delivered in the week, plus self-inspection records
    /// it passed to a regulator.
    pub leads_passed: i64,
}

const CHUNK: usize = 500;

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The platform and shop of each listing among `ids` that exists (read in chunks).
    pub async fn notice_targets(
        &self,
        ids: &[ListingId],
    ) -> Result<HashMap<ListingId, NoticeTarget>, StoreError> {
        let mut out = HashMap::with_capacity(ids.len());
        for part in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, platform, shop FROM listings WHERE id IN ({})",
                placeholders(1, part.len())
            );
            let args = part.iter().map(|l| Val::from(l.0)).collect();
            for r in self.pool.fetch(&sql, args).await? {
                let (Some(id), Some(platform)) = (r.uuid(0)?, r.uuid(1)?) else {
                    continue;
                };
                out.insert(
                    ListingId(id),
                    NoticeTarget {
                        platform: OrgId(platform),
                        shop: r.uuid(2)?.map(ShopId),
                    },
                );
            }
        }
        Ok(out)
    }

    /// The open notice on each listing among `ids` that has one.
    pub async fn open_notices_on(
        &self,
        ids: &[ListingId],
    ) -> Result<HashMap<ListingId, NoticeId>, StoreError> {
        let mut out = HashMap::new();
        for part in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT open_listing, id FROM notices WHERE open_listing IN ({})",
                placeholders(1, part.len())
            );
            let args = part.iter().map(|l| Val::from(l.0)).collect();
            for r in self.pool.fetch(&sql, args).await? {
                if let (Some(l), Some(id)) = (r.uuid(0)?, r.uuid(1)?) {
                    out.insert(ListingId(l), NoticeId(id));
                }
            }
        }
        Ok(out)
    }

    /// Stores a batch of new notices in one transaction: one multi-row insert, then one
    /// audit event per notice (trail and evidence log). A listing that got an open notice
    /// since the caller checked fails the whole batch ([`StoreError::Duplicate`]), and
    /// nothing is written.
    pub async fn send_notices(
        &self,
        change: Change<Vec<Notice>>,
    ) -> Result<Applied<Vec<Notice>>, StoreError> {
        let (notices, events) = change.into_parts();
        let t = &schema::NOTICES;
        let rows = notices
            .iter()
            .map(|n| t.values(&notice_json(n)?))
            .collect::<Result<Vec<_>, _>>()?;
        let cols: Vec<_> = t
            .insert_cols()
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        let mut tx = self.pool.begin_write().await?;
        let inserted = tx.insert_ignoring(t.name, &cols, rows).await?;
        if inserted.len() != notices.len() {
            let got: std::collections::HashSet<Uuid> = inserted
                .iter()
                .filter_map(|r| r.uuid(0).ok().flatten())
                .collect();
            let lost = notices
                .iter()
                .find(|n| !got.contains(&n.id.0))
                .map(|n| n.listing.to_string())
                .unwrap_or_default();
            return Err(StoreError::Duplicate(format!(
                "listing {lost} has an open notice"
            )));
        }
        let seqs = append_audit(&mut tx, &events, Vec::new()).await?;
        tx.commit().await?;
        Ok(Applied {
            value: notices,
            seqs,
        })
    }

    /// One notice.
    pub async fn notice(&self, id: NoticeId) -> Result<Option<Notice>, StoreError> {
        let t = &schema::NOTICES;
        let sql = format!("SELECT {} FROM notices WHERE id = $1", t.select_list(""));
        let rows = self.pool.fetch(&sql, vec![Val::from(id.0)]).await?;
        rows.first().map(|r| from_row(t, r)).transpose()
    }

    /// Notices, newest first, keyset-paged.
    pub async fn notices(&self, q: &NoticeQuery) -> Result<Page<Notice>, StoreError> {
        let t = &schema::NOTICES;
        let mut conds = vec!["1 = 1".to_string()];
        let mut args = Vec::new();
        if let Some(s) = q.sender {
            args.push(Val::from(s.0));
            conds.push(format!("sender = ${}", args.len()));
        }
        if let Some(r) = q.recipient {
            args.push(Val::from(r.0));
            conds.push(format!("recipient = ${}", args.len()));
        }
        if let Some(s) = q.state {
            args.push(Val::from(s.as_str()));
            conds.push(format!("state = ${}", args.len()));
        }
        self.newest_first(t, conds, args, &q.after, q.limit, |n: &Notice| {
            n.id.to_string()
        })
        .await
    }

    /// Every notice sent to `platform` between `from` (inclusive) and `to` (exclusive),
    /// by sending time (the metrics read these).
    pub async fn notices_sent_between(
        &self,
        platform: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Notice>, StoreError> {
        let t = &schema::NOTICES;
        let sql = format!(
            "SELECT {} FROM notices WHERE recipient = $1 AND sent_at >= $2 AND sent_at < $3 \
             ORDER BY sent_at, id",
            t.select_list("")
        );
        let rows = self
            .pool
            .fetch(
                &sql,
                vec![Val::from(platform.0), Val::from(from), Val::from(to)],
            )
            .await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// Every notice sent by `sender` (the notifier's record).
    pub async fn notices_by_sender(&self, sender: OrgId) -> Result<Vec<Notice>, StoreError> {
        let t = &schema::NOTICES;
        let sql = format!(
            "SELECT {} FROM notices WHERE sender = $1 ORDER BY id",
            t.select_list("")
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(sender.0)]).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// A platform's self-inspection records between `from` and `to`, newest first.
    pub async fn self_inspections(
        &self,
        platform: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SelfInspection>, StoreError> {
        let t = &schema::SELF_INSPECTIONS;
        let sql = format!(
            "SELECT {} FROM self_inspections WHERE platform = $1 AND at >= $2 AND at < $3 \
             ORDER BY at DESC, id DESC LIMIT 5000",
            t.select_list("")
        );
        let rows = self
            .pool
            .fetch(
                &sql,
                vec![Val::from(platform.0), Val::from(from), Val::from(to)],
            )
            .await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// The counts of a platform's week `[from, to)` (one query per figure, each on an
    /// index of its table).
    pub async fn week_counts(
        &self,
        platform: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<WeekCounts, StoreError> {
        let base = || vec![Val::from(platform.0), Val::from(from), Val::from(to)];
        let one = |sql: &'static str, extra: Vec<Val>| {
            let mut args = base();
            args.extend(extra);
            async move {
                let rows = self.pool.fetch(sql, args).await?;
                rows.first()
                    .map(|r| r.int(0))
                    .transpose()
                    .map(Option::unwrap_or_default)
            }
        };
        const PATROLLED: &str = "SELECT COUNT(*) FROM listing_receipts \
            WHERE org = $1 AND received_at >= $2 AND received_at < $3";
        const RECEIVED: &str = "SELECT COUNT(*) FROM notices \
            WHERE recipient = $1 AND sent_at >= $2 AND sent_at < $3";
        const ACTED: &str = "SELECT COUNT(*) FROM notices \
            WHERE recipient = $1 AND decided_at >= $2 AND decided_at < $3 AND measure IS NOT NULL";
        const ON_TIME: &str = "SELECT COUNT(*) FROM notices \
            WHERE recipient = $1 AND decided_at >= $2 AND decided_at < $3 \
            AND measure IS NOT NULL AND decided_on_time = $4";
        const REMOVED: &str = "SELECT COUNT(*) FROM notices \
            WHERE recipient = $1 AND decided_at >= $2 AND decided_at < $3 \
            AND measure IN ('removed', 'blocked', 'disconnected')";
        const OWN: &str = "SELECT CAST(COALESCE(SUM(listing_count), 0) AS BIGINT) \
            FROM self_inspections WHERE platform = $1 AND at >= $2 AND at < $3 \
            AND action IN ('delist', 'close_shop')";
        const SHOPS: &str = "SELECT COUNT(DISTINCT shop) FROM self_inspections \
            WHERE platform = $1 AND at >= $2 AND at < $3 AND action = $4";
        const LEADS: &str = "SELECT COUNT(DISTINCT l.id) FROM listing_receipts r \
            JOIN leads l ON l.snapshot = r.snapshot \
            WHERE r.org = $1 AND r.received_at >= $2 AND r.received_at < $3";
        const REFERRED: &str = "SELECT COUNT(*) FROM self_inspections \
            WHERE platform = $1 AND at >= $2 AND at < $3 AND referred = $4";
        Ok(WeekCounts {
            listings_patrolled: one(PATROLLED, vec![]).await?,
            notice_removals: one(REMOVED, vec![]).await?,
            own_removals: one(OWN, vec![]).await?,
            shops_warned: one(SHOPS, vec![Val::from("warning")]).await?,
            shops_rectified: one(SHOPS, vec![Val::from("rectify")]).await?,
            shops_closed: one(SHOPS, vec![Val::from("close_shop")]).await?,
            notices_received: one(RECEIVED, vec![]).await?,
            notices_acted: one(ACTED, vec![]).await?,
            acted_within_deadline: one(ON_TIME, vec![Val::from(true)]).await?,
            leads_passed: one(LEADS, vec![]).await? + one(REFERRED, vec![Val::from(true)]).await?,
        })
    }
}
