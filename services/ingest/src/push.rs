//! `dongtai-ingest push`: send files and folders to a running ingest server, with progress.

use crate::config::PushArgs;
use anyhow::Context as _;
use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Metadata beside a file (`X.json` for `X.txt` or `X.html`).
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

/// Extensions `push` sends: plain text, and HTML pages.
const EXTENSIONS: &[&str] = &["txt", "html", "htm"];

fn is_pushable(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Every `.txt`, `.html` and `.htm` file under the given paths, sorted, each once. Symbolic
/// links are followed, but a folder already walked (by its real path) is not walked again, so
/// a link back up the tree cannot loop.
pub fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut walked = std::collections::HashSet::new();
    for path in paths {
        collect(path, &mut out, &mut walked)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn collect(
    path: &Path,
    out: &mut Vec<PathBuf>,
    walked: &mut std::collections::HashSet<PathBuf>,
) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        if !walked.insert(std::fs::canonicalize(path)?) {
            return Ok(());
        }
        for entry in std::fs::read_dir(path)? {
            let p = entry?.path();
            // A dangling link or one that loops on itself is skipped, not an error.
            match std::fs::metadata(&p) {
                Ok(m) if m.is_dir() => collect(&p, out, walked)?,
                Ok(_) if is_pushable(&p) => out.push(p),
                Ok(_) => {}
                Err(e) => eprintln!("skipping {}: {e}", p.display()),
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
    anyhow::ensure!(
        !files.is_empty(),
        "no .txt, .html or .htm files under the given paths"
    );
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
    let (content_type, layout) = if is_html(file) {
        ("text/html", "article".to_owned())
    } else {
        // No charset: the server reads UTF-8, GB18030/GBK and Big5 files alike.
        let layout = side
            .layout
            .clone()
            .unwrap_or_else(|| if args.page { "page" } else { "article" }.to_owned());
        ("text/plain", layout)
    };
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
    let body = bytes::Bytes::from(body);
    let mut attempt = 0;
    loop {
        let mut req = http
            .post(endpoint)
            .query(&query)
            .header("content-type", content_type)
            .body(body.clone());
        if let Some(token) = &args.token {
            req = req.bearer_auth(token);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach {endpoint}"))?;
        let status = resp.status();
        if status == reqwest::StatusCode::SERVICE_UNAVAILABLE && attempt < args.retries {
            attempt += 1;
            let wait = retry_after(resp.headers()).unwrap_or_else(|| fallback_wait(attempt));
            tokio::time::sleep(wait).await;
            continue;
        }
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        anyhow::ensure!(
            status.is_success(),
            "refused with {status}: {}{}",
            body["detail"],
            if attempt > 0 {
                format!(" (after {attempt} retries)")
            } else {
                String::new()
            }
        );
        return Ok(body);
    }
}

/// The longest a server's Retry-After is waited for: a misconfigured one must not hang push.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// The wait a Retry-After header asks for: seconds, or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let wait = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Without a Retry-After: 1 s, 2 s, 4 s … at most 30 s.
fn fallback_wait(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_or_as_a_date_and_capped() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert("retry-after", "99999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn a_symlink_back_up_the_tree_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("x.txt"), "区委书记").unwrap();
        std::fs::write(sub.join("y.html"), "<p>区委书记</p>").unwrap();
        std::fs::write(sub.join("z.json"), "{}").unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("loop")).unwrap();
        std::os::unix::fs::symlink(sub.join("self"), sub.join("self")).unwrap();
        let files = collect_files(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["x.txt", "y.html"]);
    }
}
