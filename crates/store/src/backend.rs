//! The two backends. Everything above this module writes one SQL text with `$1`-style
//! placeholders (SQLite reads `$N` as parameter N) and binds [`Val`]s; this module holds
//! all that differs: connecting, the encoding of each value, decoding rows, migrations,
//! and the few statements only one database has.

use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Postgres, Row as _, Sqlite, Transaction};
use uuid::Uuid;
use wangjian_domain::complaint::{tracking_digest, ComplaintKind};
use wangjian_domain::lead::LeadDedupKey;

use crate::value::{parse_time, time_text, Kind, Val};
use crate::StoreError;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: one file, the embedded default.
    Sqlite,
    /// PostgreSQL: the server.
    Postgres,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A row from either backend.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

/// Versioned schema migrations, per backend, applied in order.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "evidence_log",
        include_str!("../migrations/sqlite/0002_evidence_log.sql"),
    ),
    (
        3,
        "lead_verdicts",
        include_str!("../migrations/sqlite/0003_lead_verdicts.sql"),
    ),
    (
        4,
        "complaints",
        include_str!("../migrations/sqlite/0004_complaints.sql"),
    ),
    (
        5,
        "list_indexes",
        include_str!("../migrations/sqlite/0005_list_indexes.sql"),
    ),
    (
        6,
        "intake",
        include_str!("../migrations/sqlite/0006_intake.sql"),
    ),
    (
        7,
        "assist_lists",
        include_str!("../migrations/sqlite/0007_assist_lists.sql"),
    ),
    (
        8,
        "listing_receipts",
        include_str!("../migrations/sqlite/0008_listing_receipts.sql"),
    ),
    (
        9,
        "calendar_notices",
        include_str!("../migrations/sqlite/0009_calendar_notices.sql"),
    ),
    (
        10,
        "tracking_digest",
        include_str!("../migrations/sqlite/0010_tracking_digest.sql"),
    ),
    (
        11,
        "mark_registry",
        include_str!("../migrations/sqlite/0011_mark_registry.sql"),
    ),
    (
        12,
        "notices",
        include_str!("../migrations/sqlite/0012_notices.sql"),
    ),
    (
        13,
        "report_submissions",
        include_str!("../migrations/sqlite/0013_report_submissions.sql"),
    ),
    (
        14,
        "credit",
        include_str!("../migrations/sqlite/0014_credit.sql"),
    ),
    (
        15,
        "brushing_networks",
        include_str!("../migrations/sqlite/0015_brushing_networks.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "evidence_log",
        include_str!("../migrations/postgres/0002_evidence_log.sql"),
    ),
    (
        3,
        "lead_verdicts",
        include_str!("../migrations/postgres/0003_lead_verdicts.sql"),
    ),
    (
        4,
        "complaints",
        include_str!("../migrations/postgres/0004_complaints.sql"),
    ),
    (
        5,
        "list_indexes",
        include_str!("../migrations/postgres/0005_list_indexes.sql"),
    ),
    (
        6,
        "intake",
        include_str!("../migrations/postgres/0006_intake.sql"),
    ),
    (
        7,
        "assist_lists",
        include_str!("../migrations/postgres/0007_assist_lists.sql"),
    ),
    (
        8,
        "listing_receipts",
        include_str!("../migrations/postgres/0008_listing_receipts.sql"),
    ),
    (
        9,
        "calendar_notices",
        include_str!("../migrations/postgres/0009_calendar_notices.sql"),
    ),
    (
        10,
        "tracking_digest",
        include_str!("../migrations/postgres/0010_tracking_digest.sql"),
    ),
    (
        11,
        "mark_registry",
        include_str!("../migrations/postgres/0011_mark_registry.sql"),
    ),
    (
        12,
        "notices",
        include_str!("../migrations/postgres/0012_notices.sql"),
    ),
    (
        13,
        "report_submissions",
        include_str!("../migrations/postgres/0013_report_submissions.sql"),
    ),
    (
        14,
        "credit",
        include_str!("../migrations/postgres/0014_credit.sql"),
    ),
    (
        15,
        "brushing_networks",
        include_str!("../migrations/postgres/0015_brushing_networks.sql"),
    ),
];

/// The line of a migration that marks a data step: the SQL before it runs, then the named
/// step in Rust (what one database cannot compute in SQL, such as SHA-256 on SQLite),
/// then the SQL after it, all in the migration's transaction.
const DATA_STEP: &str = "-- @data ";

