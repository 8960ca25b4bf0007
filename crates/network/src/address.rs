//! Postal addresses as link keys: the division (GB/T 2260, through `wangjian-region`) as a
//! code, and the rest of the address with its house numbers written one way.
//!
//! Sellers write one place many ways: `浙江省杭州市西湖区文三路90号3号楼2单元501室`,
//! `浙江杭州西湖区文三路９０号３幢２单元５０１`, `杭州市西湖區文三路九十號三棟二單元五〇一室`.
//! All three give `330106|文三路90号3栋2单元501`:
//!
//! 1. The text's match form (`wangjian_text::normalize`: full width, case, traditional →
//!    simplified, variants), spaces between Latin or digit tokens kept as `-`.
//! 2. The most specific division named (`find_in_address`) becomes its code; the text
//!    before and including the division names is dropped (so 浙江省杭州市西湖区 and 浙江杭州
//!    西湖区 agree, and a 收货地址： label vanishes). A leading 街道 (subdistrict) name is
//!    dropped too: a street and number are unique within a county without it.
//! 3. Chinese numerals before a unit (号 弄 栋 幢 座 单元 室 层 楼 巷 组 排 户 期) become
//!    digits: 九十号 → 90号, 五〇一室 → 501室.
//! 4. Building words become 栋 (3号楼, 3幢, 3座, 3#楼 → 3栋), `90#` → 90号, the 室 of a room
//!    number is dropped (501室 → 501), and a bare number right after a road name gets its
//!    号 (文三路90 → 文三路90号).
//!
//! An address is refused when it names no division, or has no digit after the division
//! (no house number): 浙江省杭州市 alone would link every shop of the city.
//!
//! Not done (documented limits): an address naming only the city on one side and the
//! county on the other gives two codes (杭州市文三路90号 vs 杭州市西湖区文三路90号), and
//! `3-2-501` is not read as building-unit-room.

use crate::identifier::Invalid;

const UNITS: [&str; 15] = [
    "号楼", "号院", "号", "弄", "栋", "幢", "座", "单元", "室", "层", "楼", "巷", "组", "排", "户",
];
const ROAD_ENDS: [char; 5] = ['路', '街', '道', '巷', '里'];

/// The link key of an address: `CODE|REST` (see the module documentation).
pub fn normalize_address(address: &str) -> Result<String, Invalid> {
    let form = wangjian_text::normalize(address);
    let form = form.as_str().replace(' ', "-");
    let Some(m) = wangjian_region::find_in_address(&form) else {
        return Err(Invalid::VagueAddress {
            why: "it names no province, city or county (GB/T 2260)",
        });
    };
    let rest = form.get(m.span.end..).unwrap_or("");
    let rest = rest.trim_start_matches(['-', ',']);
    let rest = drop_subdistrict(rest);
    let rest = write_units(rest);
    if !rest.bytes().any(|b| b.is_ascii_digit()) {
        return Err(Invalid::VagueAddress {
            why: "no house number after the division",
        });
    }
    Ok(format!("{:06}|{rest}", m.region.code))
}

/// The address key for people: the division's full name and the rest
/// (`330106|文三路90号` → `浙江省杭州市西湖区文三路90号`).
pub fn display_address(key: &str) -> String {
    match key.split_once('|') {
        Some((code, rest)) => match wangjian_region::full_name(code) {
            Some(name) => format!("{name}{rest}"),
            None => key.to_string(),
        },
        None => key.to_string(),
    }
}

