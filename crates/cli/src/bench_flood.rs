//! `motcua bench --scenario flood` (issue 18.5): the server's memory while
//! 16 clients post oversized bodies at once to the two endpoints a
//! stranger can reach with a large body (peer messages, online
//! submission), against the memory of the idle server, in one run. The
//! server is this process's (`motcua_web::serve` on loopback); the clients
//! stream their bodies from one reused 64 KiB buffer, so what the process
//! holds beyond idle is the server's.

use crate::CliError;
use motcua_store::Store;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Clients posting at once.
pub const CLIENTS: usize = 16;
/// Bytes each client offers.
pub const BODY: usize = 128 << 20;

fn err<E: std::fmt::Display>(e: E) -> CliError {
    CliError::Failed(e.to_string())
}

/// The resident memory of this process, in bytes.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

/// One client: the request head, then up to `BODY` bytes until the server
/// answers or closes; returns the status line and the bytes it took.
async fn post(addr: std::net::SocketAddr, head: String) -> (String, usize) {
    let Ok(s) = tokio::net::TcpStream::connect(addr).await else {
        return ("connect failed".into(), 0);
    };
    let (mut rd, mut s) = s.into_split();
    if s.write_all(head.as_bytes()).await.is_err() {
        return ("closed at once".into(), 0);
    }
    // Chunked transfer (no declared length) frames each piece.
    let chunked = head.contains("chunked");
    let mut chunk = Vec::with_capacity((64 << 10) + 16);
    if chunked {
        chunk.extend_from_slice(format!("{:x}\r\n", 64 << 10).as_bytes());
    }
    chunk.extend(std::iter::repeat_n(b' ', 64 << 10));
    if chunked {
        chunk.extend_from_slice(b"\r\n");
    }
    let mut sent = 0;
    let mut answer = vec![0u8; 256];
    while sent < BODY {
        tokio::select! {
            w = s.write_all(&chunk) => {
                if w.is_err() { break; }
                sent += chunk.len();
            }
            r = rd.read(&mut answer) => {
                if let Ok(n) = r && n > 0 {
                    let line = String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or("").to_string();
                    return (line, sent);
                }
                break;
            }
        }
    }
    let n = tokio::time::timeout(Duration::from_secs(10), rd.read(&mut answer))
        .await
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or(0);
    let line = String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or("closed")
        .to_string();
    (line, sent)
}

pub async fn run(store: &Store) -> Result<(), CliError> {
    motcua_store::demo::load(store).await?;
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    store
        .set_installation_key(
            &motcua_core::federation::InstallationId::new("bench").map_err(err)?,
            &motcua_core::federation::to_hex(&key.to_bytes()),
            &motcua_core::federation::public_hex(&key),
            true,
        )
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let addr = listener.local_addr().map_err(err)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(motcua_web::serve(
        listener,
        motcua_web::AppState::new(store.clone()),
        async move {
            let _ = stopped.await;
        },
    ));
    // Warm: a page and a refused small message, then settle.
    for head in [
        format!("GET /thu-tuc HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        format!(
            "POST /api/federation/messages HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        ),
    ] {
        let mut s = tokio::net::TcpStream::connect(addr).await.map_err(err)?;
        s.write_all(head.as_bytes()).await.map_err(err)?;
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss();
    println!(
        "flood: server idle at {:.1} MiB resident",
        idle as f64 / 1048576.0
    );
    let cases: [(&str, String); 4] = [
        (
            "peer message, 128 MiB declared, unsigned",
            format!(
                "POST /api/federation/messages HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {BODY}\r\n\r\n"
            ),
        ),
        (
            "peer message, chunked (no length), unsigned",
            format!(
                "POST /api/federation/messages HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            ),
        ),
        (
            "peer message, header signature of an unknown sender",
            format!(
                "POST /api/federation/messages HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {BODY}\r\nX-Motcua-From: bench\r\nX-Motcua-Time: {}\r\nX-Motcua-Signature: {}\r\n\r\n",
                chrono::Utc::now().timestamp(),
                "00".repeat(64)
            ),
        ),
        (
            "online submission, no form cookie",
            format!(
                "POST /nop-truc-tuyen/1.001193 HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: {BODY}\r\n\r\n"
            ),
        ),
    ];
    for (name, head) in cases.iter() {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            tasks.push(tokio::spawn(post(addr, head.clone())));
        }
        let mut peak = idle;
        while tasks.iter().any(|t| !t.is_finished()) {
            peak = peak.max(rss());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut statuses = std::collections::BTreeMap::new();
        let mut taken = 0usize;
        for t in tasks {
            let (line, sent) = t.await.map_err(err)?;
            *statuses.entry(line).or_insert(0) += 1;
            taken = taken.max(sent);
        }
        println!(
            "flood: {name}: {CLIENTS} × {} MiB offered, peak {:.1} MiB resident = {:.1} MiB above idle, at most {:.1} MiB sent by a client before the answer, {:.0} ms; answers {statuses:?}",
            BODY >> 20,
            peak as f64 / 1048576.0,
            peak.saturating_sub(idle) as f64 / 1048576.0,
            taken as f64 / 1048576.0,
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    let _ = stop.send(());
    server.await.map_err(err)?.map_err(err)?;
    Ok(())
}
