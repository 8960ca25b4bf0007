//! The tables as data: each column with its type and the path of the domain field it
//! holds. Writing a domain value serializes it with serde and reads each column off its
//! path; reading rebuilds the JSON object from the columns and deserializes it. So a
//! domain type and its table cannot drift apart silently: a column whose field is gone
//! fails the round-trip tests on both backends.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use crate::backend::{Pool, Row};
use crate::value::{Kind, Val};
use crate::StoreError;

/// One column.
#[derive(Debug)]
pub(crate) struct Col {
    pub(crate) name: &'static str,
    /// Where its value sits in the domain value's JSON.
    pub(crate) path: &'static [&'static str],
    pub(crate) kind: Kind,
    /// False for columns the store derives for its indexes (region, assignee, …): written,
    /// never read back into the domain value.
    pub(crate) read: bool,
    /// False for columns a domain update must leave alone: the store writes them when the
    /// row is made (a lead's scan verdict, the submitter) and the domain value does not
    /// carry them.
    pub(crate) update: bool,
}

/// One table.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) cols: &'static [Col],
}

macro_rules! col {
    ($name:literal, $kind:ident) => {
        Col { name: $name, path: &[$name], kind: Kind::$kind, read: true, update: true }
    };
    ($name:literal, [$($p:literal),+], $kind:ident) => {
        Col { name: $name, path: &[$($p),+], kind: Kind::$kind, read: true, update: true }
    };
    (derived $name:literal, [$p:literal], $kind:ident) => {
        Col { name: $name, path: &[$p], kind: Kind::$kind, read: false, update: true }
    };
    (derived $name:literal, $kind:ident) => {
        Col { name: $name, path: &[$name], kind: Kind::$kind, read: false, update: true }
    };
    (kept $name:literal, $kind:ident) => {
        Col { name: $name, path: &[$name], kind: Kind::$kind, read: false, update: false }
    };
}

pub(crate) static ORGANIZATIONS: Table = Table {
    name: "organizations",
    cols: &[
        col!("id", Uuid),
        col!("name", Text),
        col!("case_prefix", Text),
        col!("kind", ["kind", "kind"], Text),
        col!("agency_type", ["kind", "agency_type"], Text),
        col!("level", ["kind", "level"], Text),
        col!("region", Text),
        col!("version", Int),
    ],
};

pub(crate) static USERS: Table = Table {
    name: "users",
    cols: &[col!("id", Uuid), col!("name", Text), col!("version", Int)],
};

pub(crate) static MEMBERSHIPS: Table = Table {
    name: "memberships",
    cols: &[
        col!("user_id", ["user"], Uuid),
        col!("org_id", ["org"], Uuid),
        col!("role", Text),
    ],
};

pub(crate) static SUBJECTS: Table = Table {
    name: "subjects",
    cols: &[
        col!("id", Uuid),
        col!("name", Text),
        col!("identity_kind", ["identity", "kind"], Text),
        col!("uscc", ["identity", "uscc"], Text),
        col!("citizen_id_hash", ["identity", "citizen_id_hash"], Text),
        col!("citizen_id_masked", ["identity", "citizen_id_masked"], Text),
        col!("operator_id_hash", ["identity", "operator_id_hash"], Text),
        col!(
            "operator_id_masked",
            ["identity", "operator_id_masked"],
            Text
        ),
        col!("domain", ["identity", "domain"], Text),
        col!("icp_number", ["identity", "icp_number"], Text),
        col!("version", Int),
    ],
};

pub(crate) static SHOPS: Table = Table {
    name: "shops",
    cols: &[
        col!("id", Uuid),
        col!("platform", Uuid),
        col!("platform_shop_id", Text),
        col!("name", Text),
        col!("subject", Uuid),
        col!("version", Int),
    ],
};

pub(crate) static LISTINGS: Table = Table {
    name: "listings",
    cols: &[
        col!("id", Uuid),
        col!("platform", Uuid),
        col!("platform_listing_id", Text),
        col!("shop", Uuid),
        col!("first_seen_at", Time),
        col!("version", Int),
        col!(kept "submitted_by", Uuid),
    ],
};

pub(crate) static LISTING_SNAPSHOTS: Table = Table {
    name: "listing_snapshots",
    cols: &[
        col!("id", Uuid),
        col!("listing", Uuid),
        col!("platform", Uuid),
        col!("shop", Uuid),
        col!("platform_listing_id", Text),
        col!("url", Text),
        col!("title", Text),
        col!("description", Text),
        col!("price_fen", Int),
        col!("ship_from", Text),
        col!("captured_at", Time),
        col!("content_hash", Text),
    ],
};

