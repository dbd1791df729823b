//! Corroboration: two reports from different articles of the same kind of activity, with a
//! shared lead person and overlapping days, are one activity. [`same_activity`] is the rule;
//! everything that groups reports goes through it.
//!
//! A new report's candidates are found through the actor index of its lead persons: their
//! entries carry the kind, article and activity id ([`LeadFacts`]), so the lookup reads no
//! record. When a report matches several activities it bridges them: they merge into the one
//! with the smallest id (so the outcome does not depend on arrival order).

use super::StoreError;
use super::keys::{ArticleKey, Day, IdKey, Index, Position, TermNo};
use super::postings::Postings;
use super::record::{LeadFacts, StoredEvent};
use super::trees::Staged;
use chrono::Days;
use dongtai_proto::{ActorKind, EventKind, Role};
use std::collections::BTreeSet;

/// Activities longer than this are not expected: queries and the corroboration lookup scan
/// back this far from a start date.
pub const LONGEST_ACTIVITY_DAYS: u64 = 62;

/// What the rule compares of a report.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Event id.
    pub id: IdKey,
    /// Kind of activity.
    pub kind: EventKind,
    /// The reporting article.
    pub article: ArticleKey,
    /// First day (`Day::NONE`: undated, never corroborated).
    pub first: Day,
    /// Last day.
    pub last: Day,
}

impl Report {
    /// The report of a stored event.
    pub fn of(e: &StoredEvent) -> Self {
        Report {
            id: IdKey::of(&e.event.id),
            kind: e.event.kind,
            article: ArticleKey::of(&e.event.source.article_id),
            first: e.position().day,
            last: e.last_day(),
        }
    }
}

/// True when `a` and `b`, which share a lead person, report the same activity: two reports
/// (not one event twice), the same kind, from different articles, on overlapping days.
pub fn same_activity(a: &Report, b: &Report) -> bool {
    a.id != b.id
        && a.kind == b.kind
        && a.article != b.article
        && a.first != Day::NONE
        && b.first != Day::NONE
        && a.first <= b.last
        && b.first <= a.last
}

/// Names of the persons who led `e` (the people corroboration matches on).
pub fn lead_persons(e: &StoredEvent) -> BTreeSet<&str> {
    e.event
        .actors
        .iter()
        .filter(|a| a.role == Role::Lead && a.kind == ActorKind::Person)
        .map(|a| a.name.as_str())
        .collect()
}

/// The activities (ids) of live reports that `new` is another report of, through the actor
/// index as this batch left it (`postings` over the staged `index`, so reports earlier in the
/// same batch count too) under `leads`, the numbers of its lead persons' names (a name never
/// indexed has none: nothing to look up).
pub fn matching_activities(
    postings: &mut Postings,
    index: &Staged<'_>,
    leads: &[TermNo],
    new: &StoredEvent,
) -> Result<BTreeSet<IdKey>, StoreError> {
    let me = Report::of(new);
    let mut found = BTreeSet::new();
    let Some(first) = me.first.date() else {
        return Ok(found);
    };
    let back = first
        .checked_sub_days(Days::new(LONGEST_ACTIVITY_DAYS))
        .unwrap_or(first);
    let from = Position::first_on(Day::of(Some(back)));
    let until = Position::first_on(Day::from_raw(me.last.raw().saturating_add(1)));
    for lead in leads {
        for posting in postings.range(index, &Index::Actor.prefix(*lead), &from, &until)? {
            let Some(LeadFacts {
                kind,
                article,
                activity,
            }) = posting.listing.lead
            else {
                continue;
            };
            let pos = posting.pos;
            let other = Report {
                id: pos.id,
                kind,
                article,
                first: pos.day,
                last: Day::from_raw(posting.listing.last),
            };
            if same_activity(&me, &other) {
                found.insert(activity.unwrap_or(pos.id));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reports_of_one_activity_overlap_in_days_and_differ_in_article() {
        let (a1, a2) = (
            ArticleKey::of(&dongtai_proto::ArticleId::of_text("a")),
            ArticleKey::of(&dongtai_proto::ArticleId::of_text("b")),
        );
        let day = |s: &str| Day::of(Some(s.parse().unwrap()));
        let r = |id: &str, article, first, last| Report {
            id: IdKey::parse(&id.repeat(32)).unwrap(),
            kind: EventKind::Meeting,
            article,
            first: day(first),
            last: day(last),
        };
        let base = r("1", a1, "2023-11-05", "2023-11-07");
        assert!(same_activity(
            &base,
            &r("2", a2, "2023-11-07", "2023-11-07")
        ));
        assert!(!same_activity(
            &base,
            &r("2", a2, "2023-11-08", "2023-11-08")
        ));
        assert!(!same_activity(
            &base,
            &r("2", a1, "2023-11-05", "2023-11-05")
        ));
        assert!(!same_activity(&base, &base));
        let mut other_kind = r("2", a2, "2023-11-05", "2023-11-05");
        other_kind.kind = EventKind::Conference;
        assert!(!same_activity(&base, &other_kind));
    }
}
