//! The working-time table: one entry per day 1900-01-01..=2100-12-31 with
//! prefix sums of working seconds, so that adding or measuring working time
//! is a binary search, whatever the length of the period.
//!
//! The *working clock* `W(t)` is the number of working seconds from
//! 1900-01-01 00:00 to `t`. It is non-decreasing and flat outside sessions.
//! `between(a, b) = W(b) − W(a)`; `add(t, d)` is the earliest moment `t' ≥ t`
//! with `W(t') = W(t) + d`, so a period that ends exactly at the end of a
//! session ends there (17:00), not at the next opening.

use super::hours::{Session, WorkingHours};
use super::rules::{DayKind, DayRule, standard_rules};
use super::span::{Pause, ProcessingTime, WorkSpan};
use super::{CalendarError, FIRST_DAY, LAST_DAY};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Decree 61/2018 art. 18: direct dossiers received after 15:00 are handled
/// from the next working day.
pub const DEFAULT_RECEPTION_CUTOFF: NaiveTime = match NaiveTime::from_hms_opt(15, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// Everything that makes one agency's calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    pub hours: WorkingHours,
    /// Holidays, compensatory days and swaps; at most one rule per date.
    pub rules: Vec<DayRule>,
    /// Dossiers received after this time start the next working day
    /// (`None`: no cut-off). Legal default 15:00.
    pub reception_cutoff: Option<NaiveTime>,
}

impl CalendarSpec {
    /// Standard hours, [`standard_rules`] and the 15:00 cut-off.
    pub fn standard() -> Self {
        CalendarSpec {
            hours: WorkingHours::standard(),
            rules: standard_rules(),
            reception_cutoff: Some(DEFAULT_RECEPTION_CUTOFF),
        }
    }
}

impl Default for CalendarSpec {
    fn default() -> Self {
        Self::standard()
    }
}

/// A day where the calendar differs from the agency's weekly pattern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearDay {
    pub date: NaiveDate,
    /// True for a working weekend day, false for a non-working weekday.
    pub working: bool,
    pub kind: DayKind,
    pub name: String,
}

/// Template index of a day off in [`WorkCalendar::templates`].
const OFF: u8 = 8;
/// Template index of the reference day (make-up working days).
const REFERENCE: u8 = 7;

#[derive(Clone, Debug)]
struct Template {
    /// Sessions in seconds from midnight.
    sessions: Vec<(i64, i64)>,
    total: i64,
}

impl Template {
    fn new(sessions: &[Session]) -> Self {
        let sessions: Vec<(i64, i64)> = sessions.iter().map(|&(a, b)| (secs(a), secs(b))).collect();
        let total = sessions.iter().map(|&(a, b)| b - a).sum();
        Template { sessions, total }
    }

    /// Working seconds of the day before second-of-day `s`.
    fn worked_before(&self, s: i64) -> i64 {
        self.sessions
            .iter()
            .map(|&(a, b)| (s.min(b) - a).max(0))
            .sum()
    }

    /// Earliest second of the day at which `r` (0 < r <= total) seconds have been worked.
    fn time_at(&self, mut r: i64) -> i64 {
        for &(a, b) in &self.sessions {
            if r <= b - a {
                return a + r;
            }
            r -= b - a;
        }
        self.sessions.last().map_or(0, |&(_, b)| b)
    }
}

fn secs(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight())
}

fn time_of(s: i64) -> NaiveTime {
    u32::try_from(s)
        .ok()
        .and_then(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0))
        .unwrap_or(NaiveTime::MIN)
}

/// An agency's working-time calendar, built once from a [`CalendarSpec`].
///
/// Internally: a template (weekday pattern, reference day or day off) per day
/// of 1900..=2100 and the prefix sums of working seconds, about 660 kB.
#[derive(Clone)]
pub struct WorkCalendar {
    hours: WorkingHours,
    cutoff: Option<NaiveTime>,
    rules: Vec<DayRule>,
    templates: Vec<Template>,
    day_template: Vec<u8>,
    /// `cum[i]` = working seconds of days `0..i`; `len = days + 1`.
    cum: Vec<i64>,
    /// Seconds of one working day (the reference day).
    day_seconds: i64,
}

impl std::fmt::Debug for WorkCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkCalendar")
            .field("hours", &self.hours.to_string())
            .field("cutoff", &self.cutoff)
            .field("rules", &self.rules.len())
            .field("days", &self.day_template.len())
            .finish()
    }
}

