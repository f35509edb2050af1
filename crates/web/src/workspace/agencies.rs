//! Administration of agencies: hours and details of the administrator's agencies.

use super::*;

#[derive(Template)]
#[template(path = "ws_agency.html")]
struct AgencyAdminPage {
    tr: Tr,
    nav: Nav,
    agencies: Vec<(String, String)>,
    code: String,
    name: String,
    hours: String,
    hours_vi: String,
    desk: bool,
    address: String,
    phone: String,
    email: String,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct AgencyQuery {
    ma: Option<String>,
}

async fn agency_admin_page(
    st: &AppState,
    staff: &Staff,
    code: Option<&str>,
    error: Option<String>,
    done: Option<String>,
) -> Result<AgencyAdminPage, WebError> {
    let u = &staff.0.user;
    let scope = admin_scope(st, u).await?;
    let (nav, _, _) = nav(st, staff, None, "agency").await?;
    let code = match (code, &scope) {
        (Some(c), None) => AgencyCode::new(c).map_err(|e| WebError::BadRequest(e.to_string()))?,
        _ => u.agency.clone(),
    };
    let a = st
        .store
        .agency(&code)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("không có cơ quan mã `{code}`")))?;
    let agencies = if scope.is_none() {
        st.store
            .all_agencies()
            .await?
            .into_iter()
            .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AgencyAdminPage {
        tr: Tr::vi(),
        nav,
        agencies,
        code: a.code.to_string(),
        name: a.name.clone(),
        hours: a.hours.to_string(),
        hours_vi: Tr::vi().hours(&a.hours.to_string()),
        desk: a.desk,
        address: a.address.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/co-quan[?ma=CODE]`: an agency's working hours,
/// desk flag and contacts (one's own; any for the installation's
/// administrator).
pub async fn agency_admin(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<AgencyQuery>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        agency_admin_page(&st, &staff, q.ma.as_deref(), None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/co-quan`: saves hours (e.g. `Mon-Fri
/// 07:30-11:30 13:30-17:00; Sat 07:30-11:30`), desk flag and contacts.
pub async fn agency_admin_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = staff.checked_form(&body)?;
    let scope = admin_scope(&st, &staff.0.user).await?;
    let code = field(&f, "code").unwrap_or("").to_string();
    let result = async {
        let c = AgencyCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        if scope.as_ref().is_some_and(|s| *s != c) {
            return Err(WebError::Forbidden(
                "cơ quan ngoài phạm vi quản trị của bạn".into(),
            ));
        }
        let mut a = st
            .store
            .agency(&c)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("không có cơ quan mã `{c}`")))?;
        a.hours = motcua_core::calendar::WorkingHours::parse(field(&f, "hours").unwrap_or(""))
            .map_err(|e| WebError::BadRequest(format!("giờ làm việc không hợp lệ: {e}")))?;
        a.desk = field(&f, "desk") == Some("1");
        let text = |k: &str, max: usize| -> Result<String, WebError> {
            let v = field(&f, k).unwrap_or("").trim().to_string();
            if v.chars().count() > max {
                return Err(WebError::BadRequest(format!("`{k}` dài quá {max} ký tự")));
            }
            Ok(v)
        };
        a.address = text("address", 300)?;
        a.phone = text("phone", 50)?;
        a.email = text("email", 200)?;
        st.store.import_agencies(&[a]).await?;
        tracing::info!(admin = %staff.0.user.username, agency = %c, "agency updated");
        Ok("đã lưu thông tin cơ quan".to_string())
    }
    .await;
    answer(result, |error, done| async move {
        Ok(agency_admin_page(&st, &staff, Some(&code), error, done)
            .await?
            .render()?)
    })
    .await
}
