//! From a normalised article to activity events: sentences, who leads and who takes part, which
//! sentences describe one activity, its kind, days, places and evidence.

use crate::lexicon::FxMap;
use crate::lexicon::FxSet as HashSet;
use crate::lexicon::{
    ACTION_TRIGGERS, CATEGORY_TAILS, COMPANY_SUFFIXES, CONTINUATIONS, FOLLOWERS, GENERIC_OBJECTS,
    HABITUAL, KIND_CUES, LEAD_VERBS, LISTED_TARGETS, MEETING_MARKERS, MOVEMENT_VERBS, ORG_SUFFIXES,
    PAGE_DATE_LABELS, PARTICIPANT_VERBS, PLACE_STOPS, PLACE_SUFFIXES, RECEPTION_VERBS,
    SITE_DESCRIPTIONS, SPEECH_VERBS, TALK_VERBS, TARGET_SUFFIXES, TEAM_SUFFIXES, inside_not_kind,
};
use crate::people::{Mention, is_cjk, is_official, mentions};
use crate::text::{string, word_at, word_before};
use crate::time::{Resolved, Resolver, TimeExpr, scan};
use dongtai_proto::{EventKind, TimeBasis};

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
}

const CLAUSE_END: &[char] = &['，', '。', '；', '：', '！', '？', '\n'];
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '\n'];
const WEAK_TRIGGERS: &[&str] = &["出席", "主持"];

