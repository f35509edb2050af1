//! The SQLite write path of dossiers (issue 4, intake speed). With sqlx
//! every statement is a round trip to the connection's worker thread (two
//! thread wake-ups); a reception used to be five statements (begin, counter,
//! dossier, event, commit) against one for the raw single-row commit it is
//! measured against. Here a reception and a transition are each ONE
//! statement: an `INSERT` into a view (`dossier_intake`,
//! `dossier_transition`, migration 0008) whose `INSTEAD OF` trigger writes the
//! counter, the dossier row, its event, the outbox rows and the idempotency
//! record. A single statement is atomic: its implicit transaction covers the
//! trigger, and a failure anywhere leaves nothing.
//!
//! Commits are grouped: SQLite dossier writes go through one dedicated writer
//! connection ([`SqliteWriter`]) that callers take in turn (a fair queue).
//! The first writer after a commit opens a transaction (`BEGIN IMMEDIATE`);
//! every writer runs its one statement in it and waits; the transaction is
//! committed as soon as nobody else is queued for the connection (or by a
//! commit job queued behind the waiting writers), and only then does each
//! writer answer. A failed statement undoes only itself (SQLite statement
//! atomicity); a failed commit answers an error to every writer of the group.
//! So an acknowledged write is committed, several receptions share one WAL
//! write, and a crash loses only unacknowledged work. Cancellation is safe:
//! releasing the connection, even by dropping a caller's future, schedules
//! the commit.
//!
//! A reception holds the connection only for its statement when the desk's
//! counter is cached: the core builds the dossier under a provisional
//! number first (a refusal uses up none), the next number is then taken
//! from the cache, the dossier renumbered and serialised, and only then is
//! the connection taken. (Measured: intake 31 % → 33-34 % of the raw
//! commit rate; the statement itself is the cost, docs/benchmarks.md.)
//!
//! The writer holds the connection for the rest of the operation, so this
//! process is the only writer while it works. Hence:
//!
//! * the day's code counter is cached in memory (read once per desk and day);
//!   a number taken from it is given back when the reception does not go
//!   ahead (an idempotent replay, an error before the statement) unless a
//!   later one was taken meanwhile; refusals by the core use up none;
//! * correctness does not rest on the cache: the dossier's primary key
//!   refuses a code already used (another process, a stale cache); the
//!   statement then writes nothing, the cache is dropped, and the reception
//!   answers an error (the next one reads the stored counter);
//! * a transition's trigger first checks the version it was decided on
//!   (`RAISE(ABORT, 'motcua: stale version')`): a stale decision writes
//!   nothing and answers 409.
//!
//! PostgreSQL keeps one statement per step in an ordinary transaction
//! (`dossiers.rs`): it has many writers and commits in groups by itself.

use crate::dossiers::{GENESIS_HASH, Idempotency, Reply, event_hash, json};
use crate::{Store, StoreError};
use chrono::{NaiveDate, Utc};
use motcua_core::calendar::to_utc;
use motcua_core::codes::{AgencyCode, UnitCode};
use motcua_core::dossier::{Dossier, DossierCode, Event, TransitionError};
use sqlx::sqlite::{SqliteArguments, SqliteConnection};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Last sequence numbers by (desk, day), as committed by this process.
#[derive(Clone, Debug, Default)]
pub(crate) struct CounterCache(Arc<Mutex<HashMap<(String, NaiveDate), i64>>>);

impl CounterCache {
    fn get(&self, k: &(String, NaiveDate)) -> Option<i64> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(k)
            .copied()
    }
    fn set(&self, k: (String, NaiveDate), v: i64) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 10_000 {
            m.clear();
        }
        m.insert(k, v);
    }
    /// Takes the next number after the cached one (`None` when nothing
    /// is cached for the desk and day: the stored counter must be read).
    fn reserve(&self, k: &(String, NaiveDate)) -> Option<i64> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get_mut(k).map(|v| {
            *v += 1;
            *v
        })
    }
    /// Gives back a reserved number if no later one was taken.
    fn unreserve(&self, k: &(String, NaiveDate), seq: i64) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = m.get_mut(k)
            && *v == seq
        {
            *v = seq - 1;
        }
    }
    fn forget(&self, k: &(String, NaiveDate)) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(k);
    }
    pub(crate) fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The one SQLite connection that writes dossiers, with its group commit.
