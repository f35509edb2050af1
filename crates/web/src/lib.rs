//! The HTTP server of motcua: the JSON API (with its OpenAPI document), the
//! server-rendered pages, health, readiness and metrics.

pub mod account;
mod api;
pub mod auth;
pub mod calendar;
pub mod dashboard;
pub mod documents;
pub mod dossiers;
pub mod error;
pub mod federation;
pub mod i18n;
pub mod lookup;
pub mod news;
pub mod pages;
mod params;
pub mod rating;
pub mod reports;
pub mod slips;
pub mod stats;
pub mod submit;
mod text;
pub mod visits;
pub mod workspace;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use motcua_store::Store;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub metrics: PrometheusHandle,
    /// Uploaded documents and results.
    pub files: motcua_store::files::Files,
    /// Recent sign-in attempts by client address.
    pub login_throttle: auth::LoginThrottle,
    /// Recent public dossier lookups by client address.
    pub lookups: lookup::LookupLimiter,
    /// The portal's visit counter.
    pub visits: visits::VisitCounter,
    /// Recent online submissions by client address.
    pub submissions: submit::SubmitLimiter,
    /// Reverse proxies whose `X-Forwarded-For` is believed (empty: the
    /// socket's peer is the client).
    pub trusted_proxies: std::sync::Arc<Vec<ipnet::IpNet>>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            metrics: metrics_handle(),
            files: motcua_store::files::Files::local(std::env::temp_dir().join("motcua-files")),
            login_throttle: Default::default(),
            lookups: Default::default(),
            visits: Default::default(),
            submissions: Default::default(),
            trusted_proxies: Default::default(),
        }
    }

    /// The same, believing `X-Forwarded-For` from these proxies only.
    pub fn with_trusted_proxies(mut self, proxies: Vec<ipnet::IpNet>) -> Self {
        self.trusted_proxies = std::sync::Arc::new(proxies);
        self
    }

    /// The same, keeping files under `files` (content-addressed).
    pub fn with_files(mut self, files: motcua_store::files::Files) -> Self {
        self.files = files;
        self
    }
}

/// The process-wide Prometheus recorder (installed once).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by an embedding
            // program); the handle still renders this one's metrics.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The largest body of a small public form (sign-in, rating, citizen
/// account): read before anyone is known, so kept to what it needs.
pub const SMALL_FORM: usize = 64 << 10;

