//! Places and targets: the objects of movement verbs and of 在/对, split into list items, trimmed to
//! the site.

use super::{Parser, Work, dedup};
use crate::lexicon::FxSet as HashSet;
use crate::lexicon::grammar::{
    ACTIVITY, AFTER, AND_ITS, ARRIVE, AS_WELL_AS, AT, BORROWED, CARRY_OUT, CENTRE, COMMITTEE, DONE,
    ETC, FACING, HOUSEHOLD, LEARN, MEETING, MIDDLE, NAMELY, NEARBY, OF, ON_SITE, PARTY, REGION,
    TOWARD, VISIT, and, body_before_meeting, deictic, item_openers, measure_words, not_at_after,
    not_at_before, not_city_ends, one_char_place_ends, open_list_tails, people_ends, period_heads,
    period_tails, plain_move_heads, position_words, team_ends, team_not_named, team_verb_heads,
    with,
};
use crate::lexicon::grammar::{CLOSE_BRACKET, COLON, COMMA, DUNHAO, OPEN_BRACKET, SEMICOLON};
use crate::lexicon::{
    ACTION_TRIGGERS, CATEGORY_TAILS, COMPANY_SUFFIXES, CONTINUATIONS, FOLLOWERS, GENERIC_OBJECTS,
    GENERIC_SITES, HOLD_VERBS, ITEM_OPENER_WORDS, LISTED_TARGETS, MEETING_MARKERS, MOVEMENT_VERBS,
    OFFICIAL_TITLES, ORG_SUFFIXES, PEOPLE_NOUNS, PIVOT_VERBS, PLACE_STOPS, PLACE_SUFFIXES,
    SIGNING_VERBS, SITE_DESCRIPTIONS, SPEECH_VERBS, TALK_VERBS, TARGET_SUFFIXES, TITLES,
    VISIT_VERBS, inside_not_kind,
};
use crate::people::is_cjk;
use crate::text::{CLAUSE_END, clause_end, clause_start, is_count, string, word_at, word_before};
use crate::time::TimeKind;

/// The longest object of a verb of movement, in chars: a delegation's tour lists two dozen
/// sites over several clauses (先后深入甲县的乙基地、丙园，丁区的…等处), and nothing longer
/// is one object.
const MAX_OBJECT: usize = 400;

