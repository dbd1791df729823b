//! Upgrading the timeline's store format: a store left by an earlier version (version 1: JSON
//! records, no format version; version 2: ids as hex text in records, index values that do not
//! say whether an event is grouped; version 3: sled's default segments; version 4: index keys
//! that spell their term out; version 5: an index entry per posting and a feed entry per
//! sequence, not blocks of them) is detected at start and rebuilt from the EVENTS stream, after
//! which the timeline gives the same answers as before the upgrade.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::{ActivityEvent, EventKind};
use serde_json::{Value, json};

/// Every answer the test compares: the listing, one corroborated activity, counts, actors,
/// an actor's profile and an event's history.
async fn answers(app: &TestApp, corroborated: &ActivityEvent) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/v1/events?limit=500".to_owned(),
        "/v1/events?actor=曹立强&from=2023-11-01&to=2023-11-30".to_owned(),
        "/v1/events?target=乐高".to_owned(),
        "/v1/stats".to_owned(),
        "/v1/actors".to_owned(),
        "/v1/actors/曹立强".to_owned(),
        format!("/v1/events/{}/history", corroborated.id),
    ] {
        let (status, mut body) = app.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        // When a version was stored is not an answer about the events.
        for v in body["versions"].as_array_mut().into_iter().flatten() {
            v["stored_at"] = Value::Null;
            v["replaced_at"] = Value::Null;
        }
        out.push(json!({"path": path, "body": body}));
    }
    out
}

/// Write what the previous version kept for `events`: JSON records by id in `events`, its
/// `{tag}{term}\0{date}{id}` index in `idx`, counters in `meta`, and no format version.
fn write_version_1_store(dir: &std::path::Path, events: &[Value]) {
    std::fs::remove_dir_all(dir).unwrap();
    let db = sled::open(dir).unwrap();
    let (records, idx, meta) = (
        db.open_tree("events").unwrap(),
        db.open_tree("idx").unwrap(),
        db.open_tree("meta").unwrap(),
    );
    for (seq, e) in events.iter().enumerate() {
        let id = e["id"].as_str().unwrap();
        let date = e["when"]["start"].as_str().unwrap_or("0000-00-00");
        let stored = json!({"event": e, "stream_seq": seq + 1, "stored_at": chrono::Utc::now()});
        records
            .insert(id, serde_json::to_vec(&stored).unwrap())
            .unwrap();
        idx.insert(format!("d\0{date}{id}"), &[] as &[u8]).unwrap();
    }
    meta.insert("events", &(events.len() as u64).to_be_bytes())
        .unwrap();
    meta.insert("seq_index_v1", &[1u8]).unwrap();
    db.flush().unwrap();
}

