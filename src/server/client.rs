//! The client's address. Behind a reverse proxy the TCP peer is the proxy; the client is
//! then in `X-Forwarded-For` or `Forwarded`, which anyone can also send. Those headers are
//! believed only from the proxies listed in `DIGIPARAT_TRUSTED_PROXIES`, and only as far as
//! the chain stays within them: walking the list from the right (the nearest hop), the
//! first address that is not a trusted proxy is the client. The result replaces the peer
//! address for everything after it — rate limits, the sign-in throttle, the audit trail.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// Addresses and networks whose forwarding headers are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses `10.0.0.1, 192.168.0.0/16, ::1`: addresses or CIDR networks, comma- or
    /// space-separated. The error names the part that is neither.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split([',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an address or a network like 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, from the forwarding headers when `peer` is trusted.
    pub fn client(&self, peer: SocketAddr, headers: &http::HeaderMap) -> SocketAddr {
        if self.0.is_empty() || !self.trusts(peer.ip()) {
            return peer;
        }
        let mut hops = forwarded_for(headers);
        if hops.is_empty() {
            hops = x_forwarded_for(headers);
        }
        // From the nearest hop outwards: the first one not a proxy of ours is the client.
        for ip in hops.into_iter().rev() {
            if !self.trusts(ip) {
                return SocketAddr::new(canonical(ip), 0);
            }
        }
        peer
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn header_values<'a>(headers: &'a http::HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok())
}

fn x_forwarded_for(headers: &http::HeaderMap) -> Vec<IpAddr> {
    header_values(headers, "x-forwarded-for")
        .flat_map(|v| v.split(','))
        .filter_map(|part| parse_node(part.trim()))
        .collect()
}

/// RFC 7239: `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`.
fn forwarded_for(headers: &http::HeaderMap) -> Vec<IpAddr> {
    header_values(headers, "forwarded")
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
                    .flatten()
            })
        })
        .collect()
}

/// An address with or without a port: `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (k, v) in pairs {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(k.as_bytes()),
                http::HeaderValue::from_str(v),
            ) {
                map.append(name, value);
            }
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])), 5000)
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() -> Result<(), String> {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1")?;
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6")]);
        // An untrusted peer's header is ignored.
        assert_eq!(
            trusted.client(peer("192.0.2.9"), &spoofed),
            peer("192.0.2.9")
        );
        // Through our proxy: the client it saw.
        assert_eq!(
            trusted.client(peer("10.1.1.1"), &spoofed).ip().to_string(),
            "6.6.6.6"
        );
        // A client that sends its own X-Forwarded-For: the proxy appends the real one, and
        // the rightmost untrusted address wins.
        let chain = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.2.2.2")]);
        assert_eq!(
            trusted.client(peer("10.1.1.1"), &chain).ip().to_string(),
            "203.0.113.7"
        );
        // Nothing configured: never believed.
        assert_eq!(
            TrustedProxies::default().client(peer("10.1.1.1"), &spoofed),
            peer("10.1.1.1")
        );
        Ok(())
    }

    #[test]
    fn forwarded_header_and_ipv6() -> Result<(), String> {
        let trusted = TrustedProxies::parse("::1 127.0.0.0/8")?;
        let h = headers(&[(
            "forwarded",
            r#"for="[2001:db8::17]:4711";proto=https, for=127.0.0.2"#,
        )]);
        assert_eq!(
            trusted.client(peer("127.0.0.1"), &h).ip().to_string(),
            "2001:db8::17"
        );
        let mapped = SocketAddr::new("::ffff:127.0.0.1".parse().map_err(|_| "ip")?, 1);
        let h = headers(&[("x-forwarded-for", "198.51.100.4:1234")]);
        assert_eq!(trusted.client(mapped, &h).ip().to_string(), "198.51.100.4");
        Ok(())
    }

    #[test]
    fn bad_settings_name_the_part() {
        let e = TrustedProxies::parse("10.0.0.0/8, proxy.local")
            .err()
            .unwrap_or_default();
        assert!(e.contains("proxy.local"), "{e}");
    }
}
