//! Sign-in to the staff workspace: the login form, the session cookie, the
//! [`Staff`] extractor that every workspace page takes, CSRF tokens on every
//! form, a per-address throttle on sign-in attempts, and the security
//! headers of every page. Passwords are checked by the store (Argon2) and
//! never logged.

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use motcua_store::{LoginOutcome, Session};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie (HttpOnly, SameSite=Lax; Secure behind HTTPS).
pub const SESSION_COOKIE: &str = "motcua_session";
/// The sign-in form's CSRF cookie (double submit, before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "motcua_login";
/// Failed sign-ins allowed per client address per [`THROTTLE_WINDOW`]
/// (successful ones do not count: a desk's officers share one address).
pub const THROTTLE_ATTEMPTS: usize = 20;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(300);

/// Recent failed sign-ins by client address.
#[derive(Clone, Default)]
pub struct LoginThrottle(
    Arc<Mutex<HashMap<IpAddr, Vec<Instant>>>>,
    Arc<Mutex<PairFailures>>,
);

/// Consecutive failures and the last one, per (account, address).
type PairFailures = HashMap<(String, IpAddr), (u32, Instant)>;

impl LoginThrottle {
    /// How long `ip` must still wait before trying `username` again
    /// (growing with its consecutive failures on that account:
    /// `core::access::login_delay`); `None` when it may try now.
    pub fn wait(&self, username: &str, ip: IpAddr, now: Instant) -> Option<Duration> {
        let pairs = self.1.lock().unwrap_or_else(|p| p.into_inner());
        let (n, last) = pairs.get(&(username.to_lowercase(), ip))?;
        let ready = *last + motcua_core::access::login_delay(*n);
        (ready > now).then(|| ready - now)
    }

    /// Records a failed sign-in of `username` from `ip`.
    pub fn pair_failed(&self, username: &str, ip: IpAddr, now: Instant) {
        let mut pairs = self.1.lock().unwrap_or_else(|p| p.into_inner());
        if pairs.len() > 100_000 {
            pairs.retain(|_, (_, last)| now.duration_since(*last) < Duration::from_secs(3600));
        }
        let e = pairs
            .entry((username.to_lowercase(), ip))
            .or_insert((0, now));
        e.0 = e.0.saturating_add(1);
        e.1 = now;
    }

    /// Forgets the failures of `username` from `ip` (after a success).
    pub fn pair_succeeded(&self, username: &str, ip: IpAddr) {
        let mut pairs = self.1.lock().unwrap_or_else(|p| p.into_inner());
        pairs.remove(&(username.to_lowercase(), ip));
    }

    /// True when the address failed too often recently.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(&ip) {
            Some(v) => {
                v.retain(|t| now.duration_since(*t) < THROTTLE_WINDOW);
                v.len() >= THROTTLE_ATTEMPTS
            }
            None => false,
        }
    }

    /// Records a failed sign-in.
    pub fn failed(&self, ip: IpAddr, now: Instant) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, v| {
                v.last()
                    .is_some_and(|t| now.duration_since(*t) < THROTTLE_WINDOW)
            });
        }
        map.entry(ip).or_default().push(now);
    }
}

/// The cookies of a request, by name.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn behind_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if behind_https(headers) {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The signed-in officer of a workspace request. Without a live session a
/// page request is redirected to `/login?next=…`.
pub struct Staff(pub Session);

/// The rejection of [`Staff`]: a redirect to the sign-in page, or an error.
pub enum StaffRejection {
    SignIn(String),
    Error(PageError),
}

impl IntoResponse for StaffRejection {
    fn into_response(self) -> Response {
        match self {
            StaffRejection::SignIn(next) => {
                let to = format!("/login?next={}", crate::text::urlencode(&next));
                Redirect::to(&to).into_response()
            }
            StaffRejection::Error(e) => e.into_response(),
        }
    }
}

/// The signed-in citizen's cookie on the portal (a random secret; the store
/// keeps its hash).
pub const CITIZEN_COOKIE: &str = "motcua_citizen";

/// The citizen signed in on this request, if any.
pub async fn signed_in(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<Option<motcua_store::citizens::CitizenSession>, WebError> {
    match cookie(headers, CITIZEN_COOKIE) {
        Some(secret) if !secret.is_empty() => {
            Ok(st.store.citizen_session(secret, Utc::now()).await?)
        }
        _ => Ok(None),
    }
}

/// A public form's page with its double-submit cookie (`name=value`, for
/// `path` only, two hours), never cached.
pub(crate) fn with_form_cookie(
    status: StatusCode,
    html: String,
    name: &str,
    value: &str,
    path: &str,
) -> Response {
    let mut res = (status, Html(html)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age=7200"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = StaffRejection;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, StaffRejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/workspace/".into());
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(StaffRejection::SignIn(next));
        };
        match st.store.session(secret, Utc::now()).await {
            Ok(Some(s)) => Ok(Staff(s)),
            Ok(None) => Err(StaffRejection::SignIn(next)),
            Err(e) => Err(StaffRejection::Error(e.into())),
        }
    }
}

