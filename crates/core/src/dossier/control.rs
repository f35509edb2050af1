//! Data of the process control sheet (*Phiếu kiểm soát quá trình giải quyết
//! hồ sơ*, form 05 of Circular 01/2018, 06 of Circular 03/2025), computed
//! purely from a dossier's events: every hand-over, with the step, the
//! agencies, the budget, the working time actually used and the verdict.

use super::aggregate::Event;
use super::role::Role;
use crate::calendar::{Timeliness, WorkCalendar, WorkSpan};
use crate::codes::AgencyCode;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// What a row of the sheet stands for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A step of the internal process.
    Step,
    /// A leg of inter-connected processing at another agency.
    TransferLeg,
}

/// One row: a hand-over and the work done until the next one.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRow {
    pub kind: RowKind,
    /// Step index in the process, or leg index in the dossier's transfers.
    pub index: usize,
    /// Step name, or the task of the leg.
    pub name: String,
    /// Role of the step (`None` for a leg).
    pub role: Option<Role>,
    /// Who handed the dossier over (*Giao*); `None`: the applicant.
    pub from_agency: Option<AgencyCode>,
    /// Who received it and did the work (*Nhận*).
    pub agency: Option<AgencyCode>,
    pub started_at: NaiveDateTime,
    /// When the work ended and the dossier was handed on.
    pub finished_at: Option<NaiveDateTime>,
    /// Who it was handed on to (`None`: the applicant, or not yet).
    pub handed_to: Option<AgencyCode>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub budget: WorkSpan,
    /// Working time used: between start and end (or `now` for an open row),
    /// less the time the clock stood still. `None` for an open row without `now`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub used: Option<WorkSpan>,
    /// Working time within the row during which the clock stood still
    /// (waiting for a supplement or payment, suspended).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub stopped: WorkSpan,
    /// Early / on time / overdue against the budget; `None` while open.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub verdict: Option<Timeliness>,
}

/// The verdict of a finished step (domain.md §2.1, form 05): early when less
/// working time than the budget was used, on time when exactly the budget,
/// overdue when more.
pub fn step_verdict(used: WorkSpan, budget: WorkSpan) -> Timeliness {
    match used.cmp(&budget) {
        std::cmp::Ordering::Less => Timeliness::Early,
        std::cmp::Ordering::Equal => Timeliness::OnTime,
        std::cmp::Ordering::Greater => Timeliness::Overdue,
    }
}

/// The rows of the control sheet from the events of one dossier (any order;
/// they are sorted by version). Open rows are measured up to `now` when given.
pub fn control_sheet(
    events: &[Event],
    cal: &WorkCalendar,
    now: Option<NaiveDateTime>,
) -> Vec<SheetRow> {
    let mut evs: Vec<&Event> = events.iter().collect();
    evs.sort_by_key(|e| e.version);

    // Periods in which the clock stood still, from the states.
    let mut stops: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = Vec::new();
    for e in &evs {
        let was = e.from.is_some_and(|s| s.stops_clock());
        let is = e.to.stops_clock();
        if !was && is {
            stops.push((e.at, None));
        } else if was
            && !is
            && let Some(last) = stops.last_mut()
            && last.1.is_none()
        {
            last.1 = Some(e.at);
        }
    }

    let mut rows: Vec<SheetRow> = Vec::new();
    for e in &evs {
        let Some(h) = &e.handover else { continue };
        let mut close = |kind: RowKind, index: usize| {
            if let Some(r) = rows
                .iter_mut()
                .rev()
                .find(|r| r.kind == kind && r.index == index && r.finished_at.is_none())
            {
                r.finished_at = Some(e.at);
                r.handed_to = h.to_agency.clone();
            }
        };
        if let Some(c) = &h.step_completed {
            close(RowKind::Step, c.index);
        }
        if let Some(c) = &h.leg_completed {
            close(RowKind::TransferLeg, c.index);
        }
        if let Some(s) = &h.step_started {
            rows.push(SheetRow {
                kind: RowKind::Step,
                index: s.index,
                name: s.name.clone(),
                role: Some(s.role),
                from_agency: h.from_agency.clone(),
                agency: h.to_agency.clone(),
                started_at: e.at,
                finished_at: None,
                handed_to: None,
                budget: s.budget,
                used: None,
                stopped: WorkSpan::ZERO,
                verdict: None,
            });
        }
        if let Some(l) = &h.leg_started {
            rows.push(SheetRow {
                kind: RowKind::TransferLeg,
                index: l.index,
                name: l.task.clone(),
                role: None,
                from_agency: h.from_agency.clone(),
                agency: h.to_agency.clone(),
                started_at: e.at,
                finished_at: None,
                handed_to: None,
                budget: l.budget,
                used: None,
                stopped: WorkSpan::ZERO,
                verdict: None,
            });
        }
    }

    for r in &mut rows {
        let Some(end) = r.finished_at.or(now) else {
            continue;
        };
        let gross = cal.between(r.started_at, end).as_minutes();
        let stopped: i64 = stops
            .iter()
            .map(|&(from, to)| {
                let a = from.max(r.started_at);
                let b = to.unwrap_or(end).min(end);
                cal.between(a, b).as_minutes()
            })
            .sum();
        let stopped = stopped.min(gross);
        let used = WorkSpan::minutes(gross - stopped).unwrap_or_default();
        r.stopped = WorkSpan::minutes(stopped).unwrap_or_default();
        r.used = Some(used);
        if r.finished_at.is_some() {
            r.verdict = Some(step_verdict(used, r.budget));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let m = |n| WorkSpan::minutes(n).unwrap();
        assert_eq!(step_verdict(m(10), m(20)), Timeliness::Early);
        assert_eq!(step_verdict(m(20), m(20)), Timeliness::OnTime);
        assert_eq!(step_verdict(m(21), m(20)), Timeliness::Overdue);
        assert_eq!(step_verdict(m(1), m(0)), Timeliness::Overdue);
    }

    #[test]
    fn no_events_no_rows() {
        assert!(control_sheet(&[], WorkCalendar::standard_shared(), None).is_empty());
    }
}
