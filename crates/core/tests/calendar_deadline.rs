//! Clock start, due moments, pauses, remaining time and classification on
//! the standard calendar and on agency variants.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use motcua_core::calendar::{
    CalendarError, CalendarSpec, DayKind, DayRule, OpenTimeliness, Pause, ProcessingTime,
    Timeliness, WorkCalendar, WorkSpan, WorkingHours, classify_open, classify_resolved, to_local,
    to_utc,
};

fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn cal() -> &'static WorkCalendar {
    WorkCalendar::standard_shared()
}

fn spec(hours: WorkingHours, rules: Vec<DayRule>, cutoff: Option<NaiveTime>) -> CalendarSpec {
    CalendarSpec {
        hours,
        rules,
        reception_cutoff: cutoff,
    }
}

use ProcessingTime::{CalendarDays, WorkingDays, WorkingHours as Hours};

#[test]
fn domain_example_tuesday_1410_plus_five_working_days() {
    // domain.md §4.4 step 5.
    assert_eq!(
        cal().due(t(2019, 3, 12, 14, 10), WorkingDays(5)).unwrap(),
        t(2019, 3, 19, 14, 10)
    );
    // stack.md §7: Thursday 2026-02-12 + 3 working days over Tết 16..=20/2 → 2026-02-24.
    assert_eq!(
        cal().due(t(2026, 2, 12, 9, 0), WorkingDays(3)).unwrap(),
        t(2026, 2, 24, 9, 0)
    );
    // Over Tết 2019 (4..=8/2) and its weekend.
    assert_eq!(
        cal().due(t(2019, 2, 1, 10, 0), WorkingDays(1)).unwrap(),
        t(2019, 2, 11, 10, 0)
    );
    // Over the 2019 swap: Monday 29/4 .. Wednesday 1/5 off, Saturday 4/5 worked.
    assert_eq!(
        cal().due(t(2019, 4, 26, 10, 0), WorkingDays(2)).unwrap(),
        t(2019, 5, 3, 10, 0)
    );
    assert_eq!(
        cal().due(t(2019, 4, 26, 10, 0), WorkingDays(3)).unwrap(),
        t(2019, 5, 4, 10, 0)
    );
}

#[test]
fn a_whole_day_ends_at_the_close() {
    // Received at the opening: one working day is the whole day, due 17:00.
    assert_eq!(
        cal().due(t(2019, 3, 12, 7, 30), WorkingDays(1)).unwrap(),
        t(2019, 3, 12, 17, 0)
    );
    assert_eq!(
        cal().due(t(2019, 3, 12, 7, 0), WorkingDays(5)).unwrap(),
        t(2019, 3, 18, 17, 0)
    );
    // Half a day from the opening ends at 11:30, not at 13:30.
    assert_eq!(
        cal().due(t(2019, 3, 12, 7, 30), Hours(4)).unwrap(),
        t(2019, 3, 12, 11, 30)
    );
    // Eight working hours are longer than a 7 h 30 day.
    assert_eq!(
        cal().due(t(2019, 3, 12, 7, 30), Hours(8)).unwrap(),
        t(2019, 3, 13, 8, 0)
    );
}

#[test]
fn clock_start_normalisation() {
    let c = cal();
    // Tuesday 2019-03-12.
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 6, 45)),
        t(2019, 3, 12, 7, 30),
        "before opening"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 9, 5)),
        t(2019, 3, 12, 9, 5),
        "in a session"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 11, 30)),
        t(2019, 3, 12, 13, 30),
        "at the start of lunch"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 12, 10)),
        t(2019, 3, 12, 13, 30),
        "lunch"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 15, 0)),
        t(2019, 3, 12, 15, 0),
        "at the cut-off"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 15, 1)),
        t(2019, 3, 13, 7, 30),
        "after the cut-off"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 17, 0)),
        t(2019, 3, 13, 7, 30),
        "at the close"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 12, 22, 0)),
        t(2019, 3, 13, 7, 30),
        "evening"
    );
    assert_eq!(
        c.clock_start(t(2019, 3, 16, 9, 0)),
        t(2019, 3, 18, 7, 30),
        "Saturday"
    );
    assert_eq!(
        c.clock_start(t(2019, 2, 1, 16, 0)),
        t(2019, 2, 11, 7, 30),
        "Friday after cut-off before Tết"
    );
    assert_eq!(
        c.clock_start(t(2019, 12, 31, 16, 0)),
        t(2020, 1, 2, 7, 30),
        "year end, 1/1 off"
    );
    assert_eq!(
        c.clock_start(t(2019, 5, 4, 8, 0)),
        t(2019, 5, 4, 8, 0),
        "worked Saturday"
    );
    // Seconds count: 15:00:30 is after the cut-off.
    let late = NaiveDate::from_ymd_opt(2019, 3, 12)
        .unwrap()
        .and_hms_opt(15, 0, 30)
        .unwrap();
    assert_eq!(c.clock_start(late), t(2019, 3, 13, 7, 30));
}