impl WorkCalendar {
    /// Builds the day table. Errors: a rule outside 1900..=2100 or two rules
    /// for the same date.
    pub fn build(spec: &CalendarSpec) -> Result<Self, CalendarError> {
        let mut rules = spec.rules.clone();
        rules.sort_by_key(|r| r.date);
        let mut seen = HashSet::with_capacity(rules.len());
        for r in &rules {
            if r.date < FIRST_DAY || r.date > LAST_DAY {
                return Err(CalendarError::DateOutOfRange(r.date));
            }
            if !seen.insert(r.date) {
                return Err(CalendarError::DuplicateRule(r.date));
            }
        }
        let mut templates: Vec<Template> =
            spec.hours.week().iter().map(|s| Template::new(s)).collect();
        templates.push(Template::new(spec.hours.reference_sessions()));
        templates.push(Template::new(&[]));

        let days = day_count();
        let first_weekday = FIRST_DAY.weekday().num_days_from_monday() as usize;
        let mut day_template: Vec<u8> =
            (0..days).map(|i| ((first_weekday + i) % 7) as u8).collect();
        for r in &rules {
            let i = day_index(r.date).unwrap_or(0);
            day_template[i] = if r.kind.is_day_off() { OFF } else { REFERENCE };
        }
        let mut cum = Vec::with_capacity(days + 1);
        let mut total = 0i64;
        cum.push(0);
        for &t in &day_template {
            total += templates[t as usize].total;
            cum.push(total);
        }
        Ok(WorkCalendar {
            day_seconds: spec.hours.day_minutes() * 60,
            hours: spec.hours.clone(),
            cutoff: spec.reception_cutoff,
            rules,
            templates,
            day_template,
            cum,
        })
    }

    /// The calendar of [`CalendarSpec::standard`]: statutory rules of
    /// 1900..=2100 with the rows of `data/holidays-vn.csv` for 2016..=2027,
    /// Monday..Friday 07:30-11:30 / 13:30-17:00, cut-off 15:00. Takes a few
    /// milliseconds; see [`WorkCalendar::standard_shared`] to build it once.
    pub fn standard() -> Self {
        Self::build(&CalendarSpec::standard())
            .expect("the standard rule set has one rule per date (tested)")
    }

