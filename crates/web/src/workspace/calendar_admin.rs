//! Administration of the working calendar: days off and working days of a year, flagged rows.

use super::*;

struct DayLine {
    date: String,
    iso: String,
    weekday: String,
    kind: &'static str,
    name: String,
    note: String,
    /// Stored here (removable), not derived by rule.
    stored: bool,
}

#[derive(Template)]
#[template(path = "ws_calendar.html")]
struct CalendarAdminPage {
    tr: Tr,
    nav: Nav,
    year: i32,
    scope_label: String,
    days: Vec<DayLine>,
    kinds: Vec<(&'static str, &'static str)>,
    working_days: usize,
    bad: Vec<motcua_store::BadDayRule>,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    nam: Option<i32>,
}

fn weekday_vi(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match d.weekday() {
        chrono::Weekday::Mon => "Thứ Hai",
        chrono::Weekday::Tue => "Thứ Ba",
        chrono::Weekday::Wed => "Thứ Tư",
        chrono::Weekday::Thu => "Thứ Năm",
        chrono::Weekday::Fri => "Thứ Sáu",
        chrono::Weekday::Sat => "Thứ Bảy",
        chrono::Weekday::Sun => "Chủ nhật",
    }
    .to_string()
}

async fn calendar_admin_page(
    st: &AppState,
    staff: &Staff,
    year: i32,
    error: Option<String>,
    done: Option<String>,
) -> Result<CalendarAdminPage, WebError> {
    use chrono::Datelike;
    if !(1901..=2099).contains(&year) {
        return Err(WebError::BadRequest(format!(
            "năm {year} ngoài phạm vi 1901-2099"
        )));
    }
    let u = &staff.0.user;
    let scope = admin_scope(st, u).await?;
    let (nav, _, _) = nav(st, staff, None, "calendar").await?;
    let cal = st.store.calendar(scope.as_ref()).await?;
    let stored: Vec<motcua_core::calendar::DayRule> = match &scope {
        Some(a) => st.store.agency_day_rules(a).await?,
        None => st.store.day_rules().await?,
    };
    let stored_days: Vec<chrono::NaiveDate> = stored
        .iter()
        .filter(|r| r.date.year() == year)
        .map(|r| r.date)
        .collect();
    let mut rules: Vec<motcua_core::calendar::DayRule> = cal
        .rules()
        .iter()
        .filter(|r| r.date.year() == year)
        .cloned()
        .collect();
    for r in stored.iter().filter(|r| r.date.year() == year) {
        if !rules.iter().any(|x| x.date == r.date) {
            rules.push(r.clone());
        }
    }
    rules.sort_by_key(|r| r.date);
    let days = rules
        .into_iter()
        .map(|r| DayLine {
            date: r.date.format("%d/%m/%Y").to_string(),
            iso: r.date.format("%Y-%m-%d").to_string(),
            weekday: weekday_vi(r.date),
            kind: r.kind.label_vi(),
            stored: stored_days.contains(&r.date),
            name: r.name,
            note: r.note,
        })
        .collect();
    let working_days = (1..=366)
        .filter_map(|o| chrono::NaiveDate::from_yo_opt(year, o))
        .filter(|d| cal.is_working_day(*d))
        .count();
    let scope_label = match &scope {
        Some(a) => format!("{} ({a})", nav.agency),
        None => Tr::vi().t("cal.installation").to_string(),
    };
    Ok(CalendarAdminPage {
        tr: Tr::vi(),
        nav,
        year,
        scope_label,
        days,
        kinds: motcua_core::calendar::DayKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_vi()))
            .collect(),
        working_days,
        bad: st.store.bad_day_rules(scope.as_ref()).await?,
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/lich?nam=YYYY`: the year's holidays, days off
/// and working weekend days, as the agency's calendar counts them.
pub async fn calendar_admin(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, PageError> {
    use chrono::Datelike;
    let year = q.nam.unwrap_or_else(|| now_local().year());
    Ok(Html(
        calendar_admin_page(&st, &staff, year, None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/lich`: `op` = `set` (date, kind, name, note) or
/// `remove` (date), for the installation (its administrator) or the
/// administrator's agency.
pub async fn calendar_admin_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    use chrono::Datelike;
    let f = staff.checked_form(&body)?;
    let scope = admin_scope(&st, &staff.0.user).await?;
    let date = chrono::NaiveDate::parse_from_str(field(&f, "date").unwrap_or(""), "%Y-%m-%d");
    // The page shown after the change: the year of the day, or this year
    // when the day is not one the page can show.
    let year = date
        .as_ref()
        .map(|d| d.year())
        .ok()
        .filter(|y| (1901..=2099).contains(y))
        .unwrap_or_else(|| now_local().year());
    let result = async {
        if field(&f, "op") == Some("remove-stored") {
            let day = field(&f, "day").unwrap_or("");
            if !st.store.remove_stored_day(scope.as_ref(), day).await? {
                return Err(WebError::NotFound(format!("không có dòng lịch đã lưu ngày `{day}`")));
            }
            tracing::info!(admin = %staff.0.user.username, day, "stored calendar row deleted");
            return Ok(format!("đã xóa dòng lịch ngày {day}"));
        }
        let date = date.map_err(|_| WebError::BadRequest("ngày không hợp lệ".into()))?;
        match field(&f, "op").unwrap_or("") {
            "set" => {
                let kind: motcua_core::calendar::DayKind = field(&f, "kind")
                    .unwrap_or("")
                    .parse()
                    .map_err(|_| WebError::BadRequest("loại ngày không hợp lệ".into()))?;
                let name = field(&f, "name").unwrap_or("").trim();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(WebError::BadRequest("cần tên ngày (1-200 ký tự), ví dụ \"Nghỉ hoán đổi dịp Quốc khánh\"".into()));
                }
                let rule = motcua_core::calendar::DayRule {
                    date,
                    kind,
                    name: name.to_string(),
                    note: field(&f, "note").unwrap_or("").trim().chars().take(300).collect(),
                };
                st.store.set_day_rule(scope.as_ref(), &rule).await?;
                tracing::info!(admin = %staff.0.user.username, %date, kind = kind.as_str(), "calendar day set");
                Ok(format!("đã lưu ngày {}", date.format("%d/%m/%Y")))
            }
            "remove" => {
                if !st.store.remove_day_rule(scope.as_ref(), date).await? {
                    return Err(WebError::NotFound(format!("ngày {} không có trong lịch đã lưu", date.format("%d/%m/%Y"))));
                }
                Ok(format!("đã bỏ ngày {}", date.format("%d/%m/%Y")))
            }
            op => Err(WebError::BadRequest(format!("thao tác `{op}` không hợp lệ"))),
        }
    }
    .await;
    answer(result, |error, done| async move {
        Ok(calendar_admin_page(&st, &staff, year, error, done)
            .await?
            .render()?)
    })
    .await
}
