//! Properties of the working clock, checked with proptest on the standard
//! calendar and on a Saturday-morning desk with the same rules.

use chrono::{Days, NaiveDate, NaiveDateTime, TimeDelta};
use motcua_core::calendar::{
    CalendarSpec, Pause, ProcessingTime, WorkCalendar, WorkSpan, WorkingHours, lunar,
    standard_rules,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn standard() -> &'static WorkCalendar {
    WorkCalendar::standard_shared()
}

fn saturday_desk() -> &'static WorkCalendar {
    static CAL: OnceLock<WorkCalendar> = OnceLock::new();
    CAL.get_or_init(|| {
        WorkCalendar::build(&CalendarSpec {
            hours: WorkingHours::standard().with_saturday_morning(),
            rules: standard_rules(),
            reception_cutoff: None,
        })
        .unwrap()
    })
}

fn calendars() -> impl Strategy<Value = &'static WorkCalendar> {
    prop_oneof![Just(standard()), Just(saturday_desk())]
}

/// Any minute of 1990..=2060 (seconds included sometimes).
fn moment() -> impl Strategy<Value = NaiveDateTime> {
    (
        0u64..25_567,
        0i64..86_400,
        prop_oneof![Just(0i64), 0i64..60],
    )
        .prop_map(|(day, minute_secs, extra)| {
            let date = NaiveDate::from_ymd_opt(1990, 1, 1)
                .unwrap()
                .checked_add_days(Days::new(day))
                .unwrap();
            date.and_hms_opt(0, 0, 0).unwrap() + TimeDelta::seconds(minute_secs / 60 * 60 + extra)
        })
}

/// Up to about two years of working time.
fn span() -> impl Strategy<Value = WorkSpan> {
    prop_oneof![0i64..600, 0i64..250_000].prop_map(|m| WorkSpan::minutes(m).unwrap())
}

