//! The staff workspace under `/workspace/` (issue 5): work queues with their
//! counts, the one-stop desk (find a procedure, tick the checklist, enter the
//! applicant, receive, print), the dossier page with its timeline and the
//! actions this officer may take now, document upload, password change and
//! user administration. Server-rendered, no JavaScript needed; every page
//! takes [`Staff`] (a live session) and every form carries the session's
//! CSRF token. The dossier actions go through the same functions as the
//! JSON API ([`crate::dossiers::receive`], [`crate::dossiers::perform`]).

use crate::AppState;
use crate::auth::{Staff, field};
use crate::dossiers::{NewDossierInput, load, perform, receive_or_refuse};
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, NaiveTime, Utc};
use motcua_core::calendar::{WorkCalendar, to_local, to_utc};
use motcua_core::codes::{AgencyCode, ProcedureCode};
use motcua_core::dossier::{
    Action, Applicant, ApplicantKind, Channel, Command, Delivery, Dossier, DossierCode,
    OverdueReason, Role, control_sheet,
};
use motcua_store::{Paging, ProcedureFilter, Queue, QueueScope, QueueSort, User};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

mod agencies;
mod calendar_admin;
mod catalogue;
mod dossier_page;
mod password;
mod processes;
mod reception;
mod templates;
mod users;
pub use agencies::*;
pub use calendar_admin::*;
pub use catalogue::*;
pub use dossier_page::*;
pub use password::*;
pub use processes::*;
pub use reception::*;
pub use templates::*;
pub use users::*;

/// `dd/mm/yyyy HH:mm`, Vietnamese local time.
pub fn fmt_time(t: NaiveDateTime) -> String {
    t.format("%d/%m/%Y %H:%M").to_string()
}

fn now_local() -> NaiveDateTime {
    to_local(Utc::now())
}

/// One entry of the navigation.
pub struct NavQueue {
    pub slug: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

/// What every workspace page shows around its content.
pub struct Nav {
    pub user: String,
    pub agency: String,
    pub roles: String,
    pub csrf: String,
    pub queues: Vec<NavQueue>,
    pub desk: bool,
    pub admin: bool,
    /// Writes the portal's news (editor or administrator).
    pub editor: bool,
    /// Reads the reports (leaders, heads of office, administrators, oversight).
    pub reports: bool,
    pub section: &'static str,
}

fn queue_label(tr: Tr, q: Queue) -> &'static str {
    tr.t(match q {
        Queue::Mine => "ws.q.mine",
        Queue::Inbox => "ws.q.inbox",
        Queue::DueToday => "ws.q.due_today",
        Queue::DueSoon => "ws.q.due_soon",
        Queue::Overdue => "ws.q.overdue",
        Queue::Paused => "ws.q.paused",
        Queue::Transferred => "ws.q.transferred",
        Queue::ToReturn => "ws.q.to_return",
        Queue::All => "ws.q.all",
    })
}

fn is_desk_officer(u: &User) -> bool {
    motcua_core::dossier::works_at_desk(&u.roles)
}

fn is_admin(u: &User) -> bool {
    motcua_core::dossier::may_administer(&u.roles)
}

/// The bounds of "today" and "soon" for the user's agency.
fn scope(user: &User, cal: &WorkCalendar) -> QueueScope {
    let now = now_local();
    let end_of =
        |d: chrono::NaiveDate| d.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    let today = now.date();
    let mut soon = today;
    for _ in 0..2 {
        soon = cal.next_working_day(soon).unwrap_or(soon);
    }
    QueueScope {
        agency: user.agency.clone(),
        username: user.username.clone(),
        now: to_utc(now),
        tonight: to_utc(end_of(today)),
        soon: to_utc(end_of(soon)),
    }
}

