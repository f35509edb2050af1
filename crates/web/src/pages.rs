//! Server-rendered pages (Vietnamese, no JavaScript needed).

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use crate::params;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use motcua_core::agency::Agency;
use motcua_core::catalogue::Procedure;
use motcua_core::codes::{Level, ProcedureCode, UnitCode};
use motcua_store::{AgencyFilter, Paging, ProcedureFilter};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    tr: Tr,
    q: String,
    total: i64,
    fields: Vec<(String, i64)>,
    news: Vec<crate::news::Item>,
    year: i32,
    stats: crate::stats::Line,
}

/// `GET /`: search, quick links, latest news, this year's figures.
pub async fn home(State(st): State<AppState>) -> Result<Html<String>, PageError> {
    let fields = st.store.procedure_fields().await?;
    let total = fields.iter().map(|f| f.1).sum();
    let period = crate::stats::default_period();
    let (_, stats) = crate::stats::compute(&st, &period).await?;
    Ok(Html(
        HomePage {
            tr: Tr::vi(),
            q: String::new(),
            total,
            fields,
            news: crate::news::latest(&st, 4).await?,
            year: chrono::Datelike::year(&period.from()),
            stats,
        }
        .render()?,
    ))
}

/// `GET /sitemap.xml`: the portal's public pages, every published
/// procedure and news article.
pub async fn sitemap(State(st): State<AppState>) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let base = crate::news::base_url(&st);
    let mut urls: Vec<String> = [
        "/",
        "/thu-tuc",
        "/tin-tuc",
        "/tra-cuu-ho-so",
        "/thong-ke",
        "/lich",
    ]
    .iter()
    .map(|p| format!("{base}{p}"))
    .collect();
    let procs = st
        .store
        .search_procedures(
            &ProcedureFilter::default(),
            motcua_store::Paging::new(1, 500)?,
        )
        .await?;
    urls.extend(
        procs
            .items
            .iter()
            .map(|p| format!("{base}/thu-tuc/{}", p.code)),
    );
    let now = motcua_core::calendar::to_local(chrono::Utc::now());
    let news = st
        .store
        .published_articles(now, None, motcua_store::Paging::new(1, 500)?)
        .await?;
    urls.extend(
        news.items
            .iter()
            .map(|a| format!("{base}/tin-tuc/{}", a.slug)),
    );
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        x.push_str(&format!(
            "<url><loc>{}</loc></url>\n",
            u.replace('&', "&amp;")
        ));
    }
    x.push_str("</urlset>\n");
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/xml; charset=utf-8",
        )],
        x,
    )
        .into_response())
}

