//! The dossier aggregate and its pure transition function.
//!
//! [`Dossier::receive_new`] (direct/postal reception, or an online dossier
//! entered at the desk) and [`Dossier::submit_online`] create a dossier;
//! [`Dossier::apply`] takes a [`Command`] and returns the next dossier and the
//! [`Event`] that records the change, or a [`TransitionError`] and nothing
//! else: the input is borrowed and never changed.

use super::applicant::Applicant;
use super::code::DossierCode;
use super::process::{Process, Step};
use super::role::{Actor, AgencyScope, Capacity, Role, agency_scope, may};
use super::rules::{RuleSet, RuleSetTable, SupplementClock};
use super::state::{Action, Channel, Delivery, OverdueReason, State};
use crate::calendar::{
    CalendarError, OpenTimeliness, Pause, ProcessingTime, Timeliness, WorkCalendar, WorkSpan,
    classify_open, classify_resolved,
};
use crate::codes::{AgencyCode, ProcedureCode};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Longest accepted reason or note, in characters.
pub const MAX_REASON_CHARS: usize = 2000;
/// Most items a supplementation request may list.
pub const MAX_SUPPLEMENT_ITEMS: usize = 100;

/// The procedure version a dossier is handled under.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRef {
    pub code: ProcedureCode,
    /// `valid_from` of the procedure version in force at reception.
    pub valid_from: Option<NaiveDate>,
}

/// Why the clock stood still.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseCause {
    Supplement,
    Payment,
    Suspension,
}

/// A period in which the processing clock stood (or stands) still.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockPause {
    pub cause: PauseCause,
    pub from: NaiveDateTime,
    /// `None` while the pause lasts.
    pub to: Option<NaiveDateTime>,
}

/// A supplementation request (form 02).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRequest {
    pub requested_at: NaiveDateTime,
    /// Requested before reception (online dossier): no clock yet.
    pub before_reception: bool,
    #[serde(default)]
    pub items: Vec<String>,
    pub reason: String,
    /// Legal ground given for a request after the notice limit.
    pub late_basis: Option<String>,
    pub supplied_at: Option<NaiveDateTime>,
}

/// A request to fulfil a financial obligation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub requested_at: NaiveDateTime,
    /// Amount in đồng.
    pub amount: u64,
    pub description: String,
    pub paid_at: Option<NaiveDateTime>,
    pub reference: Option<String>,
}

/// One leg of inter-connected processing (*Phiếu chuyển xử lý*).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferLeg {
    pub from: AgencyCode,
    pub to: AgencyCode,
    pub task: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub budget: WorkSpan,
    pub sent_at: NaiveDateTime,
    /// `sent_at` plus the budget in working time.
    pub leg_due: NaiveDateTime,
    pub returned_at: Option<NaiveDateTime>,
}

/// An apology with a new appointment (form 04). The legal due moment is not
/// changed by it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Apology {
    pub at: NaiveDateTime,
    pub reason_code: OverdueReason,
    pub reason: String,
    /// The legal due moment when the apology was made.
    pub legal_due_at: NaiveDateTime,
    /// The new promised moment of return.
    pub promised_at: NaiveDateTime,
}

/// How processing ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Approved,
    Rejected,
    RefusedAtReception,
    Withdrawn,
    ReturnedUnresolved,
}

/// The end of processing (*NgayKetThucXuLy* is `at`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub at: NaiveDateTime,
    pub reason: Option<String>,
    /// Reference of the result document (number, file id), when given.
    pub document: Option<String>,
}

/// The hand-over of the result to the applicant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultReturn {
    pub at: NaiveDateTime,
    pub delivery: Delivery,
    pub note: Option<String>,
}

/// A dossier (*hồ sơ*). Fields are public for storage and display; change a
/// dossier only through [`Dossier::apply`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub code: DossierCode,
    pub procedure: ProcedureRef,
    /// The processing time of the procedure version for the channel.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub processing_time: ProcessingTime,
    pub applicant: Applicant,
    pub channel: Channel,
    /// The desk that received the dossier (and returns the result).
    pub receiving_agency: AgencyCode,
    /// The agency of the current step.
    pub current_agency: AgencyCode,
    pub state: State,
    /// Identifier of the [`RuleSet`] in force at reception (provisional,
    /// by submission date, until an online dossier is received).
    pub rule_set: String,
    pub process: Process,
    /// Index into `process.steps`; `None` once the dossier is closed.
    pub current_step: Option<usize>,
    pub step_started_at: Option<NaiveDateTime>,
    /// Officer assigned within the current step.
    pub assignee: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    /// Latest moment to receive an online dossier.
    pub reception_due_at: Option<NaiveDateTime>,
    pub received_at: Option<NaiveDateTime>,
    /// Start of the current clock period: the reception, or the supplement
    /// that restarted the clock.
    pub clock_base: Option<NaiveDateTime>,
    /// The legal due moment (never moved by an apology).
    pub due_at: Option<NaiveDateTime>,
    #[serde(default)]
    pub pauses: Vec<ClockPause>,
    /// The state to go back to after a supplement.
    pub resume_state: Option<State>,
    #[serde(default)]
    pub supplements: Vec<SupplementRequest>,
    #[serde(default)]
    pub payments: Vec<PaymentRequest>,
    #[serde(default)]
    pub transfers: Vec<TransferLeg>,
    #[serde(default)]
    pub apologies: Vec<Apology>,
    pub outcome: Option<Outcome>,
    pub returned: Option<ResultReturn>,
    /// The documents received at reception (the checklist), by the names the
    /// procedure version gives them.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Moment of the last event.
    pub updated_at: NaiveDateTime,
    /// 1 after creation, +1 per accepted command.
    pub version: u64,
}

/// What a new dossier is made of.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDossier {
    /// Its code: the receiving agency and the date of `at`.
    pub code: DossierCode,
    pub procedure: ProcedureRef,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub processing_time: ProcessingTime,
    pub applicant: Applicant,
    pub channel: Channel,
    /// The receiving desk.
    pub agency: AgencyCode,
    /// The internal process; `None`: [`Process::default_for`].
    #[serde(default)]
    pub process: Option<Process>,
}

/// A command with the version of the dossier it was decided on (optimistic
/// concurrency). JSON: `{"action": "forward", "version": 3, "to": "H55.242"}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub version: u64,
    #[serde(flatten)]
    pub action: CommandAction,
}

impl Command {
    pub fn new(version: u64, action: CommandAction) -> Self {
        Command { version, action }
    }
}