async fn nav(
    st: &AppState,
    staff: &Staff,
    current: Option<Queue>,
    section: &'static str,
) -> Result<(Nav, QueueScope, std::sync::Arc<WorkCalendar>), WebError> {
    let tr = Tr::vi();
    let u = &staff.0.user;
    let cal = st.store.calendar(Some(&u.agency)).await?;
    let sc = scope(u, &cal);
    // An editor sees no queue (they show applicants' names).
    let counts = if motcua_core::dossier::sees_queues(&u.roles) {
        st.store.queue_counts(&sc).await?
    } else {
        Vec::new()
    };
    let agency = st
        .store
        .agency(&u.agency)
        .await?
        .map(|a| a.name)
        .unwrap_or_else(|| u.agency.to_string());
    let queues = counts
        .into_iter()
        .filter(|(q, _)| *q != Queue::Inbox && *q != Queue::ToReturn || is_desk_officer(u))
        .map(|(q, count)| NavQueue {
            slug: q.slug(),
            label: queue_label(tr, q),
            count,
            current: Some(q) == current,
        })
        .collect();
    Ok((
        Nav {
            user: u.full_name.clone(),
            agency,
            roles: u
                .roles
                .iter()
                .map(|r| r.label_vi())
                .collect::<Vec<_>>()
                .join(", "),
            csrf: staff.0.csrf.clone(),
            queues,
            desk: is_desk_officer(u),
            admin: is_admin(u),
            editor: motcua_core::dossier::may_edit_news(&u.roles),
            reports: motcua_core::dossier::may_read_reports(&u.roles),
            section,
        },
        sc,
        cal,
    ))
}

/// The navigation of a page outside the queues (news, reports).
pub(crate) async fn nav_for(
    st: &AppState,
    staff: &Staff,
    section: &'static str,
) -> Result<Nav, WebError> {
    Ok(nav(st, staff, None, section).await?.0)
}

/// Remaining working time, in words: `còn 1 ngày 3 giờ`, `quá hạn 2 giờ 10
/// phút`; `late` (the due moment has passed) says `quá hạn` even when no
/// working time has elapsed since (a due moment on Friday evening, read on
/// Sunday).
pub fn remaining_words(minutes: i64, day_minutes: i64, late: bool) -> String {
    let late = late || minutes < 0;
    let m = minutes.abs();
    let day = day_minutes.max(1);
    let (d, h, mi) = (m / day, (m % day) / 60, m % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} ngày"));
    }
    if h > 0 {
        parts.push(format!("{h} giờ"));
    }
    if mi > 0 && d == 0 {
        parts.push(format!("{mi} phút"));
    }
    if parts.is_empty() {
        return if late {
            "quá hạn".into()
        } else {
            "còn 0 phút".into()
        };
    }
    format!(
        "{} {}",
        if late { "quá hạn" } else { "còn" },
        parts.join(" ")
    )
}

struct Row {
    code: String,
    procedure: String,
    applicant: String,
    state: &'static str,
    due: String,
    remaining: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "ws_queue.html")]
struct QueuePage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    slug: &'static str,
    sort: &'static str,
    code: String,
    rows: Vec<Row>,
    total: i64,
    page: u32,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    hang: Option<String>,
    sap: Option<String>,
    ma: Option<String>,
    trang: Option<u32>,
}

async fn procedure_names(
    st: &AppState,
    ds: &[Dossier],
) -> Result<HashMap<String, String>, WebError> {
    let mut names = HashMap::new();
    for d in ds {
        let key = d.procedure.code.to_string();
        if names.contains_key(&key) {
            continue;
        }
        let name = st
            .store
            .procedure(&d.procedure.code, d.procedure.valid_from)
            .await?
            .map(|v| v.procedure.name)
            .unwrap_or_else(|| key.clone());
        names.insert(key, name);
    }
    Ok(names)
}

