//! The dossier lifecycle end to end: the happy path with its control sheet,
//! online reception, both supplementation policies, clock stops, apologies,
//! transfers, and every refusal path (the dossier is never changed by one).

mod dossier_support;

use chrono::NaiveDateTime;
use dossier_support::*;
use motcua_core::calendar::{ProcessingTime, Timeliness, WorkSpan};
use motcua_core::dossier::*;

const FIVE_DAYS: ProcessingTime = ProcessingTime::WorkingDays(5);

fn m(n: i64) -> WorkSpan {
    WorkSpan::minutes(n).unwrap()
}

/// Received Tuesday 2019-03-12 08:00 (Decree 61/2018, Pause policy), 5
/// working days (due Tuesday 19th 08:00), forwarded at 09:00 to the office.
fn in_processing_2019() -> Dossier {
    let d = received(at(2019, 3, 12, 8, 0), FIVE_DAYS);
    apply(&d, forward(), &ro(), at(2019, 3, 12, 9, 0)).0
}

#[test]
fn happy_path_with_control_sheet() {
    let t0 = at(2019, 3, 12, 8, 0);
    let (d, e0) = Dossier::receive_new(
        new_dossier(t0, FIVE_DAYS, Channel::Direct),
        &ro(),
        t0,
        cal(),
    )
    .unwrap();
    assert_eq!(d.state, State::Received);
    assert_eq!(d.version, 1);
    assert_eq!(d.rule_set, "nd-61-2018");
    assert_eq!(d.due_at, Some(at(2019, 3, 19, 8, 0)));
    assert_eq!(d.code.as_str(), "000.00.17.H55-190312-0001");
    assert_eq!(e0.action, Action::Receive);
    assert_eq!(e0.from, None);
    assert_eq!(e0.payload["forward_by"], "2019-03-12T17:00:00");
    let budgets: Vec<i64> = d
        .process
        .steps
        .iter()
        .map(|s| s.budget.as_minutes())
        .collect();
    assert_eq!(budgets, [240, 1320, 450, 240]);

    let mut events = vec![e0];
    let (d, e) = apply(&d, forward(), &ro(), at(2019, 3, 12, 10, 0));
    assert_eq!(d.state, State::InProcessing);
    assert_eq!(d.current_agency.as_str(), OFFICE);
    assert_eq!(e.payload["forwarded_late"], false);
    events.push(e);
    let (d, e) = apply(
        &d,
        CommandAction::Assign {
            assignee: "tran.binh".into(),
            note: None,
        },
        &head(),
        at(2019, 3, 12, 10, 30),
    );
    assert_eq!(d.assignee.as_deref(), Some("tran.binh"));
    events.push(e);
    let (d, e) = apply(&d, complete(), &specialist(), at(2019, 3, 14, 10, 0));
    assert_eq!(d.current_step, Some(2));
    assert_eq!(d.assignee, None);
    events.push(e);
    let (d, e) = apply(
        &d,
        CommandAction::Resolve {
            document: Some("Quyết định số 12/QĐ-UBND".into()),
        },
        &leader(),
        at(2019, 3, 15, 16, 0),
    );
    assert_eq!(d.state, State::Resolved);
    assert_eq!(d.current_step, Some(3));
    assert_eq!(d.current_agency.as_str(), DESK);
    assert_eq!(d.timeliness(), Some(Timeliness::Early));
    assert_eq!(e.payload["timeliness"], "early");
    events.push(e);
    let (d, e) = apply(
        &d,
        CommandAction::ReturnResult {
            delivery: Delivery::AtDesk,
            note: None,
        },
        &ro(),
        at(2019, 3, 18, 9, 0),
    );
    assert_eq!(d.state, State::ResultReturned);
    assert_eq!(d.version, 6);
    assert!(d.allowed_actions().is_empty());
    assert_eq!(d.timeliness(), Some(Timeliness::Early));
    // The return invites the applicant to rate the service, with the link.
    let n = notice_for(&d, &e, "https://dichvucong.example.vn/").unwrap();
    let link = format!("https://dichvucong.example.vn/danh-gia/{}", d.code);
    assert!(n.body.contains(&link), "{}", n.body);
    assert!(
        n.sms.contains(&link) && n.sms.chars().count() <= SMS_MAX,
        "{}",
        n.sms
    );
    events.push(e);

    let sheet = control_sheet(&events, cal(), None);
    type Row<'a> = (
        usize,
        Option<&'a str>,
        Option<&'a str>,
        Option<i64>,
        Option<Timeliness>,
    );
    let got: Vec<Row> = sheet
        .iter()
        .map(|r| {
            (
                r.index,
                r.from_agency.as_ref().map(|a| a.as_str()),
                r.agency.as_ref().map(|a| a.as_str()),
                r.used.map(WorkSpan::as_minutes),
                r.verdict,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, None, Some(DESK), Some(120), Some(Timeliness::Early)),
            (
                1,
                Some(DESK),
                Some(OFFICE),
                Some(900),
                Some(Timeliness::Early)
            ),
            (
                2,
                Some(OFFICE),
                Some(OFFICE),
                Some(690),
                Some(Timeliness::Overdue)
            ),
            (
                3,
                Some(OFFICE),
                Some(DESK),
                Some(150),
                Some(Timeliness::Early)
            ),
        ]
    );
    assert_eq!(sheet[3].handed_to, None);
    assert_eq!(sheet[0].handed_to.as_ref().unwrap().as_str(), OFFICE);
    assert!(sheet.iter().all(|r| r.kind == RowKind::Step));

    // Events and dossiers survive JSON (storage keeps both).
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(serde_json::from_str::<Vec<Event>>(&json).unwrap(), events);
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(serde_json::from_str::<Dossier>(&json).unwrap(), d);
}

