//! What a use case answers when it cannot do what was asked: one enum that the server
//! turns into its error catalog (`wangjian_server::ErrorCode`) and the CLI into a sentence.

use wangjian_domain::CaseError;
use wangjian_store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such object, or one the caller may not see: the two answer alike, so that no
    /// one learns that an object exists by probing ids.
    #[error("not found")]
    NotFound,
    /// The caller sees the object but may not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// An input field is missing or fails validation.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault (`title`, `leads[3]`, `shop.id`, `--to`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The command is well-formed but the rules forbid it now (an illegal transition, a
    /// guard, a deadline the calendar cannot count).
    #[error("{0}")]
    RuleViolation(String),
    /// The caller's view is stale: someone changed the object first.
    #[error("someone changed it first; reload and apply your change again")]
    Conflict,
    /// The store failed or refused (the adapters map its kinds).
    #[error(transparent)]
    Store(StoreError),
    /// One item of a bulk command failed (`leads[3]`): its error, named by the item.
    #[error("{field}: {error}")]
    Item {
        /// The item (`leads[3]`).
        field: String,
        /// What went wrong with it.
        error: Box<AppError>,
    },
    /// Something the installation lacks (no signing key, a rule set that does not build).
    #[error("{0}")]
    Unavailable(String),
}

impl AppError {
    /// An invalid `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error, blamed on the item `field` of a bulk command (`leads[3]`).
    pub fn at(self, field: impl Into<String>) -> Self {
        Self::Item {
            field: field.into(),
            error: Box::new(self),
        }
    }

    /// A domain command's refusal: the rules forbid it now.
    pub fn rule(e: impl std::fmt::Display) -> Self {
        Self::RuleViolation(e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Self::NotFound,
            // The store's message names the table and the row: that is for the log, not
            // for the caller.
            StoreError::Conflict { .. } => Self::Conflict,
            StoreError::Lead(l) => Self::RuleViolation(l.to_string()),
            StoreError::Case(c @ CaseError::Missing { field, .. }) => Self::Invalid {
                field: field.to_string(),
                message: c.to_string(),
            },
            StoreError::Case(CaseError::Denied(d)) => Self::Forbidden(d.to_string()),
            StoreError::Case(
                c @ (CaseError::IllegalTransition { .. }
                | CaseError::Guard { .. }
                | CaseError::Deadline(_)),
            ) => Self::RuleViolation(c.to_string()),
            other => Self::Store(other),
        }
    }
}
