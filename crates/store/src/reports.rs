//! The running totals of the reports (`stat_bucket`, migration 0013;
//! docs/reports.md): written in the same transaction as every dossier
//! change (the PostgreSQL path in `dossiers.rs`; on SQLite summed over a
//! group commit and written just before it, `sqlite_writes.rs`), read by the reports, rebuilt and
//! checked from the dossiers by [`Store::verify_stats`].

use crate::db::with_db;
use crate::totals::{INSERT_CAUSE, cause_values, stat_changes};
use crate::{Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use motcua_core::calendar::to_utc;
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::{Dossier, State};
use motcua_core::report::{Counts, Grain, bucket_changes, changes};
use motcua_core::stats::Period;
use std::collections::{BTreeMap, HashMap};

/// A series of the running totals: receiving desk, procedure, channel.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Series {
    pub agency: String,
    pub procedure: String,
    pub channel: String,
}

/// The sums of a series for a period: before it and within it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeriesSums {
    pub before: Counts,
    pub within: Counts,
}

impl Store {
    /// The next 5,000 stored dossiers after code `after`, in code order:
    /// `(code, unit, dossier)` (the verifications walk every dossier so).
    async fn dossiers_after(
        &self,
        after: &str,
    ) -> Result<Vec<(String, String, Dossier)>, StoreError> {
        let rows: Vec<(String, String, String)> = with_db!(&self.db, pool => sqlx::query_as(
            "SELECT code, unit_code, data FROM dossier WHERE code > $1 AND home IS NULL ORDER BY code LIMIT 5000")
            .bind(after.to_string()).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(code, unit, data)| {
                let d: Dossier = serde_json::from_str(&data)
                    .map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
                Ok((code, unit, d))
            })
            .collect()
    }
}

/// A stored row of `stat_bucket`.
#[derive(sqlx::FromRow)]
struct BucketRow {
    agency: String,
    procedure_code: String,
    channel: String,
    grain: String,
    bucket: NaiveDate,
    received: i64,
    early: i64,
    on_time: i64,
    overdue: i64,
    returned: i64,
    withdrawn: i64,
    overdue_open: i64,
}

/// The states of a received dossier still being handled.
fn open_states() -> Vec<&'static str> {
    State::ALL
        .iter()
        .filter(|s| !s.is_finished() && **s != State::Submitted)
        .map(|s| s.as_str())
        .collect()
}

/// Sums as BIGINT on both engines (PostgreSQL's SUM of BIGINT is NUMERIC).
const SUMS: &str = "CAST(SUM(received) AS BIGINT), CAST(SUM(early) AS BIGINT), CAST(SUM(on_time) AS BIGINT), \
    CAST(SUM(overdue) AS BIGINT), CAST(SUM(returned) AS BIGINT), CAST(SUM(withdrawn) AS BIGINT), \
    CAST(SUM(overdue_open) AS BIGINT)";

type SumRow = (String, String, String, i64, i64, i64, i64, i64, i64, i64);

/// `$from, …, $(from + n − 1)`.
fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sums of `stat_bucket` rows grouped by `keys`, for `agencies` desks
/// (`$1…`), one grain (the next parameter) and `days` buckets (the rest).
fn bucket_sums_sql(keys: &str, agencies: usize, days: usize) -> String {
    format!(
        "SELECT {keys}, {SUMS} FROM stat_bucket WHERE agency IN ({}) AND grain = ${} AND bucket IN ({}) GROUP BY {keys}",
        marks(1, agencies),
        agencies + 1,
        marks(agencies + 2, days)
    )
}

