//! Index postings packed into blocks: one sled entry holds up to [`MAX_POSTINGS`] postings of
//! one term, in date order.
//!
//! Why: sled keeps about 100 bytes on disk per small entry whatever its size (leaves split at
//! 16 items, each a page with its own header and log fragments), and each insert of a new key
//! costs ~10 µs of CPU, a node split every few inserts. An event has ~5.5 index entries; as
//! entries of their own they were half of the store's bytes and most of a replay's CPU
//! (README, issue 12). Packed, a term's postings cost one entry per block, and a batch or a
//! rebuild chunk writes each block it touched once ([`Postings`] keeps them decoded until the
//! batch ends).
//!
//! Layout: a block's key is `{tag}{term number}{position}` (what an index entry's key was),
//! where the position is at or before the block's first posting; a term's blocks do not
//! overlap, so the block holding position `p` is the one with the greatest key at or before
//! `{prefix}{p}`. A block that grows past [`MAX_POSTINGS`] splits in two, the second half under
//! the key of its first posting; one that empties is removed.

use super::StoreError;
use super::keys::{Day, IdKey, Position};
use super::record::{LeadFacts, Listing, decode, encode};
use super::trees::Staged;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

/// Postings a block holds at most. Each change to a block rewrites it whole (a batch's
/// events fall on random days of their terms, so most blocks take one posting a batch), and
/// sled keeps a page's rewrites in its log until a segment is under half live: large blocks
/// cut entries but grew the store loaded through the consumer's batches. 300k events loaded
/// (`dongtai-bench query`), bytes per event loaded / built by a 100k replay: 4 postings
/// 2,128 / 1,195; 6: 2,104 / 1,179; 8: 2,177 / 1,138; 16: 2,498 / 1,111; 32: 3,222 / 1,315;
/// an entry per posting (format 5): 2,627 / 1,751.
pub const MAX_POSTINGS: usize = 8;

/// Bytes of a block key: `{tag}{term number}{position}`.
pub const KEY_LEN: usize = 1 + super::keys::TermNo::LEN + Position::LEN;

/// A block's key.
pub type BlockKey = [u8; KEY_LEN];

/// One event under one term, with what a listing needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    /// Where the event is.
    pub pos: Position,
    /// Its last day, lead facts, whether it is grouped.
    pub listing: Listing,
}

/// A posting as a block stores it (postcard): days as differences, so most take a byte.
#[derive(Serialize, Deserialize)]
struct PostingRecord {
    /// Days after the previous posting's first day (the first: after day 0).
    day: u32,
    id: IdKey,
    /// Last day minus first day.
    span: u32,
    grouped: bool,
    lead: Option<LeadFacts>,
}

/// A block's bytes; `postings` in position order.
pub fn encode_block(postings: &[Posting]) -> Result<Vec<u8>, StoreError> {
    let mut previous = 0u32;
    let records: Vec<PostingRecord> = postings
        .iter()
        .map(|p| {
            let first = p.pos.day.raw();
            let r = PostingRecord {
                day: first.wrapping_sub(previous),
                id: p.pos.id,
                span: p.listing.last.wrapping_sub(first),
                grouped: p.listing.grouped,
                lead: p.listing.lead.clone(),
            };
            previous = first;
            r
        })
        .collect();
    encode(&records)
}

/// A block's postings from its bytes.
pub fn decode_block(bytes: &[u8]) -> Result<Vec<Posting>, StoreError> {
    let records: Vec<PostingRecord> = decode(bytes)?;
    let mut previous = 0u32;
    Ok(records
        .into_iter()
        .map(|r| {
            let first = previous.wrapping_add(r.day);
            previous = first;
            Posting {
                pos: Position {
                    day: Day::from_raw(first),
                    id: r.id,
                },
                listing: Listing {
                    last: first.wrapping_add(r.span),
                    lead: r.lead,
                    grouped: r.grouped,
                },
            }
        })
        .collect())
}

