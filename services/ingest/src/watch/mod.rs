//! `dongtai-ingest watch`: polls news feeds (RSS, Atom, JSON Feed) and ingests the article
//! page of every new item.
//!
//! Each source has its own task: poll the feed (conditionally, with the validators of the
//! last full answer), fetch the pages of items not seen before, turn each page into an article
//! (encoding detected, main text, headline, stated date) and publish it to the ARTICLES stream
//! the way `POST /v1/articles` does. What was seen lives in the JetStream key-value bucket
//! [`dongtai_proto::streams::WATCH_STATE_BUCKET`] (see [`state`]), so a restart resumes where
//! it stopped. A page that fails for a passing reason (5xx, timeout, NATS away) is retried
//! with a doubling delay; one that can never give an article (404, no text, too large, a
//! redirect loop, undecodable) is given up at once, logged as an error, and remembered so it
//! is not fetched again. One source's trouble never stops the others.

pub mod fetch;
pub mod health;
pub mod sources;
pub mod state;

use crate::config::WatchConfig;
use crate::decode::{self, DocKind};
use crate::error::ApiError;
use crate::publish::{self, Layout};
use anyhow::Context as _;
use axum::Router;
use axum::routing::get;
use chrono::Utc;
use dongtai_proto::ArticleSubmission;
use fetch::{FetchError, Fetcher, Response, Validators};
use health::Health;
use sources::Source;
use state::{Item, Retry, Seen, StateError, StateStore};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Why a page gave no article.
#[derive(Debug, thiserror::Error)]
enum PageError {
    /// It may work later: retry.
    #[error("{0}")]
    Transient(String),
    /// It never will: give up.
    #[error("{0}")]
    Permanent(String),
}

impl From<FetchError> for PageError {
    fn from(e: FetchError) -> Self {
        if e.is_transient() {
            PageError::Transient(e.to_string())
        } else {
            PageError::Permanent(e.to_string())
        }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unavailable => PageError::Transient(e.to_string()),
            other => PageError::Permanent(other.to_string()),
        }
    }
}

/// A built watcher: sources read, NATS connected, streams and state bucket provisioned,
/// HTTP port bound.
pub struct Watcher {
    listener: tokio::net::TcpListener,
    sources: Vec<Source>,
    inner: Arc<Inner>,
}

struct Inner {
    config: WatchConfig,
    client: async_nats::Client,
    js: async_nats::jetstream::Context,
    state: StateStore,
    fetcher: Fetcher,
    health: Arc<Health>,
    /// Pages waiting for a retry, by URL (mirrors the bucket's `retry.` entries).
    retries: Mutex<HashMap<String, Retry>>,
}

impl Watcher {
    /// Read the sources file, connect, provision, load the pages waiting for a retry, bind.
    pub async fn build(config: WatchConfig) -> anyhow::Result<Self> {
        let sources = sources::load(&config.sources)?;
        let client = dongtai_common::connect(&config.nats, "dongtai-ingest-watch").await?;
        let js = async_nats::jetstream::new(client.clone());
        dongtai_common::provision_streams_with(&js, &config.nats.limits).await?;
        let state = StateStore::open(&js, config.nats.limits.replicas).await?;
        let retries = state
            .retries()
            .await
            .context("cannot read the pages waiting for a retry")?;
        let fetcher = Fetcher::new(
            config.fetch_timeout,
            config.max_bytes,
            config.host_gap,
            &config.user_agent,
        )?;
        let listener = tokio::net::TcpListener::bind(config.http_addr)
            .await
            .with_context(|| format!("failed to bind {}", config.http_addr))?;
        let health = Arc::new(Health::default());
        for s in &sources {
            let pending = retries.iter().filter(|r| r.source == s.name).count() as u64;
            health.update(&s.name, |h| {
                h.feed = s.feed.clone();
                h.pending_retries = pending;
            });
        }
        let retries = retries.into_iter().map(|r| (r.url.clone(), r)).collect();
        Ok(Self {
            listener,
            sources,
            inner: Arc::new(Inner {
                config,
                client,
                js,
                state,
                fetcher,
                health,
                retries: Mutex::new(retries),
            }),
        })
    }

    /// The address of its HTTP endpoints.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Every source's health, live.
    pub fn health(&self) -> Arc<Health> {
        self.inner.health.clone()
    }

