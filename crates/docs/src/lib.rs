//! Printed documents of motcua (the slips and the ledger of Circular
//! 01/2018/TT-VPCP) as PDF, typeset with typst, Noto Serif embedded (covers
//! every Vietnamese letter). Kept in its own crate: typst takes minutes to
//! build, and nothing else should rebuild it.
//!
//! The templates (`templates/*.typ`) read one JSON value, `sys.inputs.data`,
//! so no text is ever spliced into markup (no escaping problems). The caller
//! builds that value; see [`SlipData`] and [`LedgerData`].

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

const COMMON: &str = include_str!("../templates/common.typ");
const SLIP: &str = include_str!("../templates/slip.typ");
const LEDGER: &str = include_str!("../templates/ledger.typ");
const TABLE: &str = include_str!("../templates/table.typ");
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSerif-Regular.ttf"),
    include_bytes!("../fonts/NotoSerif-Bold.ttf"),
    include_bytes!("../fonts/NotoSerif-Italic.ttf"),
    include_bytes!("../fonts/NotoSerif-BoldItalic.ttf"),
];

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("không tạo được tệp PDF: {0}")]
    Typeset(String),
    #[error("dữ liệu phiếu không hợp lệ: {0}")]
    Data(String),
}

/// A labelled line or paragraph of a slip.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub label: String,
    pub text: String,
}

impl Line {
    pub fn new(label: &str, text: impl Into<String>) -> Self {
        Line {
            label: label.into(),
            text: text.into(),
        }
    }
}

/// A table of a slip: relative column widths, header, rows.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub widths: Vec<f64>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Everything a slip shows.
#[derive(Debug, Clone, Serialize)]
pub struct SlipData {
    /// `a5` (forms 01-05) or `a4`.
    pub paper: String,
    /// The body above the issuing agency (e.g. "UBND tỉnh Thái Nguyên").
    pub parent: String,
    pub agency: String,
    pub place: String,
    /// "ngày 29 tháng 11 năm 2026".
    pub date_words: String,
    pub title: String,
    /// "Mẫu số 01 - Thông tư 01/2018/TT-VPCP".
    pub form: String,
    pub code: String,
    pub paragraphs: Vec<Line>,
    pub table: Option<Table>,
    pub sign_left: String,
    pub sign_right: String,
    /// The QR code of the dossier code (SVG), or empty.
    pub qr_svg: String,
}

/// The ledger of a desk for a period.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerData {
    pub parent: String,
    pub agency: String,
    pub subtitle: String,
    /// STT, code, procedure, applicant, received, due, finished, returned, state.
    pub rows: Vec<Vec<String>>,
}

/// A header cell of a [`TableDoc`], spanning columns and rows.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderCell {
    pub text: String,
    pub colspan: u32,
    pub rowspan: u32,
}

impl HeaderCell {
    pub fn new(text: impl Into<String>, colspan: u32, rowspan: u32) -> Self {
        HeaderCell {
            text: text.into(),
            colspan: colspan.max(1),
            rowspan: rowspan.max(1),
        }
    }
}

/// A titled table for posting at the desk or signing: the catalogue listing
/// (niêm yết) and the statistics reports. Every row has `widths.len()`
/// cells; the header rows' spans must cover the same number of columns.
#[derive(Debug, Clone, Serialize)]
pub struct TableDoc {
    pub parent: String,
    pub agency: String,
    /// Place and date line ("Xã Đồng Hỷ", [`date_words`]); empty: none.
    pub place: String,
    pub date_words: String,
    pub title: String,
    pub subtitle: String,
    pub landscape: bool,
    pub font_size: f64,
    /// Relative column widths.
    pub widths: Vec<f64>,
    pub header: Vec<Vec<HeaderCell>>,
    pub rows: Vec<Vec<String>>,
    /// Columns from this index on are right-aligned (numbers).
    pub first_numeric: usize,
    /// Rows (0-based) printed bold, such as totals.
    pub strong: Vec<usize>,
    pub notes: Vec<String>,
    pub sign_left: String,
    pub sign_right: String,
}

