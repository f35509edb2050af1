//! A small builder for dynamic SQL with `$n` placeholders, bound the same way
//! on both engines (search forms and filters with optional conditions).

use crate::db::with_db;
use crate::{Paging, Store, StoreError};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, FromRow, postgres::PgRow, sqlite::SqliteRow};

#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Date(NaiveDate),
    Int(i64),
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Appends a placeholder for `b`.
    pub fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }
}

/// Binds every value of `$binds` to the query `$q`.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                $crate::sql::Bind::Text(s) => q.bind(s),
                $crate::sql::Bind::Date(d) => q.bind(d),
                $crate::sql::Bind::Int(i) => q.bind(i),
            };
        }
        q
    }};
}

impl Store {
    /// One page of `SELECT {cols} FROM {from}{w} ORDER BY {order}` and the
    /// total count of `w`'s rows. `order` appends to a builder that already
    /// holds `w`'s binds, so it may bind values too.
    pub(crate) async fn fetch_page<R>(
        &self,
        cols: &str,
        from: &str,
        w: &Sql,
        order: impl FnOnce(&mut Sql),
        paging: Paging,
    ) -> Result<(i64, Vec<R>), StoreError>
    where
        R: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let count_sql = format!("SELECT COUNT(*) FROM {from}{}", w.text);
        let mut list = Sql {
            text: format!("SELECT {cols} FROM {from}{} ORDER BY ", w.text),
            binds: w.binds.clone(),
        };
        order(&mut list);
        list.push(" LIMIT ").bind(Bind::Int(paging.limit()));
        list.push(" OFFSET ").bind(Bind::Int(paging.offset()));
        Ok(with_db!(&self.db, p => {
            let total: i64 = bind_all!(sqlx::query_scalar(AssertSqlSafe(count_sql)), w.binds.clone()).fetch_one(p).await?;
            let rows = bind_all!(sqlx::query_as(AssertSqlSafe(list.text)), list.binds).fetch_all(p).await?;
            (total, rows)
        }))
    }
}
