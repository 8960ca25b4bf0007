//! Real public examples and the reasons given for wrong ones.

use chrono::NaiveDate;
use wangjian_ids::{
    check, check_on, parse_citizen_id, parse_citizen_id_on, parse_uscc, Invalid, Kind,
};

fn ok(kind: Kind, v: &str) {
    if let Err(e) = check(kind, v) {
        panic!("{kind} {v}: {e}");
    }
}

fn bad(kind: Kind, v: &str) -> String {
    match check(kind, v) {
        Ok(p) => panic!("{kind} {v} accepted: {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn public_company_credit_codes_validate() {
    for c in [
        "91110000100017643K",
        "91110000600037341L",
        "914403001922038216",
        "91330100799655058B",
    ] {
        ok(Kind::Uscc, c);
    }
    let u = parse_uscc(" 914403001922038216 ").unwrap();
    assert_eq!(u.authority_name, "工商（市场监管）");
    assert_eq!(u.entity_type_name, "企业");
    assert_eq!(u.region.unwrap().code, 440300);
    assert!(u.warnings.is_empty());
    assert_eq!(u.organization_code, "192203821");
}

#[test]
fn credit_code_reasons_name_the_position() {
    assert_eq!(
        bad(Kind::Uscc, "91110000100017643A"),
        "check character (character 18) is 'A', expected 'K'"
    );
    assert!(bad(Kind::Uscc, "9111000010001764").contains("16 characters"));
    assert!(bad(Kind::Uscc, "91110000100O17643K").contains("character 12 'O'"));
    assert!(bad(Kind::Uscc, "91110000100017653K").contains("organization code check"));
    assert_eq!(bad(Kind::Uscc, "  "), "empty value");
}

#[test]
fn citizen_id_standard_example_and_upgrade() {
    let c = parse_citizen_id("11010519491231002X").unwrap();
    assert_eq!(c.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    assert_eq!(c.mask(), "110105********002X");
    assert_eq!(c.region.name, "朝阳区");
    ok(Kind::CitizenId, "11010519491231002x");
    // The 15-digit form of the same person.
    let old = parse_citizen_id("110105491231002").unwrap();
    assert!(old.upgraded_from_15);
    assert_eq!(old.number, "11010519491231002X");
    // Masked in the uniform output.
    assert_eq!(
        check(Kind::CitizenId, "11010519491231002X")
            .unwrap()
            .normalized,
        "110105********002X"
    );
}

#[test]
fn citizen_id_reasons() {
    assert_eq!(
        bad(Kind::CitizenId, "110105194912310021"),
        "check character (character 18) is '1', expected 'X'"
    );
    assert!(bad(Kind::CitizenId, "11010519490231002X").contains("not a real date"));
    assert!(bad(Kind::CitizenId, "99010519491231002X").contains("region code 990105"));
    let today = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    // Born 2021-01-01 (check char computed for this body).
    let future = "110105202101010015";
    let e = parse_citizen_id_on(future, today);
    assert!(matches!(
        e,
        Err(Invalid::FutureDate { .. }) | Err(Invalid::Check { .. })
    ));
    assert!(check_on(Kind::CitizenId, "11010519491231002X", today).is_ok());
}

#[test]
fn gtin_examples() {
    ok(Kind::Gtin, "6901234567892");
    ok(Kind::Gtin, "96385074");
    ok(Kind::Gtin, "036000291452");
    ok(Kind::Gtin, "10012345678902");
    assert!(bad(Kind::Gtin, "6901234567891").contains("expected '2'"));
    assert!(bad(Kind::Gtin, "123").contains("8, 12, 13 or 14"));
    let p = check(Kind::Gtin, "6901234567892").unwrap();
    assert!(p.parts.get("gs1_prefix").unwrap().meaning.contains("China"));
}

#[test]
fn filings() {
    ok(Kind::Icp, "京ICP备12345678号-1");
    ok(Kind::Icp, "浙ICP备2021012345号");
    ok(Kind::Icp, "京ICP证030173号");
    ok(Kind::Icp, "粤B2-20090059");
    ok(Kind::Icp, "B2-20090059");
    assert!(bad(Kind::Icp, "X ICP备12345678号").contains("not a province abbreviation"));
    assert!(bad(Kind::Icp, "京ICP备123号").contains("5 to 10 digits"));
    ok(Kind::PoliceFiling, "京公网安备 11010502030143号");
    ok(Kind::PoliceFiling, "浙公网安备33010602011771号");
    let e = bad(Kind::PoliceFiling, "沪公网安备 11010502030143号");
    assert!(e.contains("北京市") && e.contains("上海市"), "{e}");
    assert!(bad(Kind::PoliceFiling, "京公网安备 1101050203014号").contains("14 digits"));
}

#[test]
fn phones() {
    for p in [
        "13812345678",
        "+86 138-1234-5678",
        "0086 19212345678",
        "86 17312345678",
    ] {
        ok(Kind::Phone, p);
    }
    assert_eq!(
        check(Kind::Phone, "+86 138 1234 5678").unwrap().normalized,
        "13812345678"
    );
    assert!(bad(Kind::Phone, "15412345678").contains("segment '154'"));
    assert!(bad(Kind::Phone, "1381234567").contains("11 digits"));
    assert!(bad(Kind::Phone, "23812345678").contains("character 1"));
}

#[test]
fn licences() {
    ok(Kind::FoodLicense, "JY13301060012345");
    assert!(bad(Kind::FoodLicense, "JY43301060012345").contains("business type"));
    assert!(bad(Kind::FoodLicense, "JY19999990012345").contains("region code 999999"));
    ok(Kind::FoodProductionLicense, "SC10633010600123");
    // A prepackaged-food filing (备案), as sellers print it: spaces, lower case.
    ok(Kind::FoodFiling, "YB13301060012345");
    ok(Kind::FoodFiling, "yb 1330106 0012345");
    let odd = check(Kind::FoodFiling, "YB19999990012345").expect("accepted with a warning");
    assert!(odd.warnings[0].contains("999999"), "{:?}", odd.warnings);
    assert!(bad(Kind::FoodFiling, "JY13301060012345").contains("YB followed by 14 digits"));
    assert!(bad(Kind::FoodFiling, "YB1330106001234").contains("16 characters"));
    assert!(bad(Kind::FoodProductionLicense, "SC13333010600123").contains("category"));
    ok(Kind::DrugLicense, "浙AA5710123");
    ok(Kind::DrugLicense, "浙DA330100001");
    assert!(bad(Kind::DrugLicense, "浙AA320100001").contains("浙江省"));
    assert!(bad(Kind::DrugLicense, "浙EA5710123").contains("character 2"));
    ok(Kind::DeviceLicense, "浙杭食药监械经营许20150001号");
    ok(Kind::DeviceLicense, "浙杭药监械经营备20230001号");
    ok(Kind::DeviceLicense, "京药监械经营许20220001号");
    assert!(bad(Kind::DeviceLicense, "浙杭食药监械经营许2015001号").contains("8 digits"));
}

#[test]
fn parts_serialize_as_an_object() {
    let p = check(Kind::Uscc, "914403001922038216").unwrap();
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["kind"], "uscc");
    assert_eq!(j["parts"]["entity_type"]["meaning"], "企业");
    assert_eq!(j["parts"]["region"]["value"], "440300");
}

#[test]
fn kinds_round_trip_their_names() {
    for k in Kind::ALL {
        assert_eq!(k.name().parse::<Kind>().unwrap(), k);
    }
    assert!("nope".parse::<Kind>().is_err());
}

/// Codes copied from public documents (invoices, bank details, court lists, shop footers):
/// central-level authorities write region 100000 (ministries, universities under the
/// Ministry of Education), social organizations 51…, individual businesses 92… with an
/// MA-style 主体标识码. Every one passes the strict checks (length, characters, both check
/// characters) and none gets a warning.
#[test]
fn credit_codes_as_issued_validate() {
    for c in [
        "11100000000013338W", // a central-level authority (region 100000)
        "12100000425006117P", // 复旦大学 (事业单位, central)
        "12100000470095016Q", // 浙江大学 (事业单位, central)
        "51310110501144395U", // a social organization registered in 上海市杨浦区
        "92230109MAKCUYD46K", // individual businesses, from shop and site footers
        "92340111MAD2LARQ9N",
        "92361130MA386N427K",
        "92420102MAKJME5F3R",
        "92511126MACBT2C33F", // from a court's list of judgment defaulters
        "92211282MA0XME1F4Q",
        "92140727MAE8C7WN66",
    ] {
        let p = check(Kind::Uscc, c).unwrap_or_else(|e| panic!("{c}: {e}"));
        assert!(p.warnings.is_empty(), "{c}: {:?}", p.warnings);
    }
    let central = parse_uscc("11100000000013338W").unwrap();
    assert_eq!(central.region, None);
    assert_eq!(central.region_code, "100000");
    assert_eq!(central.authority_name, "机构编制");
}

/// What a stricter reading refused warns instead: an entity type or authority the table
/// does not list, a region code GB/T 2260 does not list. The check characters still
/// refuse (made-up codes from templates fail them).
#[test]
fn unlisted_codes_warn_and_made_up_ones_fail() {
    let with_check = |first17: &str| {
        format!(
            "{first17}{}",
            wangjian_ids::uscc_check_char(first17).unwrap()
        )
    };
    for (first17, warning) in [
        ("94110000100017643", "entity type '4'"),
        ("B1110000100017643", "registration authority 'B'"),
        ("91999900100017643", "region code 999900"),
    ] {
        let p = check(Kind::Uscc, &with_check(first17)).unwrap();
        assert!(
            p.warnings.iter().any(|w| w.contains(warning)),
            "{first17}: {:?}",
            p.warnings
        );
    }
    for fake in [
        "91110108MA0198KQ88",
        "91110108MA01CGN001",
        "91110101MA00ABCD1X",
    ] {
        assert!(check(Kind::Uscc, fake).is_err(), "{fake}");
    }
}