/// Who delivered which snapshot (a patrolling agency, a pushing platform): the platform
/// reads the leads of what it delivered through these, whoever stored the listing first.
pub(crate) static LISTING_RECEIPTS: Table = Table {
    name: "listing_receipts",
    cols: &[
        col!("id", Uuid),
        col!("org", Uuid),
        col!("snapshot", Uuid),
        col!("received_at", Time),
    ],
};

pub(crate) static MARKS: Table = Table {
    name: "marks",
    cols: &[
        col!("id", Uuid),
        col!("mark", Text),
        col!("aliases", Json),
        col!("owner", Text),
        col!("categories", Json),
        col!("classes", Json),
        col!("registrations", Json),
        col!("reference_price_cny", Real),
        col!("authorized_shops", Json),
        col!("well_known", Bool),
        col!("version", Int),
    ],
};

pub(crate) static LEADS: Table = Table {
    name: "leads",
    cols: &[
        col!("id", Uuid),
        col!("org", Uuid),
        col!("source", Text),
        col!(derived "dedup_key", ["dedup_key_canonical"], Text),
        col!("dedup", ["dedup_key"], Json),
        col!("summary", Text),
        col!("snapshot", Uuid),
        col!("shop", Uuid),
        col!("subject", Uuid),
        col!("received_at", Time),
        col!("status", Text),
        col!("dismissal", Json),
        col!("version", Int),
        col!(kept "submitted_by", Uuid),
        col!(kept "platform", Uuid),
        col!(kept "region", Text),
        col!(kept "level", Text),
        col!(kept "score", Int),
        col!(kept "reasons", Int),
        col!(kept "marks", Text),
        col!(kept "verdict", Json),
    ],
};

pub(crate) static CASES: Table = Table {
    name: "cases",
    cols: &[
        col!("id", Uuid),
        col!("number_org", ["number", "org"], Uuid),
        col!("number_prefix", ["number", "prefix"], Text),
        col!("number_year", ["number", "year"], Int),
        col!("number_seq", ["number", "seq"], Int),
        col!("title", Text),
        col!("originating_org", Uuid),
        col!("responsible_org", Uuid),
        col!(derived "region", Text),
        col!("state", Text),
        col!(derived "is_open", Bool),
        col!(derived "assignee", Uuid),
        col!("resume_to", Text),
        col!("verifier", Uuid),
        col!("case_officer", Uuid),
        col!("co_officers", Json),
        col!("opening", Json),
        col!("proposed_penalty", Text),
        col!("penalty", Json),
        col!("served_on", Date),
        col!("disclosure", Text),
        col!("testing", Text),
        col!("last_reason", Text),
        col!(
            "pending_transfer_id",
            ["pending_transfer", "transfer"],
            Uuid
        ),
        col!("pending_receiver", ["pending_transfer", "receiver"], Uuid),
        col!("pending_kind", ["pending_transfer", "kind"], Text),
        col!("registered_at", Time),
        col!("version", Int),
    ],
};

pub(crate) static CASE_LEADS: Table = Table {
    name: "case_leads",
    cols: &[
        col!("case_id", ["case"], Uuid),
        col!("lead_id", ["lead"], Uuid),
        col!("linked_by", Uuid),
        col!("linked_at", Time),
    ],
};

pub(crate) static DEADLINES: Table = Table {
    name: "deadlines",
    cols: &[
        col!("id", Uuid),
        col!("root_case", Uuid),
        col!("object_type", Text),
        col!("object_id", Uuid),
        col!("org", Uuid),
        col!(derived "region", Text),
        col!(derived "kind", Text),
        col!("rule", Json),
        col!("start", Date),
        col!("due", Date),
        col!("warn_at", Date),
        col!("provisional", Bool),
        col!("suspensions", Json),
        col!("extensions", Json),
        col!("status", ["status", "status"], Text),
        col!("status_on", ["status", "on"], Date),
        col!(derived "paused", Bool),
        col!("version", Int),
    ],
};

