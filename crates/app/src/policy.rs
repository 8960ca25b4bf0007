//! The one policy module: who may see and do what. Every use case asks here; nothing else
//! (server route, CLI command, worker) decides permissions (the case state machine's own role checks are reached
//! through [`wangjian_domain::may`], called from here).
//!
//! # The rules (issue 6)
//!
//! - An **agency**'s officers and supervisors see the cases it is responsible for, the ones
//!   it registered (originating), the ones shared with it, and the ones transferred to it
//!   (pending, accepted or reported; not after it refused); its leads and the leads shared
//!   with it; every listing (patrol); every mark; the notices it sent; the complaints it
//!   handles; its own unpublished penalty decisions. They change only what their agency is
//!   responsible for; case transitions are decided by the state machine's table.
//! - A **coordination office** (双打办) sees every case whose responsible or originating
//!   agency lies in its region, read-only; its supervisors may supervise (督办) them.
//! - A **platform**'s operators see the listings it pushed, the leads it submitted and the
//!   notices sent to it, and answer those notices. The leads it submitted include the scan
//!   leads of the listings it pushed (`POST /api/v1/listings` answers with them anyway, and
//!   the platform must act on what its own listings show: 电子商务法 第二十九条,
//!   自查自纠). They see no case and no lead of an agency's own patrol (that would tip off
//!   the seller before the agency acts). Only a platform's operators push listings, for
//!   their own platform ([`may_push_listings`]).
//! - A **rights holder**'s agents see and manage its own marks and its own complaints, and
//!   the leads they became. Not every lead that cites their marks: a scan lead is an
//!   unverified suspicion about a third party, the agency's working material; the agency
//!   brings the rights holder in when it asks for identification (鉴定), per case.
//! - An agency's leads are those it received: a pushed listing's lead goes to the
//!   market-regulation agency with the most specific jurisdiction over the seller's region
//!   (else the platform's), so "its region" is decided once, when the lead is routed, and
//!   the lead queue reads `leads.org` (see `api::listings`). A coordination office sees
//!   cases, not the leads of its member units.
//! - An **admin** manages the memberships of their own organization and nothing else
//!   (separation of duties: no case access by being admin).
//! - **The public** sees published penalty decisions only.
//! - **Transfer orders and seized goods** are read with their case (whoever reads the
//!   case reads them; the receiver of a transfer reads the case until it refuses). The
//!   receiving agency reports a transfer's outcome (feedback); the agency holding seized
//!   goods records their handovers and destruction. Recording a seizure or sending an
//!   assist request is a change to the case: the case's write rule.
//! - **Evidence** (证据: captured snapshots, the case's evidence package) is read with its
//!   case; adding evidence is a change to the case: the case's write rule. The evidence
//!   log's signed tree heads and public keys are public ([`may_read_log_head`]); having
//!   one signed is for agencies' and coordination offices' workers ([`may_sign_log_head`]).
//! - A **complaint**'s submitter contact is read in full by the handling agency's workers
//!   only ([`may_read_contact`]), each read recorded; everyone else sees it masked.
//! - An **assist request** (协查) is read by the workers of the asking and the asked
//!   agency and by the coordination office of either one's region; only the asked
//!   agency answers it. Platforms, rights holders and the public see none of these.
//!
//! - A **statistics report** (统计报表, issue 16) is read by its reporting unit's workers
//!   (a platform's operators for its own weekly report) and by the coordination office of
//!   the unit's region, which also reads its region's aggregate; only the unit submits it,
//!   by a supervisor (审核报送) or, for a platform, its operator. An officer prepares and
//!   previews the report; the office receives, never submits.
//!
//! - **Brushing groups** (刷单炒信, issue 18) are read by the operators of the platform
//!   whose orders showed them, by the agencies and coordination offices of a region where
//!   one of the group's shops is placed (by an address or credit code among its
//!   identifiers), and by the agency the group became a lead of. The agencies reading
//!   them review them and turn them into leads; platforms only read.
//! - **Seller networks** (循线深挖) cross platforms, so no platform reads them (it would
//!   learn another platform's shops); agencies and offices read those with a member shop
//!   in their region, and an agency those with a member shop its leads name. Uploading
//!   shop identifiers or orders is for a platform's operators (their own platform) and
//!   agencies' case workers importing ([`may_upload_shop_data`]).
//!
//! Deny by default: a role that does not fit the organization's kind (a platform operator
//! of an agency) grants nothing.
//!
//! # Unknown and forbidden answer alike
//!
//! [`decide`] answers [`Access::Hidden`] whenever the caller may not *read* the object,
//! whatever the action: the server turns it into the same 404 it gives for an id that does
//! not exist. Only an object the caller can read may answer 403 ([`Access::Forbidden`]).
//!
//! # Lists
//!
//! [`list_scope`] gives the store the filter for a list query as data ([`Scope`]): the
//! store turns it into a `WHERE` clause, so pagination and counts never see a row the
//! caller may not read. A test proves that for every caller and object, the scope admits
//! the object exactly when [`decide`] allows reading it.

