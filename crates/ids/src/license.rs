//! Licence numbers of the market-regulation registers. Their check digits (where they
//! have one) follow no published algorithm, so structure, province and region are
//! checked, not whether the number was issued.

use crate::{first_bad, province_prefix, region_part, trimmed, Invalid, Kind, Parsed, Part, Parts};

fn compact(value: &str) -> Result<String, Invalid> {
    Ok(trimmed(value)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect())
}

/// The 6-digit region of a licence: a county code, or a prefecture or province code
/// when the licence was issued at that level. Retired codes are accepted.
fn licence_region(digits: &str, positions: &'static str) -> Result<Part, Invalid> {
    region_part("region", digits, positions).map(|(p, _)| p)
}

/// Parses a 食品经营许可证 number: `JY` and 14 digits — business type (1 食品销售经营者,
/// 2 餐饮服务经营者, 3 单位食堂), 6-digit region (2 province, 2 city, 2 county), 6-digit
/// sequence, 1 check digit. 食品经营许可管理办法 (2015) 第二十八条; unchanged in
/// 食品经营许可和备案管理办法 (2023). The check-digit algorithm is not published: it is
/// reported, not verified.
pub fn parse_food_license(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let Some(digits) = v.strip_prefix("JY") else {
        return Err(Invalid::Format {
            expected: "JY followed by 14 digits (JY13301060012345)",
        });
    };
    first_bad(digits, 2, "a digit", |c| c.is_ascii_digit())?;
    if digits.len() != 14 {
        return Err(Invalid::Length {
            found: digits.len() + 2,
            expected: "16 characters: JY and 14 digits",
        });
    }
    let subject = match &digits[..1] {
        "1" => "食品销售经营者",
        "2" => "餐饮服务经营者",
        "3" => "单位食堂",
        other => {
            return Err(Invalid::Code {
                what: "business type (character 3)",
                found: other.to_string(),
                context: " (1 食品销售经营者, 2 餐饮服务经营者, 3 单位食堂)".to_string(),
            })
        }
    };
    let region = licence_region(&digits[1..7], "4-9")?;
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::FoodLicense,
        normalized: v.clone(),
        parts: Parts(vec![
            Part::new("business_type", &digits[..1], subject),
            region,
            Part::new("sequence", &digits[7..13], "顺序码"),
            Part::new("check_digit", &digits[13..], "校验码（算法未公开，未校验）"),
        ]),
    })
}

/// Parses a 仅销售预包装食品备案 number: `YB` and 14 digits, laid out like the licence
/// (business type, 6-digit region, 6-digit sequence, check digit). Since the 2021
/// amendment of 食品安全法 (第三十五条) a seller of prepackaged food only files (备案)
/// instead of holding a licence, and 食品经营许可和备案管理办法 (2023) numbers the filings.
/// Only `YB` and the 14 digits are required: the layout of the digits is read as the
/// licence's, and what does not fit it (an unknown region) is a warning, not a refusal —
/// a filing the authority issued must never be called invalid here.
pub fn parse_food_filing(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let Some(digits) = v.strip_prefix("YB") else {
        return Err(Invalid::Format {
            expected: "YB followed by 14 digits (YB13301060012345)",
        });
    };
    first_bad(digits, 2, "a digit", |c| c.is_ascii_digit())?;
    if digits.len() != 14 {
        return Err(Invalid::Length {
            found: digits.len() + 2,
            expected: "16 characters: YB and 14 digits",
        });
    }
    let mut warnings = Vec::new();
    let mut parts = vec![Part::new("business_type", &digits[..1], "主体业态")];
    match licence_region(&digits[1..7], "4-9") {
        Ok(region) => parts.push(region),
        Err(e) => {
            warnings.push(format!(
                "{e}; the filing is accepted, the region not confirmed"
            ));
            parts.push(Part::new("region", &digits[1..7], "备案地区（未识别）"));
        }
    }
    parts.push(Part::new("sequence", &digits[7..13], "顺序码"));
    parts.push(Part::new(
        "check_digit",
        &digits[13..],
        "校验码（算法未公开，未校验）",
    ));
    Ok(Parsed {
        warnings,
        kind: Kind::FoodFiling,
        normalized: v.clone(),
        parts: Parts(parts),
    })
}

