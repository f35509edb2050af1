//! Day rules: statutory holidays derived by rule (Labour Code), compensatory
//! days, announced swaps, and their CSV form (`data/holidays-vn.csv`).

use super::{CalendarError, FIRST_DAY, LAST_DAY, MAX_YEAR, MIN_YEAR, lunar};
use crate::import::{ImportError, parse_date, read_csv, write_csv};
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `data/holidays-vn.csv` (python-holidays 0.108, 2016..=2027), embedded.
pub const HOLIDAYS_VN_CSV: &[u8] = include_bytes!("../../../../data/holidays-vn.csv");

/// Why a day differs from the weekly pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DayKind {
    /// A public holiday (*ngày lễ, Tết*).
    #[serde(rename = "holiday")]
    Holiday,
    /// A day off for a holiday that fell on a weekly rest day (*nghỉ bù*).
    #[serde(rename = "compensatory")]
    Compensatory,
    /// A working day given off in exchange for a make-up working day (*ngày nghỉ hoán đổi*).
    #[serde(rename = "swap-dayoff")]
    SwapDayOff,
    /// A rest day worked in exchange (*ngày làm việc bù*), usually a Saturday.
    #[serde(rename = "swap-workday")]
    SwapWorkday,
}

impl DayKind {
    pub const ALL: [DayKind; 4] = [
        DayKind::Holiday,
        DayKind::Compensatory,
        DayKind::SwapDayOff,
        DayKind::SwapWorkday,
    ];

    /// The CSV/serde spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Compensatory => "compensatory",
            DayKind::SwapDayOff => "swap-dayoff",
            DayKind::SwapWorkday => "swap-workday",
        }
    }

    /// Vietnamese label.
    pub const fn label_vi(self) -> &'static str {
        match self {
            DayKind::Holiday => "Ngày lễ, Tết",
            DayKind::Compensatory => "Nghỉ bù",
            DayKind::SwapDayOff => "Ngày nghỉ hoán đổi",
            DayKind::SwapWorkday => "Ngày làm việc bù",
        }
    }

    /// True for the kinds that make a day a rest day.
    pub const fn is_day_off(self) -> bool {
        !matches!(self, DayKind::SwapWorkday)
    }
}

impl std::fmt::Display for DayKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DayKind {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DayKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| CalendarError::UnknownDayKind(s.to_string()))
    }
}

/// One dated exception to the weekly pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayRule {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Vietnamese name, e.g. `Mùng hai Tết Nguyên Đán`, `Quốc khánh (nghỉ bù)`.
    pub name: String,
    /// Source or remark (announcing document, "computed by rule", ...).
    #[serde(default)]
    pub note: String,
}

/// The longest name of a day rule.
pub const DAY_NAME_MAX: usize = 200;
/// The longest note of a day rule.
pub const DAY_NOTE_MAX: usize = 300;

