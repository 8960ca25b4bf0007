//! `wangjian notice …`: notice and takedown (通知—删除) and platforms' self-inspection from
//! the command line, as a user (`--as LOGIN`) through the use cases of `wangjian-app` — the
//! same policy, state machine and audit events as the API and the console. This module
//! only parses arguments and prints results (one JSON object per line).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context as _};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;
use wangjian_app::notices::weekly::IsoWeek;
use wangjian_app::notices::SendNotices;
use wangjian_app::{App, AppError, RuleSource};
use wangjian_domain::notice::{
    Declaration, NoticeAction, NoticeId, NoticeState, StatementInput, StepInput,
};
use wangjian_domain::self_inspection::InspectionInput;
use wangjian_domain::{CaseId, ListingId, OrgId};

use crate::acting::{call_as, AsArg};
use crate::cmd::db::{open, runtime, DbArg};

macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($t)*)?;
    }};
}

/// Arguments of `wangjian notice`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Database URL: sqlite:PATH, sqlite::memory: or postgres://…
    #[arg(
        long,
        global = true,
        value_name = "URL",
        default_value = "sqlite:wangjian.db"
    )]
    db: String,
    /// The time recorded for the action (RFC 3339), when entering a step taken earlier
    /// (补录); default now.
    #[arg(long, global = true, value_name = "TIME")]
    now: Option<chrono::DateTime<Utc>>,
    #[command(subcommand)]
    command: Cmd,
}

/// A statement of reasons (EU DSA Art. 17 fields and 处理依据 / 事实与理由 / 救济途径).
#[derive(Debug, Clone, clap::Args)]
struct StatementArgs {
    /// `illegal` (违反法律法规) or `terms` (违反平台规则).
    #[arg(long, default_value = "illegal")]
    ground: String,
    /// 处理依据: the provision relied on.
    #[arg(long)]
    legal_ground: String,
    /// 事实与理由.
    #[arg(long)]
    facts: String,
    /// 救济途径: how the seller or complainant may seek redress.
    #[arg(long)]
    redress: String,
    /// The listing was detected by automated means.
    #[arg(long)]
    automated_detection: bool,
    /// The decision was taken by automated means.
    #[arg(long)]
    automated_decision: bool,
}

