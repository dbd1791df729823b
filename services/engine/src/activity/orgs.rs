//! Organisations and teams acting without a named person, and the company at the head of a title.

use super::Parser;
use crate::lexicon::grammar::{not_in_org, org_openers};
use crate::lexicon::{COMPANY_SUFFIXES, ORG_SUFFIXES, TEAM_SUFFIXES};
use crate::text::{CLAUSE_END, string};

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
            let ce = (cs..e).find(|&i| CLAUSE_END.contains(&t[i])).unwrap_or(e);
            // Skip a time phrase and 由 at the head of the clause.
            let mut a = cs;
            if let Some(k) = self.times_in(a, a + 1).next() {
                a = self.times[k].end;
            }
            while a < ce && (matches!(t[a], '“' | '—' | ' ') || org_openers(t[a])) {
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
                    let bad =
                        org.iter().any(|&c| not_in_org(c)) || !self.mentions_in(a, end).is_empty();
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
}

/// The company at the head of a title (某集团党委书记 → 某集团).
pub(super) fn company_of(title: &str) -> Option<String> {
    let norm: Vec<char> = title.chars().collect();
    let simp = crate::normalize::simplified(&norm);
    let best = (4..=simp.len())
        .rev()
        .find(|&end| COMPANY_SUFFIXES.longest_ending_at(&simp, end).is_some());
    best.map(|e| string(&norm[..e]))
}