    /// Poll every source until `shutdown` fires; a poll in progress finishes its current page
    /// first, so no page is half recorded.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(
            addr = %self.local_addr(),
            sources = self.sources.len(),
            "watching feeds"
        );
        let http = tokio::spawn(
            axum::serve(self.listener, router(self.inner.clone()))
                .with_graceful_shutdown(shutdown.clone().cancelled_owned())
                .into_future(),
        );
        let tasks: Vec<_> = self
            .sources
            .into_iter()
            .map(|source| {
                let (inner, shutdown) = (self.inner.clone(), shutdown.clone());
                tokio::spawn(async move { inner.watch(source, shutdown).await })
            })
            .collect();
        for t in tasks {
            t.await.context("a source's task failed")?;
        }
        http.await
            .context("the watch HTTP server failed")?
            .context("the watch HTTP server failed")?;
        self.inner.client.drain().await.ok();
        tracing::info!("watch stopped");
        Ok(())
    }
}

/// The watch's name in `/metrics` and `/healthz`.
pub const SERVICE: &str = "dongtai-ingest-watch";

/// `/v1/sources`, and the shared `/healthz`, `/readyz` (NATS connected) and `/metrics` (the
/// per-source series, set from [`Health`] at each scrape).
fn router(inner: Arc<Inner>) -> Router {
    let metrics = dongtai_common::Metrics::new(SERVICE);
    let series = health::Series::register(&metrics);
    let health = inner.health.clone();
    let ops = dongtai_common::Ops::new(SERVICE, metrics)
        .nats(inner.client.clone())
        .on_scrape(move || {
            series.refresh(&health);
            async { Ok(()) }
        });
    let routes = Router::new()
        .route(
            "/v1/sources",
            get(
                |axum::extract::State(inner): axum::extract::State<Arc<Inner>>| async move {
                    axum::Json(serde_json::json!({ "sources": inner.health.snapshot() }))
                },
            ),
        )
        .with_state(inner);
    dongtai_common::http::app(routes, ops, dongtai_common::http::DEFAULT_BODY_LIMIT)
}

