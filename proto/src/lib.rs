//! dongtai's contracts: everything that crosses a process boundary.
//!
//! Services never spell a subject, stream or consumer name themselves; they take it from
//! [`subjects`] and [`streams`]. Every message carries a `schema` field naming its version;
//! within v1 fields are only ever added (and optional), a breaking change is a v2.

pub mod article;
pub mod event;
pub mod ids;
pub mod offsets;
pub mod openapi;
pub mod schema;
pub mod streams;
pub mod subjects;

pub use article::{Article, ArticleSubmission, DeadArticle};
pub use event::{
    ActivityEvent, Actor, ActorKind, DeadEvent, EventKind, Evidence, PartOfDay, Retraction, Role,
    Source, TimeBasis, When,
};
pub use ids::{ArticleId, EventId, IdError};
pub use offsets::OffsetMap;

/// `schema` value of an [`Article`].
pub const ARTICLE_SCHEMA: &str = "dongtai.article.v1";
/// `schema` value of an [`ActivityEvent`].
pub const EVENT_SCHEMA: &str = "dongtai.event.v1";
/// `schema` value of a [`DeadArticle`].
pub const DEAD_ARTICLE_SCHEMA: &str = "dongtai.dead_article.v1";
/// `schema` value of a [`DeadEvent`].
pub const DEAD_EVENT_SCHEMA: &str = "dongtai.dead_event.v1";
/// `schema` value of a [`Retraction`].
pub const RETRACTION_SCHEMA: &str = "dongtai.retraction.v1";
