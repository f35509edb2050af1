//! Federation storage (issue 8, docs/federation.md): this installation's
//! key pair, its peers, and the inbox of messages applied from each, in
//! order and once (`motcua_core::federation::order`).

use crate::db::with_db;
use crate::routing::{PeerRoute, Routing, WebhookRoute};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use motcua_core::federation::{Envelope, InstallationId, Order, order};
use std::sync::Arc;

/// A message to a peer, as kept in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PeerMessage {
    pub peer: String,
    pub seq: i64,
    pub message_id: String,
    pub kind: String,
    pub dossier_code: Option<String>,
    pub body: String,
    pub signature: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub dead_at: Option<DateTime<Utc>>,
}

const PEER_COLS: &str = "peer, seq, message_id, kind, dossier_code, body, signature, created_at, attempts, \
                         next_attempt_at, last_error, delivered_at, dead_at";

/// Numbers, signs and stores a message to `$peer` in the caller's
/// transaction (`$routing` must be active).
macro_rules! enqueue_peer {
    ($tx:expr, $routing:expr, $peer:expr, $kind:expr, $dossier:expr, $payload:expr) => {{
        let (us, key) = $routing
            .us
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("hệ thống chưa có khóa".into()))?;
        let peer: &motcua_core::federation::InstallationId = $peer;
        let seq: i64 = sqlx::query_scalar(
            "UPDATE peer SET out_seq = out_seq + 1 WHERE installation = $1 RETURNING out_seq",
        )
        .bind(peer.as_str().to_string())
        .fetch_one(&mut *$tx)
        .await?;
        let now = chrono::Utc::now();
        let env = motcua_core::federation::Envelope {
            id: uuid::Uuid::new_v4().to_string(),
            from: us.clone(),
            to: peer.clone(),
            seq: seq as u64,
            dossier: $dossier,
            kind: $kind.to_string(),
            sent_at: now,
            payload: $payload,
        };
        let signed = motcua_core::federation::sign(key, &env)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO peer_outbox (peer, seq, message_id, kind, dossier_code, body, signature, created_at, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8)",
        )
        .bind(peer.as_str().to_string())
        .bind(seq)
        .bind(env.id.clone())
        .bind(env.kind.clone())
        .bind(env.dossier.clone())
        .bind(signed.body)
        .bind(signed.signature)
        .bind(now)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use enqueue_peer;

/// After a change of dossier `$d` (its latest event `$ev`, its desk's unit
/// `$unit`, `$home` = where it was received, `None` = here), in the
/// caller's transaction: sends the events and documents each holder of a
/// copy lacks (and the whole dossier to the installation hosting its new
/// holder, on a transfer there), and, for a dossier received here, its
/// status to every upper level.
macro_rules! share_change {
    ($tx:expr, $routing:expr, $d:expr, $ev:expr, $unit:expr, $home:expr) => {{
        let d: &motcua_core::dossier::Dossier = $d;
        let code = d.code.as_str().to_string();
        let home: Option<String> = $home;
        let mut targets: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT peer, sent_version, sent_docs FROM dossier_peer WHERE dossier_code = $1 ORDER BY peer",
        )
        .bind(code.clone())
        .fetch_all(&mut *$tx)
        .await?;
        if let Some(h) = $routing.host_of(d.holder().as_str())
            && !targets.iter().any(|t| t.0 == h.as_str())
        {
            targets.push((h.as_str().to_string(), 0, String::new()));
        }
        // The documents, read once for every holder.
        let docs: Vec<crate::DocumentInfo> = if targets.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as(
                "SELECT sha256, name, media_type, size, uploaded_by, uploaded_at FROM dossier_document WHERE dossier_code = $1 ORDER BY uploaded_at, sha256",
            )
            .bind(code.clone())
            .fetch_all(&mut *$tx)
            .await?
        };
        for (peer, sent, sent_docs) in targets {
            if $routing.us.is_none() || !$routing.knows(&peer) {
                continue;
            }
            let events: Vec<(i64, Vec<u8>, String, String)> = sqlx::query_as(
                "SELECT version, data, prev_hash, hash FROM dossier_event WHERE dossier_code = $1 AND version > $2 ORDER BY version",
            )
            .bind(code.clone())
            .bind(sent)
            .fetch_all(&mut *$tx)
            .await?;
            let sent_set: Vec<&str> = sent_docs.split_whitespace().collect();
            let new_docs: Vec<motcua_core::federation::SyncedDocument> = docs
                .iter()
                .filter(|x| !sent_set.contains(&x.sha256.as_str()))
                .map(|x| motcua_core::federation::SyncedDocument {
                    sha256: x.sha256.clone(),
                    name: x.name.clone(),
                    media_type: x.media_type.clone(),
                    size: x.size,
                    uploaded_by: x.uploaded_by.clone(),
                    uploaded_at: x.uploaded_at,
                })
                .collect();
            if events.is_empty() && new_docs.is_empty() {
                continue;
            }
            let (us, _) = $routing
                .us
                .as_ref()
                .ok_or_else(|| StoreError::Invalid("hệ thống chưa có khóa".into()))?;
            let home_id = match &home {
                Some(h) => motcua_core::federation::InstallationId::new(h)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                None => us.clone(),
            };
            let sync = motcua_core::federation::DossierSync {
                home: home_id,
                unit_code: $unit.to_string(),
                dossier: d.clone(),
                events: events
                    .into_iter()
                    .map(|(version, data, prev_hash, hash)| {
                        Ok(motcua_core::federation::SyncedEvent {
                            version: version as u64,
                            data: crate::event_codec::unpack(&data)?,
                            prev_hash,
                            hash,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
                documents: new_docs,
            };
            let all_docs = docs.iter().map(|x| x.sha256.as_str()).collect::<Vec<_>>().join(" ");
            let payload = serde_json::to_value(&sync).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let to = motcua_core::federation::InstallationId::new(&peer)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            crate::federation::enqueue_peer!($tx, $routing, &to, "dossier", Some(code.clone()), payload);
            sqlx::query(
                "INSERT INTO dossier_peer (dossier_code, peer, sent_version, sent_docs, unit_code) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (unit_code, dossier_code, peer) DO UPDATE SET sent_version = excluded.sent_version, sent_docs = excluded.sent_docs",
            )
            .bind(code.clone())
            .bind(peer.clone())
            .bind(d.version as i64)
            .bind(all_docs)
            .bind($unit.to_string())
            .execute(&mut *$tx)
            .await?;
        }
        for w in &$routing.webhooks {
            let ev: &motcua_core::dossier::Event = $ev;
            if w.wants(ev.action.as_str(), d.receiving_agency.as_str(), d.holder().as_str()) {
                let id = format!("{code}/{}/{}", ev.version, w.name);
                let now = chrono::Utc::now();
                sqlx::query(
                    "INSERT INTO webhook_outbox (id, webhook, event, dossier_code, body, created_at, attempts, next_attempt_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 0, $6) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id.clone())
                .bind(w.name.clone())
                .bind(ev.action.as_str())
                .bind(code.clone())
                .bind(crate::webhooks::body(&id, d, ev))
                .bind(now)
                .execute(&mut *$tx)
                .await?;
            }
        }
        if home.is_none() {
            let ups: Vec<motcua_core::federation::InstallationId> =
                $routing.upstreams().into_iter().cloned().collect();
            if !ups.is_empty() {
                let record = motcua_core::federation::StatusRecord::of(d, &$unit.to_string(), $ev);
                let payload = serde_json::to_value(&record).map_err(|e| StoreError::Invalid(e.to_string()))?;
                for u in &ups {
                    crate::federation::enqueue_peer!($tx, $routing, u, "status", Some(code.clone()), payload.clone());
                }
            }
        }
    }};
}
pub(crate) use share_change;

/// A configured peer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Peer {
    pub installation: String,
    pub url: String,
    pub public_hex: String,
    /// Takes this installation's status feed (an upper level).
    pub upstream: bool,
    /// The agencies it hosts.
    pub agencies: Vec<String>,
}

/// What became of a received message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    Applied,
    /// Applied before (same number, or the same id): nothing changed.
    Duplicate,
    /// Messages before it are missing.
    Gap {
        expected: u64,
    },
}

/// Applies a `dossier` message in the receiver's transaction: appends the
/// events this copy lacks (checked against the chain), takes the sender's
/// dossier, records its documents, and remembers what the sender has. For
/// a dossier received here (coming back), also its report totals, cause
/// of delay and the applicant's notices, as a local change would; then
/// passes the change on to the other holders and the upper levels.
macro_rules! apply_sync {
    ($store:expr, $tx:expr, $routing:expr, $templates:expr, $us:expr, $from:expr, $sync:expr) => {{
        let sync: motcua_core::federation::DossierSync = $sync;
        let sync_meta = &sync;
        let d = sync.dossier.clone();
        let code = d.code.as_str().to_string();
        let local: Option<(String, i64, String, Option<String>, String)> = sqlx::query_as(
            "SELECT data, version, last_hash, home, unit_code FROM dossier WHERE code = $1",
        )
        .bind(code.clone())
        .fetch_optional(&mut *$tx)
        .await?;
        let (lv, lh) = match &local {
            Some((_, v, h, _, _)) => (*v as u64, h.clone()),
            None => (0, crate::chain::GENESIS_HASH.to_string()),
        };
        let fresh = motcua_core::federation::new_events(
            lv,
            &lh,
            crate::chain::GENESIS_HASH,
            &sync.events,
            crate::chain::event_hash,
        )
        .map_err(|e| StoreError::Invalid(format!("hồ sơ {code}: {e}")))?;
        if let Some(last) = fresh.last()
            && last.version != d.version
        {
            return Err(StoreError::Invalid(format!(
                "hồ sơ {code}: phiên bản {} khác sự kiện cuối {}",
                d.version, last.version
            )));
        }
        let mut new_events: Vec<motcua_core::dossier::Event> = Vec::with_capacity(fresh.len());
        for e in fresh {
            let ev: motcua_core::dossier::Event = serde_json::from_str(&e.data)
                .map_err(|x| StoreError::Invalid(format!("sự kiện {}: {x}", e.version)))?;
            if ev.version != e.version || ev.dossier != d.code {
                return Err(StoreError::Invalid(format!("sự kiện {} không thuộc hồ sơ {code}", e.version)));
            }
            new_events.push(ev);
        }
        let last_hash = sync.events.last().map(|e| e.hash.clone()).unwrap_or(lh.clone());
        let data = serde_json::to_string(&d).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = chrono::Utc::now();
        // Where it was received: the sender's home, or here.
        let home: Option<String> = if sync.home == *$us { None } else { Some(sync.home.as_str().to_string()) };
        let unit = match &local {
            Some((_, _, _, _, u)) => u.clone(),
            None => sync.unit_code.clone(),
        };
        let old: Option<motcua_core::dossier::Dossier> = match &local {
            Some((data, ..)) => Some(serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?),
            None => None,
        };
        // What the sender may do here (signed is not allowed).
        {
            let mut wanted: Vec<String> = vec![d.receiving_agency.as_str().to_string(), d.holder().as_str().to_string()];
            if let Some(o) = &old {
                wanted.push(o.holder().as_str().to_string());
            }
            for ev in &new_events {
                if let motcua_core::dossier::Actor::Officer { agency, .. } = &ev.actor {
                    wanted.push(agency.as_str().to_string());
                }
            }
            wanted.sort();
            wanted.dedup();
            let mut here = std::collections::HashSet::new();
            for a in &wanted {
                if $routing.host_of(a).is_none() {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency WHERE code = $1")
                        .bind(a.clone()).fetch_one(&mut *$tx).await?;
                    if n > 0 {
                        here.insert(a.clone());
                    }
                }
            }
            let host = |a: &str| crate::routing::host_seen_from(&$routing, $from, &here, a);
            motcua_core::federation::authorise_sync($from, $us, host, old.as_ref(), &sync_meta, &new_events)
                .map_err(|e| StoreError::Forbidden(e.to_string()))?;
        }
        // A peer's officer is never a local assignee (a local user of the same name).
        let assignee: Option<String> = motcua_core::federation::local_assignee(
            d.assignee.as_deref(),
            d.holder().as_str(),
            |a| $routing.host_of(a).is_some(),
        )
        .map(str::to_string);
        if !new_events.is_empty() {
            match &local {
                None => {
                    sqlx::query(
                        "INSERT INTO dossier (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel, received_at, due_at, \
                         version, last_hash, data, updated_at, assignee, home) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
                        .bind(code.clone()).bind(unit.clone()).bind(d.receiving_agency.as_str()).bind(d.holder().as_str())
                        .bind(d.procedure.code.as_str()).bind(d.state.as_str()).bind(d.channel.as_str())
                        .bind(d.received_at.map(motcua_core::calendar::to_utc)).bind(d.due_at.map(motcua_core::calendar::to_utc))
                        .bind(d.version as i64).bind(last_hash.clone()).bind(data).bind(now).bind(assignee.clone()).bind(home.clone())
                        .execute(&mut *$tx).await?;
                }
                Some(_) => {
                    let n = sqlx::query(
                        "UPDATE dossier SET current_agency = $1, state = $2, received_at = $3, due_at = $4, version = $5, last_hash = $6, \
                         data = $7, updated_at = $8, assignee = $9 WHERE code = $10 AND version = $11")
                        .bind(d.holder().as_str()).bind(d.state.as_str()).bind(d.received_at.map(motcua_core::calendar::to_utc))
                        .bind(d.due_at.map(motcua_core::calendar::to_utc)).bind(d.version as i64).bind(last_hash.clone()).bind(data)
                        .bind(now).bind(assignee.clone()).bind(code.clone()).bind(lv as i64)
                        .execute(&mut *$tx).await?.rows_affected();
                    if n != 1 {
                        return Err(StoreError::Conflict(format!("hồ sơ {code} vừa thay đổi ở đây; gửi lại sau")));
                    }
                }
            }
        } else if local.is_none() {
            return Err(StoreError::Invalid(format!("hồ sơ {code}: thông điệp không có sự kiện nào")));
        }
        // The events, after the dossier row they belong to.
        for (e, ev) in fresh.iter().zip(&new_events) {
            sqlx::query(
                "INSERT INTO dossier_event (dossier_code, version, action, to_state, at, data, prev_hash, hash, unit_code) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(code.clone())
            .bind(e.version as i64)
            .bind(ev.action.as_str())
            .bind(ev.to.as_str())
            .bind(motcua_core::calendar::to_utc(ev.at))
            .bind(crate::event_codec::pack(&e.data)?)
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .bind(unit.clone())
            .execute(&mut *$tx)
            .await?;
        }
        for doc in &sync.documents {
            sqlx::query(
                "INSERT INTO dossier_document (dossier_code, sha256, name, media_type, size, uploaded_by, uploaded_at, unit_code) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")
                .bind(code.clone()).bind(doc.sha256.clone()).bind(doc.name.clone()).bind(doc.media_type.clone())
                .bind(doc.size).bind(doc.uploaded_by.clone()).bind(doc.uploaded_at).bind(unit.clone())
                .execute(&mut *$tx).await?;
        }
        // The sender has everything up to here: nothing of this goes back.
        let docs: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM dossier_document WHERE dossier_code = $1 ORDER BY sha256")
            .bind(code.clone()).fetch_all(&mut *$tx).await?;
        sqlx::query(
            "INSERT INTO dossier_peer (dossier_code, peer, sent_version, sent_docs, unit_code) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (unit_code, dossier_code, peer) DO UPDATE SET sent_version = excluded.sent_version, sent_docs = excluded.sent_docs")
            .bind(code.clone()).bind($from.as_str().to_string()).bind(d.version as i64).bind(docs.join(" ")).bind(unit.clone())
            .execute(&mut *$tx).await?;
        if home.is_none() && !new_events.is_empty() {
            // Our own dossier, changed elsewhere: count and tell as here.
            crate::totals::add_stats!($tx, &d, unit.clone(), crate::totals::stat_changes(old.as_ref(), &d));
            let last_ev = new_events.last().expect("not empty").clone();
            if motcua_core::causes::newly_overdue(old.as_ref(), &d) {
                crate::totals::add_cause!($store, $tx, &d, &last_ev, unit.clone());
            }
            for ev in &new_events {
                crate::outbox::enqueue_notice!($tx, &d, ev, $store, $templates);
            }
        }
        if let Some(ev) = new_events.last() {
            crate::federation::share_change!($tx, $routing, &d, ev, unit.clone(), home.clone());
        }
    }};
}

/// Applies a `status` message at an upper level: the dossier's latest
/// record (an older version than the stored one changes nothing) and the
/// change of the report totals from its previous facts to its new ones.
macro_rules! apply_status {
    ($tx:expr, $routing:expr, $from:expr, $record:expr) => {{
        let r: motcua_core::federation::StatusRecord = $record;
        let old: Option<(String, i64, String)> = sqlx::query_as("SELECT record, version, installation FROM feed_dossier WHERE code = $1")
            .bind(r.code.clone()).fetch_optional(&mut *$tx).await?;
        {
            let none = std::collections::HashSet::new();
            let host = |a: &str| crate::routing::host_seen_from(&$routing, $from, &none, a);
            motcua_core::federation::authorise_status($from, host, &r, old.as_ref().map(|o| o.2.as_str()))
                .map_err(|e| StoreError::Forbidden(e.to_string()))?;
        }
        if old.as_ref().is_none_or(|(_, v, _)| (*v as u64) < r.x_motcua.version) {
            let old_facts = match &old {
                Some((text, _, _)) => Some(
                    serde_json::from_str::<motcua_core::federation::StatusRecord>(text)
                        .map_err(|e| StoreError::Corrupt(format!("feed_dossier {}: {e}", r.code)))?
                        .facts(),
                ),
                None => None,
            };
            let rows = motcua_core::report::bucket_changes(&motcua_core::report::changes(old_facts.as_ref(), &r.facts()));
            crate::totals::add_stats_of!($tx, r.agency.as_str(), r.procedure.as_str(), r.x_motcua.channel.as_str(), r.unit_code.as_str(), rows);
            let text = serde_json::to_string(&r).map_err(|e| StoreError::Invalid(e.to_string()))?;
            sqlx::query(
                "INSERT INTO feed_dossier (code, installation, unit_code, agency, procedure_code, channel, state, received_at, due_at, version, record, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (unit_code, code) DO UPDATE SET installation = excluded.installation, agency = excluded.agency, \
                 procedure_code = excluded.procedure_code, channel = excluded.channel, state = excluded.state, received_at = excluded.received_at, \
                 due_at = excluded.due_at, version = excluded.version, record = excluded.record, updated_at = excluded.updated_at")
                .bind(r.code.clone()).bind($from.as_str().to_string()).bind(r.unit_code.clone()).bind(r.agency.clone())
                .bind(r.procedure.clone()).bind(r.x_motcua.channel.as_str()).bind(r.x_motcua.state.as_str())
                .bind(r.x_motcua.received_at.map(motcua_core::calendar::to_utc)).bind(r.x_motcua.due_at.map(motcua_core::calendar::to_utc))
                .bind(r.x_motcua.version as i64).bind(text).bind(chrono::Utc::now())
                .execute(&mut *$tx).await?;
        }
    }};
}

impl Store {
    /// This installation's name and secret key (hex), if made.
    pub async fn installation_key(
        &self,
    ) -> Result<Option<(InstallationId, String, String)>, StoreError> {
        let row: Option<(String, String, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT installation, secret_hex, public_hex FROM installation_key WHERE id = 'self'")
            .fetch_optional(p).await?);
        row.map(|(i, s, pubk)| {
            InstallationId::new(&i)
                .map(|i| (i, s, pubk))
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }

    /// Stores this installation's name and key pair; refuses to replace an
    /// existing one unless `replace` (peers would no longer trust it).
    pub async fn set_installation_key(
        &self,
        installation: &InstallationId,
        secret_hex: &str,
        public_hex: &str,
        replace: bool,
    ) -> Result<(), StoreError> {
        if !replace && self.installation_key().await?.is_some() {
            return Err(StoreError::Conflict(
                "hệ thống đã có khóa; thay khóa thì mọi hệ thống kết nối phải cập nhật khóa công khai mới (dùng --force)".into(),
            ));
        }
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM installation_key WHERE id = 'self'").execute(&mut *tx).await?;
            sqlx::query("INSERT INTO installation_key (id, installation, secret_hex, public_hex, created_at) VALUES ('self', $1, $2, $3, $4)")
                .bind(installation.as_str()).bind(secret_hex).bind(public_hex).bind(Utc::now())
                .execute(&mut *tx).await?;
            tx.commit().await?;
        });
        self.routing.clear();
        Ok(())
    }

    /// Adds or updates a peer: its address and key, whether it takes the
    /// status feed, and the agencies it hosts (replacing those it had).
    pub async fn add_peer(
        &self,
        installation: &InstallationId,
        url: &str,
        public_hex: &str,
        upstream: bool,
        agencies: &[String],
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            for a in agencies {
                let other: Option<String> = sqlx::query_scalar("SELECT peer FROM peer_agency WHERE agency_code = $1 AND peer <> $2")
                    .bind(a.clone()).bind(installation.as_str()).fetch_optional(&mut *tx).await?;
                if let Some(o) = other {
                    return Err(StoreError::Conflict(format!("cơ quan {a} đã thuộc hệ thống {o}")));
                }
            }
            sqlx::query("INSERT INTO peer (installation, url, public_hex, created_at, upstream) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (installation) DO UPDATE SET url = excluded.url, public_hex = excluded.public_hex, upstream = excluded.upstream")
                .bind(installation.as_str()).bind(url).bind(public_hex).bind(Utc::now()).bind(i32::from(upstream))
                .execute(&mut *tx).await?;
            sqlx::query("DELETE FROM peer_agency WHERE peer = $1").bind(installation.as_str()).execute(&mut *tx).await?;
            for a in agencies {
                sqlx::query("INSERT INTO peer_agency (agency_code, peer) VALUES ($1, $2)")
                    .bind(a.clone()).bind(installation.as_str()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        self.routing.clear();
        Ok(())
    }

    pub async fn peers(&self) -> Result<Vec<Peer>, StoreError> {
        type PeerRow = (String, String, String, i32);
        let (rows, hosted): (Vec<PeerRow>, Vec<(String, String)>) = with_db!(&self.db, p => (
            sqlx::query_as("SELECT installation, url, public_hex, upstream FROM peer ORDER BY installation").fetch_all(p).await?,
            sqlx::query_as("SELECT peer, agency_code FROM peer_agency ORDER BY agency_code").fetch_all(p).await?,
        ));
        Ok(rows
            .into_iter()
            .map(|(installation, url, public_hex, upstream)| Peer {
                agencies: hosted
                    .iter()
                    .filter(|(p, _)| *p == installation)
                    .map(|(_, a)| a.clone())
                    .collect(),
                installation,
                url,
                public_hex,
                upstream: upstream != 0,
            })
            .collect())
    }

    pub async fn peer(&self, installation: &InstallationId) -> Result<Option<Peer>, StoreError> {
        Ok(self
            .peers()
            .await?
            .into_iter()
            .find(|p| p.installation == installation.as_str()))
    }

    /// Removes a peer and the agencies it hosted; false when there was none.
    /// Its undelivered messages stay in the outbox (`motcua outbox list`).
    pub async fn remove_peer(&self, installation: &InstallationId) -> Result<bool, StoreError> {
        let n = with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM peer_agency WHERE peer = $1").bind(installation.as_str()).execute(&mut *tx).await?;
            let n = sqlx::query("DELETE FROM peer WHERE installation = $1")
                .bind(installation.as_str()).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            n
        });
        self.routing.clear();
        Ok(n > 0)
    }

    /// The routing of dossier writes (cached for a few seconds).
    pub(crate) async fn routing(&self) -> Result<Arc<Routing>, StoreError> {
        if let Some(r) = self.routing.get(&()) {
            return Ok(r);
        }
        let us = match self.installation_key().await? {
            Some((id, secret, _)) => Some((
                id,
                motcua_core::federation::signing_key(&secret)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )),
            None => None,
        };
        let peers = self
            .peers()
            .await?
            .into_iter()
            .map(|p| {
                Ok(PeerRoute {
                    id: InstallationId::new(&p.installation)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    upstream: p.upstream,
                    agencies: p.agencies,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let webhooks = self
            .webhooks()
            .await?
            .into_iter()
            .map(|w| WebhookRoute {
                name: w.name,
                events: w.events,
                agency: w.agency,
            })
            .collect();
        let r = Arc::new(Routing {
            us,
            peers,
            webhooks,
        });
        self.routing.set((), r.clone());
        Ok(r)
    }

    /// Refuses a change of a dossier whose holder is hosted by another
    /// installation: it is handled there (one writer per dossier at a time).
    pub(crate) fn check_held_here(
        routing: &Routing,
        d: &motcua_core::dossier::Dossier,
    ) -> Result<(), StoreError> {
        match routing.host_of(d.holder().as_str()) {
            Some(peer) => Err(StoreError::Conflict(format!(
                "hồ sơ {} đang ở cơ quan {} thuộc hệ thống {peer}: thao tác tại hệ thống đó",
                d.code,
                d.holder()
            ))),
            None => Ok(()),
        }
    }

    /// Applies a verified message from its sender, in one transaction with
    /// the record of it: applied when it is the next of the sender's
    /// numbers, a duplicate when its number or its id was applied before,
    /// a gap otherwise. Two deliveries of the same message at once apply
    /// it once (primary key). A `dossier` message extends this
    /// installation's copy of a shared dossier (documents must already be
    /// in the file store); a `status` message updates the upper level's
    /// record of a dossier below and its report totals. A message that
    /// cannot be applied changes nothing and is refused (the sender keeps
    /// it as a dead letter).
    pub async fn receive_message(
        &self,
        env: &Envelope,
        body: &str,
    ) -> Result<Received, StoreError> {
        let routing = self.routing().await?;
        let templates = self.notice_templates().await?;
        let us = routing
            .us()
            .cloned()
            .ok_or_else(|| StoreError::Invalid("hệ thống này chưa có khóa".into()))?;
        let begin = match self.writer {
            crate::db::Db::Sqlite(_) => "BEGIN IMMEDIATE",
            crate::db::Db::Pg(_) => "BEGIN",
        };
        with_db!(&self.writer, p => {
            let mut tx = p.begin_with(begin).await?;
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM peer_inbox WHERE peer = $1")
                .bind(env.from.as_str()).fetch_one(&mut *tx).await?;
            let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM peer_inbox WHERE peer = $1 AND message_id = $2")
                .bind(env.from.as_str()).bind(env.id.clone()).fetch_one(&mut *tx).await?;
            if seen > 0 {
                return Ok(Received::Duplicate);
            }
            match order(u64::try_from(last.unwrap_or(0)).unwrap_or(0), env.seq) {
                Order::Duplicate => Ok(Received::Duplicate),
                Order::Gap { expected } => Ok(Received::Gap { expected }),
                Order::Apply => {
                    let seq = i64::try_from(env.seq).map_err(|_| StoreError::Invalid("số thứ tự quá lớn".into()))?;
                    let inserted = sqlx::query(
                        "INSERT INTO peer_inbox (peer, seq, message_id, kind, dossier_code, body, received_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
                        .bind(env.from.as_str()).bind(seq).bind(env.id.clone()).bind(env.kind.clone())
                        .bind(env.dossier.clone()).bind(body.to_string()).bind(Utc::now())
                        .execute(&mut *tx).await?.rows_affected();
                    if inserted != 1 {
                        return Ok(Received::Duplicate);
                    }
                    match env.kind.as_str() {
                        "dossier" => {
                            let sync: motcua_core::federation::DossierSync = serde_json::from_value(env.payload.clone())
                                .map_err(|e| StoreError::Invalid(format!("thông điệp hồ sơ không đọc được: {e}")))?;
                            apply_sync!(self, tx, &routing, &templates, &us, &env.from, sync);
                        }
                        "status" => {
                            let record: motcua_core::federation::StatusRecord = serde_json::from_value(env.payload.clone())
                                .map_err(|e| StoreError::Invalid(format!("bản ghi trạng thái không đọc được: {e}")))?;
                            apply_status!(tx, &routing, &env.from, record);
                        }
                        _ => {}
                    }
                    tx.commit().await?;
                    self.wake.ring();
                    Ok(Received::Applied)
                }
            }
        })
    }

    /// The first message to `peer` not yet delivered (dead or not):
    /// messages go in order, so nothing after it goes before it.
    pub async fn peer_next(&self, peer: &str) -> Result<Option<PeerMessage>, StoreError> {
        let sql = format!(
            "SELECT {PEER_COLS} FROM peer_outbox WHERE peer = $1 AND delivered_at IS NULL ORDER BY seq LIMIT 1"
        );
        Ok(
            with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(peer.to_string()).fetch_optional(p).await?),
        )
    }

    /// Messages to peers, oldest first (all, or only those not delivered).
    pub async fn peer_outbox(&self, pending_only: bool) -> Result<Vec<PeerMessage>, StoreError> {
        let filter = if pending_only {
            " WHERE delivered_at IS NULL"
        } else {
            ""
        };
        let sql = format!("SELECT {PEER_COLS} FROM peer_outbox{filter} ORDER BY peer, seq");
        Ok(with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// Marks the messages to `peer` up to number `through` delivered.
    pub async fn peer_delivered(
        &self,
        peer: &str,
        through: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE peer_outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL, dead_at = NULL \
                         WHERE peer = $2 AND seq <= $3 AND delivered_at IS NULL")
                .bind(at).bind(peer.to_string()).bind(through).execute(p).await?;
        });
        Ok(())
    }

    /// The peer lacks messages from number `from` (its data was restored
    /// from an older backup): sends them again.
    pub async fn peer_rewind(&self, peer: &str, from: i64) -> Result<u64, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query(
            "UPDATE peer_outbox SET delivered_at = NULL, attempts = 0 WHERE peer = $1 AND seq >= $2 AND delivered_at IS NOT NULL")
            .bind(peer.to_string()).bind(from).execute(p).await?.rows_affected()))
    }

    /// A failed attempt: retried at `next`.
    pub async fn peer_failed(
        &self,
        peer: &str,
        seq: i64,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE peer_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE peer = $3 AND seq = $4")
                .bind(error.to_string()).bind(next).bind(peer.to_string()).bind(seq).execute(p).await?;
        });
        Ok(())
    }

    /// The peer refused the message: it becomes a dead letter, and the
    /// messages after it wait until an administrator replays it.
    pub async fn peer_dead(
        &self,
        peer: &str,
        seq: i64,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE peer_outbox SET attempts = attempts + 1, last_error = $1, dead_at = $2 WHERE peer = $3 AND seq = $4")
                .bind(error.to_string()).bind(at).bind(peer.to_string()).bind(seq).execute(p).await?;
        });
        Ok(())
    }

    /// Makes dead letters (all, or the one with this message id) due again
    /// with a fresh attempt count; returns how many.
    pub async fn replay_peer_outbox(
        &self,
        id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(with_db!(&self.db, p => match id {
            Some(id) => sqlx::query("UPDATE peer_outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1 \
                                     WHERE delivered_at IS NULL AND message_id = $2")
                .bind(now).bind(id.to_string()).execute(p).await?.rows_affected(),
            None => sqlx::query("UPDATE peer_outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1 \
                                 WHERE delivered_at IS NULL AND dead_at IS NOT NULL")
                .bind(now).execute(p).await?.rows_affected(),
        }))
    }

    /// The installations holding a copy of a dossier, with the version they
    /// were sent.
    pub async fn dossier_peers(&self, code: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_as(
            "SELECT peer, sent_version FROM dossier_peer WHERE dossier_code = $1 ORDER BY peer")
            .bind(code.to_string()).fetch_all(p).await?))
    }

    /// Where a dossier was received, when it is a copy of another
    /// installation's (`None`: received here, or unknown).
    pub async fn dossier_home(&self, code: &str) -> Result<Option<String>, StoreError> {
        let h: Option<Option<String>> = with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT home FROM dossier WHERE code = $1").bind(code.to_string()).fetch_optional(p).await?);
        Ok(h.flatten())
    }

    /// The upper level's record of a dossier below it (status feed).
    pub async fn fed_record(
        &self,
        code: &str,
    ) -> Result<Option<motcua_core::federation::StatusRecord>, StoreError> {
        let t: Option<String> = with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT record FROM feed_dossier WHERE code = $1").bind(code.to_string()).fetch_optional(p).await?);
        t.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| StoreError::Corrupt(format!("feed_dossier {code}: {e}")))
        })
        .transpose()
    }

    /// How many dossiers the status feed holds (all installations below).
    pub async fn fed_count(&self) -> Result<i64, StoreError> {
        Ok(
            with_db!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM feed_dossier").fetch_one(p).await?),
        )
    }

    /// How many messages to `peer` are not delivered yet.
    pub async fn peer_backlog(&self, peer: &str) -> Result<i64, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM peer_outbox WHERE peer = $1 AND delivered_at IS NULL")
            .bind(peer.to_string()).fetch_one(p).await?))
    }

    /// When each message from `peer` was applied here: `(id, moment)`.
    pub async fn inbox_times(
        &self,
        peer: &str,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_as(
            "SELECT message_id, received_at FROM peer_inbox WHERE peer = $1 ORDER BY seq")
            .bind(peer.to_string()).fetch_all(p).await?))
    }

    /// How many messages were applied from a peer (tests, the peer list).
    pub async fn inbox_count(&self, peer: &InstallationId) -> Result<i64, StoreError> {
        Ok(
            with_db!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM peer_inbox WHERE peer = $1")
            .bind(peer.as_str()).fetch_one(p).await?),
        )
    }
}
