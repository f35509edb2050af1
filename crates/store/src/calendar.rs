//! Stored calendar day rules and the working calendar of an agency.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use motcua_core::calendar::{
    CalendarError, CalendarSpec, DAY_NAME_MAX, DAY_NOTE_MAX, DayKind, DayRule, WorkCalendar,
    overlay_years, standard_rules, usable_rules,
};
use motcua_core::codes::AgencyCode;
use std::sync::Arc;

/// A stored rule as its columns are, the day read as text so that a row
/// no date type can hold still reads.
#[derive(sqlx::FromRow)]
struct DayRow {
    day: String,
    kind: String,
    name: String,
    note: String,
}

/// A stored day rule that no calendar can use (a date outside the supported
/// range, an unknown kind, a name no rule may have): skipped when calendars
/// are built, shown flagged to the administrator, who can delete it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadDayRule {
    /// The day as stored (the key to delete it by).
    pub day: String,
    pub kind: String,
    pub name: String,
    /// Why it is not used, in Vietnamese.
    pub problem: String,
}

/// Why a rule cannot be stored or used, in Vietnamese.
fn rule_problem(e: &CalendarError) -> String {
    match e {
        CalendarError::DateOutOfRange(d) => {
            format!("ngày {d} nằm ngoài phạm vi lịch hỗ trợ (01/01/1900 - 31/12/2100)")
        }
        CalendarError::DuplicateRule(d) => format!("ngày {d} có hai quy tắc"),
        CalendarError::UnknownDayKind(k) => format!("loại ngày `{k}` không hợp lệ"),
        CalendarError::InvalidRule(_) => format!(
            "tên ngày phải có 1-{DAY_NAME_MAX} ký tự, ghi chú tối đa {DAY_NOTE_MAX} ký tự, không có ký tự điều khiển"
        ),
        other => other.to_string(),
    }
}

/// Checks every rule before anything is stored.
fn check_rules(rules: &[DayRule]) -> Result<(), StoreError> {
    for r in rules {
        r.check()
            .map_err(|e| StoreError::Invalid(rule_problem(&e)))?;
    }
    Ok(())
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
        check_rules(rules)?;
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

    /// The stored rules of a scope that a calendar can use, and the rows it
    /// cannot (each logged once per read).
    async fn day_rows_of(
        &self,
        scope: &str,
    ) -> Result<(Vec<DayRule>, Vec<BadDayRule>), StoreError> {
        let rows: Vec<DayRow> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT CAST(day AS TEXT) AS day, kind, name, note FROM calendar_day WHERE scope = $1 ORDER BY day")
            .bind(scope).fetch_all(p).await?);
        let mut parsed = Vec::with_capacity(rows.len());
        let mut bad = Vec::new();
        for r in rows {
            let flag = |problem: String| BadDayRule {
                day: r.day.clone(),
                kind: r.kind.clone(),
                name: r.name.clone(),
                problem,
            };
            let Ok(date) = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d") else {
                bad.push(flag(format!("ngày `{}` không đọc được", r.day)));
                continue;
            };
            match r.kind.parse::<DayKind>() {
                Ok(kind) => parsed.push(DayRule {
                    date,
                    kind,
                    name: r.name,
                    note: r.note,
                }),
                Err(e) => bad.push(flag(rule_problem(&e))),
            }
        }
        let (good, unusable) = usable_rules(parsed);
        bad.extend(unusable.into_iter().map(|(r, e)| BadDayRule {
            day: r.date.format("%Y-%m-%d").to_string(),
            kind: r.kind.as_str().to_string(),
            name: r.name,
            problem: rule_problem(&e),
        }));
        for b in &bad {
            tracing::warn!(scope, day = %b.day, problem = %b.problem, "stored calendar day skipped");
        }
        Ok((good, bad))
    }

    async fn day_rules_of(&self, scope: &str) -> Result<Vec<DayRule>, StoreError> {
        Ok(self.day_rows_of(scope).await?.0)
    }

    /// The stored rules (installation-wide or of one agency) that no
    /// calendar uses, for the administrator to see and delete.
    pub async fn bad_day_rules(
        &self,
        agency: Option<&AgencyCode>,
    ) -> Result<Vec<BadDayRule>, StoreError> {
        let scope = agency.map(|a| a.as_str()).unwrap_or("");
        Ok(self.day_rows_of(scope).await?.1)
    }

    /// Deletes a stored rule by its day as stored (what [`BadDayRule::day`]
    /// says); false when there was none.
    pub async fn remove_stored_day(
        &self,
        agency: Option<&AgencyCode>,
        day: &str,
    ) -> Result<bool, StoreError> {
        self.forget_calendars();
        let scope = agency.map(|a| a.as_str().to_string()).unwrap_or_default();
        let n = with_db!(&self.db, p => sqlx::query("DELETE FROM calendar_day WHERE scope = $1 AND CAST(day AS TEXT) = $2")
            .bind(scope).bind(day).execute(p).await?.rows_affected());
        Ok(n > 0)
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
        check_rules(std::slice::from_ref(rule))?;
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
        self.remove_stored_day(agency, &day.format("%Y-%m-%d").to_string())
            .await
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
        if let Some(cal) = self.calendars.get(&key) {
            return Ok(cal);
        }
        let cal = Arc::new(self.build_calendar(agency).await?);
        self.calendars.set(key, cal.clone());
        Ok(cal)
    }

    /// Forgets the built calendars (after a change of day rules or agencies).
    pub(crate) fn forget_calendars(&self) {
        self.calendars.clear();
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
