//! The procedure catalogue (danh mục thủ tục hành chính).
//!
//! A [`Procedure`] carries every field the National Public Service Portal
//! publishes (domain.md §7), in the shape of the national data set that motcua
//! ships (`data/source/procedures.json`), plus motcua's own optional fields
//! (`valid_from`, `steps`). Versions: an amendment is a new record with the same
//! code and a later `valid_from`; storage keeps every version and a dossier keeps
//! the version in force at its reception.

use crate::codes::{Level, ProcedureCode};
use crate::import::{ImportError, read_csv, write_csv};
use crate::text::fold;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One channel (cách thức thực hiện) with its processing time and fee.
/// Named `ProcedureChannel` in the OpenAPI document: `Channel` there is the
/// dossier's channel.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ProcedureChannel))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// `Trực tiếp`, `Trực tuyến` or `Dịch vụ bưu chính`.
    pub channel: String,
    #[serde(default)]
    pub time_raw: String,
    #[serde(default)]
    pub time_value: String,
    /// `Ngày làm việc`, `Ngày`, `Giờ`, or empty when the portal gives none.
    #[serde(default)]
    pub time_unit: String,
    #[serde(default)]
    pub fee_raw: String,
    #[serde(default)]
    pub fee_note: String,
}

/// A required document (thành phần hồ sơ).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default)]
    pub group: String,
    pub name: String,
    /// As published: `1 bản chính,1 bản sao`.
    #[serde(default)]
    pub quantity: String,
    /// Template form (mẫu đơn, tờ khai), when one exists.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub template_url: String,
    /// motcua's curated flag: the desk may not receive a dossier without it.
    /// The published records mix conditional notes ("Trường hợp …") with
    /// documents, so nothing is required until a catalogue editor says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// Checks the documents received at the desk against a procedure: every name
/// must be one of its documents (compared folded), and every document marked
/// `required` must be there. Returns the matched documents, in the
/// procedure's order.
pub fn check_received<'a>(
    p: &'a Procedure,
    received: &[String],
) -> Result<Vec<&'a Document>, String> {
    let mut matched = Vec::new();
    for name in received {
        let f = fold(name);
        let d = p
            .documents
            .iter()
            .find(|d| fold(&d.name) == f)
            .ok_or_else(|| {
                format!(
                    "giấy tờ `{name}` không có trong thành phần hồ sơ của thủ tục {}",
                    p.code
                )
            })?;
        if !matched.iter().any(|m: &&Document| std::ptr::eq(*m, d)) {
            matched.push(d);
        }
    }
    if let Some(missing) = p
        .documents
        .iter()
        .find(|d| d.required && !matched.iter().any(|m| std::ptr::eq(*m, *d)))
    {
        return Err(format!("thiếu giấy tờ bắt buộc: {}", missing.name));
    }
    matched.sort_by_key(|m| p.documents.iter().position(|d| std::ptr::eq(d, *m)));
    Ok(matched)
}

impl Document {
    fn count(&self, word: &str) -> u32 {
        self.quantity
            .split(',')
            .filter_map(|p| {
                let p = p.trim();
                p.strip_suffix(word)
                    .and_then(|n| n.trim().parse::<u32>().ok())
            })
            .sum()
    }
    /// Number of originals (bản chính).
    pub fn originals(&self) -> u32 {
        self.count("bản chính")
    }
    /// Number of copies (bản sao).
    pub fn copies(&self) -> u32 {
        self.count("bản sao")
    }
}

