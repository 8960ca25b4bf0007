//! The wangjian use cases: what the system does, written once, for every adapter — the
//! `wangjian` command, the HTTP server and console, and (later) patrol workers on NATS.
//!
//! # What it is for
//!
//! The layer between the rules and the record ({`detect`, `domain`, `store`, `ledger`})
//! and the adapters ({`cli`, `server`}). A use case loads what it needs from the store,
//! asks the one [`policy`] whether the caller may, runs the domain's command, stores the
//! [`Change`](wangjian_domain::Change) with its audit events, and answers with what it
//! wrote. It holds:
//!
//! - [`rules`]: the active rule set — one assembly of the pack and the registry's marks,
//!   one rule-set version, whichever path scans;
//! - [`intake`]: listing intake — validate, scan, route (by
//!   [`wangjian_domain::routing`]), lead, store, and the ids written;
//! - [`policy`]: who may see and do what (moved here from the server so the CLI's `--as`
//!   obeys the same rules);
//! - [`workflow`]: the commands on cases, leads, transfers, assist requests, supervision,
//!   seized goods, evidence and complaints;
//! - [`App::context`]: the factory of the domain's [`Context`] (time, request id, fresh
//!   ids) and [`App::env`] of its deadline environment.
//!
//! # What it must never do
//!
//! Parse HTTP, render HTML or read command-line arguments (the adapters do), or decide a
//! permission outside [`policy`]. An adapter that checks something a use case also checks
//! has the check in the wrong place.

#![deny(missing_docs)]

pub mod error;
pub mod intake;
pub mod members;
pub mod policy;
pub mod rules;
pub mod workflow;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wangjian_calendar::Calendar;
use wangjian_domain::case::Env;
use wangjian_domain::deadline::RuleSet;
use wangjian_domain::{Context, RequestId};
use wangjian_store::Store;

pub use error::AppError;
pub use policy::{Access, Member, Principal};
pub use rules::{ActiveRules, PackSource, RuleSource};

/// Fresh ids a use case may draw for one command (a case file with its deadlines and
/// audit events uses a few dozen).
pub const FRESH_IDS: usize = 64;

/// The application: the store, the rule set in force and the deadline rules. Cheap to
/// clone (shared inside).
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    rules: ActiveRules,
    deadlines: &'static RuleSet,
}

impl App {
    /// The application over `store`, scanning with rules from `source`.
    pub fn new(store: Store, source: RuleSource) -> Result<Self, AppError> {
        let deadlines = RuleSet::defaults()
            .map_err(|e| AppError::Unavailable(format!("loading the deadline rules: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                rules: ActiveRules::new(source),
                deadlines,
            }),
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The rule set in force.
    pub fn rules(&self) -> &ActiveRules {
        &self.inner.rules
    }

    /// The working-day calendar deadlines are counted on.
    pub fn calendar(&self) -> &Calendar {
        Calendar::china()
    }

    /// The domain's deadline environment: the rules (with their cited defaults) and the
    /// calendar.
    pub fn env(&self) -> Env<'_> {
        Env {
            rules: self.inner.deadlines,
            overrides: &[],
            calendar: self.calendar(),
        }
    }

    /// A fresh domain context for one command of `call`.
    pub fn context(&self, call: &Call) -> Context {
        Context::new_v7(call.request, call.now, FRESH_IDS)
    }
}

/// Who calls a use case, for which request, at what time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Who is asking (checked by the [`policy`]).
    pub principal: Principal,
    /// The request the audit events group under (the HTTP request id; a fresh one for a
    /// command-line run).
    pub request: RequestId,
    /// The time of the command (now; or an earlier time a command entered afterwards, 补录).
    pub now: DateTime<Utc>,
}

impl Call {
    /// A call by `principal` now, under a fresh request id.
    pub fn now(principal: Principal) -> Self {
        Self {
            principal,
            request: RequestId(Uuid::now_v7()),
            now: Utc::now(),
        }
    }

    /// The signed-in member, or [`AppError::Forbidden`] for the public.
    pub fn member(&self) -> Result<&Member, AppError> {
        match &self.principal {
            Principal::Member(m) => Ok(m),
            Principal::Public => Err(AppError::Forbidden("sign in first".into())),
        }
    }
}
