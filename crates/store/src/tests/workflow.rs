//! The workflow reads (`workflow_reads.rs`), on both backends: assist requests listed per
//! side and status and paged, answered once (a stale answer conflicts); seized goods of a
//! case with their custody history; a transfer order and its feedback deadline read back
//! for the receiver's report; one object's trail paged by position.

use wangjian_domain::seized;
use wangjian_domain::transfer::{self, AssistStatus, AssistTarget, TransferStatus};
use wangjian_domain::ObjectType;

use super::*;

contract!(
    assist_requests_by_side_status_and_page,
    seized_goods_of_a_case_with_custody,
    transfer_feedback_reads_and_trail_pages,
);

async fn send_assist(s: &Store, case: wangjian_domain::CaseId, n: u128) -> transfer::AssistRequest {
    let a = actor(A, HZ, Role::Officer);
    let change = transfer::send_assist_request(
        &a,
        Some(case),
        NB,
        AssistTarget::Shipment {
            carrier: "顺丰".into(),
            waybill: format!("SF{n:012}"),
        },
        "请核查收件地址是否为仓库",
        "市场监督管理行政处罚程序规定 第二十条",
        RuleSet::defaults().unwrap(),
        &[],
        &ctx(day(2024, 9, 4), 10 + n),
        Calendar::china(),
    )
    .unwrap();
    s.apply(change).await.unwrap().value.0
}

