//! Internal processes (*quy trình nội bộ*, Circular 01/2018 Art 8): the
//! ordered steps a dossier goes through, each with a role, an optional agency
//! and a working-time budget. The budgets must fit the procedure's processing
//! time; they do not extend it, they give the control sheet its verdicts
//! (domain.md §4.4).

use super::role::Role;
use crate::calendar::{ProcessingTime, WorkSpan};
use crate::codes::AgencyCode;
use crate::codes::ProcedureCode;
use crate::import::{ImportError, read_csv};
use serde::{Deserialize, Serialize};

/// Most steps a process may have.
pub const MAX_STEPS: usize = 50;

/// One step.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// The role that works on the step and completes it.
    pub role: Role,
    /// The agency of the step; `None`: the agency the dossier is handed to
    /// (chosen by `forward` / `complete_step`, else the current one).
    #[serde(default)]
    pub agency: Option<AgencyCode>,
    /// Working time allowed for the step, in minutes.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub budget: WorkSpan,
}

/// An ordered process. The first step is the reception at the desk, the last
/// the return of the result; at least these two.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub steps: Vec<Step>,
}

/// Why a process was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    #[error("quy trình cần ít nhất 2 bước (tiếp nhận và trả kết quả), có {0}")]
    TooFewSteps(usize),
    #[error("quy trình có quá {MAX_STEPS} bước")]
    TooManySteps,
    #[error("bước {0} không có tên")]
    EmptyName(usize),
    #[error(
        "tổng thời gian các bước ({total} phút) vượt quá thời hạn giải quyết ({allowed} phút làm việc)"
    )]
    OverBudget { total: i64, allowed: i64 },
}

/// The working time of a processing time, for checking budgets:
/// `n` working days are `n ×` the agency's day length, `n` working hours are
/// `n × 60` minutes, and `n` calendar days count as `max(1, ⌊5n/7⌋)` working
/// days (an approximation: the exact working time of a calendar-day period
/// depends on the start and the holidays).
pub fn working_budget(time: ProcessingTime, day_length: WorkSpan) -> WorkSpan {
    let dl = day_length.as_minutes();
    let minutes = match time {
        ProcessingTime::WorkingDays(n) => i64::from(n) * dl,
        ProcessingTime::WorkingHours(n) => i64::from(n) * 60,
        ProcessingTime::CalendarDays(n) => (i64::from(n) * 5 / 7).max(1) * dl,
        ProcessingTime::SameDay => dl,
    };
    WorkSpan::minutes(minutes.clamp(0, WorkSpan::MAX_MINUTES)).unwrap_or_default()
}

impl Process {
    /// Sum of the budgets, in minutes.
    pub fn total_minutes(&self) -> i64 {
        self.steps.iter().map(|s| s.budget.as_minutes()).sum()
    }

    /// Checks the shape (2..=50 named steps) and that the budgets add up to
    /// no more than `allowed`.
    pub fn validate(&self, allowed: WorkSpan) -> Result<(), ProcessError> {
        if self.steps.len() < 2 {
            return Err(ProcessError::TooFewSteps(self.steps.len()));
        }
        if self.steps.len() > MAX_STEPS {
            return Err(ProcessError::TooManySteps);
        }
        if let Some(i) = self.steps.iter().position(|s| s.name.trim().is_empty()) {
            return Err(ProcessError::EmptyName(i + 1));
        }
        let total = self.total_minutes();
        if total > allowed.as_minutes() {
            return Err(ProcessError::OverBudget {
                total,
                allowed: allowed.as_minutes(),
            });
        }
        Ok(())
    }

    /// [`Process::validate`] against the [`working_budget`] of a processing time.
    pub fn validate_for(
        &self,
        time: ProcessingTime,
        day_length: WorkSpan,
    ) -> Result<(), ProcessError> {
        self.validate(working_budget(time, day_length))
    }

    /// The default 4-step process for a processing time (domain.md §4.4):
    /// see [`Process::default_for_budget`].
    pub fn default_for(time: ProcessingTime, day_length: WorkSpan) -> Process {
        Self::default_for_budget(working_budget(time, day_length), day_length)
    }

