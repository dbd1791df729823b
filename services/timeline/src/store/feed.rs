//! The feed's entries (which event each stream sequence published, for the SSE feed and the
//! actor name index's catch-up), packed [`SEQ_BLOCK`] sequences to a sled entry:
//! `{seq / SEQ_BLOCK}` → `{seq % SEQ_BLOCK}{position}` for each sequence stored.
//!
//! Why: a consumer batch and a rebuild chunk hold consecutive sequences, so packed they write
//! one or two entries where an entry per event cost a sled insert (~10 µs) and ~100 bytes on
//! disk each (README, issue 12). An entry is never taken out when its event is published
//! again: a reader skips an entry whose record is at another sequence by now.

use super::StoreError;
use super::keys::{Position, decode_u64};
use super::trees::Staged;
use std::collections::BTreeMap;

/// Sequences per block. 64 entries of 21 bytes keep a sled leaf of 16 blocks at 21 KiB, under
/// a quarter of a segment (past which sled writes a page as a file of its own).
pub const SEQ_BLOCK: u64 = 64;

/// Bytes of one entry in a block: the sequence's offset in its block, then the position.
const ENTRY_LEN: usize = 1 + Position::LEN;

/// The key of the block holding `seq`.
pub fn block_key(seq: u64) -> [u8; 8] {
    (seq / SEQ_BLOCK).to_be_bytes()
}

/// The entries of the block under `key`, in sequence order: (stream sequence, position).
pub fn decode_block(key: &[u8], value: &[u8]) -> Result<Vec<(u64, Position)>, StoreError> {
    let base = decode_u64(key).saturating_mul(SEQ_BLOCK);
    if !value.len().is_multiple_of(ENTRY_LEN) {
        return Err(StoreError::Invalid("feed block"));
    }
    value
        .chunks_exact(ENTRY_LEN)
        .map(|c| {
            let pos = Position::read(&c[1..]).ok_or(StoreError::Invalid("feed entry"))?;
            Ok((base + u64::from(c[0]), pos))
        })
        .collect()
}

/// A block's bytes from its entries by offset.
fn encode_block(entries: &BTreeMap<u8, Position>) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * ENTRY_LEN);
    for (offset, pos) in entries {
        out.push(*offset);
        out.extend_from_slice(&pos.bytes());
    }
    out
}

/// A batch's feed entries, written block by block when the batch ends.
#[derive(Default)]
pub struct FeedEntries {
    added: BTreeMap<u64, Position>,
}

impl FeedEntries {
    /// `seq` published the event now at `pos`.
    pub fn add(&mut self, seq: u64, pos: Position) {
        self.added.insert(seq, pos);
    }

    /// Stage the entries into the seq tree, each block read and written once.
    pub fn write(self, seq_tree: &mut Staged<'_>) -> Result<(), StoreError> {
        let mut blocks: BTreeMap<[u8; 8], Vec<(u64, Position)>> = BTreeMap::new();
        for (seq, pos) in self.added {
            blocks.entry(block_key(seq)).or_default().push((seq, pos));
        }
        for (key, added) in blocks {
            let mut entries: BTreeMap<u8, Position> = match seq_tree.get(&key)? {
                Some(v) => decode_block(&key, &v)?
                    .into_iter()
                    .map(|(seq, pos)| (offset(seq), pos))
                    .collect(),
                None => BTreeMap::new(),
            };
            for (seq, pos) in added {
                entries.insert(offset(seq), pos);
            }
            seq_tree.insert(&key, encode_block(&entries));
        }
        Ok(())
    }
}

/// The offset of `seq` in its block (under [`SEQ_BLOCK`], so it fits a byte).
fn offset(seq: u64) -> u8 {
    (seq % SEQ_BLOCK) as u8
}
