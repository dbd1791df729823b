//! The store's format version and the rebuild marker, both in the meta tree.
//!
//! A store of another format (the JSON store before version 2 kept no version) is not read:
//! the view is rebuildable, so it is emptied and marked for a rebuild, which the service runs
//! from the EVENTS stream at start. The marker is written before a rebuild empties anything and
//! removed only after its last flush, so a rebuild that is interrupted runs again from scratch.

use super::StoreError;
use super::keys::decode_u64;
use super::trees::Trees;

/// The layout this code reads and writes. 3: index values say whether the event is grouped.
pub const CURRENT: u64 = 3;
/// Meta key of the format version.
const FORMAT: &[u8] = b"format";
/// Meta key present while the view must be (re)built from the stream.
const REBUILDING: &[u8] = b"rebuilding";
/// Trees of the version-1 (JSON) layout that version 2 no longer has.
const LEGACY_TREES: [&str; 2] = ["events", "idx"];

/// What [`check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A store of this format (or a new, empty one).
    Current,
    /// A store of another format, now emptied and marked for a rebuild: `None` is version 1.
    Other(Option<u64>),
}

/// Check the format of an opened store; empty and mark one of another format.
pub fn check(db: &sled::Db, trees: &Trees<sled::Tree>) -> Result<Found, StoreError> {
    let version = trees.meta.get(FORMAT)?.map(|v| decode_u64(&v));
    if version == Some(CURRENT) {
        return Ok(Found::Current);
    }
    let legacy = db
        .tree_names()
        .iter()
        .any(|n| LEGACY_TREES.iter().any(|l| l.as_bytes() == n.as_ref()));
    let empty = trees.named().iter().all(|(_, t)| t.is_empty());
    if version.is_none() && empty && !legacy {
        trees.meta.insert(FORMAT, &CURRENT.to_be_bytes())?;
        return Ok(Found::Current);
    }
    tracing::warn!(
        found = version.unwrap_or(1),
        expected = CURRENT,
        "the timeline store has another format; it will be rebuilt from the EVENTS stream"
    );
    begin_rebuild(db, trees)?;
    for name in LEGACY_TREES {
        db.drop_tree(name)?;
    }
    db.flush()?;
    Ok(Found::Other(version))
}

/// Mark the store as being rebuilt (flushed), then empty it.
pub fn begin_rebuild(db: &sled::Db, trees: &Trees<sled::Tree>) -> Result<(), StoreError> {
    trees.meta.insert(REBUILDING, &[1u8])?;
    db.flush()?;
    for (_, tree) in trees.named() {
        tree.clear()?;
    }
    trees.meta.insert(REBUILDING, &[1u8])?;
    trees.meta.insert(FORMAT, &CURRENT.to_be_bytes())?;
    db.flush()?;
    Ok(())
}

/// True while a rebuild is due or unfinished.
pub fn rebuild_pending(trees: &Trees<sled::Tree>) -> Result<bool, StoreError> {
    Ok(trees.meta.contains_key(REBUILDING)?)
}

/// Flush what the rebuild wrote, then clear the marker (flushed too).
pub async fn finish_rebuild(db: &sled::Db, trees: &Trees<sled::Tree>) -> Result<(), StoreError> {
    db.flush_async().await?;
    trees.meta.remove(REBUILDING)?;
    db.flush_async().await?;
    Ok(())
}