impl DayRule {
    /// The checks every rule passes before it is stored and before a
    /// calendar is built from it: a date within the supported range, a name
    /// of 1-200 characters, a note of at most 300, no control or
    /// bidirectional-override characters.
    pub fn check(&self) -> Result<(), CalendarError> {
        if self.date < super::FIRST_DAY || self.date > super::LAST_DAY {
            return Err(CalendarError::DateOutOfRange(self.date));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > DAY_NAME_MAX {
            return Err(CalendarError::InvalidRule(format!(
                "the name of {} must have 1-{DAY_NAME_MAX} characters",
                self.date
            )));
        }
        if self.note.chars().count() > DAY_NOTE_MAX {
            return Err(CalendarError::InvalidRule(format!(
                "the note of {} is longer than {DAY_NOTE_MAX} characters",
                self.date
            )));
        }
        if let Some(c) = crate::text::forbidden_char(&self.name, false)
            .or_else(|| crate::text::forbidden_char(&self.note, false))
        {
            return Err(CalendarError::InvalidRule(format!(
                "the rule of {} holds the character U+{:04X}",
                self.date, c as u32
            )));
        }
        Ok(())
    }
}

/// Splits rules into those a calendar can be built from (each passes
/// [`DayRule::check`]; of two rules for one date the first is kept) and the
/// rest, each with why. A calendar built from stored rules uses this, so one
/// bad row never stops a desk.
pub fn usable_rules(rules: Vec<DayRule>) -> (Vec<DayRule>, Vec<(DayRule, CalendarError)>) {
    let mut good: Vec<DayRule> = Vec::with_capacity(rules.len());
    let mut bad = Vec::new();
    let mut seen = BTreeSet::new();
    for r in rules {
        match r.check() {
            Err(e) => bad.push((r, e)),
            Ok(()) if !seen.insert(r.date) => {
                let e = CalendarError::DuplicateRule(r.date);
                bad.push((r, e));
            }
            Ok(()) => good.push(r),
        }
    }
    (good, bad)
}

const TET_EVE: &str = "Giao thừa Tết Nguyên Đán";
const TET_NAMES: [&str; 4] = [
    "Tết Nguyên Đán",
    "Mùng hai Tết Nguyên Đán",
    "Mùng ba Tết Nguyên Đán",
    "Mùng bốn Tết Nguyên Đán",
];
const OBSERVED: &str = " (nghỉ bù)";

/// The public holidays of the Labour Code for `year` (1900..=2100), derived by
/// rule, with the compensatory days, sorted by date. Announced swaps and new
/// holidays not yet in the rule set come from data ([`embedded_day_rules`]).
///
/// Rules (domain.md §4.3; python-holidays `vietnam.py`, which cites Labour
/// Code 1994 art. 73, 2012 art. 115, 2019 art. 112):
/// * 1 January (*Tết Dương lịch*).
/// * Tết: lunar New Year's Eve and days 1..=3 of the lunar year (4 days),
///   plus day 4 from 2013 (5 days).
/// * Giỗ Tổ Hùng Vương, lunar 10/3, from 2007.
/// * 30 April, 1 May, 2 September; from 2021 one day next to 2 September
///   (Mon→+1, Tue→−1, Wed→−1, Thu→+1, Fri→−1, Sat→−1, Sun→+1).
/// * Compensatory days from 1995 (Labour Code 1994): a Tết day on a Saturday
///   moves to the previous working day from 2014 (to the next before), a Tết
///   day on a Sunday to the next working day; the other holidays on Saturday
///   or Sunday move to the next working day. "Working day" here means a
///   Monday..Friday of the same year that is not yet a holiday or
///   compensatory day; Tết is placed first, then the other holidays in date
///   order. Two holidays on one date (possible for Giỗ Tổ in years with an
///   early leap month) are one day off with both names.
pub fn statutory_holidays(year: i32) -> Result<Vec<DayRule>, CalendarError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange(year));
    }
    let mut b = YearBuilder {
        year,
        days: BTreeMap::new(),
    };
    let mut observed = BTreeSet::new();
    let date =
        |m, d| NaiveDate::from_ymd_opt(year, m, d).ok_or(CalendarError::YearOutOfRange(year));

    let new_year = date(1, 1)?;
    b.add(new_year, DayKind::Holiday, "Tết Dương lịch");
    observed.insert(new_year);

    let lny = lunar::tet(year)?;
    let tet_days: i64 = if year >= 2013 { 4 } else { 3 };
    b.add(shift(lny, -1), DayKind::Holiday, TET_EVE);
    for (i, name) in TET_NAMES.iter().enumerate().take(tet_days as usize) {
        b.add(shift(lny, i as i64), DayKind::Holiday, name);
    }

    if year >= 2007 {
        let gio_to = lunar::lunar_to_solar(lunar::LunarDate::new(10, 3, year))?;
        b.add(gio_to, DayKind::Holiday, "Ngày Giỗ Tổ Hùng Vương");
        observed.insert(gio_to);
    }
    let apr30 = date(4, 30)?;
    b.add(apr30, DayKind::Holiday, "Ngày Chiến thắng");
    let may1 = date(5, 1)?;
    b.add(may1, DayKind::Holiday, "Ngày Quốc tế Lao động");
    let sep2 = date(9, 2)?;
    b.add(sep2, DayKind::Holiday, "Quốc khánh");
    observed.extend([apr30, may1, sep2]);
    if year >= 2021 {
        let step = match sep2.weekday() {
            Weekday::Mon | Weekday::Thu | Weekday::Sun => 1,
            _ => -1,
        };
        b.add(shift(sep2, step), DayKind::Holiday, "Quốc khánh");
    }

    if year >= 1995 {
        for delta in -1..tet_days {
            let day = shift(lny, delta);
            let step = match (day.weekday(), year >= 2014) {
                (Weekday::Sat, true) => -1,
                (Weekday::Sat, false) | (Weekday::Sun, _) => 1,
                _ => continue,
            };
            let moved = b.next_workday(day, step);
            if moved != day {
                let name = match (moved - lny).num_days() {
                    -2 => "29 Tết".to_string(),
                    3 => "Mùng bốn Tết Nguyên Đán".to_string(),
                    4 => "Mùng năm Tết Nguyên Đán".to_string(),
                    5 => "Mùng sáu Tết Nguyên Đán".to_string(),
                    _ => format!("Tết Nguyên Đán{OBSERVED}"),
                };
                b.add(moved, DayKind::Compensatory, &name);
            }
        }
        for day in observed {
            if !is_weekend(day) {
                continue;
            }
            let moved = b.next_workday(day, 1);
            if moved != day {
                let names = b.days.get(&day).map(|(_, n)| n.clone()).unwrap_or_default();
                for name in names {
                    b.add(moved, DayKind::Compensatory, &format!("{name}{OBSERVED}"));
                }
            }
        }
    }

    let note = legal_basis(year);
    Ok(b.days
        .into_iter()
        .map(|(date, (kind, names))| DayRule {
            date,
            kind,
            name: names.join("; "),
            note: note.to_string(),
        })
        .collect())
}

