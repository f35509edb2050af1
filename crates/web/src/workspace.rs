//! The staff workspace under `/workspace/` (issue 5): work queues with their
//! counts, the one-stop desk (find a procedure, tick the checklist, enter the
//! applicant, receive, print), the dossier page with its timeline and the
//! actions this officer may take now, document upload, password change and
//! user administration. Server-rendered, no JavaScript needed; every page
//! takes [`Staff`] (a live session) and every form carries the session's
//! CSRF token. The dossier actions go through the same functions as the
//! JSON API ([`crate::dossiers::receive`], [`crate::dossiers::perform`]).

use crate::AppState;
use crate::auth::{Staff, field, form_fields};
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

// ---------------------------------------------------------------- the desk

struct ProcLine {
    code: String,
    name: String,
    field: String,
}

struct DocLine {
    index: usize,
    name: String,
    group: String,
    quantity: String,
    required: bool,
    checked: bool,
}

/// The first 30 procedures matching `q` (in force on `date`, or any
/// current version); none for an empty query.
async fn search_hits(
    st: &AppState,
    q: &str,
    date: Option<chrono::NaiveDate>,
) -> Result<Vec<ProcLine>, WebError> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let filter = ProcedureFilter {
        q: Some(q.to_string()),
        date,
        ..Default::default()
    };
    Ok(st
        .store
        .search_procedures(&filter, Paging::new(1, 30)?)
        .await?
        .items
        .into_iter()
        .map(|h| ProcLine {
            code: h.code,
            name: h.name,
            field: h.field,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "ws_desk.html")]
struct DeskPage {
    tr: Tr,
    nav: Nav,
    q: String,
    hits: Vec<ProcLine>,
    searched: bool,
}

#[derive(Template)]
#[template(path = "ws_receive.html")]
struct ReceivePage {
    tr: Tr,
    nav: Nav,
    code: String,
    name: String,
    time: String,
    docs: Vec<DocLine>,
    error: Option<String>,
    /// The result of looking up a returning applicant.
    found: Option<String>,
    form: HashMap<String, String>,
}

impl ReceivePage {
    fn v(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize)]
pub struct DeskQuery {
    q: Option<String>,
}

fn require_desk(u: &User) -> Result<(), WebError> {
    if is_desk_officer(u) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "chỉ cán bộ Bộ phận một cửa được tiếp nhận hồ sơ".into(),
        ))
    }
}

/// `GET /workspace/tiep-nhan?q=…`: find the procedure to receive.
pub async fn desk(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    require_desk(&staff.0.user)?;
    let (nav, _, _) = nav(&st, &staff, None, "desk").await?;
    let text =
        q.q.unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
    let hits = search_hits(&st, &text, Some(now_local().date())).await?;
    Ok(Html(
        DeskPage {
            tr: Tr::vi(),
            nav,
            searched: !text.trim().is_empty(),
            q: text,
            hits,
        }
        .render()?,
    ))
}

async fn receive_page(
    st: &AppState,
    staff: &Staff,
    pcode: &str,
    form: HashMap<String, String>,
    checked: &[usize],
    error: Option<String>,
) -> Result<ReceivePage, WebError> {
    let code = ProcedureCode::new(pcode).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let pv = st
        .store
        .procedure(&code, Some(now_local().date()))
        .await?
        .ok_or_else(|| {
            WebError::NotFound(format!("không có thủ tục mã `{pcode}` đang có hiệu lực"))
        })?;
    let p = &pv.procedure;
    let (nav, _, _) = nav(st, staff, None, "desk").await?;
    let time = p
        .processing_time(None)
        .and_then(|s| motcua_core::calendar::ProcessingTime::new(s.unit, s.value).ok())
        .map(|t| t.label_vi())
        .unwrap_or_else(|| p.processing_time_direct_raw.clone());
    Ok(ReceivePage {
        tr: Tr::vi(),
        nav,
        code: p.code.to_string(),
        name: p.name.clone(),
        time,
        docs: p
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| DocLine {
                index: i,
                name: d.name.clone(),
                group: d.group.clone(),
                quantity: d.quantity.clone(),
                required: d.required,
                checked: checked.contains(&i),
            })
            .collect(),
        error,
        found: None,
        form,
    })
}

#[derive(Deserialize)]
pub struct ReceiveQuery {
    /// Look up a returning applicant by ID number or tax code.
    cccd: Option<String>,
}

/// `GET /workspace/tiep-nhan/{code}[?cccd=…]`: the reception form of a
/// procedure, prefilled from the desk's latest dossier of that applicant.
pub async fn receive_form(
    State(st): State<AppState>,
    staff: Staff,
    Path(pcode): Path<String>,
    Query(q): Query<ReceiveQuery>,
) -> Result<Html<String>, PageError> {
    require_desk(&staff.0.user)?;
    let mut form = HashMap::new();
    form.insert("kind".to_string(), "citizen".to_string());
    form.insert("channel".to_string(), "direct".to_string());
    let mut found = None;
    if let Some(id) = q.cccd.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let id: String = id.chars().take(20).collect();
        form.insert("id_number".into(), id.clone());
        match st.store.latest_applicant(&staff.0.user.agency, &id).await? {
            Some((code, a)) => {
                form.insert(
                    "kind".into(),
                    serde_json::to_value(a.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                );
                form.insert("full_name".into(), a.full_name);
                form.insert("phone".into(), a.phone.unwrap_or_default());
                form.insert("email".into(), a.email.unwrap_or_default());
                form.insert("address".into(), a.address);
                found = Some(format!("{} {code}", Tr::vi().t("ws.receive.found")));
            }
            None => found = Some(Tr::vi().t("ws.receive.not_found").to_string()),
        }
    }
    let mut page = receive_page(&st, &staff, &pcode, form, &[], None).await?;
    page.found = found;
    Ok(Html(page.render()?))
}

