//! The Vietnamese lunar calendar (*âm lịch*), after Hồ Ngọc Đức's published
//! algorithm ("Thuật toán tính âm lịch", informatik.uni-leipzig.de/~duc/amlich),
//! evaluated at the meridian 105° E, i.e. UTC+7.
//!
//! * A lunar month starts on the local civil day that contains the new moon.
//! * The winter solstice always falls in month 11.
//! * In a 13-month year the first month after month 11 without a principal
//!   term (*trung khí*) is the leap month and repeats the previous number.
//!
//! The new-moon and sun-longitude series are the simplified ones of the
//! published JavaScript (Meeus-style, a few terms), so the results are only as
//! good as that algorithm; they are checked against the whole Tết table of
//! `data/tet-dates.csv` (1900..=2100) in the tests. One fix over the published
//! code (stack.md §7): the first floor() can overshoot by one lunation (it
//! returns "day 0" on 2054-05-07 and 2062-04-09), so [`solar_to_lunar`] falls
//! back to the previous new moon when the month start is still after the day.
//!
//! No maintained Rust crate implements this (`amlich` 0.0.1 on crates.io dates
//! from 2019), hence the ~150 lines below.

use super::{CalendarError, FIRST_DAY, LAST_DAY, MAX_YEAR, MIN_YEAR};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// The time zone of the Vietnamese calendar, in hours east of UTC.
pub const VN_TIME_ZONE: f64 = 7.0;

/// A date of the Vietnamese lunar calendar. `year` is the lunar year whose
/// first day (Tết) falls in the Gregorian year of the same number; `leap`
/// marks the intercalary month (*tháng nhuận*) that repeats `month`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    pub day: u8,
    pub month: u8,
    pub year: i32,
    pub leap: bool,
}

impl LunarDate {
    /// A lunar date of a regular (non-leap) month; not validated.
    pub const fn new(day: u8, month: u8, year: i32) -> Self {
        LunarDate {
            day,
            month,
            year,
            leap: false,
        }
    }
}

impl std::fmt::Display for LunarDate {
    /// `10/3/2019`, leap months as `1/6 nhuận/2017`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let leap = if self.leap { " nhuận" } else { "" };
        write!(f, "{}/{}{}/{}", self.day, self.month, leap, self.year)
    }
}

/// Converts a Gregorian date (1900..=2100) to the Vietnamese lunar calendar.
pub fn solar_to_lunar(d: NaiveDate) -> Result<LunarDate, CalendarError> {
    solar_to_lunar_in_zone(d, VN_TIME_ZONE)
}

/// Converts a Vietnamese lunar date to the Gregorian calendar. Errors: month
/// outside 1..=12, day outside the month (29 or 30 days), `leap` for a month
/// that is not the leap month of that year, or a result outside 1900..=2100.
pub fn lunar_to_solar(l: LunarDate) -> Result<NaiveDate, CalendarError> {
    lunar_to_solar_in_zone(l, VN_TIME_ZONE)
}

/// Tết Nguyên Đán (lunar 1/1) of `lunar_year` (1900..=2100).
pub fn tet(lunar_year: i32) -> Result<NaiveDate, CalendarError> {
    tet_in_zone(lunar_year, VN_TIME_ZONE)
}

/// Tết of `lunar_year` computed at another meridian, e.g. `8.0` for the
/// Chinese calendar (UTC+8): Tết 1985 is 1985-01-21 at UTC+7 but 1985-02-20
/// at UTC+8. Only for comparisons; motcua itself always uses UTC+7.
pub fn tet_in_zone(lunar_year: i32, utc_offset_hours: f64) -> Result<NaiveDate, CalendarError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&lunar_year) {
        return Err(CalendarError::YearOutOfRange(lunar_year));
    }
    lunar_to_solar_in_zone(LunarDate::new(1, 1, lunar_year), utc_offset_hours)
}

