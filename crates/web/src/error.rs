//! The web layer's one error type and its one mapping to HTTP responses.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use motcua_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Intake(#[from] motcua_core::dossier::IntakeError),
    #[error("lỗi hiển thị trang: {0}")]
    Template(#[from] askama::Error),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) | WebError::Store(StoreError::NotFound(_)) => {
                StatusCode::NOT_FOUND
            }
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) | WebError::Store(StoreError::Forbidden(_)) => {
                StatusCode::FORBIDDEN
            }
            WebError::Conflict(_) | WebError::Store(StoreError::Conflict(_)) => {
                StatusCode::CONFLICT
            }
            WebError::Intake(e) => {
                use motcua_core::dossier::IntakeError::{Closed, NotADesk};
                match e {
                    // The caller's own desk cannot receive: not a fault of the dossier.
                    NotADesk { .. } | Closed { .. } => StatusCode::FORBIDDEN,
                    _ => StatusCode::BAD_REQUEST,
                }
            }
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Store(StoreError::KeyReused(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Store(StoreError::Transition(t)) => {
                use motcua_core::dossier::Refusal;
                match t.refusal() {
                    Refusal::Forbidden => StatusCode::FORBIDDEN,
                    Refusal::Invalid => StatusCode::BAD_REQUEST,
                    Refusal::Conflict => StatusCode::CONFLICT,
                }
            }
            WebError::Store(StoreError::Invalid(_) | StoreError::Import(_)) => {
                StatusCode::BAD_REQUEST
            }
            WebError::Store(_) | WebError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to the person: internal details stay in the log.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
            "Hệ thống gặp lỗi khi xử lý yêu cầu; vui lòng thử lại sau.".to_string()
        } else {
            self.to_string()
        }
    }
}

/// The JSON error body of the API: `{"error": {"status": 400, "message": "…"}}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    pub message: String,
}

/// An API error (JSON body).
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let body = ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                message: self.0.public_message(),
            },
        };
        (status, axum::Json(body)).into_response()
    }
}

/// The page every HTML error answers with.
#[derive(askama::Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: crate::i18n::Tr,
    pub status: u16,
    pub message: String,
}

/// A page error (HTML body, Vietnamese).
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let msg = self.0.public_message();
        let page = ErrorPage {
            tr: crate::i18n::Tr::vi(),
            status: status.as_u16(),
            message: msg.clone(),
        };
        let html = askama::Template::render(&page).unwrap_or(msg);
        (status, Html(html)).into_response()
    }
}