use wangjian_domain::case::{Action as CaseAction, CaseView};
use wangjian_domain::org::{Actor, OrgKind, RegionCode, Role};
use wangjian_domain::{may, OrgId};

use crate::error::AppError;

mod credit;
pub use credit::{
    disclosure_board_scope, may_add_credit_record, may_enter_blacklist, may_read_credit_file,
    may_repair_blacklist, may_screen, BoardScope,
};

/// A signed-in user acting for one organization, with what the policy needs to know about
/// that organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// User, organization and roles there.
    pub actor: Actor,
    /// What the organization is.
    pub org_kind: OrgKind,
    /// Its region.
    pub region: RegionCode,
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No sign-in (the public portal).
    Public,
    /// A signed-in member of an organization.
    Member(Member),
}

/// What a member can do by virtue of their organization's kind and their roles there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capacity {
    /// Officer or supervisor of an agency.
    CaseWorker,
    /// Officer or supervisor of a coordination office.
    Coordinator,
    /// Operator of a platform.
    PlatformOperator,
    /// Agent of a rights holder.
    RightsHolderAgent,
    /// Nothing but maybe admin duties.
    None,
}

impl Member {
    fn capacity(&self) -> Capacity {
        let a = &self.actor;
        let worker = a.has(Role::Officer) || a.has(Role::Supervisor);
        match self.org_kind {
            OrgKind::Agency { .. } if worker => Capacity::CaseWorker,
            OrgKind::CoordinationOffice if worker => Capacity::Coordinator,
            OrgKind::Platform if a.has(Role::PlatformOperator) => Capacity::PlatformOperator,
            OrgKind::RightsHolder if a.has(Role::RightsHolderAgent) => Capacity::RightsHolderAgent,
            _ => Capacity::None,
        }
    }

    fn org(&self) -> OrgId {
        self.actor.org
    }
}

/// What the policy needs to know about a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// State, responsible agency, officers, pending receiver (the state machine's view).
    pub view: CaseView,
    /// The agency that registered it.
    pub originating_org: OrgId,
    /// The responsible agency's region.
    pub region: RegionCode,
    /// The originating agency's region.
    pub originating_region: RegionCode,
    /// Agencies it is explicitly shared with (a sharing list, never hop counts).
    pub shared_with: Vec<OrgId>,
    /// Receivers of its transfer orders that were sent, accepted or reported on (not
    /// refused).
    pub transferred_to: Vec<OrgId>,
}

/// What the policy needs to know about a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadFacts {
    /// The agency that received it.
    pub org: OrgId,
    /// The organizations that delivered it: the platform that pushed its listing (and
    /// any other that delivered the same snapshot), the rights holder whose complaint it
    /// came from.
    pub delivered_by: Vec<OrgId>,
    /// Agencies it is shared with.
    pub shared_with: Vec<OrgId>,
}

