//! Every error a client can see, mapped to its status in one place. Internals never leak.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A parameter is malformed or out of range.
    #[error("{detail}")]
    BadParam {
        /// The parameter.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Nothing there.
    #[error("{0}")]
    NotFound(String),
    /// No or a wrong bearer token.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// Overloaded or timed out.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed; details go to the log, not to the client.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// A bad-parameter error.
    pub fn bad(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::BadParam {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "store failure while answering a query");
        ApiError::Internal
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, field) = match &self {
            ApiError::BadParam { field, .. } => {
                (StatusCode::BAD_REQUEST, "bad_request", Some(field.clone()))
            }
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        };
        let body = json!({"error": code, "field": field, "detail": self.to_string()});
        let mut resp = (status, axum::Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized) {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}