/// The block key of `pos` under `prefix` (`{tag}{term number}`).
pub fn block_key(prefix: &[u8], pos: &Position) -> BlockKey {
    let mut k = [0u8; KEY_LEN];
    k[..KEY_LEN - Position::LEN].copy_from_slice(prefix);
    k[KEY_LEN - Position::LEN..].copy_from_slice(&pos.bytes());
    k
}

/// True when `pos` is within `range`.
pub fn within(range: &(Bound<Position>, Bound<Position>), pos: &Position) -> bool {
    use std::ops::RangeBounds as _;
    range.contains(pos)
}

/// A batch's changes to the index's blocks, decoded, over the staged index tree: each block is
/// read (at most) once and written once, when the batch ends ([`Postings::write`]).
#[derive(Default)]
pub struct Postings {
    /// Blocks this batch changed: key → postings (empty: the block is removed).
    changed: BTreeMap<BlockKey, Vec<Posting>>,
    /// In a bulk load, every block key of each term touched so far, this batch's changes
    /// applied, so finding a posting's block asks no tree: a rebuild chunk touches each term
    /// many times, and the tree's reverse range lookups were half of a replay's staging (perf).
    /// `None` in a consumer batch, which touches thousands of terms about once each.
    known: Option<HashMap<TermPrefix, BTreeSet<BlockKey>>>,
    /// The last block a lookup found in the tree, with its bytes: the block a posting goes
    /// into is found and then read, and the lookup has read it already (one sled traversal
    /// instead of two, in a consumer batch ~10 % of the write path, perf).
    found: Option<(BlockKey, sled::IVec)>,
}

/// `{tag}{term number}`: what every block key of a term starts with.
type TermPrefix = [u8; KEY_LEN - Position::LEN];

impl Postings {
    /// A batch's postings; `bulk`: a rebuild chunk (see [`Postings::known`]).
    pub fn new(bulk: bool) -> Self {
        Postings {
            changed: BTreeMap::new(),
            known: bulk.then(HashMap::new),
            found: None,
        }
    }

    /// Add (or replace) `posting` under `prefix`.
    pub fn insert(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
        posting: Posting,
    ) -> Result<(), StoreError> {
        let at = block_key(prefix, &posting.pos);
        let key = match self.floor(index, prefix, &at)? {
            Some(key) => {
                self.hold(index, &key)?;
                key
            }
            // Before every block of the term: the first block (if any) moves to this key.
            None => {
                let moved = match self.ceiling(index, prefix, &at)? {
                    Some(next) => {
                        self.hold(index, &next)?;
                        self.note(prefix, None, Some(next));
                        self.changed.insert(next, Vec::new()).unwrap_or_default()
                    }
                    None => Vec::new(),
                };
                self.note(prefix, Some(at), None);
                self.changed.insert(at, moved);
                at
            }
        };
        let Some(block) = self.changed.get_mut(&key) else {
            return Err(StoreError::Invalid("index block"));
        };
        match block.binary_search_by(|p| p.pos.cmp(&posting.pos)) {
            Ok(i) => block[i] = posting,
            Err(i) => block.insert(i, posting),
        }
        if block.len() > MAX_POSTINGS {
            let right = block.split_off(block.len() / 2);
            let right_key = block_key(prefix, &right[0].pos);
            self.changed.insert(right_key, right);
            self.note(prefix, Some(right_key), None);
        }
        Ok(())
    }

    /// Take the posting at `pos` under `prefix` away (nothing when there is none).
    pub fn remove(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
        pos: &Position,
    ) -> Result<(), StoreError> {
        let Some(key) = self.floor(index, prefix, &block_key(prefix, pos))? else {
            return Ok(());
        };
        self.hold(index, &key)?;
        if let Some(block) = self.changed.get_mut(&key)
            && let Ok(i) = block.binary_search_by(|p| p.pos.cmp(pos))
        {
            block.remove(i);
            if block.is_empty() {
                self.note(prefix, None, Some(key));
            }
        }
        Ok(())
    }