/// Runs a migration's SQL with its data steps.
async fn run_migration(tx: &mut Tx, sql: &str) -> Result<(), StoreError> {
    async fn statements(tx: &mut Tx, chunk: &str) -> Result<(), StoreError> {
        let only_comments = chunk
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with("--"));
        if !only_comments {
            tx.raw(chunk).await?;
        }
        Ok(())
    }
    let mut chunk = String::new();
    for line in sql.lines() {
        match line.trim().strip_prefix(DATA_STEP) {
            Some(step) => {
                statements(tx, &chunk).await?;
                chunk.clear();
                match step.trim() {
                    "hash_tracking_numbers" => hash_tracking_numbers(tx).await?,
                    other => {
                        return Err(StoreError::Corrupt(format!(
                            "unknown migration data step {other:?}"
                        )))
                    }
                }
            }
            None => {
                chunk.push_str(line);
                chunk.push('\n');
            }
        }
    }
    statements(tx, &chunk).await
}

/// Migration v10's data step (here because SQLite has no SHA-256): the digest of every
/// stored tracking number, and the leads made from those complaints re-keyed on the
/// digest (their dedup key held the number). Runs between adding `tracking_digest` and
/// dropping `tracking_number`.
async fn hash_tracking_numbers(tx: &mut Tx) -> Result<(), StoreError> {
    let rows = tx
        .fetch(
            "SELECT id, tracking_number, kind, lead FROM complaints",
            vec![],
        )
        .await?;
    for r in &rows {
        let id = r
            .uuid(0)?
            .ok_or_else(|| StoreError::Corrupt("complaint without id".into()))?;
        let number = r.text(1)?.unwrap_or_default();
        let digest = tracking_digest(&number).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "complaint {id}: the stored tracking number is not one"
            ))
        })?;
        tx.exec(
            "UPDATE complaints SET tracking_digest = $1 WHERE id = $2",
            vec![Val::from(digest.as_str()), Val::from(id)],
        )
        .await?;
        let (Some(lead), Some(kind)) = (
            r.uuid(3)?,
            r.text(2)?.as_deref().and_then(ComplaintKind::parse),
        ) else {
            continue;
        };
        let key = |reference: &str| {
            LeadDedupKey::new(kind.lead_source(), None, None, Some(reference))
                .map_err(|e| StoreError::Corrupt(format!("complaint {id}: {e}")))
        };
        let (old, new) = (key(&number)?, key(&digest)?);
        let json = serde_json::to_value(&new)
            .map_err(|e| StoreError::Corrupt(format!("complaint {id}: {e}")))?;
        tx.exec(
            "UPDATE leads SET dedup_key = $1, dedup = $2 WHERE id = $3 AND dedup_key = $4",
            vec![
                Val::from(new.canonical().as_str()),
                Val::Json(Some(json)),
                Val::from(lead),
                Val::from(old.canonical().as_str()),
            ],
        )
        .await?;
    }
    Ok(())
}

