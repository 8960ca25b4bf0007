//! Credit (issue 17): reading the credit files, the serious-violation list and the
//! disclosures of penalty decisions (tables `credit_records`, `credit_standings`,
//! `blacklist_entries`, `disclosures`, `case_parties`). Writes go through the one write
//! path ([`Store::apply`](crate::Store::apply)) with the domain's `Change`s; nothing here
//! writes.
//!
//! Expiry is read, not run: an entry is on the list while `status = 'listed'` and its
//! `end_day` is after the day the caller passes (China's date); a disclosure is public
//! while published and its `public_until` is after that day.

use chrono::NaiveDate;
use wangjian_domain::credit::{
    BlacklistEntry, CaseParty, CreditFile, CreditRecord, CreditStanding, Disclosure,
};
use wangjian_domain::{CaseId, RegionCode, SubjectId};

use crate::query::prefix_range;
use crate::schema::{self, from_row, get_by_id, Table};
use crate::value::Val;
use crate::{Store, StoreError};

/// A search of published penalty decisions (every filter optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisclosureQuery {
    /// Part of the party's name.
    pub name: Option<String>,
    /// 统一社会信用代码, exactly.
    pub uscc: Option<String>,
    /// A region code prefix (`33`, `3301`, `330106`).
    pub region: Option<String>,
    /// Decided on or after.
    pub from: Option<NaiveDate>,
    /// Decided on or before.
    pub to: Option<NaiveDate>,
    /// Part of the case title (案由: the product, the violation).
    pub product: Option<String>,
    /// Typical cases only.
    pub typical_only: bool,
}

