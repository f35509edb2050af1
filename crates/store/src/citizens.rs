//! Optional citizen accounts of the portal (docs/portal.md §Citizen
//! account): an e-mail address proven by a one-time sign-in link sent to it,
//! a browser session, and the dossiers the account follows. No password is
//! stored; secrets are kept only as SHA-256 hashes.

use crate::chain::sha256_hex;
use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use motcua_core::dossier::DossierCode;

/// How long a sign-in link stays valid.
pub const LINK_LIFETIME: Duration = Duration::minutes(30);
/// How long a citizen stays signed in.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// Sign-in links one address may ask for within an hour.
pub const LINKS_PER_HOUR: i64 = 5;

/// A signed-in citizen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitizenSession {
    pub email: String,
    pub csrf: String,
}

/// What became of a sign-in link request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkRequest {
    /// Queued: the secret to put in the link (only the e-mail carries it).
    Queued(String),
    /// Too many links for this address within the hour.
    TooMany,
}

fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// An address as the account key: trimmed, lower case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    /// Records a sign-in link for `email` and queues the e-mail that carries
    /// it (`link` builds the message body from the secret), in one
    /// transaction; refuses past [`LINKS_PER_HOUR`].
    pub async fn request_citizen_link(
        &self,
        email: &str,
        now: DateTime<Utc>,
        subject: &str,
        body: impl Fn(&str) -> String,
    ) -> Result<LinkRequest, StoreError> {
        let email = normalise_email(email);
        let secret = secret();
        let hash = sha256_hex(&secret);
        let since = now - Duration::hours(1);
        let text = body(&secret);
        let outbox_id = format!("citizen-login/{}", &hash[..16]);
        let queued: bool = with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM citizen_login WHERE email = $1 AND created_at > $2")
                .bind(&email).bind(since).fetch_one(&mut *tx).await?;
            if recent >= LINKS_PER_HOUR {
                false
            } else {
                sqlx::query("INSERT INTO citizen_login (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(&hash).bind(&email).bind(now).bind(now + LINK_LIFETIME).execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO outbox (id, dossier_code, channel, recipient, subject, body, created_at, attempts, next_attempt_at) \
                     VALUES ($1, '', 'email', $2, $3, $4, $5, 0, $6)")
                    .bind(&outbox_id).bind(&email).bind(subject).bind(&text).bind(now).bind(now)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                true
            }
        });
        Ok(if queued {
            LinkRequest::Queued(secret)
        } else {
            LinkRequest::TooMany
        })
    }

    /// Uses a sign-in link once: a new session `(cookie secret, session)`,
    /// or `None` when the link is unknown, used or expired.
    pub async fn use_citizen_link(
        &self,
        secret_in_link: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, CitizenSession)>, StoreError> {
        let hash = sha256_hex(secret_in_link);
        let cookie = secret();
        let csrf = uuid::Uuid::new_v4().simple().to_string();
        let email: Option<String> = with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            // The UPDATE claims the link: two concurrent uses, one wins.
            let email: Option<String> = sqlx::query_scalar(
                "UPDATE citizen_login SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3 RETURNING email")
                .bind(now).bind(&hash).bind(now).fetch_optional(&mut *tx).await?;
            if let Some(e) = &email {
                sqlx::query("INSERT INTO citizen_session (id_hash, email, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(sha256_hex(&cookie)).bind(e).bind(&csrf).bind(now).bind(now + SESSION_LIFETIME)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            email
        });
        Ok(email.map(|email| (cookie, CitizenSession { email, csrf })))
    }

    /// The citizen signed in with this cookie secret, if the session lives.
    pub async fn citizen_session(
        &self,
        cookie: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CitizenSession>, StoreError> {
        let row: Option<(String, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT email, csrf FROM citizen_session WHERE id_hash = $1 AND expires_at > $2")
            .bind(sha256_hex(cookie)).bind(now).fetch_optional(p).await?);
        Ok(row.map(|(email, csrf)| CitizenSession { email, csrf }))
    }

    /// Signs a citizen's browser out.
    pub async fn end_citizen_session(&self, cookie: &str) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("DELETE FROM citizen_session WHERE id_hash = $1").bind(sha256_hex(cookie)).execute(p).await?;
        });
        Ok(())
    }

    /// Adds a dossier to an account (again: nothing changes).
    pub async fn follow_dossier(
        &self,
        email: &str,
        code: &DossierCode,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("INSERT INTO citizen_dossier (email, dossier_code, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(normalise_email(email)).bind(code.as_str()).bind(now).execute(p).await?;
        });
        Ok(())
    }

    /// The dossiers an account follows, newest added first.
    pub async fn followed_dossiers(&self, email: &str) -> Result<Vec<DossierCode>, StoreError> {
        let codes: Vec<String> = with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT dossier_code FROM citizen_dossier WHERE email = $1 ORDER BY added_at DESC, dossier_code")
            .bind(normalise_email(email)).fetch_all(p).await?);
        codes
            .iter()
            .map(|c| DossierCode::parse(c).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }
}
