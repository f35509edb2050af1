//! The federation worker (issue 8, docs/federation.md): delivers the
//! messages of `peer_outbox` to each peer, in the order they were numbered,
//! with retries and exponential backoff.
//!
//! Per peer, the first undelivered message is sent until the peer answers:
//! 200 (applied or a duplicate) marks it delivered and the next goes; 409
//! with `expected` means the peer is elsewhere in the sequence (it already
//! has more: those are marked delivered; it has fewer, after a restore from
//! backup: they are sent again); no answer, 429 or 5xx is retried after
//! `retry_base · 2^(attempts−1)`, at most `retry_cap`, for ever (a peer
//! down for hours loses nothing); any other refusal makes the message a
//! dead letter, and the peer's later messages wait behind it until an
//! administrator replays it (`motcua outbox replay`), so that order holds.
//! Peers are served concurrently; a slow one never holds up another.

use chrono::Utc;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use motcua_store::Store;
use motcua_store::federation::{Peer, PeerMessage};
use motcua_store::files::Files;
use std::time::Duration;

type HttpClient = Client<HttpConnector, Full<hyper::body::Bytes>>;

#[derive(Clone, Debug)]
pub struct PeeringConfig {
    pub files: Files,
    /// First retry delay; doubles per attempt up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Pause when nothing is due.
    pub poll: Duration,
    /// Time allowed for one delivery.
    pub timeout: Duration,
}

/// What became of one delivery attempt.
enum Outcome {
    Delivered,
    /// The peer already has messages up to this number.
    AheadTo(i64),
    /// The peer lacks messages from this number.
    BehindFrom(i64),
    Retry(String),
    Refused(String),
}

/// The body of an answer, and its first 300 characters for messages.
async fn read_body(resp: hyper::Response<hyper::body::Incoming>) -> (hyper::body::Bytes, String) {
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).chars().take(300).collect();
    (bytes, text)
}

async fn deliver(
    store: &Store,
    client: &HttpClient,
    cfg: &PeeringConfig,
    peer: &Peer,
    m: &PeerMessage,
) -> Outcome {
    let body = match motcua_web::federation::wire_body(&cfg.files, m).await {
        Ok(b) => b,
        // A document missing here cannot be fixed by the peer: keep trying
        // (an administrator sees the error) rather than skip it.
        Err(e) => return Outcome::Retry(e),
    };
    let url = format!("{}/api/federation/messages", peer.url.trim_end_matches('/'));
    let uri: hyper::Uri = match url.parse() {
        Ok(u) => u,
        Err(e) => return Outcome::Refused(format!("địa chỉ `{url}`: {e}")),
    };
    // Signed in the headers too, so that the peer reads a large body only
    // once it knows who sends it.
    let auth = match motcua_web::federation::transport_headers(
        store,
        &peer.installation,
        body.len(),
    )
    .await
    {
        Ok(h) => h,
        Err(e) => return Outcome::Retry(e),
    };
    let mut req = hyper::Request::post(uri).header(
        hyper::header::CONTENT_TYPE,
        "application/json; charset=utf-8",
    );
    for (name, value) in auth {
        req = req.header(name, value);
    }
    let req = match req.body(Full::new(hyper::body::Bytes::from(body))) {
        Ok(r) => r,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    let resp = match tokio::time::timeout(cfg.timeout, client.request(req)).await {
        Err(_) => return Outcome::Retry(format!("{} không trả lời", peer.installation)),
        Ok(Err(e)) => return Outcome::Retry(format!("{}: {e}", peer.installation)),
        Ok(Ok(r)) => r,
    };
    let status = resp.status();
    let (bytes, text) = read_body(resp).await;
    if status.is_success() {
        return Outcome::Delivered;
    }
    if status == hyper::StatusCode::CONFLICT
        && let Some(expected) = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("expected").and_then(|e| e.as_i64()))
    {
        return if expected > m.seq {
            Outcome::AheadTo(expected - 1)
        } else {
            Outcome::BehindFrom(expected)
        };
    }
    if status.is_server_error() || status == hyper::StatusCode::TOO_MANY_REQUESTS {
        Outcome::Retry(format!("{} trả lời {status}: {text}", peer.installation))
    } else {
        Outcome::Refused(format!("{} từ chối ({status}): {text}", peer.installation))
    }
}

