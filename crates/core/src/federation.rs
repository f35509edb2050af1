//! Messages between motcua installations (issue 8, docs/federation.md): a
//! commune's, a district's and a province's systems exchange dossiers as
//! signed messages. Pure: the envelope, its canonical text, ed25519
//! signatures and the receiver's ordering rule; keys come from the caller
//! (generating them needs the operating system's randomness).
//!
//! A message travels as its envelope's JSON text plus an ed25519 signature
//! over exactly that text, so nothing is re-serialised before checking.
//! Each sender numbers its messages to each peer 1, 2, 3, …; the receiver
//! applies message `n` only after `n − 1`, treats a number it already
//! applied as a duplicate (answered, not applied again) and a number past
//! the next as a gap (refused until the missing ones arrive).

use chrono::{DateTime, Utc};
use ed25519_dalek::Signer;
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Why a message is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    #[error("khóa không hợp lệ: {0}")]
    Key(String),
    #[error("chữ ký không đúng: thông điệp bị sửa hoặc không phải của {0}")]
    Signature(String),
    #[error("thông điệp không đọc được: {0}")]
    Format(String),
    #[error("thông điệp gửi cho {to}, không phải cho {us}")]
    WrongRecipient { to: String, us: String },
    #[error("thông điệp của {claimed} nhưng gửi từ {peer}")]
    WrongSender { claimed: String, peer: String },
    /// Signed by a peer, but not something that peer may do here.
    #[error("{peer} không được phép: {why}")]
    NotAllowed { peer: String, why: String },
}

/// Where an agency is hosted, as the receiver of a message sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// This installation hosts it (it is stored here and no peer hosts it).
    Here,
    /// The sender of the message hosts it.
    Sender,
    /// Another peer, or nobody known here.
    Elsewhere,
}

fn not_allowed(peer: &InstallationId, why: String) -> FederationError {
    FederationError::NotAllowed {
        peer: peer.to_string(),
        why,
    }
}

