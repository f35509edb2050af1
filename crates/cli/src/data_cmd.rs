//! `import`, `export` and `bench`.

use crate::CliError;
use crate::config::{Settings, open_store};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use motcua_core::{agency, calendar, catalogue, units};
use motcua_store::testing::{Engine, TestDb};
use motcua_store::{Paging, ProcedureFilter, Store};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum Kind {
    /// Administrative-unit history CSV (code,name,type,parent_code,level,valid_from[,valid_to,scheme,…]).
    Units,
    /// Agencies CSV (code,name,parent_code,unit_code,level,kind,desk,hours,…).
    Agencies,
    /// Procedures, JSON array or CSV (by file extension).
    Procedures,
    /// Calendar day rules CSV (date,kind,name[,note]): holidays, compensatory days, swaps.
    Holidays,
    /// Historical dossiers CSV (code,procedure_code,receiving_unit,channel,received_at,due_at,finished_at,outcome,returned_at), all-or-nothing.
    Dossiers,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    kind: Kind,
    /// The file to import.
    file: PathBuf,
    /// Procedures: the date from which records without `valid_from` are in force (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    valid_from: Option<NaiveDate>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(value_enum)]
    kind: Kind,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Procedures: every version instead of the newest of each code.
    #[arg(long)]
    all_versions: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn read(path: &PathBuf) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Io {
        path: path.display().to_string(),
        source,
    })
}

pub async fn import(s: &Settings, a: &ImportArgs) -> Result<(), CliError> {
    let bytes = read(&a.file)?;
    let name = a.file.display().to_string();
    let store = open_store(s).await?;
    match a.kind {
        Kind::Units => {
            let stored = store.all_units().await?;
            let mut by_code: HashMap<String, Vec<units::AdminUnit>> = HashMap::new();
            for u in stored {
                by_code.entry(u.code.to_string()).or_default().push(u);
            }
            let known = |c: &motcua_core::codes::UnitCode, d: NaiveDate| {
                by_code
                    .get(c.as_str())
                    .is_some_and(|v| v.iter().any(|u| u.valid_on(d)))
            };
            let us = units::parse_units_csv(&name, &bytes, &known)?;
            let n = store.import_units(&name, &us).await?;
            println!("{name}: imported {n} unit versions");
        }
        Kind::Agencies => {
            let unit_codes: HashSet<String> = store
                .all_units()
                .await?
                .into_iter()
                .map(|u| u.code.to_string())
                .collect();
            let agency_codes: HashSet<String> = store
                .all_agencies()
                .await?
                .into_iter()
                .map(|a| a.code.to_string())
                .collect();
            let ags = agency::parse_agencies_csv(
                &name,
                &bytes,
                &|c| agency_codes.contains(c.as_str()),
                &|u| unit_codes.contains(u.as_str()),
            )?;
            let n = store.import_agencies(&ags).await?;
            println!("{name}: imported {n} agencies");
        }
        Kind::Procedures => {
            let ps = if name.to_ascii_lowercase().ends_with(".json") {
                catalogue::parse_procedures_json(&name, &bytes)?
            } else {
                catalogue::parse_procedures_csv(&name, &bytes)?
            };
            let from = a.valid_from.unwrap_or_else(today);
            let sum = store.import_procedures(&ps, from).await?;
            println!(
                "{name}: {} procedures: {} new versions, {} updated, {} unchanged",
                ps.len(),
                sum.inserted,
                sum.updated,
                sum.unchanged
            );
        }
        Kind::Holidays => {
            let rules = calendar::parse_day_rules_csv(&name, &bytes)?;
            let n = store.import_day_rules(&rules).await?;
            println!("{name}: imported {n} calendar day rules");
        }
        Kind::Dossiers => {
            let n = crate::import_dossiers::run(&store, &name, &bytes).await?;
            println!("{name}: imported {n} dossiers");
        }
    }
    Ok(())
}

fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