#[test]
fn cut_off_is_optional() {
    let hours = WorkingHours::standard();
    let none = WorkCalendar::build(&spec(hours.clone(), vec![], None)).unwrap();
    assert_eq!(
        none.clock_start(t(2019, 3, 12, 16, 0)),
        t(2019, 3, 12, 16, 0)
    );
    assert_eq!(
        none.due(t(2019, 3, 12, 16, 0), Hours(1)).unwrap(),
        t(2019, 3, 12, 17, 0)
    );
    assert_eq!(
        none.due(t(2019, 3, 12, 16, 0), Hours(2)).unwrap(),
        t(2019, 3, 13, 8, 30)
    );
    let early =
        WorkCalendar::build(&spec(hours, vec![], NaiveTime::from_hms_opt(11, 0, 0))).unwrap();
    assert_eq!(
        early.clock_start(t(2019, 3, 12, 11, 15)),
        t(2019, 3, 13, 7, 30)
    );
    assert_eq!(early.reception_cutoff(), NaiveTime::from_hms_opt(11, 0, 0));
}

#[test]
fn cut_off_day_received_after_15h() {
    // Received Tuesday 16:20 with 5 working days: the clock starts Wednesday
    // 07:30 and the five days end on the next Tuesday at 17:00.
    assert_eq!(
        cal().due(t(2019, 3, 12, 16, 20), WorkingDays(5)).unwrap(),
        t(2019, 3, 19, 17, 0)
    );
    // "Trong ngày; nếu tiếp nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo".
    assert_eq!(
        cal().due(t(2019, 3, 12, 15, 30), Hours(4)).unwrap(),
        t(2019, 3, 13, 11, 30)
    );
}

#[test]
fn same_day_procedures() {
    use ProcessingTime::SameDay;
    // Certification (Decree 23/2015 art. 7): within the day; after 15:00,
    // within the next working day.
    assert_eq!(
        cal().due(t(2019, 3, 12, 10, 0), SameDay).unwrap(),
        t(2019, 3, 12, 17, 0)
    );
    assert_eq!(
        cal().due(t(2019, 3, 12, 15, 0), SameDay).unwrap(),
        t(2019, 3, 12, 17, 0)
    );
    assert_eq!(
        cal().due(t(2019, 3, 12, 15, 1), SameDay).unwrap(),
        t(2019, 3, 13, 17, 0)
    );
    // Friday after the cut-off, and a Saturday: Monday's close.
    assert_eq!(
        cal().due(t(2019, 3, 15, 16, 0), SameDay).unwrap(),
        t(2019, 3, 18, 17, 0)
    );
    assert_eq!(
        cal().due(t(2019, 3, 16, 9, 0), SameDay).unwrap(),
        t(2019, 3, 18, 17, 0)
    );
    assert_eq!(SameDay.label_vi(), "trong ngày");
    assert_eq!(
        serde_json::to_string(&SameDay).unwrap(),
        r#"{"unit":"same_day"}"#
    );
}

