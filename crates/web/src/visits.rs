//! Counting portal visits (issue 6 §8) and showing the counter on every
//! portal page. Cookie-less: a visitor is the SHA-256 of the client address
//! and user agent with a random salt that changes every day (kept in memory
//! only), so nothing stored identifies anyone. Robots and scripts are not
//! counted. New visits are added to the stored total at most a second
//! later, so a restart loses at most the last second. Counting happens
//! after the page is rendered: it costs a hash and a map update per page.

use crate::AppState;
use crate::auth::ClientIp;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use motcua_core::visits::{Visits, is_bot};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// The marker the base template leaves where the counter goes.
pub const MARKER: &str = "<!--motcua:visits-->";

#[derive(Default)]
struct Inner {
    visits: Visits,
    /// The local day of the salt, and the salt.
    day: Option<chrono::NaiveDate>,
    salt: [u8; 16],
    /// The stored total when this server started, once read.
    base: Option<i64>,
    /// Visits not yet added to the stored total.
    unsaved: i64,
    /// A write of the total is scheduled.
    flushing: bool,
}

/// The live counter of one server.
#[derive(Clone, Default)]
pub struct VisitCounter(Arc<Mutex<Inner>>);

impl VisitCounter {
    /// (currently online, total visits) after counting this request.
    fn count(&self, visitor: Option<(&str, &str)>) -> (usize, i64, bool) {
        let now = Utc::now();
        let secs = now.timestamp();
        let today = motcua_core::calendar::to_local(now).date();
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if g.day != Some(today) {
            g.day = Some(today);
            let a = uuid::Uuid::new_v4();
            g.salt = *a.as_bytes();
            g.visits.new_day();
        }
        let mut schedule = false;
        if let Some((ip, ua)) = visitor {
            let mut h = Sha256::new();
            h.update(g.salt);
            h.update(ip.as_bytes());
            h.update([0]);
            h.update(ua.as_bytes());
            let d = h.finalize();
            let mut key = [0u8; 16];
            key.copy_from_slice(&d[..16]);
            if g.visits.hit(key, secs) {
                g.unsaved += 1;
                if !g.flushing {
                    g.flushing = true;
                    schedule = true;
                }
            }
        }
        let total = g.base.unwrap_or(0) + g.visits.new_visits as i64;
        (g.visits.online(secs), total, schedule)
    }
}

/// Counts a portal page view and writes the counter into the page.
pub async fn count(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let portal = req.method() == Method::GET
        && !path.starts_with("/api")
        && !path.starts_with("/static")
        && !path.starts_with("/workspace")
        && !matches!(path, "/healthz" | "/readyz" | "/metrics" | "/login");
    if !portal {
        return next.run(req).await;
    }
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return res;
    }
    let c = &st.visits;
    if c.0.lock().map(|g| g.base.is_none()).unwrap_or(false) {
        let base = st.store.visit_total().await.unwrap_or(0);
        if let Ok(mut g) = c.0.lock() {
            g.base.get_or_insert(base);
        }
    }
    let ip = ip.map(|i| i.to_string()).unwrap_or_default();
    let visitor = (!is_bot(&ua)).then_some((ip.as_str(), ua.as_str()));
    let (online, total, schedule) = c.count(visitor);
    if schedule {
        let (c, store) = (c.clone(), st.store.clone());
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let n = {
                let mut g = c.0.lock().unwrap_or_else(|p| p.into_inner());
                g.flushing = false;
                std::mem::take(&mut g.unsaved)
            };
            if n > 0
                && let Err(e) = store.add_visits(n).await
            {
                tracing::warn!(error = %e, "visit total not saved");
                if let Ok(mut g) = c.0.lock() {
                    g.unsaved += n;
                }
            }
        });
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 8 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    let counter = format!(
        "<p class=\"visits\"><span>Đang truy cập: <strong>{}</strong></span> <span>Tổng truy cập: <strong>{}</strong></span></p>",
        fmt_number(online as i64),
        fmt_number(total)
    );
    let page = text.replacen(MARKER, &counter, 1);
    let mut res = Response::from_parts(parts, Body::from(page));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    // Revalidated (the counter changes), unless the page said no-store
    // (personal data): that is kept.
    if res
        .headers()
        .get(header::CACHE_CONTROL)
        .is_none_or(|v| v.as_bytes() != b"no-store")
    {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

/// `12742901` → `12.742.901` (Vietnamese thousands separator).
pub fn fmt_number(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_with_dots() {
        assert_eq!(super::fmt_number(12_742_901), "12.742.901");
        assert_eq!(super::fmt_number(0), "0");
        assert_eq!(super::fmt_number(999), "999");
        assert_eq!(super::fmt_number(1000), "1.000");
    }
}
