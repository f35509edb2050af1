//! Who acts: roles on an agency, the applicant, the system; and the table of
//! which of them may take which action (docs/dossier.md §5 lists it with the
//! legal articles).

use super::state::{Action, named_enum};
use crate::codes::AgencyCode;
use serde::{Deserialize, Serialize};
use std::fmt;

named_enum!(
    /// A role a user holds on an agency (domain.md §3.3). A user may hold
    /// several; an [`Actor`] acts in one of them.
    Role {
        /// *Cán bộ một cửa*: receives, forwards, returns results.
        ReceptionOfficer => ("reception_officer", "Cán bộ tiếp nhận (Bộ phận Một cửa)"),
        /// *Chuyên viên*: appraises and drafts.
        Specialist => ("specialist", "Chuyên viên xử lý"),
        /// *Lãnh đạo phòng*: assigns, reviews, suspends.
        HeadOfOffice => ("head_of_office", "Lãnh đạo phòng"),
        /// *Lãnh đạo đơn vị*: signs results and refusals.
        SigningLeader => ("signing_leader", "Lãnh đạo ký duyệt"),
        /// Configures the installation; takes no action on dossiers.
        Administrator => ("administrator", "Quản trị hệ thống"),
        /// Reads for oversight; takes no action on dossiers.
        OversightReader => ("oversight_reader", "Giám sát, theo dõi"),
        /// *Biên tập viên*: writes and publishes the portal's news; takes no
        /// action on dossiers.
        Editor => ("editor", "Biên tập viên Cổng thông tin"),
    }
);

impl Role {
    /// Whether the role works on dossiers (administrators, oversight
    /// readers and editors take no action on them).
    pub const fn works_dossiers(self) -> bool {
        matches!(
            self,
            Role::ReceptionOfficer | Role::Specialist | Role::HeadOfOffice | Role::SigningLeader
        )
    }
}

/// Whether someone holding `roles` oversees their unit's subtree
/// (administrators and oversight readers): they read dossiers, reports and
/// ledgers of agencies under their unit without handling them.
pub fn oversees(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::Administrator | Role::OversightReader))
}

/// Whether someone holding `roles` may read the reports (of their unit):
/// leaders, heads of office, administrators and oversight readers.
pub fn may_read_reports(roles: &[Role]) -> bool {
    oversees(roles)
        || roles
            .iter()
            .any(|r| matches!(r, Role::SigningLeader | Role::HeadOfOffice))
}

/// Whether someone holding `roles` may read a desk's ledger (*sổ theo dõi*,
/// with every applicant's name): the desk's own people, and those who
/// oversee.
pub fn may_read_ledger(roles: &[Role], same_desk: bool) -> bool {
    same_desk || oversees(roles)
}

/// Whether someone holding `roles` administers their agency (users,
/// calendars, processes, templates, peers).
pub fn may_administer(roles: &[Role]) -> bool {
    roles.contains(&Role::Administrator)
}

/// Whether someone holding `roles` writes the portal's news.
pub fn may_edit_news(roles: &[Role]) -> bool {
    roles.contains(&Role::Editor) || may_administer(roles)
}

/// Whether someone holding `roles` works at the desk (receives, returns).
pub fn works_at_desk(roles: &[Role]) -> bool {
    roles.contains(&Role::ReceptionOfficer)
}

/// Whether a person may be assigned a dossier held by `holder`: an
/// officer of that agency who works on dossiers. The assignee's queue then
/// shows the applicant, so nobody else may be named.
pub fn may_be_assigned(holder: &AgencyCode, agency: &AgencyCode, roles: &[Role]) -> bool {
    agency == holder && roles.iter().any(|r| r.works_dossiers())
}

/// How a person's agency relates to a dossier, for reading its personal
/// data (docs/security.md, the role × relation matrix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Their agency received, held or holds the dossier.
    Handles,
    /// An agency that received, held or holds it lies within the
    /// administrative unit of their agency, or under it.
    Oversees,
    /// Neither.
    Unrelated,
}

