//! `motcua bench --scenario pages`: server time of the portal's pages on the
//! demo data set (issue 6 §9: under 50 ms). Requests go through the whole
//! router (middleware, handlers, templates, the store) in this process, so
//! the figure is the server's time without the network.

use crate::CliError;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_store::Store;
use std::time::Instant;
use tower::ServiceExt;

const PAGES: [&str; 14] = [
    "/",
    "/thu-tuc",
    "/thu-tuc?q=dang+ky+khai+sinh",
    "/thu-tuc?agency=H55.305.1",
    "/thu-tuc/1.001193",
    "/nop-truc-tuyen/1.001193",
    "/tra-cuu-ho-so?ma=H55.305.1-261127-0002",
    "/tin-tuc",
    "/tin-tuc/to-khao-sat-so-1-hdnd-tinh-khao-sat-ket-qua-cong-tac-cai-cach-hanh-chinh-giai",
    "/thong-ke",
    "/danh-gia/H55.305.1-261116-0001",
    "/tai-khoan",
    "/lich/2026",
    "/sitemap.xml",
];

pub async fn run(store: &Store, requests: usize) -> Result<(), CliError> {
    let engine = store.engine();
    motcua_store::demo::load(store).await?;
    motcua_store::demo::load_dossiers(store).await?;
    motcua_store::demo::load_news(store).await?;
    let app = motcua_web::router(motcua_web::AppState::new(store.clone()));
    println!(
        "[{engine}] pages: {requests} requests each, in-process through the router (demo data)"
    );
    let mut worst: f64 = 0.0;
    for path in PAGES {
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            let res = app
                .clone()
                .oneshot(
                    Request::get(path)
                        .body(Body::empty())
                        .map_err(|e| CliError::Failed(e.to_string()))?,
                )
                .await
                .map_err(|e| CliError::Failed(e.to_string()))?;
            let status = res.status();
            axum::body::to_bytes(res.into_body(), 1 << 26)
                .await
                .map_err(|e| CliError::Failed(e.to_string()))?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            if status != StatusCode::OK {
                return Err(CliError::Failed(format!("{path}: HTTP {status}")));
            }
        }
        times.sort_by(f64::total_cmp);
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        worst = worst.max(p(0.95));
        println!(
            "[{engine}] {path:<60} p50 {:6.2} ms  p95 {:6.2} ms  max {:6.2} ms",
            p(0.5),
            p(0.95),
            times[times.len() - 1]
        );
    }
    println!("[{engine}] slowest page p95: {worst:.2} ms");
    Ok(())
}