/// `GET /workspace/`: a work queue (`?hang=`), sorted (`?sap=han|nhan|ma`),
/// narrowed by code prefix (`?ma=`), paged (`?trang=`).
pub async fn queue(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let tr = Tr::vi();
    if !motcua_core::dossier::sees_queues(&staff.0.user.roles) {
        // An editor's workspace is the news (issue 18.3: no dossier data).
        return Ok(Redirect::to("/workspace/tin-tuc").into_response());
    }
    let default = if is_desk_officer(&staff.0.user) {
        Queue::All
    } else {
        Queue::Mine
    };
    let which = match q.hang.as_deref() {
        None | Some("") => default,
        Some(s) => Queue::from_slug(s)
            .ok_or_else(|| WebError::BadRequest(format!("không có hàng đợi `{s}`")))?,
    };
    let (sort, sort_slug) = match q.sap.as_deref() {
        None | Some("") | Some("han") => (QueueSort::Due, "han"),
        Some("nhan") => (QueueSort::Received, "nhan"),
        Some("ma") => (QueueSort::Code, "ma"),
        Some(s) => {
            return Err(WebError::BadRequest(format!("không sắp xếp được theo `{s}`")).into());
        }
    };
    let code =
        q.ma.unwrap_or_default()
            .trim()
            .chars()
            .take(40)
            .collect::<String>();
    let page = q.trang.unwrap_or(1).max(1);
    let (nav, sc, cal) = nav(&st, &staff, Some(which), "queue").await?;
    let paging = Paging::new(page, 25)?;
    let list = st
        .store
        .queue(
            which,
            &sc,
            sort,
            (!code.is_empty()).then_some(code.as_str()),
            paging,
        )
        .await?;
    let names = procedure_names(&st, &list.items).await?;
    let now = now_local();
    let day = cal.day_length().as_minutes();
    let rows = list
        .items
        .iter()
        .map(|d| {
            let rem = d.due_at.and_then(|_| d.remaining(now, &cal));
            let past = d.due_at.is_some_and(|due| due < now);
            Row {
                code: d.code.to_string(),
                procedure: names
                    .get(d.procedure.code.as_str())
                    .cloned()
                    .unwrap_or_default(),
                applicant: d.applicant.full_name.clone(),
                state: d.state.label_vi(),
                due: d.due_at.map(fmt_time).unwrap_or_default(),
                remaining: if d.state.stops_clock() || d.state.is_finished() {
                    String::new()
                } else {
                    rem.map(|m| remaining_words(m, day, past))
                        .unwrap_or_default()
                },
                late: (past || rem.is_some_and(|m| m < 0)) && !d.state.is_finished(),
            }
        })
        .collect();
    let pages = (list.total + 24) / 25;
    let link = |p: u32| {
        format!(
            "/workspace/?hang={}&sap={}&ma={}&trang={p}",
            which.slug(),
            sort_slug,
            crate::text::urlencode(&code)
        )
    };
    Ok(Html(
        QueuePage {
            tr,
            title: queue_label(tr, which),
            slug: which.slug(),
            sort: sort_slug,
            code: code.clone(),
            rows,
            total: list.total,
            page,
            pages: pages.max(1),
            prev: (page > 1).then(|| link(page - 1)),
            next: ((page as i64) < pages).then(|| link(page + 1)),
            nav,
        }
        .render()?,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct FindQuery {
    ma: Option<String>,
}

/// `GET /workspace/tim?ma=CODE`: straight to the dossier when the code is
/// whole and visible, else the list of open dossiers whose code starts so.
pub async fn find(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<FindQuery>,
) -> Result<Response, PageError> {
    let code = q.ma.unwrap_or_default().trim().to_string();
    if let Ok(c) = DossierCode::parse(&code)
        && crate::dossiers::visible(&st, &c, &staff.0.user)
            .await
            .is_ok()
    {
        return Ok(Redirect::to(&format!("/workspace/ho-so/{c}")).into_response());
    }
    Ok(Redirect::to(&format!(
        "/workspace/?hang=tat-ca&ma={}",
        crate::text::urlencode(&code)
    ))
    .into_response())
}

/// A refused form shows its page again (rendered by `page` with the reason)
/// under the refusal's status (400, 403, 409…); a missing dossier or user
/// and server errors go to the error page.
pub(crate) async fn refused_page<Fut>(
    e: WebError,
    page: impl FnOnce(String) -> Fut,
) -> Result<Response, PageError>
where
    Fut: std::future::Future<Output = Result<String, WebError>>,
{
    refused(e, page).await
}

async fn refused<Fut>(e: WebError, page: impl FnOnce(String) -> Fut) -> Result<Response, PageError>
where
    Fut: std::future::Future<Output = Result<String, WebError>>,
{
    let status = e.status();
    if status.is_client_error() && status != StatusCode::NOT_FOUND {
        let html = page(e.to_string()).await?;
        Ok((status, Html(html)).into_response())
    } else {
        Err(e.into())
    }
}

/// The answer to an administration form: its page again, with the message
/// of what was done, or (through [`refused`]) with the reason it was not.
/// `page(error, done)` renders the page.
async fn answer<Fut>(
    result: Result<String, WebError>,
    page: impl FnOnce(Option<String>, Option<String>) -> Fut,
) -> Result<Response, PageError>
where
    Fut: std::future::Future<Output = Result<String, WebError>>,
{
    match result {
        Ok(msg) => Ok(Html(page(None, Some(msg)).await?).into_response()),
        Err(e) => refused(e, |m| page(Some(m), None)).await,
    }
}
