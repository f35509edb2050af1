//! `motcua bench --scenario federation` (issue 8): messages per second
//! between installations on loopback, and the delay from a change to its
//! arrival at the upper level, next to the raw rate of sequential loopback
//! HTTP requests measured in the same run.
//!
//! Three installations run in this process, each with its own database
//! and its own HTTP server on 127.0.0.1: a commune (A) with the delivery
//! worker of `motcua serve`, a provincial department (B) hosting the
//! agency its dossiers are transferred to, and the province (T) taking
//! A's status feed. `n` dossiers are received and transferred at A with the
//! worker stopped; the worker is then started and the time to empty each
//! peer's backlog measured. Then changes are made one at a time, the
//! worker idle, and the delay of each is read from the two databases:
//! applied at T (`peer_inbox.received_at`) minus queued at A
//! (`peer_outbox.created_at`), one clock.

use crate::CliError;
use chrono::NaiveDateTime;
use motcua_core::calendar::{WorkCalendar, WorkSpan};
use motcua_core::codes::{AgencyCode, UnitCode};
use motcua_core::dossier::{Actor, Command, CommandAction, Role};
use motcua_core::federation::{InstallationId, public_hex, to_hex};
use motcua_store::Store;
use motcua_store::testing::{Engine, TestDb};
use std::time::{Duration, Instant};

struct Node {
    db: TestDb,
    name: &'static str,
    key: ed25519_dalek::SigningKey,
    url: String,
    files: motcua_store::files::Files,
}

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

