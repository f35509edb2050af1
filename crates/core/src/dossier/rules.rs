//! Versioned rule sets (domain.md §0.1, §4.4; "What the software must do"
//! item 1): the rules that changed over time, as data with validity dates. A
//! dossier is evaluated under the rule set in force on its reception date.
//!
//! The built-in table ([`RuleSetTable::builtin`]) has four sets; storage may
//! load another table (serde) and check it with [`RuleSetTable::new`].

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What happens to the processing clock when the applicant supplements a
/// received dossier (domain.md §4.4).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementClock {
    /// The full processing time starts again from the moment the complete
    /// supplement is received (Decree 61/2018 Art 19(4) as amended).
    Restart,
    /// The clock stood still while waiting; the due moment moves by the
    /// paused working time.
    Pause,
}

/// The kind of a slip or ledger, whatever its form number in a set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlipKind {
    /// Receipt and appointment slip.
    Receipt,
    /// Request for supplementation.
    Supplement,
    /// Refusal slip.
    Refusal,
    /// Apology and new appointment (extension request from 2025).
    Apology,
    /// Notice of stopped processing (Circular 03/2025 only).
    StopNotice,
    /// Process control sheet.
    ControlSheet,
    /// Dossier tracking ledger.
    Ledger,
}

impl SlipKind {
    /// The name used in URLs (`/slips/{form}.pdf`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SlipKind::Receipt => "receipt",
            SlipKind::Supplement => "supplement",
            SlipKind::Refusal => "refusal",
            SlipKind::Apology => "apology",
            SlipKind::StopNotice => "stop-notice",
            SlipKind::ControlSheet => "control-sheet",
            SlipKind::Ledger => "ledger",
        }
    }
}

/// Paper size of a printed form.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Paper {
    A4,
    A5,
}

/// One form of a slip set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipForm {
    pub kind: SlipKind,
    /// Form number in its instrument, e.g. `01`.
    pub form_no: String,
    /// Official title.
    pub name_vi: String,
    pub paper: Paper,
    /// The instrument that sets the form.
    pub instrument: String,
}

/// The rules in force for dossiers received in a period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Stable identifier stored with each dossier, e.g. `nd-61-2018`.
    pub id: String,
    pub name: String,
    pub legal_basis: Vec<String>,
    /// First reception date (None: from the beginning of time).
    pub valid_from: Option<NaiveDate>,
    /// Last reception date (None: still in force).
    pub valid_to: Option<NaiveDate>,
    /// Clock policy when a received dossier is supplemented.
    pub supplement_clock: SupplementClock,
    /// A supplementation request after reception must be issued within this
    /// many working days of reception (None: no limit known).
    pub supplement_notice_working_days: Option<u32>,
    /// Supplementation is requested once, completely (*một lần đầy đủ*): at
    /// most one request before reception and one after.
    pub supplement_once: bool,
    /// Direct dossiers received after this time are forwarded at the start of
    /// the next working day (None: same working day, no cut-off).
    pub forwarding_cutoff: Option<NaiveTime>,
    /// How many apologies with a new appointment a dossier may have.
    pub apology_max: u32,
    /// The apology must be issued at least this many working days before the
    /// due moment (0: any time before it).
    pub apology_min_lead_working_days: u32,
    /// An online dossier must be received within this many working days of
    /// submission (domain.md §3.2 #1).
    pub online_reception_working_days: u32,
    /// Awaiting a financial obligation stops the clock.
    pub payment_stops_clock: bool,
    /// A suspension stops the clock.
    pub suspension_stops_clock: bool,
    /// Structure of the dossier code.
    pub dossier_code_format: String,
    /// The slips and ledger of the period.
    pub slips: Vec<SlipForm>,
    /// What is sourced, what is inferred, what must be confirmed.
    pub notes: Vec<String>,
}

impl RuleSet {
    /// True when `date` lies in the validity period.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }

    /// The form of a kind, if the set has one.
    pub fn slip(&self, kind: SlipKind) -> Option<&SlipForm> {
        self.slips.iter().find(|s| s.kind == kind)
    }

    /// The built-in set in force on `date` (see [`RuleSetTable::builtin`]).
    pub fn for_reception(date: NaiveDate) -> &'static RuleSet {
        RuleSetTable::builtin_shared().for_reception_or_first(date)
    }

    /// A built-in set by identifier.
    pub fn by_id(id: &str) -> Option<&'static RuleSet> {
        RuleSetTable::builtin_shared().by_id(id)
    }
}