/// Parses a 食品生产许可证 number: `SC` and 14 digits — 3-digit category (1 食品 or
/// 2 食品添加剂, then the category number), 6-digit region, 4-digit sequence, 1 check
/// digit. 食品生产许可管理办法 (2020) 第二十九条. The check-digit algorithm is not
/// published: it is reported, not verified.
pub fn parse_food_production_license(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let Some(digits) = v.strip_prefix("SC") else {
        return Err(Invalid::Format {
            expected: "SC followed by 14 digits (SC10633010600123)",
        });
    };
    first_bad(digits, 2, "a digit", |c| c.is_ascii_digit())?;
    if digits.len() != 14 {
        return Err(Invalid::Length {
            found: digits.len() + 2,
            expected: "16 characters: SC and 14 digits",
        });
    }
    let category: u32 = digits[1..3].parse().unwrap_or(0);
    let (kind_meaning, max) = match &digits[..1] {
        "1" => ("食品", 32),
        "2" => ("食品添加剂", 3),
        other => {
            return Err(Invalid::Code {
                what: "product kind (character 3)",
                found: other.to_string(),
                context: " (1 食品, 2 食品添加剂)".to_string(),
            })
        }
    };
    if !(1..=max).contains(&category) {
        return Err(Invalid::Code {
            what: "product category (characters 4-5)",
            found: digits[1..3].to_string(),
            context: format!(" for {kind_meaning} (01 to {max:02})"),
        });
    }
    let region = licence_region(&digits[3..9], "6-11")?;
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::FoodProductionLicense,
        normalized: v.clone(),
        parts: Parts(vec![
            Part::new("product_kind", &digits[..1], kind_meaning),
            Part::new("category", &digits[1..3], "类别编号"),
            region,
            Part::new("sequence", &digits[9..13], "顺序码"),
            Part::new("check_digit", &digits[13..], "校验码（算法未公开，未校验）"),
        ]),
    })
}

/// Parses a 药品经营许可证 number: province abbreviation, a business letter (A 批发,
/// B 零售连锁总部, C 零售连锁门店, D 单体零售), a letter A 法人 / B 非法人, then either
/// 7 digits (药品经营许可证管理办法 2004 第十六条 format) or 9 digits — a 4-digit area
/// code (first four digits of a GB/T 2260 code in that province) and a 5-digit
/// sequence (药品经营和使用质量监督管理办法 2023). Example: `浙AA5710123`.
pub fn parse_drug_license(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let (abbr, province, rest) = province_prefix(&v)?;
    let mut chars = rest.chars();
    let format = Invalid::Format {
        expected: "province abbreviation, two letters, 7 or 9 digits (浙AA5710123)",
    };
    let (Some(b), Some(o)) = (chars.next(), chars.next()) else {
        return Err(format);
    };
    let business = match b {
        'A' => "批发企业",
        'B' => "零售连锁总部",
        'C' => "零售连锁门店",
        'D' => "单体零售企业",
        _ => {
            return Err(Invalid::Char {
                position: 2,
                found: b,
                expected: "A 批发, B 零售连锁总部, C 零售连锁门店 or D 单体零售",
            })
        }
    };
    let form = match o {
        'A' => "法人企业",
        'B' => "非法人企业",
        _ => {
            return Err(Invalid::Char {
                position: 3,
                found: o,
                expected: "A 法人 or B 非法人",
            })
        }
    };
    let digits = chars.as_str();
    let digits = digits.strip_suffix('号').unwrap_or(digits);
    first_bad(digits, 3, "a digit", |c| c.is_ascii_digit())?;
    let mut parts = vec![
        Part::new("province", abbr.to_string(), province.name),
        Part::new("business", b.to_string(), business),
        Part::new("form", o.to_string(), form),
    ];
    match digits.len() {
        7 => parts.push(Part::new(
            "number",
            digits,
            "编号（地区码和顺序号，2004 版）",
        )),
        9 => {
            let area = &digits[..4];
            let code = format!("{area}00");
            let r = wangjian_region::lookup(&code).ok_or_else(|| Invalid::Region {
                code: code.clone(),
                positions: "4-7",
            })?;
            if !wangjian_region::is_within(&code, &province.code_str()) {
                return Err(Invalid::ProvinceMismatch {
                    code,
                    region_province: wangjian_region::province_of(&r.code_str())
                        .map_or(r.name, |p| p.name),
                    abbreviation: abbr,
                    named: province.name,
                });
            }
            let name = wangjian_region::full_name(&code).unwrap_or_default();
            parts.push(Part::new("area", area, name));
            parts.push(Part::new("sequence", &digits[4..], "顺序号"));
        }
        n => {
            return Err(Invalid::Length {
                found: n,
                expected: "7 or 9 digits after the two letters",
            })
        }
    }
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::DrugLicense,
        normalized: v.clone(),
        parts: Parts(parts),
    })
}

