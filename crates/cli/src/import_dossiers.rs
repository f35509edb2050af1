//! `motcua import dossiers FILE.csv`: historical dossiers from a desk's
//! previous software, with the checks of the API, all-or-nothing
//! (docs/reports.md §Import). Every refusal names the file and the line.

use crate::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use motcua_core::calendar::ProcessingTime;
use motcua_core::codes::{AgencyCode, UnitCode};
use motcua_core::dossier::{ProcedureRef, parse_history_csv};
use motcua_core::import::ImportError;
use motcua_store::{ImportedDossier, Store};
use std::collections::HashMap;

pub async fn run(store: &Store, name: &str, bytes: &[u8]) -> Result<usize, CliError> {
    let rows = parse_history_csv(name, bytes)?;
    let err = |line: usize, m: String| CliError::Import(ImportError::new(name, line, m));
    let agencies = store.all_agencies().await?;
    let units: HashMap<String, Vec<motcua_core::units::AdminUnit>> = {
        let mut m: HashMap<String, Vec<_>> = HashMap::new();
        for u in store.all_units().await? {
            m.entry(u.code.to_string()).or_default().push(u);
        }
        m
    };
    let bar = ProgressBar::new(rows.len() as u64 * 2);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("kiểm tra");
    let mut procs: HashMap<(String, chrono::NaiveDate), (ProcedureRef, ProcessingTime)> =
        HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for (i, h) in rows.iter().enumerate() {
        let day = h.received_at.date();
        // The desk: an agency code of a desk, or a unit whose desk was open that day.
        let desk = match AgencyCode::new(&h.receiving_unit)
            .ok()
            .and_then(|c| agencies.iter().find(|a| a.code == c && a.desk))
        {
            Some(a) => a,
            None => {
                let u = UnitCode::new(&h.receiving_unit).map_err(|_| {
                    err(h.line, format!("receiving_unit `{}`: không phải mã đơn vị hành chính hay mã Bộ phận một cửa", h.receiving_unit))
                })?;
                if !units.contains_key(u.as_str()) {
                    return Err(err(
                        h.line,
                        format!("receiving_unit `{u}`: không có đơn vị hành chính mã này"),
                    ));
                }
                let open = |a: &&motcua_core::agency::Agency| {
                    a.valid_from.is_none_or(|f| f <= day) && a.valid_to.is_none_or(|t| t > day)
                };
                let mut desks: Vec<_> = agencies
                    .iter()
                    .filter(|a| a.desk && a.unit_code == u)
                    .collect();
                desks.sort_by_key(|a| (!open(a), a.code.clone()));
                *desks.first().ok_or_else(|| {
                    err(
                        h.line,
                        format!("receiving_unit `{u}`: đơn vị này không có Bộ phận một cửa"),
                    )
                })?
            }
        };
        let key = (h.procedure.to_string(), day);
        if !procs.contains_key(&key) {
            let v = match store.procedure(&h.procedure, Some(day)).await? {
                Some(v) => v,
                None => store.procedure(&h.procedure, None).await?.ok_or_else(|| {
                    err(
                        h.line,
                        format!(
                            "procedure_code `{}`: không có trong danh mục thủ tục",
                            h.procedure
                        ),
                    )
                })?,
            };
            let time = v
                .procedure
                .processing_time(Some(h.channel.catalogue_channel()))
                .or_else(|| v.procedure.processing_time(None))
                .and_then(|t| ProcessingTime::new(t.unit, t.value).ok())
                .unwrap_or(ProcessingTime::WorkingDays(1));
            procs.insert(
                key.clone(),
                (
                    ProcedureRef {
                        code: h.procedure.clone(),
                        valid_from: Some(v.valid_from),
                    },
                    time,
                ),
            );
        }
        let (pref, time) = procs[&key].clone();
        let (dossier, event) = h
            .to_dossier(&desk.code, pref, time)
            .map_err(|m| err(h.line, m))?;
        items.push(ImportedDossier {
            dossier,
            events: vec![event],
            unit: desk.unit_code.clone(),
        });
        if i % 1000 == 0 {
            bar.set_position(i as u64);
        }
    }
    let codes: Vec<_> = items.iter().map(|x| x.dossier.code.clone()).collect();
    if let Some(dup) = store.existing_codes(&codes).await?.first() {
        let line = rows
            .iter()
            .find(|r| r.code.as_str() == dup)
            .map(|r| r.line)
            .unwrap_or(0);
        return Err(err(
            line,
            format!("mã hồ sơ {dup} đã có trong cơ sở dữ liệu"),
        ));
    }
    bar.set_position(rows.len() as u64);
    bar.set_message("ghi");
    let base = rows.len() as u64;
    let n = store
        .import_dossiers(&items, &|done| bar.set_position(base + done as u64))
        .await?;
    bar.finish_and_clear();
    store.analyze().await?;
    Ok(n)
}
