//! The lunar calendar against the Tết table, known leap months, and itself.

use chrono::{Datelike, NaiveDate};
use motcua_core::calendar::CalendarError;
use motcua_core::calendar::lunar::{
    LunarDate, lunar_to_solar, lunar_to_solar_in_zone, solar_to_lunar, tet, tet_in_zone,
};

const TET_DATES: &str = include_str!("../../../data/tet-dates.csv");
const HOLIDAYS: &str = include_str!("../../../data/holidays-vn.csv");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn leap(day: u8, month: u8, year: i32) -> LunarDate {
    LunarDate {
        day,
        month,
        year,
        leap: true,
    }
}

#[test]
fn every_row_of_tet_dates_csv() {
    let mut lines = TET_DATES.lines();
    assert_eq!(
        lines.next().unwrap(),
        "lunar_year,tet_date_utc7,tet_date_utc8,holidays_pkg_vn_table,utc7_differs_from_utc8"
    );
    let mut rows = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let year: i32 = f[0].parse().unwrap();
        let utc7: NaiveDate = f[1].parse().unwrap();
        let utc8: NaiveDate = f[2].parse().unwrap();
        assert_eq!(tet(year).unwrap(), utc7, "Tết {year} at UTC+7");
        assert_eq!(tet_in_zone(year, 8.0).unwrap(), utc8, "Tết {year} at UTC+8");
        assert_eq!(f[4] == "yes", utc7 != utc8, "differs column, {year}");
        if !f[3].is_empty() {
            assert_eq!(
                f[3].parse::<NaiveDate>().unwrap(),
                utc7,
                "holidays package table, {year}"
            );
        }
        let l = solar_to_lunar(utc7).unwrap();
        assert_eq!(l, LunarDate::new(1, 1, year));
        rows += 1;
    }
    assert_eq!(rows, 201);
}

#[test]
fn vietnam_and_china_differ() {
    assert_eq!(tet(1985).unwrap(), d(1985, 1, 21));
    assert_eq!(tet_in_zone(1985, 8.0).unwrap(), d(1985, 2, 20));
    assert_eq!(tet(2007).unwrap(), d(2007, 2, 17));
    assert_eq!(tet_in_zone(2007, 8.0).unwrap(), d(2007, 2, 18));
    assert_eq!(tet(2030).unwrap(), d(2030, 2, 2));
    assert_eq!(tet_in_zone(2030, 8.0).unwrap(), d(2030, 2, 3));
    assert_eq!(tet(1968).unwrap(), d(1968, 1, 29));
    assert_eq!(tet_in_zone(1968, 8.0).unwrap(), d(1968, 1, 30));
    assert!(matches!(
        tet_in_zone(2019, 25.0),
        Err(CalendarError::InvalidTimeZone(_))
    ));
    assert!(tet_in_zone(2019, f64::NAN).is_err());
}

#[test]
fn leap_month_starts_of_stack_md() {
    for (l, start) in [
        (leap(1, 6, 2017), d(2017, 7, 23)),
        (leap(1, 4, 2020), d(2020, 5, 23)),
        (leap(1, 2, 2023), d(2023, 3, 22)),
        (leap(1, 6, 2025), d(2025, 7, 25)),
    ] {
        assert_eq!(lunar_to_solar(l).unwrap(), start, "{l}");
        assert_eq!(solar_to_lunar(start).unwrap(), l);
        // The day before is the last day of the regular month of the same number.
        let before = solar_to_lunar(start.pred_opt().unwrap()).unwrap();
        assert_eq!((before.month, before.leap), (l.month, false));
        assert!(before.day == 29 || before.day == 30);
    }
}

#[test]
fn leap_requested_for_a_regular_month_is_an_error() {
    // 2017 has a leap 6th month, not a leap 5th; 2019 has no leap month.
    assert!(matches!(
        lunar_to_solar(leap(1, 5, 2017)),
        Err(CalendarError::InvalidLunarDate { .. })
    ));
    assert!(matches!(
        lunar_to_solar(leap(1, 6, 2019)),
        Err(CalendarError::InvalidLunarDate { .. })
    ));
    assert!(
        lunar_to_solar(LunarDate::new(1, 6, 2017)).unwrap()
            < lunar_to_solar(leap(1, 6, 2017)).unwrap()
    );
}

