//! The evidence log in the database: the RFC 6962 Merkle log of `wangjian-ledger`
//! persisted as FORMAT.md §6 of that crate describes (`log_entries`, `log_nodes`,
//! `tree_heads`, `log_keys`, `blobs`).
//!
//! - **Appends** happen inside the writer's transaction ([`append`]): every audit event
//!   `write::append_audit` writes is appended in the same transaction, so the trail and
//!   the log cannot diverge. An append reads the frontier (≤ 64 perfect nodes, one query),
//!   pushes the new leaf hashes through [`Frontier`] and inserts the entries and the
//!   perfect nodes they complete (≈ 2 per entry) in multi-row statements. Nothing is
//!   recomputed; nothing is ever updated.
//! - **Proofs and roots** read the O(log n) nodes a [`Plan`] names in one query.
//! - **Tree heads** are signed with the installation's key on request; the keyring (public
//!   keys only) lives in `log_keys`.
//! - **Blobs** (evidence bytes) live in the `blobs` table on both backends, keyed by
//!   SHA-256, stored once; a capture writes the blob and its log entry in one transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use uuid::Uuid;
use wangjian_ledger::blob::sha256;
use wangjian_ledger::checkpoint::{OsRng, SignedCheckpoint};
use wangjian_ledger::package::CaseRef;
use wangjian_ledger::{
    leaf_hash, Checkpoint, ConsistencyProof, Entry, EvidenceCaptured, Frontier, Hash,
    InclusionProof, Keyring, LogKey, NodeId, Package, PackageBlob, PackageEntry, Plan, VerifierKey,
};

use crate::backend::{Backend, Row, Tx};
use crate::value::{hex_encode, Val};
use crate::{Store, StoreError};

/// The advisory lock that serializes appenders on PostgreSQL (the same one the audit trail
/// takes: one lock orders both). SQLite has one writer at a time already.
pub(crate) async fn lock(tx: &mut Tx) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        tx.exec("SELECT pg_advisory_xact_lock(7317302)", vec![])
            .await?;
    }
    Ok(())
}

/// Entries inserted per statement, and nodes per statement (bind limits and speed).
const ENTRY_ROWS: usize = 128;
const NODE_ROWS: usize = 256;

/// Inserts perfect nodes, [`NODE_ROWS`] per statement.
pub(crate) async fn insert_nodes(tx: &mut Tx, nodes: &[(NodeId, Hash)]) -> Result<(), StoreError> {
    for chunk in nodes.chunks(NODE_ROWS) {
        let mut sql = String::from("INSERT INTO log_nodes (level, idx, hash) VALUES ");
        let mut args = Vec::with_capacity(chunk.len() * 3);
        for (k, (id, h)) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3));
            args.push(Val::Int(Some(i64::from(id.level))));
            args.push(int(id.index));
            args.push(Val::from(h.as_slice()));
        }
        tx.exec(&sql, args).await?;
    }
    Ok(())
}

/// One entry to append, with the audit event it records (if any).
pub(crate) struct NewEntry {
    pub(crate) entry: Entry,
    pub(crate) audit_seq: Option<i64>,
}

/// Where an append left the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Leaf index of the first entry appended.
    pub first_index: u64,
    /// Tree size after the append.
    pub size: u64,
    /// Root after the append.
    pub root: Hash,
}

fn log_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Log(e.to_string())
}

pub(crate) fn int(v: u64) -> Val {
    Val::Int(Some(v as i64))
}

fn hash_of(row: &Row, i: usize) -> Result<Hash, StoreError> {
    row.bytes(i)?
        .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("column {i}: not a 32-byte hash")))
}

/// Number of entries in the log, as this transaction sees it.
async fn size_in(tx: &mut Tx) -> Result<u64, StoreError> {
    let rows = tx
        .fetch(
            "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM log_entries",
            vec![],
        )
        .await?;
    let n = rows
        .first()
        .ok_or_else(|| StoreError::Corrupt("no log size".into()))?
        .int(0)?;
    Ok(n as u64)
}

/// The stored hashes of `ids`, in one query per 200 nodes.
async fn nodes_in(tx: &mut Tx, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
    let mut map = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(200) {
        let mut sql = String::from("SELECT level, idx, hash FROM log_nodes WHERE ");
        let mut args = Vec::with_capacity(chunk.len() * 2);
        for (k, id) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push_str(" OR ");
            }
            sql.push_str(&format!(
                "(level = ${} AND idx = ${})",
                2 * k + 1,
                2 * k + 2
            ));
            args.push(Val::Int(Some(i64::from(id.level))));
            args.push(int(id.index));
        }
        for r in tx.fetch(&sql, args).await? {
            let id = NodeId::new(r.int(0)? as u8, r.int(1)? as u64);
            map.insert(id, hash_of(&r, 2)?);
        }
    }
    Ok(map)
}

