//! Satisfaction ratings (*đánh giá mức độ hài lòng*, issue 6 §6; domain.md
//! §9): once per dossier, by its applicant, after the result is returned (or
//! the dossier was given back unresolved), on the five-level scale, for the
//! five elements of SIPAS (access, procedure, civil servant, result,
//! feedback handling), with the two facts Decree 61 Art 31 asks of the
//! applicant (how many times they had to come, whether they paid anything
//! beyond the published fees) and a free comment.

use crate::dossier::{Dossier, State};
use serde::{Deserialize, Serialize};

/// The five-level scale, best first (value 5 … 1).
pub const LEVELS: [(u8, &str); 5] = [
    (5, "Rất hài lòng"),
    (4, "Hài lòng"),
    (3, "Bình thường"),
    (2, "Không hài lòng"),
    (1, "Rất không hài lòng"),
];

/// The criteria rated on the scale: (key, question).
pub const CRITERIA: [(&str, &str); 5] = [
    (
        "tiep_can",
        "Tiếp cận dịch vụ: tìm thông tin, nơi nộp, cách nộp hồ sơ",
    ),
    (
        "thu_tuc",
        "Thủ tục hành chính: công khai, đầy đủ, đúng như đã niêm yết",
    ),
    (
        "cong_chuc",
        "Công chức tiếp nhận, giải quyết: thái độ, hướng dẫn, tinh thần trách nhiệm",
    ),
    (
        "ket_qua",
        "Kết quả giải quyết: đúng hẹn, chính xác, đúng quy định",
    ),
    ("phan_hoi", "Tiếp nhận, xử lý ý kiến phản ánh, kiến nghị"),
];

/// How many times the applicant had to contact the desk (Circular 01/2018
/// Art 13, indicator 3).
pub const CONTACTS: [(u8, &str); 3] = [(1, "Một lần"), (2, "Hai lần"), (3, "Ba lần trở lên")];

/// Longest comment, in characters.
pub const COMMENT_MAX: usize = 2_000;

/// The name of a level value.
pub fn level_label(v: u8) -> &'static str {
    LEVELS.iter().find(|l| l.0 == v).map(|l| l.1).unwrap_or("")
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RatingError {
    #[error("hồ sơ chưa trả kết quả nên chưa thể đánh giá")]
    NotReturned,
    #[error("chưa chọn mức đánh giá cho \"{0}\"")]
    Missing(&'static str),
    #[error("mức đánh giá `{0}` không hợp lệ (chọn từ 1 đến 5)")]
    Level(String),
    #[error("số lần liên hệ `{0}` không hợp lệ")]
    Contacts(String),
    #[error("ý kiến dài quá {COMMENT_MAX} ký tự")]
    TooLong,
}

/// One applicant's rating, checked on construction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// The overall level, 1-5.
    pub overall: u8,
    /// One level per [`CRITERIA`] key, in that order.
    pub criteria: Vec<(String, u8)>,
    /// 1, 2 or 3 (three or more).
    pub contacts: u8,
    /// The applicant says they paid something beyond the published fees.
    pub unofficial_cost: bool,
    pub comment: String,
}

fn level(name: &'static str, v: Option<&str>) -> Result<u8, RatingError> {
    let v = v
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(RatingError::Missing(name))?;
    match v.parse::<u8>() {
        Ok(n @ 1..=5) => Ok(n),
        _ => Err(RatingError::Level(v.to_string())),
    }
}

impl Rating {
    /// Builds a rating from form answers: `overall`, each criterion key,
    /// `contacts`, `unofficial_cost` (`co`/`khong`), `comment`.
    pub fn from_answers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Rating, RatingError> {
        let overall = level("Mức độ hài lòng chung", get("overall"))?;
        let criteria = CRITERIA
            .iter()
            .map(|(k, q)| Ok(((*k).to_string(), level(q, get(k))?)))
            .collect::<Result<Vec<_>, RatingError>>()?;
        let contacts = match get("contacts").map(str::trim) {
            Some("1") => 1,
            Some("2") => 2,
            Some("3") => 3,
            None | Some("") => return Err(RatingError::Missing("Số lần liên hệ")),
            Some(o) => return Err(RatingError::Contacts(o.to_string())),
        };
        let unofficial_cost = get("unofficial_cost").map(str::trim) == Some("co");
        let comment = get("comment").unwrap_or("").trim().to_string();
        if comment.chars().count() > COMMENT_MAX {
            return Err(RatingError::TooLong);
        }
        Ok(Rating {
            overall,
            criteria,
            contacts,
            unofficial_cost,
            comment,
        })
    }

