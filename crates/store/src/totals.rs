//! The write side of the report totals and the overdue causes: the SQL and
//! the statements every dossier write adds in its own transaction (the
//! PostgreSQL path in `dossiers.rs` and `federation.rs`; on SQLite summed
//! over a group commit, `sqlite_writes.rs`). The reports read them in
//! `reports.rs`.

use chrono::NaiveDate;
use motcua_core::dossier::Dossier;
use motcua_core::report::{Counts, Grain, bucket_changes, changes};
use motcua_core::stats::Facts;

/// The bucket changes of a dossier change (`old` = before, `None` = new).
pub(crate) fn stat_changes(
    old: Option<&Dossier>,
    new: &Dossier,
) -> Vec<(Grain, NaiveDate, Counts)> {
    let old = old.map(Facts::of);
    bucket_changes(&changes(old.as_ref(), &Facts::of(new)))
}

/// The head and tail of the statements adding rows to the running totals:
/// a row already there gets the counts added.
pub(crate) const STAT_INSERT: &str = "INSERT INTO stat_bucket (agency, grain, bucket, procedure_code, channel, unit_code, \
    received, early, on_time, overdue, returned, withdrawn, overdue_open)";
pub(crate) const STAT_SUM: &str = "ON CONFLICT (agency, grain, bucket, procedure_code, channel, unit_code) DO UPDATE SET \
    received = stat_bucket.received + excluded.received, early = stat_bucket.early + excluded.early, \
    on_time = stat_bucket.on_time + excluded.on_time, overdue = stat_bucket.overdue + excluded.overdue, \
    returned = stat_bucket.returned + excluded.returned, withdrawn = stat_bucket.withdrawn + excluded.withdrawn, \
    overdue_open = stat_bucket.overdue_open + excluded.overdue_open";

/// The statement adding `n` bucket changes (both engines): one row of
/// values per change, summed into the stored row on conflict.
pub(crate) fn add_stats_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let b = 4 + i * 9;
            format!(
                "($1, ${}, ${}, $2, $3, $4, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            )
        })
        .collect();
    format!("{STAT_INSERT} VALUES {} {STAT_SUM}", rows.join(", "))
}

/// One row of the running totals to add: (desk, grain, bucket, procedure,
/// channel, unit).
pub(crate) type StatKey = (String, &'static str, NaiveDate, String, String, String);

/// The SQLite statement adding `n` rows of any series (13 values each:
/// the [`StatKey`] then the seven counts); the group commit writes the
/// sums of its group so.
pub(crate) fn add_stat_rows_sql(n: usize) -> String {
    format!("{STAT_INSERT} VALUES {} {STAT_SUM}", rows_of_marks(n, 13))
}

/// Adds a dossier change's bucket changes in the caller's transaction, in
/// one statement (the PostgreSQL path; SQLite's group commit sums its own).
macro_rules! add_stats {
    ($tx:expr, $d:expr, $unit:expr, $rows:expr) => {
        crate::totals::add_stats_of!(
            $tx,
            $d.receiving_agency.as_str(),
            $d.procedure.code.as_str(),
            $d.channel.as_str(),
            $unit,
            $rows
        );
    };
}
pub(crate) use add_stats;

/// [`add_stats`] for a series given by its desk, procedure, channel and
/// unit (the status feed of an upper level has no dossier).
macro_rules! add_stats_of {
    ($tx:expr, $agency:expr, $procedure:expr, $channel:expr, $unit:expr, $rows:expr) => {
        let rows = $rows;
        if !rows.is_empty() {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::totals::add_stats_sql(
                rows.len(),
            )))
            .bind($agency.to_string())
            .bind($procedure.to_string())
            .bind($channel.to_string())
            .bind($unit.to_string());
            for (g, b, c) in &rows {
                q = q.bind(g.code()).bind(*b);
                for x in c.to_array() {
                    q = q.bind(x);
                }
            }
            q.execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use add_stats_of;

/// `n` rows of `width` anonymous parameters: `(?, ?), (?, ?)`. (Anonymous
/// `?` rather than `$n`: sqlx looks each named parameter up by number,
/// which SQLite answers by a walk of the list, quadratic in a long row.)
pub(crate) fn rows_of_marks(n: usize, width: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    vec![row; n].join(", ")
}

/// The statement recording a cause (both engines; again: nothing changes).
pub(crate) const INSERT_CAUSE: &str = "INSERT INTO overdue_cause (dossier_code, agency, unit_code, procedure_code, finished_at, \
     reason, step, step_agency, lost_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";

/// The values of a cause row: reason code (`''` none), step, agency.
pub(crate) fn cause_values(c: &motcua_core::causes::OverdueCause) -> (String, String, String) {
    (
        c.reason.map(|r| r.as_str().to_string()).unwrap_or_default(),
        c.step.clone(),
        c.agency.as_ref().map(|a| a.to_string()).unwrap_or_default(),
    )
}

/// Records the cause of a dossier resolved late, in the caller's
/// transaction: reads its events (with the new one) and its calendar.
macro_rules! add_cause {
    ($store:expr, $tx:expr, $d:expr, $ev:expr, $unit:expr) => {
        let stored: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT data FROM dossier_event WHERE dossier_code = $1 ORDER BY version",
        )
        .bind($d.code.as_str().to_string())
        .fetch_all(&mut *$tx)
        .await?;
        let mut events: Vec<motcua_core::dossier::Event> = Vec::with_capacity(stored.len() + 1);
        for s in &stored {
            events.push(crate::event_codec::read_event(s)?);
        }
        if !events.iter().any(|e| e.version == $ev.version) {
            events.push($ev.clone());
        }
        let cal = $store.calendar(Some(&$d.receiving_agency)).await?;
        if let Some(c) = motcua_core::causes::overdue_cause($d, &events, &cal) {
            let (reason, step, agency) = crate::totals::cause_values(&c);
            let at = $d
                .outcome
                .as_ref()
                .map(|o| motcua_core::calendar::to_utc(o.at))
                .unwrap_or_else(chrono::Utc::now);
            sqlx::query(crate::totals::INSERT_CAUSE)
                .bind($d.code.as_str().to_string())
                .bind($d.receiving_agency.as_str().to_string())
                .bind($unit.to_string())
                .bind($d.procedure.code.as_str().to_string())
                .bind(at)
                .bind(reason)
                .bind(step)
                .bind(agency)
                .bind(c.lost_minutes)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(crate) use add_cause;
