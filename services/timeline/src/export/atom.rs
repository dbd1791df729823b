//! `format=atom`: an Atom feed (RFC 4287) of a query, typically one official
//! (`actor=曹立强`) or one place. Entry ids are the activity's group id, so a feed reader keeps
//! one entry per activity and sees it change when a newer version is stored (`updated`).
//!
//! What RFC 4287 asks and where it is met: the feed has an id, a title, `updated`, an author
//! (entries inherit it), a `rel="self"` link to the URL the reader polls (4.2.7.2, SHOULD) and a
//! `rel="alternate"` link to the same view on the timeline page. An entry has at most one
//! `alternate` link per media type (4.1.1): the first report's article (`text/html`) and the
//! activity's evidence in the API (`application/json`); further reports' articles are
//! `related` links.

use super::{citation, summary};
use crate::view::Activity;
use chrono::{DateTime, Utc};

/// The feed's subject: what the query filtered on, for its id and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSubject {
    /// `actor`, `place`, `target`, `kind` or `all`.
    pub facet: &'static str,
    /// The term (`曹立强`); empty for `all`.
    pub term: String,
    /// How a reader sees it (`曹立强 (Cao Liqiang)`).
    pub title: String,
}

/// Where the feed and its entries point: absolute URLs when the request said which host it
/// was sent to, else references relative to the server's root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedLinks {
    /// `http://host:port` or empty.
    pub base: String,
    /// The filters of the query, as a query string (`actor=%E6%9B%B9…&kind=meeting`), without
    /// paging or format: what identifies the feed and rebuilds the view on the page.
    pub filters: String,
    /// The path and query the reader requested (the `self` link).
    pub requested: String,
}

impl FeedLinks {
    fn feed_id(&self, subject: &FeedSubject) -> String {
        let id = format!(
            "urn:dongtai:feed:{}:{}",
            subject.facet,
            percent(&subject.term)
        );
        // One feed per set of filters: a second filter (kind, dates) makes another feed.
        let only_subject = format!("{}={}", subject.facet, percent(&subject.term));
        if self.filters.is_empty() || self.filters == only_subject {
            id
        } else {
            format!("{id}:{}", percent(&self.filters))
        }
    }
}