fn legal_basis(year: i32) -> &'static str {
    match year {
        2021.. => "rule: Labour Code 2019 art. 112",
        2013..=2020 => "rule: Labour Code 2012 art. 115",
        1995..=2012 => "rule: Labour Code 1994 art. 73",
        _ => "rule: Labour Code 1994 art. 73 applied backwards (no compensatory days before 1995)",
    }
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(days)).unwrap_or(d)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

struct YearBuilder {
    year: i32,
    days: BTreeMap<NaiveDate, (DayKind, Vec<String>)>,
}

impl YearBuilder {
    fn add(&mut self, date: NaiveDate, kind: DayKind, name: &str) {
        let entry = self.days.entry(date).or_insert((kind, Vec::new()));
        if !entry.1.iter().any(|n| n == name) {
            entry.1.push(name.to_string());
        }
    }

    /// The nearest Monday..Friday in direction `step` that is not yet a
    /// holiday, staying in the year (python-holidays `_get_next_workday`).
    fn next_workday(&self, from: NaiveDate, step: i64) -> NaiveDate {
        let mut d = from;
        loop {
            d = shift(d, step);
            if d.year() != self.year {
                return from;
            }
            if !is_weekend(d) && !self.days.contains_key(&d) {
                return d;
            }
        }
    }
}