    /// A process-wide [`WorkCalendar::standard`], built on first use.
    pub fn standard_shared() -> &'static WorkCalendar {
        static STANDARD: OnceLock<WorkCalendar> = OnceLock::new();
        STANDARD.get_or_init(Self::standard)
    }

    /// The weekly hours.
    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// The reception cut-off.
    pub fn reception_cutoff(&self) -> Option<NaiveTime> {
        self.cutoff
    }

    /// The day rules, sorted by date.
    pub fn rules(&self) -> &[DayRule] {
        &self.rules
    }

    /// The rule for a date, if any.
    pub fn rule(&self, d: NaiveDate) -> Option<&DayRule> {
        self.rules
            .binary_search_by_key(&d, |r| r.date)
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Length of one working day of this calendar, used for
    /// [`ProcessingTime::WorkingDays`] (450 minutes for the standard hours).
    pub fn day_length(&self) -> WorkSpan {
        WorkSpan::from_table(self.day_seconds / 60)
    }

    /// `n` working days of this calendar as working time (`n ×` [`Self::day_length`]).
    pub fn working_days(&self, n: u32) -> Result<WorkSpan, CalendarError> {
        WorkSpan::minutes(i64::from(n) * (self.day_seconds / 60))
    }

    /// True when the agency works on `d` (false outside 1900..=2100).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        day_index(d).is_some_and(|i| self.cum[i + 1] > self.cum[i])
    }

    /// Working minutes of a day (0 outside the range).
    pub fn working_minutes(&self, d: NaiveDate) -> i64 {
        day_index(d).map_or(0, |i| (self.cum[i + 1] - self.cum[i]) / 60)
    }

    /// The sessions worked on a date (empty on a day off or outside the range).
    pub fn sessions_on(&self, d: NaiveDate) -> Vec<Session> {
        day_index(d).map_or_else(Vec::new, |i| {
            self.template(i)
                .sessions
                .iter()
                .map(|&(a, b)| (time_of(a), time_of(b)))
                .collect()
        })
    }

    /// The first working day after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> Option<NaiveDate> {
        let i = day_index(d)?;
        self.next_working_index_after(i).map(date_of)
    }

    /// The closing time (end of the last session) of the working day of `t`,
    /// or of the next working day when `t`'s date is not a working day: the
    /// Civil Code reading "the period ends at the end of the last day" for
    /// installations that print due *dates* rather than moments.
    pub fn end_of_working_day(&self, t: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        let i = day_index(t.date()).ok_or(CalendarError::MomentOutOfRange(t))?;
        let j = self
            .working_index_from(i)
            .ok_or(CalendarError::ResultOutOfRange)?;
        let close = self.template(j).sessions.last().map_or(0, |&(_, b)| b);
        Ok(date_of(j).and_time(time_of(close)))
    }

    /// Adds working time: the earliest moment at or after `t` by which `d`
    /// of working time has elapsed from `t`. `add(t, 0) = t`. A result exactly
    /// at the end of a session stays there (e.g. 17:00, not 07:30 the next
    /// working day). Errors when `t` or the result is outside 1900..=2100.
    pub fn add(&self, t: NaiveDateTime, d: WorkSpan) -> Result<NaiveDateTime, CalendarError> {
        self.add_seconds(t, d.as_minutes() * 60)
    }

    /// Working time in `[a, b)`, in whole minutes (rounded down); zero when
    /// `b <= a`. Moments outside 1900..=2100 are clamped to the range.
    pub fn between(&self, a: NaiveDateTime, b: NaiveDateTime) -> WorkSpan {
        if b <= a {
            return WorkSpan::ZERO;
        }
        WorkSpan::from_table((self.clock(b) - self.clock(a)) / 60)
    }

    /// When the processing clock starts for a dossier received at `received`:
    /// inside a session, at once; before the opening or during a break, at
    /// the start of the next session; after the close, after the cut-off or on
    /// a non-working day, at the opening of the next working day. Returns
    /// `received` unchanged when that cannot be computed (outside the range);
    /// [`Self::try_clock_start`] reports it.
    pub fn clock_start(&self, received: NaiveDateTime) -> NaiveDateTime {
        self.try_clock_start(received).unwrap_or(received)
    }

    /// [`Self::clock_start`], with an error outside 1900..=2100.
    pub fn try_clock_start(&self, received: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        let i = day_index(received.date()).ok_or(CalendarError::MomentOutOfRange(received))?;
        let s = secs(received.time());
        let tpl = self.template(i);
        let after_cutoff = self.cutoff.is_some_and(|c| s > secs(c));
        if !after_cutoff && let Some(&(a, _)) = tpl.sessions.iter().find(|&&(_, b)| b > s) {
            return Ok(if s >= a {
                received
            } else {
                received.date().and_time(time_of(a))
            });
        }
        let j = self
            .next_working_index_after(i)
            .ok_or(CalendarError::ResultOutOfRange)?;
        Ok(self.opening(j))
    }

    /// The due moment of a dossier received at `received`:
    /// * [`ProcessingTime::WorkingDays`]`(n)`: the clock start plus `n ×`
    ///   [`Self::day_length`] of working time, i.e. the same position of the
    ///   working clock `n` working days later (received Tuesday 14:10,
    ///   5 days: next Tuesday 14:10). A shorter day (a Saturday-morning
    ///   desk) counts for the time it is open.
    /// * [`ProcessingTime::WorkingHours`]`(n)`: the clock start plus `n` hours
    ///   of working time.
    /// * [`ProcessingTime::CalendarDays`]`(n)`: the close of the `n`-th
    ///   calendar day after the clock start, or of the next working day when
    ///   that day is not a working day (Civil Code 2015 art. 147-148: a period
    ///   counted in days ends at the end of its last day, and a last day that
    ///   is a rest day moves to the end of the next working day). Ending at the
    ///   close, rather than at the reception's clock time, keeps the due
    ///   moment monotone in the reception moment (a proptest found the
    ///   counter-example of the mixed rule: Friday 15:00:01 and the next
    ///   Wednesday 00:00 with 138 days).
    /// * [`ProcessingTime::SameDay`]: the close of the working day of the
    ///   clock start (after the cut-off, of the next working day).
    pub fn due(
        &self,
        received: NaiveDateTime,
        time: ProcessingTime,
    ) -> Result<NaiveDateTime, CalendarError> {
        let time = time.validate()?;
        let start = self.try_clock_start(received)?;
        match time {
            ProcessingTime::WorkingDays(n) => {
                self.add_seconds(start, i64::from(n) * self.day_seconds)
            }
            ProcessingTime::WorkingHours(n) => self.add_seconds(start, i64::from(n) * 3600),
            ProcessingTime::CalendarDays(n) => self.calendar_days_after(start, n),
            ProcessingTime::SameDay => self.end_of_working_day(start),
        }
    }

    /// [`Self::due`] with the clock stopped during `pauses`. Each pause
    /// `[from, to)` that starts before the (already moved) due moment moves
    /// it by exactly `between(from, to)`: the working time still left when
    /// the pause began is left after it ends. A pause that starts at or after
    /// the due moment does not move it (the dossier is already late). Pauses
    /// are clipped to start no earlier than the clock start; overlapping
    /// pauses count once. Errors: a pause ending before it starts, a result
    /// after 2100.
    pub fn due_with_pauses(
        &self,
        received: NaiveDateTime,
        time: ProcessingTime,
        pauses: &[Pause],
    ) -> Result<NaiveDateTime, CalendarError> {
        let start = self.try_clock_start(received)?;
        let mut due = self.due(received, time)?;
        let mut spans: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::with_capacity(pauses.len());
        for p in pauses {
            if p.to < p.from {
                return Err(CalendarError::InvalidPause {
                    from: p.from,
                    to: p.to,
                });
            }
            let from = p.from.max(start);
            if p.to > from {
                spans.push((from, p.to));
            }
        }
        spans.sort();
        let mut merged: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::with_capacity(spans.len());
        for (f, t) in spans {
            match merged.last_mut() {
                Some(last) if f <= last.1 => last.1 = last.1.max(t),
                _ => merged.push((f, t)),
            }
        }
        for (f, t) in merged {
            if f >= due {
                break;
            }
            due = self.add_seconds(due, self.clock(t) - self.clock(f))?;
        }
        Ok(due)
    }

    /// Working minutes from `at` to `due`, negative when `at` is past `due`
    /// (then minus the working time elapsed since `due`). Zero with `at > due`
    /// means late only by non-working time (e.g. at 17:30 for a due of 17:00).
    pub fn remaining(&self, due: NaiveDateTime, at: NaiveDateTime) -> i64 {
        if at <= due {
            self.between(at, due).as_minutes()
        } else {
            -self.between(due, at).as_minutes()
        }
    }

    /// The days of `year` that differ from the weekly pattern: weekdays the
    /// agency normally works that are off (holiday, compensatory, swap) and
    /// rest days that are worked (make-up days), each with its rule. Empty
    /// outside 1900..=2100.
    pub fn year_exceptions(&self, year: i32) -> Vec<YearDay> {
        let mut out = Vec::new();
        for r in self.rules.iter().filter(|r| r.date.year() == year) {
            let usual = !self.hours.sessions(r.date.weekday()).is_empty();
            let actual = self.is_working_day(r.date);
            if usual != actual {
                out.push(YearDay {
                    date: r.date,
                    working: actual,
                    kind: r.kind,
                    name: r.name.clone(),
                });
            }
        }
        out
    }

    fn template(&self, i: usize) -> &Template {
        &self.templates[self.day_template[i] as usize]
    }

    /// W(t) in seconds, clamped to the table.
    fn clock(&self, t: NaiveDateTime) -> i64 {
        if t.date() < FIRST_DAY {
            return 0;
        }
        match day_index(t.date()) {
            Some(i) => self.cum[i] + self.template(i).worked_before(secs(t.time())),
            None => self.cum[self.cum.len() - 1],
        }
    }

    fn add_seconds(&self, t: NaiveDateTime, d: i64) -> Result<NaiveDateTime, CalendarError> {
        if day_index(t.date()).is_none() {
            return Err(CalendarError::MomentOutOfRange(t));
        }
        if d <= 0 {
            return Ok(t);
        }
        let target = self.clock(t) + d;
        // First k with cum[k] >= target; the result lies on day k - 1.
        let k = self.cum.partition_point(|&c| c < target);
        if k >= self.cum.len() || k == 0 {
            return Err(CalendarError::ResultOutOfRange);
        }
        let j = k - 1;
        let s = self.template(j).time_at(target - self.cum[j]);
        Ok(date_of(j).and_time(time_of(s)))
    }

    /// Index of the first working day after day `i`.
    fn next_working_index_after(&self, i: usize) -> Option<usize> {
        let c = self.cum[i + 1];
        let k = self.cum.partition_point(|&x| x <= c);
        (k < self.cum.len()).then(|| k - 1)
    }

    /// Index of the first working day at or after day `i`.
    fn working_index_from(&self, i: usize) -> Option<usize> {
        if self.cum[i + 1] > self.cum[i] {
            Some(i)
        } else {
            self.next_working_index_after(i)
        }
    }

    fn opening(&self, i: usize) -> NaiveDateTime {
        let a = self.template(i).sessions.first().map_or(0, |&(a, _)| a);
        date_of(i).and_time(time_of(a))
    }

    fn calendar_days_after(
        &self,
        start: NaiveDateTime,
        n: u32,
    ) -> Result<NaiveDateTime, CalendarError> {
        let date = start
            .date()
            .checked_add_days(chrono::Days::new(u64::from(n)))
            .ok_or(CalendarError::ResultOutOfRange)?;
        let t = date.and_time(NaiveTime::MIN);
        if day_index(date).is_none() {
            return Err(CalendarError::ResultOutOfRange);
        }
        self.end_of_working_day(t)
    }
}

