//! Webhooks to third parties (issue 8 §4, docs/federation.md): which
//! systems are told of dossier changes, and the queue of deliveries that
//! the dossier transactions fill (`federation::share_change!`) and the
//! worker of `motcua serve` empties.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use motcua_core::dossier::{Dossier, Event};

/// Attempts after which a delivery is left for an administrator.
pub const WEBHOOK_MAX_ATTEMPTS: i32 = 12;

/// A configured webhook (its secret is shown once, when it is made).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Webhook {
    pub name: String,
    pub url: String,
    /// Action names, or `*`.
    pub events: Vec<String>,
    pub agency: Option<String>,
}

/// A delivery, with what the worker needs to send and sign it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct WebhookDelivery {
    pub id: String,
    pub webhook: String,
    pub event: String,
    pub dossier_code: Option<String>,
    pub body: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub dead_at: Option<DateTime<Utc>>,
    /// Of the webhook (empty when it was removed since).
    pub url: String,
    #[serde(skip)]
    pub secret: String,
}

/// The JSON body of a delivery: the change and the dossier's state after it.
pub(crate) fn body(id: &str, d: &Dossier, ev: &Event) -> String {
    let local = |t: chrono::NaiveDateTime| format!("{}+07:00", t.format("%Y-%m-%dT%H:%M:%S"));
    serde_json::json!({
        "id": id,
        "event": ev.action.as_str(),
        "occurred_at": local(ev.at),
        "dossier": {
            "code": d.code.as_str(),
            "version": d.version,
            "state": d.state.as_str(),
            "national_state": d.state.national_code(),
            "procedure_code": d.procedure.code.as_str(),
            "receiving_agency": d.receiving_agency.as_str(),
            "holder": d.holder().as_str(),
            "channel": d.channel.as_str(),
            "received_at": d.received_at.map(local),
            "due_at": d.due_at.map(local),
            "payments": d.payments.len(),
        }
    })
    .to_string()
}

const DELIVERY_COLS: &str = "o.id, o.webhook, o.event, o.dossier_code, o.body, o.attempts, o.last_error, o.delivered_at, \
     o.dead_at, COALESCE(w.url, '') AS url, COALESCE(w.secret, '') AS secret";

impl Store {
    /// Adds (or replaces) a webhook; returns its new signing secret.
    pub async fn add_webhook(
        &self,
        name: &str,
        url: &str,
        events: &[String],
        agency: Option<&str>,
    ) -> Result<String, StoreError> {
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(StoreError::Invalid(format!(
                "tên webhook `{name}`: 1-64 ký tự chữ, số, `.`, `-`, `_`"
            )));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(StoreError::Invalid(format!(
                "địa chỉ `{url}`: cần bắt đầu bằng http:// hoặc https://"
            )));
        }
        let events = if events.is_empty() {
            vec!["*".to_string()]
        } else {
            events.to_vec()
        };
        for e in &events {
            if e != "*" && motcua_core::dossier::Action::parse(e).is_none() {
                return Err(StoreError::Invalid(format!(
                    "sự kiện `{e}` không có (tên thao tác như receive, transfer, return_result, hoặc *)"
                )));
            }
        }
        let secret = format!(
            "whsec_{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM webhook WHERE name = $1").bind(name.to_string()).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO webhook (name, url, secret, events, agency, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(name.to_string()).bind(url.to_string()).bind(secret.clone()).bind(events.join(" "))
                .bind(agency.map(str::to_string)).bind(Utc::now())
                .execute(&mut *tx).await?;
            tx.commit().await?;
        });
        self.routing.clear();
        Ok(secret)
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let rows: Vec<(String, String, String, Option<String>)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT name, url, events, agency FROM webhook ORDER BY name").fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(name, url, events, agency)| Webhook {
                name,
                url,
                events: events.split_whitespace().map(str::to_string).collect(),
                agency,
            })
            .collect())
    }

    /// Removes a webhook; false when there was none. Its queued deliveries
    /// stay listed but are not sent.
    pub async fn remove_webhook(&self, name: &str) -> Result<bool, StoreError> {
        let n = with_db!(&self.db, p => sqlx::query("DELETE FROM webhook WHERE name = $1")
            .bind(name.to_string()).execute(p).await?.rows_affected());
        self.routing.clear();
        Ok(n > 0)
    }

    /// Deliveries due at `now` to webhooks that still exist, oldest first.
    pub async fn due_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM webhook_outbox o JOIN webhook w ON w.name = o.webhook \
             WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= $1 \
             ORDER BY o.created_at, o.id LIMIT $2"
        );
        Ok(
            with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(limit).fetch_all(p).await?),
        )
    }

    /// Every delivery (or those not delivered), oldest first.
    pub async fn webhook_outbox(
        &self,
        pending_only: bool,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let filter = if pending_only {
            " WHERE o.delivered_at IS NULL"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM webhook_outbox o LEFT JOIN webhook w ON w.name = o.webhook{filter} \
             ORDER BY o.created_at, o.id"
        );
        Ok(with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    pub async fn webhook_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE webhook_outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                .bind(at).bind(id.to_string()).execute(p).await?;
        });
        Ok(())
    }

    /// A failed attempt: retried at `next`, or dead once the attempts are
    /// spent (or the receiver refused it for good).
    pub async fn webhook_failed(
        &self,
        id: &str,
        error: &str,
        next: DateTime<Utc>,
        dead: bool,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE webhook_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
                         dead_at = CASE WHEN $3 OR attempts + 1 >= $4 THEN $2 ELSE NULL END WHERE id = $5")
                .bind(error.to_string()).bind(next).bind(dead).bind(WEBHOOK_MAX_ATTEMPTS).bind(id.to_string())
                .execute(p).await?;
        });
        Ok(())
    }

    /// Makes dead deliveries (all, or one by id) due again.
    pub async fn replay_webhook_outbox(
        &self,
        id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(with_db!(&self.db, p => match id {
            Some(id) => sqlx::query("UPDATE webhook_outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1 \
                                     WHERE delivered_at IS NULL AND id = $2")
                .bind(now).bind(id.to_string()).execute(p).await?.rows_affected(),
            None => sqlx::query("UPDATE webhook_outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1 \
                                 WHERE delivered_at IS NULL AND dead_at IS NOT NULL")
                .bind(now).execute(p).await?.rows_affected(),
        }))
    }
}
