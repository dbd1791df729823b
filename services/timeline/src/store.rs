//! The timeline's materialised view in sled: events by id plus index entries, written together
//! in one transaction so a crash never leaves an event without its index entries.
//!
//! Trees:
//! - `events`: event id → [`StoredEvent`] (JSON).
//! - `idx`: `{tag}{term}\0{date}{id}` → value: tag `d` (all, by date), `a` actor (value: see
//!   `ActorEntry`), `t` place or target, `k` kind. Every scan is in date order; a cursor is the `{date}{id}` suffix.
//! - `actors`: name → [`ActorSummary`].
//! - `meta`: counters.
//! - `history`: `{id}{seq: u64 BE}` → an earlier version of the event.
//! - `seq`: `{stream_seq: u64 BE}` → event id, the latest publication of each event (live or
//!   retracted). The SSE feed replays from it after a `Last-Event-ID`, so a reconnecting client
//!   sees every change since, once, in stream order.
//! - `groups`: `{group}\0{event id}` → `()`: live reports of one activity (corroboration). An
//!   event's group is found when it is written: a stored live event of the same kind, from
//!   another article, with a shared lead person and overlapping days, lends it its group;
//!   otherwise the event starts its own (group = its id). The lookup reads the actor index
//!   before the transaction; that is safe because one consumer loop applies events one at a
//!   time, and the membership entry itself is written in the event's transaction.

use chrono::{DateTime, Days, NaiveDate, Utc};
use dongtai_proto::{ActivityEvent, ActorKind, EventId, EventKind, Role};
use serde::{Deserialize, Serialize};
use sled::Transactional as _;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (disk full, corruption).
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// A stored value does not decode.
    #[error("corrupt record: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// An event as the timeline keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The event as last published.
    pub event: ActivityEvent,
    /// EVENTS stream sequence of that publication (older publications never overwrite newer).
    pub stream_seq: u64,
    /// When the timeline stored this version.
    pub stored_at: DateTime<Utc>,
    /// True once a re-extraction no longer found it.
    #[serde(default)]
    pub retracted: bool,
    /// The activity this report belongs to when other articles reported it too: the id of the
    /// first report stored (see `corroborate`). `None`: reported once so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// One earlier version of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The version that was replaced.
    pub version: StoredEvent,
    /// When it was replaced.
    pub replaced_at: DateTime<Utc>,
}

/// What the timeline knows about one actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorSummary {
    /// Name as written.
    pub name: String,
    /// Person or organisation.
    pub kind: ActorKind,
    /// Every title the articles gave it, first seen first.
    pub titles: Vec<String>,
    /// Live events it takes part in.
    pub events: u64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A new event.
    Inserted,
    /// A newer version replaced the stored one.
    Updated,
    /// Already stored at this or a newer stream sequence: nothing written.
    Unchanged,
}

/// The sled-backed timeline.
#[derive(Clone)]
pub struct TimelineStore {
    db: sled::Db,
    events: sled::Tree,
    idx: sled::Tree,
    actors: sled::Tree,
    meta: sled::Tree,
    history: sled::Tree,
    seq: sled::Tree,
    groups: sled::Tree,
}

/// Index tags.
pub mod tag {
    /// Every event, by date.
    pub const DATE: u8 = b'd';
    /// By actor name.
    pub const ACTOR: u8 = b'a';
    /// By target.
    pub const TARGET: u8 = b't';
    /// By place: written by stores before places and targets shared `t`; no longer read.
    pub const PLACE: u8 = b'p';
    /// By kind.
    pub const KIND: u8 = b'k';
}

const EVENT_COUNT: &[u8] = b"events";
/// Activities longer than this are not expected: queries and the corroboration lookup scan
/// back this far from a start date.
pub const LONGEST_ACTIVITY_DAYS: u64 = 62;
/// Set in `meta` once the `seq` tree covers every stored event (stores made before it existed
/// are backfilled once at open).
const SEQ_INDEX_READY: &[u8] = b"seq_index_v1";
/// sled page cache of a store opened without a size, MiB.
pub const DEFAULT_CACHE_MB: u64 = 32;
/// Sort key of an event with no known date: before every dated one.
pub const NO_DATE: &str = "0000-00-00";

