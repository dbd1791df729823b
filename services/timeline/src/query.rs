//! Answering `GET /v1/events`: pick the most selective index, scan it in date order, filter the
//! rest, page with an opaque cursor (the `{date}{id}` position of the last event returned).

use crate::store::{self, Day, Index, Position, StoreError, StoredEvent, TimelineStore};
use crate::view::Activity;
use chrono::{Days, NaiveDate};
use dongtai_proto::EventKind;

/// Largest page.
pub const MAX_LIMIT: usize = 500;
/// Page size when none is asked.
pub const DEFAULT_LIMIT: usize = 50;
use crate::store::LONGEST_ACTIVITY_DAYS;

/// One filter of `/v1/events` and `/v1/feed`: how its parameter parses, what it matches and
/// which index serves it are all here, so the HTTP parser, the feed and the list of known
/// filters in error messages cannot disagree.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// A person or organisation taking part.
    Actor(String),
    /// A company, booth or organisation visited.
    Target(String),
    /// A site, town or venue.
    Place(String),
    /// One kind.
    Kind(EventKind),
    /// Events that end on or after this day.
    From(NaiveDate),
    /// Events that start on or before this day.
    To(NaiveDate),
    /// Free text searched in evidence, topic, names, places, targets and the title.
    Q(String),
}

impl Filter {
    /// Every filter's parameter name.
    pub const NAMES: [&'static str; 7] = ["actor", "target", "place", "kind", "from", "to", "q"];

    /// Its parameter name.
    pub fn name(&self) -> &'static str {
        match self {
            Filter::Actor(_) => "actor",
            Filter::Target(_) => "target",
            Filter::Place(_) => "place",
            Filter::Kind(_) => "kind",
            Filter::From(_) => "from",
            Filter::To(_) => "to",
            Filter::Q(_) => "q",
        }
    }

    /// Parse parameter `name` = `value`: `None` when `name` is no filter, else the filter or
    /// what is wrong with the value.
    pub fn parse(name: &str, value: &str) -> Option<Result<Filter, String>> {
        let text = |make: fn(String) -> Filter| {
            let v = value.trim();
            if v.is_empty() {
                Err(format!("{name} is empty"))
            } else {
                Ok(make(v.to_owned()))
            }
        };
        let date = |make: fn(NaiveDate) -> Filter| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(make)
                .map_err(|e| format!("{name}={value:?} is not a date YYYY-MM-DD: {e}"))
        };
        Some(match name {
            "actor" => text(Filter::Actor),
            "target" => text(Filter::Target),
            "place" => text(Filter::Place),
            "q" => text(Filter::Q),
            "kind" => value
                .parse::<EventKind>()
                .map(Filter::Kind)
                .map_err(|e| e.to_string()),
            "from" => date(Filter::From),
            "to" => date(Filter::To),
            _ => return None,
        })
    }

    /// True when live event `e` passes this filter.
    pub fn matches(&self, e: &StoredEvent) -> bool {
        let ev = &e.event;
        // Places and targets are one list to a question (see `store::write::index_entries`).
        let in_places = |want: &str| ev.targets.iter().chain(&ev.places).any(|x| x == want);
        match self {
            Filter::Actor(a) => ev.actors.iter().any(|x| &x.name == a),
            Filter::Target(w) | Filter::Place(w) => in_places(w),
            Filter::Kind(k) => ev.kind == *k,
            Filter::From(from) => ev.when.end.or(ev.when.start).is_some_and(|e| e >= *from),
            Filter::To(to) => ev.when.start.is_some_and(|s| s <= *to),
            Filter::Q(q) => {
                let q = q.as_str();
                ev.evidence.iter().any(|x| x.text.contains(q))
                    || ev.topic.as_deref().is_some_and(|t| t.contains(q))
                    || ev.actors.iter().any(|x| x.name.contains(q))
                    || ev.places.iter().chain(&ev.targets).any(|x| x.contains(q))
                    || ev.source.title.as_deref().is_some_and(|t| t.contains(q))
            }
        }
    }

    /// The index that serves this filter and its term, with a rank: the query scans the
    /// index of its lowest-ranked filter (the most selective), or all events by date.
    pub fn index(&self) -> Option<(u8, Index, &str)> {
        match self {
            Filter::Actor(a) => Some((0, Index::Actor, a)),
            Filter::Target(t) => Some((1, Index::Target, t)),
            Filter::Place(p) => Some((2, Index::Target, p)),
            Filter::Kind(k) => Some((3, Index::Kind, Index::kind_term(*k))),
            Filter::From(_) | Filter::To(_) | Filter::Q(_) => None,
        }
    }
}

/// A validated query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// Every filter given (at most one of each).
    pub filters: Vec<Filter>,
    /// Page size.
    pub limit: usize,
    /// Position after which the page starts.
    pub cursor: Option<Cursor>,
}

/// A position in date order, handed to clients as `{YYYY-MM-DD}.{event id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub Position);

impl Cursor {
    /// The text form handed to clients.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.0.day.text(), self.0.id.event_id())
    }

    /// Parse a cursor a client sent back; `None` if it is not one of ours.
    pub fn decode(s: &str) -> Option<Self> {
        let (date, id) = s.split_once('.')?;
        let day = if date == store::NO_DATE {
            Day::NONE
        } else {
            Day::of(Some(store::parse_date(date).filter(|_| date.len() == 10)?))
        };
        let id = store::IdKey::parse(id)?;
        Some(Cursor(Position { day, id }))
    }
}

/// One page of answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Activities in date order.
    pub activities: Vec<Activity>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<Cursor>,
}