/// The hashes `plan` needs, assembled.
async fn assemble(tx: &mut Tx, plan: &Plan) -> Result<Vec<Hash>, StoreError> {
    let map = nodes_in(tx, plan.nodes()).await?;
    plan.assemble(|id| map.get(&id).copied()).map_err(log_err)
}

/// The frontier of the log at its current size.
async fn frontier_in(tx: &mut Tx) -> Result<Frontier, StoreError> {
    let size = size_in(tx).await?;
    let ids = Frontier::nodes_at(size);
    let map = nodes_in(tx, &ids).await?;
    let hashes = ids
        .iter()
        .map(|id| {
            map.get(id)
                .copied()
                .ok_or(wangjian_ledger::TreeError::MissingNode(*id))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(log_err)?;
    Frontier::from_hashes(size, hashes).map_err(log_err)
}

/// Appends `entries` to the log inside `tx` (the caller's transaction): the entries and
/// every perfect node they complete, in multi-row inserts.
pub(crate) async fn append(tx: &mut Tx, entries: &[NewEntry]) -> Result<Appended, StoreError> {
    lock(tx).await?;
    let mut frontier = frontier_in(tx).await?;
    let first = frontier.size();
    if entries.is_empty() {
        return Ok(Appended {
            first_index: first,
            size: first,
            root: frontier.root(),
        });
    }
    let now = Utc::now();
    let encoded: Vec<Vec<u8>> = entries.iter().map(|e| e.entry.encode()).collect();
    let batch = frontier
        .append(encoded.iter().map(|b| leaf_hash(b)))
        .map_err(log_err)?;
    let mut index = first;
    for (chunk_e, chunk_b) in entries.chunks(ENTRY_ROWS).zip(encoded.chunks(ENTRY_ROWS)) {
        let mut sql = String::from(
            "INSERT INTO log_entries (leaf_index, kind, entry, case_id, blob_sha256, audit_seq, \
             appended_at) VALUES ",
        );
        let mut args = Vec::with_capacity(chunk_e.len() * 7);
        for (k, (e, bytes)) in chunk_e.iter().zip(chunk_b).enumerate() {
            if k > 0 {
                sql.push_str(", ");
            }
            let b = 7 * k;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
            args.push(int(index));
            args.push(Val::Int(Some(e.entry.kind() as i64)));
            args.push(Val::from(bytes.as_slice()));
            args.push(Val::Uuid(e.entry.case()));
            args.push(Val::Bytes(e.entry.blob().map(|h| h.to_vec())));
            args.push(Val::Int(e.audit_seq));
            args.push(Val::from(now));
            index += 1;
        }
        tx.exec(&sql, args).await?;
    }
    insert_nodes(tx, &batch.nodes).await?;
    Ok(Appended {
        first_index: batch.first_index,
        size: batch.size,
        root: batch.root,
    })
}

/// Stores `bytes` once; returns their SHA-256 and whether they were new.
pub(crate) async fn put_blob(
    tx: &mut Tx,
    bytes: &[u8],
    media_type: &str,
) -> Result<(Hash, bool), StoreError> {
    let h = sha256(bytes);
    let n = tx
        .exec(
            "INSERT INTO blobs (sha256, size, media_type, bytes, stored_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
            vec![
                Val::from(h.as_slice()),
                int(bytes.len() as u64),
                Val::from(media_type),
                Val::from(bytes),
                Val::from(Utc::now()),
            ],
        )
        .await?;
    Ok((h, n == 1))
}

/// A snapshot to keep as evidence ([`Store::capture`]).
#[derive(Debug, Clone)]
pub struct Capture {
    /// The bytes (HTML, an image, the JSON the scan saw).
    pub bytes: Vec<u8>,
    /// Media type (`text/html`, `image/png`, `application/json`).
    pub media_type: String,
    /// Original file name or URL.
    pub source: String,
    /// The case it is evidence for.
    pub case: Option<Uuid>,
    /// The listing it is a snapshot of.
    pub listing: Option<Uuid>,
    /// Who captured it.
    pub captured_by: Uuid,
    /// For which organization.
    pub org: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

/// What [`Store::capture`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The leaf index of the capture's entry.
    pub leaf_index: u64,
    /// SHA-256 of the bytes.
    pub sha256: Hash,
    /// Size in bytes.
    pub size: u64,
    /// False when these bytes were already stored (kept once).
    pub new_blob: bool,
    /// True when the same bytes were already captured for the same case: nothing was
    /// appended, `leaf_index` is the earlier capture.
    pub already_captured: bool,
}

/// A signed tree head as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeHead {
    /// Tree size.
    pub tree_size: u64,
    /// Root (hex in JSON).
    #[serde(serialize_with = "hex_hash")]
    pub root: Hash,
    /// When signed.
    pub time: DateTime<Utc>,
    /// The signed note (FORMAT.md §3).
    pub note: String,
    /// The signing key's id (8 hex digits).
    pub key_id: String,
}

fn hex_hash<S: serde::Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex_encode(h))
}

