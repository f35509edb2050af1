//! Test support: a fresh, migrated store on each engine, isolated per test.
//!
//! SQLite: a new database file in a fresh temporary directory.
//! PostgreSQL: a new schema (`t_<uuid>`) in the database named by
//! `MOTCUA_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`),
//! selected through `search_path`, so tests never see each other's rows; it
//! is dropped by [`TestDb::cleanup`]. When PostgreSQL is unreachable the
//! PostgreSQL half of a test is skipped with a message, unless
//! `MOTCUA_TEST_REQUIRE_PG=1` (set by .ci/run), which turns it into a failure.

use crate::{Store, StoreError};
use sqlx::postgres::PgConnectOptions;
use std::path::PathBuf;
use std::str::FromStr;

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A store made for one test.
pub struct TestDb {
    pub store: Store,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

/// The engines a test can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl TestDb {
    pub async fn new(engine: Engine) -> Option<TestDb> {
        match engine {
            Engine::Sqlite => Some(Self::sqlite().await),
            Engine::Postgres => Self::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        Self::sqlite_with(crate::SqliteDurability::default()).await
    }

    /// A fresh SQLite database with the durability chosen.
    pub async fn sqlite_with(durability: crate::SqliteDurability) -> TestDb {
        let dir =
            std::env::temp_dir().join(format!("motcua-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("motcua.db").display());
        let store = Store::connect_with(&url, durability)
            .await
            .expect("sqlite connect");
        store.migrate().await.expect("sqlite migrate");
        TestDb {
            store,
            dir: Some(dir),
            pg: None,
        }
    }

    pub fn pg_url() -> String {
        std::env::var("MOTCUA_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
    }

    /// A store in a fresh schema, or `None` (with a message) when PostgreSQL
    /// is unreachable and not required.
    pub async fn postgres() -> Option<TestDb> {
        let url = Self::pg_url();
        let admin = match Store::connect(&url).await {
            Ok(s) => s,
            Err(e) => {
                if std::env::var("MOTCUA_TEST_REQUIRE_PG").is_ok_and(|v| v == "1") {
                    panic!(
                        "PostgreSQL is required (MOTCUA_TEST_REQUIRE_PG=1) but unreachable: {e}"
                    );
                }
                eprintln!(
                    "SKIPPED (PostgreSQL half): {e}. Start PostgreSQL or set MOTCUA_TEST_PG_URL."
                );
                return None;
            }
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        admin
            .exec_admin(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create schema");
        admin.close().await;
        let opts = PgConnectOptions::from_str(&url)
            .expect("pg url")
            .options([("search_path", schema.as_str())]);
        let store = Store::connect_pg(opts, &url).await.expect("pg connect");
        store.migrate().await.expect("pg migrate");
        Some(TestDb {
            store,
            dir: None,
            pg: Some((url, schema)),
        })
    }

    /// The URL of this test database (SQLite file, or PostgreSQL with the
    /// schema in `options`), for starting a server process on it.
    pub fn url(&self) -> String {
        match (&self.dir, &self.pg) {
            (Some(d), _) => format!("sqlite://{}", d.join("motcua.db").display()),
            (_, Some((url, schema))) => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options=-csearch_path%3D{schema}")
            }
            _ => unreachable!("a TestDb is SQLite or PostgreSQL"),
        }
    }

    /// Drops the schema or removes the SQLite directory.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((url, schema)) = &self.pg
            && let Ok(admin) = Store::connect(url).await
        {
            let _ = admin
                .exec_admin(&format!("DROP SCHEMA {schema} CASCADE"))
                .await;
            admin.close().await;
        }
    }
}

impl Store {
    /// Runs one SQL statement as is: for tests that must tamper with stored
    /// rows (e.g. to check that the audit chain detects it). Not for the app.
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64, StoreError> {
        Ok(
            crate::db::with_db!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(p).await?.rows_affected()),
        )
    }

    /// Forgets the built calendars, as a change through the store would:
    /// for tests that change day rows by hand. Not for the app.
    #[doc(hidden)]
    pub fn forget_calendars_for_tests(&self) {
        self.forget_calendars();
    }

    /// The first column of every row of one query, as text: for tests that
    /// read stored rows as they are. Not for the app.
    #[doc(hidden)]
    pub async fn texts_unchecked(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = crate::db::with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(p).await?);
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The JSON text of every stored event, unpacked. Not for the app.
    #[doc(hidden)]
    pub async fn event_texts_unchecked(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<Vec<u8>> = crate::db::with_db!(&self.db, p => sqlx::query_scalar("SELECT data FROM dossier_event ORDER BY dossier_code, version").fetch_all(p).await?);
        rows.iter().map(|r| crate::event_codec::unpack(r)).collect()
    }

    /// The engine's raw limit for the benchmarks: single-row INSERT commits
    /// per second, `clients` concurrent writers for `secs` seconds, through
    /// the same writer pool and settings as the application's dossier writes.
    #[doc(hidden)]
    pub async fn raw_commit_rate(&self, clients: usize, secs: f64) -> Result<f64, StoreError> {
        self.execute_unchecked(
            "CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT NOT NULL, v TEXT NOT NULL)",
        )
        .await?;
        let start = std::time::Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let store = self.clone();
            tasks.push(tokio::spawn(async move {
                let mut n: u64 = 0;
                while start.elapsed().as_secs_f64() < secs {
                    let id = (c as i64) << 32 | n as i64;
                    match &store.sqlite_writer {
                        // The dossier writer's connection, one autocommit
                        // statement at a time.
                        Some(w) => {
                            let mut conn = w.hold_plain().await;
                            sqlx::query("INSERT INTO bench_raw (id, v) VALUES ($1, $2)")
                                .bind(id)
                                .bind("x")
                                .execute(&mut *conn)
                                .await?;
                        }
                        None => crate::db::with_db!(&store.writer, p => {
                            sqlx::query("INSERT INTO bench_raw (id, v) VALUES ($1, $2)")
                                .bind(id).bind("x").execute(p).await?;
                        }),
                    }
                    n += 1;
                }
                Ok::<u64, StoreError>(n)
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.map_err(|e| StoreError::Invalid(e.to_string()))??;
        }
        Ok(total as f64 / start.elapsed().as_secs_f64())
    }

    async fn exec_admin(&self, sql: &str) -> Result<(), StoreError> {
        crate::db::with_db!(&self.db, p => { sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(p).await?; });
        Ok(())
    }
}

/// Defines `#[tokio::test]`s `NAME_sqlite` and `NAME_postgres` that run the
/// same async body, given a `&Store`.
#[macro_export]
macro_rules! storage_test {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            use super::*;
            async fn run($store: &$crate::Store) $body
            async fn on(engine: $crate::testing::Engine) {
                if let Some(db) = $crate::testing::TestDb::new(engine).await {
                    run(&db.store).await;
                    db.cleanup().await;
                }
            }
            #[tokio::test]
            async fn sqlite() { on($crate::testing::Engine::Sqlite).await }
            #[tokio::test]
            async fn postgres() { on($crate::testing::Engine::Postgres).await }
        }
    };
}

/// Generates `n` dossiers received in 2018 at the Đồng Hỷ district desk and
/// the Sông Cầu desk (the demo data set must be loaded), with a `late`
/// share resolved late and transfers to the Sở Tư pháp, and imports them
/// (for the report tests).
pub async fn import_generated_2018(
    store: &Store,
    n: usize,
    seed: u64,
    late: f64,
) -> Result<(), StoreError> {
    let mix = motcua_core::generate::Mix {
        late,
        ..Default::default()
    };
    let batch = generated_2018(store, n, seed, mix).await?;
    for chunk in batch.chunks(100) {
        // Several transactions, as the generator writes them.
        store.import_dossiers(chunk, &|_| {}).await?;
    }
    Ok(())
}

/// `n` dossiers received in 2018 at the Đồng Hỷ district desk and the Sông
/// Cầu desk, with what happens to them in the shares of `mix` (transfers go
/// to the Sở Tư pháp); not stored.
pub async fn generated_2018(
    store: &Store,
    n: usize,
    seed: u64,
    mix: motcua_core::generate::Mix,
) -> Result<Vec<crate::ImportedDossier>, StoreError> {
    use motcua_core::codes::{AgencyCode, ProcedureCode, UnitCode};
    use motcua_core::generate::{DeskSpec, Generator, Plan, ProcedureSpec};
    let bad = |e: motcua_core::codes::CodeError| StoreError::Invalid(e.to_string());
    let desk = |code: &str, unit: &str, weight| -> Result<DeskSpec, StoreError> {
        Ok(DeskSpec {
            code: AgencyCode::new(code).map_err(bad)?,
            unit: UnitCode::new(unit).map_err(bad)?,
            weight,
            procedures: vec![],
        })
    };
    let year = |m, d| chrono::NaiveDate::from_ymd_opt(2018, m, d).unwrap_or_default();
    let plan = Plan {
        from: year(1, 1),
        to: year(12, 31),
        now: motcua_core::calendar::to_local(chrono::Utc::now()),
        desks: vec![
            desk("001.01.21.H55", "169", 3)?,
            desk("001.11.21.H55", "05656", 1)?,
        ],
        procedures: vec![ProcedureSpec {
            code: ProcedureCode::new("1.001193").map_err(bad)?,
            valid_from: None,
            time: motcua_core::calendar::ProcessingTime::WorkingDays(5),
            online: true,
        }],
        transfer_to: Some(AgencyCode::new("000.00.02.H55").map_err(bad)?),
        mix,
    };
    let cal = store.calendar(None).await?;
    let days: Vec<_> = plan
        .from
        .iter_days()
        .take_while(|d| *d <= plan.to)
        .filter(|d| cal.is_working_day(*d))
        .collect();
    let mut g = Generator::new(&plan, seed, Default::default(), days);
    let mut batch = Vec::with_capacity(n);
    for _ in 0..n {
        let x = g
            .next(&cal)
            .ok_or_else(|| StoreError::Invalid("nothing to generate".into()))?;
        batch.push(crate::ImportedDossier {
            dossier: x.dossier,
            events: x.events,
            unit: x.unit,
        });
    }
    Ok(batch)
}
