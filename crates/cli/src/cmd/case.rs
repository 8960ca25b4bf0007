//! `wangjian case …`: the case workflow from the command line, before (and beside) the web
//! console. Every action runs as a user (`--as LOGIN`, optionally `--org` when they belong
//! to several organizations) through the use cases of `wangjian-app` — the same policy,
//! domain commands and audit events as the server; this module only parses arguments and
//! prints results.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};
use uuid::Uuid;
use wangjian_app::workflow::assist::NewAssist;
use wangjian_app::workflow::seized::NewDestruction;
use wangjian_app::{App, AppError, RuleSource};
use wangjian_calendar::shanghai_date;
use wangjian_domain::seized::SeizedItem;
use wangjian_domain::supervision::SupervisionLevel;
use wangjian_domain::transfer::AssistTarget;
use wangjian_domain::{CaseCommand, CaseId, CaseState, LeadId, RegionCode, SeizedItemId, UserId};
use wangjian_store::{CaseQuery, Scope, Store};

use crate::acting::{call_as, AsArg};
use crate::cmd::db::{open, runtime, DbArg};

/// `println!` that returns the error (a closed pipe ends the command quietly) instead of
/// panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($t)*)?;
    }};
}

/// Arguments of `wangjian case`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Database URL: sqlite:PATH (created when missing), sqlite::memory: or postgres://…
    #[arg(
        long,
        global = true,
        value_name = "URL",
        default_value = "sqlite:wangjian.db"
    )]
    db: String,
    /// The time recorded for the action (RFC 3339), when entering a step taken earlier
    /// (补录) or replaying records; default now. The audit trail keeps it as given.
    #[arg(long, global = true, value_name = "TIME")]
    now: Option<chrono::DateTime<Utc>>,
    #[command(subcommand)]
    command: CaseCmd,
}

