//! Channels, states and actions of the dossier lifecycle (domain.md §3), with
//! their API names (serde snake_case) and Vietnamese labels, and the table of
//! which action may be taken in which state.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => ($api:literal, $vi:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The API name (the serde spelling).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $api),+ }
            }

            /// The Vietnamese label shown to people.
            pub const fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi),+ }
            }

            /// Reads an API name.
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($api => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    /// How the dossier reached the desk (Decree 61/2018 Art 16).
    Channel {
        /// *Trực tiếp* at the desk.
        Direct => ("direct", "Trực tiếp"),
        /// *Trực tuyến* through the ministry/province portal.
        Online => ("online", "Trực tuyến"),
        /// *Qua dịch vụ bưu chính công ích*.
        Postal => ("postal", "Dịch vụ bưu chính"),
        /// Through the National Public Service Portal (DVCQG).
        NationalPortal => ("national_portal", "Cổng Dịch vụ công quốc gia"),
    }
);

impl Channel {
    /// The channel name of the procedure catalogue whose processing time
    /// applies (`Trực tiếp`, `Trực tuyến`, `Dịch vụ bưu chính`).
    pub const fn catalogue_channel(self) -> &'static str {
        match self {
            Channel::Direct => "Trực tiếp",
            Channel::Online | Channel::NationalPortal => "Trực tuyến",
            Channel::Postal => "Dịch vụ bưu chính",
        }
    }

    /// The DVCQG `KenhThucHien` code: 1 direct, 2 online, 3 postal.
    pub const fn national_code(self) -> u8 {
        match self {
            Channel::Direct => 1,
            Channel::Online | Channel::NationalPortal => 2,
            Channel::Postal => 3,
        }
    }

    /// True for the channels where the applicant submits from a portal.
    pub const fn is_online(self) -> bool {
        matches!(self, Channel::Online | Channel::NationalPortal)
    }
}

named_enum!(
    /// The state of a dossier (domain.md §3.2).
    State {
        /// Submitted online, awaiting reception (DVCQG 1).
        Submitted => ("submitted", "Mới đăng ký, chờ tiếp nhận"),
        /// Received at the desk, not yet forwarded (DVCQG 2).
        Received => ("received", "Đã tiếp nhận"),
        /// Being processed along the internal process (DVCQG 4).
        InProcessing => ("in_processing", "Đang xử lý"),
        /// Waiting for the applicant's supplement; the clock is stopped once received (DVCQG 5).
        AwaitingSupplement => ("awaiting_supplement", "Chờ bổ sung, hoàn thiện hồ sơ"),
        /// Waiting for a fee or other financial obligation; clock stopped (DVCQG 6).
        AwaitingPayment => ("awaiting_payment", "Chờ thực hiện nghĩa vụ tài chính"),
        /// Processing suspended with a reason; clock stopped (DVCQG 8).
        Suspended => ("suspended", "Tạm dừng xử lý"),
        /// Waiting for another agency or level (inter-connected mechanism; DVCQG 4).
        TransferredOut => ("transferred_out", "Đang xử lý liên thông"),
        /// Resolved, result granted and ready to return (DVCQG 9).
        Resolved => ("resolved", "Đã giải quyết, chờ trả kết quả"),
        /// Not eligible after appraisal; a written refusal is the result (DVCQG 9).
        Rejected => ("rejected", "Không đủ điều kiện giải quyết"),
        /// The result was handed to the applicant (DVCQG 10).
        ResultReturned => ("result_returned", "Đã trả kết quả"),
        /// Withdrawn at the applicant's request (DVCQG 7).
        Withdrawn => ("withdrawn", "Công dân đã rút hồ sơ"),
        /// Refused at reception, never received (DVCQG 3).
        RefusedAtReception => ("refused_at_reception", "Từ chối tiếp nhận"),
        /// Returned to the applicant unresolved, with a reason (DVCQG 8).
        ReturnedUnresolved => ("returned_unresolved", "Trả lại hồ sơ, dừng giải quyết"),
    }
);

impl State {
    /// The national status code (`TrangThaiHoSo`, 1..=10) sent to DVCQG.
    pub const fn national_code(self) -> u8 {
        match self {
            State::Submitted => 1,
            State::Received => 2,
            State::RefusedAtReception => 3,
            State::InProcessing | State::TransferredOut => 4,
            State::AwaitingSupplement => 5,
            State::AwaitingPayment => 6,
            State::Withdrawn => 7,
            State::Suspended | State::ReturnedUnresolved => 8,
            State::Resolved | State::Rejected => 9,
            State::ResultReturned => 10,
        }
    }

