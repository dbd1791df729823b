//! Activity verbs: where a sentence says someone does something (and not only says it), the quick
//! prefilter that skips texts without any, and sentences that go on with an activity without naming
//! its subject.

use super::Parser;
use super::kind::held_event_at;
use crate::lexicon::WEAK_TRIGGERS;
use crate::lexicon::grammar::{
    ARRIVE, AT, ATTENDING, DAY, DURING, ESCORTED, HOUR, MIDDLE, MINUTE, PARTY, SPAN, SUCCESSIVELY,
    THEY, TIMES, TOWARD, WHEN, not_going_after_arrive, not_going_before_arrive, team_ends,
    third_person,
};
use crate::lexicon::grammar::{COMMA, FULL_STOP};
use crate::lexicon::{
    ACTION_TRIGGERS, CONTINUATIONS, HABITUAL, HOST_VERBS, MOVEMENT_VERBS, OFFICIAL_TITLES,
    PEOPLE_NOUNS, PIVOT_VERBS, SPEECH_VERBS, TEAM_SUFFIXES, inside_not_kind,
};
use crate::people::is_cjk;
use crate::text::{CLAUSE_END, is_count, is_numeral, word_at, word_before};

impl Parser<'_> {
    /// Whether `t[from..to]` may hold an activity verb: 到 or the first char of an action
    /// trigger (a quick filter before a search).
    pub(super) fn may_trigger_in(&self, from: usize, to: usize) -> bool {
        let triggers = &*ACTION_TRIGGERS;
        self.t[from.min(to)..to]
            .iter()
            .any(|&c| c == ARRIVE || triggers.may_start(c))
    }

    /// The first action trigger in `t[from..to]` not inside a title, unless a speech verb comes
    /// first. Returns (position, strong).
    pub(super) fn trigger_after(&self, from: usize, to: usize) -> Option<(usize, bool)> {
        let t = self.t;
        let mut i = from;
        while i < to {
            if self.speech_at(i, from) {
                return None;
            }
            // 欢迎民众造访: what follows is someone else's doing.
            if PIVOT_VERBS.starts_at(t, i) && !self.in_title(i) {
                return None;
            }
            if let Some(l) = ACTION_TRIGGERS.longest_at(t, i)
                && !self.in_title(i)
                && !inside_not_kind(t, i)
                && !(i > 0 && t[i - 1] == AT)
            {
                let weak = WEAK_TRIGGERS.longest_at(&t[i..i + l], 0) == Some(l);
                return Some((i, !weak));
            }
            if t[i] == ARRIVE && self.movement_dao(i) {
                return Some((i, true));
            }
            // Someone who holds an event (某某举行记者会, 召开座谈会) does something.
            if HOST_VERBS.starts_at(t, i) && !self.in_title(i) && held_event_at(t, i, to).is_some()
            {
                return Some((i, true));
            }
            i += 1;
        }
        None
    }

    /// Whether a verb of saying at `i` reports someone's words: right after the person (`from`
    /// is where their name ends) or at the head of a clause (，他表示).
    pub(super) fn speech_at(&self, i: usize, from: usize) -> bool {
        let t = self.t;
        if !SPEECH_VERBS.starts_at(t, i) || self.in_title(i) {
            return false;
        }
        let near = i >= from && i - from <= 4;
        let head = i > 0 && (CLAUSE_END.contains(&t[i - 1]) || third_person(t[i - 1]));
        let after_name = (i.saturating_sub(2)..=i).any(|k| self.name_end[k]);
        near || head || after_name
    }

    /// Whether sentence `si` goes on with the activity before it without naming its subject:
    /// after a time phrase and words like 随后/接续, it opens with an activity verb; or it opens
    /// with the visitors referred back to (考察组一行, 一行, 他们) and one of its clauses goes on
    /// with a verb of movement or visit before anyone is quoted.
    pub(super) fn continues_activity(&self, si: usize) -> bool {
        let t = self.t;
        let (s, e) = self.sents[si];
        let mut i = s;
        let mut referred = false;
        while i < e {
            if let Some(k) = self.times_in(i, i + 1).next() {
                i = self.times[k].end;
            } else if let Some(l) = CONTINUATIONS.longest_at(t, i) {
                referred |= word_at(t, i, PARTY);
                i += l;
            } else if let Some(l) = self.team_at(i, e) {
                // 代表团一行, 调研组: the team already met.
                referred = true;
                i += l;
            } else if let Some(l) = self.officials_party_at(i, e) {
                // 省、市领导一行: the officials already met.
                referred = true;
                i += l;
            } else if let Some(l) = self.attendees_at(i) {
                // 与会人员, 与会嘉宾: everyone there.
                referred = true;
                i += l;
            } else if let Some(l) = self.while_clause(i, e) {
                i += l;
            } else if let Some(l) = clock_time(t, i) {
                // 上午9时乘车到…: the hour the activity went on.
                i += l;
            } else if t[i] == COMMA || t[i] == ' ' || t[i].is_ascii_punctuation() {
                // Stray ASCII marks of a scraped page (a line of backslashes) run in by the
                // column layout.
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
        // 在某村，… : the next stop of the visit; 对某闸进行了检查: what was looked at next.
        if self.place_opening(i, e) || t[i] == TOWARD && self.inspects_object(i, e) {
            return true;
        }
        if !referred && !word_at(t, i, THEY) {
            return false;
        }
        self.moves_on(i, e)
    }

    /// Whether one of the clauses from `i` (to `e`) goes on with a verb of movement or visit
    /// before anyone is quoted.
    pub(super) fn moves_on(&self, i: usize, e: usize) -> bool {
        (i..e)
            .take_while(|&k| !self.speech_at(k, i))
            .any(|k| MOVEMENT_VERBS.starts_at(self.t, k) && !self.in_title(k))
    }

    /// The length of a party of officials named by their rank at `i` (省、市领导一行, 县领导一行),
    /// 一行 included: no one named in it.
    fn officials_party_at(&self, i: usize, e: usize) -> Option<usize> {
        let t = self.t;
        // (Or no 一行 but 先后 and a verb of going right after: 自治区领导先后巡查了…; a rank
        // alone going somewhere, 县长到乙镇检查, may be someone else.)
        let goes = |k: usize| {
            word_at(t, k, SUCCESSIVELY)
                && MOVEMENT_VERBS.starts_at(t, k + SUCCESSIVELY.chars().count())
        };
        let end = (i + 2..=(i + 10).min(e))
            .take_while(|&k| !CLAUSE_END.contains(&t[k - 1]))
            .find(|&k| {
                (word_at(t, k, PARTY) || goes(k))
                    && OFFICIAL_TITLES.longest_ending_at(t, k).is_some()
            })?;
        let party = if word_at(t, end, PARTY) {
            PARTY.chars().count()
        } else {
            0
        };
        self.mentions_in(i, end).is_empty().then(|| end + party - i)
    }

    /// The length of 与会 and a word for people at `i` (与会人员, 与会嘉宾, 与会领导同志).
    fn attendees_at(&self, i: usize) -> Option<usize> {
        let t = self.t;
        if !word_at(t, i, ATTENDING) {
            return None;
        }
        let k = i + ATTENDING.chars().count();
        let l = PEOPLE_NOUNS
            .longest_at(t, k)
            .or_else(|| OFFICIAL_TITLES.longest_at(t, k))?;
        Some(k + l - i)
    }

    /// The length of a team named at `i` (调研组, 市林长制督导工作组, 考察团一行), 一行 included.
    pub(super) fn team_at(&self, i: usize, e: usize) -> Option<usize> {
        let t = self.t;
        let end = (i + 2..=(i + 12).min(e))
            .take_while(|&k| !CLAUSE_END.contains(&t[k - 1]))
            .filter(|&k| {
                TEAM_SUFFIXES.longest_ending_at(t, k).is_some()
                    // 巡河组, 巡林队: a team named after what it does.
                    || team_ends(t[k - 1]) && ACTION_TRIGGERS.longest_ending_at(t, k - 1).is_some()
            })
            .last()?;
        if !self.mentions_in(i, end).is_empty() {
            return None;
        }
        let rest = if word_at(t, end, PARTY) { 2 } else { 0 };
        Some(end + rest - i)
    }

    /// The length of a clause at `i` that only sets when (在某地期间，/ 在某地时，/ 考察期间，)
    /// or who went along (在某某陪同下，), comma included.
    pub(super) fn while_clause(&self, i: usize, e: usize) -> Option<usize> {
        let t = self.t;
        if t[i] != AT {
            // 学习考察期间，: a short period clause without 在, naming no one.
            let c = (i + 1..e.min(i + 10)).find(|&k| CLAUSE_END.contains(&t[k]))?;
            // (短短三天时间，: the span of the visit.)
            let period = t[c] == COMMA && (word_before(t, c, DURING) || word_before(t, c, SPAN));
            return (period && self.mentions_in(i, c).is_empty()).then_some(c + 1 - i);
        }
        let c = (i + 1..e.min(i + 40)).find(|&k| CLAUSE_END.contains(&t[k]))?;
        // 在…期间，在…时，在为期五天的考察中，
        let sets = word_before(t, c, DURING) || word_before(t, c, WHEN) || t[c - 1] == MIDDLE;
        let escorted = word_before(t, c, ESCORTED);
        (t[c] == COMMA && (sets && c - i <= 16 || escorted)).then_some(c + 1 - i)
    }

    /// Whether 到 at `i` means going somewhere.
    pub(super) fn movement_dao(&self, i: usize) -> bool {
        movement_dao(self.t, i)
    }
}

/// Whether 到 at `i` means going somewhere.
pub(super) fn movement_dao(t: &[char], i: usize) -> bool {
    let prev = if i > 0 { t[i - 1] } else { COMMA };
    let next = t.get(i + 1).copied().unwrap_or(FULL_STOP);
    !not_going_before_arrive(prev) && !not_going_after_arrive(next) && is_cjk(next)
}

/// Whether `t[i]` may open an activity verb as [`Parser::trigger_after`] takes one (a superset:
/// titles and verbs of saying are not known yet). A text without one holds no activity.
pub(super) fn may_trigger(t: &[char], i: usize) -> bool {
    if t[i] == ARRIVE && movement_dao(t, i) {
        return true;
    }
    ACTION_TRIGGERS.longest_at(t, i).is_some()
        && !(i > 0 && t[i - 1] == AT)
        && !inside_not_kind(t, i)
}

/// Whether the simplified text `t` can report an activity at all: every activity needs a
/// trigger, so a text without one is not parsed.
pub(crate) fn may_hold_activity(t: &[char]) -> bool {
    (0..t.len()).any(|i| may_trigger(t, i) || HOST_VERBS.starts_at(t, i))
}

/// Whether the words at `i` make what follows a habit, not one activity: 多次, 经常 …
/// (habitual.txt), or a count of times (先后12次, 三次).
pub(super) fn habitual_at(t: &[char], mut i: usize) -> bool {
    if HABITUAL.starts_at(t, i) {
        return true;
    }
    if word_at(t, i, SUCCESSIVELY) {
        i += 2;
    }
    let n = t
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take(4)
        .take_while(|&&c| is_count(c))
        .count();
    n > 0 && t.get(i + n) == Some(&TIMES) && t.get(i + n + 1) != Some(&DAY)
}

/// The length of a clock time at `i` (9时, 9时30分, 14:30), if one is written there.
fn clock_time(t: &[char], i: usize) -> Option<usize> {
    let n = t[i..]
        .iter()
        .take(2)
        .take_while(|c| is_numeral(**c))
        .count();
    if n == 0 {
        return None;
    }
    match t.get(i + n) {
        Some(&HOUR) => {
            let m = t[i + n + 1..]
                .iter()
                .take(2)
                .take_while(|c| is_numeral(**c))
                .count();
            let minutes = m > 0 && t.get(i + n + 1 + m) == Some(&MINUTE);
            Some(n + 1 + if minutes { m + 1 } else { 0 })
        }
        Some(':') => {
            let m = t[i + n + 1..]
                .iter()
                .take(2)
                .take_while(|c| c.is_ascii_digit())
                .count();
            (m == 2).then_some(n + 1 + m)
        }
        _ => None,
    }
}
