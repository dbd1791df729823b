//! A news page to an article: its main text (dom_smoothie, a port of Mozilla's Readability),
//! its headline, and its publication date as the page states it. The date is never guessed:
//! it comes from a meta tag (`article:published_time`, the `PubDate` of Chinese government
//! sites' CMS …) or from a labelled date in the page's text (发布时间：2023-11-07); when neither
//! is there the article has no date, and the extractor then says its dates are approximate.

use chrono::NaiveDate;
use dom_query::Document;

/// What a page gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageArticle {
    /// The headline, when the page has one.
    pub title: Option<String>,
    /// The main text, paragraphs on their own lines.
    pub text: String,
    /// The publication date the page states.
    pub published: Option<NaiveDate>,
    /// Where `published` was found (`meta article:published_time`, `text 发布时间` …).
    pub published_from: Option<String>,
}

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HtmlError {
    /// No main text could be found (an empty page, a page of links, a script-only shell).
    #[error("the page has no article text")]
    NoText,
}

/// Meta tags that carry a publication date, by `name`, `property` or `itemprop`
/// (compared lower-case), best first.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "firstpublishedtime",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
];

/// Labels that introduce a publication date in a page's text (simplified and traditional).
const DATE_LABELS: &[&str] = &[
    "发布时间",
    "发布日期",
    "发表时间",
    "发稿时间",
    "发布于",
    "發布時間",
    "發佈時間",
    "發布日期",
    "發佈日期",
    "發表時間",
    "刊登日期",
    "出版日期",
];

/// Read a decoded page. `url` (absolute) lets relative links resolve; it is not fetched.
pub fn article_from_html(html: &str, url: Option<&str>) -> Result<PageArticle, HtmlError> {
    let doc = Document::from(html);
    let meta_date = meta_date(&doc);
    let text_date = if meta_date.is_none() {
        labelled_date(&doc.select("body").text())
    } else {
        None
    };
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut readability = dom_smoothie::Readability::with_document(doc, url, Some(config))
        .or_else(|_| dom_smoothie::Readability::with_document(Document::from(html), None, None))
        .map_err(|_| HtmlError::NoText)?;
    let article = readability.parse().map_err(|_| HtmlError::NoText)?;
    let text = tidy(&article.text_content);
    if text.chars().filter(|c| !c.is_whitespace()).count() == 0 {
        return Err(HtmlError::NoText);
    }
    let title = Some(without_site_name(&article.title)).filter(|t| !t.is_empty());
    let (published, published_from) = match (meta_date, text_date) {
        (Some((d, from)), _) | (None, Some((d, from))) => (Some(d), Some(from)),
        (None, None) => (None, None),
    };
    Ok(PageArticle {
        title,
        text,
        published,
        published_from,
    })
}

/// Separators between a headline and the site's name in a `<title>`: Chinese sites write
/// `王立川调研秋收秋种工作_青石区人民政府` or `… | 北埔鎮公所`; Readability only knows the
/// spaced Western forms.
const SITE_SEPARATORS: &[&str] = &["_", "|", "｜", " - ", " — ", "－"];

/// The headline without a trailing site name.
fn without_site_name(title: &str) -> String {
    let title = title.trim();
    let cut = SITE_SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep))
        .max()
        .map(|at| title[..at].trim())
        .filter(|head| head.chars().count() >= 4);
    cut.unwrap_or(title).to_owned()
}

/// Paragraphs on their own lines, blank lines and trailing spaces gone.
fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

fn meta_date(doc: &Document) -> Option<(NaiveDate, String)> {
    let mut best: Option<(usize, NaiveDate, String)> = None;
    for node in doc.select("meta").nodes() {
        let Some(content) = node.attr("content") else {
            continue;
        };
        for attr in ["property", "name", "itemprop"] {
            let Some(key) = node.attr(attr) else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            let Some(rank) = DATE_META.iter().position(|k| *k == key.trim()) else {
                continue;
            };
            if best.as_ref().is_some_and(|(r, ..)| *r <= rank) {
                continue;
            }
            if let Some(d) = date_at_start(&content) {
                best = Some((rank, d, format!("meta {}", DATE_META[rank])));
            }
        }
    }
    best.map(|(_, d, from)| (d, from))
}

/// The first date that follows a publication-date label in `text`.
pub fn labelled_date(text: &str) -> Option<(NaiveDate, String)> {
    let mut found: Option<(usize, NaiveDate, &str)> = None;
    for label in DATE_LABELS {
        for (at, _) in text.match_indices(label) {
            if found.as_ref().is_some_and(|(f, ..)| *f < at) {
                break;
            }
            let rest = text[at + label.len()..].trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '：' | '\u{a0}')
            });
            if let Some(d) = date_at_start(rest) {
                found = Some((at, d, label));
                break;
            }
        }
    }
    found.map(|(_, d, label)| (d, format!("text {label}")))
}