pub(crate) struct SqliteWriter {
    conn: Arc<tokio::sync::Mutex<SqliteConnection>>,
    /// Callers waiting for the connection (commit jobs not counted).
    queued: AtomicUsize,
    group: Mutex<Group>,
    pub(crate) counters: CounterCache,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteWriter")
    }
}

/// The transaction being filled.
#[derive(Default)]
struct Group {
    open: bool,
    /// A commit job is queued for it.
    job: bool,
    waiters: Vec<oneshot::Sender<Result<(), String>>>,
}

/// The connection, held; dropping it releases the connection and schedules
/// the commit of the open group.
pub(crate) struct Held {
    guard: Option<tokio::sync::OwnedMutexGuard<SqliteConnection>>,
    w: Arc<SqliteWriter>,
}

impl std::ops::Deref for Held {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.guard.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Held {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.guard.as_mut().expect("held until dropped")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(g) = self.guard.take() else { return };
        let w = self.w.clone();
        if w.queued.load(Ordering::SeqCst) > 0 {
            // Others are queued: they join the group; a commit job queued
            // behind them closes it.
            let spawn = {
                let mut grp = w.group.lock().unwrap_or_else(|p| p.into_inner());
                let spawn = grp.open && !grp.job;
                grp.job |= spawn;
                spawn
            };
            drop(g);
            if spawn {
                tokio::spawn(async move {
                    let g = w.conn.clone().lock_owned().await;
                    w.commit(g).await;
                });
            }
        } else {
            tokio::spawn(async move { w.commit(g).await });
        }
    }
}

impl SqliteWriter {
    pub(crate) fn new(conn: SqliteConnection) -> Arc<Self> {
        Arc::new(SqliteWriter {
            conn: Arc::new(tokio::sync::Mutex::new(conn)),
            queued: AtomicUsize::new(0),
            group: Mutex::new(Group::default()),
            counters: CounterCache::default(),
        })
    }

    /// Waits for the connection (in arrival order).
    pub(crate) async fn hold(self: &Arc<Self>) -> Held {
        struct Queued<'a>(&'a AtomicUsize);
        impl Drop for Queued<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.queued.fetch_add(1, Ordering::SeqCst);
        let q = Queued(&self.queued);
        let g = self.conn.clone().lock_owned().await;
        drop(q);
        Held {
            guard: Some(g),
            w: self.clone(),
        }
    }

    /// The connection without group commit (the raw benchmark's single-row
    /// commits).
    pub(crate) async fn hold_plain(&self) -> tokio::sync::OwnedMutexGuard<SqliteConnection> {
        self.conn.clone().lock_owned().await
    }

    /// Opens the group's transaction if none is open.
    async fn begin(&self, conn: &mut SqliteConnection) -> Result<(), StoreError> {
        if self.group.lock().unwrap_or_else(|p| p.into_inner()).open {
            return Ok(());
        }
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => {}
            // A BEGIN sent by a caller cancelled before it saw the answer.
            Err(sqlx::Error::Database(e)) if e.message().contains("within a transaction") => {}
            Err(e) => return Err(e.into()),
        }
        self.group.lock().unwrap_or_else(|p| p.into_inner()).open = true;
        Ok(())
    }

    /// Joins the open group: the answer comes when it is committed.
    fn join(&self) -> oneshot::Receiver<Result<(), String>> {
        let (tx, rx) = oneshot::channel();
        self.group
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .waiters
            .push(tx);
        rx
    }

    /// Commits the open group, if any, and answers its writers.
    async fn commit(&self, mut g: tokio::sync::OwnedMutexGuard<SqliteConnection>) {
        let waiters = {
            let mut grp = self.group.lock().unwrap_or_else(|p| p.into_inner());
            if !grp.open {
                return;
            }
            grp.open = false;
            grp.job = false;
            std::mem::take(&mut grp.waiters)
        };
        let r = sqlx::query("COMMIT").execute(&mut *g).await;
        let r = match r {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, writers = waiters.len(), "group commit failed");
                let _ = sqlx::query("ROLLBACK").execute(&mut *g).await;
                self.counters.clear();
                Err(e.to_string())
            }
        };
        drop(g);
        for w in waiters {
            let _ = w.send(r.clone());
        }
    }
}