/// Whether a peer may apply a `dossier` message here (issue 18.2): its
/// signature says who sent it, this says what that sender may do.
///
/// - A dossier new here must come by a transfer, made by one of the
///   sender's officers, to an agency hosted here; it cannot claim to have
///   been received here, nor carry the code of one of our desks.
/// - A dossier known here may be changed only while the sender hosts the
///   agency holding it (our copy's holder): one writer at a time.
/// - No event the sender adds may be made by an officer of an agency
///   hosted here (those events are written here, never received).
pub fn authorise_sync(
    sender: &InstallationId,
    us: &InstallationId,
    host: impl Fn(&str) -> Host,
    ours_before: Option<&crate::dossier::Dossier>,
    sync: &DossierSync,
    new_events: &[crate::dossier::Event],
) -> Result<(), FederationError> {
    use crate::dossier::Actor;
    let d = &sync.dossier;
    for e in new_events {
        if let Actor::Officer {
            agency, user_id, ..
        } = &e.actor
            && host(agency.as_str()) == Host::Here
        {
            return Err(not_allowed(
                sender,
                format!(
                    "sự kiện {} ghi cán bộ {user_id} của cơ quan {agency} thuộc hệ thống này",
                    e.version
                ),
            ));
        }
    }
    match ours_before {
        Some(before) => {
            let holder = before.holder();
            if host(holder.as_str()) != Host::Sender {
                return Err(not_allowed(
                    sender,
                    format!(
                        "hồ sơ {} đang ở cơ quan {holder}, không thuộc hệ thống gửi",
                        d.code
                    ),
                ));
            }
        }
        None => {
            if sync.home == *us {
                return Err(not_allowed(
                    sender,
                    format!("hồ sơ {} không được tiếp nhận tại hệ thống này", d.code),
                ));
            }
            if host(d.receiving_agency.as_str()) == Host::Here {
                return Err(not_allowed(
                    sender,
                    format!(
                        "mã hồ sơ {} là của bộ phận {} thuộc hệ thống này",
                        d.code, d.receiving_agency
                    ),
                ));
            }
            if host(d.holder().as_str()) != Host::Here {
                return Err(not_allowed(
                    sender,
                    format!(
                        "hồ sơ {} không được chuyển đến cơ quan thuộc hệ thống này",
                        d.code
                    ),
                ));
            }
            let by_sender = new_events.last().is_some_and(|e| match &e.actor {
                Actor::Officer { agency, .. } => host(agency.as_str()) == Host::Sender,
                _ => false,
            });
            if !by_sender {
                return Err(not_allowed(
                    sender,
                    format!(
                        "hồ sơ {} không do cán bộ của hệ thống gửi chuyển đến",
                        d.code
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether a peer may write this status record here: only for dossiers
/// received at an agency it hosts, and never over a record another
/// installation wrote (`stored_by`).
pub fn authorise_status(
    sender: &InstallationId,
    host: impl Fn(&str) -> Host,
    record: &StatusRecord,
    stored_by: Option<&str>,
) -> Result<(), FederationError> {
    if host(&record.agency) != Host::Sender {
        return Err(not_allowed(
            sender,
            format!(
                "bản ghi {} của bộ phận {} không thuộc hệ thống gửi",
                record.code, record.agency
            ),
        ));
    }
    if let Some(other) = stored_by
        && other != sender.as_str()
    {
        return Err(not_allowed(
            sender,
            format!("bản ghi {} do hệ thống {other} gửi", record.code),
        ));
    }
    Ok(())
}

/// How a person who acted on a dossier is named here. A peer's officer
/// (an officer of an agency that `hosted_by` says a peer hosts) is
/// `peer/username`, so that no one reads a peer's people as local users of
/// the same name; everyone else by their own name.
pub fn person_named<'a>(
    user_id: &str,
    agency: Option<&str>,
    hosted_by: impl Fn(&str) -> Option<&'a InstallationId>,
) -> String {
    match agency.and_then(hosted_by) {
        Some(peer) => format!("{peer}/{user_id}"),
        None => user_id.to_string(),
    }
}

/// Who, of a dossier held at `holder`, is its assignee here: nobody when a
/// peer hosts the holder (the assignee is one of the peer's officers, and a
/// local user of the same name must not find the dossier in their queue).
pub fn local_assignee<'a>(
    assignee: Option<&'a str>,
    holder: &str,
    hosted_by_peer: impl Fn(&str) -> bool,
) -> Option<&'a str> {
    if hosted_by_peer(holder) {
        None
    } else {
        assignee
    }
}

/// An installation's name among its peers: 1 to 64 characters of
/// letters, digits, `.`, `-`, `_` (e.g. `H55.305` or `dong-hy`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstallationId(String);

impl InstallationId {
    pub fn new(s: &str) -> Result<InstallationId, FederationError> {
        let s = s.trim();
        if s.is_empty()
            || s.len() > 64
            || !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(FederationError::Format(format!(
                "tên hệ thống `{s}`: 1-64 ký tự chữ, số, `.`, `-`, `_`"
            )));
        }
        Ok(InstallationId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InstallationId {
    type Error = FederationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        InstallationId::new(&s)
    }
}

impl From<InstallationId> for String {
    fn from(i: InstallationId) -> String {
        i.0
    }
}

impl std::fmt::Display for InstallationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a message says: its kind and payload, with where it comes from and
/// goes to, its unique id and the sender's sequence number to this peer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique id (UUID) of the message.
    pub id: String,
    pub from: InstallationId,
    pub to: InstallationId,
    /// 1, 2, 3, … per (sender, receiver).
    pub seq: u64,
    /// The dossier concerned, if any (messages are ordered per peer, so per
    /// dossier too).
    #[serde(default)]
    pub dossier: Option<String>,
    /// `transfer`, `return`, `status`, `ping`, …
    pub kind: String,
    pub sent_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// A message on the wire: the envelope's JSON text and the signature over
/// it (hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedMessage {
    pub body: String,
    pub signature: String,
}

/// Lower-case hexadecimal.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads hexadecimal of exactly `N` bytes.
pub fn from_hex<const N: usize>(s: &str) -> Result<[u8; N], FederationError> {
    let s = s.trim();
    let bad = || FederationError::Key(format!("cần {} ký tự hex, có `{s}`", 2 * N));
    if s.len() != 2 * N || !s.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// A signing key from 32 secret bytes (hex).
pub fn signing_key(secret_hex: &str) -> Result<SigningKey, FederationError> {
    Ok(SigningKey::from_bytes(&from_hex::<32>(secret_hex)?))
}

/// A peer's public key (hex).
pub fn verifying_key(public_hex: &str) -> Result<VerifyingKey, FederationError> {
    VerifyingKey::from_bytes(&from_hex::<32>(public_hex)?)
        .map_err(|e| FederationError::Key(e.to_string()))
}

/// The public key of a signing key, hex.
pub fn public_hex(key: &SigningKey) -> String {
    to_hex(key.verifying_key().as_bytes())
}

/// Signs an envelope.
pub fn sign(key: &SigningKey, env: &Envelope) -> Result<SignedMessage, FederationError> {
    let body = serde_json::to_string(env).map_err(|e| FederationError::Format(e.to_string()))?;
    let signature = to_hex(&key.sign(body.as_bytes()).to_bytes());
    Ok(SignedMessage { body, signature })
}

/// How far the time of a delivery's transport signature may be from the
/// receiver's clock.
pub const TRANSPORT_SKEW_SECONDS: i64 = 300;

/// The text a delivery's transport signature covers: who sends, to whom,
/// when, and how many bytes the body has. It travels in headers
/// (`X-Motcua-From`, `X-Motcua-Time`, `X-Motcua-Signature`), so that the
/// receiver knows the caller, and how much it will read, before it reads
/// a byte of the body (issue 18.5).
fn transport_text(from: &InstallationId, to: &InstallationId, at: i64, length: u64) -> String {
    format!("motcua-delivery\n{from}\n{to}\n{at}\n{length}")
}

/// Signs a delivery of `length` bytes at `at` (Unix seconds); hex.
pub fn sign_transport(
    key: &SigningKey,
    from: &InstallationId,
    to: &InstallationId,
    at: i64,
    length: u64,
) -> String {
    to_hex(
        &key.sign(transport_text(from, to, at, length).as_bytes())
            .to_bytes(),
    )
}

/// Checks a delivery's transport signature before its body is read: made
/// by `from`'s key for us, for exactly `length` bytes, within
/// [`TRANSPORT_SKEW_SECONDS`] of `now` (Unix seconds).
pub fn verify_transport(
    key: &VerifyingKey,
    from: &InstallationId,
    us: &InstallationId,
    at: i64,
    length: u64,
    signature_hex: &str,
    now: i64,
) -> Result<(), FederationError> {
    if (now - at).abs() > TRANSPORT_SKEW_SECONDS {
        return Err(FederationError::Signature(format!(
            "{from} (giờ ký {at} lệch quá {TRANSPORT_SKEW_SECONDS} giây so với {now})"
        )));
    }
    let sig = ed25519_dalek::Signature::from_bytes(
        &from_hex::<64>(signature_hex).map_err(|_| FederationError::Signature(from.to_string()))?,
    );
    key.verify_strict(transport_text(from, us, at, length).as_bytes(), &sig)
        .map_err(|_| FederationError::Signature(from.to_string()))
}

/// Checks a message from `peer` (whose key is `key`) to `us`: the
/// signature over the exact text, then the envelope's sender and receiver.
pub fn verify(
    msg: &SignedMessage,
    peer: &InstallationId,
    key: &VerifyingKey,
    us: &InstallationId,
) -> Result<Envelope, FederationError> {
    let sig = ed25519_dalek::Signature::from_bytes(
        &from_hex::<64>(&msg.signature)
            .map_err(|_| FederationError::Signature(peer.to_string()))?,
    );
    key.verify_strict(msg.body.as_bytes(), &sig)
        .map_err(|_| FederationError::Signature(peer.to_string()))?;
    let env: Envelope =
        serde_json::from_str(&msg.body).map_err(|e| FederationError::Format(e.to_string()))?;
    if &env.from != peer {
        return Err(FederationError::WrongSender {
            claimed: env.from.to_string(),
            peer: peer.to_string(),
        });
    }
    if &env.to != us {
        return Err(FederationError::WrongRecipient {
            to: env.to.to_string(),
            us: us.to_string(),
        });
    }
    Ok(env)
}

/// What the receiver does with message `seq` after applying up to `last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The next one: apply it.
    Apply,
    /// Already applied: answer as before, change nothing.
    Duplicate,
    /// Messages are missing before it: refuse until they arrive.
    Gap { expected: u64 },
}

pub fn order(last: u64, seq: u64) -> Order {
    if seq <= last {
        Order::Duplicate
    } else if seq == last + 1 {
        Order::Apply
    } else {
        Order::Gap { expected: last + 1 }
    }
}

/// The delay before retry number `attempts` (1, 2, …) of a message that
/// could not be delivered: `base` doubled per attempt, at most `cap`.
pub fn backoff(
    attempts: u32,
    base: std::time::Duration,
    cap: std::time::Duration,
) -> std::time::Duration {
    let factor = 1u32
        .checked_shl(attempts.saturating_sub(1).min(31))
        .unwrap_or(u32::MAX);
    base.checked_mul(factor).map_or(cap, |d| d.min(cap))
}

/// One event of a dossier's hash chain, as stored: its version, its JSON
/// text, the previous event's hash and its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncedEvent {
    pub version: u64,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A document of a dossier; its content travels beside the signed body
/// (named by this SHA-256, which the signature covers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncedDocument {
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Message kind `dossier`: a dossier shared between installations (sent on
/// a transfer to an agency another installation hosts, and on every change
/// after that, both ways). The receiver appends the events it lacks to its
/// copy of the chain and takes the sender's dossier as is, so that both
/// show the same state and due moment, whatever their clocks.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DossierSync {
    /// Where the dossier was received: its statistics, notices and status
    /// feed are kept there only.
    pub home: InstallationId,
    /// The receiving desk's administrative unit.
    pub unit_code: String,
    pub dossier: crate::dossier::Dossier,
    /// The events the receiver does not have yet, oldest first.
    pub events: Vec<SyncedEvent>,
    /// Documents the receiver has not been sent yet.
    #[serde(default)]
    pub documents: Vec<SyncedDocument>,
}

/// Why a shared dossier's events cannot be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("sự kiện {version}: băm không khớp nội dung")]
    BadHash { version: u64 },
    #[error("sự kiện {version}: không nối tiếp sự kiện trước")]
    Broken { version: u64 },
    #[error("thiếu sự kiện từ phiên bản {expected}")]
    Gap { expected: u64 },
    #[error("sự kiện {version} khác với bản đã có (hai nơi cùng sửa hồ sơ)")]
    Fork { version: u64 },
}

/// The events of `incoming` that extend a local chain ending at
/// `local_version` with hash `local_hash` (0 and `genesis` when the dossier
/// is new here), after checking that every incoming event hashes to its
/// stated hash (`hash(prev, data)`), links to its predecessor, and agrees
/// with the local chain where they overlap.
pub fn new_events<'a>(
    local_version: u64,
    local_hash: &str,
    genesis: &str,
    incoming: &'a [SyncedEvent],
    hash: impl Fn(&str, &str) -> String,
) -> Result<&'a [SyncedEvent], ChainError> {
    let mut prev: Option<&SyncedEvent> = None;
    for e in incoming {
        if hash(&e.prev_hash, &e.data) != e.hash {
            return Err(ChainError::BadHash { version: e.version });
        }
        let linked = match prev {
            Some(p) => e.version == p.version + 1 && e.prev_hash == p.hash,
            None => e.version >= 1 && (e.version > 1 || e.prev_hash == genesis),
        };
        if !linked {
            return Err(ChainError::Broken { version: e.version });
        }
        prev = Some(e);
    }
    let Some(first) = incoming.first() else {
        return Ok(incoming);
    };
    if first.version > local_version + 1 {
        return Err(ChainError::Gap {
            expected: local_version + 1,
        });
    }
    if let Some(same) = incoming.iter().find(|e| e.version == local_version)
        && same.hash != local_hash
    {
        return Err(ChainError::Fork {
            version: local_version,
        });
    }
    let skip = (local_version + 1 - first.version) as usize;
    let rest = incoming.get(skip..).unwrap_or(&[]);
    if let Some(next) = rest.first()
        && next.prev_hash != local_hash
        && !(local_version == 0 && next.prev_hash == genesis)
    {
        return Err(ChainError::Fork {
            version: next.version,
        });
    }
    Ok(rest)
}

/// A moment as the national portal writes it: `yyyyMMddHHmmss`, local time.
fn national_time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y%m%d%H%M%S").to_string()
}