pub(crate) static TRANSFER_ORDERS: Table = Table {
    name: "transfer_orders",
    cols: &[
        col!("id", Uuid),
        col!("kind", Text),
        col!("case_id", ["case"], Uuid),
        col!("from_org", Uuid),
        col!("to_org", Uuid),
        col!("legal_basis", Text),
        col!("reason", Text),
        col!("materials", Json),
        col!("case_file_list", Json),
        col!("evidence_list", Json),
        col!("seized_goods_list", Json),
        col!("sent_by", Uuid),
        col!("sent_at", Time),
        col!("ack_deadline", Uuid),
        col!("acknowledged_by", Uuid),
        col!("acknowledged_at", Time),
        col!("refusal_reason", Text),
        col!("feedback_deadline", Uuid),
        col!("feedback", Json),
        col!("status", Text),
        col!("version", Int),
    ],
};

pub(crate) static ASSIST_REQUESTS: Table = Table {
    name: "assist_requests",
    cols: &[
        col!("id", Uuid),
        col!("case_id", ["case"], Uuid),
        col!("from_org", Uuid),
        col!("to_org", Uuid),
        col!("target", Json),
        col!("question", Text),
        col!("legal_basis", Text),
        col!("sent_by", Uuid),
        col!("sent_at", Time),
        col!("reply_deadline", Uuid),
        col!("answer", Text),
        col!("answer_reference", Text),
        col!("answered_by", Uuid),
        col!("answered_at", Time),
        col!("status", Text),
        col!("version", Int),
    ],
};

pub(crate) static SUPERVISIONS: Table = Table {
    name: "supervisions",
    cols: &[
        col!("id", Uuid),
        col!("case_id", ["case"], Uuid),
        col!("office", Uuid),
        col!("level", Text),
        col!("due", Date),
        col!("note", Text),
        col!("marked_by", Uuid),
        col!("marked_at", Time),
        col!("lifted_at", Time),
        col!("version", Int),
    ],
};

/// Submitted statistics reports (migration 13).
pub(crate) static REPORT_SUBMISSIONS: Table = Table {
    name: "report_submissions",
    cols: &[
        col!("id", Uuid),
        col!("kind", Text),
        col!("period", Text),
        col!("unit", Uuid),
        col!("region", Text),
        col!("due", Date),
        col!("late", Bool),
        col!("submitted_by", Uuid),
        col!("submitted_at", Time),
        col!("report_table", ["table"], Json),
        col!("digest", Text),
        col!("version", Int),
    ],
};

pub(crate) static SEIZED_ITEMS: Table = Table {
    name: "seized_items",
    cols: &[
        col!("id", Uuid),
        col!("case_id", ["case"], Uuid),
        col!("org", Uuid),
        col!("description", Text),
        col!("quantity", Int),
        col!("unit", Text),
        col!("custody", Text),
        col!("handovers", Json),
        col!("destruction", Json),
        col!("version", Int),
    ],
};

pub(crate) static AUDIT_EVENTS: Table = Table {
    name: "audit_events",
    cols: &[
        col!(derived "seq", Int),
        col!("id", Uuid),
        col!("request_id", Uuid),
        col!("actor", Uuid),
        col!("actor_org", Uuid),
        col!("at", Time),
        col!("action", Text),
        col!("object_type", Text),
        col!("object_id", Uuid),
        col!("root_case", Uuid),
        col!("changed", Json),
        col!("before_digest", Text),
        col!("after_digest", Text),
    ],
};

/// The evidence log's entries (FORMAT.md §6 of `crates/ledger`).
pub(crate) static LOG_ENTRIES: Table = Table {
    name: "log_entries",
    cols: &[
        col!("leaf_index", Int),
        col!("kind", Int),
        col!("entry", Bytes),
        col!("case_id", Uuid),
        col!("blob_sha256", Bytes),
        col!("audit_seq", Int),
        col!("appended_at", Time),
    ],
};

/// The perfect subtrees of the log's Merkle tree (level 0: the leaf hashes).
pub(crate) static LOG_NODES: Table = Table {
    name: "log_nodes",
    cols: &[col!("level", Int), col!("idx", Int), col!("hash", Bytes)],
};

/// Signed checkpoints.
pub(crate) static TREE_HEADS: Table = Table {
    name: "tree_heads",
    cols: &[
        col!(derived "seq", Int),
        col!("tree_size", Int),
        col!("root", Bytes),
        col!("time", Time),
        col!("note", Text),
        col!("key_id", Text),
    ],
};

/// The log's public keys (the keyring).
pub(crate) static LOG_KEYS: Table = Table {
    name: "log_keys",
    cols: &[
        col!("key_id", Text),
        col!("name", Text),
        col!("public_text", Text),
        col!("created_at", Time),
        col!("retired_at", Time),
    ],
};

