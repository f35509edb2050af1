//! Agencies (cơ quan, đơn vị): the organisation tree that does the work,
//! distinct from the territory. Each agency belongs to an administrative unit,
//! works at a level, may be a one-stop desk (Bộ phận Tiếp nhận và Trả kết quả)
//! and has its weekly working hours.

use crate::codes::{AgencyCode, Level, UnitCode};
use crate::import::{ImportError, parse_date, read_csv, write_csv};
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What kind of body an agency is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// Ủy ban nhân dân (tỉnh, huyện, xã).
    PeopleCommittee,
    /// Sở, ban, ngành at province level.
    Department,
    /// Phòng, ban at district level.
    Office,
    /// Bộ phận Tiếp nhận và Trả kết quả / Trung tâm Phục vụ hành chính công.
    Desk,
    Other,
}

impl AgencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::PeopleCommittee => "people_committee",
            AgencyKind::Department => "department",
            AgencyKind::Office => "office",
            AgencyKind::Desk => "desk",
            AgencyKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "people_committee" => AgencyKind::PeopleCommittee,
            "department" => AgencyKind::Department,
            "office" => AgencyKind::Office,
            "desk" => AgencyKind::Desk,
            "other" => AgencyKind::Other,
            _ => return None,
        })
    }
}

/// An agency.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: AgencyCode,
    pub name: String,
    pub parent_code: Option<AgencyCode>,
    pub unit_code: UnitCode,
    pub level: Level,
    pub kind: AgencyKind,
    /// True for a one-stop desk that receives dossiers.
    pub desk: bool,
    /// Weekly working hours, e.g. `Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`.
    pub hours: WeeklyHours,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// Weekly working sessions, parsed from and printed as a short text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklyHours {
    /// Monday first; each day its ordered, non-overlapping sessions.
    pub days: [Vec<(NaiveTime, NaiveTime)>; 7],
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Default for WeeklyHours {
    /// Monday to Friday, 07:30-11:30 and 13:30-17:00.
    fn default() -> Self {
        WeeklyHours::parse("Mon-Fri 07:30-11:30 13:30-17:00").unwrap_or(WeeklyHours {
            days: Default::default(),
        })
    }
}

impl WeeklyHours {
    /// Parses `Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut days: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        let day = |d: &str| {
            DAY_NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(d))
                .ok_or_else(|| format!("ngày `{d}` không hợp lệ (Mon..Sun)"))
        };
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let mut words = part.split_whitespace();
            let range = words.next().unwrap_or_default();
            let (a, b) = match range.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(range)?, day(range)?),
            };
            if a > b {
                return Err(format!("khoảng ngày `{range}` ngược"));
            }
            let mut sessions = Vec::new();
            for w in words {
                let (x, y) = w
                    .split_once('-')
                    .ok_or_else(|| format!("buổi `{w}` cần dạng HH:MM-HH:MM"))?;
                let t = |v: &str| {
                    NaiveTime::parse_from_str(v, "%H:%M")
                        .map_err(|_| format!("giờ `{v}` không hợp lệ"))
                };
                let (x, y) = (t(x)?, t(y)?);
                if x >= y {
                    return Err(format!("buổi `{w}`: giờ kết thúc phải sau giờ bắt đầu"));
                }
                if sessions.last().is_some_and(|&(_, e)| e > x) {
                    return Err(format!("buổi `{w}` chồng lên buổi trước"));
                }
                sessions.push((x, y));
            }
            if sessions.is_empty() {
                return Err(format!("`{part}` thiếu giờ làm việc"));
            }
            for d in a..=b {
                if !days[d].is_empty() {
                    return Err(format!("ngày {} được khai hai lần", DAY_NAMES[d]));
                }
                days[d] = sessions.clone();
            }
        }
        if days.iter().all(Vec::is_empty) {
            return Err("không có ngày làm việc nào".into());
        }
        Ok(WeeklyHours { days })
    }

    pub fn sessions(&self, w: Weekday) -> &[(NaiveTime, NaiveTime)] {
        &self.days[w.num_days_from_monday() as usize]
    }

    /// Working minutes in a normal week.
    pub fn minutes_per_week(&self) -> i64 {
        self.days
            .iter()
            .flatten()
            .map(|(a, b)| (*b - *a).num_minutes())
            .sum()
    }
}

