//! The components of the service index of Decision 766/QĐ-TTg (23/06/2022)
//! that the one-stop system's own data can compute (domain.md §1.8; the
//! national portal's formula sheet "Công thức 766.xlsx", as reconstructed
//! there). The national portal's own score stays authoritative; these are
//! the same formulas on our figures, each with its inputs shown, so that a
//! leader sees where the points are lost. Components our data cannot give
//! (online payment, synchronisation to the national portal, petitions,
//! digitisation) are listed with the reason and no score.

use crate::stats::Tally;
use serde::Serialize;

/// What the components are computed from, for one scope and period.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IndexInput {
    /// The statistics of the scope and period.
    pub tally: Tally,
    /// Ratings given in the period rated "not satisfied" or worse.
    pub dissatisfied: u64,
    /// Procedures of the catalogue at the scope's levels.
    pub procedures: u64,
    /// Of them, provided online (online submission).
    pub procedures_online: u64,
    /// Of those, with at least one dossier received online in the period.
    pub online_with_dossiers: u64,
    /// Procedures whose published record has documents, processing time,
    /// fees and legal basis.
    pub procedures_full: u64,
}

/// One component of the index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Component {
    /// The national code (or our name when it has none).
    pub code: &'static str,
    pub group: &'static str,
    pub label: &'static str,
    pub max: f64,
    /// The ratio the score comes from, 0..=1; `None` when not computable.
    pub ratio: Option<f64>,
    pub score: Option<f64>,
    /// The formula, in words.
    pub formula: &'static str,
    /// Why there is no score, or what the ratio counts.
    pub note: String,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The components, in the order of the decision's groups.