    /// No action is possible any more.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            State::ResultReturned
                | State::Withdrawn
                | State::RefusedAtReception
                | State::ReturnedUnresolved
        )
    }

    /// Processing is over (a result exists or the dossier was closed).
    pub const fn is_finished(self) -> bool {
        self.is_terminal() || matches!(self, State::Resolved | State::Rejected)
    }

    /// The processing clock does not run in this state (once received).
    pub const fn stops_clock(self) -> bool {
        matches!(
            self,
            State::AwaitingSupplement | State::AwaitingPayment | State::Suspended
        )
    }
}

named_enum!(
    /// What can be done to a dossier. The API names are those of
    /// `POST /api/dossiers/{code}/actions`; [`Action::Submit`] only names the
    /// creation event of an online dossier and is never a command.
    Action {
        /// *Tiếp nhận*: receive an online dossier (Decree 61 Art 17).
        Receive => ("receive", "Tiếp nhận hồ sơ"),
        /// *Yêu cầu bổ sung, hoàn thiện* (Art 15(3), 17, 19(4)).
        RequestSupplement => ("request_supplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ"),
        /// The applicant's supplement is received.
        Supplement => ("supplement", "Tiếp nhận hồ sơ bổ sung"),
        /// *Từ chối tiếp nhận* (Art 17).
        Refuse => ("refuse", "Từ chối tiếp nhận hồ sơ"),
        /// *Chuyển xử lý*: desk → competent agency (Art 18).
        Forward => ("forward", "Chuyển hồ sơ đến cơ quan giải quyết"),
        /// *Phân công*: the head assigns an officer (Art 19(1)).
        Assign => ("assign", "Phân công xử lý"),
        /// *Chuyển bước*: the next step of the internal process.
        CompleteStep => ("complete_step", "Chuyển bước xử lý"),
        /// *Chuyển liên thông* to another agency or level (Art 19(6)-(7)).
        Transfer => ("transfer", "Chuyển xử lý liên thông"),
        /// The other agency returns the dossier.
        ReturnFromTransfer => ("return_from_transfer", "Nhận lại hồ sơ xử lý liên thông"),
        /// *Tạm dừng xử lý* with a reason.
        Pause => ("pause", "Tạm dừng xử lý"),
        /// Processing continues after a suspension.
        Resume => ("resume", "Tiếp tục xử lý"),
        /// *Yêu cầu thực hiện nghĩa vụ tài chính*.
        RequestPayment => ("request_payment", "Yêu cầu thực hiện nghĩa vụ tài chính"),
        /// The financial obligation is fulfilled.
        RecordPayment => ("record_payment", "Xác nhận hoàn thành nghĩa vụ tài chính"),
        /// *Xin lỗi và hẹn lại ngày trả kết quả* (Art 19(9)).
        Apologize => ("apologize", "Xin lỗi và hẹn lại ngày trả kết quả"),
        /// The result is approved and signed (Art 19(2)).
        Resolve => ("resolve", "Phê duyệt kết quả giải quyết"),
        /// Not eligible: written refusal as the result (Art 19(8)).
        Reject => ("reject", "Từ chối giải quyết hồ sơ"),
        /// *Trả kết quả* (Art 20).
        ReturnResult => ("return_result", "Trả kết quả"),
        /// *Rút hồ sơ* at the applicant's request.
        Withdraw => ("withdraw", "Rút hồ sơ theo đề nghị của người nộp"),
        /// *Trả lại hồ sơ* unresolved, with a reason.
        ReturnUnresolved => ("return_unresolved", "Trả lại hồ sơ không giải quyết"),
        /// Creation event of an online dossier (not a command).
        Submit => ("submit", "Nộp hồ sơ trực tuyến"),
        /// Creation event of a dossier imported from a desk's previous
        /// software, as it stood there (not a command).
        Import => ("import", "Nhập từ dữ liệu phần mềm cũ"),
    }
);

impl Action {
    /// The actions of the HTTP API (every action except [`Action::Submit`]).
    pub const API: [Action; 19] = [
        Action::Receive,
        Action::RequestSupplement,
        Action::Supplement,
        Action::Refuse,
        Action::Forward,
        Action::Assign,
        Action::CompleteStep,
        Action::Transfer,
        Action::ReturnFromTransfer,
        Action::Pause,
        Action::Resume,
        Action::RequestPayment,
        Action::RecordPayment,
        Action::Apologize,
        Action::Resolve,
        Action::Reject,
        Action::ReturnResult,
        Action::Withdraw,
        Action::ReturnUnresolved,
    ];

