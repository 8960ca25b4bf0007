//! Where a request comes from: the client address behind trusted proxies, and the key the
//! per-address limits count under.
//!
//! `X-Forwarded-For` is a list each proxy appends to: `client, proxy1, proxy2`. Only the
//! entries added by proxies we run can be believed; everything left of them was written by
//! whoever sent the request. So the client is the **right-most** address that is not one
//! of our proxies (the walk starts at the peer of the TCP connection, which must itself be
//! a trusted proxy for the header to count at all). Taking the left-most entry, as a naive
//! reader does, lets any caller choose its own address and so escape every per-address
//! limit (the login throttle, the portal's limits).
//!
//! IPv6: one subscriber usually holds a whole /64 (RFC 6177 recommends a /48 or /56 per
//! site; SLAAC hands out addresses inside a /64 freely), so the limits count an IPv6
//! client per /64 ([`limit_key`]); an IPv4-mapped IPv6 address counts as its IPv4 address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An address block: `10.0.0.0/8`, `2001:db8::/32`, or one address (`192.0.2.7`, a /32 or
/// /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The first address of the block (host bits cleared).
    network: IpAddr,
    /// Prefix length in bits.
    prefix: u8,
}

/// Why a block could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an address block like 10.0.0.0/8 or 2001:db8::/32: {why}")]
pub struct CidrError {
    /// What was given.
    pub input: String,
    /// What is wrong.
    pub why: &'static str,
}

fn mask_v4(a: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    let bits = u32::from(a);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    };
    Ipv4Addr::from(bits & mask)
}

fn mask_v6(a: Ipv6Addr, prefix: u8) -> Ipv6Addr {
    let bits = u128::from(a);
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    };
    Ipv6Addr::from(bits & mask)
}

impl Cidr {
    /// Does the block contain `ip`? An IPv4-mapped IPv6 address is compared as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => mask_v4(a, self.prefix) == n,
            (IpAddr::V6(n), IpAddr::V6(a)) => mask_v6(a, self.prefix) == n,
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why| CidrError {
            input: s.to_string(),
            why,
        };
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let ip: IpAddr = addr.parse().map_err(|_| err("not an IP address"))?;
        let ip = ip.to_canonical();
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| err("bad prefix length"))?
            }
            Some(_) => return Err(err("the prefix length is not a number")),
        };
        if prefix > max {
            return Err(err("the prefix length is longer than the address"));
        }
        let network = match ip {
            IpAddr::V4(a) => IpAddr::V4(mask_v4(a, prefix)),
            IpAddr::V6(a) => IpAddr::V6(mask_v6(a, prefix)),
        };
        if network != ip {
            return Err(err("host bits are set (write the block's first address)"));
        }
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The client of a request whose TCP peer is `peer`, given the `X-Forwarded-For` values in
/// the order received (several header lines are one list) and the proxies we trust.
///
/// From the peer leftwards through the list, every address that is a trusted proxy is
/// skipped; the first one that is not is the client. When the peer is not a trusted proxy
/// the header is ignored. An entry that is not an address stops the walk: the client is
/// then the last trusted hop, which is the one that wrote the garbage or passed it on.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[Cidr],
) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    return ip;
                }
            }
            None => return client,
        }
    }
    client
}

/// One entry of `X-Forwarded-For`: an address, an IPv6 address in brackets, either with a
/// port (`203.0.113.7:4711`, `[2001:db8::1]:4711`), as some proxies write them.
fn parse_hop(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = s.parse::<std::net::SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    s.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse::<Ipv6Addr>().ok())
        .map(|a| IpAddr::V6(a).to_canonical())
}

/// The key a per-address limit counts `ip` under: an IPv4 address itself, an IPv6 address
/// by its /64.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(a) => IpAddr::V6(mask_v6(a, 64)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn cidrs(v: &[&str]) -> Vec<Cidr> {
        v.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn blocks_parse_and_contain() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(c.contains(ip("10.255.0.1")) && !c.contains(ip("11.0.0.1")));
        assert!(
            c.contains(ip("::ffff:10.1.2.3")),
            "IPv4-mapped counts as IPv4"
        );
        let c: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(c.contains(ip("2001:db8:1::9")) && !c.contains(ip("2001:db9::1")));
        assert!(!c.contains(ip("10.0.0.1")));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.7/32");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0.1/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0/8",
            "host.example/8",
            "::/129",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let t = cidrs(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        let proxy = ip("10.0.0.2");
        // The client wrote 1.2.3.4 itself; our proxy appended the real peer.
        assert_eq!(
            client_ip(proxy, ["1.2.3.4, 203.0.113.9"], &t),
            ip("203.0.113.9")
        );
        // Two proxies of ours in a row.
        assert_eq!(
            client_ip(proxy, ["6.6.6.6, 198.51.100.4, 10.9.9.9"], &t),
            ip("198.51.100.4")
        );
        // Several header lines are one list, in order.
        assert_eq!(
            client_ip(proxy, ["6.6.6.6", "198.51.100.4", "10.1.1.1"], &t),
            ip("198.51.100.4")
        );
        // A peer that is not our proxy: the header is the client's own words.
        assert_eq!(
            client_ip(ip("203.0.113.50"), ["1.2.3.4"], &t),
            ip("203.0.113.50")
        );
        // No header, or only proxies: the left-most proxy.
        assert_eq!(client_ip(proxy, [], &t), proxy);
        assert_eq!(client_ip(proxy, ["10.3.3.3"], &t), ip("10.3.3.3"));
        // Garbage stops the walk at the hop that passed it on.
        assert_eq!(client_ip(proxy, ["1.2.3.4, unknown"], &t), proxy);
        assert_eq!(
            client_ip(proxy, ["1.2.3.4, not-an-ip, 10.4.4.4"], &t),
            ip("10.4.4.4")
        );
        // Ports and brackets as some proxies write them.
        assert_eq!(
            client_ip(proxy, ["[2001:db8::7]:443"], &t),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_ip(proxy, ["203.0.113.9:4711"], &t),
            ip("203.0.113.9")
        );
        // Nothing trusted: the peer, whatever the header says.
        assert_eq!(client_ip(proxy, ["1.2.3.4"], &[]), proxy);
    }

    #[test]
    fn limits_count_ipv6_per_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            ip("2001:db8:1:2::")
        );
        assert_ne!(limit_key(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(limit_key(ip("::ffff:203.0.113.9")), ip("203.0.113.9"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the header holds, the answer is the peer or an address written in it,
        /// and never an address left of an untrusted hop.
        #[test]
        fn any_header_gives_the_peer_or_a_listed_hop(header in "[0-9a-f:., \\[\\]x]{0,80}", last in 0u8..=255) {
            let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
            let peer = IpAddr::V4(Ipv4Addr::new(10, 0, 0, last));
            let got = client_ip(peer, [header.as_str()], &trusted);
            let listed: Vec<IpAddr> = header.split(',').filter_map(|h| parse_hop(h.trim())).collect();
            prop_assert!(got == peer || listed.contains(&got));
            let untrusted_from_right = header
                .split(',')
                .rev()
                .map(|h| parse_hop(h.trim()))
                .take_while(Option::is_some)
                .flatten()
                .find(|ip| !trusted[0].contains(*ip));
            if let Some(first_untrusted) = untrusted_from_right {
                prop_assert_eq!(got, first_untrusted);
            }
        }

        #[test]
        fn block_text_never_panics(s in "\\PC{0,40}") {
            let _ = s.parse::<Cidr>();
        }
    }
}
