//! The dossier lifecycle (*hồ sơ*), pure: codes, applicants, the state
//! machine with its role table, versioned rule sets, internal processes, the
//! aggregate with its transition function, the decision to receive
//! ([`admit`]), and the control-sheet data.
//! No I/O, no database, no HTTP; nothing here panics on any input.
//!
//! Readings of the law chosen here are written down in `docs/dossier.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use motcua_core::calendar::{ProcessingTime, WorkCalendar};
//! use motcua_core::codes::{AgencyCode, ProcedureCode};
//! use motcua_core::dossier::*;
//!
//! let cal = WorkCalendar::standard_shared();
//! let desk = AgencyCode::new("H55.242").unwrap();
//! let at = NaiveDate::from_ymd_opt(2019, 3, 12).unwrap().and_hms_opt(14, 10, 0).unwrap();
//! let new = NewDossier {
//!     code: DossierCode::new(&desk, at.date(), 1).unwrap(),
//!     procedure: ProcedureRef { code: ProcedureCode::new("1.001193").unwrap(), valid_from: None },
//!     processing_time: ProcessingTime::WorkingDays(5),
//!     applicant: Applicant::new(ApplicantKind::Citizen, "Nguyễn Văn An", "019203001234",
//!         None, None, "Thái Nguyên").unwrap(),
//!     channel: Channel::Direct,
//!     agency: desk.clone(),
//!     process: None,
//! };
//! let officer = Actor::officer("le.thi.hoa", Role::ReceptionOfficer, &desk);
//! let (dossier, event) = Dossier::receive_new(new, &officer, at, cal).unwrap();
//! assert_eq!(dossier.state, State::Received);
//! assert_eq!(dossier.due_at, Some(at + chrono::Days::new(7))); // next Tuesday 14:10
//! assert_eq!(event.version, 1);
//!
//! let cmd = Command::new(1, CommandAction::Forward { to: None, note: None });
//! let (next, _) = dossier.apply(&cmd, &officer, at + chrono::TimeDelta::minutes(30), cal).unwrap();
//! assert_eq!(next.state, State::InProcessing);
//! assert_eq!(next.version, 2);
//! ```

mod aggregate;
mod applicant;
mod code;
mod control;
mod history;
mod intake;
mod notice;
mod process;
mod queue;
mod role;
mod rules;
mod state;

pub use aggregate::{
    Apology, ClockPause, Command, CommandAction, Dossier, Event, ForbiddenReason, Handover,
    LegMark, MAX_REASON_CHARS, MAX_SUPPLEMENT_ITEMS, NewDossier, Outcome, OutcomeKind, PauseCause,
    PaymentRequest, ProcedureRef, Refusal, ResultReturn, StepMark, SupplementRequest, TransferLeg,
    TransitionError, forward_deadline,
};
pub use applicant::{
    Applicant, ApplicantError, ApplicantKind, MAX_TEXT_CHARS, Representative, is_valid_email,
    is_valid_phone,
};
pub use code::{DossierCode, DossierCodeError};
pub use control::{RowKind, SheetRow, control_sheet, step_verdict};
pub use history::{HISTORY_COLUMNS, HistoricalDossier, UNKNOWN_ID_NUMBER, parse_history_csv};
pub use intake::{Admission, Arrival, Intake, IntakeError, Presented, admit};
pub use notice::{
    NOTIFIED, Notice, NoticeTemplate, PLACEHOLDERS, SMS_MAX, notice_for, notice_with,
};
pub use process::{
    MAX_STEPS, Process, ProcessError, ProcessRecord, Step, parse_processes_csv, working_budget,
};
pub use queue::{DueWindow, Queue, QueueMoments, QueueRule, Whose};
pub use role::{
    Actor, AgencyScope, Capacity, Relation, Role, agency_scope, allowed_capacities, legal_basis,
    may, may_administer, may_be_assigned, may_edit_news, may_read_dossier, may_read_ledger,
    may_read_reports, oversees, sees_queues, works_at_desk,
};
pub use rules::{Paper, RuleSet, RuleSetError, RuleSetTable, SlipForm, SlipKind, SupplementClock};
pub use state::{Action, Channel, Delivery, OverdueReason, State};