impl std::fmt::Display for WeeklyHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        let mut d = 0;
        while d < 7 {
            if self.days[d].is_empty() {
                d += 1;
                continue;
            }
            let mut e = d;
            while e + 1 < 7 && self.days[e + 1] == self.days[d] {
                e += 1;
            }
            let range = if e == d {
                DAY_NAMES[d].to_string()
            } else {
                format!("{}-{}", DAY_NAMES[d], DAY_NAMES[e])
            };
            let s: Vec<String> = self.days[d]
                .iter()
                .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
                .collect();
            parts.push(format!("{range} {}", s.join(" ")));
            d = e + 1;
        }
        f.write_str(&parts.join("; "))
    }
}

impl Serialize for WeeklyHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for WeeklyHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::codes::string_schema(
            "Weekly working hours, e.g. `Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`",
        )
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for WeeklyHours {}

impl<'de> Deserialize<'de> for WeeklyHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WeeklyHours::parse(&s).map_err(serde::de::Error::custom)
    }
}

pub const AGENCY_COLUMNS: [&str; 13] = [
    "code",
    "name",
    "parent_code",
    "unit_code",
    "level",
    "kind",
    "desk",
    "hours",
    "address",
    "phone",
    "email",
    "valid_from",
    "valid_to",
];

/// Parses the agency CSV ([`AGENCY_COLUMNS`]). Parents must be in the file or
/// already stored (`known_agency`); units must exist (`known_unit`, checked by
/// the caller against storage).
pub fn parse_agencies_csv(
    file: &str,
    bytes: &[u8],
    known_agency: &dyn Fn(&AgencyCode) -> bool,
    known_unit: &dyn Fn(&UnitCode) -> bool,
) -> Result<Vec<Agency>, ImportError> {
    let rows = read_csv(file, bytes, &["code", "name", "unit_code", "level", "kind"])?;
    let mut out: Vec<Agency> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<AgencyCode, usize> = HashMap::new();
    let mut lines = Vec::new();
    for r in &rows {
        let e = |m: String| ImportError::new(file, r.line, m);
        let code = AgencyCode::new(r.get("code")).map_err(|x| e(x.to_string()))?;
        if let Some(l) = seen.insert(code.clone(), r.line) {
            return Err(e(format!("mã `{code}` trùng với dòng {l}")));
        }
        if r.get("name").is_empty() {
            return Err(e("cột `name` trống".into()));
        }
        let parent_code = match r.opt("parent_code") {
            Some(p) => Some(AgencyCode::new(p).map_err(|x| e(format!("`parent_code`: {x}")))?),
            None => None,
        };
        let unit_code =
            UnitCode::new(r.get("unit_code")).map_err(|x| e(format!("`unit_code`: {x}")))?;
        if !known_unit(&unit_code) {
            return Err(e(format!(
                "đơn vị hành chính `{unit_code}` chưa có trong danh mục"
            )));
        }
        let level = Level::parse(r.get("level"))
            .ok_or_else(|| e(format!("`level` = `{}` không hợp lệ", r.get("level"))))?;
        let kind = AgencyKind::parse(r.get("kind")).ok_or_else(|| {
            e(format!(
                "`kind` = `{}`: cần people_committee, department, office, desk hoặc other",
                r.get("kind")
            ))
        })?;
        let desk = match r.get("desk") {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" | "" => false,
            x => return Err(e(format!("`desk` = `{x}`: cần true hoặc false"))),
        };
        let hours = match r.opt("hours") {
            Some(h) => WeeklyHours::parse(h).map_err(|m| e(format!("`hours`: {m}")))?,
            None => WeeklyHours::default(),
        };
        let date = |col: &str| {
            r.opt(col)
                .map(|s| parse_date(file, r.line, col, s))
                .transpose()
        };
        let (valid_from, valid_to) = (date("valid_from")?, date("valid_to")?);
        if let (Some(a), Some(b)) = (valid_from, valid_to)
            && b <= a
        {
            return Err(e("`valid_to` phải sau `valid_from`".into()));
        }
        out.push(Agency {
            code,
            name: r.get("name").to_string(),
            parent_code,
            unit_code,
            level,
            kind,
            desk,
            hours,
            address: r.get("address").to_string(),
            phone: r.get("phone").to_string(),
            email: r.get("email").to_string(),
            valid_from,
            valid_to,
        });
        lines.push(r.line);
    }
    for (a, line) in out.iter().zip(&lines) {
        if let Some(p) = &a.parent_code {
            if p == &a.code {
                return Err(ImportError::new(
                    file,
                    *line,
                    format!("`{}` không thể là cấp trên của chính nó", a.code),
                ));
            }
            if !seen.contains_key(p) && !known_agency(p) {
                return Err(ImportError::new(
                    file,
                    *line,
                    format!("cơ quan cấp trên `{p}` không tồn tại"),
                ));
            }
        }
    }
    Ok(out)
}