    /// The default 4-step process sharing `total` working minutes:
    /// reception at the desk `min(4 h, total/4)`, signing
    /// `min(one working day, total/4)`, return of the result `min(4 h, total/8)`,
    /// appraisal the rest. For one 8-hour day this gives 2 h / 3 h / 2 h / 1 h,
    /// the same-day example of domain.md §4.4; the budgets always add up to
    /// exactly `total`.
    pub fn default_for_budget(total: WorkSpan, day_length: WorkSpan) -> Process {
        let t = total.as_minutes();
        let reception = (t / 4).min(240);
        let signing = (t / 4).min(day_length.as_minutes().max(0));
        let returning = (t / 8).min(240);
        let appraisal = t - reception - signing - returning;
        let span = |m: i64| WorkSpan::minutes(m).unwrap_or_default();
        let step = |name: &str, role, m| Step {
            name: name.to_string(),
            role,
            agency: None,
            budget: span(m),
        };
        Process {
            steps: vec![
                step("Tiếp nhận hồ sơ", Role::ReceptionOfficer, reception),
                step("Thẩm định, xử lý hồ sơ", Role::Specialist, appraisal),
                step("Phê duyệt, ký kết quả", Role::SigningLeader, signing),
                step("Trả kết quả", Role::ReceptionOfficer, returning),
            ],
        }
    }

    /// Index of the last step (the return of the result).
    pub fn last_index(&self) -> usize {
        self.steps.len().saturating_sub(1)
    }
}

/// A process read from a file: for a procedure, at one agency or every one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessRecord {
    pub procedure: ProcedureCode,
    /// `None`: every agency.
    pub agency: Option<AgencyCode>,
    pub process: Process,
}

