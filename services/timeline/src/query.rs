//! Answering `GET /v1/events`: pick the most selective index, scan it in date order, filter the
//! rest, page with an opaque cursor (the `{date}{id}` position of the last event returned).

use crate::store::{self, Day, Hit, Index, Position, StoreError, StoredEvent, TimelineStore};
use crate::view::Activity;
use chrono::{Days, NaiveDate};
use dongtai_proto::EventKind;

/// Largest page.
pub const MAX_LIMIT: usize = 500;
/// Page size when none is asked.
pub const DEFAULT_LIMIT: usize = 50;
use crate::fold::Term;
use crate::store::LONGEST_ACTIVITY_DAYS;
use std::ops::Bound;

/// Most values one filter takes (`kind=meeting,expo_visit`): each is one more index range
/// merged into the scan.
pub const MAX_VALUES: usize = 16;

/// One filter of `/v1/events` and `/v1/feed`: how its parameter parses, what it matches and
/// which index serves it are all here, so the HTTP parser, the feed and the list of known
/// filters in error messages cannot disagree. Filters that take several values take them
/// comma-separated and match any of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// A person or organisation taking part; scripts and romanisation folded (曹立強 and
    /// `Cao Liqiang` find 曹立强).
    Actor(Vec<Term>),
    /// A company, booth or organisation visited.
    Target(Vec<String>),
    /// A site, town or venue (one value: place names hold commas).
    Place(String),
    /// Kinds.
    Kind(Vec<EventKind>),
    /// The outlet that published the report (no index: checked on each record read).
    Outlet(Vec<String>),
    /// Events that end on or after this day.
    From(NaiveDate),
    /// Events that start on or before this day.
    To(NaiveDate),
    /// Free text searched in evidence, topic, names, places, targets and the title, scripts
    /// folded; in Latin letters it also searches the names' romanisation.
    Q(Term),
}

impl Filter {
    /// Every filter's parameter name.
    pub const NAMES: [&'static str; 8] = [
        "actor", "target", "place", "kind", "outlet", "from", "to", "q",
    ];

