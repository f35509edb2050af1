//! Statistics of dossiers for a period (domain.md §5): each dossier counted
//! once, so that the totals add up by construction — what the article's
//! table reports ("received 29,828; early and on time 29,166; overdue 357;
//! returned 305") and the columns of form 06 (Circular 01/2020/TT-VPCP).
//!
//! Readings (docs/reports.md): a dossier counts when it was received
//! (refused at reception and submitted-not-received do not); received
//! before the period and still open at its start (or finished within it) is
//! carried over; finished within the period it is resolved (approved or
//! rejected: early / on time / overdue against its due moment), returned
//! (given back unresolved, *trả lại*) or withdrawn; otherwise it is in
//! progress at the period's end (or now, if sooner), within time while its
//! due moment has not passed. A period covers whole days: from the first
//! moment of `from` up to, not including, the first moment of the day after
//! `to`. [`crate::report`] computes the same from running totals.

use crate::calendar::{Timeliness, classify_resolved};
use crate::dossier::{Channel, Dossier, OutcomeKind};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// A period of whole days, `from <= to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("kỳ báo cáo không hợp lệ: ngày bắt đầu {from} sau ngày kết thúc {to}")]
pub struct PeriodError {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if from > to {
            return Err(PeriodError { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The first moment of the period.
    pub fn start(&self) -> NaiveDateTime {
        self.from.and_time(NaiveTime::MIN)
    }

    /// The last second of the period (for display).
    pub fn end(&self) -> NaiveDateTime {
        self.to
            .and_hms_opt(23, 59, 59)
            .unwrap_or_else(|| self.to.and_time(NaiveTime::MIN))
    }

    /// The first moment after the period: the period is `start() <= t <
    /// end_exclusive()`.
    pub fn end_exclusive(&self) -> NaiveDateTime {
        self.to
            .succ_opt()
            .unwrap_or(self.to)
            .and_time(NaiveTime::MIN)
    }

    /// The moment "in progress" is judged at: the period's end, or `now`
    /// if sooner.
    pub fn judged_at(&self, now: NaiveDateTime) -> NaiveDateTime {
        now.min(self.end_exclusive())
    }
}

/// What the statistics read of a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    pub received_at: Option<NaiveDateTime>,
    pub channel: Channel,
    pub due_at: Option<NaiveDateTime>,
    pub finished: Option<(OutcomeKind, NaiveDateTime)>,
}

impl Facts {
    pub fn of(d: &Dossier) -> Facts {
        Facts {
            received_at: d.received_at,
            channel: d.channel,
            due_at: d.due_at,
            finished: d.outcome.as_ref().map(|o| (o.kind, o.at)),
        }
    }

    /// Received (refused-at-reception dossiers never are, for statistics).
    pub fn received(&self) -> Option<NaiveDateTime> {
        match self.finished {
            Some((OutcomeKind::RefusedAtReception, _)) => None,
            _ => self.received_at,
        }
    }

