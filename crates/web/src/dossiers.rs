//! The dossier API: receive (`POST /api/dossiers`), read, and act
//! (`POST /api/dossiers/{code}/actions`), for authenticated officers and
//! machine clients (`Authorization: Bearer TOKEN`). Every POST honours an
//! `Idempotency-Key` header; every action carries the dossier version it was
//! decided on (optimistic concurrency: a stale version gets 409).

use crate::AppState;
use crate::error::{ApiError, ErrorBody, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, Utc};
use motcua_core::calendar::to_local;
use motcua_core::codes::ProcedureCode;
use motcua_core::dossier::{
    Action, Actor, Applicant, Arrival, Capacity, Channel, Command, Dossier, DossierCode, Intake,
    Presented, State as DState, admit, may,
};
use motcua_store::{DossierRecord, Idempotency, Reply, StoreError, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The authenticated caller.
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let auth = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // A signed-in workspace browser may read (slips, documents) with its
        // session cookie; writes through the API need a token (no CSRF there).
        if auth.is_empty()
            && matches!(
                parts.method,
                axum::http::Method::GET | axum::http::Method::HEAD
            )
            && let Some(secret) = crate::auth::cookie(&parts.headers, crate::auth::SESSION_COOKIE)
            && let Some(s) = st.store.session(secret, Utc::now()).await?
        {
            return Ok(CurrentUser(s.user));
        }
        let token = auth.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
            WebError::Unauthorized("cần tiêu đề Authorization: Bearer <mã truy cập> (tạo bằng `motcua token create`)".into())
        })?;
        let (user, scopes) = st.store.token_grant(token).await?.ok_or_else(|| {
            WebError::Unauthorized("mã truy cập không hợp lệ hoặc đã bị thu hồi".into())
        })?;
        let read = matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD
        );
        if !motcua_core::access::allows(scopes.as_deref(), read, parts.uri.path()) {
            let have = scopes
                .unwrap_or_default()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let need = motcua_core::access::required_scope(read, parts.uri.path())
                .map_or("mã truy cập không giới hạn".to_string(), |s| {
                    format!("phạm vi {}", s.as_str())
                });
            return Err(WebError::Forbidden(format!(
                "mã truy cập này chỉ có phạm vi [{have}]; thao tác này cần {need}"
            ))
            .into());
        }
        Ok(CurrentUser(user))
    }
}

/// `POST /api/dossiers`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDossierInput {
    pub procedure_code: String,
    /// `direct`, `online`, `postal` or `national_portal`.
    pub channel: Channel,
    /// Validated on reading (12-digit ID number, tax code, name, e-mail…).
    pub applicant: Applicant,
    /// Names of the documents received (the checklist), as the procedure
    /// names them (case and diacritics aside); every document the catalogue
    /// marks required must be there. Absent: the checklist was not recorded
    /// at reception (a machine client that attaches files later); present,
    /// even empty, it is checked.
    #[serde(default)]
    pub documents: Option<Vec<String>>,
}

/// A dossier as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct DossierView {
    pub code: String,
    pub state: DState,
    pub state_label: String,
    #[schema(value_type = Option<String>)]
    pub due_at: Option<NaiveDateTime>,
    pub version: u64,
    /// The actions the dossier's state allows now (roles and agencies still apply).
    pub allowed_actions: Vec<Action>,
    pub dossier: Dossier,
    /// The events, oldest first, each with its chain hash (GET only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub events: Option<Vec<motcua_store::StoredEvent>>,
}

fn view(d: &Dossier, events: Option<Vec<motcua_store::StoredEvent>>) -> DossierView {
    DossierView {
        code: d.code.to_string(),
        state: d.state,
        state_label: d.state.label_vi().to_string(),
        due_at: d.due_at,
        version: d.version,
        allowed_actions: d.allowed_actions(),
        dossier: d.clone(),
        events,
    }
}

fn reply_json(status: u16, d: &Dossier) -> Result<Reply, StoreError> {
    let body = serde_json::to_string(&view(d, None))
        .map_err(|e| StoreError::Internal(format!("serialising a dossier: {e}")))?;
    Ok(Reply {
        status,
        body,
        replayed: false,
    })
}

fn to_response(r: Reply) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut res = (status, [(header::CONTENT_TYPE, "application/json")], r.body).into_response();
    if r.replayed {
        res.headers_mut().insert(
            "idempotent-replay",
            header::HeaderValue::from_static("true"),
        );
    }
    res
}

fn idempotency(
    headers: &HeaderMap,
    user: &User,
    path: &str,
    body: &[u8],
) -> Result<Option<Idempotency>, WebError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let key = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    WebError::BadRequest(
                        "tiêu đề Idempotency-Key phải là chuỗi ASCII 1-200 ký tự".into(),
                    )
                })?;
            Ok(Some(Idempotency::new(
                &user.username,
                key,
                "POST",
                path,
                body,
            )))
        }
    }
}