impl Store {
    /// The sums of every series of `agencies` for period `p`: over the
    /// buckets that tile the days before it (from the epoch) and its days.
    /// Reads at most a hundred or so buckets per series.
    pub async fn stat_sums(
        &self,
        agencies: &[AgencyCode],
        p: &Period,
    ) -> Result<BTreeMap<Series, SeriesSums>, StoreError> {
        let mut out: BTreeMap<Series, SeriesSums> = BTreeMap::new();
        if agencies.is_empty() {
            return Ok(out);
        }
        let (before, within) = motcua_core::report::cover_period(p);
        for (part, cover) in [(0, before), (1, within)] {
            // One query per grain and sign, `grain = 'y' AND bucket IN (…)`,
            // so that each is a set of ranges of the primary key (an OR of
            // grains was measured to scan every bucket of the desks);
            // buckets counted with a minus sign are subtracted.
            let mut by_grain: BTreeMap<(&str, i64), Vec<NaiveDate>> = BTreeMap::new();
            for (g, b, w) in &cover {
                by_grain.entry((g.code(), *w)).or_default().push(*b);
            }
            for ((g, sign), days) in by_grain {
                let sql = bucket_sums_sql(
                    "agency, procedure_code, channel",
                    agencies.len(),
                    days.len(),
                );
                let rows: Vec<SumRow> = with_db!(&self.db, pool => {
                    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                    for x in agencies {
                        q = q.bind(x.as_str().to_string());
                    }
                    q = q.bind(g.to_string());
                    for d in &days {
                        q = q.bind(*d);
                    }
                    q.fetch_all(pool).await?
                });
                for (agency, procedure, channel, a, b, c, d, e, f, g) in rows {
                    let sums = Counts::from_array([a, b, c, d, e, f, g]);
                    let sums = if sign < 0 { sums.negated() } else { sums };
                    let entry = out
                        .entry(Series {
                            agency,
                            procedure,
                            channel,
                        })
                        .or_default();
                    if part == 0 {
                        entry.before.add(&sums);
                    } else {
                        entry.within.add(&sums);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The open dossiers of `agencies` past their due moment at `now` (local
    /// time), by series: what "in progress, overdue" is when a period ends
    /// today or later. Reads only open dossiers.
    pub async fn overdue_open_now(
        &self,
        agencies: &[AgencyCode],
        now: NaiveDateTime,
    ) -> Result<HashMap<Series, i64>, StoreError> {
        if agencies.is_empty() {
            return Ok(HashMap::new());
        }
        let states = open_states();
        let a = agencies.len();
        // Copies of other installations' dossiers (home set) are counted
        // where they were received; the dossiers of installations below
        // this one come from their status feed (feed_dossier).
        let query = |table: &str, agency: &str, own: &str| {
            format!(
                "SELECT {agency}, procedure_code, channel, COUNT(*) FROM {table} \
                 WHERE {agency} IN ({}) AND state IN ({}) AND received_at IS NOT NULL AND due_at < ${}{own} \
                 GROUP BY {agency}, procedure_code, channel",
                marks(1, a),
                marks(a + 1, states.len()),
                a + states.len() + 1
            )
        };
        let sql = query("dossier", "receiving_agency", " AND home IS NULL");
        let fed_sql = query("feed_dossier", "agency", "");
        let rows: Vec<(String, String, String, i64)> = with_db!(&self.db, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for x in agencies {
                q = q.bind(x.as_str().to_string());
            }
            for s in &states {
                q = q.bind(*s);
            }
            q.bind(to_utc(now)).fetch_all(pool).await?
        });
        let fed: Vec<(String, String, String, i64)> = with_db!(&self.db, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(fed_sql));
            for x in agencies {
                q = q.bind(x.as_str().to_string());
            }
            for s in &states {
                q = q.bind(*s);
            }
            q.bind(to_utc(now)).fetch_all(pool).await?
        });
        let mut out: HashMap<Series, i64> = HashMap::new();
        for (agency, procedure, channel, n) in rows.into_iter().chain(fed) {
            *out.entry(Series {
                agency,
                procedure,
                channel,
            })
            .or_default() += n;
        }
        Ok(out)
    }

    /// Recomputes the running totals from the stored dossiers and compares
    /// them with the table: the rows that differ, as `(series, grain,
    /// bucket, stored, recomputed)`. With `repair`, replaces the table by
    /// the recomputed totals (in one transaction) when they differ.
    pub async fn verify_stats(
        &self,
        repair: bool,
    ) -> Result<Vec<(Series, Grain, NaiveDate, Counts, Counts)>, StoreError> {
        type Key = (Series, Grain, NaiveDate);
        let mut want: BTreeMap<Key, (String, Counts)> = BTreeMap::new();
        let mut last = String::new();
        loop {
            let rows = self.dossiers_after(&last).await?;
            let Some((code, _, _)) = rows.last() else {
                break;
            };
            last = code.clone();
            for (_, unit, d) in rows {
                let series = Series {
                    agency: d.receiving_agency.to_string(),
                    procedure: d.procedure.code.to_string(),
                    channel: d.channel.as_str().to_string(),
                };
                for (g, b, c) in stat_changes(None, &d) {
                    want.entry((series.clone(), g, b))
                        .or_insert_with(|| (unit.clone(), Counts::default()))
                        .1
                        .add(&c);
                }
            }
        }
        // The dossiers of installations below, from their status feed.
        let mut last = String::new();
        loop {
            let rows: Vec<(String, String, String, String, String, String)> = with_db!(&self.db, pool => sqlx::query_as(
                "SELECT code, unit_code, agency, procedure_code, channel, record FROM feed_dossier \
                 WHERE code > $1 ORDER BY code LIMIT 5000")
                .bind(last.clone()).fetch_all(pool).await?);
            let Some(end) = rows.last().map(|r| r.0.clone()) else {
                break;
            };
            last = end;
            for (code, unit, agency, procedure, channel, record) in rows {
                let r: motcua_core::federation::StatusRecord = serde_json::from_str(&record)
                    .map_err(|e| StoreError::Corrupt(format!("feed_dossier {code}: {e}")))?;
                let series = Series {
                    agency,
                    procedure,
                    channel,
                };
                for (g, b, c) in bucket_changes(&changes(None, &r.facts())) {
                    want.entry((series.clone(), g, b))
                        .or_insert_with(|| (unit.clone(), Counts::default()))
                        .1
                        .add(&c);
                }
            }
        }
        want.retain(|_, (_, c)| !c.is_zero());
        let stored_rows: Vec<BucketRow> = with_db!(&self.db, pool => sqlx::query_as(
            "SELECT agency, procedure_code, channel, grain, bucket, received, early, on_time, overdue, \
             returned, withdrawn, overdue_open FROM stat_bucket")
            .fetch_all(pool).await?);
        let mut have: BTreeMap<Key, Counts> = BTreeMap::new();
        for r in stored_rows {
            let grain = Grain::parse(&r.grain)
                .ok_or_else(|| StoreError::Corrupt(format!("stat_bucket: grain `{}`", r.grain)))?;
            let c = Counts::from_array([
                r.received,
                r.early,
                r.on_time,
                r.overdue,
                r.returned,
                r.withdrawn,
                r.overdue_open,
            ]);
            if !c.is_zero() {
                let series = Series {
                    agency: r.agency,
                    procedure: r.procedure_code,
                    channel: r.channel,
                };
                have.entry((series, grain, r.bucket)).or_default().add(&c);
            }
        }
        let mut diff = Vec::new();
        for (k, (_, c)) in &want {
            let h = have.get(k).copied().unwrap_or_default();
            if h != *c {
                diff.push((k.0.clone(), k.1, k.2, h, *c));
            }
        }
        for (k, h) in &have {
            if !want.contains_key(k) {
                diff.push((k.0.clone(), k.1, k.2, *h, Counts::default()));
            }
        }
        if repair && !diff.is_empty() {
            self.replace_stats(&want).await?;
        }
        Ok(diff)
    }

    async fn replace_stats(
        &self,
        rows: &BTreeMap<(Series, Grain, NaiveDate), (String, Counts)>,
    ) -> Result<(), StoreError> {
        const INSERT: &str = "INSERT INTO stat_bucket (agency, grain, bucket, procedure_code, channel, unit_code, \
             received, early, on_time, overdue, returned, withdrawn, overdue_open) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        with_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM stat_bucket").execute(&mut *tx).await?;
            for ((s, g, b), (unit, c)) in rows {
                let a = c.to_array();
                sqlx::query(INSERT)
                    .bind(s.agency.clone()).bind(g.code()).bind(*b).bind(s.procedure.clone())
                    .bind(s.channel.clone()).bind(unit.clone())
                    .bind(a[0]).bind(a[1]).bind(a[2]).bind(a[3]).bind(a[4]).bind(a[5]).bind(a[6])
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// How report rows are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Level,
    Agency,
    Field,
    Procedure,
    Channel,
}

impl GroupBy {
    pub const ALL: [GroupBy; 5] = [
        GroupBy::Level,
        GroupBy::Agency,
        GroupBy::Field,
        GroupBy::Procedure,
        GroupBy::Channel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Level => "level",
            GroupBy::Agency => "agency",
            GroupBy::Field => "field",
            GroupBy::Procedure => "procedure",
            GroupBy::Channel => "channel",
        }
    }

    pub fn parse(s: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The column heading in Vietnamese.
    pub fn label_vi(self) -> &'static str {
        match self {
            GroupBy::Level => "Cấp",
            GroupBy::Agency => "Cơ quan, đơn vị tiếp nhận",
            GroupBy::Field => "Lĩnh vực",
            GroupBy::Procedure => "Thủ tục hành chính",
            GroupBy::Channel => "Kênh tiếp nhận",
        }
    }
}

/// Which desks a report covers: every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// An administrative unit: the desks of it and of every unit under it
    /// (e.g. a district and its communes), in any period.
    pub unit: Option<motcua_core::codes::UnitCode>,
    /// An agency: it and the agencies under it.
    pub agency: Option<AgencyCode>,
    pub level: Option<motcua_core::codes::Level>,
}

/// One row of a report.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReportRow {
    /// The grouping value (`district`, an agency code, a field, …).
    pub key: String,
    /// Its name for people.
    pub label: String,
    pub tally: motcua_core::stats::Tally,
}

/// A report: rows by the grouping, and the total.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The moment "in progress" was judged at (the period's end, or now).
    pub judged_at: NaiveDateTime,
    pub group_by: GroupBy,
    /// The desks covered.
    pub agencies: Vec<String>,
    pub rows: Vec<ReportRow>,
    pub total: motcua_core::stats::Tally,
}

