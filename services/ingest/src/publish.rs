//! Turning a submission into articles and publishing them durably.

use crate::error::ApiError;
use chrono::Utc;
use dongtai_proto::{ARTICLE_SCHEMA, Article, ArticleId, ArticleSubmission, OffsetMap, subjects};
use serde::Serialize;
use std::time::Duration;

/// How the submitted text is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One article.
    Article,
    /// A scanned newspaper page: several articles, column line breaks, headlines after bodies.
    Page,
}

impl std::str::FromStr for Layout {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, ApiError> {
        match s {
            "article" | "" => Ok(Layout::Article),
            "page" => Ok(Layout::Page),
            other => Err(ApiError::bad(
                "layout",
                format!("layout is \"article\" or \"page\", not {other:?}"),
            )),
        }
    }
}

/// One article accepted, as answered to the client.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Accepted {
    /// The article id.
    pub id: String,
    /// Its headline.
    pub title: Option<String>,
    /// True when the store already had this article.
    pub duplicate: bool,
    /// Characters in its normalised text.
    pub chars: usize,
}

/// Split (for a page) and normalise a submission into articles. Refuses text with no content.
pub fn articles_of(sub: ArticleSubmission, layout: Layout) -> Result<Vec<Article>, ApiError> {
    if sub.text.trim().is_empty() {
        return Err(ApiError::unprocessable("text", "text is empty"));
    }
    if let Some(c) = sub
        .text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ApiError::unprocessable(
            "text",
            format!("text holds the control character U+{:04X}", c as u32),
        ));
    }
    let received_at = Utc::now();
    let parts: Vec<(Option<String>, String, OffsetMap)> = match layout {
        Layout::Article => {
            let n = dongtai_engine::normalize(&sub.text);
            vec![(sub.title.clone(), n.text, n.map)]
        }
        Layout::Page => dongtai_engine::split_page(&sub.text)
            .into_iter()
            .map(|a| (a.title.or_else(|| sub.title.clone()), a.text, a.map))
            .collect(),
    };
    let articles: Vec<Article> = parts
        .into_iter()
        .filter(|(_, text, _)| !text.trim().is_empty())
        .map(|(title, text, raw_offsets)| Article {
            schema: ARTICLE_SCHEMA.to_owned(),
            id: ArticleId::of_text(&text),
            title,
            outlet: sub.outlet.clone(),
            page: sub.page.clone(),
            published: sub.published,
            url: sub.url.clone(),
            text,
            raw_offsets,
            received_at,
        })
        .collect();
    if articles.is_empty() {
        return Err(ApiError::unprocessable(
            "text",
            "no article text found after normalisation",
        ));
    }
    Ok(articles)
}

/// Publish every article with its id as `Nats-Msg-Id`; return only once JetStream stored all.
/// Any failure is `Unavailable`: the client retries, and the ids make the retry harmless.
pub async fn publish_all(
    client: &async_nats::Client,
    js: &async_nats::jetstream::Context,
    articles: Vec<Article>,
) -> Result<Vec<Accepted>, ApiError> {
    if !dongtai_common::nats::is_connected(client) {
        return Err(ApiError::Unavailable);
    }
    // Refuse what the server would refuse, before publishing any of it.
    let max_payload = client.server_info().max_payload;
    let mut payloads = Vec::with_capacity(articles.len());
    for article in &articles {
        let payload = serde_json::to_vec(article).map_err(|_| ApiError::Unavailable)?;
        if max_payload > 0 && payload.len() > max_payload {
            return Err(ApiError::unprocessable(
                "text",
                format!(
                    "the article is {} bytes as a message; the NATS server takes at most {max_payload}",
                    payload.len()
                ),
            ));
        }
        payloads.push(payload);
    }
    // All publishes go out at once; the answer waits for every acknowledgement.
    let publishes = articles
        .iter()
        .zip(payloads)
        .map(|(article, payload)| async move {
            let id = article.id.to_string();
            let publish = dongtai_common::nats::publish_durable(
                js,
                subjects::ARTICLES_NEW.to_owned(),
                &id,
                payload.into(),
            );
            match tokio::time::timeout(Duration::from_secs(10), publish).await {
                Ok(Ok(duplicate)) => Ok(Accepted {
                    id,
                    title: article.title.clone(),
                    duplicate,
                    chars: article.text.chars().count(),
                }),
                Ok(Err(e)) => {
                    tracing::warn!(article_id = %id, error = %e, "article not stored");
                    Err(ApiError::Unavailable)
                }
                Err(_) => {
                    tracing::warn!(article_id = %id, "article store did not acknowledge in time");
                    Err(ApiError::Unavailable)
                }
            }
        });
    futures::future::join_all(publishes)
        .await
        .into_iter()
        .collect()
}
