//! Amounts of working time, processing times and pauses.

use super::CalendarError;
use crate::catalogue::TimeUnit;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// An amount of working time, in whole minutes, never negative.
///
/// The constructors refuse negative amounts and absurd ones: more than
/// [`WorkSpan::MAX_MINUTES`], which is longer than the whole 1900..=2100 day
/// table even for a round-the-clock schedule (so [`super::WorkCalendar::between`]
/// can always return a `WorkSpan`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct WorkSpan(i64);

impl WorkSpan {
    /// No working time.
    pub const ZERO: WorkSpan = WorkSpan(0);
    /// 201 years of 366 days of 24 hours.
    pub const MAX_MINUTES: i64 = 201 * 366 * 24 * 60;
    /// Minutes of the legal 8-hour working day used by [`WorkSpan::days`]
    /// (production systems store durations in hours and divide by 8,
    /// domain.md §4.1). An agency whose day is shorter (07:30-11:30,
    /// 13:30-17:00 = 7 h 30) counts its own day length instead when it
    /// computes a due moment for [`ProcessingTime::WorkingDays`]; see
    /// [`super::WorkCalendar::working_days`].
    pub const MINUTES_PER_DAY: i64 = 8 * 60;

    /// `n` minutes of working time.
    pub fn minutes(n: i64) -> Result<Self, CalendarError> {
        if n < 0 {
            return Err(CalendarError::InvalidDuration(format!(
                "{n} minutes is negative"
            )));
        }
        if n > Self::MAX_MINUTES {
            return Err(CalendarError::InvalidDuration(format!(
                "{n} minutes is more than 200 years of working time"
            )));
        }
        Ok(WorkSpan(n))
    }

    /// `n` hours of working time.
    pub fn hours(n: i64) -> Result<Self, CalendarError> {
        Self::minutes(n.checked_mul(60).ok_or_else(|| too_long(n, "hours"))?)
    }

    /// `n` legal working days of 8 hours (480 minutes).
    pub fn days(n: i64) -> Result<Self, CalendarError> {
        Self::minutes(
            n.checked_mul(Self::MINUTES_PER_DAY)
                .ok_or_else(|| too_long(n, "days"))?,
        )
    }

    /// The amount in minutes.
    pub const fn as_minutes(self) -> i64 {
        self.0
    }

    /// The sum, or an error when it exceeds [`WorkSpan::MAX_MINUTES`].
    pub fn checked_add(self, other: WorkSpan) -> Result<WorkSpan, CalendarError> {
        Self::minutes(self.0 + other.0)
    }

    /// Built from a difference of the day table, which is bounded by construction.
    pub(super) const fn from_table(minutes: i64) -> Self {
        WorkSpan(minutes)
    }
}

fn too_long(n: i64, unit: &str) -> CalendarError {
    CalendarError::InvalidDuration(format!("{n} {unit} is more than 200 years of working time"))
}

impl TryFrom<i64> for WorkSpan {
    type Error = CalendarError;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Self::minutes(n)
    }
}

impl From<WorkSpan> for i64 {
    fn from(s: WorkSpan) -> i64 {
        s.0
    }
}

impl std::fmt::Display for WorkSpan {
    /// Hours and minutes, e.g. `37h30`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}h{:02}", self.0 / 60, self.0 % 60)
    }
}

/// The processing time of a procedure (*thời hạn giải quyết*), in one of the
/// three units of procedure records (domain.md §4.1).
///
/// The variants are public for matching; [`ProcessingTime::new`] and the
/// calendar both refuse zero and more than 3650 days (29 200 working hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum ProcessingTime {
    /// *Ngày làm việc*: working days of the agency's calendar.
    WorkingDays(u32),
    /// *Giờ làm việc*: working hours.
    WorkingHours(u32),
    /// *Ngày*: calendar days.
    CalendarDays(u32),
    /// *Trong ngày*: by the close of the working day of reception, or of the
    /// next working day when received after the cut-off (e.g. certification,
    /// Decree 23/2015/NĐ-CP art. 7).
    SameDay,
}

impl ProcessingTime {
    /// Largest number of (working or calendar) days accepted: ten years.
    pub const MAX_DAYS: u32 = 3650;
    /// Largest number of working hours accepted: 3650 days of 8 hours.
    pub const MAX_HOURS: u32 = 3650 * 8;