#[test]
fn online_submission_and_reception() {
    let t0 = at(2023, 3, 14, 9, 0);
    let (d, e) = Dossier::submit_online(
        new_dossier(t0, FIVE_DAYS, Channel::Online),
        &citizen(),
        t0,
        cal(),
    )
    .unwrap();
    assert_eq!(d.state, State::Submitted);
    assert_eq!(e.action, Action::Submit);
    assert_eq!(d.reception_due_at, Some(at(2023, 3, 15, 9, 0)));
    assert_eq!(d.due_at, None);
    assert_eq!(d.allowed_actions().len(), 4);

    // Single-shot notice of missing items before reception: no clock.
    let (d, _) = apply(
        &d,
        sample(Action::RequestSupplement, t0),
        &ro(),
        at(2023, 3, 14, 10, 0),
    );
    assert_eq!(d.state, State::AwaitingSupplement);
    assert!(d.pauses.is_empty());
    assert!(d.permits(Action::Refuse));
    assert!(matches!(
        refused(
            &d,
            sample(Action::Supplement, t0),
            &stranger(),
            at(2023, 3, 15, 8, 0)
        ),
        TransitionError::Forbidden {
            reason: ForbiddenReason::NotOwner,
            ..
        }
    ));
    let (d, _) = apply(
        &d,
        sample(Action::Supplement, t0),
        &citizen(),
        at(2023, 3, 15, 8, 0),
    );
    assert_eq!(d.state, State::Submitted);
    // Once, completely.
    assert!(matches!(
        refused(
            &d,
            sample(Action::RequestSupplement, t0),
            &ro(),
            at(2023, 3, 15, 9, 0)
        ),
        TransitionError::RuleViolation { .. }
    ));
    let (d, e) = apply(
        &d,
        sample(Action::Receive, t0),
        &ro(),
        at(2023, 3, 16, 8, 0),
    );
    assert_eq!(d.state, State::Received);
    assert_eq!(e.payload["received_late"], true);
    assert_eq!(d.rule_set, "nd-61-2018-107-2021");
    assert_eq!(d.due_at, Some(at(2023, 3, 23, 8, 0)));
    // Received: no refusal at reception any more.
    let (d, _) = apply(&d, forward(), &ro(), at(2023, 3, 16, 9, 0));
    let (d, _) = apply(
        &d,
        sample(Action::RequestSupplement, t0),
        &specialist(),
        at(2023, 3, 16, 10, 0),
    );
    assert!(!d.permits(Action::Refuse));
    assert!(matches!(
        refused(
            &d,
            sample(Action::Refuse, t0),
            &ro(),
            at(2023, 3, 16, 11, 0)
        ),
        TransitionError::NotAllowed { .. }
    ));
}

#[test]
fn refusal_at_reception() {
    let t0 = at(2023, 3, 14, 9, 0);
    let d = submitted(t0, FIVE_DAYS);
    assert!(matches!(
        refused(
            &d,
            CommandAction::Refuse {
                reason: "  ".into()
            },
            &ro(),
            t0
        ),
        TransitionError::Invalid(_)
    ));
    let (d, e) = apply(
        &d,
        sample(Action::Refuse, t0),
        &ro(),
        at(2023, 3, 14, 10, 0),
    );
    assert_eq!(d.state, State::RefusedAtReception);
    assert_eq!(
        d.outcome.as_ref().unwrap().kind,
        OutcomeKind::RefusedAtReception
    );
    assert_eq!(e.reason.as_deref(), Some("Không thuộc thẩm quyền"));
    assert_eq!(d.current_step, None);
    assert!(d.allowed_actions().is_empty());
}

#[test]
fn rule_set_is_chosen_by_reception_date() {
    let d = submitted(at(2021, 12, 3, 9, 0), FIVE_DAYS);
    assert_eq!(d.rule_set, "nd-61-2018");
    let (d, _) = apply(
        &d,
        sample(Action::Receive, at(2021, 12, 6, 8, 0)),
        &ro(),
        at(2021, 12, 6, 8, 0),
    );
    assert_eq!(d.rule_set, "nd-61-2018-107-2021");
    assert_eq!(
        received(at(2025, 7, 1, 8, 0), FIVE_DAYS).rule_set,
        "nd-118-2025"
    );
    assert_eq!(
        received(at(2017, 5, 2, 8, 0), FIVE_DAYS).rule_set,
        "qd-09-2015"
    );
}