impl StatementArgs {
    fn input(&self) -> StatementInput {
        StatementInput {
            ground: self.ground.clone(),
            legal_ground: self.legal_ground.clone(),
            facts: self.facts.clone(),
            automated_detection: self.automated_detection,
            automated_decision: self.automated_decision,
            redress: self.redress.clone(),
        }
    }
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Send notices to a platform: one per listing, all in one transaction (an agency's
    /// officer, or a rights holder's agent; with --complaint, the handling agency forwards
    /// an accepted complaint).
    Send {
        #[command(flatten)]
        who: AsArg,
        /// The platform (case prefix, name or id).
        #[arg(long)]
        platform: String,
        /// A listing id (repeat).
        #[arg(long = "listing")]
        listings: Vec<Uuid>,
        /// A file of listing ids, one per line (a scan's or a lead list's worth).
        #[arg(long)]
        listings_file: Option<PathBuf>,
        /// The right infringed and the preliminary evidence.
        #[arg(long)]
        ground: String,
        /// The sender's open case.
        #[arg(long)]
        case: Option<Uuid>,
        /// The accepted complaint the notices are forwarded from.
        #[arg(long)]
        complaint: Option<Uuid>,
    },
    /// The platform acknowledges a notice.
    Acknowledge {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
    },
    /// The platform acts: removed, blocked, disconnected or shop_restricted, with reasons.
    Act {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// The measure.
        #[arg(long)]
        measure: String,
        #[command(flatten)]
        statement: StatementArgs,
    },
    /// The platform refuses, with reasons.
    Refuse {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
        #[command(flatten)]
        statement: StatementArgs,
    },
    /// The platform forwards the notice to the seller.
    Forward {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
    },
    /// The seller's declaration of non-infringement, recorded by the platform.
    Object {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// The seller's statement.
        #[arg(long)]
        text: String,
        /// An item of preliminary evidence (repeat).
        #[arg(long = "evidence", required = true)]
        evidence: Vec<String>,
    },
    /// The platform forwards the declaration to the complainant (the 15 days start).
    ForwardObjection {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
    },
    /// The complainant's complaint to an authority or lawsuit, shown within the 15 days.
    Escalate {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// Its reference (受理回执, 案号).
        #[arg(long)]
        reference: String,
    },
    /// The platform lifts the measure after the 15 days, with reasons.
    Restore {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
        #[command(flatten)]
        statement: StatementArgs,
    },
    /// The sender withdraws the notice.
    Withdraw {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
    },
    /// One notice.
    Show {
        id: Uuid,
        #[command(flatten)]
        who: AsArg,
    },
    /// The notices the user's organization sent or received.
    List {
        #[command(flatten)]
        who: AsArg,
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Record the platform's own action on a shop (自查自纠).
    Inspect {
        #[command(flatten)]
        who: AsArg,
        /// The platform's shop id.
        #[arg(long)]
        shop: String,
        /// warning, rectify, delist or close_shop.
        #[arg(long)]
        action: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// A listing concerned (repeat).
        #[arg(long = "listing")]
        listings: Vec<Uuid>,
        /// rectify: the date.
        #[arg(long, value_parser = crate::input::date_arg)]
        rectify_by: Option<NaiveDate>,
        /// Passed to a regulator as a lead.
        #[arg(long)]
        referred: bool,
    },
    /// A platform's weekly figures (附件1) for an ISO week (default last week).
    Weekly {
        #[command(flatten)]
        who: AsArg,
        /// The platform (case prefix, name or id).
        #[arg(long)]
        platform: String,
        /// ISO week, 2026-W49.
        #[arg(long)]
        week: Option<String>,
    },
}

/// Runs `wangjian notice`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&DbArg { db: args.db }).await?;
        let now = args.now.unwrap_or_else(Utc::now);
        let app = App::new(store.clone(), RuleSource::default()).map_err(|e| anyhow!("{e}"))?;
        let result = dispatch(&app, args.command, now).await;
        store.close().await;
        result
    })
}

fn refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow!("not found, or not yours to see"),
        other => anyhow!("{other}"),
    }
}

async fn platform_id(app: &App, key: &str) -> anyhow::Result<OrgId> {
    if let Ok(u) = Uuid::parse_str(key.trim()) {
        return Ok(OrgId(u));
    }
    Ok(app
        .store()
        .find_organization(key)
        .await?
        .ok_or_else(|| anyhow!("no organization {key:?} (give its case prefix, full name or id)"))?
        .id)
}

