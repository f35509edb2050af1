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
//! A reception is made ready before the connection is taken when the
//! desk's counter is cached: the core builds the dossier under a
//! provisional number first (a refusal uses up none), the next number is
//! then taken from the cache, the dossier renumbered and serialised. Such
//! receptions (no idempotency key, no other installation to tell) are
//! written in batches ([`SqliteWriter::receive`]): the first one queued
//! starts a leader task that takes the connection and writes every
//! reception queued by then as ONE multi-row `INSERT INTO dossier_intake`
//! in autocommit mode, so a batch costs one request to sqlx's connection
//! thread, one answer and one commit, like a single raw row. The batch's
//! report totals are summed and carried by its last row (`stat`), and the
//! desk's counter is set by each desk's last number. If the statement
//! fails (a number another writer took), nothing of it stays, and its rows
//! are written again one by one inside a group so that each gets its own
//! answer. The leader keeps the connection for the receptions queued
//! meanwhile, unless another writer waits. Measured (docs/benchmarks.md):
//! intake 27-29 % → 46-51 % of the raw commit rate (8 clients, 10 s runs).
//!
//! In a group (transitions, receptions with an idempotency key or to be
//! shared with peers), the report totals of its writers are summed and
//! written by one upsert just before the commit.
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

use crate::chain::{GENESIS_HASH, event_hash, json};
use crate::reply::{Idempotency, Reply};
use crate::totals::rows_of_marks;
use crate::{Store, StoreError};
use chrono::{NaiveDate, Utc};
use motcua_core::calendar::to_utc;
use motcua_core::codes::{AgencyCode, UnitCode};
use motcua_core::dossier::{Dossier, DossierCode, Event, TransitionError};
use std::sync::Arc;

use crate::sqlite_writer::*;

/// The tail of a write (`own`: the dossier was received here, so its
/// notices are written here).
fn tail(
    store: &Store,
    d: &Dossier,
    (ev, prev, data): (&Event, &str, Vec<u8>),
    (idem, reply): (Option<&Idempotency>, &Reply),
    templates: &crate::templates::Templates,
    own: bool,
) -> Tail {
    let mut mail = [None, None, None, None];
    let mut sms = [None, None, None];
    // A copy of another installation's dossier: no notices here.
    let notices = if own {
        crate::outbox::notice_rows(d, ev, store, templates)
    } else {
        Vec::new()
    };
    for (id, channel, recipient, subject, body) in notices {
        if channel == "sms" {
            sms = [Some(id), Some(recipient), Some(body)];
        } else {
            mail = [Some(id), Some(recipient), Some(subject), Some(body)];
        }
    }
    Tail {
        action: ev.action.as_str(),
        to: ev.to.as_str(),
        at: to_utc(ev.at),
        data,
        prev: prev.to_string(),
        mail,
        sms,
        idem: idem.map(|i| {
            (
                i.username.clone(),
                i.key.clone(),
                i.request_hash.clone(),
                i64::from(reply.status),
                reply.body.clone(),
            )
        }),
    }
}

/// The row of a reception numbered `seq` on `day`, its dossier and event
/// serialised as `data`.
#[allow(clippy::too_many_arguments)]
fn intake_row(
    store: &Store,
    unit: &UnitCode,
    d: &Dossier,
    ev: &Event,
    (day, seq): (NaiveDate, i64),
    (data, evdata): (String, String),
    idem: Option<&Idempotency>,
    reply: &Reply,
    templates: &crate::templates::Templates,
) -> Result<IntakeRow, StoreError> {
    let packed = crate::event_codec::pack(&evdata)?;
    Ok(IntakeRow {
        code: d.code.as_str().to_string(),
        unit: unit.as_str().to_string(),
        receiving: d.receiving_agency.as_str().to_string(),
        current: d.holder().as_str().to_string(),
        procedure: d.procedure.code.as_str().to_string(),
        state: d.state.as_str(),
        channel: d.channel.as_str(),
        received_at: d.received_at.map(to_utc),
        due_at: d.due_at.map(to_utc),
        version: d.version as i64,
        hash: event_hash(GENESIS_HASH, &evdata),
        data,
        assignee: d.assignee.clone(),
        day,
        seq,
        tail: tail(
            store,
            d,
            (ev, GENESIS_HASH, packed),
            (idem, reply),
            templates,
            true,
        ),
    })
}

