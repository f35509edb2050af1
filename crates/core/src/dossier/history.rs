//! Historical dossiers imported from a desk's previous software (issue 7,
//! `motcua import dossiers FILE.csv`, docs/reports.md §Import): the CSV
//! format, its checks (every refusal names the line), and the dossier built
//! from a row as it stood there, with one `import` event.

use super::aggregate::{Outcome, OutcomeKind, ResultReturn};
use super::{Action, Channel};
use super::{
    Actor, Applicant, ApplicantKind, Delivery, Dossier, DossierCode, Event, NewDossier,
    ProcedureRef, State,
};
use crate::calendar::ProcessingTime;
use crate::codes::{AgencyCode, ProcedureCode};
use crate::import::{ImportError, read_csv};
use chrono::NaiveDateTime;
use serde_json::json;
use std::collections::HashSet;

/// The columns every file must have (UTF-8, header row, any order).
pub const HISTORY_COLUMNS: [&str; 9] = [
    "code",
    "procedure_code",
    "receiving_unit",
    "channel",
    "received_at",
    "due_at",
    "finished_at",
    "outcome",
    "returned_at",
];

/// The ID number an imported dossier's applicant gets when the file has
/// none: twelve zeros, never a real number, so it proves nothing on the
/// portal (lookup, rating, account).
pub const UNKNOWN_ID_NUMBER: &str = "000000000000";

/// One checked row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoricalDossier {
    pub line: usize,
    pub code: DossierCode,
    pub procedure: ProcedureCode,
    /// An administrative-unit code or an agency code, as written; the
    /// caller resolves it to the desk.
    pub receiving_unit: String,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    /// The legal due moment of the dossier, kept as given.
    pub due_at: NaiveDateTime,
    pub finished: Option<(OutcomeKind, NaiveDateTime)>,
    pub returned_at: Option<NaiveDateTime>,
    /// Optional columns `applicant_name`, `applicant_id`.
    pub applicant_name: Option<String>,
    pub applicant_id: Option<String>,
}

fn moment(file: &str, line: usize, col: &str, s: &str) -> Result<NaiveDateTime, ImportError> {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").map_err(|_| {
        ImportError::new(
            file,
            line,
            format!("{col} `{s}`: cần thời điểm dạng YYYY-MM-DDTHH:MM (giờ Việt Nam)"),
        )
    })?;
    if t.date() < crate::report::EPOCH {
        return Err(ImportError::new(
            file,
            line,
            format!("{col} `{s}`: trước năm {}", crate::report::EPOCH),
        ));
    }
    Ok(t)
}

/// Reads and checks a whole file: formats, the order of the moments, the
/// outcome, duplicate codes within the file. Codes, procedures and units
/// known to the database are the caller's checks.
pub fn parse_history_csv(file: &str, bytes: &[u8]) -> Result<Vec<HistoricalDossier>, ImportError> {
    let rows = read_csv(file, bytes, &HISTORY_COLUMNS)?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let line = r.line;
        let err = |m: String| ImportError::new(file, line, m);
        let code = DossierCode::parse(r.get("code")).map_err(|e| err(format!("code: {e}")))?;
        if !seen.insert(code.to_string()) {
            return Err(err(format!("mã hồ sơ {code} trùng với một dòng trước")));
        }
        let procedure = ProcedureCode::new(r.get("procedure_code"))
            .map_err(|e| err(format!("procedure_code: {e}")))?;
        let receiving_unit = r.get("receiving_unit").to_string();
        if receiving_unit.is_empty() {
            return Err(err("receiving_unit trống".into()));
        }
        let channel = match r.get("channel") {
            "direct" => Channel::Direct,
            "online" => Channel::Online,
            "postal" => Channel::Postal,
            other => {
                return Err(err(format!(
                    "channel `{other}`: direct, online hoặc postal"
                )));
            }
        };
        let received_at = moment(file, line, "received_at", r.get("received_at"))?;
        let due_at = moment(file, line, "due_at", r.get("due_at"))?;
        if due_at < received_at {
            return Err(err(format!(
                "due_at {due_at} trước received_at {received_at}"
            )));
        }
        let finished_at = r
            .opt("finished_at")
            .map(|s| moment(file, line, "finished_at", s))
            .transpose()?;
        let outcome = match r.get("outcome") {
            "" => None,
            "approved" => Some(OutcomeKind::Approved),
            "rejected" => Some(OutcomeKind::Rejected),
            "returned" => Some(OutcomeKind::ReturnedUnresolved),
            "withdrawn" => Some(OutcomeKind::Withdrawn),
            other => {
                return Err(err(format!(
                    "outcome `{other}`: approved, rejected, returned, withdrawn hoặc để trống khi chưa xong"
                )));
            }
        };
        let finished = match (outcome, finished_at) {
            (None, None) => None,
            (Some(k), Some(at)) => {
                if at < received_at {
                    return Err(err(format!(
                        "finished_at {at} trước received_at {received_at}"
                    )));
                }
                Some((k, at))
            }
            (Some(_), None) => return Err(err("có outcome nhưng thiếu finished_at".into())),
            (None, Some(_)) => return Err(err("có finished_at nhưng thiếu outcome".into())),
        };
        let returned_at = r
            .opt("returned_at")
            .map(|s| moment(file, line, "returned_at", s))
            .transpose()?;
        if let Some(ret) = returned_at {
            match finished {
                Some((OutcomeKind::Approved | OutcomeKind::Rejected, at)) if ret >= at => {}
                Some((OutcomeKind::Approved | OutcomeKind::Rejected, at)) => {
                    return Err(err(format!("returned_at {ret} trước finished_at {at}")));
                }
                _ => {
                    return Err(err(
                        "returned_at chỉ dùng cho hồ sơ đã có kết quả (approved, rejected)".into(),
                    ));
                }
            }
        }
        out.push(HistoricalDossier {
            line,
            code,
            procedure,
            receiving_unit,
            channel,
            received_at,
            due_at,
            finished,
            returned_at,
            applicant_name: r.opt("applicant_name").map(str::to_string),
            applicant_id: r.opt("applicant_id").map(str::to_string),
        });
    }
    Ok(out)
}

