//! `motcua report`: the statistics report of a scope and period from the
//! running totals (docs/reports.md), as JSON, CSV, XLSX or PDF; and
//! `motcua report verify`, which recomputes the totals from the dossiers.

use crate::CliError;
use crate::config::{Settings, open_store};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use motcua_core::calendar::to_local;
use motcua_core::codes::{AgencyCode, Level, UnitCode};
use motcua_core::stats::Period;
use motcua_store::reports::{GroupBy, Scope};
use std::path::PathBuf;

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Xlsx,
    Pdf,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Kind {
    /// The statistics report (form 06 columns).
    Statistics,
    /// Causes of overdue: apology reasons, the step and agency where time was lost.
    Causes,
    /// The components of the Decision 766 service index this system's data give.
    Index,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum GroupArg {
    Level,
    Agency,
    Field,
    Procedure,
    Channel,
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// Recompute the running totals from the dossiers and list differences
    /// (there must be none); `--repair` replaces them by the recomputed ones.
    Verify {
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    cmd: Option<ReportCmd>,
    /// First day of the period.
    #[arg(long, value_name = "YYYY-MM-DD", required = true)]
    from: Option<NaiveDate>,
    /// Last day of the period.
    #[arg(long, value_name = "YYYY-MM-DD", required = true)]
    to: Option<NaiveDate>,
    /// Administrative unit: its desks and those of every unit under it (e.g. 169 = Đồng Hỷ district and its communes).
    #[arg(long, value_name = "CODE")]
    unit: Option<String>,
    /// Agency: it and the agencies under it.
    #[arg(long, value_name = "CODE")]
    agency: Option<String>,
    /// Only desks of this level: commune, district, province.
    #[arg(long, value_name = "LEVEL")]
    level: Option<String>,
    /// What to report.
    #[arg(long, value_enum, default_value = "statistics")]
    kind: Kind,
    /// Rows by (statistics).
    #[arg(long, value_enum, default_value = "agency")]
    group_by: GroupArg,
    #[arg(long, value_enum, default_value = "json")]
    format: ReportFormat,
    /// Write to this file instead of standard output (required for xlsx and pdf).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub async fn run(s: &Settings, a: &ReportArgs) -> Result<(), CliError> {
    if let Some(ReportCmd::Verify { repair }) = &a.cmd {
        return verify(s, *repair).await;
    }
    let (Some(from), Some(to)) = (a.from, a.to) else {
        return Err(CliError::Usage("cần --from và --to".into()));
    };
    let p = Period::new(from, to).map_err(|e| CliError::Usage(e.to_string()))?;
    let scope = Scope {
        unit: a
            .unit
            .as_deref()
            .map(UnitCode::new)
            .transpose()
            .map_err(|e| CliError::Usage(format!("--unit: {e}")))?,
        agency: a
            .agency
            .as_deref()
            .map(AgencyCode::new)
            .transpose()
            .map_err(|e| CliError::Usage(format!("--agency: {e}")))?,
        level: a
            .level
            .as_deref()
            .map(|l| {
                Level::parse(l).ok_or_else(|| {
                    CliError::Usage(format!("--level `{l}`: commune, district hoặc province"))
                })
            })
            .transpose()?,
    };
    if matches!(a.format, ReportFormat::Xlsx | ReportFormat::Pdf) && a.output.is_none() {
        return Err(CliError::Usage(
            "định dạng xlsx và pdf cần --output TỆP".into(),
        ));
    }
    let store = open_store(s).await?;
    let desks = store.scope_agencies(&scope).await?;
    if desks.is_empty() {
        return Err(CliError::Usage(
            "không có Bộ phận một cửa nào thuộc phạm vi đã chọn (--unit, --agency, --level)".into(),
        ));
    }
    if a.kind == Kind::Index {
        let input = store
            .index_input(&scope, &p, to_local(chrono::Utc::now()))
            .await?;
        let scope_text = scope_text(&store, &scope, desks.len()).await?;
        let bytes = match a.format {
            ReportFormat::Json => {
                let mut v = serde_json::to_string_pretty(&motcua_web::reports::index_json(
                    from, to, &input,
                ))
                .unwrap_or_default();
                v.push('\n');
                v.into_bytes()
            }
            ReportFormat::Csv => motcua_web::reports::index_csv(&input).into_bytes(),
            ReportFormat::Xlsx | ReportFormat::Pdf => {
                let (_, agency) = heading(&store, &scope).await?;
                let doc = motcua_web::reports::index_table(from, to, &input, &agency, &scope_text);
                let out = if a.format == ReportFormat::Xlsx {
                    motcua_docs::table_xlsx(&doc, "Chỉ số 766")
                } else {
                    motcua_docs::table_pdf(&doc)
                };
                out.map_err(|e| CliError::Failed(e.to_string()))?
            }
        };
        return write_out(a.output.as_ref(), &bytes, 9, desks.len(), from, to);
    }
    if a.kind == Kind::Causes {
        let codes: Vec<AgencyCode> = desks.iter().map(|d| d.code.clone()).collect();
        let rows = store.overdue_causes(&codes, &p).await?;
        let scope_text = scope_text(&store, &scope, desks.len()).await?;
        let agencies: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        let bytes = match a.format {
            ReportFormat::Json => {
                let mut v = serde_json::to_string_pretty(&motcua_web::reports::causes_json(
                    from, to, &agencies, &rows,
                ))
                .unwrap_or_default();
                v.push('\n');
                v.into_bytes()
            }
            ReportFormat::Csv => motcua_web::reports::causes_csv(&rows).into_bytes(),
            ReportFormat::Xlsx | ReportFormat::Pdf => {
                let (parent, agency) = heading(&store, &scope).await?;
                let mut doc = motcua_web::reports::causes_table(
                    from,
                    to,
                    &rows,
                    &parent,
                    &agency,
                    &scope_text,
                );
                doc.place = place(&store, &scope).await?;
                doc.date_words = motcua_docs::date_words(to_local(chrono::Utc::now()).date());
                let out = if a.format == ReportFormat::Xlsx {
                    motcua_docs::table_xlsx(&doc, "Nguyên nhân")
                } else {
                    motcua_docs::table_pdf(&doc)
                };
                out.map_err(|e| CliError::Failed(e.to_string()))?
            }
        };
        return write_out(a.output.as_ref(), &bytes, rows.len(), desks.len(), from, to);
    }
    let group_by = match a.group_by {
        GroupArg::Level => GroupBy::Level,
        GroupArg::Agency => GroupBy::Agency,
        GroupArg::Field => GroupBy::Field,
        GroupArg::Procedure => GroupBy::Procedure,
        GroupArg::Channel => GroupBy::Channel,
    };
    let started = std::time::Instant::now();
    let r = store
        .report(&scope, &p, group_by, to_local(chrono::Utc::now()))
        .await?;
    tracing::info!(
        desks = desks.len(),
        rows = r.rows.len(),
        ms = started.elapsed().as_secs_f64() * 1e3,
        "report computed"
    );
    let scope_text = scope_text(&store, &scope, desks.len()).await?;
    let bytes = match a.format {
        ReportFormat::Json => {
            let mut v = serde_json::to_string_pretty(&motcua_web::reports::report_json(&r))
                .unwrap_or_default();
            v.push('\n');
            v.into_bytes()
        }
        ReportFormat::Csv => motcua_web::reports::report_csv(&r).into_bytes(),
        ReportFormat::Xlsx | ReportFormat::Pdf => {
            let (parent, agency) = heading(&store, &scope).await?;
            let mut doc = motcua_web::reports::table_doc(&r, &parent, &agency, &scope_text);
            doc.place = place(&store, &scope).await?;
            doc.date_words = motcua_docs::date_words(to_local(chrono::Utc::now()).date());
            let out = if a.format == ReportFormat::Xlsx {
                motcua_docs::table_xlsx(&doc, "Báo cáo")
            } else {
                motcua_docs::table_pdf(&doc)
            };
            out.map_err(|e| CliError::Failed(e.to_string()))?
        }
    };
    write_out(
        a.output.as_ref(),
        &bytes,
        r.rows.len(),
        desks.len(),
        from,
        to,
    )
}

fn write_out(
    output: Option<&PathBuf>,
    bytes: &[u8],
    rows: usize,
    desks: usize,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), CliError> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|source| CliError::Io {
                path: path.display().to_string(),
                source,
            })?;
            eprintln!(
                "{}: báo cáo {rows} dòng, {desks} Bộ phận một cửa, từ {from} đến {to}",
                path.display()
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(bytes)
                .map_err(|source| CliError::Io {
                    path: "stdout".into(),
                    source,
                })?;
        }
    }
    Ok(())
}