    /// Its parameter name.
    pub fn name(&self) -> &'static str {
        match self {
            Filter::Actor(_) => "actor",
            Filter::Target(_) => "target",
            Filter::Place(_) => "place",
            Filter::Kind(_) => "kind",
            Filter::Outlet(_) => "outlet",
            Filter::From(_) => "from",
            Filter::To(_) => "to",
            Filter::Q(_) => "q",
        }
    }

    /// What the filter of parameter `name` does, for the API's documentation.
    pub fn help(name: &str) -> &'static str {
        match name {
            "actor" => {
                "A person or organisation taking part; several comma-separated. Scripts and \
                 romanisation fold: 曹立強, Cao Liqiang and caoliqiang find 曹立强."
            }
            "target" => "A company, booth or organisation visited; several comma-separated.",
            "place" => "A site, town or venue (one value: place names hold commas).",
            "kind" => "An event kind (see /v1/kinds); several comma-separated.",
            "outlet" => "The outlet that published the report; several comma-separated.",
            "from" => "Events that end on or after this day (YYYY-MM-DD).",
            "to" => "Events that start on or before this day (YYYY-MM-DD).",
            "q" => {
                "Free text in evidence, topic, names, places, targets and title; scripts \
                 fold, and Latin letters also search the names' pinyin."
            }
            _ => "",
        }
    }

    /// Parse parameter `name` = `value`: `None` when `name` is no filter, else the filter or
    /// what is wrong with the value.
    pub fn parse(name: &str, value: &str) -> Option<Result<Filter, String>> {
        let text = || {
            let v = value.trim();
            if v.is_empty() {
                Err(format!("{name} is empty"))
            } else {
                Ok(v.to_owned())
            }
        };
        let several = || {
            let values: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            match values.len() {
                0 => Err(format!("{name} is empty")),
                n if n > MAX_VALUES => Err(format!("{name} takes at most {MAX_VALUES} values")),
                _ => Ok(values),
            }
        };
        let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect();
        let date = |make: fn(NaiveDate) -> Filter| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(make)
                .map_err(|e| format!("{name}={value:?} is not a date YYYY-MM-DD: {e}"))
        };
        Some(match name {
            "actor" => several().map(|v| Filter::Actor(v.into_iter().map(Term::new).collect())),
            "target" => several().map(|v| Filter::Target(owned(v))),
            "outlet" => several().map(|v| Filter::Outlet(owned(v))),
            "place" => text().map(Filter::Place),
            "q" => text().map(|v| Filter::Q(Term::new(&v))),
            "kind" => several().and_then(|v| {
                v.into_iter()
                    .map(|k| k.parse::<EventKind>().map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Filter::Kind)
            }),
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
            Filter::Actor(terms) => ev
                .actors
                .iter()
                .any(|x| terms.iter().any(|t| t.names(&x.name))),
            Filter::Target(ws) => ws.iter().any(|w| in_places(w)),
            Filter::Place(w) => in_places(w),
            Filter::Kind(ks) => ks.contains(&ev.kind),
            Filter::Outlet(os) => ev
                .source
                .outlet
                .as_deref()
                .is_some_and(|o| os.iter().any(|w| w == o)),
            Filter::From(from) => ev.when.end.or(ev.when.start).is_some_and(|e| e >= *from),
            Filter::To(to) => ev.when.start.is_some_and(|s| s <= *to),
            Filter::Q(q) => {
                ev.evidence.iter().any(|x| q.is_in(&x.text))
                    || ev.topic.as_deref().is_some_and(|t| q.is_in(t))
                    || ev
                        .actors
                        .iter()
                        .any(|x| q.is_in(&x.name) || q.is_in_romanised(&x.name))
                    || ev.places.iter().chain(&ev.targets).any(|x| q.is_in(x))
                    || ev.source.title.as_deref().is_some_and(|t| q.is_in(t))
            }
        }
    }

    /// The index that serves this filter and its terms (the scan merges one range per term),
    /// with a rank: the query scans the index of its lowest-ranked filter (the most
    /// selective), or all events by date. An actor's terms are the names stored that answer
    /// them (see [`EventQuery::resolve`]), so they are read from `store`.
    fn index(
        &self,
        store: Option<&TimelineStore>,
    ) -> Result<Option<(u8, Index, Vec<String>)>, StoreError> {
        Ok(match self {
            Filter::Actor(terms) => {
                let names = match store {
                    Some(store) => {
                        let index = store.actor_name_index()?;
                        let mut names: Vec<String> =
                            terms.iter().flat_map(|t| index.lookup(t)).collect();
                        names.sort();
                        names.dedup();
                        names
                    }
                    None => terms.iter().map(|t| t.given.clone()).collect(),
                };
                Some((0, Index::Actor, names))
            }
            Filter::Target(ts) => Some((1, Index::Target, ts.clone())),
            Filter::Place(p) => Some((2, Index::Target, vec![p.clone()])),
            Filter::Kind(ks) => Some((
                3,
                Index::Kind,
                ks.iter().map(|k| Index::kind_term(*k).to_owned()).collect(),
            )),
            Filter::Outlet(_) | Filter::From(_) | Filter::To(_) | Filter::Q(_) => None,
        })
    }
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Oldest first (`sort=asc`).
    OldestFirst,
    /// Newest first (`sort=desc`, the default: what a newsroom reads first).
    #[default]
    NewestFirst,
}

impl Order {
    /// From the `sort` parameter.
    pub fn parse(value: &str) -> Option<Order> {
        match value {
            "asc" => Some(Order::OldestFirst),
            "desc" => Some(Order::NewestFirst),
            _ => None,
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
    /// Position after which the page starts (in `order`).
    pub cursor: Option<Cursor>,
    /// Oldest or newest first.
    pub order: Order,
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
    /// Activities in the query's order.
    pub activities: Vec<Activity>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<Cursor>,
}

/// Most activities [`count`] counts before it stops and reports a lower bound.
pub const TOTAL_MAX: u64 = 1000;
/// Most index entries or records [`count`] examines before it stops and reports a lower bound
/// (a rare `q` would otherwise walk the whole timeline for every page).
pub const TOTAL_MAX_EXAMINED: u64 = 20_000;

/// How many activities answer a query (cursor ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// Activities counted.
    pub count: u64,
    /// True when counting stopped at [`TOTAL_MAX`] or [`TOTAL_MAX_EXAMINED`]: there may be
    /// more.
    pub is_lower_bound: bool,
}

impl EventQuery {
    /// A query with `filters`, pages of `limit`, newest first.
    pub fn new(filters: impl IntoIterator<Item = Filter>, limit: usize) -> Self {
        EventQuery {
            filters: filters.into_iter().collect(),
            limit,
            cursor: None,
            order: Order::default(),
        }
    }