impl HistoricalDossier {
    /// The dossier as it stood in the previous software, received at `desk`,
    /// and its one `import` event (by the system `import`).
    pub fn to_dossier(
        &self,
        desk: &AgencyCode,
        procedure: ProcedureRef,
        processing_time: ProcessingTime,
    ) -> Result<(Dossier, Event), String> {
        let applicant = Applicant::new(
            ApplicantKind::Citizen,
            self.applicant_name
                .as_deref()
                .unwrap_or("(không có trong dữ liệu cũ)"),
            self.applicant_id.as_deref().unwrap_or(UNKNOWN_ID_NUMBER),
            None,
            None,
            "",
        )
        .map_err(|e| format!("người nộp: {e}"))?;
        let new = NewDossier {
            code: self.code.clone(),
            procedure,
            processing_time,
            applicant,
            channel: self.channel,
            agency: desk.clone(),
            process: None,
        };
        let rules = super::RuleSetTable::builtin_shared()
            .for_reception(self.received_at.date())
            .or_else(|| super::RuleSetTable::builtin_shared().sets().first())
            .ok_or("không có bộ quy tắc")?;
        let last = [
            Some(self.received_at),
            self.finished.map(|f| f.1),
            self.returned_at,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.received_at);
        let day = crate::calendar::WorkSpan::hours(8).map_err(|e| e.to_string())?;
        let process = super::Process::default_for(processing_time, day);
        let mut d = Dossier::blank(new, process, rules, last);
        d.received_at = Some(self.received_at);
        d.clock_base = Some(self.received_at);
        d.due_at = Some(self.due_at);
        d.current_step = None;
        d.step_started_at = None;
        d.state = State::InProcessing;
        if let Some((kind, at)) = self.finished {
            d.outcome = Some(Outcome {
                kind,
                at,
                reason: None,
                document: None,
            });
            d.state = match kind {
                OutcomeKind::Approved => State::Resolved,
                OutcomeKind::Rejected => State::Rejected,
                OutcomeKind::Withdrawn => State::Withdrawn,
                OutcomeKind::ReturnedUnresolved => State::ReturnedUnresolved,
                OutcomeKind::RefusedAtReception => State::RefusedAtReception,
            };
        }
        if let Some(at) = self.returned_at {
            d.returned = Some(ResultReturn {
                at,
                delivery: Delivery::AtDesk,
                note: None,
            });
            d.state = State::ResultReturned;
        }
        let payload = json!({
            "channel": d.channel,
            "procedure": d.procedure,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "outcome": d.outcome,
            "returned_at": self.returned_at,
            "source_line": self.line,
        });
        let actor = Actor::System {
            name: "import".into(),
        };
        let mut ev = d.creation_event(Action::Import, &actor, last, payload);
        ev.handover = None;
        Ok((d, ev))
    }
}