/// `wangjian case` subcommands.
#[derive(Debug, clap::Subcommand)]
enum CaseCmd {
    /// Register a case (线索登记) from one or more leads.
    Register {
        #[command(flatten)]
        who: AsArg,
        /// 案由.
        #[arg(long)]
        title: String,
        /// Lead ids (see `wangjian export leads`).
        #[arg(long = "lead", required = true)]
        leads: Vec<Uuid>,
    },
    /// Run a transition: ACTION is a state-machine action (start_verification, open,
    /// decline, begin_investigation, request_testing, complete_testing,
    /// issue_penalty_notice, decide_penalty, begin_enforcement, record_disclosure, close,
    /// refer_to_police, acknowledge_referral, refuse_referral, police_file, police_decline,
    /// transfer_out, accept_transfer, refuse_transfer, suspend, resume, terminate,
    /// reassign_officer, extend_deadline, link_lead) with its fields as --set NAME=VALUE.
    /// Users are given by login, organizations by case prefix or name, lists comma-separated.
    Transition {
        /// Case id.
        case: Uuid,
        /// The action.
        action: String,
        #[command(flatten)]
        who: AsArg,
        /// A field of the action, NAME=VALUE (repeat).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
    },
    /// Assign the responsible officer (reassign_officer).
    Assign {
        /// Case id.
        case: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// Login of the new case officer.
        #[arg(long)]
        officer: String,
    },
    /// Extend a deadline (needs a supervisor).
    Extend {
        /// Case id.
        case: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// Deadline kind (lead_verification, case_decision, …).
        #[arg(long)]
        kind: String,
        /// Days to add (counted as the rule counts).
        #[arg(long)]
        days: u32,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Transfer the case to another agency (transfer_out).
    Transfer {
        /// Case id.
        case: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// Receiving organization (case prefix or name).
        #[arg(long)]
        to: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Legal basis.
        #[arg(long)]
        basis: String,
    },
    /// Mark a case for supervision (督办) as a coordination office.
    Supervise {
        /// Case id.
        case: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// national, provincial, city, key or general.
        #[arg(long, default_value = "general")]
        level: String,
        /// Due date, YYYY-MM-DD.
        #[arg(long, value_parser = crate::input::date_arg)]
        due: NaiveDate,
        /// Note to the agency.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Send an assist request (协查) for a case to another agency: check a subject, a
    /// shipment or goods; the asked agency owes the answer by its reply deadline.
    Assist {
        /// Case id.
        case: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// The agency asked (case prefix or name).
        #[arg(long)]
        to: String,
        /// What to ask.
        #[arg(long)]
        question: String,
        /// Legal basis.
        #[arg(long, default_value = "")]
        basis: String,
        /// Check this subject (id).
        #[arg(long, conflicts_with_all = ["waybill", "items"])]
        subject: Option<Uuid>,
        /// Check this shipment: its carrier (with --waybill).
        #[arg(long, requires = "waybill")]
        carrier: Option<String>,
        /// Check this shipment: its waybill number (with --carrier).
        #[arg(long, requires = "carrier", conflicts_with = "items")]
        waybill: Option<String>,
        /// Identify these goods (鉴定认定互助).
        #[arg(long)]
        items: Option<String>,
    },
    /// Answer (or, with --decline, decline) an assist request asked of your agency.
    AnswerAssist {
        /// Assist request id.
        request: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// The findings, or why it is declined.
        #[arg(long)]
        answer: String,
        /// The answer's document number.
        #[arg(long, default_value = "")]
        reference: String,
        /// Decline instead of answering.
        #[arg(long)]
        decline: bool,
    },
    /// Report the outcome of an accepted transfer, as its receiver.
    Feedback {
        /// Transfer order id (see `case show`).
        transfer: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// The outcome (立案 / 不予立案 / 已处罚 …).
        #[arg(long)]
        outcome: String,
        /// Your reference number (立案决定书号).
        #[arg(long, default_value = "")]
        reference: String,
        /// Notes.
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Record goods seized in a case (涉案物品).
    Seize {
        /// Case id.
        case: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// What (goods, mark, model).
        #[arg(long)]
        description: String,
        /// How many units.
        #[arg(long)]
        quantity: u64,
        /// The unit (件, 双, 箱, 千克).
        #[arg(long)]
        unit: String,
        /// Where it is kept (公物仓 …).
        #[arg(long)]
        custody: String,
    },
    /// Record a handover of custody of a seized item.
    HandOver {
        /// Seized item id.
        item: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// Where it is now.
        #[arg(long)]
        from: String,
        /// Where it goes.
        #[arg(long)]
        to: String,
        /// The handover document number.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record the destruction (无害化销毁) of a seized item, with at least two witnesses.
    Destroy {
        /// Seized item id.
        item: Uuid,
        #[command(flatten)]
        who: AsArg,
        /// The day destroyed, YYYY-MM-DD.
        #[arg(long, value_parser = crate::input::date_arg)]
        on: NaiveDate,
        /// How (焚烧, 粉碎 …).
        #[arg(long)]
        method: String,
        /// Where.
        #[arg(long)]
        place: String,
        /// A witness's name (repeat; at least two).
        #[arg(long = "witness")]
        witnesses: Vec<String>,
    },
    /// Show a case: its state, officers, deadlines, transfers, assist requests, seized
    /// goods and audit trail.
    Show {
        /// Case id.
        case: Uuid,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List cases: an agency's, an officer's queue, a region's, or what is overdue.
    List {
        /// The agency (case prefix or name) whose cases to list.
        #[arg(long, conflicts_with = "region")]
        org: Option<String>,
        /// Every agency within this region code (a coordination office's view).
        #[arg(long)]
        region: Option<String>,
        /// Only cases of this officer (login).
        #[arg(long)]
        officer: Option<String>,
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
        /// Include declined, closed and terminated cases.
        #[arg(long)]
        all: bool,
        /// Instead of cases: deadlines and supervision orders in --region that are overdue
        /// or due within --within working days.
        #[arg(long, requires = "region")]
        overdue: bool,
        /// With --overdue: also what falls due within this many working days.
        #[arg(long, default_value_t = 0)]
        within: u32,
        /// The day to count from (default today in Asia/Shanghai).
        #[arg(long, value_parser = crate::input::date_arg)]
        today: Option<NaiveDate>,
    },
}

/// Runs `wangjian case`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    rt.block_on(async {
        let store = open(&DbArg { db: args.db }).await?;
        let now = args.now.unwrap_or_else(Utc::now);
        let app = App::new(store.clone(), RuleSource::default()).map_err(|e| anyhow!("{e}"))?;
        let result = dispatch(&app, args.command, now).await;
        store.close().await;
        result
    })
}

/// A refusal of a use case as a sentence.
fn refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow!("not found, or not yours to see"),
        other => anyhow!("{other}"),
    }
}

async fn user_id(store: &Store, login: &str) -> anyhow::Result<UserId> {
    Ok(store
        .user_by_login(login.trim())
        .await?
        .ok_or_else(|| anyhow!("no user with login {login:?}"))?
        .0
        .id)
}

async fn org_id(store: &Store, key: &str) -> anyhow::Result<Uuid> {
    Ok(store
        .find_organization(key)
        .await?
        .ok_or_else(|| anyhow!("no organization {key:?} (give its case prefix or full name)"))?
        .id
        .0)
}