/// The `{date}{id}` position of an event in every index.
pub fn position(event: &ActivityEvent) -> Vec<u8> {
    let date = event.when.start.map(|d| d.format("%Y-%m-%d").to_string());
    let mut pos = date.unwrap_or_else(|| NO_DATE.to_owned()).into_bytes();
    pos.extend_from_slice(event.id.as_str().as_bytes());
    pos
}

/// Index key prefix for `tag` and `term`.
pub fn prefix(tag: u8, term: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(term.len() + 2);
    k.push(tag);
    k.extend_from_slice(term.as_bytes());
    k.push(0);
    k
}

/// Index entries of a stored event: key → value. Actor entries carry what the corroboration
/// lookup needs (see [`ActorEntry`]), so it never reads the events it passes over.
fn index_entries(stored: &StoredEvent) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let event = &stored.event;
    let pos = position(event);
    let mut entries = BTreeMap::new();
    let mut add = |tag: u8, term: &str, value: Vec<u8>| {
        let mut k = prefix(tag, term);
        k.extend_from_slice(&pos);
        entries.insert(k, value);
    };
    add(tag::DATE, "", Vec::new());
    add(tag::KIND, event.kind.as_str(), Vec::new());
    // Leads last, so a person listed twice (lead and participant) keeps the lead's entry.
    let is_lead = |a: &&dongtai_proto::Actor| a.role == Role::Lead && a.kind == ActorKind::Person;
    let (leads, others): (Vec<_>, Vec<_>) = event.actors.iter().partition(is_lead);
    // Only the role flag differs between the actors' values: encode each role once.
    let (lead_value, other_value) = (
        ActorEntry::encode(stored, true),
        ActorEntry::encode(stored, false),
    );
    for a in others {
        add(tag::ACTOR, &a.name, other_value.clone());
    }
    for a in leads {
        add(tag::ACTOR, &a.name, lead_value.clone());
    }
    // Where an article puts a booth or a company (place or target) is a matter of wording, not
    // of what an auditor asks: "who visited X" finds X in either list, so one entry (tag `t`)
    // serves both. Stores written before also hold `p` entries; nothing reads them any more.
    for w in event.targets.iter().chain(&event.places) {
        add(tag::TARGET, w, Vec::new());
    }
    entries
}

/// The value of an actor index entry: whether the actor led it as a person, and the event's
/// kind, last day, article and group. Stores written before it existed have empty values; the
/// lookup then reads the event instead.
struct ActorEntry<'a> {
    lead: bool,
    kind: &'a [u8],
    end: &'a [u8],
    article: &'a [u8],
    group: &'a [u8],
}

impl<'a> ActorEntry<'a> {
    const SEP: u8 = 0x1f;

    fn encode(stored: &StoredEvent, lead: bool) -> Vec<u8> {
        let e = &stored.event;
        let end = e
            .when
            .end
            .or(e.when.start)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let group = stored.group.clone().unwrap_or_else(|| e.id.to_string());
        let fields: [&[u8]; 5] = [
            if lead { b"L" } else { b"P" },
            e.kind.as_str().as_bytes(),
            end.as_bytes(),
            e.source.article_id.as_str().as_bytes(),
            group.as_bytes(),
        ];
        fields.join(&Self::SEP)
    }

    fn decode(v: &'a [u8]) -> Option<Self> {
        let mut f = v.split(|b| *b == Self::SEP);
        let entry = ActorEntry {
            lead: f.next()? == b"L",
            kind: f.next()?,
            end: f.next()?,
            article: f.next()?,
            group: f.next()?,
        };
        f.next().is_none().then_some(entry)
    }
}

type Tx = (
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
);

fn abort(e: serde_json::Error) -> ConflictableTransactionError<serde_json::Error> {
    ConflictableTransactionError::Abort(e)
}

