//! The kind of an activity: weighted cues from kinds.txt over its sentences and the headline, and
//! the meeting rule.

use super::{Parser, Role, Work};
use crate::lexicon::FxSet as HashSet;
use crate::lexicon::grammar::{AND_THEN, AT, DONE, FUTURE, ON_DATE};
use crate::lexicon::{
    ACTION_TRIGGERS, HELD_EVENTS, HOLD_VERBS, HOST_ROLES, HOST_VERBS, KIND_CUES, MANNER_WORDS,
    MEANS_WORDS, MOVEMENT_VERBS, RECEPTION_VERBS, SPEECH_VERBS, inside_not_kind,
};
use crate::text::{CLAUSE_END, clause_end, clause_start};
use dongtai_proto::EventKind;

impl Parser<'_> {
    pub(super) fn kind(&self, w: &Work) -> EventKind {
        if let Some(kind) = self.opening_event(w).or_else(|| self.led_event(w)) {
            return kind;
        }
        // An activity that opens with a reception (市长某会见了某某一行) is a meeting, whatever
        // the guests then talk about.
        if self.sentence_receives(w.first_anchor) && self.has_party(w) {
            return EventKind::Meeting;
        }
        let mut score = Scores::default();
        self.cue_scores(w, &mut score);
        self.held_scores(w, &mut score);
        let Scores { mut score, defined } = score;
        // A kind with defining cues (kinds.txt) needs one of them.
        let needs_defining = |i: usize| {
            KIND_CUES
                .1
                .values()
                .any(|c| c.defining && c.kind == EventKind::ALL[i])
        };
        for i in 0..EventKind::COUNT {
            if !defined[i] && score[i] > 0 && needs_defining(i) {
                score[i] = 0;
                let site = EventKind::ALL
                    .iter()
                    .position(|&x| x == EventKind::SiteInspection);
                if let Some(site) = site {
                    score[site] = score[site].max(1);
                }
            }
        }
        let mut best = (0..EventKind::COUNT)
            .max_by_key(|&i| (score[i], tie_rank(EventKind::ALL[i])))
            .unwrap_or_default(); // never empty: there are kinds
        // A forum held on a visit (调研…，并召开座谈会; 考察…，并与当地领导座谈) is part of the
        // visit: a meeting needs a party met, someone from outside (a guest, a business) or a
        // person received or talked with.
        if EventKind::ALL[best] == EventKind::Meeting && !self.has_party(w) && !self.receives(w) {
            let visit = [
                EventKind::ForestChiefInspection,
                EventKind::ExpoVisit,
                EventKind::InvestmentPromotion,
                EventKind::SiteInspection,
            ];
            if let Some(i) = (0..EventKind::COUNT)
                .filter(|&i| visit.contains(&EventKind::ALL[i]) && score[i] > 0)
                .max_by_key(|&i| (score[i], tie_rank(EventKind::ALL[i])))
            {
                best = i;
            }
        }
        if score[best] == 0 {
            EventKind::Other
        } else {
            EventKind::ALL[best]
        }
    }

    /// The weighted cue words (kinds.txt) of the activity's sentences and the headline: what the
    /// actor does in the first sentence counts most, the activity's own sentences more than
    /// those only in its scope.
    fn cue_scores(&self, w: &Work, score: &mut Scores) {
        let mut seen = HashSet::default();
        for &si in &w.core {
            if seen.insert(si) {
                let (a, b) = self.sents[si];
                if si == w.first_anchor && w.actor_pos > a && w.actor_pos < b {
                    // What the actor does counts more than the sentence's background.
                    self.add_cues(&self.t[a..w.actor_pos], Some(a), 1, score);
                    self.add_cues(&self.t[w.actor_pos..b], Some(w.actor_pos), 4, score);
                } else {
                    self.add_cues(&self.t[a..b], Some(a), 3, score);
                }
            }
        }
        for &si in &w.scope {
            if seen.insert(si) {
                let (a, b) = self.sents[si];
                self.add_cues(&self.t[a..b], Some(a), 1, score);
            }
        }
        if let Some(title) = self.doc.title {
            let simp = crate::normalize::simplified(title);
            self.add_cues(&simp, None, 2, score);
            for (kind, weight) in
                (0..simp.len()).filter_map(|i| held_event_at(&simp, i, simp.len()))
            {
                score.add(kind, weight);
            }
        }
    }

    /// The cues of `text` times `factor`; `skip_titles` is the text's offset when cues inside
    /// a person's title weigh nothing (but an office still defines: 县级林长某).
    fn add_cues(&self, text: &[char], skip_titles: Option<usize>, factor: u32, score: &mut Scores) {
        let (cues, weights) = &*KIND_CUES;
        let mut i = 0;
        while i < text.len() {
            let Some(l) = cues.longest_at(text, i) else {
                i += 1;
                continue;
            };
            let inside = skip_titles.is_some_and(|off| self.in_title(off + i));
            if !inside_not_kind(text, i)
                && let Some(cue) = weights.get(&text[i..i + l])
                && (!cue.of_people || skip_titles.is_some_and(|off| self.person_after(off + i + l)))
                && let Some(pos) = EventKind::ALL.iter().position(|&x| x == cue.kind)
            {
                if !inside {
                    score.score[pos] += cue.weight * factor;
                }
                score.defined[pos] |= cue.defining;
            }
            i += l;
        }
    }

    /// Whether a person is named right after `at` (after 了): the object of a verb of calling.
    fn person_after(&self, at: usize) -> bool {
        let at = if self.t.get(at) == Some(&DONE) {
            at + 1
        } else {
            at
        };
        self.mentions_in(at, at + 1).any(|k| self.ms[k].start == at)
    }

    /// An event held or attended (出席…推介会) is what the activity was, wherever in the
    /// activity it is named (我市举办…推介会。市长某出席。).
    fn held_scores(&self, w: &Work, score: &mut Scores) {
        let mut seen = HashSet::default();
        for &si in w.core.iter().chain(&w.scope) {
            if seen.insert(si) {
                // The event an activity opens with is what it was (我市举行欢迎宴会，欢迎参加
                // 洽谈会的客商 is a banquet).
                let opening = if w.held && si == w.first_anchor { 3 } else { 1 };
                for (kind, weight) in self.held_events(si) {
                    score.add(kind, weight * opening);
                }
            }
        }
    }

    /// Whether the activity's own sentences say someone was received (会见, 接见, 会晤): then it
    /// is a meeting whoever the guests are, named or not.
    pub(super) fn receives(&self, w: &Work) -> bool {
        w.core.iter().any(|&si| self.sentence_receives(si))
    }

    /// Whether sentence `si` says someone was received (会见, 接见, 接待 …).
    pub(super) fn sentence_receives(&self, si: usize) -> bool {
        self.reception_at(si).is_some()
    }

    /// Where sentence `si` first says someone was received (会见, 接见, 接待 …).
    pub(super) fn reception_at(&self, si: usize) -> Option<usize> {
        let (s, e) = self.sents[si];
        (s..e).find(|&i| !self.in_title(i) && RECEPTION_VERBS.starts_at(self.t, i))
    }

    /// Where sentence `s..e` opens an event held by no person (我市举行欢迎宴会, 会议在某地开幕):
    /// a verb of holding (host_verbs.txt) with no person named before it in its clause and an
    /// event (held_events.txt) as its object or its subject. Only a sentence with a date of its
    /// own opens one, and none is opened for an event still to come (将).
    pub(super) fn held_opening(&self, s: usize, e: usize) -> Option<usize> {
        let t = self.t;
        if !self.times_in(s, e).any(|k| !self.dateline(k)) && self.heading_date(s).is_none() {
            return None;
        }
        let mut cs = s;
        for i in s..e {
            if CLAUSE_END.contains(&t[i]) {
                cs = i + 1;
                continue;
            }
            if !HOST_VERBS.starts_at(t, i)
                || self.in_title(i)
                || !self.mentions_in(cs, i).is_empty()
                || t[cs..i].contains(&FUTURE)
            {
                continue;
            }
            if self.held_subject(s, i).is_some() || held_event_at(t, i, e).is_some() {
                return Some(i);
            }
        }
        None
    }

    /// The kind of the event an activity opened by a held event opens with: the head of the
    /// holding verb's object (我市举行欢迎宴会) or of its subject (会议在某地开幕).
    fn opening_event(&self, w: &Work) -> Option<EventKind> {
        if !w.held || w.led {
            return None;
        }
        let (s, e) = self.sents[w.first_anchor];
        let at = w.actor_pos;
        if let Some((kind, _)) = held_event_at(self.t, at, e) {
            return Some(kind);
        }
        self.held_subject(s, at)
    }

    /// The kind of a conference or meeting the lead holds as the first thing they do
    /// (某某组织召开招商引资推进会; 某某主持召开座谈会): what it is about (招商) does not make it
    /// a trip. Only a specific event word counts (推进会, 仪式, 座谈会; not 会 alone).
    fn led_event(&self, w: &Work) -> Option<EventKind> {
        let t = self.t;
        let (_, e) = self.sents[w.first_anchor];
        let ce = clause_end(t, w.actor_pos, e);
        let v = (w.actor_pos..ce).find(|&i| {
            HOST_VERBS.starts_at(t, i)
                || ACTION_TRIGGERS.starts_at(t, i)
                || MOVEMENT_VERBS.starts_at(t, i)
        })?;
        if !HOST_VERBS.starts_at(t, v) {
            return None;
        }
        let (kind, weight) = held_event_at(t, v, e)?;
        (weight >= 4 && matches!(kind, EventKind::Conference | EventKind::Meeting)).then_some(kind)
    }

    /// The kind of the event that is the subject of a verb of holding at `at` (sentence from
    /// `s`): a head word (held_events.txt) ending the clause's subject, which stops at a time
    /// phrase, 在, a word of means (通过视频连线方式) or the verb (会议在县剧院开幕); a clause that starts with its time or place
    /// has its subject in the clause before (…启动仪式，昨天在某宾馆举行).
    fn held_subject(&self, s: usize, at: usize) -> Option<EventKind> {
        let t = self.t;
        let (heads, weights) = &*HELD_EVENTS;
        let cs = clause_start(t, s, at);
        let stop = (cs..at)
            .find(|&i| {
                t[i] == AT
                    || self.times_in(i, i + 1).next().is_some()
                    || MEANS_WORDS.starts_at(t, i)
            })
            .unwrap_or(at);
        let mut end = if stop == cs && cs > s { cs - 1 } else { stop };
        // 某活动周于8月22日…开幕: 于 before the date is no part of the event's name.
        if end > cs && t[end - 1] == ON_DATE {
            end -= 1;
        }
        // 「某农业博览会」昨天…开幕: the name in quotes.
        if end > s && matches!(t[end - 1], '」' | '”' | '》') {
            end -= 1;
        }
        let h = heads.longest_ending_at(t, end)?;
        weights.get(&t[end - h..end]).map(|c| c.kind)
    }

    /// Where an event held by no person was held: what stands between 在 and the verb of
    /// holding in its clause (会议在县剧院开幕, 仪式昨天在某宾馆隆重举行), words of manner
    /// (manner_words.txt) left out. Char offsets into the text.
    pub(super) fn venue(&self, w: &Work) -> Option<(usize, usize)> {
        if !w.held {
            return None;
        }
        let (s, _) = self.sents[w.first_anchor];
        // The sentence that opened it, else one of its own that holds it too (a headline
        // opened it: 某论坛今日开幕。11月20日，某论坛在某广场开幕).
        self.venue_before(s, w.actor_pos).or_else(|| {
            w.core.iter().find_map(|&si| {
                let (s, e) = self.sents[si];
                self.held_opening(s, e)
                    .and_then(|at| self.venue_before(s, at))
            })
        })
    }

    /// The place after 在 in the clause before `at`, where an event is held (在某地举行).
    fn venue_before(&self, s: usize, at: usize) -> Option<(usize, usize)> {
        let t = self.t;
        let cs = clause_start(t, s, at);
        let a = (cs..at).rev().find(|&i| t[i] == AT)? + 1;
        let mut b = at;
        while let Some(l) = MANNER_WORDS.longest_ending_at(t, b) {
            b -= l;
        }
        let ok = b >= a + 2 && b - a <= 24 && self.mentions_in(a, b).is_empty();
        ok.then_some((a, b))
    }

    /// The person who leads an event held by no person: the first attendee who presides or
    /// speaks (host_roles.txt, speech_verbs.txt) in their own clause, else the first official.
    pub(super) fn host_lead(&self, w: &Work) -> Option<usize> {
        let t = self.t;
        let acts = |k: usize| {
            let m = &self.ms[k];
            let end = (m.name_end..t.len())
                .find(|&i| CLAUSE_END.contains(&t[i]) || !self.mentions_in(i, i + 1).is_empty())
                .unwrap_or(t.len());
            (m.name_end..end).any(|i| HOST_ROLES.starts_at(t, i) || SPEECH_VERBS.starts_at(t, i))
        };
        let mut people: Vec<usize> = w.people.iter().map(|p| p.0).collect();
        people.sort_by_key(|&k| self.ms[k].start);
        people
            .iter()
            .copied()
            .find(|&k| acts(k))
            .or_else(|| people.iter().copied().find(|&k| self.official[k]))
    }

    /// The kinds (and weights) of the events held or attended in sentence `si`.
    pub(super) fn held_events(&self, si: usize) -> Vec<(EventKind, u32)> {
        let (s, e) = self.sents[si];
        (s..e)
            .filter(|&i| !self.in_title(i))
            .filter_map(|i| held_event_at(self.t, i, e))
            .collect()
    }

    /// Whether an activity has someone met: a participant who is the party met or not an
    /// official (people listed without titles, 甲、乙等陪同, go along rather than being met).
    pub(super) fn has_party(&self, w: &Work) -> bool {
        w.people.iter().any(|&(k, role)| {
            role == Role::Participant
                && (!self.official[k] && !self.ms[k].listed || self.is_party_met(&self.ms[k]))
        })
    }
}

