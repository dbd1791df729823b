//! The timeline's materialised view in sled (format version [`format::CURRENT`]).
//!
//! Parts, each in its module:
//! - [`keys`]: keys as types. An event's [`Position`] (first day, id) orders every listing.
//! - [`record`]: what is stored, in postcard.
//! - [`trees`]: the trees by name, and staged writes over them.
//! - [`write`]: how a change becomes writes; [`corroborate`]: which reports are one activity.
//! - [`format`]: the format version and the rebuild marker.
//!
//! Records are keyed by position, so a page by date is one range scan of records; an actor,
//! target or kind page is one range scan of the term's index blocks (up to
//! [`postings::MAX_POSTINGS`] postings a sled entry, [`postings`]) plus one read per answer,
//! the reads in key order. Postings carry an event's last day (a `from` bound passes over
//! earlier events without reading them) and, on lead persons' postings, what corroboration
//! compares. History and membership live in their own trees, off the read path; the feed's
//! sequence entries are packed too ([`feed`]).
//!
//! Writes: a consumer batch is staged and committed in ONE transaction (an event and its index
//! entries are durable together); a rebuild stages large chunks and writes each tree in key
//! order without transactions or flushes, then flushes once and clears its marker.

pub mod corroborate;
pub mod feed;
pub mod format;
pub mod keys;
pub mod postings;
pub mod record;
pub mod trees;
pub mod write;

pub use corroborate::{LONGEST_ACTIVITY_DAYS, same_activity};
pub use keys::{Day, IdKey, Index, NO_DATE, Position, TermNo};
pub use record::{ActorSummary, HistoryEntry, StoredEvent};

use crate::fold::NameIndex;
use chrono::{NaiveDate, Utc};
use dongtai_proto::{ActivityEvent, EventId, EventKind};
use keys::{decode_u64, member_key};
use record::{decode, decode_event, decode_history};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex};
use trees::{Trees, Writes};
use write::{Batch, EVENT_COUNT, kind_counter};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (disk full, corruption).
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// The store's files could not be replaced (see [`format::discard_other_settings`]).
    #[error("store files: {0}")]
    Files(#[from] std::io::Error),
    /// A stored value does not decode (or a value does not encode).
    #[error("corrupt record: {0}")]
    Encoding(postcard::Error),
    /// A stored value decodes to something impossible.
    #[error("corrupt record: bad {0}")]
    Invalid(&'static str),
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

/// What one message asks of the store.
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert or replace an event.
    Upsert(Box<ActivityEvent>),
    /// Withdraw an event.
    Retract(EventId),
}

/// sled page cache of a store opened without a size, MiB.
pub const DEFAULT_CACHE_MB: u64 = 32;

/// A staged batch and, per change, what it did.
type Staging<'a> = (
    Trees<trees::Staged<'a>>,
    Vec<(Applied, Option<StoredEvent>)>,
);

/// Changes past which the actor name index is built anew rather than brought up to date.
const NAME_INDEX_CATCH_UP: usize = 4096;

/// The actor name index and the stream sequence it is current to.
type CachedNames = Option<(u64, Arc<NameIndex>)>;

/// An entry of a listing's scan: what the index says of an event without its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Where the event is.
    pub pos: Position,
    /// Its last day ([`Day::MAX`] when the index does not say).
    pub last: Day,
    /// Whether it is a report of an activity reported more than once (`None`: the index does
    /// not say).
    pub grouped: Option<bool>,
}

/// How long opening a store waits for sled's lock on it (see [`TimelineStore::open_with_cache`]).
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The sled-backed timeline.
#[derive(Clone)]
pub struct TimelineStore {
    db: sled::Db,
    trees: Trees<sled::Tree>,
    /// Folded actor names, in memory (see [`TimelineStore::actor_name_index`]).
    names: Arc<Mutex<CachedNames>>,
}

