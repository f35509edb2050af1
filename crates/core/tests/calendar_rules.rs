//! Statutory rules against data/holidays-vn.csv, and the standard calendar's
//! known years.

use chrono::{Datelike, NaiveDate, Weekday};
use motcua_core::calendar::{
    DayKind, DayRule, WorkCalendar, YearDay, embedded_day_rules, parse_day_rules_csv,
    standard_rules, statutory_holidays, write_day_rules_csv,
};
use std::collections::BTreeSet;

const HOLIDAYS: &[u8] = include_bytes!("../../../data/holidays-vn.csv");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn key(r: &DayRule) -> (NaiveDate, DayKind, String) {
    (r.date, r.kind, r.name.clone())
}

#[test]
fn the_data_file_parses() {
    let rules = parse_day_rules_csv("holidays-vn.csv", HOLIDAYS).unwrap();
    assert_eq!(rules.len(), 174);
    let count = |k| rules.iter().filter(|r| r.kind == k).count();
    assert_eq!(
        (
            count(DayKind::Holiday),
            count(DayKind::Compensatory),
            count(DayKind::SwapDayOff),
            count(DayKind::SwapWorkday)
        ),
        (129, 35, 5, 5)
    );
    assert_eq!(rules, embedded_day_rules());
    let again = parse_day_rules_csv("out.csv", write_day_rules_csv(&rules).as_bytes()).unwrap();
    assert_eq!(again, rules);
}

/// The rule set reproduces every holiday and compensatory row of
/// holidays-vn.csv for 2016..=2027 (date, kind and name) except the rows a
/// rule cannot derive, listed here; swaps are data by nature.
#[test]
fn statutory_rules_reproduce_the_data_2016_2027() {
    let data = parse_day_rules_csv("holidays-vn.csv", HOLIDAYS).unwrap();
    let data_only: BTreeSet<NaiveDate> = [
        // Ngày Văn hóa Việt Nam (24/11): in python-holidays 0.108 from 2026,
        // not yet in Labour Code art. 112 at the last source (domain.md §4.3).
        d(2026, 11, 24),
        d(2027, 11, 24),
    ]
    .into();
    for year in 2016..=2027 {
        let from_rules: BTreeSet<_> = statutory_holidays(year).unwrap().iter().map(key).collect();
        let from_data: BTreeSet<_> = data
            .iter()
            .filter(|r| r.date.year() == year)
            .filter(|r| matches!(r.kind, DayKind::Holiday | DayKind::Compensatory))
            .filter(|r| !data_only.contains(&r.date))
            .map(key)
            .collect();
        let missing: Vec<_> = from_data.difference(&from_rules).collect();
        let extra: Vec<_> = from_rules.difference(&from_data).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{year}: missing {missing:?}, extra {extra:?}"
        );
    }
    for date in data_only {
        assert_eq!(
            data.iter().find(|r| r.date == date).unwrap().name,
            "Ngày Văn hóa Việt Nam"
        );
    }
}

#[test]
fn statutory_rules_exist_for_every_year() {
    for year in 1900..=2100 {
        let rules = statutory_holidays(year).unwrap();
        assert!(rules.windows(2).all(|w| w[0].date < w[1].date), "{year}");
        assert!(
            rules
                .iter()
                .all(|r| r.date.year() == year && !r.name.is_empty()),
            "{year}"
        );
        let holidays = rules.iter().filter(|r| r.kind == DayKind::Holiday).count();
        let want = 1
            + if year >= 2013 { 5 } else { 4 }
            + 3
            + usize::from(year >= 2007)
            + usize::from(year >= 2021);
        // Giỗ Tổ may coincide with 30/4 or 1/5 (one day, two names).
        assert!(
            holidays == want || holidays + 1 == want,
            "{year}: {holidays} holidays"
        );
        // Compensatory days never fall on a weekend.
        for r in rules.iter().filter(|r| r.kind == DayKind::Compensatory) {
            assert!(
                !matches!(r.date.weekday(), Weekday::Sat | Weekday::Sun),
                "{r:?}"
            );
        }
    }
}

#[test]
fn tet_compensation_2023_and_2024() {
    // 2023: Tết on Sunday 22/1; eve on Saturday → Friday 20/1 ("29 Tết"),
    // Sunday → Thursday 26/1 ("Mùng năm"). Giỗ Tổ Saturday 29/4, 30/4 Sunday,
    // 1/5 Monday → 2/5 and 3/5.
    let r = statutory_holidays(2023).unwrap();
    let name = |date| r.iter().find(|x| x.date == date).map(|x| x.name.as_str());
    assert_eq!(name(d(2023, 1, 20)), Some("29 Tết"));
    assert_eq!(name(d(2023, 1, 26)), Some("Mùng năm Tết Nguyên Đán"));
    assert_eq!(
        name(d(2023, 5, 2)),
        Some("Ngày Giỗ Tổ Hùng Vương (nghỉ bù)")
    );
    assert_eq!(name(d(2023, 5, 3)), Some("Ngày Chiến thắng (nghỉ bù)"));
    assert_eq!(name(d(2023, 9, 1)), Some("Quốc khánh"));
    assert_eq!(name(d(2023, 9, 4)), Some("Quốc khánh (nghỉ bù)"));
    // Before 2014 a Saturday of Tết moved forward: 2010 eve Saturday 13/2.
    let r = statutory_holidays(2010).unwrap();
    let comp: Vec<_> = r
        .iter()
        .filter(|x| x.kind == DayKind::Compensatory)
        .map(|x| x.date)
        .collect();
    assert_eq!(comp, vec![d(2010, 2, 17), d(2010, 2, 18), d(2010, 5, 3)]);
}

