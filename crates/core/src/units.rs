//! Administrative units (đơn vị hành chính) with validity periods.
//!
//! A unit is identified by its code *and* a validity period: the same code can
//! name a district-level commune in 2016 and a province-level commune in 2026
//! (the 2004 and 2025 coding schemes reuse codes, domain.md §6.3). Each version
//! row says what the unit was called and who its parent was from `valid_from`
//! (inclusive) until `valid_to` (exclusive, `None` = still valid).

use crate::codes::{Level, UnitCode};
use crate::import::{ImportError, parse_date, read_csv, write_csv};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The coding scheme of a unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitScheme {
    /// Decision 124/2004/QĐ-TTg: province, district, commune (until 2025-06-30).
    #[serde(rename = "2004")]
    Y2004,
    /// Decision 19/2025/QĐ-TTg: province and commune (from 2025-07-01).
    #[serde(rename = "2025")]
    Y2025,
}

impl UnitScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitScheme::Y2004 => "2004",
            UnitScheme::Y2025 => "2025",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "2004" => Some(UnitScheme::Y2004),
            "2025" => Some(UnitScheme::Y2025),
            _ => None,
        }
    }
    /// The scheme in force on a date.
    pub fn on(date: NaiveDate) -> Self {
        if date >= reform_date() {
            UnitScheme::Y2025
        } else {
            UnitScheme::Y2004
        }
    }
}

/// 2025-07-01, when the two-level local government started.
pub fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

/// One version of an administrative unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnit {
    pub code: UnitCode,
    pub name: String,
    /// Official type word: Tỉnh, Thành phố Trung ương, Huyện, Quận, Thị xã, Thành phố, Xã, Phường, Thị trấn, Đặc khu.
    pub kind: String,
    pub level: Level,
    pub parent_code: Option<UnitCode>,
    pub scheme: UnitScheme,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// `exact` when the change date is known, `window` when the change happened
    /// somewhere in a window and the boundary of the window was used.
    pub date_precision: String,
    pub source: String,
}

impl AdminUnit {
    pub fn valid_on(&self, d: NaiveDate) -> bool {
        self.valid_from <= d && self.valid_to.is_none_or(|t| d < t)
    }
}

pub const UNIT_COLUMNS: [&str; 10] = [
    "code",
    "name",
    "type",
    "parent_code",
    "level",
    "scheme",
    "valid_from",
    "valid_to",
    "date_precision",
    "source",
];

fn level_of(scheme: UnitScheme, n: &str) -> Option<Level> {
    match (scheme, n) {
        (_, "1") => Some(Level::Province),
        (UnitScheme::Y2004, "2") => Some(Level::District),
        (UnitScheme::Y2004, "3") | (UnitScheme::Y2025, "2") => Some(Level::Commune),
        _ => None,
    }
}

fn level_number(scheme: UnitScheme, l: Level) -> &'static str {
    match (scheme, l) {
        (_, Level::Province) => "1",
        (UnitScheme::Y2004, Level::District) => "2",
        (UnitScheme::Y2004, _) => "3",
        (UnitScheme::Y2025, _) => "2",
    }
}

/// Parses the unit-history CSV (columns [`UNIT_COLUMNS`]; `scheme`, `valid_to`,
/// `date_precision`, `source` optional). Checks every row and the file as a
/// whole: code shape per level, no duplicate or overlapping versions of a code,
/// and every parent present (in the file or, through `known_parent`, already
/// stored) for the whole validity of the child's start.
pub fn parse_units_csv(
    file: &str,
    bytes: &[u8],
    known_parent: &dyn Fn(&UnitCode, NaiveDate) -> bool,
) -> Result<Vec<AdminUnit>, ImportError> {
    let rows = read_csv(
        file,
        bytes,
        &["code", "name", "type", "parent_code", "level", "valid_from"],
    )?;
    let mut units = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
    for r in &rows {
        let e = |m: String| ImportError::new(file, r.line, m);
        let code = UnitCode::new(r.get("code")).map_err(|x| e(x.to_string()))?;
        let name = r.get("name");
        if name.is_empty() {
            return Err(e("cột `name` trống".into()));
        }
        let valid_from = parse_date(file, r.line, "valid_from", r.get("valid_from"))?;
        let valid_to = match r.opt("valid_to") {
            Some(s) => Some(parse_date(file, r.line, "valid_to", s)?),
            None => None,
        };
        if valid_to.is_some_and(|t| t <= valid_from) {
            return Err(e("`valid_to` phải sau `valid_from`".into()));
        }
        let scheme = match r.opt("scheme") {
            Some(s) => UnitScheme::parse(s)
                .ok_or_else(|| e(format!("`scheme` = `{s}`: cần 2004 hoặc 2025")))?,
            None => UnitScheme::on(valid_from),
        };
        let level = level_of(scheme, r.get("level")).ok_or_else(|| {
            e(format!(
                "`level` = `{}` không hợp lệ với hệ mã {}",
                r.get("level"),
                scheme.as_str()
            ))
        })?;
        let expected_len = match level {
            Level::Province => 2,
            Level::District => 3,
            _ => 5,
        };
        if code.as_str().len() != expected_len {
            return Err(e(format!(
                "mã `{code}` không khớp cấp {level} (cần {expected_len} chữ số)"
            )));
        }
        let parent_code = match r.opt("parent_code") {
            Some(p) => Some(UnitCode::new(p).map_err(|x| e(format!("`parent_code`: {x}")))?),
            None => None,
        };
        if level != Level::Province && parent_code.is_none() {
            return Err(e(format!(
                "đơn vị cấp {level} `{code}` thiếu `parent_code`"
            )));
        }
        if level == Level::Province && parent_code.is_some() {
            return Err(e(format!("tỉnh `{code}` không có đơn vị cấp trên")));
        }
        units.push(AdminUnit {
            code,
            name: name.to_string(),
            kind: r.get("type").to_string(),
            level,
            parent_code,
            scheme,
            valid_from,
            valid_to,
            date_precision: r.opt("date_precision").unwrap_or("exact").to_string(),
            source: r.get("source").to_string(),
        });
        lines.push(r.line);
    }
    // Versions of one code must not overlap.
    let mut by_code: HashMap<&UnitCode, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        by_code.entry(&u.code).or_default().push(i);
    }
    for idx in by_code.values() {
        for (a, &i) in idx.iter().enumerate() {
            for &j in &idx[a + 1..] {
                let (x, y) = (&units[i], &units[j]);
                let overlap = x.valid_from < y.valid_to.unwrap_or(NaiveDate::MAX)
                    && y.valid_from < x.valid_to.unwrap_or(NaiveDate::MAX);
                if overlap {
                    return Err(ImportError::new(
                        file,
                        lines[j],
                        format!(
                            "mã `{}` trùng thời gian hiệu lực với dòng {}",
                            y.code, lines[i]
                        ),
                    ));
                }
            }
        }
    }
    // Parents must exist when the child starts.
    for (i, u) in units.iter().enumerate() {
        if let Some(p) = &u.parent_code {
            let in_file = by_code
                .get(p)
                .is_some_and(|idx| idx.iter().any(|&k| units[k].valid_on(u.valid_from)));
            if !in_file && !known_parent(p, u.valid_from) {
                return Err(ImportError::new(
                    file,
                    lines[i],
                    format!(
                        "đơn vị cấp trên `{p}` của `{}` không tồn tại vào ngày {}",
                        u.code, u.valid_from
                    ),
                ));
            }
        }
    }
    Ok(units)
}