/// The policy's view of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A case.
    Case(CaseFacts),
    /// A lead.
    Lead(LeadFacts),
    /// A listing, pushed by or patrolled on a platform.
    Listing {
        /// The platform organization.
        platform: OrgId,
    },
    /// A notice (通知—删除) from an agency or a rights holder to a platform.
    Notice {
        /// The agency or rights holder that sent it.
        sender: OrgId,
        /// The platform it was sent to.
        recipient: OrgId,
    },
    /// A complaint (投诉) by a rights holder, handled by an agency.
    Complaint {
        /// The complaining organization, when it has an account (not a member of the
        /// public).
        complainant: Option<OrgId>,
        /// The agency handling it.
        handler: OrgId,
    },
    /// A protected mark.
    Mark {
        /// The rights holder owning it.
        owner: OrgId,
    },
    /// A penalty decision.
    Decision {
        /// The deciding agency.
        org: OrgId,
        /// Published (信息公开).
        published: bool,
    },
    /// The memberships (users and roles) of an organization.
    Memberships {
        /// The organization.
        org: OrgId,
    },
    /// A transfer order or criminal referral, read with its case.
    Transfer {
        /// Its case.
        case: CaseFacts,
        /// The receiving agency (or police).
        receiver: OrgId,
    },
    /// A regional assist request (协查).
    AssistRequest {
        /// The asking agency.
        sender: OrgId,
        /// Its region.
        sender_region: RegionCode,
        /// The asked agency.
        receiver: OrgId,
        /// Its region.
        receiver_region: RegionCode,
    },
    /// A seized item (涉案物品), read with its case.
    SeizedItem {
        /// Its case.
        case: CaseFacts,
        /// The agency that seized and holds it.
        holder: OrgId,
    },
    /// A platform's duties record: its self-inspection records (自查自纠), its weekly
    /// figures (附件1) and its notice metrics.
    PlatformDuties {
        /// The platform.
        platform: OrgId,
    },
    /// A statistics report (generated or submitted) of a reporting unit, or a coordination
    /// office's aggregate of a region (`unit` the office, `region` the part of its region).
    Report {
        /// The reporting unit.
        unit: OrgId,
        /// The region it covers.
        region: RegionCode,
    },
    /// A suspicious brushing group (刷单炒信) found in a platform's orders.
    BrushingGroup {
        /// The platform whose orders showed it.
        platform: OrgId,
        /// The regions its shops are placed in.
        shop_regions: Vec<RegionCode>,
        /// The agency it became a lead of.
        lead_org: Option<OrgId>,
    },
    /// A seller network (shops linked by shared identifiers, across platforms).
    SellerNetwork {
        /// The regions its shops are placed in.
        shop_regions: Vec<RegionCode>,
        /// Agencies holding a lead that names one of its shops.
        lead_orgs: Vec<OrgId>,
    },
}

/// The kinds of [`Resource`], for list scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// Cases.
    Case,
    /// Leads.
    Lead,
    /// Listings.
    Listing,
    /// Notices.
    Notice,
    /// Complaints.
    Complaint,
    /// Marks.
    Mark,
    /// Penalty decisions.
    Decision,
    /// Memberships.
    Memberships,
    /// Transfer orders.
    Transfer,
    /// Assist requests.
    AssistRequest,
    /// Seized items.
    SeizedItem,
    /// Platforms' duty records (self-inspection, weekly figures, notice metrics).
    PlatformDuties,
    /// Statistics reports.
    Report,
    /// Brushing groups.
    BrushingGroup,
    /// Seller networks.
    SellerNetwork,
}

impl ResourceKind {
    /// Every kind.
    pub const ALL: [ResourceKind; 15] = [
        Self::Case,
        Self::Lead,
        Self::Listing,
        Self::Notice,
        Self::Complaint,
        Self::Mark,
        Self::Decision,
        Self::Memberships,
        Self::Transfer,
        Self::AssistRequest,
        Self::SeizedItem,
        Self::PlatformDuties,
        Self::Report,
        Self::BrushingGroup,
        Self::SellerNetwork,
    ];
}

impl Resource {
    /// Its kind.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Self::Case(_) => ResourceKind::Case,
            Self::Lead(_) => ResourceKind::Lead,
            Self::Listing { .. } => ResourceKind::Listing,
            Self::Notice { .. } => ResourceKind::Notice,
            Self::Complaint { .. } => ResourceKind::Complaint,
            Self::Mark { .. } => ResourceKind::Mark,
            Self::Decision { .. } => ResourceKind::Decision,
            Self::Memberships { .. } => ResourceKind::Memberships,
            Self::Transfer { .. } => ResourceKind::Transfer,
            Self::AssistRequest { .. } => ResourceKind::AssistRequest,
            Self::SeizedItem { .. } => ResourceKind::SeizedItem,
            Self::PlatformDuties { .. } => ResourceKind::PlatformDuties,
            Self::Report { .. } => ResourceKind::Report,
            Self::BrushingGroup { .. } => ResourceKind::BrushingGroup,
            Self::SellerNetwork { .. } => ResourceKind::SellerNetwork,
        }
    }

    /// The case an object is read with (transfer orders and seized goods), if any.
    fn read_with_case(&self) -> Option<&CaseFacts> {
        match self {
            Self::Transfer { case, .. } | Self::SeizedItem { case, .. } => Some(case),
            _ => None,
        }
    }
}

/// What the caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See it.
    Read,
    /// Change it as its owner (edit fields, answer a notice, dismiss a lead, add evidence).
    Write,
    /// Move a case through its state machine.
    Transition(CaseAction),
    /// Mark a case for supervision (督办).
    Supervise,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Go ahead.
    Allow,
    /// The caller may not see it: answer exactly as for an unknown id (404).
    Hidden,
    /// The caller sees it but may not do this (403), with the reason.
    Forbidden(String),
}