impl TimelineStore {
    /// Open (or create) the store under `dir`, with sled's page cache at
    /// [`DEFAULT_CACHE_MB`].
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(dir, DEFAULT_CACHE_MB)
    }

    /// Open (or create) the store under `dir` with `cache_mb` MiB of page cache (sled's own
    /// default, 1 GiB, would make the process grow far past what a timeline needs). A store of
    /// another format is emptied and marked for a rebuild ([`TimelineStore::rebuild_pending`]).
    ///
    /// sled locks its files while a database is open, and releases the lock only once its
    /// background flusher has stopped, a moment after the last handle is dropped or the process
    /// that held it exits. A store still locked is waited for, up to [`LOCK_WAIT`], so a restart
    /// that overlaps the previous process's exit (or a reopen in the same process) succeeds.
    pub fn open_with_cache(dir: &Path, cache_mb: u64) -> Result<Self, StoreError> {
        let config = sled_config(dir).cache_capacity(cache_mb.saturating_mul(1024 * 1024));
        let db = match open_waiting(&config, dir) {
            // A store of format 3 or earlier, made with sled's default segments: sled opens it
            // only as it was made, so it is removed and the new one rebuilt from the stream.
            Err(e) if format::is_made_with_other_settings(&e) => {
                format::discard_other_settings(dir)?;
                open_waiting(&config, dir)?
            }
            other => other?,
        };
        let trees = Trees::open(&db)?;
        format::check(dir, &db, &trees)?;
        Ok(Self {
            db,
            trees,
            names: Arc::default(),
        })
    }

    /// True when the view must be rebuilt from the stream before it answers: the store had
    /// another format, or a rebuild did not finish.
    pub fn rebuild_pending(&self) -> Result<bool, StoreError> {
        format::rebuild_pending(&self.trees)
    }

    /// Start a rebuild: mark the store (durably), then empty it. Until
    /// [`TimelineStore::finish_rebuild`], a restart finds the mark and starts over.
    pub fn begin_rebuild(&self) -> Result<(), StoreError> {
        format::begin_rebuild(&self.db, &self.trees)
    }

    /// End a rebuild: flush everything, then clear the mark.
    pub async fn finish_rebuild(&self) -> Result<(), StoreError> {
        format::finish_rebuild(&self.db, &self.trees).await
    }

    /// Make every write so far durable. The consumer acks only after this returns.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Bytes sled uses on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
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
    /// entries, history, activity membership, actor summaries and counters, all in ONE
    /// transaction: the batch is stored whole or not at all. Idempotent: a change at the same
    /// or an older sequence than the stored version changes nothing. Returns, per change, what
    /// it did and the version stored (`None` when unchanged).
    ///
    /// The writes are staged first (reads outside the transaction): one consumer loop writes
    /// at a time, so nothing changes between the staging and the commit.
    pub fn apply_batch(
        &self,
        changes: Vec<(Change, u64)>,
    ) -> Result<Vec<(Applied, Option<StoredEvent>)>, StoreError> {
        let (staged, out) = self.stage(changes, None, false)?;
        staged.commit_atomically()?;
        Ok(out)
    }

    /// Like [`TimelineStore::apply_batch`] but for a rebuild: no transaction, each tree written
    /// in key order, nothing flushed (a rebuild flushes once at the end and restarts from
    /// scratch when interrupted). Returns how many changes did something.
    pub fn apply_bulk(&self, changes: Vec<(Change, u64)>) -> Result<usize, StoreError> {
        let (staged, out) = self.stage(changes, None, true)?;
        trees::write_in_bulk(&self.trees, &staged.into_writes())?;
        Ok(changed(&out))
    }

    /// A rebuild's writer, which writes each chunk while the next is read and staged (see
    /// [`BulkLoad`]).
    pub fn bulk_load(&self) -> BulkLoad {
        BulkLoad {
            store: self.clone(),
            writing: None,
        }
    }

    /// Stage `changes` over the trees, with `below` (writes still being made) on top; `bulk`:
    /// a rebuild chunk.
    fn stage<'a>(
        &'a self,
        changes: Vec<(Change, u64)>,
        below: Option<&'a Trees<Writes>>,
        bulk: bool,
    ) -> Result<Staging<'a>, StoreError> {
        let trees = match below {
            Some(below) => self.trees.stage_over(below),
            None => self.trees.stage(),
        };
        let mut batch = Batch::new(trees, Utc::now(), bulk);
        let out = changes
            .into_iter()
            .map(|(change, seq)| batch.apply(change, seq))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((batch.finish()?, out))
    }

    /// The live reports of activity `activity` (an activity id).
    pub fn group_members(&self, activity: &str) -> Result<Vec<StoredEvent>, StoreError> {
        let listed = self.group_members_except(activity, None)?;
        if !listed.is_empty() {
            return Ok(listed);
        }
        // Reported once: not listed, the report is the activity.
        let only = match activity.parse::<EventId>() {
            Ok(id) => self.get(&id)?,
            Err(_) => None,
        };
        Ok(only
            .filter(|e| !e.retracted && e.activity_id() == activity)
            .into_iter()
            .collect())
    }

    /// The live reports of activity `activity` other than `except`, when it was reported more
    /// than once (an activity reported once is not listed: this is then one empty range).
    pub fn group_members_except(
        &self,
        activity: &str,
        except: Option<&EventId>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let Some(activity) = IdKey::parse(activity) else {
            return Ok(Vec::new());
        };
        let except = except.map(IdKey::of);
        let mut out = Vec::new();
        for kv in self.trees.groups.scan_prefix(activity.bytes()) {
            let (k, pos) = kv?;
            let member = IdKey::read(&k[IdKey::LEN..]);
            if member.is_none() || member == except {
                continue;
            }
            if let Some(e) = self.read_at(&pos)?
                && !e.retracted
            {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// The stored event with this id (retracted ones included).
    pub fn get(&self, id: &EventId) -> Result<Option<StoredEvent>, StoreError> {
        let id = IdKey::of(id);
        match self.trees.ids.get(id.bytes())? {
            Some(day) => {
                let day = Day::read(&day).ok_or(StoreError::Invalid("ids value"))?;
                self.read_at(&Position { day, id }.bytes())
            }
            None => Ok(None),
        }
    }

    /// Earlier versions of an event, oldest first.
    pub fn history(&self, id: &EventId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.trees
            .history
            .scan_prefix(IdKey::of(id).bytes())
            .values()
            .map(|v| decode_history(&v?))
            .collect()
    }

    /// Positions under `index`/`term` (term ignored for [`Index::Date`]), from `after`
    /// (exclusive) or `from` (inclusive), in date order, each with the event's last day
    /// ([`Day::MAX`] when the index does not say).
    pub fn scan(
        &self,
        index: Index,
        term: &str,
        from: Option<Position>,
        after: Option<Position>,
    ) -> Box<dyn Iterator<Item = Result<(Position, Day), StoreError>> + '_> {
        let lo = match (after, from) {
            (Some(a), _) => Bound::Excluded(a),
            (None, Some(f)) => Bound::Included(f),
            (None, None) => Bound::Unbounded,
        };
        Box::new(
            self.scan_range(index, term, (lo, Bound::Unbounded), false)
                .map(|hit| hit.map(|h| (h.pos, h.last))),
        )
    }

    /// Entries under `index`/`term` (term ignored for [`Index::Date`]) within `range`, in
    /// date order or, `descending`, newest first. One range scan either way: sled walks a
    /// range backwards as cheaply as forwards.
    pub fn scan_range(
        &self,
        index: Index,
        term: &str,
        range: (Bound<Position>, Bound<Position>),
        descending: bool,
    ) -> Box<dyn Iterator<Item = Result<Hit, StoreError>> + '_> {
        fn ordered<'a, T: 'a>(
            it: impl DoubleEndedIterator<Item = T> + 'a,
            descending: bool,
        ) -> Box<dyn Iterator<Item = T> + 'a> {
            if descending {
                Box::new(it.rev())
            } else {
                Box::new(it)
            }
        }
        let key = |prefix: &[u8], p: Position| [prefix, &p.bytes()].concat();
        if index == Index::Date {
            let bounds = (range.0.map(|p| key(&[], p)), range.1.map(|p| key(&[], p)));
            return ordered(
                self.trees.records.range(bounds).map(|kv| {
                    let (k, _) = kv?;
                    Position::read(&k)
                        .map(|pos| Hit {
                            pos,
                            last: Day::MAX,
                            grouped: None,
                        })
                        .ok_or(StoreError::Invalid("record key"))
                }),
                descending,
            );
        }
        // A term never indexed has no entries.
        let number = match self.trees.terms.get(index.term_key(term)) {
            Ok(Some(v)) => TermNo::read(&v).ok_or(StoreError::Invalid("term number")),
            Ok(None) => return Box::new(std::iter::empty()),
            Err(e) => Err(e.into()),
        };
        let number = match number {
            Ok(n) => n,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        let prefix = index.prefix(number);
        let block = |p: &Position| postings::block_key(&prefix, p);
        // The blocks that can hold postings in `range`: from the one holding its start (the
        // last block starting at or before it) to the last starting before its end.
        let first = match range.0 {
            Bound::Included(p) | Bound::Excluded(p) => self
                .trees
                .index
                .range(block(&Position::first_on(Day::NONE))..=block(&p))
                .next_back()
                .transpose()
                .map(|kv| kv.map(|(k, _)| k.to_vec())),
            Bound::Unbounded => Ok(None),
        };
        let first = match first {
            Ok(k) => k.unwrap_or_else(|| prefix.to_vec()),
            Err(e) => return Box::new(std::iter::once(Err(e.into()))),
        };
        let last = match range.1 {
            Bound::Included(p) => Bound::Included(block(&p).to_vec()),
            Bound::Excluded(p) => Bound::Excluded(block(&p).to_vec()),
            // Every block of the term is `{prefix}{position}`: the prefix's successor is past
            // all of them.
            Bound::Unbounded => {
                trees::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded)
            }
        };
        let empty = match &last {
            Bound::Included(l) => first > *l,
            Bound::Excluded(l) => first >= *l,
            Bound::Unbounded => false,
        };
        if empty {
            return Box::new(std::iter::empty());
        }
        let blocks = self.trees.index.range((Bound::Included(first), last));
        let hits =
            move |kv: sled::Result<(sled::IVec, sled::IVec)>| -> Vec<Result<Hit, StoreError>> {
                let block = match kv
                    .map_err(StoreError::from)
                    .and_then(|(_, v)| postings::decode_block(&v))
                {
                    Ok(b) => b,
                    Err(e) => return vec![Err(e)],
                };
                let mut hits: Vec<_> = block
                    .into_iter()
                    .filter(|p| postings::within(&range, &p.pos))
                    .map(|p| {
                        Ok(Hit {
                            pos: p.pos,
                            last: Day::from_raw(p.listing.last),
                            grouped: Some(p.listing.grouped),
                        })
                    })
                    .collect();
                if descending {
                    hits.reverse();
                }
                hits
            };
        if descending {
            Box::new(blocks.rev().flat_map(hits))
        } else {
            Box::new(blocks.flat_map(hits))
        }
    }

    /// The names of every actor ever stored for which `wanted` is true (a walk over the actor
    /// names alone, no record read: the names a folded search expands to).
    pub fn actor_names(
        &self,
        mut wanted: impl FnMut(&str) -> bool,
    ) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for k in self.trees.actors.iter().keys() {
            let k = k?;
            if let Ok(name) = std::str::from_utf8(&k)
                && wanted(name)
            {
                out.push(name.to_owned());
            }
        }
        Ok(out)
    }

    /// Every stored actor name by its folded keys, current to the last stored change. Kept in
    /// memory and brought up to date from the changes since it was last used (the `seq` tree),
    /// so a folded actor query costs two hash lookups, not a walk over every name; built anew
    /// after a rebuild or a long gap. Names whose events were all withdrawn stay: their index
    /// ranges are empty.
    pub fn actor_name_index(&self) -> Result<Arc<NameIndex>, StoreError> {
        let last = self.last_seq()?;
        let mut cached = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let index = match cached.take() {
            Some((seq, index)) if seq == last => index,
            Some((seq, mut index))
                if last
                    .checked_sub(seq)
                    .is_some_and(|n| n <= NAME_INDEX_CATCH_UP as u64) =>
            {
                let changed = self.changed_since(seq, NAME_INDEX_CATCH_UP)?;
                let index_mut = Arc::make_mut(&mut index);
                for e in &changed {
                    e.event.actors.iter().for_each(|a| index_mut.add(&a.name));
                }
                index
            }
            _ => {
                let mut index = NameIndex::default();
                for name in self.actor_names(|_| true)? {
                    index.add(&name);
                }
                Arc::new(index)
            }
        };
        *cached = Some((last, index.clone()));
        Ok(index)
    }

    /// The event at a position.
    pub fn at_position(&self, pos: &Position) -> Result<Option<StoredEvent>, StoreError> {
        self.read_at(&pos.bytes())
    }

    fn read_at(&self, pos: &[u8]) -> Result<Option<StoredEvent>, StoreError> {
        match self.trees.records.get(pos)? {
            Some(v) => Ok(Some(decode_event(&v)?)),
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
        for kv in self.trees.seq.range(feed::block_key(start)..) {
            let (key, block) = kv?;
            for (seq, pos) in feed::decode_block(&key, &block)? {
                if seq < start {
                    continue;
                }
                let Some(e) = self.read_at(&pos.bytes())? else {
                    continue;
                };
                // A stale entry (a newer version exists further on) is skipped, never sent
                // twice.
                if e.stream_seq != seq {
                    continue;
                }
                out.push(e);
                if out.len() == limit {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// The highest stream sequence stored (0 when empty): where a feed without `Last-Event-ID`
    /// starts.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        match self.trees.seq.last()? {
            Some((key, block)) => Ok(feed::decode_block(&key, &block)?
                .last()
                .map_or(0, |(seq, _)| *seq)),
            None => Ok(0),
        }
    }

    /// Every actor, by name.
    pub fn actors(&self) -> Result<Vec<ActorSummary>, StoreError> {
        self.trees
            .actors
            .iter()
            .values()
            .map(|v| decode::<ActorSummary>(&v?))
            .filter(|a| !matches!(a, Ok(ActorSummary { events: 0, .. })))
            .collect()
    }

    /// One actor.
    pub fn actor(&self, name: &str) -> Result<Option<ActorSummary>, StoreError> {
        match self.trees.actors.get(name.as_bytes())? {
            Some(v) => Ok(Some(decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Live events.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        self.counter(EVENT_COUNT)
    }

    /// Live events of each kind.
    pub fn kind_counts(&self) -> Result<Vec<(EventKind, u64)>, StoreError> {
        EventKind::ALL
            .into_iter()
            .map(|k| Ok((k, self.counter(&kind_counter(k))?)))
            .collect()
    }

    fn counter(&self, key: &[u8]) -> Result<u64, StoreError> {
        Ok(self
            .trees
            .meta
            .get(key)?
            .map(|v| decode_u64(&v))
            .unwrap_or(0))
    }

    /// Events in the store, retracted ones included (for rebuild checks).
    pub fn record_count(&self) -> usize {
        self.trees.records.len()
    }

    /// Whether `member` is recorded as a report of `activity` (for tests of the membership).
    pub fn is_member(&self, activity: &EventId, member: &EventId) -> Result<bool, StoreError> {
        let key = member_key(IdKey::of(activity), IdKey::of(member));
        Ok(self.trees.groups.contains_key(key)?)
    }
}

/// How many changes did something.
fn changed(out: &[(Applied, Option<StoredEvent>)]) -> usize {
    out.iter().filter(|(a, _)| *a != Applied::Unchanged).count()
}

/// A chunk's writes and the thread making them.
type Writing = (
    Arc<Trees<Writes>>,
    std::thread::JoinHandle<sled::Result<()>>,
);

/// A rebuild's writer: [`BulkLoad::apply`] stages a chunk (single-threaded: it reads what came
/// before) and leaves its writes to threads of their own, so the next chunk is read from the
/// stream and staged while they are made; it is staged over them ([`trees::Staged`]), and its
/// writes start once theirs are done. Like [`TimelineStore::apply_bulk`]: no transaction, no
/// flush. Dropped, it waits for the writes it started.
pub struct BulkLoad {
    store: TimelineStore,
    /// The last chunk's writes and the thread making them.
    writing: Option<Writing>,
}

impl BulkLoad {
    /// Stage `changes` and start writing them. Returns how many changes did something. An
    /// error of the previous chunk's writes is returned here (or by [`BulkLoad::finish`]).
    pub fn apply(&mut self, changes: Vec<(Change, u64)>) -> Result<usize, StoreError> {
        let below = self.writing.as_ref().map(|(w, _)| w.clone());
        let (staged, out) = self.store.stage(changes, below.as_deref(), true)?;
        let writes = Arc::new(staged.into_writes());
        self.wait()?;
        let (trees, mine) = (self.store.trees.clone(), writes.clone());
        let thread = std::thread::Builder::new()
            .name("timeline-bulk".to_owned())
            .spawn(move || trees::write_in_bulk(&trees, &mine))?;
        self.writing = Some((writes, thread));
        Ok(changed(&out))
    }

    /// Wait until every chunk is written (not flushed).
    pub fn finish(mut self) -> Result<(), StoreError> {
        self.wait()
    }

    fn wait(&mut self) -> Result<(), StoreError> {
        if let Some((_, thread)) = self.writing.take() {
            thread.join().unwrap_or_else(|_| {
                Err(sled::Error::ReportableBug("bulk writer panicked".into()))
            })?;
        }
        Ok(())
    }
}

impl Drop for BulkLoad {
    fn drop(&mut self) {
        // A rebuild that stops on an error leaves no writer behind to race the next one.
        let _ = self.wait();
    }
}

/// Bytes of one sled segment, the unit its log is written and cleaned in (sled's default: 512
/// KiB). sled reclaims a segment only once under half of it is live, so smaller segments hold
/// less dead space: at 100k events, 512 KiB took 3,692–3,728 bytes per event loaded through
/// the consumer's batches, 128 KiB 3,156–3,177 and 64 KiB 2,807–2,836 (README, issue 12).
/// Below 64 KiB a segment cannot hold four of the largest pages (a full leaf of 16 records)
/// and sled writes them as files of their own, one each (32 KiB: 1,146 such files at 100k
/// events); 128 KiB leaves room for records four times the size of the benchmark's.
pub const SEGMENT_BYTES: usize = 128 * 1024;

/// sled's settings for the store in `dir` (page cache aside): what a tool or test that opens
/// the store's sled directly must use too, since sled refuses to open a store with another
/// segment size than it was made with.
pub fn sled_config(dir: &Path) -> sled::Config {
    sled::Config::new()
        .path(dir)
        .mode(sled::Mode::HighThroughput)
        .segment_size(SEGMENT_BYTES)
}

/// Open sled with `config`, waiting up to [`LOCK_WAIT`] for a lock a closing handle still holds.
fn open_waiting(config: &sled::Config, dir: &Path) -> sled::Result<sled::Db> {
    let started = std::time::Instant::now();
    let mut waited = false;
    loop {
        match config.open() {
            // sled says so only in the message of an I/O error.
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && started.elapsed() < LOCK_WAIT =>
            {
                if !waited {
                    tracing::warn!(dir = %dir.display(), "the store is still locked; waiting");
                    waited = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Parse a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests;
