//! The sources file: which feeds to watch.
//!
//! ```toml
//! [[source]]
//! name = "qingshi-news"                          # short, for logs and /metrics
//! feed = "https://www.qingshi.gov.cn/rss.xml"   # an RSS or Atom feed
//! outlet = "青石区人民政府"                      # whom the articles are attributed to
//! interval_secs = 600                            # optional; else --interval-secs
//! ```

use anyhow::Context as _;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// One feed to watch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A short unique name (letters, digits, `-`, `_`, `.`), used in logs and metrics.
    pub name: String,
    /// The feed's URL (http or https; RSS 0.9x/1.0/2.0, Atom or JSON Feed).
    pub feed: String,
    /// The outlet its articles are attributed to.
    #[serde(default)]
    pub outlet: Option<String>,
    /// Seconds between polls of this feed.
    #[serde(default)]
    pub interval_secs: Option<f64>,
}

impl Source {
    /// How often to poll it, given the default.
    pub fn interval(&self, default: Duration) -> Duration {
        self.interval_secs
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .unwrap_or(default)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    source: Vec<Source>,
}

/// Read and check a sources file.
pub fn load(path: &Path) -> anyhow::Result<Vec<Source>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the sources file {}", path.display()))?;
    parse(&text).with_context(|| format!("in the sources file {}", path.display()))
}

/// Parse and check the text of a sources file.
pub fn parse(text: &str) -> anyhow::Result<Vec<Source>> {
    let file: SourcesFile = toml::from_str(text).context("not a valid sources file")?;
    anyhow::ensure!(!file.source.is_empty(), "no [[source]] is listed");
    let mut names = std::collections::HashSet::new();
    for s in &file.source {
        anyhow::ensure!(
            !s.name.is_empty()
                && s.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "source name {:?}: use letters, digits, '-', '_' or '.'",
            s.name
        );
        anyhow::ensure!(
            names.insert(&s.name),
            "source name {:?} is listed twice",
            s.name
        );
        let url = reqwest::Url::parse(&s.feed)
            .with_context(|| format!("source {:?}: feed {:?} is not a URL", s.name, s.feed))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https"),
            "source {:?}: the feed must be an http or https URL",
            s.name
        );
        if let Some(secs) = s.interval_secs {
            anyhow::ensure!(
                secs.is_finite() && secs > 0.0,
                "source {:?}: interval_secs must be a positive number",
                s.name
            );
        }
    }
    Ok(file.source)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_sources_file_lists_feeds_with_their_outlets() {
        let s = parse(
            "[[source]]\nname = \"qingshi\"\nfeed = \"https://www.qingshi.gov.cn/rss.xml\"\n\
             outlet = \"青石区人民政府\"\ninterval_secs = 600\n\n\
             [[source]]\nname = \"beipu\"\nfeed = \"http://beipu.example/atom.xml\"\n",
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].outlet.as_deref(), Some("青石区人民政府"));
        assert_eq!(
            s[0].interval(Duration::from_secs(1)),
            Duration::from_secs(600)
        );
        assert_eq!(
            s[1].interval(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn mistakes_in_a_sources_file_are_named() {
        for (text, says) in [
            ("", "no [[source]]"),
            (
                "[[source]]\nname = \"a b\"\nfeed = \"http://x/\"\n",
                "use letters",
            ),
            (
                "[[source]]\nname = \"a\"\nfeed = \"http://x/\"\n[[source]]\nname = \"a\"\nfeed = \"http://y/\"\n",
                "twice",
            ),
            (
                "[[source]]\nname = \"a\"\nfeed = \"ftp://x/\"\n",
                "http or https",
            ),
            (
                "[[source]]\nname = \"a\"\nfeed = \"http://x/\"\nfeeds = 1\n",
                "not a valid",
            ),
        ] {
            let err = format!("{:#}", parse(text).unwrap_err());
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }
}
