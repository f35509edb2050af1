//! `motcua bench --scenario intake`: dossier intake and transitions under
//! concurrent load, next to the engine's raw single-row commit rate measured
//! in the same run with the same pool.

use crate::CliError;
use chrono::NaiveDateTime;
use motcua_core::calendar::{ProcessingTime, WorkCalendar};
use motcua_core::codes::{AgencyCode, ProcedureCode, UnitCode};
use motcua_core::dossier::{
    Actor, Applicant, ApplicantKind, Channel, Command, CommandAction, Dossier, DossierCode,
    NewDossier, ProcedureRef, Role,
};
use motcua_store::{Reply, Store};
use std::time::Instant;

const DESKS: [(&str, &str); 6] = [
    ("H55.301.1", "05662"),
    ("H55.302.1", "05665"),
    ("H55.303.1", "05674"),
    ("H55.304.1", "05680"),
    ("H55.305.1", "05692"),
    ("H55.306.1", "05707"),
];

pub async fn run(store: &Store, clients: usize, secs: f64, rounds: usize) -> Result<(), CliError> {
    let engine = store.engine();
    motcua_store::demo::load(store).await?;
    let rounds = rounds.max(1);
    let slice = secs / rounds as f64;
    // The raw limit for PostgreSQL is pgbench's (TPC-B-like) tps.
    let pgbench = if engine == "postgres" {
        let url = std::env::var("MOTCUA_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        match pgbench_tps(&url, clients, secs) {
            Ok(tps) => {
                println!(
                    "[{engine}] pgbench: {tps:.0} tps (TPC-B-like, scale {clients}, {clients} clients, {secs} s)"
                );
                Some(tps)
            }
            Err(e) => {
                println!("[{engine}] pgbench: not measured ({e})");
                None
            }
        }
    } else {
        None
    };
    let at = NaiveDateTime::parse_from_str("2026-12-01T09:00", "%Y-%m-%dT%H:%M")
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut created: Vec<(Vec<String>, AgencyCode)> = Vec::new();
    let (mut raw_sum, mut intake_sum, mut n) = (0.0, 0.0, 0usize);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let raw = store.raw_commit_rate(clients, slice).await?;
        let (made, rate) = intake(store, clients, slice, at).await?;
        let count: usize = made.iter().map(|c| c.0.len()).sum();
        println!(
            "[{engine}] round {round}/{rounds}: raw {raw:.0} single-row commits/s, intake {rate:.0} dossiers/s ({:.0} %; {clients} clients, {slice:.1} s each)",
            100.0 * rate / raw
        );
        ratios.push(rate / raw);
        raw_sum += raw;
        intake_sum += rate;
        n += count;
        if created.is_empty() {
            created = made;
        } else {
            for (all, (codes, _)) in created.iter_mut().zip(made) {
                all.0.extend(codes);
            }
        }
    }
    ratios.sort_by(f64::total_cmp);
    let raw = raw_sum / rounds as f64;
    let rate = intake_sum / rounds as f64;
    println!(
        "[{engine}] raw: {raw:.0} single-row commits/s ({clients} clients, mean of {rounds} rounds)"
    );
    println!(
        "[{engine}] intake: {n} dossiers, {rate:.0} dossiers/s ({clients} clients, {:.0} % of the raw commit rate; median round {:.0} %)",
        100.0 * rate / raw,
        100.0 * ratios[ratios.len() / 2]
    );
    if let Some(tps) = pgbench {
        println!(
            "[{engine}] intake: {:.0} % of pgbench tps",
            100.0 * rate / tps
        );
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (codes, desk) in created {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor::officer("bench", Role::ReceptionOfficer, &desk);
            let cal = WorkCalendar::standard_shared();
            let cmd = Command::new(
                1,
                CommandAction::Forward {
                    to: None,
                    note: None,
                },
            );
            let mut n = 0usize;
            for code in codes {
                act(&store, &code, &cmd, &actor, at, cal).await?;
                n += 1;
            }
            Ok::<usize, CliError>(n)
        }));
    }
    let mut m = 0;
    for t in tasks {
        m += t.await.map_err(|e| CliError::Failed(e.to_string()))??;
    }
    let trate = m as f64 / start.elapsed().as_secs_f64();
    println!(
        "[{engine}] transitions (forward): {m}, {trate:.0}/s ({clients} clients, {:.0} % of the raw commit rate)",
        100.0 * trate / raw
    );
    let audit = store.verify_audit().await?;
    println!(
        "[{engine}] audit chain: {} dossiers, {} events, broken: {:?}",
        audit.dossiers, audit.events, audit.broken
    );
    Ok(())
}

