//! `POST /api/federation/messages`: a peer installation delivers a signed
//! message (docs/federation.md). The sender named in the body must be a
//! configured peer; its signature over the exact body is checked with that
//! peer's key; the message is then applied in the sender's order, once.

use crate::AppState;
use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_core::federation::{Envelope, FederationError, SignedMessage, verify, verifying_key};
use motcua_store::federation::Received;
use serde_json::json;

/// Receives one signed message from a peer.
#[utoipa::path(post, path = "/api/federation/messages", tag = "federation",
    request_body(content = String, content_type = "application/json", description = "{\"body\": the envelope's JSON text, \"signature\": ed25519 over it, hex}"),
    responses((status = 200, description = "Applied, or a duplicate answered again"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 409, description = "Messages before this one are missing: `expected` names the next")))]
pub async fn receive(
    State(st): State<AppState>,
    Json(msg): Json<SignedMessage>,
) -> Result<Response, ApiError> {
    let (us, _, _) = st
        .store
        .installation_key()
        .await
        .map_err(WebError::from)?
        .ok_or_else(|| {
            WebError::Forbidden("hệ thống này chưa có khóa (motcua peer keygen)".into())
        })?;
    // The claimed sender, read before the signature only to find its key.
    let claimed: Envelope = serde_json::from_str(&msg.body)
        .map_err(|e| WebError::BadRequest(format!("thông điệp không đọc được: {e}")))?;
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
