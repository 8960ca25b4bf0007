//! Brushing and seller networks in the demo (issue 18): a second platform; the shops'
//! identifiers (the platform's upload and an officer's import for the other platform)
//! forming two networks, one crossing platforms; the platform's last 30 days of orders
//! (generated, with a brushing ring of shops in 杭州西湖区) uploaded and detected; and the
//! ring's group turned into a lead and a case by a Hangzhou officer. All through the app's
//! use cases, as the platform and the officer would.

use chrono::{Duration, NaiveDate};
use serde_json::Value;
use wangjian_app::{App, Call, Principal};
use wangjian_brushing::order::{format_cst, parse_rfc3339};
use wangjian_brushing::synth::{generate, Attack, Honest, RingSignals, MONTH_START};
use wangjian_domain::org::{Membership, OrgKind, Organization, User};
use wangjian_domain::{OrgId, RegionCode, RequestId, Role, UserId};
use wangjian_store::Store;

use crate::{noon, step_err, DemoError};

/// The second platform's name.
pub const OTHER_PLATFORM: &str = "优品汇电子商务有限公司";

async fn call(
    app: &App,
    login: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Call, DemoError> {
    let m = app
        .member_by_login(login, None)
        .await
        .map_err(|e| step_err(login, e))?;
    Ok(Call {
        principal: Principal::Member(m),
        request: RequestId(uuid::Uuid::now_v7()),
        now,
    })
}

/// Writes the brushing part of the demo; returns the number of suspicious groups.
/// The login of the second platform's operator.
pub(crate) const OTHER_OPERATOR: &str = "yph";

pub(crate) async fn brushing(
    store: &Store,
    app: &App,
    today: NaiveDate,
    password_hash: &str,
) -> Result<u64, DemoError> {
    let other = OrgId(uuid::Uuid::new_v5(
        &uuid::Uuid::from_u128(0x7d3e_11f0_a5b2_4c44_9a61_d3e0_de70_0001),
        b"demo\0org\0other_platform",
    ));
    let org = Organization::new(
        other,
        OTHER_PLATFORM,
        "优品汇",
        OrgKind::Platform,
        RegionCode::parse("330200").map_err(|e| step_err("platform", e))?,
    )
    .map_err(|e| step_err("platform", e))?;
    store.put_organization(&org).await?;
    // Its operator (login `yph`), who files the platform's weekly reports (附件1).
    let user = User {
        id: UserId(uuid::Uuid::new_v5(
            &uuid::Uuid::from_u128(0x7d3e_11f0_a5b2_4c44_9a61_d3e0_de70_0001),
            b"demo\0user\0yph",
        )),
        name: "优品汇运营".into(),
        version: 1,
    };
    store.put_user(&user, Some(OTHER_OPERATOR)).await?;
    store
        .set_password_hash(user.id, Some(password_hash))
        .await?;
    store
        .put_membership(&Membership {
            user: user.id,
            org: other,
            role: Role::PlatformOperator,
        })
        .await?;

    // The last 30 days of orders, with a ring of 30 accounts on 4 shops for 3 days.
    let traffic = generate(
        &Honest {
            buyers: 2_000,
            shops: 200,
            orders: 12_000,
            seed: 2026,
        },
        &[Attack::Ring {
            accounts: 30,
            shops: 4,
            density: 0.9,
            days: 3,
            signals: RingSignals {
                shared_devices: true,
                template_reviews: true,
                tiny_amounts: true,
                empty_parcels: true,
            },
        }],
    );
    let start = noon(today - Duration::days(31)).timestamp() - 4 * 3600;
    let shift = start - MONTH_START;
    let mut orders = String::new();
    let mut shops = std::collections::BTreeSet::new();
    for line in &traffic.lines {
        let mut v: Value = serde_json::from_str(line).map_err(|e| step_err("orders", e))?;
        if let Some(t) = v
            .get("time")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
        {
            v["time"] = Value::String(format_cst(t + shift));
        }
        if let Some(s) = v.get("shop").and_then(Value::as_str) {
            shops.insert(s.to_string());
        }
        orders.push_str(&v.to_string());
        orders.push('\n');
    }
    let mut ring: Vec<&String> = traffic.fraud_shops.iter().collect();
    ring.sort();
    let honest: Vec<&String> = shops
        .iter()
        .filter(|s| !traffic.fraud_shops.contains(*s))
        .take(3)
        .collect();

    let now = noon(today);
    let platform = call(app, "platform", now).await?;
    // The platform's shop data: the ring's shops share a phone and a building in 西湖区;
    // three shops in 宁波 share a settlement account.
    let mut ids = String::new();
    for (i, s) in ring.iter().enumerate() {
        ids.push_str(&format!(
            "{{\"shop\":\"{s}\",\"phone\":\"13957112345\",\"return_address\":\"浙江省杭州市西湖区文三路90号{}单元\",\"at\":\"{}\"}}\n",
            i + 1,
            format_cst(start)
        ));
    }
    for s in &honest {
        ids.push_str(&format!(
            "{{\"shop\":\"{s}\",\"bank_account\":\"6222020200112233445\",\"ship_from_address\":\"浙江省宁波市海曙区中山西路18号\"}}\n"
        ));
    }
    app.upload_identifiers(&platform, None, "开店资料", &ids)
        .await
        .map_err(|e| step_err("shop identifiers", e))?;
    // An officer imports what another platform reported: one of its shops carries the
    // ring's phone (the network crosses platforms).
    let officer = call(app, "hz_officer", now).await?;
    app.upload_identifiers(
        &officer,
        Some("优品汇"),
        "协查回复",
        "{\"shop\":\"yph-8\",\"phone\":\"139-5711-2345\",\"ship_from_address\":\"浙江省杭州市上城区解放路8号\"}\n",
    )
    .await
    .map_err(|e| step_err("other platform's identifiers", e))?;

    let report = app
        .upload_orders(&platform, None, orders)
        .await
        .map_err(|e| step_err("orders", e))?;
    // The ring's group becomes a lead and a case of Hangzhou.
    if let Some(g) = report
        .groups
        .iter()
        .find(|g| g.shops.iter().any(|s| traffic.fraud_shops.contains(s)))
    {
        app.group_to_lead(&officer, g.id, Some("涉嫌刷单炒信（虚假交易）"), None)
            .await
            .map_err(|e| step_err("brushing case", e))?;
    }
    Ok(report.groups.len() as u64)
}
