//! Administration of internal processes: versions per procedure and agency.

use super::*;

struct StepRow {
    index: usize,
    name: String,
    role: String,
    agency: String,
    hours: String,
}

struct VersionLine {
    scope: String,
    valid_from: String,
    steps: String,
    total: String,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "ws_process.html")]
struct ProcessPage {
    tr: Tr,
    nav: Nav,
    q: String,
    hits: Vec<ProcLine>,
    code: String,
    name: String,
    time: String,
    allowed: String,
    rows: Vec<StepRow>,
    roles: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    versions: Vec<VersionLine>,
    general: bool,
    today: String,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct ProcessQuery {
    pub(super) q: Option<String>,
}

fn hours(m: i64) -> String {
    let h = m as f64 / 60.0;
    if (h - h.round()).abs() < 1e-9 {
        format!("{}", h.round() as i64)
    } else {
        format!("{h:.2}").trim_end_matches('0').to_string()
    }
}

/// The processing time and its working minutes at the admin's agency.
async fn procedure_time(
    st: &AppState,
    code: &ProcedureCode,
    cal: &WorkCalendar,
) -> Result<
    (
        motcua_core::catalogue::Procedure,
        motcua_core::calendar::ProcessingTime,
        i64,
    ),
    WebError,
> {
    let pv = st
        .store
        .procedure(code, Some(now_local().date()))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{code}`")))?;
    let time = pv
        .procedure
        .processing_time(None)
        .and_then(|s| motcua_core::calendar::ProcessingTime::new(s.unit, s.value).ok())
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "thủ tục {code} chưa có thời hạn giải quyết bằng số: cập nhật danh mục trước khi lập quy trình"
            ))
        })?;
    let allowed = motcua_core::dossier::working_budget(time, cal.day_length()).as_minutes();
    Ok((pv.procedure, time, allowed))
}

async fn process_page(
    st: &AppState,
    staff: &Staff,
    code: Option<&str>,
    q: String,
    form_rows: Option<Vec<StepRow>>,
    error: Option<String>,
    done: Option<String>,
) -> Result<ProcessPage, WebError> {
    let u = &staff.0.user;
    let scope = admin_scope(st, u).await?;
    let (nav, _, cal) = nav(st, staff, None, "process").await?;
    let mut page = ProcessPage {
        tr: Tr::vi(),
        nav,
        q: q.clone(),
        hits: Vec::new(),
        code: String::new(),
        name: String::new(),
        time: String::new(),
        allowed: String::new(),
        rows: Vec::new(),
        roles: Role::ALL
            .iter()
            .filter(|r| r.works_dossiers() || **r == Role::Editor)
            .map(|r| (r.as_str(), r.label_vi()))
            .collect(),
        agencies: Vec::new(),
        versions: Vec::new(),
        general: scope.is_none(),
        today: now_local().date().format("%Y-%m-%d").to_string(),
        error,
        done,
    };
    page.hits = search_hits(st, &q, Some(now_local().date())).await?;
    let Some(code) = code else { return Ok(page) };
    let pcode = ProcedureCode::new(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (p, time, allowed) = procedure_time(st, &pcode, &cal).await?;
    page.code = p.code.to_string();
    page.name = p.name.clone();
    page.time = time.label_vi();
    page.allowed = hours(allowed);
    let current = st
        .store
        .process_for(&pcode, &u.agency, now_local().date())
        .await?
        .map(|v| v.process)
        .unwrap_or_else(|| motcua_core::dossier::Process::default_for(time, cal.day_length()));
    let mut rows = form_rows.unwrap_or_else(|| {
        current
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepRow {
                index: i,
                name: s.name.clone(),
                role: s.role.as_str().to_string(),
                agency: s.agency.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                hours: hours(s.budget.as_minutes()),
            })
            .collect()
    });
    for _ in 0..2 {
        rows.push(StepRow {
            index: rows.len(),
            name: String::new(),
            role: Role::Specialist.as_str().to_string(),
            agency: String::new(),
            hours: String::new(),
        });
    }
    page.rows = rows;
    page.agencies = st
        .store
        .all_agencies()
        .await?
        .into_iter()
        .filter(|a| a.valid_to.is_none_or(|t| t > now_local().date()))
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    page.versions = st
        .store
        .process_versions(&pcode)
        .await?
        .into_iter()
        .filter(|v| {
            scope.is_none() || v.agency.is_none() || v.agency.as_deref() == Some(u.agency.as_str())
        })
        .map(|v| VersionLine {
            scope: v.agency.unwrap_or_else(|| "mọi cơ quan".into()),
            valid_from: v.valid_from.format("%d/%m/%Y").to_string(),
            total: hours(v.process.total_minutes()),
            steps: v
                .process
                .steps
                .iter()
                .map(|s| {
                    format!(
                        "{} ({}, {} giờ)",
                        s.name,
                        s.role.label_vi(),
                        hours(s.budget.as_minutes())
                    )
                })
                .collect::<Vec<_>>()
                .join(" → "),
            note: v.note,
            by: v.created_by,
        })
        .collect();
    Ok(page)
}

/// `GET /workspace/quan-tri/quy-trinh?q=…`: find a procedure.
pub async fn processes(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<ProcessQuery>,
) -> Result<Html<String>, PageError> {
    let q = q.q.unwrap_or_default().chars().take(200).collect();
    Ok(Html(
        process_page(&st, &staff, None, q, None, None, None)
            .await?
            .render()?,
    ))
}

/// `GET /workspace/quan-tri/quy-trinh/{code}`: the process in force and the
/// step editor.
pub async fn process(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        process_page(&st, &staff, Some(&code), String::new(), None, None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/quy-trinh/{code}`: saves a new version (rows
/// `name_i`, `role_i`, `agency_i`, `hours_i`; `valid_from`; `scope` =
/// `agency` or `all`; `note`). The budgets must fit the processing time.
pub async fn process_save(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = staff.checked_form(&body)?;
    let u = &staff.0.user;
    let scope = admin_scope(&st, u).await?;
    let mut rows = Vec::new();
    for i in 0..motcua_core::dossier::MAX_STEPS + 2 {
        let Some(name) = field(&f, &format!("name_{i}")) else {
            break;
        };
        rows.push(StepRow {
            index: i,
            name: name.trim().chars().take(200).collect(),
            role: field(&f, &format!("role_{i}")).unwrap_or("").to_string(),
            agency: field(&f, &format!("agency_{i}")).unwrap_or("").to_string(),
            hours: field(&f, &format!("hours_{i}"))
                .unwrap_or("")
                .trim()
                .to_string(),
        });
    }
    let rows: Vec<StepRow> = rows.into_iter().filter(|r| !r.name.is_empty()).collect();
    let result = async {
        let pcode = ProcedureCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let cal = st.store.calendar(Some(&u.agency)).await?;
        let (_, time, _) = procedure_time(&st, &pcode, &cal).await?;
        let mut steps = Vec::new();
        for (n, r) in rows.iter().enumerate() {
            let bad = |m: String| WebError::BadRequest(format!("bước {}: {m}", n + 1));
            let role = Role::parse(&r.role)
                .ok_or_else(|| bad(format!("vai trò `{}` không hợp lệ", r.role)))?;
            let agency = match r.agency.as_str() {
                "" => None,
                a => Some(AgencyCode::new(a).map_err(|e| bad(e.to_string()))?),
            };
            let h: f64 = r
                .hours
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|h: &f64| *h > 0.0 && *h < 100_000.0)
                .ok_or_else(|| bad(format!("thời gian `{}` giờ không hợp lệ", r.hours)))?;
            steps.push(motcua_core::dossier::Step {
                name: r.name.clone(),
                role,
                agency,
                budget: motcua_core::calendar::WorkSpan::minutes((h * 60.0).round() as i64)
                    .map_err(|e| bad(e.to_string()))?,
            });
        }
        let process = motcua_core::dossier::Process { steps };
        process
            .validate_for(time, cal.day_length())
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let valid_from =
            chrono::NaiveDate::parse_from_str(field(&f, "valid_from").unwrap_or(""), "%Y-%m-%d")
                .map_err(|_| {
                    WebError::BadRequest("ngày áp dụng không hợp lệ (dd/mm/yyyy)".into())
                })?;
        let general = field(&f, "scope") == Some("all");
        if general && scope.is_some() {
            return Err(WebError::Forbidden(
                "chỉ quản trị cấp tỉnh được sửa quy trình chung của mọi cơ quan".into(),
            ));
        }
        let agency = (!general).then_some(&u.agency);
        st.store
            .save_process(
                &pcode,
                agency,
                valid_from,
                &process,
                field(&f, "note").unwrap_or("").trim(),
                &u.username,
            )
            .await?;
        Ok(format!(
            "đã lưu quy trình {} bước, {} giờ làm việc, áp dụng từ {}",
            process.steps.len(),
            hours(process.total_minutes()),
            valid_from.format("%d/%m/%Y")
        ))
    }
    .await;
    answer(result, |error, done| async move {
        Ok(process_page(
            &st,
            &staff,
            Some(&code),
            String::new(),
            error.is_some().then_some(rows),
            error,
            done,
        )
        .await?
        .render()?)
    })
    .await
}