/// Evidence blobs by SHA-256.
pub(crate) static BLOBS: Table = Table {
    name: "blobs",
    cols: &[
        col!("sha256", Bytes),
        col!("size", Int),
        col!("media_type", Text),
        col!("bytes", Bytes),
        col!("stored_at", Time),
    ],
};

pub(crate) static COMPLAINTS: Table = Table {
    name: "complaints",
    cols: &[
        col!("id", Uuid),
        col!("tracking_digest", Text),
        col!("kind", Text),
        col!("text", Text),
        col!("links", Json),
        col!("contact", Text),
        col!("respondent", Text),
        col!("region", Text),
        col!("handler", Uuid),
        col!("submitted_at", Time),
        col!("accept_due", Date),
        col!("attachments", Json),
        col!("state", Text),
        col!("decided_by", Uuid),
        col!("decided_at", Time),
        col!("refusal_reason", Text),
        col!("outcome", Text),
        col!("lead", Uuid),
        col!("version", Int),
    ],
};

pub(crate) static ACCOUNT_EVENTS: Table = Table {
    name: "account_events",
    cols: &[
        col!(derived "seq", Int),
        col!("id", Uuid),
        col!("at", Time),
        col!("action", Text),
        col!("user_id", ["user"], Uuid),
        col!("org", Uuid),
        col!("login", Text),
        col!("ip", Text),
        col!("request_id", Text),
        col!("detail", Json),
    ],
};

/// Notices (通知—删除); `open_listing` is derived (the listing while open, else NULL).
pub(crate) static NOTICES: Table = Table {
    name: "notices",
    cols: &[
        col!("id", Uuid),
        col!("sender", Uuid),
        col!("recipient", Uuid),
        col!("source", Text),
        col!("complaint", Uuid),
        col!("case_id", ["case"], Uuid),
        col!("listing", Uuid),
        col!("shop", Uuid),
        col!("ground", Text),
        col!("state", Text),
        col!("measure", Text),
        col!("statement", Json),
        col!("declaration", Json),
        col!("reference", Text),
        col!("sent_by", Uuid),
        col!("sent_at", Time),
        col!("acknowledged_at", Time),
        col!("decided_at", Time),
        col!("forwarded_at", Time),
        col!("objected_at", Time),
        col!("objection_forwarded_at", Time),
        col!("closed_at", Time),
        col!("due_step", Text),
        col!("due", Date),
        col!("due_provisional", Bool),
        col!("act_due", Date),
        col!("decided_on_time", Bool),
        col!("response_due", Date),
        col!("version", Int),
        col!(derived "open_listing", Uuid),
    ],
};

/// Platforms' self-inspection records (自查自纠); `listing_count` is derived.
pub(crate) static SELF_INSPECTIONS: Table = Table {
    name: "self_inspections",
    cols: &[
        col!("id", Uuid),
        col!("platform", Uuid),
        col!("shop", Text),
        col!("action", Text),
        col!("reason", Text),
        col!("listings", Json),
        col!(derived "listing_count", Int),
        col!("rectify_by", Date),
        col!("referred", Bool),
        col!("recorded_by", Uuid),
        col!("at", Time),
        col!("version", Int),
    ],
};

// Credit (issue 17): `credit.rs` reads and writes these.
pub(crate) static CASE_PARTIES: Table = Table {
    name: "case_parties",
    cols: &[
        col!("id", ["case"], Uuid),
        col!("subject", Uuid),
        col!("named_by", Uuid),
        col!("named_at", Time),
        col!("version", Int),
    ],
};

pub(crate) static CREDIT_RECORDS: Table = Table {
    name: "credit_records",
    cols: &[
        col!("id", Uuid),
        col!("subject", Uuid),
        col!("kind", Text),
        col!("source", Text),
        col!("org", Uuid),
        col!("on_day", ["on"], Date),
        col!("legal_basis", Text),
        col!("reference", Text),
        col!("summary", Text),
        col!("fine_fen", Int),
        col!("case_id", ["case"], Uuid),
        col!("recorded_at", Time),
        col!("version", Int),
    ],
};

pub(crate) static CREDIT_STANDINGS: Table = Table {
    name: "credit_standings",
    cols: &[
        col!("id", ["subject"], Uuid),
        col!("class", Text),
        col!("reasons", Json),
        col!("assessed_on", Date),
        col!("version", Int),
    ],
};