/// Fields whose values name users, organizations, or are lists, numbers or booleans.
const USER_FIELDS: [&str; 3] = ["verifier", "case_officer", "co_officers"];
const ORG_FIELDS: [&str; 2] = ["police_org", "to_org"];
const LIST_FIELDS: [&str; 5] = [
    "co_officers",
    "materials",
    "case_file_list",
    "evidence_list",
    "seized_goods_list",
];

/// Builds the command JSON from NAME=VALUE pairs, resolving logins and organizations.
async fn command_from(store: &Store, action: &str, set: &[String]) -> anyhow::Result<CaseCommand> {
    let mut obj = serde_json::Map::new();
    obj.insert("action".into(), json!(action));
    let mut seen = BTreeMap::new();
    // Values that read as a number or a boolean: the action's field may want the text.
    let mut ambiguous = Vec::new();
    for pair in set {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {pair:?}: expected NAME=VALUE"))?;
        let name = name.trim();
        if seen.insert(name.to_string(), ()).is_some() {
            bail!("--set {name} given twice");
        }
        let items: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let v = if USER_FIELDS.contains(&name) {
            let mut ids = Vec::new();
            for login in &items {
                ids.push(json!(user_id(store, login).await?));
            }
            if LIST_FIELDS.contains(&name) {
                Value::Array(ids)
            } else {
                ids.into_iter().next().unwrap_or(Value::Null)
            }
        } else if ORG_FIELDS.contains(&name) {
            json!(org_id(store, value).await?)
        } else if LIST_FIELDS.contains(&name) {
            json!(items)
        } else if let Ok(n) = value.trim().parse::<i64>() {
            ambiguous.push((name.to_string(), json!(value)));
            json!(n)
        } else if let Ok(b) = value.trim().parse::<bool>() {
            ambiguous.push((name.to_string(), json!(value)));
            json!(b)
        } else {
            json!(value)
        };
        obj.insert(name.to_string(), v);
    }
    let first = match serde_json::from_value(Value::Object(obj.clone())) {
        Ok(cmd) => return Ok(cmd),
        Err(e) => e,
    };
    // `--set reason=2024` is text to a text field: try each ambiguous value as text, then
    // all of them.
    let mut all = obj.clone();
    for (name, text) in &ambiguous {
        let mut one = obj.clone();
        one.insert(name.clone(), text.clone());
        all.insert(name.clone(), text.clone());
        if let Ok(cmd) = serde_json::from_value(Value::Object(one)) {
            return Ok(cmd);
        }
    }
    if ambiguous.len() > 1 {
        if let Ok(cmd) = serde_json::from_value(Value::Object(all)) {
            return Ok(cmd);
        }
    }
    Err(anyhow!(
        "action {action:?}: {first} (see `wangjian case transition --help` for the fields)"
    ))
}