/// `POST /workspace/tiep-nhan/{code}`: receives the dossier and goes to its
/// page, from which the receipt is printed. A refusal keeps what was typed.
pub async fn receive_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(pcode): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_desk(&staff.0.user)?;
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let form: HashMap<String, String> = f
        .iter()
        .filter(|(k, _)| k != "doc" && k != "csrf")
        .map(|(k, v)| (k.clone(), v.chars().take(500).collect()))
        .collect();
    let checked: Vec<usize> = f
        .iter()
        .filter(|(k, _)| k == "doc")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let result = async {
        let code = ProcedureCode::new(&pcode).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let pv = st
            .store
            .procedure(&code, Some(now_local().date()))
            .await?
            .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{pcode}`")))?;
        let documents = checked
            .iter()
            .filter_map(|i| pv.procedure.documents.get(*i).map(|d| d.name.clone()))
            .collect();
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let kind = match get("kind") {
            "organisation" => ApplicantKind::Organisation,
            _ => ApplicantKind::Citizen,
        };
        let opt = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
        let applicant = Applicant::new(
            kind,
            get("full_name"),
            get("id_number"),
            opt("phone"),
            opt("email"),
            get("address"),
        )
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let channel = match get("channel") {
            "postal" => Channel::Postal,
            _ => Channel::Direct,
        };
        let input = NewDossierInput {
            procedure_code: pcode.clone(),
            channel,
            applicant,
            documents: Some(documents),
        };
        let refusal =
            (field(&f, "op") == Some("refuse")).then(|| get("refusal_reason").to_string());
        let reply = receive_or_refuse(&st, &staff.0.user, input, None, refusal).await?;
        let v: Value =
            serde_json::from_str(&reply.body).map_err(|e| WebError::BadRequest(e.to_string()))?;
        Ok::<String, WebError>(v["code"].as_str().unwrap_or_default().to_string())
    }
    .await;
    match result {
        Ok(code) => {
            let done = if field(&f, "op") == Some("refuse") {
                "refuse"
            } else {
                "receive"
            };
            Ok(Redirect::to(&format!("/workspace/ho-so/{code}?xong={done}")).into_response())
        }
        Err(e) => {
            refused(e, |m| async move {
                Ok(receive_page(&st, &staff, &pcode, form, &checked, Some(m))
                    .await?
                    .render()?)
            })
            .await
        }
    }
}

// ---------------------------------------------------------- the dossier page

/// One input of an action form.
pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `textarea`, `number`, `datetime-local` or `select`.
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub hint: &'static str,
}

/// The form of one action this officer may take.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub inputs: Vec<Input>,
    /// The slip printed after it, if any.
    pub slip: Option<&'static str>,
}

fn input(name: &'static str, label: &'static str, kind: &'static str, required: bool) -> Input {
    Input {
        name,
        label,
        kind,
        required,
        options: Vec::new(),
        hint: "",
    }
}

fn action_form(
    tr: Tr,
    a: Action,
    agencies: &[(String, String)],
    colleagues: &[(String, String)],
) -> ActionForm {
    let t = |k| tr.t(k);
    let note = || input("note", t("ws.f.note"), "text", false);
    let reason = || input("reason", t("ws.f.reason"), "textarea", true);
    let agency = |required| Input {
        options: agencies.to_vec(),
        ..input("to", t("ws.f.to"), "select", required)
    };
    let (inputs, slip) = match a {
        Action::RequestSupplement => (
            vec![
                Input {
                    hint: t("ws.f.items.hint"),
                    ..input("items", t("ws.f.items"), "textarea", true)
                },
                reason(),
            ],
            Some("supplement"),
        ),
        Action::Refuse => (vec![reason()], Some("refusal")),
        Action::Forward | Action::CompleteStep => (vec![agency(false), note()], None),
        Action::Assign => (
            vec![
                Input {
                    options: colleagues.to_vec(),
                    ..input("assignee", t("ws.f.assignee"), "select", true)
                },
                note(),
            ],
            None,
        ),
        Action::Transfer => (
            vec![
                agency(true),
                input("budget_days", t("ws.f.budget_days"), "number", true),
                input("task", t("ws.f.task"), "text", true),
            ],
            None,
        ),
        Action::Pause | Action::Reject | Action::ReturnUnresolved => (vec![reason()], None),
        Action::RequestPayment => (
            vec![
                input("amount", t("ws.f.amount"), "number", true),
                input("description", t("ws.f.description"), "text", true),
            ],
            None,
        ),
        Action::RecordPayment => (
            vec![input("reference", t("ws.f.reference"), "text", false)],
            None,
        ),
        Action::Apologize => (
            vec![
                Input {
                    options: OverdueReason::ALL
                        .iter()
                        .map(|r| (r.as_str().to_string(), r.label_vi().to_string()))
                        .collect(),
                    ..input("reason_code", t("ws.f.reason_code"), "select", true)
                },
                reason(),
                input("promised_at", t("ws.f.promised_at"), "datetime-local", true),
            ],
            Some("apology"),
        ),
        Action::Resolve => (
            vec![input("document", t("ws.f.document"), "text", false)],
            None,
        ),
        Action::ReturnResult => (
            vec![
                Input {
                    options: [Delivery::AtDesk, Delivery::Post, Delivery::Online]
                        .iter()
                        .map(|d| {
                            (
                                serde_json::to_value(d)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_string))
                                    .unwrap_or_default(),
                                d.label_vi().to_string(),
                            )
                        })
                        .collect(),
                    ..input("delivery", t("ws.f.delivery"), "select", true)
                },
                note(),
            ],
            None,
        ),
        Action::Withdraw => (
            vec![input("reason", t("ws.f.reason"), "textarea", false)],
            None,
        ),
        _ => (
            vec![note()],
            if a == Action::Receive {
                Some("receipt")
            } else {
                None
            },
        ),
    };
    ActionForm {
        action: a.as_str(),
        label: a.label_vi(),
        inputs,
        slip,
    }
}

/// Builds the API command of an action form: the fields become the
/// command's JSON (lines of `items` a list, `budget_days` working minutes,
/// numbers as numbers, empty optional fields left out).
fn command_from_form(f: &[(String, String)], day_minutes: i64) -> Result<Command, WebError> {
    let mut m = Map::new();
    for (k, v) in f {
        let v = v.trim();
        if k == "csrf" || v.is_empty() {
            continue;
        }
        let val = match k.as_str() {
            "version" | "amount" => json!(v.parse::<u64>().map_err(|_| {
                WebError::BadRequest(format!("`{k}` phải là số nguyên không âm"))
            })?),
            "items" => json!(
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            ),
            "budget_days" => {
                let d: f64 = v.replace(',', ".").parse().map_err(|_| {
                    WebError::BadRequest("số ngày làm việc của lượt liên thông không hợp lệ".into())
                })?;
                if !(d > 0.0 && d <= 3650.0) {
                    return Err(WebError::BadRequest(
                        "số ngày làm việc của lượt liên thông phải từ 0 đến 3650".into(),
                    ));
                }
                m.insert(
                    "budget".into(),
                    json!((d * day_minutes as f64).round() as i64),
                );
                continue;
            }
            "promised_at" if v.len() == 16 => json!(format!("{v}:00")),
            _ => json!(v),
        };
        m.insert(k.clone(), val);
    }
    serde_json::from_value(Value::Object(m))
        .map_err(|e| WebError::BadRequest(format!("thao tác không hợp lệ: {e}")))
}

struct Fact {
    label: &'static str,
    value: String,
}

struct TimelineLine {
    at: String,
    action: &'static str,
    who: String,
    to: &'static str,
    reason: String,
}

struct SheetLine {
    name: String,
    agency: String,
    started: String,
    finished: String,
    used: String,
    budget: String,
    verdict: &'static str,
    late: bool,
}

struct DocView {
    name: String,
    href: String,
    media: String,
    size: String,
}

#[derive(Template)]
#[template(path = "ws_dossier.html")]
struct DossierPage {
    tr: Tr,
    nav: Nav,
    code: String,
    state: &'static str,
    version: u64,
    facts: Vec<Fact>,
    checklist: Vec<String>,
    documents: Vec<DocView>,
    timeline: Vec<TimelineLine>,
    sheet: Vec<SheetLine>,
    actions: Vec<ActionForm>,
    slips: Vec<(&'static str, String)>,
    done: Option<String>,
    error: Option<String>,
    can_upload: bool,
}

#[derive(Deserialize)]
pub struct DossierQuery {
    xong: Option<String>,
}

fn slip_available(d: &Dossier, form: &str) -> bool {
    match form {
        "receipt" => d.received_at.is_some(),
        "supplement" => !d.supplements.is_empty(),
        "refusal" => d.state == motcua_core::dossier::State::RefusedAtReception,
        "apology" => !d.apologies.is_empty(),
        _ => true,
    }
}

async fn dossier_page(
    st: &AppState,
    staff: &Staff,
    code: &DossierCode,
    done: Option<String>,
    error: Option<String>,
) -> Result<DossierPage, WebError> {
    let tr = Tr::vi();
    let user = &staff.0.user;
    let rec = load(st, code, user, "page", None).await?;
    let d = &rec.dossier;
    let (nav, _, _) = nav(st, staff, None, "dossier").await?;
    let cal = st.store.calendar(Some(&d.receiving_agency)).await?;
    let now = now_local();
    let agencies = st.store.all_agencies().await?;
    let agency_name = |c: &AgencyCode| {
        agencies
            .iter()
            .find(|a| &a.code == c)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    // A peer's officers are named `peer/username` (core::federation::person_named).
    use motcua_core::federation::InstallationId;
    let peers: Vec<(InstallationId, Vec<String>)> = st
        .store
        .peers()
        .await?
        .into_iter()
        .filter_map(|p| Some((InstallationId::new(&p.installation).ok()?, p.agencies)))
        .collect();
    let hosted_by = |a: &str| {
        peers
            .iter()
            .find(|(_, agencies)| agencies.iter().any(|x| x == a))
            .map(|(id, _)| id)
    };
    let named = |user: &str, agency: Option<&AgencyCode>| {
        motcua_core::federation::person_named(user, agency.map(AgencyCode::as_str), hosted_by)
    };
    let pname = st
        .store
        .procedure(&d.procedure.code, d.procedure.valid_from)
        .await?
        .map(|v| v.procedure.name)
        .unwrap_or_default();
    let day = cal.day_length().as_minutes();
    let mut facts = vec![
        Fact {
            label: tr.t("ws.d.procedure"),
            value: format!("{} ({})", pname, d.procedure.code),
        },
        Fact {
            label: tr.t("ws.d.version"),
            value: d
                .procedure
                .valid_from
                .map(|v| format!("hiệu lực từ {}", v.format("%d/%m/%Y")))
                .unwrap_or_default(),
        },
        Fact {
            label: tr.t("ws.d.channel"),
            value: d.channel.label_vi().to_string(),
        },
        Fact {
            label: tr.t("ws.d.applicant"),
            value: format!("{} ({})", d.applicant.full_name, d.applicant.id_number),
        },
        Fact {
            label: tr.t("ws.d.contact"),
            value: [
                d.applicant.phone.clone(),
                d.applicant.email.clone(),
                Some(d.applicant.address.clone()),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        },
        Fact {
            label: tr.t("ws.d.desk"),
            value: agency_name(&d.receiving_agency),
        },
        Fact {
            label: tr.t("ws.d.holder"),
            value: agency_name(&d.current_agency),
        },
        Fact {
            label: tr.t("ws.d.time"),
            value: d.processing_time.label_vi(),
        },
        Fact {
            label: tr.t("ws.d.received"),
            value: d.received_at.map(fmt_time).unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: tr.t("ws.d.due"),
            value: d.due_at.map(fmt_time).unwrap_or_else(|| "—".into()),
        },
    ];
    if let Some(p) = d.promised_at().filter(|p| Some(*p) != d.due_at) {
        facts.push(Fact {
            label: tr.t("ws.d.promised"),
            value: fmt_time(p),
        });
    }
    if !d.state.is_finished()
        && !d.state.stops_clock()
        && let Some(m) = d.remaining(now, &cal)
    {
        facts.push(Fact {
            label: tr.t("ws.d.remaining"),
            value: remaining_words(m, day, d.due_at.is_some_and(|due| due < now)),
        });
    }
    if let Some(a) = &d.assignee {
        facts.push(Fact {
            label: tr.t("ws.d.assignee"),
            value: named(a, Some(d.holder())),
        });
    }
    if let Some(s) = d.step() {
        facts.push(Fact {
            label: tr.t("ws.d.step"),
            value: s.name.clone(),
        });
    }
    let events: Vec<_> = rec.events.iter().map(|e| e.event.clone()).collect();
    let timeline = rec
        .events
        .iter()
        .map(|e| {
            let e = &e.event;
            TimelineLine {
                at: fmt_time(e.at),
                action: e.action.label_vi(),
                who: format!(
                    "{} ({})",
                    named(e.actor.user_id(), e.actor.agency()),
                    e.actor.capacity().label_vi()
                ),
                to: e.to.label_vi(),
                reason: e.reason.clone().unwrap_or_default(),
            }
        })
        .collect();
    let sheet = control_sheet(&events, &cal, Some(now))
        .into_iter()
        .map(|r| SheetLine {
            name: r.name.clone(),
            agency: r.agency.as_ref().map(&agency_name).unwrap_or_default(),
            started: fmt_time(r.started_at),
            finished: r
                .finished_at
                .map(fmt_time)
                .unwrap_or_else(|| tr.t("ws.d.open").to_string()),
            used: r.used.map(|u| u.to_string()).unwrap_or_default(),
            budget: r.budget.to_string(),
            verdict: r.verdict.map(|v| v.label_vi()).unwrap_or(""),
            late: r.verdict == Some(motcua_core::calendar::Timeliness::Overdue),
        })
        .collect();
    let docs = st.store.documents(code).await?;
    let documents = docs
        .into_iter()
        .map(|x| DocView {
            href: format!("/api/dossiers/{code}/documents/{}", x.sha256),
            name: x.name,
            media: x.media_type,
            size: format!("{:.1} KB", x.size as f64 / 1024.0),
        })
        .collect();
    let ags: Vec<(String, String)> = agencies
        .iter()
        .filter(|a| a.valid_to.is_none_or(|t| t > now.date()) && a.code != user.agency)
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    let colleagues: Vec<(String, String)> = st
        .store
        .users(Some(&user.agency))
        .await?
        .into_iter()
        .filter(|u| {
            u.active
                && u.user
                    .roles
                    .iter()
                    .any(|r| matches!(r, Role::Specialist | Role::HeadOfOffice))
        })
        .map(|u| {
            (
                u.user.username.clone(),
                format!("{} ({})", u.user.full_name, u.user.username),
            )
        })
        .collect();
    let actions = d
        .actions_for(&user.username, &user.roles, &user.agency)
        .into_iter()
        .map(|a| action_form(tr, a, &ags, &colleagues))
        .collect();
    let slips = [
        ("receipt", "slip.receipt"),
        ("supplement", "slip.supplement"),
        ("refusal", "slip.refusal"),
        ("apology", "slip.apology"),
        ("control-sheet", "slip.control_sheet"),
    ]
    .into_iter()
    .filter(|(f, _)| slip_available(d, f))
    .map(|(f, k)| (tr.t(k), format!("/api/dossiers/{code}/slips/{f}.pdf")))
    .collect();
    let done = done
        .and_then(|a| Action::parse(&a))
        .map(|a| format!("{}: {}", tr.t("ws.done"), a.label_vi()));
    Ok(DossierPage {
        tr,
        nav,
        code: code.to_string(),
        state: d.state.label_vi(),
        version: d.version,
        facts,
        checklist: d.documents.clone(),
        documents,
        timeline,
        sheet,
        actions,
        slips,
        done,
        error,
        can_upload: !d.state.is_finished()
            && user.roles.iter().any(|r| {
                matches!(
                    r,
                    Role::ReceptionOfficer
                        | Role::Specialist
                        | Role::HeadOfOffice
                        | Role::SigningLeader
                )
            }),
    })
}

fn parse_code(s: &str) -> Result<DossierCode, WebError> {
    DossierCode::parse(s).map_err(|e| WebError::BadRequest(e.to_string()))
}

/// `GET /workspace/ho-so/{code}`.
pub async fn dossier(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<DossierQuery>,
) -> Result<Html<String>, PageError> {
    let code = parse_code(&code)?;
    Ok(Html(
        dossier_page(&st, &staff, &code, q.xong, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/ho-so/{code}`: one action (`action`, `version`, its
/// fields, `csrf`). Success goes back to the page (303); a refusal shows the
/// page again with the reason and the status of the API (400/403/409).
pub async fn act(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let cal = st.store.calendar(Some(&staff.0.user.agency)).await?;
    let result = match command_from_form(&f, cal.day_length().as_minutes()) {
        Ok(cmd) => {
            let action = cmd.action.action();
            perform(&st, &staff.0.user, &code, cmd, None)
                .await
                .map(|_| action)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Ok(
            Redirect::to(&format!("/workspace/ho-so/{code}?xong={}", a.as_str())).into_response(),
        ),
        Err(e) => {
            refused(e, |m| async move {
                Ok(dossier_page(&st, &staff, &code, None, Some(m))
                    .await?
                    .render()?)
            })
            .await
        }
    }
}

/// `POST /workspace/ho-so/{code}/tai-lieu` (multipart: `csrf`, `name`,
/// `file`): attaches a scan.
pub async fn upload(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let (mut csrf, mut name, mut file, mut declared) = (None, None, None, None);
    while let Some(part) = mp
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("biểu mẫu tải tệp không đọc được: {e}")))?
    {
        match part.name().unwrap_or("") {
            "csrf" => csrf = part.text().await.ok(),
            "name" => name = part.text().await.ok(),
            "file" => {
                declared = part.content_type().map(str::to_string);
                let fname = part.file_name().map(str::to_string);
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|e| WebError::TooLarge(format!("tệp quá lớn hoặc bị ngắt: {e}")))?;
                if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    name = fname;
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    staff.check_csrf(csrf.as_deref())?;
    let file = file.unwrap_or_default();
    match crate::documents::store_upload(
        &st,
        &staff.0.user,
        &code,
        name.as_deref(),
        declared.as_deref(),
        &file,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/workspace/ho-so/{code}?xong=upload")).into_response()),
        Err(e) => {
            refused(e, |m| async move {
                Ok(dossier_page(&st, &staff, &code, None, Some(m))
                    .await?
                    .render()?)
            })
            .await
        }
    }
}

// ------------------------------------------------------------ the account

#[derive(Template)]
#[template(path = "ws_password.html")]
struct PasswordPage {
    tr: Tr,
    nav: Nav,
    error: Option<String>,
}

/// `GET /workspace/mat-khau`.
pub async fn password_form(
    State(st): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, PageError> {
    let (nav, _, _) = nav(&st, &staff, None, "password").await?;
    Ok(Html(
        PasswordPage {
            tr: Tr::vi(),
            nav,
            error: None,
        }
        .render()?,
    ))
}

/// `POST /workspace/mat-khau`: current password, new one twice. Every
/// session of the user ends (this one too): sign in again.
pub async fn password_change(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let u = &staff.0.user;
    let current = field(&f, "current").unwrap_or("");
    let new = field(&f, "new").unwrap_or("");
    let check = async {
        if new != field(&f, "confirm").unwrap_or("") {
            return Err(WebError::BadRequest(
                "hai lần nhập mật khẩu mới không khớp".into(),
            ));
        }
        if new == current {
            return Err(WebError::BadRequest(
                "mật khẩu mới phải khác mật khẩu cũ".into(),
            ));
        }
        // Checked without counting a failed sign-in: a wrong current
        // password here never slows or locks the account (issue 18.6).
        if !st.store.password_matches(&u.username, current).await? {
            return Err(WebError::BadRequest("mật khẩu hiện tại không đúng".into()));
        }
        st.store.set_password(&u.username, new).await?;
        Ok(())
    }
    .await;
    match check {
        Ok(()) => Ok(Redirect::to("/login?next=/workspace/").into_response()),
        Err(e) => {
            refused(e, |m| async move {
                let (nav, _, _) = nav(&st, &staff, None, "password").await?;
                Ok(PasswordPage {
                    tr: Tr::vi(),
                    nav,
                    error: Some(m),
                }
                .render()?)
            })
            .await
        }
    }
}

// ------------------------------------------------------ administration

struct UserLine {
    username: String,
    name: String,
    agency: String,
    roles: Vec<(&'static str, &'static str, bool)>,
    active: bool,
    locked: String,
    has_password: bool,
}

#[derive(Template)]
#[template(path = "ws_users.html")]
struct UsersPage {
    tr: Tr,
    nav: Nav,
    users: Vec<UserLine>,
    agencies: Vec<(String, String)>,
    all_roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    done: Option<String>,
}

/// An administrator manages the users of their own agency; one of an
/// agency without a parent (the installation's root) manages everyone.
async fn admin_scope(st: &AppState, u: &User) -> Result<Option<AgencyCode>, WebError> {
    if !is_admin(u) {
        return Err(WebError::Forbidden(
            "chỉ quản trị hệ thống được quản lý người dùng".into(),
        ));
    }
    let root = st
        .store
        .agency(&u.agency)
        .await?
        .is_some_and(|a| a.parent_code.is_none());
    Ok((!root).then(|| u.agency.clone()))
}

async fn users_page(
    st: &AppState,
    staff: &Staff,
    error: Option<String>,
    done: Option<String>,
) -> Result<UsersPage, WebError> {
    let scope = admin_scope(st, &staff.0.user).await?;
    let (nav, _, _) = nav(st, staff, None, "admin").await?;
    let all = st.store.users(scope.as_ref()).await?;
    let agencies = st
        .store
        .all_agencies()
        .await?
        .into_iter()
        .filter(|a| scope.as_ref().is_none_or(|s| *s == a.code))
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    let users = all
        .into_iter()
        .map(|i| UserLine {
            roles: Role::ALL
                .iter()
                .map(|r| (r.as_str(), r.label_vi(), i.user.roles.contains(r)))
                .collect(),
            username: i.user.username,
            name: i.user.full_name,
            agency: i.user.agency.to_string(),
            active: i.active,
            locked: i
                .locked_until
                .filter(|t| *t > Utc::now())
                .map(|t| fmt_time(to_local(t)))
                .unwrap_or_default(),
            has_password: i.has_password,
        })
        .collect();
    Ok(UsersPage {
        tr: Tr::vi(),
        nav,
        users,
        agencies,
        all_roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_vi()))
            .collect(),
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/nguoi-dung`.
pub async fn users(State(st): State<AppState>, staff: Staff) -> Result<Html<String>, PageError> {
    Ok(Html(users_page(&st, &staff, None, None).await?.render()?))
}

/// `POST /workspace/quan-tri/nguoi-dung`: `op` = `create` (username, name,
/// agency, role…, password), `password` (username, password: a reset by the
/// administrator), `roles` (username, role…), `enable` / `disable`
/// (username).
pub async fn users_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let scope = admin_scope(&st, &staff.0.user).await?;
    let username = field(&f, "username").unwrap_or("").trim().to_string();
    let roles = || -> Result<Vec<Role>, WebError> {
        f.iter()
            .filter(|(k, _)| k == "role")
            .map(|(_, v)| {
                Role::parse(v)
                    .ok_or_else(|| WebError::BadRequest(format!("vai trò `{v}` không hợp lệ")))
            })
            .collect()
    };
    let result = async {
        // Every target must be in the administrator's scope.
        let in_scope = |a: &AgencyCode| scope.as_ref().is_none_or(|s| s == a);
        let op = field(&f, "op").unwrap_or("");
        if op != "create" {
            let target = st
                .store
                .user(&username)
                .await?
                .filter(|u| in_scope(&u.agency))
                .ok_or_else(|| WebError::NotFound(format!("không có người dùng `{username}`")))?;
            if target.username == staff.0.user.username && matches!(op, "disable" | "roles") {
                return Err(WebError::BadRequest(
                    "không tự khóa hay đổi vai trò của chính mình".into(),
                ));
            }
        }
        match op {
            "create" => {
                let agency = AgencyCode::new(field(&f, "agency").unwrap_or(""))
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                if !in_scope(&agency) {
                    return Err(WebError::Forbidden(
                        "cơ quan ngoài phạm vi quản trị của bạn".into(),
                    ));
                }
                let password = field(&f, "password").unwrap_or("");
                motcua_store::sessions::hash_password(password)?;
                st.store
                    .create_user(
                        &username,
                        field(&f, "name").unwrap_or(""),
                        &agency,
                        &roles()?,
                        None,
                    )
                    .await?;
                st.store.set_password(&username, password).await?;
                Ok(format!("đã tạo người dùng {username}"))
            }
            "password" => {
                st.store
                    .set_password(&username, field(&f, "password").unwrap_or(""))
                    .await?;
                tracing::info!(admin = %staff.0.user.username, user = %username, "password reset");
                Ok(format!("đã đặt lại mật khẩu của {username}"))
            }
            "roles" => {
                st.store.set_roles(&username, &roles()?).await?;
                Ok(format!("đã cập nhật vai trò của {username}"))
            }
            "enable" | "disable" => {
                st.store.set_active(&username, op == "enable").await?;
                Ok(format!(
                    "đã {} tài khoản {username}",
                    if op == "enable" { "mở" } else { "khóa" }
                ))
            }
            _ => Err(WebError::BadRequest(format!(
                "thao tác `{op}` không hợp lệ"
            ))),
        }
    }
    .await;
    answer(result, |error, done| async move {
        Ok(users_page(&st, &staff, error, done).await?.render()?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::remaining_words;

    #[test]
    fn remaining_in_words() {
        assert_eq!(remaining_words(480 + 190, 480, false), "còn 1 ngày 3 giờ");
        assert_eq!(remaining_words(-130, 480, true), "quá hạn 2 giờ 10 phút");
        assert_eq!(remaining_words(0, 480, true), "quá hạn");
        assert_eq!(remaining_words(0, 480, false), "còn 0 phút");
    }
}

// ------------------------------------------------- internal processes

struct StepRow {
    index: usize,
    name: String,
    role: String,
    agency: String,
    hours: String,
}

struct VersionLine {
    scope: String,
    valid_from: String,
    steps: String,
    total: String,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "ws_process.html")]
struct ProcessPage {
    tr: Tr,
    nav: Nav,
    q: String,
    hits: Vec<ProcLine>,
    code: String,
    name: String,
    time: String,
    allowed: String,
    rows: Vec<StepRow>,
    roles: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    versions: Vec<VersionLine>,
    general: bool,
    today: String,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct ProcessQuery {
    q: Option<String>,
}

fn hours(m: i64) -> String {
    let h = m as f64 / 60.0;
    if (h - h.round()).abs() < 1e-9 {
        format!("{}", h.round() as i64)
    } else {
        format!("{h:.2}").trim_end_matches('0').to_string()
    }
}

/// The processing time and its working minutes at the admin's agency.
async fn procedure_time(
    st: &AppState,
    code: &ProcedureCode,
    cal: &WorkCalendar,
) -> Result<
    (
        motcua_core::catalogue::Procedure,
        motcua_core::calendar::ProcessingTime,
        i64,
    ),
    WebError,
> {
    let pv = st
        .store
        .procedure(code, Some(now_local().date()))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{code}`")))?;
    let time = pv
        .procedure
        .processing_time(None)
        .and_then(|s| motcua_core::calendar::ProcessingTime::new(s.unit, s.value).ok())
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "thủ tục {code} chưa có thời hạn giải quyết bằng số: cập nhật danh mục trước khi lập quy trình"
            ))
        })?;
    let allowed = motcua_core::dossier::working_budget(time, cal.day_length()).as_minutes();
    Ok((pv.procedure, time, allowed))
}

