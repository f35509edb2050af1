//! The dossier's chain and identity, as stored: the code a desk's counter
//! gives, the stored JSON form of dossiers and events, and the hash chain
//! of events (`GENESIS_HASH`, `event_hash`). One home for each, used by
//! every write path (PostgreSQL, SQLite, a peer's sync) and by `audit
//! verify`.

use crate::StoreError;
use chrono::NaiveDate;
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::DossierCode;
use sha2::{Digest, Sha256};

/// The hash that precedes the first event of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of a secret, hex.
pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The hash of an event: SHA-256 of the previous hash and its stored text.
pub(crate) fn event_hash(prev: &str, data: &str) -> String {
    sha256_hex(&format!("{prev}\n{data}"))
}

/// The stored form of a dossier or an event: its JSON without the members
/// that say nothing (`null`, `[]`), which reading restores (`Option`s and
/// `#[serde(default)]` lists). An event's `payload` is kept as it is (it is
/// free-form: a `null` in it may mean something). The stored text of an
/// event is what its hash covers and what peers receive, so it is written
/// once and never re-encoded; events stored before this form (with their
/// nulls) read and verify as they are. About 40 % fewer bytes per dossier
/// (docs/benchmarks.md, issue 7).
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    let mut value =
        serde_json::to_value(v).map_err(|e| StoreError::Internal(format!("serialising: {e}")))?;
    if let serde_json::Value::Object(members) = &mut value {
        members.retain(|k, m| k == "payload" || !says_nothing(m));
        for (k, m) in members.iter_mut() {
            if k != "payload" {
                prune(m);
            }
        }
    }
    serde_json::to_string(&value).map_err(|e| StoreError::Internal(format!("serialising: {e}")))
}

fn says_nothing(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Drops `null` and `[]` members of every object inside `v`.
fn prune(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(members) => {
            members.retain(|_, m| !says_nothing(m));
            members.values_mut().for_each(prune);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

/// The code of a desk's `seq`-th dossier of `day`.
pub(crate) fn numbered(
    agency: &AgencyCode,
    day: NaiveDate,
    seq: i64,
) -> Result<DossierCode, StoreError> {
    let seq = u32::try_from(seq)
        .map_err(|_| StoreError::Invalid("hết số thứ tự hồ sơ trong ngày".into()))?;
    DossierCode::new(agency, day, seq).map_err(|e| StoreError::Invalid(e.to_string()))
}
