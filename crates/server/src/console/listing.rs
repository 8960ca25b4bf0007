//! The listing page of a lead (`/leads/{id}`): the original text of each field with
//! every matched span highlighted (`<mark>`), each reason explained, the lead's state and
//! cases, and the officer's actions (register a case, dismiss with a reason). Behind the
//! same policy check as the API: a lead the caller may not see is the 404 page.
//!
//! Spans are **character** offsets into the original field (the scan contract), so the
//! page cuts the text at character boundaries; a span outside the text is clamped, never
//! a panic. Every piece of seller text goes through maud's escaping.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use wangjian_detect::{Field, Reason};

use super::case::shanghai_time as beijing;
use super::{error_page, page, to_login};
use crate::api::leads::load_visible_lead;
use crate::error::ErrorCode;
use crate::i18n::{t, tf, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::{decide, Action, Principal, Resource};
use wangjian_app::workflow::leads::lead_facts;

/// One piece of a field's text: plain, or highlighted with the reasons (indexes into the
/// verdict's reasons) that cover it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// The text.
    pub text: &'a str,
    /// The reasons covering it; empty for plain text.
    pub reasons: Vec<usize>,
}

/// Cuts `text` into segments at the boundaries of `spans` ((reason index, start, end) in
/// characters). Overlapping spans split into pieces each listing every reason covering
/// it; spans past the end are clamped; empty ones are dropped.
pub fn segments<'a>(text: &'a str, spans: &[(usize, usize, usize)]) -> Vec<Segment<'a>> {
    // Byte offset of each character boundary (one more than the characters).
    let mut bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    bounds.push(text.len());
    let n = bounds.len() - 1;
    let mut cuts: Vec<usize> = vec![0, n];
    let spans: Vec<(usize, usize, usize)> = spans
        .iter()
        .map(|&(r, s, e)| (r, s.min(n), e.min(n)))
        .filter(|&(_, s, e)| s < e)
        .collect();
    for &(_, s, e) in &spans {
        cuts.push(s);
        cuts.push(e);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment<'a>> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut reasons: Vec<usize> = spans
            .iter()
            .filter(|&&(_, s, e)| s <= a && b <= e)
            .map(|&(r, _, _)| r)
            .collect();
        reasons.dedup();
        let piece = &text[bounds[a]..bounds[b]];
        match out.last_mut() {
            Some(last) if last.reasons == reasons => {
                // Adjacent pieces with the same reasons are one segment.
                let start = bounds[a] - last.text.len();
                last.text = &text[start..bounds[b]];
            }
            _ => out.push(Segment {
                text: piece,
                reasons,
            }),
        }
    }
    out
}

/// The field's text with its spans highlighted.
pub fn highlighted(text: &str, field: Field, reasons: &[Reason]) -> Markup {
    let spans: Vec<(usize, usize, usize)> = reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| r.field == field)
        .map(|(i, r)| (i, r.start, r.end))
        .collect();
    html! {
        @for s in segments(text, &spans) {
            @if s.reasons.is_empty() {
                (s.text)
            } @else {
                @let codes: Vec<&str> = s.reasons.iter().filter_map(|i| reasons.get(*i)).map(|r| r.code.as_str()).collect();
                @let refs: Vec<String> = s.reasons.iter().map(|i| (i + 1).to_string()).collect();
                mark data-reasons=(codes.join(" ")) title=(refs.join(",")) { (s.text) sup { (refs.join(",")) } }
            }
        }
    }
}

/// The label of a reason code in the console's language.
pub fn reason_label(lang: Lang, code: &str) -> String {
    t(lang, &format!("reason.{code}")).to_string()
}

fn field_label(lang: Lang, f: Field) -> String {
    t(lang, &format!("listing.field.{}", f.as_str())).to_string()
}

/// `?error=CODE` or `?done=N&failed=M` after an action.
#[derive(Debug, serde::Deserialize)]
pub(super) struct PageQuery {
    error: Option<String>,
    done: Option<String>,
    failed: Option<String>,
}

