//! The SQLite writer's machinery (docs in `sqlite_writes.rs`): the one
//! writer connection with its group commit and reception batches, the
//! desk counters it caches, and the rows it writes with their binding. It
//! knows nothing of `Store`: `sqlite_writes.rs` prepares the rows from the
//! dossiers and drives it.

use crate::StoreError;
use crate::reply::{Idempotency, Reply};
use crate::totals::{StatKey, rows_of_marks};
use chrono::{NaiveDate, Utc};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::{Dossier, TransitionError};
use motcua_core::report::Counts;
use sqlx::sqlite::{SqliteArguments, SqliteConnection};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Last sequence numbers by (desk, day), as committed by this process.
#[derive(Clone, Debug, Default)]
pub(crate) struct CounterCache(Arc<Mutex<HashMap<(String, NaiveDate), i64>>>);

impl CounterCache {
    pub(crate) fn set(&self, k: (String, NaiveDate), v: i64) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 10_000 {
            m.clear();
        }
        m.insert(k, v);
    }
    /// Takes the next number after the cached one (`None` when nothing
    /// is cached for the desk and day: the stored counter must be read).
    pub(crate) fn reserve(&self, k: &(String, NaiveDate)) -> Option<i64> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get_mut(k).map(|v| {
            *v += 1;
            *v
        })
    }
    /// Gives back a reserved number if no later one was taken.
    pub(crate) fn unreserve(&self, k: &(String, NaiveDate), seq: i64) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = m.get_mut(k)
            && *v == seq
        {
            *v = seq - 1;
        }
    }
    pub(crate) fn forget(&self, k: &(String, NaiveDate)) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(k);
    }
    pub(crate) fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The one SQLite connection that writes dossiers, with its group commit.
pub(crate) struct SqliteWriter {
    pub(crate) conn: Arc<tokio::sync::Mutex<SqliteConnection>>,
    /// Callers waiting for the connection (commit jobs not counted).
    pub(crate) queued: AtomicUsize,
    pub(crate) group: Mutex<Group>,
    /// Receptions made ready, waiting to be written together.
    pub(crate) batch: Mutex<Batch>,
    pub(crate) counters: CounterCache,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteWriter")
    }
}

/// The transaction being filled.
#[derive(Default)]
pub(crate) struct Group {
    pub(crate) open: bool,
    /// A commit job is queued for it.
    pub(crate) job: bool,
    pub(crate) waiters: Vec<oneshot::Sender<Result<(), String>>>,
    /// The report totals its writers change, summed: written once per
    /// group, just before the commit (sums commute, and nothing reads
    /// `stat_bucket` on the writer connection in between).
    pub(crate) stats: HashMap<StatKey, Counts>,
}

