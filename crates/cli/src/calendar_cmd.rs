//! `motcua calendar …`: the working-time calendar from the command line.

use crate::CliError;
use crate::config::{Settings, open_store};
use chrono::{NaiveDate, NaiveDateTime};
use clap::Subcommand;
use motcua_core::calendar::{self, ProcessingTime, WorkCalendar, lunar};

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// Solar date (YYYY-MM-DD) of lunar 1/1 (Tết Nguyên đán) of a lunar year.
    Tet { year: i32 },
    /// The lunar date of a solar date, as JSON {"day","month","year","leap"}.
    Lunar { date: String },
    /// The due moment (YYYY-MM-DDTHH:MM, Asia/Ho_Chi_Minh) of a dossier received at --from.
    Due {
        /// Reception moment, local time: YYYY-MM-DDTHH:MM.
        #[arg(long)]
        from: String,
        /// Processing time in working days.
        #[arg(long)]
        working_days: u32,
        /// Use this agency's working hours and calendar.
        #[arg(long)]
        agency: Option<String>,
    },
    /// A year's non-working weekdays and working weekend days, with reasons.
    Year {
        year: i32,
        #[arg(long)]
        agency: Option<String>,
    },
}

fn date(s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("`{s}` không phải ngày dạng YYYY-MM-DD")))
}

/// The calendar of an agency (its hours, the stored day rules) or of the installation.
async fn calendar_for(
    s: &Settings,
    agency: Option<&str>,
) -> Result<std::sync::Arc<WorkCalendar>, CliError> {
    let store = open_store(s).await?;
    let code = agency
        .map(motcua_core::codes::AgencyCode::new)
        .transpose()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(store.calendar(code.as_ref()).await?)
}

pub async fn run(s: &Settings, cmd: CalendarCmd) -> Result<(), CliError> {
    match cmd {
        CalendarCmd::Tet { year } => println!("{}", lunar::tet(year)?),
        CalendarCmd::Lunar { date: d } => {
            let l = lunar::solar_to_lunar(date(&d)?)?;
            println!(
                "{}",
                serde_json::json!({"day": l.day, "month": l.month, "year": l.year, "leap": l.leap})
            );
        }
        CalendarCmd::Due {
            from,
            working_days,
            agency,
        } => {
            let t = NaiveDateTime::parse_from_str(&from, "%Y-%m-%dT%H:%M").map_err(|_| {
                CliError::Usage(format!(
                    "--from `{from}` không phải thời điểm dạng YYYY-MM-DDTHH:MM"
                ))
            })?;
            let time = ProcessingTime::WorkingDays(working_days).validate()?;
            let cal = calendar_for(s, agency.as_deref()).await?;
            println!("{}", cal.due(t, time)?.format("%Y-%m-%dT%H:%M"));
        }
        CalendarCmd::Year { year, agency } => {
            if !(calendar::MIN_YEAR..=calendar::MAX_YEAR).contains(&year) {
                return Err(CliError::Usage(format!(
                    "năm {year} ngoài khoảng 1900-2100"
                )));
            }
            let cal = calendar_for(s, agency.as_deref()).await?;
            for d in cal.year_exceptions(year) {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.date,
                    d.date.format("%a"),
                    if d.working { "working" } else { "day-off" },
                    d.kind.as_str(),
                    d.name
                );
            }
        }
    }
    Ok(())
}
