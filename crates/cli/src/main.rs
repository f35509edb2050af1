//! `motcua`: the one binary of the electronic one-stop shop.

mod admin_cmd;
mod bench_federation;
mod bench_flood;
mod bench_intake;
mod bench_pages;
mod bench_reports;
mod calendar_cmd;
mod config;
mod data_cmd;
mod generate_cmd;
mod import_dossiers;
mod notify;
mod peer_cmd;
mod peering;
mod report_cmd;

use clap::{Parser, Subcommand};
use config::{GlobalArgs, Settings};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Hệ thống một cửa điện tử (electronic one-stop shop) for Vietnamese local government",
    long_about = "motcua publishes the administrative-procedure catalogue, receives and tracks dossiers, \
and reports on them. Settings come from flags, then MOTCUA_* environment variables, then the optional \
TOML file given by --config, then defaults."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (portal, API, workspace); loads the demo data set on first start.
    Serve(config::ServeArgs),
    /// Apply the database migrations and exit.
    Migrate {
        /// Print instead the statements that distribute the migrated schema on a Citus cluster.
        #[arg(long)]
        citus_plan: bool,
    },
    /// Import reference data (all-or-nothing; errors name file and line).
    Import(data_cmd::ImportArgs),
    /// Export reference data to CSV or JSON.
    Export(data_cmd::ExportArgs),
    /// Load the built-in data set (units, demo agencies, procedure catalogue).
    /// Load the demo data set; `demo generate` adds a generated history of dossiers.
    Demo {
        #[command(subcommand)]
        cmd: Option<DemoCmd>,
    },
    /// Working-time calendar: lunar dates, Tết, due moments, a year's exceptions.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCmd),
    /// User accounts (officers and their roles on an agency).
    #[command(subcommand)]
    User(admin_cmd::UserCmd),
    /// API tokens for machine clients (Authorization: Bearer TOKEN).
    #[command(subcommand)]
    Token(admin_cmd::TokenCmd),
    /// The notification outbox: list, replay undelivered messages.
    #[command(subcommand)]
    Outbox(admin_cmd::OutboxCmd),
    /// The audit trail of dossier events (hash chains).
    #[command(subcommand)]
    Audit(admin_cmd::AuditCmd),
    /// Benchmarks of catalogue search and unit import (figures for docs/benchmarks.md).
    Bench(data_cmd::BenchArgs),
    /// This installation's key and its peers (federation between installations).
    #[command(subcommand)]
    Peer(peer_cmd::PeerCmd),
    /// Webhooks: third-party systems told of dossier changes (signed deliveries).
    #[command(subcommand)]
    Webhook(admin_cmd::WebhookCmd),
    /// The statistics report of a scope and period (json, csv, xlsx, pdf); `report verify` checks the totals.
    Report(report_cmd::ReportArgs),
}

#[derive(Subcommand)]
enum DemoCmd {
    /// Fill the database with a realistic, reproducible history of dossiers.
    Generate(generate_cmd::GenerateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("motcua: {e}");
            return ExitCode::from(2);
        }
    };
    config::init_tracing(&settings);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        match cli.command {
            Command::Serve(args) => config::serve(&settings, &args).await,
            Command::Migrate { citus_plan: true } => {
                print!("{}", motcua_store::distribution::citus_plan());
                Ok(())
            }
            Command::Migrate { citus_plan: false } => {
                let store = config::open_store(&settings).await?;
                println!("migrations applied ({})", store.engine());
                if store.is_empty().await? {
                    let d = motcua_store::demo::load(&store).await?;
                    println!(
                        "reference data loaded: {} unit versions, {} agencies, {} procedures, {} calendar days",
                        d.units, d.agencies, d.procedures, d.day_rules
                    );
                }
                Ok(())
            }
            Command::Import(args) => data_cmd::import(&settings, &args).await,
            Command::Export(args) => data_cmd::export(&settings, &args).await,
            Command::Demo {
                cmd: Some(DemoCmd::Generate(args)),
            } => generate_cmd::run(&settings, &args).await,
            Command::Demo { cmd: None } => {
                let store = config::open_store(&settings).await?;
                let s = motcua_store::demo::load(&store).await?;
                let dossiers = motcua_store::demo::load_dossiers(&store).await?;
                let users = motcua_store::demo::load_users(&store).await?;
                let news = motcua_store::demo::load_news(&store).await?;
                println!("loaded {news} news articles");
                println!("loaded {dossiers} demo dossiers at the desk of Xã Đồng Hỷ (H55.305.1)");
                println!(
                    "created {users} demo accounts (password `{}`; see README)",
                    motcua_store::demo::DEMO_PASSWORD
                );
                println!(
                    "loaded {} unit versions, {} agencies, {} procedures",
                    s.units, s.agencies, s.procedures
                );
                Ok(())
            }
            Command::Calendar(cmd) => calendar_cmd::run(&settings, cmd).await,
            Command::Bench(args) => data_cmd::bench(&settings, &args).await,
            Command::Report(args) => report_cmd::run(&settings, &args).await,
            Command::Peer(cmd) => peer_cmd::run(&settings, cmd).await,
            Command::User(cmd) => admin_cmd::user(&settings, cmd).await,
            Command::Token(cmd) => admin_cmd::token(&settings, cmd).await,
            Command::Audit(cmd) => admin_cmd::audit(&settings, cmd).await,
            Command::Outbox(cmd) => admin_cmd::outbox(&settings, cmd).await,
            Command::Webhook(cmd) => admin_cmd::webhook(&settings, cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua: {e}");
            match e {
                CliError::Usage(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The CLI's one error type.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] motcua_store::StoreError),
    #[error(transparent)]
    Import(#[from] motcua_core::import::ImportError),
    #[error(transparent)]
    Calendar(#[from] motcua_core::calendar::CalendarError),
    /// The command was asked wrongly (an argument, a setting): exit code 2.
    #[error("{0}")]
    Usage(String),
    /// Something the command names does not exist (an outbox message, a webhook).
    #[error("{0}")]
    NotFound(String),
    /// The command was right but the work failed (a benchmark's server, a
    /// renderer, a background task).
    #[error("{0}")]
    Failed(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}
