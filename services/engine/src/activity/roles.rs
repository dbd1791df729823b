//! Who leads and who takes part: the role of each person in a sentence (陪同/参加 → participant, 会见 →
//! the party met, after 带队 → the leader’s team).

use super::triggers::habitual_at;
use super::{Parser, Role, SentenceInfo};
use crate::lexicon::grammar::{
    ALONG, AND_THEN, AT, AT_THAT_TIME, COMRADE, ESCORTED, FUTURE, MEETING_CHAR, OF, ON_DATE, PARTY,
    PROPOSED, WHEN, list_joiners, modal_heads, not_proposed_before, org_openers, with,
};
use crate::lexicon::grammar::{COMMA, DUNHAO};
use crate::lexicon::{
    ACTION_TRIGGERS, ANNOUNCING_VERBS, HANDING_VERBS, LEAD_VERBS, MEETING_MARKERS, MOVEMENT_VERBS,
    PARTICIPANT_HEADS, PARTICIPANT_VERBS, RECEPTION_VERBS, SENDING_VERBS, TALK_VERBS,
};
use crate::people::{Mention, business_title};
use crate::text::{CLAUSE_END, clause_end, clause_start, word_at};

impl Parser<'_> {
    /// Roles of the people in sentence `si`, and whether it reports an activity.
    pub(super) fn analyse(&self, si: usize) -> SentenceInfo {
        let (s, e) = self.sents[si];
        let t = self.t;
        let all: Vec<usize> = self.mentions_in(s, e).collect();
        // 甲指派乙代表出席, 受甲委托，乙出席: the one who sends another is not there.
        let idx: Vec<usize> = all
            .iter()
            .enumerate()
            .filter(|&(n, &k)| {
                let next = all.get(n + 1).map(|&k2| self.ms[k2].start);
                next.is_none_or(|to| SENDING_VERBS.find(t, self.ms[k].name_end, to).is_none())
                    && !self.only_owner(k)
            })
            .map(|(_, &k)| k)
            .collect();
        let mut info = SentenceInfo::default();
        let mut lead_seen: Option<usize> = None;
        for (n, &k) in idx.iter().enumerate() {
            let m = &self.ms[k];
            let role = self.role(&idx, n, lead_seen);
            if role == Role::Lead && lead_seen.is_none() {
                lead_seen = Some(k);
            }
            let _ = m;
            info.roles.push((k, role));
        }
        let trigger = lead_seen
            .filter(|&k| !habitual_at(t, self.ms[k].name_end))
            .and_then(|k| Some((k, self.trigger_after(self.ms[k].name_end, e)?)));
        // 19日某某将南下，拜会…: what is still to come neither opens an activity nor goes on
        // with the one told before it.
        info.announced = trigger.is_some_and(|(k, (at, _))| {
            // 开幕式拟由某某主持: what is said of the event before 由 and its agent counts too.
            // 拟邀请某某出席: only planned.
            let m = &self.ms[k];
            let cs = clause_start(t, 0, m.start);
            let proposed = (cs..m.start).any(|i| self.proposes(i));
            let from = if m.start > 0 && org_openers(t[m.start - 1]) {
                cs
            } else {
                m.name_end
            };
            proposed || self.still_to_come(from, at) || self.made_known(cs)
        });
        if let Some((k, (at, strong))) = trigger
            && !info.announced
        {
            info.anchor = true;
            info.strong = strong;
            info.actor_pos = self.ms[k].start;
            // Someone named after the activity who does no activity of their own (…巡馆，乙致辞)
            // takes part in it.
            let n = info.roles.len();
            for r in 0..n {
                let (m, role) = info.roles[r];
                if role != Role::Lead || self.ms[m].start <= at {
                    continue;
                }
                let until = info
                    .roles
                    .get(r + 1)
                    .map_or(e, |&(m2, _)| self.ms[m2].start);
                if self.trigger_after(self.ms[m].name_end, until).is_none() {
                    info.roles[r].1 = Role::Participant;
                }
            }
        }
        if !info.anchor && lead_seen.is_none() {
            info.org = self.org_actor(s, e);
            if let Some((a, _)) = info.org {
                info.anchor = true;
                info.strong = true;
                info.actor_pos = a;
            }
        }
        if !info.anchor
            && let Some(at) = self.held_opening(s, e)
        {
            info.anchor = true;
            info.strong = true;
            info.held = true;
            info.actor_pos = at;
            info.org = info.org.or_else(|| self.host_org(s, at));
            // Those named in it attend: nobody leads until someone presides or speaks.
            for r in &mut info.roles {
                r.1 = Role::Participant;
            }
        }
        let _ = t;
        info
    }

    /// Whether mentions `a` and `b` are items of one list: only 、 or a joiner (和, 及, 与)
    /// between them, two characters at most.
    pub(super) fn listed_together(&self, a: usize, b: usize) -> bool {
        let gap = &self.t[self.ms[a].name_end..self.ms[b].start];
        gap.len() <= 2 && gap.iter().all(|&c| c == DUNHAO || list_joiners(c))
    }

    /// Whether mention `k` only owns what follows (感谢某某的支持, 在某某的关心下): a name
    /// before 的 is no one present, unless 的 leads to how they went along (在某某的陪同下,
    /// 在某某的带领下).
    fn only_owner(&self, k: usize) -> bool {
        let t = self.t;
        let end = self.ms[k].name_end;
        // 感谢甲与乙的支持: a list before 的 owns it together.
        if let Some(next) = self.ms.get(k + 1)
            && next.start == end + 1
            && (list_joiners(t[end]) || t[end] == DUNHAO)
        {
            return self.only_owner(k + 1);
        }
        t.get(end) == Some(&OF)
            && !LEAD_VERBS.starts_at(t, end + 1)
            && !PARTICIPANT_VERBS.starts_at(t, end + 1)
    }

    /// Whether what a person does at `at` is still to come: 将 between them and it (某将出席…,
    /// 某将于下月前往…), or 会 right before a verb (她亦会率团到访); in the same clause or one
    /// that goes on without a subject (某将于8日启程，并于9日率团视察; 某将于今晚离港，前赴…).
    fn still_to_come(&self, from: usize, at: usize) -> bool {
        let t = self.t;
        // The longest verb an official does (an activity, a movement, leading) at `k`.
        let verb_at = |k: usize| {
            [&*ACTION_TRIGGERS, &*MOVEMENT_VERBS, &*LEAD_VERBS]
                .iter()
                .filter_map(|set| set.longest_at(t, k))
                .max()
        };
        let mut future = false;
        // Whether a verb came after 将 (将于下周二傍晚，启程前往…: only the time did).
        let mut acted = false;
        for i in from..at {
            if CLAUSE_END.contains(&t[i]) {
                // The next clause goes on without a subject of its own: with 并, or a verb in
                // its first two characters (前往, 前赴); or 将 only said when so far.
                future = future
                    && (t.get(i + 1) == Some(&AND_THEN)
                        || !acted
                        || verb_at(i + 1).is_some()
                        || verb_at(i + 2).is_some());
                acted = false;
            } else if self.in_title(i) {
            } else if t[i] == FUTURE && !self.hands_over(i)
                || self.proposes(i)
                || word_at(t, i, AT_THAT_TIME)
            {
                future = true;
                acted = false;
            } else if future && !acted && verb_at(i).is_some() {
                acted = true;
            } else if t[i] == MEETING_CHAR && (self.name_end[i] || i > 0 && modal_heads(t[i - 1])) {
                // 会 as "will": after a name or an adverb (亦会, 随后会; 我会 is "our
                // association"), before a verb of the activity (会参观, 会转往) or the day it
                // is to be done (亦会于同日前往), not a word it begins (会见, 会议).
                future |= verb_at(i + 1).is_some_and(|l| l >= 2) || t.get(i + 1) == Some(&ON_DATE);
            }
        }
        future
    }

    /// Whether the clause starting at `cs` is what an office made known (政府新闻处昨日公布，
    /// 某某周日前往北京…): the clause before it ends with a verb of announcing.
    fn made_known(&self, cs: usize) -> bool {
        let t = self.t;
        cs > 1 && t[cs - 1] == COMMA && ANNOUNCING_VERBS.longest_ending_at(t, cs - 1).is_some()
    }

    /// Whether 拟 at `i` says what follows is only planned (拟邀请, 拟由), not 模拟, 草拟 ….
    fn proposes(&self, i: usize) -> bool {
        let t = self.t;
        t[i] == PROPOSED && i > 0 && !not_proposed_before(t[i - 1])
    }

    /// Whether 将 at `i` marks what is handed over (将旗帜交于某某), not what is to come: a verb
    /// of handing follows in its clause.
    fn hands_over(&self, i: usize) -> bool {
        let t = self.t;
        let end = (i + 1..t.len())
            .find(|&k| CLAUSE_END.contains(&t[k]))
            .unwrap_or(t.len());
        HANDING_VERBS.find(t, i + 1, end).is_some()
    }

    /// Whether the person whose mention starts at `start` is the party met or visited: a
    /// meeting verb right before them, or before a short modifier ending in 的 (会见了来访的某,
    /// 看望了坚守一线的某).
    pub(super) fn met_at(&self, start: usize) -> bool {
        let t = self.t;
        // 会见了由某市市长某某带领的考察团: 由 before the one met.
        let start = if start > 0 && org_openers(t[start - 1]) {
            start - 1
        } else {
            start
        };
        if MEETING_MARKERS.longest_ending_at(t, start).is_some() {
            return true;
        }
        if start == 0 || t[start - 1] != OF {
            return false;
        }
        (start.saturating_sub(12)..start - 1)
            .rev()
            .take_while(|&i| !CLAUSE_END.contains(&t[i]) && !self.name_end[i + 1])
            .any(|i| MEETING_MARKERS.longest_ending_at(t, i + 1).is_some())
    }

    /// Whether a mention is the other party of a meeting: met or visited (会见某, 看望某), or
    /// talked with (与/和/同 (前来参观的) 某 … 座谈).
    pub(super) fn is_party_met(&self, m: &Mention) -> bool {
        let t = self.t;
        if self.met_at(m.start) {
            return true;
        }
        let se = self
            .sentence_of(m.start)
            .map_or(t.len(), |si| self.sents[si].1);
        let clause_start = clause_start(t, 0, m.start);
        let with = (clause_start.max(m.start.saturating_sub(14))..m.start)
            .any(|i| with(t[i]) || t[i] == ALONG);
        let clause_end = clause_end(t, m.name_end, se);
        with && TALK_VERBS.find(t, m.name_end, clause_end).is_some()
    }

    /// The role of the `n`th mention of a sentence.
    pub(super) fn role(&self, idx: &[usize], n: usize, lead_seen: Option<usize>) -> Role {
        let t = self.t;
        let m = &self.ms[idx[n]];
        let se = self
            .sentence_of(m.start)
            .map_or(t.len(), |si| self.sents[si].1);
        if self.is_party_met(m) {
            return Role::Participant;
        }
        // 分别与甲、乙、丙…座谈: the rest of a list whose first is the party met are met too.
        let mut first = n;
        while first > 0
            && self.ms[idx[first - 1]].name_end < self.ms[idx[first]].start
            && self.listed_together(idx[first - 1], idx[first])
        {
            first -= 1;
        }
        if first < n && self.is_party_met(&self.ms[idx[first]]) {
            return Role::Participant;
        }
        // 随行官员包括甲及乙: those who went along.
        if PARTICIPANT_HEADS
            .find(t, clause_start(t, 0, m.start), m.start)
            .is_some()
        {
            return Role::Participant;
        }
        // The verb after the list this mention belongs to.
        let mut last = n;
        while last + 1 < idx.len() {
            let gap = &t[self.ms[idx[last]].name_end..self.ms[idx[last + 1]].start];
            let connector = gap.len() <= 3
                && gap
                    .iter()
                    .all(|&c| matches!(c, DUNHAO | COMMA) || list_joiners(c));
            if !connector {
                break;
            }
            last += 1;
        }
        let after = self.ms[idx[last]].name_end;
        let until = idx.get(last + 1).map_or(se, |&k| self.ms[k].start);
        // 在某某陪同下 names who went along, inside; the one after 在…下 is accompanied.
        let accompanied = |p: usize| {
            word_at(t, p, ESCORTED)
                && (after..p).any(|i| t[i] == AT)
                && !(after..p).any(|i| CLAUSE_END.contains(&t[i]))
        };
        if let Some((p, _)) = PARTICIPANT_VERBS.find(t, after, until)
            && !accompanied(p)
        {
            // 会见时在座: a verb that only says when (…时) is no action of theirs.
            let action_first = self.trigger_after(after, p).is_some_and(|(q, _)| {
                let l = ACTION_TRIGGERS.longest_at(t, q).unwrap_or(1);
                !word_at(t, q + l, WHEN)
            });
            if !action_first {
                return Role::Participant;
            }
        }
        // After 带队/率队 of an earlier lead, the others go with them.
        if let Some(k) = lead_seen
            && LEAD_VERBS.find(t, self.ms[k].name_end, m.start).is_some()
        {
            return Role::Participant;
        }
        // 甲、乙 with their own titles both lead (省委书记甲、省长乙会见了…): titles of their own
        // say each is there in their own right.
        if !self.official[idx[n]]
            && !self.leads_a_team(m.start, after, until)
            && !self.visits_alone(idx, n, after, until)
        {
            return Role::Participant;
        }
        Role::Lead
    }

    /// Whether the `n`th mention of a sentence, titled but no official (法院院长, 党校校长, 农科院
    /// 院长), visits on their own: the first person of a sentence that names no official, and
    /// right after their name (a time between) they go somewhere (赴某县调研, 到某地考察), not
    /// only speak to visitors (向前来考察的代表团介绍).
    fn visits_alone(&self, idx: &[usize], n: usize, after: usize, until: usize) -> bool {
        let t = self.t;
        let m = &self.ms[idx[n]];
        if n != 0 || !m.own_titles || idx.iter().any(|&k| self.official[k]) {
            return false;
        }
        // (A business head without a team is on no official activity: 某商会会长某某来到….)
        if m.titles.iter().any(|&(a, b)| business_title(t, a, b)) {
            return false;
        }
        let mut i = after;
        while let Some(k) = self.times_in(i, i + 1).next() {
            i = self.times[k].end;
        }
        let end = clause_end(t, i, until);
        MOVEMENT_VERBS.starts_at(t, i)
            && self.trigger_after(i, end).is_some_and(|(_, strong)| strong)
    }

    /// Whether the person whose name (or list) ends at `after` leads a team right after it
    /// (某商会会长某某带领考察团一行莅临…) or heads a party (某集团董事长某某一行): then they
    /// lead its visit, official or not.
    fn leads_a_team(&self, start: usize, after: usize, until: usize) -> bool {
        let t = self.t;
        // 某某同志带领调研组: the honorific between.
        let after = if word_at(t, after, COMRADE) {
            after + COMRADE.chars().count()
        } else {
            after
        };
        // 某集团董事长某某一行 at the head of its clause: the head of a visiting party (not
        // one met: 会见了某集团副总裁某某一行).
        if word_at(t, after, PARTY) {
            let from = clause_start(t, 0, start);
            // (…nor one whose arrival is spoken of: 对某某一行的到来表示欢迎.)
            return t.get(after + PARTY.chars().count()) != Some(&OF)
                && self.mentions_in(from, start).is_empty()
                && ACTION_TRIGGERS.find(t, from, start).is_none()
                && RECEPTION_VERBS.find(t, from, start).is_none();
        }
        let Some(l) = LEAD_VERBS.longest_at(t, after) else {
            return false;
        };
        let end = clause_end(t, after + l, until);
        (after + l..end).any(|i| word_at(t, i, PARTY) || self.team_at(i, end).is_some())
    }
}