/// The weight of each kind's cues, and whether a defining cue of it was seen.
#[derive(Default)]
struct Scores {
    score: [u32; EventKind::COUNT],
    defined: [bool; EventKind::COUNT],
}

impl Scores {
    fn add(&mut self, kind: EventKind, weight: u32) {
        if let Some(pos) = EventKind::ALL.iter().position(|&x| x == kind) {
            self.score[pos] += weight;
        }
    }
}

/// Which kind wins a tie of cue weights: the more specific (forest > expo > investment >
/// meeting > conference > site > other).
pub(super) fn tie_rank(k: EventKind) -> usize {
    const ORDER: [EventKind; EventKind::COUNT] = [
        EventKind::Other,
        EventKind::SiteInspection,
        EventKind::Conference,
        EventKind::Meeting,
        EventKind::InvestmentPromotion,
        EventKind::ExpoVisit,
        EventKind::ForestChiefInspection,
    ];
    ORDER.iter().position(|&x| x == k).unwrap_or(0)
}

/// The kind (and weight) of the event held or attended by a verb of holding or attending
/// (hold_verbs.txt) at `t[i]`, before `e`: the head word (held_events.txt) ending its object,
/// which runs to the end of the clause or to 并 (出席签约仪式并讲话); none for an event still
/// to come.
pub(super) fn held_event_at(t: &[char], i: usize, e: usize) -> Option<(EventKind, u32)> {
    let (heads, weights) = &*HELD_EVENTS;
    let from = i + HOLD_VERBS.longest_at(t, i)?;
    let limit = e.min(from + 40);
    let end = (from..limit)
        .find(|&k| CLAUSE_END.contains(&t[k]) || t[k] == AND_THEN)
        .unwrap_or(limit);
    // An event still to come (将出席…, 参加即将举行的…) is no part of what was done.
    if t[i.saturating_sub(2)..end].contains(&FUTURE) {
        return None;
    }
    let h = heads
        .longest_ending_at(t, end)
        .filter(|&h| end - h >= from)?;
    weights.get(&t[end - h..end]).map(|c| (c.kind, c.weight))
}