impl Store {
    /// The desks a scope covers, by code.
    pub async fn scope_agencies(
        &self,
        s: &Scope,
    ) -> Result<Vec<motcua_core::agency::Agency>, StoreError> {
        let all = self.all_agencies().await?;
        let units: Option<std::collections::HashSet<String>> = match &s.unit {
            None => None,
            Some(u) => {
                // Every unit whose chain of parents (in any version) reaches `u`.
                let codes: Vec<String> = with_db!(&self.db, pool => sqlx::query_scalar(
                    "WITH RECURSIVE sub(code) AS (SELECT CAST($1 AS TEXT) UNION \
                     SELECT a.code FROM admin_unit a JOIN sub ON a.parent_code = sub.code) SELECT code FROM sub")
                    .bind(u.as_str()).fetch_all(pool).await?);
                Some(codes.into_iter().collect())
            }
        };
        let under_agency = |a: &motcua_core::agency::Agency| -> bool {
            let Some(root) = &s.agency else { return true };
            let mut cur = Some(a.code.clone());
            let mut hops = 0;
            while let Some(c) = cur {
                if &c == root {
                    return true;
                }
                hops += 1;
                if hops > 16 {
                    return false;
                }
                cur = all
                    .iter()
                    .find(|x| x.code == c)
                    .and_then(|x| x.parent_code.clone());
            }
            false
        };
        Ok(all
            .iter()
            .filter(|a| a.desk)
            .filter(|a| {
                units
                    .as_ref()
                    .is_none_or(|u| u.contains(a.unit_code.as_str()))
            })
            .filter(|a| s.level.is_none_or(|l| a.level == l))
            .filter(|a| under_agency(a))
            .cloned()
            .collect())
    }