#[test]
fn supplement_pause_policy_2019() {
    let d = in_processing_2019();
    assert_eq!(d.due_at, Some(at(2019, 3, 19, 8, 0)));
    let t = at(2019, 3, 13, 8, 0);
    let (d, e) = apply(&d, sample(Action::RequestSupplement, t), &specialist(), t);
    assert_eq!(d.state, State::AwaitingSupplement);
    assert_eq!(e.payload["notice_by"], "2019-03-15T08:00:00");
    assert!(d.open_timeliness(at(2019, 4, 30, 8, 0)).is_none());
    let (d, e) = apply(
        &d,
        sample(Action::Supplement, t),
        &ro(),
        at(2019, 3, 15, 8, 0),
    );
    assert_eq!(d.state, State::InProcessing);
    // Two working days paused: due moves by two days.
    assert_eq!(d.due_at, Some(at(2019, 3, 21, 8, 0)));
    assert_eq!(e.payload["clock"], "pause");
    assert_eq!(e.payload["previous_due_at"], "2019-03-19T08:00:00");
    assert_eq!(d.pauses.len(), 1);
    assert_eq!(d.pauses[0].cause, PauseCause::Supplement);
}

#[test]
fn supplement_restart_policy_2023() {
    let d = received(at(2023, 3, 14, 8, 0), FIVE_DAYS);
    let (d, _) = apply(&d, forward(), &ro(), at(2023, 3, 14, 9, 0));
    assert_eq!(d.due_at, Some(at(2023, 3, 21, 8, 0)));
    let t = at(2023, 3, 15, 8, 0);
    let (d, _) = apply(&d, sample(Action::RequestSupplement, t), &specialist(), t);
    let (d, e) = apply(
        &d,
        sample(Action::Supplement, t),
        &citizen(),
        at(2023, 3, 17, 8, 0),
    );
    // The full five days again from the supplement.
    assert_eq!(d.due_at, Some(at(2023, 3, 24, 8, 0)));
    assert_eq!(d.clock_base, Some(at(2023, 3, 17, 8, 0)));
    assert_eq!(e.payload["clock"], "restart");
}

#[test]
fn supplement_notice_limit_and_once() {
    let d = in_processing_2019();
    let late = at(2019, 3, 15, 8, 1);
    let err = refused(
        &d,
        sample(Action::RequestSupplement, late),
        &specialist(),
        late,
    );
    assert!(
        matches!(err, TransitionError::RuleViolation { .. }),
        "{err}"
    );
    assert_eq!(err.refusal(), Refusal::Conflict);
    assert!(err.to_string().contains("3 ngày làm việc"));
    let with_basis = CommandAction::RequestSupplement {
        items: vec!["Trích lục bản đồ".into()],
        reason: "Thiếu".into(),
        late_basis: Some("Luật Đất đai, Điều 60".into()),
    };
    let (d, _) = apply(&d, with_basis, &specialist(), late);
    assert_eq!(
        d.supplements[0].late_basis.as_deref(),
        Some("Luật Đất đai, Điều 60")
    );
    let (d, _) = apply(
        &d,
        sample(Action::Supplement, late),
        &ro(),
        at(2019, 3, 18, 8, 0),
    );
    assert!(matches!(
        refused(
            &d,
            sample(Action::RequestSupplement, late),
            &specialist(),
            at(2019, 3, 18, 9, 0)
        ),
        TransitionError::RuleViolation { .. }
    ));
    // Items must be listed.
    let d2 = in_processing_2019();
    let empty = CommandAction::RequestSupplement {
        items: vec![],
        reason: "x".into(),
        late_basis: None,
    };
    assert!(matches!(
        refused(&d2, empty, &specialist(), at(2019, 3, 12, 10, 0)),
        TransitionError::Invalid(_)
    ));
}

#[test]
fn payment_stops_the_clock() {
    let d = in_processing_2019();
    let (d, _) = apply(
        &d,
        sample(Action::RequestPayment, d.updated_at),
        &specialist(),
        at(2019, 3, 13, 8, 0),
    );
    assert_eq!(d.state, State::AwaitingPayment);
    let (d, e) = apply(
        &d,
        CommandAction::RecordPayment {
            reference: Some("BL-0001".into()),
        },
        &system(),
        at(2019, 3, 13, 13, 30),
    );
    assert_eq!(d.state, State::InProcessing);
    // 08:00..11:30 paused: 210 working minutes.
    assert_eq!(d.due_at, Some(at(2019, 3, 19, 11, 30)));
    assert_eq!(d.payments[0].paid_at, Some(at(2019, 3, 13, 13, 30)));
    assert_eq!(e.payload["reference"], "BL-0001");
    assert!(matches!(
        refused(
            &d,
            CommandAction::RequestPayment {
                amount: 0,
                description: "Phí".into()
            },
            &specialist(),
            at(2019, 3, 13, 14, 0)
        ),
        TransitionError::Invalid(_)
    ));
}

