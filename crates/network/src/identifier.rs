//! Shop identifiers and their normalized forms: two spellings of the same phone, e-mail
//! box, account or place must give the same value, and two different ones must not.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::address::normalize_address;

/// What an identifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// 联系电话: mobile, landline or 400/800 number.
    Phone,
    /// 电子邮箱.
    Email,
    /// Social or messaging handle (微信号, QQ, 微博, 抖音, 旺旺), optionally `platform:handle`.
    Social,
    /// 公民身份号码 of the operator (GB 11643-1999).
    CitizenId,
    /// 统一社会信用代码 of the operator (GB 32100-2015).
    Uscc,
    /// Settlement bank account or card number.
    BankAccount,
    /// 退货地址.
    ReturnAddress,
    /// 发货地址.
    ShipFromAddress,
    /// Device id the shop's back office was used from (IMEI, IDFA/IDFV, Android id, MAC).
    Device,
    /// IP address the shop's back office was used from.
    Ip,
}

impl Kind {
    /// Every kind, in the order of the input fields.
    pub const ALL: [Kind; 10] = [
        Kind::Phone,
        Kind::Email,
        Kind::Social,
        Kind::CitizenId,
        Kind::Uscc,
        Kind::BankAccount,
        Kind::ReturnAddress,
        Kind::ShipFromAddress,
        Kind::Device,
        Kind::Ip,
    ];

    /// The field name in input and output (`phone`, `return_address`, …).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::Social => "social",
            Kind::CitizenId => "citizen_id",
            Kind::Uscc => "uscc",
            Kind::BankAccount => "bank_account",
            Kind::ReturnAddress => "return_address",
            Kind::ShipFromAddress => "ship_from_address",
            Kind::Device => "device",
            Kind::Ip => "ip",
        }
    }

    /// The Chinese name shown to officers.
    pub fn chinese(self) -> &'static str {
        match self {
            Kind::Phone => "电话",
            Kind::Email => "邮箱",
            Kind::Social => "社交账号",
            Kind::CitizenId => "身份证号",
            Kind::Uscc => "统一社会信用代码",
            Kind::BankAccount => "银行账户",
            Kind::ReturnAddress => "退货地址",
            Kind::ShipFromAddress => "发货地址",
            Kind::Device => "设备",
            Kind::Ip => "IP地址",
        }
    }

    /// The space the normalized value lives in: values of kinds in one space are compared
    /// with each other. Both address kinds share [`Space::Address`] (one shop's return
    /// address is another's ship-from address: the same place); every other kind is its
    /// own space.
    pub fn space(self) -> Space {
        match self {
            Kind::Phone => Space::Phone,
            Kind::Email => Space::Email,
            Kind::Social => Space::Social,
            Kind::CitizenId => Space::CitizenId,
            Kind::Uscc => Space::Uscc,
            Kind::BankAccount => Space::BankAccount,
            Kind::ReturnAddress | Kind::ShipFromAddress => Space::Address,
            Kind::Device => Space::Device,
            Kind::Ip => Space::Ip,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A name that is not a kind (or a space).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown identifier kind '{0}' (expected one of phone, email, social, citizen_id, uscc, bank_account, return_address, ship_from_address, address, device, ip)")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().replace('-', "_");
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or(UnknownKind(s))
    }
}

/// A space of comparable values (see [`Kind::space`]); caps are set per space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Space {
    /// Phone numbers.
    Phone,
    /// E-mail boxes.
    Email,
    /// Social handles.
    Social,
    /// Citizen identity numbers.
    CitizenId,
    /// Unified social credit codes.
    Uscc,
    /// Bank accounts.
    BankAccount,
    /// Places: return and ship-from addresses.
    Address,
    /// Devices.
    Device,
    /// IP addresses (IPv6 per /64).
    Ip,
}

