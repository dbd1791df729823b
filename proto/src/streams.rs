//! JetStream stream and consumer names: the source of truth for the whole system.

/// Holds [`crate::subjects::ARTICLES_NEW`]: every article ever accepted.
pub const ARTICLES: &str = "DONGTAI_ARTICLES";
/// Holds [`crate::subjects::ARTICLES_DEAD`]: poison articles with their error.
pub const DEAD_ARTICLES: &str = "DONGTAI_DEAD_ARTICLES";
/// Holds [`crate::subjects::EVENTS_DEAD`]: messages the timeline could not apply, with their error.
pub const DEAD_EVENTS: &str = "DONGTAI_DEAD_EVENTS";
/// Holds [`crate::subjects::EVENTS_ALL`]: every event and retraction.
pub const EVENTS: &str = "DONGTAI_EVENTS";

/// The durable pull consumer the extract workers share.
pub const EXTRACT_CONSUMER: &str = "extract";
/// The durable consumer of one timeline replica (each replica keeps its own).
pub fn timeline_consumer(replica: &str) -> String {
    format!("timeline-{replica}")
}

/// Whether `replica` can name a timeline replica: it becomes part of a durable consumer name,
/// which JetStream allows only without `.`, `*`, `>`, whitespace or path separators; we keep
/// to letters, digits, `-` and `_`, at most 32 of them.
pub fn is_valid_replica_name(replica: &str) -> bool {
    !replica.is_empty()
        && replica.len() <= 32
        && replica
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The durable pull consumer on [`EVENTS`] made for the newsroom (created by the timeline):
/// the read-only `newsroom` NATS user may fetch from it and ack, and it remembers what was
/// acked across the newsroom's restarts, so every event reaches the newsroom at least once.
pub const NEWSROOM_CONSUMER: &str = "newsroom";

/// The inbox prefix the newsroom's clients connect with. Replies to its fetches (the events)
/// arrive under it; the newsroom user may subscribe only there, never to the shared `_INBOX.>`
/// where the services' deliveries (articles included) pass.
pub const NEWSROOM_INBOX_PREFIX: &str = "_INBOX_newsroom";

/// Replicas a stream has when nobody asked for more (a single nats-server).
pub const DEFAULT_REPLICAS: usize = 1;
/// The most replicas JetStream allows for a stream.
pub const MAX_REPLICAS: usize = 5;

/// The window in which JetStream drops a message whose `Nats-Msg-Id` it has seen.
pub const DUPLICATE_WINDOW_SECS: u64 = 120;
/// Deliveries of one article before extract sends it to the dead letters.
pub const MAX_DELIVERIES: i64 = 5;

/// The JetStream key-value bucket where `dongtai-ingest watch` keeps what it has seen: feed
/// validators (ETag, Last-Modified), pages ingested or given up, pages waiting for a retry.
/// Its stream is `KV_DONGTAI_WATCH`, its subjects `$KV.DONGTAI_WATCH.>`.
pub const WATCH_STATE_BUCKET: &str = "DONGTAI_WATCH";

#[cfg(test)]
mod tests {
    #[test]
    fn replica_names_that_would_break_a_consumer_name_are_refused() {
        for ok in ["main", "a", "replica-2", "eu_west_1"] {
            assert!(super::is_valid_replica_name(ok), "{ok}");
        }
        let long = "x".repeat(33);
        for bad in ["", "a.b", "a*", "a>", "a b", "a/b", long.as_str()] {
            assert!(!super::is_valid_replica_name(bad), "{bad}");
        }
    }
}
