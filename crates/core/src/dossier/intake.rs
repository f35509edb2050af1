//! Receiving a dossier (*tiếp nhận*): the one decision every way in takes.
//!
//! The desk page and the API (received, or refused at once), the portal
//! (submitted online) and, later, the national portal all call [`admit`]
//! with what the store knows: the desk, the procedure version in force, the
//! internal process stored for it at that desk. It decides whether the desk
//! may take the procedure that day (desk, open, competent level, online
//! allowed), which processing time applies to the channel, which internal
//! process, and which documents count. [`Admission::build`] then makes the
//! dossier and its first event once the store has numbered it; the
//! handlers add nothing to either.

use super::aggregate::{NewDossier, ProcedureRef, TransitionError};
use super::{Actor, Applicant, Channel, Dossier, DossierCode, Event, Process};
use crate::agency::Agency;
use crate::calendar::{ProcessingTime, WorkCalendar};
use crate::catalogue::{Procedure, check_received};
use crate::codes::{AgencyCode, Level, ProcedureCode, UnitCode};
use chrono::{NaiveDate, NaiveDateTime};

/// How the dossier arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Received at the desk: direct, by post, or an online dossier the
    /// officer enters.
    Receive,
    /// Presented at the desk (or by post) and refused there, with the reason.
    Refuse(String),
    /// Submitted online by the applicant.
    Submit,
}

/// The documents that came with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presented {
    /// Named by the officer (the desk's checklist, by the catalogue's
    /// names); `None`: not given.
    Names(Option<Vec<String>>),
    /// Uploaded online: the positions, in the procedure's list, of the
    /// documents a file came for.
    Slots(Vec<usize>),
}

/// What a dossier arrives with, and what the store knows of where it arrives.
#[derive(Clone, Debug)]
pub struct Intake<'a> {
    pub desk: &'a Agency,
    /// The procedure version in force on `at`'s day.
    pub procedure: &'a Procedure,
    /// The first day of that version.
    pub valid_from: NaiveDate,
    /// The internal process stored for the procedure at this desk (its own,
    /// else the general one), in force on `at`'s day.
    pub stored_process: Option<Process>,
    pub channel: Channel,
    pub applicant: Applicant,
    pub presented: Presented,
    pub arrival: Arrival,
    pub at: NaiveDateTime,
}

/// Why a dossier cannot be taken. The web layer decides the HTTP status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("{name} không phải Bộ phận một cửa: không tiếp nhận hồ sơ")]
    NotADesk { name: String },
    #[error("{name} không hoạt động vào ngày {day}")]
    Closed { name: String, day: NaiveDate },
    #[error("thủ tục {procedure} ({levels}) không thuộc thẩm quyền tiếp nhận của {name} ({level})")]
    NotCompetent {
        procedure: ProcedureCode,
        levels: String,
        name: String,
        level: &'static str,
    },
    #[error("thủ tục này chưa cho nộp trực tuyến; mời nộp tại Bộ phận một cửa hoặc qua bưu chính")]
    NotOnline,
    #[error(
        "thủ tục {0} chưa công bố thời hạn giải quyết bằng số; không tính được ngày hẹn trả (cập nhật danh mục trước)"
    )]
    NoProcessingTime(ProcedureCode),
    #[error("thủ tục {procedure}: thời hạn giải quyết không dùng được: {why}")]
    BadProcessingTime {
        procedure: ProcedureCode,
        why: String,
    },
    #[error("{0}")]
    Applicant(String),
    #[error("{0}")]
    Documents(String),
}

impl IntakeError {
    /// Whether the refusal is about the desk (which desk, when), not about
    /// the dossier: the portal asks the applicant to choose another place.
    pub fn is_about_the_desk(&self) -> bool {
        matches!(
            self,
            IntakeError::NotADesk { .. }
                | IntakeError::Closed { .. }
                | IntakeError::NotCompetent { .. }
        )
    }
}

