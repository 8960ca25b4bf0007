//! Complaints and reports from the public portal, in every state: two awaiting the
//! accept-or-refuse decision (one past its 7-working-day deadline), one refused with a
//! reason, two accepted into leads, one handled with its published outcome. Written
//! through the domain's commands and the store, as the portal and the console write them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use wangjian_calendar::Calendar;
use wangjian_domain::complaint::{self, Submission};
use wangjian_domain::deadline::RuleSet;

use crate::world::World;
use crate::{context, noon, step_err, DemoError};
use wangjian_store::Store;

/// (days ago, kind, region, respondent, text, links, contact, then: "" | accept | refuse |
/// handle)
type Scripted = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const SUBMISSIONS: [Scripted; 6] = [
    (
        1,
        "report",
        "330106",
        "潮流鞋仓（云集优品店铺）",
        "该店铺以“公司级”“原单”名义销售耐克运动鞋，售价仅一百余元，明显为假冒商品。",
        "https://yunji.example.com/item/88231",
        "",
        "",
    ),
    (
        16,
        "complaint",
        "330102",
        "某某酒类专营店",
        "我在该店购买的贵州茅台酒瓶盖防伪码查询不到，怀疑是假酒，商家拒绝退货。",
        "https://yunji.example.com/item/50712",
        "王先生 13800138000",
        "",
    ),
    (
        20,
        "report",
        "330206",
        "北仑区某服装店",
        "店铺商品图片使用他人注册商标标识，描述称“专柜同款尾单”，疑似侵权。",
        "https://yunji.example.com/item/31007",
        "",
        "refuse",
    ),
    (
        9,
        "report",
        "330106",
        "数码配件小铺",
        "销售的充电器印有知名品牌商标，包装粗糙，无厂名厂址。",
        "https://yunji.example.com/item/77420\nhttps://yunji.example.com/shop/1203",
        "",
        "accept",
    ),
    (
        12,
        "complaint",
        "330205",
        "宁波某运动用品店",
        "购买的运动鞋与正品对比明显不同，鞋标缝线粗糙，商家称是“A货”。",
        "https://yunji.example.com/item/62019",
        "李女士 13900139000",
        "accept",
    ),
    (
        30,
        "report",
        "330100",
        "杭州某箱包网店",
        "网店大量销售印有奢侈品牌标识的箱包，价格仅为正品的十分之一。",
        "https://yunji.example.com/item/12880",
        "",
        "handle",
    ),
];

/// Writes the demo's complaints; returns how many.
pub(crate) async fn complaints(
    store: &Store,
    w: &World,
    today: NaiveDate,
    calendar: &Calendar,
    rules: &RuleSet,
) -> Result<u64, DemoError> {
    let orgs = store.organizations().await?;
    let mut seq: u128 = 0x00c0_0000;
    let mut n = 0;
    for (i, (ago, kind, region, respondent, text, links, contact, then)) in
        SUBMISSIONS.into_iter().enumerate()
    {
        let at: DateTime<Utc> = noon(today - Duration::days(ago)) - Duration::hours(2);
        let sub = Submission {
            kind: kind.into(),
            text: text.into(),
            links: links.lines().map(str::to_string).collect(),
            contact: contact.into(),
            respondent: respondent.into(),
            region: region.into(),
        };
        // Fixed "random" bytes: the same demo every time.
        let mut random = [0x5a_u8; 10];
        random[0] = i as u8;
        random[9] = 0x10 + i as u8;
        let change = complaint::submit(
            &sub,
            vec![],
            complaint::tracking_number(random),
            &orgs,
            rules,
            calendar,
            &context(&mut seq, at),
        )
        .map_err(|e| step_err("complaint", e))?;
        let c = store.submit_complaint(change, &[]).await?.value;
        n += 1;
        let officer = if c.handler == w.xh {
            "xh_officer"
        } else if c.handler == w.nb {
            "nb_officer"
        } else {
            "hz_officer"
        };
        let a = w.actor(officer);
        let decided = at + Duration::days(2);
        match then {
            "accept" | "handle" => {
                let ch = complaint::accept(&c, a.user, a.org, &context(&mut seq, decided))
                    .map_err(|e| step_err("complaint accept", e))?;
                let (accepted, _) = store.apply(ch).await?.value;
                if then == "handle" {
                    let ch = complaint::handle(
                        &accepted,
                        a.user,
                        a.org,
                        "经查，该网店销售侵犯注册商标专用权商品属实，已立案查处，涉案商品已下架。",
                        &context(&mut seq, decided + Duration::days(10)),
                    )
                    .map_err(|e| step_err("complaint handle", e))?;
                    store.apply(ch).await?;
                }
            }
            "refuse" => {
                let ch = complaint::refuse(
                    &c,
                    a.user,
                    a.org,
                    "举报内容缺少可核实的具体线索（店铺已注销），不予受理。",
                    &context(&mut seq, decided),
                )
                .map_err(|e| step_err("complaint refuse", e))?;
                store.apply(ch).await?;
            }
            _ => {}
        }
    }
    Ok(n)
}
