//! A realistic history of dossiers for demonstrations and benchmarks
//! (issue 7, `motcua demo generate`, docs/reports.md §Generator): dossiers
//! received on working days across desks and procedures, each taken through
//! the real state machine ([`Dossier::receive_new`], [`Dossier::apply`]) by
//! the officers whose roles the rules ask for — forward, assign, appraisal,
//! signing, return — with some supplement requests, transfers to another
//! agency (inter-connected one-stop), withdrawals, returns unresolved,
//! refusals after appraisal, and late dossiers with an apology before the
//! due moment. Reproducible: the same seed and inputs give the same
//! dossiers, event for event.
//!
//! The random numbers are SplitMix64, written here (ten lines) rather than
//! taken from `rand`, whose generators do not promise the same sequence
//! across versions: a seed must give the same history next year.

use crate::calendar::{ProcessingTime, WorkCalendar, WorkSpan};
use crate::codes::{AgencyCode, ProcedureCode, UnitCode};
use crate::dossier::{
    Actor, Applicant, ApplicantKind, Channel, Command, CommandAction, Delivery, Dossier,
    DossierCode, Event, NewDossier, OverdueReason, ProcedureRef, Role,
};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::HashMap;

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A desk that receives dossiers, with its share of them.
#[derive(Clone, Debug)]
pub struct DeskSpec {
    pub code: AgencyCode,
    pub unit: UnitCode,
    pub weight: u32,
    /// Indices into [`Plan::procedures`] this desk receives (empty: all).
    pub procedures: Vec<usize>,
}

/// A procedure dossiers are made for.
#[derive(Clone, Debug)]
pub struct ProcedureSpec {
    pub code: ProcedureCode,
    pub valid_from: Option<NaiveDate>,
    pub time: ProcessingTime,
    pub online: bool,
}

/// The shares of what happens to dossiers (each a probability).
#[derive(Clone, Debug)]
pub struct Mix {
    pub online: f64,
    pub postal: f64,
    pub supplement: f64,
    pub transfer: f64,
    pub withdraw: f64,
    pub return_unresolved: f64,
    pub reject: f64,
    pub late: f64,
    /// Of the late ones: an apology sent before the due moment.
    pub apology: f64,
}

impl Default for Mix {
    /// Shares close to the article's district (1.2 % overdue, 1 % returned).
    fn default() -> Mix {
        Mix {
            online: 0.15,
            postal: 0.03,
            supplement: 0.05,
            transfer: 0.03,
            withdraw: 0.004,
            return_unresolved: 0.006,
            reject: 0.02,
            late: 0.012,
            apology: 0.7,
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Plan {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Nothing happens after this moment: later steps are not taken, so the
    /// dossiers received last are still open.
    pub now: NaiveDateTime,
    pub desks: Vec<DeskSpec>,
    pub procedures: Vec<ProcedureSpec>,
    /// The agency transfers go to (inter-connected one-stop), if any.
    pub transfer_to: Option<AgencyCode>,
    pub mix: Mix,
}

/// One generated dossier with its events, oldest first.
#[derive(Clone, Debug)]
pub struct Generated {
    pub dossier: Dossier,
    pub events: Vec<Event>,
    pub unit: UnitCode,
}

/// Makes dossiers one by one. `seq` gives the last code number used per
/// desk and day (codes continue after it).
pub struct Generator<'a> {
    plan: &'a Plan,
    rng: Rng,
    seq: HashMap<(AgencyCode, NaiveDate), u32>,
    days: Vec<NaiveDate>,
    weights: Vec<u64>,
    /// With a known total, dossiers are made in the order of their days
    /// (the `made`-th of `total` on the matching share of the period), as
    /// a desk receives them; without, each on a random day.
    total: Option<u64>,
    made: u64,
}

const SURNAMES: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
];
const GIVEN: [&str; 12] = [
    "Văn An",
    "Thị Bình",
    "Văn Cường",
    "Thị Dung",
    "Văn Đức",
    "Thị Hà",
    "Văn Hùng",
    "Thị Lan",
    "Văn Minh",
    "Thị Ngọc",
    "Văn Phong",
    "Thị Yến",
];

impl<'a> Generator<'a> {
    /// `working_days` lists the working days of the period (the desks'
    /// calendar); `seq` the last code numbers already used.
    pub fn new(
        plan: &'a Plan,
        seed: u64,
        seq: HashMap<(AgencyCode, NaiveDate), u32>,
        working_days: Vec<NaiveDate>,
    ) -> Generator<'a> {
        let mut acc = 0u64;
        let weights = plan
            .desks
            .iter()
            .map(|d| {
                acc += u64::from(d.weight.max(1));
                acc
            })
            .collect();
        Generator {
            plan,
            rng: Rng::new(seed),
            seq,
            days: working_days,
            weights,
            total: None,
            made: 0,
        }
    }

