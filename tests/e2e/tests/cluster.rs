//! Outgrowing one machine: a real 3-node JetStream cluster (nats-server child processes),
//! replicated streams, several extract workers and timeline replicas as real binaries, and
//! nodes killed with SIGKILL while articles flow. Whatever happens, every timeline replica ends
//! with exactly the events an undisturbed run finds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod procs;

use async_nats::jetstream;
use dongtai_common::{NatsArgs, StreamLimits};
use dongtai_proto::streams;
use dongtai_testkit::{NatsCluster, wait_until};
use std::time::Duration;

const STREAMS: [&str; 3] = [streams::ARTICLES, streams::EVENTS, streams::DEAD_ARTICLES];

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
