//! Seller networks and brushing groups in the console (issue 18):
//!
//! - `/networks`: the networks the caller reads (members in its region, or named by its
//!   leads), largest first; `/networks/{platform}/{shop}`: one network — a server-drawn
//!   SVG graph of its shops (circles, colored by platform) and the values linking them
//!   (squares), its shops with their platforms and regions, the links with their
//!   provenance, the over-shared values, and the members' leads, cases and penalties.
//! - `/brushing`: the brushing groups the caller reads, best first;
//!   `/brushing/{id}`: one group with its reasons (Chinese), evidence orders and the
//!   networks of its shops, and the officer's actions (confirm, dismiss, lead, case)
//!   posted to `/brushing/{id}/actions`, which call the app's use cases.
//! - [`shop_networks`]: the card a lead or case page shows for the shops it names.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;
use wangjian_app::workflow::networks::{parse_shop_key, NetworkView};
use wangjian_domain::brushing::GroupState;
use wangjian_domain::{OrgId, ShopId};

use super::{error_page, page, to_login, url_encode};
use crate::chart::PALETTE;
use crate::error::ErrorCode;
use crate::i18n::{t, tf, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

fn fail(caller: &Caller, e: crate::ApiError, what: &str) -> Response {
    if e.code == ErrorCode::NotFound {
        return error_page(caller, StatusCode::NOT_FOUND, "error.not_found");
    }
    tracing::error!(error = %e, "{what}");
    error_page(caller, e.code.status(), "error.internal")
}

fn network_href(platform: OrgId, shop: &str) -> String {
    format!("/networks/{}/{}", platform.0, url_encode(shop))
}

fn key_href(key: &str) -> String {
    match parse_shop_key(key) {
        Some((p, s)) => network_href(p, &s),
        None => "/networks".to_string(),
    }
}

fn state_label(lang: Lang, s: GroupState) -> String {
    match lang {
        Lang::ZhCn => s.label_zh().to_string(),
        Lang::En => s.as_str().to_string(),
    }
}

/// The card of a lead or case page: the networks of the shops it names.
pub(super) async fn shop_networks(state: &AppState, caller: &Caller, shops: &[ShopId]) -> Markup {
    let lang = caller.lang;
    let Ok(app) = state.app() else {
        return html! {};
    };
    let mut found = Vec::new();
    for s in shops {
        match app.network_of_shop_id(&caller.call(), *s).await {
            Ok(Some(n)) => found.push(n),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "network of a shop"),
        }
    }
    if found.is_empty() {
        return html! {};
    }
    html! {
        div.card #shop-network style="margin-top:16px" {
            h2 { (t(lang, "network.of_shop")) }
            ul.items {
                @for (p, shop, size) in &found {
                    li {
                        a href=(network_href(*p, shop)) { (shop) }
                        " " span.state { (tf(lang, "network.size", &[("n", &size.to_string())])) }
                    }
                }
            }
        }
    }
}

