//! Brushing groups and seller networks in the record from the command line, on the demo
//! database: the demo's ring group is listed for the Hangzhou officer and not for another
//! region's, a confirmed group cannot be dismissed, an import reports its bad lines by
//! number and keeps the rest, and a network is shown only to whom the policy lets read it.

mod common;

use common::{stderr, stdout};

fn wangjian(db: &str, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend(["--db", db]);
    common::wangjian(&all, stdin)
}

#[test]
fn groups_networks_and_imports_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("b.db").display());
    let demo = wangjian(
        &db,
        &["demo", "--listings", "100", "--today", "2026-06-15"],
        b"",
    );
    assert!(demo.status.success(), "{}", stderr(&demo));
    assert!(stderr(&demo).contains("suspicious brushing groups"));

    // The Hangzhou officer sees the demo's ring group (confirmed, made a case); Ningbo's
    // does not.
    let hz = wangjian(&db, &["brushing", "groups", "--as", "hz_officer"], b"");
    assert!(hz.status.success(), "{}", stderr(&hz));
    let line = stdout(&hz)
        .lines()
        .find(|l| l.contains("\"confirmed\""))
        .unwrap_or_else(|| panic!("a confirmed group: {}", stdout(&hz)))
        .to_string();
    let g: serde_json::Value = serde_json::from_str(&line).unwrap();
    let id = g["id"].as_str().unwrap().to_string();
    let nb = wangjian(&db, &["brushing", "groups", "--as", "nb_officer"], b"");
    assert!(nb.status.success());
    assert!(!stdout(&nb).contains(&id), "{}", stdout(&nb));

    // Confirmed already: dismissing it is refused, and says why.
    let r = wangjian(
        &db,
        &[
            "brushing",
            "review",
            &id,
            "--verdict",
            "dismiss",
            "--note",
            "误报",
            "--as",
            "hz_officer",
        ],
        b"",
    );
    assert!(!r.status.success());
    assert!(stderr(&r).contains("confirmed"), "{}", stderr(&r));

    // The ring's network: Hangzhou reads it, Ningbo gets "not yours to see".
    let shop = g["shops"][0].as_str().unwrap();
    let platform = "云集优品网络科技有限公司";
    let show = |who: &str| {
        wangjian(
            &db,
            &["network", "show", "--platform", platform, shop, "--as", who],
            b"",
        )
    };
    let s = show("hz_officer");
    if s.status.success() {
        assert!(stdout(&s).contains("\"links\""));
        assert!(!show("nb_officer").status.success());
    }

    // An officer's import: a bad line is reported with its number, the rest is stored.
    let input = "{\"shop\":\"cli-1\",\"phone\":\"13811112222\",\"ship_from_address\":\"浙江省杭州市西湖区天目山路5号\"}\n\
                 not json\n\
                 {\"shop\":\"cli-2\",\"phone\":\"138 1111 2222\"}\n";
    let imp = wangjian(
        &db,
        &[
            "network",
            "import",
            "--platform",
            platform,
            "--as",
            "hz_officer",
            "-",
        ],
        input.as_bytes(),
    );
    assert_eq!(imp.status.code(), Some(1), "{}", stderr(&imp));
    assert!(stderr(&imp).contains(":2:"), "{}", stderr(&imp));
    let report: serde_json::Value = serde_json::from_str(stdout(&imp).trim()).unwrap();
    assert_eq!(report["values"], 3);
    assert_eq!(report["networks"][0]["size"], 2);
    let s = wangjian(
        &db,
        &[
            "network",
            "show",
            "--platform",
            platform,
            "cli-2",
            "--as",
            "hz_officer",
        ],
        b"",
    );
    assert!(s.status.success(), "{}", stderr(&s));
    assert!(stdout(&s).contains("cli-1"));

    // Orders imported by an officer for the platform: bad lines by number.
    let orders = "{\"order_id\":\"o1\",\"buyer\":\"b1\",\"shop\":\"cli-1\",\"listing\":\"l1\",\"time\":\"2026-06-01T10:00:00+08:00\",\"amount\":9.9}\n{\"order_id\":\"o2\"}\n";
    let up = wangjian(
        &db,
        &[
            "brushing",
            "import",
            "--platform",
            platform,
            "--as",
            "hz_officer",
            "-",
        ],
        orders.as_bytes(),
    );
    assert_eq!(up.status.code(), Some(1), "{}", stderr(&up));
    assert!(stderr(&up).contains("line 2"), "{}", stderr(&up));
    assert!(stderr(&up).contains("1 orders"), "{}", stderr(&up));
    // A rights holder's agent may not import.
    let refused = wangjian(
        &db,
        &[
            "brushing",
            "import",
            "--platform",
            platform,
            "--as",
            "brand",
            "-",
        ],
        orders.as_bytes(),
    );
    assert!(!refused.status.success());
}