/// A date written at the start of `s`: `2023-11-07`, `2023/11/7`, `2023.11.07`,
/// `2023年11月7日`, `20231107`, also in full-width digits, with anything (a time, an offset)
/// after it. The date is the one written: `2023-11-07T23:30:00-05:00` is the 7th.
pub fn date_at_start(s: &str) -> Option<NaiveDate> {
    let chars: Vec<char> = s
        .trim_start()
        .chars()
        .take(16)
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    let mut i = 0;
    let number = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < chars.len() && *i - start < max && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        chars[start..*i].iter().collect::<String>().parse().ok()
    };
    let year = number(&mut i, 8)?;
    if i == 8 {
        // 20231107
        let (y, m, d) = (year / 10_000, year / 100 % 100, year % 100);
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    if i != 4 {
        return None;
    }
    let sep = |i: &mut usize, ok: &[char]| -> Option<()> {
        let c = chars.get(*i)?;
        ok.contains(c).then(|| *i += 1)
    };
    sep(&mut i, &['-', '/', '.', '年'])?;
    let month = number(&mut i, 2)?;
    sep(&mut i, &['-', '/', '.', '月'])?;
    let day = number(&mut i, 2)?;
    if chars.get(i).is_some_and(char::is_ascii_digit) {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const BODY: &str = "<p>11月6日上午，区委书记王立川率队前往青石镇调研秋收秋种工作，\
        先后来到青石镇稻米合作社、青石镇农机服务中心，详细了解秋粮收购、农机调度等情况。</p>\
        <p>王立川指出，要抢抓晴好天气，确保颗粒归仓。区委常委、办公室主任赵明远参加调研。</p>";

    fn page(head: &str, body_before: &str) -> String {
        format!(
            "<html><head><title>王立川调研秋收秋种工作_青石区人民政府</title>{head}</head>\
             <body><div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/news\">要闻</a></div>\
             {body_before}<div class=\"article\"><h1>王立川调研秋收秋种工作</h1>{BODY}</div>\
             <div class=\"footer\">主办：青石区人民政府办公室</div></body></html>"
        )
    }

    #[test]
    fn the_main_text_and_headline_are_read_without_the_navigation() {
        let a = article_from_html(&page("", ""), Some("http://127.0.0.1/a.html")).unwrap();
        assert!(
            a.text.contains("区委书记王立川率队前往青石镇调研"),
            "{}",
            a.text
        );
        assert!(!a.text.contains("首页"), "{}", a.text);
        assert_eq!(a.title.as_deref(), Some("王立川调研秋收秋种工作"));
    }

    #[test]
    fn article_published_time_meta_dates_the_page() {
        let head =
            "<meta property=\"article:published_time\" content=\"2023-11-07T09:30:00+08:00\">";
        let a = article_from_html(&page(head, ""), None).unwrap();
        assert_eq!(a.published, Some(d("2023-11-07")));
        assert_eq!(
            a.published_from.as_deref(),
            Some("meta article:published_time")
        );
    }

    #[test]
    fn a_government_cms_pubdate_meta_dates_the_page() {
        let head = "<meta name=\"PubDate\" content=\"2023-11-07 09:30\">";
        let a = article_from_html(&page(head, ""), None).unwrap();
        assert_eq!(a.published, Some(d("2023-11-07")));
    }

    #[test]
    fn a_labelled_date_in_the_text_dates_the_page() {
        let info =
            "<div class=\"info\">来源：青石区融媒体中心　发布时间：2023年11月7日 09:30</div>";
        let a = article_from_html(&page("", info), None).unwrap();
        assert_eq!(a.published, Some(d("2023-11-07")));
        assert_eq!(a.published_from.as_deref(), Some("text 发布时间"));
    }

    #[test]
    fn a_page_with_no_stated_date_has_none() {
        // The activity's own date (11月6日) is no publication date.
        let a = article_from_html(&page("", ""), None).unwrap();
        assert_eq!(a.published, None);
    }

    #[test]
    fn an_empty_page_has_no_text() {
        let err = article_from_html(
            "<html><head><title>x</title></head><body></body></html>",
            None,
        );
        assert_eq!(err, Err(HtmlError::NoText));
    }

    #[test]
    fn the_site_name_is_cut_off_the_headline() {
        for (title, want) in [
            (
                "王立川调研秋收秋种工作_青石区人民政府",
                "王立川调研秋收秋种工作",
            ),
            ("區長視察防汛工作 | 北埔鎮公所", "區長視察防汛工作"),
            ("新闻_区政府", "新闻_区政府"),
            ("没有站名的标题", "没有站名的标题"),
        ] {
            assert_eq!(without_site_name(title), want);
        }
    }

    #[test]
    fn dates_are_read_in_the_forms_sites_write_them() {
        for (s, want) in [
            ("2023-11-07", Some("2023-11-07")),
            ("2023/11/7 08:00", Some("2023-11-07")),
            ("2023.11.07", Some("2023-11-07")),
            ("2023年11月7日", Some("2023-11-07")),
            ("２０２３年１１月７日", Some("2023-11-07")),
            ("20231107", Some("2023-11-07")),
            ("2023-11-07T23:30:00-05:00", Some("2023-11-07")),
            ("2023-13-07", None),
            ("11月7日", None),
            ("阅读次数：20", None),
        ] {
            assert_eq!(date_at_start(s), want.map(d), "{s}");
        }
    }
}
