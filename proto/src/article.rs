//! Articles: what ingest publishes on `articles.v1.new`.

use crate::{ArticleId, OffsetMap};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One article, normalised, as published on [`crate::subjects::ARTICLES_NEW`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Article {
    /// Always [`crate::ARTICLE_SCHEMA`].
    pub schema: String,
    /// Hex SHA-256 of `text`.
    pub id: ArticleId,
    /// Headline, when one was given or found on the page.
    #[serde(default)]
    pub title: Option<String>,
    /// Newspaper or site.
    #[serde(default)]
    pub outlet: Option<String>,
    /// Page (版) of a printed edition.
    #[serde(default)]
    pub page: Option<String>,
    /// Publication date; `None` when unknown (the extractor then says its dates are approximate).
    #[serde(default)]
    pub published: Option<NaiveDate>,
    /// Where the article can be read.
    #[serde(default)]
    pub url: Option<String>,
    /// The normalised body.
    pub text: String,
    /// Maps character offsets in `text` to character offsets in the document as received
    /// (for a page split into articles: offsets into the whole page).
    #[serde(default)]
    pub raw_offsets: OffsetMap,
    /// When ingest accepted it.
    pub received_at: DateTime<Utc>,
}

/// What a client submits to ingest (`POST /v1/articles` as JSON). Only `text` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleSubmission {
    /// The article's text, as received (for `layout=page`, a whole scanned page).
    pub text: String,
    /// Headline.
    #[serde(default)]
    pub title: Option<String>,
    /// Newspaper or site.
    #[serde(default)]
    pub outlet: Option<String>,
    /// Page of a printed edition.
    #[serde(default)]
    pub page: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(default)]
    pub published: Option<NaiveDate>,
    /// Where the article can be read.
    #[serde(default)]
    pub url: Option<String>,
}

/// An article that extraction gave up on, published on [`crate::subjects::ARTICLES_DEAD`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeadArticle {
    /// Always [`crate::DEAD_ARTICLE_SCHEMA`].
    pub schema: String,
    /// The article's id, when the payload could be read far enough to know it.
    #[serde(default)]
    pub article_id: Option<ArticleId>,
    /// Why it was given up on.
    pub error: String,
    /// How many times it was delivered before that.
    pub deliveries: u64,
    /// The message exactly as it arrived (UTF-8, lossily decoded if it was not).
    pub original: String,
    /// Which extractor gave up.
    pub extractor: String,
    /// When.
    pub at: DateTime<Utc>,
}
