//! Seller networks (循线深挖, issue 18): shop identifiers arrive (a platform's upload, an
//! officer's import), are normalized by `wangjian-network`, stored with their provenance,
//! and the networks follow at once.
//!
//! # Why the networks live in memory, kept current from the rows
//!
//! Networks are the connected groups of a union-find over shops and shared values: adding
//! rows only ever merges groups (or, when a value crosses its cap, withdraws its links
//! inside the one network it joined), which `wangjian_network::Networks` does
//! incrementally in microseconds, while rewriting network ids per shop in the database
//! would touch every member of a merged network. So the store keeps only the facts (the
//! identifier rows, numbered by `seq` in commit order), and each process keeps a
//! [`Networks`] built from them: on first use it replays every row, and before every
//! read it adds the rows stored since (by this process or any other: a CLI import while
//! the server runs), so a read is never older than the last committed upload. Nothing is
//! batch-computed and nothing can drift from the rows.
//!
//! Personal values (phones, e-mails, handles, identity numbers, bank accounts) are stored
//! and linked as a SHA-256 of their normalized form (equal values stay equal) and shown
//! masked; addresses, devices, IPs and credit codes are stored as normalized.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;
use wangjian_domain::brushing::{identifiers_uploaded, IdentifierUpload};
use wangjian_domain::lead::shop_id_for;
use wangjian_domain::org::OrgKind;
use wangjian_domain::{CaseId, LeadId, OrgId, RegionCode, ShopId};
use wangjian_network::{
    display_address, display_value, normalize, Caps, Identifier, Kind, Networks, Options, Sighting,
    Space,
};
use wangjian_store::{IdentifierRow, StoredIdentifier};

use crate::error::AppError;
use crate::policy::{
    decide, list_scope, may_upload_shop_data, Action, LeadFacts, Resource, ResourceKind, Scope,
};
use crate::{App, Call};

/// Most lines (or array items) in one upload.
pub const MAX_LINES: usize = 200_000;
/// Rows read from the store per catch-up query.
const PAGE: i64 = 100_000;

/// One refused line (or value of a line; the rest of the line counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineProblem {
    /// Line number (1-based; the item's index + 1 for a JSON array).
    pub line: u64,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// Why.
    pub message: String,
}

/// What an upload of identifiers stored.
#[derive(Debug, Clone, Serialize)]
pub struct IdentifierReport {
    /// The upload's id.
    pub upload: Uuid,
    /// Lines read.
    pub lines: u64,
    /// Values kept.
    pub values: usize,
    /// Values new to the store.
    pub new_values: usize,
    /// Refused lines and values, with their numbers.
    pub problems: Vec<LineProblem>,
    /// Networks (of two shops or more) the upload's shops are now in.
    pub networks: Vec<NetworkSummary>,
    /// Values that crossed their cap with this upload (reported, not linked).
    pub newly_capped: Vec<CappedValue>,
}

/// A network, briefly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkSummary {
    /// A member shop naming the network (`PLATFORM/SHOP`, the smallest key).
    pub shop: String,
    /// Its shops.
    pub size: usize,
}

/// An over-shared value (reported, not linking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CappedValue {
    /// Its space (`phone`, `address`, …).
    pub space: String,
    /// Shown as (masked when personal).
    pub display: String,
    /// Shops carrying it.
    pub shops: u32,
    /// The space's cap.
    pub cap: u32,
}

/// One shop of a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkShop {
    /// `PLATFORM/SHOP`.
    pub key: String,
    /// The platform.
    pub platform: OrgId,
    /// Its name.
    pub platform_name: String,
    /// The platform's shop id.
    pub shop: String,
    /// Regions its identifiers place it in.
    pub regions: Vec<String>,
}

/// Who carries a linking value, from which source, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkCarrier {
    /// `PLATFORM/SHOP`.
    pub shop: String,
    /// The identifier kind (`phone`, `return_address`, …).
    pub kind: String,
    /// The source.
    pub source: String,
    /// First seen (RFC 3339), when the source said.
    pub first_seen: Option<String>,
    /// Last seen.
    pub last_seen: Option<String>,
}

