//! `POST /api/federation/messages`: a peer installation delivers a signed
//! message (docs/federation.md). The sender named in the body must be a
//! configured peer; its signature over the exact body is checked with that
//! peer's key; the message is then applied in the sender's order, once.
//! The documents of a `dossier` message travel beside the signed body, in
//! `attachments` (base64 by SHA-256): the signed body names each by its
//! hash, so their content is covered by the signature too.

use crate::AppState;
use crate::error::{ApiError, WebError};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_core::federation::{
    Envelope, FederationError, InstallationId, SignedMessage, verify, verify_transport,
    verifying_key,
};
use motcua_store::federation::Received;
use serde_json::json;

/// The largest message accepted (a dossier's documents travel in it), from
/// a caller whose transport signature was checked first.
pub const MAX_MESSAGE: usize = 128 << 20;

/// The largest body read from a caller that did not sign its delivery in
/// the headers: enough for any message without documents (a status, a
/// dossier's history), never a flood (issue 18.5).
pub const MAX_UNSIGNED: usize = 256 << 10;

/// The headers of a delivery's transport signature.
pub const FROM_HEADER: &str = "x-motcua-from";
pub const TIME_HEADER: &str = "x-motcua-time";
pub const SIGNATURE_HEADER: &str = "x-motcua-signature";

/// A message as delivered: the signed envelope and the documents' content.
#[derive(serde::Deserialize)]
pub struct Delivery {
    #[serde(flatten)]
    pub msg: SignedMessage,
    /// Base64 content by SHA-256.
    #[serde(default)]
    pub attachments: std::collections::BTreeMap<String, String>,
}

/// How many bytes of the body may be read, decided from the headers alone:
/// a delivery whose transport signature (sender, recipient, time, length)
/// verifies may be up to [`MAX_MESSAGE`]; anything else at most
/// [`MAX_UNSIGNED`]. Returns the limit and the sender the headers proved.
async fn body_allowance(
    st: &AppState,
    headers: &HeaderMap,
    us: &InstallationId,
) -> Result<(usize, Option<InstallationId>), WebError> {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let length = h(header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    let (Some(from), Some(at), Some(sig)) = (h(FROM_HEADER), h(TIME_HEADER), h(SIGNATURE_HEADER))
    else {
        if length.is_some_and(|n| n > MAX_UNSIGNED as u64) {
            return Err(WebError::TooLarge(format!(
                "thông điệp không ký ở tiêu đề tối đa {} KiB",
                MAX_UNSIGNED >> 10
            )));
        }
        return Ok((MAX_UNSIGNED, None));
    };
    let from = InstallationId::new(from).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let length = length.ok_or_else(|| {
        WebError::BadRequest("thông điệp có chữ ký tiêu đề cần Content-Length".into())
    })?;
    if length > MAX_MESSAGE as u64 {
        return Err(WebError::TooLarge(format!(
            "thông điệp tối đa {} MiB",
            MAX_MESSAGE >> 20
        )));
    }
    let at: i64 = at
        .parse()
        .map_err(|_| WebError::BadRequest(format!("{TIME_HEADER} `{at}` không hợp lệ")))?;
    let peer = st
        .store
        .peer(&from)
        .await?
        .ok_or_else(|| WebError::Forbidden(format!("{from} không phải hệ thống đã kết nối")))?;
    let key = verifying_key(&peer.public_hex).map_err(|e| WebError::BadRequest(e.to_string()))?;
    verify_transport(
        &key,
        &from,
        us,
        at,
        length,
        sig,
        chrono::Utc::now().timestamp(),
    )
    .map_err(|e| WebError::Unauthorized(e.to_string()))?;
    Ok((length as usize, Some(from)))
}

/// Receives one signed message from a peer. The caller is checked before
/// its body is read: a delivery signed in its headers may be large, any
/// other at most [`MAX_UNSIGNED`].
#[utoipa::path(post, path = "/api/federation/messages", tag = "federation",
    request_body(content = String, content_type = "application/json", description = "{\"body\": the envelope's JSON text, \"signature\": ed25519 over it, hex}"),
    params(("X-Motcua-From" = Option<String>, Header, description = "Sender (with X-Motcua-Time and X-Motcua-Signature: allows a body up to 128 MiB)")),
    responses((status = 200, description = "Applied, or a duplicate answered again"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 409, description = "Messages before this one are missing: `expected` names the next"),
              (status = 413, body = crate::error::ErrorBody)))]
