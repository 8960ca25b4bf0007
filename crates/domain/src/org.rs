//! Organizations (agencies, coordination offices, platforms, rights holders), their
//! region, and the roles people hold in them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::{OrgId, UserId};

/// Why an organization, region or role value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    /// Not six ASCII digits.
    #[error("region code {0:?} is not six digits (GB/T 2260)")]
    RegionFormat(String),
    /// Six digits, but no such division (current or retired) in GB/T 2260.
    #[error("region code {0} is not in the GB/T 2260 table")]
    RegionUnknown(String),
    /// An organization name was empty.
    #[error("an organization needs a name")]
    EmptyName,
}

/// A GB/T 2260 administrative division code (6 digits), checked against the table in
/// `wangjian-region` (current and retired codes).
///
/// Containment is by prefix, the way the store does it in SQL: a province (`33xxxx` ending
/// in `0000`) contains every code starting with its 2 digits, a prefecture (`xxxx00`) every
/// code starting with its 4 digits, a county only itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses and checks a code.
    pub fn parse(code: &str) -> Result<Self, OrgError> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OrgError::RegionFormat(code.to_string()));
        }
        if wangjian_region::lookup(code).is_none() {
            return Err(OrgError::RegionUnknown(code.to_string()));
        }
        Ok(Self(code.to_string()))
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefix every code within this division starts with: 2 digits for a province,
    /// 4 for a prefecture, 6 for a county. The store's SQL uses `LIKE prefix || '%'`.
    pub fn prefix(&self) -> &str {
        if self.0.ends_with("0000") {
            &self.0[..2]
        } else if self.0.ends_with("00") {
            &self.0[..4]
        } else {
            &self.0
        }
    }

    /// The level of the division, read off the code.
    pub fn level(&self) -> AdminLevel {
        match self.prefix().len() {
            2 => AdminLevel::Province,
            4 => AdminLevel::City,
            _ => AdminLevel::County,
        }
    }

    /// True when `other` is this division or lies within it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.prefix())
    }
}

impl TryFrom<String> for RegionCode {
    type Error = OrgError;
    fn try_from(s: String) -> Result<Self, OrgError> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(r: RegionCode) -> String {
        r.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The administrative level an organization works at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminLevel {
    /// 国家 (ministry level).
    National,
    /// 省级.
    Province,
    /// 市级 (prefecture).
    City,
    /// 县级 (county, district).
    County,
}

impl AdminLevel {
    /// The Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::National => "国家级",
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
        }
    }
}

/// The line of work of an agency. Serde names are the glossary's English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyType {
    /// 市场监管.
    MarketRegulation,
    /// 公安.
    Police,
    /// 检察院.
    Procuratorate,
    /// 法院.
    Court,
    /// 知识产权.
    IntellectualProperty,
    /// 版权.
    Copyright,
    /// 农业农村.
    Agriculture,
    /// 药监.
    DrugAdministration,
    /// 烟草.
    Tobacco,
    /// 海关.
    Customs,
    /// 邮政.
    Postal,
    /// 网信.
    Cyberspace,
    /// 通信管理.
    Telecom,
    /// 商务.
    Commerce,
    /// 文化和旅游.
    CultureTourism,
    /// 林业和草原.
    Forestry,
    /// 卫生健康.
    Health,
    /// 生态环境 (destruction of hazardous counterfeit goods, seed 002 二(三)12).
    Environment,
    /// 人民银行 (payments).
    CentralBank,
}

impl AgencyType {
    /// Every agency type, in a stable order (UI lists, tests).
    pub const ALL: [AgencyType; 19] = [
        Self::MarketRegulation,
        Self::Police,
        Self::Procuratorate,
        Self::Court,
        Self::IntellectualProperty,
        Self::Copyright,
        Self::Agriculture,
        Self::DrugAdministration,
        Self::Tobacco,
        Self::Customs,
        Self::Postal,
        Self::Cyberspace,
        Self::Telecom,
        Self::Commerce,
        Self::CultureTourism,
        Self::Forestry,
        Self::Health,
        Self::Environment,
        Self::CentralBank,
    ];

    /// The Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::MarketRegulation => "市场监管",
            Self::Police => "公安",
            Self::Procuratorate => "检察院",
            Self::Court => "法院",
            Self::IntellectualProperty => "知识产权",
            Self::Copyright => "版权",
            Self::Agriculture => "农业农村",
            Self::DrugAdministration => "药监",
            Self::Tobacco => "烟草",
            Self::Customs => "海关",
            Self::Postal => "邮政",
            Self::Cyberspace => "网信",
            Self::Telecom => "通信管理",
            Self::Commerce => "商务",
            Self::CultureTourism => "文化和旅游",
            Self::Forestry => "林业和草原",
            Self::Health => "卫生健康",
            Self::Environment => "生态环境",
            Self::CentralBank => "人民银行",
        }
    }

    /// True for the organs a criminal referral (两法衔接) goes to.
    pub fn receives_criminal_referrals(self) -> bool {
        matches!(self, Self::Police)
    }
}