#[test]
fn calendar_days() {
    let c = cal();
    // A period in days ends at the close of its last day (Civil Code art. 147-148):
    // Tuesday 10:00 + 3 days = Friday 17:00.
    assert_eq!(
        c.due(t(2019, 3, 12, 10, 0), CalendarDays(3)).unwrap(),
        t(2019, 3, 15, 17, 0)
    );
    // + 4 days lands on Saturday: the end of Monday (art. 148(2)).
    assert_eq!(
        c.due(t(2019, 3, 12, 10, 0), CalendarDays(4)).unwrap(),
        t(2019, 3, 18, 17, 0)
    );
    assert_eq!(
        c.due(t(2019, 3, 13, 9, 0), CalendarDays(4)).unwrap(),
        t(2019, 3, 18, 17, 0)
    );
    // A later reception never gets an earlier due (the case a proptest found
    // when a working last day kept the reception's clock time).
    assert_eq!(
        c.due(t(2019, 3, 14, 9, 0), CalendarDays(4)).unwrap(),
        t(2019, 3, 18, 17, 0)
    );
    // Lands on Tết 2019: the end of Monday 11/2.
    assert_eq!(
        c.due(t(2019, 1, 31, 10, 0), CalendarDays(5)).unwrap(),
        t(2019, 2, 11, 17, 0)
    );
    // The close of the last day is that day's own close (a Wednesday closing at 16:00).
    let short = WorkCalendar::build(&spec(WorkingHours::parse("Mon-Tue 07:30-11:30 13:30-17:00; Wed 07:30-11:30 13:30-16:00; Thu-Fri 07:30-11:30 13:30-17:00").unwrap(), vec![], None)).unwrap();
    assert_eq!(
        short.due(t(2019, 3, 12, 16, 30), CalendarDays(1)).unwrap(),
        t(2019, 3, 13, 16, 0)
    );
    // Counted from the clock start: received after the cut-off Friday → Monday + 10 days.
    assert_eq!(
        c.due(t(2019, 3, 15, 16, 0), CalendarDays(10)).unwrap(),
        t(2019, 3, 28, 17, 0)
    );
    // Landing on a Saturday-morning desk's Saturday → the end of its session.
    let sat = WorkCalendar::build(&spec(
        WorkingHours::standard().with_saturday_morning(),
        vec![],
        None,
    ))
    .unwrap();
    assert_eq!(
        sat.due(t(2019, 3, 12, 14, 0), CalendarDays(4)).unwrap(),
        t(2019, 3, 16, 11, 30)
    );
}

#[test]
fn saturday_morning_desk() {
    let hours = WorkingHours::standard().with_saturday_morning();
    let c = WorkCalendar::build(&spec(hours, vec![], None)).unwrap();
    assert_eq!(c.day_length().as_minutes(), 450);
    // Friday 14:00, one working day (450 min): 180 on Friday, 240 on Saturday, 30 on Monday.
    assert_eq!(
        c.due(t(2019, 3, 15, 14, 0), WorkingDays(1)).unwrap(),
        t(2019, 3, 18, 8, 0)
    );
    // Saturday 10:00 is inside the desk's session.
    assert_eq!(c.clock_start(t(2019, 3, 16, 10, 0)), t(2019, 3, 16, 10, 0));
    assert_eq!(c.clock_start(t(2019, 3, 16, 12, 0)), t(2019, 3, 18, 7, 30));
    assert!(c.is_working_day(NaiveDate::from_ymd_opt(2019, 3, 16).unwrap()));
    // A holiday on a Saturday is an exception for this agency, not for the standard one.
    let rule = DayRule {
        date: NaiveDate::from_ymd_opt(2016, 4, 30).unwrap(),
        kind: DayKind::Holiday,
        name: "Ngày Chiến thắng".into(),
        note: String::new(),
    };
    let c = WorkCalendar::build(&spec(
        WorkingHours::standard().with_saturday_morning(),
        vec![rule.clone()],
        None,
    ))
    .unwrap();
    assert_eq!(c.year_exceptions(2016).len(), 1);
    let s = WorkCalendar::build(&spec(WorkingHours::standard(), vec![rule], None)).unwrap();
    assert!(s.year_exceptions(2016).is_empty());
}

#[test]
fn eight_hour_days() {
    // An agency working 07:00-11:30 / 13:30-17:00 has 8-hour days: a working
    // day is 480 minutes, as WorkSpan::days counts.
    let hours = WorkingHours::parse("Mon-Fri 07:00-11:30 13:30-17:00").unwrap();
    let c = WorkCalendar::build(&spec(hours, vec![], None)).unwrap();
    assert_eq!(c.day_length(), WorkSpan::days(1).unwrap());
    assert_eq!(c.working_days(5).unwrap(), WorkSpan::days(5).unwrap());
    let start = t(2019, 3, 12, 14, 10);
    assert_eq!(
        c.add(start, WorkSpan::days(5).unwrap()).unwrap(),
        t(2019, 3, 19, 14, 10)
    );
    assert_eq!(
        c.due(start, WorkingDays(5)).unwrap(),
        t(2019, 3, 19, 14, 10)
    );
}

