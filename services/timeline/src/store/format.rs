//! The store's format version and the rebuild marker, both in the meta tree.
//!
//! A store of another format (the JSON store before version 2 kept no version) is not read:
//! the view is rebuildable, so it is emptied and marked for a rebuild, which the service runs
//! from the EVENTS stream at start. The marker is written before a rebuild empties anything and
//! removed only after its last flush, so a rebuild that is interrupted runs again from scratch.
//!
//! Format 4 is format 3 in smaller sled segments ([`super::SEGMENT_BYTES`]). sled records the
//! segment size in its own `conf` file and refuses to open a store with another, so the meta
//! tree of an older store cannot even be read: its files are removed
//! ([`discard_other_settings`]) and a new store is made and marked, with a file in the folder
//! ([`REPLACING`]) standing for the marker until the new store holds it, so a crash part way
//! still ends in a rebuild.

use super::keys::decode_u64;
use super::trees::Trees;
use super::{LOCK_WAIT, StoreError};
use std::path::Path;

/// The layout this code reads and writes. 3: index values say whether the event is grouped.
/// 4: sled segments of [`super::SEGMENT_BYTES`]. 5: index keys carry a term's number
/// ([`super::keys::TermNo`], the terms tree) instead of its text, lead entries an activity id
/// only when it is not their own, and the ids tree a first day instead of a position.
/// 6: index postings packed into blocks ([`super::postings`]), the feed's sequence entries too
/// ([`super::feed`]).
pub const CURRENT: u64 = 6;
/// File in the store's folder from the moment the files of a store made with other sled
/// settings start being removed until the store made in their place is marked for a rebuild.
pub const REPLACING: &str = "replacing-store";
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

/// Check the format of the store opened from `dir`; empty and mark one of another format.
pub fn check(dir: &Path, db: &sled::Db, trees: &Trees<sled::Tree>) -> Result<Found, StoreError> {
    let replacing = dir.join(REPLACING);
    if replacing.exists() {
        tracing::warn!(
            expected = CURRENT,
            "the timeline store was made with other sled settings; it will be rebuilt from the EVENTS stream"
        );
        begin_rebuild(db, trees)?;
        std::fs::remove_file(&replacing)?;
        sync_dir(dir)?;
        return Ok(Found::Other(None));
    }
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

/// True when sled refused to open a store because it was made with other settings (the
/// segment size of format 3 and earlier). sled says so only in the message of an
/// `Unsupported` error ("cannot change ... across restarts").
pub fn is_made_with_other_settings(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Unsupported(m) if m.contains("across restarts"))
}

/// Remove the files of the sled store in `dir` made with other settings, first writing
/// [`REPLACING`] (so the store made in its place is rebuilt, whenever this stops), and `conf`,
/// which holds those settings, last. The store's own lock is taken first: a previous process still
/// closing it is waited for (up to [`LOCK_WAIT`]), as [`super::TimelineStore::open_with_cache`]
/// does.
pub fn discard_other_settings(dir: &Path) -> Result<(), StoreError> {
    let marker = std::fs::File::create(dir.join(REPLACING))?;
    marker.sync_all()?;
    sync_dir(dir)?;
    let db_file = dir.join("db");
    if db_file.exists() {
        let file = std::fs::OpenOptions::new().write(true).open(&db_file)?;
        let started = std::time::Instant::now();
        while file.try_lock().is_err() {
            if started.elapsed() > LOCK_WAIT {
                return Err(std::io::Error::other("the store is locked by another process").into());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::fs::remove_file(&db_file)?;
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with("snap.") {
            std::fs::remove_file(entry.path())?;
        }
    }
    let blobs = dir.join("blobs");
    if blobs.exists() {
        std::fs::remove_dir_all(&blobs)?;
    }
    std::fs::remove_file(dir.join("conf"))?;
    sync_dir(dir)?;
    tracing::warn!(dir = %dir.display(), "removed a timeline store made with other sled settings");
    Ok(())
}

/// Make the entries of `dir` (files created or removed) durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}
