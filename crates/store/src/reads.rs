//! Who opened a dossier (issue 18.4): every read of a dossier's personal
//! data by an officer, append-only, for the applicant to see on the portal.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use motcua_core::dossier::DossierCode;

/// One read of a dossier's personal data.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct DossierRead {
    pub at: DateTime<Utc>,
    pub username: String,
    pub agency_code: String,
    /// Where it was read: `api`, `page`, `slip:receipt`, `documents`, …
    pub via: String,
    /// The action it was read for, when it was read to act.
    pub purpose: Option<String>,
}

impl Store {
    /// Records that `username` of `agency` read `code`'s personal data
    /// through `via`, for `purpose`. Appended, never changed.
    pub async fn record_read(
        &self,
        code: &DossierCode,
        username: &str,
        agency: &str,
        via: &str,
        purpose: Option<&str>,
    ) -> Result<(), StoreError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        with_db!(&self.db, p => {
            sqlx::query(
                "INSERT INTO dossier_read (unit_code, id, dossier_code, username, agency_code, at, via, purpose) \
                 SELECT unit_code, $1, code, $2, $3, $4, $5, $6 FROM dossier WHERE code = $7")
                .bind(id).bind(username).bind(agency).bind(Utc::now()).bind(via).bind(purpose)
                .bind(code.as_str())
                .execute(p).await?;
        });
        Ok(())
    }

    /// Every recorded read of a dossier, oldest first.
    pub async fn dossier_reads(&self, code: &DossierCode) -> Result<Vec<DossierRead>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_as(
            "SELECT at, username, agency_code, via, purpose FROM dossier_read WHERE dossier_code = $1 ORDER BY at, id")
            .bind(code.as_str()).fetch_all(p).await?))
    }
}