impl EventQuery {
    /// A query with `filters`, pages of `limit`.
    pub fn new(filters: impl IntoIterator<Item = Filter>, limit: usize) -> Self {
        EventQuery {
            filters: filters.into_iter().collect(),
            limit,
            cursor: None,
        }
    }

    /// The filter with parameter name `name`, if given.
    pub fn filter(&self, name: &str) -> Option<&Filter> {
        self.filters.iter().find(|f| f.name() == name)
    }

    fn index(&self) -> (Index, &str) {
        self.filters
            .iter()
            .filter_map(Filter::index)
            .min_by_key(|(rank, _, _)| *rank)
            .map_or((Index::Date, ""), |(_, index, term)| (index, term))
    }

    fn dates(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let (mut from, mut to) = (None, None);
        for f in &self.filters {
            match f {
                Filter::From(d) => from = Some(*d),
                Filter::To(d) => to = Some(*d),
                _ => {}
            }
        }
        (from, to)
    }

    /// What is wrong with the filters taken together (`from` after `to`), as (parameter,
    /// message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match self.dates() {
            (Some(f), Some(t)) if f > t => Err(("from", format!("from ({f}) is after to ({t})"))),
            _ => Ok(()),
        }
    }

    /// True when `e` is live and passes every filter.
    pub fn matches(&self, e: &StoredEvent) -> bool {
        !e.retracted && self.filters.iter().all(|f| f.matches(e))
    }
}

/// The other live reports of `e`'s activity.
pub fn others_in_group(
    store: &TimelineStore,
    e: &StoredEvent,
) -> Result<Vec<StoredEvent>, StoreError> {
    let Some(group) = &e.group else {
        return Ok(Vec::new());
    };
    let mut others = store.group_members_except(group, Some(&e.event.id))?;
    others.sort_by_key(StoredEvent::position);
    Ok(others)
}

/// Run a query.
pub fn run(store: &TimelineStore, q: &EventQuery) -> Result<Page, StoreError> {
    let (index, term) = q.index();
    let (from_date, to_date) = q.dates();
    // An event that starts before `from` may still run into it: start that far back.
    let from = from_date.map(|f| {
        let back = f
            .checked_sub_days(Days::new(LONGEST_ACTIVITY_DAYS))
            .unwrap_or(f);
        Position::first_on(Day::of(Some(back)))
    });
    let from_day = from_date.map(|f| Day::of(Some(f)));
    let upper = to_date.map(|t| Day::of(Some(t)));
    let mut events = Vec::with_capacity(q.limit.min(64));
    let mut last_pos = None;
    let mut more = false;
    // Start at the later of the `from` bound (inclusive) and the cursor (exclusive).
    let (from, after) = match (from, q.cursor.as_ref().map(|c| c.0)) {
        (Some(f), Some(a)) if a < f => (Some(f), None),
        (_, Some(a)) => (None, Some(a)),
        (f, None) => (f, None),
    };
    for hit in store.scan(index, term, from, after) {
        let (pos, last_day) = hit?;
        if upper.is_some_and(|u| pos.day > u) {
            break;
        }
        // Ended before `from`: the index says so without reading the record.
        if from_day.is_some_and(|f| last_day < f) {
            continue;
        }
        let Some(e) = store.at_position(&pos)? else {
            continue;
        };
        if !q.matches(&e) {
            continue;
        }
        // A corroborated activity is answered once, at its first report in this query's
        // order; the same rule on every page keeps paging free of gaps and repeats.
        let others = others_in_group(store, &e)?;
        if others.iter().any(|m| q.matches(m) && m.position() < pos) {
            continue;
        }
        if events.len() == q.limit {
            more = true;
            break;
        }
        last_pos = Some(pos);
        events.push(Activity { lead: e, others });
    }
    Ok(Page {
        activities: events,
        next_cursor: if more { last_pos.map(Cursor) } else { None },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_filter_name_parses_to_the_filter_of_that_name() {
        let values = [
            "曹立强",
            "乐高",
            "东湖",
            "meeting",
            "2023-11-01",
            "2023-11-30",
            "林长",
        ];
        for (name, value) in Filter::NAMES.into_iter().zip(values) {
            let f = Filter::parse(name, value).unwrap().unwrap();
            assert_eq!(f.name(), name);
        }
        assert!(Filter::parse("limit", "5").is_none());
        assert_eq!(
            Filter::parse("from", "11/01").unwrap().unwrap_err(),
            "from=\"11/01\" is not a date YYYY-MM-DD: input contains invalid characters"
        );
        assert_eq!(
            Filter::parse("actor", "  ").unwrap().unwrap_err(),
            "actor is empty"
        );
    }

    #[test]
    fn the_most_selective_filter_picks_the_index_and_every_filter_must_match() {
        let e = crate::view::tests::stored();
        let actor = e.event.actors[0].name.clone();
        let q = EventQuery::new(
            [
                Filter::Kind(e.event.kind),
                Filter::Place(e.event.places[0].clone()),
                Filter::Actor(actor.clone()),
            ],
            10,
        );
        assert_eq!(q.index(), (Index::Actor, actor.as_str()));
        assert!(q.matches(&e));
        let day = e.event.when.start.unwrap();
        let later = EventQuery::new([Filter::From(day.succ_opt().unwrap())], 10);
        assert!(!later.matches(&e));
        assert_eq!(later.index().0, Index::Date);
        let backwards =
            EventQuery::new([Filter::From(day), Filter::To(day.pred_opt().unwrap())], 1);
        assert_eq!(backwards.check().unwrap_err().0, "from");
    }
}
