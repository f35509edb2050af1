//! The optional citizen account of the portal (`/tai-khoan`, docs/portal.md
//! §Citizen account): sign in with a one-time link sent by e-mail (no
//! password), see the dossiers the account follows, add one with its code
//! and the applicant's ID number (the proof the rating asks for), sign out.
//! Online submissions made while signed in are followed automatically.

use crate::AppState;
use crate::auth::{CITIZEN_COOKIE, ClientIp, cookie, field, form_fields, signed_in};
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use motcua_core::dossier::{DossierCode, is_valid_email};
use motcua_store::citizens::{CitizenSession, LinkRequest};
use serde::Deserialize;
use std::time::Instant;

/// The double-submit token of the sign-in forms.
const FORM_COOKIE: &str = "motcua_acct";

/// One followed dossier, as the account lists it.
struct Row {
    code: String,
    procedure: String,
    state: String,
    due: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    tr: Tr,
    /// Signed in as.
    email: Option<String>,
    rows: Vec<Row>,
    csrf: String,
    ok: Option<String>,
    error: Option<String>,
    /// The confirmation step of a sign-in link: its secret.
    confirm: Option<String>,
    /// A link was sent to this address.
    sent: Option<String>,
    /// Values typed into the forms, kept after an error.
    email_value: String,
    code_value: String,
}

impl AccountPage {
    fn new(csrf: String) -> Self {
        AccountPage {
            tr: Tr::vi(),
            email: None,
            rows: Vec::new(),
            csrf,
            ok: None,
            error: None,
            confirm: None,
            sent: None,
            email_value: String::new(),
            code_value: String::new(),
        }
    }
}

fn fmt_due(t: Option<chrono::NaiveDateTime>) -> String {
    t.map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_default()
}

async fn rows(st: &AppState, email: &str) -> Result<Vec<Row>, WebError> {
    let mut out = Vec::new();
    for code in st.store.followed_dossiers(email).await? {
        let Some(rec) = st.store.dossier(&code).await? else {
            continue;
        };
        let d = &rec.dossier;
        out.push(Row {
            code: code.to_string(),
            procedure: crate::rating::procedure_name(st, d).await?,
            state: d.state.label_vi().to_string(),
            due: fmt_due(d.due_at.or(d.reception_due_at)),
        });
    }
    Ok(out)
}

/// The page for the current visitor: their dossiers when signed in, the
/// sign-in form otherwise. The form token is the session's when signed in,
/// a fresh double-submit token otherwise.
async fn page_for(
    st: &AppState,
    session: Option<&CitizenSession>,
) -> Result<AccountPage, WebError> {
    Ok(match session {
        Some(s) => {
            let mut p = AccountPage::new(s.csrf.clone());
            p.email = Some(s.email.clone());
            p.rows = rows(st, &s.email).await?;
            p
        }
        None => AccountPage::new(uuid::Uuid::new_v4().simple().to_string()),
    })
}

fn render(status: StatusCode, p: AccountPage) -> Result<Response, PageError> {
    let html = p.render()?;
    Ok(if p.email.is_some() {
        let mut res = (status, Html(html)).into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    } else {
        crate::auth::with_form_cookie(status, html, FORM_COOKIE, &p.csrf, "/tai-khoan")
    })
}

fn form_token_ok(headers: &HeaderMap, f: &[(String, String)]) -> bool {
    matches!((cookie(headers, FORM_COOKIE), field(f, "csrf")), (Some(c), Some(t)) if !c.is_empty() && c == t)
}

fn expired_form() -> WebError {
    WebError::Forbidden("biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang".into())
}

/// `GET /tai-khoan`.
pub async fn show(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let s = signed_in(&st, &headers).await?;
    render(StatusCode::OK, page_for(&st, s.as_ref()).await?)
}

#[derive(Deserialize)]
pub struct ReadsQuery {
    #[serde(default)]
    ma: String,
}

