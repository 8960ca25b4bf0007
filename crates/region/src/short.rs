//! Short names: what people write in addresses instead of the full name (浙江 for
//! 浙江省, 黔南 for 黔南布依族苗族自治州, 兰坪 for 兰坪白族普米族自治县).

use crate::Level;

/// Suffixes dropped from full names, longest first within each level. A short name must
/// keep at least two characters (赵县 has none: 赵 alone names nothing).
fn suffixes(level: Level) -> &'static [&'static str] {
    match level {
        Level::Province => &["特别行政区", "自治区", "省", "市"],
        Level::Prefecture => &["自治州", "地区", "盟", "市"],
        Level::County => &[
            "自治县",
            "自治旗",
            "林区",
            "特区",
            "新区",
            "区",
            "县",
            "市",
            "旗",
        ],
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The short name of a full name, if it has one of at least two characters.
pub(crate) fn short_name(
    name: &'static str,
    level: Level,
    ethnic: &[&str],
) -> Option<&'static str> {
    let suffix = suffixes(level).iter().find(|s| name.ends_with(*s))?;
    let mut short = &name[..name.len() - suffix.len()];
    if suffix.starts_with("自治") {
        // Drop the ethnic groups named before 自治…: 布依族苗族, 维吾尔, 回族.
        let mut groups: Vec<&str> = ethnic.to_vec();
        groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
        loop {
            let before = short;
            let trimmed = short.strip_suffix('族').unwrap_or(short);
            if let Some(g) = groups.iter().find(|g| trimmed.ends_with(**g)) {
                let rest = &trimmed[..trimmed.len() - g.len()];
                if chars(rest) >= 2 {
                    short = rest;
                }
            }
            if short == before {
                break;
            }
        }
    }
    (chars(short) >= 2 && short != name).then_some(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &'static str, level: Level) -> Option<&'static str> {
        let ethnic: Vec<&str> = include_str!("../data/ethnic_groups.txt")
            .split_whitespace()
            .collect();
        short_name(name, level, &ethnic)
    }

    #[test]
    fn drops_suffixes_and_ethnic_groups() {
        assert_eq!(s("浙江省", Level::Province), Some("浙江"));
        assert_eq!(s("北京市", Level::Province), Some("北京"));
        assert_eq!(s("内蒙古自治区", Level::Province), Some("内蒙古"));
        assert_eq!(s("新疆维吾尔自治区", Level::Province), Some("新疆"));
        assert_eq!(s("广西壮族自治区", Level::Province), Some("广西"));
        assert_eq!(s("宁夏回族自治区", Level::Province), Some("宁夏"));
        assert_eq!(s("香港特别行政区", Level::Province), Some("香港"));
        assert_eq!(s("黔南布依族苗族自治州", Level::Prefecture), Some("黔南"));
        assert_eq!(s("阿拉善盟", Level::Prefecture), Some("阿拉善"));
        assert_eq!(s("兰坪白族普米族自治县", Level::County), Some("兰坪"));
        assert_eq!(s("浦东新区", Level::County), Some("浦东"));
        assert_eq!(s("西湖区", Level::County), Some("西湖"));
        assert_eq!(s("赵县", Level::County), None);
        assert_eq!(s("鄂伦春自治旗", Level::County), Some("鄂伦春"));
    }
}