/// Why a rule-set table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleSetError {
    #[error("bảng quy tắc rỗng")]
    Empty,
    #[error("mã bộ quy tắc `{0}` bị trùng hoặc rỗng")]
    BadId(String),
    #[error(
        "bộ quy tắc `{0}`: các bộ phải nối tiếp nhau, không chồng lấn, không để trống ngày nào (bộ đầu không có ngày bắt đầu, bộ cuối không có ngày kết thúc)"
    )]
    NotContiguous(String),
    #[error("bộ quy tắc `{0}`: số lần hẹn lại phải từ 1 trở lên")]
    Apology(String),
}

/// A checked table of rule sets: sorted, contiguous, covering every date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSetTable {
    sets: Vec<RuleSet>,
}

impl<'de> Deserialize<'de> for RuleSetTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            sets: Vec<RuleSet>,
        }
        let w = Wire::deserialize(d)?;
        RuleSetTable::new(w.sets).map_err(serde::de::Error::custom)
    }
}

impl RuleSetTable {
    /// Checks and sorts a table: unique non-empty ids; the first set open at
    /// the start, the last open at the end, each starting the day after the
    /// previous one ends.
    pub fn new(mut sets: Vec<RuleSet>) -> Result<Self, RuleSetError> {
        if sets.is_empty() {
            return Err(RuleSetError::Empty);
        }
        sets.sort_by_key(|s| s.valid_from);
        let mut ids = std::collections::HashSet::new();
        for s in &sets {
            if s.id.trim().is_empty() || !ids.insert(s.id.clone()) {
                return Err(RuleSetError::BadId(s.id.clone()));
            }
            if s.apology_max == 0 {
                return Err(RuleSetError::Apology(s.id.clone()));
            }
        }
        let bad = |s: &RuleSet| RuleSetError::NotContiguous(s.id.clone());
        if sets[0].valid_from.is_some() {
            return Err(bad(&sets[0]));
        }
        for pair in sets.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (Some(end), Some(start)) = (a.valid_to, b.valid_from) else {
                return Err(bad(b));
            };
            if end.succ_opt() != Some(start) {
                return Err(bad(b));
            }
        }
        for s in &sets {
            if let (Some(f), Some(t)) = (s.valid_from, s.valid_to)
                && t < f
            {
                return Err(bad(s));
            }
        }
        if sets.last().is_some_and(|s| s.valid_to.is_some()) {
            return Err(bad(&sets[sets.len() - 1]));
        }
        Ok(RuleSetTable { sets })
    }

    /// The sets, oldest first.
    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// The set in force on `date` (a checked table covers every date).
    pub fn for_reception(&self, date: NaiveDate) -> Option<&RuleSet> {
        self.sets.iter().find(|s| s.covers(date))
    }

    fn for_reception_or_first(&self, date: NaiveDate) -> &RuleSet {
        self.for_reception(date).unwrap_or(&self.sets[0])
    }

    pub fn by_id(&self, id: &str) -> Option<&RuleSet> {
        self.sets.iter().find(|s| s.id == id)
    }

    /// The built-in table (docs/dossier.md §6):
    /// `qd-09-2015` (to 2018-06-20), `nd-61-2018` (2018-06-21..=2021-12-05),
    /// `nd-61-2018-107-2021` (2021-12-06..=2025-06-30), `nd-118-2025`
    /// (from 2025-07-01).
    pub fn builtin() -> RuleSetTable {
        RuleSetTable::new(builtin_sets()).unwrap_or_else(|_| RuleSetTable {
            sets: builtin_sets(),
        })
    }

    /// The built-in table, built once.
    pub fn builtin_shared() -> &'static RuleSetTable {
        static TABLE: OnceLock<RuleSetTable> = OnceLock::new();
        TABLE.get_or_init(RuleSetTable::builtin)
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn slip(kind: SlipKind, no: &str, name: &str, paper: Paper, instrument: &str) -> SlipForm {
    SlipForm {
        kind,
        form_no: no.to_string(),
        name_vi: name.to_string(),
        paper,
        instrument: instrument.to_string(),
    }
}

/// Forms 01-06 of Circular 01/2018/TT-VPCP (Art 9: A5, the ledger A4).
fn circular_01_2018_slips() -> Vec<SlipForm> {
    let t = "Thông tư 01/2018/TT-VPCP";
    vec![
        slip(
            SlipKind::Receipt,
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::Supplement,
            "02",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::Refusal,
            "03",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::Apology,
            "04",
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::ControlSheet,
            "05",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            Paper::A5,
            t,
        ),
        slip(SlipKind::Ledger, "06", "Sổ theo dõi hồ sơ", Paper::A4, t),
    ]
}

