//! Outbound HTTP, built so that a hostile server cannot turn it against us.
//!
//! Two clients: one for the providers the operator configured (Stripe,
//! LiqPay, Telegram, X, YouTube, TikTok) and one for servers that strangers
//! name (Fediverse actors and inboxes). Neither follows redirects, both have
//! short timeouts, and every body is read through [`read_capped`], which
//! stops at a byte limit instead of buffering whatever arrives. The peer
//! client resolves names itself and refuses any that lead to a private,
//! reserved or translated address; the connection then goes to exactly the
//! addresses it checked, so a name cannot change its answer in between.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Configured providers: their answers are small, but not unbounded.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(20);
/// Strangers' servers get less patience.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn user_agent() -> &'static str {
    concat!("newsdesk/", env!("CARGO_PKG_VERSION"))
}

/// The client for configured providers.
pub fn provider_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(PROVIDER_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent())
        .build()
}

/// Looks a host name up; replaceable so tests can play a hostile DNS.
pub type Lookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>
        + Send
        + Sync,
>;

fn system_lookup() -> Lookup {
    Arc::new(|host: String| {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    })
}

/// The client for servers named by strangers.
pub fn peer_client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    peer_client_with(allow_private, system_lookup())
}

pub fn peer_client_with(allow_private: bool, lookup: Lookup) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(PEER_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would connect on our behalf, past the resolver.
        .no_proxy()
        .dns_resolver(Arc::new(PublicOnly {
            allow_private,
            lookup,
        }))
        .user_agent(user_agent())
        .build()
}

/// Resolves names and refuses any whose addresses are not all public.
struct PublicOnly {
    allow_private: bool,
    lookup: Lookup,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = self.lookup.clone();
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = lookup(host.clone()).await?;
            if addresses.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            if !allow_private && addresses.iter().any(|ip| !is_public(*ip)) {
                return Err(format!("{host} is not a public address").into());
            }
            let addrs: Addrs = Box::new(
                addresses
                    .into_iter()
                    .map(|ip| SocketAddr::new(ip, 0))
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            Ok(addrs)
        })
    }
}

/// Why a URL named by a stranger is refused before any request.
#[derive(Debug, thiserror::Error)]
pub enum UrlRefused {
    #[error("not an http(s) URL")]
    NotHttp,
    #[error("not a public address")]
    NotPublic,
}

/// Checks what can be checked without a lookup: the scheme, and a host
/// written as an address (those never reach the resolver).
pub fn check_peer_url(url: &url::Url, allow_private: bool) -> Result<(), UrlRefused> {
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(UrlRefused::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefused::NotHttp);
    }
    if allow_private {
        return Ok(());
    }
    let literal: Option<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(ip.into()),
        Some(url::Host::Ipv6(ip)) => Some(ip.into()),
        _ => None,
    };
    match literal {
        Some(ip) if !is_public(ip) => Err(UrlRefused::NotPublic),
        _ => match url.host_str() {
            Some(host)
                if host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost") =>
            {
                Err(UrlRefused::NotPublic)
            }
            _ => Ok(()),
        },
    }
}

/// Whether an address is on the public Internet: not private, loopback,
/// link-local, shared, reserved, documentation, benchmarking, multicast,
/// or an IPv6 form that carries or translates to an IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        // 224.0.0.0/4 multicast and 240.0.0.0/4 reserved, broadcast included.
        || a >= 224)
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = v6.segments();
    let refused =
        // ::/96: unspecified, loopback and IPv4-compatible (::a.b.c.d).
        s[..6].iter().all(|x| *x == 0)
        // 64:ff9b::/96 NAT64 and 64:ff9b:1::/48 local NAT64.
        || (s[0] == 0x64 && s[1] == 0xff9b)
        // 100::/64 discard.
        || (s[0] == 0x100 && s[1..4].iter().all(|x| *x == 0))
        // 2001::/23 IETF special purpose (Teredo, benchmarking, ORCHID) and 2001:db8::/32.
        || (s[0] == 0x2001 && s[1] < 0x200)
        || (s[0] == 0x2001 && s[1] == 0xdb8)
        // 2002::/16 6to4.
        || s[0] == 0x2002
        // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast.
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || (s[0] & 0xff00) == 0xff00;
    !refused
}

/// Provider answers (JSON, feeds) are far below this.
pub const MAX_PROVIDER_BYTES: usize = 2 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the answer could not be read: {0}")]
    Transport(#[from] reqwest::Error),
}

/// Reads a response body, giving up as soon as it passes `max` bytes.
pub async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|length| length > max as u64)
    {
        return Err(ReadError::TooLarge(max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > max {
            return Err(ReadError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a capped body as JSON; `Value::Null` when it is not JSON.
pub async fn json_capped(
    response: reqwest::Response,
    max: usize,
) -> Result<serde_json::Value, ReadError> {
    let bytes = read_capped(response, max).await?;
    Ok(serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn reserved_and_translated_ranges_are_not_public() {
        for refused in [
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!is_public(ip(refused)), "{refused}");
        }
        for public in [
            "1.1.1.1",
            "93.184.216.34",
            "203.0.114.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn urls_naming_private_addresses_are_refused_without_a_lookup() {
        for url in [
            "http://127.0.0.1:5432/",
            "http://[::1]/inbox",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://localhost/inbox",
            "http://a.localhost/inbox",
            "ftp://example.org/x",
            "http://user:pass@example.org/",
        ] {
            let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{e}"));
            assert!(check_peer_url(&parsed, false).is_err(), "{url}");
        }
        let fine =
            url::Url::parse("https://mastodon.example/inbox").unwrap_or_else(|e| panic!("{e}"));
        assert!(check_peer_url(&fine, false).is_ok());
    }

    /// A name that answers one public and one private address is refused
    /// as a whole, before any connection: the resolver is the check.
    #[tokio::test]
    async fn the_resolver_refuses_names_that_lead_inside() {
        let hostile: Lookup = Arc::new(|host: String| {
            Box::pin(async move {
                Ok(match host.as_str() {
                    "rebind.example" => vec![ip("93.184.216.34"), ip("127.0.0.1")],
                    "nat64.example" => vec![ip("64:ff9b::a9fe:a9fe")],
                    _ => vec![ip("10.0.0.1")],
                })
            })
        });
        let resolver = PublicOnly {
            allow_private: false,
            lookup: hostile.clone(),
        };
        for name in ["rebind.example", "nat64.example", "internal.example"] {
            let name: Name = name.parse().unwrap_or_else(|_| panic!("{name}"));
            assert!(resolver.resolve(name).await.is_err());
        }
        // Through the whole client: the request fails in the resolver.
        let client = peer_client_with(false, hostile).unwrap_or_else(|e| panic!("{e}"));
        let err = client
            .get("http://internal.example:9/")
            .send()
            .await
            .err()
            .unwrap_or_else(|| panic!("must be refused"));
        assert!(err.is_connect(), "{err:?}");
        assert!(
            format!("{err:?}").contains("not a public address"),
            "{err:?}"
        );
    }
}
