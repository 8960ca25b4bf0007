//! Export (a table as JSON Lines) and backup (SQLite `VACUUM INTO`).

use std::path::Path;

use crate::backend::Pool;
use crate::schema;
use crate::value::Val;
use crate::{Store, StoreError};

/// Rows read per round trip while exporting.
const EXPORT_PAGE: usize = 2_000;

impl Store {
    /// The names of the tables [`Store::export_table`] knows.
    pub fn table_names() -> Vec<&'static str> {
        schema::ALL.iter().map(|t| t.name).collect()
    }

    /// Calls `each` with every row of `table` as a flat JSON object (column name →
    /// value), in key order, a page at a time so memory stays flat. Returns the count.
    pub async fn export_table<F>(&self, table: &str, mut each: F) -> Result<u64, StoreError>
    where
        F: FnMut(serde_json::Value) -> Result<(), StoreError>,
    {
        let t = schema::table(table).ok_or_else(|| StoreError::NotFound {
            what: "table",
            id: format!("{table} (known: {})", Store::table_names().join(", ")),
        })?;
        // Keyset over the first column (id, or seq for the audit trail; the two link
        // tables page over their whole key).
        let key: Vec<&str> = match t.name {
            "memberships" => vec!["user_id", "org_id", "role"],
            "case_leads" => vec!["case_id", "lead_id"],
            "log_nodes" => vec!["level", "idx"],
            _ => vec![t.cols[0].name],
        };
        let kinds: Vec<_> = key
            .iter()
            .map(|k| t.cols.iter().find(|c| c.name == *k).map(|c| c.kind))
            .collect::<Option<_>>()
            .ok_or_else(|| StoreError::Corrupt("export key".into()))?;
        let mut last: Option<Vec<Val>> = None;
        let mut n = 0u64;
        loop {
            let (cond, args) = match &last {
                None => (String::new(), vec![]),
                Some(vals) => {
                    let ph: Vec<String> = (1..=vals.len()).map(|i| format!("${i}")).collect();
                    (
                        format!("WHERE ({}) > ({})", key.join(", "), ph.join(", ")),
                        vals.clone(),
                    )
                }
            };
            let sql = format!(
                "SELECT {} FROM {} {cond} ORDER BY {} LIMIT {EXPORT_PAGE}",
                t.select_list(""),
                t.name,
                key.join(", ")
            );
            let rows = self.pool.fetch(&sql, args).await?;
            for r in &rows {
                each(t.row_json(r)?)?;
                n += 1;
            }
            if rows.len() < EXPORT_PAGE {
                return Ok(n);
            }
            let lr = &rows[rows.len() - 1];
            let idx: Vec<usize> = key
                .iter()
                .filter_map(|k| t.cols.iter().position(|c| c.name == *k))
                .collect();
            last = Some(
                idx.iter()
                    .zip(&kinds)
                    .map(|(i, k)| lr.get(*i, *k))
                    .collect::<Result<_, _>>()?,
            );
        }
    }

    /// Writes a consistent copy of a SQLite database to `path` while it stays in use
    /// (`VACUUM INTO`); `path` must not exist. Restore: stop the writers and copy the
    /// file over the database (or open the copy with `--db sqlite:PATH`). On PostgreSQL
    /// use `pg_dump`.
    pub async fn backup(&self, path: &Path) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(_) => {
                if path.exists() {
                    return Err(StoreError::Duplicate(format!(
                        "backup file {} exists",
                        path.display()
                    )));
                }
                self.pool
                    .exec(
                        "VACUUM INTO $1",
                        vec![Val::from(path.display().to_string())],
                    )
                    .await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Unsupported(
                "backup of a PostgreSQL database: use pg_dump (the store backs up SQLite only)",
            )),
        }
    }

    /// Refreshes the planner's statistics of every table (`ANALYZE` on both backends).
    /// After a bulk import the lead queue's filters need them: without, PostgreSQL took a
    /// level and reason filter on 200 000 fresh leads for rare and sorted them all
    /// (0.8 s a page); SQLite, which never gathers statistics by itself, guesses too.
    /// PostgreSQL's autovacuum does it on its own a while after large changes.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        self.pool.exec("ANALYZE", vec![]).await?;
        Ok(())
    }

    /// Runs `PRAGMA integrity_check` (SQLite) and returns its lines (`["ok"]` when sound);
    /// on PostgreSQL returns `["ok"]` once the database answers.
    pub async fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        match &self.pool {
            Pool::Sqlite(_) => {
                let rows = self.pool.fetch("PRAGMA integrity_check", vec![]).await?;
                rows.iter()
                    .map(|r| Ok(r.text(0)?.unwrap_or_default()))
                    .collect()
            }
            Pool::Postgres(_) => {
                self.pool.fetch("SELECT 1", vec![]).await?;
                Ok(vec!["ok".into()])
            }
        }
    }
}
