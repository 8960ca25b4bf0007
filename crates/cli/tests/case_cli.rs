//! The case workflow from the command line, on the demo database: list by region, state
//! and officer, run transitions as different users, and see refusals explained.

mod common;

use std::process::Output;

use common::stdout;

/// `wangjian ARGS --db DB`, with case actions dated inside the demo's calendar.
fn wangjian(db: &str, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--db", db]);
    if args[0] == "case" {
        all.extend(["--now", "2026-06-16T02:00:00Z"]);
    }
    common::wangjian(&all, b"")
}

#[test]
fn demo_then_workflow_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("w.db").display());
    demo_then_workflow(&db);
}

/// The same workflow on PostgreSQL, in a fresh schema dropped afterwards.
#[test]
fn demo_then_workflow_on_postgres() {
    let Some(schema) = common::PgSchema::create() else {
        return;
    };
    demo_then_workflow(&schema.url);
}

fn demo_then_workflow(db: &str) {
    let db = db.to_string();
    let demo = wangjian(&db, &["demo", "--listings", "400", "--today", "2026-06-15"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(String::from_utf8_lossy(&demo.stderr).contains("hz_officer"));

    // The coordination office's region view holds every state.
    let all = wangjian(&db, &["case", "list", "--region", "330000", "--all"]);
    assert!(all.status.success());
    let listing = stdout(&all);
    for state in [
        "线索登记",
        "核查",
        "不予立案",
        "立案",
        "调查取证",
        "检验鉴定",
        "处罚告知",
        "处罚决定",
        "执行",
        "结案",
        "移送公安",
        "移送其他部门",
        "中止",
        "终止",
    ] {
        assert!(listing.contains(state), "no {state} in\n{listing}");
    }

    // A registered case of the Hangzhou bureau: the officer starts verification.
    let registered = wangjian(
        &db,
        &["case", "list", "--org", "杭市监", "--state", "registered"],
    );
    let line = stdout(&registered);
    let id = line.split('\t').next().unwrap().trim().to_string();
    assert_eq!(id.len(), 36, "{line}");
    let step = wangjian(
        &db,
        &[
            "case",
            "transition",
            &id,
            "start_verification",
            "--as",
            "hz_officer",
            "--set",
            "verifier=hz_officer",
        ],
    );
    assert!(
        step.status.success(),
        "{}",
        String::from_utf8_lossy(&step.stderr)
    );
    assert!(stdout(&step).contains("verifying"), "{}", stdout(&step));

    let open_as = |who: &str| {
        wangjian(
            &db,
            &[
                "case",
                "transition",
                &id,
                "open",
                "--as",
                who,
                "--set",
                "case_officer=hz_officer",
                "--set",
                "co_officers=hz_officer2",
                "--set",
                // Digits only: still text to a text field (it was refused as a number).
                "legal_basis=19",
            ],
        )
    };
    // An officer may not open a case (a supervisor decides); the refusal says why.
    let refused = open_as("hz_officer");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("负责人"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // Another agency's supervisor may not either.
    let other = open_as("nb_chief");
    assert_eq!(other.status.code(), Some(2));
    // The supervisor opens it.
    let open = open_as("hz_chief");
    assert!(
        open.status.success(),
        "{}",
        String::from_utf8_lossy(&open.stderr)
    );

    // It is now in the officer's queue, and its trail has the three steps.
    let queue = wangjian(
        &db,
        &["case", "list", "--org", "杭市监", "--officer", "hz_officer"],
    );
    assert!(stdout(&queue).contains(&id));
    let show = wangjian(&db, &["case", "show", &id, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let actions: Vec<&str> = v["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event"]["action"].as_str())
        .collect();
    assert!(actions.contains(&"case.open"), "{actions:?}");
    assert_eq!(v["file"]["case"]["state"], "opened");
    let text = stdout(&wangjian(&db, &["case", "show", &id]));
    assert!(
        text.contains("state    立案 (opened)") && text.contains("deadline case_decision\tdue "),
        "{text}"
    );

    // Overdue items of the region: the demo's unacknowledged transfer is among them.
    let overdue = wangjian(
        &db,
        &[
            "case",
            "list",
            "--region",
            "330000",
            "--overdue",
            "--today",
            "2026-06-15",
        ],
    );
    assert!(
        stdout(&overdue).contains("transfer_acknowledgement"),
        "{}",
        stdout(&overdue)
    );
}
