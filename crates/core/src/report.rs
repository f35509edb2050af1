//! Running totals for the reports (issue 7, docs/reports.md): the statistics
//! of [`crate::stats::Tally`] for any period, computed from per-day counts
//! instead of from the dossiers, so that a report's cost depends on the
//! number of series and days it covers, never on the number of dossiers.
//!
//! Each dossier contributes a few signed counts to a few days
//! ([`contributions`]): +1 received on its reception day; +1 early / on
//! time / overdue / returned / withdrawn on the day it finished; and, for
//! "open and past due", +1 on the first day at whose end it is open and past
//! its due moment and −1 on the day it finished. When a dossier changes,
//! storage adds the difference of its contributions before and after
//! ([`changes`]) in the same transaction. Days are summed into three grains
//! (day, month, year: [`Grain`]), and a period is tiled by the fewest
//! buckets ([`cover`]), so a three-year report reads three year rows per
//! series, not a thousand day rows.
//!
//! [`tally`] turns the sums of "before the period" and "within the period"
//! into a [`Tally`]: carried over = received before − finished before; in
//! progress = carried over + received − finished within; past due among
//! them = the "open and past due" sum up to the period's last day, or, when
//! the period ends today or later, the count of open dossiers past due now
//! (which the caller reads from the open dossiers). The property test below
//! checks that this equals [`Tally::add`] over the dossiers, for random
//! histories and periods.

use crate::calendar::{Timeliness, classify_resolved};
use crate::dossier::OutcomeKind;
use crate::stats::{Facts, Period, Tally};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The first day the running totals cover; moments before it are refused
/// on import.
pub const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// Signed counts of one series on one day (or summed over days).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: i64,
    pub early: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub returned: i64,
    pub withdrawn: i64,
    /// Changes of "open and past due at the end of the day".
    pub overdue_open: i64,
}

impl Counts {
    /// The counters in storage order (the columns of `stat_bucket`).
    pub const NAMES: [&'static str; 7] = [
        "received",
        "early",
        "on_time",
        "overdue",
        "returned",
        "withdrawn",
        "overdue_open",
    ];

    pub fn to_array(self) -> [i64; 7] {
        [
            self.received,
            self.early,
            self.on_time,
            self.overdue,
            self.returned,
            self.withdrawn,
            self.overdue_open,
        ]
    }

    pub fn from_array(a: [i64; 7]) -> Counts {
        Counts {
            received: a[0],
            early: a[1],
            on_time: a[2],
            overdue: a[3],
            returned: a[4],
            withdrawn: a[5],
            overdue_open: a[6],
        }
    }

    pub fn add(&mut self, o: &Counts) {
        let mut a = self.to_array();
        for (x, y) in a.iter_mut().zip(o.to_array()) {
            *x += y;
        }
        *self = Counts::from_array(a);
    }

    pub fn negated(&self) -> Counts {
        Counts::from_array(self.to_array().map(|x| -x))
    }

    pub fn is_zero(&self) -> bool {
        self.to_array().iter().all(|x| *x == 0)
    }

    /// Finished in any way.
    pub fn finished(&self) -> i64 {
        self.early + self.on_time + self.overdue + self.returned + self.withdrawn
    }
}

/// The day contributions of one dossier as it stands.
pub fn contributions(f: &Facts) -> Vec<(NaiveDate, Counts)> {
    let Some(received) = f.received() else {
        return Vec::new();
    };
    let mut out = vec![(
        received.date(),
        Counts {
            received: 1,
            ..Default::default()
        },
    )];
    if let Some((kind, at)) = f.finished {
        let mut c = Counts::default();
        match kind {
            OutcomeKind::ReturnedUnresolved => c.returned = 1,
            OutcomeKind::Withdrawn => c.withdrawn = 1,
            _ => match f.due_at.map(|due| classify_resolved(due, at)) {
                Some(Timeliness::Early) => c.early = 1,
                Some(Timeliness::Overdue) => c.overdue = 1,
                Some(Timeliness::OnTime) | None => c.on_time = 1,
            },
        }
        out.push((at.date(), c));
    }
    // Open and past due at the end of day D (judged at D+1 00:00):
    // received and due on or before D, not finished on or before D.
    if let Some(due) = f.due_at {
        let first = due.date().max(received.date());
        let stop = f.finished.map(|(_, at)| at.date());
        if stop.is_none_or(|s| s > first) {
            out.push((
                first,
                Counts {
                    overdue_open: 1,
                    ..Default::default()
                },
            ));
            if let Some(s) = stop {
                out.push((
                    s,
                    Counts {
                        overdue_open: -1,
                        ..Default::default()
                    },
                ));
            }
        }
    }
    out
}

