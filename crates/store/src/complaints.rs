//! Complaints and reports from the public portal (table `complaints`, which keeps the
//! SHA-256 of each tracking number, never the number), their attachments (in the evidence
//! store's content-addressed `blobs`, written in the complaint's transaction), the record
//! of each read of a complainant's contact (an audit event that changes nothing), and the
//! accounts' security events (table `account_events`, append-only: sign-ins, failed
//! sign-ins, tokens, permission changes).

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use wangjian_domain::complaint::{tracking_digest, Complaint, ComplaintId, ComplaintState};
use wangjian_domain::{Change, OrgId, Read, RegionCode};

use crate::query::{prefix_range, Cursor, Page};
use crate::schema;
use crate::schema::from_row;
use crate::value::Val;
use crate::write::{write_change, Applied};
use crate::{Store, StoreError};

/// One attachment's bytes, to be stored with a new complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInput {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The media type as declared (informative only).
    pub media_type: String,
}

impl BlobInput {
    /// SHA-256 of the bytes, lowercase hex (the blob's address).
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(&self.bytes))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Store {
    /// Stores a new complaint with its attachments' bytes, in one transaction: each blob
    /// under its SHA-256 (a blob already stored is kept as is), then the complaint and its
    /// audit event through the one write path. Every attachment the complaint names must
    /// be among the blobs.
    pub async fn submit_complaint(
        &self,
        change: Change<Complaint>,
        blobs: &[BlobInput],
    ) -> Result<Applied<Complaint>, StoreError> {
        let (value, events) = change.into_parts();
        let given: Vec<String> = blobs.iter().map(BlobInput::sha256).collect();
        if let Some(a) = value
            .attachments
            .iter()
            .find(|a| !given.contains(&a.sha256))
        {
            return Err(StoreError::Corrupt(format!(
                "attachment {} has no bytes",
                a.name
            )));
        }
        let mut tx = self.pool.begin_write().await?;
        for b in blobs {
            crate::log::put_blob(&mut tx, &b.bytes, &b.media_type).await?;
        }
        let seqs = write_change(&mut tx, &value, &events).await?;
        tx.commit().await?;
        Ok(Applied { value, seqs })
    }

    /// The bytes of a stored attachment (by its SHA-256 in hex), checked against their
    /// address.
    pub async fn complaint_blob(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut h = [0u8; 32];
        if sha256.len() != 64 || !sha256.is_ascii() {
            return Ok(None);
        }
        for (i, byte) in h.iter_mut().enumerate() {
            match u8::from_str_radix(&sha256[2 * i..2 * i + 2], 16) {
                Ok(v) => *byte = v,
                Err(_) => return Ok(None),
            }
        }
        Ok(self.blob(&h).await?.map(|(bytes, _)| bytes))
    }

    async fn complaint_where(
        &self,
        filter: &str,
        arg: Val,
    ) -> Result<Option<Complaint>, StoreError> {
        let t = &schema::COMPLAINTS;
        let sql = format!(
            "SELECT {} FROM complaints WHERE {filter}",
            t.select_list("")
        );
        let rows = self.pool.fetch(&sql, vec![arg]).await?;
        rows.first().map(|r| from_row(t, r)).transpose()
    }

    /// One complaint by id.
    pub async fn complaint(&self, id: ComplaintId) -> Result<Option<Complaint>, StoreError> {
        self.complaint_where("id = $1", Val::from(id.0)).await
    }

    /// One complaint by its tracking number as typed (looked up by its digest); `None`
    /// for a number nobody holds and for anything that cannot be one.
    pub async fn complaint_by_tracking(
        &self,
        number: &str,
    ) -> Result<Option<Complaint>, StoreError> {
        let Some(digest) = tracking_digest(number) else {
            return Ok(None);
        };
        self.complaint_where("tracking_digest = $1", Val::from(digest.as_str()))
            .await
    }

    /// Appends the record of a read of personal data (one audit event that changes
    /// nothing, built by the domain) to the trail and the evidence log; returns its `seq`.
    pub async fn record_read(&self, read: Read) -> Result<i64, StoreError> {
        let event = read.into_event();
        let mut tx = self.pool.begin_write().await?;
        let seqs =
            crate::write::append_audit(&mut tx, std::slice::from_ref(&event), vec![]).await?;
        tx.commit().await?;
        seqs.first()
            .copied()
            .ok_or_else(|| StoreError::Corrupt("append returned no seq".into()))
    }

    /// The complaints an agency handles, optionally in one state, newest first
    /// (keyset-paged on the time-ordered id).
    pub async fn complaints(
        &self,
        handler: OrgId,
        state: Option<ComplaintState>,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Complaint>, StoreError> {
        let t = &schema::COMPLAINTS;
        let mut args = vec![Val::from(handler.0)];
        let mut conds = vec!["handler = $1".to_string()];
        if let Some(s) = state {
            args.push(Val::from(s.as_str()));
            conds.push(format!("state = ${}", args.len()));
        }
        self.newest_first(t, conds, args, &after, limit, |c: &Complaint| {
            c.id.to_string()
        })
        .await
    }

    /// Complaints still awaiting the accept-or-refuse decision whose deadline falls on or
    /// before `horizon`, of agencies within `region`, by due date (the coordination
    /// office's board).
    pub async fn complaints_due(
        &self,
        region: &RegionCode,
        horizon: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Complaint>, StoreError> {
        let t = &schema::COMPLAINTS;
        let (lo, hi) = prefix_range(region.prefix());
        let sql = format!(
            "SELECT {} FROM complaints c JOIN organizations o ON o.id = c.handler \
             WHERE c.state = $1 AND c.accept_due <= $2 AND o.region >= $3 AND o.region < $4 \
             ORDER BY c.accept_due, c.id LIMIT {}",
            t.select_list("c"),
            limit.clamp(1, 1000)
        );
        let rows = self
            .pool
            .fetch(
                &sql,
                vec![
                    Val::from(ComplaintState::Received.as_str()),
                    Val::from(horizon),
                    Val::from(lo),
                    Val::from(hi),
                ],
            )
            .await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }
}
