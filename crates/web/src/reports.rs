//! The statistics report (issue 7, docs/reports.md) in its output forms:
//! JSON (the API and `motcua report --format json`), CSV, and the table of
//! the official template for PDF (signing) and XLSX, through
//! `motcua_docs::TableDoc`. The figures come from
//! `motcua_store::Store::report` (running totals).

use crate::visits::fmt_number;
use motcua_core::report::columns;
use motcua_core::stats::Tally;
use motcua_docs::{HeaderCell, TableDoc};
use motcua_store::reports::Report;
use serde_json::{Map, Value, json};

/// What the report says about how it counts (printed under the table).
pub const COUNTING_NOTE: &str = "Mỗi hồ sơ được tính một lần trong mỗi phần: kỳ trước chuyển qua + mới tiếp nhận = đã giải quyết (trước hạn, đúng hạn, quá hạn) + trả lại + rút hồ sơ + đang giải quyết (trong hạn, quá hạn). Hồ sơ bị từ chối tiếp nhận không được tính.";

fn row_json(key_name: &str, key: &str, label: &str, t: &Tally) -> Value {
    let mut m = Map::new();
    m.insert(key_name.to_string(), Value::from(key));
    m.insert("label".into(), Value::from(label));
    for (name, _, v) in columns(t) {
        m.insert(name.into(), Value::from(v));
    }
    m.insert("resolved".into(), Value::from(t.resolved()));
    m.insert("in_progress".into(), Value::from(t.in_progress()));
    m.insert(
        "on_time_rate".into(),
        t.on_time_pct().map(Value::from).unwrap_or(Value::Null),
    );
    Value::Object(m)
}

/// The report as JSON: each row carries its grouping key under the
/// grouping's name (`"level": "district"`) and the counts.
pub fn report_json(r: &Report) -> Value {
    let key = r.group_by.as_str();
    json!({
        "from": r.from,
        "to": r.to,
        "judged_at": r.judged_at,
        "group_by": key,
        "agencies": r.agencies,
        "rows": r.rows.iter().map(|x| row_json(key, &x.key, &x.label, &x.tally)).collect::<Vec<_>>(),
        "total": row_json(key, "", "Tổng cộng", &r.total),
        "note": COUNTING_NOTE,
    })
}