/// The last step of a status record (`QuaTrinhXuLy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(rename = "NguoiXuLy")]
    pub officer: String,
    #[serde(rename = "PhongBanXuLy")]
    pub agency: String,
    #[serde(rename = "ThoiDiemXuLy")]
    pub at: String,
    #[serde(rename = "NoiDungXuLy")]
    pub action: String,
    #[serde(rename = "TrangThai")]
    pub state_code: u8,
}

/// What the statistics need of a dossier, at full precision (motcua's
/// extension of the national record: `yyyyMMddHHmmss` drops the
/// sub-second part, which can decide on time against overdue).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusFacts {
    pub version: u64,
    pub state: crate::dossier::State,
    pub channel: crate::dossier::Channel,
    pub received_at: Option<chrono::NaiveDateTime>,
    pub due_at: Option<chrono::NaiveDateTime>,
    pub finished: Option<(crate::dossier::OutcomeKind, chrono::NaiveDateTime)>,
}

/// Message kind `status`: a dossier's status after a change, for an upper
/// level (province, national portal). Field names follow the national
/// portal's dossier and progress records (domain.md §8.3: `MaHoSo`,
/// `TrangThaiHoSo` 1–10, `KenhThucHien` 1–3, times `yyyyMMddHHmmss` in
/// Asia/Ho_Chi_Minh); `x_motcua` carries the exact facts the statistics
/// classify, so the upper level's reports equal the sum of the senders'.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    #[serde(rename = "MaTTHC")]
    pub procedure: String,
    /// The receiving desk (`NoiNopHoSo`).
    #[serde(rename = "NoiNopHoSo")]
    pub agency: String,
    /// The agency holding the dossier now (`DonViXuLy`).
    #[serde(rename = "DonViXuLy")]
    pub holder: String,
    /// The receiving desk's administrative unit.
    #[serde(rename = "MaDonViHanhChinh")]
    pub unit_code: String,
    #[serde(rename = "KenhThucHien")]
    pub channel_code: u8,
    #[serde(rename = "TrangThaiHoSo")]
    pub state_code: u8,
    #[serde(rename = "NgayTiepNhan")]
    pub received_at: Option<String>,
    #[serde(rename = "NgayHenTra")]
    pub due_at: Option<String>,
    #[serde(rename = "NgayKetThucXuLy")]
    pub finished_at: Option<String>,
    #[serde(rename = "NgayTra")]
    pub returned_at: Option<String>,
    #[serde(rename = "QuaTrinhXuLy")]
    pub progress: Progress,
    pub x_motcua: StatusFacts,
}