/// A published administrative procedure (one version).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub code: ProcedureCode,
    pub name: String,
    #[serde(default)]
    pub field: String,
    /// Level(s) as published: `Cấp tỉnh, Cấp xã`.
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub issuing_ministry: String,
    #[serde(default)]
    pub implementing_agencies: Vec<String>,
    #[serde(default)]
    pub publishing_decision: String,
    #[serde(default)]
    pub procedure_type: String,
    #[serde(default)]
    pub applicants: String,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub processing_time_direct_raw: String,
    #[serde(default)]
    pub processing_working_days_direct: String,
    #[serde(default)]
    pub fee_direct_raw: String,
    #[serde(default)]
    pub online_submission: bool,
    /// `toàn trình`, `một phần`, or empty when not published.
    #[serde(default)]
    pub online_service_level: String,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub results: Vec<String>,
    #[serde(default)]
    pub legal_basis: Vec<String>,
    #[serde(default)]
    pub legal_basis_raw: String,
    #[serde(default)]
    pub conditions: String,
    /// Steps (trình tự thực hiện), when published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    #[serde(default)]
    pub source_url: String,
    #[serde(default)]
    pub source: String,
    /// First day this version is in force; `None` = the importer's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
}

/// One line of a catalogue search result.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureHit {
    pub code: String,
    pub name: String,
    pub field: String,
    /// Levels, comma separated: `province,commune`.
    pub levels: String,
    pub online: bool,
    pub version: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// Unit of a processing time.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    WorkingDays,
    CalendarDays,
    WorkingHours,
    /// *Trong ngày*: within the working day of reception.
    SameDay,
}

/// A processing time read from a channel.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingTimeSpec {
    pub value: u32,
    pub unit: TimeUnit,
    /// True when the portal gave a number without a unit and motcua read it as
    /// working days (the default unit of procedure records, domain.md §4.1).
    pub unit_assumed: bool,
}

/// Longer folded words are not indexed (no one types them).
pub const MAX_WORD_LEN: usize = 64;

pub const CHANNELS: [&str; 3] = ["Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"];

impl Procedure {
    /// The levels, parsed from [`Procedure::level`].
    pub fn levels(&self) -> Vec<Level> {
        let mut v: Vec<Level> = self.level.split(',').filter_map(Level::parse).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Processing time of a channel (`Trực tiếp` when `None`), if the record
    /// gives a whole number.
    pub fn processing_time(&self, channel: Option<&str>) -> Option<ProcessingTimeSpec> {
        let ch = self
            .channels
            .iter()
            .find(|c| c.channel == channel.unwrap_or("Trực tiếp"))?;
        if fold(&ch.time_unit) == "trong ngay" {
            return Some(ProcessingTimeSpec {
                value: 1,
                unit: TimeUnit::SameDay,
                unit_assumed: false,
            });
        }
        let value: u32 = ch.time_value.trim().parse().ok().filter(|v| *v > 0)?;
        let (unit, unit_assumed) = match fold(&ch.time_unit).as_str() {
            "ngay lam viec" => (TimeUnit::WorkingDays, false),
            "ngay" => (TimeUnit::CalendarDays, false),
            "gio" | "gio lam viec" => (TimeUnit::WorkingHours, false),
            _ => (TimeUnit::WorkingDays, true),
        };
        Some(ProcessingTimeSpec {
            value,
            unit,
            unit_assumed,
        })
    }

    /// Folded text the name search matches against.
    pub fn name_fold(&self) -> String {
        fold(&self.name)
    }

    /// The distinct folded words a search can match, each flagged when it
    /// occurs in the name: the name first, then the other published text a
    /// citizen may type (code, field, agencies, results, legal basis).
    pub fn search_words(&self) -> Vec<(String, bool)> {
        let mut words: Vec<(String, bool)> = Vec::new();
        let mut seen = HashSet::new();
        let other = format!(
            "{} {} {} {} {} {}",
            self.code,
            self.field,
            self.implementing_agencies.join(" "),
            self.results.join(" "),
            self.legal_basis.join(" "),
            self.legal_basis_raw
        );
        for (text, in_name) in [(self.name.as_str(), true), (other.as_str(), false)] {
            for w in crate::text::fold_words(text) {
                if w.len() <= MAX_WORD_LEN && seen.insert(w.clone()) {
                    words.push((w, in_name));
                }
            }
        }
        words
    }

    /// Checks what serde cannot: non-empty name, known levels and channels.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("tên thủ tục trống".into());
        }
        for part in self
            .level
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if Level::parse(part).is_none() {
                return Err(format!("cấp thực hiện `{part}` không hợp lệ"));
            }
        }
        for c in &self.channels {
            if !CHANNELS.contains(&c.channel.as_str()) {
                return Err(format!(
                    "kênh `{}` không hợp lệ (Trực tiếp, Trực tuyến, Dịch vụ bưu chính)",
                    c.channel
                ));
            }
        }
        Ok(())
    }
}

