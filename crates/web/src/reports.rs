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