/// The report as CSV (UTF-8, comma-separated, a header of the API names,
/// the total last).
pub fn report_csv(r: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![r.group_by.as_str().to_string(), "label".into()];
    head.extend(columns(&Tally::default()).iter().map(|c| c.0.to_string()));
    head.push("on_time_rate".into());
    let _ = w.write_record(&head);
    let line = |key: &str, label: &str, t: &Tally| {
        let mut v = vec![key.to_string(), label.to_string()];
        v.extend(columns(t).iter().map(|c| c.2.to_string()));
        v.push(t.on_time_pct().map(|p| p.to_string()).unwrap_or_default());
        v
    };
    for x in &r.rows {
        let _ = w.write_record(line(&x.key, &x.label, &x.tally));
    }
    let _ = w.write_record(line("", "Tổng cộng", &r.total));
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn pct(t: &Tally) -> String {
    t.on_time_pct()
        .map(|v| format!("{v:.1}").replace('.', ","))
        .unwrap_or_default()
}

fn n(v: u64) -> String {
    fmt_number(i64::try_from(v).unwrap_or(i64::MAX))
}

/// The report as the table of the official template (columns of form 06,
/// Circular 01/2020/TT-VPCP, as domain.md describes them), for PDF and XLSX.
pub fn table_doc(r: &Report, parent: &str, agency: &str, scope: &str) -> TableDoc {
    let c = HeaderCell::new;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let cells = |i: String, label: &str, t: &Tally| {
        vec![
            i,
            label.to_string(),
            n(t.total()),
            n(t.received_online),
            n(t.received_direct),
            n(t.carried_over),
            n(t.resolved()),
            n(t.resolved_early),
            n(t.resolved_on_time),
            n(t.resolved_overdue),
            n(t.returned),
            n(t.withdrawn),
            n(t.in_progress()),
            n(t.in_progress_within),
            n(t.in_progress_overdue),
            pct(t),
        ]
    };
    for (i, x) in r.rows.iter().enumerate() {
        let label = if x.label.is_empty() || x.label == x.key {
            x.key.clone()
        } else {
            format!("{} ({})", x.label, x.key)
        };
        rows.push(cells((i + 1).to_string(), &label, &x.tally));
    }
    rows.push(cells(String::new(), "Tổng cộng", &r.total));
    let strong = vec![rows.len() - 1];
    TableDoc {
        parent: parent.to_string(),
        agency: agency.to_string(),
        place: String::new(),
        date_words: String::new(),
        title: "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH".into(),
        subtitle: format!(
            "Kỳ báo cáo: từ ngày {} đến ngày {} · {}",
            r.from.format("%d/%m/%Y"),
            r.to.format("%d/%m/%Y"),
            scope
        ),
        landscape: true,
        font_size: 7.5,
        widths: vec![
            0.4, 2.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 0.8,
        ],
        header: vec![
            vec![
                c("STT", 1, 2),
                c(r.group_by.label_vi(), 1, 2),
                c("Số hồ sơ nhận giải quyết", 4, 1),
                c("Số hồ sơ đã giải quyết", 4, 1),
                c("Trả lại", 1, 2),
                c("Rút hồ sơ", 1, 2),
                c("Số hồ sơ đang giải quyết", 3, 1),
                c("Tỷ lệ đúng hạn (%)", 1, 2),
            ],
            vec![
                c("Tổng số", 1, 1),
                c("Trực tuyến", 1, 1),
                c("Trực tiếp, bưu chính", 1, 1),
                c("Kỳ trước chuyển qua", 1, 1),
                c("Tổng số", 1, 1),
                c("Trước hạn", 1, 1),
                c("Đúng hạn", 1, 1),
                c("Quá hạn", 1, 1),
                c("Tổng số", 1, 1),
                c("Trong hạn", 1, 1),
                c("Quá hạn", 1, 1),
            ],
        ],
        rows,
        first_numeric: 2,
        strong,
        notes: vec![
            COUNTING_NOTE.to_string(),
            format!(
                "Hồ sơ đang giải quyết được xét tại thời điểm {}. Số liệu lấy từ Hệ thống một cửa điện tử.",
                r.judged_at.format("%H:%M ngày %d/%m/%Y")
            ),
        ],
        sign_left: "NGƯỜI LẬP BIỂU".into(),
        sign_right: "THỦ TRƯỞNG ĐƠN VỊ".into(),
    }
}

/// The Vietnamese label of an apology reason code (`""`: none sent).
pub fn reason_label(code: &str) -> String {
    match motcua_core::dossier::OverdueReason::parse(code) {
        Some(r) => r.label_vi().to_string(),
        None => "Không có thư xin lỗi".to_string(),
    }
}

/// The causes of overdue as JSON.
pub fn causes_json(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    agencies: &[String],
    rows: &[motcua_store::reports::CauseRow],
) -> Value {
    let total: i64 = rows.iter().map(|r| r.dossiers).sum();
    json!({
        "from": from,
        "to": to,
        "agencies": agencies,
        "rows": rows.iter().map(|r| json!({
            "reason": r.reason,
            "reason_label": reason_label(&r.reason),
            "step": r.step,
            "step_agency": r.step_agency,
            "dossiers": r.dossiers,
            "lost_working_hours": (r.lost_minutes as f64 / 6.0).round() / 10.0,
        })).collect::<Vec<_>>(),
        "total": total,
        "note": "Hồ sơ giải quyết quá hạn trong kỳ, theo lý do ghi trong thư xin lỗi (mẫu 04) và bước, cơ quan làm chậm (phiếu kiểm soát, mẫu 05): bước vượt thời hạn nhiều nhất, hoặc bước đang giữ hồ sơ khi đến hạn.",
    })
}

/// The causes of overdue as CSV.
pub fn causes_csv(rows: &[motcua_store::reports::CauseRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "reason",
        "reason_label",
        "step",
        "step_agency",
        "dossiers",
        "lost_working_hours",
    ]);
    for r in rows {
        let _ = w.write_record([
            r.reason.clone(),
            reason_label(&r.reason),
            r.step.clone(),
            r.step_agency.clone(),
            r.dossiers.to_string(),
            format!("{:.1}", r.lost_minutes as f64 / 60.0),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The causes of overdue as a table for PDF and XLSX.
pub fn causes_table(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    rows: &[motcua_store::reports::CauseRow],
    parent: &str,
    agency: &str,
    scope: &str,
) -> TableDoc {
    let c = HeaderCell::new;
    let mut body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                reason_label(&r.reason),
                if r.step.is_empty() {
                    "—".into()
                } else {
                    r.step.clone()
                },
                r.step_agency.clone(),
                fmt_number(r.dossiers),
                format!("{:.1}", r.lost_minutes as f64 / 60.0).replace('.', ","),
            ]
        })
        .collect();
    let total: i64 = rows.iter().map(|r| r.dossiers).sum();
    let lost: i64 = rows.iter().map(|r| r.lost_minutes).sum();
    body.push(vec![
        String::new(),
        "Tổng cộng".into(),
        String::new(),
        String::new(),
        fmt_number(total),
        format!("{:.1}", lost as f64 / 60.0).replace('.', ","),
    ]);
    TableDoc {
        parent: parent.to_string(),
        agency: agency.to_string(),
        place: String::new(),
        date_words: String::new(),
        title: "NGUYÊN NHÂN HỒ SƠ GIẢI QUYẾT QUÁ HẠN".into(),
        subtitle: format!(
            "Kỳ báo cáo: từ ngày {} đến ngày {} · {}",
            from.format("%d/%m/%Y"),
            to.format("%d/%m/%Y"),
            scope
        ),
        landscape: false,
        font_size: 9.0,
        widths: vec![0.5, 3.0, 3.0, 1.8, 1.0, 1.2],
        header: vec![vec![
            c("STT", 1, 1),
            c("Lý do (thư xin lỗi)", 1, 1),
            c("Bước làm chậm", 1, 1),
            c("Cơ quan", 1, 1),
            c("Số hồ sơ", 1, 1),
            c("Thời gian chậm (giờ làm việc)", 1, 1),
        ]],
        strong: vec![body.len() - 1],
        rows: body,
        first_numeric: 4,
        notes: vec![
            "Hồ sơ giải quyết quá hạn trong kỳ. Bước làm chậm: bước vượt thời hạn của bước nhiều nhất theo phiếu kiểm soát quá trình giải quyết (mẫu 05), hoặc bước đang giữ hồ sơ khi đến hạn trả kết quả.".into(),
        ],
        sign_left: "NGƯỜI LẬP BIỂU".into(),
        sign_right: "THỦ TRƯỞNG ĐƠN VỊ".into(),
    }
}

/// The Decision 766 components as JSON.
pub fn index_json(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    input: &motcua_core::index766::IndexInput,
) -> Value {
    let comps = motcua_core::index766::components(input);
    let scored: f64 = comps.iter().filter_map(|c| c.score).sum();
    let max: f64 = comps
        .iter()
        .filter(|c| c.score.is_some())
        .map(|c| c.max)
        .sum();
    json!({
        "from": from,
        "to": to,
        "components": comps,
        "input": input,
        "score_of_computable": (scored * 100.0).round() / 100.0,
        "max_of_computable": max,
        "note": "Các thành phần của Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) tính được từ dữ liệu của hệ thống; điểm chính thức do Cổng Dịch vụ công quốc gia tính.",
    })
}

/// The Decision 766 components as CSV.
pub fn index_csv(input: &motcua_core::index766::IndexInput) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "code", "group", "label", "max", "ratio", "score", "formula", "note",
    ]);
    for c in motcua_core::index766::components(input) {
        let _ = w.write_record([
            c.code.to_string(),
            c.group.to_string(),
            c.label.to_string(),
            c.max.to_string(),
            c.ratio.map(|r| r.to_string()).unwrap_or_default(),
            c.score.map(|r| r.to_string()).unwrap_or_default(),
            c.formula.to_string(),
            c.note,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The Decision 766 components as a table for PDF and XLSX.
pub fn index_table(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    input: &motcua_core::index766::IndexInput,
    agency: &str,
    scope: &str,
) -> TableDoc {
    let c = HeaderCell::new;
    let dec = |x: f64| format!("{x:.2}").replace('.', ",");
    let rows: Vec<Vec<String>> = motcua_core::index766::components(input)
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            vec![
                (i + 1).to_string(),
                x.group.to_string(),
                x.label.to_string(),
                x.formula.to_string(),
                x.note.clone(),
                dec(x.max),
                x.score.map(dec).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    TableDoc {
        parent: String::new(),
        agency: agency.to_string(),
        place: String::new(),
        date_words: String::new(),
        title: "CÁC THÀNH PHẦN BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP".into(),
        subtitle: format!(
            "Quyết định 766/QĐ-TTg · từ ngày {} đến ngày {} · {}",
            from.format("%d/%m/%Y"),
            to.format("%d/%m/%Y"),
            scope
        ),
        landscape: true,
        font_size: 8.0,
        widths: vec![0.4, 1.6, 2.2, 4.0, 2.4, 0.7, 0.7],
        header: vec![vec![
            c("STT", 1, 1),
            c("Nhóm", 1, 1),
            c("Thành phần", 1, 1),
            c("Công thức", 1, 1),
            c("Số liệu", 1, 1),
            c("Điểm tối đa", 1, 1),
            c("Điểm", 1, 1),
        ]],
        rows,
        first_numeric: 5,
        strong: Vec::new(),
        notes: vec!["Điểm chính thức do Cổng Dịch vụ công quốc gia tính; bảng này dùng cùng công thức trên số liệu của Hệ thống một cửa điện tử để đơn vị thấy điểm mất ở đâu.".into()],
        sign_left: String::new(),
        sign_right: String::new(),
    }
}
