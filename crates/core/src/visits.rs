//! The portal's visit counter, pure (issue 6 §8): "currently online" is the
//! number of distinct visitors seen in the last five minutes, "total visits"
//! counts visits, not page views: a visitor's requests less than thirty
//! minutes apart are one visit. Visitors are opaque keys (the web layer
//! hashes address and browser with a salt that changes every day, so no
//! cookie is set and nothing identifying is kept).

use std::collections::HashMap;

/// A visitor seen within this many seconds is online.
pub const ONLINE_SECS: i64 = 5 * 60;
/// Requests closer than this many seconds belong to the same visit.
pub const VISIT_GAP_SECS: i64 = 30 * 60;

/// Visitors by key with the second they were last seen; visits since start.
#[derive(Debug, Default, Clone)]
pub struct Visits {
    last_seen: HashMap<[u8; 16], i64>,
    /// Visits counted since this value was created.
    pub new_visits: u64,
}

impl Visits {
    /// Records a request of `visitor` at second `now`; true when it starts a
    /// new visit.
    pub fn hit(&mut self, visitor: [u8; 16], now: i64) -> bool {
        let new = match self.last_seen.insert(visitor, now) {
            Some(prev) => now - prev >= VISIT_GAP_SECS,
            None => true,
        };
        if new {
            self.new_visits += 1;
        }
        if self.last_seen.len() > 200_000 {
            self.prune(now);
        }
        new
    }

    /// Distinct visitors seen in the last [`ONLINE_SECS`].
    pub fn online(&self, now: i64) -> usize {
        self.last_seen
            .values()
            .filter(|t| now - **t < ONLINE_SECS)
            .count()
    }

    /// Forgets visitors whose visit is over.
    pub fn prune(&mut self, now: i64) {
        self.last_seen.retain(|_, t| now - *t < VISIT_GAP_SECS);
    }

    /// Forgets every visitor (the daily salt changed: yesterday's keys can
    /// no longer match); the count of visits is kept.
    pub fn new_day(&mut self) {
        self.last_seen.clear();
    }
}

/// True for a user agent that announces a robot or a script (or none).
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.trim().is_empty()
        || [
            "bot",
            "crawl",
            "spider",
            "slurp",
            "curl",
            "wget",
            "python-",
            "go-http-client",
            "java/",
            "libwww",
            "httpclient",
            "facebookexternalhit",
            "preview",
            "monitor",
        ]
        .iter()
        .any(|w| ua.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: [u8; 16] = [1; 16];
    const B: [u8; 16] = [2; 16];

    #[test]
    fn visits_and_online() {
        let mut v = Visits::default();
        assert!(v.hit(A, 0));
        assert!(!v.hit(A, 60), "the same visit");
        assert!(!v.hit(A, 60 + VISIT_GAP_SECS - 1), "still the same visit");
        assert!(
            v.hit(A, 60 + 2 * VISIT_GAP_SECS),
            "a new visit after 30 minutes away"
        );
        assert!(v.hit(B, 60 + 2 * VISIT_GAP_SECS));
        assert_eq!(v.new_visits, 3);
        let now = 60 + 2 * VISIT_GAP_SECS;
        assert_eq!(v.online(now), 2);
        assert_eq!(v.online(now + ONLINE_SECS), 0);
        v.prune(now + VISIT_GAP_SECS);
        assert_eq!(v.online(now), 0);
    }

    #[test]
    fn robots_are_recognised() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("curl/8.5.0"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (Linux; Android 14) Chrome/130 Mobile Safari/537.36"
        ));
    }

    proptest! {
        /// Visits never exceed page views, and one visitor's requests that
        /// are never 30 minutes apart make exactly one visit.
        #[test]
        fn visits_never_exceed_views(gaps in proptest::collection::vec(0i64..VISIT_GAP_SECS, 1..50)) {
            let mut v = Visits::default();
            let mut t = 0;
            for g in &gaps {
                t += g;
                v.hit(A, t);
            }
            prop_assert_eq!(v.new_visits, 1);
            prop_assert!(v.online(t) <= 1);
        }
    }
}