    /// Makes `total` dossiers in the order of their reception days, spread
    /// evenly over the period (a history as it happened: codes and times
    /// grow together, so storage appends instead of inserting at random).
    pub fn in_order(mut self, total: u64) -> Generator<'a> {
        self.total = Some(total.max(1));
        self
    }

    fn pick_desk(&mut self) -> &'a DeskSpec {
        let total = self.weights.last().copied().unwrap_or(1);
        let x = self.rng.below(total);
        let i = self.weights.partition_point(|w| *w <= x);
        &self.plan.desks[i.min(self.plan.desks.len() - 1)]
    }

    /// The next dossier, or `None` when the plan has no desk, procedure or
    /// working day. Steps the rules refuse are skipped (the dossier stays
    /// where it was), so every history is one the state machine accepts.
    pub fn next(&mut self, cal: &WorkCalendar) -> Option<Generated> {
        let plan = self.plan;
        if plan.desks.is_empty() || plan.procedures.is_empty() || self.days.is_empty() {
            return None;
        }
        let desk = self.pick_desk();
        let proc = if desk.procedures.is_empty() {
            &plan.procedures[self.rng.below(plan.procedures.len() as u64) as usize]
        } else {
            let i = desk.procedures[self.rng.below(desk.procedures.len() as u64) as usize];
            plan.procedures.get(i)?
        };
        let n = self.days.len() as u64;
        let i = match self.total {
            Some(total) => (u128::from(self.made) * u128::from(n) / u128::from(total)) as u64,
            None => self.rng.below(n),
        };
        self.made += 1;
        let day = self.days[i.min(n - 1) as usize];
        let m = &plan.mix;
        let r = self.rng.unit();
        let channel = if proc.online && r < m.online {
            Channel::Online
        } else if r < m.online + m.postal {
            Channel::Postal
        } else {
            Channel::Direct
        };
        // Office hours, 07:30 to 16:30, in five-minute steps.
        let minute = 450 + 5 * self.rng.below(108) as i64;
        let at = day.and_time(NaiveTime::MIN) + Duration::minutes(minute);
        let at = cal.try_clock_start(at).ok()?.max(at);
        let seq = self.seq.entry((desk.code.clone(), at.date())).or_insert(0);
        *seq += 1;
        let code = DossierCode::new(&desk.code, at.date(), *seq).ok()?;
        let name = format!(
            "{} {}",
            SURNAMES[self.rng.below(12) as usize],
            GIVEN[self.rng.below(12) as usize]
        );
        let id = format!("019{:09}", self.rng.below(1_000_000_000));
        let applicant = Applicant::new(
            ApplicantKind::Citizen,
            &name,
            &id,
            None,
            None,
            "Thái Nguyên",
        )
        .ok()?;
        let new = NewDossier {
            code,
            procedure: ProcedureRef {
                code: proc.code.clone(),
                valid_from: proc.valid_from,
            },
            processing_time: proc.time,
            applicant,
            channel,
            agency: desk.code.clone(),
            process: None,
        };
        let officer = |role| Actor::officer("sinh-du-lieu", role, &desk.code);
        let (mut d, ev) =
            Dossier::receive_new(new, &officer(Role::ReceptionOfficer), at, cal).ok()?;
        let mut events = vec![ev];
        let start = cal.try_clock_start(at).ok()?;
        let due = d.due_at?;
        let budget = cal.between(start, due).as_minutes().max(30);
        let point = |f: f64| -> Option<NaiveDateTime> {
            cal.add(start, WorkSpan::minutes((budget as f64 * f) as i64).ok()?)
                .ok()
        };
        let step = |d: &mut Dossier,
                    events: &mut Vec<Event>,
                    action: CommandAction,
                    actor: &Actor,
                    when: Option<NaiveDateTime>| {
            apply_step(d, events, action, actor, when, plan.now, cal)
        };
        let fate = self.rng.unit();
        let late = self.rng.chance(m.late);
        let supplement = self.rng.chance(m.supplement);
        let transfer = plan.transfer_to.is_some() && self.rng.chance(m.transfer);
        let apology = self.rng.chance(m.apology);
        let share = 0.3 + 0.65 * self.rng.unit();
        let returned_after = 1 + self.rng.below(5) as u32;
        let reason = OverdueReason::ALL[self.rng.below(OverdueReason::ALL.len() as u64) as usize];
        if fate < m.withdraw {
            step(
                &mut d,
                &mut events,
                CommandAction::Withdraw {
                    reason: Some("Người nộp xin rút hồ sơ".into()),
                },
                &officer(Role::ReceptionOfficer),
                point(0.2),
            );
            return Some(Generated {
                dossier: d,
                events,
                unit: desk.unit.clone(),
            });
        }
        step(
            &mut d,
            &mut events,
            CommandAction::Forward {
                to: None,
                note: None,
            },
            &officer(Role::ReceptionOfficer),
            Some(start + Duration::minutes(15)).filter(|t| *t > at),
        );
        step(
            &mut d,
            &mut events,
            CommandAction::Assign {
                assignee: "sinh-du-lieu".into(),
                note: None,
            },
            &officer(Role::HeadOfOffice),
            point(0.05),
        );
        if supplement {
            let asked = point(0.1);
            if step(
                &mut d,
                &mut events,
                CommandAction::RequestSupplement {
                    items: vec!["Bản sao giấy tờ tùy thân".into()],
                    reason: "Thiếu giấy tờ theo quy định".into(),
                    late_basis: None,
                },
                &officer(Role::Specialist),
                asked,
            ) {
                let back = asked.map(|t| t + Duration::days(1 + self.rng.below(5) as i64));
                let back = back.and_then(|t| cal.try_clock_start(t).ok());
                step(
                    &mut d,
                    &mut events,
                    CommandAction::Supplement { note: None },
                    &officer(Role::ReceptionOfficer),
                    back,
                );
            }
        }
        // The due moment may have moved (a supplement stops the clock).
        let due = d.due_at.unwrap_or(due);
        let point = |f: f64| -> Option<NaiveDateTime> {
            let b = cal.between(start, due).as_minutes().max(30);
            cal.add(start, WorkSpan::minutes((b as f64 * f) as i64).ok()?)
                .ok()
        };
        if transfer && let Some(to) = &plan.transfer_to {
            let sent = point(0.3);
            if step(
                &mut d,
                &mut events,
                CommandAction::Transfer {
                    to: to.clone(),
                    budget: WorkSpan::minutes((budget / 5).max(30)).unwrap_or_default(),
                    task: "Xin ý kiến cơ quan chuyên môn".into(),
                },
                &officer(Role::HeadOfOffice),
                sent,
            ) {
                let back = point(0.45);
                step(
                    &mut d,
                    &mut events,
                    CommandAction::ReturnFromTransfer { note: None },
                    &Actor::officer("sinh-du-lieu", Role::HeadOfOffice, to),
                    back,
                );
            }
        }
        if fate < m.withdraw + m.return_unresolved {
            step(
                &mut d,
                &mut events,
                CommandAction::ReturnUnresolved {
                    reason: "Hồ sơ không thuộc trường hợp giải quyết".into(),
                },
                &officer(Role::HeadOfOffice),
                point(0.5),
            );
            return Some(Generated {
                dossier: d,
                events,
                unit: desk.unit.clone(),
            });
        }
        let finish = if late {
            if apology {
                let promised = cal
                    .add(due, WorkSpan::minutes(3 * 450).unwrap_or_default())
                    .ok();
                if let Some(p) = promised {
                    step(
                        &mut d,
                        &mut events,
                        CommandAction::Apologize {
                            reason_code: reason,
                            reason: reason.label_vi().to_string(),
                            promised_at: p,
                        },
                        &officer(Role::HeadOfOffice),
                        point(0.6),
                    );
                }
            }
            cal.add(
                due,
                WorkSpan::minutes(60 + self.rng.below(3 * 450) as i64).unwrap_or_default(),
            )
            .ok()
        } else {
            point(share)
        };
        let before = |t: Option<NaiveDateTime>, m: i64| t.map(|t| t - Duration::minutes(m));
        let last = d.updated_at;
        let number = d.code.seq();
        step(
            &mut d,
            &mut events,
            CommandAction::CompleteStep {
                to: None,
                note: None,
            },
            &officer(Role::Specialist),
            before(finish, 30).filter(|t| *t > last).or(finish),
        );
        let done = if fate < m.withdraw + m.return_unresolved + m.reject {
            step(
                &mut d,
                &mut events,
                CommandAction::Reject {
                    reason: "Không đủ điều kiện theo quy định".into(),
                },
                &officer(Role::SigningLeader),
                finish,
            )
        } else {
            step(
                &mut d,
                &mut events,
                CommandAction::Resolve {
                    document: Some(format!("Kết quả số {number}")),
                },
                &officer(Role::SigningLeader),
                finish,
            )
        };
        if done {
            let back = finish.and_then(|t| {
                cal.add(t, WorkSpan::minutes(i64::from(returned_after) * 450).ok()?)
                    .ok()
            });
            step(
                &mut d,
                &mut events,
                CommandAction::ReturnResult {
                    delivery: Delivery::AtDesk,
                    note: None,
                },
                &officer(Role::ReceptionOfficer),
                back,
            );
        }
        Some(Generated {
            dossier: d,
            events,
            unit: desk.unit.clone(),
        })
    }
}

/// Takes one step when its moment is known and not in the future (`now`),
/// and the rules accept it; a moment before the last step moves to five
/// minutes after it.
fn apply_step(
    d: &mut Dossier,
    events: &mut Vec<Event>,
    action: CommandAction,
    actor: &Actor,
    when: Option<NaiveDateTime>,
    now: NaiveDateTime,
    cal: &WorkCalendar,
) -> bool {
    let Some(when) = when else { return false };
    let when = when.max(d.updated_at + chrono::Duration::minutes(5));
    if when > now {
        return false;
    }
    let cmd = Command {
        version: d.version,
        action,
    };
    match d.apply(&cmd, actor, when, cal) {
        Ok((next, ev)) => {
            *d = next;
            events.push(ev);
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_stable() {
        // The reference values of SplitMix64 from seed 0.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut r = Rng::new(7);
        for _ in 0..1000 {
            assert!(r.below(10) < 10);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