/// Parses a 医疗器械经营许可证 number or a 第二类医疗器械经营备案凭证 number:
/// province abbreviation, up to three characters for the issuing city (杭), the issuing
/// body (`食药监` before 2018, `药监` or `市监` after), `械经营许` (licence, 第三类) or
/// `械经营备` (filing, 第二类), 4-digit year and 4-digit sequence, `号`.
/// 医疗器械经营监督管理办法 (2014) 第十三条 and (2022, 市场监管总局令第54号).
/// Example: `浙杭食药监械经营许20150001号`.
pub fn parse_device_license(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let (abbr, province, rest) = province_prefix(&v)?;
    let format = Invalid::Format {
        expected: "浙杭食药监械经营许20150001号 or 浙杭药监械经营备20230001号",
    };
    let (kind_pos, kind, meaning) = if let Some(p) = rest.find("械经营许") {
        (p, "许", "医疗器械经营许可证（第三类）")
    } else if let Some(p) = rest.find("械经营备") {
        (p, "备", "第二类医疗器械经营备案凭证")
    } else {
        return Err(format);
    };
    let head = &rest[..kind_pos];
    let issuer = ["食药监", "药监", "市监", "市场监管"]
        .into_iter()
        .find(|i| head.ends_with(i))
        .ok_or(format.clone())?;
    let city = &head[..head.len() - issuer.len()];
    if city.chars().count() > 3 || !city.chars().all(|c| !c.is_ascii()) {
        return Err(format);
    }
    let tail = &rest[kind_pos + "械经营许".len()..];
    let digits = tail.strip_suffix('号').unwrap_or(tail);
    first_bad(digits, 0, "a digit", |c| c.is_ascii_digit()).map_err(|_| format.clone())?;
    if digits.len() != 8 {
        return Err(Invalid::Length {
            found: digits.len(),
            expected: "8 digits (year and sequence) before 号",
        });
    }
    let year: u32 = digits[..4].parse().unwrap_or(0);
    if !(2000..=2099).contains(&year) {
        return Err(Invalid::Code {
            what: "year",
            found: digits[..4].to_string(),
            context: String::new(),
        });
    }
    let mut parts = vec![Part::new("province", abbr.to_string(), province.name)];
    if !city.is_empty() {
        parts.push(Part::new("city", city, "发证设区的市简称"));
    }
    parts.push(Part::new("issuer", issuer, "发证部门"));
    parts.push(Part::new("type", kind, meaning));
    parts.push(Part::new("year", &digits[..4], "年份"));
    parts.push(Part::new("sequence", &digits[4..], "顺序号"));
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::DeviceLicense,
        normalized: v.clone(),
        parts: Parts(parts),
    })
}