/// The announced swaps before 2016 known to python-holidays
/// (`VietnamStaticHolidays`, listed in domain.md §4.3), as swap-dayoff /
/// swap-workday pairs. The list is incomplete; later years come from
/// `data/holidays-vn.csv`.
pub fn known_swaps_before_2016() -> Vec<DayRule> {
    type Ymd = (i32, u32, u32);
    // (day off, Saturday worked in exchange)
    const PAIRS: [(Ymd, Ymd); 8] = [
        ((2010, 2, 19), (2010, 2, 27)),
        ((2012, 1, 27), (2012, 2, 4)),
        ((2013, 4, 29), (2013, 5, 4)),
        ((2014, 5, 2), (2014, 4, 26)),
        ((2014, 9, 1), (2014, 9, 6)),
        ((2015, 1, 2), (2014, 12, 27)),
        ((2015, 2, 16), (2015, 2, 14)),
        ((2015, 4, 29), (2015, 4, 25)),
    ];
    let note = "python-holidays VietnamStaticHolidays (domain.md §4.3)";
    let mut out = Vec::new();
    for ((y1, m1, d1), (y2, m2, d2)) in PAIRS {
        let (Some(off), Some(work)) = (
            NaiveDate::from_ymd_opt(y1, m1, d1),
            NaiveDate::from_ymd_opt(y2, m2, d2),
        ) else {
            continue;
        };
        out.push(DayRule {
            date: off,
            kind: DayKind::SwapDayOff,
            name: format!("Ngày nghỉ (thay cho ngày {})", work.format("%d/%m/%Y")),
            note: note.to_string(),
        });
        out.push(DayRule {
            date: work,
            kind: DayKind::SwapWorkday,
            name: format!(
                "Ngày làm việc bù (cho ngày nghỉ {})",
                off.format("%d/%m/%Y")
            ),
            note: note.to_string(),
        });
    }
    out.sort_by_key(|r| r.date);
    out
}

/// The rows of the embedded `data/holidays-vn.csv`.
pub fn embedded_day_rules() -> Vec<DayRule> {
    parse_day_rules_csv("holidays-vn.csv", HOLIDAYS_VN_CSV)
        .expect("embedded data/holidays-vn.csv is valid (tested)")
}

/// `base` with every year that `overlay` mentions replaced by the overlay's
/// rows for that year; sorted by date. Data for a year (the announced
/// calendar) thus wins over rules for that year as a whole.
pub fn overlay_years(base: &[DayRule], overlay: &[DayRule]) -> Vec<DayRule> {
    let years: BTreeSet<i32> = overlay.iter().map(|r| r.date.year()).collect();
    let mut out: Vec<DayRule> = base
        .iter()
        .filter(|r| !years.contains(&r.date.year()))
        .cloned()
        .collect();
    out.extend(overlay.iter().cloned());
    out.sort_by_key(|r| r.date);
    out
}

/// The rule set of [`super::WorkCalendar::standard`]: statutory holidays of
/// 1900..=2100 plus the known swaps before 2016, with every year covered by
/// `data/holidays-vn.csv` (2016..=2027) taken from the data instead.
pub fn standard_rules() -> Vec<DayRule> {
    let mut base = Vec::new();
    for year in MIN_YEAR..=MAX_YEAR {
        base.extend(
            statutory_holidays(year)
                .expect("statutory holidays exist for every supported year (tested)"),
        );
    }
    let taken: BTreeSet<NaiveDate> = base.iter().map(|r| r.date).collect();
    base.extend(
        known_swaps_before_2016()
            .into_iter()
            .filter(|r| !taken.contains(&r.date)),
    );
    overlay_years(&base, &embedded_day_rules())
}

/// Columns written by [`write_day_rules_csv`].
pub const DAY_RULE_COLUMNS: [&str; 5] = ["date", "weekday", "name", "kind", "note"];

