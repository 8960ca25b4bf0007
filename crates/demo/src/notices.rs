//! Notices (通知—删除) in every state and the platform's self-inspection records for the
//! last four weeks, dated relative to the demo's today, written through the app's use
//! cases as the sending officer, the rights holder's agent and the platform's operator
//! (the same policy, machine and audit events as the console and the API).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;
use wangjian_app::notices::SendNotices;
use wangjian_app::{App, Call, Principal};
use wangjian_domain::notice::{Declaration, NoticeAction, StatementInput, StepInput};
use wangjian_domain::self_inspection::InspectionInput;
use wangjian_domain::{ListingId, RequestId};

use crate::world::World;
use crate::{noon, step_err, DemoError};

async fn call(app: &App, login: &str, at: DateTime<Utc>) -> Result<Call, DemoError> {
    let m = app
        .member_by_login(login, None)
        .await
        .map_err(|e| step_err("notices: member", e))?;
    Ok(Call {
        principal: Principal::Member(m),
        request: RequestId(Uuid::now_v7()),
        now: at,
    })
}

fn statement(decision_facts: &str, legal: &str) -> StatementInput {
    StatementInput {
        ground: "illegal".into(),
        legal_ground: legal.into(),
        facts: decision_facts.into(),
        automated_detection: true,
        automated_decision: false,
        redress: "平台内经营者可在收到通知后提交不存在侵权行为的声明及初步证据".into(),
    }
}

/// Which steps each demo notice takes, and how many days before today it was sent.
/// (login of the sender, days ago sent, steps up to)
const SCRIPT: [(&str, i64, &str); 10] = [
    ("hz_officer", 0, "sent"),
    ("hz_officer", 1, "acknowledged"),
    ("brand", 2, "acted"),
    ("hz_officer", 3, "refused"),
    ("brand", 4, "forwarded_to_seller"),
    ("brand", 5, "objected"),
    ("brand", 6, "objection_forwarded"),
    ("brand", 12, "escalated"),
    ("hz_officer", 26, "restored"),
    ("hz_officer", 8, "withdrawn"),
];

