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
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
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
}