/// Parses a day-rule CSV. The header must contain `date`, `kind` and `name`;
/// `weekday` and `note` are read when present (a non-empty `weekday` must
/// match the date), other columns such as `name_en` are ignored. A bad date,
/// an unknown kind, an empty name, a date outside 1900..=2100 or a second
/// rule for the same date refuses the file with the line number.
pub fn parse_day_rules_csv(file_name: &str, bytes: &[u8]) -> Result<Vec<DayRule>, ImportError> {
    let rows = read_csv(file_name, bytes, &["date", "kind", "name"])?;
    let mut seen: HashMap<NaiveDate, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let err = |reason: String| ImportError::new(file_name, row.line, reason);
        let date = parse_date(file_name, row.line, "date", row.get("date"))?;
        if date < FIRST_DAY || date > LAST_DAY {
            return Err(err(format!(
                "cột `date`: {date} nằm ngoài khoảng hỗ trợ 1900-01-01..2100-12-31"
            )));
        }
        if let Some(w) = row.opt("weekday") {
            let actual = weekday_abbrev(date.weekday());
            if !w.eq_ignore_ascii_case(actual) {
                return Err(err(format!(
                    "cột `weekday`: `{w}` không khớp với ngày {date} ({actual})"
                )));
            }
        }
        let kind: DayKind = row.get("kind").parse().map_err(|_| {
            err(format!(
                "cột `kind`: `{}` không phải holiday, compensatory, swap-dayoff hoặc swap-workday",
                row.get("kind")
            ))
        })?;
        let name = row.get("name");
        if name.is_empty() {
            return Err(err("cột `name` trống".to_string()));
        }
        if let Some(first) = seen.insert(date, row.line) {
            return Err(err(format!("ngày {date} đã có ở dòng {first}")));
        }
        let rule = DayRule {
            date,
            kind,
            name: name.to_string(),
            note: row.get("note").to_string(),
        };
        rule.check().map_err(|e| err(e.to_string()))?;
        out.push(rule);
    }
    Ok(out)
}

/// Writes day rules as CSV ([`DAY_RULE_COLUMNS`]) in the given order;
/// [`parse_day_rules_csv`] reads it back unchanged (names and notes are
/// compared trimmed).
pub fn write_day_rules_csv(rules: &[DayRule]) -> String {
    write_csv(
        &DAY_RULE_COLUMNS,
        rules.iter().map(|r| {
            vec![
                r.date.format("%Y-%m-%d").to_string(),
                weekday_abbrev(r.date.weekday()).to_string(),
                r.name.clone(),
                r.kind.as_str().to_string(),
                r.note.clone(),
            ]
        }),
    )
}