/// Whether a person holding `roles` may read the personal data of a dossier
/// they relate to so (the applicant, the documents, the slips, the
/// timeline): the officers who work on dossiers when their agency handles
/// it; administrators and oversight readers within their unit's subtree;
/// editors never (issue 18.3).
pub fn may_read_dossier(roles: &[Role], relation: Relation) -> bool {
    roles.iter().any(|r| match r {
        Role::Editor => false,
        Role::Administrator | Role::OversightReader => relation != Relation::Unrelated,
        r => r.works_dossiers() && relation == Relation::Handles,
    })
}

/// Whether someone holding `roles` sees the work queues of their agency
/// (the applicants' names): everyone but an editor only.
pub fn sees_queues(roles: &[Role]) -> bool {
    may_read_dossier(roles, Relation::Handles)
}

/// The capacity in which an actor acts: a role, the applicant, or the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capacity {
    Officer(Role),
    /// The applicant (or their representative) through a portal.
    Applicant,
    /// motcua itself or a trusted integration (payment gateway, DVCQG sync).
    System,
}

impl Capacity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Capacity::Officer(r) => r.as_str(),
            Capacity::Applicant => "applicant",
            Capacity::System => "system",
        }
    }

    pub const fn label_vi(self) -> &'static str {
        match self {
            Capacity::Officer(r) => r.label_vi(),
            Capacity::Applicant => "Người nộp hồ sơ",
            Capacity::System => "Hệ thống",
        }
    }

    /// Every capacity: the six roles, the applicant, the system.
    pub fn all() -> Vec<Capacity> {
        Role::ALL
            .iter()
            .map(|r| Capacity::Officer(*r))
            .chain([Capacity::Applicant, Capacity::System])
            .collect()
    }
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Capacity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Capacity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "applicant" => Ok(Capacity::Applicant),
            "system" => Ok(Capacity::System),
            other => Role::parse(other).map(Capacity::Officer).ok_or_else(|| {
                serde::de::Error::custom(format!("vai trò `{other}` không tồn tại"))
            }),
        }
    }
}

/// Who performs a command.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A user acting in one of their roles, on their agency.
    Officer {
        user_id: String,
        role: Role,
        agency: AgencyCode,
    },
    /// The applicant or their representative, identified by the personal
    /// identification number or tax code they authenticated with.
    Applicant { user_id: String, id_number: String },
    /// motcua or a trusted integration, named.
    System { name: String },
}

impl Actor {
    /// An officer.
    pub fn officer(user_id: &str, role: Role, agency: &AgencyCode) -> Actor {
        Actor::Officer {
            user_id: user_id.to_string(),
            role,
            agency: agency.clone(),
        }
    }

    pub fn capacity(&self) -> Capacity {
        match self {
            Actor::Officer { role, .. } => Capacity::Officer(*role),
            Actor::Applicant { .. } => Capacity::Applicant,
            Actor::System { .. } => Capacity::System,
        }
    }

    /// The user id (the system's name for [`Actor::System`]).
    pub fn user_id(&self) -> &str {
        match self {
            Actor::Officer { user_id, .. } | Actor::Applicant { user_id, .. } => user_id,
            Actor::System { name } => name,
        }
    }

    /// The agency of an officer.
    pub fn agency(&self) -> Option<&AgencyCode> {
        match self {
            Actor::Officer { agency, .. } => Some(agency),
            _ => None,
        }
    }
}

/// Which agency an officer must belong to for an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencyScope {
    /// The receiving desk (the agency in the dossier code).
    Receiving,
    /// The agency holding the dossier: the target of the open transfer leg,
    /// else the agency of the current step.
    Holder,
    /// Either of the two.
    ReceivingOrHolder,
    /// The sending or receiving agency of the open transfer leg.
    TransferLeg,
}