/// [`solar_to_lunar`] at another meridian (hours east of UTC, -12..=14).
pub fn solar_to_lunar_in_zone(
    d: NaiveDate,
    utc_offset_hours: f64,
) -> Result<LunarDate, CalendarError> {
    let tz = check_zone(utc_offset_hours)?;
    if d < FIRST_DAY || d > LAST_DAY {
        return Err(CalendarError::DateOutOfRange(d));
    }
    let day_number = jd_from_date(d);
    let k = ((day_number as f64 - 2_415_021.076_998_695) / SYNODIC_MONTH).floor() as i64;
    let mut month_start = new_moon_day(k + 1, tz);
    if month_start > day_number {
        month_start = new_moon_day(k, tz);
    }
    // The guard of stack.md §7: floor() above can overshoot by one lunation.
    if month_start > day_number {
        month_start = new_moon_day(k - 1, tz);
    }
    let yy = d.year();
    let mut a11 = lunar_month11(yy, tz);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = lunar_month11(yy - 1, tz);
    } else {
        lunar_year = yy + 1;
        b11 = lunar_month11(yy + 1, tz);
    }
    let lunar_day = day_number - month_start + 1;
    let diff = (month_start - a11).div_euclid(29);
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_month_diff = leap_month_offset(a11, tz);
        if diff >= leap_month_diff {
            lunar_month = diff + 10;
            if diff == leap_month_diff {
                leap = true;
            }
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    let invalid = || CalendarError::InvalidLunarDate {
        date: LunarDate {
            day: 0,
            month: 0,
            year: lunar_year,
            leap,
        },
        reason: "internal: solar date maps outside a lunar month",
    };
    Ok(LunarDate {
        day: u8::try_from(lunar_day)
            .ok()
            .filter(|d| (1..=30).contains(d))
            .ok_or_else(invalid)?,
        month: u8::try_from(lunar_month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(invalid)?,
        year: lunar_year,
        leap,
    })
}

/// [`lunar_to_solar`] at another meridian (hours east of UTC, -12..=14).
pub fn lunar_to_solar_in_zone(
    l: LunarDate,
    utc_offset_hours: f64,
) -> Result<NaiveDate, CalendarError> {
    let tz = check_zone(utc_offset_hours)?;
    let invalid = |reason| CalendarError::InvalidLunarDate { date: l, reason };
    if !(1..=12).contains(&l.month) {
        return Err(invalid("month must be 1..=12"));
    }
    if !(1..=30).contains(&l.day) {
        return Err(invalid("day must be 1..=30"));
    }
    // Lunar year 1899 still has days in January 1900; the result is checked below.
    if !(MIN_YEAR - 1..=MAX_YEAR).contains(&l.year) {
        return Err(CalendarError::YearOutOfRange(l.year));
    }
    let month = i64::from(l.month);
    let (a11, b11) = if month < 11 {
        (lunar_month11(l.year - 1, tz), lunar_month11(l.year, tz))
    } else {
        (lunar_month11(l.year, tz), lunar_month11(l.year + 1, tz))
    };
    let k = (0.5 + (a11 as f64 - 2_415_021.076_998_695) / SYNODIC_MONTH).floor() as i64;
    let mut off = (month - 11).rem_euclid(12);
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11, tz);
        let leap_month = (leap_off - 2).rem_euclid(12);
        if l.leap && month != leap_month {
            return Err(invalid("this month is not the leap month of that year"));
        }
        if l.leap || off >= leap_off {
            off += 1;
        }
    } else if l.leap {
        return Err(invalid("that lunar year has no leap month"));
    }
    let month_start = new_moon_day(k + off, tz);
    let month_len = new_moon_day(k + off + 1, tz) - month_start;
    if i64::from(l.day) > month_len {
        return Err(invalid("the month has only 29 days"));
    }
    let d = date_from_jd(month_start + i64::from(l.day) - 1)
        .ok_or(CalendarError::YearOutOfRange(l.year))?;
    if d < FIRST_DAY || d > LAST_DAY {
        return Err(CalendarError::DateOutOfRange(d));
    }
    Ok(d)
}

