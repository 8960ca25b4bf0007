//! The store's one error type.

use wangjian_domain::case::CaseError;

/// What went wrong in the store. Each message says what to do where there is something
/// to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Someone else changed the row since it was read (optimistic concurrency).
    #[error("{table} {id} was changed by someone else (expected version {expected}); reload it and try again")]
    Conflict {
        /// Table.
        table: &'static str,
        /// Row id.
        id: String,
        /// The version the writer expected to replace.
        expected: i64,
    },
    /// A row that must exist does not.
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id or key.
        id: String,
    },
    /// A unique key is already taken by another row.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// The domain refused the command.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The domain refused a lead command (dismissing a linked lead, an empty reason).
    #[error(transparent)]
    Lead(#[from] wangjian_domain::lead::LeadError),
    /// The database URL is not one the store knows.
    #[error("database URL {0}")]
    Url(String),
    /// A migration failed; the database is left at the version before it.
    #[error("migration {version} ({name}) failed: {message}")]
    Migration {
        /// Version.
        version: i64,
        /// Name.
        name: &'static str,
        /// The database's message.
        message: String,
    },
    /// The operation exists only on the other backend.
    #[error("{0}")]
    Unsupported(&'static str),
    /// A stored row does not read back as its domain type (a bug or a hand-edited row).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The evidence log refused (a size beyond the log, a foreign key, a bad capture).
    #[error("evidence log: {0}")]
    Log(String),
    /// The working-day calendar could not answer.
    #[error("calendar: {0}")]
    Calendar(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// True for a unique-constraint violation reported by the database.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(e) => e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation()),
            _ => false,
        }
    }
}
