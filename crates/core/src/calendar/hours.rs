//! Weekly working hours of an agency or desk.

use super::CalendarError;
use chrono::{NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

/// One working session of a day: `[start, end)`, local time.
pub type Session = (NaiveTime, NaiveTime);

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const fn hm(h: u32, m: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => t,
        None => NaiveTime::MIN,
    }
}

/// For each weekday (Monday first) its ordered, non-overlapping working
/// sessions. Times are whole minutes; a session cannot run past 23:59.
///
/// Text form (also the serde form), the same as the agency file's `hours`
/// column: `Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorkingHours {
    week: [Vec<Session>; 7],
}

impl WorkingHours {
    /// Validates and builds weekly hours: every session starts before it
    /// ends, on whole minutes, sessions of a day are ordered and do not
    /// overlap, and at least one day of the week has a session.
    pub fn new(week: [Vec<Session>; 7]) -> Result<Self, CalendarError> {
        for (day, sessions) in week.iter().enumerate() {
            let name = DAY_NAMES[day];
            let mut previous_end: Option<NaiveTime> = None;
            for &(start, end) in sessions {
                for t in [start, end] {
                    if t.second() != 0 || t.nanosecond() != 0 {
                        return Err(CalendarError::InvalidHours(format!(
                            "{name}: {t} is not a whole minute"
                        )));
                    }
                }
                if start >= end {
                    return Err(CalendarError::InvalidHours(format!(
                        "{name}: session {}-{} ends before it starts",
                        start.format("%H:%M"),
                        end.format("%H:%M")
                    )));
                }
                if previous_end.is_some_and(|p| start < p) {
                    return Err(CalendarError::InvalidHours(format!(
                        "{name}: session {}-{} overlaps or precedes the previous one",
                        start.format("%H:%M"),
                        end.format("%H:%M")
                    )));
                }
                previous_end = Some(end);
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err(CalendarError::InvalidHours(
                "no working session in the week".into(),
            ));
        }
        Ok(WorkingHours { week })
    }

    /// Monday to Friday, 07:30-11:30 and 13:30-17:00 (7 h 30 a day), the
    /// hours of the Thái Nguyên agencies (data/agencies-thai-nguyen.csv).
    pub fn standard() -> Self {
        let day = vec![(hm(7, 30), hm(11, 30)), (hm(13, 30), hm(17, 0))];
        WorkingHours {
            week: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
        }
    }

    /// The same hours plus a Saturday-morning desk: Saturday gets the first
    /// session of the reference day (07:30-11:30 for [`WorkingHours::standard`]).
    pub fn with_saturday_morning(mut self) -> Self {
        let morning = self.reference_sessions().first().copied();
        if let Some(s) = morning {
            self.week[5] = vec![s];
        }
        self
    }

    /// Parses the text form, e.g. `Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`.
    pub fn parse(s: &str) -> Result<Self, CalendarError> {
        let bad = |m: String| CalendarError::InvalidHours(m);
        let day = |d: &str| {
            DAY_NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(d))
                .ok_or_else(|| bad(format!("`{d}` is not a day (Mon..Sun)")))
        };
        let mut week: [Vec<Session>; 7] = Default::default();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let mut words = part.split_whitespace();
            let range = words.next().unwrap_or_default();
            let (a, b) = match range.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(range)?, day(range)?),
            };
            if a > b {
                return Err(bad(format!("day range `{range}` is reversed")));
            }
            let mut sessions = Vec::new();
            for w in words {
                let (x, y) = w
                    .split_once('-')
                    .ok_or_else(|| bad(format!("`{w}` is not HH:MM-HH:MM")))?;
                let t = |v: &str| {
                    NaiveTime::parse_from_str(v, "%H:%M")
                        .map_err(|_| bad(format!("`{v}` is not a time HH:MM")))
                };
                sessions.push((t(x)?, t(y)?));
            }
            if sessions.is_empty() {
                return Err(bad(format!("`{part}` has no session")));
            }
            for d in a..=b {
                if !week[d].is_empty() {
                    return Err(bad(format!("{} is given twice", DAY_NAMES[d])));
                }
                week[d] = sessions.clone();
            }
        }
        Self::new(week)
    }

    /// The sessions of a weekday.
    pub fn sessions(&self, day: Weekday) -> &[Session] {
        &self.week[day.num_days_from_monday() as usize]
    }

    /// All seven days, Monday first.
    pub fn week(&self) -> &[Vec<Session>; 7] {
        &self.week
    }

    /// Working minutes of a weekday.
    pub fn minutes_on(&self, day: Weekday) -> i64 {
        day_minutes(self.sessions(day))
    }

    /// Working minutes of a normal week.
    pub fn minutes_per_week(&self) -> i64 {
        self.week.iter().map(|s| day_minutes(s)).sum()
    }

    /// Index (0 = Monday) of the reference day: the longest day of the week,
    /// the earliest on a tie. Its length is the agency's working-day length and
    /// its sessions are worked on an announced make-up working day.
    pub fn reference_day(&self) -> usize {
        let mut best = 0;
        for d in 1..7 {
            if day_minutes(&self.week[d]) > day_minutes(&self.week[best]) {
                best = d;
            }
        }
        best
    }

    /// The sessions of the reference day.
    pub fn reference_sessions(&self) -> &[Session] {
        &self.week[self.reference_day()]
    }

    /// Length of one working day of this agency in minutes (450 for
    /// [`WorkingHours::standard`]).
    pub fn day_minutes(&self) -> i64 {
        day_minutes(self.reference_sessions())
    }
}

