//! The one-stop desk: find a procedure, tick the checklist, enter the applicant, receive or refuse, print.

use super::*;

pub(super) struct ProcLine {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) field: String,
}

pub(super) struct DocLine {
    pub(super) index: usize,
    pub(super) name: String,
    pub(super) group: String,
    pub(super) quantity: String,
    pub(super) required: bool,
    pub(super) checked: bool,
}

/// The first 30 procedures matching `q` (in force on `date`, or any
/// current version); none for an empty query.
pub(super) async fn search_hits(
    st: &AppState,
    q: &str,
    date: Option<chrono::NaiveDate>,
) -> Result<Vec<ProcLine>, WebError> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let filter = ProcedureFilter {
        q: Some(q.to_string()),
        date,
        ..Default::default()
    };
    Ok(st
        .store
        .search_procedures(&filter, Paging::new(1, 30)?)
        .await?
        .items
        .into_iter()
        .map(|h| ProcLine {
            code: h.code,
            name: h.name,
            field: h.field,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "ws_desk.html")]
struct DeskPage {
    tr: Tr,
    nav: Nav,
    q: String,
    hits: Vec<ProcLine>,
    searched: bool,
}

#[derive(Template)]
#[template(path = "ws_receive.html")]
struct ReceivePage {
    tr: Tr,
    nav: Nav,
    code: String,
    name: String,
    time: String,
    docs: Vec<DocLine>,
    error: Option<String>,
    /// The result of looking up a returning applicant.
    found: Option<String>,
    form: HashMap<String, String>,
}

impl ReceivePage {
    fn v(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize)]
pub struct DeskQuery {
    q: Option<String>,
}

fn require_desk(u: &User) -> Result<(), WebError> {
    if is_desk_officer(u) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "chỉ cán bộ Bộ phận một cửa được tiếp nhận hồ sơ".into(),
        ))
    }
}

/// `GET /workspace/tiep-nhan?q=…`: find the procedure to receive.
pub async fn desk(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    require_desk(&staff.0.user)?;
    let (nav, _, _) = nav(&st, &staff, None, "desk").await?;
    let text =
        q.q.unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
    let hits = search_hits(&st, &text, Some(now_local().date())).await?;
    Ok(Html(
        DeskPage {
            tr: Tr::vi(),
            nav,
            searched: !text.trim().is_empty(),
            q: text,
            hits,
        }
        .render()?,
    ))
}

async fn receive_page(
    st: &AppState,
    staff: &Staff,
    pcode: &str,
    form: HashMap<String, String>,
    checked: &[usize],
    error: Option<String>,
) -> Result<ReceivePage, WebError> {
    let code = ProcedureCode::new(pcode).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let pv = st
        .store
        .procedure(&code, Some(now_local().date()))
        .await?
        .ok_or_else(|| {
            WebError::NotFound(format!("không có thủ tục mã `{pcode}` đang có hiệu lực"))
        })?;
    let p = &pv.procedure;
    let (nav, _, _) = nav(st, staff, None, "desk").await?;
    let time = p
        .processing_time(None)
        .and_then(|s| motcua_core::calendar::ProcessingTime::new(s.unit, s.value).ok())
        .map(|t| t.label_vi())
        .unwrap_or_else(|| p.processing_time_direct_raw.clone());
    Ok(ReceivePage {
        tr: Tr::vi(),
        nav,
        code: p.code.to_string(),
        name: p.name.clone(),
        time,
        docs: p
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| DocLine {
                index: i,
                name: d.name.clone(),
                group: d.group.clone(),
                quantity: d.quantity.clone(),
                required: d.required,
                checked: checked.contains(&i),
            })
            .collect(),
        error,
        found: None,
        form,
    })
}

#[derive(Deserialize)]
pub struct ReceiveQuery {
    /// Look up a returning applicant by ID number or tax code.
    cccd: Option<String>,
}