    /// A validated processing time of `value` `unit`s.
    pub fn new(unit: TimeUnit, value: u32) -> Result<Self, CalendarError> {
        match unit {
            TimeUnit::WorkingDays => ProcessingTime::WorkingDays(value),
            TimeUnit::WorkingHours => ProcessingTime::WorkingHours(value),
            TimeUnit::CalendarDays => ProcessingTime::CalendarDays(value),
            TimeUnit::SameDay => ProcessingTime::SameDay,
        }
        .validate()
    }

    /// `self` if it is neither zero nor absurd.
    pub fn validate(self) -> Result<Self, CalendarError> {
        let (value, max, unit) = match self {
            ProcessingTime::WorkingDays(n) => (n, Self::MAX_DAYS, "working days"),
            ProcessingTime::WorkingHours(n) => (n, Self::MAX_HOURS, "working hours"),
            ProcessingTime::CalendarDays(n) => (n, Self::MAX_DAYS, "calendar days"),
            ProcessingTime::SameDay => return Ok(self),
        };
        if value == 0 {
            return Err(CalendarError::InvalidDuration(format!(
                "a processing time of 0 {unit}"
            )));
        }
        if value > max {
            return Err(CalendarError::InvalidDuration(format!(
                "{value} {unit} is more than ten years"
            )));
        }
        Ok(self)
    }

    /// The number, whatever the unit.
    pub const fn value(self) -> u32 {
        match self {
            ProcessingTime::WorkingDays(n)
            | ProcessingTime::WorkingHours(n)
            | ProcessingTime::CalendarDays(n) => n,
            ProcessingTime::SameDay => 1,
        }
    }

    /// The unit, as the catalogue names it.
    pub const fn unit(self) -> TimeUnit {
        match self {
            ProcessingTime::WorkingDays(_) => TimeUnit::WorkingDays,
            ProcessingTime::WorkingHours(_) => TimeUnit::WorkingHours,
            ProcessingTime::CalendarDays(_) => TimeUnit::CalendarDays,
            ProcessingTime::SameDay => TimeUnit::SameDay,
        }
    }

    /// Vietnamese label as printed on a receipt, e.g. `5 ngày làm việc`.
    pub fn label_vi(self) -> String {
        match self {
            ProcessingTime::WorkingDays(n) => format!("{n} ngày làm việc"),
            ProcessingTime::WorkingHours(n) => format!("{n} giờ làm việc"),
            ProcessingTime::CalendarDays(n) => format!("{n} ngày"),
            ProcessingTime::SameDay => "trong ngày".to_string(),
        }
    }
}

/// A period during which the processing clock stands still (waiting for a
/// supplement, stopped, awaiting payment): `[from, to)`, local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

impl Pause {
    /// A pause; `to` must not be before `from`.
    pub fn new(from: NaiveDateTime, to: NaiveDateTime) -> Result<Self, CalendarError> {
        if to < from {
            return Err(CalendarError::InvalidPause { from, to });
        }
        Ok(Pause { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_checked() {
        assert_eq!(WorkSpan::days(2).unwrap().as_minutes(), 960);
        assert_eq!(WorkSpan::hours(3).unwrap().as_minutes(), 180);
        assert!(WorkSpan::minutes(-1).is_err());
        assert!(WorkSpan::minutes(WorkSpan::MAX_MINUTES + 1).is_err());
        assert!(WorkSpan::days(i64::MAX).is_err());
        assert!(WorkSpan::hours(i64::MIN).is_err());
        assert_eq!(WorkSpan::minutes(450).unwrap().to_string(), "7h30");
        assert!(serde_json::from_str::<WorkSpan>("-5").is_err());
        assert_eq!(
            serde_json::to_string(&WorkSpan::minutes(90).unwrap()).unwrap(),
            "90"
        );
    }

    #[test]
    fn processing_times_are_checked() {
        assert!(ProcessingTime::new(TimeUnit::WorkingDays, 0).is_err());
        assert!(ProcessingTime::new(TimeUnit::CalendarDays, 3651).is_err());
        assert!(ProcessingTime::new(TimeUnit::WorkingHours, 29_201).is_err());
        assert_eq!(
            ProcessingTime::new(TimeUnit::WorkingHours, 8).unwrap(),
            ProcessingTime::WorkingHours(8)
        );
        assert_eq!(ProcessingTime::WorkingDays(5).label_vi(), "5 ngày làm việc");
        let json = serde_json::to_string(&ProcessingTime::CalendarDays(15)).unwrap();
        assert_eq!(json, r#"{"unit":"calendar_days","value":15}"#);
    }
}