/// What a change of a dossier (from `old`, or new) adds to the day counts:
/// the new contributions minus the old, merged by day, zeros left out.
pub fn changes(old: Option<&Facts>, new: &Facts) -> Vec<(NaiveDate, Counts)> {
    let mut by_day: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    for (d, c) in contributions(new) {
        by_day.entry(d).or_default().add(&c);
    }
    if let Some(old) = old {
        for (d, c) in contributions(old) {
            by_day.entry(d).or_default().add(&c.negated());
        }
    }
    by_day.into_iter().filter(|(_, c)| !c.is_zero()).collect()
}

/// The size of a bucket of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grain {
    Day,
    Month,
    Year,
}

impl Grain {
    /// The one-letter code stored in `stat_bucket.grain`.
    pub const fn code(self) -> &'static str {
        match self {
            Grain::Day => "d",
            Grain::Month => "m",
            Grain::Year => "y",
        }
    }

    pub fn parse(s: &str) -> Option<Grain> {
        match s {
            "d" => Some(Grain::Day),
            "m" => Some(Grain::Month),
            "y" => Some(Grain::Year),
            _ => None,
        }
    }

    /// The first day of the bucket of this grain holding `day`.
    pub fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => day,
            Grain::Month => day.with_day(1).unwrap_or(day),
            Grain::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        }
    }

    /// The last day of the bucket starting at `start`.
    pub fn last(self, start: NaiveDate) -> NaiveDate {
        let next = match self {
            Grain::Day => start.succ_opt(),
            Grain::Month => start.checked_add_months(chrono::Months::new(1)),
            Grain::Year => start.checked_add_months(chrono::Months::new(12)),
        };
        next.and_then(|n| n.pred_opt()).unwrap_or(start)
    }
}

/// The bucket changes of day changes: each day's counts go to its day, its
/// month and its year; merged, zeros left out.
pub fn bucket_changes(days: &[(NaiveDate, Counts)]) -> Vec<(Grain, NaiveDate, Counts)> {
    let mut out: BTreeMap<(Grain, NaiveDate), Counts> = BTreeMap::new();
    for (d, c) in days {
        for g in [Grain::Day, Grain::Month, Grain::Year] {
            out.entry((g, g.start(*d))).or_default().add(c);
        }
    }
    out.into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((g, s), c)| (g, s, c))
        .collect()
}

