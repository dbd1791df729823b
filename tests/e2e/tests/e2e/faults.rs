//! Faults with real processes: the three service binaries and nats-server, started by the test,
//! killed with SIGKILL at seeded random moments. Whatever happens, the timeline ends with exactly
//! the events an undisturbed run finds: none lost, none duplicated.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::procs::{
    Service, expected_ids, push_all, stored_ids, timeline_count, wait_for_count, wait_readyz,
};
use dongtai_proto::EventId;
use dongtai_testkit::{NatsServer, wait_until};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A tiny seeded generator for kill moments.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_extract_and_timeline_loses_and_duplicates_nothing() {
    const ARTICLES: usize = 2000;
    const SEED: u64 = 20231110;
    let articles = Arc::new(dongtai_corpus::generate(SEED, ARTICLES));
    let expected = expected_ids(&articles);
    assert!(
        expected.len() > ARTICLES / 2,
        "the generator writes activities"
    );

    let nats = NatsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let sled = dir.path().join("timeline");
    let ingest = Service::new("dongtai-ingest", "serve", nats.url(), dir.path(), &[]);
    let mut extract = Service::new("dongtai-extract", "serve", nats.url(), dir.path(), &[]);
    let mut timeline = Service::new(
        "dongtai-timeline",
        "serve",
        nats.url(),
        dir.path(),
        &[("DONGTAI_DATA_DIR", sled.display().to_string())],
    );
    let http = reqwest::Client::new();
    wait_readyz(
        &http,
        &[ingest.url(), extract.url(), timeline.url()],
        200,
        20,
    )
    .await;

    let sent = Arc::new(AtomicUsize::new(0));
    let pusher = tokio::spawn(push_all(ingest.url(), articles.clone(), sent.clone()));

    // Ten kills at seeded moments (by articles sent), alternating services in seeded order.
    let mut rng = SEED;
    let mut moments: Vec<usize> = (0..10)
        .map(|_| (splitmix(&mut rng) % (ARTICLES as u64 * 9 / 10)) as usize)
        .collect();
    moments.sort_unstable();
    let mut order: Vec<bool> = (0..10).map(|i| i < 5).collect(); // 5 extract, 5 timeline
    for i in (1..order.len()).rev() {
        order.swap(i, (splitmix(&mut rng) % (i as u64 + 1)) as usize);
    }
    let (mut extract_kills, mut timeline_kills) = (0, 0);
    for (at, kill_extract) in moments.iter().zip(order) {
        while sent.load(Ordering::Relaxed) < *at {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let victim = if kill_extract {
            &mut extract
        } else {
            &mut timeline
        };
        victim.kill9();
        tokio::time::sleep(Duration::from_millis(50 + splitmix(&mut rng) % 250)).await;
        victim.start();
        if kill_extract {
            extract_kills += 1
        } else {
            timeline_kills += 1
        }
    }
    pusher.await.unwrap();
    let settled = wait_for_count(&http, &timeline.url(), expected.len(), 180).await;
    let count = timeline_count(&http, &timeline.url()).await;
    timeline.stop();
    let (stored, entries) = stored_ids(&sled);
    let lost = expected.difference(&stored).count();
    let extra = stored.difference(&expected).count();
    println!(
        "faults: {ARTICLES} articles sent, extract killed {extract_kills}x and timeline killed {timeline_kills}x \
         (each restarted); expected {} events, timeline has {} ({entries} index entries); lost {lost}, extra {extra}",
        expected.len(),
        stored.len()
    );
    assert!(
        settled,
        "timeline count {count:?} never reached {}",
        expected.len()
    );
    assert_eq!(extract_kills + timeline_kills, 10);
    assert_eq!(lost, 0, "events lost");
    assert_eq!(extra, 0, "events that an undisturbed run does not find");
    assert_eq!(
        entries,
        stored.len(),
        "one date-index entry per event: nothing duplicated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_server_restart_mid_stream_loses_nothing_and_ingest_says_503_meanwhile() {
    const ARTICLES: usize = 400;
    let articles = Arc::new(dongtai_corpus::generate(77, ARTICLES));
    let expected = expected_ids(&articles);
    let mut nats = NatsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let sled = dir.path().join("timeline");
    let ingest = Service::new("dongtai-ingest", "serve", nats.url(), dir.path(), &[]);
    let _extract = Service::new("dongtai-extract", "serve", nats.url(), dir.path(), &[]);
    let mut timeline = Service::new(
        "dongtai-timeline",
        "serve",
        nats.url(),
        dir.path(),
        &[("DONGTAI_DATA_DIR", sled.display().to_string())],
    );
    let http = reqwest::Client::new();
    wait_readyz(&http, &[ingest.url(), timeline.url()], 200, 20).await;
    let sent = Arc::new(AtomicUsize::new(0));
    let pusher = tokio::spawn(push_all(ingest.url(), articles.clone(), sent.clone()));
    while sent.load(Ordering::Relaxed) < ARTICLES / 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    nats.kill();
    // While it is down: not ready, and an article gets 503, never 202.
    wait_readyz(&http, &[ingest.url(), timeline.url()], 503, 15).await;
    let probe = http
        .post(format!("{}/v1/articles", ingest.url()))
        .header("content-type", "application/json")
        .body(serde_json::json!({"text": "3月1日上午，县委书记王建国前往城关镇调研。"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 503);
    nats.restart();
    wait_readyz(&http, &[ingest.url(), timeline.url()], 200, 30).await; // reconnected by itself
    let unavailable = pusher.await.unwrap();
    let settled = wait_for_count(&http, &timeline.url(), expected.len(), 120).await;
    timeline.stop();
    let (stored, _) = stored_ids(&sled);
    println!(
        "nats restart: {ARTICLES} articles, {unavailable} answered 503 and retried; expected {} events, stored {}",
        expected.len(),
        stored.len()
    );
    assert!(settled);
    assert_eq!(stored, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_acks_only_what_sled_has_flushed() {
    let nats = NatsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let sled = dir.path().join("timeline");
    let mut timeline = Service::new(
        "dongtai-timeline",
        "serve",
        nats.url(),
        dir.path(),
        &[("DONGTAI_DATA_DIR", sled.display().to_string())],
    );
    let http = reqwest::Client::new();
    wait_readyz(&http, &[timeline.url()], 200, 20).await;
    let js = async_nats::jetstream::new(async_nats::connect(nats.url()).await.unwrap());
    let fixture: dongtai_proto::ActivityEvent = serde_json::from_str(
        &std::fs::read_to_string(dongtai_testkit::repo_root().join("proto/fixtures/v1/event.json"))
            .unwrap(),
    )
    .unwrap();
    let mut ids = BTreeSet::new();
    for i in 0..1000u32 {
        // A thousand different activities: each its own article and lead, as a busy news day.
        let mut e = fixture.clone();
        e.source.article_id = dongtai_proto::ArticleId::of_text(&format!("burst article {i}"));
        e.actors[0].name = format!("官员{i}");
        e.id = EventId::derive(&e.source.article_id, "burst", Some(&i.to_string()), &[]);
        ids.insert(e.id.clone());
        js.publish(
            dongtai_proto::subjects::event(e.kind),
            serde_json::to_vec(&e).unwrap().into(),
        )
        .await
        .unwrap();
    }
    // The moment the consumer's ack floor covers the burst, kill -9.
    let acked = wait_until(Duration::from_secs(90), || async {
        let mut c = js
            .get_consumer_from_stream::<async_nats::jetstream::consumer::pull::Config, _, _>(
                dongtai_proto::streams::timeline_consumer("main"),
                dongtai_proto::streams::EVENTS,
            )
            .await
            .unwrap();
        c.info().await.unwrap().ack_floor.stream_sequence >= 1000
    })
    .await;
    assert!(acked);
    timeline.kill9();
    let (stored, _) = stored_ids(&sled);
    assert_eq!(stored, ids, "every acked event is in sled after kill -9");
}