impl Space {
    /// Every space.
    pub const ALL: [Space; 9] = [
        Space::Phone,
        Space::Email,
        Space::Social,
        Space::CitizenId,
        Space::Uscc,
        Space::BankAccount,
        Space::Address,
        Space::Device,
        Space::Ip,
    ];

    /// The name used by `--cap` (`address` for both address kinds).
    pub fn name(self) -> &'static str {
        match self {
            Space::Address => "address",
            Space::Phone => Kind::Phone.name(),
            Space::Email => Kind::Email.name(),
            Space::Social => Kind::Social.name(),
            Space::CitizenId => Kind::CitizenId.name(),
            Space::Uscc => Kind::Uscc.name(),
            Space::BankAccount => Kind::BankAccount.name(),
            Space::Device => Kind::Device.name(),
            Space::Ip => Kind::Ip.name(),
        }
    }

    /// True for values about a natural person, masked in output unless asked otherwise
    /// (个人信息保护法 第二十八条: identity numbers and financial accounts are sensitive
    /// personal information; phones, e-mails and handles identify a person).
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            Space::Phone | Space::Email | Space::Social | Space::CitizenId | Space::BankAccount
        )
    }

    /// How many shops may share one value before it counts as over-shared (a platform's
    /// default phone, a logistics hub, an office's NAT address) and stops linking.
    ///
    /// Defaults reflect how often a value is honestly shared: an operator's credit code
    /// or identity number legitimately backs many shops, a cloud warehouse or an ERP
    /// service's outbound IP serves many unrelated sellers.
    pub fn default_cap(self) -> u32 {
        match self {
            Space::Phone | Space::Email | Space::Social | Space::BankAccount => 50,
            Space::CitizenId => 100,
            Space::Uscc => 200,
            Space::Address | Space::Device => 30,
            Space::Ip => 20,
        }
    }
}

impl fmt::Display for Space {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Space {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl FromStr for Space {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().replace('-', "_");
        if t == "address" {
            return Ok(Space::Address);
        }
        t.parse::<Kind>().map(Kind::space)
    }
}

/// Options of the normalization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Drop a `+tag` sub-address from every e-mail address (`shop+a@example.com` →
    /// `shop@example.com`). Off by default: RFC 5321 §2.4 leaves the local part to the
    /// receiving domain, and not every domain treats `+` as a sub-address separator.
    /// Gmail's documented rules (dots ignored, `+tag` dropped, `googlemail.com` =
    /// `gmail.com`) always apply to Gmail addresses.
    pub email_subaddress: bool,
}

/// A normalized identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    /// What it is.
    pub kind: Kind,
    /// The normalized value: equal for two spellings of one identifier.
    pub value: String,
}

impl Identifier {
    /// The value for output: masked when personal (see [`Space::is_personal`]).
    pub fn display(&self, show_personal: bool) -> String {
        display_value(self.kind.space(), &self.value, show_personal)
    }
}

/// Why a value cannot be used as an identifier of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// Nothing but whitespace.
    #[error("empty value")]
    Empty,
    /// A value that `wangjian-ids` refuses (phone, citizen id, USCC).
    #[error("{0}")]
    Id(#[from] wangjian_ids::Invalid),
    /// Not of the shape of the kind.
    #[error("not a valid {kind}: {why}")]
    Format {
        /// The kind.
        kind: Kind,
        /// What is wrong, in words.
        why: &'static str,
    },
    /// A value that identifies nothing: a placeholder (all zeros, `unknown`), a private or
    /// reserved IP address.
    #[error("{kind} '{value}' identifies nobody: {why}")]
    Placeholder {
        /// The kind.
        kind: Kind,
        /// The value as given.
        value: String,
        /// Why, in words.
        why: &'static str,
    },
    /// An address too vague to tell one place from another.
    #[error("address too vague to link shops: {why}")]
    VagueAddress {
        /// What is missing, in words.
        why: &'static str,
    },
}