/// Annex I of Circular 03/2025/TT-VPCP as domain.md §2.2 knows it (paper sizes
/// not sourced: kept as in 2018).
fn circular_03_2025_slips() -> Vec<SlipForm> {
    let t = "Thông tư 03/2025/TT-VPCP";
    vec![
        slip(
            SlipKind::Receipt,
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::Supplement,
            "02",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::Refusal,
            "03",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::Apology,
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::StopNotice,
            "05",
            "Thông báo dừng giải quyết hồ sơ",
            Paper::A5,
            t,
        ),
        slip(
            SlipKind::ControlSheet,
            "06",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            Paper::A5,
            t,
        ),
        slip(SlipKind::Ledger, "07", "Sổ theo dõi hồ sơ", Paper::A4, t),
    ]
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const CODE_FORMAT: &str = "{mã định danh cơ quan}-{YYMMDD}-{NNNN}";

fn builtin_sets() -> Vec<RuleSet> {
    let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
    vec![
        RuleSet {
            id: "qd-09-2015".into(),
            name: "Quyết định 09/2015/QĐ-TTg".into(),
            legal_basis: strings(&["Quyết định 09/2015/QĐ-TTg ngày 25/03/2015"]),
            valid_from: None,
            valid_to: ymd(2018, 6, 20),
            supplement_clock: SupplementClock::Pause,
            supplement_notice_working_days: None,
            supplement_once: true,
            forwarding_cutoff: None,
            apology_max: 1,
            apology_min_lead_working_days: 0,
            online_reception_working_days: 1,
            payment_stops_clock: true,
            suspension_stops_clock: true,
            dossier_code_format: CODE_FORMAT.into(),
            slips: circular_01_2018_slips(),
            notes: strings(&[
                "Also used for dossiers received before 15/05/2015 (Decision 93/2007 is not modelled).",
                "[inferred] Supplementation pauses the clock (time already spent counts), as production systems did.",
                "[inferred] No 3-working-day notice limit, no 15:00 forwarding cut-off and no minimum apology lead are known from the sources for this period.",
                "[inferred] The forms of Decision 09/2015 are not in the sources; the Circular 01/2018 set is printed.",
            ]),
        },
        RuleSet {
            id: "nd-61-2018".into(),
            name: "Nghị định 61/2018/NĐ-CP".into(),
            legal_basis: strings(&[
                "Nghị định 61/2018/NĐ-CP ngày 23/04/2018",
                "Thông tư 01/2018/TT-VPCP ngày 23/11/2018",
            ]),
            valid_from: ymd(2018, 6, 21),
            valid_to: ymd(2021, 12, 5),
            supplement_clock: SupplementClock::Pause,
            supplement_notice_working_days: Some(3),
            supplement_once: true,
            forwarding_cutoff: cutoff,
            apology_max: 1,
            apology_min_lead_working_days: 1,
            online_reception_working_days: 1,
            payment_stops_clock: true,
            suspension_stops_clock: true,
            dossier_code_format: CODE_FORMAT.into(),
            slips: circular_01_2018_slips(),
            notes: strings(&[
                "Forwarding cut-off 15:00: Decree 61/2018 Art 18.",
                "[inferred] Supplementation pauses the clock before Decree 107/2021 (domain.md §1.3); TO BE CONFIRMED from the original text of Art 19(4).",
                "[inferred] The 3-working-day notice limit and the 1-day apology lead may have come only with Decree 107/2021; TO BE CONFIRMED.",
                "Circular 01/2018 (forms 01-06) took effect on 06/01/2019; its forms are also printed for 21/06/2018..05/01/2019.",
            ]),
        },
        RuleSet {
            id: "nd-61-2018-107-2021".into(),
            name: "Nghị định 61/2018/NĐ-CP sửa đổi bởi Nghị định 107/2021/NĐ-CP".into(),
            legal_basis: strings(&[
                "Nghị định 61/2018/NĐ-CP ngày 23/04/2018",
                "Nghị định 107/2021/NĐ-CP ngày 06/12/2021",
                "Thông tư 01/2018/TT-VPCP ngày 23/11/2018",
            ]),
            valid_from: ymd(2021, 12, 6),
            valid_to: ymd(2025, 6, 30),
            supplement_clock: SupplementClock::Restart,
            supplement_notice_working_days: Some(3),
            supplement_once: true,
            forwarding_cutoff: cutoff,
            apology_max: 1,
            apology_min_lead_working_days: 1,
            online_reception_working_days: 1,
            payment_stops_clock: true,
            suspension_stops_clock: true,
            dossier_code_format: CODE_FORMAT.into(),
            slips: circular_01_2018_slips(),
            notes: strings(&[
                "Restart from zero after a complete supplement: codified Decree 61/2018 Art 19(4) (domain.md §1.2).",
                "Cut-over 06/12/2021 = the date Decree 107/2021 took effect (a provincial notice of 22/12/2021; only its Art 1(11) was staggered to 2022-2023); that the Art 19(4) change dates from it is TO BE CONFIRMED.",
            ]),
        },
        RuleSet {
            id: "nd-118-2025".into(),
            name: "Nghị định 118/2025/NĐ-CP".into(),
            legal_basis: strings(&[
                "Nghị định 118/2025/NĐ-CP ngày 09/06/2025",
                "Thông tư 03/2025/TT-VPCP",
            ]),
            valid_from: ymd(2025, 7, 1),
            valid_to: None,
            supplement_clock: SupplementClock::Restart,
            supplement_notice_working_days: Some(3),
            supplement_once: true,
            forwarding_cutoff: cutoff,
            apology_max: 1,
            apology_min_lead_working_days: 1,
            online_reception_working_days: 1,
            payment_stops_clock: true,
            suspension_stops_clock: true,
            dossier_code_format: CODE_FORMAT.into(),
            slips: circular_03_2025_slips(),
            notes: strings(&[
                "[inferred] Clock, cut-off and apology rules carried over from Decree 61/2018 as amended; the text of Decree 118/2025 is not in the sources.",
                "The dossier-code format of Circular 03/2025 was not found; the Circular 01/2018 structure is kept.",
                "Slip set: Circular 03/2025 Annex I (7 forms) as domain.md §2.2 knows it; paper sizes [inferred].",
            ]),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn builtin_is_a_valid_table() {
        let t = RuleSetTable::new(builtin_sets()).unwrap();
        assert_eq!(t.sets().len(), 4);
        assert_eq!(RuleSetTable::builtin(), t);
    }

    #[test]
    fn choice_by_reception_date() {
        let id = |y, m, day| RuleSet::for_reception(d(y, m, day)).id.as_str();
        assert_eq!(id(2010, 1, 1), "qd-09-2015");
        assert_eq!(id(2018, 6, 20), "qd-09-2015");
        assert_eq!(id(2018, 6, 21), "nd-61-2018");
        assert_eq!(id(2021, 12, 5), "nd-61-2018");
        assert_eq!(id(2021, 12, 6), "nd-61-2018-107-2021");
        assert_eq!(id(2025, 6, 30), "nd-61-2018-107-2021");
        assert_eq!(id(2025, 7, 1), "nd-118-2025");
        assert_eq!(id(2099, 1, 1), "nd-118-2025");
        assert_eq!(
            RuleSet::for_reception(d(2019, 1, 1)).supplement_clock,
            SupplementClock::Pause
        );
        assert_eq!(
            RuleSet::for_reception(d(2022, 1, 1)).supplement_clock,
            SupplementClock::Restart
        );
    }

    #[test]
    fn slip_sets() {
        let old = RuleSet::for_reception(d(2019, 3, 1));
        assert_eq!(old.slips.len(), 6);
        assert_eq!(old.slip(SlipKind::Ledger).unwrap().paper, Paper::A4);
        assert_eq!(old.slip(SlipKind::ControlSheet).unwrap().form_no, "05");
        assert!(old.slip(SlipKind::StopNotice).is_none());
        let new = RuleSet::for_reception(d(2025, 8, 1));
        assert_eq!(new.slips.len(), 7);
        assert_eq!(new.slip(SlipKind::ControlSheet).unwrap().form_no, "06");
        assert_eq!(new.slip(SlipKind::StopNotice).unwrap().form_no, "05");
        assert_eq!(SlipKind::ControlSheet.as_str(), "control-sheet");
    }

    #[test]
    fn bad_tables_are_refused() {
        assert_eq!(RuleSetTable::new(vec![]), Err(RuleSetError::Empty));
        let mut gap = builtin_sets();
        gap[1].valid_from = ymd(2018, 6, 22);
        assert!(matches!(
            RuleSetTable::new(gap),
            Err(RuleSetError::NotContiguous(_))
        ));
        let mut dup = builtin_sets();
        dup[1].id = dup[0].id.clone();
        assert!(matches!(
            RuleSetTable::new(dup),
            Err(RuleSetError::BadId(_))
        ));
        let mut closed = builtin_sets();
        closed[3].valid_to = ymd(2030, 1, 1);
        assert!(RuleSetTable::new(closed).is_err());
        let mut open = builtin_sets();
        open[0].valid_from = ymd(2000, 1, 1);
        assert!(RuleSetTable::new(open).is_err());
        let mut apology = builtin_sets();
        apology[2].apology_max = 0;
        assert!(matches!(
            RuleSetTable::new(apology),
            Err(RuleSetError::Apology(_))
        ));
    }

    #[test]
    fn serde_round_trip_checks() {
        let t = RuleSetTable::builtin();
        let json = serde_json::to_string(&t).unwrap();
        let back: RuleSetTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["sets"][1]["valid_from"] = serde_json::json!("2018-07-01");
        assert!(serde_json::from_value::<RuleSetTable>(v).is_err());
    }
}
