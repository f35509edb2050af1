//! Query-string parameters, validated by hand so that a person gets a
//! Vietnamese message naming the parameter (axum's own rejection does not).

use crate::error::{ApiError, WebError};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use chrono::NaiveDate;
use motcua_core::codes::Level;
use motcua_store::Paging;

pub fn paging(
    page: Option<&str>,
    per_page: Option<&str>,
    default_per_page: u32,
) -> Result<Paging, WebError> {
    let num = |name: &str, v: Option<&str>, default: u32| -> Result<u32, WebError> {
        match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => s.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "tham số `{name}` = `{s}` không hợp lệ: cần số nguyên từ 1 trở lên"
                ))
            }),
        }
    };
    let page = num("page", page, 1)?;
    let per_page = num("per_page", per_page, default_per_page)?;
    if per_page > Paging::MAX_PER_PAGE {
        return Err(WebError::BadRequest(format!(
            "tham số `per_page` tối đa là {}",
            Paging::MAX_PER_PAGE
        )));
    }
    if page > 1_000_000 {
        return Err(WebError::BadRequest("tham số `page` quá lớn".into()));
    }
    Paging::new(page, per_page).map_err(|e| WebError::BadRequest(e.to_string()))
}

pub fn date(name: &str, v: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                WebError::BadRequest(format!(
                    "tham số `{name}` = `{s}` không phải ngày dạng YYYY-MM-DD"
                ))
            }),
    }
}

pub fn level(v: Option<&str>) -> Result<Option<Level>, WebError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Level::parse(s).map(Some).ok_or_else(|| {
            WebError::BadRequest(format!(
                "tham số `level` = `{s}` không hợp lệ: cần central, province, district, commune hoặc other"
            ))
        }),
    }
}

pub fn boolean(name: &str, v: Option<&str>) -> Result<Option<bool>, WebError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(s) => Err(WebError::BadRequest(format!(
            "tham số `{name}` = `{s}` không hợp lệ: cần true hoặc false"
        ))),
    }
}

pub fn text(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect())
}

/// Today in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The query string of an API call, deserialised like axum's `Query`, but
/// refused with the API's JSON error (400) naming what is wrong, never the
/// extractor's plain-text rejection (a duplicate or missing parameter).
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError(WebError::BadRequest(format!(
                "tham số truy vấn không hợp lệ: {}",
                e.body_text()
            )))),
        }
    }
}