    /// Make sure the block under `key` is among the changed ones (read once from the tree).
    fn hold(&mut self, index: &Staged<'_>, key: &BlockKey) -> Result<(), StoreError> {
        if !self.changed.contains_key(key) {
            let bytes = match self.found.take() {
                Some((k, v)) if k == *key => Some(v),
                _ => index.get(key)?,
            };
            let block = match bytes {
                Some(v) => decode_block(&v)?,
                None => Vec::new(),
            };
            self.changed.insert(*key, block);
        }
        Ok(())
    }

    /// The postings under `prefix` from `from` (inclusive) until `until` (exclusive), in
    /// position order, this batch's changes applied.
    pub fn range(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
        from: &Position,
        until: &Position,
    ) -> Result<Vec<Posting>, StoreError> {
        let (lo, hi) = (block_key(prefix, from), block_key(prefix, until));
        if lo >= hi {
            return Ok(Vec::new());
        }
        let start = self.floor(index, prefix, &lo)?.unwrap_or(lo);
        let mut keys: BTreeSet<BlockKey> = BTreeSet::new();
        if let Some(known) = self.term_keys(index, prefix)? {
            keys.extend(known.range(start..hi));
        } else {
            self.stored_keys(index, &start, &hi, &mut keys)?;
        }
        let range = (Bound::Included(*from), Bound::Excluded(*until));
        let mut out = Vec::new();
        for key in keys {
            match self.changed.get(&key) {
                Some(block) => out.extend(block.iter().filter(|p| within(&range, &p.pos)).cloned()),
                None => {
                    if let Some(v) = index.get(&key)? {
                        out.extend(
                            decode_block(&v)?
                                .into_iter()
                                .filter(|p| within(&range, &p.pos)),
                        );
                    }
                }
            }
        }
        Ok(out)
    }

    /// The keys of the blocks in `start..hi` (stored, or made by this batch) into `keys`.
    fn stored_keys(
        &self,
        index: &Staged<'_>,
        start: &BlockKey,
        hi: &BlockKey,
        keys: &mut BTreeSet<BlockKey>,
    ) -> Result<(), StoreError> {
        for (k, _) in index.range(start, hi)? {
            if let Ok(k) = BlockKey::try_from(k.as_slice())
                && self.changed.get(&k).is_none_or(|b| !b.is_empty())
            {
                keys.insert(k);
            }
        }
        keys.extend(
            self.changed
                .range(*start..*hi)
                .filter(|(_, b)| !b.is_empty())
                .map(|(k, _)| *k),
        );
        Ok(())
    }

    /// Every block key of the term `prefix` in a bulk load (read from the tree the first time
    /// the batch touches the term); `None` in a consumer batch.
    fn term_keys(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
    ) -> Result<Option<&BTreeSet<BlockKey>>, StoreError> {
        let Ok(term) = TermPrefix::try_from(prefix) else {
            return Err(StoreError::Invalid("index term prefix"));
        };
        if self.known.as_ref().is_some_and(|k| !k.contains_key(&term)) {
            let mut keys = BTreeSet::new();
            let first = block_key(prefix, &Position::first_on(Day::NONE));
            if let Some(end) = super::trees::prefix_end(prefix) {
                for (k, _) in index.range(&first, &end)? {
                    if let Ok(k) = BlockKey::try_from(k.as_slice())
                        && !self.is_removed(&k)
                    {
                        keys.insert(k);
                    }
                }
            }
            keys.extend(
                self.changed
                    .range(first..)
                    .take_while(|(k, _)| k.starts_with(prefix))
                    .filter(|(_, b)| !b.is_empty())
                    .map(|(k, _)| *k),
            );
            if let Some(known) = &mut self.known {
                known.insert(term, keys);
            }
        }
        Ok(self.known.as_ref().and_then(|k| k.get(&term)))
    }