    /// The statistics report of a scope for a period, grouped: exactly
    /// [`motcua_core::stats::Tally`] over the scope's dossiers, read from the
    /// running totals (docs/reports.md). `now` is local time.
    pub async fn report(
        &self,
        scope: &Scope,
        p: &Period,
        group_by: GroupBy,
        now: NaiveDateTime,
    ) -> Result<Report, StoreError> {
        use motcua_core::stats::Tally;
        let desks = self.scope_agencies(scope).await?;
        let codes: Vec<AgencyCode> = desks.iter().map(|a| a.code.clone()).collect();
        let sums = self.stat_sums(&codes, p).await?;
        let judged_at = p.judged_at(now);
        let live = if judged_at < p.end_exclusive() {
            Some(self.overdue_open_now(&codes, judged_at).await?)
        } else {
            None
        };
        let by_code: HashMap<&str, &motcua_core::agency::Agency> =
            desks.iter().map(|a| (a.code.as_str(), a)).collect();
        let procedures: HashMap<String, (String, String)> =
            if matches!(group_by, GroupBy::Field | GroupBy::Procedure) {
                // Field and name from their columns (no JSON to parse).
                let rows: Vec<(String, String, String)> = with_db!(&self.db, pool => sqlx::query_as(
                    "SELECT code, field, name FROM procedure_version WHERE valid_to IS NULL")
                    .fetch_all(pool).await?);
                rows.into_iter().map(|(c, f, n)| (c, (f, n))).collect()
            } else {
                HashMap::new()
            };
        let mut groups: BTreeMap<String, (String, Tally)> = BTreeMap::new();
        let mut total = Tally::default();
        for (s, sum) in &sums {
            let channel = motcua_core::dossier::Channel::parse(&s.channel);
            let online = channel.is_some_and(|c| c.is_online());
            let overdue_now = live.as_ref().map(|m| m.get(s).copied().unwrap_or(0));
            let t = motcua_core::report::tally(&sum.before, &sum.within, online, overdue_now);
            if t == Tally::default() {
                continue;
            }
            let agency = by_code.get(s.agency.as_str());
            let (key, label) = match group_by {
                GroupBy::Level => {
                    let l = agency.map(|a| a.level);
                    (
                        l.map(|l| l.as_str().to_string()).unwrap_or_default(),
                        l.map(|l| l.label_vi().to_string()).unwrap_or_default(),
                    )
                }
                GroupBy::Agency => (
                    s.agency.clone(),
                    agency.map(|a| a.name.clone()).unwrap_or_default(),
                ),
                GroupBy::Field => {
                    let f = procedures
                        .get(&s.procedure)
                        .map(|x| x.0.clone())
                        .unwrap_or_default();
                    (f.clone(), f)
                }
                GroupBy::Procedure => (
                    s.procedure.clone(),
                    procedures
                        .get(&s.procedure)
                        .map(|x| x.1.clone())
                        .unwrap_or_default(),
                ),
                GroupBy::Channel => (
                    s.channel.clone(),
                    channel
                        .map(|c| c.label_vi().to_string())
                        .unwrap_or_default(),
                ),
            };
            let g = groups
                .entry(key)
                .or_insert_with(|| (label, Tally::default()));
            g.1.merge(&t);
            total.merge(&t);
        }
        Ok(Report {
            from: p.from(),
            to: p.to(),
            judged_at,
            group_by,
            agencies: codes.iter().map(|c| c.to_string()).collect(),
            rows: groups
                .into_iter()
                .map(|(key, (label, tally))| ReportRow { key, label, tally })
                .collect(),
            total,
        })
    }
}

