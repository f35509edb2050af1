//! Storage of motcua on SQLite (embedded, default) and PostgreSQL, from one
//! code base: native sqlx pools in an enum, the same SQL text (`$n`
//! placeholders) for both engines, and two migration folders. See
//! docs/ARCHITECTURE.md ("Storage") for the choice and its trade-offs.

mod cache;
mod calendar;
mod catalogue;
mod chain;
pub mod citizens;
mod db;
pub mod demo;
pub mod distribution;
mod dossiers;
mod error;
mod event_codec;
pub mod federation;
pub mod files;
mod outbox;
mod portal;
mod processes;
mod queues;
pub mod reads;
mod reply;
pub mod reports;
mod routing;
pub mod sessions;
mod sql;
mod sqlite_writer;
mod sqlite_writes;
mod templates;
pub mod testing;
mod totals;
mod units;
mod users;
mod visits;
pub mod webhooks;

pub use calendar::BadDayRule;
pub use catalogue::{ImportSummary, ProcedureFilter, ProcedureVersion};
pub use chain::GENESIS_HASH;
pub use db::{SqliteDurability, Store, Wake};
pub use dossiers::{
    AuditReport, DocumentInfo, DossierRecord, ImportRows, ImportedDossier, StoredEvent,
};
pub use error::StoreError;
pub use outbox::{MAX_ATTEMPTS, OutboxMessage};
pub use portal::{Article, ArticleSummary, StatRow};
pub use processes::ProcessVersion;
pub use queues::{Queue, QueueScope, QueueSort};
pub use reply::{Idempotency, Reply};
pub use sessions::{LoginOutcome, Session, UserInfo};
pub use units::{AgencyFilter, UnitFilter};
pub use users::User;

/// One page of a listing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Paging asked for by a caller (validated by the web layer).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub const MAX_PER_PAGE: u32 = 500;
    pub fn new(page: u32, per_page: u32) -> Result<Self, StoreError> {
        if page == 0 || per_page == 0 || per_page > Self::MAX_PER_PAGE {
            return Err(StoreError::Invalid(format!(
                "trang phải ≥ 1 và số mục mỗi trang từ 1 đến {}",
                Self::MAX_PER_PAGE
            )));
        }
        Ok(Self { page, per_page })
    }
    pub fn all() -> Self {
        Self {
            page: 1,
            per_page: u32::MAX / 2,
        }
    }
    pub(crate) fn limit(&self) -> i64 {
        self.per_page as i64
    }
    pub(crate) fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.per_page as i64
    }
}
