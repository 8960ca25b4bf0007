//! Reading the `Cookie` header and writing `Set-Cookie` with safe attributes.

use axum::http::{header, HeaderMap, HeaderValue};

/// The value of cookie `name` in the request, if any.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure when asked.
/// `max_age` 0 deletes the cookie; `None` makes a browser-session cookie.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    // Names and values are ours (base64url, fixed names): always valid header text.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The session cookie's name: `__Host-` prefixed when secure (bound to this host, path /,
/// Secure: a sibling subdomain cannot plant one).
pub fn session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-wj_session"
    } else {
        "wj_session"
    }
}

/// The pre-session CSRF cookie's name (forms shown before sign-in).
pub fn csrf_name(secure: bool) -> &'static str {
    if secure {
        "__Host-wj_csrf"
    } else {
        "wj_csrf"
    }
}

/// The language cookie's name.
pub const LANG: &str = "wj_lang";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_build() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; wj_session=abc; b=2"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("wj_lang=en"));
        assert_eq!(get(&h, "wj_session"), Some("abc"));
        assert_eq!(get(&h, "wj_lang"), Some("en"));
        assert_eq!(get(&h, "session"), None);
        assert_eq!(
            set("__Host-wj_session", "x", None, true),
            "__Host-wj_session=x; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            set("wj_session", "", Some(0), false),
            "wj_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }
}