/// The commands of `POST /api/dossiers/{code}/actions`, tagged by `action`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CommandAction {
    Receive {
        #[serde(default)]
        note: Option<String>,
    },
    RequestSupplement {
        items: Vec<String>,
        reason: String,
        /// Legal ground (specialised law) for a request after the notice limit.
        #[serde(default)]
        late_basis: Option<String>,
    },
    Supplement {
        #[serde(default)]
        note: Option<String>,
    },
    Refuse {
        reason: String,
    },
    Forward {
        /// The competent agency; default: the agency of step 2, else the desk's.
        #[serde(default)]
        to: Option<AgencyCode>,
        #[serde(default)]
        note: Option<String>,
    },
    Assign {
        assignee: String,
        #[serde(default)]
        note: Option<String>,
    },
    CompleteStep {
        /// The agency of the next step; default: the step's, else the current one.
        #[serde(default)]
        to: Option<AgencyCode>,
        #[serde(default)]
        note: Option<String>,
    },
    Transfer {
        to: AgencyCode,
        /// Working minutes allowed for the leg.
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        budget: WorkSpan,
        task: String,
    },
    ReturnFromTransfer {
        #[serde(default)]
        note: Option<String>,
    },
    Pause {
        reason: String,
    },
    Resume {
        #[serde(default)]
        note: Option<String>,
    },
    RequestPayment {
        amount: u64,
        description: String,
    },
    RecordPayment {
        #[serde(default)]
        reference: Option<String>,
    },
    Apologize {
        reason_code: OverdueReason,
        reason: String,
        promised_at: NaiveDateTime,
    },
    Resolve {
        #[serde(default)]
        document: Option<String>,
    },
    Reject {
        reason: String,
    },
    ReturnResult {
        #[serde(default)]
        delivery: Delivery,
        #[serde(default)]
        note: Option<String>,
    },
    Withdraw {
        #[serde(default)]
        reason: Option<String>,
    },
    ReturnUnresolved {
        reason: String,
    },
}

impl CommandAction {
    /// The action this command performs.
    pub fn action(&self) -> Action {
        match self {
            CommandAction::Receive { .. } => Action::Receive,
            CommandAction::RequestSupplement { .. } => Action::RequestSupplement,
            CommandAction::Supplement { .. } => Action::Supplement,
            CommandAction::Refuse { .. } => Action::Refuse,
            CommandAction::Forward { .. } => Action::Forward,
            CommandAction::Assign { .. } => Action::Assign,
            CommandAction::CompleteStep { .. } => Action::CompleteStep,
            CommandAction::Transfer { .. } => Action::Transfer,
            CommandAction::ReturnFromTransfer { .. } => Action::ReturnFromTransfer,
            CommandAction::Pause { .. } => Action::Pause,
            CommandAction::Resume { .. } => Action::Resume,
            CommandAction::RequestPayment { .. } => Action::RequestPayment,
            CommandAction::RecordPayment { .. } => Action::RecordPayment,
            CommandAction::Apologize { .. } => Action::Apologize,
            CommandAction::Resolve { .. } => Action::Resolve,
            CommandAction::Reject { .. } => Action::Reject,
            CommandAction::ReturnResult { .. } => Action::ReturnResult,
            CommandAction::Withdraw { .. } => Action::Withdraw,
            CommandAction::ReturnUnresolved { .. } => Action::ReturnUnresolved,
        }
    }
}

/// A step as recorded in an event.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepMark {
    pub index: usize,
    pub name: String,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub budget: WorkSpan,
}

/// A transfer leg as recorded in an event.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegMark {
    pub index: usize,
    pub task: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub budget: WorkSpan,
}

/// A hand-over of the dossier (a line of the control sheet).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// Who hands over (`None`: the applicant, at creation).
    pub from_agency: Option<AgencyCode>,
    /// Who receives (`None`: the applicant, when the dossier leaves).
    pub to_agency: Option<AgencyCode>,
    pub step_completed: Option<StepMark>,
    pub step_started: Option<StepMark>,
    pub leg_started: Option<LegMark>,
    pub leg_completed: Option<LegMark>,
}

/// An accepted change; storage appends it (and chains it by hash).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub dossier: DossierCode,
    /// The dossier version after the event (1 for the creation event).
    pub version: u64,
    pub action: Action,
    /// `None` for the creation event.
    pub from: Option<State>,
    pub to: State,
    pub actor: Actor,
    pub at: NaiveDateTime,
    pub reason: Option<String>,
    pub handover: Option<Handover>,
    /// Action-specific details (due moments before/after, items, amounts…).
    pub payload: Value,
}

/// Why the actor may not act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForbiddenReason {
    /// The role (capacity) may not take the action at all.
    Role,
    /// The officer's agency is not the one the action belongs to.
    Agency(AgencyCode),
    /// The applicant is not this dossier's applicant or representative.
    NotOwner,
    /// The current step is worked by another role.
    StepRole(Role),
}

fn forbidden_text(role: &Capacity, action: &Action, reason: &ForbiddenReason) -> String {
    let a = action.label_vi();
    match reason {
        ForbiddenReason::Role => {
            format!("vai trò «{}» không được thực hiện «{a}»", role.label_vi())
        }
        ForbiddenReason::Agency(agency) => {
            format!("cán bộ của cơ quan {agency} không được thực hiện «{a}» đối với hồ sơ này")
        }
        ForbiddenReason::NotOwner => {
            format!(
                "chỉ người nộp hoặc người được ủy quyền mới được thực hiện «{a}» đối với hồ sơ này"
            )
        }
        ForbiddenReason::StepRole(r) => format!(
            "bước xử lý hiện tại do «{}» thực hiện, vai trò «{}» không được «{a}»",
            r.label_vi(),
            role.label_vi()
        ),
    }
}

/// A refused transition; the dossier is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The state does not allow the action (a conflict).
    #[error(
        "không thể «{}» khi hồ sơ đang ở trạng thái «{}»",
        .action.label_vi(),
        .state.label_vi()
    )]
    NotAllowed { state: State, action: Action },
    /// The actor's role, agency or identity may not (forbidden).
    #[error("{}", forbidden_text(.role, .action, .reason))]
    Forbidden {
        role: Capacity,
        action: Action,
        reason: ForbiddenReason,
    },
    /// The command is malformed or inconsistent (invalid).
    #[error("yêu cầu không hợp lệ: {0}")]
    Invalid(String),
    /// A rule of the rule set forbids it now (once-only, time limits; a conflict).
    #[error("không thể «{}»: {reason}", .action.label_vi())]
    RuleViolation { action: Action, reason: String },
    /// The command was decided on an older version (a conflict).
    #[error(
        "hồ sơ đã được cập nhật bởi thao tác khác (yêu cầu dựa trên phiên bản {expected}, hiện tại là {actual}); hãy tải lại hồ sơ"
    )]
    StaleVersion { expected: u64, actual: u64 },
}