impl TimelineStore {
    /// Open (or create) the store under `dir`, with sled's page cache at
    /// [`DEFAULT_CACHE_MB`].
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(dir, DEFAULT_CACHE_MB)
    }

    /// Open (or create) the store under `dir` with `cache_mb` MiB of page cache (sled's own
    /// default, 1 GiB, would make the process grow far past what a timeline needs).
    pub fn open_with_cache(dir: &Path, cache_mb: u64) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .cache_capacity(cache_mb.saturating_mul(1024 * 1024))
            .open()?;
        let store = Self {
            events: db.open_tree("events")?,
            idx: db.open_tree("idx")?,
            actors: db.open_tree("actors")?,
            meta: db.open_tree("meta")?,
            history: db.open_tree("history")?,
            seq: db.open_tree("seq")?,
            groups: db.open_tree("groups")?,
            db,
        };
        store.backfill_seq_index()?;
        Ok(store)
    }

    /// Build the `seq` tree for a store written before it existed. Idempotent; the ready flag is
    /// written only after every entry, so an interrupted backfill simply runs again.
    fn backfill_seq_index(&self) -> Result<(), StoreError> {
        if self.meta.contains_key(SEQ_INDEX_READY)? {
            return Ok(());
        }
        for kv in self.events.iter() {
            let (id, v) = kv?;
            let e: StoredEvent = serde_json::from_slice(&v)?;
            self.seq.insert(e.stream_seq.to_be_bytes(), id)?;
        }
        self.db.flush()?;
        self.meta.insert(SEQ_INDEX_READY, &[1u8])?;
        Ok(())
    }

    /// Make every write so far durable. The consumer acks only after this returns.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Insert or replace `event`, published at `stream_seq` (a batch of one, see
    /// [`TimelineStore::apply_batch`]).
    pub fn upsert(&self, event: &ActivityEvent, stream_seq: u64) -> Result<Applied, StoreError> {
        let change = Change::Upsert(Box::new(event.clone()));
        Ok(self.apply_batch(vec![(change, stream_seq)])?.remove(0).0)
    }

    /// Mark an event retracted (it leaves every index and count; its record and history stay).
    pub fn retract(&self, id: &EventId, stream_seq: u64) -> Result<Applied, StoreError> {
        let change = Change::Retract(id.clone());
        Ok(self.apply_batch(vec![(change, stream_seq)])?.remove(0).0)
    }

    /// Apply `changes` in order, each published at its stream sequence, with their index
    /// entries, history, actor summaries and counters, all in ONE transaction: the batch is
    /// stored whole or not at all. Idempotent: a change at the same or an older sequence than
    /// the stored version changes nothing. Returns, per change, what it did and the version
    /// stored (`None` when unchanged).
    ///
    /// One transaction per batch, with the counters and actor summaries each read and written
    /// once per batch, is what lets the timeline keep up with the pipeline: per-event
    /// transactions spent most of their time in sled's commit path.
    pub fn apply_batch(
        &self,
        changes: Vec<(Change, u64)>,
    ) -> Result<Vec<(Applied, Option<StoredEvent>)>, StoreError> {
        let now = Utc::now();
        // New versions are prepared outside the transaction (romanised, grouped); the group
        // lookup also sees the reports earlier in this batch, which are not in sled yet.
        let mut prepared: Vec<(EventId, u64, Option<StoredEvent>)> =
            Vec::with_capacity(changes.len());
        for (change, seq) in changes {
            let mut event = match change {
                Change::Retract(id) => {
                    prepared.push((id, seq, None));
                    continue;
                }
                Change::Upsert(e) => *e,
            };
            // Romanised at write time so queries, feeds and exports all read the same names.
            crate::pinyin::fill(&mut event);
            let group = self.find_group(&event, prepared.iter().filter_map(|p| p.2.as_ref()))?;
            prepared.push((
                event.id.clone(),
                seq,
                Some(StoredEvent {
                    event,
                    stream_seq: seq,
                    stored_at: now,
                    retracted: false,
                    group: Some(group),
                }),
            ));
        }
        let trees = (
            &self.events,
            &self.idx,
            &self.actors,
            &self.meta,
            &self.history,
            &self.seq,
            &self.groups,
        );
        let result = trees.transaction(|tx: &Tx| {
            let mut tally = Tally::default();
            let mut out = Vec::with_capacity(prepared.len());
            for (id, seq, new) in &prepared {
                out.push(write_one(tx, &mut tally, id, *seq, new, now)?);
            }
            tally.store(&tx.3, &tx.2)?;
            Ok(out)
        });
        result.map_err(|e| match e {
            sled::transaction::TransactionError::Abort(e) => StoreError::Corrupt(e),
            sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
        })
    }

    /// The group of a new report: that of a live report of the same activity (same kind,
    /// another article, a shared lead person, overlapping days), stored or earlier in the same
    /// batch (`pending`), else its own id. When several groups qualify the smallest id wins, so
    /// the choice does not depend on order.
    fn find_group<'a>(
        &self,
        event: &ActivityEvent,
        pending: impl Iterator<Item = &'a StoredEvent>,
    ) -> Result<String, StoreError> {
        let own = event.id.to_string();
        let Some(start) = event.when.start else {
            return Ok(own);
        };
        let end = event.when.end.unwrap_or(start).max(start);
        let from = start
            .checked_sub_days(Days::new(LONGEST_ACTIVITY_DAYS))
            .unwrap_or(start);
        let from = from.format("%Y-%m-%d").to_string();
        let last = end.format("%Y-%m-%d").to_string();
        let first_day = start.format("%Y-%m-%d").to_string();
        let leads: Vec<&str> = event
            .actors
            .iter()
            .filter(|a| a.role == Role::Lead && a.kind == ActorKind::Person)
            .map(|a| a.name.as_str())
            .collect();
        let mut best: Option<String> = None;
        let better = |best: &mut Option<String>, group: &[u8]| {
            if best.as_deref().is_none_or(|b| group < b.as_bytes()) {
                *best = Some(String::from_utf8_lossy(group).into_owned());
            }
        };
        let consider = |best: &mut Option<String>, c: &StoredEvent, lead: &str| {
            let (ce, cs) = (&c.event, c.event.when.start);
            let overlaps =
                cs.is_some_and(|cs| cs <= end && ce.when.end.unwrap_or(cs).max(cs) >= start);
            if c.retracted
                || ce.id == event.id
                || ce.kind != event.kind
                || ce.source.article_id == event.source.article_id
                || !overlaps
                || !ce.lead_names().any(|n| n == lead)
            {
                return;
            }
            let group = c.group.clone().unwrap_or_else(|| ce.id.to_string());
            better(best, group.as_bytes());
        };
        let (kind, article) = (
            event.kind.as_str().as_bytes(),
            event.source.article_id.as_str(),
        );
        for &lead in &leads {
            let pre = prefix(tag::ACTOR, lead);
            let mut first = pre.clone();
            first.extend_from_slice(from.as_bytes());
            for kv in self.idx.range(first..) {
                let (k, v) = kv?;
                let Some(pos) = k.strip_prefix(pre.as_slice()) else {
                    break;
                };
                if pos.get(..last.len()).is_some_and(|d| d > last.as_bytes()) {
                    break;
                }
                let Some(entry) = ActorEntry::decode(&v) else {
                    // Written before entries carried their summary: read the event.
                    if let Some(c) = self.at_position(pos)? {
                        consider(&mut best, &c, lead);
                    }
                    continue;
                };
                let id = &pos[NO_DATE.len().min(pos.len())..];
                let start = &pos[..NO_DATE.len().min(pos.len())];
                let overlaps = start != NO_DATE.as_bytes()
                    && start <= last.as_bytes()
                    && entry.end >= first_day.as_bytes();
                if entry.lead
                    && entry.kind == kind
                    && entry.article != article.as_bytes()
                    && id != event.id.as_str().as_bytes()
                    && overlaps
                {
                    better(&mut best, entry.group);
                }
            }
        }
        for c in pending {
            for &lead in &leads {
                consider(&mut best, c, lead);
            }
        }
        Ok(best.unwrap_or(own))
    }

    /// The live reports in `group`.
    pub fn group_members(&self, group: &str) -> Result<Vec<StoredEvent>, StoreError> {
        self.group_members_except(group, None)
    }

    /// The live reports in `group` other than `except`. Most activities are reported once:
    /// their only member is the event itself, which is then not read again.
    pub fn group_members_except(
        &self,
        group: &str,
        except: Option<&EventId>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut prefix = group.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for k in self.groups.scan_prefix(&prefix).keys() {
            let k = k?;
            let id = &k[prefix.len()..];
            if except.is_some_and(|x| x.as_str().as_bytes() == id) {
                continue;
            }
            let Some(v) = self.events.get(id)? else {
                continue;
            };
            let e: StoredEvent = serde_json::from_slice(&v)?;
            if !e.retracted {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// The stored event with this id (retracted ones included).
    pub fn get(&self, id: &EventId) -> Result<Option<StoredEvent>, StoreError> {
        match self.events.get(id.as_str().as_bytes())? {
            Some(v) => Ok(Some(serde_json::from_slice(&v)?)),
            None => Ok(None),
        }
    }

    /// Earlier versions of an event, oldest first.
    pub fn history(&self, id: &EventId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.history
            .scan_prefix(id.as_str().as_bytes())
            .values()
            .map(|v| Ok(serde_json::from_slice(&v?)?))
            .collect()
    }

    /// Index positions (`{date}{id}`) under `tag`/`term`, from `after` (exclusive) or `from`
    /// (inclusive), in date order.
    pub fn scan(
        &self,
        tag: u8,
        term: &str,
        from: Option<&[u8]>,
        after: Option<&[u8]>,
    ) -> impl Iterator<Item = Result<Vec<u8>, StoreError>> + '_ {
        let pre = prefix(tag, term);
        let mut start = pre.clone();
        let mut exclusive = None;
        if let Some(a) = after {
            start.extend_from_slice(a);
            exclusive = Some(start.clone());
        } else if let Some(f) = from {
            start.extend_from_slice(f);
        }
        let plen = pre.len();
        self.idx
            .range(start..)
            .keys()
            .take_while(move |k| k.as_ref().map_or(true, |k| k.starts_with(&pre)))
            .filter(move |k| match (k, &exclusive) {
                (Ok(k), Some(x)) => k.as_ref() != x.as_slice(),
                _ => true,
            })
            .map(move |k| Ok(k?[plen..].to_vec()))
    }

    /// The event at an index position (`{date}{id}`).
    pub fn at_position(&self, pos: &[u8]) -> Result<Option<StoredEvent>, StoreError> {
        let id = &pos[NO_DATE.len().min(pos.len())..];
        match self.events.get(id)? {
            Some(v) => Ok(Some(serde_json::from_slice(&v)?)),
            None => Ok(None),
        }
    }

    /// Up to `limit` events whose latest publication came after stream sequence `after`, in
    /// stream order, each with that sequence (retracted ones included: a feed reports them).
    pub fn changed_since(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        let Some(start) = after.checked_add(1) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for kv in self.seq.range(start.to_be_bytes()..) {
            let (seq, id) = kv?;
            let Some(v) = self.events.get(&id)? else {
                continue;
            };
            let e: StoredEvent = serde_json::from_slice(&v)?;
            // A stale entry (a newer version exists further on) is skipped, never sent twice.
            if e.stream_seq.to_be_bytes().as_slice() != seq.as_ref() {
                continue;
            }
            out.push(e);
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// The highest stream sequence stored (0 when empty): where a feed without `Last-Event-ID`
    /// starts.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.seq.last()?.map(|(k, _)| decode_u64(&k)).unwrap_or(0))
    }

    /// Every actor, by name.
    pub fn actors(&self) -> Result<Vec<ActorSummary>, StoreError> {
        self.actors
            .iter()
            .values()
            .map(|v| Ok(serde_json::from_slice::<ActorSummary>(&v?)?))
            .filter(|a| !matches!(a, Ok(ActorSummary { events: 0, .. })))
            .collect()
    }

    /// One actor.
    pub fn actor(&self, name: &str) -> Result<Option<ActorSummary>, StoreError> {
        match self.actors.get(name.as_bytes())? {
            Some(v) => Ok(Some(serde_json::from_slice(&v)?)),
            None => Ok(None),
        }
    }

    /// Live events.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        read_counter(&self.meta, EVENT_COUNT)
    }

    /// Live events of each kind.
    pub fn kind_counts(&self) -> Result<Vec<(EventKind, u64)>, StoreError> {
        EventKind::ALL
            .into_iter()
            .map(|k| Ok((k, read_counter(&self.meta, &kind_counter(k))?)))
            .collect()
    }

    /// Events in the store, retracted ones included (for rebuild checks).
    pub fn record_count(&self) -> usize {
        self.events.len()
    }
}

fn member_key(e: &StoredEvent) -> Vec<u8> {
    let mut k = e
        .group
        .clone()
        .unwrap_or_else(|| e.event.id.to_string())
        .into_bytes();
    k.push(0);
    k.extend_from_slice(e.event.id.as_str().as_bytes());
    k
}

fn kind_counter(kind: EventKind) -> Vec<u8> {
    format!("kind/{}", kind.as_str()).into_bytes()
}

fn unique_actor_names(event: &ActivityEvent) -> BTreeSet<String> {
    event.actors.iter().map(|a| a.name.clone()).collect()
}

fn read_counter(meta: &sled::Tree, key: &[u8]) -> Result<u64, StoreError> {
    Ok(meta.get(key)?.map(|v| decode_u64(&v)).unwrap_or(0))
}

fn decode_u64(v: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = v.len().min(8);
    b[..n].copy_from_slice(&v[..n]);
    u64::from_be_bytes(b)
}

/// What one message asks of the store.
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert or replace an event.
    Upsert(Box<ActivityEvent>),
    /// Withdraw an event.
    Retract(EventId),
}

