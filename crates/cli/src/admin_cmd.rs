//! `user`, `token` and `audit`: accounts, machine tokens, the audit chain.

use crate::CliError;
use crate::config::{Settings, open_store};
use clap::Subcommand;
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;
use std::io::Read;

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create a user with one or more roles on an agency.
    Create {
        username: String,
        /// The agency the user works for (electronic identifier).
        #[arg(long)]
        agency: String,
        /// reception_officer, specialist, head_of_office, signing_leader, administrator, oversight_reader (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Full name shown in the workspace and on slips.
        #[arg(long, default_value = "")]
        name: String,
        /// Read the sign-in password from standard input (first line; stored as an Argon2id hash).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create an API token for a user and print it on one line.
    Create {
        username: String,
        /// Limit the token to a scope (dossiers:read, dossiers:write,
        /// reports:read); repeat for several. None: every right of the user.
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum OutboxCmd {
    /// List the outbox: messages to peer installations (delivered, waiting,
    /// dead = refused by the peer) and notifications (sent, waiting, dead =
    /// attempts exhausted).
    List {
        /// Only messages not yet delivered.
        #[arg(long)]
        pending: bool,
    },
    /// Make undelivered messages due again (all dead letters, or one by id):
    /// after the cause was fixed; a peer's later messages follow in order.
    Replay { id: Option<String> },
}

/// `delivered T`, `dead` or `waiting`.
fn delivery_status(
    delivered: Option<chrono::DateTime<chrono::Utc>>,
    dead: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    match (delivered, dead) {
        (Some(t), _) => format!("delivered {}", t.format("%Y-%m-%dT%H:%M:%SZ")),
        (None, Some(_)) => "dead".to_string(),
        (None, None) => "waiting".to_string(),
    }
}

pub async fn outbox(s: &Settings, cmd: OutboxCmd) -> Result<(), CliError> {
    let store = open_store(s).await?;
    match cmd {
        OutboxCmd::List { pending } => {
            // Messages to peer installations (federation), then notices.
            for m in store.peer_outbox(pending).await? {
                let status = delivery_status(m.delivered_at, m.dead_at);
                println!(
                    "{}\t{status}\tpeer:{}#{}\tattempts={}\t{} {}\t{}",
                    m.message_id,
                    m.peer,
                    m.seq,
                    m.attempts,
                    m.kind,
                    m.dossier_code.unwrap_or_default(),
                    m.last_error.unwrap_or_default()
                );
            }
            for m in store.webhook_outbox(pending).await? {
                let status = delivery_status(m.delivered_at, m.dead_at);
                println!(
                    "{}\t{status}\twebhook:{}\tattempts={}\t{} {}\t{}",
                    m.id,
                    m.webhook,
                    m.attempts,
                    m.event,
                    m.dossier_code.unwrap_or_default(),
                    m.last_error.unwrap_or_default()
                );
            }
            for m in store.outbox().await? {
                if pending && m.sent_at.is_some() {
                    continue;
                }
                let status = match (&m.sent_at, m.attempts >= motcua_store::MAX_ATTEMPTS) {
                    (Some(t), _) => format!("sent {}", t.format("%Y-%m-%dT%H:%M:%SZ")),
                    (None, true) => "dead".to_string(),
                    (None, false) => "waiting".to_string(),
                };
                println!(
                    "{}\t{}\t{}\tattempts={}\t{}\t{}",
                    m.id,
                    status,
                    m.recipient,
                    m.attempts,
                    m.subject,
                    m.last_error.unwrap_or_default()
                );
            }
        }
        OutboxCmd::Replay { id } => {
            let now = chrono::Utc::now();
            let n = store.replay_outbox(id.as_deref(), now).await?
                + store.replay_peer_outbox(id.as_deref(), now).await?
                + store.replay_webhook_outbox(id.as_deref(), now).await?;
            if n == 0 && id.is_some() {
                return Err(CliError::NotFound(
                    "không có thư chưa gửi với mã này".into(),
                ));
            }
            println!("{n} messages due again");
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Check every dossier's hash chain; exit non-zero naming the first broken event.
    Verify,
}

pub async fn user(s: &Settings, cmd: UserCmd) -> Result<(), CliError> {
    match cmd {
        UserCmd::Create {
            username,
            agency,
            roles,
            name,
            password_stdin,
        } => {
            let agency = AgencyCode::new(&agency).map_err(|e| CliError::Usage(e.to_string()))?;
            let roles = roles
                .iter()
                .map(|r| {
                    Role::parse(r)
                        .ok_or_else(|| CliError::Usage(format!("vai trò `{r}` không hợp lệ")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let password = if password_stdin {
                let mut pw = String::new();
                std::io::stdin()
                    .read_to_string(&mut pw)
                    .map_err(|source| CliError::Io {
                        path: "stdin".into(),
                        source,
                    })?;
                // One line: the first, without its line ending.
                let pw = pw.lines().next().unwrap_or("").to_string();
                motcua_store::sessions::hash_password(&pw)?;
                Some(pw)
            } else {
                None
            };
            let store = open_store(s).await?;
            let u = store
                .create_user(&username, &name, &agency, &roles, None)
                .await?;
            if let Some(pw) = &password {
                store.set_password(&u.username, pw).await?;
            }
            println!(
                "created user {} ({}) at {} with roles {}",
                u.username,
                u.full_name,
                u.agency,
                u.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(())
}

pub async fn token(s: &Settings, cmd: TokenCmd) -> Result<(), CliError> {
    match cmd {
        TokenCmd::Create { username, scopes } => {
            let parsed = scopes
                .iter()
                .map(|x| {
                    motcua_core::access::TokenScope::parse(x).ok_or_else(|| {
                        CliError::Usage(format!(
                            "--scope `{x}`: cần một trong {}",
                            motcua_core::access::TokenScope::ALL
                                .map(|s| s.as_str())
                                .join(", ")
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let store = open_store(s).await?;
            let scoped = (!parsed.is_empty()).then_some(parsed.as_slice());
            println!("{}", store.create_scoped_token(&username, scoped).await?);
        }
    }
    Ok(())
}

pub async fn audit(s: &Settings, cmd: AuditCmd) -> Result<(), CliError> {
    match cmd {
        AuditCmd::Verify => {
            let store = open_store(s).await?;
            let r = store.verify_audit().await?;
            match r.broken {
                None => println!(
                    "audit chain intact: {} dossiers, {} events",
                    r.dossiers, r.events
                ),
                Some((code, version, why)) => {
                    return Err(CliError::Usage(format!(
                        "audit chain broken at dossier {code}, event {version}: {why}"
                    )));
                }
            }
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum WebhookCmd {
    /// Tell a third-party system (payment, SMS provider…) of dossier
    /// changes: prints the secret its deliveries are signed with.
    Add {
        name: String,
        #[arg(long)]
        url: String,
        /// An action to deliver (receive, transfer, resolve, return_result…);
        /// repeat for several. None: every change.
        #[arg(long = "event")]
        events: Vec<String>,
        /// Only dossiers received at or held by this agency.
        #[arg(long)]
        agency: Option<String>,
    },
    /// List the webhooks.
    List,
    /// Remove a webhook.
    Remove { name: String },
}

pub async fn webhook(s: &Settings, cmd: WebhookCmd) -> Result<(), CliError> {
    let store = open_store(s).await?;
    match cmd {
        WebhookCmd::Add {
            name,
            url,
            events,
            agency,
        } => {
            if let Some(a) = &agency {
                let code =
                    AgencyCode::new(a).map_err(|e| CliError::Usage(format!("--agency: {e}")))?;
                if store.agency(&code).await?.is_none() {
                    return Err(CliError::Usage(format!(
                        "--agency `{a}`: không có cơ quan này"
                    )));
                }
            }
            let secret = store
                .add_webhook(&name, &url, &events, agency.as_deref())
                .await?;
            println!("{secret}");
        }
        WebhookCmd::List => {
            for w in store.webhooks().await? {
                println!(
                    "{}\t{}\tevents={}\tagency={}",
                    w.name,
                    w.url,
                    w.events.join(","),
                    w.agency.unwrap_or_else(|| "*".into())
                );
            }
        }
        WebhookCmd::Remove { name } => {
            if !store.remove_webhook(&name).await? {
                return Err(CliError::NotFound(format!("không có webhook `{name}`")));
            }
            println!("webhook {name} removed");
        }
    }
    Ok(())
}
