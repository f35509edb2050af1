//! The notification worker: delivers the outbox by e-mail (SMTP, lettre) and
//! by SMS (an HTTP gateway), with retries and exponential backoff. Delivery
//! is at-least-once: a message is marked sent after the SMTP server or the
//! gateway accepted it, so a crash in between can send it again; its id (the
//! Message-ID of a mail, the `id` field of an SMS request) lets the receiving
//! side drop the duplicate. Nothing is lost: the outbox row was written in
//! the same transaction as the dossier event.

use bytes_body::Full;
use chrono::Utc;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_store::{OutboxMessage, Store};
use std::time::Duration;

mod bytes_body {
    pub use http_body_util::Full;
}

/// E-mail delivery.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// `smtp://HOST:PORT` (no TLS; use a local relay).
    pub url: String,
    pub from: String,
}

/// SMS delivery through an HTTP gateway: `POST url` with the JSON body
/// `{"id": …, "to": …, "text": …}` and, when a token is set,
/// `Authorization: Bearer TOKEN`; any 2xx answer means accepted.
#[derive(Clone, Debug)]
pub struct SmsConfig {
    /// `http://HOST[:PORT]/PATH` (no TLS; an HTTPS gateway is reached through
    /// a local relay, like SMTP).
    pub url: String,
    pub token: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NotifyConfig {
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<SmsConfig>,
    /// First retry delay; doubles per attempt, at most one hour.
    pub retry_base: Duration,
    pub poll: Duration,
}

fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| format!("smtp_url `{url}`: cần dạng smtp://HOST:PORT"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("smtp_url `{url}`: cổng không hợp lệ"))?,
        ),
        None => (rest, 25),
    };
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(20)))
            .build(),
    )
}

fn gateway_uri(url: &str) -> Result<hyper::Uri, String> {
    if !url.starts_with("http://") {
        return Err(format!(
            "sms_gateway_url `{url}`: cần dạng http://HOST:PORT/ĐƯỜNG-DẪN (cổng HTTPS: qua một relay TLS cục bộ)"
        ));
    }
    url.parse::<hyper::Uri>()
        .map_err(|e| format!("sms_gateway_url `{url}`: {e}"))
}

/// Checks the settings before the server starts.
pub fn check(cfg: &NotifyConfig) -> Result<(), String> {
    if let Some(s) = &cfg.smtp {
        transport(&s.url)?;
        s.from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("smtp_from `{}`: {e}", s.from))?;
    }
    if let Some(s) = &cfg.sms {
        gateway_uri(&s.url)?;
    }
    Ok(())
}

async fn send_mail(
    t: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    m: &OutboxMessage,
) -> Result<(), String> {
    let msg = Message::builder()
        .from(from.parse().map_err(|e| format!("from: {e}"))?)
        .to(m
            .recipient
            .parse()
            .map_err(|e| format!("địa chỉ người nhận `{}`: {e}", m.recipient))?)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@motcua>", m.id.replace('/', "."))))
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| e.to_string())?;
    t.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
}

type HttpClient = Client<HttpConnector, Full<hyper::body::Bytes>>;

async fn send_sms(client: &HttpClient, cfg: &SmsConfig, m: &OutboxMessage) -> Result<(), String> {
    let body = serde_json::json!({"id": m.id, "to": m.recipient, "text": m.body}).to_string();
    let mut req = hyper::Request::post(gateway_uri(&cfg.url)?).header(
        hyper::header::CONTENT_TYPE,
        "application/json; charset=utf-8",
    );
    if let Some(t) = &cfg.token {
        req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req
        .body(Full::new(hyper::body::Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = tokio::time::timeout(Duration::from_secs(20), client.request(req))
        .await
        .map_err(|_| "cổng SMS không trả lời sau 20 giây".to_string())?
        .map_err(|e| format!("cổng SMS: {e}"))?;
    let status = resp.status();
    if status.is_success() {
        Ok(())
    } else {
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        Err(format!(
            "cổng SMS trả lời {status}: {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

/// Delivers due messages until the task is aborted.
pub async fn run(store: Store, cfg: NotifyConfig) {
    let smtp = match cfg.smtp.as_ref().map(|s| transport(&s.url)).transpose() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "notifications disabled");
            return;
        }
    };
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut channels = Vec::new();
    if smtp.is_some() {
        channels.push("email");
    }
    if cfg.sms.is_some() {
        channels.push("sms");
    }
    loop {
        match store.due_messages(Utc::now(), &channels, 20).await {
            Ok(msgs) => {
                for m in msgs {
                    let sent = match (m.channel.as_str(), &smtp, &cfg.smtp, &cfg.sms) {
                        ("email", Some(t), Some(s), _) => send_mail(t, &s.from, &m).await,
                        ("sms", _, _, Some(s)) => send_sms(&client, s, &m).await,
                        (other, ..) => Err(format!("kênh `{other}` chưa được cấu hình")),
                    };
                    match sent {
                        Ok(()) => {
                            if let Err(e) = store.mark_sent(&m.id, Utc::now()).await {
                                tracing::error!(id = %m.id, error = %e, "sent but not marked");
                            }
                            tracing::info!(id = %m.id, channel = %m.channel, "notification sent");
                        }
                        Err(e) => {
                            let factor = 2u32.saturating_pow(m.attempts.clamp(0, 16) as u32);
                            let delay = cfg
                                .retry_base
                                .saturating_mul(factor)
                                .min(Duration::from_secs(3600));
                            let next = Utc::now()
                                + chrono::Duration::from_std(delay)
                                    .unwrap_or(chrono::Duration::hours(1));
                            tracing::warn!(id = %m.id, attempt = m.attempts + 1, error = %e, "notification failed, will retry");
                            let _ = store.mark_failed(&m.id, &e, next).await;
                        }
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "outbox unreadable"),
        }
        tokio::time::sleep(cfg.poll).await;
    }
}