    /// Keep the known keys of a term in step with a block made (`add`) or gone (`drop`).
    fn note(&mut self, prefix: &[u8], add: Option<BlockKey>, drop: Option<BlockKey>) {
        let Some(keys) = TermPrefix::try_from(prefix)
            .ok()
            .and_then(|t| self.known.as_mut()?.get_mut(&t))
        else {
            return;
        };
        if let Some(k) = drop {
            keys.remove(&k);
        }
        if let Some(k) = add {
            keys.insert(k);
        }
    }

    /// Stage every changed block into the index tree (removed ones as removals).
    pub fn write(self, index: &mut Staged<'_>) -> Result<(), StoreError> {
        for (key, block) in self.changed {
            if block.is_empty() {
                index.remove(&key);
            } else {
                index.insert(&key, encode_block(&block)?);
            }
        }
        Ok(())
    }

    /// The greatest block key under `prefix` at or before `at`.
    fn floor(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
        at: &BlockKey,
    ) -> Result<Option<BlockKey>, StoreError> {
        let first = block_key(prefix, &Position::first_on(Day::NONE));
        self.nearest(
            index,
            prefix,
            (Bound::Included(first), Bound::Included(*at)),
            true,
        )
    }

    /// The least block key under `prefix` after `at`.
    fn ceiling(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
        at: &BlockKey,
    ) -> Result<Option<BlockKey>, StoreError> {
        let mut last = [u8::MAX; KEY_LEN];
        last[..prefix.len()].copy_from_slice(prefix);
        self.nearest(
            index,
            prefix,
            (Bound::Excluded(*at), Bound::Included(last)),
            false,
        )
    }

    /// The first block key of the term `prefix` in `range` (the last, `descending`): from the
    /// term's known keys in a bulk load, else the nearer of the tree's and this batch's.
    fn nearest(
        &mut self,
        index: &Staged<'_>,
        prefix: &[u8],
        range: (Bound<BlockKey>, Bound<BlockKey>),
        descending: bool,
    ) -> Result<Option<BlockKey>, StoreError> {
        if let Some(known) = self.term_keys(index, prefix)? {
            let mut keys = known.range(range);
            return Ok(if descending {
                keys.next_back()
            } else {
                keys.next()
            }
            .copied());
        }
        let removed = |k: &[u8]| self.is_removed(k);
        let bytes = (
            range.0.as_ref().map(|k| &k[..]),
            range.1.as_ref().map(|k| &k[..]),
        );
        let stored = index.nearest(bytes, descending, removed)?;
        let stored = stored.and_then(|(k, v)| Some((BlockKey::try_from(k.as_slice()).ok()?, v)));
        let mut mine = self
            .changed
            .range(range)
            .filter(|(_, b)| !b.is_empty())
            .map(|(k, _)| *k);
        let mine = if descending {
            mine.next_back()
        } else {
            mine.next()
        };
        let nearest = best(stored.as_ref().map(|(k, _)| *k), mine, descending);
        self.found = stored.filter(|(k, _)| Some(*k) == nearest);
        Ok(nearest)
    }

    fn is_removed(&self, key: &[u8]) -> bool {
        BlockKey::try_from(key)
            .ok()
            .and_then(|k| self.changed.get(&k))
            .is_some_and(Vec::is_empty)
    }
}

