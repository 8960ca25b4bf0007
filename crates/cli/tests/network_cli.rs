//! `wangjian network group`: networks with provenance, masking, caps, bad values.

mod common;

use common::{stderr, stdout, wangjian};

const INPUT: &str = concat!(
    r#"{"platform":"淘宝","shop":"1","source":"平台报送","at":"2026-11-02T10:00:00+08:00","phone":"+86 138-0013-8000","return_address":"浙江省杭州市西湖区文三路90号3号楼2单元501室"}"#,
    "\n",
    r#"{"platform":"京东","shop":2,"phone":["13800138000","4008208820"],"email":"Boss@QQ.com"}"#,
    "\n",
    r#"{"platform":"拼多多","shop":"3","ship_from_address":"浙江杭州西湖区文三路９０号３幢２单元５０１","ip":"192.168.1.1"}"#,
    "\n",
    r#"{"shop":"4","phone":"4008208820"}"#,
    "\n",
    r#"{"shop":"5","phone":"4008208820","device":"unknown"}"#,
    "\n",
    "{\"phone\":\"13900000000\"}\n",
);

#[test]
fn groups_shops_with_provenance_and_reports_bad_values() {
    let o = wangjian(&["network", "group", "--cap", "phone=2"], INPUT.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("<stdin>:3: field `ip`"), "{err}");
    assert!(err.contains("<stdin>:5: field `device`"), "{err}");
    assert!(err.contains("<stdin>:6: missing field `shop`"), "{err}");
    assert!(
        err.contains("over-shared phone 400***8820 carried by 3 shops (cap 2)"),
        "{err}"
    );
    let out = stdout(&o);
    let nets: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(nets.len(), 1, "{out}");
    assert_eq!(
        nets[0]["shops"],
        serde_json::json!(["京东:2", "拼多多:3", "淘宝:1"])
    );
    let links = nets[0]["links"].as_array().unwrap();
    let phone = links.iter().find(|l| l["space"] == "phone").unwrap();
    assert_eq!(phone["value"], "138****8000");
    let taobao = phone["carriers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["shop"] == "淘宝:1")
        .unwrap();
    assert_eq!(taobao["source"], "平台报送");
    assert_eq!(taobao["first_seen"], 1_793_584_800);
    let place = links.iter().find(|l| l["space"] == "address").unwrap();
    assert_eq!(place["value"], "浙江省杭州市西湖区文三路90号3栋2单元501");
    assert_eq!(nets[0]["capped"][0]["shops"], 3);
}

#[test]
fn show_personal_and_a_bad_cap() {
    let o = wangjian(&["network", "group", "--show-personal"], INPUT.as_bytes());
    assert!(stdout(&o).contains("\"13800138000\""));
    let o = wangjian(&["network", "group", "--cap", "fax=3"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown identifier kind"),
        "{}",
        stderr(&o)
    );
}