impl Store {
    /// Adds one to one stored total (tests of [`Store::verify_stats`]).
    #[doc(hidden)]
    pub async fn damage_stats_for_tests(&self) -> Result<(), StoreError> {
        with_db!(&self.db, pool => {
            sqlx::query("UPDATE stat_bucket SET received = received + 1 WHERE (agency, grain, bucket, procedure_code, channel) IN \
                         (SELECT agency, grain, bucket, procedure_code, channel FROM stat_bucket WHERE grain = 'y' ORDER BY agency LIMIT 1)")
                .execute(pool).await?;
        });
        Ok(())
    }
}

/// A stored cause: agency, unit, procedure, resolved at, reason, step, step
/// agency, minutes lost.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
struct CauseValues {
    agency: String,
    unit_code: String,
    procedure_code: String,
    finished_at: chrono::DateTime<chrono::Utc>,
    reason: String,
    step: String,
    step_agency: String,
    lost_minutes: i64,
}

#[derive(sqlx::FromRow)]
struct StoredCause {
    dossier_code: String,
    #[sqlx(flatten)]
    values: CauseValues,
}

/// One group of the causes report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CauseRow {
    /// Apology reason code (`""`: no apology was sent).
    pub reason: String,
    pub step: String,
    pub step_agency: String,
    pub dossiers: i64,
    /// Working minutes lost, summed.
    pub lost_minutes: i64,
}