/// A value two or more member shops share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkLink {
    /// Its space.
    pub space: String,
    /// Shown as (masked when personal).
    pub display: String,
    /// Its carriers.
    pub carriers: Vec<LinkCarrier>,
}

/// A case a member shop's lead is linked to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkCase {
    /// The case.
    pub id: CaseId,
    /// Its number.
    pub number: String,
    /// Its title (案由).
    pub title: String,
    /// Its state.
    pub state: String,
    /// The penalty decided, in words, when one was.
    pub penalty: Option<String>,
}

/// A lead naming a member shop (one the caller may read), with its cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkLead {
    /// The lead.
    pub id: LeadId,
    /// `PLATFORM/SHOP`.
    pub shop: String,
    /// Its summary.
    pub summary: String,
    /// Its status.
    pub status: String,
    /// Its cases the caller may read.
    pub cases: Vec<NetworkCase>,
}

/// One network as a page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkView {
    /// The network's id (`N:` and its smallest shop key).
    pub network_id: String,
    /// Its shops.
    pub shops: Vec<NetworkShop>,
    /// The values linking them, with provenance.
    pub links: Vec<NetworkLink>,
    /// Members' values over their cap (not linking).
    pub capped: Vec<CappedValue>,
    /// Leads naming its shops (that the caller reads), with their cases and penalties.
    pub leads: Vec<NetworkLead>,
    /// Brushing groups naming its shops (that the caller reads).
    pub groups: Vec<Uuid>,
}

/// The networks of this process, caught up from the store before each use.
#[derive(Debug, Default)]
pub struct NetworkCache(Mutex<Option<NetworkIndex>>);

#[derive(Debug)]
struct NetworkIndex {
    networks: Networks,
    seq: i64,
    display: HashMap<(Space, String), String>,
    regions: HashMap<String, BTreeSet<String>>,
    /// Registry shop ids (`domain::lead::shop_id_for`) of the shops, for leads naming one.
    shop_ids: HashMap<ShopId, String>,
}

impl NetworkIndex {
    fn new() -> Self {
        Self {
            networks: Networks::new(Caps::default()),
            seq: 0,
            display: HashMap::new(),
            regions: HashMap::new(),
            shop_ids: HashMap::new(),
        }
    }

    /// Adds rows after `self.seq`; returns the shops whose network changed.
    fn apply(&mut self, rows: &[StoredIdentifier]) -> wangjian_network::Update {
        let fresh: Vec<&StoredIdentifier> = rows.iter().filter(|r| r.seq > self.seq).collect();
        let mut prepared = Vec::with_capacity(fresh.len());
        for r in &fresh {
            self.seq = self.seq.max(r.seq);
            let Ok(kind) = r.row.kind.parse::<Kind>() else {
                continue;
            };
            let key = shop_key(r.row.platform, &r.row.shop);
            self.shop_ids
                .entry(shop_id_for(r.row.platform, &r.row.shop))
                .or_insert_with(|| key.clone());
            if let Some(region) = &r.row.region {
                self.regions
                    .entry(key.clone())
                    .or_default()
                    .insert(region.clone());
            }
            self.display
                .entry((kind.space(), r.row.value.clone()))
                .or_insert_with(|| r.row.display.clone());
            prepared.push((
                key,
                Identifier {
                    kind,
                    value: r.row.value.clone(),
                },
                r.row.source.clone(),
                r.row.seen_at.map(|t| t.timestamp()),
            ));
        }
        self.networks
            .add(prepared.iter().map(|(shop, i, src, at)| Sighting {
                shop,
                identifier: i,
                source: src,
                at: *at,
            }))
    }

    fn display(&self, space: Space, value: &str) -> String {
        self.display
            .get(&(space, value.to_string()))
            .cloned()
            .unwrap_or_else(|| display_value(space, value, false))
    }

    fn regions_of<'a>(&self, shops: impl Iterator<Item = &'a String>) -> Vec<RegionCode> {
        let mut out = BTreeSet::new();
        for s in shops {
            if let Some(r) = self.regions.get(s) {
                out.extend(r.iter().cloned());
            }
        }
        out.into_iter()
            .filter_map(|r| RegionCode::parse(&r).ok())
            .collect()
    }
}