/// The fewest buckets that tile the days `from..=to` exactly (empty when
/// `from > to`): whole years where they fit, then whole months, then days.
pub fn cover(from: NaiveDate, to: NaiveDate) -> Buckets {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        let g = [Grain::Year, Grain::Month, Grain::Day]
            .into_iter()
            .find(|g| g.start(d) == d && g.last(d) <= to)
            .unwrap_or(Grain::Day);
        out.push((g, d));
        match g.last(d).succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// Buckets as `(grain, first day)`.
pub type Buckets = Vec<(Grain, NaiveDate)>;

/// Buckets with a sign: the days `from..=to` are the sum of the `+1`
/// buckets minus the `-1` ones.
pub type SignedBuckets = Vec<(Grain, NaiveDate, i64)>;

fn plus(b: Buckets) -> SignedBuckets {
    b.into_iter().map(|(g, d)| (g, d, 1)).collect()
}

fn negated(b: SignedBuckets) -> SignedBuckets {
    b.into_iter().map(|(g, d, w)| (g, d, -w)).collect()
}

/// The fewer of two ways to count a part `a..=b` of the bucket starting at
/// `start` (grain `g`): the finer buckets of the part (`finer`), or the
/// whole bucket minus the finer buckets of the rest of it.
fn part_of(
    g: Grain,
    start: NaiveDate,
    a: NaiveDate,
    b: NaiveDate,
    finer: &dyn Fn(NaiveDate, NaiveDate) -> SignedBuckets,
) -> SignedBuckets {
    let last = g.last(start);
    if a == start && b == last {
        return vec![(g, start, 1)];
    }
    let direct = finer(a, b);
    let mut complement = vec![(g, start, 1)];
    if let Some(before) = a.pred_opt().filter(|d| *d >= start) {
        complement.extend(negated(finer(start, before)));
    }
    if let Some(after) = b.succ_opt().filter(|d| *d <= last) {
        complement.extend(negated(finer(after, last)));
    }
    if complement.len() < direct.len() {
        complement
    } else {
        direct
    }
}

fn days_of(a: NaiveDate, b: NaiveDate) -> SignedBuckets {
    plus(
        a.iter_days()
            .take_while(|d| *d <= b)
            .map(|d| (Grain::Day, d))
            .collect(),
    )
}

fn months_of(a: NaiveDate, b: NaiveDate) -> SignedBuckets {
    let mut out = Vec::new();
    let mut m = Grain::Month.start(a);
    while m <= b {
        let last = Grain::Month.last(m);
        out.extend(part_of(Grain::Month, m, a.max(m), b.min(last), &days_of));
        match last.succ_opt() {
            Some(n) => m = n,
            None => break,
        }
    }
    out
}

/// The days `from..=to` in the fewest signed buckets: per year and month,
/// either the finer buckets of the part or the whole bucket minus the rest
/// (e.g. 15-31 March is March minus 1-14 March: 15 buckets, not 17). Empty
/// when `from > to`.
pub fn cover_signed(from: NaiveDate, to: NaiveDate) -> SignedBuckets {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    let mut y = Grain::Year.start(from);
    while y <= to {
        let last = Grain::Year.last(y);
        out.extend(part_of(
            Grain::Year,
            y,
            from.max(y),
            to.min(last),
            &months_of,
        ));
        match last.succ_opt() {
            Some(n) => y = n,
            None => break,
        }
    }
    out
}

/// The signed buckets before the period (from [`EPOCH`]) and within it.
pub fn cover_period(p: &Period) -> (SignedBuckets, SignedBuckets) {
    let before = p
        .from()
        .pred_opt()
        .map(|last| cover_signed(EPOCH, last))
        .unwrap_or_default();
    (before, cover_signed(p.from(), p.to()))
}

/// The statistics of one series (or of several summed) from its sums:
/// `before` over the days before the period, `within` over the period's
/// days; `online` tells which "received" column the receptions go to.
/// `overdue_now` is the number of open dossiers past due now, needed only
/// when the period is judged at `now` (it ends today or later, see
/// [`Period::judged_at`]); otherwise pass `None`.
pub fn tally(before: &Counts, within: &Counts, online: bool, overdue_now: Option<i64>) -> Tally {
    let n = |x: i64| u64::try_from(x).unwrap_or(0);
    let carried = before.received - before.finished();
    let in_progress = carried + within.received - within.finished();
    let overdue = overdue_now.unwrap_or(before.overdue_open + within.overdue_open);
    Tally {
        received_online: if online { n(within.received) } else { 0 },
        received_direct: if online { 0 } else { n(within.received) },
        carried_over: n(carried),
        resolved_early: n(within.early),
        resolved_on_time: n(within.on_time),
        resolved_overdue: n(within.overdue),
        returned: n(within.returned),
        withdrawn: n(within.withdrawn),
        in_progress_within: n(in_progress - overdue),
        in_progress_overdue: n(overdue),
    }
}

/// The columns of the statistics report: API name, Vietnamese heading,
/// value. Each dossier is counted once among carried over + received and
/// once among resolved, returned, withdrawn and in progress, so
/// `carried_over + received_new = resolved_* + returned + withdrawn +
/// in_progress_*` for every row.
pub fn columns(t: &Tally) -> [(&'static str, &'static str, u64); 11] {
    [
        ("received_new", "Mới tiếp nhận trong kỳ", t.received()),
        ("received_online", "Trong đó: trực tuyến", t.received_online),
        (
            "received_direct_postal",
            "Trong đó: trực tiếp, bưu chính",
            t.received_direct,
        ),
        ("carried_over", "Kỳ trước chuyển qua", t.carried_over),
        ("resolved_early", "Giải quyết trước hạn", t.resolved_early),
        (
            "resolved_on_time",
            "Giải quyết đúng hạn",
            t.resolved_on_time,
        ),
        ("resolved_overdue", "Giải quyết quá hạn", t.resolved_overdue),
        ("returned", "Trả lại", t.returned),
        ("withdrawn", "Rút hồ sơ", t.withdrawn),
        (
            "in_progress_within_time",
            "Đang giải quyết trong hạn",
            t.in_progress_within,
        ),
        (
            "in_progress_overdue",
            "Đang giải quyết quá hạn",
            t.in_progress_overdue,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::Channel;
    use chrono::{Duration, NaiveDateTime};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn cover_tiles_exactly_with_few_buckets() {
        let c = cover(d("2016-01-01"), d("2018-12-31"));
        assert_eq!(
            c,
            vec![
                (Grain::Year, d("2016-01-01")),
                (Grain::Year, d("2017-01-01")),
                (Grain::Year, d("2018-01-01"))
            ]
        );
        let c = cover(d("2016-02-27"), d("2017-03-02"));
        assert_eq!(c.first(), Some(&(Grain::Day, d("2016-02-27"))));
        assert!(c.contains(&(Grain::Month, d("2016-03-01"))));
        assert!(c.contains(&(Grain::Month, d("2017-02-01"))));
        assert_eq!(c.last(), Some(&(Grain::Day, d("2017-03-02"))));
        assert_eq!(c.len(), 3 + 10 + 2 + 2);
        assert!(cover(d("2016-02-02"), d("2016-02-01")).is_empty());
        // Leap day and the end of a month of 30 days.
        assert_eq!(Grain::Month.last(d("2016-02-01")), d("2016-02-29"));
        assert_eq!(Grain::Month.last(d("2016-04-01")), d("2016-04-30"));
    }

    #[test]
    fn a_dossier_overdue_then_resolved_moves_the_counts() {
        let received = Facts {
            received_at: Some(t("2019-03-01 08:00")),
            channel: Channel::Direct,
            due_at: Some(t("2019-03-08 17:00")),
            finished: None,
        };
        let c = changes(None, &received);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].1.received, 1);
        assert_eq!((c[1].0, c[1].1.overdue_open), (d("2019-03-08"), 1));
        let resolved = Facts {
            finished: Some((OutcomeKind::Approved, t("2019-03-12 09:00"))),
            ..received
        };
        let c = changes(Some(&received), &resolved);
        assert_eq!(
            c,
            vec![(
                d("2019-03-12"),
                Counts {
                    overdue: 1,
                    overdue_open: -1,
                    ..Default::default()
                }
            )]
        );
        // Resolved before its due day: never open past due.
        let early = Facts {
            finished: Some((OutcomeKind::Approved, t("2019-03-05 09:00"))),
            ..received
        };
        let sum: i64 = contributions(&early)
            .iter()
            .map(|(_, c)| c.overdue_open)
            .sum();
        assert_eq!(sum, 0);
        assert!(
            contributions(&early)
                .iter()
                .all(|(_, c)| c.overdue_open == 0)
        );
    }

    /// Sums the stored buckets of a signed cover.
    fn sum(
        store: &BTreeMap<(Grain, NaiveDate), Counts>,
        cover: &[(Grain, NaiveDate, i64)],
    ) -> Counts {
        let mut c = Counts::default();
        for (g, d, w) in cover {
            if let Some(v) = store.get(&(*g, *d)) {
                c.add(&if *w < 0 { v.negated() } else { *v });
            }
        }
        c
    }

    fn arb_facts() -> impl Strategy<Value = (Facts, Option<Facts>)> {
        // A dossier received within two years, due 0..40 days later, maybe
        // finished 0..80 days after reception, maybe with an earlier state
        // (no outcome, another due moment) that storage saw first.
        (
            0i64..(2 * 365 * 24),
            0i64..(40 * 24),
            prop::option::of((0u8..5, 0i64..(80 * 24))),
            0u8..4,
            prop::option::of(0i64..(40 * 24)),
            any::<bool>(),
        )
            .prop_map(|(rec, due, fin, ch, old_due, has_due)| {
                let base = t("2018-01-01 00:00");
                let r = base + Duration::hours(rec);
                let kinds = [
                    OutcomeKind::Approved,
                    OutcomeKind::Rejected,
                    OutcomeKind::Withdrawn,
                    OutcomeKind::ReturnedUnresolved,
                    OutcomeKind::RefusedAtReception,
                ];
                let f = Facts {
                    received_at: Some(r),
                    channel: Channel::ALL[ch as usize % Channel::ALL.len()],
                    due_at: has_due.then(|| r + Duration::hours(due)),
                    finished: fin.map(|(k, after)| (kinds[k as usize], r + Duration::hours(after))),
                };
                let old = old_due.map(|od| Facts {
                    finished: None,
                    due_at: Some(r + Duration::hours(od)),
                    ..f
                });
                (f, old)
            })
    }

    proptest! {
        /// The report from running totals equals the report from the
        /// dossiers, for any history, period and moment after the history.
        #[test]
        fn running_totals_equal_the_direct_count(
            dossiers in prop::collection::vec(arb_facts(), 0..50),
            from_day in 0i64..900,
            len in 0i64..500,
            now_after in 0i64..(200 * 24),
        ) {
            // Storage: every dossier's changes, in the order they happened
            // (an earlier state first when there was one), summed into buckets.
            let mut store: BTreeMap<(Grain, NaiveDate), BTreeMap<bool, Counts>> = BTreeMap::new();
            let mut latest = t("2018-01-01 00:00");
            for (f, old) in &dossiers {
                let mut steps = Vec::new();
                if let Some(o) = old {
                    steps.push(changes(None, o));
                    steps.push(changes(Some(o), f));
                } else {
                    steps.push(changes(None, f));
                }
                for step in steps {
                    for (g, s, c) in bucket_changes(&step) {
                        store.entry((g, s)).or_default().entry(f.channel.is_online()).or_default().add(&c);
                    }
                }
                for m in [f.received_at, f.due_at, f.finished.map(|x| x.1)].into_iter().flatten() {
                    latest = latest.max(m);
                }
            }
            let now = latest + Duration::hours(now_after);
            let from = d("2018-01-01") + Duration::days(from_day);
            let p = Period::new(from, from + Duration::days(len)).unwrap();
            let (before, within) = cover_period(&p);
            let judged_now = p.judged_at(now) < p.end_exclusive();
            let mut from_totals = Tally::default();
            for online in [false, true] {
                let part: BTreeMap<(Grain, NaiveDate), Counts> = store
                    .iter()
                    .filter_map(|(k, v)| v.get(&online).map(|c| (*k, *c)))
                    .collect();
                // What storage reads from the open dossiers when judged now.
                let overdue_now = judged_now.then(|| {
                    dossiers
                        .iter()
                        .filter(|(f, _)| f.channel.is_online() == online && f.overdue_open_now(now))
                        .count() as i64
                });
                from_totals.merge(&tally(&sum(&part, &before), &sum(&part, &within), online, overdue_now));
            }
            let mut direct = Tally::default();
            for (f, _) in &dossiers {
                direct.add(f, &p, now);
            }
            prop_assert_eq!(from_totals, direct);
        }

        /// A signed cover counts each day of the range once and no other day,
        /// with no more buckets than the plain cover.
        #[test]
        fn signed_covers_count_each_day_once(from_day in 0i64..1200, len in -3i64..900) {
            let from = d("2016-06-15") + Duration::days(from_day);
            let to = from + Duration::days(len);
            let c = cover_signed(from, to);
            let mut weight: BTreeMap<NaiveDate, i64> = BTreeMap::new();
            for (g, s, w) in &c {
                for day in s.iter_days().take_while(|x| *x <= g.last(*s)) {
                    *weight.entry(day).or_default() += w;
                }
            }
            for (day, w) in &weight {
                let inside = *day >= from && *day <= to;
                prop_assert_eq!(*w, i64::from(inside), "{}", day);
            }
            if len >= 0 {
                prop_assert_eq!(weight.values().filter(|w| **w == 1).count() as i64, len + 1);
            }
            prop_assert!(c.len() <= cover(from, to).len().max(1));
        }

        /// A cover tiles the days exactly, each day once.
        #[test]
        fn covers_tile(from_day in 0i64..3000, len in -3i64..3000) {
            let from = d("2015-06-15") + Duration::days(from_day);
            let to = from + Duration::days(len);
            let c = cover(from, to);
            let mut next = from;
            for (g, s) in &c {
                prop_assert_eq!(*s, next);
                prop_assert_eq!(g.start(*s), *s);
                next = g.last(*s).succ_opt().unwrap();
            }
            if len >= 0 {
                prop_assert_eq!(next, to.succ_opt().unwrap());
                prop_assert!(c.len() <= 31 + 11 + 11 + 31 + (len as usize / 365) + 2);
            } else {
                prop_assert!(c.is_empty());
            }
        }
    }
}