impl Access {
    /// True for [`Access::Allow`].
    pub fn is_allow(&self) -> bool {
        matches!(self, Self::Allow)
    }

    /// The answer as a result: `Hidden` becomes the unknown id's [`AppError::NotFound`].
    pub fn into_result(self) -> Result<(), AppError> {
        match self {
            Self::Allow => Ok(()),
            Self::Hidden => Err(AppError::NotFound),
            Self::Forbidden(why) => Err(AppError::Forbidden(why)),
        }
    }
}

fn forbid(why: &str) -> Access {
    Access::Forbidden(why.to_string())
}

/// Decides whether `who` may do `action` to `what`.
pub fn decide(who: &Principal, action: Action, what: &Resource) -> Access {
    if !may_read(who, what) {
        return Access::Hidden;
    }
    let m = match who {
        Principal::Member(m) => m,
        // The public can read what is published, and nothing else.
        Principal::Public => {
            return match action {
                Action::Read => Access::Allow,
                _ => forbid("sign in first"),
            }
        }
    };
    match action {
        Action::Read => Access::Allow,
        Action::Write => may_write(m, what),
        Action::Transition(a) => match what {
            Resource::Case(c) => match may(&m.actor, a, &c.view) {
                Ok(()) => Access::Allow,
                Err(denied) => Access::Forbidden(denied.to_string()),
            },
            _ => forbid("only cases have transitions"),
        },
        Action::Supervise => match what {
            Resource::Case(c)
                if m.capacity() == Capacity::Coordinator
                    && m.actor.has(Role::Supervisor)
                    && m.region.contains(&c.region) =>
            {
                Access::Allow
            }
            Resource::Case(_) => forbid("supervision (督办) is for the coordination office's supervisors of the case's region"),
            _ => forbid("only cases are supervised"),
        },
    }
}

/// May `who` send notices (通知—删除)? An agency's officers and supervisors, and a rights
/// holder's agents (电子商务法 第四十二条: the rights holder notifies); never a platform.
pub fn may_send_notices(who: &Principal) -> Access {
    match who {
        Principal::Member(m)
            if matches!(
                m.capacity(),
                Capacity::CaseWorker | Capacity::RightsHolderAgent
            ) =>
        {
            Access::Allow
        }
        Principal::Member(_) => {
            forbid("only agencies' officers and rights holders' agents send notices")
        }
        Principal::Public => forbid("sign in first"),
    }
}

/// May `who` push listings (`POST /api/v1/listings`)? Only a platform's operators, and
/// the listings are always their own platform's (the route takes the platform from the
/// caller, never from the body).
pub fn may_push_listings(who: &Principal) -> Access {
    match who {
        Principal::Member(m) if m.capacity() == Capacity::PlatformOperator => Access::Allow,
        Principal::Member(_) => forbid("only a platform's operators push its listings"),
        Principal::Public => forbid("sign in first"),
    }
}

/// May `who` upload shop identifiers or a platform's orders? A platform's operators (for
/// their own platform: the route takes the platform from the caller) and agencies' case
/// workers importing what they obtained (naming the platform).
pub fn may_upload_shop_data(who: &Principal) -> Access {
    match who {
        Principal::Member(m)
            if matches!(
                m.capacity(),
                Capacity::PlatformOperator | Capacity::CaseWorker
            ) =>
        {
            Access::Allow
        }
        Principal::Member(_) => {
            forbid("only a platform's operators and agencies' case workers upload shop data")
        }
        Principal::Public => forbid("sign in first"),
    }
}

/// May `who` read the evidence log's public face: its signed tree heads (checkpoints) and
/// its public keys? Everyone, signed in or not: whoever holds an evidence package must be
/// able to pin the log and check its signatures without an account (FORMAT.md §3-§4 of
/// `wangjian-ledger`). Entries, blobs and packages are read with their case instead.
pub fn may_read_log_head(who: &Principal) -> Access {
    match who {
        Principal::Public | Principal::Member(_) => Access::Allow,
    }
}

/// May `who` have the server sign a tree head of the evidence log now (`POST
/// /api/v1/log/checkpoint`)? The case workers of agencies and coordination offices, whose
/// evidence the log holds. Reading heads is public ([`may_read_log_head`]); signing one is
/// a write, so it is never done on the public's behalf.
pub fn may_sign_log_head(who: &Principal) -> Access {
    match who {
        Principal::Member(m)
            if matches!(m.capacity(), Capacity::CaseWorker | Capacity::Coordinator) =>
        {
            Access::Allow
        }
        Principal::Member(_) => {
            forbid("only agencies and coordination offices have the evidence log signed")
        }
        Principal::Public => forbid("sign in first"),
    }
}