#[test]
fn suspension_stops_the_clock() {
    let d = in_processing_2019();
    let (d, _) = apply(
        &d,
        sample(Action::Pause, d.updated_at),
        &head(),
        at(2019, 3, 13, 8, 0),
    );
    assert_eq!(d.state, State::Suspended);
    let (d, _) = apply(
        &d,
        sample(Action::Resume, d.updated_at),
        &head(),
        at(2019, 3, 18, 8, 0),
    );
    // Three working days paused.
    assert_eq!(d.due_at, Some(at(2019, 3, 22, 8, 0)));
    // After the due moment a pause changes nothing.
    let (d, _) = apply(
        &d,
        sample(Action::Pause, d.updated_at),
        &leader(),
        at(2019, 3, 25, 8, 0),
    );
    let (d, _) = apply(
        &d,
        sample(Action::Resume, d.updated_at),
        &leader(),
        at(2019, 3, 26, 8, 0),
    );
    assert_eq!(d.due_at, Some(at(2019, 3, 22, 8, 0)));
}

#[test]
fn apology_once_and_in_time() {
    let d = in_processing_2019();
    let apology = |promised: NaiveDateTime| CommandAction::Apologize {
        reason_code: OverdueReason::AwaitingOtherAgency,
        reason: "Chờ ý kiến Sở Tài nguyên và Môi trường".into(),
        promised_at: promised,
    };
    let promised = at(2019, 3, 22, 17, 0);
    // Less than one working day before the due moment.
    assert!(matches!(
        refused(&d, apology(promised), &head(), at(2019, 3, 18, 8, 1)),
        TransitionError::RuleViolation { .. }
    ));
    // A new date not after the due moment, or on a non-working day.
    assert!(matches!(
        refused(
            &d,
            apology(at(2019, 3, 19, 8, 0)),
            &head(),
            at(2019, 3, 18, 8, 0)
        ),
        TransitionError::Invalid(_)
    ));
    assert!(matches!(
        refused(
            &d,
            apology(at(2019, 3, 23, 9, 0)),
            &head(),
            at(2019, 3, 18, 8, 0)
        ),
        TransitionError::Invalid(_)
    ));
    assert!(matches!(
        refused(&d, apology(promised), &specialist(), at(2019, 3, 18, 8, 0)),
        TransitionError::Forbidden {
            reason: ForbiddenReason::Role,
            ..
        }
    ));
    let (d, e) = apply(&d, apology(promised), &head(), at(2019, 3, 18, 8, 0));
    assert_eq!(
        d.due_at,
        Some(at(2019, 3, 19, 8, 0)),
        "the legal due is kept"
    );
    assert_eq!(d.promised_at(), Some(promised));
    assert_eq!(e.payload["reason_code"], "awaiting_other_agency");
    assert_eq!(d.state, State::InProcessing);
    // Only once.
    assert!(matches!(
        refused(
            &d,
            apology(at(2019, 3, 29, 17, 0)),
            &head(),
            at(2019, 3, 18, 9, 0)
        ),
        TransitionError::RuleViolation { .. }
    ));
    // Resolved after the legal due but before the promise: still overdue.
    let (d, _) = apply(&d, complete(), &specialist(), at(2019, 3, 20, 8, 0));
    let (d, e) = apply(
        &d,
        sample(Action::Resolve, d.updated_at),
        &leader(),
        at(2019, 3, 21, 10, 0),
    );
    assert_eq!(d.timeliness(), Some(Timeliness::Overdue));
    assert_eq!(e.payload["timeliness"], "overdue");
    assert_eq!(e.payload["promised_timeliness"], "early");
}

