//! The stored total of portal visits (the live counting is in memory, in
//! `motcua_core::visits` and the web layer).

use crate::db::with_db;
use crate::{Store, StoreError};

impl Store {
    /// The total of visits stored so far.
    pub async fn visit_total(&self) -> Result<i64, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_scalar("SELECT total FROM visit_counter WHERE id = 1")
            .fetch_optional(p).await?).unwrap_or(0))
    }

    /// Adds visits to the stored total (several servers may add theirs).
    pub async fn add_visits(&self, n: i64) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("UPDATE visit_counter SET total = total + $1 WHERE id = 1").bind(n).execute(p).await?;
        });
        Ok(())
    }
}
