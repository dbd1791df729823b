//! HTTP routes: `POST /v1/articles`, `/healthz`, `/readyz`, `/metrics`.

use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::publish::{self, Layout};
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use dongtai_proto::ArticleSubmission;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub(crate) client: async_nats::Client,
    js: async_nats::jetstream::Context,
    config: Arc<Config>,
    metrics: Arc<Metrics>,
}

impl AppState {
    /// State over a connected client.
    pub fn new(
        config: Config,
        client: async_nats::Client,
        js: async_nats::jetstream::Context,
    ) -> Self {
        Self {
            client,
            js,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// The ingest API.
pub fn router(state: AppState) -> Router {
    let limits = tower::ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(
            |_: tower::BoxError| async { ApiError::Unavailable },
        ))
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(
            state.config.request_timeout_secs,
        )))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            state.config.max_concurrent_requests,
        ));
    let api = Router::new()
        .route("/v1/articles", post(post_articles))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(json!({"error": "not_found", "detail": "no such route"})),
            )
        })
        .layer(limits)
        .with_state(state)
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if dongtai_common::auth::bearer_allows(state.config.token.as_deref(), header) {
        next.run(req).await
    } else {
        Metrics::inc(&state.metrics.requests_rejected);
        ApiError::Unauthorized.into_response()
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    if dongtai_common::nats::is_connected(&state.client) {
        (StatusCode::OK, Json(json!({"ready": true}))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"ready": false, "nats": "disconnected"})),
        )
            .into_response()
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// Query parameters of `POST /v1/articles` (the metadata of a text/plain body, and the layout).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleParams {
    layout: Option<String>,
    title: Option<String>,
    outlet: Option<String>,
    page: Option<String>,
    published: Option<String>,
    url: Option<String>,
}

async fn post_articles(
    State(state): State<AppState>,
    params: Result<Query<ArticleParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match accept(&state, params, &headers, body).await {
        Ok(accepted) => {
            for a in &accepted {
                if a.duplicate {
                    Metrics::inc(&state.metrics.articles_duplicate);
                } else {
                    Metrics::inc(&state.metrics.articles_published);
                }
            }
            (StatusCode::ACCEPTED, Json(json!({ "articles": accepted }))).into_response()
        }
        Err(e) => {
            if matches!(e, ApiError::Unavailable) {
                Metrics::inc(&state.metrics.publish_failures);
            } else {
                Metrics::inc(&state.metrics.requests_rejected);
            }
            e.into_response()
        }
    }
}

async fn accept(
    state: &AppState,
    params: Result<Query<ArticleParams>, axum::extract::rejection::QueryRejection>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Vec<publish::Accepted>, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad("query", e.body_text()))?;
    let layout: Layout = params.layout.as_deref().unwrap_or("article").parse()?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not ASCII)").to_ascii_lowercase())
        .unwrap_or_default();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    if mime != "application/json" && mime != "text/plain" {
        return Err(ApiError::UnsupportedMediaType(content_type));
    }
    let charset = content_type
        .split(';')
        .skip(1)
        .find_map(|p| p.trim().strip_prefix("charset="));
    if charset.is_some_and(|c| !c.trim_matches('"').eq_ignore_ascii_case("utf-8")) {
        return Err(ApiError::UnsupportedMediaType(content_type));
    }
    let limit = state.config.max_body_bytes;
    // to_bytes fails on the limit, or on a connection that broke (whose client hears nothing).
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let submission = if mime == "application/json" {
        if params.title.is_some()
            || params.outlet.is_some()
            || params.page.is_some()
            || params.published.is_some()
            || params.url.is_some()
        {
            return Err(ApiError::bad(
                "query",
                "with a JSON body the metadata goes in the JSON, not in query parameters",
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize::<_, ArticleSubmission>(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // A syntax error is the body's fault; a data error is the field's.
            let field = if path == "." || inner.classify() != serde_json::error::Category::Data {
                "body".to_owned()
            } else {
                path
            };
            ApiError::bad(field, format!("malformed JSON: {inner}"))
        })?
    } else {
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
            ApiError::bad(
                "body",
                format!(
                    "the body is not UTF-8 (invalid byte at {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        let published = params
            .published
            .as_deref()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| {
                    ApiError::bad("published", format!("{d:?} is not a date YYYY-MM-DD: {e}"))
                })
            })
            .transpose()?;
        ArticleSubmission {
            text,
            title: params.title,
            outlet: params.outlet,
            page: params.page,
            published,
            url: params.url,
        }
    };
    let articles = publish::articles_of(submission, layout)?;
    publish::publish_all(&state.client, &state.js, articles).await
}
