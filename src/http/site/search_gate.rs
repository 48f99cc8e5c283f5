//! Keeps a search flood from starving the site: each client (an IPv4
//! address, or an IPv6 /64, which one subscriber usually holds whole) gets
//! a few searches per window, and only a few searches run at once on a
//! node. Pages from the cache are not searches and are never held back.
//!
//! A loopback client is a reverse proxy on this machine whose forwarded
//! addresses are not trusted (`server.trusted_proxies` unset): counting it
//! as one reader would ration search for everyone, so only the limit on
//! searches at once applies to it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Searches one client may start per window.
pub const PER_CLIENT: u32 = 20;
pub const WINDOW: Duration = Duration::from_secs(10);
/// Searches running at once on this node (two cores do the work).
pub const AT_ONCE: usize = 4;
/// How long a search waits for its turn before the reader is asked to retry.
const QUEUE_WAIT: Duration = Duration::from_secs(2);
/// Clients remembered before old windows are swept.
const MAX_CLIENTS: usize = 50_000;

pub struct SearchGate {
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    running: std::sync::Arc<Semaphore>,
}

/// Why a search was not let through.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// This client searched too often: wait for the window.
    TooOften,
    /// The node is busy with other searches.
    Busy,
}

impl Default for SearchGate {
    fn default() -> Self {
        Self::new(AT_ONCE)
    }
}

impl SearchGate {
    pub fn new(at_once: usize) -> Self {
        SearchGate {
            clients: Mutex::new(HashMap::new()),
            running: std::sync::Arc::new(Semaphore::new(at_once)),
        }
    }

    /// A turn to search, held until the returned permit is dropped.
    pub async fn enter(&self, client: IpAddr) -> Result<OwnedSemaphorePermit, Refused> {
        if !client.is_loopback() {
            self.count(client, Instant::now())?;
        }
        match tokio::time::timeout(QUEUE_WAIT, self.running.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Refused::Busy),
        }
    }

    fn count(&self, client: IpAddr, now: Instant) -> Result<(), Refused> {
        let key = bucket(client);
        let Ok(mut clients) = self.clients.lock() else {
            return Ok(());
        };
        if clients.len() >= MAX_CLIENTS {
            clients.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = clients.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= PER_CLIENT {
            return Err(Refused::TooOften);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// IPv6 clients are counted by their /64.
fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::V6(octets.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_gets_its_share_per_window() {
        let gate = SearchGate::default();
        let start = Instant::now();
        let one: IpAddr = "203.0.113.9".parse().unwrap();
        let other: IpAddr = "198.51.100.4".parse().unwrap();
        for _ in 0..PER_CLIENT {
            assert_eq!(gate.count(one, start), Ok(()));
        }
        assert_eq!(gate.count(one, start), Err(Refused::TooOften));
        assert_eq!(gate.count(other, start), Ok(()), "others are not held back");
        assert_eq!(gate.count(one, start + WINDOW), Ok(()), "a new window");
    }

    #[test]
    fn an_ipv6_subscriber_is_one_client() {
        let gate = SearchGate::default();
        let now = Instant::now();
        for n in 0..PER_CLIENT {
            let address: IpAddr = format!("2001:db8:1:2::{n:x}").parse().unwrap();
            assert_eq!(gate.count(address, now), Ok(()));
        }
        let next: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert_eq!(gate.count(next, now), Err(Refused::TooOften));
    }

    #[tokio::test]
    async fn a_busy_node_asks_readers_to_come_back() {
        let gate = SearchGate::new(1);
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let _held = gate.enter(client).await.unwrap();
        let started = Instant::now();
        assert_eq!(gate.enter(client).await.err(), Some(Refused::Busy));
        assert!(started.elapsed() >= QUEUE_WAIT);
    }
}