#[test]
fn pauses_move_the_due_moment_by_the_paused_working_time() {
    let c = cal();
    let received = t(2019, 3, 12, 14, 10);
    let due = c.due(received, WorkingDays(5)).unwrap();
    // Paused Wednesday 09:00 → Thursday 09:00: one working day (450 min).
    let p = Pause::new(t(2019, 3, 13, 9, 0), t(2019, 3, 14, 9, 0)).unwrap();
    let moved = c.due_with_pauses(received, WorkingDays(5), &[p]).unwrap();
    assert_eq!(moved, t(2019, 3, 20, 14, 10));
    assert_eq!(c.between(due, moved), c.between(p.from, p.to));
    // A pause over a weekend only moves by its working time.
    let p = Pause::new(t(2019, 3, 15, 16, 0), t(2019, 3, 18, 8, 0)).unwrap();
    let moved = c.due_with_pauses(received, WorkingDays(5), &[p]).unwrap();
    assert_eq!(c.between(due, moved).as_minutes(), 60 + 30);
    // Overlapping pauses count once.
    let a = Pause::new(t(2019, 3, 13, 8, 0), t(2019, 3, 13, 10, 0)).unwrap();
    let b = Pause::new(t(2019, 3, 13, 9, 0), t(2019, 3, 13, 11, 0)).unwrap();
    let moved = c
        .due_with_pauses(received, WorkingDays(5), &[b, a])
        .unwrap();
    assert_eq!(c.between(due, moved).as_minutes(), 180);
    // A pause that starts after the due moment does not move it.
    let late = Pause::new(t(2019, 3, 20, 8, 0), t(2019, 3, 22, 8, 0)).unwrap();
    assert_eq!(
        c.due_with_pauses(received, WorkingDays(5), &[late])
            .unwrap(),
        due
    );
    let at_due = Pause::new(due, t(2019, 3, 22, 8, 0)).unwrap();
    assert_eq!(
        c.due_with_pauses(received, WorkingDays(5), &[at_due])
            .unwrap(),
        due
    );
    // A pause that starts before the due moment and ends after it counts whole.
    let across = Pause::new(t(2019, 3, 19, 14, 0), t(2019, 3, 20, 14, 0)).unwrap();
    let moved = c
        .due_with_pauses(received, WorkingDays(5), &[across])
        .unwrap();
    assert_eq!(moved, t(2019, 3, 20, 14, 10));
    // Time before the clock start does not count.
    let before = Pause::new(t(2019, 3, 11, 8, 0), t(2019, 3, 12, 15, 10)).unwrap();
    let moved = c
        .due_with_pauses(received, WorkingDays(5), &[before])
        .unwrap();
    assert_eq!(c.between(due, moved).as_minutes(), 60);
    // A later pause that starts before the moved due counts too.
    let first = Pause::new(t(2019, 3, 19, 10, 0), t(2019, 3, 20, 10, 0)).unwrap();
    let second = Pause::new(t(2019, 3, 20, 14, 0), t(2019, 3, 20, 15, 0)).unwrap();
    let moved = c
        .due_with_pauses(received, WorkingDays(5), &[first, second])
        .unwrap();
    assert_eq!(moved, t(2019, 3, 20, 15, 10));
    // Empty and zero-length pauses change nothing; reversed ones are errors.
    assert_eq!(
        c.due_with_pauses(received, WorkingDays(5), &[]).unwrap(),
        due
    );
    let zero = Pause {
        from: t(2019, 3, 13, 9, 0),
        to: t(2019, 3, 13, 9, 0),
    };
    assert_eq!(
        c.due_with_pauses(received, WorkingDays(5), &[zero])
            .unwrap(),
        due
    );
    let reversed = Pause {
        from: t(2019, 3, 14, 9, 0),
        to: t(2019, 3, 13, 9, 0),
    };
    assert!(matches!(
        c.due_with_pauses(received, WorkingDays(5), &[reversed]),
        Err(CalendarError::InvalidPause { .. })
    ));
    assert!(Pause::new(reversed.from, reversed.to).is_err());
}

