//! The built-in data set: the real reference data shipped in `data/`
//! (administrative units 2015-2026, the published procedure catalogue) and the
//! demo agencies of Thái Nguyên / Đồng Hỷ. Loaded by `motcua serve` on first
//! start and by `motcua demo`.

use crate::{Store, StoreError};
use chrono::NaiveDate;
use motcua_core::{agency, catalogue, units};

pub const UNITS_CSV: &[u8] = include_bytes!("../../../data/units-history.csv");
pub const AGENCIES_CSV: &[u8] = include_bytes!("../../../data/agencies-thai-nguyen.csv");
pub const PROCEDURES_JSON: &[u8] = include_bytes!("../../../data/source/procedures.json");

/// The date from which the shipped procedure versions are taken to be in
/// force: they are the versions published after the 2025 reform.
pub fn procedures_valid_from() -> NaiveDate {
    units::reform_date()
}

/// What [`load`] did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub units: usize,
    pub agencies: usize,
    pub procedures: usize,
    pub day_rules: usize,
}

impl Store {
    /// True when no administrative unit is stored yet (a new database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = crate::db::with_db!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM admin_unit").fetch_one(p).await?);
        Ok(n == 0)
    }
}

/// Loads the built-in data set (idempotent: a second load changes nothing).
pub async fn load(store: &Store) -> Result<DemoSummary, StoreError> {
    let none = |_: &motcua_core::codes::UnitCode, _: NaiveDate| false;
    let us = units::parse_units_csv("data/units-history.csv", UNITS_CSV, &none)?;
    store.import_units("data/units-history.csv", &us).await?;
    let unit_codes: std::collections::HashSet<String> =
        us.iter().map(|u| u.code.to_string()).collect();
    let ags = agency::parse_agencies_csv(
        "data/agencies-thai-nguyen.csv",
        AGENCIES_CSV,
        &|_| false,
        &|u| unit_codes.contains(u.as_str()),
    )?;
    store.import_agencies(&ags).await?;
    let ps = catalogue::parse_procedures_json("data/source/procedures.json", PROCEDURES_JSON)?;
    store
        .import_procedures(&ps, procedures_valid_from())
        .await?;
    // The announced calendars of 2016-2027, stored so that an administrator can
    // see and edit them (they are also built into the standard calendar).
    let day_rules = store
        .import_day_rules(&motcua_core::calendar::embedded_day_rules())
        .await?;
    Ok(DemoSummary {
        units: us.len(),
        agencies: ags.len(),
        procedures: ps.len(),
        day_rules,
    })
}