/// What kind of refusal a transition error is; the web layer gives each
/// its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may not do this (role, agency, identity).
    Forbidden,
    /// The command itself is wrong (content, time).
    Invalid,
    /// The dossier is not in a state for it, a rule set forbids it now, or
    /// it changed meanwhile.
    Conflict,
}

impl TransitionError {
    /// What kind of refusal this is.
    pub fn refusal(&self) -> Refusal {
        match self {
            TransitionError::Forbidden { .. } => Refusal::Forbidden,
            TransitionError::Invalid(_) => Refusal::Invalid,
            TransitionError::NotAllowed { .. }
            | TransitionError::RuleViolation { .. }
            | TransitionError::StaleVersion { .. } => Refusal::Conflict,
        }
    }

    /// A stable machine-readable code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "not_allowed",
            TransitionError::Forbidden { .. } => "forbidden",
            TransitionError::Invalid(_) => "invalid",
            TransitionError::RuleViolation { .. } => "rule_violation",
            TransitionError::StaleVersion { .. } => "stale_version",
        }
    }
}

fn invalid(msg: impl Into<String>) -> TransitionError {
    TransitionError::Invalid(msg.into())
}

fn cal_err(e: CalendarError) -> TransitionError {
    invalid(format!("không tính được thời gian làm việc: {e}"))
}

/// Trimmed text; checked for emptiness (when required), length and control
/// characters (line breaks and tabs are allowed).
fn text(field: &str, s: &str, required: bool) -> Result<String, TransitionError> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(invalid(format!("{field} không được để trống")));
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(invalid(format!("{field} dài quá {MAX_REASON_CHARS} ký tự")));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(format!("{field} chứa ký tự điều khiển")));
    }
    Ok(t.to_string())
}

fn opt_text(field: &str, s: &Option<String>) -> Result<Option<String>, TransitionError> {
    match s {
        None => Ok(None),
        Some(s) => text(field, s, false).map(|t| (!t.is_empty()).then_some(t)),
    }
}

/// The latest moment to forward a dossier received at `received` to the
/// competent agency (Decree 61/2018 Art 18): the close of the reception day
/// when received on a working day before the close and not after `cutoff`;
/// otherwise the end of the first session of the next working day ("at the
/// start of the next working day"). `None` outside the calendar's range.
pub fn forward_deadline(
    received: NaiveDateTime,
    cutoff: Option<NaiveTime>,
    cal: &WorkCalendar,
) -> Option<NaiveDateTime> {
    let day = received.date();
    let sessions = cal.sessions_on(day);
    let same_day = cal.is_working_day(day)
        && cutoff.is_none_or(|c| received.time() <= c)
        && sessions
            .last()
            .is_some_and(|&(_, end)| received.time() < end);
    if same_day {
        return sessions.last().map(|&(_, end)| day.and_time(end));
    }
    let next = cal.next_working_day(day)?;
    cal.sessions_on(next)
        .first()
        .map(|&(_, end)| next.and_time(end))
}

/// What a handler produced besides the new dossier.
struct Change {
    reason: Option<String>,
    handover: Option<Handover>,
    payload: Value,
}

impl Change {
    fn new(payload: Value) -> Self {
        Change {
            reason: None,
            handover: None,
            payload,
        }
    }
    fn reason(mut self, r: Option<String>) -> Self {
        self.reason = r;
        self
    }
    fn handover(mut self, h: Option<Handover>) -> Self {
        self.handover = h;
        self
    }
}

fn check_new(
    new: &NewDossier,
    at: NaiveDateTime,
    cal: &WorkCalendar,
) -> Result<Process, TransitionError> {
    new.applicant
        .validate()
        .map_err(|e| invalid(e.to_string()))?;
    let time = new.processing_time.validate().map_err(cal_err)?;
    if new.code.agency() != &new.agency {
        return Err(invalid(format!(
            "mã hồ sơ {} không mang mã định danh của cơ quan tiếp nhận {}",
            new.code, new.agency
        )));
    }
    if new.code.date() != at.date() {
        return Err(invalid(format!(
            "mã hồ sơ {} mang ngày {}, khác ngày tiếp nhận {}",
            new.code,
            new.code.date(),
            at.date()
        )));
    }
    let process = new
        .process
        .clone()
        .unwrap_or_else(|| Process::default_for(time, cal.day_length()));
    process
        .validate_for(time, cal.day_length())
        .map_err(|e| invalid(e.to_string()))?;
    Ok(process)
}

fn check_creator(new: &NewDossier, actor: &Actor, action: Action) -> Result<(), TransitionError> {
    let role = actor.capacity();
    let forbidden = |reason| TransitionError::Forbidden {
        role,
        action,
        reason,
    };
    if !may(role, action) {
        return Err(forbidden(ForbiddenReason::Role));
    }
    match actor {
        Actor::Officer { agency, .. } if agency != &new.agency => {
            Err(forbidden(ForbiddenReason::Agency(agency.clone())))
        }
        Actor::Applicant { id_number, .. } if !new.applicant.is_identified_by(id_number) => {
            Err(forbidden(ForbiddenReason::NotOwner))
        }
        _ => Ok(()),
    }
}

fn step_mark(process: &Process, i: usize) -> Option<StepMark> {
    process.steps.get(i).map(|s| StepMark {
        index: i,
        name: s.name.clone(),
        role: s.role,
        budget: s.budget,
    })
}

impl Dossier {
    pub(super) fn blank(
        new: NewDossier,
        process: Process,
        rules: &RuleSet,
        at: NaiveDateTime,
    ) -> Dossier {
        Dossier {
            code: new.code,
            procedure: new.procedure,
            processing_time: new.processing_time,
            applicant: new.applicant,
            channel: new.channel,
            receiving_agency: new.agency.clone(),
            current_agency: new.agency,
            state: State::Submitted,
            rule_set: rules.id.clone(),
            process,
            current_step: Some(0),
            step_started_at: Some(at),
            assignee: None,
            submitted_at: None,
            reception_due_at: None,
            received_at: None,
            clock_base: None,
            due_at: None,
            pauses: Vec::new(),
            resume_state: None,
            supplements: Vec::new(),
            payments: Vec::new(),
            transfers: Vec::new(),
            apologies: Vec::new(),
            outcome: None,
            returned: None,
            documents: Vec::new(),
            updated_at: at,
            version: 1,
        }
    }

