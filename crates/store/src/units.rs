//! Administrative units and agencies.

use crate::db::with_db;
use crate::sql::{Bind, Sql};
use crate::{Page, Paging, Store, StoreError};
use chrono::NaiveDate;
use motcua_core::agency::{Agency, AgencyKind};
use motcua_core::calendar::WorkingHours;
use motcua_core::codes::{AgencyCode, Level, UnitCode};
use motcua_core::text::{fold, like_escape};
use motcua_core::units::{AdminUnit, UnitScheme};
use sqlx::AssertSqlSafe;

#[derive(sqlx::FromRow)]
struct UnitRow {
    code: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    scheme: String,
    name: String,
    kind: String,
    level: String,
    parent_code: Option<String>,
    date_precision: String,
    source: String,
}

const UNIT_COLS: &str =
    "code, valid_from, valid_to, scheme, name, kind, level, parent_code, date_precision, source";

impl TryFrom<UnitRow> for AdminUnit {
    type Error = StoreError;
    fn try_from(r: UnitRow) -> Result<Self, StoreError> {
        let bad = |m: String| StoreError::Corrupt(format!("admin_unit {}: {m}", r.code));
        Ok(AdminUnit {
            code: UnitCode::new(&r.code).map_err(|e| bad(e.to_string()))?,
            name: r.name.clone(),
            kind: r.kind.clone(),
            level: Level::parse(&r.level).ok_or_else(|| bad(format!("level {}", r.level)))?,
            parent_code: r
                .parent_code
                .as_deref()
                .map(UnitCode::new)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            scheme: UnitScheme::parse(&r.scheme)
                .ok_or_else(|| bad(format!("scheme {}", r.scheme)))?,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            date_precision: r.date_precision,
            source: r.source,
        })
    }
}

/// Filter of a unit listing.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub parent: Option<UnitCode>,
    pub level: Option<Level>,
    /// Only versions valid on this date; `None` = every version.
    pub date: Option<NaiveDate>,
    /// Folded name contains.
    pub q: Option<String>,
}

/// Filter of an agency listing.
#[derive(Debug, Clone, Default)]
pub struct AgencyFilter {
    pub unit: Option<UnitCode>,
    pub parent: Option<AgencyCode>,
    pub level: Option<Level>,
    pub desk: Option<bool>,
    pub date: Option<NaiveDate>,
    pub q: Option<String>,
}

fn valid_on(sql: &mut Sql, d: NaiveDate) {
    sql.push(" AND (valid_from IS NULL OR valid_from <= ")
        .bind(Bind::Date(d));
    sql.push(") AND (valid_to IS NULL OR valid_to > ")
        .bind(Bind::Date(d))
        .push(")");
}

fn name_like(sql: &mut Sql, q: &str) {
    for w in motcua_core::text::fold_words(q) {
        sql.push(" AND name_fold LIKE ")
            .bind(Bind::Text(format!("%{}%", like_escape(&w))))
            .push(" ESCAPE '\\'");
    }
}

