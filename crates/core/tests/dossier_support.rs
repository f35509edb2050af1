//! Helpers shared by the `dossier_*` tests (included with `mod dossier_support;`).
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use motcua_core::calendar::{ProcessingTime, WorkCalendar};
use motcua_core::codes::{AgencyCode, ProcedureCode};
use motcua_core::dossier::*;

/// The district desk (Bộ phận Tiếp nhận và Trả kết quả).
pub const DESK: &str = "000.00.17.H55";
/// A specialist office of the district.
pub const OFFICE: &str = "000.05.17.H55";
/// A provincial department (inter-level transfers).
pub const PROVINCE: &str = "000.00.00.H55";

pub const CITIZEN_ID: &str = "019203001234";
pub const OTHER_ID: &str = "019203009999";

pub fn cal() -> &'static WorkCalendar {
    WorkCalendar::standard_shared()
}

pub fn agency(s: &str) -> AgencyCode {
    AgencyCode::new(s).unwrap()
}

pub fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
}

pub fn applicant() -> Applicant {
    Applicant::new(
        ApplicantKind::Citizen,
        "Nguyễn Văn An",
        CITIZEN_ID,
        Some("0912345678"),
        Some("an@example.vn"),
        "Xã Hóa Thượng, Thái Nguyên",
    )
    .unwrap()
}

pub fn new_dossier(when: NaiveDateTime, time: ProcessingTime, channel: Channel) -> NewDossier {
    let desk = agency(DESK);
    NewDossier {
        code: DossierCode::new(&desk, when.date(), 1).unwrap(),
        procedure: ProcedureRef {
            code: ProcedureCode::new("1.001193").unwrap(),
            valid_from: None,
        },
        processing_time: time,
        applicant: applicant(),
        channel,
        agency: desk,
        process: None,
    }
}

pub fn officer(role: Role, at_agency: &str) -> Actor {
    Actor::officer(
        &format!("{}@{at_agency}", role.as_str()),
        role,
        &agency(at_agency),
    )
}

pub fn ro() -> Actor {
    officer(Role::ReceptionOfficer, DESK)
}
pub fn specialist() -> Actor {
    officer(Role::Specialist, OFFICE)
}
pub fn head() -> Actor {
    officer(Role::HeadOfOffice, OFFICE)
}
pub fn leader() -> Actor {
    officer(Role::SigningLeader, OFFICE)
}
pub fn citizen() -> Actor {
    Actor::Applicant {
        user_id: "an".into(),
        id_number: CITIZEN_ID.into(),
    }
}
pub fn stranger() -> Actor {
    Actor::Applicant {
        user_id: "x".into(),
        id_number: OTHER_ID.into(),
    }
}
pub fn system() -> Actor {
    Actor::System {
        name: "payment-gateway".into(),
    }
}

/// Received directly at the desk at `when`.
pub fn received(when: NaiveDateTime, time: ProcessingTime) -> Dossier {
    Dossier::receive_new(new_dossier(when, time, Channel::Direct), &ro(), when, cal())
        .unwrap()
        .0
}

/// Submitted online by the citizen at `when`.
pub fn submitted(when: NaiveDateTime, time: ProcessingTime) -> Dossier {
    Dossier::submit_online(
        new_dossier(when, time, Channel::Online),
        &citizen(),
        when,
        cal(),
    )
    .unwrap()
    .0
}

pub fn try_apply(
    d: &Dossier,
    action: CommandAction,
    actor: &Actor,
    when: NaiveDateTime,
) -> Result<(Dossier, Event), TransitionError> {
    d.apply(&Command::new(d.version, action), actor, when, cal())
}

/// Applies and checks the invariants of an accepted command.
pub fn apply(
    d: &Dossier,
    action: CommandAction,
    actor: &Actor,
    when: NaiveDateTime,
) -> (Dossier, Event) {
    let (next, e) = try_apply(d, action, actor, when)
        .unwrap_or_else(|err| panic!("refused in {}: {err}", d.state));
    assert_eq!(next.version, d.version + 1);
    assert_eq!(e.version, next.version);
    assert_eq!(e.from, Some(d.state));
    assert_eq!(e.to, next.state);
    (next, e)
}

/// Applies, expects a refusal, and checks the dossier was not touched.
pub fn refused(
    d: &Dossier,
    action: CommandAction,
    actor: &Actor,
    when: NaiveDateTime,
) -> TransitionError {
    let before = d.clone();
    let err = try_apply(d, action, actor, when).expect_err("should be refused");
    assert_eq!(d, &before);
    assert!(!err.to_string().is_empty());
    err
}

pub fn forward() -> CommandAction {
    CommandAction::Forward {
        to: Some(agency(OFFICE)),
        note: None,
    }
}

pub fn complete() -> CommandAction {
    CommandAction::CompleteStep {
        to: None,
        note: None,
    }
}

/// A plausible command for each API action.
pub fn sample(action: Action, when: NaiveDateTime) -> CommandAction {
    match action {
        Action::Receive => CommandAction::Receive { note: None },
        Action::RequestSupplement => CommandAction::RequestSupplement {
            items: vec!["Bản sao giấy khai sinh".into()],
            reason: "Thiếu giấy tờ".into(),
            late_basis: None,
        },
        Action::Supplement => CommandAction::Supplement { note: None },
        Action::Refuse => CommandAction::Refuse {
            reason: "Không thuộc thẩm quyền".into(),
        },
        Action::Forward => forward(),
        Action::Assign => CommandAction::Assign {
            assignee: "chuyen.vien.1".into(),
            note: None,
        },
        Action::CompleteStep => complete(),
        Action::Transfer => CommandAction::Transfer {
            to: agency(PROVINCE),
            budget: motcua_core::calendar::WorkSpan::minutes(60).unwrap(),
            task: "Thẩm định".into(),
        },
        Action::ReturnFromTransfer => CommandAction::ReturnFromTransfer { note: None },
        Action::Pause => CommandAction::Pause {
            reason: "Theo đề nghị của người nộp".into(),
        },
        Action::Resume => CommandAction::Resume { note: None },
        Action::RequestPayment => CommandAction::RequestPayment {
            amount: 50_000,
            description: "Lệ phí".into(),
        },
        Action::RecordPayment => CommandAction::RecordPayment { reference: None },
        Action::Apologize => CommandAction::Apologize {
            reason_code: OverdueReason::ComplexCase,
            reason: "Cần xác minh thêm".into(),
            promised_at: when + chrono::Days::new(60),
        },
        Action::Resolve => CommandAction::Resolve { document: None },
        Action::Reject => CommandAction::Reject {
            reason: "Không đủ điều kiện".into(),
        },
        Action::ReturnResult => CommandAction::ReturnResult {
            delivery: Delivery::AtDesk,
            note: None,
        },
        Action::Withdraw => CommandAction::Withdraw { reason: None },
        Action::ReturnUnresolved => CommandAction::ReturnUnresolved {
            reason: "Quá hạn bổ sung".into(),
        },
        Action::Submit | Action::Import => unreachable!("not a command"),
    }
}
