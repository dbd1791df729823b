//! Store behaviour: batches, corroboration (joining and bridging activities), retractions,
//! and what opening a store of an earlier format (JSON, other sled segments) does.
#![allow(clippy::unwrap_used)]

use super::*;

/// The v1 fixture (a forest chief inspection led by one person, one day) with its id and
/// article replaced.
fn report(id: &str, article: char) -> ActivityEvent {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../../../proto/fixtures/v1/event.json")).unwrap();
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
    let groups: Vec<_> = [&b, &a]
        .iter()
        .map(|e| store.get(&e.id).unwrap().unwrap().group)
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
    let group = |e: &ActivityEvent| store.get(&e.id).unwrap().unwrap().activity_id();
    assert_eq!(group(&same), first.id.to_string());
    assert_eq!(group(&other_kind), other_kind.id.to_string());
    assert_eq!(group(&same_article), same_article.id.to_string());
    // Reported once: no group, so queries do not look for other reports.
    assert_eq!(store.get(&other_kind.id).unwrap().unwrap().group, None);
    assert_eq!(
        store.get(&first.id).unwrap().unwrap().group,
        Some(first.id.to_string())
    );
    // The first report corrected: still the activity of the other, and listed with it.
    let mut corrected = first.clone();
    corrected.confidence = 0.5;
    store.upsert(&corrected, 9).unwrap();
    assert_eq!(group(&corrected), first.id.to_string());
    assert_eq!(store.group_members(first.id.as_str()).unwrap().len(), 2);
}