fn check_unique(file: &str, items: &[(usize, Procedure)]) -> Result<(), ImportError> {
    let mut seen = HashSet::new();
    for (line, p) in items {
        if !seen.insert((p.code.clone(), p.valid_from)) {
            return Err(ImportError::new(
                file,
                *line,
                format!(
                    "thủ tục `{}` xuất hiện hai lần với cùng ngày hiệu lực",
                    p.code
                ),
            ));
        }
    }
    Ok(())
}

/// Parses a JSON array of procedures. Errors name the line of the record.
fn position_of(ps: &[Procedure], code: &str) -> Option<usize> {
    ps.iter().position(|p| p.code.as_str() == code)
}

/// Marks documents `required` from a curated list (CSV `procedure_code,
/// document`, e.g. data/required-documents.csv): every row must name a
/// procedure of `ps` and one of its documents (compared folded), else the
/// error names the line and nothing is changed. Returns how many documents
/// were marked.
pub fn apply_required_csv(
    file: &str,
    bytes: &[u8],
    ps: &mut [Procedure],
) -> Result<usize, ImportError> {
    let rows = read_csv(file, bytes, &["procedure_code", "document"])?;
    let mut marks = Vec::with_capacity(rows.len());
    for r in &rows {
        let e = |m: String| ImportError::new(file, r.line, m);
        let code = r.get("procedure_code");
        let pi = position_of(ps, code)
            .ok_or_else(|| e(format!("không có thủ tục mã `{code}` trong danh mục")))?;
        let want = fold(r.get("document"));
        let di = ps[pi]
            .documents
            .iter()
            .position(|d| fold(&d.name) == want)
            .ok_or_else(|| {
                e(format!(
                    "thủ tục {code} không có giấy tờ `{}`",
                    r.get("document")
                ))
            })?;
        marks.push((pi, di));
    }
    for &(pi, di) in &marks {
        ps[pi].documents[di].required = true;
    }
    Ok(marks.len())
}

/// Fills processing times the published records leave blank from a curated
/// list (CSV `procedure_code,value,unit,basis`, e.g.
/// data/processing-times.csv; unit `ngày làm việc`, `ngày`, `giờ làm việc`
/// or `trong ngày`; basis: the legal text it is read from). Every channel of
/// the procedure that gives no time gets it, with the basis shown in its raw
/// text; a time the record publishes is kept. A bad row names its line and
/// changes nothing. Returns how many procedures were filled.
pub fn apply_processing_times_csv(
    file: &str,
    bytes: &[u8],
    ps: &mut [Procedure],
) -> Result<usize, ImportError> {
    let rows = read_csv(file, bytes, &["procedure_code", "value", "unit", "basis"])?;
    let mut fills = Vec::with_capacity(rows.len());
    for r in &rows {
        let e = |m: String| ImportError::new(file, r.line, m);
        let code = r.get("procedure_code");
        let pi = position_of(ps, code)
            .ok_or_else(|| e(format!("không có thủ tục mã `{code}` trong danh mục")))?;
        let value: u32 = r
            .get("value")
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| e(format!("thời hạn `{}` không phải số dương", r.get("value"))))?;
        let unit = r.get("unit").trim().to_string();
        if !matches!(
            fold(&unit).as_str(),
            "ngay lam viec" | "ngay" | "gio lam viec" | "trong ngay"
        ) {
            return Err(e(format!(
                "đơn vị `{unit}`: cần `ngày làm việc`, `ngày`, `giờ làm việc` hoặc `trong ngày`"
            )));
        }
        if r.get("basis").trim().is_empty() {
            return Err(e(
                "cột `basis` trống: ghi căn cứ pháp lý của thời hạn".into()
            ));
        }
        fills.push((pi, value, unit, r.get("basis").trim().to_string()));
    }
    for (pi, value, unit, basis) in &fills {
        let p = &mut ps[*pi];
        if p.channels.is_empty() {
            p.channels = CHANNELS
                .iter()
                .map(|c| Channel {
                    channel: c.to_string(),
                    ..Default::default()
                })
                .collect();
        }
        for ch in &mut p.channels {
            if ch
                .time_value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|v| *v > 0)
                .is_none()
                && fold(&ch.time_unit) != "trong ngay"
            {
                ch.time_value = value.to_string();
                ch.time_unit = unit.clone();
                ch.time_raw = format!("{value} {unit} ({basis})");
                if fold(unit) == "trong ngay" {
                    ch.time_raw = format!("Trong ngày ({basis})");
                }
            }
        }
    }
    Ok(fills.len())
}

