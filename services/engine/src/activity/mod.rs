//! From a normalised article to activity drafts: who leads and who takes part, which sentences
//! describe one activity, its kind, days, places, topic and confidence.
//!
//! [`Parser`] holds what is known about one article (sentences, people mentions, time phrases);
//! each submodule adds the methods of one step:
//! - [`triggers`]: activity verbs (and the prefilter that skips texts without any),
//! - [`roles`]: who leads and who takes part in a sentence,
//! - [`orgs`]: organisations and teams acting without a named person,
//! - [`group`]: sentences grouped into activities, their dates, drafts merged,
//! - [`draft`]: an activity finished into a [`Draft`] (days, people, confidence),
//! - [`kind`], [`places`], [`topic`]: what kind of activity, where, about what.

mod draft;
mod group;
mod kind;
mod orgs;
mod places;
mod respective;
mod roles;
mod topic;
mod triggers;

pub(crate) use triggers::may_hold_activity;

use crate::lexicon::FxMap;
use crate::people::{Mention, is_official, mentions};
use crate::text::sentences;
use crate::time::{Resolved, Resolver, TimeExpr, scan};
use dongtai_proto::EventKind;

/// One article's text ready for parsing.
pub(crate) struct Doc<'a> {
    /// Normalised text, as written (names and evidence come from here).
    pub norm: &'a [char],
    /// The same text in simplified script, char for char (parsing reads this).
    pub simp: &'a [char],
    /// Headline, when known.
    pub title: Option<&'a [char]>,
    /// Where short column lines were run on (a headline's end): titles stop there.
    pub soft: &'a [usize],
}

/// A person taking part in a draft event.
#[derive(Debug, Clone)]
pub(crate) struct PersonOut {
    pub key: String,
    pub name: String,
    pub titles: Vec<String>,
    pub lead: bool,
}

/// An activity found in one article, before it becomes an `ActivityEvent`.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub kind: EventKind,
    pub when: Option<Resolved>,
    pub phrase: Option<String>,
    pub people: Vec<PersonOut>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
    pub targets: Vec<String>,
    /// Sentence spans (chars of the article) that prove it.
    pub evidence: Vec<(usize, usize)>,
    pub confidence: f64,
    /// What it was about, as written (调研林长制工作 → 林长制工作).
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Lead,
    Participant,
}

/// What one sentence says about an activity.
#[derive(Debug, Default)]
struct SentenceInfo {
    /// (mention index, role) of every person in it.
    roles: Vec<(usize, Role)>,
    /// It reports an activity led by a person (strong: not only 出席/主持).
    anchor: bool,
    strong: bool,
    /// Organisation acting, when no person leads.
    org: Option<(usize, usize)>,
    /// Where the actor (lead or organisation) is named.
    actor_pos: usize,
    /// It opens an event held without a person as the subject (我市举行欢迎宴会): the people
    /// who attend take part, and the one who presides or speaks leads.
    held: bool,
    /// Its lead's activity is still to come (某某将于…前往): no part of any activity.
    announced: bool,
}

#[derive(Debug)]
struct Work {
    leads: Vec<usize>,
    /// Mention indices of people taking part (any role), in order of appearance.
    people: Vec<(usize, Role)>,
    orgs: Vec<(usize, usize)>,
    /// Sentences that describe the activity (anchor and merged), as indices.
    core: Vec<usize>,
    /// Sentences in its scope (for the kind).
    scope: Vec<usize>,
    /// Time phrase of its own (index into the time list).
    own_time: Option<usize>,
    /// Its time phrase: its own, or the one it inherits.
    time: Option<usize>,
    first_anchor: usize,
    actor_pos: usize,
    /// Opened by an event held without a person as its subject (see [`SentenceInfo::held`]).
    held: bool,
    /// A person's own activity (a strong verb) joined it: the held event is then only part of
    /// what they did.
    led: bool,
    /// A meeting with a party of its own, told after another meeting of the same lead that
    /// day (会见了甲…。…会见了乙…): kept apart from it.
    apart: bool,
}

