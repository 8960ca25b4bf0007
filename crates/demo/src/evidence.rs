//! Evidence for the demo's cases: for every other case of each agency, the listing it came
//! from is captured twice, as the JSON the scan saw and as the listing page (HTML), through
//! `Store::capture` (blob once + an `evidence_captured` entry in the evidence log), so
//! `wangjian evidence export` on a demo case yields a package with blobs that
//! `wangjian verify` accepts.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use wangjian_domain::lead::listing_id_for;
use wangjian_domain::{LeadId, OrgId};
use wangjian_store::{Capture, CaseQuery, ListingInput, Scope, Store};

use crate::DemoError;

/// The listing page as the patrol saw it (a stand-in for the HTML a browser would save).
fn page(input: &ListingInput) -> String {
    let c = &input.content;
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let price = c
        .price_fen
        .map(|f| format!("¥{}.{:02}", f / 100, f % 100))
        .unwrap_or_else(|| "面议".into());
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\n\
         <body><h1>{t}</h1><p class=\"price\">{price}</p><p>{d}</p><p>发货地：{s}</p>\n\
         <p>商品编号 {id} · <a href=\"{u}\">{u}</a></p></body></html>\n",
        t = esc(&c.title),
        d = esc(&c.description),
        s = esc(&c.ship_from),
        id = esc(&c.platform_listing_id),
        u = esc(&c.url),
    )
}

/// Captures the listing snapshots of every other case of `orgs`; returns how many blobs
/// were captured.
pub(crate) async fn captures(
    store: &Store,
    orgs: &[OrgId],
    inputs: &HashMap<LeadId, ListingInput>,
    now: DateTime<Utc>,
) -> Result<u64, DemoError> {
    let mut n = 0;
    for org in orgs {
        let mut q = CaseQuery::new(Scope::Org(*org));
        q.include_final = true;
        q.limit = 500;
        let cases = store.cases(&q).await?.items;
        for case in cases.iter().step_by(2) {
            let Some(who) = case.case_officer.or(case.verifier) else {
                continue;
            };
            let file = store.case_file(case.id).await?;
            for link in &file.links {
                let Some(input) = inputs.get(&link.lead) else {
                    continue;
                };
                let listing = listing_id_for(input.platform, &input.content.platform_listing_id);
                let json = serde_json::to_vec_pretty(&input.content)
                    .map_err(|e| crate::step_err("snapshot json", e))?;
                let at = (link.linked_at + Duration::hours(2)).min(now);
                for (bytes, media_type) in [
                    (json, "application/json"),
                    (page(input).into_bytes(), "text/html"),
                ] {
                    store
                        .capture(Capture {
                            bytes,
                            media_type: media_type.into(),
                            source: input.content.url.clone(),
                            case: Some(case.id.0),
                            listing: Some(listing.0),
                            captured_by: who.0,
                            org: org.0,
                            at,
                        })
                        .await?;
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}