pub fn parse_procedures_json(file: &str, bytes: &[u8]) -> Result<Vec<Procedure>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ImportError::new(file, line, "tệp không phải UTF-8 hợp lệ")
    })?;
    let raws: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)
        .map_err(|e| ImportError::new(file, e.line(), format!("JSON không hợp lệ: {e}")))?;
    let mut items = Vec::with_capacity(raws.len());
    for raw in raws {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let line = text[..offset].matches('\n').count() + 1;
        let p: Procedure = serde_json::from_str(raw.get()).map_err(|e| {
            ImportError::new(
                file,
                line + e.line() - 1,
                format!("bản ghi thủ tục không hợp lệ: {e}"),
            )
        })?;
        p.validate().map_err(|m| ImportError::new(file, line, m))?;
        items.push((line, p));
    }
    check_unique(file, &items)?;
    Ok(items.into_iter().map(|(_, p)| p).collect())
}

/// Writes procedures as a pretty JSON array ([`parse_procedures_json`] reads it back).
pub fn write_procedures_json(ps: &[Procedure]) -> String {
    serde_json::to_string_pretty(ps).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// Columns of motcua's procedure CSV. List-valued columns hold JSON arrays;
/// on import a list column may also be the ` | `-separated text of the
/// published data set (`data/source/procedures.csv`).
pub const PROCEDURE_COLUMNS: [&str; 24] = [
    "code",
    "name",
    "field",
    "level",
    "issuing_ministry",
    "implementing_agencies",
    "publishing_decision",
    "procedure_type",
    "applicants",
    "channels",
    "processing_time_direct_raw",
    "processing_working_days_direct",
    "fee_direct_raw",
    "online_submission",
    "online_service_level",
    "documents",
    "results",
    "legal_basis",
    "legal_basis_raw",
    "conditions",
    "steps",
    "source_url",
    "source",
    "valid_from",
];

fn list_cell<T: serde::de::DeserializeOwned>(
    s: &str,
    from_text: impl Fn(&str) -> T,
) -> Result<Vec<T>, String> {
    let s = s.trim();
    if s.is_empty() {
        Ok(Vec::new())
    } else if s.starts_with('[') {
        serde_json::from_str(s).map_err(|e| e.to_string())
    } else {
        Ok(s.split(" | ").map(|x| from_text(x.trim())).collect())
    }
}

/// Parses a procedure CSV (see [`PROCEDURE_COLUMNS`]; only `code` and `name` required).
pub fn parse_procedures_csv(file: &str, bytes: &[u8]) -> Result<Vec<Procedure>, ImportError> {
    let rows = read_csv(file, bytes, &["code", "name"])?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let e = |m: String| ImportError::new(file, r.line, m);
        let strings = |col: &str| {
            list_cell(r.get(col), |x| x.to_string()).map_err(|m| e(format!("cột `{col}`: {m}")))
        };
        let online_submission = match r.get("online_submission") {
            "yes" | "true" | "1" => true,
            "no" | "false" | "0" | "" => false,
            x => {
                return Err(e(format!(
                    "`online_submission` = `{x}`: cần true hoặc false"
                )));
            }
        };
        let valid_from = r
            .opt("valid_from")
            .map(|s| crate::import::parse_date(file, r.line, "valid_from", s))
            .transpose()?;
        let p = Procedure {
            code: ProcedureCode::new(r.get("code")).map_err(|x| e(x.to_string()))?,
            name: r.get("name").to_string(),
            field: r.get("field").to_string(),
            level: r.get("level").to_string(),
            issuing_ministry: r.get("issuing_ministry").to_string(),
            implementing_agencies: strings("implementing_agencies")?,
            publishing_decision: r.get("publishing_decision").to_string(),
            procedure_type: r.get("procedure_type").to_string(),
            applicants: r.get("applicants").to_string(),
            channels: list_cell(r.get("channels"), |x| Channel {
                channel: x.to_string(),
                time_raw: String::new(),
                time_value: String::new(),
                time_unit: String::new(),
                fee_raw: String::new(),
                fee_note: String::new(),
            })
            .map_err(|m| e(format!("cột `channels`: {m}")))?,
            processing_time_direct_raw: r.get("processing_time_direct_raw").to_string(),
            processing_working_days_direct: r.get("processing_working_days_direct").to_string(),
            fee_direct_raw: r.get("fee_direct_raw").to_string(),
            online_submission,
            online_service_level: r.get("online_service_level").to_string(),
            documents: list_cell(r.get("documents"), |x| Document {
                group: String::new(),
                name: x.to_string(),
                quantity: String::new(),
                template_url: String::new(),
                required: false,
            })
            .map_err(|m| e(format!("cột `documents`: {m}")))?,
            results: strings("results")?,
            legal_basis: strings("legal_basis")?,
            legal_basis_raw: r.get("legal_basis_raw").to_string(),
            conditions: r.get("conditions").to_string(),
            steps: strings("steps")?,
            source_url: r.get("source_url").to_string(),
            source: r.get("source").to_string(),
            valid_from,
        };
        p.validate().map_err(e)?;
        items.push((r.line, p));
    }
    check_unique(file, &items)?;
    Ok(items.into_iter().map(|(_, p)| p).collect())
}

