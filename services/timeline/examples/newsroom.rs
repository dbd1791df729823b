//! The newsroom's at-least-once reader (the README's example): it fetches from its durable
//! consumer `newsroom` on DONGTAI_EVENTS as the read-only `newsroom` NATS user and acks each
//! event once it has handled it. Stop it at any moment: the next start goes on from the last
//! ack, and an event fetched but not acked comes again after 30 s.
//!
//! ```text
//! DONGTAI_NATS_URL=nats://127.0.0.1:4222 DONGTAI_NEWSROOM_NATS_PASSWORD=… \
//!   cargo run -p dongtai-timeline --example newsroom
//! ```
//! The names are spelled out: this is a client outside dongtai, written by the newsroom.

use async_nats::jetstream::{self, consumer::pull};
use futures::StreamExt as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let urls = std::env::var("DONGTAI_NATS_URL").unwrap_or("nats://127.0.0.1:4222".into());
    let password = std::env::var("DONGTAI_NEWSROOM_NATS_PASSWORD")?;
    let client = async_nats::ConnectOptions::new()
        .user_and_password("newsroom".into(), password)
        // The only inbox the newsroom user may subscribe to.
        .custom_inbox_prefix("_INBOX_newsroom")
        .connect(urls.split(',').collect::<Vec<_>>().as_slice())
        .await?;
    // Bound by name: the newsroom may read its consumer, not look streams up.
    let consumer: jetstream::consumer::Consumer<pull::Config> = jetstream::new(client)
        .get_consumer_from_stream("newsroom", "DONGTAI_EVENTS")
        .await?;
    loop {
        let mut messages = consumer.messages().await?;
        while let Some(message) = messages.next().await {
            let message = match message {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("interrupted ({e}); fetching again");
                    break;
                }
            };
            let event: serde_json::Value = serde_json::from_slice(&message.payload)?;
            // Handle it first (store it, alert someone), then ack: an event not acked comes again.
            println!(
                "{} {} {}",
                message.subject,
                event["when"]["start"].as_str().unwrap_or("-"),
                event["id"]
                    .as_str()
                    .or(event["event_id"].as_str())
                    .unwrap_or("?")
            );
            if let Err(e) = message.ack().await {
                eprintln!("ack not sent ({e}): the event will come again");
            }
        }
    }
}
