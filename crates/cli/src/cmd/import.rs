//! `wangjian import orgs|users|marks|listings FILE`: load the directory and captured
//! listings into the store. JSON Lines, or CSV when the file ends in `.csv`. A bad line
//! is reported on stderr with its number and skipped; the good ones are kept; importing
//! the same file again changes nothing.
//!
//! # File formats
//!
//! **orgs** (one organization per line/row): `id` (UUID, optional: derived from
//! `case_prefix` when absent, so re-imports match), `name`, `case_prefix`, `kind`
//! (`agency`, `coordination_office`, `platform`, `rights_holder`), `agency_type` (for
//! agencies: `market_regulation`, `police`, …), `level` (for agencies: `national`,
//! `province`, `city`, `county`), `region` (GB/T 2260, six digits).
//!
//! **users**: `id` (optional: derived from `login`), `name`, `login`, `org` (id, case
//! prefix or name of an imported organization), `roles` (`;`-separated: `officer`,
//! `supervisor`, `admin`, `platform_operator`, `rights_holder_agent`).
//!
//! **marks**: the marks format of `wangjian scan --marks` (CSV header
//! `mark,aliases,owner,categories,reference_price_cny,authorized_shops[,well_known,classes,
//! registrations]`), a trademark register in the CNIPA open-data shape (CSV: 注册号, 商标名称,
//! 国际分类, 申请人名称, 商标状态, 申请日期, 注册日期, 专用权期限 …; registrations not in force
//! on `--as-of`, default today, are skipped and counted), or JSON Lines with the marks fields
//! (lists as arrays). Rows of one owner for one word become one stored mark (classes and
//! registrations joined); a repeated row is merged with a warning. One word may have many
//! owners.
//!
//! **listings**: the listing format of `wangjian scan` (see `cmd/patrol.rs`).

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde::Deserialize;
use uuid::Uuid;
use wangjian_domain::org::{AdminLevel, Membership, OrgKind, Organization, User};
use wangjian_domain::{AgencyType, OrgId, RegionCode, Role, UserId};
use wangjian_store::Store;

use crate::cmd::db::{open, runtime, DbArg};
use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

/// What to import.
#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Organizations (agencies, coordination offices, platforms, rights holders).
    Orgs(FileArgs),
    /// Users and their roles.
    Users(FileArgs),
    /// Protected marks or a trademark register (the patrol uses them with any --marks
    /// files).
    Marks(MarkFileArgs),
    /// Captured listings (stored with their snapshots, no scan).
    Listings(crate::cmd::patrol::ListingArgs),
}

/// A file to import into a database.
#[derive(Debug, clap::Args)]
pub struct FileArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// JSON Lines, or CSV when it ends in `.csv`.
    pub file: PathBuf,
}

/// A marks file to import.
#[derive(Debug, clap::Args)]
pub struct MarkFileArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The day registrations are judged in force on; default: today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::scan::parse_day)]
    pub as_of: Option<wangjian_detect::Ymd>,
}

/// Namespace of ids derived from import keys (so re-imports find the same rows).
const NS: Uuid = Uuid::from_u128(0x1c7e_55d2_0b8f_4e21_9a61_3f0e_d4b2_8c17);

#[derive(Debug, Deserialize)]
struct OrgLine {
    id: Option<Uuid>,
    name: String,
    case_prefix: String,
    kind: String,
    agency_type: Option<String>,
    level: Option<String>,
    region: String,
}

#[derive(Debug, Deserialize)]
struct UserLine {
    id: Option<Uuid>,
    name: String,
    login: String,
    org: String,
    roles: String,
}

fn enum_value<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_string()))
        .map_err(|_| format!("unknown {what} {s:?}"))
}

fn org_from(l: OrgLine) -> Result<Organization, String> {
    let kind = match l.kind.trim() {
        "agency" => OrgKind::Agency {
            agency_type: enum_value::<AgencyType>(
                "agency_type",
                l.agency_type
                    .as_deref()
                    .ok_or("an agency needs agency_type")?,
            )?,
            level: enum_value::<AdminLevel>(
                "level",
                l.level.as_deref().ok_or("an agency needs level")?,
            )?,
        },
        "coordination_office" => OrgKind::CoordinationOffice,
        "platform" => OrgKind::Platform,
        "rights_holder" => OrgKind::RightsHolder,
        other => return Err(format!("unknown kind {other:?}")),
    };
    let region = RegionCode::parse(&l.region).map_err(|e| e.to_string())?;
    let id = l
        .id
        .unwrap_or_else(|| Uuid::new_v5(&NS, format!("org\0{}", l.case_prefix.trim()).as_bytes()));
    Organization::new(OrgId(id), &l.name, &l.case_prefix, kind, region).map_err(|e| e.to_string())
}

