//! What the watcher has seen, kept in a JetStream key-value bucket so that a restart (or a
//! second host taking over) neither fetches a page again nor misses one.
//!
//! Keys (KV keys allow only `[-/_=.a-zA-Z0-9]`, so URLs are hashed):
//! - `feed.<h>`: the validators of the feed at URL h, to make the next poll conditional;
//! - `seen.<h>`: the page at URL h is done: ingested, or given up (with the reason);
//! - `retry.<h>`: the page at URL h failed for a passing reason and waits for a retry.
//!
//! A page's `seen` entry is written only after JetStream stored its articles, and a feed's
//! validators only after every item of that response has a `seen` or `retry` entry: a crash in
//! between costs a repeated fetch (and a duplicate the article ids make harmless), never a miss.

use crate::watch::fetch::Validators;
use async_nats::jetstream::{self, kv};
use chrono::{DateTime, NaiveDate, Utc};
use dongtai_proto::streams;
use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A page that is done with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    /// The page's URL.
    pub url: String,
    /// The source whose feed listed it.
    pub source: String,
    /// The articles it gave (empty when given up).
    #[serde(default)]
    pub article_ids: Vec<String>,
    /// Why it was given up, if it was.
    #[serde(default)]
    pub gave_up: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A page waiting for another attempt, with what the feed said about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retry {
    /// The page's URL.
    pub url: String,
    /// The source whose feed listed it.
    pub source: String,
    /// The feed's title for it.
    #[serde(default)]
    pub title: Option<String>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not before this instant.
    pub next_try: DateTime<Utc>,
    /// What went wrong last.
    pub last_error: String,
}

/// A feed item still to fetch: its page URL and the feed's title for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The page's URL.
    pub url: String,
    /// The feed's title.
    pub title: Option<String>,
    /// The feed's date for it (not used as the publication date; for the log).
    pub feed_date: Option<NaiveDate>,
}

/// Errors of the state bucket: NATS trouble, always worth a retry.
#[derive(Debug, thiserror::Error)]
#[error("watch state bucket: {0}")]
pub struct StateError(String);

fn err(e: impl std::fmt::Display) -> StateError {
    StateError(e.to_string())
}

/// The state bucket.
#[derive(Clone)]
pub struct StateStore {
    kv: kv::Store,
}

/// The key part for a URL.
fn hash(url: &str) -> String {
    hex::encode(&Sha256::digest(url.as_bytes())[..16])
}

impl StateStore {
    /// Open the bucket, creating it when missing (history 1: only the latest state matters),
    /// with `replicas` replicas when asked for (as the streams get them).
    ///
    /// The bucket's stream is created here with the settings a key-value bucket has, rather
    /// than by `create_key_value`, which first reads the account's limits in a form that
    /// nats-server 2.9 (Debian's) does not answer.
    pub async fn open(js: &jetstream::Context, replicas: Option<usize>) -> anyhow::Result<Self> {
        let bucket = streams::WATCH_STATE_BUCKET;
        let stream = js
            .get_or_create_stream(jetstream::stream::Config {
                name: format!("KV_{bucket}"),
                description: Some("what dongtai-ingest watch has seen".to_owned()),
                subjects: vec![format!("$KV.{bucket}.>")],
                max_messages_per_subject: 1,
                storage: jetstream::stream::StorageType::File,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                discard: jetstream::stream::DiscardPolicy::New,
                num_replicas: replicas.unwrap_or(streams::DEFAULT_REPLICAS),
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the key-value bucket {bucket}: {e}"))?;
        if let Some(replicas) = replicas {
            dongtai_common::ensure_replicas(js, stream, replicas).await?;
        }
        let kv = js
            .get_key_value(bucket)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the key-value bucket {bucket}: {e}"))?;
        Ok(Self { kv })
    }

    async fn get<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StateError> {
        let Some(bytes) = self.kv.get(key).await.map_err(err)? else {
            return Ok(None);
        };
        // An entry this version cannot read is treated as absent: at worst a page is fetched
        // again, and its article id makes that harmless.
        Ok(serde_json::from_slice(&bytes).ok())
    }

    async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StateError> {
        let bytes = serde_json::to_vec(value).map_err(err)?;
        self.kv.put(key, bytes.into()).await.map_err(err)?;
        Ok(())
    }

    /// The validators last stored for the feed at `url`.
    pub async fn validators(&self, url: &str) -> Result<Validators, StateError> {
        Ok(self
            .get(&format!("feed.{}", hash(url)))
            .await?
            .unwrap_or_default())
    }

    /// Store the validators of the feed at `url`.
    pub async fn set_validators(&self, url: &str, v: &Validators) -> Result<(), StateError> {
        self.put(&format!("feed.{}", hash(url)), v).await
    }

    /// Whether the page at `url` is done with, or waits for a retry.
    pub async fn is_known(&self, url: &str) -> Result<bool, StateError> {
        let h = hash(url);
        for key in [format!("seen.{h}"), format!("retry.{h}")] {
            if self.kv.get(key).await.map_err(err)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Mark a page done, and drop its retry entry when it `had_retry`.
    pub async fn mark_seen(&self, seen: &Seen, had_retry: bool) -> Result<(), StateError> {
        let h = hash(&seen.url);
        self.put(&format!("seen.{h}"), seen).await?;
        if had_retry {
            self.kv.purge(format!("retry.{h}")).await.map_err(err)?;
        }
        Ok(())
    }

    /// Store a page's retry entry.
    pub async fn schedule_retry(&self, retry: &Retry) -> Result<(), StateError> {
        self.put(&format!("retry.{}", hash(&retry.url)), retry)
            .await
    }

    /// Every page waiting for a retry (read once at start; the watcher keeps them after).
    pub async fn retries(&self) -> Result<Vec<Retry>, StateError> {
        let keys: Vec<String> = self
            .kv
            .keys()
            .await
            .map_err(err)?
            .try_collect()
            .await
            .map_err(err)?;
        let mut out = Vec::new();
        for key in keys.iter().filter(|k| k.starts_with("retry.")) {
            if let Some(r) = self.get::<Retry>(key).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The `seen` entry of the page at `url`.
    pub async fn seen(&self, url: &str) -> Result<Option<Seen>, StateError> {
        self.get(&format!("seen.{}", hash(url))).await
    }
}
