//! Public statistics (`/thong-ke`, issue 6 §7): per receiving desk and for
//! all, for a period, dossiers received, resolved early / on time / overdue,
//! returned and in progress, the on-time rate and satisfaction; a chart drawn
//! on the server as SVG that also reads as the table beside it. The counting
//! is `motcua_core::stats` (each dossier in one column).

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{Datelike, NaiveDate, Utc};
use motcua_core::calendar::{to_local, to_utc};
use motcua_core::rating::RatingSummary;
use motcua_core::stats::{Period, Tally};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Line {
    pub agency: String,
    pub name: String,
    pub t: Tally,
    pub on_time: String,
    pub rating: RatingSummary,
    pub satisfied: String,
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} %").replace('.', ","))
        .unwrap_or_else(|| "—".into())
}

/// Counts every desk's dossiers for `p`, with the ratings given in it.
pub async fn compute(st: &AppState, p: &Period) -> Result<(Vec<Line>, Line), WebError> {
    let now = to_local(Utc::now());
    // From the running totals (docs/reports.md): the cost depends on the
    // desks and the period, not on the number of dossiers.
    let report = st
        .store
        .report(
            &motcua_store::reports::Scope::default(),
            p,
            motcua_store::reports::GroupBy::Agency,
            now,
        )
        .await?;
    let by: BTreeMap<String, Tally> = report.rows.into_iter().map(|r| (r.key, r.tally)).collect();
    let ratings = st
        .store
        .rating_summaries(to_utc(p.start()), to_utc(p.end()))
        .await?;
    let mut lines = Vec::new();
    let mut total = Tally::default();
    let mut total_rating = RatingSummary::default();
    let codes: std::collections::BTreeSet<String> =
        by.keys().chain(ratings.keys()).cloned().collect();
    for code in codes {
        let t = by.get(&code).copied().unwrap_or_default();
        let rating = ratings.get(&code).cloned().unwrap_or_default();
        if t.total() == 0 && rating.count == 0 {
            continue;
        }
        total.merge(&t);
        total_rating.count += rating.count;
        total_rating.satisfied += rating.satisfied;
        for (a, b) in total_rating.by_level.iter_mut().zip(rating.by_level) {
            *a += b;
        }
        let name = match motcua_core::codes::AgencyCode::new(&code) {
            Ok(c) => st.store.agency(&c).await?.map(|a| a.name),
            Err(_) => None,
        }
        .unwrap_or_else(|| code.clone());
        lines.push(Line {
            on_time: pct(t.on_time_pct()),
            satisfied: pct(rating.satisfied_pct()),
            agency: code,
            name,
            t,
            rating,
        });
    }
    let all = Line {
        agency: String::new(),
        name: Tr::vi().t("stats.all").to_string(),
        on_time: pct(total.on_time_pct()),
        satisfied: pct(total_rating.satisfied_pct()),
        t: total,
        rating: total_rating,
    };
    Ok((lines, all))
}

/// One bar of the chart: its segments as (x, width, class, value).
pub struct Bar {
    pub y: u32,
    pub label: String,
    pub segs: Vec<(f64, f64, &'static str, u64)>,
}

/// Width of the chart's bar area, in SVG units.
const W: f64 = 600.0;

fn bars(lines: &[Line]) -> Vec<Bar> {
    let max = lines.iter().map(|l| l.t.total()).max().unwrap_or(0).max(1) as f64;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut x = 0.0;
            let segs = [
                ("early", l.t.resolved_early),
                ("ontime", l.t.resolved_on_time),
                ("overdue", l.t.resolved_overdue),
                ("returned", l.t.returned_all()),
                ("progress", l.t.in_progress()),
            ]
            .into_iter()
            .filter(|(_, v)| *v > 0)
            .map(|(c, v)| {
                let w = v as f64 / max * W;
                let s = (x, w, c, v);
                x += w;
                s
            })
            .collect();
            Bar {
                y: 30 + 44 * i as u32,
                label: l.name.clone(),
                segs,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    tr: Tr,
    from: String,
    to: String,
    lines: Vec<Line>,
    all: Line,
    bars: Vec<Bar>,
    height: u32,
}

#[derive(Deserialize)]
pub struct StatsQuery {
    tu: Option<String>,
    den: Option<String>,
}

fn date(name: &str, v: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| WebError::BadRequest(format!("{name} `{v}` cần dạng năm-tháng-ngày"))),
    }
}

/// This year up to today.
pub fn default_period() -> Period {
    let today = to_local(Utc::now()).date();
    let from = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    Period::new(from, today).unwrap_or_else(|_| Period::new(today, today).expect("same day"))
}

/// `GET /thong-ke[?tu=YYYY-MM-DD&den=YYYY-MM-DD]`.
pub async fn page(
    State(st): State<AppState>,
    Query(q): Query<StatsQuery>,
) -> Result<Html<String>, PageError> {
    let d = default_period();
    let from = date("Từ ngày", q.tu.as_deref())?.unwrap_or(d.from());
    let to = date("Đến ngày", q.den.as_deref())?.unwrap_or(d.to());
    let p = Period::new(from, to).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (lines, all) = compute(&st, &p).await?;
    let bars = bars(&lines);
    Ok(Html(
        StatsPage {
            tr: Tr::vi(),
            from: from.to_string(),
            to: to.to_string(),
            height: 40 + 44 * bars.len() as u32,
            bars,
            lines,
            all,
        }
        .render()?,
    ))
}