/// Writes units in the format [`parse_units_csv`] reads.
pub fn write_units_csv(units: &[AdminUnit]) -> String {
    write_csv(
        &UNIT_COLUMNS,
        units.iter().map(|u| {
            vec![
                u.code.to_string(),
                u.name.clone(),
                u.kind.clone(),
                u.parent_code
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                level_number(u.scheme, u.level).to_string(),
                u.scheme.as_str().to_string(),
                u.valid_from.to_string(),
                u.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                u.date_precision.clone(),
                u.source.clone(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HISTORY: &[u8] = include_bytes!("../../../data/units-history.csv");

    fn none(_: &UnitCode, _: NaiveDate) -> bool {
        false
    }

    #[test]
    fn builtin_history_parses_and_round_trips() {
        let units = parse_units_csv("units-history.csv", HISTORY, &none).unwrap();
        assert!(units.len() > 15_000);
        let again = parse_units_csv("x.csv", write_units_csv(&units).as_bytes(), &none).unwrap();
        assert_eq!(units, again);
    }

    #[test]
    fn dong_hy_communes_2016_vs_2019() {
        let units = parse_units_csv("units-history.csv", HISTORY, &none).unwrap();
        let children = |d: &str| {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            units
                .iter()
                .filter(|u| {
                    u.parent_code.as_ref().is_some_and(|p| p.as_str() == "169") && u.valid_on(d)
                })
                .count()
        };
        assert_eq!(children("2016-06-01"), 18);
        assert_eq!(children("2017-08-17"), 18);
        assert_eq!(children("2017-08-18"), 15);
        assert_eq!(children("2019-05-09"), 15);
        assert_eq!(children("2025-07-01"), 0);
    }

    #[test]
    fn refuses_bad_rows() {
        let head = "code,name,type,parent_code,level,valid_from,valid_to\n";
        let cases = [
            (
                "19,T,Tỉnh,,1,2016-01-01,\n169,H,Huyện,99,2,2016-01-01,\n",
                3,
                "không tồn tại",
            ),
            (
                "19,T,Tỉnh,,1,2016-01-01,\n19,T,Tỉnh,,1,2016-06-01,\n",
                3,
                "trùng",
            ),
            ("1x,T,Tỉnh,,1,2016-01-01,\n", 2, "không hợp lệ"),
            ("19,T,Tỉnh,,1,2016-13-01,\n", 2, "YYYY-MM-DD"),
            ("19,T,Tỉnh,,1,2016-01-01,2015-01-01\n", 2, "valid_to"),
            ("169,H,Huyện,,2,2016-01-01,\n", 2, "thiếu `parent_code`"),
            ("05662,X,Xã,19,2,2016-01-01,\n", 2, "không khớp"),
        ];
        for (body, line, msg) in cases {
            let e =
                parse_units_csv("u.csv", format!("{head}{body}").as_bytes(), &none).unwrap_err();
            assert_eq!(e.line, line, "{body}: {e}");
            assert!(e.reason.contains(msg), "{body}: {e}");
        }
    }

    #[test]
    fn known_parent_from_storage_is_accepted() {
        let body = "code,name,type,parent_code,level,valid_from\n169,H,Huyện,19,2,2016-01-01\n";
        let known = |p: &UnitCode, _: NaiveDate| p.as_str() == "19";
        assert_eq!(
            parse_units_csv("u.csv", body.as_bytes(), &known)
                .unwrap()
                .len(),
            1
        );
    }
}
