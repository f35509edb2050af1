//! Uploaded documents and results: content-addressed files (named by their
//! SHA-256) on the local file system, verified on every read. `Files` is the
//! one interface the application uses; an S3-compatible store is another
//! variant of it (same put/get by hash).

use crate::StoreError;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Kinds of file accepted by default, recognised by their first bytes.
pub const ACCEPTED: [(&str, &[u8]); 3] = [
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xFF\xD8\xFF"),
];

/// The media type the content really has, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    ACCEPTED
        .iter()
        .find(|(_, magic)| bytes.starts_with(magic))
        .map(|(t, _)| *t)
}

/// Where files live.
#[derive(Clone, Debug)]
pub enum Files {
    /// `ROOT/ab/abcdef…` for SHA-256 `abcdef…`.
    Local(PathBuf),
}

impl Files {
    pub fn local(root: impl Into<PathBuf>) -> Self {
        Files::Local(root.into())
    }

    fn path(&self, sha256: &str) -> Result<PathBuf, StoreError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(StoreError::Invalid(format!(
                "`{sha256}` không phải mã SHA-256"
            )));
        }
        match self {
            Files::Local(root) => Ok(root.join(&sha256[..2]).join(sha256)),
        }
    }

    /// Stores `bytes` (idempotent: the same content is stored once) and
    /// returns its SHA-256. Written to a temporary name, synced, then renamed,
    /// so a crash never leaves a half file under the hash.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let hash = hex::encode(Sha256::digest(bytes));
        let path = self.path(&hash)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(hash);
        }
        let io = |e: std::io::Error| StoreError::Invalid(format!("không ghi được tệp: {e}"));
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        let tmp = dir.join(format!(".{hash}.{}", uuid::Uuid::new_v4().simple()));
        {
            use tokio::io::AsyncWriteExt;
            let mut f = tokio::fs::File::create(&tmp).await.map_err(io)?;
            f.write_all(bytes).await.map_err(io)?;
            f.sync_all().await.map_err(io)?;
        }
        tokio::fs::rename(&tmp, &path).await.map_err(io)?;
        Ok(hash)
    }

    /// The content stored under `sha256`, checked against it.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path(sha256)?;
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| StoreError::NotFound(format!("không có tệp {sha256}: {e}")))?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(StoreError::Corrupt(format!(
                "tệp {sha256} đã bị hỏng (mã băm không khớp)"
            )));
        }
        Ok(bytes)
    }
}