impl Parser<'_> {
    /// Whether the clause at `from` continues a list of places: it reads like one (、, 及其,
    /// 以及) and holds no person, no activity verb and no stop word before its end.
    pub(super) fn list_goes_on(&self, from: usize, e: usize) -> bool {
        let t = self.t;
        let end = clause_end(t, from, e);
        // 于都县的某产业园、…: 的 after a place leads to a site in it.
        let of_place = |i: usize| t[i] == OF && PLACE_SUFFIXES.longest_ending_at(t, i).is_some();
        let in_name = |i: usize, l: usize| word_inside_name(t, i, l);
        let stop = (from..end)
            .find(|&i| {
                PLACE_STOPS
                    .longest_at(t, i)
                    .is_some_and(|l| !in_name(i, l) && !of_place(i))
            })
            .unwrap_or(end);
        let acts = (from..stop).any(|i| {
            ACTION_TRIGGERS
                .longest_at(&t[..stop], i)
                .is_some_and(|l| !in_name(i, l))
        });
        // (…运营情况，勉励企业抓创新、上项目: what they said, no place.)
        if stop == from
            || !self.mentions_in(from, stop).is_empty()
            || acts
            || self.speech_at(from, from)
        {
            return false;
        }
        if word_at(t, from, AS_WELL_AS) {
            return true;
        }
        let seg = &t[from..stop];
        let listy = seg.contains(&DUNHAO)
            || seg
                .windows(2)
                .any(|w| w.iter().copied().eq(AND_ITS.chars()));
        // Most of its items name places (乙村、丙村), not works (铺设路面、改善边坡).
        let items = split_list(t, from, stop);
        let named =
            |a: usize, b: usize| PLACE_SUFFIXES.longest_ending_at(&t[a..b], b - a).is_some();
        let placey = items.iter().filter(|&&(a, b)| named(a, b)).count();
        // A list written with commas only (参访了甲集团，乙商会，丙商会): one more named site
        // after a named one, the whole clause, and a name's length (not 看项目).
        let before = (0..from.saturating_sub(1))
            .rev()
            .take_while(|&i| !CLAUSE_END.contains(&t[i]) && t[i] != DUNHAO)
            .last();
        // (…乙村，丙区的丁研究院等处进行了考察: the last one closed by 等.)
        let closed = stop == end || t[stop] == ETC;
        let comma_item = closed
            && items.len() == 1
            && placey == 1
            && (4..=20).contains(&(stop - from))
            && before.is_some_and(|a| named(a, from - 1));
        listy && placey * 2 >= items.len() || comma_item
    }

    /// Whether the clause at `i` is 在 and a place, ending at its comma (在某村，).
    pub(super) fn place_opening(&self, i: usize, e: usize) -> bool {
        let t = self.t;
        if t[i] != AT {
            return false;
        }
        let Some(c) = (i + 1..e.min(i + 32)).find(|&k| CLAUSE_END.contains(&t[k])) else {
            return false;
        };
        t[c] == COMMA
            && c >= i + 3
            && PLACE_SUFFIXES.longest_ending_at(t, c).is_some()
            && self.mentions_in(i, c).is_empty()
    }

    /// Whether 向 at `i` opens a list of companies asked (向甲、乙等企业的负责人了解): items
    /// with 、 closed in the clause by 等 and a word for companies (listed_targets.txt).
    fn asks_companies(&self, i: usize, e: usize) -> bool {
        let t = self.t;
        let end = clause_end(t, i + 1, e);
        let close = (i + 2..end).find(|&k| LISTED_TARGETS.starts_at(t, k));
        close.is_some_and(|k| t[i + 1..k].contains(&DUNHAO))
    }

    /// Whether a verb of movement starting with 到 at `i` names a visit by itself (到访).
    pub(super) fn visit_at(&self, i: usize) -> bool {
        MOVEMENT_VERBS.longest_at(self.t, i).is_some_and(|l| l >= 2)
            && self.t.get(i + 1) == Some(&VISIT)
    }

    /// Whether 对 at `i` opens the object of an inspection: 进行 and an activity verb follow in
    /// the clause (对某度假区进行了实地考察).
    pub(super) fn inspects_object(&self, i: usize, e: usize) -> bool {
        self.inspected_until(i, e).is_some()
    }

    /// Where the object of 对 at `i` ends: at the 进行 of 对某地进行考察.
    fn inspected_until(&self, i: usize, e: usize) -> Option<usize> {
        let t = self.t;
        let end = clause_end(t, i + 1, e);
        (i + 2..end).find(|&k| {
            word_at(t, k, CARRY_OUT) && {
                let mut v = k + 2;
                while v < end && CONTINUATIONS.starts_at(t, v) || t.get(v) == Some(&DONE) {
                    v += CONTINUATIONS.longest_at(t, v).unwrap_or(1);
                }
                v < end && ACTION_TRIGGERS.starts_at(t, v)
            }
        })
    }

    /// Whether the word of position at `k` (上, 中, 期间 …) closes a phrase opened by 在: the
    /// clause ends after it, or what follows reports speech or action (在会上强调). Inside a
    /// name it does not (在某县中盛公司, 在某中心).
    pub(super) fn closes_at_phrase(&self, k: usize) -> bool {
        let t = self.t;
        let mut n = k + 1;
        if period_heads(t[k]) && t.get(n).is_some_and(|&c| period_tails(c)) {
            n += 1;
        }
        match t.get(n) {
            None => true,
            Some(c) => {
                CLAUSE_END.contains(c)
                    || SPEECH_VERBS.starts_at(t, n)
                    || FOLLOWERS.starts_at(t, n) && !(t[k] == MIDDLE && word_at(t, k, CENTRE))
            }
        }
    }

    /// Whether the list ending at `end` is closed by 等 and words for matters rather than sites
    /// (等情况, 等工作).
    pub(super) fn list_describes_matters(&self, end: usize, e: usize) -> bool {
        let t = self.t;
        if t.get(end) != Some(&ETC) {
            return false;
        }
        let tail_end = clause_end(t, end + 1, e);
        SITE_DESCRIPTIONS
            .longest_ending_at(&t[..tail_end], tail_end)
            .is_some_and(|l| tail_end - l > end)
    }

    /// The sentence right before the activity that gives its date and names no one: it sets
    /// the scene (某某大会在某地举行。某某出席…), so its places are the activity's.
    pub(super) fn scene(&self, w: &Work) -> Option<usize> {
        let si = w.first_anchor.checked_sub(1)?;
        let (s, e) = self.sents[si];
        let dated = w.own_time.is_none()
            && w.time
                .is_some_and(|k| (s..e).contains(&self.times[k].start));
        (dated && self.mentions_in(s, e).is_empty()).then_some(si)
    }

    /// Places and targets named in the activity's sentences.
    pub(super) fn places(&self, w: &Work) -> (Vec<String>, Vec<String>) {
        let mut spans: Vec<(usize, usize, bool)> = Vec::new();
        let mut seen = HashSet::default();
        for &si in self.scene(w).iter().chain(&w.core) {
            if !seen.insert(si) {
                continue;
            }
            let (s, e) = self.sents[si];
            self.places_in(s, e, &mut spans);
            spans.extend(self.teams_met(s, e).map(|(a, b)| (a, b, true)));
        }
        // The other sentences about it give the parties contracts were signed with (签约仪式
        // 上，我市分别与甲集团签订…), though nothing else.
        for &si in &w.scope {
            if seen.insert(si) {
                let (s, e) = self.sents[si];
                spans.extend(
                    (s..e).filter_map(|i| self.signing_partner(i, e).map(|(a, b)| (a, b, true))),
                );
            }
        }
        let n = self.doc.norm;
        let mut places = Vec::new();
        let mut targets = Vec::new();
        for (a, b, listed_as_targets) in spans {
            let simp = &self.t[a..b];
            // 企业仓库, 田间地头, 村办公室: a kind of place, not a place one can name.
            if GENERIC_SITES.covers(simp) {
                continue;
            }
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
        (
            same_site_once(dedup(places)),
            same_site_once(dedup(targets)),
        )
    }

    pub(super) fn places_in(&self, s: usize, e: usize, out: &mut Vec<(usize, usize, bool)>) {
        let t = self.t;
        let mentions = self.mentions_in(s, e);
        let mut i = s;
        while i < e {
            if self.speech_at(i, usize::MAX) && !self.speech_ends_at(i) {
                return;
            }
            if self.in_mention(&mentions, i) || self.in_title(i) {
                i += 1;
                continue;
            }
            // 邀请他们到某县考察: where others are asked to go, to the end of the clause.
            if PIVOT_VERBS.starts_at(t, i) {
                i = clause_end(t, i + 1, e);
                continue;
            }
            if (i == s || t[i - 1] == COMMA)
                && let Some(end) = self.company_roll(i, e, out)
            {
                i = end;
                continue;
            }
            if t[i] == COLON
                && let Some(end) = self.colon_roll(s, i, e, out)
            {
                i = end;
                continue;
            }
            // 与某集团签订某项目: the party a contract is signed with was dealt with.
            if let Some((a, b)) = self.signing_partner(i, e) {
                out.push((a, b, true));
                i = b;
                continue;
            }
            let Some((l, at)) = self.place_opener_at(i, s, e) else {
                i += 1;
                continue;
            };
            let mut pure = at || plain_move_heads(t[i]);
            let mut o = i + l;
            // 到了某村, 到访某校: the verb's tail is no part of the place.
            while o < e
                && (t[o] == DONE && !word_at(t, o, LEARN)
                    || t[o] == ARRIVE
                    || t[o] == VISIT && t[o - 1] == ARRIVE)
            {
                o += 1;
            }
            // 到我省某州考察, 来到该镇甲村: the place named after "our province" or "this town"
            // is where they went (after a verb of going only: 考察了我县城市建设 names a matter).
            if !at
                && pure
                && t.get(o).is_some_and(|&c| deictic(c))
                && t.get(o + 1).is_some_and(|&c| one_char_place_ends(c))
                && t.get(o + 2).is_some_and(|&c| is_cjk(c))
                && !ACTION_TRIGGERS.starts_at(t, o + 2)
            {
                o += 2;
            }
            // 走访慰问某企业, 看望慰问某村: a second verb of the visit joined to the first.
            if !at
                && let Some(l) = ACTION_TRIGGERS.longest_at(t, o)
                && l >= 2
                && t.get(o + l).is_some_and(|&c| is_cjk(c))
                && !t.get(o + l).is_some_and(|&c| team_ends(c))
            {
                // (Whom it names must then look like a site: 看望慰问困难群众 names people.)
                o += l;
                pure = false;
            }
            let mut obj_end = self.object_end(o, e, at, &mentions);
            // 对甲区的乙堤、丙闸进行检查: 对's object runs to 进行, past 的 and 以及.
            if at
                && t[i] == TOWARD
                && let Some(k) = self.inspected_until(i, e)
                && k > obj_end
                && !(o..k).any(|x| self.in_mention(&mentions, x))
            {
                obj_end = k;
            }
            if t.get(obj_end) == Some(&ETC)
                && obj_end > o
                && let Some(tail_end) = self.described_list(o, obj_end, e)
            {
                out.push((o, tail_end, true));
                i = tail_end;
                continue;
            }
            if obj_end > o {
                self.list_items(o, obj_end, e, (at, pure), out);
            }
            i = obj_end.max(i + 1);
            // 先后到甲、乙等实地，丙、丁等处考察: a list closed by 等 goes on after the comma.
            let mut end = obj_end;
            while !at && t.get(end) == Some(&ETC) {
                let Some(c) = (end..e.min(end + 5)).find(|&k| t[k] == COMMA) else {
                    break;
                };
                // Closed by 等, 等地, 等处 or 等实地 only: 等县市 names what the list was.
                let open = t[end + 1..c].iter().all(|&ch| open_list_tails(ch));
                if !open || !self.list_goes_on(c + 1, e) {
                    break;
                }
                let next = self.object_end(c + 1, e, at, &mentions);
                if next > c + 1 {
                    self.list_items(c + 1, next, e, (at, pure), out);
                }
                end = next;
                i = next.max(i);
            }
        }
    }

    /// Whether the verb of speech at `i` says nothing more in its sentence: its clause ends
    /// right after it (甲、乙分别致辞；丙颁奖；…参观了某展区).
    fn speech_ends_at(&self, i: usize) -> bool {
        let t = self.t;
        SPEECH_VERBS
            .longest_at(t, i)
            .is_some_and(|l| matches!(t.get(i + l), Some(&(SEMICOLON | DUNHAO))))
    }

    /// Whether a time phrase naming a day starts at `k`.
    fn day_at(&self, k: usize) -> bool {
        self.times_in(k, k + 1).any(|x| {
            self.times[x].start == k
                && !matches!(
                    self.times[x].kind,
                    TimeKind::Edition { .. } | TimeKind::ThatYear
                )
        })
    }

    /// Companies listed at the head of a clause and closed by 等 and a word for companies
    /// (在某展区，甲集团、乙公司、丙集团等我国知名企业占据着…): two or more named as companies
    /// (company_suffixes.txt), pushed to `out` as targets. Returns where the list ends.
    fn company_roll(
        &self,
        i: usize,
        e: usize,
        out: &mut Vec<(usize, usize, bool)>,
    ) -> Option<usize> {
        let t = self.t;
        let ce = clause_end(t, i, e);
        let k = (i + 2..ce).find(|&k| t[k] == ETC)?;
        let listed = t[i..k].contains(&DUNHAO)
            && self.mentions_in(i, k).is_empty()
            && ACTION_TRIGGERS.find(t, i, k).is_none()
            && MOVEMENT_VERBS.find(t, i, k).is_none();
        let closed =
            (k + 2..=(k + 10).min(ce)).any(|x| TARGET_SUFFIXES.longest_ending_at(t, x).is_some());
        if !listed || !closed {
            return None;
        }
        // Companies by name (某集团, 某有限公司), not products or countries.
        let items: Vec<(usize, usize)> = split_list(t, i, k)
            .into_iter()
            .map(|(a, b)| trim_item(t, a, b))
            .filter(|&(a, b)| {
                b >= a + 3
                    && b - a <= 30
                    && !self.not_a_site(a, b)
                    && COMPANY_SUFFIXES.longest_ending_at(&t[..b], b).is_some()
            })
            .collect();
        if items.len() < 2 {
            return None;
        }
        out.extend(items.into_iter().map(|(a, b)| (a, b, true)));
        Some(k)
    }

    /// The sites listed after a colon that a visit opens (考察项目包括：甲工程、乙工程。): the
    /// clause before the colon (from `s`) names a visit, and the items after it, split at 、,
    /// end like sites. Pushed to `out`; returns where the list ends.
    fn colon_roll(
        &self,
        s: usize,
        colon: usize,
        e: usize,
        out: &mut Vec<(usize, usize, bool)>,
    ) -> Option<usize> {
        let t = self.t;
        let cs = clause_start(t, s, colon);
        let visit = (cs..colon).any(|k| {
            (VISIT_VERBS.starts_at(t, k) || MOVEMENT_VERBS.starts_at(t, k)) && !self.in_title(k)
        });
        if !visit {
            return None;
        }
        let end = clause_end(t, colon + 1, e);
        let mut items = Vec::new();
        let mut a = colon + 1;
        for k in colon + 1..=end {
            if k == end || t[k] == DUNHAO {
                let (x, y) = trim_item(t, a, k);
                if y >= x + 3
                    && y - x <= 40
                    && !self.not_a_site(x, y)
                    && PLACE_SUFFIXES.longest_ending_at(&t[..y], y).is_some()
                {
                    items.push((x, y));
                }
                a = k + 1;
            }
        }
        if items.len() < 2 {
            return None;
        }
        out.extend(items.into_iter().map(|(x, y)| (x, y, false)));
        Some(end)
    }

    /// Whether `i` is inside one of the mentions `mentions`.
    fn in_mention(&self, mentions: &std::ops::Range<usize>, i: usize) -> bool {
        mentions
            .clone()
            .any(|k| self.ms[k].start <= i && i < self.ms[k].name_end)
    }

    /// A word at `i` that opens a place (a verb of movement or looking, 在 "at", 对某地进行考察):
    /// its length, and whether it is 在/对 (a stricter object).
    fn place_opener_at(&self, i: usize, s: usize, e: usize) -> Option<(usize, bool)> {
        let t = self.t;
        // 一行访甲总会, 代表团访乙市: 访 alone visits after the party or its team (not in 采访,
        // 来访, 回访, which the other words of the lexicon are).
        let party_visits = t[i] == VISIT
            && i >= 2
            && (word_at(t, i - 2, PARTY) || team_ends(t[i - 1]))
            && t.get(i + 1).is_some_and(|&c| is_cjk(c));
        let verb = MOVEMENT_VERBS
            .longest_at(t, i)
            .or(party_visits.then_some(1))
            .filter(|_| !inside_not_kind(t, i));
        // 考察了解某事: the verb is 考察, and 了解 what was looked into.
        let verb = verb.map(|l| {
            if t[i + l - 1] == DONE && word_at(t, i + l - 1, LEARN) {
                l - 1
            } else {
                l
            }
        });
        let verb = match verb {
            // 到 of arriving, not 得到/看到; 到访 is always a visit.
            Some(_) if t[i] == ARRIVE && !self.visit_at(i) && !self.movement_dao(i) => None,
            // 视察组, 考察团: a team named after what it does, not the verb.
            Some(l) if t.get(i + l).is_some_and(|&c| team_ends(c)) && team_verb_heads(t[i]) => None,
            v => v,
        };
        // 在 as "at", not 正在/存在/实在, nor 就在某地举办… (what was talked about).
        let at = t[i] == AT
            && (i == s || !not_at_before(t[i - 1]))
            && !t.get(i + 1).is_some_and(|&c| not_at_after(c));
        // 对某地进行（实地）考察: the place comes between 对 and 进行.
        let at = at || t[i] == TOWARD && self.inspects_object(i, e);
        // 双方假某礼堂举行座谈会: the venue lent comes between 假 and the verb of holding.
        let at = at
            || t[i] == BORROWED && (i + 3..clause_end(t, i, e)).any(|k| HOLD_VERBS.starts_at(t, k));
        match verb {
            // 向甲、乙等企业的负责人了解: the companies asked are what was visited.
            None if !at && t[i] == FACING && self.asks_companies(i, e) => Some((1, false)),
            None if !at => None,
            v => Some((v.unwrap_or(1), at)),
        }
    }

    /// Where the object starting at `o` ends: at a stop word, clause punctuation or a person; a
    /// modifier ending in 的 is passed over (以绿色发展为主题的新材料展区).
    fn object_end(&self, o: usize, e: usize, at: bool, mentions: &std::ops::Range<usize>) -> usize {
        let t = self.t;
        let mut k = o;
        while k < e && k - o < MAX_OBJECT {
            let c = t[k];
            if c == OF && !at {
                k += 1;
                continue;
            }
            // A list of places may run on over a comma: 甲镇及其乙村、丙村，丁镇及其戊村.
            if c == COMMA && !at && k > o && self.list_goes_on(k + 1, e) {
                k += 1;
                continue;
            }
            if CLAUSE_END.contains(&c) || self.in_mention(mentions, k) {
                break;
            }
            // A date starts what comes next (a headline run into the first sentence:
            // …视察某展位10月15日上午，…).
            if k > o && self.day_at(k) {
                break;
            }
            // 来到某公司与企业负责人座谈: whom the officials talk with is no place.
            if with(c) && k > o && self.talks_with(k, e) {
                break;
            }
            // 抵达某机场后，…: "after" closes the clause of arriving, no part of the place.
            if c == AFTER
                && k > o + 1
                && t.get(k + 1) == Some(&COMMA)
                && PLACE_SUFFIXES.longest_ending_at(t, k).is_some()
            {
                break;
            }
            if let Some(l) = PLACE_STOPS.longest_at(t, k) {
                // 某项目建设现场、某公司: a stop word closing a list item is part of it; so is
                // one that a place's ending follows (甲研究院, 乙检查站).
                let named = k > o && word_inside_name(t, k, l);
                if (t.get(k + l) == Some(&DUNHAO) || named) && k > o {
                    k += l;
                    continue;
                }
                break;
            }
            // 在某地与/上/中…: the place ends before a preposition's partner word, but a
            // place may start with one (在上海) and a venue may be a 中心.
            if at && k > o && (with(c) || position_words(c) && self.closes_at_phrase(k)) {
                break;
            }
            k += 1;
        }
        k
    }

    /// Whether 与/和/同 at `k` opens the party talked with: a verb of talking together
    /// (座谈, 交流) follows in its clause, within a short span and no other 与/和 between.
    fn talks_with(&self, k: usize, e: usize) -> bool {
        let t = self.t;
        let end = clause_end(t, k + 1, e).min(k + 16);
        TALK_VERBS
            .find(t, k + 1, end)
            .is_some_and(|(v, _)| v > k + 1 && !t[k + 1..v].iter().any(|&c| with(c) || c == DUNHAO))
    }

    /// 甲、乙等特色展位: a list `o..obj_end` described by what follows its 等 is one target;
    /// returns where that description ends. Items that name places themselves stay separate
    /// (甲林场、乙公园等重要地区), unless the description names their booths (甲省、乙省等主宾省展区).
    fn described_list(&self, o: usize, obj_end: usize, e: usize) -> Option<usize> {
        let t = self.t;
        let k = obj_end;
        let tail_end = (k + 1..e)
            .find(|&x| CLAUSE_END.contains(&t[x]) || PLACE_STOPS.starts_at(t, x) && t[x] != ETC)
            .unwrap_or(e);
        let tail = &t[k + 1..tail_end];
        let category = CATEGORY_TAILS.longest_ending_at(tail, tail.len()).is_some();
        let descriptive = tail.len() >= 4
            && !category
            && !is_count(tail[0])
            && PLACE_SUFFIXES.longest_ending_at(tail, tail.len()).is_some();
        let booths = TARGET_SUFFIXES
            .longest_ending_at(tail, tail.len())
            .is_some();
        let items = split_list(t, o, obj_end);
        let placey = items
            .iter()
            .filter(|&&(a, b)| PLACE_SUFFIXES.longest_ending_at(&t[a..b], b - a).is_some())
            .count();
        (descriptive && (booths || placey * 2 < items.len())).then_some(tail_end)
    }

    /// The items of the object `o..obj_end` that are sites or targets, pushed to `out`. `at`:
    /// the object of 在/对, which must end like a place; `pure`: the object of a movement verb,
    /// which is the place itself.
    fn list_items(
        &self,
        o: usize,
        obj_end: usize,
        e: usize,
        (at, pure): (bool, bool),
        out: &mut Vec<(usize, usize, bool)>,
    ) {
        let t = self.t;
        // 甲、乙等展台 / 等企业: the items are what was visited, not where.
        let companies = LISTED_TARGETS.starts_at(t, obj_end) || self.counted_targets(obj_end);
        // 甲花海和乙纪念馆等处 / 甲、乙等地调研: closed by a word for places, every item is one;
        // the word must end there (not 等地质灾害, 等处理设施, 等实践活动): punctuation, a verb
        // or a stop word follows it.
        let places = t.get(obj_end) == Some(&ETC) && self.place_word_ends(obj_end + 1);
        let items = split_list(t, o, obj_end);
        // 查看了甲、乙、丙等情况: a list of what was looked into, not of sites; its items
        // count as sites only when they end like one.
        let about = self.list_describes_matters(obj_end, e);
        // A long list after a verb of visiting is of sites (考察了甲玻璃、乙石化、丙农业); after
        // one of checking, only when some item ends like one: 检查了启闭操作、料物储备、管理
        // 规程 names matters.
        let named = items
            .iter()
            .any(|&(a, b)| PLACE_SUFFIXES.longest_ending_at(&t[a..b], b - a).is_some());
        let verb_end = if o > 0 && t[o - 1] == DONE { o - 1 } else { o };
        // …not a noun the verb begins (考察活动得到…, 考察团).
        let visited = VISIT_VERBS.longest_ending_at(t, verb_end).is_some()
            && !t.get(o).is_some_and(|&c| team_ends(c))
            && ACTION_TRIGGERS.find(t, o, obj_end).is_none()
            && !word_at(t, o, ACTIVITY);
        let many = items.len() >= 3 && !about && (named || visited);
        // 宁都县的某蔬菜基地: the county and the site in it are both where they went.
        let spans = items.into_iter().flat_map(|(a, b)| {
            let (x, y) = of_item(t, a, b);
            let inner = (y < b).then(|| site_in_place(t, y, b)).flatten();
            std::iter::once((x, y)).chain(inner)
        });
        for (a, b) in spans {
            let (a, b) = trim_item(t, a, b);
            let Some((a, b)) = site_of_item(t, a, b) else {
                continue;
            };
            if b <= a || b - a < 2 || b - a > 30 || self.not_a_site(a, b) {
                continue;
            }
            let item = &t[a..b];
            let suffix = PLACE_SUFFIXES.longest_ending_at(item, item.len()).is_some();
            // 在某会现场, 在甲村现场: a site, even a meeting's or a short name.
            let on_site = word_at(t, obj_end, ON_SITE);
            // 在某管委会，在某有限公司，: a body or a company is a site too; 在某会 is at a meeting.
            let meeting = word_before(item, item.len(), MEETING)
                && !(item.len() >= 3 && body_before_meeting(item[item.len() - 2]));
            // 在西宁召开, 在海口会见: a city's name without its 市 where an event is held or
            // someone met.
            let city = at
                && (2..=3).contains(&item.len())
                && b == obj_end
                && !meeting
                && !not_city_ends(t[b - 1])
                && self.times_in(a, b).next().is_none()
                && !t[a..b].iter().any(|&c| position_words(c) || deictic(c))
                && (HOLD_VERBS.starts_at(t, b) || MEETING_MARKERS.starts_at(t, b));
            let ok = if at {
                suffix && (on_site || item.len() >= 3 && !meeting) || city
            } else {
                // 甲、乙等企业: what the list closes with says what its items are.
                pure || many || suffix || companies || places
            };
            if ok {
                out.push((a, b, companies));
            }
        }
    }

    /// The named teams a sentence `s..e` meets (会见了以某某为团长的甲市党政代表团一行; 与乙市
    /// 经贸代表团座谈): what the meeting was with, its targets. A bare 考察团 or 经贸代表团, ours
    /// (我市, 本市) or all of them (各国) names none, nor does a team's people (调研组成员).
    fn teams_met(&self, s: usize, e: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let t = self.t;
        (s..e).filter_map(move |i| {
            let mut object = if let Some(l) = MEETING_MARKERS.longest_at(t, i) {
                i + l
            } else if with(t[i]) && self.talks_with(i, e) {
                i + 1
            } else {
                return None;
            };
            if self.in_title(i) || i > s && MEETING_MARKERS.longest_ending_at(t, i).is_some() {
                return None;
            }
            // 看望慰问了…: the object is after the last verb and its 了.
            while let Some(l) = MEETING_MARKERS.longest_at(t, object) {
                object += l;
            }
            if t.get(object) == Some(&DONE) {
                object += 1;
            }
            let ce = clause_end(t, object, e);
            // The team after a modifier ending in 的 (由某某带领的, 前来参加会议的), else right
            // after the verb.
            let after_of = (object..ce.min(object + MAX_TEAM_MODIFIER))
                .filter(|&k| t[k] == OF)
                .map(|k| k + 1);
            after_of.chain(std::iter::once(object)).find_map(|a| {
                let l = self.team_at(a, ce)?;
                let party = PARTY.chars().count();
                let b = if word_before(t, a + l, PARTY) {
                    a + l - party
                } else {
                    a + l
                };
                let named = !is_count(t[a]) && !team_not_named(t[a]);
                let people = PEOPLE_NOUNS.starts_at(t, b);
                (named && !people && b >= a + MIN_TEAM_NAME).then_some((a, b))
            })
        })
    }

    /// Whether the word for places at `k` (地, 处, 实地 after 等: the list tails that also let a
    /// list run on over a comma) ends where it stands: punctuation, a verb or a stop word after
    /// it.
    fn place_word_ends(&self, k: usize) -> bool {
        let t = self.t;
        let tail = t[k..].iter().take_while(|&&c| open_list_tails(c)).count();
        let after = k + tail;
        tail > 0 && t.get(after).is_none_or(|&c| !is_cjk(c))
            || ACTION_TRIGGERS.starts_at(t, after)
            || MOVEMENT_VERBS.starts_at(t, after)
            || PLACE_STOPS.starts_at(t, after)
            || word_at(t, after, CARRY_OUT)
    }

    /// The company or body that `与`/`同` at `i` introduces when the clause goes on to sign
    /// with it (与某集团签订某项目, 同某公司签约): its span.
    fn signing_partner(&self, i: usize, e: usize) -> Option<(usize, usize)> {
        let t = self.t;
        if !with(t[i]) || self.in_title(i) {
            return None;
        }
        let ce = clause_end(t, i + 1, e);
        let v = (i + 3..ce).find(|&k| SIGNING_VERBS.starts_at(t, k))?;
        let (a, b) = trim_item(t, i + 1, v);
        let named = COMPANY_SUFFIXES.longest_ending_at(&t[..b], b).is_some()
            || TARGET_SUFFIXES.longest_ending_at(&t[..b], b).is_some()
            || ORG_SUFFIXES.longest_ending_at(&t[..b], b).is_some();
        (named && b >= a + 3 && b - a <= 30 && self.mentions_in(a, b).is_empty()).then_some((a, b))
    }

    /// 等5户企业, 等三家公司: 等, a count, a measure word and a word for companies.
    fn counted_targets(&self, k: usize) -> bool {
        let t = self.t;
        if t.get(k) != Some(&ETC) {
            return false;
        }
        let n = t[k + 1..]
            .iter()
            .take(3)
            .take_while(|&&c| is_count(c))
            .count();
        n > 0
            && t.get(k + 1 + n)
                .is_some_and(|&c| measure_words(c) || c == HOUSEHOLD)
            && TARGET_SUFFIXES.starts_at(t, k + 2 + n)
    }

    /// Whether item `a..b` can name no site: a generic object, a time, a word pointing back
    /// (该村), or punctuation inside.
    fn not_a_site(&self, a: usize, b: usize) -> bool {
        let item = &self.t[a..b];
        let generic = GENERIC_OBJECTS.starts_at(item, 0)
            || self
                .times_in(a.saturating_sub(4), b)
                .any(|k| self.times[k].end > a);
        // 走访、会见、座谈等: verbs of the activity listed, no site; nor a verb and its
        // object's kind (并走访企业).
        let verb = ACTION_TRIGGERS
            .longest_at(item, 0)
            .is_some_and(|l| item.len() <= l + 2);
        // 低保户、老党员、退役军人: people visited, no site.
        let people = people_ends(item[item.len() - 1])
            && PLACE_SUFFIXES.longest_ending_at(item, item.len()).is_none();
        generic
            || verb
            || people
            || deictic(item[0])
            || item.iter().any(|c| {
                !is_cjk(*c)
                    && !c.is_ascii_alphanumeric()
                    && !matches!(*c, '“' | '”' | OPEN_BRACKET | CLOSE_BRACKET | '·')
            })
    }
}