/// Writes agencies in the format [`parse_agencies_csv`] reads.
pub fn write_agencies_csv(agencies: &[Agency]) -> String {
    let d = |d: &Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    write_csv(
        &AGENCY_COLUMNS,
        agencies.iter().map(|a| {
            vec![
                a.code.to_string(),
                a.name.clone(),
                a.parent_code
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                a.unit_code.to_string(),
                a.level.as_str().to_string(),
                a.kind.as_str().to_string(),
                a.desk.to_string(),
                a.hours.to_string(),
                a.address.clone(),
                a.phone.clone(),
                a.email.clone(),
                d(&a.valid_from),
                d(&a.valid_to),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &[u8] = include_bytes!("../../../data/agencies-thai-nguyen.csv");

    #[test]
    fn hours_parse_and_print() {
        let h = WeeklyHours::parse("Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30").unwrap();
        assert_eq!(h.sessions(Weekday::Sat).len(), 1);
        assert_eq!(h.sessions(Weekday::Sun).len(), 0);
        assert_eq!(h.minutes_per_week(), 5 * 450 + 240);
        assert_eq!(
            h.to_string(),
            "Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30"
        );
        assert_eq!(WeeklyHours::parse(&h.to_string()).unwrap(), h);
        for bad in [
            "",
            "Mon",
            "Xyz 07:00-08:00",
            "Mon 08:00-07:00",
            "Mon 07:00-09:00 08:00-10:00",
            "Fri-Mon 07:00-08:00",
            "Mon 7h-8h",
            "Mon-Fri 07:00-08:00; Tue 09:00-10:00",
        ] {
            assert!(WeeklyHours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn demo_agencies_round_trip() {
        let yes = |_: &UnitCode| true;
        let no = |_: &AgencyCode| false;
        let a = parse_agencies_csv("a.csv", DEMO, &no, &yes).unwrap();
        assert!(a.iter().filter(|x| x.desk).count() >= 16);
        let again =
            parse_agencies_csv("a.csv", write_agencies_csv(&a).as_bytes(), &no, &yes).unwrap();
        assert_eq!(a, again);
    }

    #[test]
    fn refuses_unknown_parent_and_duplicates() {
        let head = "code,name,parent_code,unit_code,level,kind,desk\n";
        let yes = |_: &UnitCode| true;
        let no = |_: &AgencyCode| false;
        let e = parse_agencies_csv(
            "a.csv",
            format!("{head}000.00.21.H55,X,000.00.00.H55,169,district,office,false\n").as_bytes(),
            &no,
            &yes,
        )
        .unwrap_err();
        assert_eq!((e.line, e.reason.contains("không tồn tại")), (2, true));
        let e = parse_agencies_csv("a.csv", format!("{head}000.00.00.H55,X,,19,province,office,false\n000.00.00.H55,Y,,19,province,office,false\n").as_bytes(), &no, &yes).unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse_agencies_csv(
            "a.csv",
            format!("{head}000.00.00.H55,X,,19,province,office,maybe\n").as_bytes(),
            &no,
            &yes,
        )
        .unwrap_err();
        assert!(e.reason.contains("desk"));
        let nounit = |_: &UnitCode| false;
        let e = parse_agencies_csv(
            "a.csv",
            format!("{head}000.00.00.H55,X,,19,province,office,false\n").as_bytes(),
            &no,
            &nounit,
        )
        .unwrap_err();
        assert!(e.reason.contains("chưa có"));
    }
}