/// Writes procedures in motcua's CSV format (lossless: lists as JSON).
pub fn write_procedures_csv(ps: &[Procedure]) -> String {
    let j = |v: &dyn erased::Json| v.json();
    write_csv(
        &PROCEDURE_COLUMNS,
        ps.iter().map(|p| {
            vec![
                p.code.to_string(),
                p.name.clone(),
                p.field.clone(),
                p.level.clone(),
                p.issuing_ministry.clone(),
                j(&p.implementing_agencies),
                p.publishing_decision.clone(),
                p.procedure_type.clone(),
                p.applicants.clone(),
                j(&p.channels),
                p.processing_time_direct_raw.clone(),
                p.processing_working_days_direct.clone(),
                p.fee_direct_raw.clone(),
                p.online_submission.to_string(),
                p.online_service_level.clone(),
                j(&p.documents),
                j(&p.results),
                j(&p.legal_basis),
                p.legal_basis_raw.clone(),
                p.conditions.clone(),
                j(&p.steps),
                p.source_url.clone(),
                p.source.clone(),
                p.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            ]
        }),
    )
}

mod erased {
    /// A list cell: empty lists are written as an empty cell.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for Vec<T> {
        fn json(&self) -> String {
            if self.is_empty() {
                String::new()
            } else {
                serde_json::to_string(self).unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn required_list_marks_documents_or_names_the_bad_line() {
        let mut ps = super::parse_procedures_json(
            "p.json",
            include_bytes!("../../../data/source/procedures.json"),
        )
        .unwrap();
        let csv = "procedure_code,document\n1.001193,\"GIẤY CHỨNG SINH; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh; nếu không có người làm chứng thì phải có giấy cam đoan về việc sinh.\"\n";
        assert_eq!(
            super::apply_required_csv("r.csv", csv.as_bytes(), &mut ps),
            Ok(1)
        );
        let p = ps.iter().find(|p| p.code.as_str() == "1.001193").unwrap();
        assert_eq!(p.documents.iter().filter(|d| d.required).count(), 1);
        let bad = "procedure_code,document\n1.001193,Tờ khai khác\n";
        let before = ps.clone();
        let err = super::apply_required_csv("r.csv", bad.as_bytes(), &mut ps).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("r.csv", 2));
        assert_eq!(ps, before, "a refused list changes nothing");
        // The shipped list applies cleanly.
        let n = super::apply_required_csv(
            "data/required-documents.csv",
            include_bytes!("../../../data/required-documents.csv"),
            &mut ps,
        )
        .unwrap();
        assert_eq!(n, 35);
    }

    #[test]
    fn curated_processing_times_fill_only_the_gaps() {
        use super::{TimeUnit, apply_processing_times_csv};
        let mut ps = super::parse_procedures_json(
            "p.json",
            include_bytes!("../../../data/source/procedures.json"),
        )
        .unwrap();
        let find = |ps: &[super::Procedure], c: &str| {
            ps.iter().find(|p| p.code.as_str() == c).unwrap().clone()
        };
        assert!(find(&ps, "2.000815").processing_time(None).is_none());
        let before = ps.clone();
        let bad = "procedure_code,value,unit,basis\n2.000815,1,tuần,x\n";
        let err = apply_processing_times_csv("t.csv", bad.as_bytes(), &mut ps).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("tuần"), "{err}");
        assert_eq!(ps, before);
        // A published time is kept.
        let keep = "procedure_code,value,unit,basis\n1.001193,9,ngày,test\n";
        apply_processing_times_csv("t.csv", keep.as_bytes(), &mut ps).unwrap();
        assert_eq!(find(&ps, "1.001193"), find(&before, "1.001193"));
        let n = apply_processing_times_csv(
            "data/processing-times.csv",
            include_bytes!("../../../data/processing-times.csv"),
            &mut ps,
        )
        .unwrap();
        assert_eq!(n, 14);
        let cert = find(&ps, "2.000815").processing_time(None).unwrap();
        assert_eq!(cert.unit, TimeUnit::SameDay);
        assert!(
            find(&ps, "2.000815").channels[0]
                .time_raw
                .contains("23/2015")
        );
        let adoption = find(&ps, "2.001263")
            .processing_time(Some("Trực tuyến"))
            .unwrap();
        assert_eq!(
            (adoption.value, adoption.unit),
            (30, TimeUnit::CalendarDays)
        );
    }