/// The capacities allowed to take `action` (the role table of docs/dossier.md).
pub const fn allowed_capacities(action: Action) -> &'static [Capacity] {
    use Capacity::{Applicant, Officer, System};
    use Role::*;
    match action {
        Action::Receive | Action::Refuse | Action::Forward | Action::ReturnResult => {
            &[Officer(ReceptionOfficer)]
        }
        Action::RequestSupplement | Action::RequestPayment => &[
            Officer(ReceptionOfficer),
            Officer(Specialist),
            Officer(HeadOfOffice),
        ],
        Action::Supplement | Action::Withdraw => &[Officer(ReceptionOfficer), Applicant],
        Action::Assign => &[Officer(HeadOfOffice)],
        Action::CompleteStep => &[
            Officer(ReceptionOfficer),
            Officer(Specialist),
            Officer(HeadOfOffice),
            Officer(SigningLeader),
        ],
        Action::Transfer | Action::ReturnFromTransfer => &[
            Officer(ReceptionOfficer),
            Officer(HeadOfOffice),
            Officer(SigningLeader),
        ],
        Action::Pause | Action::Resume | Action::Apologize => {
            &[Officer(HeadOfOffice), Officer(SigningLeader)]
        }
        Action::RecordPayment => &[Officer(ReceptionOfficer), System],
        Action::Resolve | Action::Reject => &[Officer(SigningLeader)],
        Action::ReturnUnresolved => &[Officer(HeadOfOffice), Officer(SigningLeader), System],
        Action::Submit => &[Applicant, System],
        Action::Import => &[System],
    }
}

/// True when `capacity` may take `action` (agency and ownership are checked
/// by the transition).
pub fn may(capacity: Capacity, action: Action) -> bool {
    allowed_capacities(action).contains(&capacity)
}

/// The agency an officer must belong to for `action`.
pub const fn agency_scope(action: Action) -> AgencyScope {
    match action {
        Action::Receive
        | Action::Refuse
        | Action::Forward
        | Action::Supplement
        | Action::ReturnResult
        | Action::Withdraw
        | Action::Submit
        | Action::Import => AgencyScope::Receiving,
        Action::Assign
        | Action::CompleteStep
        | Action::Pause
        | Action::Resume
        | Action::Resolve
        | Action::Reject
        | Action::ReturnUnresolved => AgencyScope::Holder,
        Action::RequestSupplement
        | Action::RequestPayment
        | Action::RecordPayment
        | Action::Apologize
        | Action::Transfer => AgencyScope::ReceivingOrHolder,
        Action::ReturnFromTransfer => AgencyScope::TransferLeg,
    }
}

