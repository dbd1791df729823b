//! The newsroom's side of NATS, with deploy/nats/accounts.conf and the real `newsroom` user:
//! its durable consumer gives it every event at least once across its own restarts, and the
//! user can do that and nothing else (no publishing, no stream changes, no articles).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_nats::jetstream::{self, AckKind, consumer::pull};
use dongtai_proto::{streams, subjects};
use dongtai_testkit::{NatsServer, repo_root, wait_until};
use futures::StreamExt as _;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn auth_env() -> Vec<(String, String)> {
    ["INGEST", "EXTRACT", "TIMELINE", "NEWSROOM"]
        .iter()
        .map(|u| {
            (
                format!("DONGTAI_{u}_NATS_PASSWORD"),
                format!("pw-{}", u.to_lowercase()),
            )
        })
        .collect()
}

fn server() -> NatsServer {
    NatsServer::start_with_env(
        Some(repo_root().join("deploy/nats/accounts.conf")),
        auth_env(),
    )
}

async fn connect_as(url: &str, user: &str) -> async_nats::Client {
    async_nats::ConnectOptions::new()
        .user_and_password(user.into(), format!("pw-{user}"))
        .connect(url)
        .await
        .unwrap()
}

/// The newsroom as its clients connect (README): its own inbox prefix. Server errors (the
/// permission violations) are collected in `errors`.
async fn newsroom(url: &str, errors: Arc<Mutex<Vec<String>>>) -> async_nats::Client {
    async_nats::ConnectOptions::new()
        .user_and_password("newsroom".into(), "pw-newsroom".into())
        .custom_inbox_prefix(streams::NEWSROOM_INBOX_PREFIX)
        .event_callback(move |event| {
            let errors = errors.clone();
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    errors.lock().unwrap().push(e.to_string());
                }
            }
        })
        .connect(url)
        .await
        .unwrap()
}

/// The streams and the newsroom's consumer, provisioned as the timeline does at start.
async fn provision(url: &str) -> jetstream::Context {
    let js = jetstream::new(connect_as(url, "timeline").await);
    dongtai_common::provision_streams(&js).await.unwrap();
    dongtai_common::provision_newsroom_consumer(&js)
        .await
        .unwrap();
    js
}

/// Publish events `range` as the extract user (ids `event-N`, as the payload too).
async fn publish_events(js: &jetstream::Context, range: std::ops::Range<u32>) {
    for i in range {
        let id = format!("event-{i:04}");
        dongtai_common::nats::publish_durable(
            js,
            subjects::event(dongtai_proto::EventKind::Meeting),
            &id,
            id.clone().into(),
        )
        .await
        .unwrap();
    }
}