impl Store {
    /// Dossiers of `agencies` resolved late within `p`, grouped by the
    /// reason on their apology and the step and agency where the time was
    /// lost, most dossiers first. Reads only the late dossiers' rows.
    pub async fn overdue_causes(
        &self,
        agencies: &[AgencyCode],
        p: &Period,
    ) -> Result<Vec<CauseRow>, StoreError> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let n = agencies.len();
        let sql = format!(
            "SELECT reason, step, step_agency, COUNT(*), CAST(SUM(lost_minutes) AS BIGINT) FROM overdue_cause \
             WHERE agency IN ({}) AND finished_at >= ${} AND finished_at < ${} GROUP BY reason, step, step_agency",
            marks(1, n),
            n + 1,
            n + 2
        );
        let rows: Vec<(String, String, String, i64, i64)> = with_db!(&self.db, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for a in agencies {
                q = q.bind(a.as_str().to_string());
            }
            q.bind(to_utc(p.start())).bind(to_utc(p.end_exclusive())).fetch_all(pool).await?
        });
        let mut out: Vec<CauseRow> = rows
            .into_iter()
            .map(
                |(reason, step, step_agency, dossiers, lost_minutes)| CauseRow {
                    reason,
                    step,
                    step_agency,
                    dossiers,
                    lost_minutes,
                },
            )
            .collect();
        out.sort_by(|a, b| {
            b.dossiers
                .cmp(&a.dossiers)
                .then(a.reason.cmp(&b.reason))
                .then(a.step.cmp(&b.step))
        });
        Ok(out)
    }

    /// Recomputes the causes of every dossier resolved late from its events
    /// and compares them with the table; with `repair`, rewrites the table.
    /// Returns the codes whose row differs (missing, extra or changed).
    pub async fn verify_causes(&self, repair: bool) -> Result<Vec<String>, StoreError> {
        let mut want: BTreeMap<String, CauseValues> = BTreeMap::new();
        let mut last = String::new();
        loop {
            let rows = self.dossiers_after(&last).await?;
            let Some((code, _, _)) = rows.last() else {
                break;
            };
            last = code.clone();
            for (code, unit, d) in rows {
                if !motcua_core::causes::newly_overdue(None, &d) {
                    continue;
                }
                let stored: Vec<Vec<u8>> = with_db!(&self.db, pool => sqlx::query_scalar(
                    "SELECT data FROM dossier_event WHERE dossier_code = $1 ORDER BY version")
                    .bind(code.clone()).fetch_all(pool).await?);
                let events = stored
                    .iter()
                    .map(|s| crate::event_codec::read_event(s))
                    .collect::<Result<Vec<motcua_core::dossier::Event>, _>>()?;
                // Calendars are cached by the store.
                let cal = self.calendar(Some(&d.receiving_agency)).await?;
                if let Some(c) = motcua_core::causes::overdue_cause(&d, &events, &cal) {
                    let (reason, step, agency) = cause_values(&c);
                    let at = d.outcome.as_ref().map(|o| to_utc(o.at)).unwrap_or_default();
                    want.insert(
                        code,
                        CauseValues {
                            agency: d.receiving_agency.to_string(),
                            unit_code: unit,
                            procedure_code: d.procedure.code.to_string(),
                            finished_at: at,
                            reason,
                            step,
                            step_agency: agency,
                            lost_minutes: c.lost_minutes,
                        },
                    );
                }
            }
        }
        let have_rows: Vec<StoredCause> = with_db!(&self.db, pool => sqlx::query_as(
                "SELECT dossier_code, agency, unit_code, procedure_code, finished_at, reason, step, step_agency, lost_minutes FROM overdue_cause")
                .fetch_all(pool).await?);
        let have: BTreeMap<String, CauseValues> = have_rows
            .into_iter()
            .map(|r| (r.dossier_code, r.values))
            .collect();
        let mut diff: Vec<String> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect();
        diff.extend(have.keys().filter(|k| !want.contains_key(*k)).cloned());
        if repair && !diff.is_empty() {
            with_db!(&self.db, pool => {
                let mut tx = pool.begin().await?;
                sqlx::query("DELETE FROM overdue_cause").execute(&mut *tx).await?;
                for (code, v) in &want {
                    sqlx::query(INSERT_CAUSE)
                        .bind(code.clone()).bind(v.agency.clone()).bind(v.unit_code.clone()).bind(v.procedure_code.clone())
                        .bind(v.finished_at).bind(v.reason.clone()).bind(v.step.clone()).bind(v.step_agency.clone())
                        .bind(v.lost_minutes)
                        .execute(&mut *tx).await?;
                }
                tx.commit().await?;
            });
        }
        Ok(diff)
    }
}

