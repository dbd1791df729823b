//! dongtai's extraction engine: text in, activity events out. Pure: no I/O, no clock, no NATS.
//!
//! Used by the extract worker, the `dongtai-extract file` CLI, ingest (page splitting) and the
//! benchmarks.
//!
//! How a text becomes events:
//! 1. **Normalise** ([`normalize`]): full-width letters and digits to ASCII, ASCII punctuation
//!    in Chinese text to full-width, spaces inside Chinese and around numbers removed, and, when
//!    the text is a newspaper column (mostly short lines, blank lines between), the lines joined
//!    back. A map keeps every character's offset in the raw text.
//! 2. **Split** a scanned page ([`split_page`]): a jump line (（下转第 6 版）) ends an article and
//!    the lines after it are its headline; an indented paragraph right after a line starts the
//!    next article; lines without punctuation after an article's last sentence are its headline.
//! 3. **Read** each article on a simplified copy (traditional characters mapped one to one, so
//!    offsets are shared; names and evidence are reported from the text as written):
//!    people are title + name mentions (titles chained with 、, organisation prefixes, names
//!    checked against surnames and the words that follow names), name lists sharing a title,
//!    and bare names or surname + title of people already met; time phrases are resolved
//!    against the publication date, recording their basis.
//! 4. **Activities**: a sentence reports one when an official (or a team) is followed by an
//!    activity verb before any verb of saying. Sentences without a date of their own continue
//!    the current activity; a dated one with other leads starts a new one. Roles come from the
//!    verbs around each name (陪同/参加 → participant; 会见/与…座谈 → the party met; after
//!    带队 → the leader's team), kinds from weighted cues, places from movement verbs.
//!
//! 5. **Emit** (`emit`): each draft becomes an `ActivityEvent` (id, actors, evidence offsets
//!    mapped back to the raw text).
//!
//! Where each rule lives (one responsibility per module, unit tests beside the code):
//!
//! | module | what it knows |
//! |---|---|
//! | `text` | chars: words at a position, clause and sentence ends, sentences, numerals/counts |
//! | `lexicon` | the one loader of the word lists in `src/lexicon/*.txt` |
//! | `normalize`, `page` | raw text → normal form; a scanned page → its articles |
//! | `people` | names, titles, name lists, co-reference of bare names |
//! | `time` | time phrases: scan, then resolve against the publication date |
//! | `activity` | the parser state; `triggers`, `roles`, `orgs`, `group` (sentences → activities, drafts merged), `draft` (days, people, confidence), `kind`, `places`, `topic` |
//! | `emit` | draft → `ActivityEvent` |
//!
//! Language knowledge lives in `src/lexicon/*.txt`, one entry a line, each with a header saying
//! what belongs there; tables are built once on first use. The function characters and short
//! words the rules are written with (particles, punctuation, units of time, verb heads) are in
//! `src/lexicon/grammar.txt`, which `build.rs` turns into named constants and class tests
//! (`COMMA`, `is_count`), so no Chinese literal stands in the rules themselves. Some tables are
//! unions of others, so a word is listed once: a name may be followed by any verb an official
//! does (`FOLLOWERS`), and a movement verb ends a title's organisation prefix (`TITLE_CUTS`).
//!
//! Kinds: cue words weighted over the activity's sentences (`kinds.txt`), and the head of an
//! event held or attended (`hold_verbs.txt` + `held_events.txt`: 出席…推介会 → investment
//! promotion), which says what the activity was whatever its topic; ties go by
//! `activity::kind::tie_rank`, the one tie order.

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)
)]

mod activity;
mod emit;
mod lexicon;
mod normalize;
mod page;
mod people;
mod text;
mod time;

use chrono::NaiveDate;
use dongtai_proto::{ActivityEvent, ArticleId, OffsetMap, Source};

/// Name and version written into every event's `extractor` field.
pub const EXTRACTOR: &str = concat!("dongtai-extract ", env!("CARGO_PKG_VERSION"));

