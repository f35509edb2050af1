//! What the public portal stores and reads beyond the catalogue and the
//! dossiers: news articles, satisfaction ratings, and the rows the public
//! statistics count (docs/portal.md).

use crate::db::with_db;
use crate::{Page, Paging, Store, StoreError};
use chrono::{NaiveDateTime, Utc};
use motcua_core::codes::{AgencyCode, UnitCode};
use motcua_core::dossier::{Channel, DossierCode, Outcome};
use motcua_core::news::{Draft, Slug, render_markdown};
use motcua_core::rating::{Rating, RatingSummary};
use motcua_core::stats::Facts;
use std::collections::HashMap;

/// A stored article, whole.
#[derive(Clone, Debug)]
pub struct Article {
    pub slug: Slug,
    pub draft: Draft,
    /// The body rendered and sanitised when it was saved.
    pub body_html: String,
    /// Content address and media type of the cover image.
    pub image: Option<(String, String)>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An article in a listing.
#[derive(Clone, Debug)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub published_at: Option<NaiveDateTime>,
    pub image: Option<String>,
    pub updated_at: NaiveDateTime,
}

const ARTICLE_COLUMNS: &str = "slug, title, summary, body_md, body_html, category, author, source_unit, \
     image_sha256, image_type, image_caption, published_at, created_by, created_at, updated_at";

type FlatRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<NaiveDateTime>,
    String,
    NaiveDateTime,
    NaiveDateTime,
);

fn article_of(r: FlatRow) -> Result<Article, StoreError> {
    let slug = Slug::new(&r.0).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Article {
        slug,
        draft: Draft {
            title: r.1,
            summary: r.2,
            body: r.3,
            category: r.5,
            author: r.6,
            source_unit: r.7,
            image_caption: r.10,
            published_at: r.11,
        },
        body_html: r.4,
        image: r.8.zip(r.9),
        created_by: r.12,
        created_at: r.13,
        updated_at: r.14,
    })
}

type SummaryRow = (
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
    Option<String>,
    NaiveDateTime,
);

fn summary_of(r: SummaryRow) -> ArticleSummary {
    ArticleSummary {
        slug: r.0,
        title: r.1,
        summary: r.2,
        category: r.3,
        published_at: r.4,
        image: r.5,
        updated_at: r.6,
    }
}

/// A dossier as the statistics read it.
#[derive(Clone, Debug)]
pub struct StatRow {
    pub receiving_agency: String,
    pub unit_code: String,
    pub procedure_code: String,
    pub facts: Facts,
}

/// The few fields of the stored dossier JSON the statistics need.
#[derive(serde::Deserialize)]
struct StatFields {
    received_at: Option<NaiveDateTime>,
    channel: Channel,
    due_at: Option<NaiveDateTime>,
    outcome: Option<Outcome>,
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Store {
    /// Stores a new article under `slug`; 409 when the slug is taken.
    pub async fn create_article(
        &self,
        slug: &Slug,
        d: &Draft,
        image: Option<(String, String)>,
        by: &str,
    ) -> Result<(), StoreError> {
        let now = motcua_core::calendar::to_local(Utc::now());
        let html = render_markdown(&d.body);
        let (sha, ty) = image.unzip();
        let r = with_db!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO news_article ({ARTICLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)")))
            .bind(slug.as_str()).bind(&d.title).bind(&d.summary).bind(&d.body).bind(html)
            .bind(&d.category).bind(&d.author).bind(&d.source_unit).bind(sha).bind(ty)
            .bind(&d.image_caption).bind(d.published_at).bind(by).bind(now)
            .execute(p).await.map(|_| ()));
        match r {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
                "đường dẫn `{slug}` đã có bài viết khác; hãy đổi đường dẫn"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces an article's text; `image` = `Some(new)` replaces the cover
    /// image, `Some(None)` removes it, `None` keeps it.
    pub async fn update_article(
        &self,
        slug: &Slug,
        d: &Draft,
        image: Option<Option<(String, String)>>,
    ) -> Result<(), StoreError> {
        let now = motcua_core::calendar::to_local(Utc::now());
        let html = render_markdown(&d.body);
        let keep = image.is_none();
        let (sha, ty) = image.flatten().unzip();
        let n = with_db!(&self.db, p => sqlx::query(
            "UPDATE news_article SET title = $2, summary = $3, body_md = $4, body_html = $5, category = $6, author = $7, \
             source_unit = $8, image_caption = $9, published_at = $10, updated_at = $11, \
             image_sha256 = CASE WHEN $12 THEN image_sha256 ELSE $13 END, \
             image_type = CASE WHEN $12 THEN image_type ELSE $14 END WHERE slug = $1")
            .bind(slug.as_str()).bind(&d.title).bind(&d.summary).bind(&d.body).bind(html)
            .bind(&d.category).bind(&d.author).bind(&d.source_unit).bind(&d.image_caption)
            .bind(d.published_at).bind(now).bind(keep).bind(sha).bind(ty)
            .execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound(format!("không có bài viết `{slug}`")));
        }
        Ok(())
    }

    /// An article, published or not.
    pub async fn article(&self, slug: &str) -> Result<Option<Article>, StoreError> {
        let row: Option<FlatRow> = with_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLUMNS} FROM news_article WHERE slug = $1")))
            .bind(slug).fetch_optional(p).await?);
        row.map(article_of).transpose()
    }