#[test]
fn remaining_is_signed_working_minutes() {
    let c = cal();
    let due = t(2019, 3, 19, 14, 10);
    // 11:10 → 11:30 and 13:30 → 14:10: lunch does not count.
    assert_eq!(c.remaining(due, t(2019, 3, 19, 11, 10)), 60);
    assert_eq!(c.remaining(due, t(2019, 3, 18, 14, 10)), 450);
    assert_eq!(c.remaining(due, due), 0);
    assert_eq!(c.remaining(due, t(2019, 3, 19, 16, 10)), -120);
    assert_eq!(c.remaining(due, t(2019, 3, 20, 14, 10)), -450);
    // Late by non-working time only.
    let close = t(2019, 3, 19, 17, 0);
    assert_eq!(c.remaining(close, t(2019, 3, 19, 18, 0)), 0);
    assert_eq!(
        classify_open(close, t(2019, 3, 19, 18, 0)),
        OpenTimeliness::Overdue
    );
}

#[test]
fn classification_boundaries_on_a_real_due_moment() {
    let due = cal().due(t(2019, 3, 12, 14, 10), WorkingDays(5)).unwrap();
    assert_eq!(due, t(2019, 3, 19, 14, 10));
    assert_eq!(
        classify_resolved(due, t(2019, 3, 18, 16, 59)),
        Timeliness::Early,
        "the day before"
    );
    assert_eq!(
        classify_resolved(due, t(2019, 3, 19, 8, 0)),
        Timeliness::OnTime,
        "due day, morning"
    );
    assert_eq!(
        classify_resolved(due, due),
        Timeliness::OnTime,
        "the due minute"
    );
    assert_eq!(
        classify_resolved(due, t(2019, 3, 19, 14, 11)),
        Timeliness::Overdue,
        "one minute later"
    );
    assert_eq!(
        classify_resolved(due, t(2019, 3, 19, 18, 30)),
        Timeliness::Overdue,
        "after hours on the due day"
    );
    assert_eq!(
        classify_resolved(due, t(2019, 3, 20, 7, 30)),
        Timeliness::Overdue
    );
    assert_eq!(classify_open(due, due), OpenTimeliness::WithinTime);
    assert_eq!(
        classify_open(due, t(2019, 3, 19, 14, 11)),
        OpenTimeliness::Overdue
    );
}

#[test]
fn utc_and_local_around_midnight() {
    let c = cal();
    // 2019-03-11 16:59:59Z is Monday 23:59:59 local; 17:00Z is Tuesday 00:00.
    let mon = to_local(Utc.with_ymd_and_hms(2019, 3, 11, 16, 59, 59).unwrap());
    assert_eq!(
        mon,
        NaiveDate::from_ymd_opt(2019, 3, 11)
            .unwrap()
            .and_hms_opt(23, 59, 59)
            .unwrap()
    );
    let tue = to_local(Utc.with_ymd_and_hms(2019, 3, 11, 17, 0, 0).unwrap());
    assert_eq!(tue, t(2019, 3, 12, 0, 0));
    assert_eq!(c.clock_start(mon), t(2019, 3, 12, 7, 30));
    assert_eq!(c.clock_start(tue), t(2019, 3, 12, 7, 30));
    // 00:29Z is 07:29 local, before the opening; 00:31Z is inside the session.
    assert_eq!(
        c.clock_start(to_local(
            Utc.with_ymd_and_hms(2019, 3, 12, 0, 29, 0).unwrap()
        )),
        t(2019, 3, 12, 7, 30)
    );
    assert_eq!(
        c.clock_start(to_local(
            Utc.with_ymd_and_hms(2019, 3, 12, 0, 31, 0).unwrap()
        )),
        t(2019, 3, 12, 7, 31)
    );
    // 08:00Z is 15:00 local (at the cut-off), 08:01Z after it.
    assert_eq!(
        c.clock_start(to_local(
            Utc.with_ymd_and_hms(2019, 3, 12, 8, 0, 0).unwrap()
        )),
        t(2019, 3, 12, 15, 0)
    );
    assert_eq!(
        c.clock_start(to_local(
            Utc.with_ymd_and_hms(2019, 3, 12, 8, 1, 0).unwrap()
        )),
        t(2019, 3, 13, 7, 30)
    );
    // New Year's Eve: 2018-12-31 17:00Z is already 2019-01-01 (a holiday) in Vietnam.
    let ny = to_local(Utc.with_ymd_and_hms(2018, 12, 31, 17, 0, 0).unwrap());
    assert_eq!(ny, t(2019, 1, 1, 0, 0));
    assert_eq!(c.clock_start(ny), t(2019, 1, 2, 7, 30));
    assert_eq!(
        to_utc(ny),
        Utc.with_ymd_and_hms(2018, 12, 31, 17, 0, 0).unwrap()
    );
}

