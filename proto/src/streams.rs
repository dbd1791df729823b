//! JetStream stream and consumer names: the source of truth for the whole system.

/// Holds [`crate::subjects::ARTICLES_NEW`]: every article ever accepted.
pub const ARTICLES: &str = "DONGTAI_ARTICLES";
/// Holds [`crate::subjects::ARTICLES_DEAD`]: poison articles with their error.
pub const DEAD_ARTICLES: &str = "DONGTAI_DEAD_ARTICLES";
/// Holds [`crate::subjects::EVENTS_ALL`]: every event and retraction.
pub const EVENTS: &str = "DONGTAI_EVENTS";

/// The durable pull consumer the extract workers share.
pub const EXTRACT_CONSUMER: &str = "extract";
/// The durable consumer of one timeline replica (each replica keeps its own).
pub fn timeline_consumer(replica: &str) -> String {
    format!("timeline-{replica}")
}

/// The window in which JetStream drops a message whose `Nats-Msg-Id` it has seen.
pub const DUPLICATE_WINDOW_SECS: u64 = 120;
/// Deliveries of one article before extract sends it to the dead letters.
pub const MAX_DELIVERIES: i64 = 5;

/// The JetStream key-value bucket where `dongtai-ingest watch` keeps what it has seen: feed
/// validators (ETag, Last-Modified), pages ingested or given up, pages waiting for a retry.
/// Its stream is `KV_DONGTAI_WATCH`, its subjects `$KV.DONGTAI_WATCH.>`.
pub const WATCH_STATE_BUCKET: &str = "DONGTAI_WATCH";