/// May `who` read the contact of a complaint's submitter in full? Only the case workers
/// of the handling agency (who must be able to call the complainant back); everyone else
/// who reads the complaint sees it masked (`complaint::masked_contact`), and each full
/// read is recorded as an audit event by the caller (个人信息保护法 第五十一条). An object the
/// caller may not read at all is [`Access::Hidden`], as everywhere.
pub fn may_read_contact(who: &Principal, what: &Resource) -> Access {
    if !may_read(who, what) {
        return Access::Hidden;
    }
    match (who, what) {
        (Principal::Member(m), Resource::Complaint { handler, .. })
            if m.capacity() == Capacity::CaseWorker && *handler == m.org() =>
        {
            Access::Allow
        }
        _ => forbid("only the handling agency reads a submitter's contact"),
    }
}

/// May `who` see `what`? The single read rule behind [`decide`] and [`Scope::admits`].
fn may_read(who: &Principal, what: &Resource) -> bool {
    let m = match who {
        Principal::Public => {
            return matches!(
                what,
                Resource::Decision {
                    published: true,
                    ..
                }
            )
        }
        Principal::Member(m) => m,
    };
    let org = m.org();
    let cap = m.capacity();
    if let Some(c) = what.read_with_case() {
        return may_read(who, &Resource::Case(c.clone()));
    }
    match what {
        Resource::Case(c) => match cap {
            Capacity::CaseWorker => {
                c.view.responsible_org == org
                    || c.originating_org == org
                    || c.view.pending_receiver == Some(org)
                    || c.shared_with.contains(&org)
                    || c.transferred_to.contains(&org)
            }
            Capacity::Coordinator => {
                m.region.contains(&c.region) || m.region.contains(&c.originating_region)
            }
            _ => false,
        },
        Resource::Lead(l) => match cap {
            Capacity::CaseWorker => l.org == org || l.shared_with.contains(&org),
            Capacity::PlatformOperator | Capacity::RightsHolderAgent => {
                l.delivered_by.contains(&org)
            }
            _ => false,
        },
        Resource::Listing { platform } => match cap {
            Capacity::CaseWorker | Capacity::Coordinator => true,
            Capacity::PlatformOperator => *platform == org,
            _ => false,
        },
        Resource::Notice { sender, recipient } => match cap {
            Capacity::CaseWorker | Capacity::RightsHolderAgent => *sender == org,
            Capacity::PlatformOperator => *recipient == org,
            _ => false,
        },
        // Regulators receive every platform's figures (seed 003 二); a platform its own.
        Resource::PlatformDuties { platform } => match cap {
            Capacity::CaseWorker | Capacity::Coordinator => true,
            Capacity::PlatformOperator => *platform == org,
            _ => false,
        },
        Resource::Complaint {
            complainant,
            handler,
        } => match cap {
            Capacity::CaseWorker => *handler == org,
            Capacity::RightsHolderAgent | Capacity::PlatformOperator => *complainant == Some(org),
            _ => false,
        },
        Resource::Mark { owner } => match cap {
            Capacity::CaseWorker | Capacity::Coordinator => true,
            Capacity::RightsHolderAgent => *owner == org,
            _ => false,
        },
        Resource::Decision { org: by, published } => {
            *published || (cap == Capacity::CaseWorker && *by == org)
        }
        Resource::Memberships { org: of } => *of == org && m.actor.has(Role::Admin),
        Resource::AssistRequest {
            sender,
            sender_region,
            receiver,
            receiver_region,
        } => match cap {
            Capacity::CaseWorker => *sender == org || *receiver == org,
            Capacity::Coordinator => {
                m.region.contains(sender_region) || m.region.contains(receiver_region)
            }
            _ => false,
        },
        Resource::Report { unit, region } => match cap {
            // Its own report covers its own region, never an aggregate of another.
            Capacity::CaseWorker | Capacity::PlatformOperator => {
                *unit == org && *region == m.region
            }
            Capacity::Coordinator => m.region.contains(region),
            _ => false,
        },
        Resource::BrushingGroup {
            platform,
            shop_regions,
            lead_org,
        } => match cap {
            Capacity::PlatformOperator => *platform == org,
            Capacity::CaseWorker => {
                *lead_org == Some(org) || shop_regions.iter().any(|r| m.region.contains(r))
            }
            Capacity::Coordinator => shop_regions.iter().any(|r| m.region.contains(r)),
            _ => false,
        },
        Resource::SellerNetwork {
            shop_regions,
            lead_orgs,
        } => match cap {
            Capacity::CaseWorker => {
                lead_orgs.contains(&org) || shop_regions.iter().any(|r| m.region.contains(r))
            }
            Capacity::Coordinator => shop_regions.iter().any(|r| m.region.contains(r)),
            _ => false,
        },
        // Read with their case, above.
        Resource::Transfer { .. } | Resource::SeizedItem { .. } => false,
    }
}