#[test]
fn invalid_lunar_dates_are_errors() {
    for l in [
        LunarDate::new(0, 1, 2019),
        LunarDate::new(31, 1, 2019),
        LunarDate::new(1, 0, 2019),
        LunarDate::new(1, 13, 2019),
        LunarDate::new(1, 1, i32::MAX),
        LunarDate::new(1, 1, i32::MIN),
        LunarDate::new(1, 1, 2101),
        // Lunar 1899: only its last month reaches 1900.
        LunarDate::new(1, 1, 1899),
    ] {
        assert!(lunar_to_solar(l).is_err(), "{l}");
    }
    // Tết eve 2020 is the last day of lunar 12/2019.
    let eve = solar_to_lunar(d(2020, 1, 24)).unwrap();
    assert_eq!((eve.month, eve.year, eve.leap), (12, 2019, false));
    assert!(eve.day == 29 || eve.day == 30);
    // A 29-day month has no day 30; a 30-day month has.
    let (mut short, mut long) = (0, 0);
    for month in 1..=12u8 {
        let start = lunar_to_solar(LunarDate::new(1, month, 2019)).unwrap();
        let next = if month == 12 {
            tet(2020).unwrap()
        } else {
            lunar_to_solar(LunarDate::new(1, month + 1, 2019)).unwrap()
        };
        let len = (next - start).num_days();
        let day30 = lunar_to_solar(LunarDate::new(30, month, 2019));
        match len {
            29 => {
                short += 1;
                assert!(
                    matches!(day30, Err(CalendarError::InvalidLunarDate { .. })),
                    "{month}/2019"
                );
            }
            30 => {
                long += 1;
                assert_eq!(day30.unwrap(), next.pred_opt().unwrap());
            }
            _ => panic!("lunar month {month}/2019 has {len} days"),
        }
    }
    assert!(short > 0 && long > 0);
    assert!(lunar_to_solar_in_zone(LunarDate::new(1, 1, 2019), -13.0).is_err());
}

#[test]
fn range_ends_are_errors_not_panics() {
    assert!(matches!(
        solar_to_lunar(d(1899, 12, 31)),
        Err(CalendarError::DateOutOfRange(_))
    ));
    assert!(matches!(
        solar_to_lunar(d(2101, 1, 1)),
        Err(CalendarError::DateOutOfRange(_))
    ));
    assert!(solar_to_lunar(NaiveDate::MIN).is_err());
    assert!(solar_to_lunar(NaiveDate::MAX).is_err());
    assert_eq!(tet(1899), Err(CalendarError::YearOutOfRange(1899)));
    assert_eq!(tet(2101), Err(CalendarError::YearOutOfRange(2101)));
    let first = solar_to_lunar(d(1900, 1, 1)).unwrap();
    assert_eq!((first.month, first.year), (12, 1899));
    assert_eq!(lunar_to_solar(first).unwrap(), d(1900, 1, 1));
    let last = solar_to_lunar(d(2100, 12, 31)).unwrap();
    assert_eq!(lunar_to_solar(last).unwrap(), d(2100, 12, 31));
    // Lunar dates whose solar day would be after 2100 are refused.
    assert!(lunar_to_solar(LunarDate::new(29, 12, 2100)).is_err());
}

#[test]
fn gio_to_dates_match_the_holidays_file() {
    let mut n = 0;
    for line in HOLIDAYS
        .lines()
        .skip(1)
        .filter(|l| l.contains(",Ngày Giỗ Tổ Hùng Vương,"))
    {
        let date: NaiveDate = line[..10].parse().unwrap();
        assert_eq!(
            lunar_to_solar(LunarDate::new(10, 3, date.year())).unwrap(),
            date
        );
        assert_eq!(
            solar_to_lunar(date).unwrap(),
            LunarDate::new(10, 3, date.year())
        );
        n += 1;
    }
    assert_eq!(n, 12);
}

/// Every day 1900-01-01..=2100-12-31 (73 414 days): solar → lunar → solar is
/// the identity, and consecutive days step through the lunar calendar
/// (day + 1, or day 1 of the next month after day 29 or 30).
#[test]
fn round_trip_every_day_1900_2100() {
    let mut day = d(1900, 1, 1);
    let mut prev: Option<LunarDate> = None;
    let mut count = 0;
    let mut leap_months = 0;
    while day <= d(2100, 12, 31) {
        let l = solar_to_lunar(day).unwrap();
        assert_eq!(lunar_to_solar(l).unwrap(), day, "{day} -> {l}");
        if let Some(p) = prev {
            if l.day == 1 {
                assert!(p.day == 29 || p.day == 30, "{day}: month of {} days", p.day);
                if l.leap {
                    assert_eq!(l.month, p.month, "{day}");
                    leap_months += 1;
                } else if l.month == 1 {
                    assert_eq!((p.month, l.year), (12, p.year + 1), "{day}");
                } else {
                    assert_eq!(l.month, p.month + 1, "{day}");
                }
            } else {
                assert_eq!(
                    (l.day, l.month, l.year, l.leap),
                    (p.day + 1, p.month, p.year, p.leap),
                    "{day}"
                );
            }
        }
        prev = Some(l);
        count += 1;
        day = day.succ_opt().unwrap();
    }
    assert_eq!(count, 73_414);
    // 7 leap months every 19 years: 74 in these 201 years.
    assert_eq!(leap_months, 74);
}
