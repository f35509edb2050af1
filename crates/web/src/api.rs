//! The JSON API, described by the OpenAPI document at `/api/openapi.json`.

use crate::AppState;
use crate::error::{ApiError, ErrorBody, WebError};
use crate::params;
use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use motcua_core::agency::Agency;
use motcua_core::catalogue::{Procedure, ProcedureHit};
use motcua_core::codes::{AgencyCode, ProcedureCode, UnitCode};
use motcua_core::units::AdminUnit;
use motcua_store::{AgencyFilter, Paging, ProcedureFilter, UnitFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Hệ thống một cửa điện tử: danh mục thủ tục hành chính, đơn vị hành chính, cơ quan. / Electronic one-stop shop API.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        list_procedures,
        get_procedure,
        list_fields,
        list_units,
        get_unit,
        list_agencies,
        get_agency,
        crate::calendar::api_year,
        crate::dossiers::create,
        crate::dossiers::get,
        crate::dossiers::act,
        crate::slips::slip,
        crate::slips::ledger,
        crate::documents::upload,
        crate::documents::list,
        crate::documents::download,
        crate::dashboard::api_statistics,
        crate::dashboard::api_causes,
        crate::dashboard::api_index,
        crate::federation::receive
    ),
    modifiers(&BearerAuth),
    components(schemas(
        ErrorBody,
        AdminUnit,
        Agency,
        Procedure,
        ProcedureHit,
        ProcedurePage,
        UnitPage,
        AgencyPage,
        UnitDetail,
        UnitRef,
        ProcedureDetail,
        VersionRef,
        FieldCount
    ,
        crate::calendar::CalendarYear,
        crate::calendar::CalendarDay,
        crate::dossiers::NewDossierInput,
        crate::dossiers::DossierView))
)]
pub struct ApiDoc;

/// The OpenAPI document as served. Every moment in the API is a local time
/// of Vietnam (UTC+7) written without an offset (`2026-11-26T08:00:00`, as
/// stored and as the law's slips print it), which is not an RFC 3339
/// `date-time`: such fields are described as strings of that pattern, so
/// that a client checking the document (schemathesis in CI) finds what it
/// is told.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let doc = ApiDoc::openapi();
    let Ok(mut v) = serde_json::to_value(&doc) else {
        return doc;
    };
    local_times(&mut v);
    serde_json::from_value(v).unwrap_or(doc)
}

/// The pattern of a local moment without offset.
pub const LOCAL_TIME_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$";

fn local_times(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            if o.get("format").and_then(|f| f.as_str()) == Some("date-time") {
                o.remove("format");
                o.insert("pattern".into(), LOCAL_TIME_PATTERN.into());
                o.entry("description").or_insert_with(|| {
                    "Giờ Việt Nam (UTC+7), không ghi múi giờ / local time of Vietnam, no offset"
                        .into()
                });
            }
            o.values_mut().for_each(local_times);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(local_times),
        _ => {}
    }
}

/// Declares the `bearer` security scheme (API tokens from `motcua token create`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn bad_code<E: std::fmt::Display>(e: E) -> ApiError {
    ApiError(WebError::BadRequest(e.to_string()))
}

#[derive(Serialize, ToSchema)]
pub struct ProcedurePage {
    pub items: Vec<ProcedureHit>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Deserialize, IntoParams)]
pub struct ProcedureQuery {
    /// Free text, diacritics-insensitive (`dang ky khai sinh`).
    q: Option<String>,
    /// Field (lĩnh vực), e.g. `Hộ tịch`.
    field: Option<String>,
    /// `central`, `province`, `district`, `commune` or `other` (or `Cấp xã`).
    level: Option<String>,
    /// Versions in force on this date (YYYY-MM-DD); default the current ones.
    date: Option<String>,
    /// Only procedures that can (true) or cannot (false) be submitted online.
    online: Option<String>,
    /// Page number, from 1.
    page: Option<String>,
    /// Items per page, 1-500 (default 20).
    per_page: Option<String>,
}

/// Search the procedure catalogue.
#[utoipa::path(get, path = "/api/procedures", params(ProcedureQuery), tag = "catalogue",
    responses((status = 200, body = ProcedurePage), (status = 400, body = ErrorBody)))]
