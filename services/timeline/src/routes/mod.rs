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
use async_nats::jetstream::consumer::{Consumer, pull};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dongtai_common::{Metrics, Ops};
use error::ApiError;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
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
    /// The service's registry (`/metrics`); the consume loop counts in it too.
    pub metrics: Metrics,
    client: async_nats::Client,
    config: Arc<Config>,
    /// This replica's durable consumer, for `/readyz` and the lag on `/metrics` (none when the
    /// router serves a store without consuming, as the benchmarks do).
    consumer: Option<Consumer<pull::Config>>,
    events: Gauge,
    events_by_kind: Family<Vec<(&'static str, &'static str)>, Gauge>,
}

impl AppState {
    /// State over an open store and a connected client.
    pub fn new(
        config: Config,
        store: TimelineStore,
        client: async_nats::Client,
        feed: broadcast::Sender<Arc<StoredEvent>>,
    ) -> Self {
        let metrics = Metrics::new(crate::SERVICE);
        let events = metrics.gauge("dongtai_timeline_events", "Live events in the store");
        let events_by_kind = metrics.register(
            "dongtai_timeline_events_by_kind",
            "Live events in the store, by kind",
            Family::default(),
        );
        Self {
            store,
            feed,
            shutdown: CancellationToken::new(),
            metrics,
            client,
            config: Arc::new(config),
            consumer: None,
            events,
            events_by_kind,
        }
    }

    /// Report on `consumer` in `/readyz` and `/metrics`.
    pub fn with_consumer(mut self, consumer: Consumer<pull::Config>) -> Self {
        self.consumer = Some(consumer);
        self
    }

    /// `/healthz`, `/readyz` (NATS connected, store readable, consumer bound) and `/metrics`.
    fn ops(&self) -> Ops {
        let store = self.store.clone();
        let readable = move || {
            let store = store.clone();
            async move {
                // A real read of the store (its last sequence), off the async threads.
                tokio::task::spawn_blocking(move || store.last_seq())
                    .await
                    .map_err(|e| format!("the read did not finish: {e}"))?
                    .map(|_| ())
                    .map_err(|e| format!("not readable: {e}"))
            }
        };
        let (store, events, by_kind) = (
            self.store.clone(),
            self.events.clone(),
            self.events_by_kind.clone(),
        );
        let counts = move || {
            let (store, events, by_kind) = (store.clone(), events.clone(), by_kind.clone());
            async move {
                let counted = tokio::task::spawn_blocking(move || {
                    Ok::<_, crate::store::StoreError>((store.event_count()?, store.kind_counts()?))
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
                let (total, kinds) = counted;
                events.set(i64::try_from(total).unwrap_or(i64::MAX));
                for (kind, n) in kinds {
                    by_kind
                        .get_or_create(&vec![("kind", kind.as_str())])
                        .set(i64::try_from(n).unwrap_or(i64::MAX));
                }
                Ok(())
            }
        };
        let ops = Ops::new(crate::SERVICE, self.metrics.clone())
            .nats(self.client.clone())
            .check("store", readable)
            .on_scrape(counts);
        match &self.consumer {
            Some(c) => ops.consumer(c.clone()),
            None => ops,
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
    let ops = state.ops();
    let cors = state.config.cors.layer();
    let routes = Router::new()
        .merge(api)
        .route("/", get(page::page))
        .route("/openapi.json", get(openapi::openapi))
        .layer(limits)
        .with_state(state);
    let app = dongtai_common::http::app(routes, ops, dongtai_common::http::DEFAULT_BODY_LIMIT);
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
    let secret = state.config.token.as_deref();
    if dongtai_common::auth::bearer_allows(secret, header)
        || secret.is_some_and(|s| tokens::allows(s, &req))
    {
        next.run(req).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}
