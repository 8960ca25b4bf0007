//! Stable identifiers: one UUID newtype per kind of object, so a `CaseId` can never be
//! passed where a `LeadId` is wanted. The store keeps them as `uuid` (PostgreSQL) or a
//! 16-byte blob / text (SQLite). New ids are UUIDv7 (time-ordered, so B-tree inserts stay
//! local); the domain never makes one itself: callers pass them in, which keeps every
//! command deterministic and testable.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7). For the store and server; the domain
            /// itself never calls it.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }

            /// The id with the given 128-bit value (tests, fixtures).
            pub const fn from_u128(v: u128) -> Self {
                Self(Uuid::from_u128(v))
            }

            /// The UUID inside.
            pub const fn uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An organization: agency, coordination office, platform or rights holder.
    OrgId
);
id_type!(
    /// A person who signs in.
    UserId
);
id_type!(
    /// A market subject (enterprise, individual business, person, website).
    SubjectId
);
id_type!(
    /// A shop on a platform.
    ShopId
);
id_type!(
    /// A listing (one offer on a platform); its content lives in dated snapshots.
    ListingId
);
id_type!(
    /// One dated snapshot of a listing.
    SnapshotId
);
id_type!(
    /// A lead (线索).
    LeadId
);
id_type!(
    /// A case (案件).
    CaseId
);
id_type!(
    /// A deadline (限时办结 item).
    DeadlineId
);
id_type!(
    /// A transfer order (线索移送 / 案件移送 / 两法衔接).
    TransferId
);
id_type!(
    /// An assist request (协查).
    AssistRequestId
);
id_type!(
    /// A supervision mark (督办).
    SupervisionId
);
id_type!(
    /// A seized item (涉案物品).
    SeizedItemId
);
id_type!(
    /// A piece of evidence in the evidence log (the `ledger` crate owns its content).
    EvidenceId
);
id_type!(
    /// One audit event.
    AuditEventId
);
id_type!(
    /// A submitted statistics report (统计报表).
    ReportSubmissionId
);
id_type!(
    /// One user action (an HTTP request): groups the audit events it caused.
    RequestId
);
