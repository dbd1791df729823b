//! The shared consume loop against a real nats-server: each outcome becomes what JetStream
//! hears (ack, nak with delay, dead letter then term), and a stop lets batches in flight settle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_nats::jetstream::{self, consumer::pull, stream};
use dongtai_common::consume::{self, DeadLetter, Pull};
use dongtai_common::{Metrics, Outcome};
use dongtai_testkit::{NatsServer, wait_until};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// `done` → Done; `retry` → RetryLater on its first delivery, Done after; anything else is
/// poison.
#[derive(Default)]
struct ByPayload {
    handled: AtomicUsize,
}

impl consume::Handler for ByPayload {
    type Staged = Vec<(String, i64)>;

    async fn stage(&self, batch: &[jetstream::Message]) -> Self::Staged {
        batch
            .iter()
            .map(|m| {
                let text = String::from_utf8_lossy(&m.payload).into_owned();
                (text, m.info().unwrap().delivered)
            })
            .collect()
    }

    async fn finish(&self, staged: Self::Staged) -> Vec<Outcome> {
        self.handled.fetch_add(staged.len(), Ordering::SeqCst);
        staged
            .into_iter()
            .map(|(text, delivered)| match text.as_str() {
                "done" => Outcome::Done,
                "retry" if delivered == 1 => Outcome::RetryLater(Duration::from_millis(200)),
                "retry" => Outcome::Done,
                other => Outcome::Poison(format!("cannot read {other:?}")),
            })
            .collect()
    }

    fn dead_letter(
        &self,
        msg: &jetstream::Message,
        deliveries: u64,
        reason: &str,
    ) -> anyhow::Result<DeadLetter> {
        let body = format!(
            "{reason} after {deliveries}: {}",
            String::from_utf8_lossy(&msg.payload)
        );
        Ok(DeadLetter {
            subject: "test.dead".to_owned(),
            payload: body.into(),
        })
    }
}

async fn publish(js: &jetstream::Context, payload: &'static str) {
    js.publish("test.in", payload.into())
        .await
        .unwrap()
        .await
        .unwrap();
}

async fn setup(
    nats: &NatsServer,
) -> (
    jetstream::Context,
    jetstream::consumer::Consumer<pull::Config>,
) {
    let client = async_nats::connect(nats.url()).await.unwrap();
    let js = jetstream::new(client);
    let s = js
        .create_stream(stream::Config {
            name: "TEST".into(),
            subjects: vec!["test.in".into(), "test.dead".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let consumer = s
        .create_consumer(pull::Config {
            durable_name: Some("worker".into()),
            filter_subject: "test.in".into(),
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .unwrap();
    (js, consumer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_outcome_becomes_an_ack_a_delayed_nak_or_a_dead_letter_then_a_term() {
    let nats = NatsServer::start();
    let (js, consumer) = setup(&nats).await;
    for payload in ["done", "retry", "garbage", "done"] {
        publish(&js, payload).await;
    }
    let metrics = Metrics::new("dongtai-test");
    let handler = Arc::new(ByPayload::default());
    let stop = CancellationToken::new();
    let pull = Pull {
        batch: 2,
        in_flight: 1,
        confirm_acks: true,
    };
    let running = tokio::spawn(consume::run(
        consumer.clone(),
        js.clone(),
        handler.clone(),
        pull,
        metrics.clone(),
        stop.clone(),
    ));

    let settled = wait_until(Duration::from_secs(20), || async {
        let info = consumer.get_info().await.unwrap();
        info.num_pending == 0
            && info.num_ack_pending == 0
            && info.num_redelivered == 0
            && handler.handled.load(Ordering::SeqCst) == 5
    })
    .await;
    assert!(
        settled,
        "{:?} handled {}",
        consumer.get_info().await.unwrap(),
        handler.handled.load(Ordering::SeqCst)
    );

    // The poison message is in the dead letters with its reason, once.
    let mut s = js.get_stream("TEST").await.unwrap();
    let dead = s
        .get_last_raw_message_by_subject("test.dead")
        .await
        .unwrap();
    assert_eq!(
        std::str::from_utf8(&dead.payload).unwrap(),
        "cannot read \"garbage\" after 1: garbage"
    );
    assert_eq!(s.info().await.unwrap().state.messages, 5);

    // Terminated, not redelivered: nothing more is handled.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(handler.handled.load(Ordering::SeqCst), 5);

    let text = metrics.encode();
    for line in [
        "dongtai_consumer_messages_total{consumer=\"worker\",outcome=\"done\"} 3",
        "dongtai_consumer_messages_total{consumer=\"worker\",outcome=\"retry\"} 1",
        "dongtai_consumer_messages_total{consumer=\"worker\",outcome=\"dead\"} 1",
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the loop stops on shutdown")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_keeps_consuming_across_a_nats_restart() {
    let mut nats = NatsServer::start();
    let (js, consumer) = setup(&nats).await;
    let handler = Arc::new(ByPayload::default());
    let stop = CancellationToken::new();
    let client =
        dongtai_common::connect(&dongtai_common::NatsArgs::plain(nats.url()), "dongtai-test")
            .await
            .unwrap();
    let running = tokio::spawn(consume::run(
        consumer,
        jetstream::new(client),
        handler.clone(),
        Pull {
            batch: 1,
            in_flight: 2,
            confirm_acks: false,
        },
        Metrics::new("dongtai-test"),
        stop.clone(),
    ));
    publish(&js, "done").await;
    assert!(
        wait_until(Duration::from_secs(10), || async {
            handler.handled.load(Ordering::SeqCst) == 1
        })
        .await
    );
    nats.restart();
    let client = async_nats::connect(nats.url()).await.unwrap();
    let js = jetstream::new(client);
    publish(&js, "done").await;
    assert!(
        wait_until(Duration::from_secs(30), || async {
            handler.handled.load(Ordering::SeqCst) >= 2
        })
        .await,
        "the loop never re-opened its pull after the restart"
    );
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the loop stops on shutdown")
        .unwrap();
}
