//! What a dossier write answers, and the idempotency key that makes a
//! repeated request get the same answer.

use crate::StoreError;

/// An idempotency key with the user and a hash of the request it came with.
/// Keys are the caller's own (per user); the hash covers the method, the
/// path and the body, so a key reused for another request (another
/// dossier's action, another body) is refused, never answered with the
/// first request's reply (as Stripe and the IETF Idempotency-Key draft do).
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub username: String,
    pub key: String,
    pub request_hash: String,
}

impl Idempotency {
    pub fn new(username: &str, key: &str, method: &str, path: &str, request_body: &[u8]) -> Self {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for part in [
            method.as_bytes(),
            b"\n",
            path.as_bytes(),
            b"\n",
            request_body,
        ] {
            h.update(part);
        }
        Idempotency {
            username: username.into(),
            key: key.into(),
            request_hash: hex::encode(h.finalize()),
        }
    }

    /// The refusal of a key reused for another request.
    pub(crate) fn reused(&self) -> StoreError {
        StoreError::KeyReused(format!(
            "khóa Idempotency-Key `{}` đã dùng cho một yêu cầu khác (đường dẫn hoặc nội dung khác); dùng khóa mới",
            self.key
        ))
    }
}

/// The answer to a create or transition: status and JSON body, and whether
/// it is the stored answer to an earlier request with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}