    /// The same query in `order`.
    pub fn in_order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// The filter with parameter name `name`, if given.
    pub fn filter(&self, name: &str) -> Option<&Filter> {
        self.filters.iter().find(|f| f.name() == name)
    }

    /// The index to scan and its terms: the most selective filter's, or all events by date.
    /// With `store`, an actor's terms are the stored names that answer it.
    fn index(&self, store: Option<&TimelineStore>) -> Result<(Index, Vec<String>), StoreError> {
        let mut best: Option<(u8, Index, Vec<String>)> = None;
        for f in &self.filters {
            if let Some(candidate) = f.index(store)?
                && best.as_ref().is_none_or(|b| candidate.0 < b.0)
            {
                best = Some(candidate);
            }
        }
        Ok(
            best.map_or((Index::Date, vec![String::new()]), |(_, index, terms)| {
                (index, terms)
            }),
        )
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

    /// True when the entries of the index a walk scans decide, for an event reported once,
    /// whether it answers: one filter that has an index (an index entry exists only for a
    /// live event with that actor, place or target, or kind), and dates (its position and its
    /// entry's last day).
    pub fn decided_by_index(&self) -> bool {
        let mut indexed = self
            .filters
            .iter()
            .filter(|f| !matches!(f, Filter::From(_) | Filter::To(_)));
        matches!(
            (indexed.next(), indexed.next()),
            (
                Some(Filter::Actor(_) | Filter::Target(_) | Filter::Place(_) | Filter::Kind(_)),
                None
            )
        )
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

type Hits<'a> = Box<dyn Iterator<Item = Result<Hit, StoreError>> + 'a>;

/// Several scans in one order merged into one, each position once (an event under two of the
/// terms comes up in both).
struct Merged<'a> {
    scans: Vec<std::iter::Peekable<Hits<'a>>>,
    descending: bool,
    last: Option<Position>,
}

impl Iterator for Merged<'_> {
    type Item = Result<Hit, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let mut best: Option<(usize, Position)> = None;
            for (i, scan) in self.scans.iter_mut().enumerate() {
                match scan.peek() {
                    None => {}
                    Some(Err(_)) => return scan.next(),
                    Some(Ok(Hit { pos: p, .. })) => {
                        let better =
                            best.is_none_or(|(_, b)| if self.descending { *p > b } else { *p < b });
                        if better {
                            best = Some((i, *p));
                        }
                    }
                }
            }
            let (i, pos) = best?;
            let hit = self.scans.get_mut(i)?.next()?;
            if self.last == Some(pos) {
                continue;
            }
            self.last = Some(pos);
            return Some(hit);
        }
    }
}

/// The index entries a walk over the answers of `q` from `cursor` (exclusive) examines, in its
/// order, and the first day an answer may end on (an entry that ends earlier is passed over).
fn entries<'a>(
    store: &'a TimelineStore,
    q: &EventQuery,
    cursor: Option<Position>,
) -> Result<(Merged<'a>, Option<Day>), StoreError> {
    let (index, terms) = q.index(Some(store))?;
    let (from_date, to_date) = q.dates();
    // An event that starts before `from` may still run into it: start that far back.
    let from = from_date.map(|f| {
        let back = f
            .checked_sub_days(Days::new(LONGEST_ACTIVITY_DAYS))
            .unwrap_or(f);
        Position::first_on(Day::of(Some(back)))
    });
    let from_day = from_date.map(|f| Day::of(Some(f)));
    // Everything that starts on `to` or earlier.
    let to = to_date.map(|t| Position::first_on(Day::of(t.succ_opt().or(Some(t)))));
    let descending = q.order == Order::NewestFirst;
    let (mut lo, mut hi) = (
        from.map_or(Bound::Unbounded, Bound::Included),
        to.map_or(Bound::Unbounded, Bound::Excluded),
    );
    // The cursor narrows the range on the side the listing comes from.
    if let Some(c) = cursor {
        if descending {
            if to.is_none_or(|t| c < t) {
                hi = Bound::Excluded(c);
            }
        } else if from.is_none_or(|f| c >= f) {
            lo = Bound::Excluded(c);
        }
    }
    let scans = terms
        .iter()
        .map(|t| store.scan_range(index, t, (lo, hi), descending).peekable())
        .collect();
    let hits = Merged {
        scans,
        descending,
        last: None,
    };
    Ok((hits, from_day))
}