    pub(super) fn creation_event(
        &self,
        action: Action,
        actor: &Actor,
        at: NaiveDateTime,
        payload: Value,
    ) -> Event {
        Event {
            dossier: self.code.clone(),
            version: self.version,
            action,
            from: None,
            to: self.state,
            actor: actor.clone(),
            at,
            reason: None,
            handover: Some(Handover {
                from_agency: None,
                to_agency: Some(self.receiving_agency.clone()),
                step_started: step_mark(&self.process, 0),
                ..Handover::default()
            }),
            payload,
        }
    }

    /// Receives a new dossier at the desk (direct, postal, or an online
    /// dossier entered by the officer): state `received`, due moment from the
    /// reception moment, rule set by the reception date (built-in table).
    pub fn receive_new(
        new: NewDossier,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<(Dossier, Event), TransitionError> {
        Self::receive_new_in(new, actor, at, cal, RuleSetTable::builtin_shared())
    }

    /// [`Dossier::receive_new`] with another rule-set table.
    pub fn receive_new_in(
        new: NewDossier,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
        table: &RuleSetTable,
    ) -> Result<(Dossier, Event), TransitionError> {
        check_creator(&new, actor, Action::Receive)?;
        let process = check_new(&new, at, cal)?;
        let rules = table
            .for_reception(at.date())
            .ok_or_else(|| invalid("không có bộ quy tắc cho ngày tiếp nhận"))?;
        let due = cal.due(at, new.processing_time).map_err(cal_err)?;
        let mut d = Dossier::blank(new, process, rules, at);
        d.state = State::Received;
        d.received_at = Some(at);
        d.clock_base = Some(at);
        d.due_at = Some(due);
        let payload = json!({
            "channel": d.channel,
            "procedure": d.procedure,
            "processing_time": d.processing_time,
            "rule_set": d.rule_set,
            "clock_start": cal.clock_start(at),
            "due_at": due,
            "forward_by": forward_deadline(at, rules.forwarding_cutoff, cal),
        });
        let event = d.creation_event(Action::Receive, actor, at, payload);
        Ok((d, event))
    }

    /// Records an online submission (channel online or national portal):
    /// state `submitted`, with the deadline to receive it. The applicant (or
    /// the system, for dossiers synchronised from the national portal) acts.
    pub fn submit_online(
        new: NewDossier,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<(Dossier, Event), TransitionError> {
        Self::submit_online_in(new, actor, at, cal, RuleSetTable::builtin_shared())
    }

    /// A dossier presented at the desk (or by post) and refused there
    /// (*từ chối tiếp nhận*, Decree 61/2018 Art 15(4), form 03): it is not
    /// received, but it gets a code, its event and the refusal slip, and
    /// the ledger lists it. The reason is required.
    pub fn refuse_new(
        new: NewDossier,
        actor: &Actor,
        reason: &str,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<(Dossier, Event), TransitionError> {
        check_creator(&new, actor, Action::Refuse)?;
        if new.channel.is_online() {
            return Err(invalid(
                "hồ sơ trực tuyến được từ chối sau khi nộp (thao tác refuse), không tạo mới",
            ));
        }
        let reason = text("lý do từ chối", reason, true)?;
        let process = check_new(&new, at, cal)?;
        let rules = RuleSetTable::builtin_shared()
            .for_reception(at.date())
            .ok_or_else(|| invalid("không có bộ quy tắc cho ngày tiếp nhận"))?;
        let mut d = Dossier::blank(new, process, rules, at);
        d.state = State::RefusedAtReception;
        d.outcome = Some(Outcome {
            kind: OutcomeKind::RefusedAtReception,
            at,
            reason: Some(reason.clone()),
            document: None,
        });
        let payload = json!({
            "channel": d.channel,
            "procedure": d.procedure,
            "rule_set": d.rule_set,
        });
        let mut event = d.creation_event(Action::Refuse, actor, at, payload);
        event.reason = Some(reason);
        // Nothing was handed over: no step starts.
        event.handover = None;
        Ok((d, event))
    }

    /// [`Dossier::submit_online`] with another rule-set table.
    pub fn submit_online_in(
        new: NewDossier,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
        table: &RuleSetTable,
    ) -> Result<(Dossier, Event), TransitionError> {
        check_creator(&new, actor, Action::Submit)?;
        if !new.channel.is_online() {
            return Err(invalid(format!(
                "hồ sơ nộp qua kênh «{}» không phải hồ sơ trực tuyến",
                new.channel.label_vi()
            )));
        }
        let process = check_new(&new, at, cal)?;
        let rules = table
            .for_reception(at.date())
            .ok_or_else(|| invalid("không có bộ quy tắc cho ngày nộp"))?;
        let start = cal.try_clock_start(at).map_err(cal_err)?;
        let span = cal
            .working_days(rules.online_reception_working_days)
            .map_err(cal_err)?;
        let reception_due = cal.add(start, span).map_err(cal_err)?;
        let mut d = Dossier::blank(new, process, rules, at);
        d.submitted_at = Some(at);
        d.reception_due_at = Some(reception_due);
        let payload = json!({
            "channel": d.channel,
            "procedure": d.procedure,
            "processing_time": d.processing_time,
            "reception_due_at": reception_due,
        });
        let event = d.creation_event(Action::Submit, actor, at, payload);
        Ok((d, event))
    }

    /// Applies a command under the built-in rule sets.
    pub fn apply(
        &self,
        cmd: &Command,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<(Dossier, Event), TransitionError> {
        self.apply_in(cmd, actor, at, cal, RuleSetTable::builtin_shared())
    }

    /// Applies a command. Checks, in order: the version (`StaleVersion`), the
    /// state (`NotAllowed`), the actor's role, agency or identity
    /// (`Forbidden`), the command's content and time (`Invalid`), the rule set
    /// (`RuleViolation`). On success the dossier's version is one more and the
    /// event records the change.
    pub fn apply_in(
        &self,
        cmd: &Command,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
        table: &RuleSetTable,
    ) -> Result<(Dossier, Event), TransitionError> {
        if cmd.version != self.version {
            return Err(TransitionError::StaleVersion {
                expected: cmd.version,
                actual: self.version,
            });
        }
        let action = cmd.action.action();
        if !self.permits(action) {
            return Err(TransitionError::NotAllowed {
                state: self.state,
                action,
            });
        }
        self.authorize(actor, action)?;
        if at < self.updated_at {
            return Err(invalid(format!(
                "thời điểm {at} sớm hơn thao tác trước đó ({})",
                self.updated_at
            )));
        }
        let rules = if action == Action::Receive {
            table.for_reception(at.date())
        } else {
            table.by_id(&self.rule_set)
        }
        .ok_or_else(|| invalid(format!("không tìm thấy bộ quy tắc `{}`", self.rule_set)))?;
        let version = self
            .version
            .checked_add(1)
            .ok_or_else(|| invalid("số phiên bản hồ sơ đã đến giới hạn"))?;
        let mut next = self.clone();
        let change = next.handle(&cmd.action, actor, at, cal, rules)?;
        next.version = version;
        next.updated_at = at;
        let event = Event {
            dossier: next.code.clone(),
            version,
            action,
            from: Some(self.state),
            to: next.state,
            actor: actor.clone(),
            at,
            reason: change.reason,
            handover: change.handover,
            payload: change.payload,
        };
        Ok((next, event))
    }

    /// True when the state (and, for `refuse`, the absence of reception)
    /// allows the action.
    pub fn permits(&self, action: Action) -> bool {
        action.is_allowed_in(self.state)
            && !(action == Action::Refuse && self.received_at.is_some())
    }

    /// The API actions the dossier's state allows (whoever acts).
    pub fn allowed_actions(&self) -> Vec<Action> {
        Action::API
            .iter()
            .copied()
            .filter(|a| self.permits(*a))
            .collect()
    }

    /// The agency holding the dossier: the target of the open transfer leg,
    /// else the agency of the current step.
    /// Every agency that received, held or holds the dossier: the
    /// receiving desk, the current agency and both ends of every transfer.
    pub fn agencies_involved(&self) -> Vec<&AgencyCode> {
        let mut v = vec![&self.receiving_agency, &self.current_agency];
        for l in &self.transfers {
            v.push(&l.from);
            v.push(&l.to);
        }
        v.sort();
        v.dedup();
        v
    }

    pub fn holder(&self) -> &AgencyCode {
        self.open_leg().map_or(&self.current_agency, |l| &l.to)
    }

    /// The innermost transfer leg not yet returned.
    pub fn open_leg(&self) -> Option<&TransferLeg> {
        self.transfers
            .iter()
            .rev()
            .find(|l| l.returned_at.is_none())
    }

    /// The current step of the internal process.
    pub fn step(&self) -> Option<&Step> {
        self.current_step.and_then(|i| self.process.steps.get(i))
    }

    /// The new moment promised by the last apology, if any.
    pub fn promised_at(&self) -> Option<NaiveDateTime> {
        self.apologies.last().map(|a| a.promised_at)
    }

    /// Early / on time / overdue against the legal due moment, for a dossier
    /// resolved or rejected (an apology does not change it).
    pub fn timeliness(&self) -> Option<Timeliness> {
        let o = self.outcome.as_ref()?;
        match o.kind {
            OutcomeKind::Approved | OutcomeKind::Rejected => {
                self.due_at.map(|due| classify_resolved(due, o.at))
            }
            _ => None,
        }
    }

    /// Within time / overdue at `at` for a dossier in processing with a
    /// running clock (`None` when finished, not received, or the clock stands
    /// still: those are their own report bucket).
    pub fn open_timeliness(&self, at: NaiveDateTime) -> Option<OpenTimeliness> {
        if self.state.is_finished() || self.state.stops_clock() {
            return None;
        }
        self.due_at.map(|due| classify_open(due, at))
    }

    /// Working minutes left at `at` (negative when overdue).
    pub fn remaining(&self, at: NaiveDateTime, cal: &WorkCalendar) -> Option<i64> {
        self.due_at.map(|due| cal.remaining(due, at))
    }

    /// The first of an officer's roles in which they may take `action` on
    /// this dossier now (role, agency scope and identity checked; the
    /// command's content is not), as an actor; `None` when no role may.
    pub fn officer_for(
        &self,
        action: Action,
        user_id: &str,
        roles: &[Role],
        agency: &AgencyCode,
    ) -> Option<Actor> {
        if !self.permits(action) {
            return None;
        }
        roles.iter().find_map(|r| {
            let actor = Actor::officer(user_id, *r, agency);
            (may(Capacity::Officer(*r), action) && self.authorize(&actor, action).is_ok())
                .then_some(actor)
        })
    }

    /// The actions an officer may take on this dossier now, in the order of
    /// [`Self::allowed_actions`].
    pub fn actions_for(&self, user_id: &str, roles: &[Role], agency: &AgencyCode) -> Vec<Action> {
        self.allowed_actions()
            .into_iter()
            .filter(|a| self.officer_for(*a, user_id, roles, agency).is_some())
            .collect()
    }

    /// Whether `actor` may take `action` (role, agency scope, identity).
    pub fn authorize(&self, actor: &Actor, action: Action) -> Result<(), TransitionError> {
        let role = actor.capacity();
        let forbidden = |reason| TransitionError::Forbidden {
            role,
            action,
            reason,
        };
        if !may(role, action) {
            return Err(forbidden(ForbiddenReason::Role));
        }
        match actor {
            Actor::Officer { agency, .. } => {
                let ok = match agency_scope(action) {
                    AgencyScope::Receiving => agency == &self.receiving_agency,
                    AgencyScope::Holder => agency == self.holder(),
                    AgencyScope::ReceivingOrHolder => {
                        agency == &self.receiving_agency
                            || agency == self.holder()
                            || agency == &self.current_agency
                    }
                    AgencyScope::TransferLeg => self
                        .open_leg()
                        .is_some_and(|l| &l.to == agency || &l.from == agency),
                };
                if ok {
                    Ok(())
                } else {
                    Err(forbidden(ForbiddenReason::Agency(agency.clone())))
                }
            }
            Actor::Applicant { id_number, .. } => {
                if self.applicant.is_identified_by(id_number) {
                    Ok(())
                } else {
                    Err(forbidden(ForbiddenReason::NotOwner))
                }
            }
            Actor::System { .. } => Ok(()),
        }
    }

    fn rule_violation(action: Action, reason: String) -> TransitionError {
        TransitionError::RuleViolation { action, reason }
    }

    /// The legal due moment from the clock base and the pauses since.
    fn recompute_due(&self, cal: &WorkCalendar) -> Result<Option<NaiveDateTime>, TransitionError> {
        let Some(base) = self.clock_base else {
            return Ok(self.due_at);
        };
        let mut pauses = Vec::new();
        for p in &self.pauses {
            if let Some(to) = p.to
                && p.from >= base
            {
                pauses.push(Pause::new(p.from, to).map_err(cal_err)?);
            }
        }
        cal.due_with_pauses(base, self.processing_time, &pauses)
            .map(Some)
            .map_err(cal_err)
    }

    fn start_pause(&mut self, cause: PauseCause, at: NaiveDateTime) {
        if self.received_at.is_some() {
            self.pauses.push(ClockPause {
                cause,
                from: at,
                to: None,
            });
        }
    }

    /// Ends the running pause; true when there was one.
    fn end_pause(&mut self, at: NaiveDateTime) -> bool {
        match self.pauses.last_mut() {
            Some(p) if p.to.is_none() => {
                p.to = Some(at);
                true
            }
            _ => false,
        }
    }

    /// Completes the current step and starts step `next` (if any) at
    /// `to_agency`; returns the hand-over.
    fn move_to_step(
        &mut self,
        next: Option<usize>,
        at: NaiveDateTime,
        to_agency: Option<AgencyCode>,
    ) -> Handover {
        let h = Handover {
            from_agency: Some(self.current_agency.clone()),
            to_agency: to_agency.clone(),
            step_completed: self.current_step.and_then(|i| step_mark(&self.process, i)),
            step_started: next.and_then(|i| step_mark(&self.process, i)),
            ..Handover::default()
        };
        self.current_step = next;
        self.step_started_at = next.map(|_| at);
        self.assignee = None;
        if let Some(a) = to_agency {
            self.current_agency = a;
        }
        h
    }

    /// Ends processing with `outcome`, handing over to the return step.
    fn finish(
        &mut self,
        kind: OutcomeKind,
        at: NaiveDateTime,
        reason: Option<String>,
        document: Option<String>,
    ) -> Option<Handover> {
        self.outcome = Some(Outcome {
            kind,
            at,
            reason,
            document,
        });
        let last = self.process.last_index();
        match self.current_step {
            Some(i) if i < last => {
                let to = self.process.steps[last]
                    .agency
                    .clone()
                    .unwrap_or_else(|| self.receiving_agency.clone());
                Some(self.move_to_step(Some(last), at, Some(to)))
            }
            _ => None,
        }
    }

    /// Closes the dossier without a result (refused, withdrawn, returned).
    fn close(
        &mut self,
        kind: OutcomeKind,
        at: NaiveDateTime,
        reason: Option<String>,
    ) -> Option<Handover> {
        self.end_pause(at);
        self.resume_state = None;
        self.outcome = Some(Outcome {
            kind,
            at,
            reason,
            document: None,
        });
        self.current_step
            .is_some()
            .then(|| self.move_to_step(None, at, None))
    }

    fn timeliness_json(&self, at: NaiveDateTime) -> Value {
        json!({
            "due_at": self.due_at,
            "finished_at": at,
            "timeliness": self.due_at.map(|d| classify_resolved(d, at)),
            "promised_at": self.promised_at(),
            "promised_timeliness": self.promised_at().map(|p| classify_resolved(p, at)),
        })
    }

    /// Performs the action on `self` (a copy); on error the copy is dropped.
    fn handle(
        &mut self,
        cmd: &CommandAction,
        actor: &Actor,
        at: NaiveDateTime,
        cal: &WorkCalendar,
        rules: &RuleSet,
    ) -> Result<Change, TransitionError> {
        let action = cmd.action();
        match cmd {
            CommandAction::Receive { note } => {
                let note = opt_text("ghi chú", note)?;
                let start = cal.try_clock_start(at).map_err(cal_err)?;
                let due = cal.due(at, self.processing_time).map_err(cal_err)?;
                let late = self.reception_due_at.is_some_and(|d| at > d);
                self.rule_set = rules.id.clone();
                self.received_at = Some(at);
                self.clock_base = Some(at);
                self.due_at = Some(due);
                self.state = State::Received;
                Ok(Change::new(json!({
                    "rule_set": self.rule_set,
                    "clock_start": start,
                    "due_at": due,
                    "reception_due_at": self.reception_due_at,
                    "received_late": late,
                    "forward_by": forward_deadline(at, rules.forwarding_cutoff, cal),
                }))
                .reason(note))
            }
            CommandAction::RequestSupplement {
                items,
                reason,
                late_basis,
            } => {
                let reason = text("lý do yêu cầu bổ sung", reason, true)?;
                let late_basis = opt_text("căn cứ yêu cầu bổ sung muộn", late_basis)?;
                if items.is_empty() || items.len() > MAX_SUPPLEMENT_ITEMS {
                    return Err(invalid(format!(
                        "cần liệt kê từ 1 đến {MAX_SUPPLEMENT_ITEMS} nội dung phải bổ sung"
                    )));
                }
                let items = items
                    .iter()
                    .map(|i| text("nội dung cần bổ sung", i, true))
                    .collect::<Result<Vec<_>, _>>()?;
                let before = self.received_at.is_none();
                if rules.supplement_once
                    && self
                        .supplements
                        .iter()
                        .any(|s| s.before_reception == before)
                {
                    return Err(Self::rule_violation(
                        action,
                        "hồ sơ chỉ được yêu cầu bổ sung một lần, đầy đủ, chính xác (Nghị định 61/2018 Điều 15(3))".into(),
                    ));
                }
                let mut notice_by = None;
                if let (Some(received), Some(n)) =
                    (self.received_at, rules.supplement_notice_working_days)
                {
                    let start = cal.try_clock_start(received).map_err(cal_err)?;
                    let limit = cal
                        .add(start, cal.working_days(n).map_err(cal_err)?)
                        .map_err(cal_err)?;
                    notice_by = Some(limit);
                    if at > limit && late_basis.is_none() {
                        return Err(Self::rule_violation(
                            action,
                            format!(
                                "đã quá {n} ngày làm việc kể từ khi tiếp nhận (hạn {limit}); chỉ được yêu cầu bổ sung muộn hơn khi có căn cứ của pháp luật chuyên ngành (late_basis)"
                            ),
                        ));
                    }
                }
                self.supplements.push(SupplementRequest {
                    requested_at: at,
                    before_reception: before,
                    items: items.clone(),
                    reason: reason.clone(),
                    late_basis: late_basis.clone(),
                    supplied_at: None,
                });
                self.start_pause(PauseCause::Supplement, at);
                self.resume_state = Some(self.state);
                self.state = State::AwaitingSupplement;
                Ok(Change::new(json!({
                    "items": items,
                    "before_reception": before,
                    "notice_by": notice_by,
                    "late_basis": late_basis,
                }))
                .reason(Some(reason)))
            }
            CommandAction::Supplement { note } => {
                let note = opt_text("ghi chú", note)?;
                let Some(req) = self
                    .supplements
                    .iter_mut()
                    .rev()
                    .find(|s| s.supplied_at.is_none())
                else {
                    return Err(invalid("không có yêu cầu bổ sung nào đang chờ"));
                };
                req.supplied_at = Some(at);
                let back = self
                    .resume_state
                    .take()
                    .unwrap_or(if self.received_at.is_some() {
                        State::InProcessing
                    } else {
                        State::Submitted
                    });
                let previous = self.due_at;
                let mut policy = None;
                if self.received_at.is_some() {
                    self.end_pause(at);
                    if rules.supplement_clock == SupplementClock::Restart {
                        self.clock_base = Some(at);
                    }
                    self.due_at = self.recompute_due(cal)?;
                    policy = Some(rules.supplement_clock);
                }
                self.state = back;
                Ok(Change::new(json!({
                    "clock": policy,
                    "previous_due_at": previous,
                    "due_at": self.due_at,
                }))
                .reason(note))
            }
            CommandAction::Refuse { reason } => {
                let reason = text("lý do từ chối", reason, true)?;
                let h = self.close(OutcomeKind::RefusedAtReception, at, Some(reason.clone()));
                self.state = State::RefusedAtReception;
                Ok(Change::new(json!({})).reason(Some(reason)).handover(h))
            }
            CommandAction::Forward { to, note } => {
                let note = opt_text("ghi chú", note)?;
                let to = to
                    .clone()
                    .or_else(|| self.process.steps.get(1).and_then(|s| s.agency.clone()))
                    .unwrap_or_else(|| self.receiving_agency.clone());
                let deadline = self
                    .received_at
                    .and_then(|r| forward_deadline(r, rules.forwarding_cutoff, cal));
                let late = deadline.is_some_and(|d| at > d);
                let h = self.move_to_step(Some(1), at, Some(to.clone()));
                self.state = State::InProcessing;
                Ok(Change::new(json!({
                    "to": to,
                    "forward_by": deadline,
                    "forwarded_late": late,
                }))
                .reason(note)
                .handover(Some(h)))
            }
            CommandAction::Assign { assignee, note } => {
                let assignee = text("người được phân công", assignee, true)?;
                let note = opt_text("ghi chú", note)?;
                self.assignee = Some(assignee.clone());
                Ok(Change::new(json!({ "assignee": assignee })).reason(note))
            }
            CommandAction::CompleteStep { to, note } => {
                let note = opt_text("ghi chú", note)?;
                let i = self.current_step.unwrap_or(0);
                if i + 1 >= self.process.last_index() {
                    return Err(Self::rule_violation(
                        action,
                        "đây là bước xử lý cuối cùng trước khi trả kết quả; hãy phê duyệt (resolve) hoặc từ chối giải quyết (reject)".into(),
                    ));
                }
                if let Actor::Officer { role, .. } = actor
                    && let Some(step) = self.process.steps.get(i)
                    && *role != step.role
                {
                    return Err(TransitionError::Forbidden {
                        role: actor.capacity(),
                        action,
                        reason: ForbiddenReason::StepRole(step.role),
                    });
                }
                let to = to
                    .clone()
                    .or_else(|| self.process.steps.get(i + 1).and_then(|s| s.agency.clone()))
                    .unwrap_or_else(|| self.current_agency.clone());
                let h = self.move_to_step(Some(i + 1), at, Some(to));
                Ok(Change::new(json!({})).reason(note).handover(Some(h)))
            }
            CommandAction::Transfer { to, budget, task } => {
                let task = text("nội dung công việc chuyển liên thông", task, true)?;
                if budget.as_minutes() == 0 {
                    return Err(invalid("thời hạn của cơ quan phối hợp phải lớn hơn 0"));
                }
                let from = self.holder().clone();
                if to == &from {
                    return Err(invalid(format!("hồ sơ đang ở chính cơ quan {to}")));
                }
                let leg_due = cal.add(at, *budget).map_err(cal_err)?;
                if let Some(limit) = self.promised_at().or(self.due_at)
                    && at < limit
                    && leg_due > limit
                {
                    return Err(Self::rule_violation(
                        action,
                        format!(
                            "thời hạn của lượt chuyển ({leg_due}) vượt quá hạn trả kết quả ({limit})"
                        ),
                    ));
                }
                let index = self.transfers.len();
                self.transfers.push(TransferLeg {
                    from: from.clone(),
                    to: to.clone(),
                    task: task.clone(),
                    budget: *budget,
                    sent_at: at,
                    leg_due,
                    returned_at: None,
                });
                self.state = State::TransferredOut;
                let h = Handover {
                    from_agency: Some(from),
                    to_agency: Some(to.clone()),
                    leg_started: Some(LegMark {
                        index,
                        task,
                        budget: *budget,
                    }),
                    ..Handover::default()
                };
                Ok(
                    Change::new(json!({ "to": to, "budget": budget, "leg_due": leg_due }))
                        .handover(Some(h)),
                )
            }
            CommandAction::ReturnFromTransfer { note } => {
                let note = opt_text("ghi chú", note)?;
                let Some(index) = self.transfers.iter().rposition(|l| l.returned_at.is_none())
                else {
                    return Err(invalid("không có lượt chuyển liên thông nào đang mở"));
                };
                let leg = &mut self.transfers[index];
                leg.returned_at = Some(at);
                let (late, leg_due) = (at > leg.leg_due, leg.leg_due);
                let h = Handover {
                    from_agency: Some(leg.to.clone()),
                    to_agency: Some(leg.from.clone()),
                    leg_completed: Some(LegMark {
                        index,
                        task: leg.task.clone(),
                        budget: leg.budget,
                    }),
                    ..Handover::default()
                };
                self.state = if self.open_leg().is_some() {
                    State::TransferredOut
                } else {
                    State::InProcessing
                };
                Ok(Change::new(json!({ "leg_due": leg_due, "late": late }))
                    .reason(note)
                    .handover(Some(h)))
            }
            CommandAction::Pause { reason } => {
                let reason = text("lý do tạm dừng", reason, true)?;
                if rules.suspension_stops_clock {
                    self.start_pause(PauseCause::Suspension, at);
                }
                self.state = State::Suspended;
                Ok(
                    Change::new(json!({ "clock_stopped": rules.suspension_stops_clock }))
                        .reason(Some(reason)),
                )
            }
            CommandAction::Resume { note } => {
                let note = opt_text("ghi chú", note)?;
                let previous = self.due_at;
                if self.end_pause(at) {
                    self.due_at = self.recompute_due(cal)?;
                }
                self.state = State::InProcessing;
                Ok(
                    Change::new(json!({ "previous_due_at": previous, "due_at": self.due_at }))
                        .reason(note),
                )
            }
            CommandAction::RequestPayment {
                amount,
                description,
            } => {
                let description = text("nội dung nghĩa vụ tài chính", description, true)?;
                if *amount == 0 {
                    return Err(invalid("số tiền phải lớn hơn 0"));
                }
                self.payments.push(PaymentRequest {
                    requested_at: at,
                    amount: *amount,
                    description: description.clone(),
                    paid_at: None,
                    reference: None,
                });
                if rules.payment_stops_clock {
                    self.start_pause(PauseCause::Payment, at);
                }
                self.state = State::AwaitingPayment;
                Ok(Change::new(json!({
                    "amount": amount,
                    "description": description,
                    "clock_stopped": rules.payment_stops_clock,
                })))
            }
            CommandAction::RecordPayment { reference } => {
                let reference = opt_text("mã giao dịch, biên lai", reference)?;
                let Some(p) = self.payments.iter_mut().rev().find(|p| p.paid_at.is_none()) else {
                    return Err(invalid("không có yêu cầu thanh toán nào đang chờ"));
                };
                p.paid_at = Some(at);
                p.reference = reference.clone();
                let previous = self.due_at;
                if self.end_pause(at) {
                    self.due_at = self.recompute_due(cal)?;
                }
                self.state = State::InProcessing;
                Ok(Change::new(json!({
                    "reference": reference,
                    "previous_due_at": previous,
                    "due_at": self.due_at,
                })))
            }
            CommandAction::Apologize {
                reason_code,
                reason,
                promised_at,
            } => {
                let reason = text("lý do quá hạn", reason, true)?;
                let max = rules.apology_max as usize;
                if self.apologies.len() >= max {
                    return Err(Self::rule_violation(
                        action,
                        format!(
                            "chỉ được hẹn lại ngày trả kết quả {max} lần (Nghị định 61/2018 Điều 19(9))"
                        ),
                    ));
                }
                let Some(due) = self.due_at else {
                    return Err(invalid("hồ sơ chưa có hạn trả kết quả"));
                };
                let n = rules.apology_min_lead_working_days;
                if n > 0 {
                    let lead = cal.working_days(n).map_err(cal_err)?;
                    if cal.remaining(due, at) < lead.as_minutes() {
                        return Err(Self::rule_violation(
                            action,
                            format!(
                                "văn bản xin lỗi phải gửi chậm nhất {n} ngày làm việc trước hạn trả kết quả ({due})"
                            ),
                        ));
                    }
                }
                let floor = self.promised_at().unwrap_or(due).max(at);
                if *promised_at <= floor {
                    return Err(invalid(format!(
                        "ngày hẹn mới ({promised_at}) phải sau hạn trả kết quả hiện tại ({floor})"
                    )));
                }
                if !cal.is_working_day(promised_at.date()) {
                    return Err(invalid(format!(
                        "ngày hẹn mới ({}) không phải ngày làm việc",
                        promised_at.date()
                    )));
                }
                self.apologies.push(Apology {
                    at,
                    reason_code: *reason_code,
                    reason: reason.clone(),
                    legal_due_at: due,
                    promised_at: *promised_at,
                });
                Ok(Change::new(json!({
                    "reason_code": reason_code,
                    "legal_due_at": due,
                    "promised_at": promised_at,
                }))
                .reason(Some(reason)))
            }
            CommandAction::Resolve { document } => {
                let document = opt_text("kết quả", document)?;
                let payload = self.timeliness_json(at);
                let h = self.finish(OutcomeKind::Approved, at, None, document);
                self.state = State::Resolved;
                Ok(Change::new(payload).handover(h))
            }
            CommandAction::Reject { reason } => {
                let reason = text("lý do không giải quyết", reason, true)?;
                let payload = self.timeliness_json(at);
                let h = self.finish(OutcomeKind::Rejected, at, Some(reason.clone()), None);
                self.state = State::Rejected;
                Ok(Change::new(payload).reason(Some(reason)).handover(h))
            }
            CommandAction::ReturnResult { delivery, note } => {
                let note = opt_text("ghi chú", note)?;
                self.returned = Some(ResultReturn {
                    at,
                    delivery: *delivery,
                    note: note.clone(),
                });
                let h = self.move_to_step(None, at, None);
                self.state = State::ResultReturned;
                Ok(Change::new(json!({ "delivery": delivery }))
                    .reason(note)
                    .handover(Some(h)))
            }
            CommandAction::Withdraw { reason } => {
                let reason = opt_text("lý do rút hồ sơ", reason)?;
                let h = self.close(OutcomeKind::Withdrawn, at, reason.clone());
                self.state = State::Withdrawn;
                Ok(Change::new(json!({})).reason(reason).handover(h))
            }
            CommandAction::ReturnUnresolved { reason } => {
                let reason = text("lý do trả lại hồ sơ", reason, true)?;
                let h = self.close(OutcomeKind::ReturnedUnresolved, at, Some(reason.clone()));
                self.state = State::ReturnedUnresolved;
                Ok(Change::new(json!({})).reason(Some(reason)).handover(h))
            }
        }
    }
}

#[cfg(all(test, feature = "openapi"))]
mod openapi_tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn schemas_build() {
        for schema in [
            Command::schema(),
            Dossier::schema(),
            Event::schema(),
            NewDossier::schema(),
        ] {
            let json = serde_json::to_string(&schema).unwrap();
            assert!(json.len() > 10);
        }
        let json = serde_json::to_string(&CommandAction::schema()).unwrap();
        assert!(json.contains("return_from_transfer"), "{json}");
    }
}