#[test]
fn known_year_2019() {
    let cal = WorkCalendar::standard();
    for day in 4..=8 {
        assert!(!cal.is_working_day(d(2019, 2, day)), "Tết 2019-02-0{day}");
    }
    assert!(cal.is_working_day(d(2019, 2, 11)));
    assert!(!cal.is_working_day(d(2019, 4, 29)), "swap day off");
    assert!(!cal.is_working_day(d(2019, 4, 30)));
    assert!(!cal.is_working_day(d(2019, 5, 1)));
    assert!(cal.is_working_day(d(2019, 5, 4)), "Saturday worked");
    assert!(!cal.is_working_day(d(2019, 5, 5)));
    assert!(
        !cal.is_working_day(d(2018, 12, 31)),
        "day off for 2019-01-05"
    );
    assert!(cal.is_working_day(d(2019, 1, 5)), "Saturday worked");
    assert!(
        !cal.is_working_day(d(2019, 4, 15)),
        "Giỗ Tổ Sunday 14/4 made up on Monday"
    );
    // A worked Saturday has the hours of a full weekday.
    assert_eq!(cal.working_minutes(d(2019, 5, 4)), 450);
    assert_eq!(cal.rule(d(2019, 5, 4)).unwrap().kind, DayKind::SwapWorkday);

    let ex = cal.year_exceptions(2019);
    let short: Vec<(NaiveDate, bool, DayKind)> =
        ex.iter().map(|y| (y.date, y.working, y.kind)).collect();
    assert_eq!(
        short,
        vec![
            (d(2019, 1, 1), false, DayKind::Holiday),
            (d(2019, 1, 5), true, DayKind::SwapWorkday),
            (d(2019, 2, 4), false, DayKind::Holiday),
            (d(2019, 2, 5), false, DayKind::Holiday),
            (d(2019, 2, 6), false, DayKind::Holiday),
            (d(2019, 2, 7), false, DayKind::Holiday),
            (d(2019, 2, 8), false, DayKind::Holiday),
            (d(2019, 4, 15), false, DayKind::Compensatory),
            (d(2019, 4, 29), false, DayKind::SwapDayOff),
            (d(2019, 4, 30), false, DayKind::Holiday),
            (d(2019, 5, 1), false, DayKind::Holiday),
            (d(2019, 5, 4), true, DayKind::SwapWorkday),
            (d(2019, 9, 2), false, DayKind::Holiday),
        ]
    );
    assert_eq!(
        ex[1],
        YearDay {
            date: d(2019, 1, 5),
            working: true,
            kind: DayKind::SwapWorkday,
            name: "Ngày làm việc bù (cho ngày nghỉ 31/12/2018)".into()
        }
    );
    // 2019-04-14 is a Sunday holiday: not an exception to the weekly pattern.
    assert!(!ex.iter().any(|y| y.date == d(2019, 4, 14)));
    assert!(cal.year_exceptions(1899).is_empty());
}

#[test]
fn standard_calendar_other_years() {
    let cal = WorkCalendar::standard_shared();
    // 2026: Tết 16..=20/2, the announced swap 22/8 ⇄ 31/8, 1-2/9, Văn hóa 24/11.
    for day in 16..=20 {
        assert!(!cal.is_working_day(d(2026, 2, day)));
    }
    assert!(cal.is_working_day(d(2026, 8, 22)));
    assert!(!cal.is_working_day(d(2026, 8, 31)));
    assert!(!cal.is_working_day(d(2026, 11, 24)));
    // Years outside the data come from the rules: Tết 2030 is 2/2 (Saturday).
    assert!(!cal.is_working_day(d(2030, 2, 1)));
    assert!(!cal.is_working_day(d(2030, 2, 4)));
    assert!(!cal.is_working_day(d(2030, 2, 5)));
    // ... and from the known old swaps: 2015-01-02 off, Saturday 2014-12-27 worked.
    assert!(!cal.is_working_day(d(2015, 1, 2)));
    assert!(cal.is_working_day(d(2014, 12, 27)));
    // Outside the range nothing is a working day.
    assert!(!cal.is_working_day(d(1899, 12, 29)));
    assert!(!cal.is_working_day(d(2101, 1, 3)));
    assert!(cal.is_working_day(d(1900, 1, 2)));
    assert!(cal.is_working_day(d(2100, 12, 31)));
}

#[test]
fn standard_rules_have_one_rule_per_date() {
    let rules = standard_rules();
    assert!(rules.windows(2).all(|w| w[0].date < w[1].date));
    assert_eq!(rules.first().unwrap().date, d(1900, 1, 1));
    // 2016..=2027 are exactly the data rows.
    let data = embedded_day_rules();
    let mid: Vec<_> = rules
        .iter()
        .filter(|r| (2016..=2027).contains(&r.date.year()))
        .cloned()
        .collect();
    assert_eq!(mid, data);
}