type TxResult<T> = Result<T, ConflictableTransactionError<serde_json::Error>>;

/// Write one change inside the batch's transaction (see [`TimelineStore::apply_batch`]).
fn write_one(
    (events, idx, actors, meta, history, seqs, groups): &Tx,
    tally: &mut Tally,
    id: &EventId,
    stream_seq: u64,
    new: &Option<StoredEvent>,
    now: DateTime<Utc>,
) -> TxResult<(Applied, Option<StoredEvent>)> {
    let key = id.as_str().as_bytes();
    // Reads its own writes: the same event twice in a batch sees the first version.
    let old: Option<StoredEvent> = match events.get(key)? {
        Some(v) => Some(serde_json::from_slice(&v).map_err(abort)?),
        None => None,
    };
    if let Some(old) = &old
        && old.stream_seq >= stream_seq
    {
        return Ok((Applied::Unchanged, None));
    }
    let new = match (new, &old) {
        (Some(n), _) => n.clone(),
        (None, Some(o)) if !o.retracted => StoredEvent {
            stream_seq,
            stored_at: now,
            retracted: true,
            ..o.clone()
        },
        // Retracting what we never had, or had retracted already: nothing to do.
        (None, _) => return Ok((Applied::Unchanged, None)),
    };
    if let Some(o) = old.as_ref().filter(|o| !o.retracted) {
        for k in index_entries(o).into_keys() {
            idx.remove(k)?;
        }
        for name in unique_actor_names(&o.event) {
            tally.bump_actor(actors, &o.event, &name, -1)?;
        }
        tally.bump(meta, EVENT_COUNT, -1)?;
        tally.bump(meta, &kind_counter(o.event.kind), -1)?;
        groups.remove(member_key(o))?;
    }
    if let Some(o) = &old {
        seqs.remove(&o.stream_seq.to_be_bytes())?;
        let mut hkey = key.to_vec();
        hkey.extend_from_slice(&o.stream_seq.to_be_bytes());
        let entry = HistoryEntry {
            version: o.clone(),
            replaced_at: now,
        };
        history.insert(hkey, serde_json::to_vec(&entry).map_err(abort)?)?;
    }
    if !new.retracted {
        for (k, v) in index_entries(&new) {
            idx.insert(k, v)?;
        }
        for name in unique_actor_names(&new.event) {
            tally.bump_actor(actors, &new.event, &name, 1)?;
        }
        tally.bump(meta, EVENT_COUNT, 1)?;
        tally.bump(meta, &kind_counter(new.event.kind), 1)?;
        groups.insert(member_key(&new), &[] as &[u8])?;
    }
    seqs.insert(&new.stream_seq.to_be_bytes(), key)?;
    events.insert(key, serde_json::to_vec(&new).map_err(abort)?)?;
    let applied = if old.is_some() {
        Applied::Updated
    } else {
        Applied::Inserted
    };
    Ok((applied, Some(new)))
}