pub async fn receive(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (us, _, _) = st
        .store
        .installation_key()
        .await
        .map_err(WebError::from)?
        .ok_or_else(|| {
            WebError::Forbidden("hệ thống này chưa có khóa (motcua peer keygen)".into())
        })?;
    let (limit, proven) = body_allowance(&st, &headers, &us).await?;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebError::TooLarge(format!("thông điệp vượt quá {limit} byte đã khai")))?;
    let delivery: Delivery = serde_json::from_slice(&bytes)
        .map_err(|e| WebError::BadRequest(format!("thông điệp không đọc được: {e}")))?;
    let msg = delivery.msg;
    // The claimed sender, read before the signature only to find its key.
    let claimed: Envelope = serde_json::from_str(&msg.body)
        .map_err(|e| WebError::BadRequest(format!("thông điệp không đọc được: {e}")))?;
    if proven.as_ref().is_some_and(|p| *p != claimed.from) {
        return Err(WebError::Unauthorized(format!(
            "thông điệp của {} gửi với chữ ký tiêu đề của hệ thống khác",
            claimed.from
        ))
        .into());
    }
    let peer = st
        .store
        .peer(&claimed.from)
        .await
        .map_err(WebError::from)?
        .ok_or_else(|| {
            WebError::Forbidden(format!("{} không phải hệ thống đã kết nối", claimed.from))
        })?;
    let key = verifying_key(&peer.public_hex).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let env = verify(&msg, &claimed.from, &key, &us).map_err(|e| match e {
        FederationError::Signature(_) => WebError::Unauthorized(e.to_string()),
        _ => WebError::BadRequest(e.to_string()),
    })?;
    if env.kind == "dossier" {
        store_documents(&st, &env, &delivery.attachments).await?;
    }
    match st.store.receive_message(&env, &msg.body).await.map_err(WebError::from)? {
        Received::Applied => Ok(Json(json!({"id": env.id, "seq": env.seq, "applied": true})).into_response()),
        Received::Duplicate => Ok(Json(json!({"id": env.id, "seq": env.seq, "applied": false, "duplicate": true})).into_response()),
        Received::Gap { expected } => Ok((
            StatusCode::CONFLICT,
            Json(json!({"error": format!("thiếu thông điệp trước số {}; cần số {expected}", env.seq), "expected": expected})),
        )
            .into_response()),
    }
}

/// The transport-signature headers of a delivery of `length` bytes to
/// `peer`, signed with this installation's key now (what [`receive`]
/// checks before reading a body; used by the delivery worker).
pub async fn transport_headers(
    store: &motcua_store::Store,
    peer: &str,
    length: usize,
) -> Result<[(&'static str, String); 3], String> {
    let (us, secret, _) = store
        .installation_key()
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "hệ thống này chưa có khóa".to_string())?;
    let key = motcua_core::federation::signing_key(&secret).map_err(|e| e.to_string())?;
    let to = InstallationId::new(peer).map_err(|e| e.to_string())?;
    let at = chrono::Utc::now().timestamp();
    let sig = motcua_core::federation::sign_transport(&key, &us, &to, at, length as u64);
    Ok([
        (FROM_HEADER, us.to_string()),
        (TIME_HEADER, at.to_string()),
        (SIGNATURE_HEADER, sig),
    ])
}

/// Puts the documents a `dossier` message names into the file store (their
/// content from `attachments`, checked against the signed hash; a document
/// already stored here needs none). Content-addressed and idempotent, so a
/// message refused afterwards leaves only unreferenced files.
async fn store_documents(
    st: &AppState,
    env: &Envelope,
    attachments: &std::collections::BTreeMap<String, String>,
) -> Result<(), ApiError> {
    use base64::Engine;
    let docs = env
        .payload
        .get("documents")
        .cloned()
        .unwrap_or(serde_json::Value::Array(Vec::new()));
    let docs: Vec<motcua_core::federation::SyncedDocument> = serde_json::from_value(docs)
        .map_err(|e| WebError::BadRequest(format!("danh sách giấy tờ không đọc được: {e}")))?;
    for doc in docs {
        match attachments.get(&doc.sha256) {
            Some(b64) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|e| WebError::BadRequest(format!("giấy tờ {}: {e}", doc.sha256)))?;
                let hash = st.files.put(&bytes).await.map_err(WebError::from)?;
                if hash != doc.sha256 {
                    return Err(WebError::BadRequest(format!(
                        "giấy tờ {}: nội dung không khớp mã băm đã ký",
                        doc.name
                    ))
                    .into());
                }
            }
            None => {
                if st.files.get(&doc.sha256).await.is_err() {
                    return Err(WebError::BadRequest(format!(
                        "thiếu nội dung giấy tờ {} ({})",
                        doc.name, doc.sha256
                    ))
                    .into());
                }
            }
        }
    }
    Ok(())
}

/// The body that delivers a message of the peer outbox: the signed
/// envelope and the content of the documents it names (what [`receive`]
/// takes; used by the delivery worker of `motcua serve`).
pub async fn wire_body(
    files: &motcua_store::files::Files,
    m: &motcua_store::federation::PeerMessage,
) -> Result<String, String> {
    use base64::Engine;
    let mut attachments = serde_json::Map::new();
    if m.kind == "dossier" {
        let env: serde_json::Value =
            serde_json::from_str(&m.body).map_err(|e| format!("thông điệp hỏng: {e}"))?;
        if let Some(docs) = env
            .get("payload")
            .and_then(|p| p.get("documents"))
            .and_then(|d| d.as_array())
        {
            for d in docs {
                let Some(sha) = d.get("sha256").and_then(|s| s.as_str()) else {
                    continue;
                };
                let bytes = files
                    .get(sha)
                    .await
                    .map_err(|e| format!("giấy tờ {sha}: {e}"))?;
                attachments.insert(
                    sha.to_string(),
                    base64::engine::general_purpose::STANDARD
                        .encode(bytes)
                        .into(),
                );
            }
        }
    }
    Ok(json!({
        "body": m.body,
        "signature": m.signature,
        "attachments": attachments,
    })
    .to_string())
}
