//! HTTP routes: `POST /v1/articles`, and the shared `/healthz`, `/readyz`, `/metrics`.

use crate::config::Config;
use crate::decode::{self, DecodeError, DocKind};
use crate::error::ApiError;
use crate::html;
use crate::metrics::{IngestMetrics, stage};
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
    metrics: IngestMetrics,
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
            metrics: IngestMetrics::new(dongtai_common::Metrics::new(crate::SERVICE)),
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
    let ops = dongtai_common::Ops::new(crate::SERVICE, state.metrics.registry.clone())
        .nats(state.client.clone());
    let body_limit = state.config.max_body_bytes;
    let cors = state.config.cors.layer();
    let routes = Router::new()
        .merge(api)
        .route("/openapi.json", get(crate::openapi::openapi))
        .layer(limits)
        .with_state(state);
    let app = dongtai_common::http::app(routes, ops, body_limit);
    // Outermost: a preflight is answered before routing and authentication.
    match cors {
        Some(cors) => app.layer(cors),
        None => app,
    }
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if dongtai_common::auth::bearer_allows(state.config.token.as_deref(), header) {
        next.run(req).await
    } else {
        state.metrics.requests_rejected.inc();
        ApiError::Unauthorized.into_response()
    }
}

/// Query parameters of `POST /v1/articles` (the metadata of a text/plain body, and the layout).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleParams {
    /// `page`: the body is a scanned newspaper page, split into its articles.
    layout: Option<String>,
    /// The headline.
    title: Option<String>,
    /// The newspaper or site.
    outlet: Option<String>,
    /// The page it was printed on.
    page: Option<String>,
    /// Publication date, YYYY-MM-DD (relative dates in the text are read against it).
    published: Option<String>,
    /// Where it was published.
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
                    state.metrics.articles_duplicate.inc();
                } else {
                    state.metrics.articles_published.inc();
                }
            }
            (StatusCode::ACCEPTED, Json(json!({ "articles": accepted }))).into_response()
        }
        Err(e) => {
            if matches!(e, ApiError::Unavailable) {
                state.metrics.publish_failures.inc();
            } else {
                state.metrics.requests_rejected.inc();
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
    let kind = match mime.as_str() {
        "application/json" => None,
        "text/plain" => Some(DocKind::Text),
        "text/html" | "application/xhtml+xml" => Some(DocKind::Html),
        _ => return Err(ApiError::UnsupportedMediaType(content_type)),
    };
    let charset = decode::charset_of_content_type(&content_type);
    if kind.is_none() && charset.is_some_and(|c| !c.eq_ignore_ascii_case("utf-8")) {
        // JSON is UTF-8 by definition (RFC 8259).
        return Err(ApiError::UnsupportedMediaType(content_type));
    }
    let limit = state.config.max_body_bytes;
    // to_bytes fails on the limit, or on a connection that broke (whose client hears nothing).
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let Some(kind) = kind else {
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
        let submission =
            serde_path_to_error::deserialize::<_, ArticleSubmission>(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                // A syntax error is the body's fault; a data error is the field's.
                let field = if path == "." || inner.classify() != serde_json::error::Category::Data
                {
                    "body".to_owned()
                } else {
                    path
                };
                ApiError::bad(field, format!("malformed JSON: {inner}"))
            })?;
        let articles = publish::articles_of(submission, layout)?;
        return publish(state, articles).await;
    };
    let text = decode::decode(&bytes, charset, kind, None)
        .map_err(|e| decode_error(e, &content_type))?
        .text;
    let published = params
        .published
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| {
                ApiError::bad("published", format!("{d:?} is not a date YYYY-MM-DD: {e}"))
            })
        })
        .transpose()?;
    let submission = if kind == DocKind::Html {
        if layout == Layout::Page {
            return Err(ApiError::bad(
                "layout",
                "an HTML page is one article: layout=page is for scanned pages in text/plain",
            ));
        }
        let url = params.url.clone();
        let page =
            tokio::task::spawn_blocking(move || html::article_from_html(&text, url.as_deref()))
                .await
                .map_err(|_| ApiError::Unavailable)?
                .map_err(|e| ApiError::unprocessable("body", e.to_string()))?;
        ArticleSubmission {
            text: page.text,
            title: params.title.or(page.title),
            outlet: params.outlet,
            page: params.page,
            published: published.or(page.published),
            url: params.url,
        }
    } else {
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
    publish(state, articles).await
}

async fn publish(
    state: &AppState,
    articles: Vec<dongtai_proto::Article>,
) -> Result<Vec<publish::Accepted>, ApiError> {
    let publishing = publish::publish_all(&state.client, &state.js, articles);
    state
        .metrics
        .registry
        .time(stage::PUBLISH, publishing)
        .await
}

/// A body that cannot be read as text: a charset header we do not read is the content type's
/// fault (415); bytes that do not decode, or whose encoding cannot be told, are the body's (400).
fn decode_error(e: DecodeError, content_type: &str) -> ApiError {
    match &e {
        DecodeError::UnknownCharset {
            basis: decode::Basis::Header,
            ..
        }
        | DecodeError::UnsupportedCharset {
            basis: decode::Basis::Header,
            ..
        } => ApiError::UnsupportedMediaType(content_type.to_owned()),
        _ => ApiError::bad("body", e.to_string()),
    }
}
