//! The console's messages, as data: `locales/zh-CN.toml` (the default) and
//! `locales/en.toml`, embedded in the binary and parsed once. A test proves both have the
//! same keys, so no page shows a bare key in one language.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A console language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 简体中文, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag (`lang` attribute, cookie value).
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// Parses a tag; anything unknown is the default.
    pub fn from_tag(s: &str) -> Self {
        match s.trim() {
            "en" => Self::En,
            _ => Self::ZhCn,
        }
    }

    /// The other language (the switch in the header).
    pub fn other(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::ZhCn => include_str!("../locales/zh-CN.toml"),
            Self::En => include_str!("../locales/en.toml"),
        }
    }
}

/// A message file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("locales/{lang}.toml: {message}")]
pub struct CatalogError {
    /// Language tag.
    pub lang: &'static str,
    /// What is wrong.
    pub message: String,
}

fn parse(lang: Lang) -> Result<HashMap<String, String>, CatalogError> {
    let err = |message: String| CatalogError {
        lang: lang.tag(),
        message,
    };
    let table: toml::Table = lang.source().parse().map_err(|e| err(format!("{e}")))?;
    table
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            _ => Err(err(format!("{k} is not a string"))),
        })
        .collect()
}

fn catalogs() -> &'static [HashMap<String, String>; 2] {
    static C: OnceLock<[HashMap<String, String>; 2]> = OnceLock::new();
    // The files are embedded and checked by tests; `check` reports a broken one at start.
    C.get_or_init(|| {
        [
            parse(Lang::ZhCn).unwrap_or_default(),
            parse(Lang::En).unwrap_or_default(),
        ]
    })
}

/// Parses both catalogs and compares their keys (called at server start).
pub fn check() -> Result<(), CatalogError> {
    let zh = parse(Lang::ZhCn)?;
    let en = parse(Lang::En)?;
    for (a, b, lang) in [(&zh, &en, Lang::En), (&en, &zh, Lang::ZhCn)] {
        let mut missing: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
        missing.sort();
        if let Some(k) = missing.first() {
            return Err(CatalogError {
                lang: lang.tag(),
                message: format!("missing key {k}"),
            });
        }
    }
    Ok(())
}

/// The message `key` in `lang`; the key itself when missing (never panics).
pub fn t(lang: Lang, key: &str) -> &str {
    let i = match lang {
        Lang::ZhCn => 0,
        Lang::En => 1,
    };
    catalogs()[i].get(key).map(String::as_str).unwrap_or(key)
}

/// The message with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// Beijing time (UTC+8), to the minute.
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The label of a complaint state for the public and the console.
pub fn state_label(lang: Lang, s: wangjian_domain::complaint::ComplaintState) -> String {
    t(lang, &format!("complaint.state.{}", s.as_str())).to_string()
}

/// The label of a kind.
pub fn kind_label(lang: Lang, k: wangjian_domain::complaint::ComplaintKind) -> String {
    t(lang, &format!("complaint.kind.{}", k.as_str())).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_both_languages() {
        check().unwrap();
        let zh = parse(Lang::ZhCn).unwrap();
        let en = parse(Lang::En).unwrap();
        assert!(zh.len() > 20);
        let mut a: Vec<_> = zh.keys().collect();
        let mut b: Vec<_> = en.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        // The same placeholders on both sides.
        for (k, v) in &zh {
            let holes = |s: &str| {
                let mut h: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect();
                h.sort();
                h
            };
            assert_eq!(holes(v), holes(&en[k]), "{k}");
        }
    }

    #[test]
    fn lookup_default_and_fill() {
        assert_eq!(t(Lang::default(), "login.title"), "登录");
        assert_eq!(t(Lang::En, "login.title"), "Sign in");
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!(
            tf(Lang::En, "login.throttled", &[("seconds", "8")]),
            "Too many attempts; try again in 8 seconds."
        );
        assert_eq!(Lang::from_tag("fr"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("en").other(), Lang::ZhCn);
    }
}
