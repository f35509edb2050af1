//! Settings (flags > MOTCUA_* environment > TOML file > defaults), logging,
//! and the `serve` command.

use crate::CliError;
use clap::Args;
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use motcua_store::Store;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Options every subcommand accepts.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Folder for the embedded SQLite database and files (created if missing).
    #[arg(long, global = true, env = "MOTCUA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database to use instead of the data folder's SQLite file: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "MOTCUA_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Optional TOML file with settings (keys: listen, data_dir, database_url, log_format, demo, sqlite_synchronous, …; see README).
    #[arg(long, global = true, env = "MOTCUA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "MOTCUA_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "MOTCUA_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Production start: no demo accounts, dossiers or news. An empty
    /// database gets the reference data and one administrator (`quantri`)
    /// whose password is generated and printed once.
    #[arg(long)]
    pub no_demo: bool,
    /// Read the first administrator's password from standard input instead
    /// of generating one (with --no-demo or `demo = false`).
    #[arg(long)]
    pub admin_password_stdin: bool,
    /// The root agency of the first administrator (default: the one agency
    /// without a parent in the reference data).
    #[arg(long, value_name = "CODE")]
    pub admin_agency: Option<String>,
}

fn default_from() -> String {
    "Hệ thống một cửa điện tử <no-reply@motcua.invalid>".into()
}

fn default_retry() -> u64 {
    30
}

fn default_peer_retry_ms() -> u64 {
    1000
}

fn default_peer_retry_cap() -> u64 {
    300
}

