//! Identifier types that check on construction: once built, valid.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "mã đơn vị hành chính `{0}` không hợp lệ: cần 2 chữ số (tỉnh), 3 chữ số (huyện) hoặc 5 chữ số (xã)"
    )]
    Unit(String),
    #[error(
        "mã định danh cơ quan `{0}` không hợp lệ: cần dạng 000.00.00.H55 (QCVN 102:2016) hoặc H55.242"
    )]
    Agency(String),
    #[error("mã thủ tục `{0}` không hợp lệ: cần dạng 1.001193")]
    Procedure(String),
    #[error("số định danh cá nhân `{0}` không hợp lệ: cần đúng 12 chữ số")]
    CitizenId(String),
    #[error(
        "mã số thuế `{0}` không hợp lệ: cần 10 chữ số, hoặc 10 chữ số, dấu `-` và 3 chữ số (đơn vị phụ thuộc)"
    )]
    TaxCode(String),
}

macro_rules! string_code {
    ($(#[$m:meta])* $name:ident, $check:expr, $err:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses and validates.
            pub fn new(s: &str) -> Result<Self, CodeError> {
                let s = s.trim();
                let check: fn(&str) -> bool = $check;
                if check(s) { Ok(Self(s.to_string())) } else { Err(CodeError::$err(s.to_string())) }
            }
            pub fn as_str(&self) -> &str { &self.0 }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
        impl FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> { Self::new(s) }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(&self.0) }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::codes::string_schema(stringify!($name))
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A string schema for a validated code type.
#[cfg(feature = "openapi")]
pub(crate) fn string_schema(desc: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(desc.to_string()))
        .into()
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

string_code!(
    /// Administrative-unit code (Decision 124/2004/QĐ-TTg, Decision 19/2025/QĐ-TTg):
    /// province 2 digits, district 3, commune 5.
    UnitCode,
    |s| all_digits(s) && matches!(s.len(), 2 | 3 | 5),
    Unit
);

string_code!(
    /// National procedure code of the CSDL quốc gia về TTHC, e.g. `1.001193`.
    ProcedureCode,
    |s| {
        let b = s.as_bytes();
        b.len() == 8 && b[0].is_ascii_digit() && b[1] == b'.' && all_digits(&s[2..])
    },
    Procedure
);

string_code!(
    /// 12-digit personal identification number (số định danh cá nhân / CCCD).
    CitizenId,
    |s| s.len() == 12 && all_digits(s),
    CitizenId
);

string_code!(
    /// Electronic identifier of an agency (mã định danh điện tử).
    ///
    /// Two formats are accepted (domain.md §6.2):
    /// - QCVN 102:2016 `V1V2V3.Z1Z2.Y1Y2.MX1X2`, e.g. `000.00.00.H55`, read right to left;
    /// - the dotted DVCQG form `H55`, `H55.242`, `H55.242.3`, read left to right.
    AgencyCode,
    |s| is_qcvn(s) || is_dotted(s),
    Agency
);

fn is_prefix_part(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 3 && (b[0] == b'H' || b[0] == b'G') && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

fn is_qcvn(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts[0].len() == 3
        && all_digits(parts[0])
        && parts[1].len() == 2
        && all_digits(parts[1])
        && parts[2].len() == 2
        && all_digits(parts[2])
        && is_prefix_part(parts[3])
}

fn is_dotted(s: &str) -> bool {
    let mut parts = s.split('.');
    match parts.next() {
        Some(p) if is_prefix_part(p) => {}
        _ => return false,
    }
    parts.all(|p| (1..=4).contains(&p.len()) && all_digits(p))
}

/// Which identifier scheme an [`AgencyCode`] is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencyCodeScheme {
    Qcvn102,
    Dotted,
}

impl AgencyCode {
    pub fn scheme(&self) -> AgencyCodeScheme {
        if is_qcvn(&self.0) {
            AgencyCodeScheme::Qcvn102
        } else {
            AgencyCodeScheme::Dotted
        }
    }

    /// The province-level prefix (`H55`) of either format.
    pub fn root(&self) -> &str {
        match self.scheme() {
            AgencyCodeScheme::Qcvn102 => &self.0[10..13],
            AgencyCodeScheme::Dotted => &self.0[..3],
        }
    }

    /// The identifier of the parent in the same scheme, or `None` for a root.
    ///
    /// QCVN 102 is read right to left: `000.17.22.H56` → `000.00.22.H56` → `000.00.00.H56`.
    pub fn parent(&self) -> Option<AgencyCode> {
        match self.scheme() {
            AgencyCodeScheme::Qcvn102 => {
                let p: Vec<&str> = self.0.split('.').collect();
                let (v, z, y, m) = (p[0], p[1], p[2], p[3]);
                let next = if v != "000" {
                    format!("000.{z}.{y}.{m}")
                } else if z != "00" {
                    format!("000.00.{y}.{m}")
                } else if y != "00" {
                    format!("000.00.00.{m}")
                } else {
                    return None;
                };
                Some(AgencyCode(next))
            }
            AgencyCodeScheme::Dotted => self
                .0
                .rfind('.')
                .map(|i| AgencyCode(self.0[..i].to_string())),
        }
    }
}

impl CitizenId {
    /// Province-of-birth code (first 3 digits) as issued by the Ministry of Public Security.
    pub fn province_part(&self) -> &str {
        &self.0[..3]
    }
}

/// Government level (cấp) at which an agency works or a procedure is performed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cấp bộ / trung ương.
    Central,
    /// Cấp tỉnh.
    Province,
    /// Cấp huyện (until 2025-06-30).
    District,
    /// Cấp xã.
    Commune,
    /// Cơ quan khác (e.g. notary offices for certification).
    Other,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Central,
        Level::Province,
        Level::District,
        Level::Commune,
        Level::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Central => "central",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
            Level::Other => "other",
        }
    }

    /// The Vietnamese label used on the portal ("Cấp xã").
    pub fn label_vi(self) -> &'static str {
        match self {
            Level::Central => "Cấp bộ",
            Level::Province => "Cấp tỉnh",
            Level::District => "Cấp huyện",
            Level::Commune => "Cấp xã",
            Level::Other => "Cơ quan khác",
        }
    }

    /// Parses an API value (`commune`) or a portal label (`Cấp xã`).
    pub fn parse(s: &str) -> Option<Level> {
        let f = crate::text::fold(s);
        Some(match f.as_str() {
            "central" | "cap bo" | "cap trung uong" => Level::Central,
            "province" | "cap tinh" => Level::Province,
            "district" | "cap huyen" => Level::District,
            "commune" | "cap xa" => Level::Commune,
            "other" | "co quan khac" => Level::Other,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_codes() {
        for ok in ["19", "169", "05662"] {
            assert!(UnitCode::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1", "1234", "0566a", "123456", "1 9"] {
            assert!(UnitCode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn procedure_codes() {
        assert!(ProcedureCode::new("1.001193").is_ok());
        assert!(ProcedureCode::new("2.000815").is_ok());
        for bad in ["1001193", "1.00119", "a.001193", "1.0011934", "1,001193"] {
            assert!(ProcedureCode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn agency_codes_both_schemes() {
        let a = AgencyCode::new("000.17.22.H56").unwrap();
        assert_eq!(a.scheme(), AgencyCodeScheme::Qcvn102);
        assert_eq!(a.root(), "H56");
        assert_eq!(a.parent().unwrap().as_str(), "000.00.22.H56");
        assert_eq!(
            a.parent().unwrap().parent().unwrap().as_str(),
            "000.00.00.H56"
        );
        assert!(a.parent().unwrap().parent().unwrap().parent().is_none());
        let d = AgencyCode::new("H55.242").unwrap();
        assert_eq!(d.scheme(), AgencyCodeScheme::Dotted);
        assert_eq!(d.root(), "H55");
        assert_eq!(d.parent().unwrap().as_str(), "H55");
        for bad in [
            "",
            "H5",
            "000.00.00.X55",
            "00.00.00.H55",
            "H55.",
            "H55.abc",
            "000.00.00.H55.1",
        ] {
            assert!(AgencyCode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn citizen_id() {
        assert!(CitizenId::new("019203001234").is_ok());
        assert!(CitizenId::new("01920300123").is_err());
        assert!(CitizenId::new("01920300123x").is_err());
    }

    #[test]
    fn levels_parse_labels() {
        assert_eq!(Level::parse("Cấp xã"), Some(Level::Commune));
        assert_eq!(Level::parse("commune"), Some(Level::Commune));
        assert_eq!(Level::parse("Cơ quan khác"), Some(Level::Other));
        assert_eq!(Level::parse("x"), None);
    }

    #[test]
    fn serde_validates() {
        let r: Result<UnitCode, _> = serde_json::from_str("\"12\"");
        assert!(r.is_ok());
        let r: Result<UnitCode, _> = serde_json::from_str("\"1234\"");
        assert!(r.is_err());
    }
}

string_code!(
    /// Vietnamese tax code (mã số thuế) of an organisation: 10 digits, or
    /// 10 digits, `-` and 3 digits for a dependent unit (branch, chi nhánh),
    /// e.g. `0100109106` or `0100109106-001`. The check digit is not verified
    /// (its rule is not in the project's sources).
    TaxCode,
    |s| {
        let b = s.as_bytes();
        let digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
        (b.len() == 10 && digits(b))
            || (b.len() == 14 && digits(&b[..10]) && b[10] == b'-' && digits(&b[11..]))
    },
    TaxCode
);

impl TaxCode {
    /// The 10-digit code of the parent organisation (the whole code when it
    /// has no 3-digit suffix).
    pub fn main_part(&self) -> &str {
        &self.0[..10]
    }
}

#[cfg(test)]
mod tax_code_tests {
    use super::*;

    #[test]
    fn tax_codes() {
        for ok in ["0100109106", "0100109106-001", " 4600100155 "] {
            assert!(TaxCode::new(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            TaxCode::new("0100109106-001").unwrap().main_part(),
            "0100109106"
        );
        for bad in [
            "",
            "010010910",
            "01001091061",
            "0100109106-01",
            "0100109106_001",
            "0100109106-0011",
            "01001091ab",
            "0100109106-ab1",
            "đđđđđđđ-001",
        ] {
            assert!(TaxCode::new(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<TaxCode>("\"0100109106\"").is_ok());
        assert!(serde_json::from_str::<TaxCode>("\"12\"").is_err());
    }
}