/// The key of a shop in the networks: `PLATFORM-UUID/SHOP`.
pub fn shop_key(platform: OrgId, shop: &str) -> String {
    format!("{}/{shop}", platform.0)
}

/// The platform and shop of a key.
pub fn parse_shop_key(key: &str) -> Option<(OrgId, String)> {
    let (p, s) = key.split_once('/')?;
    Some((OrgId(Uuid::parse_str(p).ok()?), s.to_string()))
}

fn time_text(t: Option<i64>) -> Option<String> {
    t.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
        .map(|t| t.to_rfc3339())
}

/// The value stored for a normalized identifier: a SHA-256 for personal spaces.
fn stored_value(i: &Identifier) -> (String, String) {
    let space = i.kind.space();
    let display = match i.kind {
        Kind::ReturnAddress | Kind::ShipFromAddress => display_address(&i.value),
        _ => display_value(space, &i.value, false),
    };
    if space.is_personal() {
        let h = wangjian_domain::audit::digest(&Value::String(format!(
            "wangjian/network/v1\0{}\0{}",
            space.name(),
            i.value
        )));
        (h, display)
    } else {
        (i.value.clone(), display)
    }
}

/// The division an identifier places its shop in: an address's code, a credit code's
/// registration authority (digits 3–8).
fn region_of(i: &Identifier) -> Option<String> {
    let code = match i.kind {
        Kind::ReturnAddress | Kind::ShipFromAddress => i.value.split('|').next()?.to_string(),
        Kind::Uscc => i.value.get(2..8)?.to_string(),
        _ => return None,
    };
    RegionCode::parse(&code)
        .ok()
        .map(|r| r.as_str().to_string())
}

/// One line of an upload: its number and its JSON value (or why it is not JSON).
pub type UploadLine = (u64, Result<Value, String>);

/// The lines of an upload: JSON Lines, or one JSON array of objects.
pub fn upload_lines(text: &str) -> Result<Vec<UploadLine>, AppError> {
    let t = text.trim_start();
    if t.starts_with('[') {
        let v: Vec<Value> = serde_json::from_str(t)
            .map_err(|e| AppError::invalid("body", format!("not a JSON array: {e}")))?;
        return Ok(v
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i as u64 + 1, Ok(v)))
            .collect());
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            (
                i as u64 + 1,
                serde_json::from_str::<Value>(l).map_err(|e| format!("not JSON: {e}")),
            )
        })
        .collect())
}