/// Waits for the group of a successful statement to be committed.
async fn committed(rx: oneshot::Receiver<Result<(), String>>) -> Result<(), StoreError> {
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::Corrupt(format!(
            "ghi cơ sở dữ liệu không thành: {e}"
        ))),
        Err(_) => Err(StoreError::Corrupt("nhóm ghi bị hủy trước khi lưu".into())),
    }
}

/// The columns shared by both views after the dossier's own: the event,
/// the notices and the idempotency record, bound in this order.
const TAIL: &str = "ev_action, ev_to, ev_at, ev_data, ev_prev, mail_id, mail_recipient, mail_subject, mail_body, \
                    sms_id, sms_recipient, sms_body, idem_user, idem_key, idem_hash, idem_status, idem_body, now, stat";
const TAIL_COLUMNS: usize = 19;

/// `$from, $from+1, …` for `n` values.
fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds the [`TAIL`] values (`own`: the dossier was received here, so
/// its notices and report totals are written here).
#[allow(clippy::too_many_arguments)]
fn bind_tail<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments>,
    store: &Store,
    d: &Dossier,
    (ev, prev, evdata): (&Event, &str, String),
    (idem, reply): (Option<&Idempotency>, &Reply),
    templates: &crate::templates::Templates,
    old: Option<&Dossier>,
    own: bool,
) -> sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments> {
    let mut mail: (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = (None, None, None, None);
    let mut sms: (Option<String>, Option<String>, Option<String>) = (None, None, None);
    // A copy of another installation's dossier: no notices, no totals here.
    let notices = if own {
        crate::outbox::notice_rows(d, ev, store, templates)
    } else {
        Vec::new()
    };
    for (id, channel, recipient, subject, body) in notices {
        if channel == "sms" {
            sms = (Some(id), Some(recipient), Some(body));
        } else {
            mail = (Some(id), Some(recipient), Some(subject), Some(body));
        }
    }
    q = q
        .bind(ev.action.as_str())
        .bind(ev.to.as_str())
        .bind(to_utc(ev.at))
        .bind(evdata)
        .bind(prev.to_string())
        .bind(mail.0)
        .bind(mail.1)
        .bind(mail.2)
        .bind(mail.3)
        .bind(sms.0)
        .bind(sms.1)
        .bind(sms.2);
    match idem {
        Some(i) => q
            .bind(Some(i.username.clone()))
            .bind(Some(i.key.clone()))
            .bind(Some(i.request_hash.clone()))
            .bind(Some(i64::from(reply.status)))
            .bind(Some(reply.body.clone())),
        None => q
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind(None::<String>),
    }
    .bind(Utc::now())
    .bind(if own {
        crate::reports::stat_json(&crate::reports::stat_changes(old, d))
    } else {
        None
    })
}

/// A failed transition statement as the caller sees it: stale version or
/// a database error.
fn stale_or(e: sqlx::Error, expected: i64, actual: u64) -> StoreError {
    match &e {
        sqlx::Error::Database(x) if x.message().contains("motcua: stale version") => {
            StoreError::Transition(TransitionError::StaleVersion {
                expected: expected as u64,
                actual,
            })
        }
        _ => e.into(),
    }
}

/// Undoes the statements since `SAVEPOINT fed` (the federated write failed).
async fn undo_savepoint(conn: &mut SqliteConnection) {
    let _ = sqlx::query("ROLLBACK TO fed").execute(&mut *conn).await;
    let _ = sqlx::query("RELEASE fed").execute(&mut *conn).await;
}

async fn stored_seq(
    conn: &mut SqliteConnection,
    agency: &AgencyCode,
    day: NaiveDate,
) -> Result<i64, StoreError> {
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT last_seq FROM dossier_counter WHERE agency_code = $1 AND day = $2",
    )
    .bind(agency.as_str())
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(v.unwrap_or(0))
}