fn processing_time() -> impl Strategy<Value = ProcessingTime> {
    prop_oneof![
        (1u32..=400).prop_map(ProcessingTime::WorkingDays),
        (1u32..=200).prop_map(ProcessingTime::WorkingHours),
        (1u32..=400).prop_map(ProcessingTime::CalendarDays),
        Just(ProcessingTime::SameDay),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn add_is_associative(c in calendars(), t in moment(), a in span(), b in span()) {
        let once = c.add(t, a.checked_add(b).unwrap()).unwrap();
        let twice = c.add(c.add(t, a).unwrap(), b).unwrap();
        prop_assert_eq!(once, twice);
        // Also from the clock start of a reception, as the brief states it.
        let s = c.clock_start(t);
        prop_assert_eq!(c.add(s, a.checked_add(b).unwrap()).unwrap(), c.add(c.add(s, a).unwrap(), b).unwrap());
    }

    #[test]
    fn between_inverts_add(c in calendars(), t in moment(), d in span()) {
        let end = c.add(t, d).unwrap();
        prop_assert!(end >= t);
        prop_assert_eq!(c.between(t, end), d);
        prop_assert_eq!(c.remaining(end, t), d.as_minutes());
    }

    #[test]
    fn results_fall_on_working_days(c in calendars(), t in moment(), d in span(), p in processing_time()) {
        if d > WorkSpan::ZERO {
            let end = c.add(t, d).unwrap();
            prop_assert!(c.is_working_day(end.date()), "{} + {} = {}", t, d, end);
        }
        let due = c.due(t, p).unwrap();
        prop_assert!(c.is_working_day(due.date()), "{} + {:?} = {}", t, p, due);
        prop_assert!(due > t);
        let start = c.clock_start(t);
        prop_assert!(start >= t);
        prop_assert!(c.is_working_day(start.date()));
        if c.reception_cutoff().is_none() {
            // Without a cut-off the clock start never skips working time.
            prop_assert_eq!(c.between(t, start), WorkSpan::ZERO);
        }
    }

    #[test]
    fn add_is_monotone(c in calendars(), a in moment(), b in moment(), d in span()) {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(c.add(a, d).unwrap() <= c.add(b, d).unwrap());
        prop_assert!(c.clock_start(a) <= c.clock_start(b));
    }

    #[test]
    fn due_is_monotone_in_reception(c in calendars(), a in moment(), b in moment(), p in processing_time()) {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(c.due(a, p).unwrap() <= c.due(b, p).unwrap());
    }

    #[test]
    fn a_pause_moves_the_due_moment_by_its_working_time(
        c in calendars(),
        received in moment(),
        p in processing_time(),
        offset in 0.0f64..1.0,
        length in 0i64..(60 * 24 * 40),
    ) {
        let start = c.clock_start(received);
        let due = c.due(received, p).unwrap();
        // A pause starting somewhere between the clock start and the due moment.
        let total = c.between(start, due);
        let skip = WorkSpan::minutes((total.as_minutes() as f64 * offset) as i64).unwrap();
        let from = c.add(start, skip).unwrap();
        prop_assume!(from < due);
        let pause = Pause::new(from, from + TimeDelta::minutes(length)).unwrap();
        let moved = c.due_with_pauses(received, p, &[pause]).unwrap();
        prop_assert_eq!(c.between(due, moved), c.between(pause.from, pause.to));
        prop_assert!(moved >= due);
        prop_assert!(c.is_working_day(moved.date()));
        // Two halves of the same pause move it by the same amount.
        let mid = from + TimeDelta::minutes(length / 2);
        let halves = [Pause::new(from, mid).unwrap(), Pause::new(mid, pause.to).unwrap()];
        prop_assert_eq!(c.due_with_pauses(received, p, &halves).unwrap(), moved);
    }

    #[test]
    fn a_pause_after_the_due_moment_changes_nothing(c in calendars(), received in moment(), p in processing_time(), gap in 0i64..10_000, length in 0i64..10_000) {
        let due = c.due(received, p).unwrap();
        let from = due + TimeDelta::minutes(gap);
        let pause = Pause::new(from, from + TimeDelta::minutes(length)).unwrap();
        prop_assert_eq!(c.due_with_pauses(received, p, &[pause]).unwrap(), due);
    }

    #[test]
    fn working_days_keep_the_working_clock_position(received in moment(), n in 1u32..300) {
        // With days of equal length (the standard hours), n working days keep
        // the time of day when the clock start is strictly inside a session
        // (at a session start the due moment is the end of the previous
        // session: the same working instant).
        let c = standard();
        let start = c.clock_start(received);
        let due = c.due(received, ProcessingTime::WorkingDays(n)).unwrap();
        prop_assert_eq!(c.between(start, due).as_minutes(), i64::from(n) * 450);
        if c.between(start - TimeDelta::minutes(1), start).as_minutes() == 1 {
            prop_assert_eq!(due.time(), start.time());
        }
    }

    #[test]
    fn nothing_panics(y in -300_000i32..300_000, ord in 1u32..=365, s in 0u32..86_400, m in -10_000_000i64..10_000_000, n in 0u32..5_000) {
        let Some(date) = NaiveDate::from_yo_opt(y, ord) else { return Ok(()) };
        let t = date.and_hms_opt(s / 3600, s / 60 % 60, s % 60).unwrap();
        let later = t.checked_add_signed(TimeDelta::minutes(m)).unwrap_or(t);
        let c = standard();
        let _ = c.add(t, WorkSpan::minutes(m.abs()).unwrap());
        let _ = WorkSpan::minutes(m);
        let _ = c.between(t, later);
        let _ = c.between(later, t);
        let _ = c.clock_start(t);
        for p in [ProcessingTime::WorkingDays(n), ProcessingTime::WorkingHours(n), ProcessingTime::CalendarDays(n), ProcessingTime::SameDay] {
            let _ = c.due(t, p);
            let _ = c.due_with_pauses(t, p, &[Pause { from: t, to: later }]);
        }
        let _ = c.remaining(t, later);
        let _ = c.year_exceptions(y);
        let _ = c.is_working_day(date);
        let _ = c.end_of_working_day(t);
        let _ = lunar::solar_to_lunar(date);
        let _ = lunar::tet(y);
        let _ = lunar::lunar_to_solar(lunar::LunarDate { day: (s % 32) as u8, month: (ord % 14) as u8, year: y, leap: s % 2 == 0 });
        let _ = motcua_core::calendar::statutory_holidays(y);
    }

    #[test]
    fn lunar_round_trip(day in 0u64..73_414) {
        let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap().checked_add_days(Days::new(day)).unwrap();
        let l = lunar::solar_to_lunar(date).unwrap();
        prop_assert_eq!(lunar::lunar_to_solar(l).unwrap(), date);
    }
}