#[test]
fn range_ends_return_errors() {
    let c = cal();
    // The last working day of the table is Friday 2100-12-31.
    assert!(matches!(
        c.due(t(2100, 12, 31, 9, 0), WorkingDays(1)),
        Err(CalendarError::ResultOutOfRange)
    ));
    assert_eq!(
        c.due(t(2100, 12, 31, 9, 0), Hours(1)).unwrap(),
        t(2100, 12, 31, 10, 0)
    );
    assert!(matches!(
        c.due(t(2100, 12, 31, 16, 0), Hours(1)),
        Err(CalendarError::ResultOutOfRange)
    ));
    assert!(c.due(t(2100, 12, 1, 9, 0), CalendarDays(31)).is_err());
    assert!(matches!(
        c.due(t(1899, 12, 31, 9, 0), WorkingDays(1)),
        Err(CalendarError::MomentOutOfRange(_))
    ));
    assert!(c.due(t(2101, 1, 1, 9, 0), WorkingDays(1)).is_err());
    assert!(c.add(t(1899, 12, 31, 9, 0), WorkSpan::ZERO).is_err());
    assert!(
        c.add(
            t(2000, 1, 3, 9, 0),
            WorkSpan::minutes(WorkSpan::MAX_MINUTES).unwrap()
        )
        .is_err()
    );
    assert!(c.try_clock_start(t(2101, 1, 1, 9, 0)).is_err());
    assert_eq!(c.clock_start(t(2101, 1, 1, 9, 0)), t(2101, 1, 1, 9, 0));
    assert!(c.due(t(2019, 3, 12, 9, 0), WorkingDays(0)).is_err());
    assert!(c.due(t(2019, 3, 12, 9, 0), CalendarDays(3651)).is_err());
    assert!(c.due(t(2019, 3, 12, 9, 0), Hours(29_201)).is_err());
    // Ten years is fine.
    assert!(c.due(t(2019, 3, 12, 9, 0), WorkingDays(3650)).is_ok());
    // between clamps to the table instead of failing.
    let all = c.between(NaiveDateTime::MIN, NaiveDateTime::MAX);
    assert!(all.as_minutes() > 0);
    assert_eq!(
        c.between(t(1800, 1, 1, 0, 0), t(1900, 1, 1, 0, 0)),
        WorkSpan::ZERO
    );
    assert_eq!(
        c.between(t(2019, 3, 13, 0, 0), t(2019, 3, 12, 0, 0)),
        WorkSpan::ZERO
    );
    assert_eq!(
        c.remaining(NaiveDateTime::MAX, NaiveDateTime::MIN),
        all.as_minutes()
    );
    assert!(
        c.next_working_day(NaiveDate::from_ymd_opt(2100, 12, 31).unwrap())
            .is_none()
    );
    assert!(c.end_of_working_day(t(2101, 1, 1, 0, 0)).is_err());
    assert!(
        c.sessions_on(NaiveDate::from_ymd_opt(1899, 1, 2).unwrap())
            .is_empty()
    );
}

#[test]
fn years_add_up() {
    // One year of the standard calendar, 2019, is its working days × 450 minutes.
    let c = cal();
    let year = c.between(t(2019, 1, 1, 0, 0), t(2020, 1, 1, 0, 0));
    let days = (1..=365)
        .filter(|&i| c.is_working_day(NaiveDate::from_yo_opt(2019, i).unwrap()))
        .count() as i64;
    assert_eq!(year.as_minutes(), days * 450);
    // 365 days − 104 weekend days − 11 weekdays off + 2 worked Saturdays.
    assert_eq!(days, 365 - 104 - 11 + 2);
}