async fn node(engine: Engine, name: &'static str, seed: u8) -> Result<Option<Node>, CliError> {
    let Some(db) = TestDb::new(engine).await else {
        return Ok(None);
    };
    motcua_store::demo::load(&db.store).await?;
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let id = InstallationId::new(name).map_err(err)?;
    db.store
        .set_installation_key(&id, &to_hex(&key.to_bytes()), &public_hex(&key), true)
        .await?;
    let files = motcua_store::files::Files::local(
        std::env::temp_dir().join(format!("motcua-bench-fed-{name}-{}", std::process::id())),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let url = format!("http://{}", listener.local_addr().map_err(err)?);
    let app =
        motcua_web::router(motcua_web::AppState::new(db.store.clone()).with_files(files.clone()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Some(Node {
        db,
        name,
        key,
        url,
        files,
    }))
}

async fn link(from: &Node, to: &Node, upstream: bool, agencies: &[&str]) -> Result<(), CliError> {
    let agencies: Vec<String> = agencies.iter().map(|a| a.to_string()).collect();
    from.db
        .store
        .add_peer(
            &InstallationId::new(to.name).map_err(err)?,
            &to.url,
            &public_hex(&to.key),
            upstream,
            &agencies,
        )
        .await?;
    Ok(())
}

async fn backlog(store: &Store, peer: &str) -> Result<usize, CliError> {
    Ok(usize::try_from(store.peer_backlog(peer).await?).unwrap_or(0))
}

/// Sequential GET /healthz on loopback for about `secs`: requests per second.
async fn raw_http(url: &str, secs: f64) -> Result<f64, CliError> {
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, http_body_util::Empty<hyper::body::Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let uri: hyper::Uri = format!("{url}/healthz").parse().map_err(err)?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        let resp = client.get(uri.clone()).await.map_err(err)?;
        http_body_util::BodyExt::collect(resp.into_body())
            .await
            .map_err(err)?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn run(engine: Engine, n: usize) -> Result<(), CliError> {
    let (Some(a), Some(b), Some(t)) = (
        node(engine, "xa-dong-hy", 21).await?,
        node(engine, "so-tu-phap", 22).await?,
        node(engine, "tinh-thai-nguyen", 23).await?,
    ) else {
        println!("{engine:?}: skipped (PostgreSQL unreachable)");
        return Ok(());
    };
    let label = a.db.store.engine();
    link(&a, &b, false, &["000.00.02.H55"]).await?;
    link(&a, &t, true, &[]).await?;
    link(&b, &a, false, &["H55.305.1"]).await?;
    link(&t, &a, false, &["H55.305.1"]).await?;
    let raw = raw_http(&t.url, 3.0).await?;
    println!("[{label}] raw: {raw:.0} sequential loopback HTTP requests/s (GET /healthz)");

    let desk = AgencyCode::new("H55.305.1").map_err(err)?;
    let unit = UnitCode::new("05692").map_err(err)?;
    let actor = Actor::officer("bench", Role::ReceptionOfficer, &desk);
    let cal = WorkCalendar::standard_shared();
    let now = || -> NaiveDateTime { motcua_core::calendar::to_local(chrono::Utc::now()) };
    let to = AgencyCode::new("000.00.02.H55").map_err(err)?;
    let budget = WorkSpan::hours(1).map_err(err)?;
    let step = |code: &str, v: u64, action: CommandAction| {
        let (store, actor, code) = (a.db.store.clone(), actor.clone(), code.to_string());
        async move {
            let cmd = Command::new(v, action);
            crate::bench_intake::act(&store, &code, &cmd, &actor, now(), cal).await
        }
    };
    // The load, queued while no worker runs.
    for _ in 0..n {
        let code =
            crate::bench_intake::receive(&a.db.store, &desk, &unit, &actor, now(), cal).await?;
        step(
            &code,
            1,
            CommandAction::Forward {
                to: None,
                note: None,
            },
        )
        .await?;
        step(
            &code,
            2,
            CommandAction::Transfer {
                to: to.clone(),
                budget,
                task: "Thẩm định".into(),
            },
        )
        .await?;
    }
    let (to_b, to_t) = (
        backlog(&a.db.store, b.name).await?,
        backlog(&a.db.store, t.name).await?,
    );
    let cfg = crate::peering::PeeringConfig {
        files: a.files.clone(),
        retry_base: Duration::from_millis(50),
        retry_cap: Duration::from_secs(1),
        poll: Duration::from_millis(200),
        timeout: Duration::from_secs(60),
    };
    let start = Instant::now();
    let worker = tokio::spawn(crate::peering::run(a.db.store.clone(), cfg));
    let (mut done_b, mut done_t) = (None, None);
    while done_b.is_none() || done_t.is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if done_b.is_none() && backlog(&a.db.store, b.name).await? == 0 {
            done_b = Some(start.elapsed());
        }
        if done_t.is_none() && backlog(&a.db.store, t.name).await? == 0 {
            done_t = Some(start.elapsed());
        }
        if start.elapsed() > Duration::from_secs(600) {
            return Err(err("the backlog did not empty in 10 minutes"));
        }
    }
    let (db_, dt) = (done_b.unwrap_or_default(), done_t.unwrap_or_default());
    println!(
        "[{label}] dossier messages (whole dossier with its events) A→B: {to_b} in {:.2} s = {:.0} msgs/s",
        db_.as_secs_f64(),
        to_b as f64 / db_.as_secs_f64()
    );
    println!(
        "[{label}] status messages A→T: {to_t} in {:.2} s = {:.0} msgs/s (both peers served at once: {:.0} msgs/s in all)",
        dt.as_secs_f64(),
        to_t as f64 / dt.as_secs_f64(),
        (to_b + to_t) as f64 / db_.max(dt).as_secs_f64()
    );
    // The delay of single changes, the worker idle between them.
    let k = 100;
    let seen_before = t.db.store.inbox_times(a.name).await?.len();
    for _ in 0..k {
        crate::bench_intake::receive(&a.db.store, &desk, &unit, &actor, now(), cal).await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while backlog(&a.db.store, t.name).await? > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    worker.abort();
    let sent: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
        a.db.store
            .peer_outbox(false)
            .await?
            .into_iter()
            .filter(|m| m.peer == t.name)
            .map(|m| (m.message_id, m.created_at))
            .collect();
    let mut delays: Vec<f64> =
        t.db.store
            .inbox_times(a.name)
            .await?
            .into_iter()
            .skip(seen_before)
            .filter_map(|(id, at)| {
                sent.get(&id)
                    .map(|s| (at - *s).num_microseconds().unwrap_or(0) as f64 / 1000.0)
            })
            .collect();
    delays.sort_by(|x, y| x.total_cmp(y));
    println!(
        "[{label}] delay change → upper level, {} single changes: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        delays.len(),
        pct(&delays, 0.5),
        pct(&delays, 0.95),
        pct(&delays, 1.0)
    );
    let rec = t.db.store.fed_count().await?;
    println!("[{label}] upper level holds {rec} dossiers; department holds copies of {n}");
    for node in [a, b, t] {
        node.db.cleanup().await;
    }
    Ok(())
}