pub fn components(i: &IndexInput) -> Vec<Component> {
    let t = &i.tally;
    let handled = t.total();
    let progress = ratio(t.in_time() + t.in_progress_within, handled);
    let a = ratio(i.procedures_online, i.procedures);
    let b = ratio(i.online_with_dossiers, i.procedures_online);
    let c = ratio(t.received_online, t.received());
    let online = match (a, b, c) {
        (Some(a), Some(b), Some(c)) => {
            Some((2.0 * a / 0.8).min(2.0) + 4.0 * b + (6.0 * c / 0.5).min(6.0))
        }
        _ => None,
    };
    let resolved = t.resolved();
    let satisfied = ratio(
        resolved.saturating_sub(i.dissatisfied + t.resolved_overdue),
        resolved,
    );
    let full = ratio(i.procedures_full, i.procedures);
    let none = |code, group, label, max, formula, why: &str| Component {
        code,
        group,
        label,
        max,
        ratio: None,
        score: None,
        formula,
        note: why.to_string(),
    };
    vec![
        Component {
            code: "PUBLIC_CONTENT_FULL",
            group: "Công khai, minh bạch",
            label: "Thủ tục công bố đầy đủ nội dung",
            max: 2.0,
            ratio: full.map(round2),
            score: full.map(|r| round2(2.0 * r)),
            formula: "thủ tục có đủ thành phần hồ sơ, thời hạn, phí và căn cứ pháp lý ÷ thủ tục đã công bố; điểm = 2 × tỷ lệ",
            note: format!("{} / {} thủ tục", i.procedures_full, i.procedures),
        },
        none(
            "DOSSIER_SYNC",
            "Công khai, minh bạch",
            "Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
            6.0,
            "hồ sơ đồng bộ đúng thời gian ÷ hồ sơ tiếp nhận, đang giải quyết, trả kết quả",
            "chưa tính được: đồng bộ lên Cổng Dịch vụ công quốc gia chưa có (kết nối liên thông)",
        ),
        Component {
            code: "PROGRESS",
            group: "Tiến độ giải quyết",
            label: "Hồ sơ giải quyết trước hạn, đúng hạn",
            max: 20.0,
            ratio: progress.map(round2),
            score: progress.map(|r| round2(20.0 * r)),
            formula: "(giải quyết trước hạn + đúng hạn + đang giải quyết trong hạn) ÷ (kỳ trước chuyển qua + tiếp nhận trong kỳ); điểm = 20 × tỷ lệ",
            note: format!("{} / {} hồ sơ", t.in_time() + t.in_progress_within, handled),
        },
        Component {
            code: "ONLINE_SERVICE",
            group: "Dịch vụ công trực tuyến",
            label: "Cung cấp và sử dụng dịch vụ công trực tuyến",
            max: 12.0,
            ratio: c.map(round2),
            score: online.map(round2),
            formula: "min(2, 2·A/0,8) + 4·B + min(6, 6·C/0,5); A = thủ tục trực tuyến ÷ thủ tục, B = thủ tục trực tuyến có hồ sơ ÷ thủ tục trực tuyến, C = hồ sơ nộp trực tuyến ÷ hồ sơ tiếp nhận",
            note: format!(
                "A = {}/{}, B = {}/{}, C = {}/{}",
                i.procedures_online,
                i.procedures,
                i.online_with_dossiers,
                i.procedures_online,
                t.received_online,
                t.received()
            ),
        },
        none(
            "ONLINE_PAYMENT",
            "Thanh toán trực tuyến",
            "Hồ sơ thanh toán trực tuyến",
            10.0,
            "hồ sơ thanh toán trực tuyến ÷ hồ sơ của thủ tục có phí, lệ phí",
            "chưa tính được: hệ thống ghi nhận nghĩa vụ tài chính nhưng chưa có thanh toán trực tuyến",
        ),
        Component {
            code: "DOSSIER_RECEIVING_SATISFACTION",
            group: "Mức độ hài lòng",
            label: "Hài lòng trong tiếp nhận, giải quyết TTHC",
            max: 6.0,
            ratio: satisfied.map(round2),
            score: satisfied.map(|r| round2((6.0 * r / 0.9).min(6.0))),
            formula: "(hồ sơ đã giải quyết − hồ sơ bị đánh giá không hài lòng − hồ sơ giải quyết quá hạn) ÷ hồ sơ đã giải quyết; đủ điểm từ 90 %: min(6, 6·tỷ lệ/0,9)",
            note: format!(
                "{} đã giải quyết, {} đánh giá không hài lòng, {} quá hạn",
                resolved, i.dissatisfied, t.resolved_overdue
            ),
        },
        none(
            "PETITION_PROCESSING_ON_TIME",
            "Mức độ hài lòng",
            "Phản ánh, kiến nghị xử lý đúng hạn",
            6.0,
            "(đúng hạn + đang xử lý trong hạn) ÷ phản ánh, kiến nghị",
            "chưa tính được: hệ thống chưa tiếp nhận phản ánh, kiến nghị",
        ),
        none(
            "DIGITISATION",
            "Số hóa hồ sơ",
            "Số hóa hồ sơ, kết quả giải quyết",
            22.0,
            "hồ sơ có kết quả điện tử, thành phần được số hóa, tái sử dụng dữ liệu …",
            "chưa tính được: kết quả điện tử có giá trị pháp lý và kho dữ liệu công dân chưa có",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_article_district_scores_on_progress_and_satisfaction() {
        // The article's district (2016-2018): 29,828 received, 29,166 early
        // and on time, 357 overdue, 305 returned; no ratings, nothing online.
        let i = IndexInput {
            tally: Tally {
                received_direct: 29_828,
                resolved_on_time: 29_166,
                resolved_overdue: 357,
                returned: 305,
                ..Default::default()
            },
            procedures: 200,
            procedures_online: 40,
            online_with_dossiers: 0,
            procedures_full: 190,
            ..Default::default()
        };
        let c = components(&i);
        let get = |code| c.iter().find(|x| x.code == code).unwrap();
        // (29,166 + 0) / 29,828 = 0.9778 → 19.56 of 20.
        assert_eq!(get("PROGRESS").ratio, Some(0.98));
        assert_eq!(get("PROGRESS").score, Some(19.56));
        // (29,523 − 0 − 357) / 29,523 = 0.9879 ≥ 0.9 → full 6.
        assert_eq!(get("DOSSIER_RECEIVING_SATISFACTION").score, Some(6.0));
        // A = 0.2 → 0.5; B = 0; C = 0 → 0.5 of 12.
        assert_eq!(get("ONLINE_SERVICE").score, Some(0.5));
        assert_eq!(get("PUBLIC_CONTENT_FULL").score, Some(1.9));
        assert_eq!(get("ONLINE_PAYMENT").score, None);
        assert!(get("ONLINE_PAYMENT").note.contains("chưa tính được"));
        // Nothing to divide by: no score, no panic.
        let empty = components(&IndexInput::default());
        assert!(empty.iter().all(|x| x.score.is_none()));
    }
}
