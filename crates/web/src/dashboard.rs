//! Reports for leaders and oversight (issue 7 §4-5, docs/reports.md): the
//! JSON API (`/api/reports/statistics`, `/api/reports/causes`, with
//! downloads as CSV, XLSX and PDF) and the workspace dashboard
//! (`/workspace/bao-cao`): on-time rate month by month per desk, overdue by
//! cause, load per desk, as server-rendered SVG charts each with the same
//! figures in a table. Everything reads the running totals.

use crate::AppState;
use crate::auth::Staff;
use crate::dossiers::CurrentUser;
use crate::error::{ApiError, PageError, WebError};
use crate::i18n::Tr;
use crate::workspace::{Nav, nav_for};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use motcua_core::calendar::to_local;
use motcua_core::codes::{AgencyCode, Level, UnitCode};
use motcua_core::stats::{Period, Tally};
use motcua_store::User;
use motcua_store::reports::{CauseRow, GroupBy, Report, Scope};
use serde::Deserialize;
use utoipa::IntoParams;

/// The query of a report (API and dashboard).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (default: 1 January of this year).
    from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    to: Option<String>,
    /// Administrative unit: its desks and those of every unit under it.
    unit: Option<String>,
    /// A desk or another agency: it and the agencies under it.
    agency: Option<String>,
    /// `commune`, `district`, `province`.
    level: Option<String>,
    /// `level`, `agency`, `field`, `procedure`, `channel` (default `agency`).
    group_by: Option<String>,
    /// `json` (default), `csv`, `xlsx`, `pdf`.
    format: Option<String>,
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn day(name: &str, v: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    v.map(|v| {
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| WebError::BadRequest(format!("{name} `{v}`: cần ngày dạng YYYY-MM-DD")))
    })
    .transpose()
}

/// The scope of a user: their agency's unit and everything under it.
async fn home_unit(st: &AppState, u: &User) -> Result<UnitCode, WebError> {
    st.store
        .agency(&u.agency)
        .await?
        .map(|a| a.unit_code)
        .ok_or_else(|| WebError::Forbidden("không rõ đơn vị của người dùng".into()))
}

/// Reads a query into a scope (within the user's unit), period, grouping.
async fn parse(
    st: &AppState,
    u: &User,
    q: &ReportQuery,
) -> Result<(Scope, Period, GroupBy), WebError> {
    if !motcua_core::dossier::may_read_reports(&u.roles) {
        return Err(WebError::Forbidden(
            "chỉ lãnh đạo, trưởng phòng, quản trị và giám sát xem được báo cáo".into(),
        ));
    }
    let today = to_local(Utc::now()).date();
    let from = day("from", text(&q.from))?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = day("to", text(&q.to))?.unwrap_or(today);
    let p = Period::new(from, to).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let home = home_unit(st, u).await?;
    let unit = match text(&q.unit) {
        None => home.clone(),
        Some(x) => UnitCode::new(x).map_err(|e| WebError::BadRequest(format!("unit: {e}")))?,
    };
    // A unit outside the user's own is refused (oversight of the province
    // reads the province; a district reads its communes).
    let inside = st
        .store
        .scope_agencies(&Scope {
            unit: Some(home.clone()),
            ..Default::default()
        })
        .await?;
    let wanted = st
        .store
        .scope_agencies(&Scope {
            unit: Some(unit.clone()),
            ..Default::default()
        })
        .await?;
    if wanted
        .iter()
        .any(|a| !inside.iter().any(|b| b.code == a.code))
    {
        return Err(WebError::Forbidden(format!(
            "đơn vị {unit} nằm ngoài phạm vi của {home}"
        )));
    }
    let scope = Scope {
        unit: Some(unit),
        agency: text(&q.agency)
            .map(AgencyCode::new)
            .transpose()
            .map_err(|e| WebError::BadRequest(format!("agency: {e}")))?,
        level: text(&q.level)
            .map(|l| {
                Level::parse(l).ok_or_else(|| {
                    WebError::BadRequest(format!("level `{l}`: commune, district hoặc province"))
                })
            })
            .transpose()?,
    };
    let group_by = match text(&q.group_by) {
        None => GroupBy::Agency,
        Some(g) => GroupBy::parse(g).ok_or_else(|| {
            WebError::BadRequest(format!(
                "group_by `{g}`: level, agency, field, procedure hoặc channel"
            ))
        })?,
    };
    Ok((scope, p, group_by))
}