/// A key of the log's keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredKey {
    /// Key id (8 hex digits).
    pub key_id: String,
    /// The log name it signs under.
    pub name: String,
    /// The verifier key text (`name+keyid+base64`).
    pub public_text: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was retired (it signs no more; its checkpoints stay valid).
    pub retired_at: Option<DateTime<Utc>>,
}

/// What `wangjian log verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LogReport {
    /// Entries checked.
    pub entries: u64,
    /// Perfect nodes checked.
    pub nodes: u64,
    /// Tree heads checked.
    pub heads: u64,
    /// Blobs re-hashed.
    pub blobs: u64,
    /// Every problem, each naming what it concerns. Empty: the log is sound.
    pub problems: Vec<String>,
}

const HEAD_COLS: &str = "tree_size, root, time, note, key_id";

fn head_of(r: &Row) -> Result<TreeHead, StoreError> {
    let time = match r.get(2, crate::value::Kind::Time)? {
        Val::Time(Some(t)) => t,
        _ => return Err(StoreError::Corrupt("tree head without time".into())),
    };
    Ok(TreeHead {
        tree_size: r.int(0)? as u64,
        root: hash_of(r, 1)?,
        time,
        note: r.text(3)?.unwrap_or_default(),
        key_id: r.text(4)?.unwrap_or_default(),
    })
}

fn key_of(r: &Row) -> Result<StoredKey, StoreError> {
    let time = |i| -> Result<Option<DateTime<Utc>>, StoreError> {
        match r.get(i, crate::value::Kind::Time)? {
            Val::Time(t) => Ok(t),
            _ => Ok(None),
        }
    };
    Ok(StoredKey {
        key_id: r.text(0)?.unwrap_or_default(),
        name: r.text(1)?.unwrap_or_default(),
        public_text: r.text(2)?.unwrap_or_default(),
        created_at: time(3)?.unwrap_or_default(),
        retired_at: time(4)?,
    })
}

async fn keys_in(tx: &mut Tx) -> Result<Vec<StoredKey>, StoreError> {
    tx.fetch(
        "SELECT key_id, name, public_text, created_at, retired_at FROM log_keys ORDER BY created_at, key_id",
        vec![],
    )
    .await?
    .iter()
    .map(key_of)
    .collect()
}

/// Checks that `key` may sign for this log (adding it to an empty keyring).
async fn admit_key(tx: &mut Tx, key: &LogKey, now: DateTime<Utc>) -> Result<(), StoreError> {
    let v = key.verifier();
    let keys = keys_in(tx).await?;
    if let Some(k) = keys
        .iter()
        .find(|k| k.key_id == v.key_id() && k.name == v.name())
    {
        if let Some(at) = k.retired_at {
            return Err(StoreError::Log(format!(
                "key {}+{} was retired at {at}; sign with the current key",
                k.name, k.key_id
            )));
        }
        return Ok(());
    }
    if let Some(k) = keys.iter().find(|k| k.retired_at.is_none()) {
        return Err(StoreError::Log(format!(
            "key {}+{} is not this log's key (the log signs with {}+{}); point --log-key at \
             that key, or rotate keys with `wangjian log rotate-key`",
            v.name(),
            v.key_id(),
            k.name,
            k.key_id
        )));
    }
    insert_key(tx, key, now).await
}

async fn insert_key(tx: &mut Tx, key: &LogKey, now: DateTime<Utc>) -> Result<(), StoreError> {
    let v = key.verifier();
    tx.exec(
        "INSERT INTO log_keys (key_id, name, public_text, created_at) VALUES ($1, $2, $3, $4)",
        vec![
            Val::from(v.key_id()),
            Val::from(v.name()),
            Val::from(v.text()),
            Val::from(now),
        ],
    )
    .await?;
    Ok(())
}

/// The newest tree head, if any.
async fn latest_head_in(tx: &mut Tx) -> Result<Option<TreeHead>, StoreError> {
    let rows = tx
        .fetch(
            &format!("SELECT {HEAD_COLS} FROM tree_heads ORDER BY seq DESC LIMIT 1"),
            vec![],
        )
        .await?;
    rows.first().map(head_of).transpose()
}

async fn insert_head(
    tx: &mut Tx,
    signed: &SignedCheckpoint,
    key_id: &str,
) -> Result<TreeHead, StoreError> {
    let c = &signed.checkpoint;
    let note = signed.text().map_err(log_err)?;
    tx.exec(
        "INSERT INTO tree_heads (tree_size, root, time, note, key_id) VALUES ($1, $2, $3, $4, $5)",
        vec![
            int(c.size),
            Val::from(c.root.as_slice()),
            Val::from(c.time),
            Val::from(note.clone()),
            Val::from(key_id),
        ],
    )
    .await?;
    Ok(TreeHead {
        tree_size: c.size,
        root: c.root,
        time: c.time,
        note,
        key_id: key_id.to_string(),
    })
}

