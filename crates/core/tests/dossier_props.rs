//! Properties of the dossier core, checked with proptest: random command
//! sequences never panic, each accepted command adds exactly 1 to the
//! version, a refused one changes nothing, the legal due moment never moves
//! earlier; codes, applicants and commands from any input never panic.

mod dossier_support;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta};
use dossier_support::*;
use motcua_core::calendar::{ProcessingTime, WorkSpan};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::*;
use proptest::prelude::*;

const AGENCIES: [&str; 4] = [DESK, OFFICE, PROVINCE, "000.11.00.H55"];

fn actors() -> Vec<Actor> {
    let mut v = Vec::new();
    for a in AGENCIES {
        for r in Role::ALL {
            v.push(officer(*r, a));
        }
    }
    v.extend([citizen(), stranger(), system()]);
    v
}

/// Any minute of 2016..=2027.
fn moment() -> impl Strategy<Value = NaiveDateTime> {
    (0u64..4380, 0i64..1440).prop_map(|(day, minute)| {
        NaiveDate::from_ymd_opt(2016, 1, 1)
            .unwrap()
            .checked_add_days(Days::new(day))
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + TimeDelta::minutes(minute)
    })
}

fn processing_time() -> impl Strategy<Value = ProcessingTime> {
    prop_oneof![
        (1u32..=20).prop_map(ProcessingTime::WorkingDays),
        (1u32..=40).prop_map(ProcessingTime::WorkingHours),
    ]
}

fn some_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Lý do hợp lệ".to_string()),
        1 => Just(String::new()),
        1 => any::<String>(),
        1 => "\\PC{0,3000}",
    ]
}

/// The raw material of one command.
#[derive(Clone, Debug)]
struct Raw {
    action: usize,
    actor: usize,
    gap: i64,
    text: String,
    opt: bool,
    agency: usize,
    budget: i64,
    amount: u64,
    promise_days: i64,
    stale: bool,
    guided: bool,
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        0usize..19,
        0usize..27,
        prop_oneof![3 => 0i64..600, 2 => 0i64..5000, 1 => -100i64..0],
        some_text(),
        any::<bool>(),
        0usize..4,
        prop_oneof![0i64..3000, 0i64..200_000],
        prop_oneof![Just(0u64), 1u64..10_000_000],
        -5i64..40,
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(
                action,
                actor,
                gap,
                text,
                opt,
                agency,
                budget,
                amount,
                promise_days,
                stale,
                guided,
            )| Raw {
                action,
                actor,
                gap,
                text,
                opt,
                agency,
                budget,
                amount,
                promise_days,
                stale,
                guided,
            },
        )
}

/// The actors whose capacity and agency fit `action` on `d`.
fn fitting_actors(d: &Dossier, action: Action) -> Vec<Actor> {
    actors()
        .into_iter()
        .filter(|a| may(a.capacity(), action))
        .filter(|a| match (a, agency_scope(action)) {
            (Actor::Officer { agency, .. }, AgencyScope::Receiving) => {
                agency == &d.receiving_agency
            }
            (Actor::Officer { agency, .. }, AgencyScope::Holder) => agency == d.holder(),
            (Actor::Officer { agency, .. }, AgencyScope::ReceivingOrHolder) => {
                agency == &d.receiving_agency || agency == d.holder()
            }
            (Actor::Officer { agency, .. }, AgencyScope::TransferLeg) => d
                .open_leg()
                .is_some_and(|l| &l.to == agency || &l.from == agency),
            (Actor::Applicant { id_number, .. }, _) => id_number == CITIZEN_ID,
            _ => true,
        })
        .collect()
}