#[test]
fn inter_connected_transfers() {
    let t0 = at(2019, 3, 12, 8, 0);
    let d = received(t0, ProcessingTime::WorkingDays(10));
    let (d, _) = apply(&d, forward(), &ro(), at(2019, 3, 12, 9, 0));
    let mut events = Vec::new();
    let transfer = |to: &str, minutes: i64| CommandAction::Transfer {
        to: agency(to),
        budget: m(minutes),
        task: "Xác nhận nguồn gốc đất".into(),
    };
    // To itself, zero budget, beyond the due moment, by a specialist.
    assert!(matches!(
        refused(&d, transfer(OFFICE, 60), &head(), at(2019, 3, 13, 8, 0)),
        TransitionError::Invalid(_)
    ));
    assert!(matches!(
        refused(&d, transfer(PROVINCE, 0), &head(), at(2019, 3, 13, 8, 0)),
        TransitionError::Invalid(_)
    ));
    assert!(matches!(
        refused(
            &d,
            transfer(PROVINCE, 450 * 20),
            &head(),
            at(2019, 3, 13, 8, 0)
        ),
        TransitionError::RuleViolation { .. }
    ));
    assert!(matches!(
        refused(
            &d,
            transfer(PROVINCE, 60),
            &specialist(),
            at(2019, 3, 13, 8, 0)
        ),
        TransitionError::Forbidden { .. }
    ));
    let (d, e) = apply(&d, transfer(PROVINCE, 900), &head(), at(2019, 3, 13, 8, 0));
    events.push(e);
    assert_eq!(d.state, State::TransferredOut);
    assert_eq!(d.holder().as_str(), PROVINCE);
    assert_eq!(d.open_leg().unwrap().leg_due, at(2019, 3, 15, 8, 0));
    // The lead office may not resolve while the dossier is away.
    assert!(matches!(
        refused(
            &d,
            sample(Action::Resolve, t0),
            &leader(),
            at(2019, 3, 13, 9, 0)
        ),
        TransitionError::NotAllowed { .. }
    ));
    // Province sends on to another department, which returns to it.
    let dept = "000.11.00.H55";
    let (d, e) = apply(
        &d,
        transfer(dept, 120),
        &officer(Role::HeadOfOffice, PROVINCE),
        at(2019, 3, 13, 10, 0),
    );
    events.push(e);
    assert_eq!(d.holder().as_str(), dept);
    assert!(matches!(
        refused(
            &d,
            sample(Action::ReturnFromTransfer, t0),
            &officer(Role::HeadOfOffice, DESK),
            at(2019, 3, 13, 11, 0)
        ),
        TransitionError::Forbidden {
            reason: ForbiddenReason::Agency(_),
            ..
        }
    ));
    let (d, e) = apply(
        &d,
        sample(Action::ReturnFromTransfer, t0),
        &officer(Role::SigningLeader, dept),
        at(2019, 3, 14, 8, 0),
    );
    events.push(e);
    assert_eq!(d.state, State::TransferredOut);
    assert_eq!(d.holder().as_str(), PROVINCE);
    let (d, e) = apply(
        &d,
        sample(Action::ReturnFromTransfer, t0),
        &officer(Role::ReceptionOfficer, PROVINCE),
        at(2019, 3, 14, 14, 0),
    );
    events.push(e);
    assert_eq!(d.state, State::InProcessing);
    assert_eq!(d.holder().as_str(), OFFICE);
    assert!(d.transfers.iter().all(|l| l.returned_at.is_some()));

    let legs: Vec<(usize, i64, Timeliness)> = control_sheet(&events, cal(), None)
        .iter()
        .filter(|r| r.kind == RowKind::TransferLeg)
        .map(|r| (r.index, r.used.unwrap().as_minutes(), r.verdict.unwrap()))
        .collect();
    // Leg 0: Wed 08:00 → Thu 14:00 = 420 + 240 + 30 = 690 < 900 minutes.
    // Leg 1: Wed 10:00 → Thu 08:00 = 90 + 210 + 30 = 330 > 120 minutes.
    assert_eq!(
        legs,
        [(0, 690, Timeliness::Early), (1, 330, Timeliness::Overdue)]
    );
}

#[test]
fn withdrawal_and_return_unresolved() {
    let d = in_processing_2019();
    assert!(matches!(
        refused(
            &d,
            sample(Action::Withdraw, d.updated_at),
            &stranger(),
            at(2019, 3, 13, 8, 0)
        ),
        TransitionError::Forbidden {
            reason: ForbiddenReason::NotOwner,
            ..
        }
    ));
    let (w, e) = apply(
        &d,
        sample(Action::Withdraw, d.updated_at),
        &citizen(),
        at(2019, 3, 13, 8, 0),
    );
    assert_eq!(w.state, State::Withdrawn);
    assert_eq!(w.outcome.as_ref().unwrap().kind, OutcomeKind::Withdrawn);
    assert!(e.handover.as_ref().unwrap().step_completed.is_some());
    assert_eq!(w.timeliness(), None);

    let t = at(2019, 3, 13, 8, 0);
    let (s, _) = apply(&d, sample(Action::RequestSupplement, t), &specialist(), t);
    let (r, _) = apply(
        &s,
        sample(Action::ReturnUnresolved, t),
        &system(),
        at(2019, 4, 15, 8, 0),
    );
    assert_eq!(r.state, State::ReturnedUnresolved);
    assert_eq!(r.pauses[0].to, Some(at(2019, 4, 15, 8, 0)));
    assert!(r.state.is_terminal());
}