    /// Satisfied: "Hài lòng" or better overall (the reports' satisfaction
    /// rate counts these).
    pub fn satisfied(&self) -> bool {
        self.overall >= 4
    }
}

/// Whether a dossier may be rated now: its result was returned, or it was
/// given back or refused (the applicant dealt with the desk all the same).
pub fn ratable(d: &Dossier) -> Result<(), RatingError> {
    match d.state {
        State::ResultReturned | State::ReturnedUnresolved | State::RefusedAtReception => Ok(()),
        _ => Err(RatingError::NotReturned),
    }
}

/// Aggregate of ratings for the reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingSummary {
    pub count: u64,
    pub satisfied: u64,
    /// Count per overall level, index 0 = level 1.
    pub by_level: [u64; 5],
}

impl RatingSummary {
    pub fn add(&mut self, overall: u8) {
        self.add_n(overall, 1);
    }

    /// Counts `n` ratings of the same level (a grouped count from storage).
    pub fn add_n(&mut self, overall: u8, n: u64) {
        if (1..=5).contains(&overall) {
            self.count += n;
            self.by_level[usize::from(overall - 1)] += n;
            if overall >= 4 {
                self.satisfied += n;
            }
        }
    }

    /// Share of satisfied ratings in per cent, one decimal; `None` without
    /// ratings.
    pub fn satisfied_pct(&self) -> Option<f64> {
        (self.count > 0)
            .then(|| (self.satisfied as f64 * 1000.0 / self.count as f64).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn answers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn full() -> HashMap<String, String> {
        let mut a = answers(&[
            ("overall", "5"),
            ("contacts", "1"),
            ("unofficial_cost", "khong"),
        ]);
        for (k, _) in CRITERIA {
            a.insert(k.into(), "4".into());
        }
        a
    }

    #[test]
    fn a_complete_form_is_a_rating() {
        let a = full();
        let r = Rating::from_answers(|k| a.get(k).map(String::as_str)).unwrap();
        assert_eq!(r.overall, 5);
        assert_eq!(r.criteria.len(), 5);
        assert!(r.satisfied());
        assert!(!r.unofficial_cost);
    }

    #[test]
    fn every_missing_or_bad_answer_is_named() {
        let mut a = full();
        a.remove("ket_qua");
        let e = Rating::from_answers(|k| a.get(k).map(String::as_str)).unwrap_err();
        assert!(e.to_string().contains("Kết quả giải quyết"), "{e}");
        let mut a = full();
        a.insert("overall".into(), "6".into());
        assert_eq!(
            Rating::from_answers(|k| a.get(k).map(String::as_str)),
            Err(RatingError::Level("6".into()))
        );
        let mut a = full();
        a.insert("contacts".into(), "9".into());
        assert!(matches!(
            Rating::from_answers(|k| a.get(k).map(String::as_str)),
            Err(RatingError::Contacts(_))
        ));
        let mut a = full();
        a.insert("comment".into(), "x".repeat(COMMENT_MAX + 1));
        assert_eq!(
            Rating::from_answers(|k| a.get(k).map(String::as_str)),
            Err(RatingError::TooLong)
        );
    }

    #[test]
    fn summary_counts_satisfied() {
        let mut s = RatingSummary::default();
        assert_eq!(s.satisfied_pct(), None);
        for v in [5, 4, 3, 1, 9] {
            s.add(v);
        }
        assert_eq!(s.count, 4);
        assert_eq!(s.satisfied, 2);
        assert_eq!(s.by_level, [1, 0, 1, 1, 1]);
        assert_eq!(s.satisfied_pct(), Some(50.0));
    }

    proptest! {
        #[test]
        fn summary_parts_add_up(levels in proptest::collection::vec(0u8..8, 0..100)) {
            let mut s = RatingSummary::default();
            for l in &levels { s.add(*l); }
            prop_assert_eq!(s.by_level.iter().sum::<u64>(), s.count);
            prop_assert!(s.satisfied <= s.count);
            prop_assert_eq!(s.satisfied, s.by_level[3] + s.by_level[4]);
        }
    }
}