const SYNODIC_MONTH: f64 = 29.530_588_853;

/// Julian day number minus days from the common era: JDN(2000-01-01) = 2451545.
const JD_CE_OFFSET: i64 = 1_721_425;

fn check_zone(tz: f64) -> Result<f64, CalendarError> {
    if (-12.0..=14.0).contains(&tz) {
        Ok(tz)
    } else {
        Err(CalendarError::InvalidTimeZone(format!("{tz}")))
    }
}

/// Julian day number of a (proleptic Gregorian) date. Hồ Ngọc Đức's code
/// switches to the Julian calendar before 1582-10-15; the supported range
/// (1900..=2100) never gets there.
fn jd_from_date(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) + JD_CE_OFFSET
}

fn date_from_jd(jd: i64) -> Option<NaiveDate> {
    i32::try_from(jd - JD_CE_OFFSET)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Julian date (UT) of the k-th new moon after 1900-01-01 (Meeus-style series
/// with Hồ Ngọc Đức's ΔT correction).
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - deltat
}

/// Apparent sun longitude in radians, normalised to [0, 2π), at Julian date `jdn`.
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl = dl + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// The 30° sector (0..=11) of the sun's longitude at local midnight that
/// starts day `day_number`.
fn sun_sector(day_number: i64, tz: f64) -> i64 {
    (sun_longitude(day_number as f64 - 0.5 - tz / 24.0) / PI * 6.0).floor() as i64
}

/// Julian day number of the local day containing the k-th new moon.
fn new_moon_day(k: i64, tz: f64) -> i64 {
    (new_moon(k) + 0.5 + tz / 24.0).floor() as i64
}

/// Day number of the start of lunar month 11 (the month of the winter
/// solstice) of Gregorian year `yy`.
fn lunar_month11(yy: i32, tz: f64) -> i64 {
    let dec31 = NaiveDate::from_ymd_opt(yy, 12, 31).map_or(0, jd_from_date);
    let off = dec31 - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k, tz);
    if sun_sector(nm, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        nm
    }
}

/// Offset (in months after month 11 starting at `a11`) of the leap month:
/// the first month whose start lies in the same sun sector as the next one.
fn leap_month_offset(a11: i64, tz: f64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i, tz), tz);
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn julian_day_numbers() {
        assert_eq!(jd_from_date(d(2000, 1, 1)), 2_451_545);
        assert_eq!(jd_from_date(d(1900, 1, 1)), 2_415_021);
        assert_eq!(date_from_jd(2_451_545), Some(d(2000, 1, 1)));
    }

    #[test]
    fn stack_md_tet_dates() {
        let want = [
            (2016, d(2016, 2, 8)),
            (2017, d(2017, 1, 28)),
            (2018, d(2018, 2, 16)),
            (2019, d(2019, 2, 5)),
            (2020, d(2020, 1, 25)),
            (2021, d(2021, 2, 12)),
            (2022, d(2022, 2, 1)),
            (2023, d(2023, 1, 22)),
            (2024, d(2024, 2, 10)),
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
            (2028, d(2028, 1, 26)),
            (2029, d(2029, 2, 13)),
            (2030, d(2030, 2, 2)),
        ];
        for (y, t) in want {
            assert_eq!(tet(y).unwrap(), t, "Tết {y}");
        }
    }

    #[test]
    fn overshoot_guard_days() {
        // The straight port returned "day 0" on these two dates (stack.md §7).
        for day in [d(2054, 5, 7), d(2062, 4, 9)] {
            let l = solar_to_lunar(day).unwrap();
            assert!(l.day >= 1);
            assert_eq!(lunar_to_solar(l).unwrap(), day);
        }
    }
}
