//! Organisations and teams acting without a named person, and the company at the head of a title.

use super::Parser;
use crate::lexicon::grammar::{
    BOARD, OUR, OUR_PAPER, dispatch, not_in_org, one_char_place_ends, org_openers,
};
use crate::lexicon::{
    BUSINESS_WORDS, COMPANY_SUFFIXES, LEAD_VERBS, ORG_SUFFIXES, TEAM_SUFFIXES, VISIT_VERBS,
};
use crate::text::{CLAUSE_END, clause_end, clause_start, string, word_at};

impl Parser<'_> {
    /// An organisation or team at the head of a clause that goes on to act.
    pub(super) fn org_actor(&self, s: usize, e: usize) -> Option<(usize, usize)> {
        // The organisation must be followed by an activity verb within the sentence.
        if !self.may_trigger_in(s, e) {
            return None;
        }
        let t = self.t;
        let mut cs = s;
        while cs < e {
            let ce = clause_end(t, cs, e);
            let a = self.subject_start(cs, ce);
            if let Some(end) = self.org_end(a, ce)
                && self.team_acts(a, end, ce, e)
            {
                return Some((a, end));
            }
            cs = ce + 1;
        }
        None
    }

    /// The organisation holding an event at `at` (县政府今日举办…): named at the head of its
    /// clause, after a time phrase, with no person in it.
    pub(super) fn host_org(&self, s: usize, at: usize) -> Option<(usize, usize)> {
        let a = self.subject_start(clause_start(self.t, s, at), at);
        let end = self.org_end(a, at)?;
        (self.org_name(a, end) && end - a >= 3).then_some((a, end))
    }

    /// Where the subject of the clause from `cs` (ending by `ce`) starts: after a time phrase
    /// at its head or a dateline (新华社北京9月28日电), an opening quote or dash, and 由.
    fn subject_start(&self, cs: usize, ce: usize) -> usize {
        let t = self.t;
        let mut a = cs;
        if let Some(k) = self.times_in(a, a + 1).next() {
            a = self.times[k].end;
        }
        // 新华社北京9月28日电 中央代表团…: what follows a dateline's 电 or 讯.
        if let Some(k) = self.times_in(a, ce.min(a + 12)).find(|&k| self.dateline(k)) {
            let mut b = self.times[k].end;
            while b < ce && t[b] == ' ' {
                b += 1;
            }
            if word_at(t, b, OUR_PAPER) {
                b += OUR_PAPER.chars().count();
            }
            if b < ce && dispatch(t[b]) {
                a = b + 1;
                while a < ce && t[a] == ' ' {
                    a += 1;
                }
            }
        }
        while a < ce && (matches!(t[a], '“' | '—' | ' ') || org_openers(t[a])) {
            a += 1;
        }
        a
    }

    /// Whether `a..end` can name an organisation: no character that cannot be in one (but
    /// 我市 at its head), no person in it, and no verb of leading at its head.
    fn org_name(&self, a: usize, end: usize) -> bool {
        let t = self.t;
        // 我市党政代表团: a body of our city.
        let ours = end >= a + 2 && t[a] == OUR && one_char_place_ends(t[a + 1]);
        let from = if ours { a + 2 } else { a };
        // (率党政代表团外出考察: a clause led by someone named elsewhere.)
        !t[from..end].iter().any(|&c| not_in_org(c))
            && self.mentions_in(a, end).is_empty()
            && !LEAD_VERBS.starts_at(t, a)
    }

    /// Whether a time phrase (not a dateline) comes right before `a`, in its clause or as the
    /// whole clause before it (近日，某中心组织…).
    fn dated_before(&self, a: usize) -> bool {
        let t = self.t;
        let mut b = a;
        while b > 0 && (CLAUSE_END.contains(&t[b - 1]) || t[b - 1] == ' ') {
            b -= 1;
        }
        self.times_in(b.saturating_sub(16), b).any(|k| {
            self.times[k].end == b && !self.dateline(k) && {
                let st = self.times[k].start;
                st == 0 || CLAUSE_END.contains(&t[st - 1]) || t[st - 1] == ' ' || b == a
            }
        })
    }

    /// Where the first organisation name starting at `a` ends, within 24 characters and before
    /// `ce`: at its ending (org_suffixes.txt); after a one-character ending (办), a longer name
    /// may go on (办公厅调研组).
    fn org_end(&self, a: usize, ce: usize) -> Option<usize> {
        let t = self.t;
        let limit = (a + 24).min(ce);
        let k = (a + 2..=limit).find(|&k| ORG_SUFFIXES.longest_ending_at(t, k).is_some())?;
        let mut end = k;
        if ORG_SUFFIXES.longest_ending_at(t, k) == Some(1) {
            for k2 in k + 1..=(k + 6).min(limit) {
                if ORG_SUFFIXES
                    .longest_ending_at(t, k2)
                    .is_some_and(|l| l >= 2)
                {
                    end = k2;
                }
            }
        }
        Some(end)
    }

    /// Whether the organisation `a..end` in the clause ending at `ce` is a team that acts: named
    /// by more than its ending (not 代表团 alone, which refers back to one already met), with
    /// no person in it, followed by a strong activity verb in its own clause, or in the next one
    /// when that has no subject of its own.
    fn team_acts(&self, a: usize, end: usize, ce: usize, e: usize) -> bool {
        let t = self.t;
        let org = &t[a..end];
        let bad = !self.org_name(a, end);
        let mut until = ce;
        if ce < e {
            let ne = clause_end(t, ce + 1, e);
            let own_subject = !self.mentions_in(ce + 1, ne).is_empty()
                || (ce + 3..=(ce + 12).min(ne))
                    .any(|x| ORG_SUFFIXES.longest_ending_at(t, x).is_some());
            if !own_subject {
                until = ne;
            }
        }
        let team = TEAM_SUFFIXES
            .longest_ending_at(t, end)
            .is_some_and(|l| org.len() > l);
        let Some((at, strong)) = self.trigger_after(end, until) else {
            return false;
        };
        // Another organisation (商会, 政协 …) acts when it visits (visit_verbs.txt) and the
        // visit is dated right before it is named (10月20日，某商会来我区参观考察).
        let acting = team
            || org.len() >= 5 && VISIT_VERBS.find(t, at, until).is_some() && self.dated_before(a);
        !bad && acting && org.len() >= 3 && strong
    }
}

/// The company at the head of a title (某集团党委书记 → 某集团).
pub(super) fn company_of(title: &str) -> Option<String> {
    let norm: Vec<char> = title.chars().collect();
    let simp = crate::normalize::simplified(&norm);
    let best = (4..=simp.len())
        .rev()
        .find(|&end| COMPANY_SUFFIXES.longest_ending_at(&simp, end).is_some());
    // 某能国际董事会主席, 某能源董事长: the name before its board.
    let before_board = || {
        let b = (3..simp.len()).find(|&i| word_at(&simp, i, BOARD))?;
        BUSINESS_WORDS.find(&simp, 0, b).is_none().then_some(b)
    };
    best.or_else(before_board).map(|e| string(&norm[..e]))
}
