use crate::StoreError;
use crate::cache::{CALENDAR_TTL, ROUTING_TTL, TEMPLATES_TTL, TtlCache};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The two engines behind one interface.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Runs the same body against whichever pool the store has. The body is
/// type-checked once per engine; both arms must produce the same type.
macro_rules! with_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Pg($p) => $body,
        }
    };
}
pub(crate) use with_db;

/// The storage handle: cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// Where dossier write transactions run: on SQLite one dedicated
    /// connection (writers queue in the pool instead of spinning on the
    /// database lock); on PostgreSQL the same pool as `db`.
    pub(crate) writer: Db,
    /// Built working calendars by agency ("" = installation), with the time
    /// they were built; cleared when calendar data or agencies change here,
    /// and rebuilt after `CALENDAR_TTL` (other processes may change them).
    pub(crate) calendars: TtlCache<String, std::sync::Arc<motcua_core::calendar::WorkCalendar>>,
    /// Whether dossier transactions also queue an SMS for applicants who
    /// left a phone number (on when an SMS gateway is configured).
    pub(crate) sms_notices: bool,
    /// The public portal's address, for links in notices (rating).
    pub(crate) portal_url: std::sync::Arc<str>,
    /// On SQLite, the one connection that writes dossiers, with its group
    /// commit (`sqlite_writes.rs`).
    pub(crate) sqlite_writer: Option<std::sync::Arc<crate::sqlite_writer::SqliteWriter>>,
    /// Cached notice templates (`templates.rs`).
    pub(crate) templates: TtlCache<
        (),
        std::sync::Arc<std::collections::HashMap<String, motcua_core::dossier::NoticeTemplate>>,
    >,
    /// This installation's key and peers, for the dossier writes that
    /// send messages (`federation.rs`).
    pub(crate) routing: TtlCache<(), std::sync::Arc<crate::routing::Routing>>,
    /// Wakes the delivery workers when a change queued messages.
    pub(crate) wake: Wake,
}

/// The signals that wake the delivery workers of this process (another
/// process's changes are found by their polling).
#[derive(Clone, Debug, Default)]
pub struct Wake {
    pub peers: std::sync::Arc<tokio::sync::Notify>,
    pub webhooks: std::sync::Arc<tokio::sync::Notify>,
}

impl Wake {
    pub(crate) fn ring(&self) {
        self.peers.notify_one();
        self.webhooks.notify_one();
    }
}

/// The portal address when none is configured: the default listen address.
pub const DEFAULT_PORTAL_URL: &str = "http://127.0.0.1:8080";

/// How SQLite makes an acknowledged write durable (PostgreSQL keeps its
/// own setting, durable by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: the WAL is synced at every commit, so an
    /// acknowledged dossier survives a power cut. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: survives a crash of the process (`kill -9`),
    /// but a power cut can lose the last acknowledged commits. For those who
    /// accept that risk for speed.
    Normal,
}

impl FromStr for SqliteDurability {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(SqliteDurability::Full),
            "normal" => Ok(SqliteDurability::Normal),
            _ => Err(StoreError::Invalid(format!(
                "sqlite_synchronous `{s}` không hợp lệ: cần full hoặc normal"
            ))),
        }
    }
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing; WAL, foreign keys on,
    /// durable against power loss) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, SqliteDurability::default()).await
    }

    /// [`Store::connect`] with the SQLite durability chosen.
    pub async fn connect_with(
        url: &str,
        durability: SqliteDurability,
    ) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl(url.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(match durability {
                    SqliteDurability::Full => SqliteSynchronous::Full,
                    SqliteDurability::Normal => SqliteSynchronous::Normal,
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let connect = |n: u32| {
                let opts = opts.clone();
                async move {
                    SqlitePoolOptions::new()
                        .max_connections(n)
                        .connect_with(opts)
                        .await
                        .map_err(|source| StoreError::Connect {
                            url: url.to_string(),
                            source,
                        })
                }
            };
            let pool = connect(4).await?;
            let writer = connect(1).await?;
            let own = writer.acquire().await?.detach();
            Ok(Store {
                db: Db::Sqlite(pool),
                writer: Db::Sqlite(writer),
                calendars: TtlCache::new(CALENDAR_TTL),
                sms_notices: false,
                portal_url: DEFAULT_PORTAL_URL.into(),
                sqlite_writer: Some(crate::sqlite_writer::SqliteWriter::new(own)),
                templates: TtlCache::new(TEMPLATES_TTL),
                routing: TtlCache::new(ROUTING_TTL),
                wake: Default::default(),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts =
                PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(url.to_string()))?;
            Self::connect_pg(opts, url).await
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }

    /// SQLite's `synchronous` setting on the dossier writer's connection
    /// (2 = FULL, 1 = NORMAL); `None` on PostgreSQL.
    pub async fn sqlite_synchronous(&self) -> Result<Option<i64>, StoreError> {
        match &self.writer {
            Db::Sqlite(p) => Ok(Some(
                sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(p)
                    .await?,
            )),
            Db::Pg(_) => Ok(None),
        }
    }

    pub(crate) async fn connect_pg(opts: PgConnectOptions, url: &str) -> Result<Store, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts.application_name("motcua"))
            .await
            .map_err(|source| StoreError::Connect {
                url: url.to_string(),
                source,
            })?;
        Ok(Store {
            db: Db::Pg(pool.clone()),
            writer: Db::Pg(pool),
            calendars: TtlCache::new(CALENDAR_TTL),
            sms_notices: false,
            portal_url: DEFAULT_PORTAL_URL.into(),
            sqlite_writer: None,
            templates: TtlCache::new(TEMPLATES_TTL),
            routing: TtlCache::new(ROUTING_TTL),
            wake: Default::default(),
        })
    }

    /// Queues SMS notices beside e-mail ones from now on (see
    /// [`crate::outbox`]); set by `motcua serve` when an SMS gateway is
    /// configured, so that an installation without one keeps no SMS rows.
    pub fn with_sms_notices(mut self, on: bool) -> Store {
        self.sms_notices = on;
        self
    }

    /// The portal's public address (`https://dichvucong.example.vn`), used
    /// in the links of notices; set by `motcua serve` from `public_url`.
    pub fn with_portal_url(mut self, url: &str) -> Store {
        self.portal_url = url.trim_end_matches('/').into();
        self
    }

    /// What wakes the delivery workers (peers, webhooks).
    pub fn wake(&self) -> &Wake {
        &self.wake
    }

    /// The portal's public address (no trailing slash).
    pub fn portal_url(&self) -> &str {
        &self.portal_url
    }

    /// `sqlite` or `postgres`.
    pub fn engine(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    /// Applies the migrations of this engine.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Pg(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        // A database with dossiers from before the running totals
        // (migration 0013): build them once from the dossiers.
        let (totals, dossiers): (i64, i64) = with_db!(&self.db, p => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM stat_bucket LIMIT 1) t), (SELECT COUNT(*) FROM (SELECT 1 FROM dossier LIMIT 1) u)")
            .fetch_one(p).await?);
        if totals == 0 && dossiers > 0 {
            let diff = self.verify_stats(true).await?;
            tracing::info!(
                rows = diff.len(),
                "report totals built from the stored dossiers"
            );
        }
        Ok(())
    }

    /// A round trip to the database (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let one: i32 = with_db!(&self.db, p => sqlx::query_scalar("SELECT 1").fetch_one(p).await?);
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Internal("SELECT 1 did not answer 1".into()))
        }
    }

    pub async fn close(&self) {
        with_db!(&self.db, p => p.close().await);
        with_db!(&self.writer, p => p.close().await);
    }
}
