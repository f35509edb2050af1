//! The officers' work queues (issue 5 §3) in SQL: core's queue rules
//! (`motcua_core::dossier::Queue::rule`) on indexed columns of `dossier`
//! (current and receiving agency, assignee, state, due moment), with their
//! counts for the navigation; the page shows the stored dossiers themselves.

use crate::db::with_db;
use crate::{Page, Paging, Store, StoreError};
use chrono::{DateTime, Utc};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Dossier;

pub use motcua_core::dossier::Queue;
use motcua_core::dossier::{DueWindow, Whose};

/// The SQL condition of a queue's rule (core's [`Queue::rule`]): $1 agency,
/// $2 user, $3 now, $4 tonight, $5 end of the second next working day.
fn condition(q: Queue) -> String {
    let rule = q.rule();
    let whose = match rule.whose {
        Whose::Assigned => "assignee = $2",
        Whose::Held => "current_agency = $1",
        Whose::Received => "receiving_agency = $1",
        Whose::ReceivedHeldElsewhere => "receiving_agency = $1 AND current_agency <> $1",
    };
    let states = rule
        .states()
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",");
    let due = match rule.due {
        DueWindow::Any => "",
        DueWindow::Today => " AND due_at >= $3 AND due_at <= $4",
        DueWindow::Soon => " AND due_at > $4 AND due_at <= $5",
        DueWindow::Past => " AND due_at < $3",
    };
    format!("{whose} AND state IN ({states}){due}")
}

/// Order of a queue page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueSort {
    /// Earliest due first (no due moment last).
    Due,
    /// Most recently received first.
    Received,
    Code,
}

/// Who is asking and when: the bounds of "today" and "soon" are the web
/// layer's, computed with the agency's working calendar.
#[derive(Clone, Debug)]
pub struct QueueScope {
    pub agency: AgencyCode,
    pub username: String,
    pub now: DateTime<Utc>,
    pub tonight: DateTime<Utc>,
    pub soon: DateTime<Utc>,
}

impl Store {
    /// How many dossiers each queue holds, in [`Queue::ALL`] order.
    pub async fn queue_counts(&self, s: &QueueScope) -> Result<Vec<(Queue, i64)>, StoreError> {
        let sums = Queue::ALL
            .iter()
            .map(|q| {
                format!(
                    "COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0)",
                    condition(*q)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {sums} FROM dossier WHERE current_agency = $1 OR receiving_agency = $1 OR assignee = $2"
        );
        let counts: Vec<i64> = with_db!(&self.db, p => {
            use sqlx::Row;
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(s.agency.as_str()).bind(s.username.clone()).bind(s.now).bind(s.tonight).bind(s.soon)
                .fetch_one(p).await?;
            (0..Queue::ALL.len()).map(|i| row.try_get::<i64, _>(i)).collect::<Result<_, _>>()?
        });
        Ok(Queue::ALL.into_iter().zip(counts).collect())
    }

    /// One page of a queue, optionally narrowed to codes starting with
    /// `code_prefix`.
    pub async fn queue(
        &self,
        q: Queue,
        s: &QueueScope,
        sort: QueueSort,
        code_prefix: Option<&str>,
        paging: Paging,
    ) -> Result<Page<Dossier>, StoreError> {
        let order = match sort {
            QueueSort::Due => "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, code",
            QueueSort::Received => "received_at DESC, code DESC",
            QueueSort::Code => "code",
        };
        let prefix = code_prefix
            .map(|p| format!("{}%", motcua_core::text::like_escape(p.trim())))
            .unwrap_or_else(|| "%".into());
        let cond = format!("({}) AND code LIKE $6 ESCAPE '\\'", condition(q));
        let count_sql = format!("SELECT COUNT(*) FROM dossier WHERE {cond}");
        let sql =
            format!("SELECT data FROM dossier WHERE {cond} ORDER BY {order} LIMIT $7 OFFSET $8");
        let (total, rows): (i64, Vec<String>) = with_db!(&self.db, p => {
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql))
                .bind(s.agency.as_str()).bind(s.username.clone()).bind(s.now).bind(s.tonight).bind(s.soon).bind(prefix.clone())
                .fetch_one(p).await?;
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(s.agency.as_str()).bind(s.username.clone()).bind(s.now).bind(s.tonight).bind(s.soon).bind(prefix)
                .bind(paging.limit()).bind(paging.offset())
                .fetch_all(p).await?;
            (total, rows)
        });
        let items = rows
            .into_iter()
            .map(|d| {
                serde_json::from_str(&d).map_err(|e| StoreError::Corrupt(format!("dossier: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }
}