async fn newsroom_consumer(
    client: &async_nats::Client,
) -> jetstream::consumer::Consumer<pull::Config> {
    // Bound by name: finding a stream by subject or listing streams is not the newsroom's.
    jetstream::new(client.clone())
        .get_consumer_from_stream(streams::NEWSROOM_CONSUMER, streams::EVENTS)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newsrooms_durable_consumer_delivers_every_event_across_its_restart() {
    const FIRST: u32 = 150;
    const ALL: u32 = 250;
    let nats = server();
    let timeline_js = provision(nats.url()).await;
    let extract_js = jetstream::new(connect_as(nats.url(), "extract").await);
    publish_events(&extract_js, 0..FIRST).await;

    // First run: ack 100 events, take 5 more without acking, then die (no drain, no nak).
    let errors = Arc::new(Mutex::new(Vec::new()));
    let mut acks: BTreeMap<String, usize> = BTreeMap::new();
    let mut unacked = BTreeSet::new();
    {
        let client = newsroom(nats.url(), errors.clone()).await;
        let consumer = newsroom_consumer(&client).await;
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(20)
            .messages()
            .await
            .unwrap();
        while acks.len() + unacked.len() < 105 {
            let m = tokio::time::timeout(Duration::from_secs(10), messages.next())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .unwrap();
            let id = String::from_utf8(m.payload.to_vec()).unwrap();
            if acks.len() < 100 {
                // Acked and confirmed by the server before the newsroom moves on.
                m.double_ack().await.unwrap();
                *acks.entry(id).or_default() += 1;
            } else {
                unacked.insert(id);
            }
        }
    }
    // While the newsroom is away, events keep coming.
    publish_events(&extract_js, FIRST..ALL).await;

    // Second run: everything not acked arrives (the 5 held ones once their ack wait passes),
    // and nothing acked before comes again.
    let client = newsroom(nats.url(), errors.clone()).await;
    let consumer = newsroom_consumer(&client).await;
    let mut messages = consumer.messages().await.unwrap();
    let mut again = Vec::new();
    let deadline = dongtai_common::nats::NEWSROOM_ACK_WAIT + Duration::from_secs(30);
    let complete = tokio::time::timeout(deadline, async {
        while acks.len() < ALL as usize {
            let m = messages.next().await.unwrap().unwrap();
            let id = String::from_utf8(m.payload.to_vec()).unwrap();
            if acks.contains_key(&id) {
                again.push(id.clone());
            }
            m.ack_with(AckKind::Ack).await.unwrap();
            *acks.entry(id).or_default() += 1;
        }
    })
    .await;
    assert!(
        complete.is_ok(),
        "only {} of {ALL} events acked",
        acks.len()
    );
    assert!(again.is_empty(), "acked events delivered again: {again:?}");
    assert!(unacked.iter().all(|id| acks[id] == 1));
    assert!(acks.values().all(|&n| n == 1), "each event acked once");
    let expected: BTreeSet<String> = (0..ALL).map(|i| format!("event-{i:04}")).collect();
    assert_eq!(acks.keys().cloned().collect::<BTreeSet<_>>(), expected);
    // The server agrees: nothing pending, nothing waiting for an ack.
    let settled = wait_until(Duration::from_secs(10), || async {
        let mut c = timeline_js
            .get_consumer_from_stream::<pull::Config, _, _>(
                streams::NEWSROOM_CONSUMER,
                streams::EVENTS,
            )
            .await
            .unwrap();
        let info = c.info().await.unwrap();
        info.num_pending == 0
            && info.num_ack_pending == 0
            && info.ack_floor.stream_sequence == u64::from(ALL)
    })
    .await;
    assert!(settled, "the consumer's ack floor covers every event");
    assert!(
        errors.lock().unwrap().is_empty(),
        "{:?}",
        errors.lock().unwrap()
    );
}

/// Whether the server refused (a denied request gets no answer: the request times out).
async fn denied<T, E>(result: Result<T, E>) -> bool {
    result.is_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newsroom_user_cannot_publish_change_streams_or_read_articles() {
    let nats = server();
    let timeline_js = provision(nats.url()).await;
    let extract_js = jetstream::new(connect_as(nats.url(), "extract").await);
    dongtai_extract::extract_consumer(&extract_js)
        .await
        .unwrap();
    let ingest_js = jetstream::new(connect_as(nats.url(), "ingest").await);
    ingest_js
        .publish(subjects::ARTICLES_NEW, "an article".into())
        .await
        .unwrap()
        .await
        .unwrap();
    publish_events(&extract_js, 0..1).await;
    let before = |name: &'static str| {
        let js = timeline_js.clone();
        async move {
            js.get_stream(name)
                .await
                .unwrap()
                .info()
                .await
                .unwrap()
                .clone()
        }
    };
    let events_before = before(streams::EVENTS).await;
    let articles_before = before(streams::ARTICLES).await;

    let errors = Arc::new(Mutex::new(Vec::new()));
    let client = newsroom(nats.url(), errors.clone()).await;
    let js = jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(2))
        .build(client.clone());

    // What it may do: read its consumer (a control: the connection works).
    let mut own = newsroom_consumer(&client).await;
    assert_eq!(own.info().await.unwrap().num_pending, 1);

    // No publishing, neither events nor articles, through JetStream or not.
    let forged = js.publish("events.v1.meeting", "forged".into()).await;
    if let Ok(ack) = forged {
        assert!(
            denied(ack.await).await,
            "the newsroom got an ack for an event"
        );
    }
    client
        .publish(subjects::ARTICLES_NEW, "forged article".into())
        .await
        .unwrap();
    client.flush().await.unwrap();

    // No stream create, edit or delete; no consumer create or delete.
    assert!(denied(js.delete_stream(streams::EVENTS).await).await);
    let mut edited = events_before.config.clone();
    edited.max_messages = 1;
    assert!(denied(js.update_stream(edited).await).await);
    assert!(
        denied(
            js.create_stream(jetstream::stream::Config {
                name: "NEWSROOM_OWN".into(),
                subjects: vec!["newsroom.>".into()],
                ..Default::default()
            })
            .await
        )
        .await
    );
    assert!(
        denied(
            js.delete_consumer_from_stream(streams::NEWSROOM_CONSUMER, streams::EVENTS)
                .await
        )
        .await
    );
    assert!(
        denied(
            js.create_consumer_on_stream(
                pull::Config {
                    durable_name: Some("newsroom-2".into()),
                    ..Default::default()
                },
                streams::EVENTS,
            )
            .await
        )
        .await
    );

    // Nothing of ARTICLES: not its info, not its messages, not its consumer, not the subject,
    // not the shared inbox where the workers' deliveries pass.
    assert!(denied(js.get_stream(streams::ARTICLES).await).await);
    assert!(
        denied(
            js.get_consumer_from_stream::<pull::Config, _, _>(
                streams::EXTRACT_CONSUMER,
                streams::ARTICLES
            )
            .await
        )
        .await
    );
    assert!(
        denied(
            js.create_consumer_on_stream(pull::Config::default(), streams::ARTICLES)
                .await
        )
        .await
    );
    let next_article = client
        .request(
            format!(
                "$JS.API.CONSUMER.MSG.NEXT.{}.{}",
                streams::ARTICLES,
                streams::EXTRACT_CONSUMER
            ),
            r#"{"batch":1,"no_wait":true}"#.into(),
        )
        .await;
    assert!(
        next_article.is_err(),
        "no article fetched: {next_article:?}"
    );
    let mut articles = client.subscribe("articles.v1.>").await.unwrap();
    let mut inboxes = client.subscribe("_INBOX.>").await.unwrap();
    client.flush().await.unwrap();
    let violations = wait_until(Duration::from_secs(10), || async {
        let errors = errors.lock().unwrap();
        let said = |what: &str| errors.iter().any(|e| e.contains(what));
        let publish =
            |subject: &str| said(&format!("Permissions Violation for Publish to \"{subject}"));
        // Each refusal above came from the permissions, not from something else failing.
        publish("events.v1.meeting")
            && publish(subjects::ARTICLES_NEW)
            && publish("$JS.API.STREAM.DELETE.DONGTAI_EVENTS")
            && publish("$JS.API.STREAM.UPDATE.DONGTAI_EVENTS")
            && publish("$JS.API.STREAM.CREATE.NEWSROOM_OWN")
            && publish("$JS.API.CONSUMER.DELETE.DONGTAI_EVENTS.newsroom")
            && publish("$JS.API.STREAM.INFO.DONGTAI_ARTICLES")
            && publish("$JS.API.CONSUMER.INFO.DONGTAI_ARTICLES.extract")
            && publish("$JS.API.CONSUMER.MSG.NEXT.DONGTAI_ARTICLES.extract")
            && said("Permissions Violation for Subscription to \"articles.v1.>\"")
            && said("Permissions Violation for Subscription to \"_INBOX.>\"")
    })
    .await;
    assert!(
        violations,
        "the server refused: {:?}",
        errors.lock().unwrap()
    );
    // An article published and fetched by the worker now reaches neither subscription.
    ingest_js
        .publish(subjects::ARTICLES_NEW, "another article".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let worker = extract_js
        .get_consumer_from_stream::<pull::Config, _, _>(
            streams::EXTRACT_CONSUMER,
            streams::ARTICLES,
        )
        .await
        .unwrap();
    let mut batch = worker.fetch().max_messages(2).messages().await.unwrap();
    while let Some(m) = batch.next().await {
        m.unwrap().ack().await.unwrap();
    }
    let leaked = tokio::time::timeout(Duration::from_secs(1), async {
        tokio::select! {
            m = articles.next() => m,
            m = inboxes.next() => m,
        }
    })
    .await;
    assert!(leaked.is_err(), "the newsroom saw {leaked:?}");

    // And the streams are as they were.
    let events_after = before(streams::EVENTS).await;
    let articles_after = before(streams::ARTICLES).await;
    assert_eq!(events_after.state.messages, events_before.state.messages);
    assert_eq!(
        events_after.config.max_messages,
        events_before.config.max_messages
    );
    assert_eq!(
        articles_after.state.messages,
        articles_before.state.messages + 1
    );
    assert!(timeline_js.get_stream("NEWSROOM_OWN").await.is_err());
    assert!(
        timeline_js
            .get_consumer_from_stream::<pull::Config, _, _>(
                streams::NEWSROOM_CONSUMER,
                streams::EVENTS
            )
            .await
            .is_ok()
    );
}