/// What [`admit`] decided: everything the dossier is built from but its code.
#[derive(Clone, Debug)]
pub struct Admission {
    pub desk: AgencyCode,
    /// The desk's administrative unit (the store's shard key).
    pub unit: UnitCode,
    pub procedure: ProcedureRef,
    pub processing_time: ProcessingTime,
    /// `None`: the default process for the processing time.
    pub process: Option<Process>,
    /// The documents received, by the catalogue's names, in its order (a
    /// refusal keeps what was presented, as presented).
    pub documents: Vec<String>,
    pub applicant: Applicant,
    pub channel: Channel,
    pub arrival: Arrival,
    pub at: NaiveDateTime,
    /// Why the stored process was set aside for the default (it no longer
    /// fits this channel's time): for the administrator's log.
    pub process_set_aside: Option<String>,
}

/// Decides whether `intake.desk` takes this dossier, and on what terms.
/// Checks, in order: the desk (a one-stop desk, open that day, competent
/// for the procedure's level), online submission allowed (online only),
/// the applicant as entered, the processing time of the channel, the
/// documents (required ones present; a refusal takes them as presented),
/// the stored process (set aside, not refused, when it no longer fits).
pub fn admit(intake: Intake<'_>, cal: &WorkCalendar) -> Result<Admission, IntakeError> {
    let Intake {
        desk,
        procedure: p,
        valid_from,
        stored_process,
        channel,
        applicant,
        presented,
        arrival,
        at,
    } = intake;
    let day = at.date();
    if !desk.desk {
        return Err(IntakeError::NotADesk {
            name: desk.name.clone(),
        });
    }
    if !desk.open_on(day) {
        return Err(IntakeError::Closed {
            name: desk.name.clone(),
            day,
        });
    }
    if !desk.may_receive(p, day) {
        return Err(IntakeError::NotCompetent {
            procedure: p.code.clone(),
            levels: if p.level.trim().is_empty() {
                Level::Commune.label_vi().to_string()
            } else {
                p.level.clone()
            },
            name: desk.name.clone(),
            level: desk.level.label_vi(),
        });
    }
    if arrival == Arrival::Submit && !p.online_submission {
        return Err(IntakeError::NotOnline);
    }
    applicant
        .check_entry()
        .map_err(|e| IntakeError::Applicant(e.to_string()))?;
    let spec = p
        .processing_time(Some(channel.catalogue_channel()))
        .or_else(|| p.processing_time(None))
        .ok_or_else(|| IntakeError::NoProcessingTime(p.code.clone()))?;
    let processing_time =
        ProcessingTime::new(spec.unit, spec.value).map_err(|e| IntakeError::BadProcessingTime {
            procedure: p.code.clone(),
            why: e.to_string(),
        })?;
    let documents = match (presented, &arrival) {
        (Presented::Names(Some(names)), Arrival::Refuse(_)) => names,
        (Presented::Names(Some(names)), _) => check_received(p, &names)
            .map_err(IntakeError::Documents)?
            .into_iter()
            .map(|d| d.name.clone())
            .collect(),
        (Presented::Names(None), _) => Vec::new(),
        (Presented::Slots(slots), _) => {
            if let Some(bad) = slots.iter().find(|i| **i >= p.documents.len()) {
                return Err(IntakeError::Documents(format!(
                    "không có giấy tờ số {}",
                    bad + 1
                )));
            }
            if let Some(missing) = p
                .documents
                .iter()
                .enumerate()
                .find(|(i, d)| d.required && !slots.contains(i))
            {
                return Err(IntakeError::Documents(format!(
                    "thiếu giấy tờ bắt buộc: {}",
                    missing.1.name
                )));
            }
            slots.iter().map(|i| p.documents[*i].name.clone()).collect()
        }
    };
    let (process, process_set_aside) = match stored_process {
        Some(process) => match process.validate_for(processing_time, cal.day_length()) {
            Ok(()) => (Some(process), None),
            Err(e) => (None, Some(e.to_string())),
        },
        None => (None, None),
    };
    Ok(Admission {
        desk: desk.code.clone(),
        unit: desk.unit_code.clone(),
        procedure: ProcedureRef {
            code: p.code.clone(),
            valid_from: Some(valid_from),
        },
        processing_time,
        process,
        documents,
        applicant,
        channel,
        arrival,
        at,
        process_set_aside,
    })
}

