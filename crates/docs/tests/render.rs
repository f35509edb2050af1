//! Real PDFs from the templates, with Vietnamese text and the QR code.

use motcua_docs::{
    HeaderCell, LedgerData, Line, SlipData, Table, TableDoc, date_words, ledger_pdf,
    printable_text, qr_svg, slip_pdf, table_pdf,
};

fn slip() -> SlipData {
    SlipData {
        paper: "a5".into(),
        parent: "Ủy ban nhân dân tỉnh Thái Nguyên".into(),
        agency: "Trung tâm Phục vụ hành chính công xã Đồng Hỷ".into(),
        place: "Xã Đồng Hỷ".into(),
        date_words: date_words(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
        title: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ".into(),
        form: "Mẫu số 01 - Thông tư 01/2018/TT-VPCP".into(),
        code: "H55.305.1-261130-0001".into(),
        paragraphs: vec![
            Line::new(
                "Ông/bà",
                "Nguyễn Thị Ắ Ằ Ẳ Ẵ Ặ Ế Ề Ể Ễ Ệ Ố Ồ Ổ Ỗ Ộ Ớ Ờ Ở Ỡ Ợ Ứ Ừ Ử Ữ Ự Ý Ỳ Ỷ Ỹ Ỵ",
            ),
            Line::new(
                "Nội dung yêu cầu giải quyết",
                "Thủ tục đăng ký khai sinh #[x] $y$ *z* <script>",
            ),
            Line::new(
                "5. Thời gian trả kết quả giải quyết hồ sơ",
                "17 giờ 00 phút, ngày 03/12/2026",
            ),
        ],
        table: Some(Table {
            widths: vec![0.5, 6.0, 2.0],
            header: vec!["TT".into(), "Tên giấy tờ".into(), "Số lượng".into()],
            rows: vec![vec![
                "1".into(),
                "Giấy chứng sinh".into(),
                "1 bản chính".into(),
            ]],
        }),
        sign_left: "NGƯỜI NỘP HỒ SƠ".into(),
        sign_right: "NGƯỜI TIẾP NHẬN HỒ SƠ".into(),
        qr_svg: qr_svg("H55.305.1-261130-0001").unwrap(),
    }
}

fn keep(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("MOTCUA_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
    }
}

#[test]
fn slip_renders_vietnamese_and_markup_characters_literally() {
    let pdf = slip_pdf(&slip()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf.len() > 10_000,
        "fonts are embedded: {} bytes",
        pdf.len()
    );
    // Noto Serif is embedded (subset), no other font.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("NotoSerif"), "Noto Serif embedded");
    keep("receipt.pdf", &pdf);
}

#[test]
fn a4_slip_without_table_or_qr() {
    let mut s = slip();
    s.paper = "a4".into();
    s.table = None;
    s.qr_svg = String::new();
    s.sign_left = String::new();
    assert!(slip_pdf(&s).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn ledger_renders() {
    let rows = (1..=40)
        .map(|i| {
            vec![
                i.to_string(),
                format!("H55.305.1-261130-{i:04}"),
                "Thủ tục đăng ký khai sinh".into(),
                "Nguyễn Văn A".into(),
                "30/11/2026 08:00".into(),
                "03/12/2026 17:00".into(),
                String::new(),
                String::new(),
                "Đã tiếp nhận".into(),
            ]
        })
        .collect();
    let pdf = ledger_pdf(&LedgerData {
        parent: "Ủy ban nhân dân tỉnh Thái Nguyên".into(),
        agency: "Trung tâm Phục vụ hành chính công xã Đồng Hỷ".into(),
        subtitle: "Năm 2026".into(),
        rows,
    })
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    keep("ledger.pdf", &pdf);
}

#[test]
fn a_character_the_font_lacks_is_replaced_by_a_visible_mark_not_a_box() {
    // Issue 18.7: an emoji in a stored name stopped the receipt, the control
    // sheet and the desk's whole ledger.
    let mark = printable_text("😀");
    assert!(mark == "\u{FFFD}" || mark == "?", "{mark}");
    assert_eq!(printable_text("A → B"), format!("A {mark} B"));
    assert_eq!(printable_text("Nguyễn Văn An"), "Nguyễn Văn An");
    assert_eq!(printable_text("a\u{7}b\u{202E}c"), format!("a b{mark}c"));
    let mut s = slip();
    s.paragraphs
        .push(Line::new("Bên giao", "A → B 😀 \u{202E}Иван李明\u{0007}"));
    let pdf = slip_pdf(&s).expect("the slip prints");
    assert!(pdf.starts_with(b"%PDF-"));
}

fn table_doc() -> TableDoc {
    TableDoc {
        parent: "Ủy ban nhân dân huyện Đồng Hỷ".into(),
        agency: "Bộ phận Tiếp nhận và Trả kết quả".into(),
        place: "Đồng Hỷ".into(),
        date_words: date_words(chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()),
        title: "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT TTHC".into(),
        subtitle: "Từ 01/01/2016 đến 31/12/2018".into(),
        landscape: true,
        font_size: 8.0,
        widths: vec![0.5, 3.0, 1.0, 1.0, 1.0],
        header: vec![
            vec![
                HeaderCell::new("STT", 1, 2),
                HeaderCell::new("Đơn vị", 1, 2),
                HeaderCell::new("Số hồ sơ đã giải quyết", 3, 1),
            ],
            vec![
                HeaderCell::new("Trước hạn", 1, 1),
                HeaderCell::new("Đúng hạn", 1, 1),
                HeaderCell::new("Quá hạn", 1, 1),
            ],
        ],
        rows: (1..=120)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("Xã Sông Cầu #{i} *[x]* $y$"),
                    "29.166".into(),
                    "0".into(),
                    "357".into(),
                ]
            })
            .collect(),
        first_numeric: 2,
        strong: vec![119],
        notes: vec!["Mỗi hồ sơ được tính một lần trong mỗi phần.".into()],
        sign_left: "NGƯỜI LẬP BIỂU".into(),
        sign_right: "THỦ TRƯỞNG ĐƠN VỊ".into(),
    }
}

#[test]
fn table_document_with_spanning_header_renders_over_pages() {
    let pdf = table_pdf(&table_doc()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    keep("table.pdf", &pdf);
}

#[test]
fn table_document_refuses_a_row_of_the_wrong_width() {
    let mut d = table_doc();
    d.rows[3].pop();
    let e = table_pdf(&d).unwrap_err().to_string();
    assert!(e.contains("dòng 4"), "{e}");
    d.widths.clear();
    assert!(table_pdf(&d).is_err());
}

#[test]
fn table_as_xlsx_keeps_vietnamese_and_merges_the_header() {
    let bytes = motcua_docs::table_xlsx(&table_doc(), "Báo cáo").unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip container");
    keep("table.xlsx", &bytes);
    let mut d = table_doc();
    d.rows[0].push("x".into());
    assert!(
        motcua_docs::table_xlsx(&d, "Báo cáo")
            .unwrap_err()
            .to_string()
            .contains("dòng 1")
    );
}