#[test]
fn rejection_is_returned_as_a_result() {
    let d = in_processing_2019();
    let (d, _) = apply(&d, complete(), &specialist(), at(2019, 3, 13, 8, 0));
    assert!(matches!(
        refused(
            &d,
            CommandAction::Reject {
                reason: String::new()
            },
            &leader(),
            at(2019, 3, 13, 9, 0)
        ),
        TransitionError::Invalid(_)
    ));
    let (d, _) = apply(
        &d,
        sample(Action::Reject, d.updated_at),
        &leader(),
        at(2019, 3, 13, 9, 0),
    );
    assert_eq!(d.state, State::Rejected);
    assert_eq!(d.timeliness(), Some(Timeliness::Early));
    let (d, _) = apply(
        &d,
        sample(Action::ReturnResult, d.updated_at),
        &ro(),
        at(2019, 3, 13, 10, 0),
    );
    assert_eq!(d.state, State::ResultReturned);
    assert_eq!(d.outcome.unwrap().kind, OutcomeKind::Rejected);
}

#[test]
fn version_and_time_refusals() {
    let d = in_processing_2019();
    let cmd = Command::new(d.version - 1, complete());
    let err = d
        .apply(&cmd, &specialist(), at(2019, 3, 13, 8, 0), cal())
        .unwrap_err();
    assert_eq!(
        err,
        TransitionError::StaleVersion {
            expected: 1,
            actual: 2
        }
    );
    assert_eq!(err.refusal(), Refusal::Conflict);
    assert_eq!(err.code(), "stale_version");
    // Before the previous event.
    assert!(matches!(
        refused(&d, complete(), &specialist(), at(2019, 3, 12, 8, 59)),
        TransitionError::Invalid(_)
    ));
    // Out of the calendar's range.
    let far = at(2101, 1, 1, 8, 0);
    let err = refused(&d, sample(Action::Transfer, far), &head(), far);
    assert_eq!(err.refusal(), Refusal::Invalid);
}

#[test]
fn role_and_agency_checks() {
    let d = received(at(2019, 3, 12, 8, 0), FIVE_DAYS);
    let t = at(2019, 3, 12, 9, 0);
    let e = refused(&d, forward(), &specialist(), t);
    assert!(matches!(
        e,
        TransitionError::Forbidden {
            reason: ForbiddenReason::Role,
            ..
        }
    ));
    assert_eq!(e.refusal(), Refusal::Forbidden);
    let e = refused(&d, forward(), &officer(Role::ReceptionOfficer, OFFICE), t);
    assert!(matches!(
        e,
        TransitionError::Forbidden {
            reason: ForbiddenReason::Agency(_),
            ..
        }
    ));
    for r in [Role::Administrator, Role::OversightReader] {
        refused(&d, forward(), &officer(r, DESK), t);
    }
    let d = apply(&d, forward(), &ro(), t).0;
    // Step 1 is the specialist's: the head may not complete it.
    let e = refused(&d, complete(), &head(), at(2019, 3, 12, 10, 0));
    assert!(matches!(
        e,
        TransitionError::Forbidden {
            reason: ForbiddenReason::StepRole(Role::Specialist),
            ..
        }
    ));
    // A specialist of another agency may not either.
    let e = refused(
        &d,
        complete(),
        &officer(Role::Specialist, DESK),
        at(2019, 3, 12, 10, 0),
    );
    assert!(matches!(
        e,
        TransitionError::Forbidden {
            reason: ForbiddenReason::Agency(_),
            ..
        }
    ));
    // Assignment is the head's; the applicant assigns nothing.
    refused(
        &d,
        sample(Action::Assign, t),
        &specialist(),
        at(2019, 3, 12, 10, 0),
    );
    refused(
        &d,
        sample(Action::Assign, t),
        &citizen(),
        at(2019, 3, 12, 10, 0),
    );
    assert!(matches!(
        refused(
            &d,
            CommandAction::Assign {
                assignee: " ".into(),
                note: None
            },
            &head(),
            at(2019, 3, 12, 10, 0)
        ),
        TransitionError::Invalid(_)
    ));
    // The last processing step is closed by resolve/reject, not complete_step.
    let d = apply(&d, complete(), &specialist(), at(2019, 3, 12, 11, 0)).0;
    assert!(matches!(
        refused(&d, complete(), &leader(), at(2019, 3, 12, 11, 30)),
        TransitionError::RuleViolation { .. }
    ));
    // Only the desk returns results.
    let d = apply(
        &d,
        sample(Action::Resolve, t),
        &leader(),
        at(2019, 3, 12, 13, 30),
    )
    .0;
    refused(
        &d,
        sample(Action::ReturnResult, t),
        &officer(Role::ReceptionOfficer, OFFICE),
        at(2019, 3, 12, 14, 0),
    );
    refused(
        &d,
        sample(Action::ReturnResult, t),
        &leader(),
        at(2019, 3, 12, 14, 0),
    );
}