/// The connection, held; dropping it releases the connection and schedules
/// the commit of the open group.
pub(crate) struct Held {
    pub(crate) guard: Option<tokio::sync::OwnedMutexGuard<SqliteConnection>>,
    pub(crate) w: Arc<SqliteWriter>,
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
        // (`open` changes only with the connection held, as here.)
        if !w.group.lock().unwrap_or_else(|p| p.into_inner()).open {
            return;
        }
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
            batch: Mutex::new(Batch::default()),
            counters: CounterCache::default(),
        })
    }

    /// Waits for the connection (in arrival order).
    pub(crate) async fn hold(self: &Arc<Self>) -> Held {
        pub(crate) struct Queued<'a>(&'a AtomicUsize);
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
    ///
    /// The group is marked open BEFORE the `BEGIN` is sent, so that a
    /// caller cancelled while it is sent still leaves `open` true and its
    /// release schedules the commit: `open == false` means that no
    /// transaction is open on the connection, which the batches of
    /// receptions rely on to be committed by their own statement.
    pub(crate) async fn begin(&self, conn: &mut SqliteConnection) -> Result<(), StoreError> {
        {
            let mut grp = self.group.lock().unwrap_or_else(|p| p.into_inner());
            if grp.open {
                return Ok(());
            }
            grp.open = true;
        }
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => Ok(()),
            // A BEGIN sent before by a caller cancelled meanwhile.
            Err(sqlx::Error::Database(e)) if e.message().contains("within a transaction") => Ok(()),
            Err(e) => {
                self.group.lock().unwrap_or_else(|p| p.into_inner()).open = false;
                Err(e.into())
            }
        }
    }

    /// Joins the open group with a successful statement and the report
    /// totals it changes: the answer comes when the group is committed.
    pub(crate) fn join(
        &self,
        stats: Vec<(StatKey, Counts)>,
    ) -> oneshot::Receiver<Result<(), String>> {
        let (tx, rx) = oneshot::channel();
        let mut grp = self.group.lock().unwrap_or_else(|p| p.into_inner());
        grp.waiters.push(tx);
        for (k, c) in stats {
            grp.stats.entry(k).or_default().add(&c);
        }
        rx
    }

    /// Writes a reception made ready beforehand, in one statement with the
    /// others queued meanwhile; answers when its group is committed.
    pub(crate) async fn receive(
        self: &Arc<Self>,
        row: IntakeRow,
        stats: Vec<(StatKey, Counts)>,
    ) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut b = self.batch.lock().unwrap_or_else(|p| p.into_inner());
            b.rows.push(ReadyIntake {
                row,
                stats,
                answer: tx,
            });
            !std::mem::replace(&mut b.leader, true)
        };
        if lead {
            // A task of its own, so that a caller gone away strands no row.
            let w = self.clone();
            tokio::spawn(async move { w.write_batch().await });
        }
        match rx.await {
            Ok(Ok(commit)) => committed(commit).await,
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StoreError::Internal("nhóm ghi bị hủy trước khi lưu".into())),
        }
    }

    /// Takes the connection and writes every reception queued by then: in
    /// statements of up to [`BATCH_ROWS`] rows; when one fails, its rows
    /// one by one (a failed statement undoes only itself).
    pub(crate) async fn write_batch(self: Arc<Self>) {
        let mut conn = self.hold().await;
        loop {
            let rows = {
                let mut b = self.batch.lock().unwrap_or_else(|p| p.into_inner());
                if b.rows.is_empty() {
                    b.leader = false;
                    return;
                }
                std::mem::take(&mut b.rows)
            };
            // The connection is kept for the receptions queued meanwhile,
            // unless a group is left to commit or another writer waits.
            if !self.write_rows(&mut conn, rows).await || self.queued.load(Ordering::SeqCst) > 0 {
                drop(conn);
                conn = self.hold().await;
            }
        }
    }

    /// Writes `rows` (see [`SqliteWriter::write_batch`]); `true` when they
    /// were committed alone, so that no group is open.
    pub(crate) async fn write_rows(&self, conn: &mut Held, rows: Vec<ReadyIntake>) -> bool {
        // Alone on the connection (no group open, nobody queued): the
        // whole batch in one statement, its own transaction.
        let alone = !self.group.lock().unwrap_or_else(|p| p.into_inner()).open
            && self.queued.load(Ordering::SeqCst) == 0
            && rows.len() <= BATCH_ROWS;
        if alone {
            match write_alone(conn, &rows).await {
                Ok(()) => {
                    for r in rows {
                        let (tx, rx) = oneshot::channel();
                        let _ = tx.send(Ok(()));
                        let _ = r.answer.send(Ok(rx));
                    }
                    return true;
                }
                Err(e) => {
                    // Undone whole (one statement); written again below,
                    // row by row if need be, to answer each its own error.
                    tracing::debug!(error = %e, rows = rows.len(), "batch written alone failed");
                }
            }
        }
        if let Err(e) = self.begin(conn).await {
            let msg = e.to_string();
            for r in rows {
                let _ = r.answer.send(Err(StoreError::Internal(msg.clone())));
            }
            return false;
        }
        let mut answered: Vec<Result<(), sqlx::Error>> = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(BATCH_ROWS) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(intake_sql(chunk.len())));
            for r in chunk {
                q = r.row.bind(q, true);
            }
            let results = match q.execute(&mut **conn).await {
                Ok(_) => chunk.iter().map(|_| Ok(())).collect(),
                Err(e) if chunk.len() == 1 => vec![Err(e)],
                Err(_) => {
                    // Which row failed: each on its own.
                    let mut results = Vec::with_capacity(chunk.len());
                    for r in chunk {
                        let q = r
                            .row
                            .bind(sqlx::query(sqlx::AssertSqlSafe(intake_sql(1))), true);
                        results.push(q.execute(&mut **conn).await.map(|_| ()));
                    }
                    results
                }
            };
            answered.extend(results);
        }
        for (r, result) in rows.into_iter().zip(answered) {
            let answer = match result {
                Ok(()) => Ok(self.join(r.stats)),
                Err(e) => Err(intake_error(e, &r.row.code)),
            };
            let _ = r.answer.send(answer);
        }
        false
    }

    /// Commits the open group, if any, and answers its writers.
    pub(crate) async fn commit(&self, mut g: tokio::sync::OwnedMutexGuard<SqliteConnection>) {
        let (waiters, stats) = {
            let mut grp = self.group.lock().unwrap_or_else(|p| p.into_inner());
            if !grp.open {
                return;
            }
            grp.open = false;
            grp.job = false;
            (
                std::mem::take(&mut grp.waiters),
                std::mem::take(&mut grp.stats),
            )
        };
        let r = match add_stat_rows(&mut g, stats).await {
            Ok(()) => match sqlx::query("COMMIT").execute(&mut *g).await {
                // The BEGIN never reached the connection (its caller was
                // cancelled first): each statement committed on its own.
                Err(sqlx::Error::Database(e))
                    if e.message().contains("no transaction is active") =>
                {
                    Ok(())
                }
                r => r.map(|_| ()),
            },
            Err(e) => Err(e),
        };
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

/// Writes `rows` and their report totals as ONE statement in autocommit
/// mode (its own transaction: one request to the connection's thread, one
/// answer, one commit): `INSERT INTO dossier_intake VALUES (…), (…)`, the
/// last row carrying the rows' summed totals in its `stat` column for the
/// trigger to add (migration 0019).
pub(crate) async fn write_alone(
    conn: &mut SqliteConnection,
    rows: &[ReadyIntake],
) -> Result<(), sqlx::Error> {
    let mut stats: HashMap<&StatKey, Counts> = HashMap::new();
    for r in rows {
        for (k, c) in &r.stats {
            stats.entry(k).or_default().add(c);
        }
    }
    let stat: Vec<serde_json::Value> = stats
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((agency, grain, bucket, procedure, channel, unit), c)| {
            let mut v = vec![
                serde_json::Value::from(agency.as_str()),
                serde_json::Value::from(*grain),
                serde_json::Value::from(bucket.format("%Y-%m-%d").to_string()),
                serde_json::Value::from(procedure.as_str()),
                serde_json::Value::from(channel.as_str()),
                serde_json::Value::from(unit.as_str()),
            ];
            v.extend(c.to_array().into_iter().map(serde_json::Value::from));
            serde_json::Value::Array(v)
        })
        .collect();
    let stat = (!stat.is_empty()).then(|| serde_json::Value::Array(stat).to_string());
    let sql = format!(
        "INSERT INTO dossier_intake ({INTAKE_HEAD}, {TAIL}, stat) VALUES {}",
        rows_of_marks(rows.len(), INTAKE_COLUMNS + 1)
    );
    // Each desk's counter is set once, by its last number in the batch.
    let mut last: HashMap<(&str, NaiveDate), i64> = HashMap::new();
    for r in rows {
        let e = last
            .entry((r.row.receiving.as_str(), r.row.day))
            .or_insert(r.row.seq);
        *e = (*e).max(r.row.seq);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (i, r) in rows.iter().enumerate() {
        let counter = last.get(&(r.row.receiving.as_str(), r.row.day)) == Some(&r.row.seq);
        q = r.row.bind(q, counter).bind(if i + 1 == rows.len() {
            stat.as_deref()
        } else {
            None
        });
    }
    q.execute(&mut *conn).await.map(|_| ())
}

/// Binds one row of `stat_bucket` (13 values).
pub(crate) fn bind_stat_row<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments>,
    (agency, grain, bucket, procedure, channel, unit): &'q StatKey,
    c: &Counts,
) -> sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments> {
    let mut q = q
        .bind(agency.as_str())
        .bind(*grain)
        .bind(*bucket)
        .bind(procedure.as_str())
        .bind(channel.as_str())
        .bind(unit.as_str());
    for x in c.to_array() {
        q = q.bind(x);
    }
    q
}

