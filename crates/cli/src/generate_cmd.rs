//! `motcua demo generate`: fills the database with a realistic history of
//! dossiers (`motcua_core::generate`), written in batches through the bulk
//! import (each batch one transaction, report totals included).

use crate::CliError;
use crate::config::{Settings, open_store};
use chrono::NaiveDate;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use motcua_core::calendar::{ProcessingTime, to_local};
use motcua_core::codes::{AgencyCode, Level, UnitCode};
use motcua_core::generate::{DeskSpec, Generator, Mix, Plan, ProcedureSpec};
use motcua_store::ImportedDossier;
use motcua_store::reports::Scope;
use std::collections::HashMap;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many dossiers.
    #[arg(long, default_value_t = 10_000)]
    dossiers: u64,
    /// The seed: the same seed and data give the same dossiers.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// First reception day.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2016-01-01")]
    from: NaiveDate,
    /// Last reception day.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2018-12-31")]
    to: NaiveDate,
    /// The administrative unit whose desks receive them (169 = Đồng Hỷ district and its communes).
    #[arg(long, default_value = "169")]
    unit: String,
    /// The agency transfers go to (inter-connected one-stop).
    #[arg(long, default_value = "000.00.02.H55")]
    transfer_to: String,
    /// Dossiers per transaction.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
}

pub async fn run(s: &Settings, a: &GenerateArgs) -> Result<(), CliError> {
    if a.from > a.to {
        return Err(CliError::Usage(format!(
            "--from {} sau --to {}",
            a.from, a.to
        )));
    }
    let store = open_store(s).await?;
    if store.all_procedures(false).await?.is_empty() {
        motcua_store::demo::load(&store).await?;
    }
    let unit = UnitCode::new(&a.unit).map_err(|e| CliError::Usage(format!("--unit: {e}")))?;
    let desks = store
        .scope_agencies(&Scope {
            unit: Some(unit),
            ..Default::default()
        })
        .await?;
    let desks: Vec<_> = desks
        .into_iter()
        .filter(|d| d.valid_from.is_none_or(|f| f <= a.to) && d.valid_to.is_none_or(|t| t > a.from))
        .collect();
    if desks.is_empty() {
        return Err(CliError::Usage(format!(
            "--unit {}: không có Bộ phận một cửa nào làm việc trong kỳ {}..{}",
            a.unit, a.from, a.to
        )));
    }
    let procs = store.all_procedures(false).await?;
    let mut specs = Vec::new();
    let mut by_level: HashMap<Level, Vec<usize>> = HashMap::new();
    for p in &procs {
        let time = p
            .processing_time(None)
            .and_then(|t| ProcessingTime::new(t.unit, t.value).ok())
            .unwrap_or(ProcessingTime::WorkingDays(5));
        for l in p.levels() {
            by_level.entry(l).or_default().push(specs.len());
        }
        let v = store.procedure(&p.code, None).await?;
        specs.push(ProcedureSpec {
            code: p.code.clone(),
            valid_from: v.map(|v| v.valid_from),
            time,
            online: p.online_submission,
        });
    }
    let plan = Plan {
        from: a.from,
        to: a.to,
        now: to_local(chrono::Utc::now()),
        desks: desks
            .iter()
            .map(|d| DeskSpec {
                code: d.code.clone(),
                unit: d.unit_code.clone(),
                weight: if d.level == Level::Commune { 1 } else { 3 },
                procedures: by_level.get(&d.level).cloned().unwrap_or_default(),
            })
            .collect(),
        procedures: specs,
        transfer_to: match a.transfer_to.as_str() {
            "" => None,
            t => Some(
                AgencyCode::new(t).map_err(|e| CliError::Usage(format!("--transfer-to: {e}")))?,
            ),
        },
        mix: Mix::default(),
    };
    if let Some(t) = &plan.transfer_to
        && store.agency(t).await?.is_none()
    {
        return Err(CliError::Usage(format!(
            "--transfer-to {t}: không có cơ quan này"
        )));
    }
    let cal = store.calendar(None).await?;
    let mut days = Vec::new();
    let mut d = a.from;
    loop {
        if cal.is_working_day(d) {
            days.push(d);
        }
        match d.succ_opt() {
            Some(n) if d < a.to => d = n,
            _ => break,
        }
    }
    let seq = store
        .code_counters(a.from, a.to)
        .await?
        .into_iter()
        .filter_map(|(agency, day, n)| {
            Some((
                (AgencyCode::new(&agency).ok()?, day),
                u32::try_from(n).ok()?,
            ))
        })
        .collect();
    let mut g = Generator::new(&plan, a.seed, seq, days).in_order(a.dossiers);
    let bar = ProgressBar::new(a.dossiers);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("sinh hồ sơ");
    let started = Instant::now();
    let (mut made, mut events) = (0u64, 0u64);
    let mut gen_time = std::time::Duration::ZERO;
    // One batch is written (its own task) while the next one is simulated
    // and prepared here: the writing is mostly waiting on the connection's
    // thread, so the two overlap on two cores.
    let mut writing: Option<tokio::task::JoinHandle<Result<usize, motcua_store::StoreError>>> =
        None;
    let mut queued = 0u64;
    while queued < a.dossiers {
        let n = (a.dossiers - queued).min(a.batch.max(1) as u64);
        let t = Instant::now();
        let mut batch = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let Some(x) = g.next(&cal) else {
                return Err(CliError::Usage(
                    "không sinh được hồ sơ (thiếu thủ tục hoặc ngày làm việc)".into(),
                ));
            };
            events += x.events.len() as u64;
            batch.push(ImportedDossier {
                dossier: x.dossier,
                events: x.events,
                unit: x.unit,
            });
        }
        let rows = store.prepare_import(&batch).await?;
        gen_time += t.elapsed();
        queued += n;
        if let Some(w) = writing.take() {
            made += written(w).await?;
            bar.set_position(made);
        }
        let s = store.clone();
        writing = Some(tokio::spawn(
            async move { s.write_import(rows, &|_| {}).await },
        ));
    }
    if let Some(w) = writing.take() {
        made += written(w).await?;
    }
    bar.finish_and_clear();
    store.analyze().await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {made} dossiers ({events} events) at {} desks in {secs:.1} s: {:.0} dossiers/s (simulating and preparing rows: {:.0} % of the time, overlapped with writing)",
        desks.len(),
        made as f64 / secs,
        100.0 * gen_time.as_secs_f64() / secs
    );
    Ok(())
}

/// The number of dossiers a write task stored, or its error.
async fn written(
    w: tokio::task::JoinHandle<Result<usize, motcua_store::StoreError>>,
) -> Result<u64, CliError> {
    let n = w
        .await
        .map_err(|e| CliError::Failed(format!("ghi hồ sơ: {e}")))??;
    Ok(n as u64)
}