/// The answer at `pos`, when its event answers `q`: the event and the other reports of its
/// activity.
fn answer_at(
    store: &TimelineStore,
    q: &EventQuery,
    pos: Position,
) -> Result<Option<(StoredEvent, Vec<StoredEvent>)>, StoreError> {
    let Some(e) = store.at_position(&pos)? else {
        return Ok(None);
    };
    if !q.matches(&e) {
        return Ok(None);
    }
    // A corroborated activity is answered once, at its first report in date order whichever
    // the listing's order (so the same report stands for it either way); one rule on every
    // page keeps paging free of gaps and repeats.
    let others = others_in_group(store, &e)?;
    if others.iter().any(|m| q.matches(m) && m.position() < pos) {
        return Ok(None);
    }
    Ok(Some((e, others)))
}

/// Walk the index entries of `q` in its order from `cursor` (exclusive), passing over those
/// that the index says ended before `from`, and call `on_entry` with each until it returns
/// false. Returns true when it stopped because it had examined `max_examined` entries.
fn walk_entries(
    store: &TimelineStore,
    q: &EventQuery,
    cursor: Option<Position>,
    max_examined: u64,
    mut on_entry: impl FnMut(Hit) -> Result<bool, StoreError>,
) -> Result<bool, StoreError> {
    let (hits, from_day) = entries(store, q, cursor)?;
    for (examined, hit) in (0u64..).zip(hits) {
        if examined == max_examined {
            return Ok(true);
        }
        let hit = hit?;
        // Ended before `from`: the index says so without reading the record.
        if from_day.is_some_and(|f| hit.last < f) {
            continue;
        }
        if !on_entry(hit)? {
            break;
        }
    }
    Ok(false)
}

/// Walk the answers of `q` in its order from `cursor` (exclusive), calling `visit` with each
/// answer until it returns false. Returns true when it stopped because it had examined
/// `max_examined` index entries or records.
fn walk(
    store: &TimelineStore,
    q: &EventQuery,
    cursor: Option<Position>,
    mut visit: impl FnMut(Position, StoredEvent, Vec<StoredEvent>) -> bool,
    max_examined: u64,
) -> Result<bool, StoreError> {
    walk_entries(store, q, cursor, max_examined, |hit| {
        Ok(match answer_at(store, q, hit.pos)? {
            Some((e, others)) => visit(hit.pos, e, others),
            None => true,
        })
    })
}

/// Run a query.
pub fn run(store: &TimelineStore, q: &EventQuery) -> Result<Page, StoreError> {
    let mut events = Vec::with_capacity(q.limit.min(64));
    let mut last_pos = None;
    let mut more = false;
    walk(
        store,
        q,
        q.cursor.as_ref().map(|c| c.0),
        |pos, lead, others| {
            if events.len() == q.limit {
                more = true;
                return false;
            }
            last_pos = Some(pos);
            events.push(Activity { lead, others });
            true
        },
        u64::MAX,
    )?;
    Ok(Page {
        activities: events,
        next_cursor: if more { last_pos.map(Cursor) } else { None },
    })
}

/// Count the activities that answer `q` from its first page on, up to [`TOTAL_MAX`] of them
/// and [`TOTAL_MAX_EXAMINED`] entries examined. The cost choice: an exact count at a million
/// events would be a full scan per page; this one costs at most a bounded walk like a page's,
/// and says when it stopped early.
///
/// When the index entries alone decide (see [`EventQuery::decided_by_index`]), an event that
/// is the only report of its activity is counted from its entry, without reading its record:
/// a page reads its 50 records, and its count would otherwise read up to [`TOTAL_MAX`] more
/// (a target page at 300k events went from 9 ms to seconds under load when the count came).
pub fn count(store: &TimelineStore, q: &EventQuery) -> Result<Total, StoreError> {
    let mut n = 0u64;
    let capped = if q.decided_by_index() {
        count_entries(store, q, &mut n)?
    } else {
        walk(
            store,
            q,
            None,
            |_, _, _| {
                n += 1;
                n < TOTAL_MAX + 1
            },
            TOTAL_MAX_EXAMINED,
        )?
    };
    let is_lower_bound = n > TOTAL_MAX || capped;
    Ok(Total {
        count: n.min(TOTAL_MAX),
        is_lower_bound,
    })
}