impl Inner {
    async fn watch(self: Arc<Self>, source: Source, shutdown: CancellationToken) {
        let interval = source.interval(self.config.interval);
        loop {
            // A round stops between pages, never inside one (poll checks `shutdown`): a page is
            // recorded whole or not at all.
            self.poll(&source, &shutdown).await;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }

    /// One round for a source: the retries that are due, then the feed.
    async fn poll(&self, source: &Source, shutdown: &CancellationToken) {
        let due: Vec<Retry> = {
            let now = Utc::now();
            let retries = self
                .retries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            retries
                .values()
                .filter(|r| r.source == source.name && r.next_try <= now)
                .cloned()
                .collect()
        };
        for retry in due {
            if shutdown.is_cancelled() {
                return;
            }
            let item = Item {
                url: retry.url.clone(),
                title: retry.title.clone(),
                feed_date: None,
            };
            if let Err(e) = self.page(source, &item, Some(retry)).await {
                self.state_trouble(source, &e);
                return;
            }
        }
        if let Err(e) = self.feed(source, shutdown).await {
            self.state_trouble(source, &e);
        }
    }

    fn state_trouble(&self, source: &Source, e: &StateError) {
        tracing::warn!(source = %source.name, error = %e, "cannot record what was seen; trying again next round");
        self.health.update(&source.name, |h| {
            h.last_error = Some(e.to_string());
        });
    }

    /// Poll the feed and take its new items. Only a state-bucket error is returned: feed
    /// trouble is logged and counted here.
    async fn feed(&self, source: &Source, shutdown: &CancellationToken) -> Result<(), StateError> {
        let validators = self.state.validators(&source.feed).await?;
        let fetched = match self.fetcher.get(&source.feed, &validators).await {
            Ok(Response::NotModified) => {
                tracing::debug!(source = %source.name, "feed not modified");
                self.health.update(&source.name, |h| {
                    h.polls_not_modified += 1;
                    h.up = true;
                    h.last_success = Some(Utc::now());
                });
                return Ok(());
            }
            Ok(Response::Full(f)) => f,
            Err(e) => {
                tracing::warn!(source = %source.name, feed = %source.feed, error = %e, "feed poll failed");
                self.feed_failed(source, e.to_string());
                return Ok(());
            }
        };
        let items = match parse_feed(fetched.clone()).await {
            Ok(items) => items,
            Err(e) => {
                tracing::error!(source = %source.name, feed = %source.feed, error = %e, "feed unreadable");
                self.feed_failed(source, e);
                return Ok(());
            }
        };
        let mut new = 0u64;
        for item in &items {
            if shutdown.is_cancelled() {
                // The validators are not stored: the next start reads this answer again.
                return Ok(());
            }
            if self.state.is_known(&item.url).await? {
                continue;
            }
            new += 1;
            self.page(source, item, None).await?;
        }
        if fetched.validators != Validators::default() {
            self.state
                .set_validators(&source.feed, &fetched.validators)
                .await?;
        }
        tracing::debug!(source = %source.name, items = items.len(), new, "feed read");
        self.health.update(&source.name, |h| {
            h.polls_parsed += 1;
            h.items_new += new;
            h.up = true;
            h.last_success = Some(Utc::now());
        });
        Ok(())
    }

    fn feed_failed(&self, source: &Source, error: String) {
        self.health.update(&source.name, |h| {
            h.polls_failed += 1;
            h.up = false;
            h.last_error = Some(error);
        });
    }

    /// Fetch and ingest one page, and record the outcome: seen, retry later, or given up.
    async fn page(
        &self,
        source: &Source,
        item: &Item,
        previous: Option<Retry>,
    ) -> Result<(), StateError> {
        let attempts = previous.as_ref().map_or(0, |r| r.attempts) + 1;
        let had_retry = previous.is_some();
        let outcome = self.ingest_page(source, item).await;
        match outcome {
            Ok(accepted) => {
                let seen = Seen {
                    url: item.url.clone(),
                    source: source.name.clone(),
                    article_ids: accepted.iter().map(|a| a.id.clone()).collect(),
                    gave_up: None,
                    at: Utc::now(),
                };
                self.state.mark_seen(&seen, had_retry).await?;
                let duplicates = accepted.iter().filter(|a| a.duplicate).count() as u64;
                tracing::info!(
                    source = %source.name,
                    url = %item.url,
                    articles = accepted.len(),
                    duplicates,
                    attempts,
                    "page ingested"
                );
                let pending = self.forget_retry(&item.url, &source.name);
                self.health.update(&source.name, |h| {
                    h.pages_ingested += 1;
                    h.articles_published += accepted.len() as u64 - duplicates;
                    h.articles_duplicate += duplicates;
                    h.pending_retries = pending;
                });
            }
            Err(PageError::Transient(error)) if attempts < self.config.max_attempts => {
                let delay = backoff(self.config.retry_base, self.config.retry_max, attempts);
                let retry = Retry {
                    url: item.url.clone(),
                    source: source.name.clone(),
                    title: item.title.clone(),
                    attempts,
                    next_try: Utc::now()
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX),
                    last_error: error.clone(),
                };
                self.state.schedule_retry(&retry).await?;
                tracing::warn!(
                    source = %source.name,
                    url = %item.url,
                    attempts,
                    retry_in_secs = delay.as_secs_f64(),
                    error = %error,
                    "page failed; will retry"
                );
                let pending = {
                    let mut retries = self
                        .retries
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    retries.insert(item.url.clone(), retry);
                    retries.values().filter(|r| r.source == source.name).count() as u64
                };
                self.health.update(&source.name, |h| {
                    h.pages_retried += 1;
                    h.pending_retries = pending;
                    h.last_error = Some(format!("{}: {error}", item.url));
                });
            }
            Err(e) => {
                let error = match e {
                    PageError::Transient(e) => format!("{e} (after {attempts} attempts)"),
                    PageError::Permanent(e) => e,
                };
                let seen = Seen {
                    url: item.url.clone(),
                    source: source.name.clone(),
                    article_ids: Vec::new(),
                    gave_up: Some(error.clone()),
                    at: Utc::now(),
                };
                self.state.mark_seen(&seen, had_retry).await?;
                tracing::error!(
                    source = %source.name,
                    url = %item.url,
                    attempts,
                    error = %error,
                    "page given up"
                );
                let pending = self.forget_retry(&item.url, &source.name);
                self.health.update(&source.name, |h| {
                    h.pages_given_up += 1;
                    h.pending_retries = pending;
                    h.last_error = Some(format!("{}: {error}", item.url));
                });
            }
        }
        Ok(())
    }

