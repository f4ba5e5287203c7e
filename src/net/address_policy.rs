//! Pure address policy against server-side request forgery: which IP
//! addresses a fetch may connect to. Loopback, private, link-local,
//! unspecified, multicast, broadcast and shared (RFC 6598) addresses are
//! refused unless the request stays on an origin the operator configured
//! (scheme + host + port of a source URL). IPv4 addresses embedded in IPv6
//! (`::ffff:a.b.c.d`, `64:ff9b::a.b.c.d`) are judged as the IPv4 address.
//! No I/O: `fetch` applies it to resolved addresses and to IP literals.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

/// Why an address is not public; `None` from [`non_public`] means public.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, _, _] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (RFC 6598)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_public_v4(v4);
    }
    // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address.
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = seg[6].to_be_bytes();
        let [c, d] = seg[7].to_be_bytes();
        return non_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if seg[0] & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if seg[0] & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if seg[..6] == [0, 0, 0, 0, 0, 0] {
        // Deprecated IPv4-compatible addresses (::a.b.c.d).
        Some("reserved")
    } else {
        None
    }
}

/// The origins the operator configured; requests to them may reach
/// non-public addresses.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    origins: HashSet<String>,
}

impl Origins {
    /// Adds the origin of `url`.
    pub fn allow(&mut self, url: &Url) {
        self.origins.insert(url.origin().ascii_serialization());
    }

    /// Is `url` on a configured origin?
    pub fn contains(&self, url: &Url) -> bool {
        self.origins.contains(&url.origin().ascii_serialization())
    }

    /// May the name `host`, looked up for a request to `url`, resolve to
    /// non-public addresses? Only when `url` is on a configured origin
    /// (scheme, host and port) and `host` is its host: the same name on
    /// another port or scheme is judged like any other name.
    pub fn trusts_lookup(&self, host: &str, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|h| host_key(h) == host_key(host))
            && self.contains(url)
    }
}

/// A host name as DNS is asked for it: no brackets, no final dot, lower case.
fn host_key(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Checks a URL whose host is an IP literal before anything connects to it:
/// `Err(reason)` when the address is not public and `url` is not on a
/// configured origin. Host names pass here; their resolved addresses are
/// checked with [`non_public`] at resolution time.
pub fn check_url(url: &Url, origins: &Origins) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    match non_public(ip) {
        Some(class) if !origins.contains(url) => Err(format!(
            "{class} address {ip} is outside the configured origins"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_link_local_and_special_ranges_are_not_public() {
        for (addr, class) in [
            ("10.0.0.1", "private"),
            ("10.255.255.255", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.254", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("127.0.0.1", "loopback"),
            ("127.0.0.2", "loopback"),
            ("0.0.0.0", "unspecified"),
            ("100.64.0.1", "shared (RFC 6598)"),
            ("100.127.255.255", "shared (RFC 6598)"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fc00::1", "private (unique local)"),
            ("fd12:3456::1", "private (unique local)"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.1.2.3", "private"),
            ("::ffff:169.254.169.254", "link-local"),
            ("64:ff9b::a00:1", "private"),
            ("::127.0.0.1", "reserved"),
        ] {
            assert_eq!(non_public(ip(addr)), Some(class), "{addr}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for addr in [
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "192.169.0.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(non_public(ip(addr)), None, "{addr}");
        }
    }

    #[test]
    fn ip_literals_are_checked_against_the_configured_origins() {
        let mut origins = Origins::default();
        origins.allow(&Url::parse("http://127.0.0.1:8080/feed.xml").unwrap());
        let ok = |u: &str| check_url(&Url::parse(u).unwrap(), &origins);
        assert!(ok("http://127.0.0.1:8080/other").is_ok());
        assert!(ok("http://127.0.0.1:8081/").is_err());
        assert!(ok("https://127.0.0.1:8080/").is_err());
        assert!(ok("http://[::1]:8080/").is_err());
        assert!(ok("http://127.0.0.2:8080/").is_err());
        assert!(ok("http://[::ffff:127.0.0.1]:8080/").is_err());
        assert!(ok("http://0.0.0.0:8080/").is_err());
        assert!(ok("http://10.0.0.1/").is_err());
        assert!(ok("http://[fe80::1]/").is_err());
        assert!(ok("http://8.8.8.8/").is_ok());
        // Names pass here: their addresses are checked when resolved.
        assert!(ok("http://intranet.example/").is_ok());
    }

    #[test]
    fn a_name_is_trusted_only_on_its_configured_origin() {
        let mut origins = Origins::default();
        origins.allow(&Url::parse("http://intranet:8080/feed.xml").unwrap());
        let trusts = |host: &str, u: &str| origins.trusts_lookup(host, &Url::parse(u).unwrap());
        assert!(trusts("intranet", "http://intranet:8080/other"));
        assert!(trusts("INTRANET.", "http://intranet:8080/"));
        assert!(!trusts("intranet", "http://intranet:6379/"), "another port");
        assert!(
            !trusts("intranet", "https://intranet:8080/"),
            "another scheme"
        );
        assert!(!trusts("intranet", "http://intranet/"), "the default port");
        assert!(!trusts("evil", "http://intranet:8080/"), "another name");
    }
}