/// Turn the (current) store in `dir` into one version 2 left: the same trees, format 2, index
/// values without their last field (whether the event is grouped, a postcard bool). Version 2
/// also wrote ids in records as hex text; those are left as they are, since a store of another
/// format is never read, only emptied and rebuilt.
fn write_version_2_store(dir: &std::path::Path, _events: &[Value]) {
    let db = open_sled(dir);
    unpack_to_version_5(&db);
    let index = db.open_tree("index").unwrap();
    let mut rewritten = 0;
    for kv in index.iter() {
        let (k, v) = kv.unwrap();
        assert!(
            matches!(v.last(), Some(0 | 1)),
            "not a version-3 index value"
        );
        index.insert(k, &v[..v.len() - 1]).unwrap();
        rewritten += 1;
    }
    assert!(rewritten > 0);
    db.open_tree("meta")
        .unwrap()
        .insert("format", &2u64.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

/// Turn the (current) store in `dir` into one version 3 left: the same trees and entries (sled's
/// own export and import), format 3, in a sled store made with sled's default segments.
fn write_version_3_store(dir: &std::path::Path, _events: &[Value]) {
    let exported = {
        let db = open_sled(dir);
        let meta = db.open_tree("meta").unwrap();
        meta.insert("format", &3u64.to_be_bytes()).unwrap();
        db.export()
            .into_iter()
            .map(|(kind, name, items)| (kind, name, items.collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    let made = dir.with_extension("v3");
    {
        let db = sled::open(&made).unwrap();
        db.import(
            exported
                .into_iter()
                .map(|(kind, name, items)| (kind, name, items.into_iter()))
                .collect(),
        );
        assert!(db.open_tree("records").unwrap().len() > 2);
        db.flush().unwrap();
    }
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::rename(&made, dir).unwrap();
}

/// Turn the (current) store in `dir` into one version 4 left: index keys that spell their term
/// out (`{tag}{term}\0{position}`, no terms tree), ids mapped to whole positions, format 4.
fn write_version_4_store(dir: &std::path::Path, _events: &[Value]) {
    let db = open_sled(dir);
    unpack_to_version_5(&db);
    let (index, terms, ids) = (
        db.open_tree("index").unwrap(),
        db.open_tree("terms").unwrap(),
        db.open_tree("ids").unwrap(),
    );
    // Term numbers are 4 bytes after the index's tag, and unique across indexes.
    let texts: std::collections::HashMap<Vec<u8>, Vec<u8>> = terms
        .iter()
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (v.to_vec(), k[1..].to_vec())
        })
        .collect();
    let entries: Vec<_> = index.iter().map(|kv| kv.unwrap()).collect();
    assert!(!entries.is_empty());
    for (k, v) in entries {
        assert_eq!(k.len(), 25, "not a version-5 index key");
        let mut old = vec![k[0]];
        old.extend_from_slice(&texts[&k[1..5]]);
        old.push(0);
        old.extend_from_slice(&k[5..]);
        index.remove(&k).unwrap();
        index.insert(old, v).unwrap();
    }
    for kv in ids.iter() {
        let (id, day) = kv.unwrap();
        ids.insert(&id, [&day[..], &id[..]].concat()).unwrap();
    }
    db.drop_tree("terms").unwrap();
    db.open_tree("meta")
        .unwrap()
        .insert("format", &4u64.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

/// The stopped timeline's sled in `dir`, opened as soon as the closing service has released
/// its lock (sled lets go a moment after the last handle is dropped).
fn open_sled(dir: &std::path::Path) -> sled::Db {
    let started = std::time::Instant::now();
    loop {
        match dongtai_timeline::store::sled_config(dir).open() {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && started.elapsed() < dongtai_timeline::store::LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other.unwrap(),
        }
    }
}

/// Unpack the (current) store's blocks into what version 5 kept: an index entry per posting
/// (`{tag}{term number}{position}` → its postcard listing) and a feed entry per sequence
/// (`{seq}` → position).
fn unpack_to_version_5(db: &sled::Db) {
    use dongtai_timeline::store::{feed, postings, record};
    let index = db.open_tree("index").unwrap();
    let blocks: Vec<_> = index.iter().map(|kv| kv.unwrap()).collect();
    assert!(!blocks.is_empty());
    for (k, v) in blocks {
        index.remove(&k).unwrap();
        for p in postings::decode_block(&v).unwrap() {
            let key = postings::block_key(&k[..5], &p.pos);
            index
                .insert(key, record::encode(&p.listing).unwrap())
                .unwrap();
        }
    }
    let seq = db.open_tree("seq").unwrap();
    let blocks: Vec<_> = seq.iter().map(|kv| kv.unwrap()).collect();
    for (k, v) in blocks {
        seq.remove(&k).unwrap();
        for (s, pos) in feed::decode_block(&k, &v).unwrap() {
            seq.insert(s.to_be_bytes(), &pos.bytes()[..]).unwrap();
        }
    }
}

/// Turn the (current) store in `dir` into one version 5 left: unpacked ([`unpack_to_version_5`]),
/// format 5.
fn write_version_5_store(dir: &std::path::Path, _events: &[Value]) {
    let db = open_sled(dir);
    unpack_to_version_5(&db);
    db.open_tree("meta")
        .unwrap()
        .insert("format", &5u64.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_the_previous_format_is_rebuilt_from_the_stream_with_the_same_answers() {
    let mut app = spawn_app().await;
    app.ingest_seed_page().await;
    let js = jetstream(&app).await;
    // Two reports of one visit (corroboration), one of them corrected later (history), and a
    // retracted event: what the rebuild has to get right besides plain events.
    use EventKind::{ExpoVisit, Meeting};
    let [a, mut b, gone] = [
        (
            "徐汇报 expo",
            ExpoVisit,
            "曹立强",
            "2023-11-07",
            "2023-11-07",
        ),
        (
            "新民晚报 expo",
            ExpoVisit,
            "曹立强",
            "2023-11-07",
            "2023-11-08",
        ),
        (
            "某报 meeting",
            Meeting,
            "钟晓咏",
            "2023-11-09",
            "2023-11-09",
        ),
    ]
    .map(|(article, kind, lead, start, end)| make_event(article, kind, lead, start, end));
    b.targets = vec!["乐高".into()];
    for e in [&a, &b, &gone] {
        publish_event(&js, e).await;
    }
    let mut corrected = b.clone();
    corrected.topic = Some("进博会巡馆".into());
    publish_event(&js, &corrected).await;
    publish_retraction(&js, &gone).await;
    let settled = dongtai_testkit::wait_until(std::time::Duration::from_secs(30), || async {
        let (_, e) = app.get(&format!("/v1/events/{}", gone.id)).await;
        let (_, c) = app.get(&format!("/v1/events/{}", b.id)).await;
        e["retracted"] == true && c["topic"] == "进博会巡馆"
    })
    .await;
    assert!(settled, "the timeline did not take in every event");
    // The seed page's events may still be on their way: wait until the answers hold still.
    let last = std::sync::Mutex::new(Vec::new());
    let still = dongtai_testkit::wait_until(std::time::Duration::from_secs(30), || async {
        let (now, count) = (answers(&app, &b).await, app.event_count().await);
        let mut last = last.lock().unwrap();
        let same = *last == now && count > 3;
        *last = now;
        same
    })
    .await;
    assert!(still, "the answers kept changing");
    let before = last.into_inner().unwrap();
    let messages = app.stream_messages(dongtai_proto::streams::EVENTS).await;
    let corroborated = before[1]["body"]["events"].as_array().unwrap().iter();
    assert!(
        corroborated
            .into_iter()
            .any(|e| e["source_count"].as_u64() >= Some(2)),
        "{}",
        before[1]
    );
    let listed = before[0]["body"]["events"].as_array().unwrap().clone();
    assert!(listed.len() > 2, "{}", before[0]);

    // The upgrade: the timeline's folder holds an earlier format (its durable consumer has
    // acked every message, so only a rebuild from the stream brings the events back).
    let earlier: [fn(&std::path::Path, &[Value]); 5] = [
        write_version_1_store,
        write_version_2_store,
        write_version_3_store,
        write_version_4_store,
        write_version_5_store,
    ];
    for write_earlier_store in earlier {
        app.stop_timeline().await;
        write_earlier_store(&app.sled_dir(), &listed);
        app.start_timeline().await;
        assert_eq!(
            app.stream_messages(dongtai_proto::streams::EVENTS).await,
            messages
        );
        let after = answers(&app, &b).await;
        for (x, y) in before.iter().zip(&after) {
            assert_eq!(x, y);
        }
    }
    // Opened again, the rebuilt store is current: nothing is rebuilt a second time.
    app.stop_timeline().await;
    let store = dongtai_timeline::store::TimelineStore::open(&app.sled_dir()).unwrap();
    assert!(!store.rebuild_pending().unwrap());
}
