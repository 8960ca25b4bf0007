//! `wangjian capture FILE… --case ID --as LOGIN` keeps saved snapshots (a listing page's
//! HTML, a screenshot, the JSON the scan saw) as evidence: each file's bytes go to the
//! content-addressed blob store (stored once) and an `evidence_captured` entry to the
//! evidence log, in one transaction; one line per file is printed once it is committed.
//! Fetching a live URL is not built in: save the page first, then capture the file
//! (`--source` records the URL it came from).
//!
//! `wangjian evidence export --case ID -o FILE` writes the case's evidence package: a tar
//! archive with its log entries, their inclusion proofs, a freshly signed tree head, the
//! public keys, the captured blobs and a manifest, which `wangjian verify FILE` checks
//! offline (FORMAT.md §5 of `crates/ledger`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use uuid::Uuid;
use wangjian_app::workflow::evidence::NewEvidence;
use wangjian_app::{App, AppError, RuleSource};
use wangjian_domain::{CaseId, ListingId};
use wangjian_ledger::package::CaseRef;
use wangjian_store::Store;

use crate::acting::{call_as, AsArg};
use crate::cmd::db::{open, runtime, DbArg};
use crate::cmd::log::KeyArg;

/// Arguments of `wangjian capture`.
#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    #[command(flatten)]
    db: DbArg,
    /// Saved snapshot files (HTML, images, JSON, PDF).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The case the evidence is for.
    #[arg(long)]
    case: Uuid,
    #[command(flatten)]
    who: AsArg,
    /// Media type (`text/html`, `image/png`, …); default from the file extension.
    #[arg(long = "kind", alias = "media-type", value_name = "MEDIA_TYPE")]
    kind: Option<String>,
    /// What the snapshot shows: the URL it was saved from (default: the file name). With
    /// several files it applies to all of them.
    #[arg(long)]
    source: Option<String>,
    /// The listing the snapshot is of (listing id).
    #[arg(long)]
    listing: Option<Uuid>,
}

/// The media type of a file, from its extension.
pub fn media_type_of(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "mhtml" | "mht" => "multipart/related",
        "json" | "jsonl" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// Runs `wangjian capture`.
pub fn capture(args: CaptureArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let r = capture_files(&store, &args).await;
        store.close().await;
        r
    })
}

async fn capture_files(store: &Store, args: &CaptureArgs) -> anyhow::Result<ExitCode> {
    let app = App::new(store.clone(), RuleSource::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let call = call_as(&app, &args.who, Utc::now()).await?;
    // The case's write rule, before any file is read.
    app.writable_case(&call, CaseId(args.case))
        .await
        .map_err(|e| {
            let why = match e {
                AppError::NotFound => "not found, or not yours to see".to_string(),
                other => other.to_string(),
            };
            anyhow::anyhow!(
                "{} may not add evidence to case {}: {why}",
                args.who.login,
                args.case
            )
        })?;
    let mut out = std::io::stdout().lock();
    for path in &args.files {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let source = match &args.source {
            Some(s) => s.clone(),
            None => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
        };
        let media_type = args
            .kind
            .clone()
            .unwrap_or_else(|| media_type_of(path).to_string());
        let c = app
            .capture_evidence(
                &call,
                CaseId(args.case),
                NewEvidence {
                    bytes,
                    media_type,
                    source,
                    listing: args.listing.map(ListingId),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("capturing {}", path.display()))?;
        let sha: String = c.sha256.iter().map(|b| format!("{b:02x}")).collect();
        if c.already_captured {
            writeln!(
                out,
                "already captured entry {} sha256 {sha} {}",
                c.leaf_index,
                path.display()
            )?;
        } else {
            writeln!(
                out,
                "captured entry {} sha256 {sha} {} bytes{} {}",
                c.leaf_index,
                c.size,
                if c.new_blob {
                    ""
                } else {
                    " (blob already stored)"
                },
                path.display()
            )?;
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `wangjian evidence`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: EvidenceCmd,
}

#[derive(Debug, clap::Subcommand)]
enum EvidenceCmd {
    /// Write a case's evidence package (verify it with `wangjian verify FILE`).
    Export {
        #[command(flatten)]
        db: DbArg,
        /// The case.
        #[arg(long)]
        case: Uuid,
        /// The package file to write (must not exist yet).
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        key: KeyArg,
    },
}

/// Runs `wangjian evidence`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        EvidenceCmd::Export { db, case, out, key } => runtime()?.block_on(async {
            let store = open(&db).await?;
            let r = export(&store, &db.db, case, &out, &key).await;
            store.close().await;
            r
        }),
    }
}

async fn export(
    store: &Store,
    db: &str,
    case: Uuid,
    out: &Path,
    key: &KeyArg,
) -> anyhow::Result<ExitCode> {
    let file = store
        .case_file(CaseId(case))
        .await
        .with_context(|| format!("case {case}"))?;
    let key = key.load(db)?;
    let pkg = store
        .evidence_package(
            CaseRef {
                id: case,
                number: file.case.number.document_form(),
            },
            &key,
            Utc::now(),
        )
        .await?;
    let bytes = pkg.build().context("building the package")?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .with_context(|| format!("creating {} (it must not exist yet)", out.display()))?;
    f.write_all(&bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", out.display()))?;
    let c = &pkg.checkpoint.checkpoint;
    println!(
        "wrote {} ({} bytes): case {}, {} entries, {} blobs, tree size {}, key {}",
        out.display(),
        bytes.len(),
        file.case.number.document_form(),
        pkg.entries.len(),
        pkg.blobs.len(),
        c.size,
        key.verifier().key_id()
    );
    Ok(ExitCode::SUCCESS)
}