pub(crate) static BLACKLIST_ENTRIES: Table = Table {
    name: "blacklist_entries",
    cols: &[
        col!("id", Uuid),
        col!("subject", Uuid),
        col!("subject_name", Text),
        col!("uscc", Text),
        col!("domain", Text),
        col!("legal_basis", Text),
        col!("decision_number", Text),
        col!("deciding_org", Uuid),
        col!("decided_by", Uuid),
        col!("start", Date),
        col!("months", Int),
        col!("end_day", ["end"], Date),
        col!("longer_basis", Text),
        col!("status", Text),
        col!("repair", Json),
        col!("recorded_at", Time),
        col!("version", Int),
    ],
};

pub(crate) static DISCLOSURES: Table = Table {
    name: "disclosures",
    cols: &[
        col!("id", Uuid),
        col!("case_id", ["case"], Uuid),
        col!("subject", Uuid),
        col!("org", Uuid),
        col!("org_name", Text),
        col!("region", Text),
        col!("party_name", Text),
        col!("party_is_person", Bool),
        col!("uscc", Text),
        col!("decision_number", Text),
        col!("title", Text),
        col!("legal_basis", Text),
        col!("fine_fen", Int),
        col!("decided_on", Date),
        col!("due", Date),
        col!("status", Text),
        col!("published_on", Date),
        col!("published_by", Uuid),
        col!("public_until", Date),
        col!("typical", Bool),
        col!("version", Int),
    ],
};

/// Every table `export` knows, by name.
// Seller networks and brushing (issue 18; migration 15). The identifier rows themselves
// are bulk data written by `networks.rs`.
pub(crate) static IDENTIFIER_UPLOADS: Table = Table {
    name: "identifier_uploads",
    cols: &[
        col!("id", Uuid),
        col!("by_user", ["by"], Uuid),
        col!("by_org", Uuid),
        col!("source", Text),
        col!("at", Time),
        col!("lines", Int),
        col!("n_values", ["values"], Int),
        col!("problems", Int),
        col!("version", Int),
    ],
};

pub(crate) static BRUSHING_UPLOADS: Table = Table {
    name: "brushing_uploads",
    cols: &[
        col!("id", Uuid),
        col!("platform", Uuid),
        col!("by_user", ["by"], Uuid),
        col!("by_org", Uuid),
        col!("at", Time),
        col!("lines", Int),
        col!("orders", Int),
        col!("bad_lines", Int),
        col!("n_groups", ["groups"], Int),
        col!("version", Int),
    ],
};

pub(crate) static BRUSHING_GROUPS: Table = Table {
    name: "brushing_groups",
    cols: &[
        col!("id", Uuid),
        col!("platform", Uuid),
        col!("upload", Uuid),
        col!("group_key", Text),
        col!("score", Real),
        col!("decision", Text),
        col!("accounts", Json),
        col!("shops", Json),
        col!("listings", Json),
        col!("orders", Int),
        col!("window_first", Text),
        col!("window_last", Text),
        col!("reasons", Json),
        col!("detected_at", Time),
        col!("state", Text),
        col!("review", Json),
        col!("lead", Uuid),
        col!("version", Int),
    ],
};

pub(crate) static ALL: &[&Table] = &[
    &ORGANIZATIONS,
    &USERS,
    &MEMBERSHIPS,
    &SUBJECTS,
    &SHOPS,
    &LISTINGS,
    &LISTING_SNAPSHOTS,
    &LISTING_RECEIPTS,
    &MARKS,
    &LEADS,
    &CASES,
    &CASE_LEADS,
    &DEADLINES,
    &TRANSFER_ORDERS,
    &ASSIST_REQUESTS,
    &SUPERVISIONS,
    &SEIZED_ITEMS,
    &AUDIT_EVENTS,
    &LOG_ENTRIES,
    &LOG_NODES,
    &TREE_HEADS,
    &LOG_KEYS,
    &BLOBS,
    &COMPLAINTS,
    &ACCOUNT_EVENTS,
    &NOTICES,
    &SELF_INSPECTIONS,
    &REPORT_SUBMISSIONS,
    &CASE_PARTIES,
    &CREDIT_RECORDS,
    &CREDIT_STANDINGS,
    &BLACKLIST_ENTRIES,
    &DISCLOSURES,
    &IDENTIFIER_UPLOADS,
    &BRUSHING_UPLOADS,
    &BRUSHING_GROUPS,
];

