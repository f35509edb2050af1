//! Satisfaction ratings on the portal (`/danh-gia/{code}`, issue 6 §6):
//! after the result is returned, the applicant rates the service once, from
//! the lookup page or the link in the e-mail. The applicant proves who they
//! are with the ID number (or tax code) given at reception, which the desk
//! printed on the receipt; wrong numbers count as misses of the lookup rate
//! limit, so codes and numbers cannot be guessed.

use crate::AppState;
use crate::auth::{ClientIp, cookie, field, form_fields};
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_core::dossier::DossierCode;
use motcua_core::rating::{CONTACTS, CRITERIA, LEVELS, Rating, level_label, ratable};
use std::time::Instant;

const COOKIE: &str = "motcua_rate";

#[derive(Template)]
#[template(path = "rating.html")]
struct RatingPage {
    tr: Tr,
    code: String,
    procedure: String,
    /// The form may be shown (returned and not rated yet).
    open: bool,
    rated: Option<&'static str>,
    levels: Vec<(u8, &'static str)>,
    criteria: Vec<(&'static str, &'static str)>,
    contacts: Vec<(u8, &'static str)>,
    csrf: String,
    values: Vec<(String, String)>,
    error: Option<String>,
    done: bool,
}

impl RatingPage {
    fn v(&self, k: &str) -> &str {
        self.values
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

async fn page(
    st: &AppState,
    code: &str,
    values: Vec<(String, String)>,
    error: Option<String>,
    done: bool,
) -> Result<RatingPage, WebError> {
    let missing = || WebError::NotFound(format!("Không có hồ sơ mã {code}."));
    let c = DossierCode::parse(code).map_err(|_| missing())?;
    let rec = st.store.dossier(&c).await?.ok_or_else(missing)?;
    let d = &rec.dossier;
    let rated = st.store.dossier_rating(&c).await?.map(level_label);
    let procedure = procedure_name(st, d).await?;
    Ok(RatingPage {
        tr: Tr::vi(),
        code: c.to_string(),
        procedure,
        open: ratable(d).is_ok() && rated.is_none(),
        rated,
        levels: LEVELS.to_vec(),
        criteria: CRITERIA.to_vec(),
        contacts: CONTACTS.to_vec(),
        csrf: uuid::Uuid::new_v4().simple().to_string(),
        values,
        error,
        done,
    })
}

fn render(status: StatusCode, p: RatingPage) -> Result<Response, PageError> {
    let csrf = p.csrf.clone();
    let path = format!("/danh-gia/{}", p.code);
    Ok(crate::auth::with_form_cookie(
        status,
        p.render()?,
        COOKIE,
        &csrf,
        &path,
    ))
}

/// The name of a dossier's procedure (its version), or its code.
pub(crate) async fn procedure_name(
    st: &AppState,
    d: &motcua_core::dossier::Dossier,
) -> Result<String, WebError> {
    Ok(st
        .store
        .procedure(&d.procedure.code, d.procedure.valid_from)
        .await?
        .map(|v| v.procedure.name)
        .unwrap_or_else(|| d.procedure.code.to_string()))
}

/// The applicant's proof (rating, following from an account): the ID
/// number (or tax code) on the receipt. A wrong one counts as a miss of the
/// client's lookup rate limit, so that numbers cannot be guessed.
pub(crate) fn prove_applicant(
    st: &AppState,
    ip: Option<std::net::IpAddr>,
    now: Instant,
    d: &motcua_core::dossier::Dossier,
    given: Option<&str>,
) -> Result<(), WebError> {
    let given = given.unwrap_or("").trim();
    if d.applicant.id_number == motcua_core::dossier::UNKNOWN_ID_NUMBER {
        return Err(WebError::Forbidden(
            "hồ sơ nhập từ dữ liệu cũ không có số định danh của người nộp; xin liên hệ Bộ phận một cửa".into(),
        ));
    }
    if given.is_empty() || given != d.applicant.id_number.as_str() {
        if let Some(ip) = ip {
            st.lookups.missed(ip, now);
        }
        return Err(WebError::Forbidden(
            "số định danh (hoặc mã số thuế) không khớp với người nộp hồ sơ này".into(),
        ));
    }
    Ok(())
}

/// `GET /danh-gia/{code}`.
pub async fn form(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let p = page(&st, &code, Vec::new(), None, false).await?;
    render(StatusCode::OK, p)
}

/// `POST /danh-gia/{code}`: `csrf`, `id_number`, `overall`, one field per
/// criterion, `contacts`, `unofficial_cost`, `comment`.
pub async fn submit(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form_fields(&body)?;
    let values: Vec<(String, String)> = f
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "id_number")
        .map(|(k, v)| (k.clone(), v.chars().take(2_100).collect()))
        .collect();
    let result: Result<(), WebError> = async {
        let token_ok =
            matches!((cookie(&headers, COOKIE), field(&f, "csrf")), (Some(c), Some(t)) if c == t);
        if !token_ok {
            return Err(WebError::Forbidden(
                "biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang".into(),
            ));
        }
        let now = Instant::now();
        if let Some(ip) = ip
            && !st.lookups.allow(ip, now)
        {
            return Err(WebError::TooManyRequests(
                Tr::vi().t("lookup.too_many").to_string(),
            ));
        }
        let missing = || WebError::NotFound(format!("Không có hồ sơ mã {code}."));
        let c = DossierCode::parse(&code).map_err(|_| missing())?;
        let rec = st.store.dossier(&c).await?.ok_or_else(missing)?;
        let d = &rec.dossier;
        prove_applicant(&st, ip, now, d, field(&f, "id_number"))?;
        ratable(d).map_err(|e| WebError::Conflict(e.to_string()))?;
        let r = Rating::from_answers(|k| field(&f, k))
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let agency = st
            .store
            .agency(&d.receiving_agency)
            .await?
            .ok_or_else(|| WebError::NotFound("không rõ cơ quan tiếp nhận".into()))?;
        st.store
            .rate_dossier(&c, &agency.unit_code, &d.receiving_agency, &r)
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            let p = page(&st, &code, Vec::new(), None, true).await?;
            render(StatusCode::OK, p)
        }
        Err(e) if e.status() == StatusCode::NOT_FOUND || e.status().is_server_error() => {
            Err(e.into())
        }
        Err(e) => {
            let status = e.status();
            let p = page(&st, &code, values, Some(e.to_string()), false).await?;
            render(status, p)
        }
    }
}