fn id_field(obj: &serde_json::Map<String, Value>, field: &str) -> Option<String> {
    match obj.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

impl App {
    /// Resolves the platform an upload is for: a platform's operator uploads for their
    /// own platform (`named`, when given, must be it); anyone else importing names it.
    pub(crate) async fn upload_platform(
        &self,
        call: &Call,
        named: Option<&str>,
    ) -> Result<OrgId, AppError> {
        let m = call.member()?;
        if matches!(m.org_kind, OrgKind::Platform) {
            if let Some(n) = named {
                let o = self.store().find_organization(n).await?;
                if o.map(|o| o.id) != Some(m.actor.org) {
                    return Err(AppError::invalid(
                        "platform",
                        "a platform uploads its own data only",
                    ));
                }
            }
            return Ok(m.actor.org);
        }
        let Some(n) = named else {
            return Err(AppError::invalid(
                "platform",
                "name the platform the data is from",
            ));
        };
        match self.store().find_organization(n).await? {
            Some(o) if matches!(o.kind, OrgKind::Platform) => Ok(o.id),
            Some(_) => Err(AppError::invalid(
                "platform",
                format!("{n} is not a platform"),
            )),
            None => Err(AppError::invalid("platform", format!("no platform {n}"))),
        }
    }

    /// Stores an upload of shop identifiers (JSON Lines or a JSON array; one shop a line:
    /// `shop`, optional `platform` (an importing officer names it per line or for the
    /// whole upload), `source`, `at` (RFC 3339) and identifier fields `phone`, `email`,
    /// `social`, `citizen_id`, `uscc`, `bank_account`, `return_address`,
    /// `ship_from_address`, `device`, `ip`, each a string or an array). Refused lines and
    /// values are reported with their numbers; the rest is stored in one transaction, and
    /// the networks follow.
    pub async fn upload_identifiers(
        &self,
        call: &Call,
        platform: Option<&str>,
        source: &str,
        text: &str,
    ) -> Result<IdentifierReport, AppError> {
        may_upload_shop_data(&call.principal).into_result()?;
        let m = call.member()?.clone();
        let source = source.trim();
        if source.is_empty() || source.chars().count() > 200 {
            return Err(AppError::invalid(
                "source",
                "a source of 1 to 200 characters",
            ));
        }
        let is_platform = matches!(m.org_kind, OrgKind::Platform);
        let default_platform = match (platform, is_platform) {
            (None, false) => None,
            (p, _) => Some(self.upload_platform(call, p).await?),
        };
        let lines = upload_lines(text)?;
        if lines.len() > MAX_LINES {
            return Err(AppError::invalid(
                "body",
                format!("{} lines: at most {MAX_LINES} per upload", lines.len()),
            ));
        }
        let mut problems = Vec::new();
        let mut rows: Vec<IdentifierRow> = Vec::new();
        let mut platforms: HashMap<String, OrgId> = HashMap::new();
        let options = Options::default();
        for (line, v) in &lines {
            let problem = |field: Option<&str>, message: String| LineProblem {
                line: *line,
                field: field.map(str::to_string),
                message,
            };
            let v = match v {
                Ok(v) => v,
                Err(e) => {
                    problems.push(problem(None, e.clone()));
                    continue;
                }
            };
            let Some(obj) = v.as_object() else {
                problems.push(problem(None, "not a JSON object".into()));
                continue;
            };
            let Some(shop) = id_field(obj, "shop") else {
                problems.push(problem(
                    Some("shop"),
                    "missing (a string or an integer)".into(),
                ));
                continue;
            };
            let plat = match (id_field(obj, "platform"), default_platform) {
                (Some(p), _) if !is_platform => {
                    if let Some(id) = platforms.get(&p) {
                        *id
                    } else {
                        match self.upload_platform(call, Some(&p)).await {
                            Ok(id) => {
                                platforms.insert(p, id);
                                id
                            }
                            Err(e) => {
                                problems.push(problem(Some("platform"), e.to_string()));
                                continue;
                            }
                        }
                    }
                }
                (Some(p), Some(own)) => {
                    // A platform naming itself by id is fine; anything else is refused.
                    if p != own.0.to_string() && !platforms.contains_key(&p) {
                        match self.upload_platform(call, Some(&p)).await {
                            Ok(_) => {
                                platforms.insert(p, own);
                            }
                            Err(e) => {
                                problems.push(problem(Some("platform"), e.to_string()));
                                continue;
                            }
                        }
                    }
                    own
                }
                (None, Some(own)) => own,
                (_, None) => {
                    problems.push(problem(
                        Some("platform"),
                        "name the platform (per line or for the upload)".into(),
                    ));
                    continue;
                }
            };
            let src = id_field(obj, "source").unwrap_or_else(|| source.to_string());
            let at = match obj.get("at") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
                    Ok(t) => Some(t.with_timezone(&Utc)),
                    Err(_) => {
                        problems.push(problem(
                            Some("at"),
                            format!("'{s}' is not an RFC 3339 date-time"),
                        ));
                        continue;
                    }
                },
                Some(_) => {
                    problems.push(problem(Some("at"), "an RFC 3339 string".into()));
                    continue;
                }
            };
            for kind in Kind::ALL {
                let values: Vec<&str> = match obj.get(kind.name()) {
                    None | Some(Value::Null) => continue,
                    Some(Value::String(s)) => vec![s.as_str()],
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                    Some(_) => {
                        problems.push(problem(
                            Some(kind.name()),
                            "a string or an array of strings".into(),
                        ));
                        continue;
                    }
                };
                for value in values.into_iter().filter(|v| !v.trim().is_empty()) {
                    match normalize(kind, value, options) {
                        Ok(i) => {
                            let (stored, display) = stored_value(&i);
                            rows.push(IdentifierRow {
                                platform: plat,
                                shop: shop.clone(),
                                kind: kind.name().to_string(),
                                value: stored,
                                display,
                                region: region_of(&i),
                                source: src.clone(),
                                seen_at: at,
                            });
                        }
                        Err(e) => problems.push(problem(Some(kind.name()), e.to_string())),
                    }
                }
            }
        }
        let upload = IdentifierUpload {
            id: Uuid::now_v7(),
            by: m.actor.user,
            by_org: m.actor.org,
            source: source.to_string(),
            at: call.now,
            lines: lines.len() as i64,
            values: rows.len() as i64,
            problems: problems.len() as i64,
            version: 1,
        };
        let mut shops: Vec<String> = rows.iter().map(|r| shop_key(r.platform, &r.shop)).collect();
        shops.sort();
        shops.dedup();
        let values = rows.len();
        let change =
            identifiers_uploaded(upload, &m.actor, &self.context(call)).map_err(AppError::rule)?;
        let (applied, new_values) = self.store().upload_identifiers(change, rows).await?;
        let update = self.catch_up_networks().await?;
        let (networks, newly_capped) = self.with_networks(|ix| {
            let mut seen = BTreeSet::new();
            let mut nets = Vec::new();
            for s in &shops {
                if let Some(n) = ix.networks.network_of(s, true) {
                    if n.shops.len() >= 2 && seen.insert(n.network_id.clone()) {
                        nets.push(NetworkSummary {
                            shop: n.shops.first().cloned().unwrap_or_default(),
                            size: n.shops.len(),
                        });
                    }
                }
            }
            let capped = update
                .newly_capped
                .iter()
                .map(|v| CappedValue {
                    space: v.space.name().to_string(),
                    display: ix.display(v.space, &v.value),
                    shops: 0,
                    cap: ix.networks.caps().get(v.space),
                })
                .collect();
            (nets, capped)
        })?;
        Ok(IdentifierReport {
            upload: applied.value.id,
            lines: lines.len() as u64,
            values,
            new_values,
            problems,
            networks,
            newly_capped,
        })
    }

    /// Adds the identifier rows stored since the last call (by any process) to this
    /// process's networks; the first call replays them all.
    pub async fn catch_up_networks(&self) -> Result<wangjian_network::Update, AppError> {
        let mut total = wangjian_network::Update::default();
        loop {
            let seq = self.with_networks(|ix| ix.seq)?;
            let rows = self.store().identifiers_since(seq, PAGE).await?;
            let n = rows.len();
            let u = self.with_networks(|ix| ix.apply(&rows))?;
            total.new_shops += u.new_shops;
            total.new_sightings += u.new_sightings;
            total.newly_capped.extend(u.newly_capped);
            total.changed.extend(u.changed);
            if (n as i64) < PAGE {
                return Ok(total);
            }
        }
    }

    fn with_networks<T>(&self, f: impl FnOnce(&mut NetworkIndex) -> T) -> Result<T, AppError> {
        let mut g = match self.network_cache().0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        Ok(f(g.get_or_insert_with(NetworkIndex::new)))
    }

    /// The policy's view of the network of `shop` (a `PLATFORM/SHOP` key), with its
    /// member keys; `None` when the shop carries no identifier.
    async fn network_facts(&self, shop: &str) -> Result<Option<(Resource, Vec<String>)>, AppError> {
        self.catch_up_networks().await?;
        let found = self.with_networks(|ix| {
            ix.networks.network_of(shop, true).map(|n| {
                let regions = ix.regions_of(n.shops.iter());
                (n.shops, regions)
            })
        })?;
        let Some((shops, regions)) = found else {
            return Ok(None);
        };
        let keys: Vec<(OrgId, String)> = shops.iter().filter_map(|s| parse_shop_key(s)).collect();
        let mut lead_orgs: Vec<OrgId> = self
            .store()
            .leads_of_shops(&keys)
            .await?
            .into_iter()
            .map(|l| l.org)
            .collect();
        lead_orgs.sort();
        lead_orgs.dedup();
        Ok(Some((
            Resource::SellerNetwork {
                shop_regions: regions,
                lead_orgs,
            },
            shops,
        )))
    }

    /// The size of the network of the shop `shop` of `platform`, when the caller may read
    /// it (a lead or case page links to it); `None` otherwise or when the shop is alone.
    pub async fn network_size(
        &self,
        call: &Call,
        platform: OrgId,
        shop: &str,
    ) -> Result<Option<usize>, AppError> {
        let key = shop_key(platform, shop);
        let Some((res, shops)) = self.network_facts(&key).await? else {
            return Ok(None);
        };
        if shops.len() < 2 || !decide(&call.principal, Action::Read, &res).is_allow() {
            return Ok(None);
        }
        Ok(Some(shops.len()))
    }

    /// The platform, shop id and network size of a registry shop (a lead's `shop`), when
    /// the shop is in a network of two or more the caller may read.
    pub async fn network_of_shop_id(
        &self,
        call: &Call,
        id: ShopId,
    ) -> Result<Option<(OrgId, String, usize)>, AppError> {
        self.catch_up_networks().await?;
        let Some(key) = self.with_networks(|ix| ix.shop_ids.get(&id).cloned())? else {
            return Ok(None);
        };
        let Some((platform, shop)) = parse_shop_key(&key) else {
            return Ok(None);
        };
        Ok(self
            .network_size(call, platform, &shop)
            .await?
            .map(|n| (platform, shop, n)))
    }

    /// The network of the shop `shop` of `platform`, as the caller may see it (any other
    /// is [`AppError::NotFound`]): shops, links with provenance, capped values, and the
    /// leads, cases, penalties and brushing groups of its members that the caller reads.
    pub async fn network(
        &self,
        call: &Call,
        platform: OrgId,
        shop: &str,
    ) -> Result<NetworkView, AppError> {
        let key = shop_key(platform, shop);
        let (res, _) = self.network_facts(&key).await?.ok_or(AppError::NotFound)?;
        decide(&call.principal, Action::Read, &res).into_result()?;
        let n = self
            .with_networks(|ix| {
                ix.networks.network_of(&key, true).map(|n| {
                    let links: Vec<NetworkLink> = n
                        .links
                        .iter()
                        .map(|l| NetworkLink {
                            space: l.space.name().to_string(),
                            display: ix.display(l.space, &l.value),
                            carriers: l
                                .carriers
                                .iter()
                                .map(|c| LinkCarrier {
                                    shop: c.shop.clone(),
                                    kind: c.kind.name().to_string(),
                                    source: c.source.clone(),
                                    first_seen: time_text(c.first_seen),
                                    last_seen: time_text(c.last_seen),
                                })
                                .collect(),
                        })
                        .collect();
                    let capped: Vec<CappedValue> = n
                        .capped
                        .iter()
                        .map(|c| CappedValue {
                            space: c.space.name().to_string(),
                            display: ix.display(c.space, &c.value),
                            shops: c.shops,
                            cap: c.cap,
                        })
                        .collect();
                    let regions: BTreeMap<String, Vec<String>> = n
                        .shops
                        .iter()
                        .map(|s| {
                            (
                                s.clone(),
                                ix.regions
                                    .get(s)
                                    .map(|r| r.iter().cloned().collect())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect();
                    (n.network_id, n.shops, links, capped, regions)
                })
            })?
            .ok_or(AppError::NotFound)?;
        let (network_id, shop_keys, links, capped, regions) = n;
        let mut names: HashMap<OrgId, String> = HashMap::new();
        let mut shops = Vec::with_capacity(shop_keys.len());
        let mut pairs = Vec::with_capacity(shop_keys.len());
        for k in &shop_keys {
            let Some((p, s)) = parse_shop_key(k) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(p) {
                let name = self
                    .store()
                    .organization(p)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_else(|| p.0.to_string());
                e.insert(name);
            }
            shops.push(NetworkShop {
                key: k.clone(),
                platform: p,
                platform_name: names.get(&p).cloned().unwrap_or_default(),
                shop: s.clone(),
                regions: regions.get(k).cloned().unwrap_or_default(),
            });
            pairs.push((p, s));
        }
        let mut leads = Vec::new();
        for l in self.store().leads_of_shops(&pairs).await? {
            let facts = Resource::Lead(LeadFacts {
                org: l.org,
                delivered_by: l.submitted_by.into_iter().collect(),
                shared_with: vec![],
            });
            if !decide(&call.principal, Action::Read, &facts).is_allow() {
                continue;
            }
            let mut cases = Vec::new();
            for c in &l.cases {
                let Ok(file) = self.visible_case(call, CaseId(*c)).await else {
                    continue;
                };
                let case = &file.0.case;
                cases.push(NetworkCase {
                    id: case.id,
                    number: case.number.document_form(),
                    title: case.title.clone(),
                    state: case.state.as_str().to_string(),
                    penalty: case.penalty.as_ref().map(|p| {
                        format!(
                            "{} 罚款 {:.2} 元（{}）",
                            p.decision_number,
                            p.fine_fen as f64 / 100.0,
                            p.legal_basis
                        )
                    }),
                });
            }
            leads.push(NetworkLead {
                id: l.lead,
                shop: shop_key(l.platform, &l.shop),
                summary: l.summary,
                status: l.status,
                cases,
            });
        }
        let mut groups = Vec::new();
        let ids = self.store().brushing_groups_of_shops(&pairs).await?;
        for g in self.store().brushing_groups_by_id(&ids).await? {
            if self.group_readable(call, &g).await? {
                groups.push(g.id);
            }
        }
        Ok(NetworkView {
            network_id,
            shops,
            links,
            capped,
            leads,
            groups,
        })
    }

    /// Networks of two shops or more that have a member shop in the caller's region (or
    /// in a lead of the caller's agency), largest first, at most `limit`.
    pub async fn networks_list(
        &self,
        call: &Call,
        limit: usize,
    ) -> Result<Vec<NetworkSummary>, AppError> {
        let scope = list_scope(&call.principal, ResourceKind::SellerNetwork);
        if scope == Scope::Nothing {
            return Ok(Vec::new());
        }
        // A case worker also reads networks through its leads: checked per network, for
        // at most this many networks outside its region.
        let mut lead_checks = if matches!(scope, Scope::AnyOf(_)) {
            200
        } else {
            0
        };
        self.catch_up_networks().await?;
        let candidates: Vec<(String, Vec<String>, Vec<RegionCode>)> = self.with_networks(|ix| {
            ix.networks
                .networks(2, false)
                .into_iter()
                .map(|n| {
                    let regions = ix.regions_of(n.shops.iter());
                    (n.network_id, n.shops, regions)
                })
                .collect()
        })?;
        let mut out = Vec::new();
        for (_, shops, regions) in candidates {
            if out.len() >= limit {
                break;
            }
            let region_only = Resource::SellerNetwork {
                shop_regions: regions.clone(),
                lead_orgs: vec![],
            };
            let readable = if decide(&call.principal, Action::Read, &region_only).is_allow() {
                true
            } else if lead_checks > 0 {
                lead_checks -= 1;
                let Some(first) = shops.first() else { continue };
                match self.network_facts(first).await? {
                    Some((res, _)) => decide(&call.principal, Action::Read, &res).is_allow(),
                    None => false,
                }
            } else {
                false
            };
            if readable {
                out.push(NetworkSummary {
                    shop: shops.first().cloned().unwrap_or_default(),
                    size: shops.len(),
                });
            }
        }
        Ok(out)
    }

    /// The identifier rows of one shop (provenance), when the caller reads its network.
    pub async fn shop_identifiers(
        &self,
        call: &Call,
        platform: OrgId,
        shop: &str,
    ) -> Result<Vec<StoredIdentifier>, AppError> {
        let key = shop_key(platform, shop);
        let (res, _) = self.network_facts(&key).await?.ok_or(AppError::NotFound)?;
        decide(&call.principal, Action::Read, &res).into_result()?;
        Ok(self
            .store()
            .identifiers_of(&[(platform, shop.to_string())])
            .await?)
    }
}