impl Admission {
    /// The dossier and its first event, numbered `code`: received, refused
    /// or submitted as decided. The documents go into both (the event's
    /// payload is hashed into the chain).
    pub fn build(
        self,
        code: DossierCode,
        actor: &Actor,
        cal: &WorkCalendar,
    ) -> Result<(Dossier, Event), TransitionError> {
        let new = NewDossier {
            code,
            procedure: self.procedure,
            processing_time: self.processing_time,
            applicant: self.applicant,
            channel: self.channel,
            agency: self.desk,
            process: self.process,
        };
        let at = self.at;
        let (mut d, mut ev) = match &self.arrival {
            Arrival::Receive => Dossier::receive_new(new, actor, at, cal)?,
            Arrival::Refuse(reason) => Dossier::refuse_new(new, actor, reason, at, cal)?,
            Arrival::Submit => Dossier::submit_online(new, actor, at, cal)?,
        };
        d.documents = self.documents;
        ev.payload["documents"] = serde_json::json!(d.documents);
        Ok((d, ev))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agency::AgencyKind;
    use crate::calendar::WorkingHours;
    use crate::dossier::{ApplicantKind, Role, State};

    fn procedure(level: &str, online: bool) -> Procedure {
        serde_json::from_value(serde_json::json!({
            "code": "1.001193", "name": "Đăng ký khai sinh", "level": level,
            "online_submission": online,
            "channels": [
                {"channel": "Trực tiếp", "time_value": "3", "time_unit": "Ngày làm việc"},
                {"channel": "Trực tuyến", "time_value": "2", "time_unit": "Ngày làm việc"}
            ],
            "documents": [
                {"name": "Tờ khai đăng ký khai sinh", "required": true},
                {"name": "Giấy chứng sinh"}
            ]
        }))
        .unwrap()
    }

    fn desk(level: Level) -> Agency {
        Agency {
            code: AgencyCode::new("H55.305.1").unwrap(),
            name: "Bộ phận một cửa xã Đồng Hỷ".into(),
            parent_code: None,
            unit_code: UnitCode::new("05692").unwrap(),
            level,
            kind: AgencyKind::PeopleCommittee,
            desk: true,
            hours: WorkingHours::standard(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1),
            valid_to: None,
        }
    }

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn intake<'a>(desk: &'a Agency, p: &'a Procedure, arrival: Arrival) -> Intake<'a> {
        Intake {
            desk,
            procedure: p,
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            stored_process: None,
            channel: if arrival == Arrival::Submit {
                Channel::Online
            } else {
                Channel::Direct
            },
            applicant: Applicant::new(
                ApplicantKind::Citizen,
                "Nguyễn Văn An",
                "019203001234",
                None,
                None,
                "Xã Đồng Hỷ",
            )
            .unwrap(),
            presented: Presented::Names(Some(vec!["tờ khai đăng ký khai sinh".into()])),
            arrival,
            at: at(2026, 12, 2),
        }
    }

    #[test]
    fn the_desk_is_checked_before_the_dossier() {
        let cal = WorkCalendar::standard_shared();
        let p = procedure("Cấp xã", true);
        let mut closed = desk(Level::Commune);
        closed.valid_to = NaiveDate::from_ymd_opt(2026, 1, 1);
        let e = admit(intake(&closed, &p, Arrival::Receive), cal).unwrap_err();
        assert!(matches!(e, IntakeError::Closed { .. }) && e.is_about_the_desk());
        let mut office = desk(Level::Commune);
        office.desk = false;
        let e = admit(intake(&office, &p, Arrival::Receive), cal).unwrap_err();
        assert!(matches!(e, IntakeError::NotADesk { .. }));
        // A commune procedure at the province desk: the same answer on every way in.
        let province = desk(Level::Province);
        for arrival in [
            Arrival::Receive,
            Arrival::Submit,
            Arrival::Refuse("x".into()),
        ] {
            let e = admit(intake(&province, &p, arrival), cal).unwrap_err();
            assert!(matches!(e, IntakeError::NotCompetent { .. }), "{e}");
        }
        let offline = procedure("Cấp xã", false);
        let d = desk(Level::Commune);
        assert_eq!(
            admit(intake(&d, &offline, Arrival::Submit), cal).unwrap_err(),
            IntakeError::NotOnline
        );
        assert!(admit(intake(&d, &offline, Arrival::Receive), cal).is_ok());
    }

    #[test]
    fn time_documents_and_process_are_decided_once() {
        let cal = WorkCalendar::standard_shared();
        let p = procedure("Cấp xã", true);
        let d = desk(Level::Commune);
        let a = admit(intake(&d, &p, Arrival::Receive), cal).unwrap();
        assert_eq!(a.processing_time, ProcessingTime::WorkingDays(3));
        assert_eq!(a.documents, vec!["Tờ khai đăng ký khai sinh".to_string()]);
        // Online: the online channel's time, documents by their slots.
        let mut online = intake(&d, &p, Arrival::Submit);
        online.presented = Presented::Slots(vec![1, 0]);
        let a = admit(online.clone(), cal).unwrap();
        assert_eq!(a.processing_time, ProcessingTime::WorkingDays(2));
        assert_eq!(
            a.documents,
            vec!["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"]
        );
        online.presented = Presented::Slots(vec![1]);
        assert!(
            matches!(admit(online.clone(), cal), Err(IntakeError::Documents(m)) if m.contains("Tờ khai"))
        );
        online.presented = Presented::Slots(vec![0, 7]);
        assert!(matches!(admit(online, cal), Err(IntakeError::Documents(_))));
        // The desk: a required document missing is refused, unless the dossier is refused.
        let mut missing = intake(&d, &p, Arrival::Receive);
        missing.presented = Presented::Names(Some(vec!["Giấy chứng sinh".into()]));
        assert!(matches!(
            admit(missing.clone(), cal),
            Err(IntakeError::Documents(_))
        ));
        missing.arrival = Arrival::Refuse("thiếu tờ khai".into());
        assert_eq!(
            admit(missing, cal).unwrap().documents,
            vec!["Giấy chứng sinh".to_string()]
        );
        // A stored process that no longer fits is set aside, with the reason.
        let mut with_process = intake(&d, &p, Arrival::Receive);
        let long = Process::default_for(ProcessingTime::WorkingDays(30), cal.day_length());
        with_process.stored_process = Some(long);
        let a = admit(with_process, cal).unwrap();
        assert!(a.process.is_none() && a.process_set_aside.is_some());
        // A name with a bidi override is refused.
        let mut bad = intake(&d, &p, Arrival::Receive);
        bad.applicant.full_name = "Nguyễn\u{202e}Văn".into();
        assert!(matches!(admit(bad, cal), Err(IntakeError::Applicant(_))));
    }

    #[test]
    fn the_admission_builds_the_dossier_and_its_event() {
        let cal = WorkCalendar::standard_shared();
        let p = procedure("Cấp xã", true);
        let d = desk(Level::Commune);
        let officer = Actor::officer("ttb", Role::ReceptionOfficer, &d.code);
        let code = |n| DossierCode::new(&d.code, at(2026, 12, 2).date(), n).unwrap();
        let (dossier, ev) = admit(intake(&d, &p, Arrival::Receive), cal)
            .unwrap()
            .build(code(1), &officer, cal)
            .unwrap();
        assert_eq!(dossier.state, State::Received);
        assert_eq!(dossier.documents, vec!["Tờ khai đăng ký khai sinh"]);
        assert_eq!(ev.payload["documents"][0], "Tờ khai đăng ký khai sinh");
        let (refused, _) = admit(
            intake(&d, &p, Arrival::Refuse("sai thẩm quyền".into())),
            cal,
        )
        .unwrap()
        .build(code(2), &officer, cal)
        .unwrap();
        assert_eq!(refused.state, State::RefusedAtReception);
        let citizen = Actor::Applicant {
            user_id: "cong-dan".into(),
            id_number: "019203001234".into(),
        };
        let mut online = intake(&d, &p, Arrival::Submit);
        online.presented = Presented::Slots(vec![0]);
        let (submitted, _) = admit(online, cal)
            .unwrap()
            .build(code(3), &citizen, cal)
            .unwrap();
        assert_eq!(submitted.state, State::Submitted);
        assert!(submitted.reception_due_at.is_some());
    }
}