pub(super) async fn list(State(state): State<AppState>, caller: Caller) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/networks");
    }
    let lang = caller.lang;
    let nets = match state.app() {
        Ok(app) => app
            .networks_list(&caller.call(), 200)
            .await
            .map_err(crate::ApiError::from),
        Err(e) => Err(e),
    };
    let nets = match nets {
        Ok(n) => n,
        Err(e) => return fail(&caller, e, "networks page"),
    };
    let body = html! {
        main {
            h1 { (t(lang, "network.list_title")) }
            p.muted { (t(lang, "network.list_hint")) }
            div.card {
                @if nets.is_empty() {
                    p.empty { (t(lang, "home.nothing")) }
                } @else {
                    ul.items #networks {
                        @for n in &nets {
                            li {
                                a href=(key_href(&n.shop)) { (n.shop.split_once('/').map_or(n.shop.as_str(), |x| x.1)) }
                                " " span.state { (tf(lang, "network.size", &[("n", &n.size.to_string())])) }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "network.list_title"), body).into_string()).into_response()
}

/// The network as an SVG picture: shops on an outer ring (colored by platform), the
/// shared values on an inner ring, a line from each value to each shop carrying it.
pub fn network_svg(v: &NetworkView, names: &BTreeMap<String, String>) -> Markup {
    const W: f64 = 640.0;
    const H: f64 = 440.0;
    const MAX: usize = 60;
    let (cx, cy) = (W / 2.0, H / 2.0);
    let shops: Vec<&str> = v.shops.iter().take(MAX).map(|s| s.key.as_str()).collect();
    let links: Vec<_> = v.links.iter().take(MAX).collect();
    let mut platforms: Vec<OrgId> = v.shops.iter().map(|s| s.platform).collect();
    platforms.sort();
    platforms.dedup();
    let color = |p: OrgId| {
        let i = platforms.iter().position(|x| *x == p).unwrap_or(0);
        PALETTE[i % PALETTE.len()]
    };
    let ring = |i: usize, n: usize, r: f64| {
        let a = std::f64::consts::TAU * i as f64 / n.max(1) as f64 - std::f64::consts::FRAC_PI_2;
        (cx + r * a.cos(), cy + r * a.sin())
    };
    let shop_pos: HashMap<&str, (f64, f64)> = shops
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, ring(i, shops.len(), 180.0)))
        .collect();
    let platform_of: HashMap<&str, OrgId> = v
        .shops
        .iter()
        .map(|s| (s.key.as_str(), s.platform))
        .collect();
    let short = |k: &str| -> String {
        let s = k.split_once('/').map_or(k, |x| x.1);
        s.chars().take(14).collect()
    };
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(W) height=(H) viewBox={"0 0 " (W) " " (H)}
            role="img" aria-labelledby="network-title" class="network" {
            title #network-title { (v.network_id) }
            @for (i, l) in links.iter().enumerate() {
                @let (x, y) = ring(i, links.len(), 80.0);
                @for c in &l.carriers {
                    @if let Some((sx, sy)) = shop_pos.get(c.shop.as_str()) {
                        line x1=(format!("{x:.1}")) y1=(format!("{y:.1}")) x2=(format!("{sx:.1}")) y2=(format!("{sy:.1}"))
                            stroke="#9aa5b1" stroke-width="1.2" {}
                    }
                }
            }
            @for (i, l) in links.iter().enumerate() {
                @let (x, y) = ring(i, links.len(), 80.0);
                rect x=(format!("{:.1}", x - 6.0)) y=(format!("{:.1}", y - 6.0)) width="12" height="12" fill="#ffffff" stroke="#333" {
                    title { (l.space) ": " (l.display) }
                }
                text x=(format!("{x:.1}")) y=(format!("{:.1}", y + 18.0)) font-size="10" text-anchor="middle" fill="#333" { (l.space) }
            }
            @for k in &shops {
                @let (x, y) = shop_pos[k];
                @let p = platform_of.get(k).copied().unwrap_or(OrgId(Uuid::nil()));
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="9" fill=(color(p)) {
                    title { (names.get(&p.0.to_string()).cloned().unwrap_or_default()) " " (short(k)) }
                }
                text x=(format!("{x:.1}")) y=(format!("{:.1}", y + 22.0)) font-size="11" text-anchor="middle" fill="#111" { (short(k)) }
            }
            @for (i, p) in platforms.iter().enumerate() {
                rect x="8" y=(8 + 16 * i) width="10" height="10" fill=(color(*p)) {}
                text x="24" y=(17 + 16 * i) font-size="11" fill="#111" { (names.get(&p.0.to_string()).cloned().unwrap_or_default()) }
            }
        }
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path((platform, shop)): Path<(String, String)>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/networks");
    }
    let lang = caller.lang;
    let Ok(platform) = Uuid::parse_str(&platform).map(OrgId) else {
        return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found");
    };
    let v = match state.app() {
        Ok(app) => app
            .network(&caller.call(), platform, &shop)
            .await
            .map_err(crate::ApiError::from),
        Err(e) => Err(e),
    };
    let v = match v {
        Ok(v) => v,
        Err(e) => return fail(&caller, e, "network page"),
    };
    let names: BTreeMap<String, String> = v
        .shops
        .iter()
        .map(|s| (s.platform.0.to_string(), s.platform_name.clone()))
        .collect();
    let shop_name = |k: &str| -> String {
        match parse_shop_key(k) {
            Some((p, s)) => format!(
                "{} · {s}",
                names.get(&p.0.to_string()).cloned().unwrap_or_default()
            ),
            None => k.to_string(),
        }
    };
    let region_name = |r: &str| wangjian_region::full_name(r).unwrap_or_else(|| r.to_string());
    let body = html! {
        main.network {
            p.muted { a href="/networks" { "← " (t(lang, "network.list_title")) } }
            h1 { (t(lang, "network.title")) " " span.muted { (tf(lang, "network.size", &[("n", &v.shops.len().to_string())])) } }
            div.card #graph { (network_svg(&v, &names)) }
            div.grid.two style="margin-top:16px" {
                div.card #shops {
                    h2 { (t(lang, "network.shops")) }
                    table {
                        thead { tr { th { (t(lang, "network.platform")) } th { (t(lang, "network.shop")) } th { (t(lang, "network.region")) } } }
                        tbody {
                            @for s in &v.shops {
                                tr {
                                    td { (s.platform_name) }
                                    td { a href=(network_href(s.platform, &s.shop)) { (s.shop) } }
                                    td { (s.regions.iter().map(|r| region_name(r)).collect::<Vec<_>>().join("、")) }
                                }
                            }
                        }
                    }
                }
                div.card #leads {
                    h2 { (t(lang, "network.leads")) }
                    @if v.leads.is_empty() {
                        p.empty { (t(lang, "home.nothing")) }
                    } @else {
                        ul.items {
                            @for l in &v.leads {
                                li {
                                    a href={"/leads/" (l.id)} { (l.summary) } " " span.state { (shop_name(&l.shop)) " · " (l.status) }
                                    @for c in &l.cases {
                                        div {
                                            a href={"/cases/" (c.id)} { span.number { (c.number) } " " (c.title) } " " span.badge { (c.state) }
                                            @if let Some(p) = &c.penalty { " " span.penalty { (t(lang, "network.penalty")) ": " (p) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if !v.groups.is_empty() {
                        h2 { (t(lang, "brushing.title")) }
                        ul.items {
                            @for g in &v.groups {
                                li { a href={"/brushing/" (g)} { (t(lang, "brushing.group")) " " (g.to_string().get(..8).unwrap_or_default()) } }
                            }
                        }
                    }
                }
            }
            div.card #links style="margin-top:16px" {
                h2 { (t(lang, "network.links")) }
                table {
                    thead { tr { th { (t(lang, "network.value")) } th { (t(lang, "network.carriers")) } } }
                    tbody {
                        @for l in &v.links {
                            tr {
                                td { span.badge { (l.space) } " " (l.display) }
                                td {
                                    @for c in &l.carriers {
                                        div {
                                            (shop_name(&c.shop)) " · " (c.kind) " · " (t(lang, "network.source")) " " (c.source)
                                            @if let Some(f) = &c.first_seen { " · " (f.get(..10).unwrap_or(f)) }
                                            @if let Some(l) = &c.last_seen { "–" (l.get(..10).unwrap_or(l)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !v.capped.is_empty() {
                div.card #capped style="margin-top:16px" {
                    h2 { (t(lang, "network.capped")) }
                    ul.items {
                        @for c in &v.capped {
                            li { span.badge { (c.space) } " " (c.display) " " span.state { (tf(lang, "network.capped_line", &[("n", &c.shops.to_string()), ("cap", &c.cap.to_string())])) } }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "network.title"), body).into_string()).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct GroupsQuery {
    state: Option<String>,
}

pub(super) async fn groups(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GroupsQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/brushing");
    }
    let lang = caller.lang;
    let st = q.state.as_deref().and_then(GroupState::parse);
    let list = match state.app() {
        Ok(app) => app
            .groups(&caller.call(), st, 200)
            .await
            .map_err(crate::ApiError::from),
        Err(e) => Err(e),
    };
    let list = match list {
        Ok(l) => l,
        Err(e) => return fail(&caller, e, "brushing groups page"),
    };
    let body = html! {
        main {
            h1 { (t(lang, "brushing.title")) }
            p.muted { (t(lang, "brushing.hint")) }
            p {
                a href="/brushing" { (t(lang, "brushing.all")) }
                @for s in [GroupState::Open, GroupState::Confirmed, GroupState::Dismissed] {
                    " · " a href={"/brushing?state=" (s.as_str())} { (state_label(lang, s)) }
                }
            }
            div.card {
                @if list.is_empty() {
                    p.empty { (t(lang, "home.nothing")) }
                } @else {
                    table #groups {
                        thead { tr {
                            th { (t(lang, "brushing.score")) } th { (t(lang, "brushing.state")) }
                            th { (t(lang, "brushing.accounts")) } th { (t(lang, "brushing.shops")) }
                            th { (t(lang, "brushing.orders")) } th { (t(lang, "brushing.window")) }
                            th { (t(lang, "brushing.reasons")) }
                        } }
                        tbody {
                            @for g in &list {
                                tr {
                                    td { a href={"/brushing/" (g.id)} { (format!("{:.2}", g.score)) } }
                                    td { span.badge { (state_label(lang, g.state)) } }
                                    td { (g.accounts.len()) }
                                    td { (g.shops.iter().take(3).cloned().collect::<Vec<_>>().join("、")) @if g.shops.len() > 3 { "…" } }
                                    td { (g.orders) }
                                    td { (g.window_first.get(..10).unwrap_or(&g.window_first)) " – " (g.window_last.get(..10).unwrap_or(&g.window_last)) }
                                    td { (g.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", ")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "brushing.title"), body).into_string()).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct GroupQuery {
    error: Option<String>,
    done: Option<String>,
}

pub(super) async fn group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/brushing/{id}"));
    }
    let lang = caller.lang;
    let Ok(gid) = Uuid::parse_str(&id) else {
        return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found");
    };
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, e, "brushing group page"),
    };
    let call = caller.call();
    let (g, evidence) = match app.group_detail(&call, gid).await {
        Ok(v) => v,
        Err(e) => return fail(&caller, e.into(), "brushing group page"),
    };
    let writable = match app.group_facts(&g).await {
        Ok(res) => wangjian_app::policy::decide(
            &caller.principal,
            wangjian_app::policy::Action::Write,
            &res,
        )
        .is_allow(),
        Err(_) => false,
    };
    let shop_ids: Vec<ShopId> = g
        .shops
        .iter()
        .map(|s| wangjian_domain::lead::shop_id_for(g.platform, s))
        .collect();
    let networks = shop_networks(&state, &caller, &shop_ids).await;
    let platform_name = match app.store().organization(g.platform).await {
        Ok(Some(o)) => o.name,
        _ => g.platform.0.to_string(),
    };
    let error_key = q
        .error
        .as_deref()
        .filter(|c| ErrorCode::ALL.iter().any(|k| k.as_str() == *c))
        .map(|c| format!("error.code.{c}"));
    let title = tf(
        lang,
        "brushing.group_title",
        &[
            ("accounts", &g.accounts.len().to_string()),
            ("shops", &g.shops.len().to_string()),
        ],
    );
    let body = html! {
        main.brushing {
            p.muted { a href="/brushing" { "← " (t(lang, "brushing.title")) } }
            h1 { (title) " " span.badge { (state_label(lang, g.state)) } }
            @if let Some(code) = error_key { div.error role="alert" { (t(lang, &code)) } }
            @if let Some(d) = &q.done { div.notice role="status" { (t(lang, &format!("brushing.done.{}", if d == "case" { "case" } else if d == "lead" { "lead" } else { "review" }))) } }
            div.grid.two {
                div.card #facts {
                    dl.facts {
                        dt { (t(lang, "brushing.score")) } dd { (format!("{:.2}", g.score)) }
                        dt { (t(lang, "network.platform")) } dd { (platform_name) }
                        dt { (t(lang, "brushing.window")) } dd { (g.window_first) " – " (g.window_last) }
                        dt { (t(lang, "brushing.orders")) } dd { (g.orders) }
                        dt { (t(lang, "brushing.accounts")) } dd { (g.accounts.join("、")) }
                        dt { (t(lang, "brushing.shops")) } dd { (g.shops.join("、")) }
                        dt { (t(lang, "brushing.listings")) } dd { (g.listings.join("、")) }
                        @if let Some(l) = g.lead { dt { (t(lang, "case.lead")) } dd { a href={"/leads/" (l)} { (l.to_string().get(..8).unwrap_or_default()) } } }
                        @if let Some(r) = &g.review { @if !r.note.is_empty() { dt { (t(lang, "brushing.note")) } dd { (r.note) } } }
                    }
                }
                div.card #reasons {
                    h2 { (t(lang, "brushing.reasons")) }
                    ul.items {
                        @for r in &g.reasons { li { span.badge { (r.code) } " " (r.detail) } }
                    }
                    @if writable && g.lead.is_none() && g.state != GroupState::Dismissed {
                        form method="post" action={"/brushing/" (g.id) "/actions"} #group-actions {
                            input type="hidden" name="_csrf" value=(caller.csrf);
                            input type="hidden" name="version" value=(g.version);
                            @if g.state == GroupState::Open {
                                button type="submit" name="action" value="confirm" { (t(lang, "brushing.confirm")) }
                                " "
                                input type="text" name="note" maxlength="500" placeholder=(t(lang, "brushing.note")) aria-label=(t(lang, "brushing.note"));
                                button type="submit" name="action" value="dismiss" { (t(lang, "brushing.dismiss")) }
                                br;
                            }
                            button type="submit" name="action" value="lead" { (t(lang, "brushing.to_lead")) }
                            " "
                            input type="text" name="title" maxlength="200" placeholder=(t(lang, "brushing.case_title")) aria-label=(t(lang, "brushing.case_title"));
                            button type="submit" name="action" value="case" { (t(lang, "brushing.to_case")) }
                        }
                    }
                }
            }
            (networks)
            div.card #evidence style="margin-top:16px" {
                h2 { (t(lang, "brushing.evidence")) " " span.muted { (evidence.len()) "/" (g.orders) } }
                table {
                    thead { tr {
                        th { (t(lang, "brushing.order")) } th { (t(lang, "brushing.time")) } th { (t(lang, "brushing.buyer")) }
                        th { (t(lang, "network.shop")) } th { (t(lang, "brushing.listing")) } th { (t(lang, "brushing.amount")) }
                        th { (t(lang, "brushing.device")) } th { (t(lang, "brushing.address")) } th { (t(lang, "brushing.review")) }
                    } }
                    tbody {
                        @for o in &evidence {
                            tr {
                                td { (o.order_id) } td { (o.time) } td { (o.buyer) } td { (o.shop) } td { (o.listing) }
                                td { (format!("{:.2}", o.amount)) }
                                td { (o.device.as_deref().unwrap_or("")) @if let Some(ip) = &o.ip { " " (ip) } }
                                td { (o.address.as_deref().unwrap_or("")) }
                                td { (o.review.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, &title, body).into_string()).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct ActionForm {
    action: String,
    note: Option<String>,
    title: Option<String>,
    version: Option<i64>,
}

pub(super) async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/brushing/{id}"));
    }
    let Ok(gid) = Uuid::parse_str(&id) else {
        return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found");
    };
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, e, "brushing action"),
    };
    let call = caller.call();
    let note = f.note.as_deref().unwrap_or("");
    let r: Result<String, wangjian_app::AppError> = match f.action.as_str() {
        "confirm" | "dismiss" => app
            .review_group(&call, gid, f.action == "confirm", note, f.version)
            .await
            .map(|(g, findings)| {
                tracing::info!(group = %g.id, findings = findings.len(), "brushing group reviewed");
                format!("/brushing/{gid}?done=review")
            }),
        "lead" => app
            .group_to_lead(&call, gid, None, f.version)
            .await
            .map(|(_, lead, _, _)| format!("/leads/{lead}")),
        "case" => {
            let title = f
                .title
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or("涉嫌刷单炒信（虚假交易）");
            app.group_to_lead(&call, gid, Some(title), f.version)
                .await
                .map(|(_, _, case, _)| match case {
                    Some(c) => format!("/cases/{}", c.case.id),
                    None => format!("/brushing/{gid}?done=lead"),
                })
        }
        _ => Err(wangjian_app::AppError::invalid("action", "unknown action")),
    };
    match r {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => {
            let e = crate::ApiError::from(e);
            if e.code == ErrorCode::NotFound {
                return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found");
            }
            Redirect::to(&format!("/brushing/{gid}?error={}", e.code.as_str())).into_response()
        }
    }
}
