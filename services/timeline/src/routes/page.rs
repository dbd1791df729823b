//! `GET /`: the timeline page. Plain HTML, CSS and JavaScript compiled into the binary, so there
//! is no build step and nothing to deploy beside the service. The page reads its search from the
//! URL (`/?actor=曹立强&open=<event id>`), so a link reproduces a view and tests can drive it.

use axum::http::header;
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("page.html");

/// `GET /`.
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // The page builds every node with textContent; this keeps any injected markup inert too.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
            ),
        ],
        PAGE,
    )
        .into_response()
}