/// The effective settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub log_format: String,
    /// Load the demo (accounts with a published password, dossiers, news)
    /// into an empty database; `false` for a real installation.
    #[serde(alias = "demo")]
    pub load_demo: bool,
    /// SMTP relay for notifications to applicants (`smtp://HOST:PORT`); none: messages wait in the outbox.
    #[serde(default)]
    pub smtp_url: Option<String>,
    /// Sender of notifications.
    #[serde(default = "default_from")]
    pub smtp_from: String,
    /// SMTP AUTH user (with `smtp_password`, or MOTCUA_SMTP_PASSWORD).
    #[serde(default)]
    pub smtp_username: Option<String>,
    /// SMTP AUTH password; better given as MOTCUA_SMTP_PASSWORD than written here.
    #[serde(default)]
    pub smtp_password: Option<String>,
    /// PEM file of certificate authorities trusted for SMTP besides the system's.
    #[serde(default)]
    pub smtp_ca_file: Option<PathBuf>,
    /// SMS gateway for notifications (`http://HOST:PORT/PATH`, see
    /// docs/notifications.md); none: no SMS is queued.
    #[serde(default)]
    pub sms_gateway_url: Option<String>,
    /// Bearer token sent to the SMS gateway.
    #[serde(default)]
    pub sms_gateway_token: Option<String>,
    /// First retry delay of a failed notification, in seconds (doubles per attempt, at most 1 h).
    #[serde(default = "default_retry")]
    pub notify_retry_seconds: u64,
    /// The portal's public address, for links in notifications
    /// (`https://dichvucong.example.vn`); default: `http://` + the listen address.
    #[serde(default)]
    pub public_url: Option<String>,
    /// First retry delay of an undelivered message to a peer installation,
    /// in milliseconds (doubles per attempt up to `peer_retry_cap_seconds`).
    #[serde(default = "default_peer_retry_ms")]
    pub peer_retry_ms: u64,
    /// Longest wait between two tries of a message to a peer, in seconds.
    #[serde(default = "default_peer_retry_cap")]
    pub peer_retry_cap_seconds: u64,
    /// SQLite durability: `full` (default: an acknowledged dossier survives
    /// a power cut) or `normal` (survives a crash of the process only).
    #[serde(default = "default_sqlite_synchronous")]
    pub sqlite_synchronous: String,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For`
    /// names the client; empty: the socket's peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

fn default_sqlite_synchronous() -> String {
    "full".into()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./motcua-data"),
            database_url: None,
            log_format: "text".into(),
            load_demo: true,
            smtp_url: None,
            sms_gateway_url: None,
            sms_gateway_token: None,
            smtp_from: default_from(),
            smtp_username: None,
            smtp_password: None,
            smtp_ca_file: None,
            notify_retry_seconds: default_retry(),
            public_url: None,
            peer_retry_ms: default_peer_retry_ms(),
            peer_retry_cap_seconds: default_peer_retry_cap(),
            sqlite_synchronous: default_sqlite_synchronous(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Settings {
    pub fn load(g: &GlobalArgs) -> Result<Settings, CliError> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = &g.config {
            if !path.is_file() {
                return Err(CliError::Usage(format!(
                    "tệp cấu hình {} không tồn tại",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file(path));
        }
        let mut s: Settings = fig.extract().map_err(|e| {
            CliError::Usage(format!(
                "cấu hình {} không hợp lệ: {e}",
                g.config
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ))
        })?;
        if let Some(d) = &g.data_dir {
            s.data_dir = d.clone();
        }
        if let Some(u) = &g.database_url {
            s.database_url = Some(u.clone());
        }
        for (var, slot) in [
            ("MOTCUA_SMTP_URL", &mut s.smtp_url),
            ("MOTCUA_SMTP_USERNAME", &mut s.smtp_username),
            ("MOTCUA_SMTP_PASSWORD", &mut s.smtp_password),
            ("MOTCUA_SMS_GATEWAY_URL", &mut s.sms_gateway_url),
            ("MOTCUA_SMS_GATEWAY_TOKEN", &mut s.sms_gateway_token),
            ("MOTCUA_PUBLIC_URL", &mut s.public_url),
        ] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                *slot = Some(v);
            }
        }
        if let Ok(v) = std::env::var("MOTCUA_SMTP_CA_FILE")
            && !v.is_empty()
        {
            s.smtp_ca_file = Some(PathBuf::from(v));
        }
        if let Ok(v) = std::env::var("MOTCUA_SMTP_FROM")
            && !v.is_empty()
        {
            s.smtp_from = v;
        }
        if let Ok(v) = std::env::var("MOTCUA_NOTIFY_RETRY_SECONDS") {
            s.notify_retry_seconds = v.parse().map_err(|_| {
                CliError::Usage(format!("MOTCUA_NOTIFY_RETRY_SECONDS `{v}`: cần số giây"))
            })?;
        }
        for (var, slot) in [
            ("MOTCUA_PEER_RETRY_MS", &mut s.peer_retry_ms),
            (
                "MOTCUA_PEER_RETRY_CAP_SECONDS",
                &mut s.peer_retry_cap_seconds,
            ),
        ] {
            if let Ok(v) = std::env::var(var) {
                *slot = v
                    .parse()
                    .map_err(|_| CliError::Usage(format!("{var} `{v}`: cần một số nguyên")))?;
            }
        }
        if let Ok(v) = std::env::var("MOTCUA_SQLITE_SYNCHRONOUS")
            && !v.is_empty()
        {
            s.sqlite_synchronous = v;
        }
        s.sqlite_synchronous
            .parse::<motcua_store::SqliteDurability>()
            .map_err(|e| CliError::Usage(e.to_string()))?;
        if let Ok(v) = std::env::var("MOTCUA_TRUSTED_PROXIES")
            && !v.trim().is_empty()
        {
            s.trusted_proxies = v.split(',').map(|x| x.trim().to_string()).collect();
        }
        motcua_web::auth::parse_trusted_proxies(&s.trusted_proxies).map_err(CliError::Usage)?;
        if let Some(f) = &g.log_format {
            s.log_format = f.clone();
        }
        if !matches!(s.log_format.as_str(), "text" | "json") {
            return Err(CliError::Usage(format!(
                "log_format `{}` không hợp lệ: cần text hoặc json",
                s.log_format
            )));
        }
        Ok(s)
    }

    /// The database URL: the explicit one, or the data folder's SQLite file.
    pub fn database_url(&self) -> Result<String, CliError> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data_dir).map_err(|source| CliError::Io {
            path: self.data_dir.display().to_string(),
            source,
        })?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("motcua.db").display()
        ))
    }
}

pub fn init_tracing(s: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if s.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Connects and migrates.
pub async fn open_store(s: &Settings) -> Result<Store, CliError> {
    let url = s.database_url()?;
    let durability = s
        .sqlite_synchronous
        .parse()
        .map_err(|e: motcua_store::StoreError| CliError::Usage(e.to_string()))?;
    let store = Store::connect_with(&url, durability).await?;
    store.migrate().await?;
    Ok(store)
}

pub async fn serve(s: &Settings, args: &ServeArgs) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let listen = args.listen.clone().unwrap_or_else(|| s.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|source| CliError::Io {
            path: format!("listen {listen}"),
            source,
        })?;
    let public_url = match &s.public_url {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => u.clone(),
        Some(u) => {
            return Err(CliError::Usage(format!(
                "public_url `{u}`: cần địa chỉ bắt đầu bằng http:// hoặc https://"
            )));
        }
        None => format!("http://{listen}"),
    };
    let store = open_store(s)
        .await?
        .with_sms_notices(s.sms_gateway_url.is_some())
        .with_portal_url(&public_url);
    let demo = s.load_demo && !args.no_demo;
    if args.admin_password_stdin && demo {
        return Err(CliError::Usage(
            "--admin-password-stdin đi cùng --no-demo (hoặc demo = false)".into(),
        ));
    }
    if store.is_empty().await? {
        let d = motcua_store::demo::load(&store).await?;
        tracing::info!(
            units = d.units,
            agencies = d.agencies,
            procedures = d.procedures,
            "reference data loaded"
        );
        if demo {
            let dossiers = motcua_store::demo::load_dossiers(&store).await?;
            motcua_store::demo::load_users(&store).await?;
            motcua_store::demo::load_news(&store).await?;
            tracing::info!(dossiers, "demo data set loaded");
        }
    }
    if !demo {
        first_administrator(&store, args).await?;
    }
    if demo {
        let demo = motcua_store::demo::active_demo_users(&store).await?;
        if !demo.is_empty() {
            tracing::warn!(
                accounts = %demo.join(", "),
                password = motcua_store::demo::DEMO_PASSWORD,
                "demo accounts are active with the demo password: change their passwords (workspace, Quản trị) before real use"
            );
        }
    }
    let shutdown = shutdown_signal();
    let addr = listener.local_addr().map_err(|source| CliError::Io {
        path: "listen".into(),
        source,
    })?;
    tracing::info!(%addr, engine = store.engine(), ms = started.elapsed().as_millis() as u64, "motcua serving");
    let notify = crate::notify::NotifyConfig {
        smtp: s.smtp_url.as_ref().map(|url| crate::notify::SmtpConfig {
            url: url.clone(),
            from: s.smtp_from.clone(),
            username: s.smtp_username.clone(),
            password: s.smtp_password.clone(),
            ca_file: s.smtp_ca_file.clone(),
        }),
        sms: s
            .sms_gateway_url
            .as_ref()
            .map(|url| crate::notify::SmsConfig {
                url: url.clone(),
                token: s.sms_gateway_token.clone(),
            }),
        retry_base: std::time::Duration::from_secs(s.notify_retry_seconds.max(1)),
        poll: std::time::Duration::from_millis(500),
    };
    crate::notify::check(&notify).map_err(CliError::Usage)?;
    let worker = if notify.smtp.is_some() || notify.sms.is_some() {
        tracing::info!(
            smtp = notify.smtp.is_some(),
            sms = notify.sms.is_some(),
            "notification worker started"
        );
        Some(tokio::spawn(crate::notify::run(store.clone(), notify)))
    } else {
        tracing::info!("no smtp_url or sms_gateway_url: notifications wait in the outbox");
        None
    };
    let files_dir = s.data_dir.join("files");
    std::fs::create_dir_all(&files_dir).map_err(|source| CliError::Io {
        path: files_dir.display().to_string(),
        source,
    })?;
    let files = motcua_store::files::Files::local(files_dir);
    // Messages to other installations (federation): idle without peers.
    let peering_cfg = crate::peering::PeeringConfig {
        files: files.clone(),
        retry_base: std::time::Duration::from_millis(s.peer_retry_ms.max(10)),
        retry_cap: std::time::Duration::from_secs(s.peer_retry_cap_seconds.max(1)),
        poll: std::time::Duration::from_millis(200),
        timeout: std::time::Duration::from_secs(60),
    };
    let peering = tokio::spawn(crate::peering::run(store.clone(), peering_cfg.clone()));
    // Webhooks to third parties: idle without webhooks.
    let hooks = tokio::spawn(crate::peering::run_webhooks(store.clone(), peering_cfg));
    let proxies =
        motcua_web::auth::parse_trusted_proxies(&s.trusted_proxies).map_err(CliError::Usage)?;
    let state = motcua_web::AppState::new(store.clone())
        .with_files(files)
        .with_trusted_proxies(proxies);
    motcua_web::serve(listener, state, shutdown)
        .await
        .map_err(|source| CliError::Io {
            path: "serve".into(),
            source,
        })?;
    if let Some(w) = worker {
        w.abort();
    }
    peering.abort();
    hooks.abort();
    store.close().await;
    tracing::info!("shut down gracefully");
    Ok(())
}

/// A production start: the installation's first administrator, if none is
/// active yet, with a password read from standard input or generated and
/// printed once on standard output.
async fn first_administrator(store: &Store, args: &ServeArgs) -> Result<(), CliError> {
    let agency = match &args.admin_agency {
        Some(a) => motcua_core::codes::AgencyCode::new(a)
            .map_err(|e| CliError::Usage(format!("--admin-agency `{a}`: {e}")))?,
        None => {
            let roots: Vec<_> = store
                .all_agencies()
                .await?
                .into_iter()
                .filter(|a| a.parent_code.is_none())
                .collect();
            match roots.as_slice() {
                [one] => one.code.clone(),
                _ => {
                    return Err(CliError::Usage(format!(
                        "có {} cơ quan gốc: chọn một cho quản trị viên đầu tiên bằng --admin-agency",
                        roots.len()
                    )));
                }
            }
        }
    };
    let password = if args.admin_password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|source| CliError::Io {
                path: "stdin".into(),
                source,
            })?;
        Some(line.trim_end_matches(['\n', '\r']).to_string())
    } else {
        None
    };
    match motcua_store::demo::ensure_administrator(store, &agency, password.as_deref()).await? {
        Some(generated) => {
            println!(
                "Quản trị viên đầu tiên: `{}` ({agency}), mật khẩu (chỉ hiện một lần, hãy đổi sau khi đăng nhập): {generated}",
                motcua_store::demo::FIRST_ADMIN
            );
            tracing::warn!(user = motcua_store::demo::FIRST_ADMIN, %agency, "first administrator created; its password was printed on standard output once");
        }
        None if password.is_some() => {
            tracing::info!(
                user = motcua_store::demo::FIRST_ADMIN,
                "first administrator created with the password from standard input"
            );
        }
        None => {}
    }
    Ok(())
}

/// The shutdown signal (Ctrl-C or SIGTERM). The handlers are installed when
/// this is called, before the server says it is serving, so a signal sent
/// right after that line is never missed.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
        tracing::info!("shutdown signal received");
    }
}