/// Delivers what is due to one peer; returns how many messages went.
async fn serve_peer(store: &Store, client: &HttpClient, cfg: &PeeringConfig, peer: &Peer) -> usize {
    let mut sent = 0;
    loop {
        let m = match store.peer_next(&peer.installation).await {
            Ok(Some(m)) => m,
            Ok(None) => return sent,
            Err(e) => {
                tracing::error!(peer = %peer.installation, error = %e, "peer outbox unreadable");
                return sent;
            }
        };
        if m.dead_at.is_some() || m.next_attempt_at > Utc::now() {
            return sent;
        }
        let now = Utc::now();
        let r = match deliver(store, client, cfg, peer, &m).await {
            Outcome::Delivered => store.peer_delivered(&m.peer, m.seq, now).await,
            Outcome::AheadTo(n) => {
                tracing::info!(peer = %m.peer, through = n, "peer already had these messages");
                store.peer_delivered(&m.peer, n, now).await
            }
            Outcome::BehindFrom(n) => {
                tracing::warn!(peer = %m.peer, from = n, "peer lacks earlier messages: sending them again");
                match store.peer_rewind(&m.peer, n).await {
                    Ok(0) => {
                        store
                            .peer_dead(
                                &m.peer,
                                m.seq,
                                &format!("{} cần số {n}, không còn ở đây", m.peer),
                                now,
                            )
                            .await
                    }
                    Ok(_) => Ok(()),
                    Err(e) => Err(e),
                }
            }
            Outcome::Retry(e) => {
                let attempts = u32::try_from(m.attempts).unwrap_or(0) + 1;
                let delay =
                    motcua_core::federation::backoff(attempts, cfg.retry_base, cfg.retry_cap);
                let next =
                    now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::minutes(5));
                tracing::warn!(peer = %m.peer, seq = m.seq, attempt = attempts, error = %e, "delivery failed, will retry");
                let _ = store.peer_failed(&m.peer, m.seq, &e, next).await;
                return sent;
            }
            Outcome::Refused(e) => {
                tracing::error!(peer = %m.peer, seq = m.seq, id = %m.message_id, error = %e, "message refused: dead letter (motcua outbox replay)");
                let _ = store.peer_dead(&m.peer, m.seq, &e, now).await;
                return sent;
            }
        };
        if let Err(e) = r {
            tracing::error!(peer = %m.peer, error = %e, "peer outbox not updated");
            return sent;
        }
        sent += 1;
    }
}

/// Delivers messages to peers until the task is aborted.
pub async fn run(store: Store, cfg: PeeringConfig) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    loop {
        let peers = match store.peers().await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "peers unreadable");
                Vec::new()
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        for p in peers {
            let (store, client, cfg) = (store.clone(), client.clone(), cfg.clone());
            tasks.spawn(async move { serve_peer(&store, &client, &cfg, &p).await });
        }
        let sent: usize = tasks.join_all().await.into_iter().sum();
        if sent == 0 {
            // Until a change here queues a message, or the next poll.
            tokio::select! {
                _ = tokio::time::sleep(cfg.poll) => {}
                _ = store.wake().peers.notified() => {}
            }
        }
    }
}

/// Posts one webhook delivery, signed; `Ok` when the receiver took it,
/// `Err((error, for_good))` otherwise.
async fn post_webhook(
    client: &HttpClient,
    timeout: Duration,
    d: &motcua_store::webhooks::WebhookDelivery,
) -> Result<(), (String, bool)> {
    let uri: hyper::Uri = d
        .url
        .parse()
        .map_err(|e| (format!("địa chỉ `{}`: {e}", d.url), true))?;
    let signature =
        motcua_core::access::webhook_signature(&d.secret, Utc::now().timestamp(), &d.body);
    let req = hyper::Request::post(uri)
        .header(
            hyper::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .header("X-Motcua-Signature", signature)
        .header("X-Motcua-Delivery", d.id.as_str())
        .header("X-Motcua-Event", d.event.as_str())
        .body(Full::new(hyper::body::Bytes::from(d.body.clone())))
        .map_err(|e| (e.to_string(), true))?;
    let resp = match tokio::time::timeout(timeout, client.request(req)).await {
        Err(_) => return Err((format!("{} không trả lời", d.url), false)),
        Ok(Err(e)) => return Err((format!("{}: {e}", d.url), false)),
        Ok(Ok(r)) => r,
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let (_, text) = read_body(resp).await;
    let for_good = status.is_client_error()
        && status != hyper::StatusCode::REQUEST_TIMEOUT
        && status != hyper::StatusCode::TOO_MANY_REQUESTS;
    Err((format!("{} trả lời {status}: {text}", d.url), for_good))
}

/// Delivers webhook deliveries until the task is aborted: at least once
/// (the `X-Motcua-Delivery` id lets the receiver drop a repeat), retried
/// with exponential backoff, dead after a refusal or
/// [`motcua_store::webhooks::WEBHOOK_MAX_ATTEMPTS`] attempts.
pub async fn run_webhooks(store: Store, cfg: PeeringConfig) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    loop {
        let due = match store.due_webhook_deliveries(Utc::now(), 50).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "webhook outbox unreadable");
                Vec::new()
            }
        };
        let busy = !due.is_empty();
        for d in due {
            let r = match post_webhook(&client, cfg.timeout, &d).await {
                Ok(()) => store.webhook_delivered(&d.id, Utc::now()).await,
                Err((e, for_good)) => {
                    let attempts = u32::try_from(d.attempts).unwrap_or(0) + 1;
                    let delay =
                        motcua_core::federation::backoff(attempts, cfg.retry_base, cfg.retry_cap);
                    let next = Utc::now()
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::minutes(5));
                    tracing::warn!(id = %d.id, webhook = %d.webhook, attempt = attempts, error = %e, "webhook delivery failed");
                    store.webhook_failed(&d.id, &e, next, for_good).await
                }
            };
            if let Err(e) = r {
                tracing::error!(id = %d.id, error = %e, "webhook outbox not updated");
            }
        }
        if !busy {
            tokio::select! {
                _ = tokio::time::sleep(cfg.poll) => {}
                _ = store.wake().webhooks.notified() => {}
            }
        }
    }
}