    /// Drop a page's retry; returns how many the source still has.
    fn forget_retry(&self, url: &str, source: &str) -> u64 {
        let mut retries = self
            .retries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        retries.remove(url);
        retries.values().filter(|r| r.source == source).count() as u64
    }

    async fn ingest_page(
        &self,
        source: &Source,
        item: &Item,
    ) -> Result<Vec<publish::Accepted>, PageError> {
        let fetched = match self.fetcher.get(&item.url, &Validators::default()).await? {
            Response::Full(f) => f,
            Response::NotModified => {
                return Err(PageError::Transient(
                    "answered 304 to an unconditional request".into(),
                ));
            }
        };
        let mime = fetched
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase());
        if mime
            .as_deref()
            .is_some_and(|m| !matches!(m, "text/html" | "application/xhtml+xml"))
        {
            return Err(PageError::Permanent(format!(
                "{} is {}, not an HTML page",
                item.url,
                mime.unwrap_or_default()
            )));
        }
        let charset = fetched
            .content_type
            .as_deref()
            .and_then(decode::charset_of_content_type);
        let tld = fetch::tld_of(&fetched.url);
        let decoded = decode::decode(&fetched.body, charset, DocKind::Html, tld.as_deref())
            .map_err(|e| PageError::Permanent(format!("{}: {e}", item.url)))?;
        let url = item.url.clone();
        let page = tokio::task::spawn_blocking(move || {
            crate::html::article_from_html(&decoded.text, Some(&url))
        })
        .await
        .map_err(|e| PageError::Permanent(format!("reading the page failed: {e}")))?
        .map_err(|e| PageError::Permanent(format!("{}: {e}", item.url)))?;
        if page.published.is_none() {
            tracing::warn!(
                source = %source.name,
                url = %item.url,
                feed_date = ?item.feed_date,
                "the page states no publication date; the article has none"
            );
        }
        let submission = ArticleSubmission {
            text: page.text,
            title: page.title.or_else(|| item.title.clone()),
            outlet: source.outlet.clone(),
            page: None,
            published: page.published,
            url: Some(item.url.clone()),
        };
        let articles = publish::articles_of(submission, Layout::Article)?;
        Ok(publish::publish_all(&self.client, &self.js, articles).await?)
    }
}

/// `base`, doubled for every attempt after the first, at most `max`.
fn backoff(base: Duration, max: Duration, attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
    base.saturating_mul(factor).min(max)
}

/// Decode and parse a feed (off the async threads: a feed can be megabytes) into its items'
/// page URLs, resolved against the feed's URL.
async fn parse_feed(fetched: fetch::Fetched) -> Result<Vec<Item>, String> {
    tokio::task::spawn_blocking(move || {
        let charset = fetched
            .content_type
            .as_deref()
            .and_then(decode::charset_of_content_type);
        let tld = fetch::tld_of(&fetched.url);
        let decoded = decode::decode(&fetched.body, charset, DocKind::Xml, tld.as_deref())
            .map_err(|e| format!("{}: {e}", fetched.url))?;
        let text = decode::xml_as_utf8(&decoded.text);
        let feed = feed_rs::parser::Builder::new()
            .base_uri(Some(fetched.url.as_str()))
            .build()
            .parse(text.as_bytes())
            .map_err(|e| format!("{} is not an RSS, Atom or JSON feed: {e}", fetched.url))?;
        let mut items = Vec::new();
        for entry in feed.entries {
            let link = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| entry.links.first());
            let Some(url) = link.and_then(|l| fetched.url.join(l.href.trim()).ok()) else {
                tracing::warn!(feed = %fetched.url, entry = %entry.id, "feed item has no link; skipped");
                continue;
            };
            items.push(Item {
                url: url.to_string(),
                title: entry.title.map(|t| t.content.trim().to_owned()),
                feed_date: entry.published.or(entry.updated).map(|d| d.date_naive()),
            });
        }
        Ok(items)
    })
    .await
    .map_err(|e| format!("reading the feed failed: {e}"))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_cap() {
        let (base, max) = (Duration::from_secs(60), Duration::from_secs(600));
        let waits: Vec<u64> = (1..=6).map(|a| backoff(base, max, a).as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 600, 600]);
        assert_eq!(backoff(base, max, 100), max);
    }
}