#[test]
fn a_place_is_found_by_place_and_by_target_and_an_update_leaves_no_stale_entry() {
    let (_dir, store) = empty_store();
    let mut e = report("a1000000000000000000000000000000", 'a');
    e.places = vec!["东湖林场".into()];
    e.targets = vec!["甲科技公司".into()];
    store.upsert(&e, 1).unwrap();
    let ask = |place: Option<&str>, target: Option<&str>| {
        use crate::query::{EventQuery, Filter};
        let place = place.map(|p| Filter::Place(p.into()));
        let target = target.map(|t| Filter::Target(vec![t.into()]));
        let q = EventQuery::new(place.into_iter().chain(target), 10);
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
fn a_term_is_numbered_once_and_its_entries_are_found_across_batches_and_terms_never_indexed_find_nothing()
 {
    let (_dir, store) = empty_store();
    let mut a = report("a2000000000000000000000000000000", 'a');
    a.targets = vec!["乐高".into(), "迅销".into()];
    let mut b = report("b2000000000000000000000000000000", 'b');
    b.targets = vec!["乐高".into()];
    b.when.start = "2023-12-01".parse().ok();
    b.when.end = b.when.start;
    store.upsert(&a, 1).unwrap();
    store.apply_batch(vec![upsert(&b, 2)]).unwrap();
    let hits = |term: &str| {
        store
            .scan(Index::Target, term, None, None)
            .map(|h| h.unwrap().0.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(hits("乐高"), vec![IdKey::of(&a.id), IdKey::of(&b.id)]);
    assert_eq!(hits("迅销"), vec![IdKey::of(&a.id)]);
    assert!(hits("从未出现").is_empty());
    // The same text under another index is another term.
    assert!(
        store
            .scan(Index::Actor, "乐高", None, None)
            .next()
            .is_none()
    );
    // Numbered once: the terms tree holds each (index, text) once.
    let numbers: Vec<_> = store
        .trees
        .terms
        .iter()
        .values()
        .map(|v| v.unwrap())
        .collect();
    let distinct: std::collections::BTreeSet<_> = numbers.iter().cloned().collect();
    assert_eq!(numbers.len(), distinct.len());
    // A retraction takes the entries away; the number stays for the next event of the term.
    store.retract(&a.id, 3).unwrap();
    assert_eq!(hits("乐高"), vec![IdKey::of(&b.id)]);
    assert!(hits("迅销").is_empty());
    let before = store.trees.terms.len();
    store.upsert(&a, 4).unwrap();
    assert_eq!(store.trees.terms.len(), before);
    assert_eq!(hits("迅销"), vec![IdKey::of(&a.id)]);
}

#[test]
fn a_store_of_format_5_is_emptied_and_marked_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    {
        // Format 5 had the same sled settings and trees but an index entry per posting and a
        // feed entry per sequence: only its version tells it apart.
        let store = TimelineStore::open(dir.path()).unwrap();
        store
            .upsert(&report("a0000000000000000000000000000000", 'a'), 1)
            .unwrap();
        store
            .trees
            .meta
            .insert("format", &5u64.to_be_bytes())
            .unwrap();
        store.db.flush().unwrap();
    }
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
    assert_eq!(store.record_count(), 0);
    assert_eq!(store.event_count().unwrap(), 0);
    assert!(store.trees.index.is_empty());
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

#[test]
fn a_report_that_bridges_two_activities_merges_them_into_the_smallest_id() {
    // (An article that reports two activities keeps them apart: see
    // a_later_report_joins_the_stored_activity_of_a_shared_lead_but_not_another_kind.)
    let (_dir, store) = empty_store();
    // Two reports of one lead on days that do not overlap: two activities.
    let mut early = report("b1000000000000000000000000000000", 'a');
    early.when.start = Some("2023-11-05".parse().unwrap());
    early.when.end = Some("2023-11-05".parse().unwrap());
    let mut late = report("a1000000000000000000000000000000", 'b');
    late.when.start = Some("2023-11-07".parse().unwrap());
    late.when.end = Some("2023-11-07".parse().unwrap());
    let mut late_too = report("c1000000000000000000000000000000", 'c');
    late_too.when = late.when.clone();
    store
        .apply_batch(vec![
            upsert(&early, 1),
            upsert(&late, 2),
            upsert(&late_too, 3),
        ])
        .unwrap();
    let group = |e: &ActivityEvent| store.get(&e.id).unwrap().unwrap().activity_id();
    assert_eq!(group(&early), early.id.to_string());
    // Reported once: the activity needs no membership entry.
    assert!(!store.is_member(&early.id, &early.id).unwrap());
    assert_eq!(store.group_members(early.id.as_str()).unwrap().len(), 1);
    assert_eq!(group(&late_too), late.id.to_string());
    // A third article reports the whole visit, 5 to 7 November: one activity.
    let mut bridge = report("d1000000000000000000000000000000", 'd');
    bridge.when.start = early.when.start;
    bridge.when.end = late.when.end;
    store.upsert(&bridge, 4).unwrap();
    for e in [&early, &late, &late_too, &bridge] {
        assert_eq!(group(e), late.id.to_string(), "{}", e.id);
        assert!(store.is_member(&late.id, &e.id).unwrap());
    }
    assert!(!store.is_member(&early.id, &early.id).unwrap());
    assert_eq!(store.group_members(late.id.as_str()).unwrap().len(), 4);
    // The merged reports' index entries carry the new activity: a later report finds it.
    let mut later = report("e1000000000000000000000000000000", 'e');
    later.when = early.when.clone();
    store.upsert(&later, 5).unwrap();
    assert_eq!(group(&later), late.id.to_string());
}

#[test]
fn a_bulk_chunk_stores_what_a_transaction_would() {
    let (_d1, one) = empty_store();
    let (_d2, bulk) = empty_store();
    let a = report("a0000000000000000000000000000000", 'a');
    let b = report("b0000000000000000000000000000000", 'b');
    let mut newer = a.clone();
    newer.confidence = 0.1;
    let changes = vec![
        upsert(&a, 1),
        upsert(&b, 2),
        upsert(&newer, 3),
        (Change::Retract(b.id.clone()), 4),
    ];
    one.apply_batch(changes.clone()).unwrap();
    assert_eq!(bulk.apply_bulk(changes).unwrap(), 4);
    assert_same_answers(&one, &bulk, &[&a, &b]);
}

/// `one` and `bulk` hold the same versions of `events`, histories, counts and actors.
fn assert_same_answers(one: &TimelineStore, bulk: &TimelineStore, events: &[&ActivityEvent]) {
    for id in events.iter().map(|e| &e.id) {
        let strip = |s: Option<StoredEvent>| s.map(|s| (s.event, s.retracted, s.group));
        assert_eq!(strip(one.get(id).unwrap()), strip(bulk.get(id).unwrap()));
        assert_eq!(
            one.history(id).unwrap().len(),
            bulk.history(id).unwrap().len()
        );
    }
    assert_eq!(one.event_count().unwrap(), bulk.event_count().unwrap());
    assert_eq!(one.actors().unwrap(), bulk.actors().unwrap());
    assert_eq!(one.last_seq().unwrap(), bulk.last_seq().unwrap());
}

#[test]
fn chunks_staged_over_the_writes_of_the_chunk_before_store_what_one_transaction_would() {
    let (_d1, one) = empty_store();
    let (_d2, bulk) = empty_store();
    let a = report("a0000000000000000000000000000000", 'a');
    let b = report("b0000000000000000000000000000000", 'b');
    let c = report("c0000000000000000000000000000000", 'c');
    let mut newer = a.clone();
    newer.confidence = 0.1;
    // The second chunk corrects, retracts and corroborates what the first stored: each change
    // reads what the chunk before wrote, whether or not its writes are done.
    let chunks = [
        vec![upsert(&a, 1), upsert(&b, 2)],
        vec![
            upsert(&newer, 3),
            (Change::Retract(b.id.clone()), 4),
            upsert(&c, 5),
        ],
    ];
    let mut load = bulk.bulk_load();
    for chunk in &chunks {
        one.apply_batch(chunk.clone()).unwrap();
        load.apply(chunk.clone()).unwrap();
    }
    load.finish().unwrap();
    assert_same_answers(&one, &bulk, &[&a, &b, &c]);
    assert_eq!(bulk.group_members(a.id.as_str()).unwrap().len(), 2);
}

#[test]
fn writes_still_being_made_are_read_before_the_tree_and_hide_what_they_remove() {
    let (_dir, store) = empty_store();
    let t = &store.trees;
    t.seq.insert(b"k1", b"old".as_slice()).unwrap();
    t.seq.insert(b"k2", b"gone".as_slice()).unwrap();
    let mut below = t.map(|_| trees::Writes::new());
    below
        .seq
        .insert(b"k1".to_vec(), Some(b"new".as_slice().into()));
    below.seq.insert(b"k2".to_vec(), None);
    below
        .seq
        .insert(b"k3".to_vec(), Some(b"more".as_slice().into()));
    let staged = t.stage_over(&below);
    assert_eq!(staged.seq.get(b"k1").unwrap().unwrap(), b"new".as_slice());
    assert_eq!(staged.seq.get(b"k2").unwrap(), None);
    let keys: Vec<_> = staged
        .seq
        .scan_prefix(b"k")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, vec![b"k1".to_vec(), b"k3".to_vec()]);
}

#[tokio::test]
async fn a_store_of_the_json_layout_is_emptied_and_marked_for_a_rebuild_that_starts_over_if_cut_short()
 {
    let dir = tempfile::tempdir().unwrap();
    {
        // What version 1 left on disk: JSON events by id, a `{tag}{term}\0{date}{id}` index,
        // counters, and no format version.
        let db = sled::open(dir.path()).unwrap();
        let e = report("a0000000000000000000000000000000", 'a');
        let stored = serde_json::json!({"event": e, "stream_seq": 1, "stored_at": Utc::now()});
        db.open_tree("events")
            .unwrap()
            .insert(e.id.as_str(), serde_json::to_vec(&stored).unwrap())
            .unwrap();
        db.open_tree("idx")
            .unwrap()
            .insert(format!("d\u{0}2023-11-05{}", e.id), &[] as &[u8])
            .unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("events", &1u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
    assert_eq!(store.event_count().unwrap(), 0);
    drop(store);
    // Still marked after a restart, until a rebuild finishes.
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
    let e = report("a0000000000000000000000000000000", 'a');
    let f = report("b0000000000000000000000000000000", 'b');
    // A rebuild that stops half way (a crash: flushed, never finished) is still due, and the
    // next one starts from an empty store.
    store.begin_rebuild().unwrap();
    store.apply_bulk(vec![upsert(&f, 1)]).unwrap();
    store.flush().await.unwrap();
    drop(store);
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
    store.begin_rebuild().unwrap();
    assert_eq!(store.record_count(), 0);
    store.apply_bulk(vec![upsert(&e, 1)]).unwrap();
    store.finish_rebuild().await.unwrap();
    drop(store);
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(!store.rebuild_pending().unwrap());
    assert_eq!(store.event_count().unwrap(), 1);
    assert!(store.get(&f.id).unwrap().is_none());
}

#[test]
fn a_new_store_needs_no_rebuild() {
    let (_dir, store) = empty_store();
    assert!(!store.rebuild_pending().unwrap());
}

#[test]
fn a_store_still_locked_by_a_closing_handle_is_waited_for() {
    let (dir, first) = empty_store();
    let path = dir.path().to_path_buf();
    // The first handle closes a little later, as a previous process exiting would.
    let closer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(first);
    });
    let second = TimelineStore::open(&path).unwrap();
    assert!(!second.rebuild_pending().unwrap());
    closer.join().unwrap();
}

/// A sled store in `dir` with sled's default segments (what format 3 and earlier were),
/// holding one record.
fn write_format_3_store(dir: &std::path::Path) {
    let db = sled::open(dir).unwrap();
    db.open_tree("records").unwrap().insert("x", "y").unwrap();
    db.open_tree("meta")
        .unwrap()
        .insert("format", &3u64.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

#[test]
fn a_store_of_other_sled_segments_is_replaced_by_one_marked_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    write_format_3_store(dir.path());
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
    assert_eq!(store.record_count(), 0);
    assert!(!dir.path().join(format::REPLACING).exists());
    drop(store);
    // sled made the new store with today's segments: it opens with them (once the dropped
    // store's background flusher has let go of its lock, which on a busy machine takes a
    // moment: the same wait the store itself makes).
    assert!(open_waiting(&sled_config(dir.path()), dir.path()).is_ok());
}

#[test]
fn a_replacement_cut_short_after_the_old_files_went_still_ends_in_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    write_format_3_store(dir.path());
    // A crash right after the old store's files were removed: only the marker file is left.
    format::discard_other_settings(dir.path()).unwrap();
    assert!(dir.path().join(format::REPLACING).exists());
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
    drop(store);
    let store = TimelineStore::open(dir.path()).unwrap();
    assert!(store.rebuild_pending().unwrap());
}

#[test]
fn scans_over_many_blocks_list_exactly_the_range_both_ways_and_the_feed_skips_stale_entries() {
    let (_dir, store) = empty_store();
    // 300 events of one target over 100 days, in a scattered order, in several batches: many
    // blocks of the target, split and re-keyed along the way.
    let event = |i: u32| {
        let mut e = report(&format!("{:032x}", (i * 7919) % 1000 + 1), 'a');
        e.when.start = Some(
            chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
                + chrono::Days::new(u64::from((i * 37) % 100)),
        );
        e.when.end = e.when.start;
        e.targets = vec!["乐高".into()];
        e.source.article_id = dongtai_proto::ArticleId::of_text(&i.to_string());
        e
    };
    let events: Vec<_> = (0..300).map(event).collect();
    for (n, chunk) in events.chunks(70).enumerate() {
        let changes = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| upsert(e, (n * 70 + i + 1) as u64))
            .collect();
        store.apply_batch(changes).unwrap();
    }
    let mut all: Vec<Position> = events.iter().map(Position::of).collect();
    all.sort();
    let scan = |range: (Bound<Position>, Bound<Position>), descending| -> Vec<Position> {
        store
            .scan_range(Index::Target, "乐高", range, descending)
            .map(|h| h.unwrap().pos)
            .collect()
    };
    let (a, b) = (all[41], all[230]);
    for range in [
        (Bound::Unbounded, Bound::Unbounded),
        (Bound::Included(a), Bound::Excluded(b)),
        (Bound::Excluded(a), Bound::Included(b)),
        (Bound::Included(Position::first_on(a.day)), Bound::Unbounded),
        (Bound::Unbounded, Bound::Excluded(a)),
        (Bound::Included(b), Bound::Excluded(a)),
    ] {
        use std::ops::RangeBounds as _;
        let want: Vec<_> = all.iter().copied().filter(|p| range.contains(p)).collect();
        assert_eq!(scan(range, false), want, "{range:?}");
        let mut backwards = want.clone();
        backwards.reverse();
        assert_eq!(scan(range, true), backwards, "{range:?}");
    }
    // Blocks hold several postings each, never more than the bound, never none.
    let blocks: Vec<usize> = store
        .trees
        .index
        .iter()
        .values()
        .map(|v| postings::decode_block(&v.unwrap()).unwrap().len())
        .collect();
    assert!(
        blocks
            .iter()
            .all(|n| (1..=postings::MAX_POSTINGS).contains(n))
    );
    assert!(
        blocks.iter().sum::<usize>() >= 3 * blocks.len(),
        "{blocks:?}"
    );
    // The feed: every event once, in stream order; an event published again moves to its new
    // sequence and its old entry is skipped.
    assert_eq!(store.changed_since(0, 1000).unwrap().len(), 300);
    let mut moved = events[3].clone();
    moved.when.start = Some(chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
    moved.when.end = moved.when.start;
    store.upsert(&moved, 301).unwrap();
    store.upsert(&events[5], 302).unwrap();
    let seqs: Vec<u64> = store
        .changed_since(0, 1000)
        .unwrap()
        .iter()
        .map(|e| e.stream_seq)
        .collect();
    assert_eq!(seqs.len(), 300);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(&seqs[298..], &[301, 302]);
    assert_eq!(store.changed_since(250, 10).unwrap()[0].stream_seq, 251);
    assert_eq!(store.last_seq().unwrap(), 302);
    assert_eq!(scan((Bound::Unbounded, Bound::Unbounded), false).len(), 300);
}