    use super::*;

    const JSON: &[u8] = include_bytes!("../../../data/source/procedures.json");
    const CSV: &[u8] = include_bytes!("../../../data/source/procedures.csv");

    #[test]
    fn published_set_parses() {
        let ps = parse_procedures_json("procedures.json", JSON).unwrap();
        assert_eq!(ps.len(), 64);
        let birth = ps.iter().find(|p| p.code.as_str() == "1.001193").unwrap();
        assert_eq!(birth.levels(), vec![Level::Commune]);
        assert_eq!(birth.name_fold(), "thu tuc dang ky khai sinh");
        let words = birth.search_words();
        assert!(words.contains(&("khai".to_string(), true)));
        assert!(words.contains(&("001193".to_string(), false)));
        assert!(
            words.contains(&("ho".to_string(), false))
                || words.contains(&("tich".to_string(), false))
        );
        assert_eq!(words.iter().filter(|w| w.0 == "khai").count(), 1);
        let t = birth.processing_time(None).unwrap();
        assert_eq!(
            (t.value, t.unit, t.unit_assumed),
            (1, TimeUnit::WorkingDays, true)
        );
        let copies = ps.iter().find(|p| p.code.as_str() == "2.000908").unwrap();
        assert_eq!(
            copies.levels(),
            vec![
                Level::Central,
                Level::Province,
                Level::Commune,
                Level::Other
            ]
        );
    }

