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

/// A validated query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// A person or organisation taking part.
    pub actor: Option<String>,
    /// A company, booth or organisation visited.
    pub target: Option<String>,
    /// A site, town or venue.
    pub place: Option<String>,
    /// One kind.
    pub kind: Option<EventKind>,
    /// Events that end on or after this day.
    pub from: Option<NaiveDate>,
    /// Events that start on or before this day.
    pub to: Option<NaiveDate>,
    /// Free text searched in evidence, topic, names, places and targets.
    pub q: Option<String>,
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
    fn index(&self) -> (Index, &str) {
        if let Some(a) = &self.actor {
            (Index::Actor, a)
        } else if let Some(t) = &self.target {
            (Index::Target, t)
        } else if let Some(p) = &self.place {
            (Index::Target, p) // one index for both lists, see `store::write::index_entries`
        } else if let Some(k) = &self.kind {
            (Index::Kind, Index::kind_term(*k))
        } else {
            (Index::Date, "")
        }
    }

    /// True when `e` satisfies every filter.
    pub fn matches(&self, e: &StoredEvent) -> bool {
        let ev = &e.event;
        if e.retracted {
            return false;
        }
        if let Some(a) = &self.actor
            && !ev.actors.iter().any(|x| &x.name == a)
        {
            return false;
        }
        // Places and targets are one list to a question (see `store::index_entries`).
        for want in [&self.target, &self.place].into_iter().flatten() {
            if !ev.targets.iter().chain(&ev.places).any(|x| x == want) {
                return false;
            }
        }
        if let Some(k) = self.kind
            && ev.kind != k
        {
            return false;
        }
        let start = ev.when.start;
        let end = ev.when.end.or(start);
        if let Some(from) = self.from
            && end.is_none_or(|e| e < from)
        {
            return false;
        }
        if let Some(to) = self.to
            && start.is_none_or(|s| s > to)
        {
            return false;
        }
        if let Some(q) = &self.q {
            let hit = ev.evidence.iter().any(|x| x.text.contains(q.as_str()))
                || ev.topic.as_deref().is_some_and(|t| t.contains(q.as_str()))
                || ev.actors.iter().any(|x| x.name.contains(q.as_str()))
                || ev
                    .places
                    .iter()
                    .chain(&ev.targets)
                    .any(|x| x.contains(q.as_str()))
                || ev
                    .source
                    .title
                    .as_deref()
                    .is_some_and(|t| t.contains(q.as_str()));
            if !hit {
                return false;
            }
        }
        true
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
    // An event that starts before `from` may still run into it: start that far back.
    let from = q.from.map(|f| {
        let back = f
            .checked_sub_days(Days::new(LONGEST_ACTIVITY_DAYS))
            .unwrap_or(f);
        Position::first_on(Day::of(Some(back)))
    });
    let from_day = q.from.map(|f| Day::of(Some(f)));
    let upper = q.to.map(|t| Day::of(Some(t)));
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
