//! A finished activity: its days, its people with their best titles, its places, kind, topic and
//! confidence.

use super::orgs::company_of;
use super::{Draft, Parser, PersonOut, Role, Work, dedup};
use crate::lexicon::FxSet as HashSet;
use crate::lexicon::grammar::{OPEN_BRACKET, TOMORROW};
use crate::people::Mention;
use crate::text::string;
use crate::time::{Resolved, Resolver, TimeKind};
use dongtai_proto::{EventKind, TimeBasis};

impl Parser<'_> {
    pub(super) fn finish(&self, w: &Work, resolver: &Resolver) -> Option<Draft> {
        let n = self.doc.norm;
        let (when, phrase) = self.days(w, resolver);
        // An activity dated after publication is announced, not reported (明日将赴…); so is
        // one dated by the writer's "tomorrow", whatever day the page went out
        // (明日（23日）继续考察 on a page of the 23rd).
        if let (Some(r), Some(p)) = (&when, resolver.published)
            && r.start.is_some_and(|d| d > p)
            && r.basis != TimeBasis::Inferred
        {
            return None;
        }
        if w.own_time.is_some_and(|k| self.ahead(k)) {
            return None;
        }
        let when = when.or_else(|| {
            resolver.published.map(|p| Resolved {
                start: Some(p),
                end: Some(p),
                part: None,
                approx: true,
                basis: TimeBasis::Inferred,
            })
        });
        let mut people = self.people_out(w);
        if w.held
            && !people.iter().any(|p| p.lead)
            && let Some(k) = self.host_lead(w)
        {
            for p in people.iter_mut().filter(|p| p.key == self.ms[k].key) {
                p.lead = true;
            }
            people.sort_by_key(|p| !p.lead);
        }
        if !people.iter().any(|p| p.lead) && w.orgs.is_empty() {
            return None;
        }
        let orgs: Vec<String> = dedup(w.orgs.iter().map(|&(a, b)| string(&n[a..b])).collect());
        let (mut places, mut targets) = self.places(w);
        if let Some((a, b)) = self.venue(w) {
            let venue = string(&n[a..b]);
            if !places.iter().any(|p| p.contains(&venue)) {
                places.insert(0, venue);
            }
        }
        let kind = self.kind(w);
        if kind == EventKind::Meeting {
            // The party met stands for its company (某集团董事长 → 某集团).
            for p in people.iter().filter(|p| !p.lead) {
                for title in &p.titles {
                    if let Some(org) = company_of(title) {
                        targets.push(org);
                    }
                }
            }
            targets = dedup(targets);
        }
        let mut evidence: Vec<(usize, usize)> = w.core.iter().map(|&si| self.sents[si]).collect();
        evidence.sort_unstable();
        evidence.dedup();
        let confidence = confidence(when.as_ref(), people.iter().any(|p| p.lead));
        let topic = self.topic(w);
        Some(Draft {
            topic,
            kind,
            when,
            phrase,
            people,
            orgs,
            places,
            targets,
            evidence,
            confidence,
        })
    }

    /// The days of an activity and the phrase that dates it: its own phrase, else the nearest
    /// one before its sentences.
    fn days(&self, w: &Work, resolver: &Resolver) -> (Option<Resolved>, Option<String>) {
        let tk = w
            .own_time
            .or_else(|| w.core.iter().find_map(|&si| self.time_before(si)))
            .or(w.time);
        let Some(k) = tk else {
            return (None, None);
        };
        let te = &self.times[k];
        let mut when = self.resolve_time(resolver, k);
        // A single day that the clause says lasts longer (今日展开一连三天的访问).
        if let Some(r) = when.as_mut()
            && let (Some(s), true) = (r.start, r.start == r.end)
            && let Some(days) = crate::time::duration_days(self.t, te.end)
        {
            r.end = s.checked_add_days(chrono::Days::new(u64::from(days) - 1));
        }
        (when, Some(string(&self.doc.norm[te.start..te.end])))
    }

    /// Whether time phrase `k` is a day still to come when written: 明日, 后天, 下周二, or a
    /// day in brackets that restates one (明日（23日）, 下周二（24日）, 明（23）日).
    fn ahead(&self, k: usize) -> bool {
        let t = self.t;
        let coming = |te: &crate::time::TimeExpr| match te.kind {
            TimeKind::Relative(r) => r.offset > 0 && !r.approx,
            TimeKind::Weekday { weeks_back, .. } => weeks_back.is_some_and(|w| w < 0),
            _ => false,
        };
        let te = &self.times[k];
        let restates = k > 0
            && coming(&self.times[k - 1])
            && self.times[k - 1].end + 1 == te.start
            && t[te.start - 1] == OPEN_BRACKET;
        coming(te)
            || restates
            || t[te.start] == TOMORROW && t.get(te.start + 1) == Some(&OPEN_BRACKET)
    }

    /// The people of an activity, leads first, each with the titles of their best mention.
    fn people_out(&self, w: &Work) -> Vec<PersonOut> {
        let n = self.doc.norm;
        let mut people: Vec<PersonOut> = Vec::new();
        let lead_keys: HashSet<&str> = w.leads.iter().map(|&k| self.ms[k].key.as_str()).collect();
        for &(k, role) in &w.people {
            let m = &self.ms[k];
            let lead = role == Role::Lead && lead_keys.contains(m.key.as_str());
            if let Some(p) = people.iter_mut().find(|p| p.key == m.key) {
                p.lead |= lead;
                continue;
            }
            let best = self.best_mention(k, w);
            let titles = best
                .map(|b| b.titles.iter().map(|&(a, e)| string(&n[a..e])).collect())
                .unwrap_or_default();
            let name_m = best.unwrap_or(m);
            // The name as written, without a title written inside it (黃委員勤鎮 → 黃勤鎮).
            let (a, b) = name_m.gap.unwrap_or((name_m.name_end, name_m.name_end));
            let written = [&n[name_m.name_start..a], &n[b..name_m.name_end]].concat();
            let name = if written.len() == m.key.chars().count() {
                string(&written)
            } else {
                m.key.clone()
            };
            people.push(PersonOut {
                key: m.key.clone(),
                name,
                titles,
                lead,
            });
        }
        people.sort_by_key(|p| !p.lead);
        people
    }

    /// The mention whose titles describe a person in this activity: in the sentence with the
    /// activity's date, the nearest after it; else the first in its sentences. A title longer
    /// than any real one is a headline run into the text (column layout) and loses.
    pub(super) fn best_mention(&self, k: usize, w: &Work) -> Option<&Mention> {
        let suspicious = |m: &Mention| m.titles.iter().any(|&(a, b)| b - a > 18);
        let sent_of = |pos: usize| self.sentence_of(pos);
        // The titled mentions of the person of mention `k`, in order of start.
        let titled = &self.titled_of[self.person[k]];
        let all = || titled.iter().map(|&i| &self.ms[i]);
        // Those starting in sentence `si` (a range of them: they are sorted).
        let in_sentence = |si: usize| {
            let (s, e) = self.sents[si];
            let a = titled.partition_point(|&i| self.ms[i].start < s);
            let b = titled.partition_point(|&i| self.ms[i].start < e);
            titled[a..b.max(a)].iter().map(|&i| &self.ms[i])
        };
        if let Some(k) = w.own_time {
            let te = self.times[k].start;
            let key = |m: &&Mention| {
                let dist = m.start.abs_diff(te);
                (suspicious(m), m.start < te, dist)
            };
            let best = match sent_of(te) {
                Some(si) => in_sentence(si).min_by_key(key),
                None => all().filter(|m| sent_of(m.start).is_none()).min_by_key(key),
            };
            if let Some(m) = best.filter(|m| !suspicious(m)) {
                return Some(m);
            }
        }
        // Starts are distinct, so the first of the sentences' mentions is the same in any order.
        let first_in = |sis: &[usize]| -> Option<&Mention> {
            sis.iter()
                .flat_map(|&si| in_sentence(si))
                .min_by_key(|m| (suspicious(m), m.start))
        };
        first_in(&w.core)
            .or_else(|| first_in(&w.scope))
            .or_else(|| all().min_by_key(|m| (suspicious(m), m.start)))
    }
}

/// How sure an activity is: less when its days are a guess or its year unknown, or when no
/// person leads it (an organisation does).
fn confidence(when: Option<&Resolved>, has_lead: bool) -> f64 {
    let mut confidence: f64 = 0.9;
    if let Some(r) = when {
        if r.approx {
            confidence -= 0.15;
        }
        if r.basis == TimeBasis::YearUnknown {
            confidence -= 0.1;
        }
    }
    if !has_lead {
        confidence -= 0.2;
    }
    (confidence * 100.0).round() / 100.0
}
