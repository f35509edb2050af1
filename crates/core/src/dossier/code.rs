//! The dossier code (*mã số hồ sơ*) of Circular 01/2018/TT-VPCP Art 19 and
//! Decree 61/2018 Art 26: `{agency identifier}-{YYMMDD}-{NNNN}`, e.g.
//! `000.17.22.H56-210531-0001` (domain.md §6.1).
//!
//! Overflow policy (domain.md §6.1 asks for more than 9 999 a day): the
//! sequence of the day is written with 4 digits up to 9 999. From 10 000 on it
//! is written as a capital letter giving the number of digits that follow
//! (`A` = 5 digits, `B` = 6, … `F` = 10) and the number itself without leading
//! zeros: 10 000 is `A10000`, 123 456 is `B123456`. Because `'9' < 'A'` in
//! ASCII and numbers of one letter have the same width, the codes of one agency
//! and day sort as strings in the order of their sequence numbers, and every
//! sequence number has exactly one spelling, so codes stay unique. The first
//! 9 999 codes of a day are exactly the national form.

use crate::codes::AgencyCode;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Why a dossier code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    #[error(
        "mã hồ sơ `{0}` không hợp lệ: cần dạng <mã định danh cơ quan>-<YYMMDD>-<số thứ tự>, ví dụ 000.17.22.H56-210531-0001"
    )]
    Format(String),
    #[error("số thứ tự hồ sơ trong ngày phải từ 1 trở lên")]
    ZeroSequence,
    #[error("ngày tiếp nhận {0} nằm ngoài 2000..=2099, không viết được dưới dạng YYMMDD")]
    DateOutOfRange(NaiveDate),
}

/// A dossier code; once built, valid (the agency identifier, the date and the
/// sequence number are checked and kept parsed).
#[derive(Clone, Debug)]
pub struct DossierCode {
    text: String,
    agency: AgencyCode,
    date: NaiveDate,
    seq: u32,
}

/// Writes a sequence number under the overflow policy of the module docs.
fn encode_seq(seq: u32) -> String {
    if seq <= 9999 {
        format!("{seq:04}")
    } else {
        let digits = seq.to_string();
        // u32 has at most 10 digits: 5..=10 maps to A..=F.
        let letter = char::from(b'A' + (digits.len() as u8 - 5));
        format!("{letter}{digits}")
    }
}

/// Reads a sequence number; refuses any spelling [`encode_seq`] would not produce.
fn decode_seq(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if first.is_ascii_digit() {
        if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n: u32 = s.parse().ok()?;
        return (n >= 1).then_some(n);
    }
    if !(b'A'..=b'F').contains(&first) {
        return None;
    }
    let width = usize::from(first - b'A') + 5;
    let rest = &b[1..];
    if rest.len() != width || rest[0] == b'0' || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s[1..].parse().ok()
}

impl DossierCode {
    /// The code of the `seq`-th dossier received by `agency` on `date`
    /// (`seq` counts from 1). The date must lie in 2000..=2099.
    pub fn new(agency: &AgencyCode, date: NaiveDate, seq: u32) -> Result<Self, DossierCodeError> {
        if seq == 0 {
            return Err(DossierCodeError::ZeroSequence);
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(DossierCodeError::DateOutOfRange(date));
        }
        let text = format!(
            "{}-{:02}{:02}{:02}-{}",
            agency.as_str(),
            date.year() - 2000,
            date.month(),
            date.day(),
            encode_seq(seq)
        );
        Ok(DossierCode {
            text,
            agency: agency.clone(),
            date,
            seq,
        })
    }

    /// Parses a code (surrounding white space is ignored). `YYMMDD` is read as
    /// 20YY.
    pub fn parse(s: &str) -> Result<Self, DossierCodeError> {
        let s = s.trim();
        let bad = || DossierCodeError::Format(s.to_string());
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let seq = decode_seq(seq).ok_or_else(bad)?;
        let d = date.as_bytes();
        if d.len() != 6 || !d.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let num = |i: usize| u32::from(d[i] - b'0') * 10 + u32::from(d[i + 1] - b'0');
        let date = NaiveDate::from_ymd_opt(2000 + num(0) as i32, num(2), num(4)).ok_or_else(bad)?;
        let agency_text = agency;
        let agency = AgencyCode::new(agency_text).map_err(|_| bad())?;
        if agency.as_str() != agency_text {
            // AgencyCode::new trims; a code with inner white space is not canonical.
            return Err(bad());
        }
        Self::new(&agency, date, seq)
    }

