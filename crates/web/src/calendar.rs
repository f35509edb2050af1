//! The working calendar of a year, for a person to check against the
//! government's announcement: JSON at `/api/calendar/{year}`, a page at `/lich/{year}`.

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use chrono::{Datelike, NaiveDate};
use motcua_core::calendar::{self, lunar};
use motcua_core::codes::AgencyCode;
use motcua_store::{AgencyFilter, Paging};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A day where the calendar differs from the weekly pattern.
#[derive(Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// Mon..Sun.
    pub weekday: String,
    /// True for a working weekend day, false for a non-working weekday.
    pub working: bool,
    /// holiday, compensatory, swap-dayoff or swap-workday.
    pub kind: String,
    pub name: String,
}

/// A year of an agency's (or the installation's) working calendar.
#[derive(Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    pub agency: Option<String>,
    /// Weekly working hours.
    pub hours: String,
    /// Dossiers received after this time start counting the next working day.
    pub reception_cutoff: Option<String>,
    /// Solar date of lunar New Year (Tết Nguyên đán) in this year.
    pub tet: NaiveDate,
    /// Number of working days in the year.
    pub working_days: u32,
    pub exceptions: Vec<CalendarDay>,
}

#[derive(Deserialize, IntoParams)]
pub struct CalendarQuery {
    /// Agency identifier; default the installation's calendar.
    agency: Option<String>,
}

async fn year_of(
    st: &AppState,
    year: &str,
    agency: Option<&str>,
) -> Result<CalendarYear, WebError> {
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (calendar::MIN_YEAR..=calendar::MAX_YEAR).contains(y))
        .ok_or_else(|| {
            WebError::BadRequest(format!("năm `{year}` không hợp lệ: cần từ 1900 đến 2100"))
        })?;
    let agency = match agency.map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Some(AgencyCode::new(a).map_err(|e| WebError::BadRequest(e.to_string()))?),
        None => None,
    };
    if let Some(a) = &agency
        && st.store.agency(a).await?.is_none()
    {
        return Err(WebError::NotFound(format!("không có cơ quan mã `{a}`")));
    }
    let cal = st.store.calendar(agency.as_ref()).await?;
    let tet = lunar::tet(year).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let mut working_days = 0;
    let mut d = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| WebError::BadRequest("năm không hợp lệ".into()))?;
    while d.year() == year {
        if cal.is_working_day(d) {
            working_days += 1;
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    Ok(CalendarYear {
        year,
        agency: agency.map(|a| a.to_string()),
        hours: cal.hours().to_string(),
        reception_cutoff: cal
            .reception_cutoff()
            .map(|t| t.format("%H:%M").to_string()),
        tet,
        working_days,
        exceptions: cal
            .year_exceptions(year)
            .into_iter()
            .map(|x| CalendarDay {
                weekday: x.date.format("%a").to_string(),
                date: x.date,
                working: x.working,
                kind: x.kind.as_str().to_string(),
                name: x.name,
            })
            .collect(),
    })
}

/// A year of the working calendar: non-working weekdays and working weekend days, with reasons.
#[utoipa::path(get, path = "/api/calendar/{year}", params(("year" = i32, Path, description = "1900-2100"), CalendarQuery), tag = "calendar",
    responses((status = 200, body = CalendarYear), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_year(
    State(st): State<AppState>,
    Path(year): Path<String>,
    crate::params::ApiQuery(q): crate::params::ApiQuery<CalendarQuery>,
) -> Result<Json<CalendarYear>, ApiError> {
    Ok(Json(year_of(&st, &year, q.agency.as_deref()).await?))
}

struct DayView {
    date: String,
    weekday: &'static str,
    working: bool,
    kind: &'static str,
    name: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    tr: Tr,
    y: CalendarYear,
    tet: String,
    days: Vec<DayView>,
    desks: Vec<(String, String)>,
    agency: String,
}

const WEEKDAYS_VI: [&str; 7] = [
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ nhật",
];

pub async fn page_year(
    State(st): State<AppState>,
    Path(year): Path<String>,
    Query(q): Query<CalendarQuery>,
) -> Result<Html<String>, PageError> {
    let y = year_of(&st, &year, q.agency.as_deref()).await?;
    let desks = st
        .store
        .list_agencies(
            &AgencyFilter {
                desk: Some(true),
                ..Default::default()
            },
            Paging::all(),
        )
        .await?
        .items
        .into_iter()
        .map(|a| (a.code.to_string(), a.name))
        .collect();
    let days = y
        .exceptions
        .iter()
        .map(|d| DayView {
            date: d.date.format("%d/%m/%Y").to_string(),
            weekday: WEEKDAYS_VI[d.date.weekday().num_days_from_monday() as usize],
            working: d.working,
            kind: match d.kind.as_str() {
                "holiday" => "Ngày lễ, Tết",
                "compensatory" => "Nghỉ bù",
                "swap-dayoff" => "Nghỉ hoán đổi",
                _ => "Làm việc bù",
            },
            name: d.name.clone(),
        })
        .collect();
    let page = CalendarPage {
        tr: Tr::vi(),
        tet: y.tet.format("%d/%m/%Y").to_string(),
        agency: y.agency.clone().unwrap_or_default(),
        y,
        days,
        desks,
    };
    Ok(Html(page.render()?))
}

/// `/lich` goes to the current year.
pub async fn page_this_year() -> axum::response::Redirect {
    axum::response::Redirect::to(&format!("/lich/{}", crate::params::today().year()))
}
