//! Dossiers: the current state (one row, with a version for optimistic
//! concurrency), the append-only events chained by hash, the daily code
//! counter, and idempotent replies. Every change is one write transaction.

use crate::chain::{GENESIS_HASH, event_hash, json, numbered};
use crate::db::{Db, with_db};
use crate::outbox::enqueue_notice;
use crate::reply::{Idempotency, Reply};
use crate::{Store, StoreError};
use chrono::{NaiveDate, Utc};
use motcua_core::calendar::to_utc;
use motcua_core::codes::{AgencyCode, UnitCode};
use motcua_core::dossier::{Dossier, DossierCode, Event, TransitionError};
use std::collections::HashMap;

/// A dossier with its events, oldest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DossierRecord {
    pub dossier: Dossier,
    pub events: Vec<StoredEvent>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredEvent {
    #[serde(flatten)]
    pub event: Event,
    pub hash: String,
}

/// A document attached to a dossier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct DocumentInfo {
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: chrono::DateTime<Utc>,
}

/// What `audit verify` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AuditReport {
    pub dossiers: usize,
    pub events: usize,
    /// The first broken link: dossier code, event version, what is wrong.
    pub broken: Option<(String, i64, String)>,
}

/// The statement that starts a write transaction: SQLite takes the write lock
/// at once (no failed upgrade from reader to writer under concurrency).
fn begin_write(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => "BEGIN IMMEDIATE",
        Db::Pg(_) => "BEGIN",
    }
}

macro_rules! idem_lookup {
    ($tx:expr, $idem:expr) => {{
        match $idem {
            Some(i) => {
                let row: Option<(String, i32, String)> = sqlx::query_as(
                    "SELECT request_hash, status, body FROM idempotency WHERE username = $1 AND idem_key = $2",
                )
                .bind(i.username.clone())
                .bind(i.key.clone())
                .fetch_optional(&mut *$tx)
                .await?;
                match row {
                    Some((h, _, _)) if h != i.request_hash => {
                        return Err(i.reused());
                    }
                    Some((_, status, body)) => Some(Reply { status: status as u16, body, replayed: true }),
                    None => None,
                }
            }
            None => None,
        }
    }};
}

