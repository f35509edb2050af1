//! `motcua peer keygen|add|list|remove`: this installation's key pair and
//! the peers it exchanges dossiers with (docs/federation.md).

use crate::CliError;
use crate::config::{Settings, open_store};
use clap::Subcommand;
use motcua_core::federation::{InstallationId, public_hex, to_hex, verifying_key};

#[derive(Subcommand, Debug)]
pub enum PeerCmd {
    /// Create this installation's ed25519 key pair under a name; prints the public key for the peers.
    Keygen {
        /// This installation's name among its peers (letters, digits, `.`, `-`, `_`).
        #[arg(long)]
        name: String,
        /// Replace an existing key (every peer must then be given the new public key).
        #[arg(long)]
        force: bool,
    },
    /// Add (or update) a peer: its name, base URL and public key (hex), the
    /// agencies it hosts, and whether it takes this installation's status feed.
    Add {
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long)]
        key: String,
        /// An agency (code) handled at that installation: dossiers
        /// transferred to it go there. Repeat for several.
        #[arg(long = "agency")]
        agencies: Vec<String>,
        /// An upper level (province, national portal): send it the status
        /// of every dossier received here.
        #[arg(long)]
        upstream: bool,
    },
    /// List the peers.
    List,
    /// Remove a peer.
    Remove { name: String },
}

fn id(s: &str) -> Result<InstallationId, CliError> {
    InstallationId::new(s).map_err(|e| CliError::Usage(e.to_string()))
}

pub async fn run(s: &Settings, cmd: PeerCmd) -> Result<(), CliError> {
    let store = open_store(s).await?;
    match cmd {
        PeerCmd::Keygen { name, force } => {
            let name = id(&name)?;
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|e| {
                CliError::Usage(format!(
                    "không lấy được số ngẫu nhiên của hệ điều hành: {e}"
                ))
            })?;
            let key = ed25519_dalek::SigningKey::from_bytes(&secret);
            let public = public_hex(&key);
            store
                .set_installation_key(&name, &to_hex(&secret), &public, force)
                .await?;
            println!("{name} {public}");
        }
        PeerCmd::Add {
            name,
            url,
            key,
            agencies,
            upstream,
        } => {
            let name = id(&name)?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(CliError::Usage(format!(
                    "--url `{url}`: cần địa chỉ bắt đầu bằng http:// hoặc https://"
                )));
            }
            verifying_key(&key).map_err(|e| CliError::Usage(format!("--key: {e}")))?;
            let mut codes = Vec::new();
            for a in &agencies {
                let code = motcua_core::codes::AgencyCode::new(a)
                    .map_err(|e| CliError::Usage(format!("--agency `{a}`: {e}")))?;
                if store.agency(&code).await?.is_none() {
                    return Err(CliError::Usage(format!(
                        "--agency `{a}`: không có cơ quan này trong danh mục"
                    )));
                }
                codes.push(code.to_string());
            }
            store
                .add_peer(
                    &name,
                    url.trim_end_matches('/'),
                    key.trim(),
                    upstream,
                    &codes,
                )
                .await?;
            println!("peer {name} at {url}");
        }
        PeerCmd::List => {
            if let Some((me, _, public)) = store.installation_key().await? {
                println!("# this installation: {me} {public}");
            }
            let pending = store.peer_outbox(true).await?;
            for p in store.peers().await? {
                let waiting = pending.iter().filter(|m| m.peer == p.installation).count();
                let dead = pending
                    .iter()
                    .filter(|m| m.peer == p.installation && m.dead_at.is_some())
                    .count();
                println!(
                    "{}\t{}\t{}\t{}agencies={}\tundelivered={waiting}\tdead={dead}",
                    p.installation,
                    p.url,
                    p.public_hex,
                    if p.upstream { "upstream\t" } else { "" },
                    p.agencies.join(",")
                );
            }
        }
        PeerCmd::Remove { name } => {
            let name = id(&name)?;
            if !store.remove_peer(&name).await? {
                return Err(CliError::Usage(format!(
                    "không có hệ thống kết nối tên {name}"
                )));
            }
            println!("removed {name}");
        }
    }
    Ok(())
}
