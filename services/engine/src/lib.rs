//! dongtai's extraction engine: text in, activity events out. Pure: no I/O, no clock, no NATS.
//!
//! Used by the extract worker, the `dongtai-extract file` CLI, ingest (page splitting) and the
//! benchmarks.

use chrono::NaiveDate;
use dongtai_proto::{ActivityEvent, ArticleId, OffsetMap};

/// Name and version written into every event's `extractor` field.
pub const EXTRACTOR: &str = concat!("dongtai-extract ", env!("CARGO_PKG_VERSION"));

/// What is known about a document besides its text.
#[derive(Debug, Clone, Default)]
pub struct DocMeta {
    /// The article id (events and evidence carry it).
    pub article_id: Option<ArticleId>,
    /// Headline.
    pub title: Option<String>,
    /// Newspaper or site.
    pub outlet: Option<String>,
    /// Page of a printed edition.
    pub page: Option<String>,
    /// Publication date: anchors years and relative days.
    pub published: Option<NaiveDate>,
    /// Where it can be read.
    pub url: Option<String>,
}

/// Text after normalisation, with the map back to the text as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// Normalised text.
    pub text: String,
    /// Character offsets in `text` → character offsets in the raw input.
    pub map: OffsetMap,
}

/// One article found on a scanned page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageArticle {
    /// Its headline, when the page printed one.
    pub title: Option<String>,
    /// Its normalised body.
    pub text: String,
    /// Character offsets in `text` → character offsets in the whole page as received.
    pub map: OffsetMap,
}

/// Normalise text as received: full-width forms, CJK spacing, broken column lines.
pub fn normalize(raw: &str) -> Normalized {
    Normalized { text: raw.to_owned(), map: OffsetMap::identity() }
}

/// Split a scanned newspaper page into its articles (headlines attached to their bodies).
pub fn split_page(raw: &str) -> Vec<PageArticle> {
    let n = normalize(raw);
    vec![PageArticle { title: None, text: n.text, map: n.map }]
}

/// Extract the activity events of one document. Evidence offsets are character offsets into
/// `raw` as given.
pub fn extract(raw: &str, meta: &DocMeta) -> Vec<ActivityEvent> {
    let _ = (raw, meta);
    Vec::new()
}