struct HitView {
    code: String,
    name: String,
    field: String,
    levels_vi: String,
    online: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    tr: Tr,
    q: String,
    field: String,
    level: String,
    online: bool,
    agency: String,
    /// The chosen desk: name, address, hours.
    desk: Option<Agency>,
    desks: Vec<(String, String)>,
    fields: Vec<(String, i64)>,
    levels: Vec<(&'static str, &'static str)>,
    hits: Vec<HitView>,
    total: i64,
    first: u32,
    page: u32,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct CatalogueQuery {
    q: Option<String>,
    field: Option<String>,
    level: Option<String>,
    /// `1`: only procedures that take online submission.
    online: Option<String>,
    /// A desk (nơi tiếp nhận): the procedures of its level.
    agency: Option<String>,
    page: Option<String>,
}

/// The desks in force today, by name: `(code, name)`.
async fn desks(st: &AppState) -> Result<Vec<Agency>, WebError> {
    let today = motcua_core::calendar::to_local(chrono::Utc::now()).date();
    let mut v = st
        .store
        .list_agencies(
            &AgencyFilter {
                desk: Some(true),
                date: Some(today),
                ..Default::default()
            },
            Paging::all(),
        )
        .await?
        .items;
    v.sort_by_key(|a| (a.level, a.name.clone()));
    Ok(v)
}

fn levels_vi(levels: &str) -> String {
    levels
        .split(',')
        .filter_map(Level::parse)
        .map(Level::label_vi)
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn catalogue(
    State(st): State<AppState>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Html<String>, PageError> {
    let paging = params::paging(q.page.as_deref(), None, 20)?;
    let desks = desks(&st).await?;
    let desk = match params::text(q.agency.as_deref()) {
        None => None,
        Some(code) => Some(
            desks
                .iter()
                .find(|a| a.code.as_str() == code)
                .cloned()
                .ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "Không có nơi tiếp nhận hồ sơ mã `{code}`; hãy chọn trong danh sách."
                    ))
                })?,
        ),
    };
    let filter = ProcedureFilter {
        q: params::text(q.q.as_deref()),
        field: params::text(q.field.as_deref()),
        level: params::level(q.level.as_deref())?.or(desk.as_ref().map(|d| d.level)),
        online: (q.online.as_deref() == Some("1")).then_some(true),
        ..Default::default()
    };
    let res = st.store.search_procedures(&filter, paging).await?;
    let fields = st.store.procedure_fields().await?;
    let pages = ((res.total + paging.per_page as i64 - 1) / paging.per_page as i64).max(1);
    let link = |page: u32| {
        let mut qs = vec![format!("page={page}")];
        for (k, v) in [("q", &filter.q), ("field", &filter.field)] {
            if let Some(v) = v {
                qs.push(format!("{k}={}", crate::text::urlencode(v)));
            }
        }
        if let Some(d) = &desk {
            qs.push(format!(
                "agency={}",
                crate::text::urlencode(d.code.as_str())
            ));
        }
        if let (Some(l), None) = (filter.level, &desk) {
            qs.push(format!("level={}", l.as_str()));
        }
        if filter.online == Some(true) {
            qs.push("online=1".into());
        }
        format!("/thu-tuc?{}", qs.join("&"))
    };
    let page = CataloguePage {
        tr: Tr::vi(),
        q: filter.q.clone().unwrap_or_default(),
        field: filter.field.clone().unwrap_or_default(),
        level: params::level(q.level.as_deref())?
            .map(|l| l.as_str().to_string())
            .unwrap_or_default(),
        online: filter.online == Some(true),
        agency: desk
            .as_ref()
            .map(|d| d.code.to_string())
            .unwrap_or_default(),
        desks: desks
            .iter()
            .map(|a| (a.code.to_string(), a.name.clone()))
            .collect(),
        desk: desk.clone(),
        fields,
        levels: [
            Level::Province,
            Level::District,
            Level::Commune,
            Level::Central,
            Level::Other,
        ]
        .iter()
        .map(|l| (l.as_str(), l.label_vi()))
        .collect(),
        hits: res
            .items
            .into_iter()
            .map(|h| HitView {
                levels_vi: levels_vi(&h.levels),
                code: h.code,
                name: h.name,
                field: h.field,
                online: h.online,
            })
            .collect(),
        total: res.total,
        first: (paging.page - 1) * paging.per_page + 1,
        page: paging.page,
        pages,
        prev: (paging.page > 1).then(|| link(paging.page - 1)),
        next: ((paging.page as i64) < pages).then(|| link(paging.page + 1)),
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    tr: Tr,
    p: Procedure,
    version: i32,
    valid_from: chrono::NaiveDate,
    versions: Vec<(i32, chrono::NaiveDate, Option<chrono::NaiveDate>)>,
}

#[derive(Deserialize)]
pub struct DateQuery {
    date: Option<String>,
}

pub async fn procedure(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DateQuery>,
) -> Result<Html<String>, PageError> {
    let code = ProcedureCode::new(&code).map_err(|e| WebError::NotFound(e.to_string()))?;
    let date = params::date("date", q.date.as_deref())?;
    let v = st
        .store
        .procedure(&code, date)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Không tìm thấy thủ tục mã {code}.")))?;
    let versions = st
        .store
        .procedure_versions(&code)
        .await?
        .into_iter()
        .map(|x| (x.version, x.valid_from, x.valid_to))
        .collect();
    Ok(Html(
        ProcedurePage {
            tr: Tr::vi(),
            p: v.procedure,
            version: v.version,
            valid_from: v.valid_from,
            versions,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    tr: Tr,
    d: crate::api::UnitDetail,
    agencies: Vec<Agency>,
}

pub async fn unit(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DateQuery>,
) -> Result<Html<String>, PageError> {
    let code = UnitCode::new(&code).map_err(|e| WebError::NotFound(e.to_string()))?;
    let date = params::date("date", q.date.as_deref())?;
    let d = crate::api::unit_detail(&st, &code, date).await?;
    let agencies = st
        .store
        .list_agencies(
            &AgencyFilter {
                unit: Some(code.clone()),
                date: Some(d.on),
                ..Default::default()
            },
            Paging::all(),
        )
        .await?
        .items;
    Ok(Html(
        UnitPage {
            tr: Tr::vi(),
            d,
            agencies,
        }
        .render()?,
    ))
}

pub async fn not_found() -> PageError {
    PageError(WebError::NotFound("Không tìm thấy trang này.".into()))
}