/// Loads the private key at `path`, or generates one named `origin` there (mode 0600,
/// never overwriting) when the file does not exist: the installation's key is made on
/// first use. Private keys never enter the database.
pub fn load_or_create_key(path: &std::path::Path, origin: &str) -> Result<LogKey, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => LogKey::from_private_text(&text)
            .map_err(|e| StoreError::Log(format!("key file {}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = LogKey::generate(origin, &mut OsRng)
                .map_err(|e| StoreError::Log(format!("log name: {e}")))?;
            write_private_key(path, &key)?;
            Ok(key)
        }
        Err(e) => Err(StoreError::Log(format!(
            "reading key file {}: {e}",
            path.display()
        ))),
    }
}

/// Writes a private key file that must not exist yet (mode 0600 on Unix), synced.
pub fn write_private_key(path: &std::path::Path, key: &LogKey) -> Result<(), StoreError> {
    use std::io::Write as _;
    let io =
        |e: std::io::Error| StoreError::Log(format!("writing key file {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(key.private_text().as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

impl Store {
    /// Appends entries to the evidence log in one transaction (tools, benchmarks; the
    /// case system's entries are appended by [`Store::apply`] itself).
    pub async fn append_entries(&self, entries: Vec<Entry>) -> Result<Appended, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let new: Vec<NewEntry> = entries
            .into_iter()
            .map(|entry| NewEntry {
                entry,
                audit_seq: None,
            })
            .collect();
        let a = append(&mut tx, &new).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Stores a snapshot as evidence: the blob (once) and its `evidence_captured` entry, in
    /// one transaction. The hash is computed here, never taken from the caller.
    pub async fn capture(&self, c: Capture) -> Result<Captured, StoreError> {
        if c.source.trim().is_empty() {
            return Err(StoreError::Log(
                "capture: the source (file name or URL) is empty".into(),
            ));
        }
        if c.media_type.trim().is_empty() {
            return Err(StoreError::Log("capture: the media type is empty".into()));
        }
        let mut tx = self.pool.begin_write().await?;
        lock(&mut tx).await?;
        let (h, new_blob) = put_blob(&mut tx, &c.bytes, &c.media_type).await?;
        if let Some(case) = c.case {
            let rows = tx
                .fetch(
                    "SELECT leaf_index FROM log_entries WHERE case_id = $1 AND blob_sha256 = $2 \
                     ORDER BY leaf_index LIMIT 1",
                    vec![Val::from(case), Val::from(h.as_slice())],
                )
                .await?;
            if let Some(r) = rows.first() {
                let leaf_index = r.int(0)? as u64;
                tx.rollback().await?;
                return Ok(Captured {
                    leaf_index,
                    sha256: h,
                    size: c.bytes.len() as u64,
                    new_blob: false,
                    already_captured: true,
                });
            }
        }
        let entry = Entry::EvidenceCaptured(EvidenceCaptured {
            blob: h,
            size: c.bytes.len() as u64,
            media_type: c.media_type,
            source: c.source,
            case: c.case,
            listing: c.listing,
            captured_by: c.captured_by,
            org: c.org,
            at: c.at,
        });
        let a = append(
            &mut tx,
            &[NewEntry {
                entry,
                audit_seq: None,
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(Captured {
            leaf_index: a.first_index,
            sha256: h,
            size: c.bytes.len() as u64,
            new_blob,
            already_captured: false,
        })
    }

    /// Stores `bytes` once (content-addressed) and returns their SHA-256.
    pub async fn put_blob(&self, bytes: &[u8], media_type: &str) -> Result<Hash, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let (h, _) = put_blob(&mut tx, bytes, media_type).await?;
        tx.commit().await?;
        Ok(h)
    }

    /// The bytes and media type of blob `sha256`, checked against the hash.
    pub async fn blob(&self, sha256_of: &Hash) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT bytes, media_type FROM blobs WHERE sha256 = $1",
                vec![Val::from(sha256_of.as_slice())],
            )
            .await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let bytes = r.bytes(0)?.unwrap_or_default();
        if &sha256(&bytes) != sha256_of {
            return Err(StoreError::Corrupt(format!(
                "blob {} no longer hashes to its name",
                hex_encode(sha256_of)
            )));
        }
        Ok(Some((bytes, r.text(1)?.unwrap_or_default())))
    }

    /// The evidence captured for `case`: each `evidence_captured` entry naming it, with its
    /// leaf index, oldest first (decoded from the log, so what is answered is what the
    /// log proves).
    pub async fn case_evidence(
        &self,
        case: Uuid,
    ) -> Result<Vec<(u64, EvidenceCaptured)>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT leaf_index, entry FROM log_entries WHERE case_id = $1 AND kind = $2 \
                 ORDER BY leaf_index",
                vec![
                    Val::from(case),
                    Val::Int(Some(wangjian_ledger::EntryKind::EvidenceCaptured as i64)),
                ],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let i = r.int(0)? as u64;
            match Entry::decode(&r.bytes(1)?.unwrap_or_default()) {
                Ok(Entry::EvidenceCaptured(ev)) => out.push((i, ev)),
                Ok(_) => {
                    return Err(StoreError::Corrupt(format!(
                        "entry {i}: its kind column says evidence_captured, its bytes do not"
                    )))
                }
                Err(e) => return Err(StoreError::Corrupt(format!("entry {i}: {e}"))),
            }
        }
        Ok(out)
    }

    /// Number of entries in the log.
    pub async fn log_size(&self) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        let n = size_in(&mut tx).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The newest stored tree head, if any has been signed (a read: nothing is signed).
    pub async fn latest_tree_head(&self) -> Result<Option<TreeHead>, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        let h = latest_head_in(&mut tx).await?;
        tx.commit().await?;
        Ok(h)
    }

    /// The canonical bytes of entry `leaf_index`.
    pub async fn log_entry(&self, leaf_index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT entry FROM log_entries WHERE leaf_index = $1",
                vec![int(leaf_index)],
            )
            .await?;
        rows.first()
            .map(|r| Ok(r.bytes(0)?.unwrap_or_default()))
            .transpose()
    }

    /// The leaf index of the entry recording audit event `seq`.
    pub async fn log_index_of_audit(&self, seq: i64) -> Result<Option<u64>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT leaf_index FROM log_entries WHERE audit_seq = $1",
                vec![Val::Int(Some(seq))],
            )
            .await?;
        rows.first().map(|r| Ok(r.int(0)? as u64)).transpose()
    }

    async fn check_size(tx: &mut Tx, size: u64) -> Result<(), StoreError> {
        let n = size_in(tx).await?;
        if size > n {
            return Err(StoreError::Log(format!(
                "tree size {size} is beyond the log, which has {n} entries"
            )));
        }
        Ok(())
    }

    /// The root of the first `size` entries (reads O(log n) stored nodes).
    pub async fn log_root(&self, size: u64) -> Result<Hash, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        Self::check_size(&mut tx, size).await?;
        let mut out = assemble(&mut tx, &Plan::root(size)).await?;
        tx.commit().await?;
        Ok(out.pop().unwrap_or_else(wangjian_ledger::empty_root))
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries (reads O(log n)
    /// stored nodes in one query).
    pub async fn prove_inclusion(
        &self,
        index: u64,
        size: u64,
    ) -> Result<InclusionProof, StoreError> {
        let plan = Plan::inclusion(index, size).map_err(log_err)?;
        let hashes = self.proof_hashes(&plan, size).await?;
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: size,
            hashes,
        })
    }

    /// The hashes a proof `plan` names, read in one snapshot in which the log holds at least
    /// `size` entries.
    async fn proof_hashes(&self, plan: &Plan, size: u64) -> Result<Vec<Hash>, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        Self::check_size(&mut tx, size).await?;
        let hashes = assemble(&mut tx, plan).await?;
        tx.commit().await?;
        Ok(hashes)
    }

    /// The consistency proof from the tree of `old` entries to the tree of `new`.
    pub async fn prove_consistency(
        &self,
        old: u64,
        new: u64,
    ) -> Result<ConsistencyProof, StoreError> {
        let plan = Plan::consistency(old, new).map_err(log_err)?;
        let hashes = self.proof_hashes(&plan, new).await?;
        Ok(ConsistencyProof {
            old_size: old,
            new_size: new,
            hashes,
        })
    }

    /// Signs a tree head at the log's current size with `key` and stores it; returns the
    /// newest head unchanged when it already covers the current size and is signed by this
    /// key. An empty keyring takes `key` as the log's key; any other key is refused.
    pub async fn sign_checkpoint(
        &self,
        key: &LogKey,
        now: DateTime<Utc>,
    ) -> Result<TreeHead, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        lock(&mut tx).await?;
        admit_key(&mut tx, key, now).await?;
        let v = key.verifier();
        let size = size_in(&mut tx).await?;
        if let Some(h) = latest_head_in(&mut tx).await? {
            if h.tree_size == size && h.key_id == v.key_id() {
                tx.rollback().await?;
                return Ok(h);
            }
        }
        let root = assemble(&mut tx, &Plan::root(size))
            .await?
            .pop()
            .unwrap_or_else(wangjian_ledger::empty_root);
        let c = Checkpoint {
            origin: key.name().to_string(),
            size,
            root,
            time: now.trunc_subsecs(0),
        };
        let signed = key.sign(&c).map_err(log_err)?;
        let head = insert_head(&mut tx, &signed, &v.key_id()).await?;
        tx.commit().await?;
        Ok(head)
    }

    /// Rotates the log's key: adds `new` to the keyring, retires `old`, and signs a tree
    /// head at the current size with **both** keys, so whoever trusts the old key can
    /// move their trust to the new one. Old checkpoints stay verifiable with the old key.
    pub async fn rotate_key(
        &self,
        old: &LogKey,
        new: &LogKey,
        now: DateTime<Utc>,
    ) -> Result<TreeHead, StoreError> {
        if old.name() != new.name() {
            return Err(StoreError::Log(format!(
                "the new key must sign under the log's name {}, not {}",
                old.name(),
                new.name()
            )));
        }
        let mut tx = self.pool.begin_write().await?;
        lock(&mut tx).await?;
        admit_key(&mut tx, old, now).await?;
        insert_key(&mut tx, new, now).await?;
        tx.exec(
            "UPDATE log_keys SET retired_at = $1 WHERE key_id = $2",
            vec![Val::from(now), Val::from(old.verifier().key_id())],
        )
        .await?;
        let size = size_in(&mut tx).await?;
        let root = assemble(&mut tx, &Plan::root(size))
            .await?
            .pop()
            .unwrap_or_else(wangjian_ledger::empty_root);
        let c = Checkpoint {
            origin: new.name().to_string(),
            size,
            root,
            time: now.trunc_subsecs(0),
        };
        let mut signed = old.sign(&c).map_err(log_err)?;
        signed
            .signatures
            .extend(new.sign(&c).map_err(log_err)?.signatures);
        let head = insert_head(&mut tx, &signed, &new.verifier().key_id()).await?;
        tx.commit().await?;
        Ok(head)
    }

    /// Every stored tree head, oldest first.
    pub async fn tree_heads(&self) -> Result<Vec<TreeHead>, StoreError> {
        self.pool
            .fetch(
                &format!("SELECT {HEAD_COLS} FROM tree_heads ORDER BY seq"),
                vec![],
            )
            .await?
            .iter()
            .map(head_of)
            .collect()
    }

    /// The keyring: every key that signed for this log, current and retired.
    pub async fn log_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        let k = keys_in(&mut tx).await?;
        tx.commit().await?;
        Ok(k)
    }

    /// The evidence package of a case (FORMAT.md §5 of `wangjian-ledger`): signs a tree
    /// head at the current size with `key`, then gathers every entry naming the case with
    /// its inclusion proof at that size, the captured blobs and the keyring.
    pub async fn evidence_package(
        &self,
        case: CaseRef,
        key: &LogKey,
        now: DateTime<Utc>,
    ) -> Result<Package, StoreError> {
        let head = self.sign_checkpoint(key, now).await?;
        let checkpoint = SignedCheckpoint::parse(&head.note).map_err(log_err)?;
        let size = head.tree_size;
        let mut tx = self.pool.begin_read().await?;
        let rows = tx
            .fetch(
                "SELECT leaf_index, entry FROM log_entries WHERE case_id = $1 AND leaf_index < $2 \
                 ORDER BY leaf_index",
                vec![Val::from(case.id), int(size)],
            )
            .await?;
        let mut found = Vec::with_capacity(rows.len());
        for r in &rows {
            found.push((r.int(0)? as u64, r.bytes(1)?.unwrap_or_default()));
        }
        // All proofs' nodes in a few queries.
        let plans = found
            .iter()
            .map(|(i, _)| Plan::inclusion(*i, size).map_err(log_err))
            .collect::<Result<Vec<_>, _>>()?;
        let ids: BTreeSet<NodeId> = plans
            .iter()
            .flat_map(|p| p.nodes().iter().copied())
            .collect();
        let ids: Vec<NodeId> = ids.into_iter().collect();
        let map = nodes_in(&mut tx, &ids).await?;
        let mut entries = Vec::with_capacity(found.len());
        let mut blobs = Vec::new();
        let mut seen = BTreeSet::new();
        for ((i, bytes), plan) in found.into_iter().zip(&plans) {
            let hashes = plan.assemble(|id| map.get(&id).copied()).map_err(log_err)?;
            if let Ok(Entry::EvidenceCaptured(ev)) = Entry::decode(&bytes) {
                if seen.insert(ev.blob) {
                    let rows = tx
                        .fetch(
                            "SELECT bytes FROM blobs WHERE sha256 = $1",
                            vec![Val::from(ev.blob.as_slice())],
                        )
                        .await?;
                    let b = rows
                        .first()
                        .map(|r| r.bytes(0))
                        .transpose()?
                        .flatten()
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "entry {i} captures blob {}, which is not stored",
                                hex_encode(&ev.blob)
                            ))
                        })?;
                    blobs.push(PackageBlob {
                        name: ev.source.clone(),
                        media_type: ev.media_type.clone(),
                        bytes: b,
                    });
                }
            }
            entries.push(PackageEntry {
                leaf_index: i,
                bytes,
                proof: InclusionProof {
                    leaf_index: i,
                    tree_size: size,
                    hashes,
                },
            });
        }
        let keys = keys_in(&mut tx).await?;
        tx.commit().await?;
        let keys = keys
            .iter()
            .map(|k| VerifierKey::parse(&k.public_text).map_err(log_err))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Package {
            case,
            checkpoint,
            keys,
            entries,
            blobs,
        })
    }

    /// Checks the whole log (`wangjian log verify`): every entry decodes and its index
    /// columns agree with it; every perfect node equals its recomputation from the entries
    /// (and no node is missing or extra); every tree head's note is signed by a key of the
    /// keyring and its root is the recomputed root at its size; every audit event has its
    /// entry; every captured blob is stored and hashes to its name. O(n) time, a page of
    /// entries in memory at a time.
    pub async fn verify_log(&self) -> Result<LogReport, StoreError> {
        let mut rep = LogReport::default();
        let mut tx = self.pool.begin_read().await?;
        let mut ring = Keyring::default();
        for k in keys_in(&mut tx).await? {
            match VerifierKey::parse(&k.public_text) {
                Ok(v) => ring.add(v),
                Err(e) => rep.problems.push(format!("log key {}: {e}", k.key_id)),
            }
        }
        // Heads: signature and columns.
        let mut heads: Vec<(u64, Hash)> = Vec::new();
        let rows = tx
            .fetch(
                &format!("SELECT {HEAD_COLS} FROM tree_heads ORDER BY seq"),
                vec![],
            )
            .await?;
        for r in &rows {
            let h = head_of(r)?;
            rep.heads += 1;
            match SignedCheckpoint::parse(&h.note) {
                Err(e) => rep
                    .problems
                    .push(format!("tree head at size {}: note: {e}", h.tree_size)),
                Ok(sc) => {
                    if let Err(e) = sc.verify(&ring) {
                        rep.problems
                            .push(format!("tree head at size {}: {e}", h.tree_size));
                    }
                    let c = &sc.checkpoint;
                    if c.size != h.tree_size || c.root != h.root {
                        rep.problems.push(format!(
                            "tree head at size {}: the stored size/root differ from the signed note (size {}, root {})",
                            h.tree_size,
                            c.size,
                            hex_encode(&c.root)
                        ));
                    }
                    heads.push((c.size, c.root));
                }
            }
        }
        heads.sort_unstable_by_key(|h| h.0);
        heads.dedup();
        let mut pending = heads.into_iter().peekable();
        // Entries and nodes, a page at a time.
        const PAGE: u64 = 4096;
        let mut f = Frontier::new();
        let mut created = Vec::new();
        let mut next: u64 = 0;
        loop {
            let rows = tx
                .fetch(
                    "SELECT leaf_index, kind, entry, case_id, blob_sha256 FROM log_entries \
                     WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2",
                    vec![int(next), int(PAGE)],
                )
                .await?;
            if rows.is_empty() {
                break;
            }
            let last = rows[rows.len() - 1].int(0)? as u64;
            let stored = nodes_for_leaves(&mut tx, next, last + 1).await?;
            for r in &rows {
                let i = r.int(0)? as u64;
                if i != f.size() {
                    rep.problems.push(format!(
                        "entries {}..{} are missing (the log jumps to entry {i})",
                        f.size(),
                        i
                    ));
                    // The tree cannot be rebuilt past a gap.
                    tx.commit().await?;
                    return Ok(rep);
                }
                rep.entries += 1;
                let bytes = r.bytes(2)?.unwrap_or_default();
                match Entry::decode(&bytes) {
                    Err(e) => rep
                        .problems
                        .push(format!("entry {i}: does not decode: {e}")),
                    Ok(e) => {
                        let cols_ok = r.int(1)? == e.kind() as i64
                            && r.uuid(3)? == e.case()
                            && r.bytes(4)? == e.blob().map(|h| h.to_vec());
                        if !cols_ok {
                            rep.problems.push(format!(
                                "entry {i}: its kind/case/blob columns differ from the entry bytes"
                            ));
                        }
                    }
                }
                created.clear();
                f.push(leaf_hash(&bytes), &mut created).map_err(log_err)?;
                for (id, h) in &created {
                    rep.nodes += 1;
                    match stored.get(id) {
                        None => rep.problems.push(format!(
                            "node (level {}, index {}) is missing",
                            id.level, id.index
                        )),
                        Some(s) if s != h => rep.problems.push(if id.level == 0 {
                            format!("entry {i}: its stored leaf hash is not the hash of its bytes")
                        } else {
                            format!(
                                "node (level {}, index {}) differs from its recomputation",
                                id.level, id.index
                            )
                        }),
                        Some(_) => {}
                    }
                }
                while let Some((size, signed)) = pending.next_if(|h| h.0 == f.size()) {
                    if f.root() != signed {
                        rep.problems.push(format!(
                            "tree head at size {size}: signed root {} is not the log's root {}",
                            hex_encode(&signed),
                            hex_encode(&f.root())
                        ));
                    }
                }
            }
            next = last + 1;
        }
        // A head of the empty tree.
        for (size, signed) in pending {
            if size == 0 && signed == wangjian_ledger::empty_root() {
                continue;
            }
            rep.problems.push(format!(
                "tree head at size {size}: the log has only {} entries",
                f.size()
            ));
        }
        let n = f.size();
        let expected_nodes = 2 * n - u64::from(n.count_ones());
        let stored_nodes = tx.fetch("SELECT COUNT(*) FROM log_nodes", vec![]).await?;
        let stored_nodes = stored_nodes
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .unwrap_or(0) as u64;
        if stored_nodes != expected_nodes {
            rep.problems.push(format!(
                "log_nodes has {stored_nodes} rows; a log of {n} entries has {expected_nodes}"
            ));
        }
        let orphans = tx
            .fetch(
                "SELECT a.seq FROM audit_events a LEFT JOIN log_entries e ON e.audit_seq = a.seq \
                 WHERE e.leaf_index IS NULL ORDER BY a.seq LIMIT 100",
                vec![],
            )
            .await?;
        for r in &orphans {
            rep.problems
                .push(format!("audit event {} has no log entry", r.int(0)?));
        }
        let missing = tx
            .fetch(
                "SELECT e.leaf_index FROM log_entries e LEFT JOIN blobs b ON b.sha256 = e.blob_sha256 \
                 WHERE e.blob_sha256 IS NOT NULL AND b.sha256 IS NULL ORDER BY e.leaf_index LIMIT 100",
                vec![],
            )
            .await?;
        for r in &missing {
            rep.problems
                .push(format!("entry {}: its blob is not stored", r.int(0)?));
        }
        // Blobs: re-hash, a page at a time.
        let mut after: Option<Vec<u8>> = None;
        loop {
            let rows = match &after {
                None => {
                    tx.fetch(
                        "SELECT sha256, size, bytes FROM blobs ORDER BY sha256 LIMIT 64",
                        vec![],
                    )
                    .await?
                }
                Some(a) => {
                    tx.fetch(
                        "SELECT sha256, size, bytes FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT 64",
                        vec![Val::from(a.as_slice())],
                    )
                    .await?
                }
            };
            for r in &rows {
                rep.blobs += 1;
                let name = r.bytes(0)?.unwrap_or_default();
                let bytes = r.bytes(2)?.unwrap_or_default();
                if sha256(&bytes).as_slice() != name.as_slice() {
                    rep.problems.push(format!(
                        "blob {}: its bytes do not hash to its name",
                        hex_encode(&name)
                    ));
                } else if r.int(1)? as usize != bytes.len() {
                    rep.problems.push(format!(
                        "blob {}: its stored size is wrong",
                        hex_encode(&name)
                    ));
                }
                after = Some(name);
            }
            if rows.len() < 64 {
                break;
            }
        }
        tx.commit().await?;
        Ok(rep)
    }
}