impl Staff {
    /// Refuses a form whose CSRF token is not the session's (403, nothing
    /// changed).
    pub fn check_csrf(&self, token: Option<&str>) -> Result<(), WebError> {
        match token {
            Some(t) if constant_eq(t.as_bytes(), self.0.csrf.as_bytes()) => Ok(()),
            _ => Err(WebError::Forbidden(
                "phiên làm việc của biểu mẫu không hợp lệ hoặc đã hết hạn; hãy tải lại trang và thử lại".into(),
            )),
        }
    }

    /// A workspace form's fields, once its CSRF token is the session's: the
    /// first thing every workspace form does.
    pub fn checked_form(&self, body: &[u8]) -> Result<Vec<(String, String)>, WebError> {
        let f = form_fields(body)?;
        self.check_csrf(field(&f, "csrf"))?;
        Ok(f)
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client address, when the server was started with connect info: the
/// socket's peer, or, when that peer is one of the `trusted_proxies`, the
/// address those proxies forwarded (`X-Forwarded-For`).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(peer.map(|p| {
            client_address(p, &parts.headers, &st.trusted_proxies)
        })))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy;
/// then the `X-Forwarded-For` list read from the right, skipping trusted
/// proxies, stopping at the first address that is not one (anything left
/// of it was written by the client and proves nothing). An unreadable
/// entry stops the walk at the last trusted hop.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// Reads the `trusted_proxies` setting: addresses or CIDR blocks.
pub fn parse_trusted_proxies(list: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    list.iter()
        .map(|s| {
            let s = s.trim();
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("trusted_proxies: `{s}` không phải địa chỉ IP hoặc khối CIDR"))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only local paths under the workspace are followed after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/workspace") && !n.contains("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/workspace/".to_string(),
    }
}

fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn login_page(
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let csrf = new_token();
    let html = LoginPage {
        tr: Tr::vi(),
        csrf: csrf.clone(),
        next,
        username,
        error,
    }
    .render()?;
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(headers, LOGIN_CSRF_COOKIE, &csrf, Some(3600)),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `GET /login`.
pub async fn login_form(
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    login_page(
        &headers,
        StatusCode::OK,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    )
}

/// The fields of a form body, in order (repeated names kept).
pub fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, WebError> {
    if body.len() > 256 * 1024 {
        return Err(WebError::TooLarge("biểu mẫu quá lớn".into()));
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| WebError::BadRequest(format!("biểu mẫu không đọc được: {e}")))
}

/// The first value of a field.
pub fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `POST /login`: name, password, CSRF token (matching the cookie set by
/// the form), `next`.
pub async fn login(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    let next = safe_next(field(&f, "next"));
    let username = field(&f, "username")
        .unwrap_or("")
        .trim()
        .chars()
        .take(64)
        .collect::<String>();
    let password = field(&f, "password").unwrap_or("");
    let again = |status, msg: &str| {
        login_page(
            &headers,
            status,
            next.clone(),
            username.clone(),
            Some(msg.to_string()),
        )
    };
    let token_ok = match (cookie(&headers, LOGIN_CSRF_COOKIE), field(&f, "csrf")) {
        (Some(c), Some(t)) => constant_eq(c.as_bytes(), t.as_bytes()),
        _ => false,
    };
    if !token_ok {
        return again(
            StatusCode::FORBIDDEN,
            "Biểu mẫu đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.",
        );
    }
    if let Some(ip) = ip
        && st.login_throttle.blocked(ip, Instant::now())
    {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            "Quá nhiều lần đăng nhập sai từ máy này. Vui lòng thử lại sau 5 phút.",
        );
    }
    if username.is_empty() || password.is_empty() {
        return again(
            StatusCode::BAD_REQUEST,
            "Vui lòng nhập tên đăng nhập và mật khẩu.",
        );
    }
    if let Some(ip) = ip
        && let Some(wait) = st.login_throttle.wait(&username, ip, Instant::now())
    {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Đã nhập sai nhiều lần cho tài khoản này từ máy này. Vui lòng thử lại sau {} giây.",
                wait.as_secs().max(1)
            ),
        );
    }
    match st.store.login(&username, password, Utc::now()).await? {
        LoginOutcome::Ok { secret, session } => {
            tracing::info!(user = %session.user.username, "signed in");
            if let Some(ip) = ip {
                st.login_throttle.pair_succeeded(&username, ip);
            }
            let mut res = Redirect::to(&next).into_response();
            let max_age = (session.expires_at - Utc::now()).num_seconds().max(0);
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&headers, SESSION_COOKIE, &secret, Some(max_age)),
            );
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&headers, LOGIN_CSRF_COOKIE, "", Some(0)),
            );
            Ok(res)
        }
        LoginOutcome::BadCredentials => {
            tracing::info!(user = %username, "sign-in refused");
            if let Some(ip) = ip {
                st.login_throttle.failed(ip, Instant::now());
                st.login_throttle.pair_failed(&username, ip, Instant::now());
            }
            again(
                StatusCode::UNAUTHORIZED,
                "Tên đăng nhập hoặc mật khẩu không đúng.",
            )
        }
        LoginOutcome::Locked(until) => {
            tracing::warn!(user = %username, "account locked");
            let local = motcua_core::calendar::to_local(until);
            again(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Tài khoản tạm khóa do đăng nhập sai nhiều lần, đến {} (giờ Việt Nam). Liên hệ quản trị để mở khóa sớm hơn.",
                    local.format("%H:%M ngày %d/%m/%Y")
                ),
            )
        }
        LoginOutcome::Disabled => again(
            StatusCode::FORBIDDEN,
            "Tài khoản đã bị vô hiệu hóa. Liên hệ quản trị hệ thống.",
        ),
    }
}

