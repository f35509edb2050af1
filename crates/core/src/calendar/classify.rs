//! Per-dossier classification against the due moment (domain.md §5.2).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Verdict for a resolved dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// *Trước hạn*: finished on a calendar date before the due date.
    Early,
    /// *Đúng hạn*: finished on the due date, at or before the due moment.
    OnTime,
    /// *Quá hạn*: finished after the due moment.
    Overdue,
}

impl Timeliness {
    pub const fn as_str(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Overdue => "overdue",
        }
    }

    /// The label of the report tables.
    pub const fn label_vi(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Overdue => "Quá hạn",
        }
    }

    /// Early or on time: what the on-time rate counts.
    pub const fn is_in_time(self) -> bool {
        !matches!(self, Timeliness::Overdue)
    }
}

/// Verdict for a dossier still being processed at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenTimeliness {
    /// *Trong hạn*: the due moment has not passed.
    WithinTime,
    /// *Quá hạn*: the due moment has passed.
    Overdue,
}

impl OpenTimeliness {
    pub const fn as_str(self) -> &'static str {
        match self {
            OpenTimeliness::WithinTime => "within_time",
            OpenTimeliness::Overdue => "overdue",
        }
    }

    pub const fn label_vi(self) -> &'static str {
        match self {
            OpenTimeliness::WithinTime => "Trong hạn",
            OpenTimeliness::Overdue => "Quá hạn",
        }
    }
}

/// Classifies a resolved dossier. Early: finished on a calendar date before
/// the due moment's date. On time: finished on the due date at or before the
/// due moment (to the second). Overdue: finished after the due moment, even
/// on the due date (the receipt prints the due minute, so the exact moment is
/// the promise; see `docs/calendar.md`).
pub fn classify_resolved(due: NaiveDateTime, finished: NaiveDateTime) -> Timeliness {
    if finished > due {
        Timeliness::Overdue
    } else if finished.date() < due.date() {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

/// Classifies an open dossier at moment `at`: within time while `at <= due`.
pub fn classify_open(due: NaiveDateTime, at: NaiveDateTime) -> OpenTimeliness {
    if at <= due {
        OpenTimeliness::WithinTime
    } else {
        OpenTimeliness::Overdue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2019, 3, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn resolved_boundaries() {
        let due = at(19, 14, 10);
        assert_eq!(classify_resolved(due, at(18, 23, 59)), Timeliness::Early);
        assert_eq!(classify_resolved(due, at(19, 0, 0)), Timeliness::OnTime);
        assert_eq!(classify_resolved(due, at(19, 14, 10)), Timeliness::OnTime);
        assert_eq!(classify_resolved(due, at(19, 14, 11)), Timeliness::Overdue);
        assert_eq!(classify_resolved(due, at(19, 18, 0)), Timeliness::Overdue);
        assert_eq!(classify_resolved(due, at(20, 8, 0)), Timeliness::Overdue);
    }

    #[test]
    fn open_boundaries() {
        let due = at(19, 14, 10);
        assert_eq!(
            classify_open(due, at(19, 14, 10)),
            OpenTimeliness::WithinTime
        );
        assert_eq!(classify_open(due, at(19, 14, 11)), OpenTimeliness::Overdue);
    }

    #[test]
    fn labels_and_serde() {
        assert_eq!(
            serde_json::to_string(&Timeliness::OnTime).unwrap(),
            "\"on_time\""
        );
        assert_eq!(
            serde_json::to_string(&OpenTimeliness::WithinTime).unwrap(),
            "\"within_time\""
        );
        assert_eq!(Timeliness::Early.label_vi(), "Trước hạn");
        assert_eq!(
            Timeliness::Overdue.label_vi(),
            OpenTimeliness::Overdue.label_vi()
        );
        assert!(Timeliness::OnTime.is_in_time());
    }
}