impl Table {
    /// `a, b, c`, optionally prefixed with a table alias.
    pub(crate) fn select_list(&self, alias: &str) -> String {
        self.cols
            .iter()
            .map(|c| {
                if alias.is_empty() {
                    c.name.to_string()
                } else {
                    format!("{alias}.{}", c.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The columns written on insert (all but database-assigned ones like `seq`).
    pub(crate) fn insert_cols(&self) -> Vec<&Col> {
        self.cols
            .iter()
            .filter(|c| c.name != "seq" || c.read)
            .collect()
    }

    /// Reads one row's columns, in order.
    pub(crate) fn decode(&self, row: &Row) -> Result<Vec<Val>, StoreError> {
        self.cols
            .iter()
            .enumerate()
            .map(|(i, c)| row.get(i, c.kind))
            .collect()
    }

    /// The row as a flat JSON object of column names (export).
    pub(crate) fn row_json(&self, row: &Row) -> Result<Json, StoreError> {
        let mut m = Map::new();
        for (c, v) in self.cols.iter().zip(self.decode(row)?) {
            m.insert(c.name.to_string(), v.into_json());
        }
        Ok(Json::Object(m))
    }

    /// The domain value's JSON, rebuilt from a row: NULL columns are left out (serde
    /// reads a missing `Option` as `None`), and a nested object left empty is dropped.
    pub(crate) fn domain_json(&self, row: &Row) -> Result<Json, StoreError> {
        let mut root = Map::new();
        for (c, v) in self.cols.iter().zip(self.decode(row)?) {
            if !c.read {
                continue;
            }
            let v = v.into_json();
            if v.is_null() {
                continue;
            }
            let mut at = &mut root;
            for p in &c.path[..c.path.len() - 1] {
                let e = at
                    .entry(p.to_string())
                    .or_insert_with(|| Json::Object(Map::new()));
                at = match e {
                    Json::Object(m) => m,
                    _ => return Err(StoreError::Corrupt(format!("column {} path", c.name))),
                };
            }
            at.insert(c.path[c.path.len() - 1].to_string(), v);
        }
        Ok(Json::Object(root))
    }

    /// The values to insert for a domain value's JSON (`derived` columns read from the
    /// same object, where the writer put them).
    pub(crate) fn values(&self, obj: &Json) -> Result<Vec<Val>, StoreError> {
        self.insert_cols()
            .into_iter()
            .map(|c| {
                let mut v = obj;
                for p in c.path {
                    v = v.get(p).unwrap_or(&Json::Null);
                }
                Val::from_json(c.kind, v, c.name)
            })
            .collect()
    }

    /// `INSERT INTO t (cols) VALUES ($1, …)`.
    pub(crate) fn insert_sql(&self, rows: usize) -> String {
        let cols = self.insert_cols();
        let n = cols.len();
        let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.name, names.join(", "));
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for i in 0..n {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", r * n + i + 1));
            }
            sql.push(')');
        }
        sql
    }

    /// `UPDATE t SET every column but id = $k WHERE id = $1 AND version = $n+1`; binds
    /// are the insert values, then the version the row must still have.
    pub(crate) fn update_sql(&self) -> String {
        let cols = self.insert_cols();
        let sets: Vec<String> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name != "id" && c.update)
            .map(|(i, c)| format!("{} = ${}", c.name, i + 1))
            .collect();
        format!(
            "UPDATE {} SET {} WHERE id = $1 AND version = ${}",
            self.name,
            sets.join(", "),
            cols.len() + 1
        )
    }
}

/// Looks a table up by name (for `export`).
pub(crate) fn table(name: &str) -> Option<&'static Table> {
    ALL.iter().copied().find(|t| t.name == name)
}

/// Reads one row of `table` by id as `T`.
pub(crate) async fn get_by_id<T: DeserializeOwned>(
    pool: &Pool,
    table: &Table,
    id: Uuid,
) -> Result<Option<T>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1",
        table.select_list(""),
        table.name
    );
    let rows = pool.fetch(&sql, vec![Val::from(id)]).await?;
    rows.first().map(|r| from_row(table, r)).transpose()
}

/// Deserializes a row as its domain type.
pub(crate) fn from_row<T: DeserializeOwned>(table: &Table, row: &Row) -> Result<T, StoreError> {
    let json = table.domain_json(row)?;
    serde_json::from_value(json).map_err(|e| {
        StoreError::Corrupt(format!("a row of {} does not read back: {e}", table.name))
    })
}
