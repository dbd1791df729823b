//! Fetching feeds and pages politely: one request at a time per host with a gap between them,
//! a timeout, a size limit read as the body arrives (a 50 MB page is cut off, not buffered),
//! conditional GET for feeds, and errors that say whether trying again later can help.

use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::{StatusCode, Url};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// What a conditional GET may send and a response may give back.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    /// The `ETag` of the last full response.
    #[serde(default)]
    pub etag: Option<String>,
    /// Its `Last-Modified`.
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// A full response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: Url,
    /// The Content-Type header, if any.
    pub content_type: Option<String>,
    /// The validators to send next time.
    pub validators: Validators,
    /// The body, at most the size limit.
    pub body: Vec<u8>,
}

/// What a GET gave.
#[derive(Debug)]
pub enum Response {
    /// 304: nothing changed since the validators were given.
    NotModified,
    /// 2xx with its body.
    Full(Fetched),
}

/// Why a GET gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not an http(s) URL.
    #[error("{0:?} is not an http or https URL")]
    BadUrl(String),
    /// No connection, a reset, a timeout.
    #[error("cannot fetch {url}: {reason}")]
    Network {
        /// The URL asked for.
        url: String,
        /// What happened.
        reason: String,
    },
    /// Redirected in a loop or too often.
    #[error("{url} redirects in a loop or too many times")]
    Redirects {
        /// The URL asked for.
        url: String,
    },
    /// An error status.
    #[error("{url} answered {status}")]
    Status {
        /// The URL asked for.
        url: String,
        /// The status.
        status: StatusCode,
    },
    /// The body is over the limit.
    #[error("{url} is larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL asked for.
        url: String,
        /// The limit.
        limit: usize,
    },
}

impl FetchError {
    /// Whether the same request may succeed later: network trouble, 5xx, 408 and 429.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network { .. } => true,
            FetchError::Status { status, .. } => {
                status.is_server_error()
                    || *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::REQUEST_TIMEOUT
            }
            FetchError::BadUrl(_) | FetchError::Redirects { .. } | FetchError::TooLarge { .. } => {
                false
            }
        }
    }
}

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 8;

/// The HTTP client of a watcher.
pub struct Fetcher {
    http: reqwest::Client,
    max_bytes: usize,
    host_gap: Duration,
    /// When each host may next be asked.
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl Fetcher {
    /// A client with this timeout, size limit, host gap and User-Agent.
    pub fn new(
        timeout: Duration,
        max_bytes: usize,
        host_gap: Duration,
        user_agent: &str,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                // A loop is stopped at the first repeat, not after the limit's worth of
                // requests to a site that is already misbehaving.
                if attempt.previous().contains(attempt.url()) {
                    attempt.error("redirect loop")
                } else if attempt.previous().len() > MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            http,
            max_bytes,
            host_gap,
            next_slot: Mutex::new(HashMap::new()),
        })
    }

    /// Wait for this host's turn: requests to one host leave at least `host_gap` apart.
    async fn wait_turn(&self, host: &str) {
        if self.host_gap.is_zero() {
            return;
        }
        let slot = {
            let mut slots = self
                .next_slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let slot = slots.get(host).copied().filter(|s| *s > now).unwrap_or(now);
            slots.insert(host.to_owned(), slot + self.host_gap);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// GET `url`, conditionally when `validators` are given.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Response, FetchError> {
        let parsed = Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| FetchError::BadUrl(url.to_owned()))?;
        self.wait_turn(parsed.host_str().unwrap_or("")).await;
        let mut req = self.http.get(parsed);
        if let Some(etag) = &validators.etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let network = |e: reqwest::Error| {
            if e.is_redirect() {
                FetchError::Redirects {
                    url: url.to_owned(),
                }
            } else {
                FetchError::Network {
                    url: url.to_owned(),
                    reason: error_chain(&e),
                }
            }
        };
        let mut resp = req.send().await.map_err(network)?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Response::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status,
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            limit: self.max_bytes,
        };
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(too_large());
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let final_url = resp.url().clone();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(network)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response::Full(Fetched {
            url: final_url,
            content_type,
            validators,
            body,
        }))
    }
}

/// An error and its causes on one line (reqwest's own message leaves the cause out).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The top-level domain of a URL's host, lower-case (`tw` for www.example.gov.tw), to help
/// the encoding detector.
pub fn tld_of(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let tld = host.rsplit('.').next()?;
    (tld.bytes().all(|b| b.is_ascii_alphabetic())).then(|| tld.to_ascii_lowercase())
}
