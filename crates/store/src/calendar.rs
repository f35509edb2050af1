//! Stored calendar day rules and the working calendar of an agency.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use motcua_core::calendar::{
    CalendarSpec, DayKind, DayRule, WorkCalendar, overlay_years, standard_rules,
};
use motcua_core::codes::AgencyCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a built calendar is reused before it is rebuilt from the database.
pub const CALENDAR_TTL: Duration = Duration::from_secs(300);

#[derive(sqlx::FromRow)]
struct DayRow {
    day: NaiveDate,
    kind: String,
    name: String,
    note: String,
}

impl Store {
    /// Stores installation-wide day rules (upsert by date), all-or-nothing.
    pub async fn import_day_rules(&self, rules: &[DayRule]) -> Result<usize, StoreError> {
        self.store_day_rules("", rules).await
    }

    /// Stores day rules that apply to one agency only.
    pub async fn import_agency_day_rules(
        &self,
        agency: &AgencyCode,
        rules: &[DayRule],
    ) -> Result<usize, StoreError> {
        self.agency(agency)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("không có cơ quan mã `{agency}`")))?;
        self.store_day_rules(agency.as_str(), rules).await
    }

    async fn store_day_rules(&self, scope: &str, rules: &[DayRule]) -> Result<usize, StoreError> {
        self.forget_calendars();
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            for r in rules {
                sqlx::query("INSERT INTO calendar_day (scope, day, kind, name, note) VALUES ($1, $2, $3, $4, $5) \
                    ON CONFLICT (scope, day) DO UPDATE SET kind = excluded.kind, name = excluded.name, note = excluded.note")
                    .bind(scope).bind(r.date).bind(r.kind.as_str()).bind(r.name.clone()).bind(r.note.clone())
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(rules.len())
    }

    async fn day_rules_of(&self, scope: &str) -> Result<Vec<DayRule>, StoreError> {
        let rows: Vec<DayRow> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT day, kind, name, note FROM calendar_day WHERE scope = $1 ORDER BY day")
            .bind(scope).fetch_all(p).await?);
        rows.into_iter()
            .map(|r| {
                let kind: DayKind = r
                    .kind
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("calendar_day.kind {}", r.kind)))?;
                Ok(DayRule {
                    date: r.day,
                    kind,
                    name: r.name,
                    note: r.note,
                })
            })
            .collect()
    }

    /// Sets one day rule, installation-wide (`agency` = `None`) or for one
    /// agency. A stored installation year replaces the year derived by rule,
    /// so the first rule stored for a year brings that year's statutory
    /// holidays with it (an announced swap never erases Tết).
    pub async fn set_day_rule(
        &self,
        agency: Option<&AgencyCode>,
        rule: &DayRule,
    ) -> Result<(), StoreError> {
        use chrono::Datelike;
        match agency {
            Some(a) => {
                self.import_agency_day_rules(a, std::slice::from_ref(rule))
                    .await?;
            }
            None => {
                let year = rule.date.year();
                let stored = self
                    .day_rules()
                    .await?
                    .iter()
                    .any(|r| r.date.year() == year);
                let mut rules = if stored {
                    Vec::new()
                } else {
                    motcua_core::calendar::statutory_holidays(year)?
                        .into_iter()
                        .filter(|r| r.date != rule.date)
                        .collect()
                };
                rules.push(rule.clone());
                self.import_day_rules(&rules).await?;
            }
        }
        Ok(())
    }

    /// Removes the stored rule of a day (installation-wide or an agency's);
    /// false when there was none.
    pub async fn remove_day_rule(
        &self,
        agency: Option<&AgencyCode>,
        day: NaiveDate,
    ) -> Result<bool, StoreError> {
        self.forget_calendars();
        let scope = agency.map(|a| a.as_str().to_string()).unwrap_or_default();
        let n = with_db!(&self.db, p => sqlx::query("DELETE FROM calendar_day WHERE scope = $1 AND day = $2")
            .bind(scope).bind(day).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// The day rules stored for one agency.
    pub async fn agency_day_rules(&self, agency: &AgencyCode) -> Result<Vec<DayRule>, StoreError> {
        self.day_rules_of(agency.as_str()).await
    }

    /// The installation-wide stored day rules.
    pub async fn day_rules(&self) -> Result<Vec<DayRule>, StoreError> {
        self.day_rules_of("").await
    }

    /// The working calendar of an agency (its hours; statutory rules, with
    /// every stored year replacing the derived one; then the agency's own
    /// date overrides), or of the installation when `agency` is `None`.
    pub async fn calendar(
        &self,
        agency: Option<&AgencyCode>,
    ) -> Result<Arc<WorkCalendar>, StoreError> {
        let key = agency.map(|a| a.to_string()).unwrap_or_default();
        if let Ok(cache) = self.calendars.lock()
            && let Some((at, cal)) = cache.get(&key)
            && at.elapsed() < CALENDAR_TTL
        {
            return Ok(cal.clone());
        }
        let cal = Arc::new(self.build_calendar(agency).await?);
        if let Ok(mut cache) = self.calendars.lock() {
            cache.insert(key, (Instant::now(), cal.clone()));
        }
        Ok(cal)
    }

    /// Forgets the built calendars (after a change of day rules or agencies).
    pub(crate) fn forget_calendars(&self) {
        if let Ok(mut cache) = self.calendars.lock() {
            cache.clear();
        }
    }

    async fn build_calendar(
        &self,
        agency: Option<&AgencyCode>,
    ) -> Result<WorkCalendar, StoreError> {
        let mut rules = overlay_years(&standard_rules(), &self.day_rules().await?);
        let mut spec = CalendarSpec {
            rules: Vec::new(),
            ..CalendarSpec::standard()
        };
        if let Some(code) = agency {
            let a = self
                .agency(code)
                .await?
                .ok_or_else(|| StoreError::Invalid(format!("không có cơ quan mã `{code}`")))?;
            spec.hours = a.hours;
            let own = self.day_rules_of(code.as_str()).await?;
            rules.retain(|r| !own.iter().any(|o| o.date == r.date));
            rules.extend(own);
            rules.sort_by_key(|r| r.date);
        }
        spec.rules = rules;
        Ok(WorkCalendar::build(&spec)?)
    }
}