    /// The identifier of the receiving agency.
    pub fn agency(&self) -> &AgencyCode {
        &self.agency
    }

    /// The date in the code (the reception date, or the submission date of an
    /// online dossier).
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The sequence number within the agency's day, from 1.
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// True when the sequence is beyond 9 999 and uses the overflow spelling.
    pub fn is_overflow(&self) -> bool {
        self.seq > 9999
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for DossierCode {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
impl Eq for DossierCode {}
impl Hash for DossierCode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}
impl PartialOrd for DossierCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for DossierCode {
    /// String order, which within one agency and day is the sequence order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for DossierCode {
    type Err = DossierCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for DossierCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DossierCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DossierCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::codes::string_schema("DossierCode")
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DossierCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency() -> AgencyCode {
        AgencyCode::new("000.17.22.H56").unwrap()
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 5, 31).unwrap()
    }

    #[test]
    fn the_national_example() {
        let c = DossierCode::new(&agency(), date(), 1).unwrap();
        assert_eq!(c.as_str(), "000.17.22.H56-210531-0001");
        let p = DossierCode::parse("000.17.22.H56-210531-0001").unwrap();
        assert_eq!(p, c);
        assert_eq!(p.agency(), &agency());
        assert_eq!(p.date(), date());
        assert_eq!(p.seq(), 1);
        assert!(!p.is_overflow());
        let dotted = DossierCode::parse("H55.242-250701-0042").unwrap();
        assert_eq!(dotted.agency().as_str(), "H55.242");
        assert_eq!(dotted.seq(), 42);
    }

    #[test]
    fn overflow_spelling() {
        let cases = [
            (9999, "9999"),
            (10_000, "A10000"),
            (99_999, "A99999"),
            (100_000, "B100000"),
            (u32::MAX, "F4294967295"),
        ];
        for (n, s) in cases {
            let c = DossierCode::new(&agency(), date(), n).unwrap();
            assert_eq!(c.as_str(), format!("000.17.22.H56-210531-{s}"));
            assert_eq!(DossierCode::parse(c.as_str()).unwrap().seq(), n);
            assert_eq!(c.is_overflow(), n > 9999);
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(
            DossierCode::new(&agency(), date(), 0),
            Err(DossierCodeError::ZeroSequence)
        );
        let old = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert!(matches!(
            DossierCode::new(&agency(), old, 1),
            Err(DossierCodeError::DateOutOfRange(_))
        ));
        for bad in [
            "",
            "000.17.22.H56-210531",
            "000.17.22.H56-210531-0000",
            "000.17.22.H56-210531-001",
            "000.17.22.H56-210531-00001",
            "000.17.22.H56-210531-10000",
            "000.17.22.H56-210531-A09999",
            "000.17.22.H56-210531-A1000",
            "000.17.22.H56-210531-G10000000000",
            "000.17.22.H56-210531-F9999999999",
            "000.17.22.H56-210231-0001",
            "000.17.22.H56-2105310-0001",
            "000.17.22.H5-210531-0001",
            "000.17.22 .H56-210531-0001",
            "-210531-0001",
            "000.17.22.H56--0001",
            "000.17.22.H56-21053a-0001",
            "000.17.22.H56-210531-00ñ1",
            "000.17.22.H56-2105ñ-0001",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_is_a_validated_string() {
        let c = DossierCode::new(&agency(), date(), 7).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"000.17.22.H56-210531-0007\"");
        assert_eq!(serde_json::from_str::<DossierCode>(&json).unwrap(), c);
        assert!(serde_json::from_str::<DossierCode>("\"x-210531-0001\"").is_err());
    }

    #[test]
    fn string_order_is_sequence_order() {
        let mut v: Vec<DossierCode> = [1u32, 9999, 10_000, 99_999, 100_000, 42, 1_000_000]
            .iter()
            .map(|&n| DossierCode::new(&agency(), date(), n).unwrap())
            .collect();
        v.sort();
        let seqs: Vec<u32> = v.iter().map(DossierCode::seq).collect();
        assert_eq!(seqs, [1, 42, 9999, 10_000, 99_999, 100_000, 1_000_000]);
    }
}