impl StatusRecord {
    /// The record of dossier `d` (of unit `unit`) after its event `ev`.
    pub fn of(d: &crate::dossier::Dossier, unit: &str, ev: &crate::dossier::Event) -> StatusRecord {
        let facts = crate::stats::Facts::of(d);
        StatusRecord {
            code: d.code.to_string(),
            procedure: d.procedure.code.to_string(),
            agency: d.receiving_agency.to_string(),
            holder: d.holder().to_string(),
            unit_code: unit.to_string(),
            channel_code: d.channel.national_code(),
            state_code: d.state.national_code(),
            received_at: d.received_at.map(national_time),
            due_at: d.due_at.map(national_time),
            finished_at: d.outcome.as_ref().map(|o| national_time(o.at)),
            returned_at: d.returned.as_ref().map(|r| national_time(r.at)),
            progress: Progress {
                officer: match &ev.actor {
                    crate::dossier::Actor::Officer { user_id, .. }
                    | crate::dossier::Actor::Applicant { user_id, .. } => user_id.clone(),
                    crate::dossier::Actor::System { name } => name.clone(),
                },
                agency: match &ev.actor {
                    crate::dossier::Actor::Officer { agency, .. } => agency.to_string(),
                    _ => String::new(),
                },
                at: national_time(ev.at),
                action: ev.action.label_vi().to_string(),
                state_code: ev.to.national_code(),
            },
            x_motcua: StatusFacts {
                version: d.version,
                state: d.state,
                channel: d.channel,
                received_at: facts.received_at,
                due_at: facts.due_at,
                finished: facts.finished,
            },
        }
    }

