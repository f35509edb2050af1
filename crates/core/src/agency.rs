//! Agencies (cơ quan, đơn vị): the organisation tree that does the work,
//! distinct from the territory. Each agency belongs to an administrative unit,
//! works at a level, may be a one-stop desk (Bộ phận Tiếp nhận và Trả kết quả)
//! and has its weekly working hours.

use crate::calendar::WorkingHours;
use crate::codes::{AgencyCode, Level, UnitCode};
use crate::import::{ImportError, parse_date, read_csv, write_csv};
use chrono::NaiveDate;
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
    pub hours: WorkingHours,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Agency {
    /// Whether the agency exists on `day` (within its validity period).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day < t)
    }

    /// Whether this agency may receive `procedure` on `day`: a one-stop
    /// desk, open that day, at a level the procedure is published for (a
    /// record without a published level is taken to be a commune
    /// procedure). The desk, the portal and the API all ask this.
    pub fn may_receive(&self, procedure: &crate::catalogue::Procedure, day: NaiveDate) -> bool {
        let levels = procedure.levels();
        self.desk
            && self.open_on(day)
            && (levels.contains(&self.level) || (levels.is_empty() && self.level == Level::Commune))
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
            Some(h) => WorkingHours::parse(h).map_err(|m| e(format!("`hours`: {m}")))?,
            None => WorkingHours::standard(),
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