/// The most rows of `stat_bucket` one statement adds.
pub(crate) const STAT_ROWS: usize = 256;

/// Adds the group's report totals (at most [`STAT_ROWS`] rows per statement).
pub(crate) async fn add_stat_rows(
    conn: &mut SqliteConnection,
    stats: HashMap<StatKey, Counts>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(StatKey, Counts)> = stats.into_iter().filter(|(_, c)| !c.is_zero()).collect();
    for chunk in rows.chunks(STAT_ROWS) {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::totals::add_stat_rows_sql(
            chunk.len(),
        )));
        for (k, c) in chunk {
            q = bind_stat_row(q, k, c);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The report totals a dossier change adds (`old` = before, `None` = new),
/// when the dossier was received here.
pub(crate) fn stat_rows(
    old: Option<&Dossier>,
    d: &Dossier,
    unit: &str,
    own: bool,
) -> Vec<(StatKey, Counts)> {
    if !own {
        return Vec::new();
    }
    crate::totals::stat_changes(old, d)
        .into_iter()
        .map(|(g, b, c)| {
            (
                (
                    d.receiving_agency.as_str().to_string(),
                    g.code(),
                    b,
                    d.procedure.code.as_str().to_string(),
                    d.channel.as_str().to_string(),
                    unit.to_string(),
                ),
                c,
            )
        })
        .collect()
}

/// Waits for the group of a successful statement to be committed.
pub(crate) async fn committed(rx: oneshot::Receiver<Result<(), String>>) -> Result<(), StoreError> {
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::Internal(format!(
            "ghi cơ sở dữ liệu không thành: {e}"
        ))),
        Err(_) => Err(StoreError::Internal("nhóm ghi bị hủy trước khi lưu".into())),
    }
}