/// Normalizes `value` as an identifier of `kind`.
///
/// - phone: mainland mobile numbers through `wangjian_ids::parse_phone` (11 digits, `+86`
///   and separators removed); landlines as `0AREA-NUMBER` digits without separators
///   (`0571-8888 8888` → `057188888888`), extensions (`转123`, `ext 123`, `#123`) dropped;
///   400/800 numbers as 10 digits.
/// - email: lower case; Gmail's dots and `+tag` removed, `googlemail.com` → `gmail.com`;
///   other domains keep their local part (see [`Options::email_subaddress`]).
/// - social: `platform:handle` with the platform's aliases folded (微信/weixin/wx →
///   `wechat`, 旺旺 → `wangwang`, …), a leading `@` dropped, lower case.
/// - citizen_id, uscc: `wangjian_ids` normalized forms (15-digit ids upgraded).
/// - bank_account: digits only, 8–32 of them.
/// - addresses: [`crate::normalize_address`].
/// - device: lower-case letters and digits (separators of IMEI, UUID and MAC forms
///   dropped); placeholders refused.
/// - ip: canonical text; IPv4-mapped IPv6 as IPv4; other IPv6 as its /64 prefix (one
///   subscriber: carriers hand each handset a /64, 3GPP TS 23.060 §9.2.1.1, and privacy
///   extensions rotate the rest, RFC 8981); private, shared (CGNAT), loopback,
///   link-local, multicast and documentation ranges refused.
pub fn normalize(kind: Kind, value: &str, options: Options) -> Result<Identifier, Invalid> {
    let folded = fold_width(value.trim());
    let v = folded.trim();
    if v.is_empty() {
        return Err(Invalid::Empty);
    }
    let value = match kind {
        Kind::Phone => phone(v)?,
        Kind::Email => email(v, options)?,
        Kind::Social => social(v)?,
        Kind::CitizenId => wangjian_ids::parse_citizen_id(v)?.number,
        Kind::Uscc => wangjian_ids::parse_uscc(v)?.code,
        Kind::BankAccount => bank_account(v)?,
        Kind::ReturnAddress | Kind::ShipFromAddress => normalize_address(v)?,
        Kind::Device => device(v)?,
        Kind::Ip => ip(v)?,
    };
    Ok(Identifier { kind, value })
}

/// A normalized value of `space` for output: personal values masked unless
/// `show_personal`; an address key with its division written out.
pub fn display_value(space: Space, value: &str, show_personal: bool) -> String {
    if space == Space::Address {
        return crate::address::display_address(value);
    }
    if show_personal || !space.is_personal() {
        return value.to_string();
    }
    match space {
        Space::CitizenId => wangjian_ids::parse_citizen_id(value)
            .map(|c| c.mask())
            .unwrap_or_else(|_| mask_middle(value, 1, 1)),
        Space::Phone => mask_middle(value, 3, 4),
        Space::BankAccount => mask_middle(value, 4, 4),
        Space::Email => match value.rsplit_once('@') {
            Some((local, domain)) => format!("{}@{domain}", mask_middle(local, 1, 0)),
            None => mask_middle(value, 1, 0),
        },
        _ => match value.split_once(':') {
            Some((platform, handle)) => format!("{platform}:{}", mask_middle(handle, 1, 1)),
            None => mask_middle(value, 1, 1),
        },
    }
}

/// Keeps `head` characters at the start and `tail` at the end, the rest as `*` (at least
/// three, so the length does not show); short values are masked whole.
fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail + 1 {
        return "***".to_string();
    }
    let hidden = chars.len() - head - tail;
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', hidden.max(3)));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space to a space: what
/// sellers type with a Chinese input method on.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

