//! The notification outbox: rows are added by the dossier transactions
//! (`enqueue!`), and read and marked by the delivery worker.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};

/// Attempts after which a message is left for an administrator (dead letter).
pub const MAX_ATTEMPTS: i32 = 12;

/// A message waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct OutboxMessage {
    pub id: String,
    pub dossier_code: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The outbox rows of the applicant's notices for an event: `(id, channel,
/// recipient, subject, body)`, by e-mail when the applicant left an address,
/// by SMS when they left a phone number and the store queues SMS; links
/// point at the store's portal address ([`Store::with_portal_url`]).
/// Ids are `CODE/VERSION` (e-mail) and `CODE/VERSION/sms`, so a replayed
/// transaction queues nothing twice.
pub(crate) fn notice_rows(
    d: &motcua_core::dossier::Dossier,
    ev: &motcua_core::dossier::Event,
    store: &Store,
    templates: &crate::templates::Templates,
) -> Vec<(String, &'static str, String, String, String)> {
    let Some(n) = motcua_core::dossier::notice_with(d, ev, templates, &store.portal_url) else {
        return Vec::new();
    };
    let id = format!("{}/{}", ev.dossier, ev.version);
    let mut rows = Vec::new();
    if let Some(email) = d.applicant.email.as_ref() {
        rows.push((
            id.clone(),
            "email",
            email.to_string(),
            n.subject.clone(),
            n.body.clone(),
        ));
    }
    if store.sms_notices
        && let Some(phone) = d.applicant.phone.as_ref()
    {
        rows.push((
            format!("{id}/sms"),
            "sms",
            phone.to_string(),
            String::new(),
            n.sms.clone(),
        ));
    }
    rows
}

/// Adds the applicant's notices for an event to the outbox, inside the
/// caller's transaction ([`notice_rows`]).
macro_rules! enqueue_notice {
    ($tx:expr, $d:expr, $ev:expr, $store:expr, $templates:expr) => {
        for (id, channel, recipient, subject, body) in crate::outbox::notice_rows($d, $ev, $store, $templates) {
            let now = chrono::Utc::now();
            sqlx::query(
                "INSERT INTO outbox (id, dossier_code, channel, recipient, subject, body, created_at, attempts, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind($ev.dossier.as_str())
            .bind(channel)
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(now)
            .bind(now)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(crate) use enqueue_notice;

const COLS: &str =
    "id, dossier_code, channel, recipient, subject, body, attempts, sent_at, last_error";

impl Store {
    /// Messages of the given channels (`email`, `sms`) due for a (re)try at
    /// `now`, oldest first. A channel the worker cannot deliver is left
    /// waiting, not failed.
    pub async fn due_messages(
        &self,
        now: DateTime<Utc>,
        channels: &[&str],
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let list = (0..channels.len())
            .map(|i| format!("${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {COLS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 AND channel IN ({list}) ORDER BY created_at, id LIMIT $3"
        );
        Ok(with_db!(&self.db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(MAX_ATTEMPTS).bind(now).bind(limit);
            for c in channels {
                q = q.bind(*c);
            }
            q.fetch_all(p).await?
        }))
    }

    /// Every message of the outbox (for `motcua outbox list` and tests).
    pub async fn outbox(&self) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!("SELECT {COLS} FROM outbox ORDER BY created_at, id");
        Ok(with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// Makes undelivered messages due again with a fresh attempt count (all
    /// of them, or one by id); returns how many. For messages that reached
    /// [`MAX_ATTEMPTS`] (the dead letters) after the cause was fixed.
    pub async fn replay_outbox(
        &self,
        id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(with_db!(&self.db, p => match id {
            Some(id) => sqlx::query("UPDATE outbox SET attempts = 0, next_attempt_at = $1 WHERE sent_at IS NULL AND id = $2")
                .bind(now).bind(id).execute(p).await?.rows_affected(),
            None => sqlx::query("UPDATE outbox SET attempts = 0, next_attempt_at = $1 WHERE sent_at IS NULL")
                .bind(now).execute(p).await?.rows_affected(),
        }))
    }

    pub async fn mark_sent(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2 AND sent_at IS NULL")
                .bind(at).bind(id).execute(p).await?;
        });
        Ok(())
    }

    pub async fn mark_failed(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3 AND sent_at IS NULL")
                .bind(error).bind(next_attempt_at).bind(id).execute(p).await?;
        });
        Ok(())
    }
}