/// The QR code of a text as an SVG document.
pub fn qr_svg(text: &str) -> Result<String, DocError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| DocError::Data(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .build())
}

/// "ngày 29 tháng 11 năm 2026".
pub fn date_words(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!(
        "ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

pub fn slip_pdf(data: &SlipData) -> Result<Vec<u8>, DocError> {
    render(SLIP, data)
}

pub fn ledger_pdf(data: &LedgerData) -> Result<Vec<u8>, DocError> {
    render(LEDGER, data)
}

pub fn table_pdf(data: &TableDoc) -> Result<Vec<u8>, DocError> {
    let cols = data.widths.len();
    if cols == 0 {
        return Err(DocError::Data("bảng không có cột nào".into()));
    }
    if let Some((i, r)) = data.rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(DocError::Data(format!(
            "dòng {} có {} ô, bảng có {cols} cột",
            i + 1,
            r.len()
        )));
    }
    render(TABLE, data)
}

/// The embedded fonts, parsed once.
fn fonts() -> &'static [Font] {
    static FONTS_PARSED: std::sync::OnceLock<Vec<Font>> = std::sync::OnceLock::new();
    FONTS_PARSED.get_or_init(|| {
        FONTS
            .iter()
            .flat_map(|b| Font::iter(Bytes::new(b.to_vec())))
            .collect()
    })
}

fn covered(c: char) -> bool {
    fonts().iter().any(|f| f.info().coverage.contains(c as u32))
}

/// What a slip prints of a stored text: every character the fonts lack
/// (an emoji, another script, a bidirectional override) becomes one
/// replacement mark (`�` if the fonts have it, else `?`) and a control
/// character other than a line break a space, so that one row of data can
/// never stop a slip or a ledger (issue 18.7). The desk's entry points
/// refuse such names first; this is for what is stored already.
pub fn printable_text(s: &str) -> String {
    let mark = if covered('\u{FFFD}') { '\u{FFFD}' } else { '?' };
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => ' ',
            c if !covered(c)
                || motcua_core::text::forbidden_char(&c.to_string(), true).is_some() =>
            {
                mark
            }
            c => c,
        })
        .collect()
}

