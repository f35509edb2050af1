//! The public dossier lookup (`/tra-cuu-ho-so?ma=…`, issue 6 §5): status,
//! due moment and history of a dossier by its code (typed, or read from the
//! receipt's QR code), without personal data beyond the masked name; a rate
//! limit per client address stops the enumeration of codes.

use crate::AppState;
use crate::auth::ClientIp;
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use crate::workspace::fmt_time;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use motcua_core::dossier::DossierCode;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Lookups allowed per client address per [`LOOKUP_WINDOW`], and lookups of
/// codes that do not exist (the mark of enumeration).
pub const LOOKUPS: usize = 60;
pub const MISSES: usize = 10;
pub const LOOKUP_WINDOW: Duration = Duration::from_secs(600);

/// An address's recent lookups and misses.
type Recent = (Vec<Instant>, Vec<Instant>);

/// Recent lookups and misses by client address.
#[derive(Clone, Default)]
pub struct LookupLimiter(Arc<Mutex<HashMap<IpAddr, Recent>>>);

impl LookupLimiter {
    /// Records a lookup; false when the address is over an allowance.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 100_000 {
            m.retain(|_, (l, _)| {
                l.last()
                    .is_some_and(|t| now.duration_since(*t) < LOOKUP_WINDOW)
            });
        }
        let (looks, misses) = m.entry(ip).or_default();
        looks.retain(|t| now.duration_since(*t) < LOOKUP_WINDOW);
        misses.retain(|t| now.duration_since(*t) < LOOKUP_WINDOW);
        if looks.len() >= LOOKUPS || misses.len() >= MISSES {
            return false;
        }
        looks.push(now);
        true
    }

    /// Records a lookup of a code that does not exist.
    pub fn missed(&self, ip: IpAddr, now: Instant) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(ip).or_default().1.push(now);
    }
}

/// A name as the public sees it: the first letter of each word, the rest
/// hidden (`Nguyễn Văn An` → `N***** V** A*`).
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) => std::iter::once(c)
                    .chain(cs.map(|_| '*'))
                    .collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Step {
    at: String,
    action: &'static str,
    state: &'static str,
}

struct Found {
    code: String,
    procedure: String,
    applicant: String,
    state: &'static str,
    received: String,
    due: String,
    promised: String,
    desk: String,
    holder: String,
    steps: Vec<Step>,
    /// The result was returned: the applicant may rate the service.
    ratable: bool,
    /// The rating given, if any.
    rated: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    tr: Tr,
    ma: String,
    found: Option<Found>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LookupQuery {
    ma: Option<String>,
}

/// `GET /tra-cuu-ho-so[?ma=CODE]`.
pub async fn lookup(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<LookupQuery>,
) -> Result<Response, PageError> {
    let tr = Tr::vi();
    let ma: String = q.ma.unwrap_or_default().trim().chars().take(40).collect();
    let page = |status: StatusCode, found: Option<Found>, error: Option<String>, ma: String| {
        Ok::<Response, PageError>(
            (
                status,
                Html(
                    LookupPage {
                        tr,
                        ma,
                        found,
                        error,
                    }
                    .render()?,
                ),
            )
                .into_response(),
        )
    };
    if ma.is_empty() {
        return page(StatusCode::OK, None, None, ma);
    }
    let now = Instant::now();
    if let Some(ip) = ip
        && !st.lookups.allow(ip, now)
    {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            Some(tr.t("lookup.too_many").to_string()),
            ma,
        );
    }
    let Ok(code) = DossierCode::parse(&ma) else {
        return page(
            StatusCode::BAD_REQUEST,
            None,
            Some(format!("{} «{ma}»", tr.t("lookup.bad_code"))),
            ma,
        );
    };
    let Some(rec) = st.store.dossier(&code).await.map_err(WebError::from)? else {
        if let Some(ip) = ip {
            st.lookups.missed(ip, now);
        }
        return page(
            StatusCode::NOT_FOUND,
            None,
            Some(format!("{} {code}.", tr.t("lookup.not_found"))),
            ma,
        );
    };
    let d = &rec.dossier;
    let procedure = st
        .store
        .procedure(&d.procedure.code, d.procedure.valid_from)
        .await
        .map_err(WebError::from)?
        .map(|v| v.procedure.name)
        .unwrap_or_else(|| d.procedure.code.to_string());
    let rated = st
        .store
        .dossier_rating(&d.code)
        .await
        .map_err(WebError::from)?
        .map(motcua_core::rating::level_label);
    let found = Found {
        ratable: motcua_core::rating::ratable(d).is_ok(),
        rated,
        code: d.code.to_string(),
        procedure,
        applicant: mask_name(&d.applicant.full_name),
        state: d.state.label_vi(),
        received: d
            .received_at
            .or(d.submitted_at)
            .map(fmt_time)
            .unwrap_or_default(),
        due: d.due_at.map(fmt_time).unwrap_or_default(),
        promised: d
            .promised_at()
            .filter(|p| Some(*p) != d.due_at)
            .map(fmt_time)
            .unwrap_or_default(),
        desk: agency_name(&st, &d.receiving_agency).await,
        holder: agency_name(&st, d.holder()).await,
        steps: rec
            .events
            .iter()
            .map(|e| Step {
                at: fmt_time(e.event.at),
                action: e.event.action.label_vi(),
                state: e.event.to.label_vi(),
            })
            .collect(),
    };
    page(StatusCode::OK, Some(found), None, ma)
}

