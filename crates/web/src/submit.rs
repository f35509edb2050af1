//! Online submission without an account (`/nop-truc-tuyen/{code}`, issue 6
//! §4): the citizen chooses the desk, enters the applicant data and uploads
//! the documents of the procedure (the required ones must be there; PDF, PNG
//! or JPEG recognised by content, at most 20 MiB each); the dossier lands in
//! the desk's queue as "submitted online, awaiting reception", and the
//! applicant gets the code on the page and by e-mail (the outbox's submit
//! notice). CSRF by a double-submit cookie; a flood from one address is
//! refused with a message.

use crate::AppState;
use crate::auth::{ClientIp, cookie};
use crate::documents::MAX_UPLOAD;
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use crate::workspace::fmt_time;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use motcua_core::calendar::to_local;
use motcua_core::codes::{AgencyCode, ProcedureCode};
use motcua_core::dossier::{
    Actor, Applicant, ApplicantKind, Arrival, Channel, Intake, Presented, admit,
};
use motcua_store::files::sniff;
use motcua_store::{DocumentInfo, Reply};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The form's CSRF cookie.
pub const FORM_COOKIE: &str = "motcua_form";
/// The largest body of an online submission: five files of
/// [`MAX_UPLOAD`] and 1 MiB of fields and multipart framing.
pub const MAX_SUBMISSION: usize = 5 * MAX_UPLOAD + (1 << 20);

/// Submissions allowed per client address per [`SUBMIT_WINDOW`].
pub const SUBMISSIONS: usize = 10;
pub const SUBMIT_WINDOW: Duration = Duration::from_secs(3600);

/// Recent submissions by client address.
#[derive(Clone, Default)]
pub struct SubmitLimiter(Arc<Mutex<HashMap<IpAddr, Vec<Instant>>>>);

impl SubmitLimiter {
    /// Whether the address has used its allowance (nothing recorded): asked
    /// before a byte of the body is read.
    pub fn exhausted(&self, ip: IpAddr, now: Instant) -> bool {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get(&ip).is_some_and(|v| {
            v.iter()
                .filter(|t| now.duration_since(**t) < SUBMIT_WINDOW)
                .count()
                >= SUBMISSIONS
        })
    }

    /// Records a submission; false when the address is over its allowance.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let v = m.entry(ip).or_default();
        v.retain(|t| now.duration_since(*t) < SUBMIT_WINDOW);
        if v.len() >= SUBMISSIONS {
            return false;
        }
        v.push(now);
        true
    }
}

