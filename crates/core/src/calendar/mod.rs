//! The working-time clock: Vietnamese lunar calendar, statutory holidays,
//! announced swaps, per-agency working hours, due moments, pauses and the
//! early / on-time / overdue classification. Pure: no I/O, no database.
//!
//! All `NaiveDateTime` values are local time of Asia/Ho_Chi_Minh, a fixed
//! UTC+7 without daylight saving; [`to_local`] and [`to_utc`] convert at the
//! storage boundary. The supported range is 1900-01-01..=2100-12-31: anything
//! outside returns an error, never a panic.
//!
//! The readings of the law chosen here (cut-off, boundaries of a due moment,
//! calendar-day periods, pauses, classification) are written down in
//! `docs/calendar.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use motcua_core::calendar::{ProcessingTime, WorkCalendar};
//!
//! let cal = WorkCalendar::standard();
//! // Received Tuesday 14:10, 5 working days: due the next Tuesday at 14:10.
//! let received = NaiveDate::from_ymd_opt(2019, 3, 12).unwrap().and_hms_opt(14, 10, 0).unwrap();
//! let due = cal.due(received, ProcessingTime::WorkingDays(5)).unwrap();
//! assert_eq!(due, NaiveDate::from_ymd_opt(2019, 3, 19).unwrap().and_hms_opt(14, 10, 0).unwrap());
//! ```

mod classify;
mod hours;
pub mod lunar;
mod rules;
mod span;
mod table;

pub use crate::import::ImportError;
pub use classify::{OpenTimeliness, Timeliness, classify_open, classify_resolved};
pub use hours::{Session, WorkingHours};
pub use rules::{
    DAY_NAME_MAX, DAY_NOTE_MAX, DayKind, DayRule, HOLIDAYS_VN_CSV, embedded_day_rules,
    known_swaps_before_2016, overlay_years, parse_day_rules_csv, standard_rules,
    statutory_holidays, usable_rules, write_day_rules_csv,
};
pub use span::{Pause, ProcessingTime, WorkSpan};
pub use table::{CalendarSpec, DEFAULT_RECEPTION_CUTOFF, WorkCalendar, YearDay};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use lunar::LunarDate;

/// First year of the supported range.
pub const MIN_YEAR: i32 = 1900;
/// Last year of the supported range.
pub const MAX_YEAR: i32 = 2100;
/// 1900-01-01, the first day of the day table.
pub const FIRST_DAY: NaiveDate = ymd(MIN_YEAR, 1, 1);
/// 2100-12-31, the last day of the day table.
pub const LAST_DAY: NaiveDate = ymd(MAX_YEAR, 12, 31);

/// Vietnam's offset from UTC in seconds (+07:00, no daylight saving since 1975).
pub const VN_OFFSET_SECONDS: i32 = 7 * 3600;

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

/// The fixed offset of Asia/Ho_Chi_Minh (evaluated at compile time).
pub const VN_OFFSET: FixedOffset = match FixedOffset::east_opt(VN_OFFSET_SECONDS) {
    Some(o) => o,
    None => panic!("+07:00 is a valid offset"),
};

/// The fixed offset of Asia/Ho_Chi_Minh.
pub const fn vn_offset() -> FixedOffset {
    VN_OFFSET
}

/// A UTC instant as local time in Vietnam (UTC+7). Saturates at chrono's
/// largest representable moment instead of overflowing.
pub fn to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
        .checked_add_signed(TimeDelta::seconds(i64::from(VN_OFFSET_SECONDS)))
        .unwrap_or(NaiveDateTime::MAX)
}

/// A local time in Vietnam (UTC+7) as a UTC instant. Saturates at chrono's
/// smallest representable moment instead of overflowing.
pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.checked_sub_signed(TimeDelta::seconds(i64::from(VN_OFFSET_SECONDS)))
        .map_or(DateTime::<Utc>::MIN_UTC, |u| u.and_utc())
}

/// Errors of the calendar: inputs outside the supported range, impossible
/// lunar dates, durations and working hours that make no sense, conflicting
/// rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("date {0} is outside the supported range 1900-01-01..=2100-12-31")]
    DateOutOfRange(NaiveDate),
    #[error("moment {0} is outside the supported range 1900-01-01..=2100-12-31")]
    MomentOutOfRange(NaiveDateTime),
    #[error("year {0} is outside the supported range 1900..=2100")]
    YearOutOfRange(i32),
    #[error("the result would fall after 2100-12-31, the end of the supported range")]
    ResultOutOfRange,
    #[error("invalid lunar date {date}: {reason}")]
    InvalidLunarDate {
        date: LunarDate,
        reason: &'static str,
    },
    #[error("invalid time zone offset {0} h (expected -12..=14)")]
    InvalidTimeZone(String),
    #[error("invalid duration: {0}")]
    InvalidDuration(String),
    #[error("invalid working hours: {0}")]
    InvalidHours(String),
    #[error("unknown day kind `{0}` (expected holiday, compensatory, swap-dayoff or swap-workday)")]
    UnknownDayKind(String),
    #[error("invalid day rule: {0}")]
    InvalidRule(String),
    #[error("two day rules for {0}")]
    DuplicateRule(NaiveDate),
    #[error("invalid pause: it ends ({to}) before it starts ({from})")]
    InvalidPause {
        from: NaiveDateTime,
        to: NaiveDateTime,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn range_constants() {
        assert_eq!(FIRST_DAY.to_string(), "1900-01-01");
        assert_eq!(LAST_DAY.to_string(), "2100-12-31");
        assert_eq!(vn_offset().local_minus_utc(), 25_200);
    }

    #[test]
    fn utc_midnight_is_seven_in_the_morning() {
        let t = Utc.with_ymd_and_hms(2019, 12, 31, 17, 0, 0).unwrap();
        assert_eq!(to_local(t), ymd(2020, 1, 1).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(to_utc(to_local(t)), t);
    }

    #[test]
    fn extremes_saturate() {
        assert_eq!(to_local(DateTime::<Utc>::MAX_UTC), NaiveDateTime::MAX);
        assert_eq!(to_utc(NaiveDateTime::MIN), DateTime::<Utc>::MIN_UTC);
    }
}