    /// Open and past its due moment at `now`, for a history whose every
    /// moment is at or before `now` (what the open dossiers tell storage).
    pub fn overdue_open_now(&self, now: NaiveDateTime) -> bool {
        self.received().is_some_and(|r| r <= now)
            && self.finished.is_none_or(|(_, f)| f > now)
            && self.due_at.is_some_and(|due| due < now)
    }
}

/// The counts of one unit (or of all) for a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// Received in the period online (incl. the national portal).
    pub received_online: u64,
    /// Received in the period at the desk or by post.
    pub received_direct: u64,
    /// Received before the period, still open at its start.
    pub carried_over: u64,
    pub resolved_early: u64,
    pub resolved_on_time: u64,
    pub resolved_overdue: u64,
    /// Given back unresolved (*trả lại*).
    pub returned: u64,
    /// Withdrawn at the applicant's request.
    pub withdrawn: u64,
    pub in_progress_within: u64,
    pub in_progress_overdue: u64,
}

impl Tally {
    /// Counts one dossier; `now` bounds "in progress" when the period has
    /// not ended yet.
    pub fn add(&mut self, f: &Facts, p: &Period, now: NaiveDateTime) {
        let Some(received) = f.received() else {
            return;
        };
        if received >= p.end_exclusive() {
            return;
        }
        let finished = f.finished.filter(|(_, at)| *at < p.end_exclusive());
        if let Some((_, at)) = finished
            && at < p.start()
        {
            return; // finished before the period: not this period's work
        }
        if received >= p.start() {
            if f.channel.is_online() {
                self.received_online += 1;
            } else {
                self.received_direct += 1;
            }
        } else {
            self.carried_over += 1;
        }
        match finished {
            Some((OutcomeKind::ReturnedUnresolved, _)) => self.returned += 1,
            Some((OutcomeKind::Withdrawn, _)) => self.withdrawn += 1,
            Some((_, at)) => match f.due_at.map(|due| classify_resolved(due, at)) {
                Some(Timeliness::Early) => self.resolved_early += 1,
                Some(Timeliness::Overdue) => self.resolved_overdue += 1,
                Some(Timeliness::OnTime) | None => self.resolved_on_time += 1,
            },
            None => {
                let at = p.judged_at(now);
                if f.due_at.is_none_or(|due| at <= due) {
                    self.in_progress_within += 1;
                } else {
                    self.in_progress_overdue += 1;
                }
            }
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.received_online += o.received_online;
        self.received_direct += o.received_direct;
        self.carried_over += o.carried_over;
        self.resolved_early += o.resolved_early;
        self.resolved_on_time += o.resolved_on_time;
        self.resolved_overdue += o.resolved_overdue;
        self.returned += o.returned;
        self.withdrawn += o.withdrawn;
        self.in_progress_within += o.in_progress_within;
        self.in_progress_overdue += o.in_progress_overdue;
    }

    /// Received in the period.
    pub fn received(&self) -> u64 {
        self.received_online + self.received_direct
    }

    /// To handle in the period: received in it plus carried over.
    pub fn total(&self) -> u64 {
        self.received() + self.carried_over
    }

    pub fn resolved(&self) -> u64 {
        self.resolved_early + self.resolved_on_time + self.resolved_overdue
    }

    /// Returned unresolved or withdrawn: what the public pages show as
    /// "trả lại".
    pub fn returned_all(&self) -> u64 {
        self.returned + self.withdrawn
    }

    pub fn in_time(&self) -> u64 {
        self.resolved_early + self.resolved_on_time
    }

    pub fn in_progress(&self) -> u64 {
        self.in_progress_within + self.in_progress_overdue
    }

    /// Early or on time over resolved, per cent with one decimal.
    pub fn on_time_pct(&self) -> Option<f64> {
        let r = self.resolved();
        (r > 0).then(|| (self.in_time() as f64 * 1000.0 / r as f64).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }
    fn facts(rec: &str, due: &str, fin: Option<(OutcomeKind, &str)>) -> Facts {
        Facts {
            received_at: Some(t(rec)),
            channel: Channel::Direct,
            due_at: Some(t(due)),
            finished: fin.map(|(k, a)| (k, t(a))),
        }
    }

    #[test]
    fn each_dossier_lands_in_one_column() {
        let p = Period::new(d("2019-01-01"), d("2019-03-31")).unwrap();
        let now = t("2019-06-01 00:00");
        let mut tl = Tally::default();
        use OutcomeKind::*;
        // early, on time (same day), overdue, returned, in progress (within / overdue)
        tl.add(
            &facts(
                "2019-01-02 08:00",
                "2019-01-10 17:00",
                Some((Approved, "2019-01-08 09:00")),
            ),
            &p,
            now,
        );
        tl.add(
            &facts(
                "2019-01-02 08:00",
                "2019-01-10 17:00",
                Some((Rejected, "2019-01-10 16:00")),
            ),
            &p,
            now,
        );
        tl.add(
            &facts(
                "2019-01-02 08:00",
                "2019-01-10 17:00",
                Some((Approved, "2019-01-11 08:00")),
            ),
            &p,
            now,
        );
        tl.add(
            &facts(
                "2019-02-02 08:00",
                "2019-02-10 17:00",
                Some((Withdrawn, "2019-02-05 08:00")),
            ),
            &p,
            now,
        );
        tl.add(
            &facts("2019-03-30 08:00", "2019-04-10 17:00", None),
            &p,
            now,
        );
        tl.add(
            &facts(
                "2019-03-01 08:00",
                "2019-03-10 17:00",
                Some((Approved, "2019-04-02 08:00")),
            ),
            &p,
            now,
        );
        // carried over and finished in the period; finished before: not counted
        tl.add(
            &facts(
                "2018-12-20 08:00",
                "2019-01-03 17:00",
                Some((Approved, "2019-01-03 10:00")),
            ),
            &p,
            now,
        );
        tl.add(
            &facts(
                "2018-12-01 08:00",
                "2018-12-10 17:00",
                Some((Approved, "2018-12-09 10:00")),
            ),
            &p,
            now,
        );
        // received after the period; refused at reception
        tl.add(
            &facts("2019-04-01 08:00", "2019-04-10 17:00", None),
            &p,
            now,
        );
        tl.add(
            &facts(
                "2019-01-05 08:00",
                "2019-01-10 17:00",
                Some((RefusedAtReception, "2019-01-05 08:00")),
            ),
            &p,
            now,
        );
        assert_eq!(
            tl,
            Tally {
                received_online: 0,
                received_direct: 6,
                carried_over: 1,
                resolved_early: 1,
                resolved_on_time: 2,
                resolved_overdue: 1,
                returned: 0,
                withdrawn: 1,
                in_progress_within: 1,
                in_progress_overdue: 1,
            }
        );
        assert_eq!(
            tl.total(),
            tl.resolved() + tl.returned_all() + tl.in_progress()
        );
        assert_eq!(tl.on_time_pct(), Some(75.0));
    }

    #[test]
    fn the_article_adds_up() {
        let t = Tally {
            received_direct: 29_828,
            resolved_on_time: 29_166,
            resolved_overdue: 357,
            returned: 305,
            ..Default::default()
        };
        assert_eq!(
            t.received(),
            t.resolved() + t.returned_all() + t.in_progress()
        );
        assert_eq!(t.on_time_pct(), Some(98.8));
        assert!(Period::new(d("2019-02-01"), d("2019-01-01")).is_err());
    }

    proptest! {
        /// Total to handle = resolved + returned + in progress, whatever the dossiers.
        #[test]
        fn totals_add_up(rows in proptest::collection::vec((0i64..200, 0i64..40, proptest::option::of((0u8..5, 0i64..60)), any::<bool>()), 0..60)) {
            let p = Period::new(d("2019-03-01"), d("2019-05-31")).unwrap();
            let base = t("2019-01-01 08:00");
            let kinds = [OutcomeKind::Approved, OutcomeKind::Rejected, OutcomeKind::Withdrawn, OutcomeKind::ReturnedUnresolved, OutcomeKind::RefusedAtReception];
            let mut tl = Tally::default();
            for (rec, due, fin, online) in rows {
                let r = base + chrono::Duration::days(rec);
                let f = Facts {
                    received_at: Some(r),
                    channel: if online { Channel::Online } else { Channel::Direct },
                    due_at: Some(r + chrono::Duration::days(due)),
                    finished: fin.map(|(k, after)| (kinds[k as usize], r + chrono::Duration::days(after))),
                };
                tl.add(&f, &p, t("2019-05-15 12:00"));
            }
            prop_assert_eq!(tl.total(), tl.resolved() + tl.returned_all() + tl.in_progress());
        }
    }
}