async fn assist_requests_by_side_status_and_page(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let case = register(s, &actor(A, HZ, Role::Officer), l[0], 1)
        .await
        .value
        .case
        .id;
    let mut sent = Vec::new();
    for n in 0..3 {
        sent.push(send_assist(s, case, n).await);
    }
    let q = |org, direction, status, after| AssistQuery {
        scope: Scope::Org(org),
        direction,
        status,
        after,
        limit: 2,
    };
    // Ningbo received three, newest first, two per page; Hangzhou received none.
    let p1 = s
        .assist_requests(&q(NB, AssistDirection::Incoming, None, None))
        .await
        .unwrap();
    assert_eq!(
        p1.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [sent[2].id, sent[1].id]
    );
    let p2 = s
        .assist_requests(&q(NB, AssistDirection::Incoming, None, p1.next.clone()))
        .await
        .unwrap();
    assert_eq!(p2.items, [sent[0].clone()]);
    assert_eq!(p2.next, None);
    assert!(s
        .assist_requests(&q(HZ, AssistDirection::Incoming, None, None))
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        s.assist_requests(&q(HZ, AssistDirection::Outgoing, None, None))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    // A coordination office's view: the agencies of its region, either side.
    let region = |code: &str, direction| AssistQuery {
        scope: Scope::Region(RegionCode::parse(code).unwrap()),
        direction,
        status: None,
        after: None,
        limit: 50,
    };
    for (code, direction, n) in [
        ("330000", AssistDirection::Incoming, 3),
        ("330000", AssistDirection::Outgoing, 3),
        ("330200", AssistDirection::Outgoing, 0),
        ("320000", AssistDirection::Incoming, 0),
    ] {
        let got = s.assist_requests(&region(code, direction)).await.unwrap();
        assert_eq!(got.items.len(), n, "{code} {direction:?}");
    }
    // Ningbo answers the first; the reply deadline reads back and is stopped.
    let first = s.assist_request(sent[0].id).await.unwrap().unwrap();
    assert_eq!(first, sent[0]);
    let dl = s.deadline(first.reply_deadline).await.unwrap().unwrap();
    assert_eq!(dl.org, NB);
    let receiver = actor(N, NB, Role::Officer);
    let answer = |seed| {
        transfer::answer_assist_request(
            &first,
            &dl,
            &receiver,
            "收件地址为仓库，已拍照固定",
            "甬市监协〔2024〕3号",
            false,
            &ctx(day(2024, 9, 9), seed),
            Calendar::china(),
        )
        .unwrap()
    };
    let done = s.apply(answer(20)).await.unwrap().value.0;
    assert_eq!(done.status, AssistStatus::Answered);
    // An answer made from the version read before is a conflict, not an overwrite.
    assert!(matches!(
        s.apply(answer(21)).await,
        Err(StoreError::Conflict { .. })
    ));
    let answered = s
        .assist_requests(&q(
            NB,
            AssistDirection::Incoming,
            Some(AssistStatus::Answered),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(answered.items, std::slice::from_ref(&done));
    let open = s
        .assist_requests(&AssistQuery {
            limit: 50,
            ..q(
                NB,
                AssistDirection::Incoming,
                Some(AssistStatus::Sent),
                None,
            )
        })
        .await
        .unwrap();
    assert_eq!(open.items.len(), 2);
    assert!(!open.items.iter().any(|r| r.id == done.id));
    let of_case = s.assist_requests_of_case(case).await.unwrap();
    assert_eq!(
        of_case.iter().map(|r| r.id).collect::<Vec<_>>(),
        sent.iter().map(|r| r.id).collect::<Vec<_>>()
    );
    assert!(s
        .assist_request(wangjian_domain::AssistRequestId::from_u128(99))
        .await
        .unwrap()
        .is_none());
}

async fn seized_goods_of_a_case_with_custody(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 2).await;
    let a = actor(A, HZ, Role::Officer);
    let case = register(s, &a, l[0], 1).await.value.case.id;
    let other = register(s, &a, l[1], 2).await.value.case.id;
    let record = |case, what: &str, seed| {
        seized::record_seizure(
            &a,
            case,
            what,
            40,
            "双",
            "公物仓",
            &ctx(day(2024, 9, 4), seed),
        )
        .unwrap()
    };
    let shoes = s.apply(record(case, "假冒运动鞋", 3)).await.unwrap().value;
    let bags = s.apply(record(case, "假冒箱包", 4)).await.unwrap().value;
    s.apply(record(other, "假冒手表", 5)).await.unwrap();
    let moved = seized::hand_over(
        &a,
        &shoes,
        "公物仓",
        "检测机构",
        "交接单 7",
        &ctx(day(2024, 9, 5), 6),
    )
    .unwrap();
    let moved = s.apply(moved).await.unwrap().value;
    let items = s.seized_items_of_case(case).await.unwrap();
    assert_eq!(items, [moved.clone(), bags.clone()]);
    assert_eq!(items[0].custody, "检测机构");
    assert_eq!(items[0].handovers.len(), 1);
    assert_eq!(items[0].handovers[0].from, "公物仓");
    assert_eq!(s.seized_item(shoes.id).await.unwrap(), Some(moved));
    // A handover from the version before the move conflicts.
    let stale = seized::hand_over(&a, &shoes, "公物仓", "别处", "", &ctx(day(2024, 9, 5), 7));
    assert!(matches!(
        s.apply(stale.unwrap()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(s.seized_items_of_case(other).await.unwrap().len(), 1);
}

async fn transfer_feedback_reads_and_trail_pages(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let sup = actor(S, HZ, Role::Supervisor);
    let id = register(s, &sup, l[0], 1).await.value.case.id;
    for (seed_n, (who, cmd)) in (2..).zip([
        (sup.clone(), CaseCommand::StartVerification { verifier: A }),
        (
            sup.clone(),
            CaseCommand::TransferOut {
                to_org: NB,
                legal_basis: "市场监督管理行政处罚程序规定 第十五条".into(),
                reason: "管辖".into(),
                materials: vec![],
            },
        ),
        (actor(N, NB, Role::Officer), CaseCommand::AcceptTransfer),
    ]) {
        s.run_case_command(id, &who, &cmd, env(), &ctx(day(2024, 9, 4), seed_n))
            .await
            .unwrap();
    }
    let file = s.case_file(id).await.unwrap();
    let order = s
        .transfer_order(file.transfers[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order, file.transfers[0]);
    assert_eq!(order.status, TransferStatus::Accepted);
    let dl = s
        .deadline(order.feedback_deadline.unwrap())
        .await
        .unwrap()
        .unwrap();
    let change = transfer::report_feedback(
        &order,
        &dl,
        &actor(N, NB, Role::Officer),
        "已立案",
        "甬市监立〔2024〕12号",
        "",
        &ctx(day(2024, 9, 10), 9),
        Calendar::china(),
    )
    .unwrap();
    s.apply(change).await.unwrap();
    let after = s.transfer_order(order.id).await.unwrap().unwrap();
    assert_eq!(after.status, TransferStatus::FeedbackReported);
    assert_eq!(after.feedback.unwrap().outcome, "已立案");
    // The order's trail: sent, accepted, feedback; one per page.
    let mut actions = Vec::new();
    let mut after_cursor = None;
    loop {
        let page = s
            .object_trail_page(ObjectType::TransferOrder, order.id.0, after_cursor, 1)
            .await
            .unwrap();
        assert!(page.items.len() <= 1);
        actions.extend(page.items.into_iter().map(|e| e.event.action));
        match page.next {
            Some(c) => after_cursor = Some(c),
            None => break,
        }
    }
    let whole: Vec<_> = s
        .object_trail(ObjectType::TransferOrder, order.id.0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(actions, whole);
    assert_eq!(
        actions.last().map(String::as_str),
        Some("transfer.feedback")
    );
    assert!(actions.len() >= 3, "{actions:?}");
    assert!(s
        .object_trail_page(
            ObjectType::TransferOrder,
            order.id.0,
            Some(Cursor("x".into())),
            1
        )
        .await
        .is_err());
}