impl Store {
    /// Stores units all-or-nothing; a version with the same code and start is
    /// replaced. Refuses (and stores nothing) when a version would overlap
    /// another stored version of the same code.
    pub async fn import_units(&self, file: &str, units: &[AdminUnit]) -> Result<usize, StoreError> {
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            for chunk in units.chunks(400) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO admin_unit (code, valid_from, valid_to, scheme, name, name_fold, kind, level, parent_code, date_precision, source) ");
                qb.push_values(chunk, |mut b, u| {
                    b.push_bind(u.code.to_string())
                        .push_bind(u.valid_from)
                        .push_bind(u.valid_to)
                        .push_bind(u.scheme.as_str())
                        .push_bind(u.name.clone())
                        .push_bind(fold(&u.name))
                        .push_bind(u.kind.clone())
                        .push_bind(u.level.as_str())
                        .push_bind(u.parent_code.as_ref().map(|c| c.to_string()))
                        .push_bind(u.date_precision.clone())
                        .push_bind(u.source.clone());
                });
                qb.push(" ON CONFLICT (code, valid_from) DO UPDATE SET valid_to = excluded.valid_to, scheme = excluded.scheme, \
                    name = excluded.name, name_fold = excluded.name_fold, kind = excluded.kind, level = excluded.level, \
                    parent_code = excluded.parent_code, date_precision = excluded.date_precision, source = excluded.source");
                qb.build().execute(&mut *tx).await?;
            }
            let overlap: Option<(String, NaiveDate)> = sqlx::query_as(
                "SELECT b.code, b.valid_from FROM admin_unit a JOIN admin_unit b ON a.code = b.code \
                 AND a.valid_from < b.valid_from AND (a.valid_to IS NULL OR a.valid_to > b.valid_from) LIMIT 1")
                .fetch_optional(&mut *tx).await?;
            if let Some((code, from)) = overlap {
                tx.rollback().await?;
                return Err(motcua_core::import::ImportError::new(file, 0,
                    format!("mã `{code}` (hiệu lực từ {from}) trùng thời gian với một phiên bản đã lưu; không có gì được lưu")).into());
            }
            tx.commit().await?;
        });
        Ok(units.len())
    }

    /// The version of a unit valid on `date`.
    pub async fn unit_on(
        &self,
        code: &UnitCode,
        date: NaiveDate,
    ) -> Result<Option<AdminUnit>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM admin_unit WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)"
        );
        let row: Option<UnitRow> = with_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql))
            .bind(code.as_str()).bind(date).fetch_optional(p).await?);
        row.map(AdminUnit::try_from).transpose()
    }

    /// Every version of a unit, oldest first.
    pub async fn unit_history(&self, code: &UnitCode) -> Result<Vec<AdminUnit>, StoreError> {
        let sql = format!("SELECT {UNIT_COLS} FROM admin_unit WHERE code = $1 ORDER BY valid_from");
        let rows: Vec<UnitRow> = with_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(code.as_str()).fetch_all(p).await?);
        rows.into_iter().map(AdminUnit::try_from).collect()
    }

    /// Lists units, ordered by code then start.
    pub async fn list_units(
        &self,
        f: &UnitFilter,
        paging: Paging,
    ) -> Result<Page<AdminUnit>, StoreError> {
        let mut w = Sql::new(" WHERE 1 = 1");
        if let Some(p) = &f.parent {
            w.push(" AND parent_code = ")
                .bind(Bind::Text(p.to_string()));
        }
        if let Some(l) = f.level {
            w.push(" AND level = ").bind(Bind::Text(l.as_str().into()));
        }
        if let Some(d) = f.date {
            w.push(" AND valid_from <= ").bind(Bind::Date(d));
            w.push(" AND (valid_to IS NULL OR valid_to > ")
                .bind(Bind::Date(d))
                .push(")");
        }
        if let Some(q) = &f.q {
            name_like(&mut w, q);
        }
        let (total, rows): (i64, Vec<UnitRow>) = self
            .fetch_page(
                UNIT_COLS,
                "admin_unit",
                &w,
                |o| {
                    o.push("code, valid_from");
                },
                paging,
            )
            .await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(AdminUnit::try_from)
                .collect::<Result<_, _>>()?,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// Every stored unit version (for exports and import checks).
    pub async fn all_units(&self) -> Result<Vec<AdminUnit>, StoreError> {
        Ok(self
            .list_units(&UnitFilter::default(), Paging::all())
            .await?
            .items)
    }

    /// Stores agencies all-or-nothing (upsert by code).
    pub async fn import_agencies(&self, agencies: &[Agency]) -> Result<usize, StoreError> {
        self.forget_calendars();
        // Parents first, so that the foreign key holds row by row.
        let mut ordered: Vec<&Agency> = Vec::with_capacity(agencies.len());
        let mut placed = std::collections::HashSet::new();
        while ordered.len() < agencies.len() {
            let before = ordered.len();
            for a in agencies {
                let ready = a
                    .parent_code
                    .as_ref()
                    .is_none_or(|p| placed.contains(p) || !agencies.iter().any(|x| &x.code == p));
                if !placed.contains(&a.code) && ready {
                    placed.insert(a.code.clone());
                    ordered.push(a);
                }
            }
            if ordered.len() == before {
                return Err(StoreError::Invalid(
                    "cây cơ quan có vòng lặp cấp trên".into(),
                ));
            }
        }
        with_db!(&self.db, p => {
            let mut tx = p.begin().await?;
            for a in &ordered {
                sqlx::query(
                    "INSERT INTO agency (code, name, name_fold, parent_code, unit_code, level, kind, desk, hours, address, phone, email, valid_from, valid_to) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold, parent_code = excluded.parent_code, \
                     unit_code = excluded.unit_code, level = excluded.level, kind = excluded.kind, desk = excluded.desk, hours = excluded.hours, \
                     address = excluded.address, phone = excluded.phone, email = excluded.email, valid_from = excluded.valid_from, valid_to = excluded.valid_to")
                    .bind(a.code.to_string()).bind(a.name.clone()).bind(fold(&a.name))
                    .bind(a.parent_code.as_ref().map(|c| c.to_string())).bind(a.unit_code.to_string())
                    .bind(a.level.as_str()).bind(a.kind.as_str()).bind(a.desk).bind(a.hours.to_string())
                    .bind(a.address.clone()).bind(a.phone.clone()).bind(a.email.clone()).bind(a.valid_from).bind(a.valid_to)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(agencies.len())
    }

    pub async fn agency(&self, code: &AgencyCode) -> Result<Option<Agency>, StoreError> {
        let sql = format!("SELECT {AGENCY_COLS} FROM agency WHERE code = $1");
        let row: Option<AgencyRow> = with_db!(&self.db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(code.as_str()).fetch_optional(p).await?);
        row.map(Agency::try_from).transpose()
    }

    /// Lists agencies, ordered by code.
    pub async fn list_agencies(
        &self,
        f: &AgencyFilter,
        paging: Paging,
    ) -> Result<Page<Agency>, StoreError> {
        let mut w = Sql::new(" WHERE 1 = 1");
        if let Some(u) = &f.unit {
            w.push(" AND unit_code = ").bind(Bind::Text(u.to_string()));
        }
        if let Some(pc) = &f.parent {
            w.push(" AND parent_code = ")
                .bind(Bind::Text(pc.to_string()));
        }
        if let Some(l) = f.level {
            w.push(" AND level = ").bind(Bind::Text(l.as_str().into()));
        }
        if let Some(d) = f.desk {
            w.push(if d {
                " AND desk = TRUE"
            } else {
                " AND desk = FALSE"
            });
        }
        if let Some(d) = f.date {
            valid_on(&mut w, d);
        }
        if let Some(q) = &f.q {
            name_like(&mut w, q);
        }
        let (total, rows): (i64, Vec<AgencyRow>) = self
            .fetch_page(
                AGENCY_COLS,
                "agency",
                &w,
                |o| {
                    o.push("code");
                },
                paging,
            )
            .await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(Agency::try_from)
                .collect::<Result<_, _>>()?,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    pub async fn all_agencies(&self) -> Result<Vec<Agency>, StoreError> {
        Ok(self
            .list_agencies(&AgencyFilter::default(), Paging::all())
            .await?
            .items)
    }
}

const AGENCY_COLS: &str = "code, name, parent_code, unit_code, level, kind, desk, hours, address, phone, email, valid_from, valid_to";

#[derive(sqlx::FromRow)]
struct AgencyRow {
    code: String,
    name: String,
    parent_code: Option<String>,
    unit_code: String,
    level: String,
    kind: String,
    desk: bool,
    hours: String,
    address: String,
    phone: String,
    email: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

impl TryFrom<AgencyRow> for Agency {
    type Error = StoreError;
    fn try_from(r: AgencyRow) -> Result<Self, StoreError> {
        let bad = |m: String| StoreError::Corrupt(format!("agency {}: {m}", r.code));
        Ok(Agency {
            code: AgencyCode::new(&r.code).map_err(|e| bad(e.to_string()))?,
            name: r.name.clone(),
            parent_code: r
                .parent_code
                .as_deref()
                .map(AgencyCode::new)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            unit_code: UnitCode::new(&r.unit_code).map_err(|e| bad(e.to_string()))?,
            level: Level::parse(&r.level).ok_or_else(|| bad(format!("level {}", r.level)))?,
            kind: AgencyKind::parse(&r.kind).ok_or_else(|| bad(format!("kind {}", r.kind)))?,
            desk: r.desk,
            hours: WorkingHours::parse(&r.hours).map_err(|e| bad(e.to_string()))?,
            address: r.address,
            phone: r.phone,
            email: r.email,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        })
    }
}