/// Reads processes from CSV (`procedure_code,agency_code,step,name,role,
/// step_agency,budget_minutes`; one row per step, steps numbered 1, 2, …
/// in order; `agency_code` empty for every agency, `step_agency` empty for
/// "the agency the dossier is handed to"). The shape of each process is
/// checked (2-50 named steps); budgets are checked against the procedure's
/// time by the importer. Errors name the line.
pub fn parse_processes_csv(file: &str, bytes: &[u8]) -> Result<Vec<ProcessRecord>, ImportError> {
    let rows = read_csv(
        file,
        bytes,
        &[
            "procedure_code",
            "agency_code",
            "step",
            "name",
            "role",
            "step_agency",
            "budget_minutes",
        ],
    )?;
    let mut out: Vec<(ProcessRecord, usize)> = Vec::new();
    for r in &rows {
        let e = |m: String| ImportError::new(file, r.line, m);
        let procedure =
            ProcedureCode::new(r.get("procedure_code")).map_err(|x| e(x.to_string()))?;
        let agency = match r.get("agency_code") {
            "" => None,
            a => Some(AgencyCode::new(a).map_err(|x| e(x.to_string()))?),
        };
        let step: usize = r
            .get("step")
            .parse()
            .map_err(|_| e(format!("số bước `{}` không hợp lệ", r.get("step"))))?;
        let role = Role::parse(r.get("role"))
            .ok_or_else(|| e(format!("vai trò `{}` không hợp lệ", r.get("role"))))?;
        let step_agency = match r.get("step_agency") {
            "" => None,
            a => Some(AgencyCode::new(a).map_err(|x| e(x.to_string()))?),
        };
        let budget = r
            .get("budget_minutes")
            .parse::<i64>()
            .ok()
            .and_then(|m| WorkSpan::minutes(m).ok())
            .filter(|w| w.as_minutes() > 0)
            .ok_or_else(|| {
                e(format!(
                    "thời gian `{}` phút không hợp lệ",
                    r.get("budget_minutes")
                ))
            })?;
        let s = Step {
            name: r.get("name").trim().to_string(),
            role,
            agency: step_agency,
            budget,
        };
        match out
            .iter_mut()
            .find(|(p, _)| p.procedure == procedure && p.agency == agency)
        {
            Some((p, _)) => {
                if step != p.process.steps.len() + 1 {
                    return Err(e(format!(
                        "bước {step} không liền sau bước {}",
                        p.process.steps.len()
                    )));
                }
                p.process.steps.push(s);
            }
            None => {
                if step != 1 {
                    return Err(e(format!(
                        "quy trình của {procedure} phải bắt đầu từ bước 1"
                    )));
                }
                out.push((
                    ProcessRecord {
                        procedure,
                        agency,
                        process: Process { steps: vec![s] },
                    },
                    r.line,
                ));
            }
        }
    }
    for (p, line) in &out {
        p.process
            .validate(WorkSpan::minutes(WorkSpan::MAX_MINUTES).unwrap_or_default())
            .map_err(|x| ImportError::new(file, *line, format!("{}: {x}", p.procedure)))?;
    }
    Ok(out.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn processes_from_csv() {
        let csv = "procedure_code,agency_code,step,name,role,step_agency,budget_minutes\n\
            2.000815,,1,Tiếp nhận,reception_officer,,60\n\
            2.000815,,2,Ký,signing_leader,,300\n\
            2.000815,H55.305.1,1,Tiếp nhận,reception_officer,,30\n\
            2.000815,H55.305.1,2,Thẩm định,specialist,000.00.02.H55,200\n\
            2.000815,,3,Trả,reception_officer,,60\n";
        let ps = super::parse_processes_csv("p.csv", csv.as_bytes()).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].process.steps.len(), 3);
        assert_eq!(ps[0].process.total_minutes(), 420);
        assert_eq!(ps[1].agency.as_ref().map(|a| a.as_str()), Some("H55.305.1"));
        assert_eq!(
            ps[1].process.steps[1].agency.as_ref().map(|a| a.as_str()),
            Some("000.00.02.H55")
        );
        let gap = "procedure_code,agency_code,step,name,role,step_agency,budget_minutes\n\
            2.000815,,1,A,reception_officer,,60\n2.000815,,3,B,reception_officer,,60\n";
        let e = super::parse_processes_csv("p.csv", gap.as_bytes()).unwrap_err();
        assert_eq!(e.line, 3);
        let role = "procedure_code,agency_code,step,name,role,step_agency,budget_minutes\n\
            2.000815,,1,A,chief,,60\n";
        assert_eq!(
            super::parse_processes_csv("p.csv", role.as_bytes())
                .unwrap_err()
                .line,
            2
        );
        let one = "procedure_code,agency_code,step,name,role,step_agency,budget_minutes\n\
            2.000815,,1,A,reception_officer,,60\n";
        assert!(
            super::parse_processes_csv("p.csv", one.as_bytes()).is_err(),
            "one step is too few"
        );
        // The shipped file reads.
        let shipped = super::parse_processes_csv(
            "data/processes.csv",
            include_bytes!("../../../../data/processes.csv"),
        )
        .unwrap();
        assert_eq!(shipped.len(), 2);
    }

    use super::*;

    fn m(n: i64) -> WorkSpan {
        WorkSpan::minutes(n).unwrap()
    }

    #[test]
    fn same_day_example() {
        let p = Process::default_for(ProcessingTime::WorkingHours(8), m(450));
        let b: Vec<i64> = p.steps.iter().map(|s| s.budget.as_minutes()).collect();
        assert_eq!(b, [120, 180, 120, 60]);
        assert!(p.validate(m(480)).is_ok());
    }

    #[test]
    fn five_working_days() {
        let p = Process::default_for(ProcessingTime::WorkingDays(5), m(450));
        let b: Vec<i64> = p.steps.iter().map(|s| s.budget.as_minutes()).collect();
        assert_eq!(b, [240, 1320, 450, 240]);
        assert_eq!(p.total_minutes(), 2250);
        assert!(
            p.validate_for(ProcessingTime::WorkingDays(5), m(450))
                .is_ok()
        );
        assert_eq!(p.steps[0].role, Role::ReceptionOfficer);
        assert_eq!(p.steps[2].role, Role::SigningLeader);
    }

    #[test]
    fn over_budget_is_refused() {
        let mut p = Process::default_for(ProcessingTime::WorkingDays(1), m(450));
        p.steps[1].budget = m(p.steps[1].budget.as_minutes() + 1);
        assert_eq!(
            p.validate_for(ProcessingTime::WorkingDays(1), m(450)),
            Err(ProcessError::OverBudget {
                total: 451,
                allowed: 450
            })
        );
        assert!(
            ProcessError::OverBudget {
                total: 451,
                allowed: 450
            }
            .to_string()
            .contains("451")
        );
    }

    #[test]
    fn shape_is_checked() {
        let mut p = Process::default_for(ProcessingTime::WorkingDays(3), m(450));
        p.steps[2].name = " ".into();
        assert_eq!(p.validate(m(10_000)), Err(ProcessError::EmptyName(3)));
        p.steps.truncate(1);
        assert_eq!(p.validate(m(10_000)), Err(ProcessError::TooFewSteps(1)));
        let many = Process {
            steps: vec![p.steps[0].clone(); MAX_STEPS + 1],
        };
        assert_eq!(many.validate(m(10_000)), Err(ProcessError::TooManySteps));
    }

    #[test]
    fn calendar_days_budget() {
        assert_eq!(
            working_budget(ProcessingTime::CalendarDays(1), m(450)).as_minutes(),
            450
        );
        assert_eq!(
            working_budget(ProcessingTime::CalendarDays(15), m(450)).as_minutes(),
            10 * 450
        );
    }

    #[test]
    fn defaults_always_fit() {
        for n in [1u32, 2, 3, 7, 15, 30, 3650] {
            for t in [
                ProcessingTime::WorkingDays(n),
                ProcessingTime::WorkingHours(n),
                ProcessingTime::CalendarDays(n),
            ] {
                for dl in [240, 450, 480] {
                    let p = Process::default_for(t, m(dl));
                    assert_eq!(p.total_minutes(), working_budget(t, m(dl)).as_minutes());
                    assert!(p.validate_for(t, m(dl)).is_ok(), "{t:?} {dl}");
                }
            }
        }
    }
}
