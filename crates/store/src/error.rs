use motcua_core::import::ImportError;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("không kết nối được cơ sở dữ liệu `{url}`: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("địa chỉ cơ sở dữ liệu `{0}` không hợp lệ: cần sqlite://… hoặc postgres://…")]
    BadUrl(String),
    #[error("lỗi cập nhật cấu trúc cơ sở dữ liệu: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Calendar(#[from] motcua_core::calendar::CalendarError),
    /// Stored data that cannot be read (a row a bug or a hand wrote).
    #[error("dữ liệu lưu trữ hỏng: {0}")]
    Corrupt(String),
    /// Something went wrong inside the store, not in the data: a value
    /// that would not serialise, a hash that would not compute, a write
    /// group that failed or was dropped. The message says which.
    #[error("lỗi nội bộ của kho dữ liệu: {0}")]
    Internal(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// The thing exists already (a second rating, a used address).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Transition(motcua_core::dossier::TransitionError),
    /// An idempotency key reused for a different request.
    #[error("{0}")]
    KeyReused(String),
    /// The caller is known but may not do this (a peer's message outside
    /// what it hosts).
    #[error("{0}")]
    Forbidden(String),
}
