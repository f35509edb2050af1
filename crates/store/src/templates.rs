//! Notice templates: an installation's own wording of the notices to
//! applicants, by action. Read by every dossier write (the outbox rows are
//! written in its transaction), so they are cached and reloaded after
//! `cache::TEMPLATES_TTL` or at once after a change here.

use crate::db::with_db;
use crate::{Store, StoreError};
use chrono::Utc;
use motcua_core::dossier::NoticeTemplate;
use std::collections::HashMap;
use std::sync::Arc;

/// The cached templates by action name.
pub(crate) type Templates = Arc<HashMap<String, NoticeTemplate>>;

impl Store {
    /// The templates by action name (cached).
    pub async fn notice_templates(&self) -> Result<Templates, StoreError> {
        if let Some(t) = self.templates.get(&()) {
            return Ok(t);
        }
        let rows: Vec<(String, String, String, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT action, subject, body, sms FROM notice_template").fetch_all(p).await?);
        let map: Templates = Arc::new(
            rows.into_iter()
                .map(|(a, subject, body, sms)| (a, NoticeTemplate { subject, body, sms }))
                .collect(),
        );
        self.templates.set((), map.clone());
        Ok(map)
    }

    /// Saves an action's template (checked).
    pub async fn set_notice_template(
        &self,
        action: &str,
        t: &NoticeTemplate,
        by: &str,
    ) -> Result<(), StoreError> {
        t.check().map_err(StoreError::Invalid)?;
        with_db!(&self.db, p => {
            sqlx::query("INSERT INTO notice_template (action, subject, body, sms, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (action) DO UPDATE SET subject = $2, body = $3, sms = $4, updated_by = $5, updated_at = $6")
                .bind(action).bind(t.subject.clone()).bind(t.body.clone()).bind(t.sms.clone()).bind(by).bind(Utc::now())
                .execute(p).await?;
        });
        self.forget_templates();
        Ok(())
    }

    /// Goes back to the built-in text of an action.
    pub async fn delete_notice_template(&self, action: &str) -> Result<(), StoreError> {
        with_db!(&self.db, p => {
            sqlx::query("DELETE FROM notice_template WHERE action = $1").bind(action).execute(p).await?;
        });
        self.forget_templates();
        Ok(())
    }

    fn forget_templates(&self) {
        self.templates.clear();
    }
}
