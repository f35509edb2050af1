//! Federation storage (issue 8, docs/federation.md): this installation's
//! key pair, its peers, and the inbox of messages applied from each, in
//! order and once (`motcua_core::federation::order`).

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::Utc;
use motcua_core::federation::{Envelope, InstallationId, Order, order};

/// A configured peer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Peer {
    pub installation: String,
    pub url: String,
    pub public_hex: String,
}

/// What became of a received message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    Applied,
    /// Applied before (same number, or the same id): nothing changed.
    Duplicate,
    /// Messages before it are missing.
    Gap {
        expected: u64,
    },
}

impl Store {
    /// This installation's name and secret key (hex), if made.
    pub async fn installation_key(
        &self,
    ) -> Result<Option<(InstallationId, String, String)>, StoreError> {
        let row: Option<(String, String, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT installation, secret_hex, public_hex FROM installation_key WHERE id = 'self'")
            .fetch_optional(p).await?);
        row.map(|(i, s, pubk)| {
            InstallationId::new(&i)
                .map(|i| (i, s, pubk))
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }

    /// Stores this installation's name and key pair; refuses to replace an
    /// existing one unless `replace` (peers would no longer trust it).
    pub async fn set_installation_key(
        &self,
        installation: &InstallationId,
        secret_hex: &str,
        public_hex: &str,
        replace: bool,
    ) -> Result<(), StoreError> {
        if !replace && self.installation_key().await?.is_some() {
            return Err(StoreError::Conflict(
                "hệ thống đã có khóa; thay khóa thì mọi hệ thống kết nối phải cập nhật khóa công khai mới (dùng --force)".into(),
            ));
        }
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM installation_key WHERE id = 'self'").execute(&mut *tx).await?;
            sqlx::query("INSERT INTO installation_key (id, installation, secret_hex, public_hex, created_at) VALUES ('self', $1, $2, $3, $4)")
                .bind(installation.as_str()).bind(secret_hex).bind(public_hex).bind(Utc::now())
                .execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Adds or updates a peer.
    pub async fn add_peer(
        &self,
        installation: &InstallationId,
        url: &str,
        public_hex: &str,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("INSERT INTO peer (installation, url, public_hex, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (installation) DO UPDATE SET url = excluded.url, public_hex = excluded.public_hex")
                .bind(installation.as_str()).bind(url).bind(public_hex).bind(Utc::now())
                .execute(p).await?;
        });
        Ok(())
    }

    pub async fn peers(&self) -> Result<Vec<Peer>, StoreError> {
        let rows: Vec<(String, String, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT installation, url, public_hex FROM peer ORDER BY installation").fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(installation, url, public_hex)| Peer {
                installation,
                url,
                public_hex,
            })
            .collect())
    }

    pub async fn peer(&self, installation: &InstallationId) -> Result<Option<Peer>, StoreError> {
        Ok(self
            .peers()
            .await?
            .into_iter()
            .find(|p| p.installation == installation.as_str()))
    }

    /// Removes a peer; false when there was none.
    pub async fn remove_peer(&self, installation: &InstallationId) -> Result<bool, StoreError> {
        let n = with_db!(&self.db, p => sqlx::query("DELETE FROM peer WHERE installation = $1")
            .bind(installation.as_str()).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Records a verified message from its sender: applied when it is the
    /// next of the sender's numbers, a duplicate when its number or its id
    /// was applied before, a gap otherwise. One transaction; two deliveries
    /// of the same message at once apply it once (primary key).
    pub async fn receive_message(
        &self,
        env: &Envelope,
        body: &str,
    ) -> Result<Received, StoreError> {
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM peer_inbox WHERE peer = $1")
                .bind(env.from.as_str()).fetch_one(&mut *tx).await?;
            let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM peer_inbox WHERE message_id = $1")
                .bind(env.id.clone()).fetch_one(&mut *tx).await?;
            if seen > 0 {
                return Ok(Received::Duplicate);
            }
            match order(u64::try_from(last.unwrap_or(0)).unwrap_or(0), env.seq) {
                Order::Duplicate => Ok(Received::Duplicate),
                Order::Gap { expected } => Ok(Received::Gap { expected }),
                Order::Apply => {
                    let seq = i64::try_from(env.seq).map_err(|_| StoreError::Invalid("số thứ tự quá lớn".into()))?;
                    let inserted = sqlx::query(
                        "INSERT INTO peer_inbox (peer, seq, message_id, kind, dossier_code, body, received_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
                        .bind(env.from.as_str()).bind(seq).bind(env.id.clone()).bind(env.kind.clone())
                        .bind(env.dossier.clone()).bind(body.to_string()).bind(Utc::now())
                        .execute(&mut *tx).await?.rows_affected();
                    tx.commit().await?;
                    Ok(if inserted == 1 { Received::Applied } else { Received::Duplicate })
                }
            }
        })
    }

    /// How many messages were applied from a peer (tests, the peer list).
    pub async fn inbox_count(&self, peer: &InstallationId) -> Result<i64, StoreError> {
        Ok(
            with_db!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM peer_inbox WHERE peer = $1")
            .bind(peer.as_str()).fetch_one(p).await?),
        )
    }
}