/// The stored nodes completed by leaves `[s, e)`: for each level, the index range.
async fn nodes_for_leaves(
    tx: &mut Tx,
    s: u64,
    e: u64,
) -> Result<HashMap<NodeId, Hash>, StoreError> {
    let mut sql = String::from("SELECT level, idx, hash FROM log_nodes WHERE ");
    let mut args = Vec::new();
    let mut level = 0u32;
    while level < 64 && (1u64 << level) <= e {
        let lo = ((s + (1u64 << level)) >> level) - 1;
        let hi = (e >> level).saturating_sub(1);
        if (e >> level) >= 1 && hi >= lo {
            if !args.is_empty() {
                sql.push_str(" OR ");
            }
            let b = args.len();
            sql.push_str(&format!(
                "(level = ${} AND idx BETWEEN ${} AND ${})",
                b + 1,
                b + 2,
                b + 3
            ));
            args.push(Val::Int(Some(i64::from(level))));
            args.push(int(lo));
            args.push(int(hi));
        }
        level += 1;
    }
    let mut map = HashMap::new();
    if args.is_empty() {
        return Ok(map);
    }
    for r in tx.fetch(&sql, args).await? {
        let id = NodeId::new(r.int(0)? as u8, r.int(1)? as u64);
        map.insert(id, hash_of(&r, 2)?);
    }
    Ok(map)
}