/// What is known about a document besides its text.
#[derive(Debug, Clone, Default)]
pub struct DocMeta {
    /// The article id (events and evidence carry it).
    pub article_id: Option<ArticleId>,
    /// Headline.
    pub title: Option<String>,
    /// Newspaper or site.
    pub outlet: Option<String>,
    /// Page of a printed edition.
    pub page: Option<String>,
    /// Publication date: anchors years and relative days.
    pub published: Option<NaiveDate>,
    /// Where it can be read.
    pub url: Option<String>,
}

/// Text after normalisation, with the map back to the text as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// Normalised text.
    pub text: String,
    /// Character offsets in `text` → character offsets in the raw input.
    pub map: OffsetMap,
}

/// One article found on a scanned page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageArticle {
    /// Its headline, when the page printed one.
    pub title: Option<String>,
    /// Its normalised body.
    pub text: String,
    /// Character offsets in `text` → character offsets in the whole page as received.
    pub map: OffsetMap,
}

/// Normalise text as received: full-width forms, CJK spacing, broken column lines.
pub fn normalize(raw: &str) -> Normalized {
    normalize::normalize(raw)
}

/// `text` with every traditional (and variant) character written as its simplified form, char
/// for char, from the table the extractor reads articles with: a search can then fold 曹立強
/// and 曹立强 to one key.
pub fn to_simplified(text: &str) -> String {
    text.chars().map(simplified_char).collect()
}

/// One character as [`to_simplified`] writes it.
pub fn simplified_char(c: char) -> char {
    normalize::simplified_char(c)
}

/// Split a scanned newspaper page into its articles (headlines attached to their bodies).
pub fn split_page(raw: &str) -> Vec<PageArticle> {
    page::split_page(raw)
}

/// What `dongtai-extract file [--published D] PATH` prints: the events of a text known only by
/// its content and, maybe, its publication date.
pub fn extract_standalone(raw: &str, published: Option<NaiveDate>) -> Vec<ActivityEvent> {
    extract(
        raw,
        &DocMeta {
            published,
            ..DocMeta::default()
        },
    )
}

/// Extract the activity events of one document. Evidence offsets are character offsets into
/// `raw` as given.
pub fn extract(raw: &str, meta: &DocMeta) -> Vec<ActivityEvent> {
    let text = Received::read(raw);
    let (segments, one) = text.segments();
    // Read each article on its simplified copy; one without an activity verb holds no event,
    // and a text without any is done (no id to hash, no year to look for).
    let read: Vec<Read<'_>> = segments
        .iter()
        .map(|(seg, soft, norm)| Read {
            seg,
            soft,
            norm,
            simp: normalize::simplified(norm),
        })
        .filter(|r| activity::may_hold_activity(&r.simp))
        .collect();
    if read.is_empty() {
        return Vec::new();
    }
    let article_id = match &meta.article_id {
        Some(id) => id.clone(),
        None if one => ArticleId::of_text(&segments[0].0.text),
        None => ArticleId::of_text(text.whole()),
    };
    let resolver = text.resolver(meta.published);
    let source = Source {
        article_id: article_id.clone(),
        title: meta.title.clone(),
        outlet: meta.outlet.clone(),
        page: meta.page.clone(),
        published: meta.published,
        url: meta.url.clone(),
    };
    let meta_title: Option<Vec<char>> = meta.title.as_deref().map(chars_of);
    let mut events = Vec::new();
    for r in &read {
        let title: Option<Vec<char>> = r.seg.title.as_deref().map(chars_of);
        let doc = activity::Doc {
            norm: r.norm,
            simp: &r.simp,
            title: title.as_deref().or(meta_title.as_deref()),
            soft: r.soft,
        };
        for d in activity::extract_doc(&doc, &resolver) {
            let at = emit::Origin {
                norm: r.norm,
                map: &r.seg.map,
                raw_len: text.chars.len(),
            };
            events.push(emit::to_event(d, &at, &article_id, &source));
        }
    }
    events
}