fn day_minutes(sessions: &[Session]) -> i64 {
    sessions.iter().map(|&(a, b)| (b - a).num_minutes()).sum()
}

impl Default for WorkingHours {
    fn default() -> Self {
        Self::standard()
    }
}

impl std::str::FromStr for WorkingHours {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl std::fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        let mut d = 0;
        while d < 7 {
            if self.week[d].is_empty() {
                d += 1;
                continue;
            }
            let mut e = d;
            while e + 1 < 7 && self.week[e + 1] == self.week[d] {
                e += 1;
            }
            let range = if e == d {
                DAY_NAMES[d].to_string()
            } else {
                format!("{}-{}", DAY_NAMES[d], DAY_NAMES[e])
            };
            let sessions: Vec<String> = self.week[d]
                .iter()
                .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
                .collect();
            parts.push(format!("{range} {}", sessions.join(" ")));
            d = e + 1;
        }
        f.write_str(&parts.join("; "))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for WorkingHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::codes::string_schema(
            "Weekly working hours, e.g. `Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`",
        )
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for WorkingHours {}

impl Serialize for WorkingHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for WorkingHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WorkingHours::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_and_saturday() {
        let h = WorkingHours::standard();
        assert_eq!(h.to_string(), "Mon-Fri 07:30-11:30 13:30-17:00");
        assert_eq!(h.day_minutes(), 450);
        assert_eq!(h.minutes_per_week(), 5 * 450);
        let s = h.with_saturday_morning();
        assert_eq!(
            s.to_string(),
            "Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30"
        );
        assert_eq!(s.minutes_on(Weekday::Sat), 240);
        assert_eq!(s.day_minutes(), 450);
        assert_eq!(WorkingHours::parse(&s.to_string()).unwrap(), s);
    }

    #[test]
    fn invalid_hours_are_refused() {
        for bad in [
            "",
            "Mon-Fri",
            "Fri-Mon 07:00-11:00",
            "Mon 11:00-07:00",
            "Mon 07:00-11:00 10:00-12:00",
            "Mon 13:00-17:00 07:00-11:00",
            "Mon 07:00-11:00; Mon 13:00-17:00",
            "Xyz 07:00-11:00",
            "Mon 7h-11h",
            "Mon 07:00-24:00",
        ] {
            assert!(
                WorkingHours::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        let mut week: [Vec<Session>; 7] = Default::default();
        week[0] = vec![(NaiveTime::from_hms_opt(7, 0, 30).unwrap(), hm(11, 0))];
        assert!(WorkingHours::new(week).is_err());
    }

    #[test]
    fn serde_is_the_text_form() {
        let h = WorkingHours::standard();
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, "\"Mon-Fri 07:30-11:30 13:30-17:00\"");
        assert_eq!(serde_json::from_str::<WorkingHours>(&json).unwrap(), h);
        assert!(serde_json::from_str::<WorkingHours>("\"Mon 11:00-07:00\"").is_err());
    }

    #[test]
    fn touching_sessions_are_allowed() {
        let h = WorkingHours::parse("Mon 07:00-12:00 12:00-16:00").unwrap();
        assert_eq!(h.minutes_on(Weekday::Mon), 540);
    }
}