fn weekday_abbrev(w: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][w.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn find(rules: &[DayRule], date: NaiveDate) -> Option<&DayRule> {
        rules.iter().find(|r| r.date == date)
    }

    #[test]
    fn kinds_round_trip() {
        for k in DayKind::ALL {
            assert_eq!(k.as_str().parse::<DayKind>().unwrap(), k);
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        assert!("swap-day-off".parse::<DayKind>().is_err());
    }

    #[test]
    fn tet_is_four_days_before_2013_and_five_after() {
        let r2012 = statutory_holidays(2012).unwrap();
        let tet = lunar::tet(2012).unwrap();
        let tet_rows: Vec<_> = r2012
            .iter()
            .filter(|r| r.kind == DayKind::Holiday && r.name.contains("Tết N"))
            .collect();
        assert_eq!(tet_rows.len(), 4);
        assert_eq!(tet_rows[0].date, shift(tet, -1));
        let r2013 = statutory_holidays(2013).unwrap();
        assert_eq!(
            r2013
                .iter()
                .filter(|r| r.kind == DayKind::Holiday && r.name.contains("Tết N"))
                .count(),
            5
        );
    }

    #[test]
    fn gio_to_only_from_2007() {
        assert!(
            !statutory_holidays(2006)
                .unwrap()
                .iter()
                .any(|r| r.name.contains("Giỗ Tổ"))
        );
        let r = statutory_holidays(2007).unwrap();
        // Lunar 10/3/2007 = 2007-04-26.
        assert_eq!(
            find(&r, d(2007, 4, 26)).unwrap().name,
            "Ngày Giỗ Tổ Hùng Vương"
        );
    }

    #[test]
    fn national_day_second_day_from_2021() {
        assert!(find(&statutory_holidays(2020).unwrap(), d(2020, 9, 1)).is_none());
        assert!(find(&statutory_holidays(2020).unwrap(), d(2020, 9, 3)).is_none());
        // 2021-09-02 Thursday -> Friday 3rd; 2025-09-02 Tuesday -> Monday 1st.
        assert_eq!(
            find(&statutory_holidays(2021).unwrap(), d(2021, 9, 3))
                .unwrap()
                .kind,
            DayKind::Holiday
        );
        assert_eq!(
            find(&statutory_holidays(2025).unwrap(), d(2025, 9, 1))
                .unwrap()
                .kind,
            DayKind::Holiday
        );
        // 2029-09-02 Sunday -> Monday 3rd, and the Sunday itself is made up on Tuesday 4th.
        let r = statutory_holidays(2029).unwrap();
        assert_eq!(find(&r, d(2029, 9, 3)).unwrap().name, "Quốc khánh");
        assert_eq!(
            find(&r, d(2029, 9, 4)).unwrap().name,
            "Quốc khánh (nghỉ bù)"
        );
    }

    #[test]
    fn no_compensatory_before_1995() {
        // 1994-01-01 was a Saturday.
        let r = statutory_holidays(1994).unwrap();
        assert!(r.iter().all(|r| r.kind == DayKind::Holiday));
        let r = statutory_holidays(2000).unwrap();
        // 2000-01-01 Saturday -> Monday 3rd.
        assert_eq!(
            find(&r, d(2000, 1, 3)).unwrap().name,
            "Tết Dương lịch (nghỉ bù)"
        );
    }

    #[test]
    fn years_out_of_range() {
        assert_eq!(
            statutory_holidays(1899),
            Err(CalendarError::YearOutOfRange(1899))
        );
        assert_eq!(
            statutory_holidays(2101),
            Err(CalendarError::YearOutOfRange(2101))
        );
        assert!(statutory_holidays(i32::MIN).is_err());
        assert!(statutory_holidays(1900).is_ok());
        assert!(statutory_holidays(2100).is_ok());
    }

    #[test]
    fn parse_errors_name_the_line() {
        let ok = "date,kind,name\n2019-01-01,holiday,Tết Dương lịch\n";
        assert_eq!(
            parse_day_rules_csv("h.csv", ok.as_bytes()).unwrap().len(),
            1
        );
        let cases: [(&str, usize, &str); 7] = [
            ("date,name\n2019-01-01,X\n", 1, "kind"),
            (
                "date,kind,name\n2019-01-01,holiday,A\n2019-13-01,holiday,B\n",
                3,
                "date",
            ),
            ("date,kind,name\n2019-01-01,feast,A\n", 2, "kind"),
            (
                "date,kind,name\n2019-01-01,holiday,A\n2019-01-01,compensatory,B\n",
                3,
                "dòng 2",
            ),
            ("date,kind,name\n2019-01-01,holiday,\n", 2, "name"),
            (
                "date,weekday,kind,name\n2019-01-01,Mon,holiday,A\n",
                2,
                "weekday",
            ),
            ("date,kind,name\n2101-01-01,holiday,A\n", 2, "1900"),
        ];
        for (text, line, needle) in cases {
            let e = parse_day_rules_csv("h.csv", text.as_bytes()).unwrap_err();
            assert_eq!(e.line, line, "{text}");
            assert!(e.reason.contains(needle), "{e}");
            assert!(e.to_string().starts_with(&format!("h.csv:{line}: ")));
        }
        let broken = b"date,kind,name\n2019-01-01,holiday,T\xe1\n";
        let e = parse_day_rules_csv("h.csv", broken).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn csv_round_trip() {
        let rules = embedded_day_rules();
        let text = write_day_rules_csv(&rules);
        assert_eq!(
            parse_day_rules_csv("again.csv", text.as_bytes()).unwrap(),
            rules
        );
    }

    #[test]
    fn old_swaps_do_not_collide_with_rules() {
        let swaps = known_swaps_before_2016();
        assert_eq!(swaps.len(), 16);
        for s in &swaps {
            let rules = statutory_holidays(s.date.year()).unwrap();
            assert!(find(&rules, s.date).is_none(), "{s:?}");
            assert_eq!(is_weekend(s.date), s.kind == DayKind::SwapWorkday, "{s:?}");
        }
    }
}