impl Store {
    fn sqlite_writer(&self) -> Result<Arc<SqliteWriter>, StoreError> {
        self.sqlite_writer
            .clone()
            .ok_or_else(|| StoreError::Internal("no SQLite writer".into()))
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
        let reserved = if routing.any() {
            None
        } else {
            w.counters.reserve(&key)
        };
        // Renumbers the dossier, makes the reply and the row to write
        // (once); on an error, the number goes back to the cache.
        let mut respond = Some(respond);
        let mut prepare = |seq: i64, d: &mut Dossier, ev: &mut Event| {
            let made = (|| {
                let code = crate::chain::numbered(agency, day, seq)?;
                d.code = code.clone();
                ev.dossier = code;
                let respond = respond
                    .take()
                    .ok_or_else(|| StoreError::Internal("reply made twice".into()))?;
                let reply = respond(d)?;
                let row = intake_row(
                    self,
                    unit,
                    d,
                    ev,
                    (day, seq),
                    (json(d)?, json(ev)?),
                    idem,
                    &reply,
                    templates,
                )?;
                Ok::<_, StoreError>((reply, row))
            })();
            if made.is_err() {
                w.counters.unreserve(&key, seq);
            }
            made
        };
        // The common case (the desk's counter cached, no idempotency key,
        // no other installation to tell): the reception is made ready
        // here and written in a batch with the others queued meanwhile.
        if let (Some(seq), None) = (reserved, idem) {
            let (reply, row) = prepare(seq, &mut d, &mut ev)?;
            let stats = stat_rows(None, &d, unit.as_str(), true);
            return match w.receive(row, stats).await {
                Ok(()) => Ok(reply),
                Err(e) => {
                    w.counters.forget(&key);
                    Err(e)
                }
            };
        }
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
        // The number is taken from the cache here too (never read and
        // then set, which would race with a reception taking the next one
        // from the cache meanwhile).
        let seq = match reserved.or_else(|| w.counters.reserve(&key)) {
            Some(seq) => seq,
            None => {
                // Past any number taken outside the counter (an import,
                // another process), so that one taken number costs at most
                // the one reception already given it.
                let mut seq = stored_seq(&mut conn, agency, day).await? + 1;
                while taken(&mut conn, agency, day, seq).await? {
                    seq += 1;
                }
                w.counters.set(key.clone(), seq);
                seq
            }
        };
        let (reply, row) = prepare(seq, &mut d, &mut ev)?;
        let sql = intake_sql(1);
        let q = row.bind(sqlx::query(sqlx::AssertSqlSafe(sql)), true);
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
                let rx = w.join(stat_rows(None, &d, unit.as_str(), true));
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
                Err(intake_error(e, d.code.as_str()))
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
             last_hash, data, updated_at, assignee, {TAIL}) VALUES {}",
            rows_of_marks(1, 11 + TAIL_COLUMNS)
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
        let tail = tail(
            self,
            &d,
            (&ev, &last_hash, crate::event_codec::pack(&evdata)?),
            (idem, &reply),
            templates,
            home.is_none(),
        );
        let q = tail.bind(q);
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
                if home.is_none() && motcua_core::causes::newly_overdue(Some(&current), &d) {
                    // In the same group transaction; a failure here leaves
                    // the change (already made) and is repaired by
                    // `motcua report verify --repair`.
                    let recorded: Result<(), StoreError> = async {
                        let unit = unit.clone();
                        crate::totals::add_cause!(self, conn, &d, &ev, unit);
                        Ok(())
                    }
                    .await;
                    if let Err(e) = recorded {
                        tracing::warn!(dossier = %code, error = %e, "cause of delay not recorded");
                    }
                }
                let rx = w.join(stat_rows(Some(&current), &d, &unit, home.is_none()));
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