    /// The states in which the action may be taken. Some actions have a
    /// further condition checked by the transition itself (e.g. `refuse` from
    /// `awaiting_supplement` only before reception).
    pub const fn allowed_from(self) -> &'static [State] {
        use State::*;
        match self {
            Action::Receive => &[Submitted],
            Action::RequestSupplement => &[Submitted, Received, InProcessing],
            Action::Supplement => &[AwaitingSupplement],
            Action::Refuse => &[Submitted, AwaitingSupplement],
            Action::Forward => &[Received],
            Action::Assign | Action::CompleteStep => &[InProcessing],
            Action::Transfer => &[InProcessing, TransferredOut],
            Action::ReturnFromTransfer => &[TransferredOut],
            Action::Pause => &[InProcessing],
            Action::Resume => &[Suspended],
            Action::RequestPayment => &[InProcessing],
            Action::RecordPayment => &[AwaitingPayment],
            Action::Apologize => &[InProcessing, TransferredOut],
            Action::Resolve | Action::Reject => &[InProcessing],
            Action::ReturnResult => &[Resolved, Rejected],
            Action::Withdraw => &[
                Submitted,
                Received,
                InProcessing,
                AwaitingSupplement,
                AwaitingPayment,
                Suspended,
                TransferredOut,
            ],
            Action::ReturnUnresolved => {
                &[InProcessing, AwaitingSupplement, AwaitingPayment, Suspended]
            }
            Action::Submit | Action::Import => &[],
        }
    }

    /// True when the state table lets the action be taken in `state`.
    pub fn is_allowed_in(self, state: State) -> bool {
        self.allowed_from().contains(&state)
    }
}

/// How the result is handed over (*đăng ký nhận kết quả tại*, form 01).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// At the one-stop desk.
    #[default]
    AtDesk,
    /// By public postal service.
    Post,
    /// Electronically (portal, e-mail).
    Online,
}

impl Delivery {
    pub const fn label_vi(self) -> &'static str {
        match self {
            Delivery::AtDesk => "Tại Bộ phận Một cửa",
            Delivery::Post => "Qua dịch vụ bưu chính",
            Delivery::Online => "Trực tuyến",
        }
    }
}

named_enum!(
    /// Reason category of an apology and new appointment (form 04); the
    /// reports count overdue causes by it (domain.md §5.4: no official list
    /// exists, this one is motcua's).
    OverdueReason {
        AwaitingOtherAgency => ("awaiting_other_agency", "Chờ ý kiến, kết quả của cơ quan khác"),
        OnSiteVerification => ("on_site_verification", "Phải xác minh, kiểm tra thực tế"),
        ApplicantUnavailable => ("applicant_unavailable", "Người nộp chưa phối hợp, vắng mặt"),
        ComplexCase => ("complex_case", "Hồ sơ phức tạp, cần thêm thời gian"),
        Workload => ("workload", "Khối lượng hồ sơ lớn"),
        SystemFault => ("system_fault", "Sự cố hệ thống, hạ tầng"),
        Other => ("other", "Lý do khác"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(*s));
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert!(!s.label_vi().is_empty());
            assert!((1..=10).contains(&s.national_code()));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert_eq!(
                serde_json::from_str::<Action>(&format!("\"{a}\"")).unwrap(),
                *a
            );
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        for r in OverdueReason::ALL {
            assert_eq!(OverdueReason::parse(r.as_str()), Some(*r));
        }
        assert_eq!(State::ALL.len(), 13);
        assert_eq!(Action::ALL.len(), 21);
        assert!(!Action::API.contains(&Action::Submit));
        assert!(!Action::API.contains(&Action::Import));
    }

    #[test]
    fn api_names_are_the_issue_names() {
        let names: Vec<&str> = Action::API.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "receive",
                "request_supplement",
                "supplement",
                "refuse",
                "forward",
                "assign",
                "complete_step",
                "transfer",
                "return_from_transfer",
                "pause",
                "resume",
                "request_payment",
                "record_payment",
                "apologize",
                "resolve",
                "reject",
                "return_result",
                "withdraw",
                "return_unresolved"
            ]
        );
    }

    #[test]
    fn terminal_states_allow_nothing() {
        for s in State::ALL.iter().filter(|s| s.is_terminal()) {
            assert!(Action::ALL.iter().all(|a| !a.is_allowed_in(*s)), "{s}");
        }
    }

    #[test]
    fn channels() {
        assert_eq!(Channel::NationalPortal.catalogue_channel(), "Trực tuyến");
        assert_eq!(Channel::Postal.national_code(), 3);
        assert!(Channel::Online.is_online() && !Channel::Direct.is_online());
        assert_eq!(
            serde_json::to_string(&Channel::NationalPortal).unwrap(),
            "\"national_portal\""
        );
    }
}
