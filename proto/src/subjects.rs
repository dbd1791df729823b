//! NATS subjects. Every subject carries its contract version.

use crate::EventKind;

/// New articles from ingest.
pub const ARTICLES_NEW: &str = "articles.v1.new";
/// Articles extraction gave up on, with the error ([`crate::DeadArticle`]).
pub const ARTICLES_DEAD: &str = "articles.v1.dead";
/// Every event subject (what the EVENTS stream holds, what a newsroom subscribes to).
pub const EVENTS_ALL: &str = "events.v1.>";
/// Events a re-extraction no longer finds ([`crate::Retraction`]).
pub const EVENTS_RETRACTED: &str = "events.v1.retracted";
/// Messages from the EVENTS stream the timeline could not apply ([`crate::DeadEvent`]). Outside
/// `events.v1.>` on purpose: the EVENTS stream, the timelines and the newsroom never see it.
pub const EVENTS_DEAD: &str = "dead.v1.events";
/// Prefix of event subjects.
pub const EVENTS_PREFIX: &str = "events.v1.";

/// The subject an event of `kind` is published on: `events.v1.<kind>`.
pub fn event(kind: EventKind) -> String {
    format!("{EVENTS_PREFIX}{}", kind.as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_subjects_end_in_the_kind() {
        assert_eq!(
            super::event(crate::EventKind::ExpoVisit),
            "events.v1.expo_visit"
        );
    }
}