struct Parser<'a> {
    doc: &'a Doc<'a>,
    t: &'a [char],
    sents: Vec<(usize, usize)>,
    ms: Vec<Mention>,
    official: Vec<bool>,
    times: Vec<TimeExpr>,
    /// Chars inside titles (kind cues there do not count).
    in_title: Vec<bool>,
    /// Positions where a person's name ends.
    name_end: Vec<bool>,
    /// Each mention's person, numbered in order of first mention.
    person: Vec<usize>,
    /// Each person's mentions with titles, in order.
    titled_of: Vec<Vec<usize>>,
    /// Each sentence's heading date (see [`Parser::heading_date`]).
    headings: Vec<Option<usize>>,
}

impl<'a> Parser<'a> {
    fn new(doc: &'a Doc<'a>) -> Self {
        let t = doc.simp;
        let sents = sentences(t);
        let ms = mentions(t, doc.soft);
        // People by key, numbered in order of first mention, with their titled mentions.
        let mut ids: FxMap<&str, usize> = FxMap::default();
        let mut person = Vec::with_capacity(ms.len());
        let mut titled_of: Vec<Vec<usize>> = Vec::new();
        for (k, m) in ms.iter().enumerate() {
            let next = ids.len();
            let id = *ids.entry(m.key.as_str()).or_insert(next);
            if id == titled_of.len() {
                titled_of.push(Vec::new());
            }
            person.push(id);
            if !m.titles.is_empty() {
                titled_of[id].push(k);
            }
        }
        drop(ids);
        // A bare name is an official when any of their titled mentions is.
        let mut official_person = vec![false; titled_of.len()];
        for (k, m) in ms.iter().enumerate() {
            if m.own_titles && is_official(t, m) || !m.titles.is_empty() && is_official(t, m) {
                official_person[person[k]] = true;
            }
        }
        let official = person.iter().map(|&p| official_person[p]).collect();
        let times = scan(t);
        let mut in_title = vec![false; t.len()];
        let mut name_end = vec![false; t.len() + 1];
        for m in &ms {
            for &(a, b) in &m.titles {
                in_title[a..b].iter_mut().for_each(|x| *x = true);
            }
            name_end[m.name_end] = true;
        }
        let mut parser = Parser {
            doc,
            t,
            sents,
            ms,
            official,
            times,
            in_title,
            name_end,
            person,
            titled_of,
            headings: Vec::new(),
        };
        // (Headings ask which dates are datelines: the parser must exist to find them.)
        parser.headings = parser.find_headings();
        parser
    }

    fn in_title(&self, i: usize) -> bool {
        self.in_title.get(i).copied().unwrap_or(false)
    }

    /// Mentions starting in `[s, e)` (mentions are sorted by start).
    fn mentions_in(&self, s: usize, e: usize) -> std::ops::Range<usize> {
        let a = self.ms.partition_point(|m| m.start < s);
        let b = self.ms.partition_point(|m| m.start < e);
        a..b.max(a)
    }

    /// Time phrases starting in `[s, e)` (sorted by start).
    fn times_in(&self, s: usize, e: usize) -> std::ops::Range<usize> {
        let a = self.times.partition_point(|x| x.start < s);
        let b = self.times.partition_point(|x| x.start < e);
        a..b.max(a)
    }

    /// The sentence holding char `pos`.
    fn sentence_of(&self, pos: usize) -> Option<usize> {
        let i = self.sents.partition_point(|&(_, e)| e <= pos);
        (i < self.sents.len() && self.sents[i].0 <= pos).then_some(i)
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Every activity of one article.
pub(crate) fn extract_doc(doc: &Doc<'_>, resolver: &Resolver) -> Vec<Draft> {
    let p = Parser::new(doc);
    p.run(resolver)
}