pub async fn list_procedures(
    State(st): State<AppState>,
    crate::params::ApiQuery(q): crate::params::ApiQuery<ProcedureQuery>,
) -> Result<Json<ProcedurePage>, ApiError> {
    let paging = params::paging(q.page.as_deref(), q.per_page.as_deref(), 20)?;
    let filter = ProcedureFilter {
        q: params::text(q.q.as_deref()),
        field: params::text(q.field.as_deref()),
        level: params::level(q.level.as_deref())?,
        date: params::date("date", q.date.as_deref())?,
        online: params::boolean("online", q.online.as_deref())?,
    };
    let page = st.store.search_procedures(&filter, paging).await?;
    Ok(Json(ProcedurePage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionRef {
    pub version: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureDetail {
    pub version: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub procedure: Procedure,
    pub versions: Vec<VersionRef>,
}

#[derive(Deserialize, IntoParams)]
pub struct DateQuery {
    /// The state on this date (YYYY-MM-DD); default: the current or latest version.
    date: Option<String>,
}

/// One procedure (the version in force on `date`, or the newest).
#[utoipa::path(get, path = "/api/procedures/{code}", params(("code" = String, Path, description = "National procedure code, e.g. 1.001193"), DateQuery), tag = "catalogue",
    responses((status = 200, body = ProcedureDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_procedure(
    State(st): State<AppState>,
    Path(code): Path<String>,
    crate::params::ApiQuery(q): crate::params::ApiQuery<DateQuery>,
) -> Result<Json<ProcedureDetail>, ApiError> {
    let code = ProcedureCode::new(&code).map_err(bad_code)?;
    let date = params::date("date", q.date.as_deref())?;
    let v = st.store.procedure(&code, date).await?.ok_or_else(|| {
        WebError::NotFound(match date {
            Some(d) => format!("không có thủ tục `{code}` có hiệu lực ngày {d}"),
            None => format!("không có thủ tục `{code}`"),
        })
    })?;
    let versions = st
        .store
        .procedure_versions(&code)
        .await?
        .into_iter()
        .map(|x| VersionRef {
            version: x.version,
            valid_from: x.valid_from,
            valid_to: x.valid_to,
        })
        .collect();
    Ok(Json(ProcedureDetail {
        version: v.version,
        valid_from: v.valid_from,
        valid_to: v.valid_to,
        procedure: v.procedure,
        versions,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FieldCount {
    pub field: String,
    pub procedures: i64,
}

/// Fields (lĩnh vực) of the current catalogue.
#[utoipa::path(get, path = "/api/fields", tag = "catalogue", responses((status = 200, body = Vec<FieldCount>)))]
pub async fn list_fields(State(st): State<AppState>) -> Result<Json<Vec<FieldCount>>, ApiError> {
    let f = st.store.procedure_fields().await?;
    Ok(Json(
        f.into_iter()
            .map(|(field, procedures)| FieldCount { field, procedures })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<AdminUnit>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    /// Parent unit code.
    parent: Option<String>,
    /// `province`, `district` or `commune`.
    level: Option<String>,
    /// Versions valid on this date (YYYY-MM-DD); default every version.
    date: Option<String>,
    /// Name contains (diacritics-insensitive).
    q: Option<String>,
    page: Option<String>,
    /// 1-500, default 50.
    per_page: Option<String>,
}

/// List administrative units.
#[utoipa::path(get, path = "/api/units", params(UnitQuery), tag = "units",
    responses((status = 200, body = UnitPage), (status = 400, body = ErrorBody)))]
pub async fn list_units(
    State(st): State<AppState>,
    crate::params::ApiQuery(q): crate::params::ApiQuery<UnitQuery>,
) -> Result<Json<UnitPage>, ApiError> {
    let paging = params::paging(q.page.as_deref(), q.per_page.as_deref(), 50)?;
    let f = UnitFilter {
        parent: params::text(q.parent.as_deref())
            .map(|p| UnitCode::new(&p))
            .transpose()
            .map_err(bad_code)?,
        level: params::level(q.level.as_deref())?,
        date: params::date("date", q.date.as_deref())?,
        q: params::text(q.q.as_deref()),
    };
    let p = st.store.list_units(&f, paging).await?;
    Ok(Json(UnitPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// A unit as it was on a date, with its parent, children and history.
#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: AdminUnit,
    /// The date the answer describes.
    pub on: NaiveDate,
    pub parent_name: Option<String>,
    pub children: Vec<UnitRef>,
    pub history: Vec<AdminUnit>,
}

/// The day a unit version is described on: `date`, else today if valid, else its last day.
pub async fn unit_detail(
    st: &AppState,
    code: &UnitCode,
    date: Option<NaiveDate>,
) -> Result<UnitDetail, WebError> {
    let history = st.store.unit_history(code).await?;
    if history.is_empty() {
        return Err(WebError::NotFound(format!(
            "không có đơn vị hành chính mã `{code}`"
        )));
    }
    let today = params::today();
    let (unit, on) = match date {
        Some(d) => {
            let u = history.iter().find(|u| u.valid_on(d)).ok_or_else(|| {
                WebError::NotFound(format!(
                    "đơn vị `{code}` không có hiệu lực ngày {d} (xem lịch sử tại /api/units/{code})"
                ))
            })?;
            (u.clone(), d)
        }
        None => match history.iter().find(|u| u.valid_on(today)) {
            Some(u) => (u.clone(), today),
            None => {
                let u = history
                    .iter()
                    .max_by_key(|u| u.valid_from)
                    .cloned()
                    .unwrap_or_else(|| history[0].clone());
                let last = u.valid_to.and_then(|t| t.pred_opt()).unwrap_or(today);
                (u, last)
            }
        },
    };
    let parent_name = match &unit.parent_code {
        Some(p) => st.store.unit_on(p, on).await?.map(|u| u.name),
        None => None,
    };
    let children = st
        .store
        .list_units(
            &UnitFilter {
                parent: Some(code.clone()),
                date: Some(on),
                ..Default::default()
            },
            Paging::all(),
        )
        .await?
        .items
        .into_iter()
        .map(|u| UnitRef {
            code: u.code.to_string(),
            name: u.name,
            kind: u.kind,
        })
        .collect();
    Ok(UnitDetail {
        unit,
        on,
        parent_name,
        children,
        history,
    })
}

/// One administrative unit on a date (default: today, or its last day when
/// it no longer exists), with its parent, children and whole history.
#[utoipa::path(get, path = "/api/units/{code}", params(("code" = String, Path, description = "Unit code: 2 digits (province), 3 (district), 5 (commune)"), DateQuery), tag = "units",
    responses((status = 200, body = UnitDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_unit(
    State(st): State<AppState>,
    Path(code): Path<String>,
    crate::params::ApiQuery(q): crate::params::ApiQuery<DateQuery>,
) -> Result<Json<UnitDetail>, ApiError> {
    let code = UnitCode::new(&code).map_err(bad_code)?;
    let date = params::date("date", q.date.as_deref())?;
    Ok(Json(unit_detail(&st, &code, date).await?))
}

#[derive(Serialize, ToSchema)]
pub struct AgencyPage {
    pub items: Vec<Agency>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Deserialize, IntoParams)]
pub struct AgencyQuery {
    /// Administrative unit code.
    unit: Option<String>,
    /// Parent agency identifier.
    parent: Option<String>,
    level: Option<String>,
    /// Only one-stop desks (true) or only other agencies (false).
    desk: Option<String>,
    /// Agencies existing on this date (YYYY-MM-DD); default every agency.
    date: Option<String>,
    q: Option<String>,
    page: Option<String>,
    /// 1-500, default 50.
    per_page: Option<String>,
}

/// List agencies.
#[utoipa::path(get, path = "/api/agencies", params(AgencyQuery), tag = "agencies",
    responses((status = 200, body = AgencyPage), (status = 400, body = ErrorBody)))]
pub async fn list_agencies(
    State(st): State<AppState>,
    crate::params::ApiQuery(q): crate::params::ApiQuery<AgencyQuery>,
) -> Result<Json<AgencyPage>, ApiError> {
    let paging = params::paging(q.page.as_deref(), q.per_page.as_deref(), 50)?;
    let f = AgencyFilter {
        unit: params::text(q.unit.as_deref())
            .map(|p| UnitCode::new(&p))
            .transpose()
            .map_err(bad_code)?,
        parent: params::text(q.parent.as_deref())
            .map(|p| AgencyCode::new(&p))
            .transpose()
            .map_err(bad_code)?,
        level: params::level(q.level.as_deref())?,
        desk: params::boolean("desk", q.desk.as_deref())?,
        date: params::date("date", q.date.as_deref())?,
        q: params::text(q.q.as_deref()),
    };
    let p = st.store.list_agencies(&f, paging).await?;
    Ok(Json(AgencyPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// One agency by its electronic identifier.
#[utoipa::path(get, path = "/api/agencies/{code}", params(("code" = String, Path, description = "Agency identifier, e.g. 000.00.21.H55")), tag = "agencies",
    responses((status = 200, body = Agency), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_agency(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Agency>, ApiError> {
    let code = AgencyCode::new(&code).map_err(bad_code)?;
    let a = st
        .store
        .agency(&code)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("không có cơ quan mã `{code}`")))?;
    Ok(Json(a))
}
