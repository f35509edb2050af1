//! The one time-to-live cache of the store: values read from the database
//! and trusted for a while (another process may change them meanwhile),
//! by key. Used for the built working calendars, the notice templates and
//! the federation routing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a built calendar is reused before it is rebuilt from the database.
pub const CALENDAR_TTL: Duration = Duration::from_secs(300);
/// How long cached notice templates are used before they are read again.
pub const TEMPLATES_TTL: Duration = Duration::from_secs(60);
/// How long the federation routing is trusted: peers added or removed by
/// `motcua peer` in another process take effect within it.
pub const ROUTING_TTL: Duration = Duration::from_secs(2);

/// Values by key, each trusted for `ttl` after it was stored. Cloning
/// shares the cache.
#[derive(Debug)]
pub(crate) struct TtlCache<K, V> {
    ttl: Duration,
    entries: Arc<Mutex<HashMap<K, (Instant, V)>>>,
}

impl<K, V> Clone for TtlCache<K, V> {
    fn clone(&self) -> Self {
        TtlCache {
            ttl: self.ttl,
            entries: self.entries.clone(),
        }
    }
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub(crate) fn new(ttl: Duration) -> Self {
        TtlCache {
            ttl,
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The value stored for `key` less than `ttl` ago.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let g = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        g.get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn set(&self, key: K, value: V) {
        let mut g = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Expired entries go when the map grows (keys are agencies: few).
        if g.len() >= 10_000 {
            let ttl = self.ttl;
            g.retain(|_, (at, _)| at.elapsed() < ttl);
        }
        g.insert(key, (Instant::now(), value));
    }

    /// Forgets everything (after a change made here).
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_live_for_their_ttl_and_clones_share() {
        let c: TtlCache<&str, i32> = TtlCache::new(Duration::from_secs(60));
        assert_eq!(c.get(&"a"), None);
        c.set("a", 1);
        let d = c.clone();
        assert_eq!(d.get(&"a"), Some(1));
        d.clear();
        assert_eq!(c.get(&"a"), None);
        let gone: TtlCache<(), i32> = TtlCache::new(Duration::ZERO);
        gone.set((), 1);
        assert_eq!(gone.get(&()), None);
    }
}