/// Counters and actor summaries a batch changes: each is read once, changed in memory, and
/// written once when the batch ends.
#[derive(Default)]
struct Tally {
    counters: BTreeMap<Vec<u8>, u64>,
    actors: BTreeMap<String, ActorSummary>,
}

impl Tally {
    fn bump(&mut self, meta: &TransactionalTree, key: &[u8], delta: i64) -> TxResult<()> {
        let cur = match self.counters.get_mut(key) {
            Some(c) => c,
            None => {
                let stored = meta.get(key)?.map(|v| decode_u64(&v)).unwrap_or(0);
                self.counters.entry(key.to_vec()).or_insert(stored)
            }
        };
        *cur = cur.saturating_add_signed(delta);
        Ok(())
    }

    fn bump_actor(
        &mut self,
        actors: &TransactionalTree,
        event: &ActivityEvent,
        name: &str,
        delta: i64,
    ) -> TxResult<()> {
        let summary = match self.actors.get_mut(name) {
            Some(s) => s,
            None => {
                let stored = match actors.get(name.as_bytes())? {
                    Some(v) => serde_json::from_slice::<ActorSummary>(&v).map_err(abort)?,
                    None => ActorSummary {
                        name: name.to_owned(),
                        kind: ActorKind::Person,
                        titles: Vec::new(),
                        events: 0,
                    },
                };
                self.actors.entry(name.to_owned()).or_insert(stored)
            }
        };
        summary.events = summary.events.saturating_add_signed(delta);
        if delta > 0 {
            for a in event.actors.iter().filter(|a| a.name == name) {
                summary.kind = a.kind;
                for t in &a.titles {
                    if !summary.titles.contains(t) {
                        summary.titles.push(t.clone());
                    }
                }
            }
        }
        Ok(())
    }

