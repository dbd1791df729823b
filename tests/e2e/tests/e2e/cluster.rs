//! Outgrowing one machine: a real 3-node JetStream cluster (nats-server child processes),
//! replicated streams, several extract workers and timeline replicas as real binaries, and
//! nodes killed with SIGKILL while articles flow. Whatever happens, every timeline replica ends
//! with exactly the events an undisturbed run finds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::procs::{Service, expected_ids, push_gated, stored_ids, wait_for_count, wait_readyz};
use async_nats::jetstream;
use dongtai_common::{NatsArgs, StreamLimits};
use dongtai_proto::streams;
use dongtai_testkit::{NatsCluster, wait_until};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long a service of a three-node cluster may take to become ready: a bound, not a
/// timing (the test goes on as soon as all answer). Six processes and three nats-servers on
/// a 2-core machine under other load once took more than 30 s.
const READY_SECS: u64 = 60;

const STREAMS: [&str; 4] = [
    streams::ARTICLES,
    streams::EVENTS,
    streams::DEAD_ARTICLES,
    streams::DEAD_EVENTS,
];

async fn connect(urls: &str) -> async_nats::Client {
    dongtai_common::connect(&NatsArgs::plain(urls), "dongtai-test")
        .await
        .unwrap()
}

/// Wait until the cluster's JetStream answers (a meta leader is elected).
async fn wait_jetstream(client: &async_nats::Client) {
    let ready = wait_until(Duration::from_secs(60), || async {
        match client.request("$JS.API.INFO", "".into()).await {
            Ok(reply) => serde_json::from_slice::<serde_json::Value>(&reply.payload)
                .is_ok_and(|v| v.get("error").is_none()),
            Err(_) => false,
        }
    })
    .await;
    assert!(ready, "the cluster's JetStream never became available");
}

/// Replicas a stream is configured with and how many peers it has (leader included).
async fn replicas_of(js: &jetstream::Context, name: &str) -> (usize, usize) {
    let info = js
        .get_stream(name)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .clone();
    let peers = info
        .cluster
        .map(|c| usize::from(c.leader.is_some()) + c.replicas.len())
        .unwrap_or(1);
    (info.config.num_replicas, peers)
}