impl Pool {
    pub(crate) async fn connect(url: &str) -> Result<Pool, StoreError> {
        if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Url(format!("{url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(if memory {
                    SqliteJournalMode::Memory
                } else {
                    SqliteJournalMode::Wal
                })
                // NORMAL in WAL mode loses nothing when the process dies; only a power
                // cut can undo the last commits.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .page_size(16384)
                .pragma("cache_size", "-65536");
            // An in-memory database lives in its one connection: keep exactly one, forever.
            let pool = if memory {
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                SqlitePoolOptions::new().max_connections(4)
            };
            Ok(Pool::Sqlite(pool.connect_with(opts).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Url(format!("{url}: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Pool::Postgres(pool))
        } else {
            Err(StoreError::Url(format!(
                "{url}: expected sqlite:PATH, sqlite::memory: or postgres://…"
            )))
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one
    /// failing when it upgrades a read lock.
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A read-only transaction: one consistent snapshot for several statements.
    pub(crate) async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub(crate) async fn fetch(&self, sql: &str, args: Vec<Val>) -> Result<Vec<Row>, StoreError> {
        Ok(match self {
            Pool::Sqlite(p) => sqlite_query(sql, args)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Pool::Postgres(p) => pg_query(sql, args)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub(crate) async fn exec(&self, sql: &str, args: Vec<Val>) -> Result<u64, StoreError> {
        Ok(match self {
            Pool::Sqlite(p) => sqlite_query(sql, args).execute(p).await?.rows_affected(),
            Pool::Postgres(p) => pg_query(sql, args).execute(p).await?.rows_affected(),
        })
    }

    /// Applies the migrations not yet applied; returns the versions it applied.
    pub(crate) async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.migrate_until(i64::MAX).await
    }

    /// Applies the migrations not yet applied up to version `last` (tests of a migration
    /// start from the version before it).
    pub(crate) async fn migrate_until(&self, last: i64) -> Result<Vec<i64>, StoreError> {
        let (list, create) = match self {
            Pool::Sqlite(_) => (
                SQLITE_MIGRATIONS,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, \
                 name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            ),
            Pool::Postgres(_) => (
                POSTGRES_MIGRATIONS,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, \
                 name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
            ),
        };
        let mut applied = Vec::new();
        for (version, name, sql) in list.iter().filter(|m| m.0 <= last) {
            let mut tx = self.begin_write().await?;
            if let Tx::Postgres(t) = &mut tx {
                // Two processes migrating one database at once: the second waits here
                // and then finds the work done. The lock ends with the transaction.
                sqlx::query("SELECT pg_advisory_xact_lock(7317301)")
                    .execute(&mut **t)
                    .await?;
            }
            tx.exec(create, vec![]).await?;
            let done = tx
                .fetch(
                    "SELECT version FROM schema_migrations WHERE version = $1",
                    vec![Val::Int(Some(*version))],
                )
                .await?;
            if !done.is_empty() {
                tx.rollback().await?;
                continue;
            }
            run_migration(&mut tx, sql)
                .await
                .map_err(|e| StoreError::Migration {
                    version: *version,
                    name,
                    message: e.to_string(),
                })?;
            tx.exec(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                vec![
                    Val::Int(Some(*version)),
                    Val::from(*name),
                    Val::from(chrono::Utc::now()),
                ],
            )
            .await?;
            tx.commit().await?;
            applied.push(*version);
        }
        Ok(applied)
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn exec(&mut self, sql: &str, args: Vec<Val>) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => sqlite_query(sql, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Tx::Postgres(t) => pg_query(sql, args).execute(&mut **t).await?.rows_affected(),
        })
    }

    pub(crate) async fn fetch(
        &mut self,
        sql: &str,
        args: Vec<Val>,
    ) -> Result<Vec<Row>, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => sqlite_query(sql, args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Tx::Postgres(t) => pg_query(sql, args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    /// `INSERT … ON CONFLICT DO NOTHING RETURNING id` of many rows into `table`, whose
    /// insert columns are `cols` (each row binds them in that order; the first is `id`).
    /// Returns the rows made (their `id`), so a caller tells new rows from old ones.
    ///
    /// SQLite gets multi-row `VALUES` lists of at most [`MAX_PARAMS`] values. PostgreSQL
    /// gets one array per column, `INSERT … SELECT * FROM UNNEST($1::uuid[], …)`: one
    /// statement text whatever the number of rows, so it is parsed and planned once per
    /// connection and binds a few arrays instead of tens of thousands of parameters.
    pub(crate) async fn insert_ignoring(
        &mut self,
        table: &str,
        cols: &[(&str, Kind)],
        rows: Vec<Vec<Val>>,
    ) -> Result<Vec<Row>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let names = cols.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
        match self {
            Tx::Sqlite(_) => {
                let per_row = cols.len().max(1);
                let chunk = (MAX_PARAMS / per_row).max(1);
                let mut out = Vec::new();
                let mut rows = rows.into_iter().peekable();
                while rows.peek().is_some() {
                    let part: Vec<Vec<Val>> = rows.by_ref().take(chunk).collect();
                    let mut sql = format!("INSERT INTO {table} ({names}) VALUES ");
                    let row_sql = format!("({})", vec!["?"; per_row].join(", "));
                    for i in 0..part.len() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        sql.push_str(&row_sql);
                    }
                    sql.push_str(" ON CONFLICT DO NOTHING RETURNING id");
                    let args: Vec<Val> = part.into_iter().flatten().collect();
                    out.extend(self.fetch(&sql, args).await?);
                }
                Ok(out)
            }
            Tx::Postgres(t) => {
                let casts = cols
                    .iter()
                    .enumerate()
                    .map(|(i, (_, k))| format!("${}::{}[]", i + 1, pg_array_type(*k)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO {table} ({names}) SELECT * FROM UNNEST({casts}) \
                     ON CONFLICT DO NOTHING RETURNING id"
                );
                let mut columns: Vec<Vec<Val>> = cols
                    .iter()
                    .map(|_| Vec::with_capacity(rows.len()))
                    .collect();
                for row in rows {
                    if row.len() != cols.len() {
                        return Err(StoreError::Corrupt(format!(
                            "{table}: a row of {} values for {} columns",
                            row.len(),
                            cols.len()
                        )));
                    }
                    for (c, v) in columns.iter_mut().zip(row) {
                        c.push(v);
                    }
                }
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for ((_, kind), values) in cols.iter().zip(columns) {
                    q = bind_pg_array(q, *kind, values)?;
                }
                Ok(q.fetch_all(&mut **t)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect())
            }
        }
    }

    /// Runs several statements in one go (migrations, maintenance).
    pub(crate) async fn raw(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let q = sqlx::raw_sql(AssertSqlSafe(sql.to_string()));
        match self {
            Tx::Sqlite(t) => q.execute(&mut **t).await.map(|_| ()),
            Tx::Postgres(t) => q.execute(&mut **t).await.map(|_| ()),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// `sql` with its placeholders made anonymous (`?`) when they are exactly `$1 … $n` in
/// order, each once (as every multi-row INSERT here writes them); otherwise `sql` as is.
///
/// Why: SQLite looks every named parameter up among the ones before it while parsing,
/// and sqlx asks each one's name back while binding, both by linear search, so a
/// 1000-row insert of 21 000 `$N` spent seconds parsing (a batch of 1000 listings with
/// their leads took 6 s instead of 0.2 s). Anonymous parameters are numbered as they come.
fn sqlite_placeholders(sql: &str, n: usize) -> std::borrow::Cow<'_, str> {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut next, mut last, mut i, mut quoted) = (1usize, 0, 0, false);
    while i < b.len() {
        match b[i] {
            b'\'' => quoted = !quoted,
            b'$' if !quoted => {
                let end = i + 1 + b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if sql[i + 1..end].parse::<usize>().ok() != Some(next) {
                    return sql.into();
                }
                next += 1;
                out.push_str(&sql[last..i]);
                out.push('?');
                last = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if next != n + 1 {
        return sql.into();
    }
    out.push_str(&sql[last..]);
    out.into()
}

fn sqlite_query(
    sql: &str,
    args: Vec<Val>,
) -> sqlx::query::Query<'static, Sqlite, sqlx::sqlite::SqliteArguments> {
    let sql = sqlite_placeholders(sql, args.len()).into_owned();
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = match a {
            Val::Uuid(v) => q.bind(v.map(|u| u.to_string())),
            Val::Text(v) => q.bind(v),
            Val::Int(v) => q.bind(v),
            Val::Real(v) => q.bind(v),
            Val::Bool(v) => q.bind(v),
            Val::Time(v) => q.bind(v.map(time_text)),
            Val::Date(v) => q.bind(v.map(|d| d.to_string())),
            Val::Json(v) => q.bind(v.map(|j| j.to_string())),
            Val::Bytes(v) => q.bind(v),
        };
    }
    q
}

fn pg_query(
    sql: &str,
    args: Vec<Val>,
) -> sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_string()));
    for a in args {
        q = match a {
            Val::Uuid(v) => q.bind(v),
            Val::Text(v) => q.bind(v),
            Val::Int(v) => q.bind(v),
            Val::Real(v) => q.bind(v),
            Val::Bool(v) => q.bind(v),
            Val::Time(v) => q.bind(v),
            Val::Date(v) => q.bind(v),
            Val::Json(v) => q.bind(v.map(sqlx::types::Json)),
            Val::Bytes(v) => q.bind(v),
        };
    }
    q
}

/// Most bind parameters in one SQLite statement (it allows 32 766).
const MAX_PARAMS: usize = 30_000;

/// The PostgreSQL element type of a column of `kind`.
fn pg_array_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Uuid => "uuid",
        Kind::Text => "text",
        Kind::Int => "int8",
        Kind::Real => "float8",
        Kind::Bool => "bool",
        Kind::Time => "timestamptz",
        Kind::Date => "date",
        Kind::Json => "jsonb",
        Kind::Bytes => "bytea",
    }
}

/// Binds `values` (all of `kind`) as one PostgreSQL array.
fn bind_pg_array(
    q: sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>,
    kind: Kind,
    values: Vec<Val>,
) -> Result<sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>, StoreError> {
    let mismatch = |v: &Val| StoreError::Corrupt(format!("a {v:?} in a column of {kind:?}"));
    macro_rules! array {
        ($variant:ident, $map:expr) => {{
            let mut a = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Val::$variant(x) => a.push(x.map($map)),
                    other => return Err(mismatch(&other)),
                }
            }
            q.bind(a)
        }};
    }
    Ok(match kind {
        Kind::Uuid => array!(Uuid, |x| x),
        Kind::Text => array!(Text, |x| x),
        Kind::Int => array!(Int, |x| x),
        Kind::Real => array!(Real, |x| x),
        Kind::Bool => array!(Bool, |x| x),
        Kind::Time => array!(Time, |x| x),
        Kind::Date => array!(Date, |x| x),
        Kind::Json => array!(Json, sqlx::types::Json),
        Kind::Bytes => array!(Bytes, |x| x),
    })
}

impl Row {
    /// Column `i` as a value of `kind`.
    pub(crate) fn get(&self, i: usize, kind: Kind) -> Result<Val, StoreError> {
        match self {
            Row::Sqlite(r) => {
                let corrupt = |what: &str, s: &str| {
                    StoreError::Corrupt(format!("column {i}: {what} {s:?} does not parse"))
                };
                Ok(match kind {
                    Kind::Uuid => match r.try_get::<Option<String>, _>(i)? {
                        None => Val::Uuid(None),
                        Some(s) => {
                            Val::Uuid(Some(Uuid::parse_str(&s).map_err(|_| corrupt("uuid", &s))?))
                        }
                    },
                    Kind::Text => Val::Text(r.try_get(i)?),
                    Kind::Int => Val::Int(r.try_get(i)?),
                    Kind::Real => Val::Real(r.try_get(i)?),
                    Kind::Bool => Val::Bool(r.try_get(i)?),
                    Kind::Time => match r.try_get::<Option<String>, _>(i)? {
                        None => Val::Time(None),
                        Some(s) => Val::Time(Some(parse_time(&s)?)),
                    },
                    Kind::Date => match r.try_get::<Option<String>, _>(i)? {
                        None => Val::Date(None),
                        Some(s) => Val::Date(Some(
                            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                                .map_err(|_| corrupt("date", &s))?,
                        )),
                    },
                    Kind::Json => match r.try_get::<Option<String>, _>(i)? {
                        None => Val::Json(None),
                        Some(s) => Val::Json(Some(
                            serde_json::from_str(&s).map_err(|_| corrupt("json", &s))?,
                        )),
                    },
                    Kind::Bytes => Val::Bytes(r.try_get(i)?),
                })
            }
            Row::Postgres(r) => Ok(match kind {
                Kind::Uuid => Val::Uuid(r.try_get(i)?),
                Kind::Text => Val::Text(r.try_get(i)?),
                Kind::Int => Val::Int(r.try_get(i)?),
                Kind::Real => Val::Real(r.try_get(i)?),
                Kind::Bool => Val::Bool(r.try_get(i)?),
                Kind::Time => Val::Time(r.try_get(i)?),
                Kind::Date => Val::Date(r.try_get(i)?),
                Kind::Json => Val::Json(
                    r.try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>(i)?
                        .map(|j| j.0),
                ),
                Kind::Bytes => Val::Bytes(r.try_get(i)?),
            }),
        }
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.get(i, Kind::Int)? {
            Val::Int(Some(v)) => Ok(v),
            _ => Err(StoreError::Corrupt(format!("column {i}: NULL integer"))),
        }
    }

    pub(crate) fn uuid(&self, i: usize) -> Result<Option<Uuid>, StoreError> {
        match self.get(i, Kind::Uuid)? {
            Val::Uuid(v) => Ok(v),
            _ => Ok(None),
        }
    }

    pub(crate) fn bytes(&self, i: usize) -> Result<Option<Vec<u8>>, StoreError> {
        match self.get(i, Kind::Bytes)? {
            Val::Bytes(v) => Ok(v),
            _ => Ok(None),
        }
    }

    pub(crate) fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.get(i, Kind::Text)? {
            Val::Text(v) => Ok(v),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::sqlite_placeholders;

    #[test]
    fn only_in_order_placeholders_become_anonymous() {
        assert_eq!(
            sqlite_placeholders("INSERT INTO t VALUES ($1, $2), ($3, '$4')", 3),
            "INSERT INTO t VALUES (?, ?), (?, '$4')"
        );
        // Reused, out of order, or not all bound: left as written.
        for (sql, n) in [
            ("SELECT a FROM t WHERE a = $1 OR b = $1", 1),
            ("SELECT a FROM t WHERE a = $2 AND b = $1", 2),
            ("SELECT a FROM t WHERE a = $1", 2),
            ("SELECT a FROM t WHERE a = $", 0),
        ] {
            assert_eq!(sqlite_placeholders(sql, n), sql);
        }
        assert_eq!(sqlite_placeholders("SELECT 1", 0), "SELECT 1");
    }
}