fn phone(v: &str) -> Result<String, Invalid> {
    let bad = |why| Invalid::Format {
        kind: Kind::Phone,
        why,
    };
    // An extension reaches a person behind the same line; the line is the identifier.
    let mut line = v;
    for sep in ["转", "分机", "ext.", "ext", "EXT", "Ext", "x", "#"] {
        if let Some((l, _)) = line.split_once(sep) {
            line = l;
        }
    }
    if let Ok(p) = wangjian_ids::parse_phone(line) {
        return Ok(p.normalized);
    }
    let digits: String = line
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '（' | '）' | '—'))
        .collect();
    let rest = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        // Let the mobile parser say what is wrong with the characters.
        return Err(wangjian_ids::parse_phone(line)
            .err()
            .map_or(bad("not digits"), Invalid::Id));
    }
    // After +86 the trunk 0 of a landline is left out (+86 571 …).
    let national = if rest.len() != digits.len() && !rest.starts_with('0') && !rest.starts_with('1')
    {
        format!("0{rest}")
    } else {
        rest.to_string()
    };
    if (national.starts_with("400") || national.starts_with("800")) && national.len() == 10 {
        return Ok(national);
    }
    // Landline: 0 + area code (2–3 digits after the 0) + 7–8 digit subscriber number
    // (《电信网编号计划》): 10 to 12 digits in all.
    if national.starts_with('0')
        && !national.starts_with("00")
        && (10..=12).contains(&national.len())
    {
        return Ok(national);
    }
    match wangjian_ids::parse_phone(line) {
        Err(e) if national.starts_with('1') => Err(Invalid::Id(e)),
        _ => Err(bad(
            "neither a mobile, a landline (0 + area code + number) nor a 400/800 number",
        )),
    }
}

fn email(v: &str, options: Options) -> Result<String, Invalid> {
    let bad = |why| Invalid::Format {
        kind: Kind::Email,
        why,
    };
    let v = v.strip_prefix("mailto:").unwrap_or(v);
    let v = v.trim_start_matches('<').trim_end_matches('>').trim();
    let lower = v.to_lowercase();
    let (local, domain) = lower.rsplit_once('@').ok_or(bad("no @"))?;
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if local.is_empty() || local.len() > 64 {
        return Err(bad(
            "the part before @ must have 1 to 64 characters (RFC 5321 §4.5.3.1.1)",
        ));
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("space or control character before @"));
    }
    if domain.is_empty()
        || !domain.contains('.')
        || domain.split('.').any(|l| {
            l.is_empty()
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c == '-' || c.is_alphanumeric())
        })
    {
        return Err(bad("the domain after @ is not a host name"));
    }
    let (local, domain) = if domain == "gmail.com" || domain == "googlemail.com" {
        // Gmail ignores dots and everything after '+' in the user name.
        let user = local.split('+').next().unwrap_or(local);
        (user.replace('.', ""), "gmail.com")
    } else if options.email_subaddress {
        (local.split('+').next().unwrap_or(local).to_string(), domain)
    } else {
        (local.to_string(), domain)
    };
    if local.is_empty() {
        return Err(bad("nothing before @ once the sub-address is dropped"));
    }
    Ok(format!("{local}@{domain}"))
}

fn social(v: &str) -> Result<String, Invalid> {
    let (platform, handle) = match v.split_once([':', '：']) {
        Some((p, h)) => (Some(p.trim().to_lowercase()), h),
        None => (None, v),
    };
    let handle: String = handle
        .trim()
        .trim_start_matches('@')
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if !handle.chars().any(char::is_alphanumeric) || handle.contains([':', '：']) {
        return Err(Invalid::Format {
            kind: Kind::Social,
            why: "a handle has letters or digits and at most one platform: prefix",
        });
    }
    let platform = platform.map(|p| match p.as_str() {
        "微信" | "weixin" | "wx" | "wechat" | "微信号" | "vx" | "v信" => "wechat".to_string(),
        "qq" | "qq号" => "qq".to_string(),
        "微博" | "weibo" => "weibo".to_string(),
        "抖音" | "douyin" | "抖音号" => "douyin".to_string(),
        "旺旺" | "阿里旺旺" | "wangwang" | "aliwangwang" | "ww" => "wangwang".to_string(),
        "小红书" | "xiaohongshu" | "xhs" => "xiaohongshu".to_string(),
        "快手" | "kuaishou" => "kuaishou".to_string(),
        _ => p,
    });
    Ok(match platform {
        Some(p) if !p.is_empty() => format!("{p}:{handle}"),
        _ => handle,
    })
}