struct DocInput {
    index: usize,
    name: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage {
    tr: Tr,
    code: String,
    name: String,
    desks: Vec<(String, String)>,
    docs: Vec<DocInput>,
    csrf: String,
    form: HashMap<String, String>,
    error: Option<String>,
    done: Option<(String, String, String)>,
}

impl SubmitPage {
    fn v(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn page(
    st: &AppState,
    code: &str,
    form: HashMap<String, String>,
    error: Option<String>,
    done: Option<(String, String, String)>,
) -> Result<(SubmitPage, String), WebError> {
    let pcode = ProcedureCode::new(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let today = to_local(Utc::now()).date();
    let p = st
        .store
        .procedure(&pcode, Some(today))
        .await?
        .ok_or_else(|| {
            WebError::NotFound(format!("không có thủ tục mã `{code}` đang có hiệu lực"))
        })?
        .procedure;
    let desks = st
        .store
        .all_agencies()
        .await?
        .into_iter()
        .filter(|a| a.may_receive(&p, today))
        .map(|a| (a.code.to_string(), a.name))
        .collect();
    let csrf = format!("{}", uuid::Uuid::new_v4().simple());
    Ok((
        SubmitPage {
            tr: Tr::vi(),
            code: p.code.to_string(),
            name: p.name.clone(),
            desks,
            docs: p
                .documents
                .iter()
                .enumerate()
                .map(|(i, d)| DocInput {
                    index: i,
                    name: d.name.clone(),
                    required: d.required,
                })
                .collect(),
            csrf: csrf.clone(),
            form,
            error,
            done,
        },
        csrf,
    ))
}

fn render(status: StatusCode, p: SubmitPage, csrf: String) -> Result<Response, PageError> {
    Ok(crate::auth::with_form_cookie(
        status,
        p.render()?,
        FORM_COOKIE,
        &csrf,
        "/nop-truc-tuyen",
    ))
}

/// `GET /nop-truc-tuyen/{code}`.
pub async fn form(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let mut f = HashMap::new();
    f.insert("kind".to_string(), "citizen".to_string());
    let (p, csrf) = page(&st, &code, f, None, None).await?;
    render(StatusCode::OK, p, csrf)
}

struct Upload {
    index: usize,
    bytes: axum::body::Bytes,
    declared: Option<String>,
}

/// `POST /nop-truc-tuyen/{code}` (multipart).
pub async fn submit(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    // Before a byte of the body is read (issue 18.5): the form's cookie must
    // be there, the address under its allowance and the declared length
    // within what a submission needs.
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let early = if cookie(&headers, FORM_COOKIE).is_none() {
        Some(WebError::Forbidden(
            "biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang và nộp lại".into(),
        ))
    } else if ip.is_some_and(|ip| st.submissions.exhausted(ip, Instant::now())) {
        Some(WebError::TooManyRequests(
            "máy này đã nộp quá nhiều hồ sơ trong một giờ; vui lòng thử lại sau".into(),
        ))
    } else if declared_len.is_some_and(|n| n > MAX_SUBMISSION as u64) {
        Some(WebError::TooLarge(format!(
            "hồ sơ tối đa {} MiB",
            MAX_SUBMISSION >> 20
        )))
    } else {
        None
    };
    if let Some(e) = early {
        let status = e.status();
        let (p, csrf) = page(&st, &code, HashMap::new(), Some(e.to_string()), None).await?;
        return render(status, p, csrf);
    }
    let mut form: HashMap<String, String> = HashMap::new();
    let mut uploads: Vec<Upload> = Vec::new();
    let mut total = 0usize;
    let read = async {
        while let Some(part) = mp
            .next_field()
            .await
            .map_err(|e| WebError::BadRequest(format!("biểu mẫu không đọc được: {e}")))?
        {
            let name = part.name().unwrap_or("").to_string();
            if let Some(i) = name
                .strip_prefix("doc_")
                .and_then(|i| i.parse::<usize>().ok())
            {
                let declared = part.content_type().map(str::to_string);
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|e| WebError::TooLarge(format!("tệp quá lớn hoặc bị ngắt: {e}")))?;
                total += bytes.len();
                if bytes.len() > MAX_UPLOAD || total > 5 * MAX_UPLOAD {
                    return Err(WebError::TooLarge(format!(
                        "mỗi tệp tối đa {} MiB, cả hồ sơ tối đa {} MiB",
                        MAX_UPLOAD >> 20,
                        (5 * MAX_UPLOAD) >> 20
                    )));
                }
                if !bytes.is_empty() {
                    uploads.push(Upload {
                        index: i,
                        bytes,
                        declared,
                    });
                }
            } else {
                let text = part.text().await.unwrap_or_default();
                form.insert(name, text.chars().take(500).collect());
            }
        }
        Ok::<(), WebError>(())
    }
    .await;
    let result = async {
        read?;
        let token_ok = matches!((cookie(&headers, FORM_COOKIE), form.get("csrf")), (Some(c), Some(t)) if c == t);
        if !token_ok {
            return Err(WebError::Forbidden(
                "biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang và nộp lại".into(),
            ));
        }
        if let Some(ip) = ip
            && !st.submissions.allow(ip, Instant::now())
        {
            return Err(WebError::TooManyRequests(
                "máy này đã nộp quá nhiều hồ sơ trong một giờ; vui lòng thử lại sau".into(),
            ));
        }
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let pcode = ProcedureCode::new(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let now = to_local(Utc::now());
        let version = st
            .store
            .procedure(&pcode, Some(now.date()))
            .await?
            .ok_or_else(|| WebError::NotFound(format!("không có thủ tục mã `{code}`")))?;
        let p = &version.procedure;
        let desk_error = || {
            WebError::BadRequest(format!(
                "nơi nộp hồ sơ không hợp lệ: {} không tiếp nhận thủ tục {pcode} (chọn một nơi trong danh sách)",
                get("desk")
            ))
        };
        let desk = AgencyCode::new(get("desk"))
            .map_err(|_| WebError::BadRequest("vui lòng chọn nơi nộp hồ sơ".into()))?;
        let agency = st.store.agency(&desk).await?.ok_or_else(desk_error)?;
        let kind = if get("kind") == "organisation" {
            ApplicantKind::Organisation
        } else {
            ApplicantKind::Citizen
        };
        let opt = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
        let applicant = Applicant::new(kind, get("full_name"), get("id_number"), opt("phone"), opt("email"), get("address"))
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let cal = st.store.calendar(Some(&desk)).await?;
        let stored_process = st.store.process_for(&pcode, &desk, now.date()).await?.map(|v| v.process);
        let admission = admit(
            Intake {
                desk: &agency,
                procedure: p,
                valid_from: version.valid_from,
                stored_process,
                channel: Channel::Online,
                applicant,
                presented: Presented::Slots(uploads.iter().map(|u| u.index).collect()),
                arrival: Arrival::Submit,
                at: now,
            },
            &cal,
        )
        .map_err(|e| if e.is_about_the_desk() { desk_error() } else { e.into() })?;
        if let Some(why) = &admission.process_set_aside {
            tracing::warn!(procedure = %pcode, error = %why, "stored process does not fit; default used");
        }
        // Each file is what it claims to be (by its content).
        let mut files = Vec::new();
        for u in &uploads {
            let name = &p.documents[u.index].name;
            let actual = sniff(&u.bytes).ok_or_else(|| {
                WebError::Unsupported(format!(
                    "«{name}»: chỉ nhận tệp PDF, PNG hoặc JPEG (nhận dạng theo nội dung tệp)"
                ))
            })?;
            if let Some(d) = u.declared.as_deref().filter(|d| !d.is_empty() && *d != "application/octet-stream")
                && d != actual
            {
                return Err(WebError::Unsupported(format!("«{name}»: tệp khai là {d} nhưng nội dung là {actual}")));
            }
            files.push((name.clone(), actual, u));
        }
        let actor = Actor::Applicant {
            user_id: "cong-dan".into(),
            id_number: admission.applicant.id_number.clone(),
        };
        // The files first (content-addressed: an unused one harms nothing).
        let mut stored = Vec::new();
        for (name, media, u) in &files {
            stored.push((name.clone(), *media, st.files.put(&u.bytes).await?, u.bytes.len()));
        }
        let mut due = None;
        let reply: Reply = st
            .store
            .create_dossier(
                &desk,
                &agency.unit_code,
                now.date(),
                None,
                |code| admission.build(code, &actor, &cal),
                |d| {
                    due = d.reception_due_at;
                    Ok(Reply {
                        status: 201,
                        body: d.code.to_string(),
                        replayed: false,
                    })
                },
            )
            .await?;
        let dcode = motcua_core::dossier::DossierCode::parse(&reply.body)
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        for (name, media, sha256, size) in stored {
            st.store
                .add_document(
                    &dcode,
                    &DocumentInfo {
                        sha256,
                        name,
                        media_type: media.to_string(),
                        size: size as i64,
                        uploaded_by: "cong-dan".into(),
                        uploaded_at: Utc::now(),
                    },
                )
                .await?;
        }
        // A signed-in citizen follows the dossier from their account.
        if let Some(c) = crate::auth::signed_in(&st, &headers).await? {
            st.store.follow_dossier(&c.email, &dcode, Utc::now()).await?;
        }
        tracing::info!(dossier = %dcode, desk = %desk, "submitted online");
        Ok((dcode.to_string(), agency.name, due.map(fmt_time).unwrap_or_default()))
    }
    .await;
    match result {
        Ok(done) => {
            let (p, csrf) = page(&st, &code, HashMap::new(), None, Some(done)).await?;
            render(StatusCode::CREATED, p, csrf)
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::NOT_FOUND => {
            let status = e.status();
            let (p, csrf) = page(&st, &code, form, Some(e.to_string()), None).await?;
            render(status, p, csrf)
        }
        Err(e) => Err(e.into()),
    }
}