/// May member `m`, who can read `what`, change it?
fn may_write(m: &Member, what: &Resource) -> Access {
    let org = m.org();
    let cap = m.capacity();
    let supervisor = m.actor.has(Role::Supervisor);
    match what {
        Resource::Case(c) => {
            if cap != Capacity::CaseWorker || c.view.responsible_org != org {
                return forbid("only the responsible agency changes a case");
            }
            let assigned = c.view.case_officer.is_none()
                || c.view.case_officer == Some(m.actor.user)
                || c.view.co_officers.contains(&m.actor.user);
            if supervisor || assigned {
                Access::Allow
            } else {
                forbid("only the case officer, a co-officer or a supervisor changes this case")
            }
        }
        Resource::Lead(l) => {
            if cap == Capacity::CaseWorker && l.org == org {
                Access::Allow
            } else {
                forbid("only the receiving agency works a lead")
            }
        }
        Resource::Listing { platform } => {
            if cap == Capacity::PlatformOperator && *platform == org {
                Access::Allow
            } else {
                forbid("only the platform changes its listings")
            }
        }
        Resource::Notice { sender, recipient } => {
            let ok = (matches!(cap, Capacity::CaseWorker | Capacity::RightsHolderAgent)
                && *sender == org)
                || (cap == Capacity::PlatformOperator && *recipient == org);
            if ok {
                Access::Allow
            } else {
                forbid("only the sender and the receiving platform act on a notice")
            }
        }
        Resource::PlatformDuties { platform } => {
            if cap == Capacity::PlatformOperator && *platform == org {
                Access::Allow
            } else {
                forbid("only the platform records its own self-inspection")
            }
        }
        Resource::Complaint {
            complainant,
            handler,
        } => {
            let ok = (cap == Capacity::CaseWorker && *handler == org)
                || (matches!(
                    cap,
                    Capacity::RightsHolderAgent | Capacity::PlatformOperator
                ) && *complainant == Some(org));
            if ok {
                Access::Allow
            } else {
                forbid("only the complainant and the handling agency act on a complaint")
            }
        }
        Resource::Mark { owner } => {
            if cap == Capacity::RightsHolderAgent && *owner == org {
                Access::Allow
            } else {
                forbid("only the rights holder manages its marks")
            }
        }
        Resource::Decision { org: by, .. } => {
            if cap == Capacity::CaseWorker && supervisor && *by == org {
                Access::Allow
            } else {
                forbid("only the deciding agency's supervisor changes a penalty decision")
            }
        }
        // Readable means: admin of this organization.
        Resource::Memberships { .. } => Access::Allow,
        Resource::Transfer { receiver, .. } => {
            if cap == Capacity::CaseWorker && *receiver == org {
                Access::Allow
            } else {
                forbid("only the receiving agency reports on a transfer")
            }
        }
        Resource::AssistRequest { receiver, .. } => {
            if cap == Capacity::CaseWorker && *receiver == org {
                Access::Allow
            } else {
                forbid("only the asked agency answers an assist request")
            }
        }
        Resource::SeizedItem { holder, .. } => {
            if cap == Capacity::CaseWorker && *holder == org {
                Access::Allow
            } else {
                forbid("only the agency holding seized goods records their custody")
            }
        }
        Resource::Report { unit, .. } => {
            let ok = *unit == org
                && ((cap == Capacity::CaseWorker && supervisor)
                    || cap == Capacity::PlatformOperator);
            if ok {
                Access::Allow
            } else {
                forbid("only a supervisor of the reporting unit (a platform's operator for its weekly report) submits it")
            }
        }
        // Every agency reading a group may review it and turn it into its own lead.
        Resource::BrushingGroup { .. } => {
            if cap == Capacity::CaseWorker {
                Access::Allow
            } else {
                forbid("only agencies review brushing groups")
            }
        }
        Resource::SellerNetwork { .. } => {
            forbid("networks follow from identifiers; nobody edits one")
        }
    }
}