macro_rules! idem_store {
    ($tx:expr, $idem:expr, $reply:expr) => {
        if let Some(i) = $idem {
            sqlx::query(
                "INSERT INTO idempotency (username, idem_key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(i.username.clone())
            .bind(i.key.clone())
            .bind(i.request_hash.clone())
            .bind($reply.status as i32)
            .bind($reply.body.clone())
            .bind(Utc::now())
            .execute(&mut *$tx)
            .await?;
        }
    };
}

macro_rules! insert_event {
    ($tx:expr, $ev:expr, $prev:expr, $unit:expr) => {{
        let data = json($ev)?;
        let hash = event_hash($prev, &data);
        insert_event_row!($tx, $ev, $prev, data, hash.clone(), $unit);
        hash
    }};
}

/// Inserts an event whose JSON and chain hash are already computed (with
/// its dossier's unit, the distribution key).
macro_rules! insert_event_row {
    ($tx:expr, $ev:expr, $prev:expr, $data:expr, $hash:expr, $unit:expr) => {
        sqlx::query(
            "INSERT INTO dossier_event (dossier_code, version, action, to_state, at, data, prev_hash, hash, unit_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($ev.dossier.as_str())
        .bind($ev.version as i64)
        .bind($ev.action.as_str())
        .bind($ev.to.as_str())
        .bind(to_utc($ev.at))
        .bind(crate::event_codec::pack(&$data)?)
        .bind($prev.to_string())
        .bind($hash)
        .bind($unit.to_string())
        .execute(&mut *$tx)
        .await?;
    };
}

impl Store {
    /// Receives a new dossier at `agency` (of administrative unit `unit`) on
    /// local date `day`: takes the next code of the day, lets `build` make the
    /// dossier and its first event (the pure core), stores both and the
    /// reply made by `respond`, in one transaction. With an idempotency key
    /// already used by the same user, returns the stored reply instead and
    /// changes nothing. A refusal of `build` stores nothing (no code is used up).
    pub async fn create_dossier(
        &self,
        agency: &AgencyCode,
        unit: &UnitCode,
        day: NaiveDate,
        idem: Option<&Idempotency>,
        build: impl FnOnce(DossierCode) -> Result<(Dossier, Event), TransitionError>,
        respond: impl FnOnce(&Dossier) -> Result<Reply, StoreError>,
    ) -> Result<Reply, StoreError> {
        if let Db::Sqlite(_) = self.writer {
            return self
                .create_dossier_sqlite(agency, unit, day, idem, build, respond)
                .await;
        }
        let templates = self.notice_templates().await?;
        let routing = self.routing().await?;
        let begin = begin_write(&self.writer);
        with_db!(&self.writer, p => {
            let mut tx = p.begin_with(begin).await?;
            if let Some(r) = idem_lookup!(tx, idem) {
                return Ok(r);
            }
            let next = "INSERT INTO dossier_counter (agency_code, day, last_seq) VALUES ($1, $2, 1) \
                 ON CONFLICT (agency_code, day) DO UPDATE SET last_seq = dossier_counter.last_seq + 1 RETURNING last_seq";
            let seq: i64 = sqlx::query_scalar(next).bind(agency.as_str()).bind(day).fetch_one(&mut *tx).await?;
            let (mut d, mut ev) = build(numbered(agency, day, seq)?).map_err(StoreError::Transition)?;
            loop {
                let first_hash = event_hash(GENESIS_HASH, &json(&ev)?);
                let inserted = sqlx::query(
                    "INSERT INTO dossier (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel, received_at, due_at, \
                     version, last_hash, data, updated_at, assignee) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT DO NOTHING")
                    .bind(d.code.as_str()).bind(unit.as_str()).bind(d.receiving_agency.as_str()).bind(d.holder().as_str())
                    .bind(d.procedure.code.as_str()).bind(d.state.as_str()).bind(d.channel.as_str())
                    .bind(d.received_at.map(to_utc)).bind(d.due_at.map(to_utc)).bind(d.version as i64).bind(first_hash.clone())
                    .bind(json(&d)?).bind(Utc::now()).bind(d.assignee.clone())
                    .execute(&mut *tx).await?.rows_affected();
                if inserted == 1 {
                    break;
                }
                // The number was taken outside the counter (an import,
                // another process): the next one (the counter's row is
                // locked by this transaction meanwhile).
                let seq: i64 = sqlx::query_scalar(next).bind(agency.as_str()).bind(day).fetch_one(&mut *tx).await?;
                let code = numbered(agency, day, seq)?;
                d.code = code.clone();
                ev.dossier = code;
            }
            insert_event!(tx, &ev, GENESIS_HASH, unit.as_str());
            crate::totals::add_stats!(tx, &d, unit.as_str(), crate::totals::stat_changes(None, &d));
            enqueue_notice!(tx, &d, &ev, self, &templates);
            if routing.any() {
                crate::federation::share_change!(tx, &routing, &d, &ev, unit.as_str(), None::<String>);
            }
            let reply = respond(&d)?;
            idem_store!(tx, idem, reply);
            tx.commit().await?;
            if routing.any() {
                self.wake.ring();
            }
            Ok(reply)
        })
    }
}

impl Store {
    /// Applies a transition decided by `decide` on the stored dossier, with
    /// optimistic concurrency: the row is updated only if its version is
    /// still the one `decide` saw, so two officers never overwrite each other
    /// (the second gets `StaleVersion`). A refusal changes nothing.
    pub async fn apply_to_dossier(
        &self,
        code: &DossierCode,
        idem: Option<&Idempotency>,
        decide: impl FnOnce(&Dossier) -> Result<(Dossier, Event), TransitionError>,
        respond: impl FnOnce(&Dossier) -> Result<Reply, StoreError>,
    ) -> Result<Reply, StoreError> {
        if let Db::Sqlite(_) = self.writer {
            return self
                .apply_to_dossier_sqlite(code, idem, decide, respond)
                .await;
        }
        let templates = self.notice_templates().await?;
        let routing = self.routing().await?;
        let begin = begin_write(&self.writer);
        with_db!(&self.writer, p => {
            let mut tx = p.begin_with(begin).await?;
            if let Some(r) = idem_lookup!(tx, idem) {
                return Ok(r);
            }
            let row: Option<(String, i64, String, String, Option<String>)> = sqlx::query_as(
                "SELECT data, version, last_hash, unit_code, home FROM dossier WHERE code = $1")
                .bind(code.as_str()).fetch_optional(&mut *tx).await?;
            let Some((data, version, last_hash, unit, home)) = row else {
                return Err(StoreError::NotFound(format!("không có hồ sơ mã `{code}`")));
            };
            let current: Dossier = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
            Store::check_held_here(&routing, &current)?;
            let (d, ev) = decide(&current).map_err(StoreError::Transition)?;
            // The version-checked update comes first: it takes the row lock,
            // so a concurrent writer waits and then finds the version gone
            // (StaleVersion), instead of colliding on the event's key.
            let data = json(&ev)?;
            let hash = event_hash(&last_hash, &data);
            let updated = sqlx::query(
                "UPDATE dossier SET current_agency = $1, state = $2, received_at = $3, due_at = $4, version = $5, last_hash = $6, \
                 data = $7, updated_at = $8, assignee = $11 WHERE code = $9 AND version = $10")
                .bind(d.holder().as_str()).bind(d.state.as_str()).bind(d.received_at.map(to_utc)).bind(d.due_at.map(to_utc))
                .bind(d.version as i64).bind(hash.clone()).bind(json(&d)?).bind(Utc::now()).bind(code.as_str()).bind(version)
                .bind(d.assignee.clone())
                .execute(&mut *tx).await?.rows_affected();
            if updated != 1 {
                tx.rollback().await?;
                return Err(StoreError::Transition(TransitionError::StaleVersion { expected: version as u64, actual: d.version }));
            }
            insert_event_row!(tx, &ev, &last_hash, data, hash, unit);
            // A copy of another installation's dossier: its totals, causes
            // and notices are kept where it was received (sent there below).
            if home.is_none() {
                crate::totals::add_stats!(tx, &d, unit, crate::totals::stat_changes(Some(&current), &d));
                if motcua_core::causes::newly_overdue(Some(&current), &d) {
                    crate::totals::add_cause!(self, tx, &d, &ev, unit);
                }
                enqueue_notice!(tx, &d, &ev, self, &templates);
            }
            if routing.any() {
                crate::federation::share_change!(tx, &routing, &d, &ev, unit.clone(), home.clone());
            }
            let reply = respond(&d)?;
            idem_store!(tx, idem, reply);
            tx.commit().await?;
            if routing.any() {
                self.wake.ring();
            }
            Ok(reply)
        })
    }

    /// The applicant of the latest dossier received at `desk` from the
    /// person or organisation with this ID number or tax code (to prefill
    /// the reception form), with that dossier's code.
    pub async fn latest_applicant(
        &self,
        desk: &AgencyCode,
        id_number: &str,
    ) -> Result<Option<(String, motcua_core::dossier::Applicant)>, StoreError> {
        let data: Option<String> = match &self.db {
            Db::Sqlite(p) => sqlx::query_scalar(
                "SELECT data FROM dossier WHERE receiving_agency = $1 AND json_extract(data, '$.applicant.id_number') = $2 \
                 ORDER BY updated_at DESC LIMIT 1")
                .bind(desk.as_str()).bind(id_number).fetch_optional(p).await?,
            Db::Pg(p) => sqlx::query_scalar(
                "SELECT data FROM dossier WHERE receiving_agency = $1 AND (data::jsonb) -> 'applicant' ->> 'id_number' = $2 \
                 ORDER BY updated_at DESC LIMIT 1")
                .bind(desk.as_str()).bind(id_number).fetch_optional(p).await?,
        };
        data.map(|d| {
            serde_json::from_str::<Dossier>(&d)
                .map(|d| (d.code.to_string(), d.applicant))
                .map_err(|e| StoreError::Corrupt(format!("dossier: {e}")))
        })
        .transpose()
    }

    /// How many dossiers a desk has received.
    pub async fn count_dossiers_at(&self, desk: &AgencyCode) -> Result<i64, StoreError> {
        Ok(
            with_db!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM dossier WHERE receiving_agency = $1")
            .bind(desk.as_str()).fetch_one(p).await?),
        )
    }

    /// The codes and states of the dossiers a desk has received, by code.
    pub async fn dossiers_at(
        &self,
        desk: &AgencyCode,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            with_db!(&self.db, p => sqlx::query_as("SELECT code, state FROM dossier WHERE receiving_agency = $1 ORDER BY code")
            .bind(desk.as_str()).fetch_all(p).await?),
        )
    }

    /// The dossiers a desk received (or that were submitted to it) in a year, by code.
    pub async fn dossiers_received(
        &self,
        desk: &AgencyCode,
        year: i32,
    ) -> Result<Vec<Dossier>, StoreError> {
        // Codes carry the reception date (YYMMDD), so the year is a code prefix.
        let prefix = format!("{desk}-{:02}", year.rem_euclid(100));
        let rows: Vec<String> = with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT data FROM dossier WHERE receiving_agency = $1 AND code >= $2 AND code < $3 ORDER BY code")
            .bind(desk.as_str()).bind(prefix.clone()).bind(format!("{prefix}\u{10FFFF}")).fetch_all(p).await?);
        rows.into_iter()
            .map(|d| {
                serde_json::from_str(&d).map_err(|e| StoreError::Corrupt(format!("dossier: {e}")))
            })
            .collect()
    }

    /// Records a document of a dossier (its content already in the file store).
    pub async fn add_document(
        &self,
        code: &DossierCode,
        doc: &DocumentInfo,
    ) -> Result<bool, StoreError> {
        // With its dossier's unit (the distribution key); nothing for an
        // unknown dossier.
        let n = with_db!(&self.db, p => sqlx::query(
            "INSERT INTO dossier_document (dossier_code, unit_code, sha256, name, media_type, size, uploaded_by, uploaded_at) \
             SELECT code, unit_code, $2, $3, $4, $5, $6, $7 FROM dossier WHERE code = $1 ON CONFLICT DO NOTHING")
            .bind(code.as_str()).bind(doc.sha256.clone()).bind(doc.name.clone()).bind(doc.media_type.clone())
            .bind(doc.size).bind(doc.uploaded_by.clone()).bind(doc.uploaded_at)
            .execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// The documents of a dossier, in upload order.
    pub async fn documents(&self, code: &DossierCode) -> Result<Vec<DocumentInfo>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_as(
            "SELECT sha256, name, media_type, size, uploaded_by, uploaded_at FROM dossier_document WHERE dossier_code = $1 ORDER BY uploaded_at, sha256")
            .bind(code.as_str()).fetch_all(p).await?))
    }

    /// A dossier and its events.
    pub async fn dossier(&self, code: &DossierCode) -> Result<Option<DossierRecord>, StoreError> {
        let (row, events): (Option<String>, Vec<(Vec<u8>, String)>) = with_db!(&self.db, p => {
            let row: Option<String> = sqlx::query_scalar("SELECT data FROM dossier WHERE code = $1")
                .bind(code.as_str()).fetch_optional(p).await?;
            let events: Vec<(Vec<u8>, String)> = sqlx::query_as("SELECT data, hash FROM dossier_event WHERE dossier_code = $1 ORDER BY version")
                .bind(code.as_str()).fetch_all(p).await?;
            (row, events)
        });
        let Some(data) = row else { return Ok(None) };
        let bad = |e: serde_json::Error| StoreError::Corrupt(format!("dossier {code}: {e}"));
        let dossier: Dossier = serde_json::from_str(&data).map_err(bad)?;
        let events = events
            .into_iter()
            .map(|(d, hash)| {
                Ok(StoredEvent {
                    event: serde_json::from_str(&crate::event_codec::unpack(&d)?).map_err(bad)?,
                    hash,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(DossierRecord { dossier, events }))
    }

    /// Recomputes every event chain: each event's hash from its predecessor
    /// and its stored data, and the dossier's last hash and version.
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let dossiers: Vec<(String, i64, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT code, version, last_hash FROM dossier ORDER BY code").fetch_all(p).await?);
        let mut report = AuditReport {
            dossiers: dossiers.len(),
            ..Default::default()
        };
        for (code, version, last_hash) in dossiers {
            let events: Vec<(i64, Vec<u8>, String, String)> = with_db!(&self.db, p => sqlx::query_as(
                "SELECT version, data, prev_hash, hash FROM dossier_event WHERE dossier_code = $1 ORDER BY version")
                .bind(code.clone()).fetch_all(p).await?);
            let mut prev = GENESIS_HASH.to_string();
            let mut expected_version = 1;
            for (v, data, prev_hash, hash) in &events {
                report.events += 1;
                let problem = if *v != expected_version {
                    Some(format!("thiếu sự kiện phiên bản {expected_version}"))
                } else if *prev_hash != prev {
                    Some("liên kết với sự kiện trước bị sai".to_string())
                } else {
                    match crate::event_codec::unpack(data) {
                        Err(_) => {
                            Some("nội dung sự kiện lưu bị hỏng (không giải nén được)".to_string())
                        }
                        Ok(text) if event_hash(&prev, &text) != *hash => {
                            Some("nội dung sự kiện đã bị sửa (băm không khớp)".to_string())
                        }
                        Ok(_) => None,
                    }
                };
                if let Some(p) = problem {
                    report.broken = Some((code, *v, p));
                    return Ok(report);
                }
                prev = hash.clone();
                expected_version += 1;
            }
            if prev != last_hash || expected_version - 1 != version {
                report.broken = Some((
                    code,
                    version,
                    "sự kiện cuối không khớp với hồ sơ (bị xóa hoặc thêm)".into(),
                ));
                return Ok(report);
            }
        }
        Ok(report)
    }
}

/// A dossier ready to import: the dossier, its events (oldest first, the
/// first a creation event), and the administrative unit of its desk.
pub struct ImportedDossier {
    pub dossier: Dossier,
    pub events: Vec<Event>,
    pub unit: UnitCode,
}

/// An event row of the bulk import: code, version, action, state, moment,
/// stored (packed) JSON, previous hash, hash.
type EventRow = (
    String,
    i64,
    String,
    String,
    chrono::DateTime<Utc>,
    Vec<u8>,
    String,
    String,
);

/// A dossier row of the bulk import, ready to bind.
type DossierRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<chrono::DateTime<Utc>>,
    Option<chrono::DateTime<Utc>>,
    i64,
    String,
    String,
    Option<String>,
);

/// A cause-of-delay row of the bulk import.
type CauseRow = (
    String,
    String,
    String,
    String,
    chrono::DateTime<Utc>,
    String,
    String,
    String,
    i64,
);

/// A running-totals key of the bulk import: series, unit, grain, bucket.
type StatKeyOfImport = (
    crate::reports::Series,
    String,
    motcua_core::report::Grain,
    NaiveDate,
);

/// What an import writes, made ready by [`Store::prepare_import`].
pub struct ImportRows {
    dossiers: Vec<DossierRow>,
    events: Vec<EventRow>,
    totals: Vec<(StatKeyOfImport, motcua_core::report::Counts)>,
    counters: Vec<((String, NaiveDate), i64)>,
    causes: Vec<CauseRow>,
}

/// Rows per multi-row INSERT of the bulk import.
const BULK: usize = 50;

impl Store {
    /// The codes among `codes` that are already stored.
    pub async fn existing_codes(&self, codes: &[DossierCode]) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for chunk in codes.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT code FROM dossier WHERE code IN ({})",
                marks.join(", ")
            );
            let rows: Vec<String> = with_db!(&self.db, p => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
                for c in chunk {
                    q = q.bind(c.as_str().to_string());
                }
                q.fetch_all(p).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// The last code numbers used per desk and day within `from..=to`.
    pub async fn code_counters(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, i64)>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_as(
            "SELECT agency_code, day, last_seq FROM dossier_counter WHERE day >= $1 AND day <= $2")
            .bind(from).bind(to).fetch_all(p).await?))
    }

    /// Imports dossiers with their histories all-or-nothing, in one
    /// transaction: the dossier rows, their event chains (hashed as every
    /// write hashes them), the running totals of the reports, and the code
    /// counters moved past the imported codes. A code already stored fails
    /// the whole import (primary key) and nothing is written. `progress`
    /// is told how many dossiers are written so far. Rows go in multi-row
    /// statements ([`BULK`] at a time).
    pub async fn import_dossiers(
        &self,
        items: &[ImportedDossier],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<usize, StoreError> {
        let rows = self.prepare_import(items).await?;
        self.write_import(rows, progress).await
    }

    /// The rows an import writes, made ready without the database (but for
    /// the cached calendars): serialised, packed and hashed. The generator
    /// prepares its next batch while the previous one is written.
    pub async fn prepare_import(
        &self,
        items: &[ImportedDossier],
    ) -> Result<ImportRows, StoreError> {
        let mut totals: std::collections::BTreeMap<StatKeyOfImport, motcua_core::report::Counts> =
            Default::default();
        let mut counters: HashMap<(String, NaiveDate), i64> = HashMap::new();
        let now_utc = Utc::now();
        let mut drows: Vec<DossierRow> = Vec::with_capacity(items.len());
        let mut erows: Vec<EventRow> = Vec::new();
        for it in items {
            let d = &it.dossier;
            let s = crate::reports::Series {
                agency: d.receiving_agency.to_string(),
                procedure: d.procedure.code.to_string(),
                channel: d.channel.as_str().to_string(),
            };
            for (g, b, c) in crate::totals::stat_changes(None, d) {
                totals
                    .entry((s.clone(), it.unit.to_string(), g, b))
                    .or_default()
                    .add(&c);
            }
            let k = (d.code.agency().to_string(), d.code.date());
            let e = counters.entry(k).or_insert(0);
            *e = (*e).max(i64::from(d.code.seq()));
            let mut prev = GENESIS_HASH.to_string();
            for ev in &it.events {
                let data = json(ev)?;
                let hash = event_hash(&prev, &data);
                erows.push((
                    d.code.to_string(),
                    ev.version as i64,
                    ev.action.as_str().to_string(),
                    ev.to.as_str().to_string(),
                    to_utc(ev.at),
                    crate::event_codec::pack(&data)?,
                    prev.clone(),
                    hash.clone(),
                ));
                prev = hash;
            }
            drows.push((
                d.code.to_string(),
                it.unit.to_string(),
                d.receiving_agency.to_string(),
                d.holder().to_string(),
                d.procedure.code.to_string(),
                d.state.as_str().to_string(),
                d.channel.as_str().to_string(),
                d.received_at.map(to_utc),
                d.due_at.map(to_utc),
                d.version as i64,
                prev,
                json(d)?,
                d.assignee.clone(),
            ));
        }
        // Causes of the dossiers resolved late (docs/reports.md §Causes).
        let mut causes = Vec::new();
        for it in items {
            let d = &it.dossier;
            if !motcua_core::causes::newly_overdue(None, d) {
                continue;
            }
            // Calendars are cached by the store.
            let cal = self.calendar(Some(&d.receiving_agency)).await?;
            if let Some(c) = motcua_core::causes::overdue_cause(d, &it.events, &cal) {
                let (reason, step, agency) = crate::totals::cause_values(&c);
                let at = d.outcome.as_ref().map(|o| to_utc(o.at)).unwrap_or(now_utc);
                causes.push((
                    d.code.to_string(),
                    d.receiving_agency.to_string(),
                    it.unit.to_string(),
                    d.procedure.code.to_string(),
                    at,
                    reason,
                    step,
                    agency,
                    c.lost_minutes,
                ));
            }
        }
        Ok(ImportRows {
            dossiers: drows,
            events: erows,
            totals: totals.into_iter().collect(),
            counters: counters.into_iter().collect(),
            causes,
        })
    }

    /// Writes prepared import rows in one transaction (all or nothing).
    pub async fn write_import(
        &self,
        rows: ImportRows,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<usize, StoreError> {
        let ImportRows {
            dossiers: drows,
            events: erows,
            totals,
            counters,
            causes,
        } = rows;
        // `$n` for PostgreSQL; anonymous `?` for SQLite, where sqlx looks
        // each named parameter up by a walk of the statement's list
        // (quadratic in a long statement: a fifth of the generation's
        // time before).
        let sqlite = matches!(self.db, Db::Sqlite(_));
        let marks = |cols: usize, rows: usize| -> String {
            if sqlite {
                return crate::totals::rows_of_marks(rows, cols);
            }
            (0..rows)
                .map(|r| {
                    let row: Vec<String> =
                        (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
                    format!("({})", row.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let now = Utc::now();
        let unit_of: HashMap<&str, &str> =
            drows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            let mut done = 0usize;
            for chunk in drows.chunks(BULK) {
                let sql = format!(
                    "INSERT INTO dossier (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel, received_at, due_at, \
                     version, last_hash, data, assignee, updated_at) VALUES {}", marks(14, chunk.len()));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in chunk {
                    q = q.bind(r.0.clone()).bind(r.1.clone()).bind(r.2.clone()).bind(r.3.clone()).bind(r.4.clone())
                        .bind(r.5.clone()).bind(r.6.clone()).bind(r.7).bind(r.8).bind(r.9).bind(r.10.clone())
                        .bind(r.11.clone()).bind(r.12.clone()).bind(now);
                }
                q.execute(&mut *tx).await?;
                done += chunk.len();
                progress(done);
            }
            for chunk in erows.chunks(BULK * 2) {
                let sql = format!(
                    "INSERT INTO dossier_event (dossier_code, version, action, to_state, at, data, prev_hash, hash, unit_code) VALUES {}",
                    marks(9, chunk.len()));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in chunk {
                    q = q.bind(r.0.clone()).bind(r.1).bind(r.2.clone()).bind(r.3.clone()).bind(r.4)
                        .bind(r.5.clone()).bind(r.6.clone()).bind(r.7.clone())
                        .bind(unit_of.get(r.0.as_str()).copied().unwrap_or_default().to_string());
                }
                q.execute(&mut *tx).await?;
            }
            // The totals' rows of every series, BULK per statement (each key
            // once: a statement may not add to the same row twice).
            for chunk in totals.chunks(BULK) {
                let sql = format!(
                    "{} VALUES {} {}",
                    crate::totals::STAT_INSERT,
                    marks(13, chunk.len()),
                    crate::totals::STAT_SUM
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for ((s, unit, g, b), c) in chunk {
                    q = q.bind(s.agency.clone()).bind(g.code()).bind(*b).bind(s.procedure.clone())
                        .bind(s.channel.clone()).bind(unit.clone());
                    for x in c.to_array() {
                        q = q.bind(x);
                    }
                }
                q.execute(&mut *tx).await?;
            }
            for c in &causes {
                sqlx::query(crate::totals::INSERT_CAUSE)
                    .bind(c.0.clone()).bind(c.1.clone()).bind(c.2.clone()).bind(c.3.clone()).bind(c.4)
                    .bind(c.5.clone()).bind(c.6.clone()).bind(c.7.clone()).bind(c.8)
                    .execute(&mut *tx).await?;
            }
            for chunk in counters.chunks(BULK * 4) {
                let sql = format!(
                    "INSERT INTO dossier_counter (agency_code, day, last_seq) VALUES {} \
                     ON CONFLICT (agency_code, day) DO UPDATE SET last_seq = CASE WHEN dossier_counter.last_seq > excluded.last_seq \
                     THEN dossier_counter.last_seq ELSE excluded.last_seq END",
                    marks(3, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for ((agency, day), seq) in chunk {
                    q = q.bind(agency.clone()).bind(*day).bind(*seq);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        if let Some(w) = &self.sqlite_writer {
            w.counters.clear();
        }
        Ok(drows.len())
    }
}