/// The columns shared by both views after the dossier's own: the event,
/// the notices and the idempotency record, bound in this order. (The
/// views' `stat` column stays NULL: the report totals are written by the
/// group commit, summed over its writers.)
pub(crate) const TAIL: &str = "ev_action, ev_to, ev_at, ev_data, ev_prev, mail_id, mail_recipient, mail_subject, mail_body, \
                    sms_id, sms_recipient, sms_body, idem_user, idem_key, idem_hash, idem_status, idem_body, now";
pub(crate) const TAIL_COLUMNS: usize = 18;

/// The columns of a reception before [`TAIL`].
pub(crate) const INTAKE_HEAD: &str = "code, unit_code, receiving_agency, current_agency, procedure_code, state, channel, \
                           received_at, due_at, version, last_hash, data, updated_at, assignee, seq_day, seq";
pub(crate) const INTAKE_COLUMNS: usize = 16 + TAIL_COLUMNS;

/// The [`TAIL`] values of a write, owned (so that a reception can be made
/// ready before the connection is taken).
pub(crate) struct Tail {
    pub(crate) action: &'static str,
    pub(crate) to: &'static str,
    pub(crate) at: chrono::DateTime<Utc>,
    /// The event's stored (packed) JSON.
    pub(crate) data: Vec<u8>,
    pub(crate) prev: String,
    pub(crate) mail: [Option<String>; 4],
    pub(crate) sms: [Option<String>; 3],
    pub(crate) idem: Option<(String, String, String, i64, String)>,
}

impl Tail {
    pub(crate) fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments> {
        let mut q = q
            .bind(self.action)
            .bind(self.to)
            .bind(self.at)
            .bind(self.data.as_slice())
            .bind(self.prev.as_str());
        for v in self.mail.iter().chain(&self.sms) {
            q = q.bind(v.as_deref());
        }
        let (user, key, hash, status, body) = match &self.idem {
            Some((u, k, h, s, b)) => (
                Some(u.as_str()),
                Some(k.as_str()),
                Some(h.as_str()),
                Some(*s),
                Some(b.as_str()),
            ),
            None => (None, None, None, None, None),
        };
        q.bind(user)
            .bind(key)
            .bind(hash)
            .bind(status)
            .bind(body)
            .bind(Utc::now())
    }
}