async fn scope_text(
    store: &motcua_store::Store,
    s: &Scope,
    desks: usize,
) -> Result<String, CliError> {
    let mut parts = Vec::new();
    if let Some(u) = &s.unit {
        let name = store
            .unit_history(u)
            .await?
            .last()
            .map(|x| x.name.clone())
            .unwrap_or_else(|| u.to_string());
        parts.push(format!("{name} và các đơn vị trực thuộc"));
    }
    if let Some(a) = &s.agency {
        let name = store
            .agency(a)
            .await?
            .map(|x| x.name)
            .unwrap_or_else(|| a.to_string());
        parts.push(name);
    }
    if let Some(l) = s.level {
        parts.push(l.label_vi().to_string());
    }
    if parts.is_empty() {
        parts.push("toàn hệ thống".into());
    }
    Ok(format!("{} ({desks} Bộ phận một cửa)", parts.join(", ")))
}

/// The place line of a report: the scope's unit (or the agency's).
async fn place(store: &motcua_store::Store, s: &Scope) -> Result<String, CliError> {
    let unit = match (&s.unit, &s.agency) {
        (Some(u), _) => Some(u.clone()),
        (None, Some(a)) => store.agency(a).await?.map(|x| x.unit_code),
        _ => None,
    };
    Ok(match unit {
        Some(u) => store
            .unit_history(&u)
            .await?
            .last()
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// The issuing body of a report: the scope's People's Committee or agency.
async fn heading(store: &motcua_store::Store, s: &Scope) -> Result<(String, String), CliError> {
    if let Some(a) = &s.agency
        && let Some(x) = store.agency(a).await?
    {
        return Ok((String::new(), x.name));
    }
    if let Some(u) = &s.unit
        && let Some(x) = store.unit_history(u).await?.last()
    {
        return Ok((String::new(), format!("Ủy ban nhân dân {}", x.name)));
    }
    Ok((String::new(), "Hệ thống một cửa điện tử".into()))
}

async fn verify(s: &Settings, repair: bool) -> Result<(), CliError> {
    let store = open_store(s).await?;
    let started = std::time::Instant::now();
    let diff = store.verify_stats(repair).await?;
    let causes = store.verify_causes(repair).await?;
    for code in causes.iter().take(20) {
        println!("cause of delay of {code}: stored row differs from its events");
    }
    if !causes.is_empty() && !repair {
        return Err(CliError::Usage(format!(
            "{} causes of delay differ from the events; `motcua report verify --repair` rebuilds them",
            causes.len()
        )));
    }
    if diff.is_empty() {
        println!(
            "report totals agree with the dossiers ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    for (series, grain, bucket, have, want) in diff.iter().take(50) {
        println!(
            "{} {} {} {} {bucket}: stored {:?}, recomputed {:?}",
            series.agency,
            series.procedure,
            series.channel,
            grain.code(),
            have.to_array(),
            want.to_array()
        );
    }
    if repair {
        println!(
            "{} rows differed; replaced by the recomputed totals",
            diff.len()
        );
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} rows of the report totals differ from the dossiers; `motcua report verify --repair` rebuilds them",
            diff.len()
        )))
    }
}