async fn transition(
    app: &App,
    case: Uuid,
    who: &AsArg,
    cmd: CaseCommand,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<ExitCode> {
    let call = call_as(app, who, now).await?;
    let file = app
        .transition(&call, CaseId(case), None, &cmd)
        .await
        .map_err(refused)?;
    let c = &file.case;
    out!(
        "{}\t{}\t{} ({})\tversion {}",
        c.id,
        c.number.simple_form(),
        c.state.as_str(),
        c.state.label_zh(),
        c.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn dispatch(app: &App, cmd: CaseCmd, now: chrono::DateTime<Utc>) -> anyhow::Result<ExitCode> {
    let store = app.store();
    match cmd {
        CaseCmd::Register { who, title, leads } => {
            let call = call_as(app, &who, now).await?;
            let leads: Vec<LeadId> = leads.into_iter().map(LeadId).collect();
            let file = app
                .register_case(&call, &title, &leads)
                .await
                .map_err(refused)?;
            let c = &file.case;
            out!(
                "{}\t{}\t{}",
                c.id,
                c.number.document_form(),
                c.state.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Transition {
            case,
            action,
            who,
            set,
        } => {
            let cmd = command_from(store, &action, &set).await?;
            transition(app, case, &who, cmd, now).await
        }
        CaseCmd::Assign { case, who, officer } => {
            let cmd = CaseCommand::ReassignOfficer {
                case_officer: user_id(store, &officer).await?,
            };
            transition(app, case, &who, cmd, now).await
        }
        CaseCmd::Extend {
            case,
            who,
            kind,
            days,
            reason,
        } => {
            let cmd = command_from(
                store,
                "extend_deadline",
                &[
                    format!("kind={kind}"),
                    format!("days={days}"),
                    format!("reason={reason}"),
                    "collective=false".into(),
                ],
            )
            .await?;
            transition(app, case, &who, cmd, now).await
        }
        CaseCmd::Transfer {
            case,
            who,
            to,
            reason,
            basis,
        } => {
            let cmd = CaseCommand::TransferOut {
                to_org: wangjian_domain::OrgId(org_id(store, &to).await?),
                legal_basis: basis,
                reason,
                materials: vec![],
            };
            transition(app, case, &who, cmd, now).await
        }
        CaseCmd::Supervise {
            case,
            who,
            level,
            due,
            note,
        } => {
            let call = call_as(app, &who, now).await?;
            let level: SupervisionLevel = serde_json::from_value(json!(level))
                .map_err(|_| anyhow!("--level: one of national, provincial, city, key, general"))?;
            let s = app
                .supervise(&call, CaseId(case), level, due, &note)
                .await
                .map_err(refused)?;
            let summary = store.case_summary(CaseId(case)).await?;
            out!("{}\t{}\tdue {}", s.id, summary.number, s.due);
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Show { case, json } => show(store, CaseId(case), json, now).await,
        CaseCmd::Assist {
            case,
            who,
            to,
            question,
            basis,
            subject,
            carrier,
            waybill,
            items,
        } => {
            let target = match (subject, carrier.zip(waybill), items) {
                (Some(s), None, None) => AssistTarget::Subject {
                    subject: wangjian_domain::SubjectId(s),
                },
                (None, Some((carrier, waybill)), None) => {
                    AssistTarget::Shipment { carrier, waybill }
                }
                (None, None, Some(items)) => AssistTarget::Identification { items },
                _ => bail!("name what to check: --subject, --carrier with --waybill, or --items"),
            };
            let call = call_as(app, &who, now).await?;
            let to = wangjian_domain::OrgId(org_id(store, &to).await?);
            let (r, d) = app
                .send_assist(
                    &call,
                    CaseId(case),
                    NewAssist {
                        to_org: to,
                        target,
                        question,
                        legal_basis: basis,
                    },
                )
                .await
                .map_err(refused)?;
            out!("{}\tsent\tdue {}", r.id, d.due);
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::AnswerAssist {
            request,
            who,
            answer,
            reference,
            decline,
        } => {
            let call = call_as(app, &who, now).await?;
            let (r, _) = app
                .answer_assist(
                    &call,
                    wangjian_domain::AssistRequestId(request),
                    None,
                    &answer,
                    &reference,
                    decline,
                )
                .await
                .map_err(refused)?;
            print_status(r.id, &r.status, r.version)
        }
        CaseCmd::Feedback {
            transfer: id,
            who,
            outcome,
            reference,
            notes,
        } => {
            let call = call_as(app, &who, now).await?;
            let t = app
                .report_feedback(
                    &call,
                    wangjian_domain::TransferId(id),
                    None,
                    &outcome,
                    &reference,
                    &notes,
                )
                .await
                .map_err(refused)?;
            print_status(t.id, &t.status, t.version)
        }
        CaseCmd::Seize {
            case,
            who,
            description,
            quantity,
            unit,
            custody,
        } => {
            let call = call_as(app, &who, now).await?;
            let item = app
                .record_seizure(&call, CaseId(case), &description, quantity, &unit, &custody)
                .await
                .map_err(refused)?;
            print_item(&item)
        }
        CaseCmd::HandOver {
            item,
            who,
            from,
            to,
            note,
        } => {
            let call = call_as(app, &who, now).await?;
            let item = app
                .hand_over(&call, SeizedItemId(item), None, &from, &to, &note)
                .await
                .map_err(refused)?;
            print_item(&item)
        }
        CaseCmd::Destroy {
            item,
            who,
            on,
            method,
            place,
            witnesses,
        } => {
            let call = call_as(app, &who, now).await?;
            let item = app
                .destroy(
                    &call,
                    SeizedItemId(item),
                    None,
                    &NewDestruction {
                        on,
                        method,
                        place,
                        witnesses,
                    },
                )
                .await
                .map_err(refused)?;
            print_item(&item)
        }
        CaseCmd::List {
            org,
            region,
            officer,
            state,
            all,
            overdue,
            within,
            today,
        } => {
            let today = today.unwrap_or_else(|| shanghai_date(now));
            if overdue {
                let code = RegionCode::parse(region.as_deref().unwrap_or_default())
                    .map_err(|e| anyhow!("--region: {e}"))?;
                let cal = app.calendar().await.map_err(|e| anyhow!("{e}"))?;
                let cal: &wangjian_calendar::Calendar = &cal;
                let mut after = None;
                loop {
                    let page = store
                        .due_deadlines(&code, today, within, cal, after, 500)
                        .await?;
                    for d in &page.items {
                        out!(
                            "{}\t{}\t{}\t{}\t{}",
                            d.number,
                            d.due,
                            if d.overdue { "overdue" } else { "due" },
                            d.working_days_left,
                            serde_json::to_string(&d.what)?
                        );
                    }
                    match page.next {
                        Some(c) => after = Some(c),
                        None => break,
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let scope = match (org, region) {
                (Some(o), _) => Scope::Org(wangjian_domain::OrgId(org_id(store, &o).await?)),
                (None, Some(r)) => {
                    Scope::Region(RegionCode::parse(&r).map_err(|e| anyhow!("--region: {e}"))?)
                }
                (None, None) => bail!("name --org or --region"),
            };
            let mut q = CaseQuery::new(scope);
            q.include_final = all;
            q.limit = 500;
            if let Some(s) = state {
                q.state = Some(
                    CaseState::ALL
                        .into_iter()
                        .find(|c| c.as_str() == s)
                        .ok_or_else(|| anyhow!("--state: unknown state {s:?}"))?,
                );
            }
            if let Some(l) = officer {
                q.officer = Some(user_id(store, &l).await?);
            }
            loop {
                let page = store.cases(&q).await?;
                for c in &page.items {
                    out!(
                        "{}\t{}\t{}\t{}",
                        c.id,
                        c.number.simple_form(),
                        c.state.label_zh(),
                        c.title
                    );
                }
                match page.next {
                    Some(cursor) => q.after = Some(cursor),
                    None => break,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A status as its stored name (`sent`, `feedback_reported`, …).
fn status_name<T: serde::Serialize>(status: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_value(status)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// `ID\tSTATUS\tversion N` of a transfer order or assist request after a command.
fn print_status<S: serde::Serialize>(
    id: impl std::fmt::Display,
    status: &S,
    version: i64,
) -> anyhow::Result<ExitCode> {
    out!("{id}\t{}\tversion {version}", status_name(status)?);
    Ok(ExitCode::SUCCESS)
}

fn print_item(i: &SeizedItem) -> anyhow::Result<ExitCode> {
    let state = match &i.destruction {
        Some(d) => format!("destroyed {}", d.on),
        None => format!("held at {}", i.custody),
    };
    out!(
        "{}\t{} {}{}\t{state}\tversion {}",
        i.id,
        i.description,
        i.quantity,
        i.unit,
        i.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn show(
    store: &Store,
    id: CaseId,
    as_json: bool,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<ExitCode> {
    let file = store.case_file(id).await?;
    let trail: Vec<Value> = store
        .case_trail(id)
        .await?
        .into_iter()
        .map(|e| json!({ "seq": e.seq, "event": e.event }))
        .collect();
    let seized = store.seized_items_of_case(id).await?;
    let assists = store.assist_requests_of_case(id).await?;
    if as_json {
        out!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "file": file, "trail": trail, "seized": seized, "assist_requests": assists
            }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let c = &file.case;
    out!("{}  {}", c.number.document_form(), c.title);
    out!("id       {}", c.id);
    out!("state    {} ({})", c.state.label_zh(), c.state.as_str());
    if let Some(o) = c.case_officer {
        out!("officer  {}", name_of(store, o).await);
    }
    let today = shanghai_date(now);
    for d in &file.deadlines {
        let state = serde_json::to_value(d.state_on(today))?;
        out!(
            "deadline {}\tdue {}{}\t{}\t{}",
            d.kind().as_str(),
            d.due,
            if d.provisional { " (provisional)" } else { "" },
            state.as_str().unwrap_or_default(),
            d.rule.legal_basis
        );
    }
    for t in &file.transfers {
        out!("transfer {}", serde_json::to_string(t)?);
    }
    for r in &assists {
        out!("assist   {}", serde_json::to_string(r)?);
    }
    for i in &seized {
        out!("seized   {}", serde_json::to_string(i)?);
    }
    out!("trail:");
    for e in &trail {
        out!("  {}", serde_json::to_string(e)?);
    }
    Ok(ExitCode::SUCCESS)
}

async fn name_of(store: &Store, id: UserId) -> String {
    match store.user(id).await {
        Ok(Some(u)) => u.name,
        _ => id.to_string(),
    }
}