fn with_replicas(replicas: Option<usize>) -> StreamLimits {
    StreamLimits {
        replicas,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_replicas_are_configuration_and_an_existing_stream_is_changed_once() {
    let cluster = NatsCluster::start(3);
    let client = connect(&cluster.urls()).await;
    wait_jetstream(&client).await;
    let js = jetstream::new(client.clone());

    // Unset: a new stream gets one replica.
    dongtai_common::provision_streams_with(&js, &with_replicas(None))
        .await
        .unwrap();
    for name in STREAMS {
        assert_eq!(replicas_of(&js, name).await, (1, 1), "{name}");
    }
    // A consumer made on the single-replica stream, before it is replicated.
    let extract = dongtai_extract::extract_consumer(&js).await.unwrap();
    drop(extract);

    // Asked for three: the existing streams are changed.
    dongtai_common::provision_streams_with(&js, &with_replicas(Some(3)))
        .await
        .unwrap();
    for name in STREAMS {
        let settled = wait_until(Duration::from_secs(30), || async {
            replicas_of(&js, name).await == (3, 3)
        })
        .await;
        assert!(settled, "{name}: {:?}", replicas_of(&js, name).await);
    }
    // The consumer made before follows its stream (it inherits the count).
    let consumer_follows = wait_until(Duration::from_secs(30), || async {
        let mut consumer = js
            .get_consumer_from_stream::<jetstream::consumer::pull::Config, _, _>(
                streams::EXTRACT_CONSUMER,
                streams::ARTICLES,
            )
            .await
            .unwrap();
        let info = consumer.info().await.unwrap();
        info.cluster
            .as_ref()
            .is_some_and(|c| c.leader.is_some() && c.replicas.len() == 2)
    })
    .await;
    assert!(consumer_follows, "the extract consumer has three peers");

    // Asked again: nothing to change. Unset: a replicated stream is never shrunk.
    for name in STREAMS {
        let stream = js.get_stream(name).await.unwrap();
        assert!(
            !dongtai_common::ensure_replicas(&js, stream, 3)
                .await
                .unwrap()
        );
    }
    dongtai_common::provision_streams_with(&js, &with_replicas(None))
        .await
        .unwrap();
    for name in STREAMS {
        assert_eq!(replicas_of(&js, name).await.0, 3, "{name}");
    }
}

/// Whether every stream has a leader and all its replicas are current: the cluster is whole
/// again after a node came back.
async fn healed(js: &jetstream::Context, size: usize) -> bool {
    for name in STREAMS {
        let Ok(mut stream) = js.get_stream(name).await else {
            return false;
        };
        let Ok(info) = stream.info().await else {
            return false;
        };
        let Some(cluster) = &info.cluster else {
            return false;
        };
        if cluster.leader.is_none()
            || cluster.replicas.len() != size - 1
            || cluster.replicas.iter().any(|p| !p.current || p.offline)
        {
            return false;
        }
    }
    true
}

async fn leader_of(js: &jetstream::Context, name: &str) -> Option<String> {
    let mut stream = js.get_stream(name).await.ok()?;
    stream.info().await.ok()?.cluster.as_ref()?.leader.clone()
}

/// A line on stderr with the seconds since `start`: where a slow run spent its time.
fn phase(start: std::time::Instant, sent: &AtomicUsize, what: &str) {
    eprintln!(
        "[{:>6.1}s] {what} ({} articles sent)",
        start.elapsed().as_secs_f64(),
        sent.load(Ordering::Relaxed)
    );
}

async fn metric(http: &reqwest::Client, url: &str, name: &str) -> u64 {
    let text = crate::helpers::get_body(http, format!("{url}/metrics")).await;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_losing_a_node_and_then_a_stream_leader_loses_and_duplicates_nothing() {
    const ARTICLES: usize = 1000;
    const SEED: u64 = 15;
    let start = std::time::Instant::now();
    let sent = Arc::new(AtomicUsize::new(0));
    let articles = Arc::new(dongtai_corpus::generate(SEED, ARTICLES));
    let expected = expected_ids(&articles);
    let distinct_articles: BTreeSet<_> = articles
        .iter()
        .flat_map(|a| {
            let sub = dongtai_proto::ArticleSubmission {
                text: a.text.clone(),
                title: Some(a.title.clone()),
                published: Some(a.published),
                ..Default::default()
            };
            dongtai_ingest::publish::articles_of(sub, dongtai_ingest::publish::Layout::Article)
                .unwrap()
                .into_iter()
                .map(|art| art.id)
        })
        .collect();

    phase(start, &sent, "expected events computed");
    let mut cluster = NatsCluster::start(3);
    let urls = cluster.urls();
    let client = connect(&urls).await;
    wait_jetstream(&client).await;
    let js = jetstream::new(client.clone());
    phase(start, &sent, "cluster up");
    let dir = tempfile::tempdir().unwrap();
    let r3 = ("DONGTAI_STREAM_REPLICAS", "3".to_owned());

    // Ingest creates the streams, R3; then two extract workers and two timeline replicas.
    let ingest = Service::new(
        "dongtai-ingest",
        "serve",
        &urls,
        dir.path(),
        std::slice::from_ref(&r3),
    );
    let http = reqwest::Client::new();
    wait_readyz(&http, &[ingest.url()], 200, READY_SECS).await;
    let extracts: Vec<Service> = (1..=2)
        .map(|i| {
            Service::labelled(
                &format!("extract-{i}"),
                "dongtai-extract",
                "serve",
                &urls,
                dir.path(),
                std::slice::from_ref(&r3),
            )
        })
        .collect();
    let sleds = [dir.path().join("timeline-a"), dir.path().join("timeline-b")];
    let mut timelines: Vec<Service> = ["a", "b"]
        .iter()
        .zip(&sleds)
        .map(|(replica, sled)| {
            Service::labelled(
                &format!("timeline-{replica}"),
                "dongtai-timeline",
                "serve",
                &urls,
                dir.path(),
                &[
                    r3.clone(),
                    ("DONGTAI_TIMELINE_REPLICA", (*replica).to_owned()),
                    ("DONGTAI_DATA_DIR", sled.display().to_string()),
                ],
            )
        })
        .collect();
    let mut all: Vec<String> = extracts.iter().map(Service::url).collect();
    all.extend(timelines.iter().map(Service::url));
    wait_readyz(&http, &all, 200, READY_SECS).await;
    for name in STREAMS {
        assert_eq!(replicas_of(&js, name).await, (3, 3), "{name} is R3");
    }
    phase(start, &sent, "services ready");

    // The pusher sends as many articles as the gate lets through: a share before each kill,
    // a share while the node is down, a share once it is back.
    let (gate, gate_rx) = tokio::sync::watch::channel(0usize);
    let pusher = tokio::spawn(push_gated(
        ingest.url(),
        articles.clone(),
        sent.clone(),
        gate_rx,
    ));
    let flow = |upto: usize| {
        let (gate, sent) = (&gate, &sent);
        async move {
            gate.send_replace(upto);
            let reached = wait_until(Duration::from_secs(120), || async {
                sent.load(Ordering::Relaxed) >= upto
            })
            .await;
            assert!(reached, "the pusher stalled before {upto} articles");
            phase(start, sent, &format!("{upto} articles through"));
        }
    };
    let heal = |after: String| {
        let (js, sent) = (&js, &sent);
        async move {
            let whole = wait_until(Duration::from_secs(90), || healed(js, 3)).await;
            assert!(whole, "the cluster did not heal after {after} came back");
            phase(start, sent, &format!("healed after {after}"));
        }
    };

    // Kill 1: a node that leads neither ARTICLES nor EVENTS (a follower crashes).
    flow(ARTICLES / 5).await;
    let leaders = [
        leader_of(&js, streams::ARTICLES).await,
        leader_of(&js, streams::EVENTS).await,
    ];
    let follower = (0..cluster.size())
        .find(|&i| !leaders.iter().flatten().any(|l| l == cluster.name(i)))
        .unwrap_or(0);
    let mut killed = vec![cluster.name(follower).to_owned()];
    cluster.kill(follower);
    flow(ARTICLES * 7 / 20).await;
    cluster.restart(follower);
    heal(killed[0].clone()).await;

    // Kill 2: the leader of ARTICLES, where ingest writes; then 3: the leader of EVENTS. The
    // next share of articles is let through the moment the leader dies, so ingest meets the
    // election.
    let mut upto = ARTICLES * 7 / 20;
    for stream in [streams::ARTICLES, streams::EVENTS] {
        upto += ARTICLES / 10;
        flow(upto).await;
        let leader = leader_of(&js, stream).await.expect("a leader");
        let node = cluster.index_of(&leader).unwrap();
        cluster.kill(node);
        killed.push(format!("{leader} (leader of {stream})"));
        upto += ARTICLES / 5;
        flow(upto).await;
        let elected = wait_until(Duration::from_secs(60), || async {
            leader_of(&js, stream).await.is_some_and(|l| l != leader)
        })
        .await;
        assert!(elected, "{stream} got no new leader after {leader} died");
        cluster.restart(node);
        heal(leader).await;
    }
    flow(ARTICLES).await;

    let unavailable = tokio::time::timeout(Duration::from_secs(60), pusher)
        .await
        .expect("the pusher finished")
        .unwrap();
    let ingest_503 = metric(
        &http,
        &ingest.url(),
        "dongtai_ingest_publish_failures_total",
    )
    .await;
    let mut settled = true;
    for t in &timelines {
        settled &= wait_for_count(&http, &t.url(), expected.len(), 240).await;
    }
    phase(start, &sent, "timelines settled");
    // Both replicas answer a query the same way.
    let query = |url: String| {
        let http = http.clone();
        async move {
            http.get(format!("{url}/v1/events?limit=200&kind=site_inspection"))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let answers = [
        query(timelines[0].url()).await,
        query(timelines[1].url()).await,
    ];
    let (_, articles_state) = dongtai_common::nats::open_stream(&js, streams::ARTICLES)
        .await
        .unwrap();
    for t in &mut timelines {
        t.stop();
    }
    let mut lost = 0;
    let mut extra = 0;
    let mut duplicated = 0;
    for sled in &sleds {
        let (stored, entries) = stored_ids(sled);
        lost += expected.difference(&stored).count();
        extra += stored.difference(&expected).count();
        duplicated += entries - stored.len();
    }
    println!(
        "cluster: {ARTICLES} articles pushed to a 3-node R3 cluster with 2 extract workers and 2 \
         timeline replicas; nodes killed {}: {}; ingest answered 503 {unavailable}x (its metric: \
         {ingest_503}) and the pusher retried; ARTICLES holds {} messages for {} distinct \
         articles; expected {} events in each timeline: lost {lost}, extra {extra}, duplicated \
         {duplicated}",
        killed.len(),
        killed.join(", "),
        articles_state.messages,
        distinct_articles.len(),
        expected.len(),
    );
    assert!(
        settled,
        "a timeline never reached {} events",
        expected.len()
    );
    assert_eq!(lost, 0, "events lost");
    assert_eq!(extra, 0, "events an undisturbed run does not find");
    assert_eq!(duplicated, 0, "one date-index entry per event");
    assert_eq!(
        articles_state.messages,
        distinct_articles.len() as u64,
        "every article answered 202 is stored, once"
    );
    assert_eq!(
        answers[0], answers[1],
        "both replicas give the same answers"
    );
    assert!(
        answers[0]["events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
}
