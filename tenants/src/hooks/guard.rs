//! Where outgoing webhooks may go: public internet addresses only.
//!
//! A webhook URL is chosen by a business, and the server fetches it. Without a guard that is a
//! server-side request forgery: `http://169.254.169.254/` reads the cloud's instance metadata,
//! `http://10.0.0.5:5432/` probes the private network, `http://localhost:8080/metrics` reads our
//! own. So a URL is checked twice:
//!
//! - **when it is saved** ([`check_url`]): http or https, no credentials in it, and its host (a
//!   literal address, or every address its name resolves to) public; the business gets a clear
//!   422 instead of deliveries that fail later;
//! - **when a delivery connects** ([`GuardedResolver`]): names are resolved again and private
//!   answers dropped, so a name that resolved to a public address when saved and to a private one
//!   now (DNS rebinding) cannot reach inside. Literal addresses skip resolvers, so the sender
//!   re-checks them with [`TargetPolicy::check_literal`]; redirects are not followed.
//!
//! Tests and local development may allow loopback explicitly (`CHORUS_WEBHOOKS_ALLOW_LOOPBACK`);
//! private, link-local and the other special ranges stay closed even then.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Name, Resolve, Resolving};

const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Which targets deliveries may reach.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetPolicy {
    /// Also 127.0.0.0/8 and ::1 (tests, local development).
    pub allow_loopback: bool,
}

impl TargetPolicy {
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || (self.allow_loopback && ip.is_loopback())
    }

    /// The URL's host when it is a literal address that may not be reached.
    pub fn check_literal(&self, url: &Url) -> Result<(), String> {
        match literal_ip(url) {
            Some(ip) if !self.permits(ip) => Err(private_message(ip)),
            _ => Ok(()),
        }
    }
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn private_message(ip: IpAddr) -> String {
    format!(
        "The URL points to {ip}, a private, loopback or reserved address; webhooks go only to public addresses."
    )
}

/// Whether `ip` is an ordinary public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = a == 0 // "this network"
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 192 && b == 88 && c == 99) // 6to4 relay
        || (a == 192 && b == 168)
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224; // multicast, reserved, broadcast
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [.., hi, lo] = s;
        return is_public_v4(Ipv4Addr::from(((hi as u32) << 16) | lo as u32));
    }
    let special = ip.is_unspecified()
        || ip.is_loopback()
        || s[0] & 0xfe00 == 0xfc00 // unique local
        || s[0] & 0xffc0 == 0xfe80 // link-local
        || s[0] & 0xff00 == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || s[0] == 0 // the rest of ::/16, IPv4-compatible and reserved
        || s[0] == 0x2002; // 6to4: wraps an IPv4 address we would have to check
    !special
}

/// Check a webhook URL as it is saved: a clean http(s) URL whose host is, and resolves only to,
/// addresses the policy permits. The error is the sentence to show the person.
pub async fn check_url(policy: TargetPolicy, raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim())
        .map_err(|_| "Enter a full URL, such as https://example.com/hooks/chorus.".to_owned())?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("The URL must start with https:// (or http://).".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "Put no user name or password in the URL; deliveries are signed instead.".into(),
        );
    }
    if url.fragment().is_some() {
        return Err("The URL may not have a #fragment.".into());
    }
    let Some(host) = url.host_str() else {
        return Err("The URL has no host.".into());
    };
    if literal_ip(&url).is_some() {
        policy.check_literal(&url)?;
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::time::timeout(
        RESOLVE_TIMEOUT,
        tokio::net::lookup_host((host.to_owned(), port)),
    )
    .await;
    let addrs: Vec<SocketAddr> = match lookup {
        Ok(Ok(a)) => a.collect(),
        _ => return Err(format!("The host {host} cannot be resolved.")),
    };
    if addrs.is_empty() {
        return Err(format!("The host {host} cannot be resolved."));
    }
    if let Some(bad) = addrs.iter().find(|a| !policy.permits(a.ip())) {
        return Err(private_message(bad.ip()));
    }
    Ok(url)
}

/// A resolver for the delivery client that keeps only permitted addresses.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver(pub TargetPolicy);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found =
                tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), 0)))
                    .await
                    .map_err(|_| format!("resolving {host} timed out"))??;
            let permitted: Vec<SocketAddr> = found.filter(|a| policy.permits(a.ip())).collect();
            if permitted.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_public_unicast_is_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "2002:a00:1::1",
        ] {
            assert!(!is_public(ip(private)), "{private} must not be public");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "192.169.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(public)), "{public} is public");
        }
    }

    #[test]
    fn loopback_opens_only_when_allowed() {
        let strict = TargetPolicy::default();
        let dev = TargetPolicy {
            allow_loopback: true,
        };
        assert!(!strict.permits(ip("127.0.0.1")));
        assert!(dev.permits(ip("127.0.0.1")));
        assert!(dev.permits(ip("::1")));
        assert!(!dev.permits(ip("10.0.0.1")), "private stays closed");
        assert!(!dev.permits(ip("169.254.169.254")));
    }

    #[tokio::test]
    async fn urls_are_checked_as_typed() {
        let strict = TargetPolicy::default();
        for (url, says) in [
            ("not a url", "full URL"),
            ("ftp://example.com/x", "https://"),
            ("https://user:pw@example.com/x", "password"),
            ("https://example.com/x#frag", "fragment"),
            ("http://127.0.0.1:8080/hook", "private"),
            ("http://[::1]/hook", "private"),
            ("http://169.254.169.254/latest/meta-data", "private"),
            ("http://10.0.0.5/hook", "private"),
            ("http://localhost:9/hook", "private"),
            ("https://no-such-host.invalid/hook", "cannot be resolved"),
        ] {
            let e = check_url(strict, url).await.expect_err(url);
            assert!(e.contains(says), "{url}: {e}");
        }
        let dev = TargetPolicy {
            allow_loopback: true,
        };
        assert!(check_url(dev, "http://127.0.0.1:8080/hook").await.is_ok());
        assert!(check_url(dev, "http://localhost:8080/hook").await.is_ok());
        assert!(check_url(dev, "http://10.0.0.5/hook").await.is_err());
        assert!(check_url(strict, "https://8.8.8.8/hook").await.is_ok());
    }
}
