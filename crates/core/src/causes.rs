//! Why a dossier ran late (issue 7 §2, docs/reports.md §Causes): the reason
//! recorded on its last apology letter (form 04, Decree 61/2018 Art 19(9)),
//! and the step or agency where the time was lost, read off the control
//! sheet (form 05): the row that overran its budget most, or, when no row
//! overran (the time ran out across several), the row during which the due
//! moment passed.

use crate::calendar::{Timeliness, WorkCalendar, classify_resolved};
use crate::codes::AgencyCode;
use crate::dossier::{Dossier, Event, OutcomeKind, OverdueReason, control_sheet};
use serde::Serialize;

/// The cause of one overdue dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverdueCause {
    /// The reason on the last apology letter; `None`: no apology was sent.
    pub reason: Option<OverdueReason>,
    /// The step (or transfer task) where the time was lost; empty when the
    /// history shows none.
    pub step: String,
    /// The agency that held the dossier in that step.
    pub agency: Option<AgencyCode>,
    /// Working minutes over budget in that step, or past the due moment.
    pub lost_minutes: i64,
}

/// The cause when the dossier was resolved (approved or rejected) after its
/// due moment; `None` otherwise. `events` are the dossier's events.
pub fn overdue_cause(d: &Dossier, events: &[Event], cal: &WorkCalendar) -> Option<OverdueCause> {
    let outcome = d.outcome.as_ref()?;
    if !matches!(outcome.kind, OutcomeKind::Approved | OutcomeKind::Rejected) {
        return None;
    }
    let due = d.due_at?;
    if classify_resolved(due, outcome.at) != Timeliness::Overdue {
        return None;
    }
    let reason = d.apologies.last().map(|a| a.reason_code);
    let rows = control_sheet(events, cal, None);
    let over = rows
        .iter()
        .filter_map(|r| {
            let o = r.used?.as_minutes() - r.budget.as_minutes();
            (o > 0).then_some((o, r))
        })
        .max_by_key(|(o, r)| (*o, std::cmp::Reverse(r.started_at)));
    let (step, agency, lost_minutes) = match over {
        Some((o, r)) => (r.name.clone(), r.agency.clone(), o),
        None => {
            let r = rows
                .iter()
                .find(|r| r.started_at <= due && r.finished_at.is_none_or(|f| f > due));
            (
                r.map(|r| r.name.clone()).unwrap_or_default(),
                r.and_then(|r| r.agency.clone()),
                cal.between(due, outcome.at).as_minutes(),
            )
        }
    };
    Some(OverdueCause {
        reason,
        step,
        agency,
        lost_minutes,
    })
}

/// Whether a change from `old` (`None`: a new dossier) to `new` resolves the
/// dossier after its due moment: the moment its cause of delay is recorded
/// ([`overdue_cause`]), once.
pub fn newly_overdue(old: Option<&Dossier>, new: &Dossier) -> bool {
    let late = |d: &Dossier| {
        d.timeliness() == Some(Timeliness::Overdue)
            && d.outcome
                .as_ref()
                .is_some_and(|o| matches!(o.kind, OutcomeKind::Approved | OutcomeKind::Rejected))
    };
    late(new) && !old.is_some_and(late)
}