/// `GET /tai-khoan/ai-da-xem?ma=…`: who opened one of the dossiers this
/// account follows (the account proved who it is when it began following:
/// code and ID number, or submitting while signed in). A code the account
/// does not follow answers as an unknown one.
pub async fn reads(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReadsQuery>,
) -> Result<Response, PageError> {
    let Some(s) = signed_in(&st, &headers).await? else {
        return Ok(Redirect::to("/tai-khoan").into_response());
    };
    let ma: String = q.ma.trim().chars().take(40).collect();
    let followed = match DossierCode::parse(&ma) {
        Ok(code) => st
            .store
            .followed_dossiers(&s.email)
            .await
            .map_err(WebError::from)?
            .into_iter()
            .find(|c| *c == code),
        Err(_) => None,
    };
    match followed {
        Some(code) => {
            let lines = crate::lookup::read_lines(&st, &code).await?;
            crate::lookup::reads_page(StatusCode::OK, ma, Some(lines), None, true)
        }
        None => crate::lookup::reads_page(
            StatusCode::NOT_FOUND,
            ma,
            None,
            Some(Tr::vi().t("reads.not_followed").to_string()),
            true,
        ),
    }
}

/// `POST /tai-khoan/dang-nhap`: `csrf`, `email`. Sends a sign-in link.
pub async fn request_link(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    let email = field(&f, "email").unwrap_or("").trim().to_string();
    let result: Result<String, WebError> = async {
        if !form_token_ok(&headers, &f) {
            return Err(expired_form());
        }
        if !is_valid_email(&email) {
            return Err(WebError::BadRequest(format!(
                "`{email}` không phải địa chỉ thư điện tử hợp lệ (ví dụ: ten@example.vn)"
            )));
        }
        if let Some(ip) = ip
            && !st.lookups.allow(ip, Instant::now())
        {
            return Err(WebError::TooManyRequests(Tr::vi().t("lookup.too_many").to_string()));
        }
        let portal = st.store.portal_url().to_string();
        let outcome = st
            .store
            .request_citizen_link(
                &email,
                Utc::now(),
                "Đường dẫn đăng nhập Cổng dịch vụ công",
                |secret| {
                    format!(
                        "Kính gửi ông/bà,\n\nĐể đăng nhập tài khoản trên Cổng dịch vụ công, mời mở đường dẫn sau (dùng được một lần, trong 30 phút):\n\n{portal}/tai-khoan/xac-nhan?t={secret}\n\nNếu ông/bà không yêu cầu đăng nhập, xin bỏ qua thư này.\n\nĐây là thư tự động của Hệ thống một cửa điện tử; xin không trả lời thư này.\n"
                    )
                },
            )
            .await?;
        match outcome {
            LinkRequest::Queued(_) => Ok(email.clone()),
            LinkRequest::TooMany => Err(WebError::TooManyRequests(
                "đã gửi nhiều đường dẫn đăng nhập đến địa chỉ này trong một giờ; vui lòng dùng thư đã nhận hoặc thử lại sau".into(),
            )),
        }
    }
    .await;
    answer(
        page_for(&st, None).await?,
        result,
        |p, to| {
            tracing::info!("citizen sign-in link queued");
            p.sent = Some(to);
        },
        |p| p.email_value = email,
    )
}