/// A column set the store filters on: "rows where this party is the caller's
/// organization". The store maps each to its column(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// `cases.responsible_org`.
    Responsible,
    /// `cases.originating_org`.
    Originating,
    /// `cases.pending_receiver`.
    PendingReceiver,
    /// A row in the case's or lead's sharing list.
    SharedWith,
    /// A non-refused transfer order of the case to the organization.
    TransferredTo,
    /// `leads.org`.
    LeadOrg,
    /// `leads.submitted_by`, or a receipt of the lead's snapshot.
    Submitter,
    /// `listings.platform`.
    Platform,
    /// `notices.sender`.
    Sender,
    /// `notices.recipient`.
    Recipient,
    /// `complaints.complainant`.
    Complainant,
    /// `complaints.handler`.
    Handler,
    /// `marks.owner`.
    Owner,
    /// `decisions.org`.
    DecidingOrg,
    /// The organization whose memberships are listed.
    MembersOf,
    /// `assist_requests.from_org`.
    AssistSender,
    /// `assist_requests.to_org`.
    AssistReceiver,
    /// `report_submissions.unit`.
    ReportUnit,
    /// `brushing_groups.platform`.
    GroupPlatform,
    /// The agency of the lead a brushing group became; of a lead naming a network's shop.
    LeadOfShop,
}

/// The filter of a list query, as data for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No rows (the route still answers 200 with an empty page).
    Nothing,
    /// All rows.
    All,
    /// Rows where any of `parties` is `org`.
    Parties {
        /// The caller's organization.
        org: OrgId,
        /// The columns to compare.
        parties: Vec<Party>,
    },
    /// Cases whose responsible or originating agency lies in the region (prefix match).
    Region(RegionCode),
    /// Published decisions.
    Published,
    /// Rows admitted by any of these.
    AnyOf(Vec<Scope>),
}

fn parties(org: OrgId, p: &[Party]) -> Scope {
    Scope::Parties {
        org,
        parties: p.to_vec(),
    }
}

/// The filter for listing objects of `kind` as `who`.
pub fn list_scope(who: &Principal, kind: ResourceKind) -> Scope {
    use Party as P;
    let m = match who {
        Principal::Public => {
            return match kind {
                ResourceKind::Decision => Scope::Published,
                _ => Scope::Nothing,
            }
        }
        Principal::Member(m) => m,
    };
    let org = m.org();
    let cap = m.capacity();
    match (kind, cap) {
        // Read with their case: the case's filter, applied to the case.
        (ResourceKind::Transfer | ResourceKind::SeizedItem, _) => {
            list_scope(who, ResourceKind::Case)
        }
        (ResourceKind::AssistRequest, Capacity::CaseWorker) => {
            parties(org, &[P::AssistSender, P::AssistReceiver])
        }
        (ResourceKind::AssistRequest, Capacity::Coordinator) => Scope::Region(m.region.clone()),
        (ResourceKind::Case, Capacity::CaseWorker) => parties(
            org,
            &[
                P::Responsible,
                P::Originating,
                P::PendingReceiver,
                P::SharedWith,
                P::TransferredTo,
            ],
        ),
        (ResourceKind::Case, Capacity::Coordinator) => Scope::Region(m.region.clone()),
        (ResourceKind::Report, Capacity::CaseWorker | Capacity::PlatformOperator) => {
            parties(org, &[P::ReportUnit])
        }
        (ResourceKind::Report, Capacity::Coordinator) => Scope::Region(m.region.clone()),
        (ResourceKind::Lead, Capacity::CaseWorker) => parties(org, &[P::LeadOrg, P::SharedWith]),
        (ResourceKind::Lead, Capacity::PlatformOperator | Capacity::RightsHolderAgent) => {
            parties(org, &[P::Submitter])
        }
        (ResourceKind::Listing, Capacity::CaseWorker | Capacity::Coordinator) => Scope::All,
        (ResourceKind::Listing, Capacity::PlatformOperator) => parties(org, &[P::Platform]),
        (ResourceKind::Notice, Capacity::CaseWorker | Capacity::RightsHolderAgent) => {
            parties(org, &[P::Sender])
        }
        (ResourceKind::PlatformDuties, Capacity::CaseWorker | Capacity::Coordinator) => Scope::All,
        (ResourceKind::PlatformDuties, Capacity::PlatformOperator) => parties(org, &[P::Platform]),
        (ResourceKind::Notice, Capacity::PlatformOperator) => parties(org, &[P::Recipient]),
        (ResourceKind::Complaint, Capacity::CaseWorker) => parties(org, &[P::Handler]),
        (ResourceKind::Complaint, Capacity::RightsHolderAgent | Capacity::PlatformOperator) => {
            parties(org, &[P::Complainant])
        }
        (ResourceKind::Mark, Capacity::CaseWorker | Capacity::Coordinator) => Scope::All,
        (ResourceKind::Mark, Capacity::RightsHolderAgent) => parties(org, &[P::Owner]),
        (ResourceKind::Decision, Capacity::CaseWorker) => {
            Scope::AnyOf(vec![Scope::Published, parties(org, &[P::DecidingOrg])])
        }
        (ResourceKind::Decision, _) => Scope::Published,
        (ResourceKind::Memberships, _) if m.actor.has(Role::Admin) => parties(org, &[P::MembersOf]),
        (ResourceKind::BrushingGroup | ResourceKind::SellerNetwork, Capacity::CaseWorker) => {
            Scope::AnyOf(vec![
                Scope::Region(m.region.clone()),
                parties(org, &[P::LeadOfShop]),
            ])
        }
        (ResourceKind::BrushingGroup | ResourceKind::SellerNetwork, Capacity::Coordinator) => {
            Scope::Region(m.region.clone())
        }
        (ResourceKind::BrushingGroup, Capacity::PlatformOperator) => {
            parties(org, &[P::GroupPlatform])
        }
        _ => Scope::Nothing,
    }
}