/// Reads `file` as records of `T` (JSON Lines, or CSV by extension) and hands each to
/// `each` with its line number; parse errors become bad lines.
fn read_records<T: serde::de::DeserializeOwned>(
    file: &PathBuf,
    bad: &mut BadLines,
) -> anyhow::Result<Vec<(u64, T)>> {
    let name = file.display().to_string();
    let f = File::open(file).with_context(|| format!("opening {name}"))?;
    let mut out = Vec::new();
    if name.to_ascii_lowercase().ends_with(".csv") {
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(f);
        for (i, rec) in r.deserialize::<T>().enumerate() {
            let line = i as u64 + 2;
            match rec {
                Ok(v) => out.push((line, v)),
                Err(e) => bad.report(&name, line, e),
            }
        }
    } else {
        for_each_line(BufReader::new(f), MAX_LINE_BYTES, |n, l| {
            match l {
                Ok(l) if l.trim().is_empty() => {}
                Ok(l) => match serde_json::from_str::<T>(l) {
                    Ok(v) => out.push((n, v)),
                    Err(e) => bad.report(&name, n, e),
                },
                Err(p) => bad.report(&name, n, p),
            }
            Ok(())
        })
        .with_context(|| format!("reading {name}"))?;
    }
    Ok(out)
}

/// Runs `wangjian import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fa = match args.what {
        What::Listings(a) => return crate::cmd::patrol::run_import(a),
        What::Orgs(ref a) | What::Users(ref a) => a,
        What::Marks(ref a) => &a.file,
    };
    let name = fa.file.display().to_string();
    let mut bad = BadLines::default();
    runtime()?.block_on(async {
        let store = open(&fa.db).await?;
        let (mut new, mut changed, mut same) = (0u64, 0u64, 0u64);
        let mut count = |w: wangjian_store::Written| match w {
            wangjian_store::Written::Inserted => new += 1,
            wangjian_store::Written::Updated(_) => changed += 1,
            wangjian_store::Written::Unchanged => same += 1,
        };
        match &args.what {
            What::Orgs(_) => {
                for (n, l) in read_records::<OrgLine>(&fa.file, &mut bad)? {
                    match org_from(l) {
                        Ok(o) => count(store.put_organization(&o).await.with_context(|| format!("{name}:{n}"))?),
                        Err(e) => bad.report(&name, n, e),
                    }
                }
            }
            What::Users(_) => {
                for (n, l) in read_records::<UserLine>(&fa.file, &mut bad)? {
                    match import_user(&store, l).await {
                        Ok(w) => count(w),
                        Err(e) => bad.report(&name, n, format!("{e:#}")),
                    }
                }
            }
            What::Marks(a) => {
                let marks = read_marks(&fa.file, a.as_of, &mut bad)?;
                let n = store.put_marks(&marks).await.context("storing marks")?;
                new += n;
                same += marks.len() as u64 - n;
            }
            What::Listings(_) => {}
        }
        eprintln!(
            "wangjian: imported {name}: {new} new, {changed} changed, {same} unchanged, {} bad lines",
            bad.count()
        );
        store.close().await;
        Ok(bad.exit_code())
    })
}

async fn import_user(store: &Store, l: UserLine) -> anyhow::Result<wangjian_store::Written> {
    let org = store
        .find_organization(&l.org)
        .await?
        .with_context(|| format!("no single organization {:?}: import orgs first", l.org))?;
    let mut roles = Vec::new();
    for r in l.roles.split(';').map(str::trim).filter(|r| !r.is_empty()) {
        roles.push(enum_value::<Role>("role", r).map_err(anyhow::Error::msg)?);
    }
    anyhow::ensure!(!l.login.trim().is_empty(), "a user needs a login");
    let id =
        l.id.unwrap_or_else(|| Uuid::new_v5(&NS, format!("user\0{}", l.login.trim()).as_bytes()));
    let user = User {
        id: UserId(id),
        name: l.name.trim().to_string(),
        version: 1,
    };
    let w = store.put_user(&user, Some(l.login.trim())).await?;
    for role in roles {
        store
            .put_membership(&Membership {
                user: user.id,
                org: org.id,
                role,
            })
            .await?;
    }
    Ok(w)
}

/// Marks from CSV (the marks CSV or a trademark register, read by the detector's parser
/// row by row) or JSON Lines, merged into one entry per word and owner.
fn read_marks(
    file: &PathBuf,
    as_of: Option<wangjian_detect::Ymd>,
    bad: &mut BadLines,
) -> anyhow::Result<Vec<wangjian_detect::Mark>> {
    let name = file.display().to_string();
    let marks = if name.to_ascii_lowercase().ends_with(".csv") {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {name}"))?;
        let options = wangjian_detect::ReadOptions {
            as_of: Some(as_of.unwrap_or_else(crate::cmd::scan::today)),
        };
        let rows = match wangjian_detect::read_marks(&name, &text, options) {
            Ok(rows) => rows,
            Err(problems) => anyhow::bail!("{name}: {problems}"),
        };
        for p in rows.problems {
            bad.report(&name, p.line, p.message);
        }
        if !rows.skipped.is_empty() {
            eprintln!(
                "wangjian: {name}: {} registrations not in force skipped",
                rows.skipped.len()
            );
        }
        rows.marks
    } else {
        read_records::<wangjian_detect::Mark>(file, bad)?
            .into_iter()
            .map(|(n, mut m)| {
                m.origin = (name.clone(), n);
                m
            })
            .collect()
    };
    let (marks, warnings) = wangjian_detect::merge_marks(marks);
    crate::cmd::scan::warn_each("repeated mark rows merged", &warnings);
    Ok(marks)
}