/// `clients` receiving dossiers for `secs` seconds: the codes each made
/// (with its desk; client `c` at desk `c % 6`), and dossiers per second.
async fn intake(
    store: &Store,
    clients: usize,
    secs: f64,
    at: NaiveDateTime,
) -> Result<(Vec<(Vec<String>, AgencyCode)>, f64), CliError> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let (desk, unit) = DESKS[c % DESKS.len()];
            let desk = AgencyCode::new(desk).map_err(|e| CliError::Usage(e.to_string()))?;
            let unit = UnitCode::new(unit).map_err(|e| CliError::Usage(e.to_string()))?;
            let actor = Actor::officer("bench", Role::ReceptionOfficer, &desk);
            let cal = WorkCalendar::standard_shared();
            let mut codes = Vec::new();
            while start.elapsed().as_secs_f64() < secs {
                let code = receive(&store, &desk, &unit, &actor, at, cal).await?;
                codes.push(code);
            }
            Ok::<(Vec<String>, AgencyCode), CliError>((codes, desk))
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        created.push(t.await.map_err(|e| CliError::Failed(e.to_string()))??);
    }
    let n: usize = created.iter().map(|c| c.0.len()).sum();
    Ok((created, n as f64 / start.elapsed().as_secs_f64()))
}

/// pgbench's TPC-B-like transactions per second on `url` (scale = clients,
/// so that clients do not queue on one branch row), with its tables created
/// before and dropped after.
fn pgbench_tps(url: &str, clients: usize, secs: f64) -> Result<f64, String> {
    use std::process::Command;
    let bin = std::iter::once(std::path::PathBuf::from("pgbench"))
        .chain(
            std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path().join("bin/pgbench")),
        )
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or("pgbench not found (Debian package postgresql)")?;
    let run = |args: &[String]| -> Result<String, String> {
        let o = Command::new(&bin)
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
                .to_string());
        }
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    };
    run(&[
        "-i".into(),
        "-q".into(),
        "-s".into(),
        clients.to_string(),
        url.into(),
    ])?;
    let out = run(&[
        "-c".into(),
        clients.to_string(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        (secs.ceil() as u64).max(1).to_string(),
        url.into(),
    ]);
    let _ = run(&["-i".into(), "-I".into(), "d".into(), url.into()]);
    out?.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| "no tps line in pgbench's output".to_string())
}

/// Receives one birth-registration dossier at `desk` at moment `at`;
/// returns its code.
pub(crate) async fn receive(
    store: &Store,
    desk: &AgencyCode,
    unit: &UnitCode,
    actor: &Actor,
    at: NaiveDateTime,
    cal: &WorkCalendar,
) -> Result<String, CliError> {
    let reply = store
        .create_dossier(
            desk,
            unit,
            at.date(),
            None,
            |code| {
                let new = NewDossier {
                    code,
                    procedure: ProcedureRef {
                        code: ProcedureCode::new("1.001193").expect("valid"),
                        valid_from: None,
                    },
                    processing_time: ProcessingTime::WorkingDays(3),
                    applicant: Applicant::new(
                        ApplicantKind::Citizen,
                        "Nguyễn Văn A",
                        "019203001234",
                        None,
                        None,
                        "",
                    )
                    .expect("valid"),
                    channel: Channel::Direct,
                    agency: desk.clone(),
                    process: None,
                };
                Dossier::receive_new(new, actor, at, cal)
            },
            |d| {
                Ok(Reply {
                    status: 201,
                    body: d.code.to_string(),
                    replayed: false,
                })
            },
        )
        .await?;
    Ok(reply.body)
}

/// Applies `cmd` to the dossier `code` as `actor` at moment `at`.
pub(crate) async fn act(
    store: &Store,
    code: &str,
    cmd: &Command,
    actor: &Actor,
    at: NaiveDateTime,
    cal: &WorkCalendar,
) -> Result<(), CliError> {
    let code = DossierCode::parse(code).map_err(|e| CliError::Usage(e.to_string()))?;
    store
        .apply_to_dossier(
            &code,
            None,
            |d| d.apply(cmd, actor, at, cal),
            |d| {
                Ok(Reply {
                    status: 200,
                    body: d.code.to_string(),
                    replayed: false,
                })
            },
        )
        .await?;
    Ok(())
}
