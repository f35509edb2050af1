//! Where a dossier change must go besides this database: this
//! installation's name and key, its peers (and the agencies each hosts) and
//! its webhooks, as the dossier writes see them. Read by
//! `Store::routing` (`federation.rs`) and cached for `cache::ROUTING_TTL`.

use motcua_core::federation::{InstallationId, SigningKey};

/// A peer as the dossier writes see it.
#[derive(Clone, Debug)]
pub(crate) struct PeerRoute {
    pub(crate) id: InstallationId,
    /// Takes the status feed of every dossier received here.
    pub(crate) upstream: bool,
    /// The agencies it hosts: a dossier they hold is handled there.
    pub(crate) agencies: Vec<String>,
}

/// A webhook as the dossier writes see it.
#[derive(Clone, Debug)]
pub(crate) struct WebhookRoute {
    pub(crate) name: String,
    /// Action names, or `*`.
    pub(crate) events: Vec<String>,
    pub(crate) agency: Option<String>,
}

impl WebhookRoute {
    /// Whether a change by `action` of a dossier received at `receiving`
    /// and held by `holder` is delivered to it.
    pub(crate) fn wants(&self, action: &str, receiving: &str, holder: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == action)
            && self
                .agency
                .as_deref()
                .is_none_or(|a| a == receiving || a == holder)
    }
}

/// This installation's name and key, its peers and its webhooks.
#[derive(Default)]
pub(crate) struct Routing {
    pub(crate) us: Option<(InstallationId, SigningKey)>,
    pub(crate) peers: Vec<PeerRoute>,
    pub(crate) webhooks: Vec<WebhookRoute>,
}

impl std::fmt::Debug for Routing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routing")
            .field("us", &self.us.as_ref().map(|u| &u.0))
            .field("peers", &self.peers)
            .finish()
    }
}

impl Routing {
    /// Messages can be sent: a key and at least one peer.
    pub(crate) fn active(&self) -> bool {
        self.us.is_some() && !self.peers.is_empty()
    }

    /// A dossier change may have to tell someone: peers or webhooks.
    pub(crate) fn any(&self) -> bool {
        self.active() || !self.webhooks.is_empty()
    }

    /// The peer hosting `agency`, if another installation does.
    pub(crate) fn host_of(&self, agency: &str) -> Option<&InstallationId> {
        self.us.as_ref()?;
        self.peers
            .iter()
            .find(|p| p.agencies.iter().any(|a| a == agency))
            .map(|p| &p.id)
    }

    /// The upper levels fed with every status change of this installation's dossiers.
    pub(crate) fn upstreams(&self) -> Vec<&InstallationId> {
        if self.us.is_none() {
            return Vec::new();
        }
        self.peers
            .iter()
            .filter(|p| p.upstream)
            .map(|p| &p.id)
            .collect()
    }

    pub(crate) fn knows(&self, peer: &str) -> bool {
        self.peers.iter().any(|p| p.id.as_str() == peer)
    }

    pub(crate) fn us(&self) -> Option<&InstallationId> {
        self.us.as_ref().map(|u| &u.0)
    }
}

/// Where `agency` is hosted, as a message from `sender` is judged:
/// `here` holds the agencies stored here that no peer hosts.
pub(crate) fn host_seen_from(
    routing: &Routing,
    sender: &InstallationId,
    here: &std::collections::HashSet<String>,
    agency: &str,
) -> motcua_core::federation::Host {
    use motcua_core::federation::Host;
    match routing.host_of(agency) {
        Some(p) if p == sender => Host::Sender,
        Some(_) => Host::Elsewhere,
        None if here.contains(agency) => Host::Here,
        None => Host::Elsewhere,
    }
}
