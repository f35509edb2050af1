//! The notification worker: delivers the outbox by SMTP (lettre), with
//! retries and exponential backoff. Delivery is at-least-once: a message is
//! marked sent after the SMTP server accepted it, so a crash in between can
//! send it again; its Message-ID (from the outbox id) lets mail systems drop
//! the duplicate. Nothing is lost: the outbox row was written in the same
//! transaction as the dossier event.

use chrono::Utc;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_store::{OutboxMessage, Store};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct NotifyConfig {
    /// `smtp://HOST:PORT` (no TLS; use a local relay) .
    pub smtp_url: String,
    pub from: String,
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

/// Checks the settings before the server starts.
pub fn check(cfg: &NotifyConfig) -> Result<(), String> {
    transport(&cfg.smtp_url)?;
    cfg.from
        .parse::<lettre::message::Mailbox>()
        .map_err(|e| format!("smtp_from `{}`: {e}", cfg.from))?;
    Ok(())
}

async fn send(
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

/// Delivers due messages until the task is aborted.
pub async fn run(store: Store, cfg: NotifyConfig) {
    let t = match transport(&cfg.smtp_url) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "notifications disabled");
            return;
        }
    };
    loop {
        match store.due_messages(Utc::now(), 20).await {
            Ok(msgs) => {
                for m in msgs {
                    match send(&t, &cfg.from, &m).await {
                        Ok(()) => {
                            if let Err(e) = store.mark_sent(&m.id, Utc::now()).await {
                                tracing::error!(id = %m.id, error = %e, "sent but not marked");
                            }
                            tracing::info!(id = %m.id, to = %m.recipient, "notification sent");
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