fn download(bytes: Vec<u8>, mime: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Serves a table document as CSV/XLSX/PDF or its JSON.
fn answer(
    format: Option<&str>,
    json: serde_json::Value,
    csv: impl FnOnce() -> String,
    table: impl FnOnce() -> motcua_docs::TableDoc,
    stem: &str,
) -> Result<Response, WebError> {
    let bad = |e: motcua_docs::DocError| WebError::BadRequest(e.to_string());
    Ok(match format.unwrap_or("json") {
        "json" => axum::Json(json).into_response(),
        "csv" => download(
            csv().into_bytes(),
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
        ),
        "xlsx" => download(
            motcua_docs::table_xlsx(&table(), "Báo cáo").map_err(bad)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
        ),
        "pdf" => download(
            motcua_docs::table_pdf(&table()).map_err(bad)?,
            "application/pdf",
            &format!("{stem}.pdf"),
        ),
        other => {
            return Err(WebError::BadRequest(format!(
                "format `{other}`: json, csv, xlsx hoặc pdf"
            )));
        }
    })
}

/// The issuing body and scope line of a report.
async fn heading(st: &AppState, scope: &Scope, desks: usize) -> Result<(String, String), WebError> {
    let unit = match &scope.unit {
        Some(u) => st
            .store
            .unit_history(u)
            .await?
            .last()
            .map(|x| x.name.clone()),
        None => None,
    };
    let agency = match &scope.agency {
        Some(a) => st.store.agency(a).await?.map(|x| x.name),
        None => None,
    };
    let issuer = agency
        .clone()
        .or(unit.as_ref().map(|u| format!("Ủy ban nhân dân {u}")))
        .unwrap_or_else(|| "Hệ thống một cửa điện tử".into());
    let mut parts = Vec::new();
    if let Some(u) = unit {
        parts.push(format!("{u} và các đơn vị trực thuộc"));
    }
    if let Some(a) = agency {
        parts.push(a);
    }
    if let Some(l) = scope.level {
        parts.push(l.label_vi().to_string());
    }
    Ok((
        issuer,
        format!("{} ({desks} Bộ phận một cửa)", parts.join(", ")),
    ))
}

/// The statistics report of a scope and period.
#[utoipa::path(get, path = "/api/reports/statistics", params(ReportQuery), tag = "reports",
    responses((status = 200, description = "The report: JSON rows with their grouping key and the counts; or a CSV, XLSX or PDF file"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_statistics(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    crate::params::ApiQuery(q): crate::params::ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (scope, p, g) = parse(&st, &user, &q).await?;
    let r = st
        .store
        .report(&scope, &p, g, to_local(Utc::now()))
        .await
        .map_err(WebError::from)?;
    let (issuer, scope_text) = heading(&st, &scope, r.agencies.len()).await?;
    Ok(answer(
        text(&q.format),
        crate::reports::report_json(&r),
        || crate::reports::report_csv(&r),
        || crate::reports::table_doc(&r, "", &issuer, &scope_text),
        &format!("bao-cao-{}-{}", p.from(), p.to()),
    )?)
}

/// The causes of overdue of a scope and period.
#[utoipa::path(get, path = "/api/reports/causes", params(ReportQuery), tag = "reports",
    responses((status = 200, description = "Overdue dossiers by apology reason and the step and agency where time was lost"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_causes(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    crate::params::ApiQuery(q): crate::params::ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (scope, p, _) = parse(&st, &user, &q).await?;
    let desks = st
        .store
        .scope_agencies(&scope)
        .await
        .map_err(WebError::from)?;
    let codes: Vec<AgencyCode> = desks.iter().map(|d| d.code.clone()).collect();
    let rows = st
        .store
        .overdue_causes(&codes, &p)
        .await
        .map_err(WebError::from)?;
    let (issuer, scope_text) = heading(&st, &scope, desks.len()).await?;
    let agencies: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    Ok(answer(
        text(&q.format),
        crate::reports::causes_json(p.from(), p.to(), &agencies, &rows),
        || crate::reports::causes_csv(&rows),
        || crate::reports::causes_table(p.from(), p.to(), &rows, "", &issuer, &scope_text),
        &format!("nguyen-nhan-qua-han-{}-{}", p.from(), p.to()),
    )?)
}

/// The components of the Decision 766 index a scope's data give.
#[utoipa::path(get, path = "/api/reports/index", params(ReportQuery), tag = "reports",
    responses((status = 200, description = "Each component: formula, inputs, ratio and score, or why it cannot be computed"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_index(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    crate::params::ApiQuery(q): crate::params::ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (scope, p, _) = parse(&st, &user, &q).await?;
    let input = st
        .store
        .index_input(&scope, &p, to_local(Utc::now()))
        .await
        .map_err(WebError::from)?;
    let desks = st
        .store
        .scope_agencies(&scope)
        .await
        .map_err(WebError::from)?;
    let (issuer, scope_text) = heading(&st, &scope, desks.len()).await?;
    Ok(answer(
        text(&q.format),
        crate::reports::index_json(p.from(), p.to(), &input),
        || crate::reports::index_csv(&input),
        || crate::reports::index_table(p.from(), p.to(), &input, &issuer, &scope_text),
        &format!("chi-so-766-{}-{}", p.from(), p.to()),
    )?)
}

/// One month of the on-time chart: label and the rate per series.
pub struct MonthPoint {
    pub label: String,
    pub rates: Vec<Option<f64>>,
}

/// A line of the on-time chart.
pub struct Line {
    pub name: String,
    pub class: &'static str,
    /// SVG points `x,y …`.
    pub points: String,
    /// The same points, drawn as dots (a month alone makes no line).
    pub dots: Vec<(f64, f64, String)>,
}

/// A bar of a bar chart: label, value, width in SVG units, `y`.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub width: f64,
    pub y: u32,
}

#[derive(Template)]
#[template(path = "ws_reports.html")]
struct DashboardPage {
    tr: Tr,
    nav: Nav,
    from: String,
    to: String,
    group_by: &'static str,
    groups: Vec<(&'static str, &'static str)>,
    query: String,
    report: Report,
    on_time: Vec<(String, String)>,
    months: Vec<MonthPoint>,
    series: Vec<String>,
    lines: Vec<Line>,
    causes: Vec<CauseRow>,
    cause_bars: Vec<Bar>,
    load_bars: Vec<(String, f64, f64, u32, u64, u64)>,
    index: Vec<motcua_core::index766::Component>,
    chart_h: u32,
    load_h: u32,
}

impl DashboardPage {
    fn pct(&self, t: &Tally) -> String {
        t.on_time_pct()
            .map(|v| format!("{v:.1} %").replace('.', ","))
            .unwrap_or_else(|| "—".into())
    }
    fn reason(&self, code: &str) -> String {
        crate::reports::reason_label(code)
    }
    fn score(&self, c: &motcua_core::index766::Component) -> String {
        match c.score {
            Some(s) => format!("{s:.2} / {:.0}", c.max).replace('.', ","),
            None => "—".into(),
        }
    }
    fn rate(&self, r: &Option<f64>) -> String {
        r.map(|v| format!("{v:.1}").replace('.', ","))
            .unwrap_or_else(|| "—".into())
    }
}

const LINE_CLASSES: [&str; 6] = ["l0", "l1", "l2", "l3", "l4", "l5"];

/// The months of a period (at most the last 36).
fn months(p: &Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut start =
        NaiveDate::from_ymd_opt(p.from().year(), p.from().month(), 1).unwrap_or(p.from());
    while start <= p.to() {
        let next = start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start);
        let from = start.max(p.from());
        let to = next.pred_opt().unwrap_or(next).min(p.to());
        if let Ok(m) = Period::new(from, to) {
            out.push(m);
        }
        if next <= start {
            break;
        }
        start = next;
    }
    let skip = out.len().saturating_sub(36);
    out.into_iter().skip(skip).collect()
}

/// `GET /workspace/bao-cao`: the leaders' dashboard.
pub async fn page(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Result<Html<String>, PageError> {
    let u = &staff.0.user;
    let (scope, p, g) = parse(&st, u, &q).await?;
    let now = to_local(Utc::now());
    let report = st.store.report(&scope, &p, g, now).await?;
    let by_agency = st.store.report(&scope, &p, GroupBy::Agency, now).await?;
    // The busiest desks (up to six) month by month, and all of them.
    let mut top: Vec<_> = by_agency.rows.iter().collect();
    top.sort_by_key(|r| std::cmp::Reverse(r.tally.total()));
    let top: Vec<(String, String)> = top
        .into_iter()
        .take(5)
        .map(|r| (r.key.clone(), r.label.clone()))
        .collect();
    let mut series: Vec<String> = vec![Tr::vi().t("rep.all").to_string()];
    series.extend(top.iter().map(|t| t.1.clone()));
    // On-time rate by month: resolved early / on time / overdue within each
    // month, all months in one read of the month (and edge day) buckets.
    let month_list = months(&p);
    let desk_codes: Vec<AgencyCode> = by_agency
        .agencies
        .iter()
        .filter_map(|c| AgencyCode::new(c).ok())
        .collect();
    let sums = st.store.sums_by_period(&desk_codes, &month_list).await?;
    let rate = |c: &motcua_core::report::Counts| {
        let done = c.early + c.on_time + c.overdue;
        (done > 0).then(|| ((c.early + c.on_time) as f64 * 1000.0 / done as f64).round() / 10.0)
    };
    let mut points = Vec::new();
    for (m, per) in month_list.iter().zip(&sums) {
        let mut all = motcua_core::report::Counts::default();
        for c in per.values() {
            all.add(c);
        }
        let mut rates = vec![rate(&all)];
        for (code, _) in &top {
            rates.push(per.get(code).and_then(rate));
        }
        points.push(MonthPoint {
            label: format!("{:02}/{}", m.from().month(), m.from().year()),
            rates,
        });
    }
    // Lines: x by month over 700 units, y = 100 % at the top, 0 % at 200.
    let step = if points.len() > 1 {
        700.0 / (points.len() - 1) as f64
    } else {
        0.0
    };
    let lines = (0..series.len())
        .map(|i| {
            let dots: Vec<(f64, f64, String)> = points
                .iter()
                .enumerate()
                .filter_map(|(k, pt)| {
                    pt.rates[i].map(|r| {
                        (
                            60.0 + step * k as f64,
                            210.0 - 2.0 * r,
                            format!("{} {}: {:.1} %", series[i], pt.label, r).replace('.', ","),
                        )
                    })
                })
                .collect();
            Line {
                name: series[i].clone(),
                class: LINE_CLASSES[i % LINE_CLASSES.len()],
                points: dots
                    .iter()
                    .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                dots,
            }
        })
        .collect();
    let causes = st.store.overdue_causes(&desk_codes, &p).await?;
    let mut by_reason: Vec<(String, i64)> = Vec::new();
    for c in &causes {
        let label = crate::reports::reason_label(&c.reason);
        match by_reason.iter_mut().find(|x| x.0 == label) {
            Some(x) => x.1 += c.dossiers,
            None => by_reason.push((label, c.dossiers)),
        }
    }
    by_reason.sort_by_key(|x| std::cmp::Reverse(x.1));
    let max = by_reason.iter().map(|x| x.1).max().unwrap_or(1).max(1) as f64;
    let cause_bars = by_reason
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            label,
            value,
            width: value as f64 / max * 500.0,
            y: 10 + 30 * i as u32,
        })
        .collect::<Vec<_>>();
    let max = by_agency
        .rows
        .iter()
        .map(|r| r.tally.total())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let load_bars: Vec<_> = by_agency
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                r.label.clone(),
                r.tally.received() as f64 / max * 500.0,
                r.tally.in_progress() as f64 / max * 500.0,
                10 + 44 * i as u32,
                r.tally.received(),
                r.tally.in_progress(),
            )
        })
        .collect();
    let on_time = by_agency
        .rows
        .iter()
        .map(|r| {
            (
                r.label.clone(),
                r.tally
                    .on_time_pct()
                    .map(|v| format!("{v:.1} %").replace('.', ","))
                    .unwrap_or_else(|| "—".into()),
            )
        })
        .collect();
    let index = motcua_core::index766::components(&st.store.index_input(&scope, &p, now).await?);
    let mut qs = vec![
        format!("from={}", p.from()),
        format!("to={}", p.to()),
        format!("group_by={}", g.as_str()),
    ];
    for (k, v) in [
        ("unit", &q.unit),
        ("agency", &q.agency),
        ("level", &q.level),
    ] {
        if let Some(v) = text(v) {
            qs.push(format!("{k}={}", crate::text::urlencode(v)));
        }
    }
    Ok(Html(
        DashboardPage {
            tr: Tr::vi(),
            nav: nav_for(&st, &staff, "reports").await?,
            from: p.from().to_string(),
            to: p.to().to_string(),
            group_by: g.as_str(),
            groups: GroupBy::ALL
                .iter()
                .map(|g| (g.as_str(), g.label_vi()))
                .collect(),
            query: qs.join("&"),
            chart_h: 250,
            load_h: 20 + 44 * load_bars.len() as u32,
            report,
            on_time,
            months: points,
            series,
            lines,
            causes,
            cause_bars,
            load_bars,
            index,
        }
        .render()?,
    ))
}

/// `GET /workspace/bao-cao/tai-ve?kind=statistics|causes&format=…`: the
/// dashboard's downloads, with the session instead of a token.
pub async fn download_page(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
    Query(k): Query<KindQuery>,
) -> Result<Response, PageError> {
    let u = &staff.0.user;
    let (scope, p, g) = parse(&st, u, &q).await?;
    let fmt = text(&q.format).or(Some("pdf"));
    let r = if k.kind.as_deref() == Some("causes") {
        let desks = st.store.scope_agencies(&scope).await?;
        let codes: Vec<AgencyCode> = desks.iter().map(|d| d.code.clone()).collect();
        let rows = st.store.overdue_causes(&codes, &p).await?;
        let (issuer, scope_text) = heading(&st, &scope, desks.len()).await?;
        let agencies: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        answer(
            fmt,
            crate::reports::causes_json(p.from(), p.to(), &agencies, &rows),
            || crate::reports::causes_csv(&rows),
            || crate::reports::causes_table(p.from(), p.to(), &rows, "", &issuer, &scope_text),
            &format!("nguyen-nhan-qua-han-{}-{}", p.from(), p.to()),
        )?
    } else {
        let r = st.store.report(&scope, &p, g, to_local(Utc::now())).await?;
        let (issuer, scope_text) = heading(&st, &scope, r.agencies.len()).await?;
        answer(
            fmt,
            crate::reports::report_json(&r),
            || crate::reports::report_csv(&r),
            || crate::reports::table_doc(&r, "", &issuer, &scope_text),
            &format!("bao-cao-{}-{}", p.from(), p.to()),
        )?
    };
    Ok(r)
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}