#[test]
fn creation_refusals() {
    let t = at(2019, 3, 12, 8, 0);
    let new = || new_dossier(t, FIVE_DAYS, Channel::Direct);
    let e = Dossier::receive_new(new(), &specialist(), t, cal()).unwrap_err();
    assert!(matches!(e, TransitionError::Forbidden { .. }));
    let e = Dossier::receive_new(new(), &officer(Role::ReceptionOfficer, OFFICE), t, cal())
        .unwrap_err();
    assert!(matches!(
        e,
        TransitionError::Forbidden {
            reason: ForbiddenReason::Agency(_),
            ..
        }
    ));
    let e = Dossier::receive_new(new(), &ro(), at(2019, 3, 13, 8, 0), cal()).unwrap_err();
    assert!(
        matches!(e, TransitionError::Invalid(_)),
        "code date ≠ reception date"
    );
    let mut other = new();
    other.agency = agency(OFFICE);
    assert!(
        Dossier::receive_new(other, &officer(Role::ReceptionOfficer, OFFICE), t, cal()).is_err()
    );
    let mut bad = new();
    bad.applicant.id_number = "123".into();
    assert!(matches!(
        Dossier::receive_new(bad, &ro(), t, cal()),
        Err(TransitionError::Invalid(_))
    ));
    let mut bad = new();
    bad.processing_time = ProcessingTime::WorkingDays(0);
    assert!(matches!(
        Dossier::receive_new(bad, &ro(), t, cal()),
        Err(TransitionError::Invalid(_))
    ));
    let mut over = new();
    let mut p = Process::default_for(FIVE_DAYS, cal().day_length());
    p.steps[1].budget = m(5000);
    over.process = Some(p);
    let e = Dossier::receive_new(over, &ro(), t, cal()).unwrap_err();
    assert!(e.to_string().contains("vượt quá thời hạn"), "{e}");
    let e = Dossier::submit_online(new(), &citizen(), t, cal()).unwrap_err();
    assert!(
        matches!(e, TransitionError::Invalid(_)),
        "direct channel is not online"
    );
    let online = || new_dossier(t, FIVE_DAYS, Channel::NationalPortal);
    assert!(Dossier::submit_online(online(), &stranger(), t, cal()).is_err());
    assert!(Dossier::submit_online(online(), &ro(), t, cal()).is_err());
    assert!(Dossier::submit_online(online(), &system(), t, cal()).is_ok());
    // A due moment after 2100 cannot be computed.
    let late = at(2099, 6, 1, 8, 0);
    let n = new_dossier(late, ProcessingTime::WorkingDays(3650), Channel::Direct);
    assert!(matches!(
        Dossier::receive_new(n, &ro(), late, cal()),
        Err(TransitionError::Invalid(_))
    ));
}

#[test]
fn forwarding_after_the_cutoff() {
    // Received 16:00: forward by the end of the next morning.
    let d = received(at(2019, 3, 12, 16, 0), FIVE_DAYS);
    // The clock starts Wednesday 07:30; five days end Tuesday 17:00.
    assert_eq!(d.due_at, Some(at(2019, 3, 19, 17, 0)));
    let (_, e) = apply(&d, forward(), &ro(), at(2019, 3, 13, 11, 45));
    assert_eq!(e.payload["forward_by"], "2019-03-13T11:30:00");
    assert_eq!(e.payload["forwarded_late"], true);
    assert_eq!(
        forward_deadline(
            at(2019, 3, 16, 9, 0),
            Some(chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap()),
            cal()
        ),
        Some(at(2019, 3, 18, 11, 30)),
        "Saturday → Monday morning"
    );
    assert_eq!(
        forward_deadline(at(2019, 3, 12, 16, 0), None, cal()),
        Some(at(2019, 3, 12, 17, 0))
    );
}

