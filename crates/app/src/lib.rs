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
//! - [`reports`]: the statistics reports — generated, submitted, aggregated, exported
//!   (CSV, XLSX) — and the reporting calendar;
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
pub mod notices;
pub mod policy;
pub mod reports;
pub mod rules;
pub mod workflow;

use std::sync::{Arc, RwLock};

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
    /// The store's calendar and the notice sequence it was read at.
    calendar: RwLock<(i64, Arc<Calendar>)>,
    /// The screening index of the blacklist (`workflow::credit`).
    screen_index: RwLock<Option<Arc<workflow::credit::CachedIndex>>>,
    /// Seller networks, caught up from the store's identifier rows (issue 18).
    networks: workflow::networks::NetworkCache,
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
                calendar: RwLock::new((-1, Arc::new(Calendar::china().clone()))),
                screen_index: RwLock::new(None),
                networks: Default::default(),
            }),
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// This process's seller networks (see [`workflow::networks`]).
    pub(crate) fn network_cache(&self) -> &workflow::networks::NetworkCache {
        &self.inner.networks
    }

    /// The rule set in force.
    pub fn rules(&self) -> &ActiveRules {
        &self.inner.rules
    }

    /// The working-day calendar deadlines are counted on: the embedded notices plus the
    /// ones loaded into the store (by this or another process), re-read when a notice
    /// was added since (one cheap query per call). Years without a notice are answered
    /// provisionally from the statutory rules, and flagged.
    pub async fn calendar(&self) -> Result<Arc<Calendar>, AppError> {
        let cached = match self.inner.calendar.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let version = self.store().calendar_version().await?;
        if version == cached.0 {
            return Ok(cached.1);
        }
        let fresh = Arc::new(self.store().calendar().await?);
        let mut slot = match self.inner.calendar.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = (version, fresh.clone());
        Ok(fresh)
    }

    /// The domain's deadline environment: the rules (with their cited defaults) and the
    /// calendar `cal` (from [`Self::calendar`]).
    pub fn env<'a>(&self, cal: &'a Calendar) -> Env<'a> {
        Env {
            rules: self.inner.deadlines,
            overrides: &[],
            calendar: cal,
        }
    }

    /// The cached screening index (see `workflow::credit`).
    pub(crate) fn screen_cache(&self) -> Option<Arc<workflow::credit::CachedIndex>> {
        match self.inner.screen_index.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn set_screen_cache(&self, c: workflow::credit::CachedIndex) {
        let mut slot = match self.inner.screen_index.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Some(Arc::new(c));
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