impl Store {
    /// The inputs of the Decision 766 components for a scope and period
    /// (docs/reports.md §Service index): the statistics, the ratings "not
    /// satisfied" or worse given in the period, and the catalogue at the
    /// scope's levels.
    pub async fn index_input(
        &self,
        scope: &Scope,
        p: &Period,
        now: NaiveDateTime,
    ) -> Result<motcua_core::index766::IndexInput, StoreError> {
        let desks = self.scope_agencies(scope).await?;
        let by_proc = self.report(scope, p, GroupBy::Procedure, now).await?;
        let levels: std::collections::HashSet<_> = desks.iter().map(|d| d.level).collect();
        let procs: Vec<_> = self
            .all_procedures(false)
            .await?
            .into_iter()
            .filter(|x| x.levels().iter().any(|l| levels.contains(l)))
            .collect();
        let online_codes: std::collections::HashSet<String> = procs
            .iter()
            .filter(|x| x.online_submission)
            .map(|x| x.code.to_string())
            .collect();
        let online_with_dossiers = by_proc
            .rows
            .iter()
            .filter(|r| r.tally.received_online > 0 && online_codes.contains(&r.key))
            .count() as u64;
        let full = procs
            .iter()
            .filter(|x| {
                !x.documents.is_empty()
                    && !x.processing_time_direct_raw.trim().is_empty()
                    && !x.fee_direct_raw.trim().is_empty()
                    && !x.legal_basis.is_empty()
            })
            .count() as u64;
        let ratings = self
            .rating_summaries(to_utc(p.start()), to_utc(p.end_exclusive()))
            .await?;
        let dissatisfied = desks
            .iter()
            .filter_map(|d| ratings.get(d.code.as_str()))
            .map(|r| r.by_level[0] + r.by_level[1])
            .sum();
        Ok(motcua_core::index766::IndexInput {
            tally: by_proc.total,
            dissatisfied,
            procedures: procs.len() as u64,
            procedures_online: online_codes.len() as u64,
            online_with_dossiers,
            procedures_full: full,
        })
    }
}

