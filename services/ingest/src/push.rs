//! `dongtai-ingest push`: send files and folders to a running ingest server, with progress.

use crate::config::PushArgs;
use anyhow::Context as _;
use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Metadata beside a text file (`X.json` for `X.txt`).
#[derive(Debug, Default, Deserialize)]
pub struct Sidecar {
    /// Newspaper or site.
    pub outlet: Option<String>,
    /// Page of a printed edition.
    pub page: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Where it can be read.
    pub url: Option<String>,
    /// `page` for a scanned page, `article` otherwise.
    pub layout: Option<String>,
}

/// Every `.txt` file under the given paths, sorted, each once.
pub fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        collect(path, &mut out).with_context(|| format!("cannot read {}", path.display()))?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            let p = entry?.path();
            if p.is_dir() || p.extension().is_some_and(|e| e == "txt") {
                collect(&p, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Read the sidecar of `file`, if it has one.
pub fn sidecar_of(file: &Path) -> anyhow::Result<Sidecar> {
    let side = file.with_extension("json");
    if !side.exists() {
        return Ok(Sidecar::default());
    }
    let text = std::fs::read_to_string(&side)
        .with_context(|| format!("cannot read {}", side.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid metadata", side.display()))
}

/// Push every file; print a summary; fail if any file was refused.
pub async fn run(args: PushArgs) -> anyhow::Result<()> {
    let files = collect_files(&args.paths)?;
    anyhow::ensure!(!files.is_empty(), "no .txt files under the given paths");
    let http = reqwest::Client::new();
    let endpoint = format!("{}/v1/articles", args.server.trim_end_matches('/'));
    let bar = if files.len() > 1 {
        let bar = ProgressBar::new(files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let results: Vec<(PathBuf, anyhow::Result<serde_json::Value>)> =
        futures::stream::iter(files.into_iter().map(|file| {
            let (http, endpoint, args, bar) = (&http, &endpoint, &args, &bar);
            async move {
                let r = push_one(http, endpoint, args, &file).await;
                bar.inc(1);
                (file, r)
            }
        }))
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    bar.finish_and_clear();
    let (mut articles, mut duplicates, mut failed) = (0usize, 0usize, 0usize);
    for (file, result) in &results {
        match result {
            Ok(body) => {
                for a in body["articles"].as_array().into_iter().flatten() {
                    articles += 1;
                    if a["duplicate"] == true {
                        duplicates += 1;
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e:#}", file.display());
            }
        }
    }
    println!(
        "pushed {} files: {articles} articles accepted ({duplicates} already known), {failed} files failed",
        results.len()
    );
    anyhow::ensure!(failed == 0, "{failed} files were not accepted");
    Ok(())
}

async fn push_one(
    http: &reqwest::Client,
    endpoint: &str,
    args: &PushArgs,
    file: &Path,
) -> anyhow::Result<serde_json::Value> {
    let body = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let side = sidecar_of(file)?;
    let layout = side
        .layout
        .clone()
        .unwrap_or_else(|| if args.page { "page" } else { "article" }.to_owned());
    let mut query: Vec<(&str, String)> = vec![("layout", layout)];
    for (k, v) in [
        ("outlet", side.outlet),
        ("page", side.page),
        ("published", side.published),
        ("title", side.title),
        ("url", side.url),
    ] {
        if let Some(v) = v {
            query.push((k, v));
        }
    }
    let mut req = http
        .post(endpoint)
        .query(&query)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body);
    if let Some(token) = &args.token {
        req = req.bearer_auth(token);
    }
    let resp = req
        .send()
        .await
        .with_context(|| format!("cannot reach {endpoint}"))?;
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    anyhow::ensure!(
        status.is_success(),
        "refused with {status}: {}",
        body["detail"]
    );
    Ok(body)
}
