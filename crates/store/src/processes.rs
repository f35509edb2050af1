//! Internal processes as data (issue 4 §3): the steps of a procedure, for
//! every agency or for one, in versions that apply from a day. Reception
//! takes the version in force at the receiving desk on the reception day
//! (the desk's own before the general one); the dossier keeps its copy.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_core::codes::{AgencyCode, ProcedureCode};
use motcua_core::dossier::Process;

/// One stored version of a process.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProcessVersion {
    pub procedure: String,
    /// `None`: every agency.
    pub agency: Option<String>,
    pub valid_from: NaiveDate,
    pub process: Process,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    procedure_code: String,
    agency_code: String,
    valid_from: NaiveDate,
    steps: String,
    note: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for ProcessVersion {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(ProcessVersion {
            process: serde_json::from_str(&r.steps)
                .map_err(|e| StoreError::Corrupt(format!("process {}: {e}", r.procedure_code)))?,
            procedure: r.procedure_code,
            agency: (!r.agency_code.is_empty()).then_some(r.agency_code),
            valid_from: r.valid_from,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

const COLS: &str = "procedure_code, agency_code, valid_from, steps, note, created_by, created_at";

impl Store {
    /// Saves a version (replacing one of the same procedure, agency and day).
    /// The caller has validated the process against the processing time.
    pub async fn save_process(
        &self,
        procedure: &ProcedureCode,
        agency: Option<&AgencyCode>,
        valid_from: NaiveDate,
        process: &Process,
        note: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let steps = serde_json::to_string(process)
            .map_err(|e| StoreError::Internal(format!("serialising a process: {e}")))?;
        with_db!(&self.db, p => {
            sqlx::query(
                "INSERT INTO process_version (procedure_code, agency_code, valid_from, steps, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (procedure_code, agency_code, valid_from) DO UPDATE SET steps = $4, note = $5, created_by = $6, created_at = $7")
                .bind(procedure.as_str()).bind(agency.map(|a| a.as_str()).unwrap_or(""))
                .bind(valid_from).bind(steps).bind(note).bind(by).bind(Utc::now())
                .execute(p).await?;
        });
        Ok(())
    }

    /// The version in force for `procedure` at `agency` on `day`: the
    /// agency's own, else the general one.
    pub async fn process_for(
        &self,
        procedure: &ProcedureCode,
        agency: &AgencyCode,
        day: NaiveDate,
    ) -> Result<Option<ProcessVersion>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM process_version WHERE procedure_code = $1 AND agency_code IN ($2, '') AND valid_from <= $3 \
             ORDER BY CASE WHEN agency_code = '' THEN 1 ELSE 0 END, valid_from DESC LIMIT 1"
        );
        let row: Option<Row> = with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(procedure.as_str()).bind(agency.as_str()).bind(day).fetch_optional(p).await?);
        row.map(ProcessVersion::try_from).transpose()
    }

    /// Every version of a procedure's processes, newest first.
    pub async fn process_versions(
        &self,
        procedure: &ProcedureCode,
    ) -> Result<Vec<ProcessVersion>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM process_version WHERE procedure_code = $1 ORDER BY valid_from DESC, agency_code"
        );
        let rows: Vec<Row> = with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(procedure.as_str()).fetch_all(p).await?);
        rows.into_iter().map(ProcessVersion::try_from).collect()
    }
}