fn day_count() -> usize {
    (LAST_DAY - FIRST_DAY).num_days() as usize + 1
}

/// Index of a date in the table, `None` outside 1900..=2100.
fn day_index(d: NaiveDate) -> Option<usize> {
    if d < FIRST_DAY || d > LAST_DAY {
        return None;
    }
    usize::try_from(d.num_days_from_ce() - FIRST_DAY.num_days_from_ce()).ok()
}

fn date_of(i: usize) -> NaiveDate {
    FIRST_DAY
        .checked_add_days(chrono::Days::new(i as u64))
        .unwrap_or(LAST_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn plain() -> WorkCalendar {
        WorkCalendar::build(&CalendarSpec {
            hours: WorkingHours::standard(),
            rules: vec![],
            reception_cutoff: None,
        })
        .unwrap()
    }

    #[test]
    fn table_shape() {
        let c = plain();
        assert_eq!(c.day_template.len(), 73_414);
        assert_eq!(c.cum.len(), 73_415);
        assert_eq!(date_of(0), FIRST_DAY);
        assert_eq!(date_of(73_413), LAST_DAY);
        assert_eq!(day_index(LAST_DAY), Some(73_413));
    }

    #[test]
    fn add_stays_at_session_end() {
        let c = plain();
        // Tuesday 2019-03-12.
        assert_eq!(
            c.add(t(2019, 3, 12, 7, 30), WorkSpan::minutes(240).unwrap())
                .unwrap(),
            t(2019, 3, 12, 11, 30)
        );
        assert_eq!(
            c.add(t(2019, 3, 12, 7, 30), WorkSpan::minutes(241).unwrap())
                .unwrap(),
            t(2019, 3, 12, 13, 31)
        );
        assert_eq!(
            c.add(t(2019, 3, 12, 7, 30), WorkSpan::minutes(450).unwrap())
                .unwrap(),
            t(2019, 3, 12, 17, 0)
        );
        // Friday 16:00 + 2 h: Monday 08:30.
        assert_eq!(
            c.add(t(2019, 3, 15, 16, 0), WorkSpan::hours(2).unwrap())
                .unwrap(),
            t(2019, 3, 18, 8, 30)
        );
        // From a break.
        assert_eq!(
            c.add(t(2019, 3, 12, 12, 0), WorkSpan::minutes(1).unwrap())
                .unwrap(),
            t(2019, 3, 12, 13, 31)
        );
    }

    #[test]
    fn duplicate_and_out_of_range_rules_are_refused() {
        let rule = |y| DayRule {
            date: NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
            kind: DayKind::Holiday,
            name: "x".into(),
            note: String::new(),
        };
        let spec = |rules| CalendarSpec {
            hours: WorkingHours::standard(),
            rules,
            reception_cutoff: None,
        };
        assert!(matches!(
            WorkCalendar::build(&spec(vec![rule(2019), rule(2019)])),
            Err(CalendarError::DuplicateRule(_))
        ));
        assert!(matches!(
            WorkCalendar::build(&spec(vec![rule(2101)])),
            Err(CalendarError::DateOutOfRange(_))
        ));
    }
}