impl Scope {
    /// Does the filter admit `what`? (What the store's `WHERE` clause must compute.)
    pub fn admits(&self, what: &Resource) -> bool {
        if let Some(c) = what.read_with_case() {
            return self.admits(&Resource::Case(c.clone()));
        }
        match self {
            Self::Nothing => false,
            Self::All => true,
            Self::Published => matches!(
                what,
                Resource::Decision {
                    published: true,
                    ..
                }
            ),
            Self::Region(r) => match what {
                Resource::Case(c) => r.contains(&c.region) || r.contains(&c.originating_region),
                Resource::AssistRequest {
                    sender_region,
                    receiver_region,
                    ..
                } => r.contains(sender_region) || r.contains(receiver_region),
                Resource::Report { region, .. } => r.contains(region),
                Resource::BrushingGroup { shop_regions, .. }
                | Resource::SellerNetwork { shop_regions, .. } => {
                    shop_regions.iter().any(|s| r.contains(s))
                }
                _ => false,
            },
            Self::AnyOf(v) => v.iter().any(|s| s.admits(what)),
            Self::Parties { org, parties } => parties.iter().any(|p| party_is(*p, *org, what)),
        }
    }
}

fn party_is(p: Party, org: OrgId, what: &Resource) -> bool {
    use Party as P;
    match (p, what) {
        (P::Responsible, Resource::Case(c)) => c.view.responsible_org == org,
        (P::Originating, Resource::Case(c)) => c.originating_org == org,
        (P::PendingReceiver, Resource::Case(c)) => c.view.pending_receiver == Some(org),
        (P::SharedWith, Resource::Case(c)) => c.shared_with.contains(&org),
        (P::TransferredTo, Resource::Case(c)) => c.transferred_to.contains(&org),
        (P::LeadOrg, Resource::Lead(l)) => l.org == org,
        (P::SharedWith, Resource::Lead(l)) => l.shared_with.contains(&org),
        (P::Submitter, Resource::Lead(l)) => l.delivered_by.contains(&org),
        (P::Platform, Resource::Listing { platform }) => *platform == org,
        (P::Platform, Resource::PlatformDuties { platform }) => *platform == org,
        (P::Sender, Resource::Notice { sender, .. }) => *sender == org,
        (P::Recipient, Resource::Notice { recipient, .. }) => *recipient == org,
        (P::Complainant, Resource::Complaint { complainant, .. }) => *complainant == Some(org),
        (P::Handler, Resource::Complaint { handler, .. }) => *handler == org,
        (P::Owner, Resource::Mark { owner }) => *owner == org,
        (P::DecidingOrg, Resource::Decision { org: by, .. }) => *by == org,
        (P::MembersOf, Resource::Memberships { org: of }) => *of == org,
        (P::AssistSender, Resource::AssistRequest { sender, .. }) => *sender == org,
        (P::AssistReceiver, Resource::AssistRequest { receiver, .. }) => *receiver == org,
        (P::ReportUnit, Resource::Report { unit, .. }) => *unit == org,
        (P::GroupPlatform, Resource::BrushingGroup { platform, .. }) => *platform == org,
        (P::LeadOfShop, Resource::BrushingGroup { lead_org, .. }) => *lead_org == Some(org),
        (P::LeadOfShop, Resource::SellerNetwork { lead_orgs, .. }) => lead_orgs.contains(&org),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
