//! HTTP API of the timeline. Errors are mapped to JSON in [`error`], in one place.

pub mod actors;
pub mod error;
pub mod events;
pub mod feed;
pub mod openapi;
pub mod page;
#[cfg(test)]
mod tests;
pub mod tokens;

use crate::config::Config;
use crate::store::{StoredEvent, TimelineStore};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use error::ApiError;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    /// The sled view.
    pub store: TimelineStore,
    /// Newly stored events, for live feeds.
    pub feed: broadcast::Sender<Arc<StoredEvent>>,
    /// Fires when the service stops: long-lived responses (the SSE feed) end on it, so a
    /// graceful shutdown does not wait for clients to hang up.
    pub shutdown: CancellationToken,
    client: async_nats::Client,
    config: Arc<Config>,
}

impl AppState {
    /// State over an open store and a connected client.
    pub fn new(
        config: Config,
        store: TimelineStore,
        client: async_nats::Client,
        feed: broadcast::Sender<Arc<StoredEvent>>,
    ) -> Self {
        Self {
            store,
            feed,
            shutdown: CancellationToken::new(),
            client,
            config: Arc::new(config),
        }
    }
}

/// The timeline API.
pub fn router(state: AppState) -> Router {
    let limits = tower::ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(
            |_: tower::BoxError| async {
                ApiError::Unavailable(
                    "the request took too long or the server is overloaded".into(),
                )
            },
        ))
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(
            state.config.request_timeout_secs,
        )))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            state.config.max_concurrent_requests,
        ));
    let api = Router::new()
        .route("/v1/events", get(events::list))
        .route("/v1/events/{id}", get(events::one))
        .route("/v1/events/{id}/history", get(events::history))
        .route("/v1/actors", get(events::actors))
        .route("/v1/stats", get(events::stats))
        .route("/v1/kinds", get(events::kinds))
        .route("/v1/feed", get(feed::feed))
        .route("/v1/tokens", axum::routing::post(tokens::issue))
        .route("/v1/actors/{name}", get(actors::one))
        .route("/v1/actors/{name}/companions", get(actors::companions))
        .route("/v1/actors/{name}/months", get(actors::months))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    let cors = state.config.cors.layer();
    let router = Router::new()
        .merge(api)
        .route("/", get(page::page))
        .route("/openapi.json", get(openapi::openapi))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(limits)
        .with_state(state);
    // Outermost: a preflight is answered before routing and authentication.
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let secret = state.config.token.as_deref();
    if dongtai_common::auth::bearer_allows(secret, header)
        || secret.is_some_and(|s| tokens::allows(s, &req))
    {
        next.run(req).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    let nats = dongtai_common::nats::is_connected(&state.client);
    let body = json!({"ready": nats, "nats": if nats { "connected" } else { "disconnected" }, "store": "open"});
    let status = if nats {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let events = state.store.event_count().unwrap_or(0);
    let mut out =
        format!("# TYPE dongtai_timeline_events gauge\ndongtai_timeline_events {events}\n");
    if let Ok(kinds) = state.store.kind_counts() {
        for (k, n) in kinds {
            out.push_str(&format!(
                "dongtai_timeline_events_by_kind{{kind=\"{k}\"}} {n}\n"
            ));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