/// The feed text.
pub fn render(
    activities: &[Activity],
    subject: &FeedSubject,
    links: &FeedLinks,
    now: DateTime<Utc>,
) -> String {
    let updated = activities
        .iter()
        .map(Activity::updated)
        .max()
        .unwrap_or(now);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    tag(&mut out, 1, "id", &links.feed_id(subject));
    tag(
        &mut out,
        1,
        "title",
        &format!("dongtai 动态: {}", subject.title),
    );
    tag(&mut out, 1, "updated", &updated.to_rfc3339());
    out.push_str("  <author><name>dongtai</name></author>\n");
    out.push_str("  <generator>dongtai-timeline</generator>\n");
    link(
        &mut out,
        1,
        "self",
        "application/atom+xml",
        &format!("{}{}", links.base, links.requested),
    );
    let page = if links.filters.is_empty() {
        format!("{}/", links.base)
    } else {
        format!("{}/?{}", links.base, links.filters)
    };
    link(&mut out, 1, "alternate", "text/html", &page);
    for a in activities {
        let e = &a.lead.event;
        out.push_str("  <entry>\n");
        tag(
            &mut out,
            2,
            "id",
            &format!("urn:dongtai:event:{}", a.group_id()),
        );
        let when = match (e.when.start, e.when.end) {
            (Some(s), Some(t)) if t > s => format!("{s}..{t} "),
            (Some(s), _) => format!("{s} "),
            _ => String::new(),
        };
        tag(&mut out, 2, "title", &format!("{when}{}", summary(e)));
        tag(&mut out, 2, "updated", &a.updated().to_rfc3339());
        if let Some(p) = e.source.published {
            tag(&mut out, 2, "published", &format!("{p}T00:00:00+08:00"));
        }
        out.push_str(&format!(
            "    <category term=\"{}\" label=\"{}\"/>\n",
            xml(e.kind.as_str()),
            xml(&format!("{} {}", e.kind.label_zh(), e.kind.label_en()))
        ));
        let mut articles = a.reports().filter_map(|r| r.event.source.url.as_deref());
        if let Some(first) = articles.next() {
            link(&mut out, 2, "alternate", "text/html", first);
        }
        for other in articles {
            link(&mut out, 2, "related", "text/html", other);
        }
        link(
            &mut out,
            2,
            "alternate",
            "application/json",
            &format!("{}/v1/events/{}", links.base, a.lead.event.id),
        );
        let mut content = String::new();
        for r in a.reports() {
            for ev in &r.event.evidence {
                content.push_str(&ev.text);
                content.push('\n');
            }
            content.push_str(&format!("—— {}\n", citation(&r.event)));
        }
        if a.source_count() > 1 {
            content.push_str(&format!("{} sources\n", a.source_count()));
        }
        tag(&mut out, 2, "content", content.trim_end());
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn link(out: &mut String, depth: usize, rel: &str, media_type: &str, href: &str) {
    out.push_str(&"  ".repeat(depth));
    out.push_str(&format!(
        "<link rel=\"{rel}\" type=\"{media_type}\" href=\"{}\"/>\n",
        xml(href)
    ));
}

fn tag(out: &mut String, depth: usize, name: &str, text: &str) {
    let attr = if name == "content" || name == "title" {
        " type=\"text\""
    } else {
        ""
    };
    out.push_str(&"  ".repeat(depth));
    out.push_str(&format!("<{name}{attr}>{}</{name}>\n", xml(text)));
}

/// XML text and attribute escaping; characters XML 1.0 forbids are dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a term for a URN or a query string (names are Chinese; URIs are ASCII).
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::view::tests::stored;

    #[test]
    fn xml_special_characters_are_escaped_and_forbidden_ones_dropped() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }

    #[test]
    fn a_feed_per_official_has_stable_entry_ids_updated_times_and_the_evidence() {
        let mut e = stored();
        e.event.evidence[0].text = "曹立强强调，要<压实>责任".into();
        let subject = FeedSubject {
            facet: "actor",
            term: "曹立强".into(),
            title: "曹立强 (Cao Liqiang)".into(),
        };
        let links = FeedLinks {
            base: "http://example.org".into(),
            filters: "actor=%E6%9B%B9%E7%AB%8B%E5%BC%BA".into(),
            requested: "/v1/events?actor=%E6%9B%B9%E7%AB%8B%E5%BC%BA&format=atom".into(),
        };
        let text = render(&[Activity::single(e.clone())], &subject, &links, Utc::now());
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
        assert!(
            text.contains("<id>urn:dongtai:feed:actor:%E6%9B%B9%E7%AB%8B%E5%BC%BA</id>"),
            "{text}"
        );
        assert!(text.contains(&format!("<id>urn:dongtai:event:{}</id>", e.event.id)));
        assert!(text.contains(&format!("<updated>{}</updated>", e.stored_at.to_rfc3339())));
        assert!(text.contains("曹立强强调，要&lt;压实&gt;责任"));
        assert!(text.contains("徐汇报"));
        assert!(text.trim_end().ends_with("</feed>"));
        assert_eq!(text.matches("<entry>").count(), 1);
        assert!(text.contains(
            "<link rel=\"self\" type=\"application/atom+xml\" \
             href=\"http://example.org/v1/events?actor=%E6%9B%B9%E7%AB%8B%E5%BC%BA&amp;format=atom\"/>"
        ));
    }

    #[test]
    fn an_activity_with_two_articles_has_one_alternate_link_per_type_and_the_other_as_related() {
        let mut first = stored();
        first.event.source.url = Some("https://a.example/1".into());
        let mut second = stored();
        second.event.id = "00000000000000000000000000000002".parse().unwrap();
        second.event.source.url = Some("https://b.example/2".into());
        let a = Activity {
            lead: first,
            others: vec![second],
        };
        let subject = FeedSubject {
            facet: "all",
            term: String::new(),
            title: "all".into(),
        };
        let text = render(&[a], &subject, &FeedLinks::default(), Utc::now());
        let entry = &text[text.find("<entry>").unwrap()..];
        assert_eq!(
            entry
                .matches("rel=\"alternate\" type=\"text/html\"")
                .count(),
            1
        );
        assert_eq!(
            entry
                .matches("rel=\"alternate\" type=\"application/json\"")
                .count(),
            1
        );
        assert!(
            entry.contains(
                "<link rel=\"related\" type=\"text/html\" href=\"https://b.example/2\"/>"
            )
        );
        assert!(text.contains("<id>urn:dongtai:feed:all:</id>"));
    }
}
