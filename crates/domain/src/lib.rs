//! The wangjian domain model: who the actors are, what a lead and a case are, how a case
//! moves through the steps of an administrative case (线索登记 → 核查 → 立案 → 调查取证 →
//! 检验鉴定 → 处罚告知 → 处罚决定 → 执行 → 结案, with referral, transfer, suspension and
//! termination), which statutory deadlines run and when, how transfers, assist requests,
//! supervision and seized goods are recorded, and the audit event every change appends.
//!
//! # What it is for
//!
//! The rules of the work, in one place, as plain values and pure functions: the store
//! (`wangjian-store`) maps every type here 1:1 onto a table (each with a `version` column
//! for optimistic concurrency), and the server calls the commands here and writes what
//! they return. Every command returns a [`Change`]: the new values **and** their
//! [`AuditEvent`]s, so nothing changes without its record.
//!
//! # What it must never do
//!
//! No I/O (no files, network, clock or randomness: the time and fresh ids come in a
//! [`Context`]), no SQL, no HTTP, and no panics on outside input. It never stores a
//! citizen identity number in clear. It never passes off a provisional date as exact: a
//! deadline counted over a year whose holiday notice is not loaded says so (`provisional`),
//! and loading the notice recomputes it ([`calendar_notice`]).

#![deny(missing_docs)]

pub mod audit;
pub mod brushing;
pub mod calendar_notice;
pub mod case;
pub mod complaint;
pub mod credit;
pub mod deadline;
pub mod id;
pub mod lead;
pub mod notice;
pub mod org;
pub mod report;
pub mod routing;
pub mod seized;
pub mod self_inspection;
pub mod subject;
pub mod supervision;
pub mod transfer;

pub use audit::{AuditEvent, Change, Context, Events, ObjectType, Read};
pub use case::{
    may, render_state_diagram, Action, Case, CaseCommand, CaseError, CaseFile, CaseNumber,
    CaseState, CaseView, Denied, TRANSITIONS,
};
pub use deadline::{Deadline, DeadlineKind, DeadlineRule, DeadlineStatus, RuleSet};
pub use id::*;
pub use org::{Actor, AgencyType, OrgKind, Organization, RegionCode, Role};