/// One read of the applicant's dossier, as the applicant sees it.
pub(crate) struct ReadLine {
    at: String,
    agency: String,
    officer: String,
    what: String,
}

#[derive(Template)]
#[template(path = "lookup_reads.html")]
struct ReadsPage {
    tr: Tr,
    ma: String,
    reads: Option<Vec<ReadLine>>,
    error: Option<String>,
    /// Reached from the citizen account: no proof form.
    signed_in: bool,
}

/// What a read was, in the applicant's words.
fn read_label(tr: Tr, via: &str, purpose: Option<&str>) -> String {
    let base = match via.split_once(':') {
        Some(("slip", form)) => format!("{} ({form})", tr.t("reads.via.slip")),
        _ => match via {
            "api" => tr.t("reads.via.api").to_string(),
            "page" => tr.t("reads.via.page").to_string(),
            "action" => tr.t("reads.via.action").to_string(),
            "documents" => tr.t("reads.via.documents").to_string(),
            "document" => tr.t("reads.via.document").to_string(),
            other => other.to_string(),
        },
    };
    match purpose.and_then(motcua_core::dossier::Action::parse) {
        Some(a) => format!("{base}: {}", a.label_vi()),
        None => match purpose {
            Some(p) => format!("{base}: {p}"),
            None => base,
        },
    }
}

/// `POST /tra-cuu-ho-so/ai-da-xem` (`ma`, `cccd`): who opened my dossier.
/// The applicant proves who they are with the code and their ID number (or
/// the representative's); a wrong number counts as a miss of the lookup's
/// limit, so numbers cannot be guessed. The answer is every read of the
/// dossier's personal data by an officer: when, which agency, who, how.
pub async fn reads(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let tr = Tr::vi();
    let f = crate::auth::form_fields(&body)?;
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().chars().take(40).collect::<String>())
            .unwrap_or_default()
    };
    let (ma, id) = (get("ma"), get("cccd"));
    let page = |status, reads, error| reads_page(status, ma.clone(), reads, error, false);
    let now = Instant::now();
    if let Some(ip) = ip
        && !st.lookups.allow(ip, now)
    {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            Some(tr.t("lookup.too_many").to_string()),
        );
    }
    let refuse = |status| {
        if let Some(ip) = ip {
            st.lookups.missed(ip, now);
        }
        page(status, None, Some(tr.t("reads.no_match").to_string()))
    };
    let Ok(code) = DossierCode::parse(&ma) else {
        return refuse(StatusCode::BAD_REQUEST);
    };
    let Some(rec) = st.store.dossier(&code).await.map_err(WebError::from)? else {
        return refuse(StatusCode::NOT_FOUND);
    };
    if !rec.dossier.applicant.is_identified_by(&id) {
        // The same answer as an unknown code: nothing is revealed.
        return refuse(StatusCode::NOT_FOUND);
    }
    page(StatusCode::OK, Some(read_lines(&st, &code).await?), None)
}

/// The reads page (no-store: it lists who read a person's data). `signed_in`
/// leaves out the proof form (the account already proved who they are).
pub(crate) fn reads_page(
    status: StatusCode,
    ma: String,
    reads: Option<Vec<ReadLine>>,
    error: Option<String>,
    signed_in: bool,
) -> Result<Response, PageError> {
    let mut res = (
        status,
        Html(
            ReadsPage {
                tr: Tr::vi(),
                ma,
                reads,
                error,
                signed_in,
            }
            .render()?,
        ),
    )
        .into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// Every read of a dossier's personal data by an officer, oldest first, in
/// the applicant's words.
pub(crate) async fn read_lines(
    st: &AppState,
    code: &DossierCode,
) -> Result<Vec<ReadLine>, WebError> {
    let tr = Tr::vi();
    let mut lines = Vec::new();
    for r in st.store.dossier_reads(code).await.map_err(WebError::from)? {
        let officer = match st.store.user(&r.username).await.map_err(WebError::from)? {
            Some(u) => u.full_name,
            None => r.username.clone(),
        };
        let agency = match motcua_core::codes::AgencyCode::new(&r.agency_code) {
            Ok(a) => agency_name(st, &a).await,
            Err(_) => r.agency_code.clone(),
        };
        lines.push(ReadLine {
            at: fmt_time(motcua_core::calendar::to_local(r.at)),
            agency,
            officer,
            what: read_label(tr, &r.via, r.purpose.as_deref()),
        });
    }
    Ok(lines)
}

async fn agency_name(st: &AppState, c: &motcua_core::codes::AgencyCode) -> String {
    st.store
        .agency(c)
        .await
        .ok()
        .flatten()
        .map(|a| a.name)
        .unwrap_or_else(|| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("Nguyễn Văn An"), "N***** V** A*");
        assert_eq!(mask_name("  Lò   Thị "), "L* T**");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn enumeration_is_stopped() {
        let l = LookupLimiter::default();
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        let now = Instant::now();
        for _ in 0..MISSES {
            assert!(l.allow(ip, now));
            l.missed(ip, now);
        }
        assert!(!l.allow(ip, now), "too many unknown codes");
        assert!(l.allow("198.51.100.2".parse().unwrap(), now), "per address");
        assert!(l.allow(ip, now + LOOKUP_WINDOW), "the window passes");
    }
}
