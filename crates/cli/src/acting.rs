//! Who acts on the command line: `--as LOGIN [--org ORG]` resolved, through the use cases
//! of `wangjian-app`, into the member the one policy judges — the same rules the server
//! applies to a signed-in user.

use anyhow::anyhow;
use chrono::Utc;
use uuid::Uuid;
use wangjian_app::{App, Call, Principal};
use wangjian_domain::RequestId;

/// Who acts.
#[derive(Debug, Clone, clap::Args)]
pub struct AsArg {
    /// Sign-in name of the acting user.
    #[arg(long = "as", value_name = "LOGIN")]
    pub login: String,
    /// The organization they act for (case prefix or name), when they belong to several.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
}

/// The call of `who` at `now`, under a fresh request id: the policy decides what they may.
pub async fn call_as(app: &App, who: &AsArg, now: chrono::DateTime<Utc>) -> anyhow::Result<Call> {
    let m = app
        .member_by_login(&who.login, who.org.as_deref())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(Call {
        principal: Principal::Member(m),
        request: RequestId(Uuid::now_v7()),
        now,
    })
}