    fn store(self, meta: &TransactionalTree, actors: &TransactionalTree) -> TxResult<()> {
        for (key, n) in self.counters {
            meta.insert(key, &n.to_be_bytes())?;
        }
        for (name, summary) in self.actors {
            actors.insert(
                name.as_bytes(),
                serde_json::to_vec(&summary).map_err(abort)?,
            )?;
        }
        Ok(())
    }
}

/// Parse a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The v1 fixture (a forest chief inspection led by one person, one day) with its id and
    /// article replaced.
    fn report(id: &str, article: char) -> ActivityEvent {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../../../proto/fixtures/v1/event.json")).unwrap();
        v["id"] = id.into();
        v["source"]["article_id"] = article.to_string().repeat(64).into();
        serde_json::from_value(v).unwrap()
    }

    /// A store in a fresh temp dir (kept as long as the dir guard lives).
    fn empty_store() -> (tempfile::TempDir, TimelineStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = TimelineStore::open(dir.path()).unwrap();
        (dir, store)
    }

    fn upsert(e: &ActivityEvent, seq: u64) -> (Change, u64) {
        (Change::Upsert(Box::new(e.clone())), seq)
    }

    fn lead_events(store: &TimelineStore, e: &ActivityEvent) -> u64 {
        let lead = e.lead_names().next().unwrap();
        store.actor(lead).unwrap().unwrap().events
    }

    #[test]
    fn a_batch_groups_two_reports_of_one_activity_that_arrive_together() {
        let (_dir, store) = empty_store();
        let a = report("a0000000000000000000000000000000", 'a');
        let b = report("b0000000000000000000000000000000", 'b');
        let out = store
            .apply_batch(vec![upsert(&b, 1), upsert(&a, 2)])
            .unwrap();
        assert!(out.iter().all(|(applied, _)| *applied == Applied::Inserted));
        // The smallest id names the group whichever report came first.
        let groups: Vec<_> = out
            .iter()
            .map(|(_, s)| s.as_ref().unwrap().group.clone())
            .collect();
        assert_eq!(groups, vec![Some(b.id.to_string()), Some(b.id.to_string())]);
        assert_eq!(store.group_members(b.id.as_str()).unwrap().len(), 2);
        assert_eq!(store.event_count().unwrap(), 2);
        assert_eq!(lead_events(&store, &a), 2);
    }

    #[test]
    fn a_later_report_joins_the_stored_activity_of_a_shared_lead_but_not_another_kind() {
        let (_dir, store) = empty_store();
        let first = report("f1000000000000000000000000000000", 'a');
        let same = report("f2000000000000000000000000000000", 'b');
        let mut other_kind = report("f0000000000000000000000000000000", 'c');
        other_kind.kind = EventKind::Meeting;
        let mut same_article = report("f3000000000000000000000000000000", 'a');
        same_article.topic = Some("另一项活动".into());
        store.upsert(&first, 1).unwrap();
        // Another activity in the same article is not a second report of the first.
        for (i, e) in [&same_article, &same, &other_kind].into_iter().enumerate() {
            store.upsert(e, i as u64 + 2).unwrap();
        }
        let group = |e: &ActivityEvent| store.get(&e.id).unwrap().unwrap().group.unwrap();
        assert_eq!(group(&same), first.id.to_string());
        assert_eq!(group(&other_kind), other_kind.id.to_string());
        assert_eq!(group(&same_article), same_article.id.to_string());
    }

    #[test]
    fn a_place_is_found_by_place_and_by_target_and_an_update_leaves_no_stale_entry() {
        let (_dir, store) = empty_store();
        let mut e = report("a1000000000000000000000000000000", 'a');
        e.places = vec!["东湖林场".into()];
        e.targets = vec!["甲科技公司".into()];
        store.upsert(&e, 1).unwrap();
        let ask = |place: Option<&str>, target: Option<&str>| {
            let q = crate::query::EventQuery {
                place: place.map(Into::into),
                target: target.map(Into::into),
                limit: 10,
                ..Default::default()
            };
            crate::query::run(&store, &q).unwrap().activities.len()
        };
        assert_eq!(ask(Some("东湖林场"), None), 1);
        assert_eq!(ask(None, Some("东湖林场")), 1);
        assert_eq!(ask(Some("甲科技公司"), None), 1);
        e.places = vec!["西山林场".into()];
        store.upsert(&e, 2).unwrap();
        assert_eq!(ask(Some("东湖林场"), None), 0);
        assert_eq!(ask(Some("西山林场"), None), 1);
    }

    #[test]
    fn the_same_event_twice_in_a_batch_is_one_event_with_one_earlier_version() {
        let (_dir, store) = empty_store();
        let e = report("c0000000000000000000000000000000", 'c');
        let mut newer = e.clone();
        newer.confidence = 0.5;
        let out = store
            .apply_batch(vec![upsert(&e, 3), upsert(&newer, 4)])
            .unwrap();
        let applied: Vec<_> = out.iter().map(|(a, _)| *a).collect();
        assert_eq!(applied, vec![Applied::Inserted, Applied::Updated]);
        assert_eq!(store.get(&e.id).unwrap().unwrap().event.confidence, 0.5);
        assert_eq!(store.history(&e.id).unwrap().len(), 1);
        assert_eq!(store.event_count().unwrap(), 1);
        assert_eq!(lead_events(&store, &e), 1);
        let counts = store.kind_counts().unwrap();
        assert!(counts.contains(&(e.kind, 1)), "{counts:?}");
    }

    #[test]
    fn a_redelivered_batch_changes_nothing_and_a_retraction_in_a_batch_is_counted() {
        let (_dir, store) = empty_store();
        let e = report("d0000000000000000000000000000000", 'd');
        let f = report("e0000000000000000000000000000000", 'd');
        let batch = [upsert(&e, 5), upsert(&f, 6)];
        store.apply_batch(batch.to_vec()).unwrap();
        let again = store.apply_batch(batch.to_vec()).unwrap();
        assert!(
            again
                .iter()
                .all(|(a, s)| *a == Applied::Unchanged && s.is_none())
        );
        assert_eq!(store.event_count().unwrap(), 2);
        let out = store
            .apply_batch(vec![(Change::Retract(e.id.clone()), 7), upsert(&f, 6)])
            .unwrap();
        assert_eq!(out[0].0, Applied::Updated);
        assert!(out[0].1.as_ref().unwrap().retracted);
        assert_eq!(out[1].0, Applied::Unchanged);
        assert_eq!(store.event_count().unwrap(), 1);
        assert_eq!(lead_events(&store, &e), 1);
        assert_eq!(store.last_seq().unwrap(), 7);
    }
}
