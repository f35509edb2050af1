//! Administration of the catalogue: procedure versions (installation administrators).

use super::*;

struct VersionRow {
    version: i32,
    from: String,
    to: String,
    time: String,
}

#[derive(Template)]
#[template(path = "ws_procedure.html")]
struct ProcedureAdminPage {
    tr: Tr,
    nav: Nav,
    q: String,
    hits: Vec<ProcLine>,
    code: String,
    name: String,
    versions: Vec<VersionRow>,
    docs: Vec<DocLine>,
    today: String,
    error: Option<String>,
    done: Option<String>,
}

/// The catalogue is installation-wide: its administrator edits it.
pub(super) async fn require_root_admin(st: &AppState, u: &User) -> Result<(), WebError> {
    match admin_scope(st, u).await? {
        None => Ok(()),
        Some(_) => Err(WebError::Forbidden(
            "danh mục thủ tục dùng chung toàn hệ thống: chỉ quản trị cấp tỉnh được sửa".into(),
        )),
    }
}

async fn procedure_admin_page(
    st: &AppState,
    staff: &Staff,
    code: Option<&str>,
    q: String,
    error: Option<String>,
    done: Option<String>,
) -> Result<ProcedureAdminPage, WebError> {
    require_root_admin(st, &staff.0.user).await?;
    let (nav, _, _) = nav(st, staff, None, "catalogue").await?;
    let mut page = ProcedureAdminPage {
        tr: Tr::vi(),
        nav,
        q: q.clone(),
        hits: Vec::new(),
        code: String::new(),
        name: String::new(),
        versions: Vec::new(),
        docs: Vec::new(),
        today: now_local().date().format("%Y-%m-%d").to_string(),
        error,
        done,
    };
    page.hits = search_hits(st, &q, None).await?;
    let Some(code) = code else { return Ok(page) };
    let pcode = ProcedureCode::new(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let versions = st.store.procedure_versions(&pcode).await?;
    let current = st
        .store
        .procedure(&pcode, Some(now_local().date()))
        .await?
        .or_else(|| versions.last().cloned())
        .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{code}`")))?;
    page.code = current.procedure.code.to_string();
    page.name = current.procedure.name.clone();
    page.docs = current
        .procedure
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| DocLine {
            index: i,
            name: d.name.clone(),
            group: d.group.clone(),
            quantity: d.quantity.clone(),
            required: d.required,
            checked: d.required,
        })
        .collect();
    page.versions = versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            from: v.valid_from.format("%d/%m/%Y").to_string(),
            to: v
                .valid_to
                .map(|t| t.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "nay".into()),
            time: v.procedure.processing_time_direct_raw.clone(),
        })
        .collect();
    Ok(page)
}

/// `GET /workspace/quan-tri/thu-tuc[?q=…]`: find a procedure of the catalogue.
pub async fn procedures_admin(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<ProcessQuery>,
) -> Result<Html<String>, PageError> {
    let q = q.q.unwrap_or_default().chars().take(200).collect();
    Ok(Html(
        procedure_admin_page(&st, &staff, None, q, None, None)
            .await?
            .render()?,
    ))
}

/// `GET /workspace/quan-tri/thu-tuc/{code}`: its versions and the
/// documents the desk may not do without.
pub async fn procedure_admin(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        procedure_admin_page(&st, &staff, Some(&code), String::new(), None, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/quan-tri/thu-tuc/{code}`: a new version from a day with
/// the documents ticked as required (`doc` = index…, `valid_from`).
pub async fn procedure_admin_post(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = staff.checked_form(&body)?;
    require_root_admin(&st, &staff.0.user).await?;
    let result = async {
        let pcode = ProcedureCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let from = chrono::NaiveDate::parse_from_str(field(&f, "valid_from").unwrap_or(""), "%Y-%m-%d")
            .map_err(|_| WebError::BadRequest("ngày áp dụng không hợp lệ".into()))?;
        let mut p = st
            .store
            .procedure(&pcode, Some(from))
            .await?
            .ok_or_else(|| WebError::NotFound(format!("thủ tục {pcode} chưa có hiệu lực vào ngày {from}")))?
            .procedure;
        let ticked: Vec<usize> = f
            .iter()
            .filter(|(k, _)| k == "doc")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        if let Some(i) = ticked.iter().find(|i| **i >= p.documents.len()) {
            return Err(WebError::BadRequest(format!("không có giấy tờ số {}", i + 1)));
        }
        for (i, d) in p.documents.iter_mut().enumerate() {
            d.required = ticked.contains(&i);
        }
        p.valid_from = Some(from);
        st.store.import_procedures(&[p], from).await?;
        tracing::info!(admin = %staff.0.user.username, procedure = %pcode, %from, "procedure version saved");
        Ok(format!(
            "đã lưu phiên bản áp dụng từ {}: {} giấy tờ bắt buộc",
            from.format("%d/%m/%Y"),
            ticked.len()
        ))
    }
    .await;
    answer(result, |error, done| async move {
        Ok(
            procedure_admin_page(&st, &staff, Some(&code), String::new(), error, done)
                .await?
                .render()?,
        )
    })
    .await
}