/// A text as received: its chars, its lines and, for a scanned page, its column width.
struct Received {
    chars: Vec<char>,
    lines: Vec<normalize::Line>,
    width: Option<usize>,
    /// The whole text's normal form (what `normalize(raw)` gives), made only when needed.
    whole: std::cell::OnceCell<String>,
}

/// An article of a text: its segment, where its lines were run on, and its normal form.
type Segment = (PageArticle, Vec<usize>, Vec<char>);

impl Received {
    fn read(raw: &str) -> Self {
        let chars = chars_of(raw);
        let lines = normalize::lines(&chars);
        let width = normalize::column_width(&chars, &lines);
        Received {
            chars,
            lines,
            width,
            whole: std::cell::OnceCell::new(),
        }
    }

    /// A scanned page holds several articles: each is parsed on its own. Other texts are one
    /// article, normalised once (its id is the hash of that normal form). The flag says which.
    fn segments(&self) -> (Vec<Segment>, bool) {
        if self.width.is_some() {
            return (
                page::split_lines_soft(&self.chars, &self.lines, self.width),
                false,
            );
        }
        let join = vec![false; self.lines.len()];
        let (n, norm, soft) =
            normalize::normalize_lines_chars(&self.chars, &self.lines, &join, None);
        let seg = PageArticle {
            title: None,
            text: n.text,
            map: n.map,
        };
        (vec![(seg, soft, norm)], true)
    }

    fn whole(&self) -> &str {
        self.whole.get_or_init(|| {
            let join = normalize::column_joins(&self.chars, &self.lines, self.width);
            normalize::normalize_lines(&self.chars, &self.lines, &join).text
        })
    }

    /// Dates resolve against the publication date, or when it is unknown against the year the
    /// text itself states (a dateline, an expo's edition).
    fn resolver(&self, published: Option<NaiveDate>) -> time::Resolver {
        let doc_year = match published {
            Some(_) => None,
            None => time::doc_year(&self.chars).or_else(|| {
                let n = normalize::simplified(&chars_of(self.whole()));
                time::edition_year(&n)
            }),
        };
        time::Resolver {
            published,
            doc_year,
        }
    }
}

/// An article to parse: its segment, where its lines were run on, its chars and their
/// simplified copy.
struct Read<'a> {
    seg: &'a PageArticle,
    soft: &'a [usize],
    norm: &'a [char],
    simp: Vec<char>,
}

/// The chars of `s`, collected into a vector of the exact size.
fn chars_of(s: &str) -> Vec<char> {
    let mut v = Vec::with_capacity(s.chars().count());
    v.extend(s.chars());
    v
}

/// A time phrase found and resolved (for diagnostics and the fuzz targets).
#[derive(Debug, Clone, PartialEq)]
pub struct TimePhrase {
    /// Character offset of the phrase in the normalised text.
    pub start: usize,
    /// Character offset just past it.
    pub end: usize,
    /// First day, when it resolves to one.
    pub first: Option<NaiveDate>,
    /// Last day.
    pub last: Option<NaiveDate>,
    /// Whether the days are a guess.
    pub approx: bool,
}

/// Every time phrase of `raw` (normalised first), resolved against `published`.
pub fn resolve_times(raw: &str, published: Option<NaiveDate>) -> Vec<TimePhrase> {
    let text: Vec<char> = normalize(raw).text.chars().collect();
    let found = time::scan(&text);
    let resolver = time::Resolver {
        published,
        doc_year: time::doc_year(&text),
    };
    found
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let r = resolver.resolve(e, &found[..i]);
            TimePhrase {
                start: e.start,
                end: e.end,
                first: r.as_ref().and_then(|r| r.start),
                last: r.as_ref().and_then(|r| r.end),
                approx: r.as_ref().is_some_and(|r| r.approx),
            }
        })
        .collect()
}
