//! The store's sled trees, by name, and [`Staged`]: a batch's writes held in memory over them.
//!
//! Every write path (the consumer's batches and a rebuild's bulk chunks) first stages its
//! writes: reads see the tree with the batch's own writes on top, so the corroboration lookup
//! sees reports earlier in the same batch with no special case. A staged batch is then either
//! committed in one multi-tree transaction (the consumer: an event and its index entries are
//! durable together or not at all) or written tree by tree in key order without a transaction
//! (a rebuild, which restarts from scratch if interrupted).

use sled::IVec;
use sled::Transactional as _;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};
use std::collections::BTreeMap;
use std::ops::Bound;

/// One value per tree of the store.
#[derive(Clone)]
pub struct Trees<T> {
    /// `{position}` → the event's record (postcard): clustered by (first day, id).
    pub records: T,
    /// `{id}` → its first day (with the id, its position).
    pub ids: T,
    /// Secondary index blocks `{tag}{term number}{position}` → up to
    /// [`super::postings::MAX_POSTINGS`] postings of the term from that position on.
    pub index: T,
    /// `{tag}{term}` → its number in index keys ([`super::keys::TermNo`]).
    pub terms: T,
    /// Actor name → [`super::record::ActorSummary`].
    pub actors: T,
    /// Counters, the format version and the rebuild marker.
    pub meta: T,
    /// `{id}{seq}` → an earlier version ([`super::record::HistoryEntry`]).
    pub history: T,
    /// `{stream seq / 64}` → the positions those sequences published, for the SSE feed
    /// ([`super::feed`]).
    pub seq: T,
    /// `{activity id}{member id}` → member position: the reports of an activity reported
    /// more than once.
    pub groups: T,
}