async fn lookup_idempotency(
    conn: &mut SqliteConnection,
    idem: Option<&Idempotency>,
) -> Result<Option<Reply>, StoreError> {
    let Some(i) = idem else { return Ok(None) };
    let row: Option<(String, i32, String)> = sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency WHERE username = $1 AND idem_key = $2",
    )
    .bind(i.username.clone())
    .bind(i.key.clone())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some((h, _, _)) if h != i.request_hash => Err(StoreError::Invalid(format!(
            "khóa Idempotency-Key `{}` đã dùng cho một yêu cầu khác",
            i.key
        ))),
        Some((_, status, body)) => Ok(Some(Reply {
            status: status as u16,
            body,
            replayed: true,
        })),
        None => Ok(None),
    }
}

impl Store {
    fn sqlite_writer(&self) -> Result<Arc<SqliteWriter>, StoreError> {
        self.sqlite_writer
            .clone()
            .ok_or_else(|| StoreError::Corrupt("no SQLite writer".into()))
    }

    /// Takes the writer connection inside the open group; the stored reply
    /// instead when the idempotency key was used already.
    async fn hold_for_write(
        &self,
        idem: Option<&Idempotency>,
    ) -> Result<Result<(Arc<SqliteWriter>, Held), Reply>, StoreError> {
        let w = self.sqlite_writer()?;
        let mut conn = w.hold().await;
        w.begin(&mut conn).await?;
        Ok(match lookup_idempotency(&mut conn, idem).await? {
            Some(r) => Err(r),
            None => Ok((w, conn)),
        })
    }