/// The page after a form post: `ok` fills it on success; on a refusal
/// (4xx) it shows the message with that status and `keep` puts back what
/// was typed; other errors become the error page.
fn answer<T>(
    mut p: AccountPage,
    result: Result<T, WebError>,
    ok: impl FnOnce(&mut AccountPage, T),
    keep: impl FnOnce(&mut AccountPage),
) -> Result<Response, PageError> {
    match result {
        Ok(v) => {
            ok(&mut p, v);
            render(StatusCode::OK, p)
        }
        Err(e) if e.status().is_client_error() => {
            let status = e.status();
            p.error = Some(e.to_string());
            keep(&mut p);
            render(status, p)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct LinkQuery {
    t: Option<String>,
}

/// `GET /tai-khoan/xac-nhan?t=…`: a button that signs in (a link opened by
/// a mail scanner must not use the one-time link up).
pub async fn confirm_form(
    State(st): State<AppState>,
    Query(q): Query<LinkQuery>,
) -> Result<Response, PageError> {
    let t = q.t.unwrap_or_default();
    if t.is_empty() || t.len() > 128 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(WebError::BadRequest("đường dẫn đăng nhập không hợp lệ".into()).into());
    }
    let mut p = page_for(&st, None).await?;
    p.confirm = Some(t);
    render(StatusCode::OK, p)
}

fn session_cookie(st: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if st.store.portal_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{CITIZEN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("motcua_citizen=; Path=/; Max-Age=0"))
}

/// `POST /tai-khoan/xac-nhan`: `csrf`, `t`. Uses the link, signs in.
pub async fn confirm(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    if !form_token_ok(&headers, &f) {
        let mut p = page_for(&st, None).await?;
        p.error = Some(expired_form().to_string());
        return render(StatusCode::FORBIDDEN, p);
    }
    let t = field(&f, "t").unwrap_or("");
    match st.store.use_citizen_link(t, Utc::now()).await? {
        Some((secret, _)) => {
            let mut res = Redirect::to("/tai-khoan").into_response();
            *res.status_mut() = StatusCode::SEE_OTHER;
            res.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(
                    &st,
                    &secret,
                    motcua_store::citizens::SESSION_LIFETIME.num_seconds(),
                ),
            );
            tracing::info!("citizen signed in");
            Ok(res)
        }
        None => {
            let mut p = page_for(&st, None).await?;
            p.error = Some(
                "đường dẫn đăng nhập đã được dùng hoặc đã quá 30 phút; mời nhập lại địa chỉ thư để nhận đường dẫn mới".into(),
            );
            render(StatusCode::GONE, p)
        }
    }
}

/// The signed-in citizen of a form post, checked against its token.
async fn session_of_post(
    st: &AppState,
    headers: &HeaderMap,
    f: &[(String, String)],
) -> Result<CitizenSession, WebError> {
    let s = signed_in(st, headers)
        .await?
        .ok_or_else(|| WebError::Forbidden("phiên đăng nhập đã hết; mời đăng nhập lại".into()))?;
    if field(f, "csrf") != Some(s.csrf.as_str()) {
        return Err(expired_form());
    }
    Ok(s)
}

/// `POST /tai-khoan/them`: `csrf`, `code`, `id_number`. Follows a dossier.
pub async fn add(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    let s = session_of_post(&st, &headers, &f).await?;
    let code_text = field(&f, "code").unwrap_or("").trim().to_string();
    let result: Result<DossierCode, WebError> = async {
        let now = Instant::now();
        if let Some(ip) = ip
            && !st.lookups.allow(ip, now)
        {
            return Err(WebError::TooManyRequests(
                Tr::vi().t("lookup.too_many").to_string(),
            ));
        }
        let missing = || {
            WebError::BadRequest(format!(
                "không có hồ sơ mã `{code_text}`; xem mã trên giấy tiếp nhận"
            ))
        };
        let code = DossierCode::parse(&code_text).map_err(|_| missing())?;
        let rec = st.store.dossier(&code).await?.ok_or_else(missing)?;
        crate::rating::prove_applicant(&st, ip, now, &rec.dossier, field(&f, "id_number"))?;
        st.store.follow_dossier(&s.email, &code, Utc::now()).await?;
        Ok(code)
    }
    .await;
    answer(
        page_for(&st, Some(&s)).await?,
        result,
        |p, code| p.ok = Some(format!("Đã thêm hồ sơ {code} vào tài khoản.")),
        |p| p.code_value = code_text,
    )
}

/// `POST /tai-khoan/dang-xuat`: `csrf`. Signs out.
pub async fn sign_out(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    session_of_post(&st, &headers, &f).await?;
    if let Some(secret) = cookie(&headers, CITIZEN_COOKIE) {
        st.store.end_citizen_session(secret).await?;
    }
    let mut res = Redirect::to("/tai-khoan").into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    res.headers_mut()
        .append(header::SET_COOKIE, session_cookie(&st, "", 0));
    Ok(res)
}