/// The legal basis of each action, for the documentation and the API.
pub const fn legal_basis(action: Action) -> &'static str {
    match action {
        Action::Submit => "Nghị định 61/2018 Điều 16(3)",
        Action::Import => "Thông tư 01/2018/TT-VPCP Điều 20 (sổ theo dõi hồ sơ): dữ liệu lịch sử",
        Action::Receive => "Nghị định 61/2018 Điều 17",
        Action::RequestSupplement => "Nghị định 61/2018 Điều 15(3), 17, 19(4)",
        Action::Supplement => "Nghị định 61/2018 Điều 19(4)",
        Action::Refuse => "Nghị định 61/2018 Điều 17",
        Action::Forward => "Nghị định 61/2018 Điều 18",
        Action::Assign => "Nghị định 61/2018 Điều 19(1)",
        Action::CompleteStep => "Nghị định 61/2018 Điều 19(2)-(3); Thông tư 01/2018 Điều 8",
        Action::Transfer | Action::ReturnFromTransfer => "Nghị định 61/2018 Điều 19(5)-(7)",
        Action::Pause | Action::Resume => "[suy luận] Thông tư 03/2025 mẫu 05 (dừng giải quyết)",
        Action::RequestPayment | Action::RecordPayment => "Nghị định 61/2018 Điều 22",
        Action::Apologize => "Nghị định 61/2018 Điều 19(9)",
        Action::Resolve => "Nghị định 61/2018 Điều 19(2)",
        Action::Reject => "Nghị định 61/2018 Điều 19(8)",
        Action::ReturnResult => "Nghị định 61/2018 Điều 20",
        Action::Withdraw => "[suy luận] trạng thái 7 của DVCQG",
        Action::ReturnUnresolved => "[suy luận] trạng thái 8 của DVCQG; Thông tư 03/2025 mẫu 05",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_and_administrators_act_on_nothing() {
        for a in Action::ALL {
            assert!(!may(Capacity::Officer(Role::OversightReader), *a));
            assert!(!may(Capacity::Officer(Role::Administrator), *a));
        }
    }

    #[test]
    fn every_api_action_has_a_capacity() {
        for a in Action::API {
            assert!(!allowed_capacities(a).is_empty(), "{a}");
            assert!(!legal_basis(a).is_empty());
        }
    }

    #[test]
    fn applicant_actions() {
        let mine: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|a| may(Capacity::Applicant, *a))
            .collect();
        assert_eq!(mine, [Action::Supplement, Action::Withdraw, Action::Submit]);
        assert!(may(Capacity::Officer(Role::SigningLeader), Action::Resolve));
        assert!(!may(Capacity::Officer(Role::Specialist), Action::Resolve));
    }

    #[test]
    fn serde_names() {
        for c in Capacity::all() {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Capacity>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<Capacity>("\"king\"").is_err());
        let a = Actor::officer(
            "u1",
            Role::ReceptionOfficer,
            &AgencyCode::new("H55.242").unwrap(),
        );
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["kind"], "officer");
        assert_eq!(json["role"], "reception_officer");
        assert_eq!(json["agency"], "H55.242");
        assert_eq!(a.user_id(), "u1");
    }
}

#[cfg(test)]
mod access_tests {
    use super::*;

    /// The matrix of docs/security.md, cell by cell.
    #[test]
    fn who_reads_a_dossier() {
        use Relation::*;
        let cases: &[(Role, [bool; 3])] = &[
            (Role::ReceptionOfficer, [true, false, false]),
            (Role::Specialist, [true, false, false]),
            (Role::HeadOfOffice, [true, false, false]),
            (Role::SigningLeader, [true, false, false]),
            (Role::Administrator, [true, true, false]),
            (Role::OversightReader, [true, true, false]),
            (Role::Editor, [false, false, false]),
        ];
        for (role, want) in cases {
            for (rel, w) in [Handles, Oversees, Unrelated].into_iter().zip(want) {
                assert_eq!(may_read_dossier(&[*role], rel), *w, "{role:?} {rel:?}");
            }
        }
        assert!(!may_read_dossier(&[], Handles));
        assert!(may_read_dossier(&[Role::Editor, Role::Specialist], Handles));
        assert!(!sees_queues(&[Role::Editor]));
        assert!(sees_queues(&[Role::OversightReader]));
    }

    /// What each role may reach beyond one dossier: one rule each.
    #[test]
    fn what_each_role_may_reach() {
        // (role, reports, ledger of another desk, administers, edits news, desk)
        let cases: &[(Role, [bool; 5])] = &[
            (Role::ReceptionOfficer, [false, false, false, false, true]),
            (Role::Specialist, [false, false, false, false, false]),
            (Role::HeadOfOffice, [true, false, false, false, false]),
            (Role::SigningLeader, [true, false, false, false, false]),
            (Role::Administrator, [true, true, true, true, false]),
            (Role::OversightReader, [true, true, false, false, false]),
            (Role::Editor, [false, false, false, true, false]),
        ];
        for (role, want) in cases {
            let r = &[*role];
            let got = [
                may_read_reports(r),
                may_read_ledger(r, false),
                may_administer(r),
                may_edit_news(r),
                works_at_desk(r),
            ];
            assert_eq!(&got, want, "{role:?}");
            assert!(may_read_ledger(r, true), "{role:?}: the desk's own ledger");
        }
    }
}