async fn dispatch(app: &App, cmd: Cmd, now: chrono::DateTime<Utc>) -> anyhow::Result<ExitCode> {
    let step = |id: Uuid, who: AsArg, action: NoticeAction, input: StepInput| async move {
        let call = call_as(app, &who, now).await?;
        let n = app
            .notice_step(&call, NoticeId(id), action, &input, None)
            .await
            .map_err(refused)?;
        anyhow::Ok(n)
    };
    let n = match cmd {
        Cmd::Send {
            who,
            platform,
            mut listings,
            listings_file,
            ground,
            case,
            complaint,
        } => {
            if let Some(path) = listings_file {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                for (i, line) in text.lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    listings.push(Uuid::parse_str(line).map_err(|_| {
                        anyhow!(
                            "{}, line {}: not a listing id: {line:?}",
                            path.display(),
                            i + 1
                        )
                    })?);
                }
            }
            let call = call_as(app, &who, now).await?;
            let req = SendNotices {
                platform: platform_id(app, &platform).await?,
                listings: listings.into_iter().map(ListingId).collect(),
                ground,
                case: case.map(CaseId),
                complaint: complaint.map(wangjian_domain::complaint::ComplaintId),
            };
            let sent = app.send_notices(&call, &req).await.map_err(refused)?;
            for n in &sent {
                out!("{}", serde_json::to_string(n)?);
            }
            eprintln!("wangjian: sent {} notices", sent.len());
            return Ok(ExitCode::SUCCESS);
        }
        Cmd::Acknowledge { id, who } => {
            step(id, who, NoticeAction::Acknowledge, StepInput::default()).await?
        }
        Cmd::Act {
            id,
            who,
            measure,
            statement,
        } => {
            let input = StepInput {
                measure: Some(measure),
                statement: Some(statement.input()),
                ..Default::default()
            };
            step(id, who, NoticeAction::Act, input).await?
        }
        Cmd::Refuse { id, who, statement } => {
            let input = StepInput {
                statement: Some(statement.input()),
                ..Default::default()
            };
            step(id, who, NoticeAction::Refuse, input).await?
        }
        Cmd::Forward { id, who } => {
            step(id, who, NoticeAction::Forward, StepInput::default()).await?
        }
        Cmd::Object {
            id,
            who,
            text,
            evidence,
        } => {
            let input = StepInput {
                declaration: Some(Declaration { text, evidence }),
                ..Default::default()
            };
            step(id, who, NoticeAction::Object, input).await?
        }
        Cmd::ForwardObjection { id, who } => {
            step(
                id,
                who,
                NoticeAction::ForwardObjection,
                StepInput::default(),
            )
            .await?
        }
        Cmd::Escalate { id, who, reference } => {
            let input = StepInput {
                reference: Some(reference),
                ..Default::default()
            };
            step(id, who, NoticeAction::Escalate, input).await?
        }
        Cmd::Restore { id, who, statement } => {
            let input = StepInput {
                statement: Some(statement.input()),
                ..Default::default()
            };
            step(id, who, NoticeAction::Restore, input).await?
        }
        Cmd::Withdraw { id, who } => {
            step(id, who, NoticeAction::Withdraw, StepInput::default()).await?
        }
        Cmd::Show { id, who } => {
            let call = call_as(app, &who, now).await?;
            app.visible_notice(&call, NoticeId(id))
                .await
                .map_err(refused)?
        }
        Cmd::List { who, state, limit } => {
            let call = call_as(app, &who, now).await?;
            let state = state
                .map(|s| {
                    NoticeState::parse(&s).ok_or_else(|| anyhow!("--state: unknown state {s:?}"))
                })
                .transpose()?;
            let mut after = None;
            let mut left = limit;
            while left > 0 {
                let page = app
                    .notices(&call, state, after, left.min(500))
                    .await
                    .map_err(refused)?;
                left = left.saturating_sub(page.items.len() as u32);
                for n in &page.items {
                    out!("{}", serde_json::to_string(n)?);
                }
                match page.next {
                    Some(c) => after = Some(c),
                    None => break,
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        Cmd::Inspect {
            who,
            shop,
            action,
            reason,
            listings,
            rectify_by,
            referred,
        } => {
            let call = call_as(app, &who, now).await?;
            let input = InspectionInput {
                shop,
                action,
                reason,
                listings: listings.into_iter().map(ListingId).collect(),
                rectify_by,
                referred,
            };
            let r = app
                .record_self_inspection(&call, &input)
                .await
                .map_err(refused)?;
            out!("{}", serde_json::to_string(&r)?);
            return Ok(ExitCode::SUCCESS);
        }
        Cmd::Weekly {
            who,
            platform,
            week,
        } => {
            let call = call_as(app, &who, now).await?;
            let week = match week {
                Some(w) => IsoWeek::parse(&w).map_err(refused)?,
                None => IsoWeek::of(wangjian_calendar::shanghai_date(now)).previous(),
            };
            let row = app
                .platform_weekly(&call, platform_id(app, &platform).await?, week)
                .await
                .map_err(refused)?;
            out!("{}", serde_json::to_string(&row)?);
            return Ok(ExitCode::SUCCESS);
        }
    };
    out!("{}", serde_json::to_string(&n)?);
    Ok(ExitCode::SUCCESS)
}