fn bank_account(v: &str) -> Result<String, Invalid> {
    let digits: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::Format {
            kind: Kind::BankAccount,
            why: "an account number has only digits",
        });
    }
    if !(8..=32).contains(&digits.len()) {
        return Err(Invalid::Format {
            kind: Kind::BankAccount,
            why: "an account number has 8 to 32 digits",
        });
    }
    if digits.bytes().all(|b| b == b'0') {
        return Err(Invalid::Placeholder {
            kind: Kind::BankAccount,
            value: v.to_string(),
            why: "all zeros",
        });
    }
    Ok(digits)
}

/// Device ids that many devices report: identifying nobody.
const DEVICE_PLACEHOLDERS: [&str; 6] = [
    // Android 2.2's ANDROID_ID bug: one value on a whole line of handsets.
    "9774d56d682e549c",
    // iOS 7+ answers this for the Wi-Fi MAC address.
    "020000000000",
    "unknown",
    "null",
    "undefined",
    "none",
];

fn device(v: &str) -> Result<String, Invalid> {
    let id: String = v
        .chars()
        .filter(|c| !matches!(c, '-' | ':' | ' ' | '{' | '}' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) || !(6..=64).contains(&id.len()) {
        return Err(Invalid::Format {
            kind: Kind::Device,
            why: "a device id has 6 to 64 letters and digits",
        });
    }
    let first = id.as_bytes()[0];
    if DEVICE_PLACEHOLDERS.contains(&id.as_str()) || id.bytes().all(|b| b == first) {
        return Err(Invalid::Placeholder {
            kind: Kind::Device,
            value: v.to_string(),
            why: "a placeholder many devices report",
        });
    }
    Ok(id)
}

fn ip(v: &str) -> Result<String, Invalid> {
    let bad = || Invalid::Format {
        kind: Kind::Ip,
        why: "not an IPv4 or IPv6 address",
    };
    // Strip a port: `1.2.3.4:80`, `[2001:db8::1]:80`; and a zone: `fe80::1%eth0`.
    let host = if let Some(rest) = v.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else if v.matches(':').count() == 1 {
        v.split(':').next().unwrap_or(v)
    } else {
        v
    };
    let host = host.split('%').next().unwrap_or(host);
    let addr: IpAddr = host.parse().map_err(|_| bad())?;
    let addr = match addr {
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(a),
        },
        a => a,
    };
    let refuse = |why| Invalid::Placeholder {
        kind: Kind::Ip,
        value: v.to_string(),
        why,
    };
    match addr {
        IpAddr::V4(a) => {
            if let Some(why) = reserved_v4(a) {
                return Err(refuse(why));
            }
            Ok(a.to_string())
        }
        IpAddr::V6(a) => {
            if let Some(why) = reserved_v6(a) {
                return Err(refuse(why));
            }
            let s = a.segments();
            let prefix = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            Ok(format!("{prefix}/64"))
        }
    }
}

