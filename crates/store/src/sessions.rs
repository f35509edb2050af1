//! Sign-in for the staff workspace: Argon2 password hashes, throttling and
//! lockout per account, and web sessions kept in the database (the cookie
//! holds a random secret, the table only its SHA-256, like API tokens).

use crate::chain::sha256_hex;
use crate::db::with_db;
use crate::users::UserRow;
use crate::{Store, StoreError, User};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;

/// A session ends after this long without a request…
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// …and at the latest this long after sign-in (a working day).
pub const SESSION_MAX: Duration = Duration::hours(10);
/// Shortest and longest accepted password, in characters (ASVS V2.1.1:
/// at least 12; a password already stored stays usable until changed).
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 12..=256;

/// An Argon2id hash (PHC string) of a password of acceptable length.
pub fn hash_password(plain: &str) -> Result<String, StoreError> {
    let n = plain.chars().count();
    if !PASSWORD_CHARS.contains(&n) {
        return Err(StoreError::Invalid(format!(
            "mật khẩu cần từ {} đến {} ký tự",
            PASSWORD_CHARS.start(),
            PASSWORD_CHARS.end()
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(plain.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Internal(format!("argon2: {e}")))
}

fn verify(plain: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(plain.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the account does not
/// exist, so that a wrong name takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// The token every form of this session must carry.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// The result of a sign-in attempt.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in: `secret` goes into the cookie, once.
    Ok { secret: String, session: Session },
    /// Unknown name or wrong password (not told apart).
    BadCredentials,
    /// Too many failures: locked until then.
    Locked(DateTime<Utc>),
    /// The account was disabled by an administrator.
    Disabled,
}

/// A user as the administration pages list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub user: User,
    pub active: bool,
    pub has_password: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub failed_logins: i32,
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    password_hash: Option<String>,
    locked_until: Option<DateTime<Utc>>,
    active: bool,
}

fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Store {
    /// Sets (or resets) a user's password: clears failures and the lock and
    /// ends every session of the user.
    pub async fn set_password(&self, username: &str, plain: &str) -> Result<(), StoreError> {
        let hash = hash_password(plain)?;
        let n = with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE app_user SET password_hash = $1, password_set_at = $2, failed_logins = 0, locked_until = NULL WHERE username = $3")
                .bind(hash).bind(Utc::now()).bind(username).execute(&mut *tx).await?.rows_affected();
            sqlx::query("DELETE FROM web_session WHERE username = $1").bind(username).execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "không có người dùng `{username}`"
            )));
        }
        Ok(())
    }

    /// Whether `plain` is the password of `username` (no side effect: no
    /// failure counted, no session).
    pub async fn password_matches(&self, username: &str, plain: &str) -> Result<bool, StoreError> {
        let hash: Option<Option<String>> = with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT password_hash FROM app_user WHERE username = $1 AND active")
            .bind(username).fetch_optional(p).await?);
        Ok(hash.flatten().is_some_and(|h| verify(plain, &h)))
    }

    /// Checks a name and password at `now`; on success opens a session.
    /// Each failure is counted (shown to administrators); no account is
    /// locked by failures (a lock set by an older version still holds until
    /// it runs out).
    pub async fn login(
        &self,
        username: &str,
        plain: &str,
        now: DateTime<Utc>,
    ) -> Result<LoginOutcome, StoreError> {
        let row: Option<LoginRow> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT password_hash, locked_until, active FROM app_user WHERE username = $1")
            .bind(username).fetch_optional(p).await?);
        let Some(row) = row else {
            verify(plain, dummy_hash());
            return Ok(LoginOutcome::BadCredentials);
        };
        if let Some(until) = row.locked_until.filter(|u| *u > now) {
            return Ok(LoginOutcome::Locked(until));
        }
        let ok = match &row.password_hash {
            Some(h) => verify(plain, h),
            None => {
                verify(plain, dummy_hash());
                false
            }
        };
        if !ok {
            // Counted for the administrator to see; the account is not
            // locked (a stranger could keep an officer out): sign-in is
            // throttled per account and address instead (web::auth,
            // core::access::login_delay).
            with_db!(&self.db, p => {
                sqlx::query("UPDATE app_user SET failed_logins = failed_logins + 1 WHERE username = $1")
                    .bind(username).execute(p).await?;
            });
            return Ok(LoginOutcome::BadCredentials);
        }
        if !row.active {
            return Ok(LoginOutcome::Disabled);
        }
        let user = self
            .user(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(username.to_string()))?;
        let secret = random_secret();
        let csrf = random_secret();
        let expires_at = now + SESSION_MAX;
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE username = $1")
                .bind(username).execute(&mut *tx).await?;
            // Sessions of this user that ran out are swept on each sign-in.
            sqlx::query("DELETE FROM web_session WHERE username = $1 AND (expires_at <= $2 OR last_seen_at <= $3)")
                .bind(username).bind(now).bind(now - SESSION_IDLE).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO web_session (id_hash, username, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(sha256_hex(&secret)).bind(username).bind(csrf.clone()).bind(now).bind(now).bind(expires_at)
                .execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(LoginOutcome::Ok {
            secret,
            session: Session {
                user,
                csrf,
                expires_at,
            },
        })
    }

    /// The live session of a cookie secret at `now` (touched: the idle
    /// timer restarts), or `None` when unknown, expired, idle too long or
    /// its user was disabled.
    pub async fn session(
        &self,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            csrf: String,
            expires_at: DateTime<Utc>,
            last_seen_at: DateTime<Utc>,
            #[sqlx(flatten)]
            user: UserRow,
        }
        let id = sha256_hex(secret);
        let row: Option<Row> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT s.csrf, s.expires_at, s.last_seen_at, u.username, u.full_name, u.agency_code, u.roles \
             FROM web_session s JOIN app_user u ON u.username = s.username WHERE s.id_hash = $1 AND u.active")
            .bind(id.clone()).fetch_optional(p).await?);
        let Some(row) = row else { return Ok(None) };
        if row.expires_at <= now || row.last_seen_at + SESSION_IDLE <= now {
            self.logout(secret).await?;
            return Ok(None);
        }
        // Touch at most once a minute: a page view is not a write.
        if now - row.last_seen_at >= Duration::minutes(1) {
            with_db!(&self.db, p => {
                sqlx::query("UPDATE web_session SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(id).execute(p).await?;
            });
        }
        Ok(Some(Session {
            user: User::try_from(row.user)?,
            csrf: row.csrf,
            expires_at: row.expires_at,
        }))
    }

    /// Ends a session (sign-out).
    pub async fn logout(&self, secret: &str) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("DELETE FROM web_session WHERE id_hash = $1").bind(sha256_hex(secret)).execute(p).await?;
        });
        Ok(())
    }

    /// Users of an agency (all agencies when `None`), by name.
    pub async fn users(&self, agency: Option<&AgencyCode>) -> Result<Vec<UserInfo>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            active: bool,
            has_password: bool,
            locked_until: Option<DateTime<Utc>>,
            failed_logins: i32,
        }
        let sql = "SELECT username, full_name, agency_code, roles, active, password_hash IS NOT NULL AS has_password, locked_until, failed_logins \
                   FROM app_user WHERE ($1 IS NULL OR agency_code = $1) ORDER BY agency_code, username";
        let rows: Vec<Row> = with_db!(&self.db, p => sqlx::query_as(sql).bind(agency.map(|a| a.as_str().to_string())).fetch_all(p).await?);
        rows.into_iter()
            .map(|r| {
                Ok(UserInfo {
                    user: User::try_from(r.user)?,
                    active: r.active,
                    has_password: r.has_password,
                    locked_until: r.locked_until,
                    failed_logins: r.failed_logins,
                })
            })
            .collect()
    }

    /// Replaces a user's roles.
    pub async fn set_roles(&self, username: &str, roles: &[Role]) -> Result<(), StoreError> {
        if roles.is_empty() {
            return Err(StoreError::Invalid("cần ít nhất một vai trò".into()));
        }
        let mut rs = roles.to_vec();
        rs.sort();
        rs.dedup();
        let text = rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        let n = with_db!(&self.db, p => sqlx::query("UPDATE app_user SET roles = $1 WHERE username = $2")
            .bind(text).bind(username).execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "không có người dùng `{username}`"
            )));
        }
        Ok(())
    }

    /// Enables or disables an account; disabling ends its sessions and
    /// its API tokens stop working.
    pub async fn set_active(&self, username: &str, active: bool) -> Result<(), StoreError> {
        let n = with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE app_user SET active = $1, failed_logins = 0, locked_until = NULL WHERE username = $2")
                .bind(active).bind(username).execute(&mut *tx).await?.rows_affected();
            if !active {
                sqlx::query("DELETE FROM web_session WHERE username = $1").bind(username).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "không có người dùng `{username}`"
            )));
        }
        Ok(())
    }
}