    /// [`Store::create_dossier`] on SQLite.
    pub(crate) async fn create_dossier_sqlite(
        &self,
        agency: &AgencyCode,
        unit: &UnitCode,
        day: NaiveDate,
        idem: Option<&Idempotency>,
        build: impl FnOnce(DossierCode) -> Result<(Dossier, Event), TransitionError>,
        respond: impl FnOnce(&Dossier) -> Result<Reply, StoreError>,
    ) -> Result<Reply, StoreError> {
        let templates = &self.notice_templates().await?;
        let routing = self.routing().await?;
        let w = self.sqlite_writer()?;
        let key = (agency.as_str().to_string(), day);
        // The writer connection is held only for the statement: the core
        // builds the dossier first under a provisional number (a refusal
        // uses up no number), and when the desk's counter is cached the
        // number is taken from it and the dossier renumbered and
        // serialised before the connection is taken.
        let provisional =
            DossierCode::new(agency, day, 1).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let (mut d, mut ev) = build(provisional).map_err(StoreError::Transition)?;
        let number = |seq: i64, d: &mut Dossier, ev: &mut Event| -> Result<(), StoreError> {
            let seq32 = u32::try_from(seq)
                .map_err(|_| StoreError::Invalid("hết số thứ tự hồ sơ trong ngày".into()))?;
            let code = DossierCode::new(agency, day, seq32)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            d.code = code.clone();
            ev.dossier = code;
            Ok(())
        };
        let reserved = if routing.any() {
            None
        } else {
            w.counters.reserve(&key)
        };
        // Renumbers the dossier, makes the reply and the JSON (once).
        let mut respond = Some(respond);
        let mut prepare = |seq: i64, d: &mut Dossier, ev: &mut Event| -> Result<_, StoreError> {
            number(seq, d, ev)?;
            let respond = respond
                .take()
                .ok_or_else(|| StoreError::Corrupt("reply made twice".into()))?;
            let reply = respond(d)?;
            Ok((reply, json(d)?, json(ev)?))
        };
        let early = match reserved {
            Some(seq) => match prepare(seq, &mut d, &mut ev) {
                Ok(x) => Some(x),
                Err(e) => {
                    w.counters.unreserve(&key, seq);
                    return Err(e);
                }
            },
            None => None,
        };
        let (w, mut conn) = match self.hold_for_write(idem).await {
            Ok(Ok(held)) => held,
            other => {
                if let Some(seq) = reserved {
                    w.counters.unreserve(&key, seq);
                }
                return match other {
                    Ok(Err(replay)) => Ok(replay),
                    Err(e) => Err(e),
                    Ok(Ok(_)) => unreachable!("matched above"),
                };
            }
        };
        let (seq, (reply, data, evdata)) = match (reserved, early) {
            (Some(seq), Some(made)) => (seq, made),
            _ => {
                let last = match w.counters.get(&key) {
                    Some(v) => v,
                    None => stored_seq(&mut conn, agency, day).await?,
                };
                (last + 1, prepare(last + 1, &mut d, &mut ev)?)
            }
        };
        let hash = event_hash(GENESIS_HASH, &evdata);
        let sql = format!(
            "INSERT INTO dossier_intake (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel, \
             received_at, due_at, version, last_hash, data, updated_at, assignee, seq_day, seq, {TAIL}) VALUES ({})",
            marks(1, 16 + TAIL_COLUMNS)
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(d.code.as_str())
            .bind(unit.as_str())
            .bind(d.receiving_agency.as_str())
            .bind(d.holder().as_str())
            .bind(d.procedure.code.as_str())
            .bind(d.state.as_str())
            .bind(d.channel.as_str())
            .bind(d.received_at.map(to_utc))
            .bind(d.due_at.map(to_utc))
            .bind(d.version as i64)
            .bind(hash)
            .bind(data)
            .bind(Utc::now())
            .bind(d.assignee.clone())
            .bind(day)
            .bind(seq);
        let q = bind_tail(
            q,
            self,
            &d,
            (&ev, GENESIS_HASH, evdata),
            (idem, &reply),
            templates,
            None,
            true,
        );
        // Messages to other installations are written beside the dossier,
        // all or nothing (a savepoint inside the group's transaction).
        let federated = routing.any();
        if federated {
            sqlx::query("SAVEPOINT fed").execute(&mut *conn).await?;
        }
        match q.execute(&mut *conn).await {
            Ok(_) => {
                if federated {
                    let shared: Result<(), StoreError> = async {
                        crate::federation::share_change!(
                            conn,
                            &routing,
                            &d,
                            &ev,
                            unit.as_str(),
                            None::<String>
                        );
                        sqlx::query("RELEASE fed").execute(&mut *conn).await?;
                        Ok(())
                    }
                    .await;
                    if let Err(e) = shared {
                        undo_savepoint(&mut conn).await;
                        w.counters.forget(&key);
                        return Err(e);
                    }
                }
                if reserved.is_none() {
                    w.counters.set(key, seq);
                }
                let rx = w.join();
                drop(conn);
                committed(rx).await?;
                if federated {
                    self.wake.ring();
                }
                Ok(reply)
            }
            Err(e) => {
                if federated {
                    undo_savepoint(&mut conn).await;
                }
                w.counters.forget(&key);
                Err(e.into())
            }
        }
    }

    /// [`Store::apply_to_dossier`] on SQLite.
    pub(crate) async fn apply_to_dossier_sqlite(
        &self,
        code: &DossierCode,
        idem: Option<&Idempotency>,
        decide: impl FnOnce(&Dossier) -> Result<(Dossier, Event), TransitionError>,
        respond: impl FnOnce(&Dossier) -> Result<Reply, StoreError>,
    ) -> Result<Reply, StoreError> {
        let templates = &self.notice_templates().await?;
        let routing = self.routing().await?;
        let (w, mut conn) = match self.hold_for_write(idem).await? {
            Ok(held) => held,
            Err(replay) => return Ok(replay),
        };
        let row: Option<(String, i64, String, Option<String>, String)> = sqlx::query_as(
            "SELECT data, version, last_hash, home, unit_code FROM dossier WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let Some((data, version, last_hash, home, unit)) = row else {
            return Err(StoreError::NotFound(format!("không có hồ sơ mã `{code}`")));
        };
        let current: Dossier = serde_json::from_str(&data)
            .map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
        Store::check_held_here(&routing, &current)?;
        let (d, ev) = decide(&current).map_err(StoreError::Transition)?;
        let reply = respond(&d)?;
        let evdata = json(&ev)?;
        let hash = event_hash(&last_hash, &evdata);
        let new_version = d.version as i64;
        let sql = format!(
            "INSERT INTO dossier_transition (code, old_version, current_agency, state, received_at, due_at, version, \
             last_hash, data, updated_at, assignee, {TAIL}) VALUES ({})",
            marks(1, 11 + TAIL_COLUMNS)
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code.as_str())
            .bind(version)
            .bind(d.holder().as_str())
            .bind(d.state.as_str())
            .bind(d.received_at.map(to_utc))
            .bind(d.due_at.map(to_utc))
            .bind(new_version)
            .bind(hash)
            .bind(json(&d)?)
            .bind(Utc::now())
            .bind(d.assignee.clone());
        let q = bind_tail(
            q,
            self,
            &d,
            (&ev, &last_hash, evdata),
            (idem, &reply),
            templates,
            Some(&current),
            home.is_none(),
        );
        let federated = routing.any();
        if federated {
            sqlx::query("SAVEPOINT fed").execute(&mut *conn).await?;
        }
        match q.execute(&mut *conn).await {
            Ok(_) => {
                if federated {
                    let shared: Result<(), StoreError> = async {
                        let unit = unit.clone();
                        crate::federation::share_change!(
                            conn,
                            &routing,
                            &d,
                            &ev,
                            unit,
                            home.clone()
                        );
                        sqlx::query("RELEASE fed").execute(&mut *conn).await?;
                        Ok(())
                    }
                    .await;
                    if let Err(e) = shared {
                        undo_savepoint(&mut conn).await;
                        return Err(e);
                    }
                }
                if home.is_none() && crate::reports::newly_overdue(Some(&current), &d) {
                    // In the same group transaction; a failure here leaves
                    // the change (already made) and is repaired by
                    // `motcua report verify --repair`.
                    let recorded: Result<(), StoreError> = async {
                        let unit = unit.clone();
                        crate::reports::add_cause!(self, conn, &d, &ev, unit);
                        Ok(())
                    }
                    .await;
                    if let Err(e) = recorded {
                        tracing::warn!(dossier = %code, error = %e, "cause of delay not recorded");
                    }
                }
                let rx = w.join();
                drop(conn);
                committed(rx).await?;
                if federated {
                    self.wake.ring();
                }
                Ok(reply)
            }
            Err(e) if federated => {
                undo_savepoint(&mut conn).await;
                Err(stale_or(e, version, d.version))
            }
            Err(sqlx::Error::Database(e)) if e.message().contains("motcua: stale version") => {
                // The version moved on under us (another process): nothing written.
                Err(StoreError::Transition(TransitionError::StaleVersion {
                    expected: version as u64,
                    actual: d.version,
                }))
            }
            Err(e) => Err(e.into()),
        }
    }
}