    /// What the statistics read of the dossier this record describes.
    pub fn facts(&self) -> crate::stats::Facts {
        crate::stats::Facts {
            received_at: self.x_motcua.received_at,
            channel: self.x_motcua.channel,
            due_at: self.x_motcua.due_at,
            finished: self.x_motcua.finished,
        }
    }
}

#[cfg(test)]
mod transport_tests {
    use super::*;

    #[test]
    fn a_transport_signature_binds_sender_receiver_time_and_length() {
        let k = SigningKey::from_bytes(&[7; 32]);
        let (a, b) = (
            InstallationId::new("xa").unwrap(),
            InstallationId::new("so").unwrap(),
        );
        let sig = sign_transport(&k, &a, &b, 1_000, 512);
        let vk = k.verifying_key();
        assert_eq!(
            verify_transport(&vk, &a, &b, 1_000, 512, &sig, 1_100),
            Ok(())
        );
        for (us, at, len, now) in [
            (&a, 1_000, 512, 1_000),
            (&b, 1_000, 513, 1_000),
            (&b, 1_001, 512, 1_000),
            (&b, 1_000, 512, 1_301),
        ] {
            assert!(
                verify_transport(&vk, &a, us, at, len, &sig, now).is_err(),
                "{us} {at} {len} {now}"
            );
        }
        assert!(verify_transport(&vk, &a, &b, 1_000, 512, "zz", 1_000).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> SigningKey {
        SigningKey::from_bytes(&[b; 32])
    }
    fn id(s: &str) -> InstallationId {
        InstallationId::new(s).unwrap()
    }
    fn env(seq: u64) -> Envelope {
        Envelope {
            id: format!("00000000-0000-4000-8000-{seq:012}"),
            from: id("xa-song-cau"),
            to: id("huyen-dong-hy"),
            seq,
            dossier: Some("001.11.21.H55-180312-0001".into()),
            kind: "transfer".into(),
            sent_at: DateTime::parse_from_rfc3339("2018-03-12T08:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            payload: serde_json::json!({"task": "Xin ý kiến phòng Tư pháp", "budget": 240}),
        }
    }

    #[test]
    fn a_peers_officer_is_named_with_the_peer_and_never_as_a_local_user() {
        let peer = id("xa-song-cau");
        let hosted = |a: &str| (a == "H55.305.1").then_some(&peer);
        assert_eq!(
            person_named("ttb", Some("H55.305.1"), hosted),
            "xa-song-cau/ttb"
        );
        assert_eq!(person_named("ttb", Some("H55.305"), hosted), "ttb");
        assert_eq!(person_named("cong-dan", None, hosted), "cong-dan");
        let remote = |a: &str| a == "H55.305.1";
        assert_eq!(local_assignee(Some("ttb"), "H55.305.1", remote), None);
        assert_eq!(local_assignee(Some("ttb"), "H55.305", remote), Some("ttb"));
        assert_eq!(local_assignee(None, "H55.305", remote), None);
    }

    #[test]
    fn a_signed_message_verifies_and_a_changed_one_does_not() {
        let k = key(7);
        let m = sign(&k, &env(1)).unwrap();
        let got = verify(
            &m,
            &id("xa-song-cau"),
            &k.verifying_key(),
            &id("huyen-dong-hy"),
        )
        .unwrap();
        assert_eq!(got, env(1));
        // One changed character of the body, of the signature: refused.
        let mut t = m.clone();
        t.body = t.body.replace("240", "241");
        assert!(matches!(
            verify(
                &t,
                &id("xa-song-cau"),
                &k.verifying_key(),
                &id("huyen-dong-hy")
            ),
            Err(FederationError::Signature(_))
        ));
        let mut t = m.clone();
        let last = t.signature.pop().unwrap();
        t.signature.push(if last == '0' { '1' } else { '0' });
        assert!(
            verify(
                &t,
                &id("xa-song-cau"),
                &k.verifying_key(),
                &id("huyen-dong-hy")
            )
            .is_err()
        );
        // Another key, another recipient, a sender who is not the peer.
        assert!(
            verify(
                &m,
                &id("xa-song-cau"),
                &key(8).verifying_key(),
                &id("huyen-dong-hy")
            )
            .is_err()
        );
        assert!(matches!(
            verify(&m, &id("xa-song-cau"), &k.verifying_key(), &id("tinh")),
            Err(FederationError::WrongRecipient { .. })
        ));
        assert!(matches!(
            verify(&m, &id("xa-khac"), &k.verifying_key(), &id("huyen-dong-hy")),
            Err(FederationError::WrongSender { .. })
        ));
    }

    #[test]
    fn keys_round_trip_in_hex_and_bad_ones_are_refused() {
        let k = key(9);
        let secret = to_hex(&k.to_bytes());
        assert_eq!(signing_key(&secret).unwrap().to_bytes(), k.to_bytes());
        assert_eq!(verifying_key(&public_hex(&k)).unwrap(), k.verifying_key());
        assert!(verifying_key("abc").is_err());
        assert!(signing_key(&"zz".repeat(32)).is_err());
        assert!(InstallationId::new("xã sông cầu").is_err());
        assert!(InstallationId::new("").is_err());
    }

    #[test]
    fn messages_apply_in_order_once() {
        assert_eq!(order(0, 1), Order::Apply);
        assert_eq!(order(3, 4), Order::Apply);
        assert_eq!(order(3, 3), Order::Duplicate);
        assert_eq!(order(3, 1), Order::Duplicate);
        assert_eq!(order(3, 6), Order::Gap { expected: 4 });
    }

    /// A toy hash for chain tests (the store uses SHA-256).
    fn h(prev: &str, data: &str) -> String {
        format!(
            "{:x}",
            prev.len() * 31
                + data.len() * 7
                + data.bytes().map(usize::from).sum::<usize>()
                + prev.bytes().map(usize::from).sum::<usize>()
        )
    }

    fn chain(n: u64) -> Vec<SyncedEvent> {
        let mut prev = "genesis".to_string();
        (1..=n)
            .map(|v| {
                let data = format!("{{\"v\":{v}}}");
                let hash = h(&prev, &data);
                let e = SyncedEvent {
                    version: v,
                    data,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn new_events_extend_the_local_chain_and_refuse_forks_gaps_and_tampering() {
        let all = chain(6);
        // New here: everything from version 1.
        assert_eq!(
            new_events(0, "genesis", "genesis", &all, h).unwrap().len(),
            6
        );
        // Have 1..=3: the rest, whether sent from 1 or from 3.
        let local = &all[2].hash;
        assert_eq!(new_events(3, local, "genesis", &all, h).unwrap(), &all[3..]);
        assert_eq!(
            new_events(3, local, "genesis", &all[2..], h).unwrap(),
            &all[3..]
        );
        assert_eq!(
            new_events(3, local, "genesis", &all[3..], h).unwrap(),
            &all[3..]
        );
        // Nothing new.
        assert!(
            new_events(6, &all[5].hash, "genesis", &all[1..], h)
                .unwrap()
                .is_empty()
        );
        // Missing 4.
        assert_eq!(
            new_events(3, local, "genesis", &all[4..], h),
            Err(ChainError::Gap { expected: 4 })
        );
        // Another version 3 here: a fork.
        assert_eq!(
            new_events(3, "other", "genesis", &all[2..], h),
            Err(ChainError::Fork { version: 3 })
        );
        assert_eq!(
            new_events(3, "other", "genesis", &all[3..], h),
            Err(ChainError::Fork { version: 4 })
        );
        // A changed event or a broken link.
        let mut bad = all.clone();
        bad[4].data = "{\"v\":99}".into();
        assert_eq!(
            new_events(3, local, "genesis", &bad, h),
            Err(ChainError::BadHash { version: 5 })
        );
        let mut skipped = all.clone();
        skipped.remove(3);
        assert_eq!(
            new_events(3, local, "genesis", &skipped, h),
            Err(ChainError::Broken { version: 5 })
        );
    }

    proptest::proptest! {
        /// Any suffix of a chain, sent to any prefix of it, gives the chain.
        #[test]
        fn any_overlapping_suffix_completes_any_prefix(n in 1u64..20, have in 0u64..20, from in 0u64..20) {
            let all = chain(n);
            let have = have.min(n);
            let from = from.min(have); // the sender starts at or before what we lack
            let local = if have == 0 { "genesis".to_string() } else { all[have as usize - 1].hash.clone() };
            let got = new_events(have, &local, "genesis", &all[from as usize..], h).unwrap();
            proptest::prop_assert_eq!(got, &all[have as usize..]);
        }

        /// Retries wait longer each time, never more than the cap.
        #[test]
        fn backoff_grows_and_is_capped(a in 1u32..200) {
            let base = std::time::Duration::from_millis(500);
            let cap = std::time::Duration::from_secs(300);
            let d = backoff(a, base, cap);
            proptest::prop_assert!(d <= cap && d >= base.min(cap));
            proptest::prop_assert!(backoff(a + 1, base, cap) >= d);
        }
    }

    #[test]
    fn a_status_record_carries_the_facts_the_statistics_read() {
        use crate::calendar::{ProcessingTime, WorkCalendar};
        use crate::codes::{AgencyCode, ProcedureCode};
        use crate::dossier::{
            Actor, Applicant, ApplicantKind, Channel, Dossier, DossierCode, NewDossier,
            ProcedureRef, Role,
        };
        let desk = AgencyCode::new("H55.305.1").unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let day = at.date();
        let actor = Actor::officer("tiepnhan", Role::ReceptionOfficer, &desk);
        let (d, ev) = Dossier::receive_new(
            NewDossier {
                code: DossierCode::new(&desk, day, 1).unwrap(),
                procedure: ProcedureRef {
                    code: ProcedureCode::new("1.001193").unwrap(),
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
                .unwrap(),
                channel: Channel::Postal,
                agency: desk.clone(),
                process: None,
            },
            &actor,
            at,
            WorkCalendar::standard_shared(),
        )
        .unwrap();
        let r = StatusRecord::of(&d, "05692", &ev);
        assert_eq!(r.facts(), crate::stats::Facts::of(&d));
        assert_eq!((r.state_code, r.channel_code), (2, 3));
        assert_eq!(r.received_at.as_deref(), Some("20261201090000"));
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.contains("\"MaHoSo\":\"") && text.contains("\"TrangThaiHoSo\":2"));
        let back: StatusRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
    }
}