fn now_local() -> NaiveDateTime {
    to_local(Utc::now())
}

/// The user acting in the first of their roles that may take `action`.
fn actor_for(user: &User, action: Action) -> Result<Actor, WebError> {
    user.roles
        .iter()
        .find(|r| may(Capacity::Officer(**r), action))
        .map(|r| Actor::officer(&user.username, *r, &user.agency))
        .ok_or_else(|| {
            WebError::Forbidden(format!(
                "vai trò của bạn ({}) không được thực hiện thao tác `{}`",
                user.roles
                    .iter()
                    .map(|r| r.label_vi())
                    .collect::<Vec<_>>()
                    .join(", "),
                action.as_str()
            ))
        })
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, WebError> {
    serde_json::from_slice(body)
        .map_err(|e| WebError::BadRequest(format!("nội dung JSON không hợp lệ: {e}")))
}

/// Receive a dossier at the caller's desk.
#[utoipa::path(post, path = "/api/dossiers", tag = "dossiers", request_body = NewDossierInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a repeat returns the first answer")),
    responses((status = 201, body = DossierView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The Idempotency-Key was used for another request")),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let idem = idempotency(&headers, &user, "/api/dossiers", &body)?;
    let input: NewDossierInput = parse_json(&body)?;
    Ok(to_response(receive(&st, &user, input, idem).await?))
}

/// Receives a dossier at `user`'s desk: the one path of the API and of the
/// desk page. The reply is the API's JSON answer (201).
pub(crate) async fn receive(
    st: &AppState,
    user: &User,
    input: NewDossierInput,
    idem: Option<Idempotency>,
) -> Result<Reply, WebError> {
    receive_or_refuse(st, user, input, idem, None).await
}

/// [`receive`], or, with a reason, the refusal of a dossier presented at the
/// desk (`Dossier::refuse_new`: coded, not received, refusal slip).
pub(crate) async fn receive_or_refuse(
    st: &AppState,
    user: &User,
    input: NewDossierInput,
    idem: Option<Idempotency>,
    refusal: Option<String>,
) -> Result<Reply, WebError> {
    let actor = actor_for(
        user,
        if refusal.is_some() {
            Action::Refuse
        } else {
            Action::Receive
        },
    )?;
    let at = now_local();
    let agency = st.store.agency(&user.agency).await?.ok_or_else(|| {
        WebError::Forbidden(format!(
            "cơ quan `{}` của bạn không còn trong danh mục",
            user.agency
        ))
    })?;
    let pcode = ProcedureCode::new(&input.procedure_code)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let version = st
        .store
        .procedure(&pcode, Some(at.date()))
        .await?
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "không có thủ tục `{pcode}` có hiệu lực ngày {}",
                at.date()
            ))
        })?;
    let cal = st.store.calendar(Some(&user.agency)).await?;
    let stored_process = st
        .store
        .process_for(&pcode, &user.agency, at.date())
        .await?
        .map(|v| v.process);
    let admission = admit(
        Intake {
            desk: &agency,
            procedure: &version.procedure,
            valid_from: version.valid_from,
            stored_process,
            channel: input.channel,
            applicant: input.applicant,
            presented: Presented::Names(input.documents),
            arrival: match refusal {
                Some(reason) => Arrival::Refuse(reason),
                None => Arrival::Receive,
            },
            at,
        },
        &cal,
    )?;
    if let Some(why) = &admission.process_set_aside {
        tracing::warn!(procedure = %pcode, error = %why, "stored process does not fit; default used");
    }
    let reply = st
        .store
        .create_dossier(
            &admission.desk.clone(),
            &admission.unit.clone(),
            at.date(),
            idem.as_ref(),
            |code| admission.build(code, &actor, &cal),
            |d| reply_json(201, d),
        )
        .await?;
    Ok(reply)
}

fn dossier_code(s: &str) -> Result<DossierCode, WebError> {
    DossierCode::parse(s).map_err(|e| WebError::BadRequest(e.to_string()))
}

/// How `user`'s agency relates to `d` (the subtree is read only for the
/// roles that oversee).
pub(crate) async fn relation(
    st: &AppState,
    user: &User,
    d: &Dossier,
) -> Result<motcua_core::dossier::Relation, WebError> {
    use motcua_core::dossier::Relation;
    let involved = d.agencies_involved();
    if involved.contains(&&user.agency) {
        return Ok(Relation::Handles);
    }
    if !motcua_core::dossier::oversees(&user.roles) {
        return Ok(Relation::Unrelated);
    }
    let Some(home) = st.store.agency(&user.agency).await? else {
        return Ok(Relation::Unrelated);
    };
    let inside = st
        .store
        .scope_agencies(&motcua_store::reports::Scope {
            unit: Some(home.unit_code),
            ..Default::default()
        })
        .await?;
    Ok(
        if involved
            .iter()
            .any(|a| inside.iter().any(|b| &&b.code == a))
        {
            Relation::Oversees
        } else {
            Relation::Unrelated
        },
    )
}