/// A site named twice, once with the region before it (海淀区政府, 北京市海淀区政府), is one
/// site: the shorter name goes when a longer one ends with it.
fn same_site_once(v: Vec<String>) -> Vec<String> {
    let keep: Vec<bool> = v
        .iter()
        .map(|s| {
            !v.iter()
                .any(|l| l.len() > s.len() && l.ends_with(s.as_str()))
        })
        .collect();
    v.into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}

/// Split a list at 、, and its last item at 和/及/以及/与 too.
pub(super) fn split_list(t: &[char], a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut s = a;
    let mut i = a;
    while i < b {
        // 、 and a run-on comma separate items anywhere; so do 及其 and 以及.
        let w = match t[i] {
            DUNHAO | COMMA => 1,
            _ if word_at(t, i, AND_ITS) || word_at(t, i, AS_WELL_AS) => 2,
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
        let w = if word_at(t, i, AS_WELL_AS) {
            2
        } else if and(t[i]) {
            1
        } else {
            0
        };
        // 观湖街道大和垃圾转运站: 和 inside a name (a place's ending and one more character
        // before it) joins nothing.
        let inside = w == 1
            && PLACE_SUFFIXES.longest_ending_at(t, i).is_none()
            && ORG_SUFFIXES.longest_ending_at(t, i).is_none()
            && PLACE_SUFFIXES
                .longest_ending_at(t, i - 1)
                .is_some_and(|l| i - 1 - l > last.0);
        if w > 0 && i > last.0 + 1 && !inside {
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
pub(super) fn of_item(t: &[char], a: usize, b: usize) -> (usize, usize) {
    let Some(d) = (a..b).find(|&i| t[i] == OF) else {
        return (a, b);
    };
    if d > a && PLACE_SUFFIXES.longest_ending_at(&t[..d], d).is_some() {
        return (a, d);
    }
    // 某桥附近的挡土墙: the place it is near.
    let near = d.saturating_sub(NEARBY.chars().count());
    if near > a + 1
        && word_at(t, near, NEARBY)
        && PLACE_SUFFIXES.longest_ending_at(&t[..near], near).is_some()
    {
        return (a, near);
    }
    let last = (a..b).rev().find(|&i| t[i] == OF).unwrap_or(d);
    // 甲统战部、乙工商联的主要领导: the people of a body stand for the body.
    let tail = &t[last + 1..b];
    if last > a
        && (PEOPLE_NOUNS.longest_ending_at(tail, tail.len()).is_some()
            || OFFICIAL_TITLES
                .longest_ending_at(tail, tail.len())
                .is_some())
    {
        return (a, last);
    }
    (last + 1, b)
}

/// Whether the word of `l` chars at `i` (a stop word, a verb) is inside a name: a place's
/// ending follows it (某医学研究院, 乙检查站).
fn word_inside_name(t: &[char], i: usize, l: usize) -> bool {
    // (Only after a part of the name: 走访企业 is a verb and its object.)
    // (Not a title after the verb, or a Party committee's: 到县政府拜会县长某某, 拜会省委书记
    // 某某.)
    let k = i + l;
    let committee =
        t.get(k).is_some_and(|&c| one_char_place_ends(c)) && t.get(k + 1) == Some(&COMMITTEE);
    let title_next = TITLES.starts_at(t, k) || committee && TITLES.starts_at(t, k + 2);
    l >= 2 && i > 0 && is_cjk(t[i - 1]) && PLACE_SUFFIXES.starts_at(t, i + l) && !title_next
}

/// The shortest name of a team met that is a name (丽江市代表团), not a bare word (考察团,
/// 经贸代表团).
const MIN_TEAM_NAME: usize = 6;

/// How far a modifier ending in 的 may run before the team met (以某某为团长的…).
const MAX_TEAM_MODIFIER: usize = 30;

/// What an item names after the place it belongs to (`y` is where that place ends, at its 的):
/// a site of its own when it ends like one and is a name's length (某镇的某蔬菜基地), not a
/// thing there (某村的农路).
fn site_in_place(t: &[char], y: usize, b: usize) -> Option<(usize, usize)> {
    let last = (y..b).rev().find(|&i| t[i] == OF)?;
    let (a, b) = (last + 1, b);
    let tail = &t[a..b];
    let named = PLACE_SUFFIXES.longest_ending_at(tail, tail.len()).is_some()
        || COMPANY_SUFFIXES
            .longest_ending_at(tail, tail.len())
            .is_some();
    (b - a >= 4 && named).then_some((a, b))
}

pub(super) fn trim_item(t: &[char], mut a: usize, mut b: usize) -> (usize, usize) {
    // A quoted name inside the item keeps its quotes (“一带一路”展区); quotes around the whole
    // item go.
    let quoted = |a: usize, b: usize| (a..b).any(|i| t[i] == '”') && !matches!(t[b - 1], '”');
    while a < b
        && (matches!(t[a], ' ' | '“') || item_openers(t[a]) && !word_at(t, a, LEARN))
        && !(t[a] == '“' && quoted(a, b))
    {
        a += 1;
    }
    if let Some(l) = ITEM_OPENER_WORDS.longest_at(t, a).filter(|&l| a + l < b) {
        a += l;
    }
    // ，即甲、乙: 即 ("namely") after a comma opens the list, no part of its first item.
    if a > 0 && a + 1 < b && t[a] == NAMELY && t[a - 1] == COMMA {
        a += 1;
    }
    // A closing quote goes unless it closes a name quoted inside (某镇“一站四中心”).
    let inner_quote = |b: usize| t[b - 1] == '”' && t[a..b - 1].contains(&'“');
    while b > a && matches!(t[b - 1], ' ' | '”' | ETC) && !inner_quote(b) {
        b -= 1;
    }
    // 苏州、无锡两地 / 甲、乙两家企业: the count of the items is no part of the last.
    let counted = if b <= a + 3 {
        None
    } else if t[b - 1] == REGION {
        Some(b - 1)
    } else {
        // (A word may describe them between: 9个建设项目, 5家重点企业.)
        CATEGORY_TAILS
            .longest_ending_at(&t[..b], b)
            .map(|l| b - l)
            .and_then(|p| {
                (p.saturating_sub(3).max(a + 1)..=p)
                    .rev()
                    .find(|&q| measure_words(t[q - 1]) && is_count(t[q.saturating_sub(2)]))
            })
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
    if b > a && t[b - 1] == '”' && !inner_quote(b) {
        b -= 1;
    }
    (a, b)
}

/// The site in an item that ends by saying what was looked at (甲村护岸林绿化情况 → 甲村, 乙厂技改
/// → 乙厂): the item up to its last place ending; `None` when no place is left.
pub(super) fn site_of_item(t: &[char], a: usize, b: usize) -> Option<(usize, usize)> {
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