/// The listing page of a lead.
pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/leads/{id}"));
    }
    let lang = caller.lang;
    let d = match load_visible_lead(&state, &caller, &id).await {
        Ok(d) => d,
        Err(e) if e.code == ErrorCode::NotFound => {
            return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found")
        }
        Err(e) => {
            tracing::error!(error = %e, "lead page");
            return error_page(&caller, e.code.status(), "error.internal");
        }
    };
    let Some(store) = state.directory().store() else {
        return error_page(&caller, StatusCode::NOT_IMPLEMENTED, "error.internal");
    };
    let (cases, orgs) = match (
        store.cases_of_lead(d.row.lead.id).await,
        store.organizations().await,
    ) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "lead page");
            return error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let names: HashMap<_, _> = orgs.into_iter().map(|o| (o.id, o.name)).collect();
    let may_work = decide(
        &caller.principal,
        Action::Write,
        &Resource::Lead(lead_facts(&d)),
    )
    .is_allow()
        && d.row.lead.status == wangjian_domain::lead::LeadStatus::New;
    let lead = &d.row.lead;
    let reasons: Vec<Reason> = d
        .scan
        .as_ref()
        .map(|s| s.verdict.reasons.clone())
        .unwrap_or_default();
    let text_of = |f: Field| -> Option<String> {
        let snap = d.snapshot.as_ref();
        match f {
            Field::Title => snap.map(|s| s.title.clone()),
            Field::Description => snap.map(|s| s.description.clone()),
            Field::ShipFrom => snap.map(|s| s.ship_from.clone()),
            Field::Category | Field::Shop | Field::Price => d
                .scan
                .as_ref()
                .and_then(|s| s.texts.get(f.as_str()).cloned()),
        }
    };
    let title = d.row.title.clone().unwrap_or_else(|| lead.summary.clone());
    let networks =
        super::network::shop_networks(&state, &caller, &lead.shop.into_iter().collect::<Vec<_>>())
            .await;
    let error_key = q
        .error
        .as_deref()
        .filter(|c| ErrorCode::ALL.iter().any(|k| k.as_str() == *c))
        .map(|c| format!("error.code.{c}"));
    let fields = [
        Field::Title,
        Field::Description,
        Field::Category,
        Field::Shop,
        Field::Price,
        Field::ShipFrom,
    ];
    let region = d
        .row
        .region
        .as_deref()
        .map(|r| wangjian_region::full_name(r).unwrap_or_else(|| r.to_string()));
    let body = html! {
        main.lead {
            p.muted { a href="/leads" { "← " (t(lang, "leads.title")) } }
            h1 {
                (title)
                @if let Some(l) = &d.row.level { " " span.level.(l) { (t(lang, &format!("level.{l}"))) } }
                @if let Some(s) = d.row.score { " " span.muted { (t(lang, "leads.score")) " " (s) } }
            }
            @if let Some(code) = error_key {
                div.error role="alert" { (t(lang, &code)) }
            }
            @if let Some(n) = &q.done {
                div.notice role="status" {
                    (tf(lang, "leads.done_n", &[("n", n), ("failed", q.failed.as_deref().unwrap_or("0"))]))
                }
            }
            div.grid.two {
                div.card #listing {
                    h2 { (t(lang, "listing.original")) }
                    dl.facts.listing {
                        @for f in fields {
                            @if let Some(text) = text_of(f).filter(|t| !t.is_empty()) {
                                dt { (field_label(lang, f)) }
                                dd data-field=(f.as_str()) { (highlighted(&text, f, &reasons)) }
                            }
                        }
                        @if let Some(s) = &d.snapshot {
                            @if let Some(p) = s.price_fen {
                                @if text_of(Field::Price).is_none() {
                                    dt { (field_label(lang, Field::Price)) }
                                    dd { (format!("¥{}.{:02}", p / 100, p % 100)) }
                                }
                            }
                            @if !s.url.is_empty() {
                                dt { (t(lang, "listing.url")) }
                                dd.url { (s.url) }
                            }
                            dt { (t(lang, "listing.captured_at")) }
                            dd { (beijing(s.captured_at)) }
                        }
                    }
                }
                div.card #state {
                    h2 { (t(lang, "leads.state")) }
                    dl.facts {
                        dt { (t(lang, "leads.status")) }
                        dd { span.badge { (t(lang, &format!("lead_status.{}", lead.status.as_str()))) } }
                        dt { (t(lang, "leads.source")) }
                        dd { (t(lang, &format!("lead_source.{}", lead.source.as_str()))) }
                        dt { (t(lang, "leads.received_at")) } dd { (beijing(lead.received_at)) }
                        @if let Some(p) = d.row.platform {
                            dt { (t(lang, "leads.platform")) } dd { (names.get(&p).cloned().unwrap_or_default()) }
                        }
                        @if let Some(r) = &region {
                            dt { (t(lang, "leads.region")) } dd { (r) }
                        }
                        dt { (t(lang, "leads.org")) } dd { (names.get(&lead.org).cloned().unwrap_or_default()) }
                        @if let Some(dm) = &lead.dismissal {
                            dt { (t(lang, "leads.dismissal")) } dd { (dm.reason) " · " (beijing(dm.at)) }
                        }
                        @if !cases.is_empty() {
                            dt { (t(lang, "leads.cases")) }
                            dd { @for c in &cases { a.case-link href={"/cases/" (c)} { (t(lang, "leads.open_case_page")) } " " } }
                        }
                    }
                    @if may_work {
                        div #lead-actions {
                            form.inline method="post" action="/leads/actions" {
                                input type="hidden" name="_csrf" value=(caller.csrf);
                                input type="hidden" name="lead" value=(lead.id);
                                input type="hidden" name="back" value={"/leads/" (lead.id)};
                                input type="text" name="title" required maxlength="200"
                                    value=(t(lang, "leads.default_title"))
                                    aria-label=(t(lang, "leads.case_title"));
                                button type="submit" name="action" value="register_case" { (t(lang, "leads.register_case")) }
                            }
                            form.inline method="post" action="/leads/actions" {
                                input type="hidden" name="_csrf" value=(caller.csrf);
                                input type="hidden" name="lead" value=(lead.id);
                                input type="hidden" name="back" value={"/leads/" (lead.id)};
                                input type="text" name="reason" required maxlength="500"
                                    placeholder=(t(lang, "leads.dismiss_reason"))
                                    aria-label=(t(lang, "leads.dismiss_reason"));
                                button type="submit" name="action" value="dismiss" { (t(lang, "leads.dismiss")) }
                            }
                        }
                    }
                }
            }
            (networks)
            div.card #reasons style="margin-top:16px" {
                h2 { (t(lang, "listing.reasons")) }
                @if reasons.is_empty() {
                    p.empty { (t(lang, "listing.no_verdict")) }
                } @else {
                    table {
                        thead { tr {
                            th { "#" } th { (t(lang, "listing.reason")) } th { (t(lang, "listing.field")) }
                            th { (t(lang, "listing.matched")) } th { (t(lang, "listing.explained")) }
                            th { (t(lang, "listing.rule")) } th { (t(lang, "listing.weight")) }
                        } }
                        tbody {
                            @for (i, r) in reasons.iter().enumerate() {
                                tr data-code=(r.code.as_str()) {
                                    td { (i + 1) }
                                    td { strong { (reason_label(lang, r.code.as_str())) } }
                                    td { (field_label(lang, r.field)) }
                                    td { mark { (r.matched) } }
                                    td {
                                        (r.detail)
                                        br;
                                        span.muted { (t(lang, &format!("reason.{}.why", r.code.as_str()))) }
                                    }
                                    td { code { (r.rule) } }
                                    td { (r.weight) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, &title, body).into_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(segs: &[Segment<'_>]) -> Vec<(String, Vec<usize>)> {
        segs.iter()
            .map(|s| (s.text.to_string(), s.reasons.clone()))
            .collect()
    }

    #[test]
    fn spans_are_characters_and_overlaps_split() {
        let t = "高仿N1ke运动鞋";
        let s = segments(t, &[(0, 0, 2), (1, 2, 6), (2, 4, 8)]);
        assert_eq!(
            plain(&s),
            vec![
                ("高仿".to_string(), vec![0]),
                ("N1".to_string(), vec![1]),
                ("ke".to_string(), vec![1, 2]),
                ("运动".to_string(), vec![2]),
                ("鞋".to_string(), vec![]),
            ]
        );
        assert_eq!(s.iter().map(|x| x.text).collect::<String>(), t);
    }

    #[test]
    fn spans_out_of_range_are_clamped_not_panics() {
        let t = "耐克";
        assert_eq!(
            plain(&segments(t, &[(0, 1, 99)])),
            vec![("耐".into(), vec![]), ("克".into(), vec![0])]
        );
        assert_eq!(
            plain(&segments(t, &[(0, 5, 9), (1, 1, 1)])),
            vec![("耐克".into(), vec![])]
        );
        assert!(segments("", &[(0, 0, 3)]).iter().all(|s| s.text.is_empty()));
    }

    #[test]
    fn hostile_text_around_spans_is_escaped() {
        let t = "<b>高仿</b><script>alert(1)</script>\"'&";
        let r = Reason {
            code: wangjian_detect::Code::CounterfeitTerm,
            detail: "<i>x</i>".into(),
            field: Field::Title,
            matched: "高仿".into(),
            start: 3,
            end: 5,
            rule: "cf-1".into(),
            weight: 40,
            owner: None,
            alternatives: Vec::new(),
        };
        let html = highlighted(t, Field::Title, &[r]).into_string();
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;<mark"), "{html}");
        assert!(
            html.contains(">高仿<sup>1</sup></mark>&lt;/b&gt;&lt;script&gt;"),
            "{html}"
        );
        assert!(html.contains("&quot;") && html.contains("&amp;"), "{html}");
    }
}
