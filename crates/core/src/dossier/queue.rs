//! The officers' work queues (issue 5 §3): which dossiers need whom. Each
//! queue is a rule on four facts of a dossier (whose it is, its state, its
//! due moment against three moments of the officer's day); [`Queue::holds`]
//! is the rule itself and the store turns the same [`QueueRule`] into SQL
//! on indexed columns, so the two cannot drift apart.

use super::{Dossier, State};
use crate::codes::AgencyCode;
use chrono::NaiveDateTime;

/// A work queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Assigned to the user and not closed.
    Mine,
    /// Submitted online to the user's desk, awaiting reception.
    Inbox,
    /// Being processed at the user's agency, due between now and tonight.
    DueToday,
    /// Being processed, due after today and within the next two working days.
    DueSoon,
    /// Being processed and past its due moment.
    Overdue,
    /// Clock stopped: awaiting a supplement or a payment, or suspended.
    Paused,
    /// Received here, now at another agency (inter-connected processing).
    Transferred,
    /// Resolved or rejected, the result waiting to be handed over at this desk.
    ToReturn,
    /// Every open dossier at the user's agency.
    All,
}

/// Whose dossiers a queue looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whose {
    /// Assigned to the user.
    Assigned,
    /// Held by the user's agency.
    Held,
    /// Received at the user's desk.
    Received,
    /// Received at the user's desk and held by another agency.
    ReceivedHeldElsewhere,
}

/// Where a queue's due moment must fall (`now` ≤ `tonight` ≤ `soon`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueWindow {
    Any,
    /// From now until tonight.
    Today,
    /// After tonight, until the end of the second next working day.
    Soon,
    /// Before now.
    Past,
}

/// A queue's rule.
#[derive(Clone, Copy, Debug)]
pub struct QueueRule {
    pub whose: Whose,
    pub state: fn(State) -> bool,
    pub due: DueWindow,
}

impl QueueRule {
    /// The states the rule admits, in [`State::ALL`] order.
    pub fn states(&self) -> Vec<State> {
        State::ALL
            .iter()
            .copied()
            .filter(|s| (self.state)(*s))
            .collect()
    }
}

/// Being processed where it is, with its clock running.
fn in_hand(s: State) -> bool {
    matches!(s, State::Received | State::InProcessing)
}

fn open(s: State) -> bool {
    !s.is_terminal()
}

/// The officer's day: `now`, the end of today, the end of the second next
/// working day (the web computes them with the agency's calendar).
#[derive(Clone, Copy, Debug)]
pub struct QueueMoments {
    pub now: NaiveDateTime,
    pub tonight: NaiveDateTime,
    pub soon: NaiveDateTime,
}

impl Queue {
    pub const ALL: [Queue; 9] = [
        Queue::Mine,
        Queue::Inbox,
        Queue::DueToday,
        Queue::DueSoon,
        Queue::Overdue,
        Queue::Paused,
        Queue::Transferred,
        Queue::ToReturn,
        Queue::All,
    ];

    /// The name used in addresses (`/workspace/?hang=…`).
    pub fn slug(self) -> &'static str {
        match self {
            Queue::Mine => "cua-toi",
            Queue::Inbox => "cho-tiep-nhan",
            Queue::DueToday => "den-han-hom-nay",
            Queue::DueSoon => "sap-den-han",
            Queue::Overdue => "qua-han",
            Queue::Paused => "tam-dung",
            Queue::Transferred => "lien-thong",
            Queue::ToReturn => "tra-ket-qua",
            Queue::All => "tat-ca",
        }
    }

    pub fn from_slug(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.slug() == s)
    }

    /// The queue's rule.
    pub fn rule(self) -> QueueRule {
        let r = |whose, state: fn(State) -> bool, due| QueueRule { whose, state, due };
        match self {
            Queue::Mine => r(Whose::Assigned, open, DueWindow::Any),
            Queue::Inbox => r(Whose::Held, |s| s == State::Submitted, DueWindow::Any),
            Queue::DueToday => r(Whose::Held, in_hand, DueWindow::Today),
            Queue::DueSoon => r(Whose::Held, in_hand, DueWindow::Soon),
            Queue::Overdue => r(Whose::Held, in_hand, DueWindow::Past),
            Queue::Paused => r(Whose::Held, State::stops_clock, DueWindow::Any),
            Queue::Transferred => r(
                Whose::ReceivedHeldElsewhere,
                |s| !s.is_finished(),
                DueWindow::Any,
            ),
            Queue::ToReturn => r(
                Whose::Received,
                |s| s.is_finished() && !s.is_terminal(),
                DueWindow::Any,
            ),
            Queue::All => r(Whose::Held, open, DueWindow::Any),
        }
    }

    /// Whether `d` is in this queue for `user` of `agency` at `t`. The
    /// dossier's local assignee is `assignee` (the store's column: never a
    /// peer's officer).
    pub fn holds(
        self,
        d: &Dossier,
        assignee: Option<&str>,
        user: &str,
        agency: &AgencyCode,
        t: QueueMoments,
    ) -> bool {
        let rule = self.rule();
        let whose = match rule.whose {
            Whose::Assigned => assignee == Some(user),
            Whose::Held => d.holder() == agency,
            Whose::Received => &d.receiving_agency == agency,
            Whose::ReceivedHeldElsewhere => &d.receiving_agency == agency && d.holder() != agency,
        };
        let due = match (rule.due, d.due_at) {
            (DueWindow::Any, _) => true,
            (_, None) => false,
            (DueWindow::Today, Some(due)) => t.now <= due && due <= t.tonight,
            (DueWindow::Soon, Some(due)) => t.tonight < due && due <= t.soon,
            (DueWindow::Past, Some(due)) => due < t.now,
        };
        whose && (rule.state)(d.state) && due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_name_their_states() {
        let names =
            |q: Queue| -> Vec<&str> { q.rule().states().into_iter().map(State::as_str).collect() };
        assert_eq!(names(Queue::Inbox), ["submitted"]);
        assert_eq!(names(Queue::Overdue), ["received", "in_processing"]);
        assert_eq!(
            names(Queue::Paused),
            ["awaiting_supplement", "awaiting_payment", "suspended"]
        );
        assert_eq!(names(Queue::ToReturn), ["resolved", "rejected"]);
        for s in names(Queue::All) {
            assert!(!State::parse(s).unwrap().is_terminal());
        }
        for q in Queue::ALL {
            assert_eq!(Queue::from_slug(q.slug()), Some(q));
        }
    }
}