/// `GET /workspace/tiep-nhan/{code}[?cccd=…]`: the reception form of a
/// procedure, prefilled from the desk's latest dossier of that applicant.
pub async fn receive_form(
    State(st): State<AppState>,
    staff: Staff,
    Path(pcode): Path<String>,
    Query(q): Query<ReceiveQuery>,
) -> Result<Html<String>, PageError> {
    require_desk(&staff.0.user)?;
    let mut form = HashMap::new();
    form.insert("kind".to_string(), "citizen".to_string());
    form.insert("channel".to_string(), "direct".to_string());
    let mut found = None;
    if let Some(id) = q.cccd.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let id: String = id.chars().take(20).collect();
        form.insert("id_number".into(), id.clone());
        match st.store.latest_applicant(&staff.0.user.agency, &id).await? {
            Some((code, a)) => {
                form.insert(
                    "kind".into(),
                    serde_json::to_value(a.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                );
                form.insert("full_name".into(), a.full_name);
                form.insert("phone".into(), a.phone.unwrap_or_default());
                form.insert("email".into(), a.email.unwrap_or_default());
                form.insert("address".into(), a.address);
                found = Some(format!("{} {code}", Tr::vi().t("ws.receive.found")));
            }
            None => found = Some(Tr::vi().t("ws.receive.not_found").to_string()),
        }
    }
    let mut page = receive_page(&st, &staff, &pcode, form, &[], None).await?;
    page.found = found;
    Ok(Html(page.render()?))
}

/// `POST /workspace/tiep-nhan/{code}`: receives the dossier and goes to its
/// page, from which the receipt is printed. A refusal keeps what was typed.
pub async fn receive_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(pcode): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_desk(&staff.0.user)?;
    let f = staff.checked_form(&body)?;
    let form: HashMap<String, String> = f
        .iter()
        .filter(|(k, _)| k != "doc" && k != "csrf")
        .map(|(k, v)| (k.clone(), v.chars().take(500).collect()))
        .collect();
    let checked: Vec<usize> = f
        .iter()
        .filter(|(k, _)| k == "doc")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let result = async {
        let code = ProcedureCode::new(&pcode).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let pv = st
            .store
            .procedure(&code, Some(now_local().date()))
            .await?
            .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{pcode}`")))?;
        let documents = checked
            .iter()
            .filter_map(|i| pv.procedure.documents.get(*i).map(|d| d.name.clone()))
            .collect();
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let kind = match get("kind") {
            "organisation" => ApplicantKind::Organisation,
            _ => ApplicantKind::Citizen,
        };
        let opt = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
        let applicant = Applicant::new(
            kind,
            get("full_name"),
            get("id_number"),
            opt("phone"),
            opt("email"),
            get("address"),
        )
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let channel = match get("channel") {
            "postal" => Channel::Postal,
            _ => Channel::Direct,
        };
        let input = NewDossierInput {
            procedure_code: pcode.clone(),
            channel,
            applicant,
            documents: Some(documents),
        };
        let refusal =
            (field(&f, "op") == Some("refuse")).then(|| get("refusal_reason").to_string());
        let reply = receive_or_refuse(&st, &staff.0.user, input, None, refusal).await?;
        let v: Value =
            serde_json::from_str(&reply.body).map_err(|e| WebError::BadRequest(e.to_string()))?;
        Ok::<String, WebError>(v["code"].as_str().unwrap_or_default().to_string())
    }
    .await;
    match result {
        Ok(code) => {
            let done = if field(&f, "op") == Some("refuse") {
                "refuse"
            } else {
                "receive"
            };
            Ok(Redirect::to(&format!("/workspace/ho-so/{code}?xong={done}")).into_response())
        }
        Err(e) => {
            refused(e, |m| async move {
                Ok(receive_page(&st, &staff, &pcode, form, &checked, Some(m))
                    .await?
                    .render()?)
            })
            .await
        }
    }
}