async fn process_page(
    st: &AppState,
    staff: &Staff,
    code: Option<&str>,
    q: String,
    form_rows: Option<Vec<StepRow>>,
    error: Option<String>,
    done: Option<String>,
) -> Result<ProcessPage, WebError> {
    let u = &staff.0.user;
    let scope = admin_scope(st, u).await?;
    let (nav, _, cal) = nav(st, staff, None, "process").await?;
    let mut page = ProcessPage {
        tr: Tr::vi(),
        nav,
        q: q.clone(),
        hits: Vec::new(),
        code: String::new(),
        name: String::new(),
        time: String::new(),
        allowed: String::new(),
        rows: Vec::new(),
        roles: Role::ALL
            .iter()
            .filter(|r| r.works_dossiers() || **r == Role::Editor)
            .map(|r| (r.as_str(), r.label_vi()))
            .collect(),
        agencies: Vec::new(),
        versions: Vec::new(),
        general: scope.is_none(),
        today: now_local().date().format("%Y-%m-%d").to_string(),
        error,
        done,
    };
    page.hits = search_hits(st, &q, Some(now_local().date())).await?;
    let Some(code) = code else { return Ok(page) };
    let pcode = ProcedureCode::new(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (p, time, allowed) = procedure_time(st, &pcode, &cal).await?;
    page.code = p.code.to_string();
    page.name = p.name.clone();
    page.time = time.label_vi();
    page.allowed = hours(allowed);
    let current = st
        .store
        .process_for(&pcode, &u.agency, now_local().date())
        .await?
        .map(|v| v.process)
        .unwrap_or_else(|| motcua_core::dossier::Process::default_for(time, cal.day_length()));
    let mut rows = form_rows.unwrap_or_else(|| {
        current
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepRow {
                index: i,
                name: s.name.clone(),
                role: s.role.as_str().to_string(),
                agency: s.agency.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                hours: hours(s.budget.as_minutes()),
            })
            .collect()
    });
    for _ in 0..2 {
        rows.push(StepRow {
            index: rows.len(),
            name: String::new(),
            role: Role::Specialist.as_str().to_string(),
            agency: String::new(),
            hours: String::new(),
        });
    }
    page.rows = rows;
    page.agencies = st
        .store
        .all_agencies()
        .await?
        .into_iter()
        .filter(|a| a.valid_to.is_none_or(|t| t > now_local().date()))
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    page.versions = st
        .store
        .process_versions(&pcode)
        .await?
        .into_iter()
        .filter(|v| {
            scope.is_none() || v.agency.is_none() || v.agency.as_deref() == Some(u.agency.as_str())
        })
        .map(|v| VersionLine {
            scope: v.agency.unwrap_or_else(|| "mọi cơ quan".into()),
            valid_from: v.valid_from.format("%d/%m/%Y").to_string(),
            total: hours(v.process.total_minutes()),
            steps: v
                .process
                .steps
                .iter()
                .map(|s| {
                    format!(
                        "{} ({}, {} giờ)",
                        s.name,
                        s.role.label_vi(),
                        hours(s.budget.as_minutes())
                    )
                })
                .collect::<Vec<_>>()
                .join(" → "),
            note: v.note,
            by: v.created_by,
        })
        .collect();
    Ok(page)
}