fn sentences(text: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    let mut i = 0;
    while i < text.len() {
        if SENTENCE_END.contains(&text[i]) {
            let mut e = i + 1;
            while e < text.len() && matches!(text[e], '”' | '’' | '」' | '）') {
                e += 1;
            }
            if e > s {
                out.push((s, e));
            }
            s = e;
            i = e;
            continue;
        }
        i += 1;
    }
    if s < text.len() {
        out.push((s, text.len()));
    }
    out
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
        Parser {
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
        }
    }

    /// Whether `t[from..to]` may hold an activity verb: 到 or the first char of an action
    /// trigger (a quick filter before a search).
    fn may_trigger_in(&self, from: usize, to: usize) -> bool {
        let triggers = &*ACTION_TRIGGERS;
        self.t[from.min(to)..to]
            .iter()
            .any(|&c| c == '到' || triggers.may_start(c))
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

    /// The first action trigger in `t[from..to]` not inside a title, unless a speech verb comes
    /// first. Returns (position, strong).
    fn trigger_after(&self, from: usize, to: usize) -> Option<(usize, bool)> {
        let t = self.t;
        let mut i = from;
        while i < to {
            if self.speech_at(i, from) {
                return None;
            }
            if let Some(l) = ACTION_TRIGGERS.longest_at(t, i)
                && !self.in_title(i)
                && !inside_not_kind(t, i)
                && !(i > 0 && t[i - 1] == '在')
            {
                let w = &t[i..i + l];
                let weak = WEAK_TRIGGERS
                    .iter()
                    .any(|x| w.iter().copied().eq(x.chars()));
                return Some((i, !weak));
            }
            if t[i] == '到' && self.movement_dao(i) {
                return Some((i, true));
            }
            i += 1;
        }
        None
    }

    /// Whether a verb of saying at `i` reports someone's words: right after the person (`from`
    /// is where their name ends) or at the head of a clause (，他表示).
    fn speech_at(&self, i: usize, from: usize) -> bool {
        let t = self.t;
        if !SPEECH_VERBS.starts_at(t, i) || self.in_title(i) {
            return false;
        }
        let near = i >= from && i - from <= 4;
        let head = i > 0 && (CLAUSE_END.contains(&t[i - 1]) || matches!(t[i - 1], '他' | '她'));
        let after_name = (i.saturating_sub(2)..=i).any(|k| self.name_end[k]);
        near || head || after_name
    }

    /// Whether the clause at `from` continues a list of places: it reads like one (、, 及其,
    /// 以及) and holds no person, no activity verb and no stop word before its end.
    fn list_goes_on(&self, from: usize, e: usize) -> bool {
        let t = self.t;
        let end = (from..e).find(|&i| CLAUSE_END.contains(&t[i])).unwrap_or(e);
        let stop = (from..end)
            .find(|&i| PLACE_STOPS.starts_at(t, i))
            .unwrap_or(end);
        if stop == from
            || !self.mentions_in(from, stop).is_empty()
            || ACTION_TRIGGERS.find(t, from, stop).is_some()
        {
            return false;
        }
        if word_at(t, from, "以及") {
            return true;
        }
        let seg = &t[from..stop];
        let listy = seg.contains(&'、') || seg.windows(2).any(|w| w == ['及', '其']);
        // Most of its items name places (乙村、丙村), not works (铺设路面、改善边坡).
        let items = split_list(t, from, stop);
        let placey = items
            .iter()
            .filter(|&&(a, b)| PLACE_SUFFIXES.longest_ending_at(&t[a..b], b - a).is_some())
            .count();
        listy && placey * 2 >= items.len()
    }

    /// Whether sentence `si` goes on with the activity before it without naming its subject:
    /// after a time phrase and words like 随后/接续, it opens with an activity verb; or it opens
    /// with the visitors referred back to (考察组一行, 一行, 他们) and one of its clauses goes on
    /// with a verb of movement or visit before anyone is quoted.
    fn continues_activity(&self, si: usize) -> bool {
        let t = self.t;
        let (s, e) = self.sents[si];
        let mut i = s;
        let mut referred = false;
        while i < e {
            if let Some(k) = self.times_in(i, i + 1).next() {
                i = self.times[k].end;
            } else if let Some(l) = CONTINUATIONS.longest_at(t, i) {
                referred |= word_at(t, i, "一行");
                i += l;
            } else if let Some(l) = self.team_at(i, e) {
                // 代表团一行, 调研组: the team already met.
                referred = true;
                i += l;
            } else if let Some(l) = self.while_clause(i, e) {
                i += l;
            } else if t[i] == '，' {
                i += 1;
            } else {
                break;
            }
        }
        if i >= e || self.in_title(i) {
            return false;
        }
        if MOVEMENT_VERBS.starts_at(t, i) || ACTION_TRIGGERS.starts_at(t, i) {
            return true;
        }
        // 在某村，… : the next stop of the visit.
        if self.place_opening(i, e) {
            return true;
        }
        if !referred && !word_at(t, i, "他们") {
            return false;
        }
        (i..e)
            .take_while(|&k| !self.speech_at(k, i))
            .any(|k| MOVEMENT_VERBS.starts_at(t, k) && !self.in_title(k))
    }

    /// The length of a team named at `i` (调研组, 市林长制督导工作组, 考察团一行), 一行 included.
    fn team_at(&self, i: usize, e: usize) -> Option<usize> {
        let t = self.t;
        let end = (i + 2..=(i + 12).min(e))
            .take_while(|&k| !CLAUSE_END.contains(&t[k - 1]))
            .filter(|&k| TEAM_SUFFIXES.longest_ending_at(t, k).is_some())
            .last()?;
        if !self.mentions_in(i, end).is_empty() {
            return None;
        }
        let rest = if word_at(t, end, "一行") { 2 } else { 0 };
        Some(end + rest - i)
    }

    /// Whether the clause at `i` is 在 and a place, ending at its comma (在某村，).
    fn place_opening(&self, i: usize, e: usize) -> bool {
        let t = self.t;
        if t[i] != '在' {
            return false;
        }
        let Some(c) = (i + 1..e.min(i + 32)).find(|&k| CLAUSE_END.contains(&t[k])) else {
            return false;
        };
        t[c] == '，'
            && c >= i + 3
            && PLACE_SUFFIXES.longest_ending_at(t, c).is_some()
            && self.mentions_in(i, c).is_empty()
    }

    /// The length of a clause at `i` that only sets when (在某地期间，/ 在某地时，), comma included.
    fn while_clause(&self, i: usize, e: usize) -> Option<usize> {
        let t = self.t;
        if t[i] != '在' {
            return None;
        }
        let c = (i + 1..e.min(i + 16)).find(|&k| CLAUSE_END.contains(&t[k]))?;
        (t[c] == '，' && (word_before(t, c, "期间") || word_before(t, c, "时")))
            .then_some(c + 1 - i)
    }

    /// Whether a verb of movement starting with 到 at `i` names a visit by itself (到访).
    fn visit_at(&self, i: usize) -> bool {
        MOVEMENT_VERBS.longest_at(self.t, i).is_some_and(|l| l >= 2)
            && self.t.get(i + 1) == Some(&'访')
    }

    /// Whether 对 at `i` opens the object of an inspection: 进行 and an activity verb follow in
    /// the clause (对某度假区进行了实地考察).
    fn inspects_object(&self, i: usize, e: usize) -> bool {
        let t = self.t;
        let end = (i + 1..e)
            .find(|&k| CLAUSE_END.contains(&t[k]))
            .unwrap_or(e);
        (i + 2..end).any(|k| {
            word_at(t, k, "进行") && {
                let mut v = k + 2;
                while v < end && CONTINUATIONS.starts_at(t, v) || t.get(v) == Some(&'了') {
                    v += CONTINUATIONS.longest_at(t, v).unwrap_or(1);
                }
                v < end && ACTION_TRIGGERS.starts_at(t, v)
            }
        })
    }

    /// Whether the word of position at `k` (上, 中, 期间 …) closes a phrase opened by 在: the
    /// clause ends after it, or what follows reports speech or action (在会上强调). Inside a
    /// name it does not (在某县中盛公司, 在某中心).
    fn closes_at_phrase(&self, k: usize) -> bool {
        let t = self.t;
        let mut n = k + 1;
        if matches!(t[k], '期' | '当') && matches!(t.get(n), Some('间' | '中')) {
            n += 1;
        }
        match t.get(n) {
            None => true,
            Some(c) => {
                CLAUSE_END.contains(c)
                    || SPEECH_VERBS.starts_at(t, n)
                    || FOLLOWERS.starts_at(t, n) && !(t[k] == '中' && *c == '心')
            }
        }
    }

    /// Whether the list ending at `end` is closed by 等 and words for matters rather than sites
    /// (等情况, 等工作).
    fn list_describes_matters(&self, end: usize, e: usize) -> bool {
        let t = self.t;
        if t.get(end) != Some(&'等') {
            return false;
        }
        let tail_end = (end + 1..e)
            .find(|&x| CLAUSE_END.contains(&t[x]))
            .unwrap_or(e);
        SITE_DESCRIPTIONS
            .longest_ending_at(&t[..tail_end], tail_end)
            .is_some_and(|l| tail_end - l > end)
    }

    /// Whether 到 at `i` means going somewhere.
    fn movement_dao(&self, i: usize) -> bool {
        movement_dao(self.t, i)
    }

    /// Roles of the people in sentence `si`, and whether it reports an activity.
    fn analyse(&self, si: usize) -> SentenceInfo {
        let (s, e) = self.sents[si];
        let t = self.t;
        let idx: Vec<usize> = self.mentions_in(s, e).collect();
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
        if let Some(k) = lead_seen
            && !habitual_at(t, self.ms[k].name_end)
            && let Some((at, strong)) = self.trigger_after(self.ms[k].name_end, e)
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
        let _ = t;
        info
    }

    /// Whether the person whose mention starts at `start` is the party met or visited: a
    /// meeting verb right before them, or before a short modifier ending in 的 (会见了来访的某,
    /// 看望了坚守一线的某).
    fn met_at(&self, start: usize) -> bool {
        let t = self.t;
        if MEETING_MARKERS.longest_ending_at(t, start).is_some() {
            return true;
        }
        if start == 0 || t[start - 1] != '的' {
            return false;
        }
        (start.saturating_sub(12)..start - 1)
            .rev()
            .take_while(|&i| !CLAUSE_END.contains(&t[i]) && !self.name_end[i + 1])
            .any(|i| MEETING_MARKERS.longest_ending_at(t, i + 1).is_some())
    }

    /// Whether a mention is the other party of a meeting: met or visited (会见某, 看望某), or
    /// talked with (与/和/同 (前来参观的) 某 … 座谈).
    fn is_party_met(&self, m: &Mention) -> bool {
        let t = self.t;
        if self.met_at(m.start) {
            return true;
        }
        let se = self
            .sentence_of(m.start)
            .map_or(t.len(), |si| self.sents[si].1);
        let clause_start = (0..m.start)
            .rev()
            .find(|&i| CLAUSE_END.contains(&t[i]))
            .map_or(0, |i| i + 1);
        let with = (clause_start.max(m.start.saturating_sub(14))..m.start)
            .any(|i| matches!(t[i], '与' | '和' | '同' | '跟'));
        let clause_end = (m.name_end..se)
            .find(|&i| CLAUSE_END.contains(&t[i]))
            .unwrap_or(se);
        with && TALK_VERBS.find(t, m.name_end, clause_end).is_some()
    }

    /// The role of the `n`th mention of a sentence.
    fn role(&self, idx: &[usize], n: usize, lead_seen: Option<usize>) -> Role {
        let t = self.t;
        let m = &self.ms[idx[n]];
        let se = self
            .sentence_of(m.start)
            .map_or(t.len(), |si| self.sents[si].1);
        if self.is_party_met(m) {
            return Role::Participant;
        }
        // The verb after the list this mention belongs to.
        let mut last = n;
        while last + 1 < idx.len() {
            let gap = &t[self.ms[idx[last]].name_end..self.ms[idx[last + 1]].start];
            let connector = gap.len() <= 3
                && gap
                    .iter()
                    .all(|c| matches!(c, '、' | '，' | '和' | '及' | '与' | '以'));
            if !connector {
                break;
            }
            last += 1;
        }
        let after = self.ms[idx[last]].name_end;
        let until = idx.get(last + 1).map_or(se, |&k| self.ms[k].start);
        if let Some((p, _)) = PARTICIPANT_VERBS.find(t, after, until) {
            let action_first = self.trigger_after(after, p).is_some();
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
        // 甲、乙 with their own titles: the first leads, unless each leads (甲、乙分别带队).
        if n > 0 && lead_seen.is_some() && m.own_titles && !word_at(t, after, "分别") {
            let prev = &self.ms[idx[n - 1]];
            if lead_seen == Some(idx[n - 1])
                && t.get(prev.name_end) == Some(&'、')
                && prev.name_end + 1 == m.start
            {
                return Role::Participant;
            }
        }
        if !self.official[idx[n]] {
            return Role::Participant;
        }
        Role::Lead
    }

    /// An organisation or team at the head of a clause that goes on to act.
    fn org_actor(&self, s: usize, e: usize) -> Option<(usize, usize)> {
        // The organisation must be followed by an activity verb within the sentence.
        if !self.may_trigger_in(s, e) {
            return None;
        }
        let t = self.t;
        let mut cs = s;
        while cs < e {
            let ce = (cs..e).find(|&i| CLAUSE_END.contains(&t[i])).unwrap_or(e);
            // Skip a time phrase and 由 at the head of the clause.
            let mut a = cs;
            if let Some(k) = self.times_in(a, a + 1).next() {
                a = self.times[k].end;
            }
            while a < ce && matches!(t[a], '由' | '“' | '—' | ' ') {
                a += 1;
            }
            let mut k = a + 2;
            let limit = (a + 24).min(ce);
            while k <= limit {
                if let Some(first) = ORG_SUFFIXES.longest_ending_at(t, k) {
                    // After a one-character ending (办), a longer name may go on (办公厅调研组).
                    let mut end = k;
                    if first == 1 {
                        for k2 in k + 1..=(k + 6).min(limit) {
                            if ORG_SUFFIXES
                                .longest_ending_at(t, k2)
                                .is_some_and(|l| l >= 2)
                            {
                                end = k2;
                            }
                        }
                    }
                    let org = &t[a..end];
                    let bad = org.iter().any(|c| {
                        matches!(
                            c,
                            '的' | '要' | '是' | '为' | '这' | '该' | '其' | '我' | '他' | '她'
                        )
                    }) || !self.mentions_in(a, end).is_empty();
                    // It acts in its own clause, or the next one when that has no subject of
                    // its own.
                    let mut until = ce;
                    if ce < e {
                        let ne = (ce + 1..e)
                            .find(|&i| CLAUSE_END.contains(&t[i]))
                            .unwrap_or(e);
                        let own_subject = !self.mentions_in(ce + 1, ne).is_empty()
                            || (ce + 3..=(ce + 12).min(ne))
                                .any(|x| ORG_SUFFIXES.longest_ending_at(t, x).is_some());
                        if !own_subject {
                            until = ne;
                        }
                    }
                    // A team named by more than its ending (not 代表团 alone, which refers
                    // back to one already met).
                    let team = TEAM_SUFFIXES
                        .longest_ending_at(t, end)
                        .is_some_and(|l| org.len() > l);
                    if !bad
                        && team
                        && org.len() >= 3
                        && self.trigger_after(end, until).is_some_and(|x| x.1)
                    {
                        return Some((a, end));
                    }
                    break;
                }
                k += 1;
            }
            cs = ce + 1;
        }
        None
    }

    /// The best own time phrase of a sentence: the surest kind, then the nearest before the
    /// actor (a dateline's date loses to the date in the sentence itself).
    fn own_time(&self, si: usize, actor: usize) -> Option<usize> {
        let (s, e) = self.sents[si];
        self.times_in(s, e).max_by_key(|&k| {
            let st = self.times[k].start;
            let near = if st <= actor {
                usize::MAX / 2 - (actor - st)
            } else {
                usize::MAX / 4 - st
            };
            // A dateline (本报10月26日讯, 某地10月26日电) dates the report, not the activity.
            (!self.dateline(k), self.times[k].rank(), near)
        })
    }

    /// Whether time phrase `k` dates the report rather than an activity: a dateline (讯 or 电
    /// follows it), a page's timestamp (a clock time follows: 2010年10月25日09时34分) or a date
    /// after a page's label (日期：…).
    fn dateline(&self, k: usize) -> bool {
        let t = self.t;
        let te = &self.times[k];
        let mut i = te.end;
        while t.get(i) == Some(&' ') {
            i += 1;
        }
        let digits = t[i.min(t.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let mut b = te.start;
        while b > 0 && matches!(t[b - 1], ' ' | '：' | ':') {
            b -= 1;
        }
        matches!(t.get(i), Some('讯' | '电'))
            || digits > 0 && matches!(t.get(i + digits), Some('时' | ':' | '：'))
            || PAGE_DATE_LABELS.longest_ending_at(t, b).is_some()
    }

    /// The nearest time phrase before sentence `si`.
    fn time_before(&self, si: usize) -> Option<usize> {
        let (s, _) = self.sents[si];
        self.times.partition_point(|x| x.start < s).checked_sub(1)
    }

    fn run(&self, resolver: &Resolver) -> Vec<Draft> {
        let infos: Vec<SentenceInfo> = (0..self.sents.len()).map(|si| self.analyse(si)).collect();
        let mut works: Vec<Work> = Vec::new();
        let mut pending: Vec<(usize, Role)> = Vec::new();
        for (si, info) in infos.iter().enumerate() {
            let own_phrase = self.own_time(si, info.actor_pos);
            // A dateline or a page's timestamp dates no activity: the sentence merges as if it
            // had no date, and the activity keeps it only when nothing better comes.
            let own = own_phrase.filter(|&k| !self.dateline(k));
            if info.anchor {
                let leads: Vec<usize> = info
                    .roles
                    .iter()
                    .filter(|r| r.1 == Role::Lead)
                    .map(|r| r.0)
                    .collect();
                let lead_keys: HashSet<&str> =
                    leads.iter().map(|&k| self.ms[k].key.as_str()).collect();
                let merge = match works.last() {
                    None => false,
                    Some(w) => {
                        let shared = w
                            .leads
                            .iter()
                            .any(|&k| lead_keys.contains(self.ms[k].key.as_str()));
                        match own {
                            None => true,
                            Some(tk) => {
                                let same_org =
                                    leads.is_empty() && w.leads.is_empty() && info.org.is_some();
                                (shared || same_org) && self.same_days(resolver, w, tk)
                            }
                        }
                    }
                };
                if merge && let Some(w) = works.last_mut() {
                    for &(k, role) in &info.roles {
                        // A visitor who is then received (会见某一行) is the party met.
                        if role == Role::Participant && self.met_at(self.ms[k].start) {
                            let key = &self.ms[k].key;
                            w.leads.retain(|&l| &self.ms[l].key != key);
                            for p in w.people.iter_mut().filter(|p| &self.ms[p.0].key == key) {
                                p.1 = Role::Participant;
                            }
                        }
                        let role = if role == Role::Lead && !info.strong {
                            Role::Participant
                        } else {
                            role
                        };
                        if role == Role::Lead
                            && !w.leads.iter().any(|&l| self.ms[l].key == self.ms[k].key)
                        {
                            w.leads.push(k);
                        }
                        w.people.push((k, role));
                    }
                    if let Some(o) = info.org {
                        w.orgs.push(o);
                    }
                    w.core.push(si);
                    w.scope.push(si);
                    if w.own_time.is_none() && own.is_some() {
                        w.own_time = own;
                        w.time = own;
                    }
                } else {
                    let mut people = std::mem::take(&mut pending);
                    people.extend(info.roles.iter().copied());
                    works.push(Work {
                        leads,
                        people,
                        orgs: info.org.into_iter().collect(),
                        core: vec![si],
                        scope: vec![si],
                        own_time: own,
                        time: own_phrase.or_else(|| self.time_before(si)),
                        first_anchor: si,
                        actor_pos: info.actor_pos,
                    });
                }
            } else {
                let titled: Vec<(usize, Role)> = info
                    .roles
                    .iter()
                    .filter(|&&(k, _)| !self.ms[k].titles.is_empty())
                    .map(|&(k, _)| (k, Role::Participant))
                    .collect();
                match works.last_mut() {
                    Some(w) => {
                        w.scope.push(si);
                        // A lead named here is still on the visit, unless only quoted; so is
                        // the only lead when the sentence opens with 他/她.
                        let (ss, _) = self.sents[si];
                        let pronoun = w.leads.len() == 1
                            && matches!(self.t.get(ss), Some('他' | '她'))
                            && !self.speech_at(ss + 1, ss + 1);
                        let lead_here = pronoun
                            || self.continues_activity(si)
                            || info.roles.iter().any(|&(k, _)| {
                                w.leads.iter().any(|&l| self.ms[l].key == self.ms[k].key)
                                    && !self.speech_at(self.ms[k].name_end, self.ms[k].name_end)
                            });
                        if lead_here {
                            w.core.push(si);
                        }
                        if !w.leads.is_empty() {
                            w.people.extend(titled);
                        }
                    }
                    None => pending.extend(titled),
                }
            }
        }
        let mut drafts: Vec<(Draft, Vec<String>, bool)> = Vec::new();
        for w in &works {
            if let Some(d) = self.finish(w, resolver) {
                let leads: Vec<String> = w.leads.iter().map(|&k| self.ms[k].key.clone()).collect();
                drafts.push((d, leads, w.own_time.is_some()));
            }
        }
        merge_drafts(drafts)
    }

    fn same_days(&self, resolver: &Resolver, w: &Work, tk: usize) -> bool {
        let Some(wt) = w.time else { return true };
        let a = resolver.resolve(&self.times[wt], &self.times[..wt]);
        let b = resolver.resolve(&self.times[tk], &self.times[..tk]);
        match (a, b) {
            (Some(a), Some(b)) => match (a.start, a.end, b.start, b.end) {
                (Some(s1), Some(e1), Some(s2), Some(e2)) => s1 <= e2 && s2 <= e1,
                _ => a.start == b.start,
            },
            _ => true,
        }
    }

    fn finish(&self, w: &Work, resolver: &Resolver) -> Option<Draft> {
        let n = self.doc.norm;
        // Days: the activity's own phrase, else the nearest one before its sentences.
        let tk = w
            .own_time
            .or_else(|| w.core.iter().find_map(|&si| self.time_before(si)))
            .or(w.time);
        let (when, phrase) = match tk {
            Some(k) => {
                let te = &self.times[k];
                let mut when = resolver.resolve(te, &self.times[..k]);
                // A single day that the clause says lasts longer (今日展开一连三天的访问).
                if let Some(r) = when.as_mut()
                    && let (Some(s), true) = (r.start, r.start == r.end)
                    && let Some(days) = crate::time::duration_days(self.t, te.end)
                {
                    r.end = s.checked_add_days(chrono::Days::new(u64::from(days) - 1));
                }
                (when, Some(string(&n[te.start..te.end])))
            }
            None => (None, None),
        };
        // An activity dated after publication is announced, not reported (明日将赴…).
        if let (Some(r), Some(p)) = (&when, resolver.published)
            && r.start.is_some_and(|d| d > p)
            && r.basis != TimeBasis::Inferred
        {
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
        // People: leads first, each with the titles of their best mention.
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
            let name = if name_m.name_end - name_m.name_start == m.key.chars().count() {
                string(&n[name_m.name_start..name_m.name_end])
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
        if !people.iter().any(|p| p.lead) && w.orgs.is_empty() {
            return None;
        }
        let orgs: Vec<String> = dedup(w.orgs.iter().map(|&(a, b)| string(&n[a..b])).collect());
        let (places, mut targets) = self.places(w);
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
        let mut confidence: f64 = 0.9;
        if let Some(r) = &when {
            if r.approx {
                confidence -= 0.15;
            }
            if r.basis == TimeBasis::YearUnknown {
                confidence -= 0.1;
            }
        }
        if !people.iter().any(|p| p.lead) {
            confidence -= 0.2;
        }
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
            confidence: (confidence * 100.0).round() / 100.0,
        })
    }

    /// The object of the activity verb in the first sentence, up to the end of its clause:
    /// 调研林长制工作 → 林长制工作, 开展巡林工作 → 巡林工作.
    fn topic(&self, w: &Work) -> Option<String> {
        let t = self.t;
        let (_, e) = self.sents[w.first_anchor];
        let mut i = w.actor_pos;
        while i < e {
            if let Some(l) = ACTION_TRIGGERS.longest_at(t, i)
                && !self.in_title(i)
                && !matches!(t[i], '前' | '来' | '赴' | '深' | '走' | '步' | '率' | '带')
            {
                let a = i + l;
                let b = (a..e).find(|&k| CLAUSE_END.contains(&t[k])).unwrap_or(e);
                let mut a2 = a;
                while a2 < b && matches!(t[a2], '了' | '和' | '，') {
                    a2 += 1;
                }
                let clean = b > a2 + 2
                    && b - a2 <= 24
                    && t[a2] != '的'
                    && self.mentions_in(a2, b).is_empty()
                    && ACTION_TRIGGERS.longest_at(t, a2).is_none();
                if clean {
                    return Some(string(&self.doc.norm[a2..b]));
                }
                i = a;
                continue;
            }
            if word_at(t, i, "开展") {
                let b = (i + 2..e)
                    .find(|&k| CLAUSE_END.contains(&t[k]))
                    .unwrap_or(e);
                if b > i + 3 && b - i <= 26 {
                    return Some(string(&self.doc.norm[i + 2..b]));
                }
            }
            i += 1;
        }
        None
    }

    /// The mention whose titles describe a person in this activity: in the sentence with the
    /// activity's date, the nearest after it; else the first in its sentences. A title longer
    /// than any real one is a headline run into the text (column layout) and loses.
    fn best_mention(&self, k: usize, w: &Work) -> Option<&Mention> {
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

    fn kind(&self, w: &Work) -> EventKind {
        let (cues, weights) = &*KIND_CUES;
        let mut score = [0u32; 7];
        let mut defined = [false; 7];
        let mut add = |text: &[char], skip_titles: Option<usize>, factor: u32| {
            let mut i = 0;
            while i < text.len() {
                if let Some(l) = cues.longest_at(text, i) {
                    let inside = skip_titles.is_some_and(|off| self.in_title(off + i));
                    if !inside_not_kind(text, i)
                        && let Some(cue) = weights.get(&text[i..i + l])
                        && let Some(pos) = EventKind::ALL.iter().position(|&x| x == cue.kind)
                    {
                        // A title's cue weighs nothing, but an office defines (县级林长某).
                        if !inside {
                            score[pos] += cue.weight * factor;
                        }
                        defined[pos] |= cue.defining;
                    }
                    i += l;
                    continue;
                }
                i += 1;
            }
        };
        let mut seen = HashSet::default();
        for &si in &w.core {
            if seen.insert(si) {
                let (a, b) = self.sents[si];
                if si == w.first_anchor && w.actor_pos > a && w.actor_pos < b {
                    // What the actor does counts more than the sentence's background.
                    add(&self.t[a..w.actor_pos], Some(a), 1);
                    add(&self.t[w.actor_pos..b], Some(w.actor_pos), 4);
                } else {
                    add(&self.t[a..b], Some(a), 3);
                }
            }
        }
        for &si in &w.scope {
            if seen.insert(si) {
                let (a, b) = self.sents[si];
                add(&self.t[a..b], Some(a), 1);
            }
        }
        if let Some(title) = self.doc.title {
            let simp = crate::normalize::simplified(title);
            add(&simp, None, 2);
        }
        // A kind with defining cues (kinds.txt) needs one of them.
        let needs_defining = |i: usize| {
            weights
                .values()
                .any(|c| c.defining && c.kind == EventKind::ALL[i])
        };
        for i in 0..7 {
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
        let mut best = (0..7)
            .max_by_key(|&i| (score[i], tie_rank(EventKind::ALL[i])))
            .unwrap_or(6);
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
            if let Some(i) = (0..7)
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

    /// Whether the activity's own sentences say someone was received (会见, 接见, 会晤): then it
    /// is a meeting whoever the guests are, named or not.
    fn receives(&self, w: &Work) -> bool {
        let t = self.t;
        w.core.iter().any(|&si| {
            let (s, e) = self.sents[si];
            (s..e).any(|i| !self.in_title(i) && RECEPTION_VERBS.starts_at(t, i))
        })
    }

    /// Whether an activity has someone met: a participant who is the party met or not an
    /// official.
    fn has_party(&self, w: &Work) -> bool {
        w.people.iter().any(|&(k, role)| {
            role == Role::Participant && (!self.official[k] || self.is_party_met(&self.ms[k]))
        })
    }

    /// The sentence right before the activity that gives its date and names no one: it sets
    /// the scene (某某大会在某地举行。某某出席…), so its places are the activity's.
    fn scene(&self, w: &Work) -> Option<usize> {
        let si = w.first_anchor.checked_sub(1)?;
        let (s, e) = self.sents[si];
        let dated = w.own_time.is_none()
            && w.time
                .is_some_and(|k| (s..e).contains(&self.times[k].start));
        (dated && self.mentions_in(s, e).is_empty()).then_some(si)
    }

    /// Places and targets named in the activity's sentences.
    fn places(&self, w: &Work) -> (Vec<String>, Vec<String>) {
        let mut spans: Vec<(usize, usize, bool)> = Vec::new();
        let mut seen = HashSet::default();
        for &si in self.scene(w).iter().chain(&w.core) {
            if !seen.insert(si) {
                continue;
            }
            let (s, e) = self.sents[si];
            self.places_in(s, e, &mut spans);
        }
        let n = self.doc.norm;
        let mut places = Vec::new();
        let mut targets = Vec::new();
        for (a, b, listed_as_targets) in spans {
            let simp = &self.t[a..b];
            let s = string(&n[a..b]);
            let target = listed_as_targets
                || TARGET_SUFFIXES
                    .longest_ending_at(simp, simp.len())
                    .is_some();
            if target {
                targets.push(s)
            } else {
                places.push(s)
            }
        }
        (dedup(places), dedup(targets))
    }

    fn places_in(&self, s: usize, e: usize, out: &mut Vec<(usize, usize, bool)>) {
        let t = self.t;
        let mentions = self.mentions_in(s, e);
        let in_mention = |i: usize| {
            mentions
                .clone()
                .any(|k| self.ms[k].start <= i && i < self.ms[k].name_end)
        };
        let mut i = s;
        while i < e {
            if self.speech_at(i, usize::MAX) {
                return;
            }
            if in_mention(i) || self.in_title(i) {
                i += 1;
                continue;
            }
            let verb = MOVEMENT_VERBS
                .longest_at(t, i)
                .filter(|_| !inside_not_kind(t, i));
            let verb = match verb {
                // 到 of arriving, not 得到/看到; 到访 is always a visit.
                Some(_) if t[i] == '到' && !self.visit_at(i) && !self.movement_dao(i) => None,
                // 视察组, 考察团: a team named after what it does, not the verb.
                Some(l)
                    if matches!(t.get(i + l), Some('组' | '团'))
                        && matches!(t[i], '考' | '视' | '巡' | '督' | '参' | '检') =>
                {
                    None
                }
                v => v,
            };
            // 在 as "at", not 正在/存在/实在, nor 就在某地举办… (what was talked about).
            let at = t[i] == '在'
                && (i == s || !matches!(t[i - 1], '正' | '存' | '现' | '所' | '实' | '就'))
                && !word_at(t, i + 1, "于")
                && !word_at(t, i + 1, "建");
            // 对某地进行（实地）考察: the place comes between 对 and 进行.
            let at = at || t[i] == '对' && self.inspects_object(i, e);
            if verb.is_none() && !at {
                i += 1;
                continue;
            }
            let l = verb.unwrap_or(1);
            let pure = at
                || matches!(
                    t[i],
                    '到' | '赴' | '前' | '来' | '深' | '走' | '步' | '先' | '莅' | '抵' | '拜'
                );
            let mut o = i + l;
            while o < e && (t[o] == '了' && t.get(o + 1) != Some(&'解') || t[o] == '到') {
                o += 1;
            }
            // The object runs up to a stop word, clause punctuation or a person; a modifier
            // ending in 的 is dropped (以绿色发展为主题的新材料展区).
            let mut k = o;
            while k < e && k - o < 120 {
                let c = t[k];
                if c == '的' && !at {
                    k += 1;
                    continue;
                }
                // A list of places may run on over a comma: 甲镇及其乙村、丙村，丁镇及其戊村.
                if c == '，' && !at && k > o && self.list_goes_on(k + 1, e) {
                    k += 1;
                    continue;
                }
                if CLAUSE_END.contains(&c) || in_mention(k) {
                    break;
                }
                if let Some(l) = PLACE_STOPS.longest_at(t, k) {
                    // 某项目建设现场、某公司: a stop word closing a list item is part of it.
                    if t.get(k + l) == Some(&'、') && k > o {
                        k += l;
                        continue;
                    }
                    break;
                }
                // 在某地与/上/中…: the place ends before a preposition's partner word, but a
                // place may start with one (在上海) and a venue may be a 中心.
                if at
                    && k > o
                    && (matches!(c, '与' | '和' | '同')
                        || matches!(c, '上' | '前' | '里' | '内' | '中' | '时' | '期' | '当')
                            && self.closes_at_phrase(k))
                {
                    break;
                }
                k += 1;
            }
            let obj_end = k;
            // 甲、乙等特色展位: a list described by what follows 等 is one target.
            if t.get(k) == Some(&'等') && obj_end > o {
                let tail_end = (k + 1..e)
                    .find(|&x| {
                        CLAUSE_END.contains(&t[x]) || PLACE_STOPS.starts_at(t, x) && t[x] != '等'
                    })
                    .unwrap_or(e);
                let tail = &t[k + 1..tail_end];
                let category = CATEGORY_TAILS.longest_ending_at(tail, tail.len()).is_some();
                let descriptive = tail.len() >= 4
                    && !category
                    && !is_count(tail[0])
                    && PLACE_SUFFIXES.longest_ending_at(tail, tail.len()).is_some();
                // 甲林场、乙公园等重要地区: items that name places themselves stay separate,
                // unless the tail names their booths (甲省、乙省等主宾省展区).
                let booths = TARGET_SUFFIXES
                    .longest_ending_at(tail, tail.len())
                    .is_some();
                let items = split_list(t, o, obj_end);
                let placey = items
                    .iter()
                    .filter(|&&(a, b)| PLACE_SUFFIXES.longest_ending_at(&t[a..b], b - a).is_some())
                    .count();
                if descriptive && (booths || placey * 2 < items.len()) {
                    out.push((o, tail_end, true));
                    i = tail_end;
                    continue;
                }
            }
            if obj_end > o {
                // 甲、乙等展台 / 等企业: the items are what was visited, not where.
                let companies = LISTED_TARGETS.starts_at(t, obj_end);
                let items = split_list(t, o, obj_end);
                // 查看了甲、乙、丙等情况: a list of what was looked into, not of sites; its items
                // count as sites only when they end like one.
                let about = self.list_describes_matters(obj_end, e);
                let many = items.len() >= 3 && !about;
                for (a, b) in items {
                    let (a, b) = of_item(t, a, b);
                    let (a, b) = trim_item(t, a, b);
                    let Some((a, b)) = site_of_item(t, a, b) else {
                        continue;
                    };
                    if b <= a || b - a < 2 || b - a > 30 {
                        continue;
                    }
                    let item = &t[a..b];
                    let generic = GENERIC_OBJECTS.starts_at(item, 0)
                        || self
                            .times_in(a.saturating_sub(4), b)
                            .any(|k| self.times[k].end > a);
                    if generic
                        || matches!(item[0], '该' | '这' | '其' | '此' | '我')
                        || item.iter().any(|c| {
                            !is_cjk(*c)
                                && !c.is_ascii_alphanumeric()
                                && !matches!(c, '“' | '”' | '（' | '）' | '·')
                        })
                    {
                        continue;
                    }
                    let suffix = PLACE_SUFFIXES.longest_ending_at(item, item.len()).is_some();
                    let ok = if at {
                        suffix && item.len() >= 3 && !word_before(item, item.len(), "会")
                    } else {
                        // 甲、乙等企业: what the list closes with says what its items are.
                        pure || many || suffix || companies
                    };
                    if ok {
                        out.push((a, b, companies));
                    }
                }
            }
            i = obj_end.max(i + 1);
        }
    }
}

/// Whether 到 at `i` means going somewhere.
fn movement_dao(t: &[char], i: usize) -> bool {
    let prev = if i > 0 { t[i - 1] } else { '，' };
    let next = t.get(i + 1).copied().unwrap_or('。');
    !matches!(
        prev,
        '得' | '受'
            | '达'
            | '感'
            | '看'
            | '解'
            | '提'
            | '谈'
            | '见'
            | '遇'
            | '想'
            | '听'
            | '找'
            | '做'
            | '收'
            | '直'
            | '回'
            | '落'
            | '识'
            | '意'
            | '认'
            | '经'
    ) && !matches!(next, '位' | '场' | '达' | '底' | '期' | '时' | '访')
        && is_cjk(next)
}

/// Whether `t[i]` may open an activity verb as [`Parser::trigger_after`] takes one (a superset:
/// titles and verbs of saying are not known yet). A text without one holds no activity.
fn may_trigger(t: &[char], i: usize) -> bool {
    if t[i] == '到' && movement_dao(t, i) {
        return true;
    }
    ACTION_TRIGGERS.longest_at(t, i).is_some()
        && !(i > 0 && t[i - 1] == '在')
        && !inside_not_kind(t, i)
}

/// Whether the simplified text `t` can report an activity at all: every activity needs a
/// trigger, so a text without one is not parsed.
pub(crate) fn may_hold_activity(t: &[char]) -> bool {
    (0..t.len()).any(|i| may_trigger(t, i))
}

/// Whether the words at `i` make what follows a habit, not one activity: 多次, 经常 …
/// (habitual.txt), or a count of times (先后12次, 三次).
fn habitual_at(t: &[char], mut i: usize) -> bool {
    if HABITUAL.starts_at(t, i) {
        return true;
    }
    if word_at(t, i, "先后") {
        i += 2;
    }
    let n = t
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take(4)
        .take_while(|&&c| is_count(c))
        .count();
    n > 0 && t.get(i + n) == Some(&'次') && t.get(i + n + 1) != Some(&'日')
}

/// Whether a character writes a number or a count (12, 三, 两, 多, 几, 数).
fn is_count(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            '一' | '二'
                | '两'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '多'
                | '几'
                | '数'
        )
}

/// Which kind wins a tie of cue weights: the more specific (forest > expo > investment >
/// meeting > conference > site > other).
fn tie_rank(k: EventKind) -> usize {
    const ORDER: [EventKind; 7] = [
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

/// The company at the head of a title (某集团党委书记 → 某集团).
fn company_of(title: &str) -> Option<String> {
    let norm: Vec<char> = title.chars().collect();
    let simp = crate::normalize::simplified(&norm);
    let best = (4..=simp.len())
        .rev()
        .find(|&end| COMPANY_SUFFIXES.longest_ending_at(&simp, end).is_some());
    best.map(|e| string(&norm[..e]))
}

/// Split a list at 、, and its last item at 和/及/以及/与 too.
fn split_list(t: &[char], a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut s = a;
    let mut i = a;
    while i < b {
        // 、 and a run-on comma separate items anywhere; so do 及其 and 以及.
        let w = match t[i] {
            '、' | '，' => 1,
            '及' if t.get(i + 1) == Some(&'其') => 2,
            '以' if t.get(i + 1) == Some(&'及') => 2,
            _ => 0,
        };
        if w > 0 {
            if i > s {
                items.push((s, i));
            }
            s = i + w;
            i += w;
            continue;
        }
        i += 1;
    }
    // The last item: 甲和乙 / 甲及乙 / 甲以及乙 / 甲与乙.
    let mut last = (s, b);
    let mut i = s + 1;
    while i < b {
        let w = if word_at(t, i, "以及") {
            2
        } else if matches!(t[i], '和' | '及' | '与') {
            1
        } else {
            0
        };
        if w > 0 && i > last.0 + 1 {
            items.push((last.0, i));
            last = (i + w, b);
            i += w;
            continue;
        }
        i += 1;
    }
    items.push(last);
    items
}

/// The place in an item with 的: the place it belongs to (清水村的机耕路 → 清水村), else what
/// the modifier describes (以绿色发展为主题的新材料展区 → 新材料展区).
fn of_item(t: &[char], a: usize, b: usize) -> (usize, usize) {
    let Some(d) = (a..b).find(|&i| t[i] == '的') else {
        return (a, b);
    };
    if d > a && PLACE_SUFFIXES.longest_ending_at(&t[..d], d).is_some() {
        return (a, d);
    }
    let last = (a..b).rev().find(|&i| t[i] == '的').unwrap_or(d);
    (last + 1, b)
}

fn trim_item(t: &[char], mut a: usize, mut b: usize) -> (usize, usize) {
    // A quoted name inside the item keeps its quotes (“一带一路”展区); quotes around the whole
    // item go.
    let quoted = |a: usize, b: usize| (a..b).any(|i| t[i] == '”') && !matches!(t[b - 1], '”');
    while a < b
        && matches!(t[a], '了' | ' ' | '到' | '在' | '其' | '“')
        && !(t[a] == '“' && quoted(a, b))
    {
        a += 1;
    }
    while b > a && matches!(t[b - 1], ' ' | '”' | '等') {
        b -= 1;
    }
    // 苏州、无锡两地 / 甲、乙两家企业: the count of the items is no part of the last.
    let counted = if b <= a + 3 {
        None
    } else if t[b - 1] == '地' {
        Some(b - 1)
    } else {
        CATEGORY_TAILS
            .longest_ending_at(&t[..b], b)
            .map(|l| b - l)
            .filter(|&p| p > a && matches!(t[p - 1], '家' | '个' | '处' | '所'))
            .map(|p| p - 1)
    };
    if let Some(mut p) = counted
        && p > a + 2
        && is_count(t[p - 1])
    {
        while p > a + 2 && is_count(t[p - 1]) {
            p -= 1;
        }
        b = p;
    }
    if b > a && t[b - 1] == '”' {
        b -= 1;
    }
    (a, b)
}

/// The site in an item that ends by saying what was looked at (甲村护岸林绿化情况 → 甲村, 乙厂技改
/// → 乙厂): the item up to its last place ending; `None` when no place is left.
fn site_of_item(t: &[char], a: usize, b: usize) -> Option<(usize, usize)> {
    let item = &t[a..b];
    if SITE_DESCRIPTIONS
        .longest_ending_at(item, item.len())
        .is_none()
        || PLACE_SUFFIXES.longest_ending_at(item, item.len()).is_some()
    {
        return Some((a, b));
    }
    (a + 2..b)
        .rev()
        .find(|&e| {
            PLACE_SUFFIXES
                .longest_ending_at(&t[..e], e)
                .is_some_and(|l| e - l > a)
        })
        .map(|e| (a, e))
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

fn days_overlap(a: &Option<Resolved>, b: &Option<Resolved>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => match (a.start, a.end, b.start, b.end) {
            (Some(s1), Some(e1), Some(s2), Some(e2)) => s1 <= e2 && s2 <= e1,
            _ => true,
        },
        _ => true,
    }
}

/// Drafts that describe one activity become one: the same kind and a shared lead, where one has
/// no days of its own or the days overlap; an organisation's draft without days of its own joins
/// a draft of the same kind.
fn merge_drafts(drafts: Vec<(Draft, Vec<String>, bool)>) -> Vec<Draft> {
    let mut out: Vec<(Draft, Vec<String>, bool)> = Vec::new();
    for (d, leads, own) in drafts {
        let target = out.iter().position(|(o, ol, oown)| {
            o.kind == d.kind
                && (leads.iter().any(|l| ol.contains(l))
                    && (!own || !oown || days_overlap(&o.when, &d.when))
                    || leads.is_empty() && !own
                    || ol.is_empty() && !oown)
        });
        match target {
            Some(i) => {
                let (o, ol, oown) = &mut out[i];
                let keep_when = *oown || !own;
                if !keep_when {
                    o.when = d.when.clone();
                    o.phrase = d.phrase.clone();
                    *oown = true;
                    // Titles from the draft with its own days describe the activity better.
                    for p in &d.people {
                        if let Some(q) = o.people.iter_mut().find(|q| q.key == p.key)
                            && !p.titles.is_empty()
                        {
                            q.titles = p.titles.clone();
                        }
                    }
                }
                for p in d.people {
                    match o.people.iter_mut().find(|q| q.key == p.key) {
                        Some(q) => q.lead |= p.lead,
                        None => o.people.push(p),
                    }
                }
                for l in leads {
                    if !ol.contains(&l) {
                        ol.push(l);
                    }
                }
                o.orgs = dedup([o.orgs.clone(), d.orgs].concat());
                o.places = dedup([o.places.clone(), d.places].concat());
                o.targets = dedup([o.targets.clone(), d.targets].concat());
                o.evidence.extend(d.evidence);
                o.evidence.sort_unstable();
                o.evidence.dedup();
            }
            None => out.push((d, leads, own)),
        }
    }
    out.into_iter()
        .map(|(mut d, _, _)| {
            d.people.sort_by_key(|p| !p.lead);
            d
        })
        .collect()
}

/// Every activity of one article.
pub(crate) fn extract_doc(doc: &Doc<'_>, resolver: &Resolver) -> Vec<Draft> {
    let p = Parser::new(doc);
    p.run(resolver)
}