/// The action and actor of a step: in guided mode an action the state allows
/// and an actor that fits it; otherwise anything.
fn pick(r: &Raw, d: &Dossier, all: &[Actor]) -> (Action, Actor) {
    let allowed = d.allowed_actions();
    if r.guided && !allowed.is_empty() {
        // Closing actions are drawn rarely, so that walks go deep.
        let closing = [Action::Withdraw, Action::Refuse, Action::ReturnUnresolved];
        let open: Vec<Action> = allowed
            .iter()
            .copied()
            .filter(|a| !closing.contains(a))
            .collect();
        let pool = if open.is_empty() || r.promise_days % 8 == 0 {
            &allowed
        } else {
            &open
        };
        let action = pool[r.action % pool.len()];
        let fit = fitting_actors(d, action);
        if !fit.is_empty() {
            return (action, fit[r.actor % fit.len()].clone());
        }
    }
    (Action::API[r.action], all[r.actor].clone())
}

fn command(r: &Raw, action: Action, d: &Dossier, when: NaiveDateTime) -> CommandAction {
    let text = r.text.clone();
    let opt = r.opt.then(|| text.clone());
    let to = agency(AGENCIES[r.agency]);
    match action {
        Action::Receive => CommandAction::Receive { note: opt },
        Action::RequestSupplement => CommandAction::RequestSupplement {
            items: if r.opt { vec![text.clone()] } else { vec![] },
            reason: text,
            late_basis: (r.agency == 0).then(|| "Luật chuyên ngành".to_string()),
        },
        Action::Supplement => CommandAction::Supplement { note: opt },
        Action::Refuse => CommandAction::Refuse { reason: text },
        Action::Forward => CommandAction::Forward {
            to: r.opt.then_some(to),
            note: None,
        },
        Action::Assign => CommandAction::Assign {
            assignee: text,
            note: opt,
        },
        Action::CompleteStep => CommandAction::CompleteStep {
            to: r.opt.then_some(to),
            note: None,
        },
        Action::Transfer => CommandAction::Transfer {
            to,
            budget: WorkSpan::minutes(r.budget).unwrap(),
            task: text,
        },
        Action::ReturnFromTransfer => CommandAction::ReturnFromTransfer { note: opt },
        Action::Pause => CommandAction::Pause { reason: text },
        Action::Resume => CommandAction::Resume { note: opt },
        Action::RequestPayment => CommandAction::RequestPayment {
            amount: r.amount,
            description: text,
        },
        Action::RecordPayment => CommandAction::RecordPayment { reference: opt },
        Action::Apologize => CommandAction::Apologize {
            reason_code: OverdueReason::ALL[r.agency],
            reason: text,
            promised_at: d.due_at.unwrap_or(when) + TimeDelta::days(r.promise_days),
        },
        Action::Resolve => CommandAction::Resolve { document: opt },
        Action::Reject => CommandAction::Reject { reason: text },
        Action::ReturnResult => CommandAction::ReturnResult {
            delivery: [Delivery::AtDesk, Delivery::Post, Delivery::Online][r.agency % 3],
            note: opt,
        },
        Action::Withdraw => CommandAction::Withdraw { reason: opt },
        Action::ReturnUnresolved => CommandAction::ReturnUnresolved { reason: text },
        Action::Submit | Action::Import => unreachable!(),
    }
}

