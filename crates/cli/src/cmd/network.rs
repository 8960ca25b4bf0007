//! `wangjian network group`: seller networks from shop identifiers (循线深挖). And with a
//! database: `wangjian network import --db URL --as LOGIN` stores identifiers with their
//! provenance through the app's use case (the networks follow), `wangjian network show`
//! prints one shop's network as the acting user may see it.
//!
//! Input: JSON Lines, one shop per line: `shop` (required, string or integer),
//! `platform` (optional: the shop is then `platform:shop`), `source` (optional, default
//! the file name), `at` (optional RFC 3339: when the identifiers were true), and any of
//! the identifier fields `phone`, `email`, `social`, `citizen_id`, `uscc`,
//! `bank_account`, `return_address`, `ship_from_address`, `device`, `ip`, each a string
//! or an array of strings. A value that is not a valid identifier of its kind is reported
//! with its line and field and left out; the rest of the line counts.
//!
//! Output: one network per line, largest first, with its links (each shared value, masked
//! when personal unless `--show-personal`, and who carries it from which source since
//! when) and the over-shared values its members carry. A summary and the most shared
//! capped values go to stderr.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::Value;
use wangjian_network::{normalize, Caps, Identifier, Kind, Networks, Options, Sighting, Space};

use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian network`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Group shops into networks through shared identifiers.
    Group(GroupArgs),
    /// Import shop identifiers into the record (as an officer or a platform's operator):
    /// stored with their provenance, the networks follow at once.
    Import(ImportArgs),
    /// Print the network of one shop, as the acting user may see it (JSON).
    Show(ShowArgs),
}

/// Arguments of `wangjian network import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Database URL.
    #[arg(long, value_name = "URL", default_value = "sqlite:wangjian.db")]
    db: String,
    #[command(flatten)]
    who: crate::acting::AsArg,
    /// The platform the shops are on (id, case prefix or name), unless each line names
    /// its `platform`.
    #[arg(long)]
    platform: Option<String>,
    /// The source the rows name (default: the file name).
    #[arg(long)]
    source: Option<String>,
    /// Files (JSON Lines or a JSON array); stdin when none or `-`.
    inputs: Vec<String>,
}

/// Arguments of `wangjian network show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Database URL.
    #[arg(long, value_name = "URL", default_value = "sqlite:wangjian.db")]
    db: String,
    #[command(flatten)]
    who: crate::acting::AsArg,
    /// The shop's platform (id, case prefix or name).
    #[arg(long)]
    platform: String,
    /// The platform's shop id.
    shop: String,
}

fn read_input(name: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    if name == "-" {
        io::stdin().read_to_string(&mut text)?;
    } else {
        File::open(name)
            .with_context(|| format!("opening input {name}"))?
            .read_to_string(&mut text)
            .with_context(|| format!("reading {name}"))?;
    }
    Ok(text)
}

/// Reads every input whole (`-` is stdin): (name, text).
pub(crate) fn read_inputs(inputs: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let names: Vec<String> = if inputs.is_empty() {
        vec!["-".into()]
    } else {
        inputs.to_vec()
    };
    names
        .into_iter()
        .map(|n| {
            let t = read_input(&n)?;
            Ok((n, t))
        })
        .collect()
}

fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    rt.block_on(async {
        let store = crate::cmd::db::open(&crate::cmd::db::DbArg { db: a.db.clone() }).await?;
        let app = wangjian_app::App::new(store.clone(), wangjian_app::RuleSource::default())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let call = crate::acting::call_as(&app, &a.who, chrono::Utc::now()).await?;
        let mut status = ExitCode::SUCCESS;
        for (name, text) in read_inputs(&a.inputs)? {
            let source = a.source.clone().unwrap_or_else(|| name.clone());
            let r = app
                .upload_identifiers(&call, a.platform.as_deref(), &source, &text)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            for p in &r.problems {
                status = ExitCode::from(1);
                eprintln!(
                    "wangjian: {name}:{}: {}{}",
                    p.line,
                    p.field
                        .as_deref()
                        .map(|f| format!("field `{f}`: "))
                        .unwrap_or_default(),
                    p.message
                );
            }
            println!("{}", serde_json::to_string(&r)?);
        }
        store.close().await;
        Ok(status)
    })
}

fn show(a: ShowArgs) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    rt.block_on(async {
        let store = crate::cmd::db::open(&crate::cmd::db::DbArg { db: a.db.clone() }).await?;
        let app = wangjian_app::App::new(store.clone(), wangjian_app::RuleSource::default())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let call = crate::acting::call_as(&app, &a.who, chrono::Utc::now()).await?;
        let platform = store
            .find_organization(&a.platform)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no organization {:?}", a.platform))?;
        let v = app
            .network(&call, platform.id, &a.shop)
            .await
            .map_err(|e| match e {
                wangjian_app::AppError::NotFound => {
                    anyhow::anyhow!("no network of that shop, or not yours to see")
                }
                other => anyhow::anyhow!("{other}"),
            })?;
        println!("{}", serde_json::to_string_pretty(&v)?);
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Arguments of `wangjian network group`.
#[derive(Debug, clap::Args)]
pub struct GroupArgs {
    /// Cap of a space, `SPACE=N` (spaces: phone, email, social, citizen_id, uscc,
    /// bank_account, address, device, ip): a value carried by more than N shops is
    /// reported, not linked. May be repeated.
    #[arg(long = "cap", value_name = "SPACE=N")]
    caps: Vec<String>,
    /// Print personal values (phones, e-mails, handles, identity numbers, bank accounts)
    /// unmasked.
    #[arg(long)]
    show_personal: bool,
    /// Print networks of at least this many shops.
    #[arg(long, default_value_t = 2)]
    min_shops: usize,
    /// Drop `+tag` sub-addresses of every e-mail domain (Gmail's are always dropped).
    #[arg(long)]
    email_subaddress: bool,
    /// Shop identifier files (JSON Lines); stdin when none or `-`.
    inputs: Vec<String>,
}

/// Runs `wangjian network`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Group(a) => group(a),
        Command::Import(a) => import(a),
        Command::Show(a) => show(a),
    }
}

