//! Users (officers) with roles on one agency, and API tokens for machine
//! clients. Tokens are random, shown once, stored only as SHA-256 hashes.

use crate::chain::sha256_hex;
use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::Utc;
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;

/// A user of the workspace or API.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub username: String,
    pub full_name: String,
    pub agency: AgencyCode,
    pub roles: Vec<Role>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    username: String,
    full_name: String,
    agency_code: String,
    roles: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        let bad = |m: String| StoreError::Corrupt(format!("app_user {}: {m}", r.username));
        let roles = r
            .roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Role::parse(s).ok_or_else(|| bad(format!("role {s}"))))
            .collect::<Result<_, _>>()?;
        Ok(User {
            agency: AgencyCode::new(&r.agency_code).map_err(|e| bad(e.to_string()))?,
            username: r.username,
            full_name: r.full_name,
            roles,
        })
    }
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

impl Store {
    /// Creates a user; refuses a taken name, a bad name, no role, an unknown agency.
    pub async fn create_user(
        &self,
        username: &str,
        full_name: &str,
        agency: &AgencyCode,
        roles: &[Role],
        password_hash: Option<&str>,
    ) -> Result<User, StoreError> {
        if !valid_username(username) {
            return Err(StoreError::Invalid(format!(
                "tên đăng nhập `{username}` không hợp lệ: 3-64 ký tự chữ, số, dấu chấm, gạch"
            )));
        }
        if roles.is_empty() {
            return Err(StoreError::Invalid("cần ít nhất một vai trò".into()));
        }
        if self.agency(agency).await?.is_none() {
            return Err(StoreError::Invalid(format!(
                "không có cơ quan mã `{agency}`"
            )));
        }
        if self.user(username).await?.is_some() {
            return Err(StoreError::Invalid(format!(
                "tên đăng nhập `{username}` đã có"
            )));
        }
        let mut rs: Vec<Role> = roles.to_vec();
        rs.sort();
        rs.dedup();
        let roles_text = rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        let name = if full_name.trim().is_empty() {
            username
        } else {
            full_name.trim()
        };
        with_db!(&self.db, p => {
            sqlx::query("INSERT INTO app_user (username, full_name, agency_code, roles, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(username).bind(name).bind(agency.as_str()).bind(roles_text.clone()).bind(password_hash).bind(Utc::now())
                .execute(p).await?;
        });
        Ok(User {
            username: username.into(),
            full_name: name.into(),
            agency: agency.clone(),
            roles: rs,
        })
    }

    /// A user whose account is active (not disabled by an administrator).
    pub async fn active_user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT username, full_name, agency_code, roles FROM app_user WHERE username = $1 AND active")
            .bind(username).fetch_optional(p).await?);
        row.map(User::try_from).transpose()
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT username, full_name, agency_code, roles FROM app_user WHERE username = $1")
            .bind(username).fetch_optional(p).await?);
        row.map(User::try_from).transpose()
    }

    /// Creates an API token for a user and returns it (the only time it is seen).
    pub async fn create_token(&self, username: &str) -> Result<String, StoreError> {
        self.create_scoped_token(username, None).await
    }

    /// Creates an API token limited to `scopes` (`None`: every right of
    /// the user) and returns it.
    pub async fn create_scoped_token(
        &self,
        username: &str,
        scopes: Option<&[motcua_core::access::TokenScope]>,
    ) -> Result<String, StoreError> {
        if self.user(username).await?.is_none() {
            return Err(StoreError::Invalid(format!(
                "không có người dùng `{username}`"
            )));
        }
        let token = format!(
            "mc_{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        with_db!(&self.db, p => {
            sqlx::query("INSERT INTO api_token (token_hash, username, created_at, scopes) VALUES ($1, $2, $3, $4)")
                .bind(sha256_hex(&token)).bind(username).bind(Utc::now())
                .bind(scopes.map(|x| x.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")))
                .execute(p).await?;
        });
        Ok(token)
    }

    /// The user a bearer token belongs to.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        Ok(self.token_grant(token).await?.map(|(u, _)| u))
    }

    /// The user a bearer token belongs to and the token's scopes (`None`:
    /// every right of the user).
    pub async fn token_grant(
        &self,
        token: &str,
    ) -> Result<Option<(User, Option<Vec<motcua_core::access::TokenScope>>)>, StoreError> {
        let row: Option<(String, String, String, String, Option<String>)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT u.username, u.full_name, u.agency_code, u.roles, t.scopes FROM api_token t JOIN app_user u ON u.username = t.username \
             WHERE t.token_hash = $1 AND u.active")
            .bind(sha256_hex(token)).fetch_optional(p).await?);
        let Some((username, full_name, agency_code, roles, scopes)) = row else {
            return Ok(None);
        };
        let user = User::try_from(UserRow {
            username,
            full_name,
            agency_code,
            roles,
        })?;
        let scopes = scopes.map(|s| {
            s.split_whitespace()
                .filter_map(motcua_core::access::TokenScope::parse)
                .collect()
        });
        Ok(Some((user, scopes)))
    }
}