/// Whether `user` may read a dossier's personal data: the dossier, else
/// 404 (not 403: other agencies' dossiers are not revealed). Records
/// nothing: for a check that shows nothing (the search's redirect).
pub(crate) async fn visible(
    st: &AppState,
    code: &DossierCode,
    user: &User,
) -> Result<DossierRecord, WebError> {
    let missing = || WebError::NotFound(format!("không có hồ sơ mã `{code}`"));
    let rec = st.store.dossier(code).await?.ok_or_else(missing)?;
    let rel = relation(st, user, &rec.dossier).await?;
    if !motcua_core::dossier::may_read_dossier(&user.roles, rel) {
        return Err(missing());
    }
    Ok(rec)
}

/// The one gate of every read of a dossier's personal data (API, pages,
/// slips, documents): [`visible`], and the read recorded in the dossier's
/// read log (who, when, `via` which page or call, for which `purpose`),
/// which the applicant can see on the portal (issue 18.4).
pub(crate) async fn load(
    st: &AppState,
    code: &DossierCode,
    user: &User,
    via: &str,
    purpose: Option<&str>,
) -> Result<DossierRecord, WebError> {
    let rec = visible(st, code, user).await?;
    st.store
        .record_read(code, &user.username, user.agency.as_str(), via, purpose)
        .await?;
    Ok(rec)
}

/// A dossier with its state, due moment, version and events.
#[utoipa::path(get, path = "/api/dossiers/{code}", tag = "dossiers", params(("code" = String, Path, description = "Dossier code, e.g. H55.305.1-261129-0001")),
    responses((status = 200, body = DossierView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<DossierView>, ApiError> {
    let code = dossier_code(&code)?;
    let rec = load(&st, &code, &user, "api", None).await?;
    Ok(Json(view(&rec.dossier, Some(rec.events))))
}

/// Take an action on a dossier: `{"action": NAME, "version": N, …}`.
#[utoipa::path(post, path = "/api/dossiers/{code}/actions", tag = "dossiers", request_body = Command,
    params(("code" = String, Path, description = "Dossier code"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses((status = 200, body = DossierView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The Idempotency-Key was used for another request")),
    security(("bearer" = [])))]
pub async fn act(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let code = dossier_code(&code)?;
    let path = format!("/api/dossiers/{code}/actions");
    let idem = idempotency(&headers, &user, &path, &body)?;
    let cmd: Command = parse_json(&body)?;
    Ok(to_response(perform(&st, &user, &code, cmd, idem).await?))
}

/// Takes an action on a dossier as `user`: the one path of the API and of
/// the workspace forms. The reply is the API's JSON answer (200).
pub(crate) async fn perform(
    st: &AppState,
    user: &User,
    code: &DossierCode,
    cmd: Command,
    idem: Option<Idempotency>,
) -> Result<Reply, WebError> {
    // Checks the role first (403 names the user's roles).
    let fallback = actor_for(user, cmd.action.action())?;
    let rec = load(st, code, user, "action", Some(cmd.action.action().as_str())).await?;
    if let motcua_core::dossier::CommandAction::Assign { assignee, .. } = &cmd.action {
        let holder = rec.dossier.holder().clone();
        let ok = match st.store.active_user(assignee.trim()).await? {
            Some(a) => motcua_core::dossier::may_be_assigned(&holder, &a.agency, &a.roles),
            None => false,
        };
        if !ok {
            return Err(WebError::BadRequest(format!(
                "không phân công được cho `{}`: cần một cán bộ xử lý hồ sơ đang hoạt động của cơ quan {holder}",
                assignee.trim()
            )));
        }
    }
    let cal = st
        .store
        .calendar(Some(&rec.dossier.receiving_agency))
        .await?;
    let at = now_local();
    // A user with several roles acts in the first one the dossier accepts
    // (e.g. the current step's role), else in the first allowed one, whose
    // refusal then explains itself.
    let actor = rec
        .dossier
        .officer_for(
            cmd.action.action(),
            &user.username,
            &user.roles,
            &user.agency,
        )
        .unwrap_or(fallback);
    Ok(st
        .store
        .apply_to_dossier(
            code,
            idem.as_ref(),
            |d| d.apply(&cmd, &actor, at, &cal),
            |d| reply_json(200, d),
        )
        .await?)
}
