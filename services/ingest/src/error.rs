//! Every error a client can see, mapped to its HTTP status in one place.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad JSON, bad parameter); `field` names the culprit.
    #[error("{detail}")]
    BadRequest {
        /// The field or parameter at fault, when there is one.
        field: Option<String>,
        /// What is wrong with it.
        detail: String,
    },
    /// Well-formed but unusable (empty text, no article on the page).
    #[error("{detail}")]
    Unprocessable {
        /// The field at fault.
        field: Option<String>,
        /// What is wrong with it.
        detail: String,
    },
    /// The body is larger than the limit.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A content type this endpoint does not take.
    #[error(
        "content type {0:?} is not accepted: send application/json, text/plain or text/html \
         (charset utf-8, gb18030, gbk, gb2312 or big5; none: detected)"
    )]
    UnsupportedMediaType(String),
    /// No or a wrong bearer token.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// NATS is unreachable or did not acknowledge: nothing was accepted, retry later.
    #[error("the article store is unavailable; nothing was accepted, retry later")]
    Unavailable,
}

impl ApiError {
    /// A malformed-request error on `field`.
    pub fn bad(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            field: Some(field.into()),
            detail: detail.into(),
        }
    }

    /// An unprocessable-request error on `field`.
    pub fn unprocessable(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Unprocessable {
            field: Some(field.into()),
            detail: detail.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Unprocessable { .. } => "unprocessable",
            ApiError::TooLarge { .. } => "body_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Unavailable => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let field = match &self {
            ApiError::BadRequest { field, .. } | ApiError::Unprocessable { field, .. } => {
                field.clone()
            }
            ApiError::TooLarge { .. } => Some("body".to_owned()),
            ApiError::UnsupportedMediaType(_) => Some("content-type".to_owned()),
            _ => None,
        };
        let body = json!({"error": self.code(), "field": field, "detail": self.to_string()});
        let mut resp = (self.status(), axum::Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized) {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if matches!(self, ApiError::Unavailable) {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        resp
    }
}
