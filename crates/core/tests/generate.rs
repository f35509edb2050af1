//! The history generator: reproducible from its seed, every history one the
//! state machine accepted, with the mix of fates it promises.

mod dossier_support;

use chrono::NaiveDate;
use dossier_support::*;
use motcua_core::calendar::ProcessingTime;
use motcua_core::codes::{ProcedureCode, UnitCode};
use motcua_core::dossier::{Action, State};
use motcua_core::generate::{DeskSpec, Generator, Mix, Plan, ProcedureSpec};
use std::collections::HashMap;

fn plan() -> Plan {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    Plan {
        from: d("2017-01-01"),
        to: d("2018-12-31"),
        now: at(2019, 6, 1, 0, 0),
        desks: vec![
            DeskSpec {
                code: agency(DESK),
                unit: UnitCode::new("169").unwrap(),
                weight: 3,
                procedures: vec![],
            },
            DeskSpec {
                code: agency("000.11.17.H55"),
                unit: UnitCode::new("05656").unwrap(),
                weight: 1,
                procedures: vec![1],
            },
        ],
        procedures: vec![
            ProcedureSpec {
                code: ProcedureCode::new("1.001193").unwrap(),
                valid_from: None,
                time: ProcessingTime::WorkingDays(5),
                online: true,
            },
            ProcedureSpec {
                code: ProcedureCode::new("1.000894").unwrap(),
                valid_from: None,
                time: ProcessingTime::WorkingDays(3),
                online: false,
            },
        ],
        transfer_to: Some(agency(PROVINCE)),
        mix: Mix {
            late: 0.05,
            ..Mix::default()
        },
    }
}

fn working_days(p: &Plan) -> Vec<NaiveDate> {
    p.from
        .iter_days()
        .take_while(|d| *d <= p.to)
        .filter(|d| cal().is_working_day(*d))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let p = plan();
    let run = |seed| {
        let mut g = Generator::new(&p, seed, HashMap::new(), working_days(&p));
        (0..200)
            .map(|_| serde_json::to_string(&g.next(cal()).unwrap().events).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn histories_are_valid_and_varied() {
    let p = plan();
    let mut g = Generator::new(&p, 2019, HashMap::new(), working_days(&p));
    let mut actions: HashMap<Action, usize> = HashMap::new();
    let mut states: HashMap<State, usize> = HashMap::new();
    let mut codes = std::collections::HashSet::new();
    let mut late = 0;
    for _ in 0..2000 {
        let x = g.next(cal()).unwrap();
        let d = &x.dossier;
        assert!(codes.insert(d.code.to_string()), "codes are unique");
        // Versions 1, 2, … and the dossier at the last one.
        for (i, e) in x.events.iter().enumerate() {
            assert_eq!(e.version, i as u64 + 1);
            assert_eq!(e.dossier, d.code);
            *actions.entry(e.action).or_default() += 1;
        }
        assert_eq!(d.version, x.events.len() as u64);
        assert!(x.events.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(d.received_at.unwrap().date() >= p.from && d.received_at.unwrap().date() <= p.to);
        *states.entry(d.state).or_default() += 1;
        if d.timeliness() == Some(motcua_core::calendar::Timeliness::Overdue) {
            late += 1;
        }
        if d.receiving_agency.as_str() != DESK {
            assert_eq!(
                d.procedure.code.as_str(),
                "1.000894",
                "the desk's own procedures"
            );
        }
    }
    for a in [
        Action::Receive,
        Action::Forward,
        Action::Assign,
        Action::CompleteStep,
        Action::Resolve,
        Action::Reject,
        Action::ReturnResult,
        Action::RequestSupplement,
        Action::Supplement,
        Action::Transfer,
        Action::ReturnFromTransfer,
        Action::Apologize,
        Action::Withdraw,
        Action::ReturnUnresolved,
    ] {
        assert!(
            actions.get(&a).copied().unwrap_or(0) > 0,
            "no {a:?} in {actions:?}"
        );
    }
    assert!(states[&State::ResultReturned] > 1500, "{states:?}");
    assert!((40..=200).contains(&late), "about 5 % late: {late}");
}

#[test]
fn every_late_dossier_has_a_cause_and_others_none() {
    let p = plan();
    let mut g = Generator::new(&p, 77, HashMap::new(), working_days(&p));
    let (mut late, mut with_reason, mut with_step) = (0, 0, 0);
    for _ in 0..1500 {
        let x = g.next(cal()).unwrap();
        let cause = motcua_core::causes::overdue_cause(&x.dossier, &x.events, cal());
        let is_late = x.dossier.timeliness() == Some(motcua_core::calendar::Timeliness::Overdue)
            && matches!(
                x.dossier.outcome.as_ref().map(|o| o.kind),
                Some(
                    motcua_core::dossier::OutcomeKind::Approved
                        | motcua_core::dossier::OutcomeKind::Rejected
                )
            );
        assert_eq!(cause.is_some(), is_late, "{}", x.dossier.code);
        if let Some(c) = cause {
            late += 1;
            assert!(c.lost_minutes > 0, "{c:?}");
            assert_eq!(c.reason, x.dossier.apologies.last().map(|a| a.reason_code));
            with_reason += usize::from(c.reason.is_some());
            with_step += usize::from(!c.step.is_empty());
        }
    }
    assert!(late > 30, "{late}");
    assert!(
        with_reason > late / 3 && with_reason < late,
        "{with_reason} of {late}"
    );
    assert_eq!(with_step, late, "the control sheet always names a step");
}

#[test]
fn in_order_histories_follow_the_calendar_over_the_whole_period() {
    let p = plan();
    let days = working_days(&p);
    let (first, last) = (days[0], days[days.len() - 1]);
    let mut g = Generator::new(&p, 2019, HashMap::new(), days.clone()).in_order(600);
    let received: Vec<_> = (0..600)
        .map(|_| g.next(cal()).unwrap().dossier.code.date())
        .collect();
    // The days of the codes (the day each dossier came in) go back at most
    // one working day (a reception after office hours counts on the next
    // one), start on the first working day and reach the last one.
    let index = |d| days.partition_point(|x| *x < d);
    assert!(received.windows(2).all(|w| index(w[1]) + 1 >= index(w[0])));
    assert_eq!(received[0], first);
    assert!(received[599] >= last);
}