/// Runs one random walk and checks the invariants of every step; returns the
/// events of the accepted commands.
fn run(
    start: NaiveDateTime,
    time: ProcessingTime,
    online: bool,
    raws: &[Raw],
) -> Result<Vec<Event>, TestCaseError> {
    let actors = actors();
    let (mut d, e0) = if online {
        Dossier::submit_online(
            new_dossier(start, time, Channel::Online),
            &citizen(),
            start,
            cal(),
        )
    } else {
        Dossier::receive_new(
            new_dossier(start, time, Channel::Direct),
            &ro(),
            start,
            cal(),
        )
    }
    .unwrap();
    let mut events = vec![e0];
    let mut when = start;
    for r in raws {
        when += TimeDelta::minutes(r.gap);
        let (action, actor) = pick(r, &d, &actors);
        let cmd = Command::new(
            if r.stale {
                d.version.wrapping_sub(1)
            } else {
                d.version
            },
            command(r, action, &d, when),
        );
        let before = d.clone();
        match d.apply(&cmd, &actor, when, cal()) {
            Ok((next, e)) => {
                prop_assert_eq!(&d, &before);
                prop_assert!(!r.stale);
                prop_assert_eq!(next.version, d.version + 1);
                prop_assert_eq!(e.version, next.version);
                prop_assert_eq!(e.from, Some(d.state));
                prop_assert_eq!(e.to, next.state);
                prop_assert_eq!(e.action, cmd.action.action());
                prop_assert!(d.permits(e.action));
                prop_assert_eq!(next.updated_at, when);
                if let (Some(old), Some(new)) = (d.due_at, next.due_at) {
                    prop_assert!(
                        new >= old,
                        "due moved earlier: {} -> {} by {}",
                        old,
                        new,
                        e.action
                    );
                }
                if next.received_at.is_some() {
                    prop_assert!(next.due_at.is_some());
                }
                if next.state.is_terminal() {
                    prop_assert!(next.allowed_actions().is_empty());
                    prop_assert!(next.pauses.iter().all(|p| p.to.is_some()));
                }
                prop_assert!(next.apologies.len() <= 1);
                prop_assert!(next.pauses.iter().filter(|p| p.to.is_none()).count() <= 1);
                prop_assert_eq!(
                    next.pauses.last().is_some_and(|p| p.to.is_none()),
                    next.state.stops_clock() && next.received_at.is_some()
                );
                events.push(e);
                d = next;
            }
            Err(err) => {
                prop_assert_eq!(&d, &before);
                prop_assert!(!err.code().is_empty());
                prop_assert!(!err.to_string().is_empty());
                if r.stale {
                    prop_assert!(
                        matches!(err, TransitionError::StaleVersion { .. }),
                        "stale version must be checked first"
                    );
                } else if !d.permits(cmd.action.action()) {
                    let is_not_allowed = matches!(err, TransitionError::NotAllowed { .. });
                    prop_assert!(is_not_allowed);
                }
                when = when.max(d.updated_at);
            }
        }
    }
    // The control sheet is computed purely from the events, without panics.
    let rows = control_sheet(&events, cal(), Some(when));
    for row in &rows {
        let end = row.finished_at.unwrap_or(when);
        let used = row.used.unwrap();
        prop_assert!(used <= cal().between(row.started_at, end));
        prop_assert_eq!(row.verdict.is_some(), row.finished_at.is_some());
    }
    let step_rows = rows.iter().filter(|r| r.kind == RowKind::Step).count();
    let started = events
        .iter()
        .filter(|e| {
            e.handover
                .as_ref()
                .is_some_and(|h| h.step_started.is_some())
        })
        .count();
    prop_assert_eq!(step_rows, started);
    // The whole history survives JSON.
    let json = serde_json::to_string(&events).unwrap();
    prop_assert_eq!(&serde_json::from_str::<Vec<Event>>(&json).unwrap(), &events);
    Ok(events)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences(
        start in moment(),
        time in processing_time(),
        online in any::<bool>(),
        raws in prop::collection::vec(raw(), 1..60),
    ) {
        run(start, time, online, &raws)?;
    }

    #[test]
    fn pauses_never_move_the_due_moment_earlier(
        start in moment(),
        time in processing_time(),
        gaps in prop::collection::vec((0i64..3000, 0i64..6000), 1..6),
        payment in any::<bool>(),
    ) {
        let d0 = received(start, time);
        let mut d = apply(&d0, forward(), &ro(), start).0;
        let mut when = start;
        for (work, paused) in gaps {
            when += TimeDelta::minutes(work);
            let due = d.due_at.unwrap();
            let (stop, go, stopper, goer) = if payment {
                (sample(Action::RequestPayment, when), CommandAction::RecordPayment { reference: None }, specialist(), system())
            } else {
                (sample(Action::Pause, when), sample(Action::Resume, when), head(), head())
            };
            d = apply(&d, stop, &stopper, when).0;
            let pause_from = when;
            when += TimeDelta::minutes(paused);
            d = apply(&d, go, &goer, when).0;
            let new_due = d.due_at.unwrap();
            prop_assert!(new_due >= due);
            // A pause that starts before the due moment moves it by exactly
            // the paused working time (time before the clock start does not count).
            let counted_from = pause_from.max(cal().clock_start(start));
            if pause_from < due {
                prop_assert_eq!(cal().between(due, new_due), cal().between(counted_from, when));
            } else {
                prop_assert_eq!(new_due, due);
            }
        }
    }

    #[test]
    fn any_moment_never_panics(secs in any::<i64>(), action in 0usize..19, actor in 0usize..27) {
        let when = DateTime::from_timestamp(secs % 8_000_000_000_000, 0)
            .map(|t| t.naive_utc())
            .unwrap_or(NaiveDateTime::MAX);
        let d = received(at(2019, 3, 12, 8, 0), ProcessingTime::WorkingDays(5));
        let d = apply(&d, forward(), &ro(), at(2019, 3, 12, 9, 0)).0;
        let a = Action::API[action];
        let _ = try_apply(&d, sample(a, at(2019, 3, 12, 9, 0)), &actors()[actor], when);
        let _ = forward_deadline(when, None, cal());
        let _ = d.remaining(when, cal());
        let _ = d.open_timeliness(when);
    }

    #[test]
    fn dossier_codes_round_trip_and_sort(
        agency in prop::sample::select(vec!["000.17.22.H56", "H55.242", "000.00.00.H55", "G10.1.22"]),
        day in 0u64..36_500,
        a in 1u32.., b in 1u32..,
    ) {
        let agency = AgencyCode::new(agency).unwrap();
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap().checked_add_days(Days::new(day)).unwrap();
        let ca = DossierCode::new(&agency, date, a);
        if date.format("%Y").to_string().starts_with("20") {
            let ca = ca.unwrap();
            let cb = DossierCode::new(&agency, date, b).unwrap();
            prop_assert_eq!(DossierCode::parse(ca.as_str()).unwrap(), ca.clone());
            prop_assert_eq!(ca.seq(), a);
            prop_assert_eq!(ca.date(), date);
            prop_assert_eq!(ca.agency(), &agency);
            prop_assert_eq!(ca.as_str().cmp(cb.as_str()), a.cmp(&b));
        } else {
            prop_assert!(ca.is_err());
        }
    }

    #[test]
    fn parsers_never_panic(s in any::<String>(), t in "[0-9A-Z.\\-]{0,30}") {
        let _ = DossierCode::parse(&s);
        let _ = DossierCode::parse(&t);
        if let Ok(c) = DossierCode::parse(&t) {
            prop_assert_eq!(c.as_str(), t.trim());
        }
        let _ = Applicant::new(ApplicantKind::Citizen, &s, &t, Some(&s), Some(&t), &s);
        let _ = Applicant::new(ApplicantKind::Organisation, &t, &s, None, Some(&s), &t);
        let _ = serde_json::from_str::<Command>(&s);
        let _ = serde_json::from_str::<Applicant>(&s);
        let _ = serde_json::from_str::<Dossier>(&s);
        let _ = serde_json::from_str::<RuleSetTable>(&s);
    }
}

/// The walks are not vacuous: over 300 deterministic walks every state is
/// reached and every API action is accepted.
#[test]
fn random_walks_cover_the_lifecycle() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (
        moment(),
        processing_time(),
        any::<bool>(),
        prop::collection::vec(raw(), 1..60),
    );
    let mut states = std::collections::HashSet::new();
    let mut actions = std::collections::HashSet::new();
    let mut accepted = 0;
    for _ in 0..300 {
        let (start, time, online, raws) = strategy.new_tree(&mut runner).unwrap().current();
        let events = run(start, time, online, &raws).unwrap();
        accepted += events.len();
        for e in events {
            states.insert(e.to);
            actions.insert(e.action);
        }
    }
    for s in State::ALL {
        assert!(states.contains(s), "never reached {s}");
    }
    for a in Action::API {
        assert!(actions.contains(&a), "never accepted {a}");
    }
    assert!(accepted > 1500, "{accepted}");
}
