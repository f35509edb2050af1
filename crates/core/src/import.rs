//! Shared pieces of the CSV/JSON importers: an error that names file, line and
//! reason, and a CSV reader that checks UTF-8 and required columns.

use std::collections::HashMap;

/// An import refused: `file:line: reason`. Line 0 means the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ImportError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl ImportError {
    pub fn new(file: &str, line: usize, reason: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line,
            reason: reason.into(),
        }
    }
}

/// One data row of a CSV file, with its 1-based line number.
pub struct CsvRow {
    pub line: usize,
    fields: Vec<String>,
    index: std::rc::Rc<HashMap<String, usize>>,
}

impl CsvRow {
    /// The value of `col` (trimmed), or "" when the column is absent.
    pub fn get(&self, col: &str) -> &str {
        self.index
            .get(col)
            .and_then(|&i| self.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// The value of `col` or `None` when it is absent or empty.
    pub fn opt(&self, col: &str) -> Option<&str> {
        Some(self.get(col)).filter(|s| !s.is_empty())
    }
}

/// Reads a whole CSV file (optional UTF-8 BOM), checking that every column of
/// `required` is in the header. Broken UTF-8 and ragged rows are errors.
pub fn read_csv(file: &str, bytes: &[u8], required: &[&str]) -> Result<Vec<CsvRow>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| csv_error(file, bytes, &e))?
        .clone();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if index.insert(h.trim().to_string(), i).is_some() {
            return Err(ImportError::new(
                file,
                1,
                format!("cột `{h}` bị lặp trong dòng tiêu đề"),
            ));
        }
    }
    for col in required {
        if !index.contains_key(*col) {
            return Err(ImportError::new(
                file,
                1,
                format!("thiếu cột bắt buộc `{col}`"),
            ));
        }
    }
    let index = std::rc::Rc::new(index);
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(bytes);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(file, bytes, &e))?;
        let line = rec.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
        rows.push(CsvRow {
            line,
            fields: rec.iter().map(str::to_string).collect(),
            index: index.clone(),
        });
    }
    Ok(rows)
}

/// Maps byte offsets to 1-based lines, counting forward from the last offset
/// asked (offsets come in increasing order). The csv crate's own line count
/// skips blank lines, hence this.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            line: 1,
        }
    }
    fn line_at(&mut self, byte: u64) -> usize {
        let mut end = (byte as usize).min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        if end < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = end;
        self.line
    }
}

fn csv_error(file: &str, bytes: &[u8], e: &csv::Error) -> ImportError {
    let line = e
        .position()
        .map(|p| LineCounter::new(bytes).line_at(p.byte()))
        .unwrap_or(0);
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "tệp không phải UTF-8 hợp lệ".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("dòng có {len} cột, dòng tiêu đề có {expected_len} cột")
        }
        _ => e.to_string(),
    };
    ImportError::new(file, line, reason)
}

/// Parses an ISO date `YYYY-MM-DD`.
pub fn parse_date(
    file: &str,
    line: usize,
    col: &str,
    s: &str,
) -> Result<chrono::NaiveDate, ImportError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        ImportError::new(
            file,
            line,
            format!("cột `{col}`: `{s}` không phải ngày dạng YYYY-MM-DD"),
        )
    })
}

/// Writes CSV rows (header first) to a string.
pub fn write_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_column_is_named() {
        let e = read_csv("u.csv", b"code,name\n01,A\n", &["code", "level"])
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "u.csv:1: thiếu cột bắt buộc `level`");
    }

    #[test]
    fn broken_utf8_is_refused_with_line() {
        let e = read_csv("u.csv", b"code,name\n01,A\n02,\xff\xfe\n", &["code"])
            .err()
            .unwrap();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("UTF-8"));
    }

    #[test]
    fn ragged_row_is_refused() {
        let e = read_csv("u.csv", b"code,name\n01,A,extra\n", &["code"])
            .err()
            .unwrap();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn bom_and_lines() {
        let rows = read_csv(
            "u.csv",
            b"\xEF\xBB\xBFcode,name\n01, A \n\n02,B\n",
            &["code"],
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get("name"), "A");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].get("missing"), "");
    }
}