impl Store {
    /// Every stored dossier (benchmarks).
    pub async fn count_all_dossiers(&self) -> Result<i64, StoreError> {
        Ok(
            with_db!(&self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM dossier").fetch_one(pool).await?),
        )
    }

    /// The size of the database in bytes: SQLite pages, or PostgreSQL's
    /// `pg_database_size` (benchmarks).
    pub async fn database_bytes(&self) -> Result<i64, StoreError> {
        Ok(match &self.db {
            crate::db::Db::Sqlite(p) => {
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(p).await?;
                let size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(p).await?;
                pages * size
            }
            crate::db::Db::Pg(p) => {
                sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(p)
                    .await?
            }
        })
    }
}

impl Store {
    /// Refreshes the planner's statistics after a bulk load (`ANALYZE` on
    /// both engines): PostgreSQL plans the report queries badly on stale
    /// statistics (measured: 830 ms instead of 250 ms, docs/benchmarks.md).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        with_db!(&self.db, pool => {
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(())
    }
}

impl Store {
    /// The within-period sums of each desk for several periods at once (the
    /// dashboard's months): one query per grain for all of them, summed per
    /// period by its signed cover. Only the counts that do not need the time
    /// before the period (received, resolved, returned, withdrawn) are
    /// meaningful here.
    pub async fn sums_by_period(
        &self,
        agencies: &[AgencyCode],
        periods: &[Period],
    ) -> Result<Vec<BTreeMap<String, Counts>>, StoreError> {
        let covers: Vec<_> = periods
            .iter()
            .map(|p| motcua_core::report::cover_signed(p.from(), p.to()))
            .collect();
        let mut need: BTreeMap<&str, std::collections::BTreeSet<NaiveDate>> = BTreeMap::new();
        for c in &covers {
            for (g, b, _) in c {
                need.entry(g.code()).or_default().insert(*b);
            }
        }
        let mut got: HashMap<(String, &str, NaiveDate), Counts> = HashMap::new();
        if !agencies.is_empty() {
            for (g, days) in &need {
                let sql = bucket_sums_sql("agency, bucket", agencies.len(), days.len());
                type Row = (String, NaiveDate, i64, i64, i64, i64, i64, i64, i64);
                let rows: Vec<Row> = with_db!(&self.db, pool => {
                    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                    for x in agencies {
                        q = q.bind(x.as_str().to_string());
                    }
                    q = q.bind(g.to_string());
                    for d in days {
                        q = q.bind(*d);
                    }
                    q.fetch_all(pool).await?
                });
                for (agency, b, c0, c1, c2, c3, c4, c5, c6) in rows {
                    got.insert(
                        (agency, g, b),
                        Counts::from_array([c0, c1, c2, c3, c4, c5, c6]),
                    );
                }
            }
        }
        Ok(covers
            .iter()
            .map(|c| {
                let mut per: BTreeMap<String, Counts> = BTreeMap::new();
                for (g, b, w) in c {
                    for a in agencies {
                        let key = (a.as_str().to_string(), g.code(), *b);
                        if let Some(v) = got.get(&key) {
                            per.entry(key.0).or_default().add(&if *w < 0 {
                                v.negated()
                            } else {
                                *v
                            });
                        }
                    }
                }
                per
            })
            .collect())
    }
}