    #[test]
    fn json_and_csv_round_trip_losslessly() {
        let mut ps = parse_procedures_json("procedures.json", JSON).unwrap();
        ps[0].valid_from = NaiveDate::from_ymd_opt(2025, 7, 1);
        ps[0].steps = vec!["Nộp hồ sơ".into(), "Trả kết quả".into()];
        ps[1].documents[0].template_url = "https://example.invalid/mau.docx".into();
        let back = parse_procedures_json("x.json", write_procedures_json(&ps).as_bytes()).unwrap();
        assert_eq!(back, ps);
        let back = parse_procedures_csv("x.csv", write_procedures_csv(&ps).as_bytes()).unwrap();
        assert_eq!(back, ps);
    }

    #[test]
    fn published_csv_is_read_too() {
        let ps = parse_procedures_csv("procedures.csv", CSV).unwrap();
        assert_eq!(ps.len(), 64);
        assert!(ps.iter().all(|p| !p.name.is_empty()));
        assert!(ps[0].online_submission);
    }

    #[test]
    fn received_documents_are_checked() {
        let mut p = parse_procedures_json("procedures.json", JSON)
            .unwrap()
            .remove(0);
        let birth_cert = p
            .documents
            .iter()
            .position(|d| d.name.starts_with("Giấy chứng sinh"))
            .unwrap();
        let name = p.documents[birth_cert].name.clone();
        assert_eq!(
            check_received(&p, &[]).unwrap().len(),
            0,
            "nothing required by default"
        );
        p.documents[birth_cert].required = true;
        let e = check_received(&p, &[]).unwrap_err();
        assert!(
            e.contains("thiếu giấy tờ bắt buộc") && e.contains("Giấy chứng sinh"),
            "{e}"
        );
        assert_eq!(check_received(&p, &[name.to_uppercase()]).unwrap().len(), 1);
        let e = check_received(&p, &[name.clone(), "Sổ hộ khẩu".into()]).unwrap_err();
        assert!(e.contains("Sổ hộ khẩu"), "{e}");
        // The flag survives both formats.
        let back = parse_procedures_json(
            "x",
            write_procedures_json(std::slice::from_ref(&p)).as_bytes(),
        )
        .unwrap();
        assert!(back[0].documents[birth_cert].required);
        let back = parse_procedures_csv(
            "x",
            write_procedures_csv(std::slice::from_ref(&p)).as_bytes(),
        )
        .unwrap();
        assert!(back[0].documents[birth_cert].required);
    }

    #[test]
    fn document_counts() {
        let d = Document {
            group: String::new(),
            name: "x".into(),
            quantity: "1 bản chính,2 bản sao".into(),
            template_url: String::new(),
            required: false,
        };
        assert_eq!((d.originals(), d.copies()), (1, 2));
    }

    #[test]
    fn bad_records_name_their_line() {
        let e = parse_procedures_json(
            "p.json",
            b"[\n{\"code\":\"1.001193\",\"name\":\"A\"},\n{\"code\":\"bad\",\"name\":\"B\"}\n]",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = parse_procedures_json(
            "p.json",
            b"[\n{\"code\":\"1.001193\",\"name\":\"A\",\n \"colour\":1}\n]",
        )
        .unwrap_err();
        assert!(e.reason.contains("colour"), "{e}");
        let e = parse_procedures_json(
            "p.json",
            b"[{\"code\":\"1.001193\",\"name\":\"A\"},\n{\"code\":\"1.001193\",\"name\":\"B\"}]",
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_procedures_json(
            "p.json",
            b"[{\"code\":\"1.001193\",\"name\":\"A\",\"level\":\"C\xe1\xba\xa5p sao\"}]",
        )
        .unwrap_err();
        assert!(e.reason.contains("cấp thực hiện"), "{e}");
        let e = parse_procedures_json("p.json", b"[\n{\"code\":\"1.001193\",\"name\":\"\xff\"}]")
            .unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_procedures_csv(
            "p.csv",
            "code,name,online_submission\n1.001193,A,maybe\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
    }
}