/// Writes the demo's notices (one per state) and self-inspection records; returns how many
/// notices.
pub(crate) async fn notices(
    app: &App,
    w: &World,
    today: NaiveDate,
    mut listings: Vec<ListingId>,
) -> Result<u64, DemoError> {
    listings.sort();
    if listings.len() < SCRIPT.len() + 8 {
        return Ok(0);
    }
    let day = |ago: i64| noon(today - Duration::days(ago));
    let op = "platform";
    let mut sent = 0;
    for (i, (sender, ago, upto)) in SCRIPT.iter().enumerate() {
        let c = call(app, sender, day(*ago)).await?;
        let n = app
            .send_notices(
                &c,
                &SendNotices {
                    platform: w.platform,
                    listings: vec![listings[i]],
                    ground: "耐克(NIKE)注册商标 第1234567号;商品标题、图片使用该商标,售价明显低于正品,附比对说明".into(),
                    case: None,
                    complaint: None,
                },
            )
            .await
            .map_err(|e| step_err("notices: send", e))?
            .remove(0);
        sent += 1;
        let order: &[(NoticeAction, i64)] = match *upto {
            "sent" => &[],
            "acknowledged" => &[(NoticeAction::Acknowledge, 0)],
            "acted"
            | "forwarded_to_seller"
            | "objected"
            | "objection_forwarded"
            | "escalated"
            | "restored" => &[
                (NoticeAction::Acknowledge, 0),
                (NoticeAction::Act, 0),
                (NoticeAction::Forward, 1),
                (NoticeAction::Object, 2),
                (NoticeAction::ForwardObjection, 3),
                (NoticeAction::Escalate, 6),
                (NoticeAction::Restore, 20),
            ],
            "refused" => &[(NoticeAction::Acknowledge, 0), (NoticeAction::Refuse, 1)],
            _ => &[(NoticeAction::Acknowledge, 0), (NoticeAction::Withdraw, 2)],
        };
        let stop = match *upto {
            "acted" => 2,
            "forwarded_to_seller" => 3,
            "objected" => 4,
            "objection_forwarded" => 5,
            _ => order.len(),
        };
        for (action, after) in &order[..stop] {
            // Restoring skips the escalation; escalating stops before restoring.
            if (*upto == "restored" && *action == NoticeAction::Escalate)
                || (*upto == "escalated" && *action == NoticeAction::Restore)
            {
                continue;
            }
            let who = match action {
                NoticeAction::Escalate | NoticeAction::Withdraw => *sender,
                _ => op,
            };
            let at = day(ago - after).min(noon(today));
            let input = match action {
                NoticeAction::Act => StepInput {
                    measure: Some(if i % 2 == 0 { "removed" } else { "blocked" }.into()),
                    statement: Some(statement(
                        "权利人提供了注册证及比对说明,商品标题与图片使用其注册商标",
                        "《中华人民共和国电子商务法》第四十二条;《中华人民共和国商标法》第五十七条",
                    )),
                    ..Default::default()
                },
                NoticeAction::Refuse => StepInput {
                    statement: Some(statement(
                        "通知未附权利证明及侵权比对,不构成有效通知",
                        "《中华人民共和国电子商务法》第四十二条第一款",
                    )),
                    ..Default::default()
                },
                NoticeAction::Object => StepInput {
                    declaration: Some(Declaration {
                        text: "本店商品购自品牌授权经销商,附进货发票与授权链条".into(),
                        evidence: vec![
                            "进货发票 No.0012345".into(),
                            "经销授权书 A-2026-017".into(),
                        ],
                    }),
                    ..Default::default()
                },
                NoticeAction::Escalate => StepInput {
                    reference: Some("已向杭州市市场监督管理局投诉,受理回执 HZ-TS-2026-0815".into()),
                    ..Default::default()
                },
                NoticeAction::Restore => StepInput {
                    statement: Some(statement(
                        "转送声明到达权利人后十五日内未收到其已投诉或起诉的通知",
                        "《中华人民共和国电子商务法》第四十三条第二款",
                    )),
                    ..Default::default()
                },
                _ => StepInput::default(),
            };
            let c = call(app, who, at).await?;
            app.notice_step(&c, n.id, *action, &input, None)
                .await
                .map_err(|e| step_err(&format!("notices: {upto} {action}"), e))?;
        }
    }
    // Self-inspection: the platform's own actions over the last four weeks.
    let rest = &listings[SCRIPT.len()..];
    let script: [(i64, &str, &str, usize); 8] = [
        (1, "warning", "店铺商品描述含“原单”“高仿”等字样,予以警示", 0),
        (2, "delist", "自查发现假冒注册商标商品,下架", 2),
        (6, "rectify", "商品资质材料不全,责令限期整改", 0),
        (9, "delist", "巡查发现售价明显低于正品的疑似假冒商品", 2),
        (13, "close_shop", "多次售假且拒不整改,关闭店铺", 1),
        (16, "warning", "店铺名称使用他人商标字样", 0),
        (20, "delist", "自查发现仿冒地理标志产品", 1),
        (24, "warning", "商品详情页使用品牌官方图片", 0),
    ];
    let mut used = 0;
    for (k, (ago, action, reason, n)) in script.iter().enumerate() {
        let at = day(*ago);
        let c = call(app, op, at).await?;
        let ls: Vec<ListingId> = rest.iter().skip(used).take(*n).copied().collect();
        used += n;
        let input = InspectionInput {
            shop: format!("demo-shop-{}", k % 5),
            action: (*action).into(),
            reason: (*reason).into(),
            listings: ls,
            rectify_by: (*action == "rectify").then(|| (at + Duration::days(15)).date_naive()),
            referred: *action == "close_shop",
        };
        app.record_self_inspection(&c, &input)
            .await
            .map_err(|e| step_err("self-inspection", e))?;
    }
    Ok(sent)
}
