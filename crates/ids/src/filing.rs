//! Website filings shown in page footers: ICP 备案号 and ICP 经营许可证 (互联网信息服务
//! 管理办法 第四条, 非经营性互联网信息服务备案管理办法 第十三条), 增值电信业务经营许可证
//! (电信业务经营许可管理办法; codes A1, A2, B1, B2 of the 电信业务分类目录), and the
//! public-security filing number (计算机信息网络国际联网安全保护管理办法 第十二条).
//! None of them has a public check-digit algorithm: structure, province and region are
//! checked, not whether the number was issued (ask the MIIT / MPS registers for that).

use crate::{province_prefix, region_part, trimmed, Invalid, Kind, Parsed, Part, Parts};

/// Which of the telecom numbers a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcpKind {
    /// ICP 备案号 (non-commercial filing): `京ICP备12345678号-1`.
    Filing,
    /// ICP 经营许可证 number: `京ICP证030173号`.
    License,
    /// 增值电信业务经营许可证 number: `粤B2-20090059`.
    TelecomLicense,
}

const ICP_FORMAT: &str =
    "京ICP备12345678号-1, 京ICP证030173号 or 粤B2-20090059 (province abbreviation first)";

fn compact(value: &str) -> Result<String, Invalid> {
    Ok(trimmed(value)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect())
}

fn digits_prefix(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Parses an ICP filing number (`京ICP备12345678号-1`: province abbreviation, `ICP备`,
/// 5 to 10 digits — the 10-digit numbers start with the year — `号`, optional `-N` for
/// the N-th site), an ICP licence number (`京ICP证030173号`), or a value-added telecom
/// licence number (`粤B2-20090059`, `B2-20090059` when issued by the ministry: category
/// A1/A2/B1/B2, a dash, 4-digit year and 4-digit sequence).
pub fn parse_icp(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let (abbr, province, rest) = match province_prefix(&v) {
        Ok((a, p, r)) => (Some(a), Some(p), r),
        Err(e) => {
            if v.starts_with(['A', 'B']) {
                (None, None, v.as_str())
            } else {
                return Err(e);
            }
        }
    };
    let mut parts = Vec::new();
    if let (Some(a), Some(p)) = (abbr, province) {
        parts.push(Part::new("province", a.to_string(), p.name));
    }
    let format = Invalid::Format {
        expected: ICP_FORMAT,
    };
    if let Some(r) = rest.strip_prefix("ICP备") {
        if province.is_none() {
            return Err(format);
        }
        let (num, tail) = digits_prefix(r);
        if !(5..=10).contains(&num.len()) {
            return Err(Invalid::Length {
                found: num.len(),
                expected: "5 to 10 digits after ICP备",
            });
        }
        let tail = tail.strip_prefix('号').ok_or(format.clone())?;
        parts.push(Part::new("type", "ICP备", "非经营性互联网信息服务备案"));
        parts.push(Part::new("number", num, "备案号"));
        if !tail.is_empty() {
            let site = tail.strip_prefix('-').ok_or(format.clone())?;
            if site.is_empty() || site.len() > 4 || !site.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format);
            }
            parts.push(Part::new("site", site, "网站序号"));
        }
        return Ok(Parsed {
            warnings: Vec::new(),
            kind: Kind::Icp,
            normalized: v.clone(),
            parts: Parts(parts),
        });
    }
    if let Some(r) = rest.strip_prefix("ICP证") {
        if province.is_none() {
            return Err(format);
        }
        let (num, tail) = digits_prefix(r);
        if !(5..=8).contains(&num.len()) {
            return Err(Invalid::Length {
                found: num.len(),
                expected: "5 to 8 digits after ICP证",
            });
        }
        if tail != "号" && !tail.is_empty() {
            return Err(format);
        }
        parts.push(Part::new("type", "ICP证", "互联网信息服务经营许可证"));
        parts.push(Part::new("number", num, "许可证号"));
        return Ok(Parsed {
            warnings: Vec::new(),
            kind: Kind::Icp,
            normalized: v.clone(),
            parts: Parts(parts),
        });
    }
    // 增值电信业务经营许可证: category, dash, year + sequence.
    let category = rest.get(..2).ok_or(format.clone())?;
    let meaning = match category {
        "A1" => "第一类基础电信业务",
        "A2" => "第二类基础电信业务",
        "B1" => "第一类增值电信业务",
        "B2" => "第二类增值电信业务（含互联网信息服务）",
        _ => return Err(format),
    };
    let r = rest[2..].strip_prefix('-').ok_or(format.clone())?;
    let (num, tail) = digits_prefix(r);
    if num.len() != 8 || !(tail.is_empty() || tail == "号") {
        return Err(format);
    }
    let year: u32 = num[..4].parse().map_err(|_| format.clone())?;
    if !(1990..=2099).contains(&year) {
        return Err(Invalid::Code {
            what: "licence year",
            found: num[..4].to_string(),
            context: String::new(),
        });
    }
    parts.push(Part::new("type", category, meaning));
    parts.push(Part::new("year", &num[..4], "发证年份"));
    parts.push(Part::new("sequence", &num[4..], "顺序号"));
    if province.is_none() {
        parts.push(Part::new("issuer", "", "工业和信息化部（跨地区）"));
    }
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::Icp,
        normalized: v.clone(),
        parts: Parts(parts),
    })
}

/// Parses a public-security filing number (`京公网安备 11010502030143号`): province
/// abbreviation, `公网安备`, 14 digits whose first six are a GB/T 2260 code within that
/// province, and `号` (optional here). Spaces are ignored.
pub fn parse_police_filing(value: &str) -> Result<Parsed, Invalid> {
    let v = compact(value)?;
    let (abbr, province, rest) = province_prefix(&v)?;
    let format = Invalid::Format {
        expected: "京公网安备 11010502030143号",
    };
    let r = rest.strip_prefix("公网安备").ok_or(format.clone())?;
    let (num, tail) = digits_prefix(r);
    if !(tail.is_empty() || tail == "号") {
        return Err(format);
    }
    if num.len() != 14 {
        return Err(Invalid::Length {
            found: num.len(),
            expected: "14 digits after 公网安备",
        });
    }
    let (region, r) = region_part("region", &num[..6], "1-6 of the number")?;
    let rp = wangjian_region::province_of(&num[..6]);
    if rp.map(|p| p.code) != Some(province.code) {
        return Err(Invalid::ProvinceMismatch {
            code: num[..6].to_string(),
            region_province: rp.map_or(r.name, |p| p.name),
            abbreviation: abbr,
            named: province.name,
        });
    }
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::PoliceFiling,
        normalized: format!("{abbr}公网安备{num}号"),
        parts: Parts(vec![
            Part::new("province", abbr.to_string(), province.name),
            region,
            Part::new("sequence", &num[6..], "备案顺序号"),
        ]),
    })
}