fn drop_subdistrict(rest: &str) -> &str {
    match rest.find("街道") {
        Some(i) if rest[..i].chars().count() <= 8 && rest[..i].chars().all(is_han) => {
            &rest[i + "街道".len()..]
        }
        _ => rest,
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

fn numeral_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn is_numeral(c: char) -> bool {
    numeral_value(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// A run of Chinese numerals as digits: positional when it has 十/百/千 (二十三 → 23,
/// 一百零五 → 105), digit by digit otherwise (五〇一 → 501).
fn numeral_digits(run: &[char]) -> String {
    if run.iter().any(|c| matches!(c, '十' | '百' | '千')) {
        let (mut total, mut digit) = (0u32, None::<u32>);
        for &c in run {
            let scale = match c {
                '十' => 10,
                '百' => 100,
                '千' => 1000,
                _ => {
                    digit = numeral_value(c).filter(|&d| d > 0).or(digit);
                    continue;
                }
            };
            total += digit.unwrap_or(1) * scale;
            digit = None;
        }
        (total + digit.unwrap_or(0)).to_string()
    } else {
        run.iter()
            .filter_map(|&c| numeral_value(c))
            .map(|d| char::from(b'0' + d as u8))
            .collect()
    }
}

fn unit_at(chars: &[char], i: usize) -> Option<&'static str> {
    UNITS.into_iter().find(|u| {
        let n = u.chars().count();
        chars.len() >= i + n && u.chars().zip(&chars[i..i + n]).all(|(a, &b)| a == b)
    })
}

fn write_units(rest: &str) -> String {
    let chars: Vec<char> = rest.chars().collect();
    let mut out = String::with_capacity(rest.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Chinese numerals right before a unit.
        if is_numeral(c) {
            let mut j = i;
            while j < chars.len() && is_numeral(chars[j]) {
                j += 1;
            }
            if j - i <= 6 && unit_at(&chars, j).is_some() {
                out.push_str(&numeral_digits(&chars[i..j]));
                i = j;
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        let after_number = out
            .chars()
            .next_back()
            .is_some_and(|p| p.is_ascii_alphanumeric());
        if after_number {
            if c == '#' {
                if chars.get(i + 1) == Some(&'楼') {
                    out.push('栋');
                    i += 2;
                } else {
                    out.push('号');
                    i += 1;
                }
                continue;
            }
            match unit_at(&chars, i) {
                Some("号楼") | Some("幢") | Some("座") => {
                    out.push('栋');
                    i += unit_at(&chars, i).map_or(1, |u| u.chars().count());
                    continue;
                }
                Some("室") => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
        }
        if c.is_ascii_digit() {
            // A bare number right after a road name is a house number: give it its 号.
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            out.extend(&chars[i..j]);
            let after_road = i > 0 && ROAD_ENDS.contains(&chars[i - 1]);
            let next = chars.get(j).copied();
            let bare = match next {
                None => true,
                Some(n) => is_han(n) && unit_at(&chars, j).is_none() && !is_numeral(n),
            };
            if after_road && bare {
                out.push('号');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_place_many_spellings() {
        let want = "330106|文三路90号3栋2单元501";
        for a in [
            "浙江省杭州市西湖区文三路90号3号楼2单元501室",
            "浙江杭州西湖区文三路９０号３幢２单元５０１",
            "杭州市西湖區文三路九十號三棟二單元五〇一室",
            "收货地址：浙江省 杭州市 西湖区 西溪街道 文三路90号3#楼2单元501",
            "浙江省杭州市西湖区文三路90#3座2单元501室",
        ] {
            assert_eq!(normalize_address(a).unwrap(), want, "{a}");
        }
        assert_eq!(
            normalize_address("浙江省杭州市西湖区文三路90").unwrap(),
            "330106|文三路90号"
        );
    }

    #[test]
    fn different_places_stay_apart() {
        let a = normalize_address("浙江省杭州市西湖区文三路90号").unwrap();
        for other in [
            "浙江省杭州市西湖区文三路9号",
            "浙江省杭州市西湖区文三路90-2号",
            "浙江省杭州市上城区文三路90号",
            "浙江省杭州市西湖区文二路90号",
        ] {
            assert_ne!(normalize_address(other).unwrap(), a, "{other}");
        }
        // 中山二路 keeps its 二: no unit follows it.
        assert_eq!(
            normalize_address("广东省广州市越秀区中山二路5号").unwrap(),
            "440104|中山二路5号"
        );
        assert_eq!(
            normalize_address("上海市黄浦区南京东路一百零五弄二十三号").unwrap(),
            "310101|南京东路105弄23号"
        );
    }

    #[test]
    fn vague_addresses_are_refused() {
        assert!(matches!(
            normalize_address("浙江省杭州市"),
            Err(Invalid::VagueAddress { .. })
        ));
        assert!(matches!(
            normalize_address("文三路90号"),
            Err(Invalid::VagueAddress { .. })
        ));
        assert!(normalize_address("浙江省杭州市西湖区文三路").is_err());
    }

    #[test]
    fn display_expands_the_code() {
        assert_eq!(
            display_address("330106|文三路90号"),
            "浙江省杭州市西湖区文三路90号"
        );
    }

    #[test]
    fn numerals() {
        let d = |s: &str| numeral_digits(&s.chars().collect::<Vec<_>>());
        assert_eq!(d("二十三"), "23");
        assert_eq!(d("十二"), "12");
        assert_eq!(d("一百零五"), "105");
        assert_eq!(d("五〇一"), "501");
        assert_eq!(d("两千"), "2000");
        assert_eq!(d("十"), "10");
    }
}
