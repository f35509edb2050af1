//! `motcua bench --scenario reports`: the time of the district-by-commune
//! report on the database the settings point at (fill it first with
//! `motcua demo generate`), and the process's peak memory. Issue 7 §6: the
//! cost must depend on the desks and days, not on the number of dossiers.

use crate::CliError;
use chrono::NaiveDate;
use motcua_core::codes::UnitCode;
use motcua_core::stats::Period;
use motcua_store::Store;
use motcua_store::reports::{GroupBy, Scope};
use std::time::Instant;

/// The peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub async fn run(store: &Store, runs: usize) -> Result<(), CliError> {
    let engine = store.engine();
    // The machine probe before this copied a large buffer: reset the peak
    // (Linux: `5` to clear_refs resets VmHWM) so it measures the reports.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    if !reset {
        println!("[{engine}] (could not reset the peak memory; it includes the machine probe)");
    }
    let dossiers: i64 = store.count_all_dossiers().await?;
    let bytes = store.database_bytes().await?;
    println!(
        "[{engine}] database: {dossiers} dossiers, {:.1} MiB ({:.0} bytes per dossier)",
        bytes as f64 / 1048576.0,
        bytes as f64 / dossiers.max(1) as f64
    );
    if let Some(m) = peak_rss_mib() {
        println!("[{engine}] peak memory after opening the database: {m:.1} MiB");
    }
    let unit = UnitCode::new("169").map_err(|e| CliError::Usage(e.to_string()))?;
    let scope = Scope {
        unit: Some(unit),
        ..Default::default()
    };
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let now = motcua_core::calendar::to_local(chrono::Utc::now());
    for (name, p, g) in [
        (
            "district by commune desk, 2016-2018",
            Period::new(d("2016-01-01"), d("2018-12-31")),
            GroupBy::Agency,
        ),
        (
            "district by level, 2016-2018",
            Period::new(d("2016-01-01"), d("2018-12-31")),
            GroupBy::Level,
        ),
        (
            "district by field, 2017-03-15..2018-10-20",
            Period::new(d("2017-03-15"), d("2018-10-20")),
            GroupBy::Field,
        ),
    ] {
        let p = p.map_err(|e| CliError::Usage(e.to_string()))?;
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = store.report(&scope, &p, g, now).await?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            total = r.total.total();
        }
        times.sort_by(f64::total_cmp);
        let rss = peak_rss_mib().unwrap_or(0.0);
        let q = |x: f64| times[((times.len() as f64 - 1.0) * x).round() as usize];
        println!(
            "[{engine}] report {name}: {total} dossiers handled; median {:.1} ms, p95 {:.1} ms, max {:.1} ms ({runs} runs); peak memory so far {rss:.1} MiB",
            q(0.5),
            q(0.95),
            times[times.len() - 1]
        );
    }
    let t = Instant::now();
    let desks = store.scope_agencies(&scope).await?;
    let codes: Vec<_> = desks.iter().map(|a| a.code.clone()).collect();
    let causes = store
        .overdue_causes(
            &codes,
            &Period::new(d("2016-01-01"), d("2018-12-31"))
                .map_err(|e| CliError::Usage(e.to_string()))?,
        )
        .await?;
    println!(
        "[{engine}] causes of overdue 2016-2018: {} groups, {} dossiers, {:.1} ms",
        causes.len(),
        causes.iter().map(|c| c.dossiers).sum::<i64>(),
        t.elapsed().as_secs_f64() * 1e3
    );
    if let Some(m) = peak_rss_mib() {
        println!("[{engine}] peak memory of this process (VmHWM): {m:.1} MiB");
    }
    Ok(())
}