/// Why an IPv4 address is not one host on the public Internet (RFC 6890 registry).
fn reserved_v4(a: Ipv4Addr) -> Option<&'static str> {
    let o = a.octets();
    if a.is_private() {
        Some("private address (RFC 1918), shared by every home network")
    } else if a.is_loopback() || a.is_unspecified() || o[0] == 0 {
        Some("loopback or unspecified address")
    } else if a.is_link_local() {
        Some("link-local address")
    } else if o[0] == 100 && (o[1] & 0xC0) == 64 {
        Some("carrier-grade NAT address (RFC 6598), shared by many subscribers")
    } else if a.is_multicast() || a.is_broadcast() || o[0] >= 240 {
        Some("multicast, broadcast or reserved address")
    } else if matches!(
        (o[0], o[1], o[2]),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113)
    ) {
        Some("documentation address (RFC 5737)")
    } else if o[0] == 198 && (o[1] == 18 || o[1] == 19) {
        Some("benchmarking address (RFC 2544)")
    } else {
        None
    }
}

/// Why an IPv6 address is not one host on the public Internet.
fn reserved_v6(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    if a.is_loopback() || a.is_unspecified() {
        Some("loopback or unspecified address")
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Some("link-local address")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("unique local address (RFC 4193)")
    } else if a.is_multicast() {
        Some("multicast address")
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        Some("documentation address (RFC 3849)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(kind: Kind, v: &str) -> Result<String, Invalid> {
        normalize(kind, v, Options::default()).map(|i| i.value)
    }

    #[test]
    fn phones_of_every_spelling_agree() {
        for v in [
            "13800138000",
            "+86 138-0013-8000",
            "0086 13800138000",
            "１３８００１３８０００",
            "138 0013 8000",
        ] {
            assert_eq!(n(Kind::Phone, v).unwrap(), "13800138000", "{v}");
        }
        assert_eq!(n(Kind::Phone, "0571-8888 8888").unwrap(), "057188888888");
        assert_eq!(
            n(Kind::Phone, "(0571) 88888888 转 123").unwrap(),
            "057188888888"
        );
        assert_eq!(n(Kind::Phone, "+86 571 8888 8888").unwrap(), "057188888888");
        assert_eq!(n(Kind::Phone, "010-12345678").unwrap(), "01012345678");
        assert_eq!(n(Kind::Phone, "400-820-8820").unwrap(), "4008208820");
        assert!(n(Kind::Phone, "12345").is_err());
        assert!(n(Kind::Phone, "abc").is_err());
        assert!(n(Kind::Phone, "10000000000").is_err());
        assert!(n(Kind::Phone, "").is_err());
    }

    #[test]
    fn email_folds_case_and_gmail_only() {
        let o = Options::default();
        let e = |v| normalize(Kind::Email, v, o).map(|i| i.value);
        assert_eq!(e("Shop.Owner@QQ.com").unwrap(), "shop.owner@qq.com");
        assert_eq!(e("shop＠qq．com").unwrap(), "shop@qq.com");
        assert_eq!(
            e("J.Smith+shop1@googlemail.com").unwrap(),
            "jsmith@gmail.com"
        );
        assert_eq!(e("jsmith@gmail.com.").unwrap(), "jsmith@gmail.com");
        // Dots and + are kept for other domains: they can be different boxes there.
        assert_eq!(e("j.smith+a@163.com").unwrap(), "j.smith+a@163.com");
        let sub = Options {
            email_subaddress: true,
        };
        assert_eq!(
            normalize(Kind::Email, "j.smith+a@163.com", sub)
                .unwrap()
                .value,
            "j.smith@163.com"
        );
        for bad in [
            "no-at",
            "@qq.com",
            "a@",
            "a@localhost",
            "a b@qq.com",
            "a@-x.com",
            "+@gmail.com",
        ] {
            assert!(e(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn social_handles_fold_platform_aliases() {
        assert_eq!(
            n(Kind::Social, "微信：ShopKing88").unwrap(),
            "wechat:shopking88"
        );
        assert_eq!(
            n(Kind::Social, "wx:shopking88").unwrap(),
            "wechat:shopking88"
        );
        assert_eq!(n(Kind::Social, "@ShopKing").unwrap(), "shopking");
        assert!(n(Kind::Social, "微信:").is_err());
    }

    #[test]
    fn citizen_ids_and_credit_codes_go_through_ids() {
        assert_eq!(
            n(Kind::CitizenId, "11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert!(n(Kind::CitizenId, "110105194912310021").is_err());
        assert_eq!(
            n(Kind::Uscc, "91350100M000100Y43").unwrap(),
            "91350100M000100Y43"
        );
        assert!(n(Kind::Uscc, "91350100M000100Y44").is_err());
    }

    #[test]
    fn bank_accounts_devices_and_placeholders() {
        assert_eq!(
            n(Kind::BankAccount, "6222 0212 3456 7890 128").unwrap(),
            "6222021234567890128"
        );
        assert!(n(Kind::BankAccount, "0000 0000 0000").is_err());
        assert!(n(Kind::BankAccount, "62x2").is_err());
        assert_eq!(
            n(Kind::Device, "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}").unwrap(),
            "e621e1f8c36c495a93fc0c247a3e6e5f"
        );
        assert_eq!(
            n(Kind::Device, "AA:BB:CC:00:11:22").unwrap(),
            "aabbcc001122"
        );
        for p in [
            "00000000-0000-0000-0000-000000000000",
            "9774d56d682e549c",
            "02:00:00:00:00:00",
            "unknown",
        ] {
            assert!(
                matches!(n(Kind::Device, p), Err(Invalid::Placeholder { .. })),
                "{p}"
            );
        }
    }

    #[test]
    fn ips_are_canonical_public_and_v6_per_64() {
        assert_eq!(n(Kind::Ip, " 114.114.114.114 ").unwrap(), "114.114.114.114");
        assert_eq!(
            n(Kind::Ip, "114.114.114.114:8080").unwrap(),
            "114.114.114.114"
        );
        assert_eq!(
            n(Kind::Ip, "::ffff:114.114.114.114").unwrap(),
            "114.114.114.114"
        );
        assert_eq!(
            n(Kind::Ip, "2409:8A00:1:2:abcd::1").unwrap(),
            "2409:8a00:1:2::/64"
        );
        assert_eq!(
            n(Kind::Ip, "[2409:8a00:0001:0002:1111:2222:3333:4444]:443").unwrap(),
            "2409:8a00:1:2::/64"
        );
        for p in [
            "192.168.1.1",
            "10.0.0.8",
            "100.64.3.4",
            "127.0.0.1",
            "fe80::1%eth0",
            "fd00::1",
            "2001:db8::1",
            "203.0.113.9",
        ] {
            assert!(
                matches!(n(Kind::Ip, p), Err(Invalid::Placeholder { .. })),
                "{p}"
            );
        }
        assert!(n(Kind::Ip, "1.2.3").is_err());
    }

    #[test]
    fn personal_values_are_masked() {
        let show = |s, v| display_value(s, v, false);
        assert_eq!(show(Space::Phone, "13800138000"), "138****8000");
        assert_eq!(
            show(Space::CitizenId, "11010519491231002X"),
            "110105********002X"
        );
        assert_eq!(show(Space::Email, "shopowner@qq.com"), "s********@qq.com");
        assert_eq!(
            show(Space::BankAccount, "6222021234567890128"),
            "6222***********0128"
        );
        assert_eq!(
            show(Space::Social, "wechat:shopking88"),
            "wechat:s********8"
        );
        assert_eq!(show(Space::Ip, "114.114.114.114"), "114.114.114.114");
        assert_eq!(
            display_value(Space::Phone, "13800138000", true),
            "13800138000"
        );
    }

    #[test]
    fn kinds_and_spaces_parse() {
        assert_eq!(
            "ship-from-address".parse::<Kind>(),
            Ok(Kind::ShipFromAddress)
        );
        assert_eq!("address".parse::<Space>(), Ok(Space::Address));
        assert_eq!("return_address".parse::<Space>(), Ok(Space::Address));
        assert!("fax".parse::<Kind>().is_err());
    }
}
