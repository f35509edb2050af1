//! Documents of a dossier: upload (PDF, PNG, JPEG; recognised by content, not
//! by name), list, download with the checksum verified.

use crate::AppState;
use crate::dossiers::CurrentUser;
use crate::error::{ApiError, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_core::dossier::{DossierCode, Role};
use motcua_store::DocumentInfo;
use motcua_store::files::sniff;
use serde::Deserialize;

/// Largest accepted upload.
pub const MAX_UPLOAD: usize = 20 << 20;

fn code(s: &str) -> Result<DossierCode, WebError> {
    DossierCode::parse(s).map_err(|e| WebError::BadRequest(e.to_string()))
}

#[derive(Deserialize)]
pub struct UploadQuery {
    /// The document's name as the applicant knows it, e.g. `Giấy chứng sinh.pdf`.
    name: Option<String>,
}

/// Attach a document (raw body; `?name=`; Content-Type optional but must match the content).
#[utoipa::path(post, path = "/api/dossiers/{code}/documents", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("name" = String, Query, description = "Document name")),
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "PDF, PNG or JPEG, at most 20 MiB"),
    responses((status = 201, description = "Stored"), (status = 200, description = "The same content was attached already: its record"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(c): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let c = code(&c)?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim());
    let (created, info) = store_upload(&st, &user, &c, q.name.as_deref(), declared, &body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(info)).into_response())
}

/// Checks and stores an uploaded document of a dossier as `user`: the one
/// path of the API and of the workspace's upload form. Returns whether it
/// is new to the dossier.
pub(crate) async fn store_upload(
    st: &AppState,
    user: &motcua_store::User,
    c: &DossierCode,
    name: Option<&str>,
    declared: Option<&str>,
    body: &[u8],
) -> Result<(bool, DocumentInfo), WebError> {
    crate::dossiers::load(st, c, user, "documents", Some("upload")).await?;
    if !user.roles.iter().any(|r| {
        matches!(
            r,
            Role::ReceptionOfficer | Role::Specialist | Role::HeadOfOffice | Role::SigningLeader
        )
    }) {
        return Err(WebError::Forbidden(
            "vai trò của bạn không được đính kèm giấy tờ".into(),
        ));
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 200)
        .ok_or_else(|| {
            WebError::BadRequest("cần tên giấy tờ (tham số `name`), 1-200 ký tự".into())
        })?;
    if body.is_empty() {
        return Err(WebError::BadRequest("tệp rỗng".into()));
    }
    if body.len() > MAX_UPLOAD {
        return Err(WebError::TooLarge(format!(
            "tệp {} byte vượt quá giới hạn {} MiB",
            body.len(),
            MAX_UPLOAD >> 20
        )));
    }
    let actual = sniff(body).ok_or_else(|| {
        WebError::Unsupported(
            "chỉ nhận tệp PDF, PNG hoặc JPEG (nhận dạng theo nội dung tệp)".into(),
        )
    })?;
    if let Some(d) = declared.filter(|d| !d.is_empty() && *d != "application/octet-stream")
        && d != actual
    {
        return Err(WebError::Unsupported(format!(
            "tệp khai là {d} nhưng nội dung là {actual}"
        )));
    }
    let sha256 = st.files.put(body).await?;
    let info = DocumentInfo {
        sha256,
        name: name.to_string(),
        media_type: actual.to_string(),
        size: body.len() as i64,
        uploaded_by: user.username.clone(),
        uploaded_at: chrono::Utc::now(),
    };
    let created = st.store.add_document(c, &info).await?;
    Ok((created, info))
}

/// The documents of a dossier.
#[utoipa::path(get, path = "/api/dossiers/{code}/documents", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "Documents"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(c): Path<String>,
) -> Result<Json<Vec<DocumentInfo>>, ApiError> {
    let c = code(&c)?;
    crate::dossiers::load(&st, &c, &user, "documents", None).await?;
    Ok(Json(st.store.documents(&c).await?))
}

/// One document's content, verified against its SHA-256.
#[utoipa::path(get, path = "/api/dossiers/{code}/documents/{sha256}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("sha256" = String, Path, description = "SHA-256 of the content")),
    responses((status = 200, description = "The file"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 500, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn download(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((c, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let c = code(&c)?;
    crate::dossiers::load(&st, &c, &user, "document", None).await?;
    let doc = st
        .store
        .documents(&c)
        .await?
        .into_iter()
        .find(|d| d.sha256 == sha256)
        .ok_or_else(|| WebError::NotFound(format!("hồ sơ {c} không có giấy tờ {sha256}")))?;
    let bytes = st.files.get(&doc.sha256).await?;
    let encoded: String = doc
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, doc.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response())
}