#[test]
fn commands_from_json() {
    let c: Command = serde_json::from_str(
        r#"{"action":"transfer","version":3,"to":"000.00.00.H55","budget":900,"task":"Thẩm định"}"#,
    )
    .unwrap();
    assert_eq!(c.version, 3);
    assert_eq!(c.action.action(), Action::Transfer);
    let c: Command = serde_json::from_str(
        r#"{"action":"apologize","version":1,"reason_code":"workload","reason":"x","promised_at":"2019-03-22T17:00:00"}"#,
    )
    .unwrap();
    assert_eq!(c.action.action(), Action::Apologize);
    let c: Command = serde_json::from_str(r#"{"action":"return_result","version":9}"#).unwrap();
    assert_eq!(
        c.action,
        CommandAction::ReturnResult {
            delivery: Delivery::AtDesk,
            note: None
        }
    );
    for bad in [
        r#"{"action":"submit","version":1}"#,
        r#"{"action":"fly","version":1}"#,
        r#"{"action":"forward"}"#,
        r#"{"action":"transfer","version":1,"to":"x","budget":9,"task":"t"}"#,
        r#"{"action":"transfer","version":1,"to":"H55","budget":-9,"task":"t"}"#,
    ] {
        assert!(serde_json::from_str::<Command>(bad).is_err(), "{bad}");
    }
    let json = serde_json::to_value(Command::new(2, forward())).unwrap();
    assert_eq!(json["action"], "forward");
    assert_eq!(json["version"], 2);
}

#[test]
fn error_messages_are_vietnamese() {
    let d = received(at(2019, 3, 12, 8, 0), FIVE_DAYS);
    let e = refused(&d, complete(), &specialist(), at(2019, 3, 12, 9, 0));
    assert_eq!(
        e.to_string(),
        "không thể «Chuyển bước xử lý» khi hồ sơ đang ở trạng thái «Đã tiếp nhận»"
    );
    assert_eq!(e.code(), "not_allowed");
    let e = refused(&d, forward(), &specialist(), at(2019, 3, 12, 9, 0));
    assert_eq!(
        e.to_string(),
        "vai trò «Chuyên viên xử lý» không được thực hiện «Chuyển hồ sơ đến cơ quan giải quyết»"
    );
}

#[test]
fn notices_have_an_sms_form() {
    let when = at(2019, 3, 12, 8, 0);
    let (d, e) = Dossier::receive_new(
        new_dossier(when, FIVE_DAYS, Channel::Direct),
        &ro(),
        when,
        cal(),
    )
    .unwrap();
    let n = notice_for(&d, &e, "https://dichvucong.example.vn").expect("reception is notified");
    assert!(n.body.contains("Đã tiếp nhận") || n.body.contains("đã được tiếp nhận"));
    assert!(n.sms.is_ascii(), "{}", n.sms);
    assert!(n.sms.chars().count() <= SMS_MAX);
    assert!(n.sms.contains(d.code.as_str()), "{}", n.sms);
    let due = d.due_at.unwrap().format("%H:%M %d/%m/%Y").to_string();
    assert!(n.sms.contains(&due), "{} lacks {due}", n.sms);
    // An event with nothing to tell gives no notice.
    let (d2, e2) = apply(&d, forward(), &ro(), at(2019, 3, 12, 9, 0));
    assert!(notice_for(&d2, &e2, "https://dichvucong.example.vn").is_none());
}

#[test]
fn notice_templates_reword_and_are_checked() {
    let when = at(2019, 3, 12, 8, 0);
    let (d, e) = Dossier::receive_new(
        new_dossier(when, FIVE_DAYS, Channel::Direct),
        &ro(),
        when,
        cal(),
    )
    .unwrap();
    let t = NoticeTemplate {
        subject: "Hồ sơ {ma_ho_so} đã được tiếp nhận".into(),
        body: "Kính gửi {ho_ten}: hẹn trả {han_tra}.".into(),
        sms: "Hồ sơ {ma_ho_so}: hẹn {han_tra}".into(),
    };
    assert_eq!(t.check(), Ok(()));
    let mut map = std::collections::HashMap::new();
    map.insert("receive".to_string(), t);
    let n = notice_with(&d, &e, &map, "https://dichvucong.example.vn").unwrap();
    assert_eq!(n.subject, format!("Hồ sơ {} đã được tiếp nhận", d.code));
    assert!(
        n.body
            .starts_with(&format!("Kính gửi {}", d.applicant.full_name))
    );
    assert!(n.sms.is_ascii() && n.sms.contains(d.code.as_str()));
    // Without a template, the built-in text.
    assert_eq!(
        notice_with(&d, &e, &Default::default(), "https://dichvucong.example.vn"),
        notice_for(&d, &e, "https://dichvucong.example.vn")
    );
    let bad = NoticeTemplate {
        subject: "Hồ sơ {ma}".into(),
        body: "x".into(),
        sms: String::new(),
    };
    assert!(bad.check().unwrap_err().contains("{ma}"));
}

#[test]
fn a_walk_in_dossier_refused_at_the_desk() {
    let when = at(2026, 11, 30, 9, 0);
    let (d, e) = Dossier::refuse_new(
        new_dossier(when, FIVE_DAYS, Channel::Direct),
        &ro(),
        "Không thuộc thẩm quyền giải quyết của UBND xã",
        when,
        cal(),
    )
    .unwrap();
    assert_eq!(d.state, State::RefusedAtReception);
    assert_eq!(d.received_at, None);
    assert_eq!(
        (e.action, e.from, e.to),
        (Action::Refuse, None, State::RefusedAtReception)
    );
    assert!(e.reason.as_deref().unwrap().contains("thẩm quyền"));
    assert!(d.allowed_actions().is_empty(), "nothing follows a refusal");
    assert_eq!(
        d.outcome.as_ref().map(|o| o.kind),
        Some(OutcomeKind::RefusedAtReception)
    );
    // A reason is required, and only the desk refuses.
    assert!(
        Dossier::refuse_new(
            new_dossier(when, FIVE_DAYS, Channel::Direct),
            &ro(),
            " ",
            when,
            cal()
        )
        .is_err()
    );
    assert!(matches!(
        Dossier::refuse_new(
            new_dossier(when, FIVE_DAYS, Channel::Direct),
            &specialist(),
            "x",
            when,
            cal()
        ),
        Err(TransitionError::Forbidden { .. })
    ));
}
