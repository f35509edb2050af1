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
#[derive(Clone)]
pub struct SmtpConfig {
    /// `smtp://HOST[:PORT]` (plain, a local relay), `smtp://HOST:587?tls=starttls`
    /// (STARTTLS required) or `smtps://HOST:465` (TLS from the first byte).
    pub url: String,
    pub from: String,
    /// SMTP AUTH (PLAIN or LOGIN, over TLS only unless the relay is on loopback).
    pub username: Option<String>,
    pub password: Option<String>,
    /// A PEM file of certificate authorities trusted besides the system's
    /// (a province's own CA).
    pub ca_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("url", &self.url)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SmtpTls {
    /// Plain text: only to a relay on this machine or its private network.
    None,
    /// STARTTLS, required: the mail is not sent if the server does not offer it.
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// The parts of an `smtp_url`.
#[derive(Debug, PartialEq, Eq)]
struct SmtpUrl {
    host: String,
    port: u16,
    tls: SmtpTls,
}

fn parse_smtp_url(url: &str) -> Result<SmtpUrl, String> {
    let bad = |why: &str| format!("smtp_url `{url}`: {why}");
    let (tls, rest) = if let Some(r) = url.strip_prefix("smtps://") {
        (SmtpTls::Implicit, r)
    } else if let Some(r) = url.strip_prefix("smtp://") {
        (SmtpTls::None, r)
    } else {
        return Err(bad(
            "cần dạng smtp://HOST:PORT, smtp://HOST:587?tls=starttls hoặc smtps://HOST:465",
        ));
    };
    let (authority, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let tls = match (tls, query) {
        (t, None) => t,
        (SmtpTls::None, Some("tls=starttls" | "tls=required")) => SmtpTls::StartTls,
        (_, Some(q)) => return Err(bad(&format!("tham số `{q}` không được hỗ trợ"))),
    };
    let authority = authority.trim_end_matches('/');
    if authority.contains('@') {
        return Err(bad(
            "không ghi tên đăng nhập, mật khẩu vào địa chỉ; dùng smtp_username và smtp_password",
        ));
    }
    let default_port = match tls {
        SmtpTls::Implicit => 465,
        SmtpTls::StartTls => 587,
        SmtpTls::None => 25,
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad("cổng không hợp lệ"))?,
        ),
        None => (authority, default_port),
    };
    if host.is_empty() {
        return Err(bad("thiếu tên máy chủ"));
    }
    Ok(SmtpUrl {
        host: host.to_string(),
        port,
        tls,
    })
}

/// Whether a host is this machine (where a plain-text login cannot be read
/// off the network).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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

fn transport(cfg: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let u = parse_smtp_url(&cfg.url)?;
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(u.host.as_str())
        .port(u.port)
        .timeout(Some(Duration::from_secs(20)));
    if u.tls != SmtpTls::None {
        let mut params = TlsParameters::builder(u.host.clone());
        if let Some(path) = &cfg.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("smtp_ca_file `{}`: {e}", path.display()))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| format!("smtp_ca_file `{}`: {e}", path.display()))?;
            params = params.add_root_certificate(cert);
        }
        let params = params
            .build_rustls()
            .map_err(|e| format!("smtp_url `{}`: TLS: {e}", cfg.url))?;
        b = b.tls(match u.tls {
            SmtpTls::Implicit => Tls::Wrapper(params),
            _ => Tls::Required(params),
        });
    }
    match (&cfg.username, &cfg.password) {
        (Some(user), Some(pw)) => {
            if u.tls == SmtpTls::None && !is_loopback(&u.host) {
                return Err(format!(
                    "smtp_url `{}`: mật khẩu SMTP không được gửi dạng rõ qua mạng; dùng smtp://{}:587?tls=starttls hoặc smtps://{}:465",
                    cfg.url, u.host, u.host
                ));
            }
            b = b.credentials(Credentials::new(user.clone(), pw.clone()));
        }
        (None, None) => {}
        _ => {
            return Err("smtp_username và smtp_password phải được đặt cùng nhau".to_string());
        }
    }
    Ok(b.build())
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
        transport(s)?;
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
    let smtp = match cfg.smtp.as_ref().map(transport).transpose() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str, user: Option<&str>) -> SmtpConfig {
        SmtpConfig {
            url: url.into(),
            from: "motcua@example.vn".into(),
            username: user.map(str::to_string),
            password: user.map(|_| "mat-khau".to_string()),
            ca_file: None,
        }
    }

    #[test]
    fn smtp_urls_name_their_protection() {
        let u = |s: &str| parse_smtp_url(s).map(|u| (u.host, u.port, u.tls));
        assert_eq!(u("smtp://relay"), Ok(("relay".into(), 25, SmtpTls::None)));
        assert_eq!(
            u("smtp://mail.tn.gov.vn:587?tls=starttls"),
            Ok(("mail.tn.gov.vn".into(), 587, SmtpTls::StartTls))
        );
        assert_eq!(
            u("smtps://mail.tn.gov.vn"),
            Ok(("mail.tn.gov.vn".into(), 465, SmtpTls::Implicit))
        );
        for bad in [
            "mail.tn.gov.vn",
            "http://mail:25",
            "smtp://:25",
            "smtp://mail:0",
            "smtp://mail:99999",
            "smtp://user:pw@mail:587",
            "smtps://mail?tls=starttls",
            "smtp://mail?tls=maybe",
        ] {
            assert!(parse_smtp_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_never_crosses_the_network_in_clear() {
        assert!(transport(&cfg("smtp://mail.tn.gov.vn:25", Some("motcua"))).is_err());
        assert!(transport(&cfg("smtp://127.0.0.1:2525", Some("motcua"))).is_ok());
        assert!(
            transport(&cfg(
                "smtp://mail.tn.gov.vn:587?tls=starttls",
                Some("motcua")
            ))
            .is_ok()
        );
        assert!(transport(&cfg("smtps://mail.tn.gov.vn", Some("motcua"))).is_ok());
        let mut half = cfg("smtps://mail.tn.gov.vn", Some("motcua"));
        half.password = None;
        assert!(transport(&half).is_err());
        let mut ca = cfg("smtps://mail.tn.gov.vn", None);
        ca.ca_file = Some("/nonexistent/ca.pem".into());
        let e = transport(&ca).err().unwrap();
        assert!(e.contains("smtp_ca_file `/nonexistent/ca.pem`"), "{e}");
        assert!(!format!("{:?}", cfg("smtps://m", Some("u"))).contains("mat-khau"));
    }
}