/// Every string of a JSON value, made printable.
fn make_printable(v: &mut serde_json::Value, replaced: &mut usize) {
    match v {
        serde_json::Value::String(s) => {
            let p = printable_text(s);
            if p != *s {
                *replaced += 1;
                *s = p;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| make_printable(x, replaced)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| make_printable(x, replaced)),
        _ => {}
    }
}

fn render<T: Serialize>(main: &str, data: &T) -> Result<Vec<u8>, DocError> {
    let mut value = serde_json::to_value(data).map_err(|e| DocError::Data(e.to_string()))?;
    // typst would draw a character no font has as an empty box, silently:
    // print a visible replacement mark instead.
    let mut replaced = 0;
    make_printable(&mut value, &mut replaced);
    if replaced > 0 {
        tracing::warn!(
            texts = replaced,
            "characters outside the slip fonts replaced"
        );
    }
    let json = value.to_string();
    let world = DocWorld::new(main, &json);
    let warned = typst::compile::<typst_layout::PagedDocument>(&world);
    // A warning (e.g. a missing font falling back to another) is an error:
    // a slip must never print with the wrong glyphs.
    if let Some(w) = warned.warnings.first() {
        return Err(DocError::Typeset(w.message.to_string()));
    }
    let doc = warned.output.map_err(|errs| {
        DocError::Typeset(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        DocError::Typeset(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// A world of one main file, the shared `common.typ`, embedded fonts and
/// the data input; no file system, no network, a fixed "today".
struct DocWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    common: Source,
}

impl DocWorld {
    fn new(main: &str, json: &str) -> Self {
        let fonts: Vec<Font> = fonts().to_vec();
        let mut inputs = Dict::new();
        inputs.insert("data".into(), json.into_value());
        let id = |p: &str| {
            FileId::new(RootedPath::new(
                VirtualRoot::Project,
                VirtualPath::new(p).expect("valid virtual path"),
            ))
        };
        DocWorld {
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            main: Source::new(id("/main.typ"), main.to_string()),
            common: Source::new(id("/common.typ"), COMMON.to_string()),
            fonts,
        }
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The same table as a spreadsheet: title rows, the header rows with their
/// merged cells, frozen under the title, then the rows (numbers as numbers,
/// bold for `strong` rows), the notes below; columns sized to fit.
pub fn table_xlsx(data: &TableDoc, sheet: &str) -> Result<Vec<u8>, DocError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let cols = data.widths.len();
    if cols == 0 {
        return Err(DocError::Data("bảng không có cột nào".into()));
    }
    let e = |e: rust_xlsxwriter::XlsxError| DocError::Typeset(e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(e)?;
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("D9E1F2");
    let cell = Format::new().set_border(FormatBorder::Thin);
    let strong = Format::new().set_bold().set_border(FormatBorder::Thin);
    let mut r: u32 = 0;
    for (text, f) in [
        (data.parent.as_str(), &bold),
        (data.agency.as_str(), &bold),
        (data.title.as_str(), &title),
        (data.subtitle.as_str(), &Format::new()),
    ] {
        if !text.is_empty() {
            ws.write_string_with_format(r, 0, text, f).map_err(e)?;
            r += 1;
        }
    }
    r += 1;
    let header_top = r;
    // Header cells with spans: a grid marks the places taken by spans above.
    let mut taken = vec![vec![false; cols]; data.header.len()];
    for (i, row) in data.header.iter().enumerate() {
        let mut c = 0usize;
        for h in row {
            while c < cols && taken[i][c] {
                c += 1;
            }
            if c >= cols {
                return Err(DocError::Data("hàng tiêu đề dài hơn số cột".into()));
            }
            let (w, hgt) = (h.colspan as usize, h.rowspan as usize);
            let r0 = header_top + i as u32;
            if w > 1 || hgt > 1 {
                ws.merge_range(
                    r0,
                    c as u16,
                    r0 + hgt as u32 - 1,
                    (c + w - 1).min(cols - 1) as u16,
                    &h.text,
                    &head,
                )
                .map_err(e)?;
            } else {
                ws.write_string_with_format(r0, c as u16, &h.text, &head)
                    .map_err(e)?;
            }
            for rr in taken.iter_mut().skip(i).take(hgt) {
                for t in rr.iter_mut().skip(c).take(w) {
                    *t = true;
                }
            }
            c += w;
        }
    }
    r = header_top + data.header.len() as u32;
    ws.set_freeze_panes(r, 0).map_err(e)?;
    for (i, row) in data.rows.iter().enumerate() {
        if row.len() != cols {
            return Err(DocError::Data(format!(
                "dòng {} có {} ô, bảng có {cols} cột",
                i + 1,
                row.len()
            )));
        }
        let f = if data.strong.contains(&i) {
            &strong
        } else {
            &cell
        };
        for (c, v) in row.iter().enumerate() {
            let plain = v.replace('.', "");
            match plain.parse::<f64>() {
                Ok(n) if c >= data.first_numeric && !v.is_empty() => {
                    ws.write_number_with_format(r, c as u16, n, f).map_err(e)?
                }
                _ => ws.write_string_with_format(r, c as u16, v, f).map_err(e)?,
            };
        }
        r += 1;
    }
    r += 1;
    for n in &data.notes {
        ws.write_string(r, 0, n).map_err(e)?;
        r += 1;
    }
    for (c, w) in data.widths.iter().enumerate() {
        ws.set_column_width(c as u16, (w * 9.0).clamp(6.0, 60.0))
            .map_err(e)?;
    }
    wb.save_to_buffer().map_err(e)
}
