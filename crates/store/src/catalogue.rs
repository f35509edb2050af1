//! The procedure catalogue: versions, search.

use crate::db::with_db;
use crate::sql::{Bind, Sql};
use crate::{Page, Paging, Store, StoreError};
use chrono::NaiveDate;
use motcua_core::catalogue::{Procedure, ProcedureHit};
use motcua_core::codes::{Level, ProcedureCode};
use motcua_core::text::{fold, fold_words, like_escape};
use serde::Serialize;

/// A stored version of a procedure.
#[derive(Debug, Clone, Serialize)]
pub struct ProcedureVersion {
    pub version: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub procedure: Procedure,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    code: String,
    name: String,
    field: String,
    levels: String,
    online: bool,
    version: i32,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

impl From<HitRow> for ProcedureHit {
    fn from(r: HitRow) -> Self {
        ProcedureHit {
            code: r.code,
            name: r.name,
            field: r.field,
            levels: r.levels,
            online: r.online,
            version: r.version,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        }
    }
}

/// Search and filters of the catalogue.
#[derive(Debug, Clone, Default)]
pub struct ProcedureFilter {
    /// Free text; diacritics-, case- and đ-insensitive; every word must match
    /// the start of a word of the name or of the other published text.
    pub q: Option<String>,
    /// Field (lĩnh vực), compared folded.
    pub field: Option<String>,
    pub level: Option<Level>,
    /// Versions in force on this date (default: every current version).
    pub date: Option<NaiveDate>,
    pub online: Option<bool>,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i32,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    data: String,
}

impl TryFrom<VersionRow> for ProcedureVersion {
    type Error = StoreError;
    fn try_from(r: VersionRow) -> Result<Self, StoreError> {
        let mut procedure: Procedure = serde_json::from_str(&r.data)
            .map_err(|e| StoreError::Corrupt(format!("procedure_version.data: {e}")))?;
        procedure.valid_from = Some(r.valid_from);
        Ok(ProcedureVersion {
            version: r.version,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            procedure,
        })
    }
}

fn levels_text(p: &Procedure) -> String {
    p.levels()
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// `(word >= w AND word < w + U+10FFFF)`: the words that start with `word`.
fn push_prefix_range(sql: &mut Sql, word: &str) {
    sql.push("(word >= ").bind(Bind::Text(word.to_string()));
    sql.push(" AND word < ")
        .bind(Bind::Text(format!("{word}\u{10FFFF}")))
        .push(")");
}

impl Store {
    /// Stores procedures all-or-nothing. A record whose `valid_from` (or
    /// `default_from`) equals a stored version's replaces it when different; a
    /// record with a new date becomes a new version, and the validity of the
    /// code's versions is re-chained (each ends when the next starts).
    pub async fn import_procedures(
        &self,
        ps: &[Procedure],
        default_from: NaiveDate,
    ) -> Result<ImportSummary, StoreError> {
        let mut sum = ImportSummary::default();
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            let mut touched = std::collections::BTreeSet::new();
            for pr in ps {
                let from = pr.valid_from.unwrap_or(default_from);
                let mut stored = pr.clone();
                stored.valid_from = None;
                let data = serde_json::to_string(&stored).map_err(|e| StoreError::Invalid(e.to_string()))?;
                let existing: Option<String> = sqlx::query_scalar("SELECT data FROM procedure_version WHERE code = $1 AND valid_from = $2")
                    .bind(pr.code.as_str()).bind(from).fetch_optional(&mut *tx).await?;
                match existing {
                    Some(d) if d == data => { sum.unchanged += 1; continue; }
                    Some(_) => sum.updated += 1,
                    None => sum.inserted += 1,
                }
                sqlx::query(
                    "INSERT INTO procedure_version (code, valid_from, valid_to, version, name, name_fold, field, field_fold, levels, online, data) \
                     VALUES ($1, $2, NULL, 0, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (code, valid_from) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold, \
                     field = excluded.field, field_fold = excluded.field_fold, levels = excluded.levels, online = excluded.online, data = excluded.data")
                    .bind(pr.code.as_str()).bind(from).bind(pr.name.clone()).bind(pr.name_fold())
                    .bind(pr.field.clone()).bind(fold(&pr.field)).bind(levels_text(pr)).bind(pr.online_submission).bind(data)
                    .execute(&mut *tx).await?;
                sqlx::query("DELETE FROM procedure_word WHERE code = $1 AND valid_from = $2")
                    .bind(pr.code.as_str()).bind(from).execute(&mut *tx).await?;
                for chunk in pr.search_words().chunks(500) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO procedure_word (word, code, valid_from, in_name) ");
                    qb.push_values(chunk, |mut b, (w, in_name)| {
                        b.push_bind(w.clone()).push_bind(pr.code.to_string()).push_bind(from).push_bind(*in_name);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                touched.insert(pr.code.to_string());
            }
            for code in touched {
                let froms: Vec<NaiveDate> = sqlx::query_scalar("SELECT valid_from FROM procedure_version WHERE code = $1 ORDER BY valid_from")
                    .bind(code.clone()).fetch_all(&mut *tx).await?;
                for (i, f) in froms.iter().enumerate() {
                    sqlx::query("UPDATE procedure_version SET version = $1, valid_to = $2 WHERE code = $3 AND valid_from = $4")
                        .bind(i as i32 + 1).bind(froms.get(i + 1).copied()).bind(code.clone()).bind(*f)
                        .execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            // Fresh planner statistics after a bulk change of the word index.
            if sum.inserted + sum.updated > 100 {
                sqlx::query("ANALYZE procedure_word").execute(p).await?;
                sqlx::query("ANALYZE procedure_version").execute(p).await?;
            }
        });
        Ok(sum)
    }

    /// The version in force on `date`, or the newest version when `date` is `None`.
    pub async fn procedure(
        &self,
        code: &ProcedureCode,
        date: Option<NaiveDate>,
    ) -> Result<Option<ProcedureVersion>, StoreError> {
        let row: Option<VersionRow> = with_db!(&self.db, p => match date {
            Some(d) => sqlx::query_as("SELECT version, valid_from, valid_to, data FROM procedure_version \
                    WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)")
                .bind(code.as_str()).bind(d).fetch_optional(p).await?,
            None => sqlx::query_as("SELECT version, valid_from, valid_to, data FROM procedure_version \
                    WHERE code = $1 ORDER BY valid_from DESC LIMIT 1")
                .bind(code.as_str()).fetch_optional(p).await?,
        });
        row.map(ProcedureVersion::try_from).transpose()
    }

    /// Every version of a procedure, oldest first.
    pub async fn procedure_versions(
        &self,
        code: &ProcedureCode,
    ) -> Result<Vec<ProcedureVersion>, StoreError> {
        let rows: Vec<VersionRow> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT version, valid_from, valid_to, data FROM procedure_version WHERE code = $1 ORDER BY valid_from")
            .bind(code.as_str()).fetch_all(p).await?);
        rows.into_iter().map(ProcedureVersion::try_from).collect()
    }

    /// Searches the catalogue. Ranking: the name equals the query, then the
    /// name contains the query as a phrase, then the name contains every word,
    /// then only the other text (code, field, results, legal basis) does;
    /// within a rank, shorter names first.
    pub async fn search_procedures(
        &self,
        f: &ProcedureFilter,
        paging: Paging,
    ) -> Result<Page<ProcedureHit>, StoreError> {
        let words = f.q.as_deref().map(fold_words).unwrap_or_default();
        let mut w = Sql::new(" WHERE 1 = 1");
        match f.date {
            Some(d) => {
                w.push(" AND valid_from <= ").bind(Bind::Date(d));
                w.push(" AND (valid_to IS NULL OR valid_to > ")
                    .bind(Bind::Date(d))
                    .push(")");
            }
            None => {
                w.push(" AND valid_to IS NULL");
            }
        }
        // Every word must start a word of the version: one prefix range on
        // the word index per query word (byte order on both engines), no scan
        // of the texts. (A single grouped subquery was measured slower on
        // SQLite and barely faster on PostgreSQL: docs/benchmarks.md.)
        for word in &words {
            w.push(
                " AND (code, valid_from) IN (SELECT code, valid_from FROM procedure_word WHERE ",
            );
            push_prefix_range(&mut w, word);
            w.push(")");
        }
        if let Some(field) = &f.field {
            w.push(" AND field_fold = ").bind(Bind::Text(fold(field)));
        }
        if let Some(l) = f.level {
            w.push(" AND (',' || levels || ',') LIKE ")
                .bind(Bind::Text(format!("%,{},%", l.as_str())));
        }
        if let Some(o) = f.online {
            w.push(if o {
                " AND online = TRUE"
            } else {
                " AND online = FALSE"
            });
        }
        let order = |list: &mut Sql| {
            if !words.is_empty() {
                let phrase = words.join(" ");
                list.push("CASE WHEN name_fold = ")
                    .bind(Bind::Text(phrase.clone()));
                list.push(" THEN 0 WHEN (' ' || name_fold || ' ') LIKE ")
                    .bind(Bind::Text(format!("% {} %", like_escape(&phrase))));
                list.push(" ESCAPE '\\' THEN 1 WHEN 1 = 1");
                for word in &words {
                    list.push(" AND (' ' || name_fold) LIKE ")
                        .bind(Bind::Text(format!("% {}%", like_escape(word))))
                        .push(" ESCAPE '\\'");
                }
                list.push(" THEN 2 ELSE 3 END, ");
            }
            list.push("LENGTH(name_fold), name_fold, code");
        };
        let (total, rows): (i64, Vec<HitRow>) = self
            .fetch_page(
                "code, name, field, levels, online, version, valid_from, valid_to",
                "procedure_version",
                &w,
                order,
                paging,
            )
            .await?;
        let items = rows.into_iter().map(ProcedureHit::from).collect();
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// Fields (lĩnh vực) of the current catalogue with their procedure counts.
    pub async fn procedure_fields(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_as(
            "SELECT field, COUNT(*) FROM procedure_version WHERE valid_to IS NULL GROUP BY field ORDER BY field")
            .fetch_all(p).await?))
    }

    /// Every procedure version (`all_versions`) or the newest of each code.
    pub async fn all_procedures(&self, all_versions: bool) -> Result<Vec<Procedure>, StoreError> {
        let sql = if all_versions {
            "SELECT version, valid_from, valid_to, data FROM procedure_version ORDER BY code, valid_from"
        } else {
            "SELECT version, valid_from, valid_to, data FROM procedure_version WHERE valid_to IS NULL ORDER BY code"
        };
        let rows: Vec<VersionRow> =
            with_db!(&self.db, p => sqlx::query_as(sql).fetch_all(p).await?);
        rows.into_iter()
            .map(|r| ProcedureVersion::try_from(r).map(|v| v.procedure))
            .collect()
    }
}