fn parse_caps(specs: &[String]) -> anyhow::Result<Caps> {
    let mut caps = Caps::default();
    for spec in specs {
        let Some((space, n)) = spec.split_once('=') else {
            bail!("--cap {spec}: expected SPACE=N, e.g. --cap phone=20");
        };
        let space: Space = space.parse().with_context(|| format!("--cap {spec}"))?;
        let n: u32 = n
            .trim()
            .parse()
            .with_context(|| format!("--cap {spec}: N must be a whole number"))?;
        caps.set(space, n);
    }
    Ok(caps)
}

/// The shop, source, time and identifiers of one line; problems with single values are
/// pushed to `problems` and the value left out.
fn read_line(
    line: &str,
    default_source: &str,
    options: Options,
    problems: &mut Vec<String>,
) -> Result<(String, String, Option<i64>, Vec<Identifier>), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let Some(obj) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    let id = |field: &str| match obj.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let shop = id("shop").ok_or("missing field `shop` (a string or an integer)")?;
    let shop = match id("platform") {
        Some(p) => format!("{p}:{shop}"),
        None => shop,
    };
    let source = id("source").unwrap_or_else(|| default_source.to_string());
    let at = match obj.get("at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(wangjian_brushing::order::parse_rfc3339(s).ok_or_else(|| {
                format!("field `at`: '{s}' is not an RFC 3339 date-time with an offset")
            })?)
        }
        Some(_) => return Err("field `at` must be an RFC 3339 string".into()),
    };
    let mut ids = Vec::new();
    for kind in Kind::ALL {
        let values: Vec<&str> = match obj.get(kind.name()) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(_) => {
                problems.push(format!(
                    "field `{kind}`: expected a string or an array of strings"
                ));
                continue;
            }
        };
        for value in values {
            if value.trim().is_empty() {
                continue;
            }
            match normalize(kind, value, options) {
                Ok(i) => ids.push(i),
                Err(e) => problems.push(format!("field `{kind}`: {e}")),
            }
        }
    }
    Ok((shop, source, at, ids))
}

fn group(args: GroupArgs) -> anyhow::Result<ExitCode> {
    let caps = parse_caps(&args.caps)?;
    let options = Options {
        email_subaddress: args.email_subaddress,
    };
    let inputs: Vec<String> = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let mut readers: Vec<(String, Box<dyn Read>)> = Vec::new();
    for name in &inputs {
        if name == "-" {
            readers.push(("<stdin>".into(), Box::new(io::stdin())));
        } else {
            let f = File::open(name).with_context(|| format!("opening input {name}"))?;
            readers.push((name.clone(), Box::new(f)));
        }
    }
    let mut networks = Networks::new(caps);
    let mut bad = BadLines::default();
    let mut lines = 0u64;
    for (source, reader) in readers {
        for_each_line(BufReader::new(reader), MAX_LINE_BYTES, |number, line| {
            let line = match line {
                Ok(l) if l.trim().is_empty() => return Ok(()),
                Ok(l) => l,
                Err(p) => {
                    bad.report(&source, number, p);
                    return Ok(());
                }
            };
            lines += 1;
            let mut problems = Vec::new();
            match read_line(line, &source, options, &mut problems) {
                Ok((shop, src, at, ids)) => {
                    networks.add(ids.iter().map(|i| Sighting {
                        shop: &shop,
                        identifier: i,
                        source: &src,
                        at,
                    }));
                }
                Err(e) => bad.report(&source, number, e),
            }
            for p in problems {
                bad.report(&source, number, p);
            }
            Ok(())
        })
        .with_context(|| format!("reading {source}"))?;
    }
    let mut out = BufWriter::new(io::stdout().lock());
    let found = networks.networks(args.min_shops.max(1), args.show_personal);
    for n in &found {
        serde_json::to_writer(&mut out, n)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    let capped = networks.capped(args.show_personal);
    eprintln!(
        "wangjian: {lines} lines, {} shops, {} distinct values; {} networks of {} or more shops; {} over-shared values not linked",
        networks.shop_count(),
        networks.value_count(),
        found.len(),
        args.min_shops.max(1),
        capped.len()
    );
    for c in capped.iter().take(10) {
        eprintln!(
            "wangjian: over-shared {} {} carried by {} shops (cap {})",
            c.space, c.value, c.shops, c.cap
        );
    }
    Ok(bad.exit_code())
}