    /// Articles visible at `now` (published, not scheduled later), newest
    /// first, optionally of one category.
    pub async fn published_articles(
        &self,
        now: NaiveDateTime,
        category: Option<&str>,
        paging: Paging,
    ) -> Result<Page<ArticleSummary>, StoreError> {
        let (rows, total): (Vec<SummaryRow>, i64) = with_db!(&self.db, p => {
            let rows = sqlx::query_as(
                "SELECT slug, title, summary, category, published_at, image_sha256, updated_at FROM news_article \
                 WHERE published_at <= $1 AND ($2 IS NULL OR category = $2) ORDER BY published_at DESC, slug LIMIT $3 OFFSET $4")
                .bind(now).bind(category).bind(paging.limit()).bind(paging.offset())
                .fetch_all(p).await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM news_article WHERE published_at <= $1 AND ($2 IS NULL OR category = $2)")
                .bind(now).bind(category).fetch_one(p).await?;
            (rows, total)
        });
        Ok(Page {
            items: rows.into_iter().map(summary_of).collect(),
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// Every article (drafts and scheduled ones too), latest change first.
    pub async fn all_articles(&self, paging: Paging) -> Result<Page<ArticleSummary>, StoreError> {
        let (rows, total): (Vec<SummaryRow>, i64) = with_db!(&self.db, p => {
            let rows = sqlx::query_as(
                "SELECT slug, title, summary, category, published_at, image_sha256, updated_at FROM news_article \
                 ORDER BY updated_at DESC, slug LIMIT $1 OFFSET $2")
                .bind(paging.limit()).bind(paging.offset()).fetch_all(p).await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM news_article").fetch_one(p).await?;
            (rows, total)
        });
        Ok(Page {
            items: rows.into_iter().map(summary_of).collect(),
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// The media type of a cover image, when a published article (visible
    /// at `now`) shows it: images are served only for what the public sees.
    pub async fn public_image_type(
        &self,
        sha256: &str,
        now: NaiveDateTime,
    ) -> Result<Option<String>, StoreError> {
        Ok(with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT image_type FROM news_article WHERE image_sha256 = $1 AND published_at <= $2 LIMIT 1")
            .bind(sha256).bind(now).fetch_optional(p).await?).flatten())
    }

    /// Records the applicant's rating of a dossier; 409 when it was rated
    /// already (once per dossier).
    pub async fn rate_dossier(
        &self,
        code: &DossierCode,
        unit: &UnitCode,
        agency: &AgencyCode,
        r: &Rating,
    ) -> Result<(), StoreError> {
        let answers = serde_json::to_string(r)
            .map_err(|e| StoreError::Internal(format!("serialising a rating: {e}")))?;
        let res = with_db!(&self.db, p => sqlx::query(
            "INSERT INTO satisfaction (dossier_code, unit_code, receiving_agency, overall, answers, rated_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(code.as_str()).bind(unit.as_str()).bind(agency.as_str()).bind(i32::from(r.overall))
            .bind(answers).bind(Utc::now()).execute(p).await.map(|_| ()));
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
                "hồ sơ {code} đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// The overall level of a dossier's rating, if it has one.
    pub async fn dossier_rating(&self, code: &DossierCode) -> Result<Option<u8>, StoreError> {
        let v: Option<i32> = with_db!(&self.db, p => sqlx::query_scalar(
            "SELECT overall FROM satisfaction WHERE dossier_code = $1")
            .bind(code.as_str()).fetch_optional(p).await?);
        Ok(v.and_then(|v| u8::try_from(v).ok()))
    }

    /// Ratings given between two moments (UTC), by receiving agency.
    pub async fn rating_summaries(
        &self,
        from: chrono::DateTime<Utc>,
        to: chrono::DateTime<Utc>,
    ) -> Result<HashMap<String, RatingSummary>, StoreError> {
        let rows: Vec<(String, i32, i64)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT receiving_agency, overall, COUNT(*) FROM satisfaction WHERE rated_at >= $1 AND rated_at <= $2 \
             GROUP BY receiving_agency, overall")
            .bind(from).bind(to).fetch_all(p).await?);
        let mut out: HashMap<String, RatingSummary> = HashMap::new();
        for (agency, overall, n) in rows {
            let s = out.entry(agency).or_default();
            s.add_n(
                u8::try_from(overall).unwrap_or(0),
                u64::try_from(n).unwrap_or(0),
            );
        }
        Ok(out)
    }

    /// The dossiers received up to `until` (UTC), as the statistics read
    /// them. Reads the stored JSON of each; the reports of issue 7 keep
    /// running totals instead.
    pub async fn stat_rows(
        &self,
        until: chrono::DateTime<Utc>,
    ) -> Result<Vec<StatRow>, StoreError> {
        let rows: Vec<(String, String, String, String)> = with_db!(&self.db, p => sqlx::query_as(
            "SELECT receiving_agency, unit_code, procedure_code, data FROM dossier \
             WHERE received_at IS NOT NULL AND received_at <= $1")
            .bind(until).fetch_all(p).await?);
        rows.into_iter()
            .map(|(agency, unit, procedure, data)| {
                let f: StatFields = serde_json::from_str(&data)
                    .map_err(|e| StoreError::Corrupt(format!("dossier JSON: {e}")))?;
                Ok(StatRow {
                    receiving_agency: agency,
                    unit_code: unit,
                    procedure_code: procedure,
                    facts: Facts {
                        received_at: f.received_at,
                        channel: f.channel,
                        due_at: f.due_at,
                        finished: f.outcome.map(|o| (o.kind, o.at)),
                    },
                })
            })
            .collect()
    }
}