/// One reception's row of `dossier_intake`, ready to bind.
pub(crate) struct IntakeRow {
    pub(crate) code: String,
    pub(crate) unit: String,
    pub(crate) receiving: String,
    pub(crate) current: String,
    pub(crate) procedure: String,
    pub(crate) state: &'static str,
    pub(crate) channel: &'static str,
    pub(crate) received_at: Option<chrono::DateTime<Utc>>,
    pub(crate) due_at: Option<chrono::DateTime<Utc>>,
    pub(crate) version: i64,
    pub(crate) hash: String,
    pub(crate) data: String,
    pub(crate) assignee: Option<String>,
    pub(crate) day: NaiveDate,
    pub(crate) seq: i64,
    pub(crate) tail: Tail,
}

impl IntakeRow {
    /// Binds the row; `counter`: with its number for the desk's counter
    /// (a batch gives only each desk's last number; the others NULL).
    pub(crate) fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments>,
        counter: bool,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments> {
        let q = q
            .bind(self.code.as_str())
            .bind(self.unit.as_str())
            .bind(self.receiving.as_str())
            .bind(self.current.as_str())
            .bind(self.procedure.as_str())
            .bind(self.state)
            .bind(self.channel)
            .bind(self.received_at)
            .bind(self.due_at)
            .bind(self.version)
            .bind(self.hash.as_str())
            .bind(self.data.as_str())
            .bind(Utc::now())
            .bind(self.assignee.as_deref())
            .bind(self.day)
            .bind(counter.then_some(self.seq));
        self.tail.bind(q)
    }
}

/// The statement receiving `n` dossiers.
pub(crate) fn intake_sql(n: usize) -> String {
    format!(
        "INSERT INTO dossier_intake ({INTAKE_HEAD}, {TAIL}) VALUES {}",
        rows_of_marks(n, INTAKE_COLUMNS)
    )
}

/// The most receptions written by one statement (35 values each; SQLite
/// takes 32,766).
pub(crate) const BATCH_ROWS: usize = 64;

/// The answer to a queued reception: its statement failed, or it joined
/// the group (the receiver answers when the group is committed).
pub(crate) type Joined = Result<oneshot::Receiver<Result<(), String>>, StoreError>;

/// A reception made ready before the connection was taken, waiting for a
/// batch (`SqliteWriter::receive`).
pub(crate) struct ReadyIntake {
    pub(crate) row: IntakeRow,
    pub(crate) stats: Vec<(StatKey, Counts)>,
    pub(crate) answer: oneshot::Sender<Joined>,
}

/// Receptions waiting for the connection; `leader`: a task is queued for
/// the connection that will write them all.
#[derive(Default)]
pub(crate) struct Batch {
    pub(crate) leader: bool,
    pub(crate) rows: Vec<ReadyIntake>,
}

/// A failed transition statement as the caller sees it: stale version or
/// a database error.
pub(crate) fn stale_or(e: sqlx::Error, expected: i64, actual: u64) -> StoreError {
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
pub(crate) async fn undo_savepoint(conn: &mut SqliteConnection) {
    let _ = sqlx::query("ROLLBACK TO fed").execute(&mut *conn).await;
    let _ = sqlx::query("RELEASE fed").execute(&mut *conn).await;
}

pub(crate) async fn stored_seq(
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

/// Whether the desk's `seq`-th code of `day` is used already.
pub(crate) async fn taken(
    conn: &mut SqliteConnection,
    agency: &AgencyCode,
    day: NaiveDate,
    seq: i64,
) -> Result<bool, StoreError> {
    let code = crate::chain::numbered(agency, day, seq)?;
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM dossier WHERE code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// A reception's failed statement as its caller sees it: its number taken
/// meanwhile outside this process's counter (409, to be tried again), or a
/// database error.
pub(crate) fn intake_error(e: sqlx::Error, code: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(x) if x.is_unique_violation() => StoreError::Conflict(format!(
            "số hồ sơ {code} vừa được nơi khác sử dụng; hãy tiếp nhận lại hồ sơ (sẽ được số mới)"
        )),
        _ => e.into(),
    }
}

pub(crate) async fn lookup_idempotency(
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
        Some((h, _, _)) if h != i.request_hash => Err(i.reused()),
        Some((_, status, body)) => Ok(Some(Reply {
            status: status as u16,
            body,
            replayed: true,
        })),
        None => Ok(None),
    }
}
