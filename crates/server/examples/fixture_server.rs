//! The server over a fresh SQLite database holding the test world (the matrix test's
//! organizations, users and cases), for the browser tests: prints
//! `wangjian: serving on http://ADDR/` and one `case_hz=ID` line, then serves until
//! SIGTERM. Usage: `fixture_server DB_PATH [LISTEN]`.

#[path = "../tests/common/world.rs"]
mod world;

use wangjian_server::auth::password::hash_password;
use wangjian_server::directory::Directory;
use wangjian_server::{serve, shutdown_signal, AppState, ServerConfig};
use wangjian_store::Store;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .ok_or("usage: fixture_server DB_PATH [LISTEN]")?;
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let store = Store::open(&format!("sqlite:{db}")).await?;
    let hash = hash_password(world::PASSWORD)?;
    let w = world::build(&store, &hash).await;
    let state = AppState::new(Directory::Store(store.clone()), ServerConfig::default());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("wangjian: serving on http://{}/", listener.local_addr()?);
    println!("case_hz={}", w.case_hz);
    println!("lead_hz={}", w.lead_hz);
    println!("lead_scanned={}", world::scanned_lead(&store).await);
    serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}