impl<T> Trees<T> {
    /// Every tree with its name.
    pub fn named(&self) -> [(&'static str, &T); 9] {
        [
            ("records", &self.records),
            ("ids", &self.ids),
            ("index", &self.index),
            ("terms", &self.terms),
            ("actors", &self.actors),
            ("meta", &self.meta),
            ("history", &self.history),
            ("seq", &self.seq),
            ("groups", &self.groups),
        ]
    }

    /// Every tree with its name, to change.
    pub fn named_mut(&mut self) -> [(&'static str, &mut T); 9] {
        [
            ("records", &mut self.records),
            ("ids", &mut self.ids),
            ("index", &mut self.index),
            ("terms", &mut self.terms),
            ("actors", &mut self.actors),
            ("meta", &mut self.meta),
            ("history", &mut self.history),
            ("seq", &mut self.seq),
            ("groups", &mut self.groups),
        ]
    }

    /// The same shape over another type.
    pub fn map<'a, U>(&'a self, mut f: impl FnMut(&'a T) -> U) -> Trees<U> {
        Trees {
            records: f(&self.records),
            ids: f(&self.ids),
            index: f(&self.index),
            terms: f(&self.terms),
            actors: f(&self.actors),
            meta: f(&self.meta),
            history: f(&self.history),
            seq: f(&self.seq),
            groups: f(&self.groups),
        }
    }
}

impl Trees<sled::Tree> {
    /// Open (or create) every tree.
    pub fn open(db: &sled::Db) -> sled::Result<Self> {
        Ok(Trees {
            records: db.open_tree("records")?,
            ids: db.open_tree("ids")?,
            index: db.open_tree("index")?,
            terms: db.open_tree("terms")?,
            actors: db.open_tree("actors")?,
            meta: db.open_tree("meta")?,
            history: db.open_tree("history")?,
            seq: db.open_tree("seq")?,
            groups: db.open_tree("groups")?,
        })
    }

    /// Stage writes over these trees.
    pub fn stage(&self) -> Trees<Staged<'_>> {
        self.map(Staged::over)
    }

    /// Stage writes over these trees with `below` (writes still being made to them) on top.
    pub fn stage_over<'a>(&'a self, below: &'a Trees<Writes>) -> Trees<Staged<'a>> {
        let mut staged = self.stage();
        for ((_, s), (_, w)) in staged.named_mut().into_iter().zip(below.named()) {
            s.below = Some(w);
        }
        staged
    }
}

/// Write `writes` into `trees`, each tree's in key order, without a transaction, on
/// [`bulk_writers`] threads: sled trees take concurrent writers, and sled inserts are most of
/// a rebuild's CPU. Runs of keys (a tree's writes, the index's in pieces) go to the thread
/// with the least work so far.
pub fn write_in_bulk(trees: &Trees<sled::Tree>, writes: &Trees<Writes>) -> sled::Result<()> {
    type Run<'r> = (&'r sled::Tree, Vec<(&'r Vec<u8>, &'r Option<IVec>)>);
    let threads = bulk_writers();
    let mut runs: Vec<Run<'_>> = Vec::new();
    for ((_, tree), (_, writes)) in trees.named().into_iter().zip(writes.named()) {
        let writes: Vec<_> = writes.iter().collect();
        let piece = writes.len().div_ceil(threads).max(1);
        for chunk in writes.chunks(piece) {
            runs.push((tree, chunk.to_vec()));
        }
    }
    runs.sort_by_key(|(_, w)| std::cmp::Reverse(w.len()));
    let mut shares: Vec<(usize, Vec<Run<'_>>)> = (0..threads).map(|_| (0, Vec::new())).collect();
    for run in runs {
        if let Some(least) = shares.iter_mut().min_by_key(|(n, _)| *n) {
            least.0 += run.1.len();
            least.1.push(run);
        }
    }
    std::thread::scope(|scope| {
        let writers: Vec<_> = shares
            .into_iter()
            .map(|(_, share)| {
                scope.spawn(move || -> sled::Result<()> {
                    for (tree, writes) in share {
                        for (k, v) in writes {
                            match v {
                                Some(v) => tree.insert(k.as_slice(), v.clone())?,
                                None => tree.remove(k.as_slice())?,
                            };
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        writers.into_iter().try_for_each(|w| {
            w.join()
                .unwrap_or_else(|_| Err(sled::Error::ReportableBug("bulk writer panicked".into())))
        })
    })
}

impl Trees<Staged<'_>> {
    /// Commit every staged write in one transaction.
    pub fn commit_atomically(&self) -> sled::Result<()> {
        let t = self.map(|s| s.tree);
        let all = (
            t.records, t.ids, t.index, t.terms, t.actors, t.meta, t.history, t.seq, t.groups,
        );
        let result = all.transaction(|tx| {
            let views = Trees {
                records: &tx.0,
                ids: &tx.1,
                index: &tx.2,
                terms: &tx.3,
                actors: &tx.4,
                meta: &tx.5,
                history: &tx.6,
                seq: &tx.7,
                groups: &tx.8,
            };
            for ((_, staged), (_, view)) in self.named().into_iter().zip(views.named()) {
                staged.write_to(view)?;
            }
            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
        });
        result.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(e) => e,
            sled::transaction::TransactionError::Abort(()) => {
                sled::Error::Unsupported("transaction aborted".to_owned())
            }
        })
    }

    /// The staged writes alone, each tree's in key order.
    pub fn into_writes(self) -> Trees<Writes> {
        Trees {
            records: self.records.writes,
            ids: self.ids.writes,
            index: self.index.writes,
            terms: self.terms.writes,
            actors: self.actors.writes,
            meta: self.meta.writes,
            history: self.history.writes,
            seq: self.seq.writes,
            groups: self.groups.writes,
        }
    }
}

/// Threads writing a rebuild's chunk: one per core but the one staging the next chunk
/// (`super::BulkLoad`), at least one, at most four. Before staging overlapped the writes, two
/// writers on two cores took a 100k-event replay from 6,800–7,900 to 12,100–12,900 events/s;
/// with the overlap, one writer beside the staging thread beat two (12,177 and 14,407 against
/// 11,836 and 12,128 events/s, alternating runs under load 3.6–5).
fn bulk_writers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .saturating_sub(1)
        .clamp(1, 4)
}

/// A batch's writes to one tree, in key order (`None`: removed).
pub type Writes = BTreeMap<Vec<u8>, Option<IVec>>;

/// One tree with a batch's writes on top, and below them, in a rebuild, the previous chunk's
/// writes while they are still being made to the tree: every key that chunk writes is read
/// from them, every other key from the tree, which that chunk does not change.
pub struct Staged<'a> {
    tree: &'a sled::Tree,
    below: Option<&'a Writes>,
    writes: Writes,
}

impl<'a> Staged<'a> {
    fn over(tree: &'a sled::Tree) -> Self {
        Staged {
            tree,
            below: None,
            writes: BTreeMap::new(),
        }
    }

    /// The value under `key`, the batch's own writes first.
    pub fn get(&self, key: &[u8]) -> sled::Result<Option<IVec>> {
        match self
            .writes
            .get(key)
            .or_else(|| self.below.and_then(|b| b.get(key)))
        {
            Some(v) => Ok(v.clone()),
            None => self.tree.get(key),
        }
    }

    /// Stage an insert.
    pub fn insert(&mut self, key: &[u8], value: impl Into<IVec>) {
        self.writes.insert(key.to_vec(), Some(value.into()));
    }

    /// Stage a removal.
    pub fn remove(&mut self, key: &[u8]) {
        self.writes.insert(key.to_vec(), None);
    }

    /// Entries with keys in `from..until`, in key order, the batch's writes applied.
    pub fn range(&self, from: &[u8], until: &[u8]) -> sled::Result<Vec<(Vec<u8>, IVec)>> {
        let mut out: BTreeMap<Vec<u8>, IVec> = BTreeMap::new();
        for kv in self.tree.range(from..until) {
            let (k, v) = kv?;
            out.insert(k.to_vec(), v);
        }
        for writes in self.below.into_iter().chain([&self.writes]) {
            for (k, v) in writes.range(from.to_vec()..until.to_vec()) {
                match v {
                    Some(v) => out.insert(k.clone(), v.clone()),
                    None => out.remove(k),
                };
            }
        }
        Ok(out.into_iter().collect())
    }

    /// The first entry in `range` (the last, `descending`) that is there with the batch's
    /// writes applied and whose key `hidden` does not hide: one step of each layer's iterator,
    /// more only past keys removed above it.
    pub fn nearest(
        &self,
        range: (Bound<&[u8]>, Bound<&[u8]>),
        descending: bool,
        hidden: impl Fn(&[u8]) -> bool,
    ) -> sled::Result<Option<(Vec<u8>, IVec)>> {
        // Whether a key found in some layer is there with every layer applied: the batch's
        // writes decide, then the writes below them, then the tree (where it was found).
        let live = |k: &[u8]| -> sled::Result<bool> {
            let top = self
                .writes
                .get(k)
                .or_else(|| self.below.and_then(|b| b.get(k)));
            Ok(!hidden(k) && top.is_none_or(Option::is_some))
        };
        // The value of a live key: the topmost layer's.
        let value = |k: &[u8], found: &IVec| -> IVec {
            match self
                .writes
                .get(k)
                .or_else(|| self.below.and_then(|b| b.get(k)))
            {
                Some(Some(v)) => v.clone(),
                _ => found.clone(),
            }
        };
        let beats = |k: &[u8], best: &Option<(Vec<u8>, IVec)>| {
            best.as_ref().is_none_or(|(b, _)| {
                if descending {
                    k > b.as_slice()
                } else {
                    k < b.as_slice()
                }
            })
        };
        let mut best: Option<(Vec<u8>, IVec)> = None;
        let stored = self.tree.range::<&[u8], _>(range);
        let stored: Box<dyn Iterator<Item = sled::Result<(IVec, IVec)>>> = if descending {
            Box::new(stored.rev())
        } else {
            Box::new(stored)
        };
        for kv in stored {
            let (k, v) = kv?;
            if live(&k)? {
                best = Some((k.to_vec(), value(&k, &v)));
                break;
            }
        }
        let owned = (range.0.map(<[u8]>::to_vec), range.1.map(<[u8]>::to_vec));
        for layer in self.below.into_iter().chain([&self.writes]) {
            let staged = layer.range::<Vec<u8>, _>(owned.clone());
            let staged: Box<dyn Iterator<Item = (&Vec<u8>, &Option<IVec>)>> = if descending {
                Box::new(staged.rev())
            } else {
                Box::new(staged)
            };
            for (k, v) in staged {
                if !beats(k, &best) {
                    break;
                }
                if let Some(v) = v
                    && live(k)?
                {
                    best = Some((k.clone(), value(k, v)));
                    break;
                }
            }
        }
        Ok(best)
    }

    /// Entries whose key starts with `prefix`.
    pub fn scan_prefix(&self, prefix: &[u8]) -> sled::Result<Vec<(Vec<u8>, IVec)>> {
        match prefix_end(prefix) {
            Some(end) => self.range(prefix, &end),
            None => Ok(Vec::new()),
        }
    }

    fn write_to(&self, tx: &TransactionalTree) -> Result<(), UnabortableTransactionError> {
        for (k, v) in &self.writes {
            match v {
                Some(v) => tx.insert(k.as_slice(), v.clone())?,
                None => tx.remove(k.as_slice())?,
            };
        }
        Ok(())
    }
}

/// The first key after every key that starts with `prefix` (`None`: there is none).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}