/// Of a stored key and a key of this batch, the greater (`greatest`) or the lesser.
fn best(stored: Option<BlockKey>, mine: Option<BlockKey>, greatest: bool) -> Option<BlockKey> {
    match (stored, mine) {
        (Some(a), Some(b)) => Some(if greatest { a.max(b) } else { a.min(b) }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::TimelineStore;
    use dongtai_proto::{ArticleId, EventKind};

    fn posting(day: u32, id: u8, lead: bool) -> Posting {
        Posting {
            pos: Position {
                day: Day::from_raw(day),
                id: IdKey::read(&[id; 16]).unwrap(),
            },
            listing: Listing {
                last: day + u32::from(id % 3),
                lead: lead.then(|| LeadFacts {
                    kind: EventKind::Meeting,
                    article: super::super::keys::ArticleKey::of(&ArticleId::of_text("a")),
                    activity: id.is_multiple_of(2).then(|| IdKey::read(&[7; 16]).unwrap()),
                }),
                grouped: id.is_multiple_of(2),
            },
        }
    }

    #[test]
    fn a_block_reads_back_as_the_postings_it_was_written_from() {
        let block: Vec<_> = (0..20u8)
            .map(|i| posting(738_000 + u32::from(i) * 3, i, i % 4 == 0))
            .collect();
        let bytes = encode_block(&block).unwrap();
        assert_eq!(decode_block(&bytes).unwrap(), block);
        // Plain postings take about their id and three bytes.
        let plain: Vec<_> = (0..20u8)
            .map(|i| posting(738_000 + u32::from(i), i, false))
            .collect();
        assert!(encode_block(&plain).unwrap().len() < 20 * 21);
    }

    #[test]
    fn postings_in_any_order_split_into_blocks_that_list_them_in_order_and_remove_cleanly() {
        // A consumer batch asks the tree for each block; a bulk load keeps each term's keys.
        for bulk in [false, true] {
            in_any_order(bulk);
        }
    }

    fn in_any_order(bulk: bool) {
        let dir = tempfile::tempdir().unwrap();
        let store = TimelineStore::open(dir.path()).unwrap();
        let prefix = [b'a', 0, 0, 0, 1];
        let other = [b'a', 0, 0, 0, 2];
        // A pseudo-random order, some earlier than every block so far, several batches.
        let order: Vec<u32> = (0..200u32).map(|i| (i * 7919) % 200).collect();
        let all_range = |staged: &Staged<'_>, p: &mut Postings, prefix: &[u8]| {
            p.range(
                staged,
                prefix,
                &Position::first_on(Day::NONE),
                &Position::first_on(Day::MAX),
            )
            .unwrap()
        };
        for batch in order.chunks(45) {
            let mut trees = store.trees.stage();
            let mut p = Postings::new(bulk);
            for &i in batch {
                p.insert(
                    &trees.index,
                    &prefix,
                    posting(1000 + i, (i % 250) as u8, i % 5 == 0),
                )
                .unwrap();
                p.insert(&trees.index, &other, posting(5000 - i, 1, false))
                    .unwrap();
            }
            p.write(&mut trees.index).unwrap();
            trees.commit_atomically().unwrap();
        }
        let trees = store.trees.stage();
        let mut p = Postings::new(bulk);
        let listed = all_range(&trees.index, &mut p, &prefix);
        let days: Vec<u32> = listed.iter().map(|p| p.pos.day.raw()).collect();
        assert_eq!(days, (1000..1200).collect::<Vec<_>>());
        assert_eq!(all_range(&trees.index, &mut p, &other).len(), 200);
        assert!(store.trees.index.len() > 200 / MAX_POSTINGS);
        // Every block holds at most MAX_POSTINGS.
        for kv in store.trees.index.iter() {
            let (_, v) = kv.unwrap();
            assert!(decode_block(&v).unwrap().len() <= MAX_POSTINGS);
        }
        // A range in the middle, then every posting removed: no block is left.
        let mid = p
            .range(
                &trees.index,
                &prefix,
                &Position::first_on(Day::from_raw(1050)),
                &Position::first_on(Day::from_raw(1060)),
            )
            .unwrap();
        assert_eq!(mid.len(), 10);
        let mut trees = store.trees.stage();
        let mut p = Postings::new(bulk);
        for i in 0..200u32 {
            p.remove(
                &trees.index,
                &prefix,
                &posting(1000 + i, (i % 250) as u8, false).pos,
            )
            .unwrap();
            p.remove(&trees.index, &other, &posting(5000 - i, 1, false).pos)
                .unwrap();
        }
        assert!(all_range(&trees.index, &mut p, &prefix).is_empty());
        p.write(&mut trees.index).unwrap();
        trees.commit_atomically().unwrap();
        assert!(store.trees.index.is_empty());
    }
}
