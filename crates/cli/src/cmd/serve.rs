//! `wangjian serve`: the HTTP server (JSON API and web console).

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use wangjian_server::directory::Directory;
use wangjian_server::{serve, shutdown_signal, AppState, ServerConfig};

/// Arguments of `wangjian serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Database: sqlite:PATH or postgres://…
    #[arg(long, default_value = "sqlite:wangjian.db")]
    db: String,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Fill an empty database with the demo (a province, agencies, a platform, cases in
    /// every state, and a login for each role).
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure: set this when browsers reach the server over HTTPS (directly or
    /// through a TLS-terminating proxy).
    #[arg(long)]
    secure_cookies: bool,
    /// A reverse proxy in front of the server, as an address or a block (`10.0.0.0/8`,
    /// `2001:db8::/32`); repeat for several. When a request comes from one of them, the
    /// client is the right-most X-Forwarded-For address that is not one of them (the
    /// per-address limits count it). Without this flag X-Forwarded-For is ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<wangjian_server::web::client::Cidr>,
    /// The evidence log's signing key, for the evidence packages and checkpoints the
    /// server signs (as `wangjian log checkpoint` finds it). Without one (PostgreSQL and no
    /// `--log-key` or `$WANGJIAN_LOG_KEY`) those routes answer 503.
    #[command(flatten)]
    key: crate::cmd::log::KeyArg,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_tracing();
    wangjian_server::i18n::check().context("checking the console's message catalogs")?;
    let config = ServerConfig {
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxies,
        log_key: args.key.path(&args.db).ok(),
        log_origin: args.key.origin.clone(),
        ..ServerConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = wangjian_store::Store::open(&args.db)
            .await
            .with_context(|| format!("opening the database {}", args.db))?;
        if args.demo {
            let report =
                crate::cmd::demo::fill(&store, &wangjian_demo::DemoOptions::default()).await?;
            crate::cmd::demo::print_report(&args.db, &report);
        }
        let state = AppState::new(Directory::Store(store.clone()), config);
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        println!("wangjian: serving on http://{addr}/ (console) and http://{addr}/api/v1/ (API)");
        serve(listener, state, shutdown_signal())
            .await
            .context("serving")?;
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