/// [`count`] over index entries, reading only the records of grouped events; adds to `n` up to
/// [`TOTAL_MAX`] + 1 and returns true when it stopped at [`TOTAL_MAX_EXAMINED`].
///
/// An activity reported more than once counts once, at the first of its reports that answers
/// on the walk: every report that answers is on it (the index decides), so this is the count
/// of answers a page gives, where an activity stands at its first report in date order. It
/// reads the report's record only, not its activity's other reports as a page does (at a
/// million benchmark events about one report in 26 shares its lead, kind and day with
/// another, so a count of 1,000 read ~40 records, a membership scan for each, and their
/// activities' other reports: about as many reads as its page of 50).
fn count_entries(store: &TimelineStore, q: &EventQuery, n: &mut u64) -> Result<bool, StoreError> {
    let to_bound = q.dates().1.is_some();
    let mut counted = std::collections::HashSet::new();
    walk_entries(store, q, None, TOTAL_MAX_EXAMINED, |hit| {
        let answers = match hit.grouped {
            // `to` keeps events that start on or before it: never an undated one.
            Some(false) => !(to_bound && hit.pos.day == Day::NONE),
            _ => match store.at_position(&hit.pos)? {
                Some(e) if q.matches(&e) => counted.insert(e.activity_key()),
                _ => false,
            },
        };
        if answers {
            *n += 1;
        }
        Ok(*n <= TOTAL_MAX)
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
            "新民晚报",
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
        assert_eq!(
            Filter::parse("kind", " , ").unwrap().unwrap_err(),
            "kind is empty"
        );
    }

    #[test]
    fn kinds_actors_targets_and_outlets_take_several_comma_separated_values() {
        assert_eq!(
            Filter::parse("kind", "meeting, expo_visit")
                .unwrap()
                .unwrap(),
            Filter::Kind(vec![EventKind::Meeting, EventKind::ExpoVisit])
        );
        assert!(Filter::parse("kind", "meeting,parade").unwrap().is_err());
        let Filter::Actor(terms) = Filter::parse("actor", "曹立强,钟晓咏").unwrap().unwrap()
        else {
            panic!("not an actor filter")
        };
        assert_eq!(terms.len(), 2);
        let many = vec!["a"; MAX_VALUES + 1].join(",");
        assert!(Filter::parse("target", &many).unwrap().is_err());
        assert_eq!(
            Filter::parse("place", "上海, 国家会展中心")
                .unwrap()
                .unwrap(),
            Filter::Place("上海, 国家会展中心".into()),
            "a place is one value"
        );
    }

    #[test]
    fn the_most_selective_filter_picks_the_index_and_every_filter_must_match() {
        let e = crate::view::tests::stored();
        let actor = e.event.actors[0].name.clone();
        let q = EventQuery::new(
            [
                Filter::Kind(vec![e.event.kind]),
                Filter::Place(e.event.places[0].clone()),
                Filter::Actor(vec![Term::new(&actor)]),
            ],
            10,
        );
        assert_eq!(q.index(None).unwrap(), (Index::Actor, vec![actor.clone()]));
        assert!(q.matches(&e));
        let day = e.event.when.start.unwrap();
        let later = EventQuery::new([Filter::From(day.succ_opt().unwrap())], 10);
        assert!(!later.matches(&e));
        assert_eq!(later.index(None).unwrap().0, Index::Date);
        let backwards =
            EventQuery::new([Filter::From(day), Filter::To(day.pred_opt().unwrap())], 1);
        assert_eq!(backwards.check().unwrap_err().0, "from");
    }
}

/// Queries against a real sled store.
#[cfg(test)]
mod store_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use dongtai_proto::ActivityEvent;

    /// Six reports on six days, no two of one activity: (day, kind, lead, outlet).
    const REPORTS: [(&str, &str, &str, &str); 6] = [
        ("2023-11-01", "meeting", "甲某", "徐汇报"),
        ("2023-11-02", "expo_visit", "曹立强", "徐汇报"),
        ("2023-11-03", "site_inspection", "乙某", "新民晚报"),
        ("2023-11-04", "meeting", "曹立強", "新民晚报"),
        ("2023-11-05", "expo_visit", "丙某", "徐汇报"),
        ("2023-11-06", "conference", "丁某", "解放日报"),
    ];

    fn store() -> (tempfile::TempDir, TimelineStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = TimelineStore::open(dir.path()).unwrap();
        for (i, (day, kind, lead, outlet)) in REPORTS.iter().enumerate() {
            let mut v: serde_json::Value =
                serde_json::from_str(include_str!("../../../proto/fixtures/v1/event.json"))
                    .unwrap();
            v["id"] = format!("{i}").repeat(32).into();
            v["kind"] = (*kind).into();
            v["when"]["start"] = (*day).into();
            v["when"]["end"] = (*day).into();
            v["actors"] = serde_json::json!([{"name": lead, "kind": "person", "role": "lead"}]);
            v["source"]["outlet"] = (*outlet).into();
            v["evidence"][0]["text"] = format!("{lead}前往某公园调研。").into();
            v["source"]["article_id"] = format!("{i}").repeat(64).into();
            let e: ActivityEvent = serde_json::from_value(v).unwrap();
            store.upsert(&e, i as u64 + 1).unwrap();
        }
        (dir, store)
    }

    fn days(store: &TimelineStore, q: &EventQuery) -> Vec<String> {
        run(store, q)
            .unwrap()
            .activities
            .iter()
            .map(|a| a.lead.event.when.start.unwrap().format("%d").to_string())
            .collect()
    }

    fn ask(query: &[(&str, &str)]) -> EventQuery {
        let filters = query
            .iter()
            .map(|(k, v)| Filter::parse(k, v).unwrap().unwrap());
        EventQuery::new(filters, 10)
    }

    #[test]
    fn newest_come_first_unless_asked_and_pages_in_either_order_neither_skip_nor_repeat() {
        let (_dir, store) = store();
        let all = EventQuery::new([], 10);
        assert_eq!(days(&store, &all), ["06", "05", "04", "03", "02", "01"]);
        let oldest = all.clone().in_order(Order::OldestFirst);
        assert_eq!(days(&store, &oldest), ["01", "02", "03", "04", "05", "06"]);
        for order in [Order::NewestFirst, Order::OldestFirst] {
            let mut q = EventQuery::new([], 4).in_order(order);
            let mut paged = Vec::new();
            loop {
                let page = run(&store, &q).unwrap();
                paged.extend(page.activities.iter().map(|a| a.lead.event.id.clone()));
                match page.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
            let whole: Vec<_> = run(&store, &EventQuery::new([], 10).in_order(order))
                .unwrap()
                .activities
                .iter()
                .map(|a| a.lead.event.id.clone())
                .collect();
            assert_eq!(paged, whole, "{order:?}");
        }
        let window = ask(&[("from", "2023-11-02"), ("to", "2023-11-04")]);
        assert_eq!(days(&store, &window), ["04", "03", "02"]);
        assert_eq!(
            days(&store, &window.in_order(Order::OldestFirst)),
            ["02", "03", "04"]
        );
    }

    #[test]
    fn several_kinds_merge_their_index_ranges_and_outlet_filters_the_records() {
        let (_dir, store) = store();
        let kinds = ask(&[("kind", "meeting,expo_visit")]);
        assert_eq!(days(&store, &kinds), ["05", "04", "02", "01"]);
        assert_eq!(
            days(&store, &kinds.clone().in_order(Order::OldestFirst)),
            ["01", "02", "04", "05"]
        );
        let mut page = kinds.clone();
        page.limit = 3;
        let first = run(&store, &page).unwrap();
        page.cursor = first.next_cursor;
        assert_eq!(days(&store, &page), ["01"]);
        assert_eq!(days(&store, &ask(&[("outlet", "新民晚报")])), ["04", "03"]);
        assert_eq!(
            days(
                &store,
                &ask(&[("outlet", "新民晚报,解放日报"), ("kind", "meeting")])
            ),
            ["04"]
        );
        assert_eq!(days(&store, &ask(&[("actor", "甲某,丁某")])), ["06", "01"]);
    }

    #[test]
    fn the_total_counts_every_answer_whatever_the_page_and_says_when_it_is_exact() {
        let (_dir, store) = store();
        let mut q = ask(&[("kind", "meeting,expo_visit")]);
        q.limit = 1;
        let exact = Total {
            count: 4,
            is_lower_bound: false,
        };
        assert_eq!(count(&store, &q).unwrap(), exact);
        q.cursor = run(&store, &q).unwrap().next_cursor;
        assert_eq!(
            count(&store, &q).unwrap(),
            exact,
            "the cursor does not change it"
        );
        assert_eq!(
            count(&store, &ask(&[("outlet", "无此报")])).unwrap().count,
            0
        );
    }

    #[test]
    fn a_count_from_the_index_alone_agrees_with_the_answers_listed() {
        let (_dir, store) = store();
        let mut seq = 100;
        let mut put =
            |id: char, article: char, kind: &str, when: (Option<&str>, &str), to: &[&str]| {
                let mut v: serde_json::Value =
                    serde_json::from_str(include_str!("../../../proto/fixtures/v1/event.json"))
                        .unwrap();
                v["id"] = id.to_string().repeat(32).into();
                v["kind"] = kind.into();
                v["when"]["start"] = when.0.into();
                v["when"]["end"] = when.1.into();
                v["source"]["article_id"] = article.to_string().repeat(64).into();
                v["targets"] = serde_json::json!(to);
                let e: ActivityEvent = serde_json::from_value(v).unwrap();
                seq += 1;
                store.upsert(&e, seq).unwrap();
                e
            };
        // A report, then a second one of the same visit from another article that starts a
        // day earlier (the first is grouped only then, and no longer answers for the visit), a
        // third, an undated one, and one withdrawn. Of the visit's reports only the later two
        // name 甲公司: for a query by it the visit stands at the first of those.
        let nov_9 = (Some("2023-11-09"), "2023-11-09");
        put('a', 'a', "meeting", nov_9, &["甲公司"]);
        put('b', 'b', "meeting", (Some("2023-11-08"), "2023-11-09"), &[]);
        put('c', 'c', "meeting", nov_9, &["甲公司"]);
        put('d', 'd', "meeting", (None, "2023-11-09"), &["甲公司"]);
        let gone = put(
            'e',
            'e',
            "expo_visit",
            (Some("2023-11-10"), "2023-11-10"),
            &[],
        );
        seq += 1;
        store.retract(&gone.id, seq).unwrap();
        for query in [
            vec![("actor", "曹立强")],
            vec![
                ("actor", "曹立强"),
                ("from", "2023-11-05"),
                ("to", "2023-11-09"),
            ],
            vec![("actor", "曹立强"), ("to", "2023-11-30")],
            vec![("place", "环城生态公园东片区"), ("from", "2023-11-02")],
            vec![("kind", "meeting,expo_visit")],
            vec![("kind", "meeting"), ("to", "2023-11-08")],
            vec![("target", "甲公司")],
        ] {
            let mut q = ask(&query);
            assert!(q.decided_by_index(), "{query:?}");
            q.limit = MAX_LIMIT;
            let listed = run(&store, &q).unwrap().activities.len() as u64;
            let exact = Total {
                count: listed,
                is_lower_bound: false,
            };
            assert_eq!(count(&store, &q).unwrap(), exact, "{query:?}");
        }
        assert!(!ask(&[("actor", "曹立强"), ("outlet", "徐汇报")]).decided_by_index());
    }

    #[test]
    fn traditional_script_and_pinyin_find_the_same_actor_by_actor_and_by_q() {
        let (_dir, store) = store();
        for given in crate::fold::CAO_LIQIANG_AS_TYPED {
            assert_eq!(
                days(&store, &ask(&[("actor", given)])),
                ["04", "02"],
                "actor={given}"
            );
            assert_eq!(
                days(&store, &ask(&[("q", given)])),
                ["04", "02"],
                "q={given}"
            );
        }
        assert_eq!(days(&store, &ask(&[("q", "liqiang")])), ["04", "02"]);
        assert!(days(&store, &ask(&[("actor", "Cao Li")])).is_empty());

        // A spelling stored after the name index was built (an English report) is found at
        // the next query.
        let mut later = store
            .get(&"3".repeat(32).parse().unwrap())
            .unwrap()
            .unwrap()
            .event;
        later.id = "7".repeat(32).parse().unwrap();
        later.kind = EventKind::Conference;
        later.when.start = "2023-11-09".parse().ok();
        later.when.end = later.when.start;
        later.actors[0].name = "Cao Liqiang".into();
        later.source.article_id = dongtai_proto::ArticleId::of_text("later");
        store.upsert(&later, 99).unwrap();
        assert_eq!(
            days(&store, &ask(&[("actor", "caoliqiang")])),
            ["09", "04", "02"]
        );
    }
}
