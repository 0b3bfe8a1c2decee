//! Whose request it is, behind a reverse proxy. The server sees only its
//! peer; behind the TLS proxy every request comes from the proxy. With
//! `--trusted-proxy` (addresses or CIDR blocks), a request whose peer is
//! one of them is read further: the `Forwarded` header (RFC 7239), else
//! `X-Forwarded-For`, from right to left, skipping trusted addresses; the
//! first address that is not trusted is the client. A header from any
//! other peer is ignored, so nobody can choose their own address.

use std::net::IpAddr;

/// An address or a block of addresses (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let network: IpAddr = addr.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// IPv4 addresses mapped into IPv6 (`::ffff:10.0.0.1`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// One hop of a `Forwarded` or `X-Forwarded-For` header: `192.0.2.1`,
/// `"[2001:db8::1]:4711"`, `192.0.2.1:80`.
fn hop(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_matches('"');
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = t.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    t.rsplit_once(':')?.0.parse().ok()
}

/// The `for=` hops of a `Forwarded` header, left to right.
fn forwarded_hops(value: &str) -> Vec<Option<IpAddr>> {
    value
        .split(',')
        .map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| hop(v))
            })?
        })
        .collect()
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the rightmost untrusted hop of `forwarded` (else `x_forwarded_for`).
pub fn client_ip(
    peer: IpAddr,
    forwarded: Option<&str>,
    x_forwarded_for: Option<&str>,
    trusted: &[Cidr],
) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<Option<IpAddr>> = match (forwarded, x_forwarded_for) {
        (Some(f), _) if !f.trim().is_empty() => forwarded_hops(f),
        (_, Some(x)) => x.split(',').map(hop).collect(),
        _ => Vec::new(),
    };
    let mut client = peer;
    for h in hops.into_iter().rev() {
        match h.map(canonical) {
            Some(ip) if is_trusted(ip) => client = ip,
            Some(ip) => return ip,
            // A hop that cannot be read: trust stops at the last one read.
            None => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn blocks_hold_their_addresses() {
        let c = Cidr::parse("10.0.0.0/8").expect("cidr");
        assert!(c.contains(ip("10.1.2.3")));
        assert!(!c.contains(ip("11.0.0.1")));
        assert!(c.contains(ip("::ffff:10.0.0.1")));
        assert!(
            Cidr::parse("127.0.0.1")
                .expect("one")
                .contains(ip("127.0.0.1"))
        );
        assert!(Cidr::parse("fd00::/8").expect("v6").contains(ip("fd12::1")));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .expect("all")
                .contains(ip("8.8.8.8"))
        );
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("proxy"), None);
    }

    #[test]
    fn headers_are_read_from_trusted_proxies_only_right_to_left() {
        let trusted = [Cidr::parse("10.0.0.0/8").expect("cidr")];
        let xff = Some("6.6.6.6, 203.0.113.9, 10.0.0.2");
        // From a stranger: the header is ignored.
        assert_eq!(
            client_ip(ip("198.51.100.1"), None, xff, &trusted),
            ip("198.51.100.1")
        );
        // From the proxy: the rightmost untrusted hop, not the spoofable left.
        assert_eq!(
            client_ip(ip("10.0.0.1"), None, xff, &trusted),
            ip("203.0.113.9")
        );
        let fwd = Some("for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.3");
        assert_eq!(
            client_ip(ip("10.0.0.1"), fwd, xff, &trusted),
            ip("2001:db8::1")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(ip("10.0.0.1"), None, None, &trusted),
            ip("10.0.0.1")
        );
        // Garbage stops the walk.
        assert_eq!(
            client_ip(ip("10.0.0.1"), None, Some("1.2.3.4, nonsense"), &trusted),
            ip("10.0.0.1")
        );
        // Nothing trusted: always the peer.
        assert_eq!(client_ip(ip("10.0.0.1"), None, xff, &[]), ip("10.0.0.1"));
    }
}
