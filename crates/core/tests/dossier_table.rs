//! Exhaustive tables: every (state, action) pair the state machine does not
//! allow is refused with `NotAllowed` and leaves the dossier equal; every
//! (capacity, action) pair the role table does not allow is `Forbidden`.

mod dossier_support;

use dossier_support::*;
use motcua_core::calendar::ProcessingTime;
use motcua_core::dossier::*;

const TIME: ProcessingTime = ProcessingTime::WorkingDays(10);

/// One dossier in every state (two for awaiting_supplement: before and
/// after reception), built along real paths.
fn dossiers() -> Vec<Dossier> {
    let t = |d: u32, h: u32| at(2023, 3, d, h, 0);
    let sub = submitted(t(14, 8), TIME);
    let pre_supp = apply(
        &sub,
        sample(Action::RequestSupplement, t(14, 9)),
        &ro(),
        t(14, 9),
    )
    .0;
    let refused_at = apply(&sub, sample(Action::Refuse, t(14, 9)), &ro(), t(14, 9)).0;
    let rec = received(t(14, 8), TIME);
    let proc_ = apply(&rec, forward(), &ro(), t(14, 9)).0;
    let supp = apply(
        &proc_,
        sample(Action::RequestSupplement, t(14, 10)),
        &specialist(),
        t(14, 10),
    )
    .0;
    let pay = apply(
        &proc_,
        sample(Action::RequestPayment, t(14, 10)),
        &specialist(),
        t(14, 10),
    )
    .0;
    let susp = apply(&proc_, sample(Action::Pause, t(14, 10)), &head(), t(14, 10)).0;
    let out = apply(
        &proc_,
        sample(Action::Transfer, t(14, 10)),
        &head(),
        t(14, 10),
    )
    .0;
    let signing = apply(&proc_, complete(), &specialist(), t(14, 10)).0;
    let resolved = apply(
        &signing,
        sample(Action::Resolve, t(14, 11)),
        &leader(),
        t(14, 11),
    )
    .0;
    let rejected = apply(
        &signing,
        sample(Action::Reject, t(14, 11)),
        &leader(),
        t(14, 11),
    )
    .0;
    let returned = apply(
        &resolved,
        sample(Action::ReturnResult, t(15, 8)),
        &ro(),
        t(15, 8),
    )
    .0;
    let withdrawn = apply(
        &proc_,
        sample(Action::Withdraw, t(15, 8)),
        &citizen(),
        t(15, 8),
    )
    .0;
    let unresolved = apply(
        &supp,
        sample(Action::ReturnUnresolved, t(15, 8)),
        &head(),
        t(15, 8),
    )
    .0;
    vec![
        sub, pre_supp, refused_at, rec, proc_, supp, pay, susp, out, resolved, rejected, returned,
        withdrawn, unresolved,
    ]
}

#[test]
fn every_state_is_covered() {
    let ds = dossiers();
    for s in State::ALL {
        assert!(ds.iter().any(|d| d.state == *s), "no dossier in {s}");
    }
}

#[test]
fn pairs_not_allowed_are_refused_and_change_nothing() {
    let mut refused_pairs = 0;
    let mut allowed_pairs = 0;
    let actors = [ro(), specialist(), head(), leader(), citizen(), system()];
    for d in dossiers() {
        let when = d.updated_at + chrono::TimeDelta::minutes(5);
        for action in Action::API {
            let static_ok = action.is_allowed_in(d.state);
            assert_eq!(
                d.permits(action),
                static_ok && !(action == Action::Refuse && d.received_at.is_some())
            );
            for actor in &actors {
                let before = d.clone();
                let r = try_apply(&d, sample(action, when), actor, when);
                assert_eq!(d, before);
                if d.permits(action) {
                    assert!(
                        !matches!(r, Err(TransitionError::NotAllowed { .. })),
                        "{} in {}",
                        action,
                        d.state
                    );
                    allowed_pairs += 1;
                } else {
                    assert_eq!(
                        r.unwrap_err(),
                        TransitionError::NotAllowed {
                            state: d.state,
                            action
                        },
                        "{action} in {}",
                        d.state
                    );
                    refused_pairs += 1;
                }
            }
        }
    }
    assert!(
        refused_pairs > 800 && allowed_pairs > 100,
        "{refused_pairs} {allowed_pairs}"
    );
}

#[test]
fn refuse_after_reception_is_not_allowed() {
    let ds = dossiers();
    let d = ds
        .iter()
        .find(|d| d.state == State::AwaitingSupplement && d.received_at.is_some())
        .unwrap();
    let when = d.updated_at;
    assert!(matches!(
        refused(d, sample(Action::Refuse, when), &ro(), when),
        TransitionError::NotAllowed { .. }
    ));
    let pre = ds
        .iter()
        .find(|d| d.state == State::AwaitingSupplement && d.received_at.is_none())
        .unwrap();
    assert!(try_apply(pre, sample(Action::Refuse, when), &ro(), when).is_ok());
}

/// An actor of `capacity` at the agency the action belongs to for `d`.
fn actor_for(capacity: Capacity, d: &Dossier, action: Action) -> Actor {
    match capacity {
        Capacity::Applicant => citizen(),
        Capacity::System => system(),
        Capacity::Officer(role) => {
            let agency = match agency_scope(action) {
                AgencyScope::Receiving => d.receiving_agency.clone(),
                AgencyScope::Holder | AgencyScope::ReceivingOrHolder | AgencyScope::TransferLeg => {
                    d.holder().clone()
                }
            };
            Actor::officer("u", role, &agency)
        }
    }
}

#[test]
fn role_table() {
    let ds = dossiers();
    for action in Action::API {
        let d = ds
            .iter()
            .find(|d| d.permits(action))
            .unwrap_or_else(|| panic!("no dossier allows {action}"));
        let when = d.updated_at + chrono::TimeDelta::minutes(5);
        for capacity in Capacity::all() {
            let actor = actor_for(capacity, d, action);
            let r = try_apply(d, sample(action, when), &actor, when);
            let role_refused = matches!(
                r,
                Err(TransitionError::Forbidden {
                    reason: ForbiddenReason::Role,
                    ..
                })
            );
            assert_eq!(
                role_refused,
                !may(capacity, action),
                "{capacity} {action} in {}: {r:?}",
                d.state
            );
        }
    }
}

#[test]
fn allowed_actions_match_the_table() {
    for d in dossiers() {
        let listed = d.allowed_actions();
        for a in Action::API {
            assert_eq!(listed.contains(&a), d.permits(a));
        }
        if d.state.is_terminal() {
            assert!(listed.is_empty());
        }
    }
}
