//! The workflow beyond transitions from the command line, on the demo database: seized
//! goods (seize, hand over, destroy), an assist request sent and answered, and a transfer's
//! feedback, each refused with a reason when the wrong agency tries.

mod common;

use std::process::Output;

use common::{stderr, stdout};

/// `wangjian ARGS --db DB`, with case actions dated inside the demo's calendar.
fn wangjian(db: &str, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--db", db]);
    if args[0] == "case" {
        all.extend(["--now", "2026-06-16T02:00:00Z"]);
    }
    common::wangjian(&all, b"")
}

/// Runs and expects success; returns stdout.
fn ok(db: &str, args: &[&str]) -> String {
    let o = wangjian(db, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Runs and expects a refusal (exit 2); returns stderr.
fn refused(db: &str, args: &[&str]) -> String {
    let o = wangjian(db, args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
    stderr(&o)
}

fn first_field(line: &str) -> String {
    line.split('\t').next().unwrap().trim().to_string()
}

#[test]
fn seized_goods_assist_and_feedback_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    seized_goods_assist_and_feedback(&format!("sqlite:{}", dir.path().join("w.db").display()));
}

/// The same on PostgreSQL, in a fresh schema dropped afterwards.
#[test]
fn seized_goods_assist_and_feedback_on_postgres() {
    let Some(schema) = common::PgSchema::create() else {
        return;
    };
    seized_goods_assist_and_feedback(&schema.url);
}

fn seized_goods_assist_and_feedback(db: &str) {
    let db = db.to_string();
    let demo = wangjian(&db, &["demo", "--listings", "200", "--today", "2026-06-15"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let list = ok(
        &db,
        &[
            "case",
            "list",
            "--org",
            "杭市监",
            "--state",
            "investigating",
        ],
    );
    let case = first_field(list.lines().next().unwrap());
    assert_eq!(case.len(), 36, "{list}");

    // Seized goods: recorded by the responsible agency only, handed over, destroyed with
    // two witnesses.
    let seize = |who: &str| {
        vec![
            "case",
            "seize",
            case.as_str(),
            "--as",
            who,
            "--description",
            "假冒运动鞋",
            "--quantity",
            "120",
            "--unit",
            "双",
            "--custody",
            "公物仓A",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let args = seize("nb_officer");
    let why = refused(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    // Another agency's case is as unknown as a missing one (the one policy).
    assert!(why.contains("not found, or not yours to see"), "{why}");
    let args = seize("hz_officer");
    let out = ok(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("held at 公物仓A\tversion 1"), "{out}");
    let item = first_field(&out);
    let out = ok(
        &db,
        &[
            "case",
            "hand-over",
            &item,
            "--as",
            "hz_officer",
            "--from",
            "公物仓A",
            "--to",
            "检验所",
            "--note",
            "交接单001",
        ],
    );
    assert!(out.contains("held at 检验所\tversion 2"), "{out}");
    let why = refused(
        &db,
        &[
            "case",
            "hand-over",
            &item,
            "--as",
            "hz_officer",
            "--from",
            "公物仓A",
            "--to",
            "别处",
        ],
    );
    assert!(why.contains("检验所"), "{why}");
    let destroy = |witnesses: &[&str]| {
        let mut a = vec![
            "case",
            "destroy",
            item.as_str(),
            "--as",
            "hz_officer",
            "--on",
            "2026-06-15",
            "--method",
            "粉碎",
            "--place",
            "某危废处置中心",
        ];
        for w in witnesses {
            a.extend(["--witness", w]);
        }
        wangjian(&db, &a)
    };
    let one = destroy(&["王五"]);
    assert_eq!(one.status.code(), Some(2));
    assert!(stderr(&one).contains("two witnesses"), "{}", stderr(&one));
    let two = destroy(&["王五", "赵六"]);
    assert!(two.status.success(), "{}", stderr(&two));
    assert!(stdout(&two).contains("destroyed 2026-06-15"));

    // An assist request to Ningbo, answered there (not by the sender).
    let out = ok(
        &db,
        &[
            "case",
            "assist",
            &case,
            "--as",
            "hz_officer",
            "--to",
            "甬市监",
            "--carrier",
            "顺丰",
            "--waybill",
            "SF1234567890",
            "--question",
            "请核查收件地址是否为仓库",
        ],
    );
    assert!(out.contains("\tsent\tdue 2026-"), "{out}");
    let request = first_field(&out);
    let answer = |who: &str| {
        wangjian(
            &db,
            &[
                "case",
                "answer-assist",
                &request,
                "--as",
                who,
                "--answer",
                "收件地址为仓库，已拍照固定",
            ],
        )
    };
    assert_eq!(answer("hz_officer").status.code(), Some(2));
    let o = answer("nb_officer");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\tanswered\tversion 2"),
        "{}",
        stdout(&o)
    );

    // A transfer to Ningbo, accepted, then reported back by the receiver only.
    ok(
        &db,
        &[
            "case",
            "transfer",
            &case,
            "--as",
            "hz_chief",
            "--to",
            "甬市监",
            "--reason",
            "违法行为发生地在宁波",
            "--basis",
            "第十八条",
        ],
    );
    ok(
        &db,
        &[
            "case",
            "transition",
            &case,
            "accept_transfer",
            "--as",
            "nb_chief",
        ],
    );
    let show: serde_json::Value =
        serde_json::from_str(&ok(&db, &["case", "show", &case, "--json"])).unwrap();
    let transfer = show["file"]["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "accepted")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_id = |list: &str, id: &str| {
        show[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {list}: {show}"))
    };
    assert_eq!(by_id("seized", &item)["handovers"][0]["to"], "检验所");
    assert_eq!(by_id("assist_requests", &request)["status"], "answered");
    let why = refused(
        &db,
        &[
            "case",
            "feedback",
            &transfer,
            "--as",
            "hz_officer",
            "--outcome",
            "已立案",
        ],
    );
    assert!(why.contains("only the receiving agency"), "{why}");
    let out = ok(
        &db,
        &[
            "case",
            "feedback",
            &transfer,
            "--as",
            "nb_officer",
            "--outcome",
            "已立案",
            "--reference",
            "甬市监立〔2026〕12号",
        ],
    );
    assert!(out.contains("\tfeedback_reported\t"), "{out}");
    let text = ok(&db, &["case", "show", &case]);
    assert!(
        text.contains("seized   ") && text.contains("assist   "),
        "{text}"
    );
}