/// `%text%` for LIKE, with `\`, `%` and `_` escaped (`ESCAPE '\'`).
fn like(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.trim().chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    async fn rows_of<T: serde::de::DeserializeOwned>(
        &self,
        t: &Table,
        rest: &str,
        args: Vec<Val>,
    ) -> Result<Vec<T>, StoreError> {
        let sql = format!("SELECT {} FROM {} {rest}", t.select_list(""), t.name);
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// A subject's credit file: the subject, its records (oldest first), its blacklist
    /// entries (the history, oldest first) and the class last recorded; `None` for an
    /// unknown subject.
    pub async fn credit_file(&self, subject: SubjectId) -> Result<Option<CreditFile>, StoreError> {
        let Some(s) = self.subject(subject).await? else {
            return Ok(None);
        };
        let id = || vec![Val::from(subject.0)];
        let records: Vec<CreditRecord> = self
            .rows_of(
                &schema::CREDIT_RECORDS,
                "WHERE subject = $1 ORDER BY on_day, id",
                id(),
            )
            .await?;
        let entries: Vec<BlacklistEntry> = self
            .rows_of(
                &schema::BLACKLIST_ENTRIES,
                "WHERE subject = $1 ORDER BY start, id",
                id(),
            )
            .await?;
        let standing: Option<CreditStanding> =
            get_by_id(&self.pool, &schema::CREDIT_STANDINGS, subject.0).await?;
        Ok(Some(CreditFile {
            subject: s,
            records,
            entries,
            standing,
        }))
    }

    /// The party named for a case.
    pub async fn case_party(&self, case: CaseId) -> Result<Option<CaseParty>, StoreError> {
        get_by_id(&self.pool, &schema::CASE_PARTIES, case.0).await
    }

    /// One blacklist entry.
    pub async fn blacklist_entry(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<BlacklistEntry>, StoreError> {
        get_by_id(&self.pool, &schema::BLACKLIST_ENTRIES, id).await
    }

    /// The entries on the list on `day` (listed, not yet ended), optionally only those
    /// whose name contains `name` or whose credit code is `uscc`, by name.
    pub async fn blacklist_on(
        &self,
        day: NaiveDate,
        name: Option<&str>,
        uscc: Option<&str>,
    ) -> Result<Vec<BlacklistEntry>, StoreError> {
        let mut args = vec![Val::from("listed"), Val::from(day)];
        let mut rest = "WHERE status = $1 AND end_day > $2".to_string();
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            args.push(Val::from(like(n)));
            rest.push_str(&format!(
                " AND subject_name LIKE ${} ESCAPE '\\'",
                args.len()
            ));
        }
        if let Some(u) = uscc.map(str::trim).filter(|n| !n.is_empty()) {
            args.push(Val::from(u.to_ascii_uppercase()));
            rest.push_str(&format!(" AND uscc = ${}", args.len()));
        }
        rest.push_str(" ORDER BY subject_name, id");
        self.rows_of(&schema::BLACKLIST_ENTRIES, &rest, args).await
    }

    /// A mark that changes whenever the list's rows change (an entry added, repaired):
    /// the count and the sum of versions. With the day (expiry), it keys a cached
    /// screening index.
    pub async fn blacklist_mark(&self) -> Result<(i64, i64), StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM blacklist_entries",
                vec![],
            )
            .await?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("count returned no row".into()))?;
        Ok((r.int(0)?, r.int(1)?))
    }

    /// One disclosure.
    pub async fn disclosure(&self, id: uuid::Uuid) -> Result<Option<Disclosure>, StoreError> {
        get_by_id(&self.pool, &schema::DISCLOSURES, id).await
    }

    /// The penalty decisions in public view on `day` matching `q`, newest decision
    /// first, at most `limit` after skipping `offset`.
    pub async fn public_disclosures(
        &self,
        day: NaiveDate,
        q: &DisclosureQuery,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Disclosure>, StoreError> {
        let mut args = vec![Val::from("published"), Val::from(day)];
        let mut rest = "WHERE status = $1 AND published_on <= $2 AND public_until > $2".to_string();
        let mut push = |args: &mut Vec<Val>, v: Val, cond: &str| {
            args.push(v);
            rest.push_str(&cond.replace('?', &format!("${}", args.len())));
        };
        if let Some(n) = q.name.as_deref().filter(|s| !s.trim().is_empty()) {
            push(
                &mut args,
                Val::from(like(n)),
                " AND party_name LIKE ? ESCAPE '\\'",
            );
        }
        if let Some(u) = q.uscc.as_deref().filter(|s| !s.trim().is_empty()) {
            push(
                &mut args,
                Val::from(u.trim().to_ascii_uppercase()),
                " AND uscc = ?",
            );
        }
        if let Some(r) = q.region.as_deref().filter(|s| !s.trim().is_empty()) {
            let (lo, hi) = prefix_range(r.trim());
            push(&mut args, Val::from(lo), " AND region >= ?");
            push(&mut args, Val::from(hi), " AND region < ?");
        }
        if let Some(f) = q.from {
            push(&mut args, Val::from(f), " AND decided_on >= ?");
        }
        if let Some(t) = q.to {
            push(&mut args, Val::from(t), " AND decided_on <= ?");
        }
        if let Some(p) = q.product.as_deref().filter(|s| !s.trim().is_empty()) {
            push(
                &mut args,
                Val::from(like(p)),
                " AND title LIKE ? ESCAPE '\\'",
            );
        }
        if q.typical_only {
            push(&mut args, Val::from(true), " AND typical = ?");
        }
        rest.push_str(&format!(
            " ORDER BY decided_on DESC, id LIMIT {} OFFSET {offset}",
            limit.clamp(1, 10_000)
        ));
        self.rows_of(&schema::DISCLOSURES, &rest, args).await
    }

    /// Disclosures of agencies within `region` that are late on `day` — still pending
    /// after their deadline, or published after it — and those pending that fall due
    /// within `horizon`; by due date (the coordination office's board).
    pub async fn disclosures_due(
        &self,
        region: &RegionCode,
        day: NaiveDate,
        horizon: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Disclosure>, StoreError> {
        let (lo, hi) = prefix_range(region.prefix());
        self.rows_of(
            &schema::DISCLOSURES,
            &format!(
                "WHERE region >= $1 AND region < $2 AND \
                 ((status = 'pending' AND due <= $3) OR (status = 'published' AND published_on > due \
                   AND public_until > $4)) \
                 ORDER BY due, id LIMIT {}",
                limit.clamp(1, 1000)
            ),
            vec![Val::from(lo), Val::from(hi), Val::from(horizon), Val::from(day)],
        )
        .await
    }

    /// The pending disclosures of one agency, by due date.
    pub async fn pending_disclosures(
        &self,
        org: wangjian_domain::OrgId,
    ) -> Result<Vec<Disclosure>, StoreError> {
        self.rows_of(
            &schema::DISCLOSURES,
            "WHERE org = $1 AND status = 'pending' ORDER BY due, id",
            vec![Val::from(org.0)],
        )
        .await
    }

    /// Subjects whose name contains `name` or whose credit code is `name`, by name (at
    /// most `limit`).
    pub async fn find_subjects(
        &self,
        name: &str,
        limit: u32,
    ) -> Result<Vec<wangjian_domain::subject::Subject>, StoreError> {
        self.rows_of(
            &schema::SUBJECTS,
            &format!(
                "WHERE name LIKE $1 ESCAPE '\\' OR uscc = $2 ORDER BY name, id LIMIT {}",
                limit.clamp(1, 500)
            ),
            vec![
                Val::from(like(name)),
                Val::from(name.trim().to_ascii_uppercase()),
            ],
        )
        .await
    }
}
