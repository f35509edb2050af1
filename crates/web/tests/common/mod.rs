//! Helpers shared by the web tests.
#![allow(dead_code)]

/// A request body that counts the bytes the server pulled from it.
pub struct Counting {
    pub left: usize,
    pub pulled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl http_body::Body for Counting {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = self.left.min(64 << 10);
        self.left -= n;
        self.pulled
            .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(axum::body::Bytes::from(
            vec![b' '; n],
        )))))
    }
}

// The staff workspace through the real router: requests with cookies and
// forms, and signing in through the form as a person would.
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;
use motcua_store::Store;
use motcua_web::{AppState, router};
use tower::ServiceExt;

pub struct Res {
    pub status: StatusCode,
    pub location: String,
    pub cookies: Vec<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub async fn send(
    st: &AppState,
    method: &str,
    uri: &str,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> Res {
    let mut req = Request::builder().method(method).uri(uri);
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(f).unwrap())
        }
        None => Body::empty(),
    };
    request(st, req.body(body).unwrap()).await
}

/// Sends a request through the router; the answer as [`Res`].
pub async fn request(st: &AppState, req: Request<Body>) -> Res {
    let res = router(st.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookies = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let bytes = to_bytes(res.into_body(), 16 << 20).await.unwrap();
    Res {
        status,
        location,
        cookies,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The value of `name="…" value="…"` in a page.
pub fn hidden(body: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    body.split(&pat)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in page"))
        .to_string()
}

pub fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|c| {
        c.strip_prefix(&format!("{name}="))
            .map(|r| r.split(';').next().unwrap().to_string())
            .filter(|v| !v.is_empty())
    })
}

pub async fn person(store: &Store, name: &str, agency: &str, roles: &[Role], pw: &str) {
    store
        .create_user(name, "", &AgencyCode::new(agency).unwrap(), roles, None)
        .await
        .unwrap();
    store.set_password(name, pw).await.unwrap();
}

/// Signs in through the form; returns the session cookie header.
pub async fn sign_in(st: &AppState, user: &str, pw: &str) -> String {
    let page = send(st, "GET", "/login", "", None).await;
    let csrf = hidden(&page.body, "csrf");
    let login = cookie_value(&page.cookies, "motcua_login").unwrap();
    let res = send(
        st,
        "POST",
        "/login",
        &format!("motcua_login={login}"),
        Some(&[
            ("csrf", &csrf),
            ("username", user),
            ("password", pw),
            ("next", "/workspace/"),
        ]),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let s = cookie_value(&res.cookies, "motcua_session").expect("session cookie");
    format!("motcua_session={s}")
}