/// The full application router.
pub fn router(state: AppState) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/", get(pages::home))
        .route("/thu-tuc", get(pages::catalogue))
        .route("/thu-tuc/{code}", get(pages::procedure))
        .route("/thu-tuc/niem-yet/{file}", get(slips::catalogue_listing))
        .route("/don-vi/{code}", get(pages::unit))
        .route("/api/procedures", get(api::list_procedures))
        .route("/api/procedures/{code}", get(api::get_procedure))
        .route("/api/fields", get(api::list_fields))
        .route("/api/units", get(api::list_units))
        .route("/api/units/{code}", get(api::get_unit))
        .route("/api/agencies", get(api::list_agencies))
        .route("/api/agencies/{code}", get(api::get_agency))
        .route("/api/dossiers", axum::routing::post(dossiers::create))
        .route("/api/dossiers/{code}", get(dossiers::get))
        .route(
            "/api/dossiers/{code}/actions",
            axum::routing::post(dossiers::act),
        )
        .route("/api/dossiers/{code}/slips/{form}", get(slips::slip))
        .route("/api/ledger.pdf", get(slips::ledger))
        .route("/api/reports/statistics", get(dashboard::api_statistics))
        .route("/api/reports/causes", get(dashboard::api_causes))
        .route("/api/reports/index", get(dashboard::api_index))
        .route(
            "/api/federation/messages",
            // The handler reads the body itself, after checking the caller.
            axum::routing::post(federation::receive),
        )
        .route(
            "/api/dossiers/{code}/documents",
            axum::routing::post(documents::upload)
                .get(documents::list)
                .layer(axum::extract::DefaultBodyLimit::max(
                    documents::MAX_UPLOAD + 1,
                )),
        )
        .route(
            "/api/dossiers/{code}/documents/{sha256}",
            get(documents::download),
        )
        .route("/api/calendar/{year}", get(calendar::api_year))
        .route("/lich", get(calendar::page_this_year))
        .route("/lich/{year}", get(calendar::page_year))
        .route("/tra-cuu-ho-so", get(lookup::lookup))
        .route(
            "/tra-cuu-ho-so/ai-da-xem",
            get(|| async { axum::response::Redirect::to("/tra-cuu-ho-so") })
                .post(lookup::reads)
                .layer(axum::extract::DefaultBodyLimit::max(SMALL_FORM)),
        )
        .route("/tin-tuc", get(news::list))
        .route("/tin-tuc/feed.atom", get(news::feed))
        .route("/tin-tuc/anh/{sha}", get(news::image))
        .route("/tin-tuc/{slug}", get(news::article))
        .route("/thong-ke", get(stats::page))
        .route(
            "/danh-gia/{code}",
            get(rating::form)
                .post(rating::submit)
                .layer(axum::extract::DefaultBodyLimit::max(SMALL_FORM)),
        )
        .route("/tai-khoan", get(account::show))
        .route("/tai-khoan/ai-da-xem", get(account::reads))
        .route(
            "/tai-khoan/dang-nhap",
            axum::routing::post(account::request_link)
                .layer(axum::extract::DefaultBodyLimit::max(SMALL_FORM)),
        )
        .route(
            "/tai-khoan/xac-nhan",
            get(account::confirm_form)
                .post(account::confirm)
                .layer(axum::extract::DefaultBodyLimit::max(SMALL_FORM)),
        )
        .route(
            "/tai-khoan/them",
            axum::routing::post(account::add)
                .layer(axum::extract::DefaultBodyLimit::max(SMALL_FORM)),
        )
        .route(
            "/tai-khoan/dang-xuat",
            axum::routing::post(account::sign_out),
        )
        .route("/sitemap.xml", get(pages::sitemap))
        .route("/robots.txt", get(robots))
        .route(
            "/nop-truc-tuyen/{code}",
            get(submit::form)
                .post(submit::submit)
                .layer(axum::extract::DefaultBodyLimit::max(submit::MAX_SUBMISSION)),
        )
        .route(
            "/login",
            get(auth::login_form)
                .post(auth::login)
                .layer(axum::extract::DefaultBodyLimit::max(SMALL_FORM)),
        )
        .route("/logout", axum::routing::post(auth::logout))
        .route(
            "/workspace",
            get(|| async { axum::response::Redirect::permanent("/workspace/") }),
        )
        .route("/workspace/", get(workspace::queue))
        .route("/workspace/tim", get(workspace::find))
        .route("/workspace/tiep-nhan", get(workspace::desk))
        .route(
            "/workspace/tiep-nhan/{code}",
            get(workspace::receive_form).post(workspace::receive_submit),
        )
        .route(
            "/workspace/ho-so/{code}",
            get(workspace::dossier).post(workspace::act),
        )
        .route(
            "/workspace/ho-so/{code}/tai-lieu",
            axum::routing::post(workspace::upload).layer(axum::extract::DefaultBodyLimit::max(
                documents::MAX_UPLOAD + (1 << 20),
            )),
        )
        .route(
            "/workspace/mat-khau",
            get(workspace::password_form).post(workspace::password_change),
        )
        .route(
            "/workspace/quan-tri/nguoi-dung",
            get(workspace::users).post(workspace::users_post),
        )
        .route("/workspace/quan-tri/quy-trinh", get(workspace::processes))
        .route(
            "/workspace/quan-tri/quy-trinh/{code}",
            get(workspace::process).post(workspace::process_save),
        )
        .route(
            "/workspace/quan-tri/lich",
            get(workspace::calendar_admin).post(workspace::calendar_admin_post),
        )
        .route(
            "/workspace/quan-tri/co-quan",
            get(workspace::agency_admin).post(workspace::agency_admin_post),
        )
        .route(
            "/workspace/quan-tri/thu-tuc",
            get(workspace::procedures_admin),
        )
        .route(
            "/workspace/quan-tri/thu-tuc/{code}",
            get(workspace::procedure_admin).post(workspace::procedure_admin_post),
        )
        .route(
            "/workspace/quan-tri/thong-bao",
            get(workspace::templates).post(workspace::templates_post),
        )
        .route("/workspace/tin-tuc", get(news::editor_list))
        .route("/workspace/bao-cao", get(dashboard::page))
        .route("/workspace/bao-cao/tai-ve", get(dashboard::download_page))
        .route(
            "/workspace/tin-tuc/moi",
            get(news::new_form)
                .post(news::create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    news::IMAGE_MAX + (1 << 20),
                )),
        )
        .route(
            "/workspace/tin-tuc/{slug}",
            get(news::edit_form)
                .post(news::update)
                .layer(axum::extract::DefaultBodyLimit::max(
                    news::IMAGE_MAX + (1 << 20),
                )),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_page))
        .route("/static/site.css", get(css))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", api::openapi_document()))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), visits::count))
        .layer(middleware::from_fn(track))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// Robots may read the portal, not the workspace or the API.
async fn robots() -> &'static str {
    "User-agent: *\nDisallow: /workspace/\nDisallow: /api/\nDisallow: /login\nDisallow: /tai-khoan\nSitemap: /sitemap.xml\n"
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics_page(State(st): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        st.metrics.render(),
    )
        .into_response()
}

async fn css() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/site.css"),
    )
        .into_response()
}

/// Counts requests and their latency by route and status.
async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// How long a client may take to send a request's headers: a connection
/// that sends them more slowly is closed (800 half-open connections were
/// once held for 45 s; issue 18.11).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, HEADER_READ_TIMEOUT).await
}

/// [`serve`] with the header-read timeout chosen: HTTP/1.1 connections
/// (hyper) with the client's address in each request (`ConnectInfo`), and
/// a graceful end: on `shutdown` no new connection is taken, idle ones
/// close, requests in flight finish.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    header_read_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let app = router(state);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut conns = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let svc = tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            },
        );
        let svc = hyper_util::service::TowerToHyperService::new(svc);
        let mut stop = stop_rx.clone();
        conns.spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .serve_connection(TokioIo::new(stream), svc)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r { tracing::debug!(error = %e, "connection ended"); }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        while conns.try_join_next().is_some() {}
    }
    let _ = stop_tx.send(true);
    while conns.join_next().await.is_some() {}
    Ok(())
}