/// What kind of organization it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrgKind {
    /// A government agency (行政执法机关, or police / procuratorate / court).
    Agency {
        /// Line of work.
        agency_type: AgencyType,
        /// Level it works at.
        level: AdminLevel,
    },
    /// 打击侵权假冒工作领导小组办公室 ("双打办"): supervises, sees its region read-only.
    CoordinationOffice,
    /// An e-commerce or service platform.
    Platform,
    /// A rights holder (brand owner).
    RightsHolder,
}

impl OrgKind {
    /// The Chinese label for the UI.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Agency { agency_type, .. } => agency_type.label_zh(),
            Self::CoordinationOffice => "双打办",
            Self::Platform => "平台",
            Self::RightsHolder => "权利人",
        }
    }

    /// The agency type, when it is an agency.
    pub fn agency_type(&self) -> Option<AgencyType> {
        match self {
            Self::Agency { agency_type, .. } => Some(*agency_type),
            _ => None,
        }
    }
}

/// An organization. Table `organizations` (kind, agency_type, level as columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Stable id.
    pub id: OrgId,
    /// Full name (杭州市市场监督管理局).
    pub name: String,
    /// Short prefix used in case numbers (浙杭市监), or a code like `HZSJ`.
    pub case_prefix: String,
    /// What it is.
    pub kind: OrgKind,
    /// Where it works; platforms and rights holders have their registered region.
    pub region: RegionCode,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl Organization {
    /// Builds an organization, refusing an empty name.
    pub fn new(
        id: OrgId,
        name: &str,
        case_prefix: &str,
        kind: OrgKind,
        region: RegionCode,
    ) -> Result<Self, OrgError> {
        if name.trim().is_empty() || case_prefix.trim().is_empty() {
            return Err(OrgError::EmptyName);
        }
        Ok(Self {
            id,
            name: name.trim().to_string(),
            case_prefix: case_prefix.trim().to_string(),
            kind,
            region,
            version: 1,
        })
    }
}

/// A role a user holds in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 执法人员: works leads and cases.
    Officer,
    /// 负责人: approves (open, decline, penalty, extensions, referrals).
    Supervisor,
    /// 系统管理员: manages users and settings; no case actions (separation of duties).
    Admin,
    /// A platform's compliance operator.
    PlatformOperator,
    /// A rights holder's agent.
    RightsHolderAgent,
}

impl Role {
    /// The Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Officer => "执法人员",
            Self::Supervisor => "负责人",
            Self::Admin => "管理员",
            Self::PlatformOperator => "平台操作员",
            Self::RightsHolderAgent => "权利人代理人",
        }
    }
}

/// A user account. Table `users`; roles live in `memberships`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// One role of one user in one organization. Table `memberships` (user_id, org_id, role),
/// primary key on all three.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// The user.
    pub user: UserId,
    /// The organization.
    pub org: OrgId,
    /// The role held there.
    pub role: Role,
}

/// Who is acting: a user, in one organization (the one they signed in for), with the
/// roles they hold there. Built by the server from memberships; the domain trusts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// The organization they act for.
    pub org: OrgId,
    /// Their roles in that organization.
    pub roles: Vec<Role>,
}

impl Actor {
    /// True when the actor holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_prefix_and_containment() {
        let zj = RegionCode::parse("330000").unwrap();
        let hz = RegionCode::parse("330100").unwrap();
        let xh = RegionCode::parse("330106").unwrap();
        let nb = RegionCode::parse("330200").unwrap();
        assert_eq!(zj.prefix(), "33");
        assert_eq!(hz.prefix(), "3301");
        assert_eq!(xh.level(), AdminLevel::County);
        assert!(zj.contains(&xh) && hz.contains(&xh) && xh.contains(&xh));
        assert!(!nb.contains(&xh) && !xh.contains(&hz));
    }

    #[test]
    fn region_refuses_bad_codes() {
        assert!(matches!(
            RegionCode::parse("33010"),
            Err(OrgError::RegionFormat(_))
        ));
        assert!(matches!(
            RegionCode::parse("999999"),
            Err(OrgError::RegionUnknown(_))
        ));
        assert!(serde_json::from_str::<RegionCode>("\"12x456\"").is_err());
    }

    #[test]
    fn labels_are_chinese() {
        assert_eq!(AgencyType::MarketRegulation.label_zh(), "市场监管");
        assert_eq!(OrgKind::CoordinationOffice.label_zh(), "双打办");
        assert_eq!(Role::Supervisor.label_zh(), "负责人");
        assert_eq!(
            serde_json::to_string(&AgencyType::CultureTourism).unwrap(),
            "\"culture_tourism\""
        );
    }
}