/// `GET /workspace/quan-tri/quy-trinh?q=…`: find a procedure.
pub async fn processes(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<ProcessQuery>,
) -> Result<Html<String>, PageError> {
    let q = q.q.unwrap_or_default().chars().take(200).collect();
    Ok(Html(
        process_page(&st, &staff, None, q, None, None, None)
            .await?
            .render()?,
    ))
}

/// `GET /workspace/quan-tri/quy-trinh/{code}`: the process in force and the
/// step editor.
pub async fn process(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        process_page(&st, &staff, Some(&code), String::new(), None, None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/quy-trinh/{code}`: saves a new version (rows
/// `name_i`, `role_i`, `agency_i`, `hours_i`; `valid_from`; `scope` =
/// `agency` or `all`; `note`). The budgets must fit the processing time.
pub async fn process_save(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let u = &staff.0.user;
    let scope = admin_scope(&st, u).await?;
    let mut rows = Vec::new();
    for i in 0..motcua_core::dossier::MAX_STEPS + 2 {
        let Some(name) = field(&f, &format!("name_{i}")) else {
            break;
        };
        rows.push(StepRow {
            index: i,
            name: name.trim().chars().take(200).collect(),
            role: field(&f, &format!("role_{i}")).unwrap_or("").to_string(),
            agency: field(&f, &format!("agency_{i}")).unwrap_or("").to_string(),
            hours: field(&f, &format!("hours_{i}"))
                .unwrap_or("")
                .trim()
                .to_string(),
        });
    }
    let rows: Vec<StepRow> = rows.into_iter().filter(|r| !r.name.is_empty()).collect();
    let result = async {
        let pcode = ProcedureCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let cal = st.store.calendar(Some(&u.agency)).await?;
        let (_, time, _) = procedure_time(&st, &pcode, &cal).await?;
        let mut steps = Vec::new();
        for (n, r) in rows.iter().enumerate() {
            let bad = |m: String| WebError::BadRequest(format!("bước {}: {m}", n + 1));
            let role = Role::parse(&r.role)
                .ok_or_else(|| bad(format!("vai trò `{}` không hợp lệ", r.role)))?;
            let agency = match r.agency.as_str() {
                "" => None,
                a => Some(AgencyCode::new(a).map_err(|e| bad(e.to_string()))?),
            };
            let h: f64 = r
                .hours
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|h: &f64| *h > 0.0 && *h < 100_000.0)
                .ok_or_else(|| bad(format!("thời gian `{}` giờ không hợp lệ", r.hours)))?;
            steps.push(motcua_core::dossier::Step {
                name: r.name.clone(),
                role,
                agency,
                budget: motcua_core::calendar::WorkSpan::minutes((h * 60.0).round() as i64)
                    .map_err(|e| bad(e.to_string()))?,
            });
        }
        let process = motcua_core::dossier::Process { steps };
        process
            .validate_for(time, cal.day_length())
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let valid_from =
            chrono::NaiveDate::parse_from_str(field(&f, "valid_from").unwrap_or(""), "%Y-%m-%d")
                .map_err(|_| {
                    WebError::BadRequest("ngày áp dụng không hợp lệ (dd/mm/yyyy)".into())
                })?;
        let general = field(&f, "scope") == Some("all");
        if general && scope.is_some() {
            return Err(WebError::Forbidden(
                "chỉ quản trị cấp tỉnh được sửa quy trình chung của mọi cơ quan".into(),
            ));
        }
        let agency = (!general).then_some(&u.agency);
        st.store
            .save_process(
                &pcode,
                agency,
                valid_from,
                &process,
                field(&f, "note").unwrap_or("").trim(),
                &u.username,
            )
            .await?;
        Ok(format!(
            "đã lưu quy trình {} bước, {} giờ làm việc, áp dụng từ {}",
            process.steps.len(),
            hours(process.total_minutes()),
            valid_from.format("%d/%m/%Y")
        ))
    }
    .await;
    answer(result, |error, done| async move {
        Ok(process_page(
            &st,
            &staff,
            Some(&code),
            String::new(),
            error.is_some().then_some(rows),
            error,
            done,
        )
        .await?
        .render()?)
    })
    .await
}

// ------------------------------------------------- the working calendar

struct DayLine {
    date: String,
    iso: String,
    weekday: String,
    kind: &'static str,
    name: String,
    note: String,
    /// Stored here (removable), not derived by rule.
    stored: bool,
}

#[derive(Template)]
#[template(path = "ws_calendar.html")]
struct CalendarAdminPage {
    tr: Tr,
    nav: Nav,
    year: i32,
    scope_label: String,
    days: Vec<DayLine>,
    kinds: Vec<(&'static str, &'static str)>,
    working_days: usize,
    bad: Vec<motcua_store::BadDayRule>,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    nam: Option<i32>,
}

fn weekday_vi(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match d.weekday() {
        chrono::Weekday::Mon => "Thứ Hai",
        chrono::Weekday::Tue => "Thứ Ba",
        chrono::Weekday::Wed => "Thứ Tư",
        chrono::Weekday::Thu => "Thứ Năm",
        chrono::Weekday::Fri => "Thứ Sáu",
        chrono::Weekday::Sat => "Thứ Bảy",
        chrono::Weekday::Sun => "Chủ nhật",
    }
    .to_string()
}

async fn calendar_admin_page(
    st: &AppState,
    staff: &Staff,
    year: i32,
    error: Option<String>,
    done: Option<String>,
) -> Result<CalendarAdminPage, WebError> {
    use chrono::Datelike;
    if !(1901..=2099).contains(&year) {
        return Err(WebError::BadRequest(format!(
            "năm {year} ngoài phạm vi 1901-2099"
        )));
    }
    let u = &staff.0.user;
    let scope = admin_scope(st, u).await?;
    let (nav, _, _) = nav(st, staff, None, "calendar").await?;
    let cal = st.store.calendar(scope.as_ref()).await?;
    let stored: Vec<motcua_core::calendar::DayRule> = match &scope {
        Some(a) => st.store.agency_day_rules(a).await?,
        None => st.store.day_rules().await?,
    };
    let stored_days: Vec<chrono::NaiveDate> = stored
        .iter()
        .filter(|r| r.date.year() == year)
        .map(|r| r.date)
        .collect();
    let mut rules: Vec<motcua_core::calendar::DayRule> = cal
        .rules()
        .iter()
        .filter(|r| r.date.year() == year)
        .cloned()
        .collect();
    for r in stored.iter().filter(|r| r.date.year() == year) {
        if !rules.iter().any(|x| x.date == r.date) {
            rules.push(r.clone());
        }
    }
    rules.sort_by_key(|r| r.date);
    let days = rules
        .into_iter()
        .map(|r| DayLine {
            date: r.date.format("%d/%m/%Y").to_string(),
            iso: r.date.format("%Y-%m-%d").to_string(),
            weekday: weekday_vi(r.date),
            kind: r.kind.label_vi(),
            stored: stored_days.contains(&r.date),
            name: r.name,
            note: r.note,
        })
        .collect();
    let working_days = (1..=366)
        .filter_map(|o| chrono::NaiveDate::from_yo_opt(year, o))
        .filter(|d| cal.is_working_day(*d))
        .count();
    let scope_label = match &scope {
        Some(a) => format!("{} ({a})", nav.agency),
        None => Tr::vi().t("cal.installation").to_string(),
    };
    Ok(CalendarAdminPage {
        tr: Tr::vi(),
        nav,
        year,
        scope_label,
        days,
        kinds: motcua_core::calendar::DayKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_vi()))
            .collect(),
        working_days,
        bad: st.store.bad_day_rules(scope.as_ref()).await?,
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/lich?nam=YYYY`: the year's holidays, days off
/// and working weekend days, as the agency's calendar counts them.
pub async fn calendar_admin(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, PageError> {
    use chrono::Datelike;
    let year = q.nam.unwrap_or_else(|| now_local().year());
    Ok(Html(
        calendar_admin_page(&st, &staff, year, None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/lich`: `op` = `set` (date, kind, name, note) or
/// `remove` (date), for the installation (its administrator) or the
/// administrator's agency.
pub async fn calendar_admin_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    use chrono::Datelike;
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let scope = admin_scope(&st, &staff.0.user).await?;
    let date = chrono::NaiveDate::parse_from_str(field(&f, "date").unwrap_or(""), "%Y-%m-%d");
    // The page shown after the change: the year of the day, or this year
    // when the day is not one the page can show.
    let year = date
        .as_ref()
        .map(|d| d.year())
        .ok()
        .filter(|y| (1901..=2099).contains(y))
        .unwrap_or_else(|| now_local().year());
    let result = async {
        if field(&f, "op") == Some("remove-stored") {
            let day = field(&f, "day").unwrap_or("");
            if !st.store.remove_stored_day(scope.as_ref(), day).await? {
                return Err(WebError::NotFound(format!("không có dòng lịch đã lưu ngày `{day}`")));
            }
            tracing::info!(admin = %staff.0.user.username, day, "stored calendar row deleted");
            return Ok(format!("đã xóa dòng lịch ngày {day}"));
        }
        let date = date.map_err(|_| WebError::BadRequest("ngày không hợp lệ".into()))?;
        match field(&f, "op").unwrap_or("") {
            "set" => {
                let kind: motcua_core::calendar::DayKind = field(&f, "kind")
                    .unwrap_or("")
                    .parse()
                    .map_err(|_| WebError::BadRequest("loại ngày không hợp lệ".into()))?;
                let name = field(&f, "name").unwrap_or("").trim();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(WebError::BadRequest("cần tên ngày (1-200 ký tự), ví dụ \"Nghỉ hoán đổi dịp Quốc khánh\"".into()));
                }
                let rule = motcua_core::calendar::DayRule {
                    date,
                    kind,
                    name: name.to_string(),
                    note: field(&f, "note").unwrap_or("").trim().chars().take(300).collect(),
                };
                st.store.set_day_rule(scope.as_ref(), &rule).await?;
                tracing::info!(admin = %staff.0.user.username, %date, kind = kind.as_str(), "calendar day set");
                Ok(format!("đã lưu ngày {}", date.format("%d/%m/%Y")))
            }
            "remove" => {
                if !st.store.remove_day_rule(scope.as_ref(), date).await? {
                    return Err(WebError::NotFound(format!("ngày {} không có trong lịch đã lưu", date.format("%d/%m/%Y"))));
                }
                Ok(format!("đã bỏ ngày {}", date.format("%d/%m/%Y")))
            }
            op => Err(WebError::BadRequest(format!("thao tác `{op}` không hợp lệ"))),
        }
    }
    .await;
    answer(result, |error, done| async move {
        Ok(calendar_admin_page(&st, &staff, year, error, done)
            .await?
            .render()?)
    })
    .await
}

// ------------------------------------------------------------ agencies

#[derive(Template)]
#[template(path = "ws_agency.html")]
struct AgencyAdminPage {
    tr: Tr,
    nav: Nav,
    agencies: Vec<(String, String)>,
    code: String,
    name: String,
    hours: String,
    hours_vi: String,
    desk: bool,
    address: String,
    phone: String,
    email: String,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct AgencyQuery {
    ma: Option<String>,
}

async fn agency_admin_page(
    st: &AppState,
    staff: &Staff,
    code: Option<&str>,
    error: Option<String>,
    done: Option<String>,
) -> Result<AgencyAdminPage, WebError> {
    let u = &staff.0.user;
    let scope = admin_scope(st, u).await?;
    let (nav, _, _) = nav(st, staff, None, "agency").await?;
    let code = match (code, &scope) {
        (Some(c), None) => AgencyCode::new(c).map_err(|e| WebError::BadRequest(e.to_string()))?,
        _ => u.agency.clone(),
    };
    let a = st
        .store
        .agency(&code)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("không có cơ quan mã `{code}`")))?;
    let agencies = if scope.is_none() {
        st.store
            .all_agencies()
            .await?
            .into_iter()
            .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AgencyAdminPage {
        tr: Tr::vi(),
        nav,
        agencies,
        code: a.code.to_string(),
        name: a.name.clone(),
        hours: a.hours.to_string(),
        hours_vi: Tr::vi().hours(&a.hours.to_string()),
        desk: a.desk,
        address: a.address.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/co-quan[?ma=CODE]`: an agency's working hours,
/// desk flag and contacts (one's own; any for the installation's
/// administrator).
pub async fn agency_admin(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<AgencyQuery>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        agency_admin_page(&st, &staff, q.ma.as_deref(), None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/co-quan`: saves hours (e.g. `Mon-Fri
/// 07:30-11:30 13:30-17:00; Sat 07:30-11:30`), desk flag and contacts.
pub async fn agency_admin_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    let scope = admin_scope(&st, &staff.0.user).await?;
    let code = field(&f, "code").unwrap_or("").to_string();
    let result = async {
        let c = AgencyCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        if scope.as_ref().is_some_and(|s| *s != c) {
            return Err(WebError::Forbidden(
                "cơ quan ngoài phạm vi quản trị của bạn".into(),
            ));
        }
        let mut a = st
            .store
            .agency(&c)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("không có cơ quan mã `{c}`")))?;
        a.hours = motcua_core::calendar::WorkingHours::parse(field(&f, "hours").unwrap_or(""))
            .map_err(|e| WebError::BadRequest(format!("giờ làm việc không hợp lệ: {e}")))?;
        a.desk = field(&f, "desk") == Some("1");
        let text = |k: &str, max: usize| -> Result<String, WebError> {
            let v = field(&f, k).unwrap_or("").trim().to_string();
            if v.chars().count() > max {
                return Err(WebError::BadRequest(format!("`{k}` dài quá {max} ký tự")));
            }
            Ok(v)
        };
        a.address = text("address", 300)?;
        a.phone = text("phone", 50)?;
        a.email = text("email", 200)?;
        st.store.import_agencies(&[a]).await?;
        tracing::info!(admin = %staff.0.user.username, agency = %c, "agency updated");
        Ok("đã lưu thông tin cơ quan".to_string())
    }
    .await;
    answer(result, |error, done| async move {
        Ok(agency_admin_page(&st, &staff, Some(&code), error, done)
            .await?
            .render()?)
    })
    .await
}

// ------------------------------------------------------ the catalogue

struct VersionRow {
    version: i32,
    from: String,
    to: String,
    time: String,
}

#[derive(Template)]
#[template(path = "ws_procedure.html")]
struct ProcedureAdminPage {
    tr: Tr,
    nav: Nav,
    q: String,
    hits: Vec<ProcLine>,
    code: String,
    name: String,
    versions: Vec<VersionRow>,
    docs: Vec<DocLine>,
    today: String,
    error: Option<String>,
    done: Option<String>,
}

/// The catalogue is installation-wide: its administrator edits it.
async fn require_root_admin(st: &AppState, u: &User) -> Result<(), WebError> {
    match admin_scope(st, u).await? {
        None => Ok(()),
        Some(_) => Err(WebError::Forbidden(
            "danh mục thủ tục dùng chung toàn hệ thống: chỉ quản trị cấp tỉnh được sửa".into(),
        )),
    }
}

async fn procedure_admin_page(
    st: &AppState,
    staff: &Staff,
    code: Option<&str>,
    q: String,
    error: Option<String>,
    done: Option<String>,
) -> Result<ProcedureAdminPage, WebError> {
    require_root_admin(st, &staff.0.user).await?;
    let (nav, _, _) = nav(st, staff, None, "catalogue").await?;
    let mut page = ProcedureAdminPage {
        tr: Tr::vi(),
        nav,
        q: q.clone(),
        hits: Vec::new(),
        code: String::new(),
        name: String::new(),
        versions: Vec::new(),
        docs: Vec::new(),
        today: now_local().date().format("%Y-%m-%d").to_string(),
        error,
        done,
    };
    page.hits = search_hits(st, &q, None).await?;
    let Some(code) = code else { return Ok(page) };
    let pcode = ProcedureCode::new(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let versions = st.store.procedure_versions(&pcode).await?;
    let current = st
        .store
        .procedure(&pcode, Some(now_local().date()))
        .await?
        .or_else(|| versions.last().cloned())
        .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{code}`")))?;
    page.code = current.procedure.code.to_string();
    page.name = current.procedure.name.clone();
    page.docs = current
        .procedure
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| DocLine {
            index: i,
            name: d.name.clone(),
            group: d.group.clone(),
            quantity: d.quantity.clone(),
            required: d.required,
            checked: d.required,
        })
        .collect();
    page.versions = versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            from: v.valid_from.format("%d/%m/%Y").to_string(),
            to: v
                .valid_to
                .map(|t| t.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "nay".into()),
            time: v.procedure.processing_time_direct_raw.clone(),
        })
        .collect();
    Ok(page)
}

/// `GET /workspace/quan-tri/thu-tuc[?q=…]`: find a procedure of the catalogue.
pub async fn procedures_admin(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<ProcessQuery>,
) -> Result<Html<String>, PageError> {
    let q = q.q.unwrap_or_default().chars().take(200).collect();
    Ok(Html(
        procedure_admin_page(&st, &staff, None, q, None, None)
            .await?
            .render()?,
    ))
}

/// `GET /workspace/quan-tri/thu-tuc/{code}`: its versions and the
/// documents the desk may not do without.
pub async fn procedure_admin(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        procedure_admin_page(&st, &staff, Some(&code), String::new(), None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/thu-tuc/{code}`: a new version from a day with
/// the documents ticked as required (`doc` = index…, `valid_from`).
pub async fn procedure_admin_post(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    require_root_admin(&st, &staff.0.user).await?;
    let result = async {
        let pcode = ProcedureCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let from = chrono::NaiveDate::parse_from_str(field(&f, "valid_from").unwrap_or(""), "%Y-%m-%d")
            .map_err(|_| WebError::BadRequest("ngày áp dụng không hợp lệ".into()))?;
        let mut p = st
            .store
            .procedure(&pcode, Some(from))
            .await?
            .ok_or_else(|| WebError::NotFound(format!("thủ tục {pcode} chưa có hiệu lực vào ngày {from}")))?
            .procedure;
        let ticked: Vec<usize> = f
            .iter()
            .filter(|(k, _)| k == "doc")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        if let Some(i) = ticked.iter().find(|i| **i >= p.documents.len()) {
            return Err(WebError::BadRequest(format!("không có giấy tờ số {}", i + 1)));
        }
        for (i, d) in p.documents.iter_mut().enumerate() {
            d.required = ticked.contains(&i);
        }
        p.valid_from = Some(from);
        st.store.import_procedures(&[p], from).await?;
        tracing::info!(admin = %staff.0.user.username, procedure = %pcode, %from, "procedure version saved");
        Ok(format!(
            "đã lưu phiên bản áp dụng từ {}: {} giấy tờ bắt buộc",
            from.format("%d/%m/%Y"),
            ticked.len()
        ))
    }
    .await;
    answer(result, |error, done| async move {
        Ok(
            procedure_admin_page(&st, &staff, Some(&code), String::new(), error, done)
                .await?
                .render()?,
        )
    })
    .await
}

// ------------------------------------------------ notice templates

struct TemplateLine {
    action: &'static str,
    label: &'static str,
    custom: bool,
    subject: String,
    body: String,
    sms: String,
}

#[derive(Template)]
#[template(path = "ws_templates.html")]
struct TemplatesPage {
    tr: Tr,
    nav: Nav,
    lines: Vec<TemplateLine>,
    placeholders: String,
    error: Option<String>,
    done: Option<String>,
}

async fn templates_page(
    st: &AppState,
    staff: &Staff,
    error: Option<String>,
    done: Option<String>,
) -> Result<TemplatesPage, WebError> {
    require_root_admin(st, &staff.0.user).await?;
    let (nav, _, _) = nav(st, staff, None, "templates").await?;
    let stored = st.store.notice_templates().await?;
    let lines = motcua_core::dossier::NOTIFIED
        .iter()
        .map(|a| {
            let t = stored.get(a.as_str());
            TemplateLine {
                action: a.as_str(),
                label: a.label_vi(),
                custom: t.is_some(),
                subject: t.map(|t| t.subject.clone()).unwrap_or_default(),
                body: t.map(|t| t.body.clone()).unwrap_or_default(),
                sms: t.map(|t| t.sms.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(TemplatesPage {
        tr: Tr::vi(),
        nav,
        lines,
        placeholders: motcua_core::dossier::PLACEHOLDERS
            .map(|p| format!("{{{p}}}"))
            .join(", "),
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/thong-bao`: the wording of each notice.
pub async fn templates(
    State(st): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        templates_page(&st, &staff, None, None).await?.render()?,
    ))
}

/// `POST /workspace/quan-tri/thong-bao`: `op` = `save` (action, subject,
/// body, sms) or `reset` (action: back to the built-in text).
pub async fn templates_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    staff.check_csrf(field(&f, "csrf"))?;
    require_root_admin(&st, &staff.0.user).await?;
    let result = async {
        let action = field(&f, "action").unwrap_or("");
        let a = Action::parse(action)
            .filter(|a| motcua_core::dossier::NOTIFIED.contains(a))
            .ok_or_else(|| {
                WebError::BadRequest(format!("thao tác `{action}` không gửi thông báo"))
            })?;
        match field(&f, "op").unwrap_or("") {
            "save" => {
                let t = motcua_core::dossier::NoticeTemplate {
                    subject: field(&f, "subject").unwrap_or("").trim().to_string(),
                    body: field(&f, "body").unwrap_or("").replace("\r\n", "\n"),
                    sms: field(&f, "sms").unwrap_or("").trim().to_string(),
                };
                st.store
                    .set_notice_template(a.as_str(), &t, &staff.0.user.username)
                    .await?;
                Ok(format!("đã lưu mẫu thông báo \"{}\"", a.label_vi()))
            }
            "reset" => {
                st.store.delete_notice_template(a.as_str()).await?;
                Ok(format!("\"{}\" dùng lại nội dung mặc định", a.label_vi()))
            }
            op => Err(WebError::BadRequest(format!(
                "thao tác `{op}` không hợp lệ"
            ))),
        }
    }
    .await;
    answer(result, |error, done| async move {
        Ok(templates_page(&st, &staff, error, done).await?.render()?)
    })
    .await
}