pub async fn export(s: &Settings, a: &ExportArgs) -> Result<(), CliError> {
    let store = open_store(s).await?;
    let text = match (a.kind, a.format) {
        (Kind::Units, Format::Csv) => units::write_units_csv(&store.all_units().await?),
        (Kind::Units, Format::Json) => json(&store.all_units().await?),
        (Kind::Agencies, Format::Csv) => agency::write_agencies_csv(&store.all_agencies().await?),
        (Kind::Agencies, Format::Json) => json(&store.all_agencies().await?),
        (Kind::Procedures, Format::Csv) => {
            catalogue::write_procedures_csv(&store.all_procedures(a.all_versions).await?)
        }
        (Kind::Procedures, Format::Json) => {
            catalogue::write_procedures_json(&store.all_procedures(a.all_versions).await?)
        }
        (Kind::Holidays, Format::Csv) => calendar::write_day_rules_csv(&store.day_rules().await?),
        (Kind::Holidays, Format::Json) => json(&store.day_rules().await?),
        (Kind::Dossiers, _) => {
            return Err(CliError::Usage(
                "export dossiers: dùng `motcua report` cho số liệu, API /api/dossiers cho từng hồ sơ".into(),
            ));
        }
    };
    match &a.output {
        Some(p) => std::fs::write(p, text).map_err(|source| CliError::Io {
            path: p.display().to_string(),
            source,
        })?,
        None => print!("{text}"),
    }
    Ok(())
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Scenario {
    Catalogue,
    Intake,
    Pages,
    /// Report times on the configured database (fill it with `demo generate`).
    Reports,
    /// Messages per second between installations on loopback, and the
    /// delay of a change to the upper level.
    Federation,
    /// The server's memory while 16 clients post oversized bodies at once.
    Flood,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum BenchEngine {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// What to measure: catalogue (unit import, procedure search), intake (dossiers, transitions) or pages (portal server time).
    #[arg(long, value_enum, default_value = "catalogue")]
    scenario: Scenario,
    /// Concurrent clients (intake).
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds per measurement (intake).
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Intake: rounds of raw commits then intake, alternated, `seconds`
    /// split between them (a machine whose speed drifts affects both
    /// alike); the ratio reported is the median round's.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Engines to measure (PostgreSQL from MOTCUA_TEST_PG_URL, a fresh schema).
    #[arg(long, value_enum, default_value = "both")]
    engine: BenchEngine,
    /// Size of the catalogue searched (the demo set repeated with varied names).
    #[arg(long, default_value_t = 5000)]
    procedures: usize,
    /// Searches per query text; requests per page (pages); dossiers (federation).
    #[arg(long, default_value_t = 200)]
    searches: usize,
    /// SQLite durability of the measured database: full (the default,
    /// survives a power cut) or normal.
    #[arg(long, default_value = "full", value_name = "full|normal")]
    sqlite_synchronous: String,
}

const QUERIES: [&str; 8] = [
    "dang ky khai sinh",
    "ĐĂNG KÝ KHAI SINH",
    "khai sinh",
    "chung thuc ban sao",
    "ket hon",
    "dat dai",
    "ho kinh doanh",
    "giay phep xay dung",
];

pub async fn bench(s: &Settings, a: &BenchArgs) -> Result<(), CliError> {
    print_machine();
    if a.scenario == Scenario::Reports {
        let store = open_store(s).await?;
        return crate::bench_reports::run(&store, a.searches.min(1000)).await;
    }
    let engines: Vec<Engine> = match a.engine {
        BenchEngine::Sqlite => vec![Engine::Sqlite],
        BenchEngine::Postgres => vec![Engine::Postgres],
        BenchEngine::Both => vec![Engine::Sqlite, Engine::Postgres],
    };
    let durability: motcua_store::SqliteDurability = a.sqlite_synchronous.parse()?;
    for engine in engines {
        let db = match engine {
            Engine::Sqlite => Some(TestDb::sqlite_with(durability).await),
            Engine::Postgres => TestDb::postgres().await,
        };
        if engine == Engine::Sqlite {
            println!("SQLite synchronous: {durability:?}");
        }
        let Some(db) = db else {
            println!("{engine:?}: skipped (PostgreSQL unreachable)");
            continue;
        };
        match a.scenario {
            Scenario::Catalogue => bench_engine(&db.store, a).await?,
            Scenario::Intake => {
                crate::bench_intake::run(&db.store, a.clients, a.seconds, a.rounds).await?
            }
            Scenario::Pages => crate::bench_pages::run(&db.store, a.searches).await?,
            Scenario::Reports => {} // answered above, on the configured database
            Scenario::Federation => crate::bench_federation::run(engine, a.searches).await?,
            Scenario::Flood => crate::bench_flood::run(&db.store).await?,
        }
        db.cleanup().await;
    }
    Ok(())
}

async fn bench_engine(store: &Store, a: &BenchArgs) -> Result<(), CliError> {
    let engine = store.engine();
    let none = |_: &motcua_core::codes::UnitCode, _: NaiveDate| false;
    let t = Instant::now();
    let us = units::parse_units_csv("units-history.csv", motcua_store::demo::UNITS_CSV, &none)?;
    let parse = t.elapsed();
    let t = Instant::now();
    store.import_units("units-history.csv", &us).await?;
    let import = t.elapsed();
    println!(
        "[{engine}] import country units: {} rows, parse {:.1} ms, store {:.1} ms, {:.0} rows/s",
        us.len(),
        parse.as_secs_f64() * 1e3,
        import.as_secs_f64() * 1e3,
        us.len() as f64 / import.as_secs_f64()
    );
    let base =
        catalogue::parse_procedures_json("procedures.json", motcua_store::demo::PROCEDURES_JSON)?;
    let words = [
        "cấp xã",
        "lưu động",
        "trực tuyến",
        "bổ sung",
        "điện tử",
        "liên thông",
        "nông thôn",
        "đô thị",
    ];
    let mut ps = Vec::with_capacity(a.procedures);
    for i in 0..a.procedures {
        let mut p = base[i % base.len()].clone();
        let round = i / base.len();
        if round > 0 {
            p.name = format!("{} ({} {round})", p.name, words[round % words.len()]);
            let code = format!("9.{:06}", i);
            p.code = motcua_core::codes::ProcedureCode::new(&code)
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
        ps.push(p);
    }
    let t = Instant::now();
    store
        .import_procedures(&ps, motcua_store::demo::procedures_valid_from())
        .await?;
    println!(
        "[{engine}] import {} procedures: {:.0} ms",
        ps.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let paging = Paging::new(1, 20).map_err(CliError::Store)?;
    let mut all = Vec::new();
    for q in QUERIES {
        let filter = ProcedureFilter {
            q: Some(q.to_string()),
            ..Default::default()
        };
        let mut times = Vec::with_capacity(a.searches);
        let mut total = 0;
        for _ in 0..a.searches {
            let t = Instant::now();
            let page = store.search_procedures(&filter, paging).await?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            total = page.total;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "[{engine}] search {q:?}: {total} hits, p50 {:.2} ms, p95 {:.2} ms",
            times[times.len() / 2],
            times[times.len() * 95 / 100]
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    println!(
        "[{engine}] search over {} procedures, {} searches: mean {:.2} ms, p50 {:.2} ms, p95 {:.2} ms, {:.0} searches/s (one client)",
        ps.len(),
        all.len(),
        mean,
        all[all.len() / 2],
        all[all.len() * 95 / 100],
        1e3 / mean
    );
    Ok(())
}

/// The machine's raw limits, measured in the same run as the figures.
fn print_machine() {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0);
    println!(
        "machine: {cpus} cores, {model}, {:.1} GiB memory",
        mem as f64 / 1048576.0
    );
    // Memory copy bandwidth.
    let src = vec![1u8; 256 << 20];
    let mut dst = vec![0u8; 256 << 20];
    let t = Instant::now();
    for _ in 0..4 {
        dst.copy_from_slice(&src);
    }
    let copied_gib = (4 * (256usize << 20)) as f64 / (1u64 << 30) as f64;
    let bw = copied_gib / t.elapsed().as_secs_f64();
    println!("raw: memory copy {bw:.1} GiB/s (checksum {})", dst[12345]);
    // fsync rate of the temp directory's disk.
    let path = std::env::temp_dir().join(format!("motcua-fsync-{}", std::process::id()));
    if let Ok(mut f) = std::fs::File::create(&path) {
        use std::io::Write;
        let t = Instant::now();
        let n = 300;
        for _ in 0..n {
            let _ = f.write_all(&[0u8; 4096]);
            let _ = f.sync_data();
        }
        println!(
            "raw: {:.0} fdatasync/s (4 KiB writes, {})",
            n as f64 / t.elapsed().as_secs_f64(),
            std::env::temp_dir().display()
        );
        let _ = std::fs::remove_file(&path);
    }
}