/// `POST /logout`.
pub async fn logout(
    State(st): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    staff.checked_form(&body)?;
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        st.store.logout(secret).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, SESSION_COOKIE, "", Some(0)),
    );
    Ok(res)
}

/// Security headers on every answer: a strict Content-Security-Policy (no
/// inline script; the Swagger UI keeps its own), no framing, no sniffing, no
/// referrer to other sites.
/// Whether a path's answers may hold personal data (never kept by a
/// browser or a shared cache: `Cache-Control: no-store`).
pub fn personal_path(path: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "/workspace",
        "/api/dossiers",
        "/api/ledger",
        "/tai-khoan",
        "/tra-cuu-ho-so",
        "/nop-truc-tuyen",
        "/login",
        "/danh-gia",
    ];
    PREFIXES.iter().any(|p| path.starts_with(p))
}

pub async fn security_headers(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_string();
    let swagger = path.starts_with("/api/docs");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if personal_path(&path) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Served over HTTPS (as public_url says): browsers keep to it.
    if st.store.portal_url().starts_with("https://") {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !swagger {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_sign_ins_block_an_address_for_a_window() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let now = Instant::now();
        for _ in 0..THROTTLE_ATTEMPTS - 1 {
            t.failed(ip, now);
        }
        assert!(!t.blocked(ip, now));
        t.failed(ip, now);
        assert!(t.blocked(ip, now));
        assert!(!t.blocked(other, now), "per address");
        assert!(!t.blocked(ip, now + THROTTLE_WINDOW), "the window passes");
    }

    #[test]
    fn the_client_is_read_from_trusted_proxies_only() {
        let trusted = parse_trusted_proxies(&["10.0.0.0/8".into(), "192.0.2.1".into()]).unwrap();
        let h = |xff: &str| {
            let mut m = HeaderMap::new();
            m.insert("x-forwarded-for", xff.parse().unwrap());
            m
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // An untrusted peer: its header is ignored.
        assert_eq!(
            client_address(ip("203.0.113.9"), &h("198.51.100.1"), &trusted),
            ip("203.0.113.9")
        );
        // A trusted proxy: the rightmost address that is not a proxy.
        assert_eq!(
            client_address(ip("10.1.2.3"), &h("198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_address(
                ip("10.1.2.3"),
                &h("1.1.1.1, 198.51.100.1, 10.9.9.9"),
                &trusted
            ),
            ip("198.51.100.1"),
            "what the client wrote on the left proves nothing"
        );
        assert_eq!(
            client_address(ip("192.0.2.1"), &h("junk, 10.0.0.5"), &trusted),
            ip("10.0.0.5")
        );
        assert_eq!(
            client_address(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        assert!(parse_trusted_proxies(&["not-an-ip".into()]).is_err());
    }

    #[test]
    fn sign_in_is_slowed_per_account_and_address_not_locked() {
        let t = LoginThrottle::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.7".parse().unwrap(), "192.0.2.8".parse().unwrap());
        let now = Instant::now();
        for _ in 0..motcua_core::access::FREE_LOGIN_FAILURES {
            assert_eq!(t.wait("CanBo", a, now), None);
            t.pair_failed("canbo", a, now);
        }
        assert_eq!(t.wait("canbo", a, now), None, "three free failures");
        t.pair_failed("canbo", a, now);
        assert_eq!(t.wait("CANBO", a, now), Some(Duration::from_secs(1)));
        assert_eq!(
            t.wait("canbo", b, now),
            None,
            "another address is not slowed"
        );
        assert_eq!(
            t.wait("other", a, now),
            None,
            "another account is not slowed"
        );
        assert_eq!(
            t.wait("canbo", a, now + Duration::from_secs(1)),
            None,
            "the delay passes"
        );
        t.pair_succeeded("canbo", a);
        assert_eq!(t.wait("canbo", a, now), None);
    }

    #[test]
    fn only_workspace_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/workspace/ho-so/X")), "/workspace/ho-so/X");
        assert_eq!(safe_next(Some("https://evil.example/")), "/workspace/");
        assert_eq!(safe_next(Some("/workspace//evil.example")), "/workspace/");
        assert_eq!(safe_next(None), "/workspace/");
    }
}
