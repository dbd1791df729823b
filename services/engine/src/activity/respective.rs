//! 甲、乙、丙分别走访A区、B区、C区: people listed before 分别 and as many sites listed after it
//! are that many visits, paired in order. Leads who each go their own way without as many sites
//! (甲、乙分别带队走访慰问困难群众, 甲、乙相继走访…) are as many visits too, each with the sites
//! and the day later sentences give it.

use super::{Draft, Parser, Work};
use crate::lexicon::FxSet as HashSet;
use crate::lexicon::grammar::{IN_TURN, JOINTLY, RESPECTIVELY, SEPARATELY, TOGETHER};
use crate::lexicon::{LEAD_VERBS, MOVEMENT_VERBS, VISIT_VERBS};
use crate::text::{string, word_at};
use crate::time::Resolver;

impl Parser<'_> {
    /// The activity `w` (finished as `d`) as one draft per person when one of its sentences
    /// sends people their own ways with 分别; else `d` alone. Each comes with its lead's key.
    pub(super) fn respectively(
        &self,
        w: &Work,
        d: Draft,
        resolver: &Resolver,
    ) -> Vec<(Draft, Vec<String>)> {
        let leads = |d: &Draft| -> Vec<String> {
            d.people
                .iter()
                .filter(|p| p.lead)
                .map(|p| p.key.clone())
                .collect()
        };
        let Some((s, e, pairs)) = w.core.iter().find_map(|&si| {
            self.respective_pairs(w, si)
                .map(|p| (self.sents[si].0, self.sents[si].1, p))
        }) else {
            let l = leads(&d);
            return vec![(d, l)];
        };
        // A person named in a later sentence of the activity goes with the listed person that
        // sentence names; one with none of them goes with all.
        let listed: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        let keys_in = |a: usize, b: usize| -> HashSet<&str> {
            self.mentions_in(a, b)
                .map(|k| self.ms[k].key.as_str())
                .collect()
        };
        // The sites and companies of each sentence about the activity, found once.
        let found: Vec<Vec<(usize, usize, bool)>> = d
            .evidence
            .iter()
            .map(|&(a, b)| {
                let mut spans = Vec::new();
                if (a, b) != (s, e) {
                    self.places_in(a, b, &mut spans);
                }
                spans
            })
            .collect();
        let mut out = Vec::new();
        for (key, site) in &pairs {
            let mut one = d.clone();
            let mine: Vec<usize> = (0..d.evidence.len())
                .filter(|&n| {
                    let (a, b) = d.evidence[n];
                    let keys = keys_in(a, b);
                    (a, b) == (s, e)
                        || keys.contains(key.as_str())
                        || !listed.iter().any(|l| keys.contains(l))
                })
                .collect();
            let mut present: HashSet<&str> = mine
                .iter()
                .flat_map(|&n| keys_in(d.evidence[n].0, d.evidence[n].1))
                .filter(|k| *k == key || !listed.contains(k))
                .collect();
            // …and those of the sentences told after one about this person alone, before one
            // about another (大年三十，甲走访…。市领导丙、丁参加走访。年初一，乙…).
            let mut current: Option<&str> = None;
            let mut scope = w.scope.clone();
            scope.sort_unstable();
            scope.dedup();
            for &si in &scope {
                let (a, b) = self.sents[si];
                if a < e {
                    continue;
                }
                let keys = keys_in(a, b);
                let named: Vec<&str> = listed
                    .iter()
                    .copied()
                    .filter(|l| keys.contains(l))
                    .collect();
                match named.as_slice() {
                    [] if current == Some(key.as_str()) => present.extend(keys),
                    [] => {}
                    [one_key] => current = Some(one_key),
                    _ => current = None,
                }
            }
            one.people.retain(|p| present.contains(p.key.as_str()));
            for p in &mut one.people {
                p.lead = p.key == *key;
            }
            one.places = site.iter().cloned().collect();
            one.targets.clear();
            for &n in &mine {
                for &(x, y, target) in &found[n] {
                    let name = string(&self.doc.norm[x..y]);
                    let list = if target {
                        &mut one.targets
                    } else {
                        &mut one.places
                    };
                    if !list.contains(&name) {
                        list.push(name);
                    }
                }
            }
            // Each on the day their own later sentence gives (春节期间，甲、乙相继走访…。
            // 大年三十，甲…; 年初一，乙…).
            let own_day = mine
                .iter()
                .filter(|&&n| {
                    let keys = keys_in(d.evidence[n].0, d.evidence[n].1);
                    d.evidence[n].0 >= e
                        && keys.contains(key.as_str())
                        && !listed
                            .iter()
                            .any(|&l| l != key.as_str() && keys.contains(l))
                })
                .find_map(|&n| {
                    let si = self.sentence_of(d.evidence[n].0)?;
                    let k = self.own_time(si, d.evidence[n].0)?;
                    if self.dates_nothing(k) {
                        return None;
                    }
                    self.resolve_time(resolver, k)
                });
            if let Some(r) = own_day {
                one.when = Some(r);
            }
            one.evidence = mine.iter().map(|&n| d.evidence[n]).collect();
            out.push((one, vec![key.clone()]));
        }
        out
    }

    /// The (person key, site) pairs of 甲、乙分别到A、B: two or more people listed one after the
    /// other right before 分别 in sentence `si` of the activity, and as many sites after it.
    /// Without as many sites, leads named before 分别 who go somewhere after it (分别带队,
    /// 分别走访) each have a visit of their own, its site unknown; one site for all
    /// (分别到某馆考察) keeps them together.
    fn respective_pairs(&self, w: &Work, si: usize) -> Option<Vec<(String, Option<String>)>> {
        let t = self.t;
        let (s, e) = self.sents[si];
        let p = (s..e).find(|&i| each_their_own(t, i))?;
        // 甲、乙分别率队共同到某地: each led their party, and the parties went together.
        let after = p + RESPECTIVELY.chars().count();
        if (after..(after + 6).min(e)).any(|i| word_at(t, i, JOINTLY) || word_at(t, i, TOGETHER)) {
            return None;
        }
        // The list of people that ends right before 分别.
        let ms: Vec<usize> = self.mentions_in(s, p).collect();
        let last = *ms.last()?;
        if self.ms[last].name_end + 2 < p {
            return None;
        }
        let mut people = vec![last];
        for pair in ms.windows(2).rev() {
            if !self.listed_together(pair[0], pair[1]) {
                break;
            }
            people.push(pair[0]);
        }
        people.reverse();
        let mut keys: Vec<String> = Vec::new();
        for &k in &people {
            if !keys.contains(&self.ms[k].key) {
                keys.push(self.ms[k].key.clone());
            }
        }
        let mut spans = Vec::new();
        self.places_in(p + RESPECTIVELY.chars().count(), e, &mut spans);
        let mut sites: Vec<String> = Vec::new();
        for (a, b, _) in spans {
            let name = string(&self.doc.norm[a..b]);
            if !sites.contains(&name) {
                sites.push(name);
            }
        }
        if keys.len() >= 2 && sites.len() == keys.len() {
            return Some(keys.into_iter().zip(sites.into_iter().map(Some)).collect());
        }
        let goes = LEAD_VERBS.starts_at(t, after)
            || MOVEMENT_VERBS.starts_at(t, after)
            || VISIT_VERBS.starts_at(t, after);
        // The leads named before it, the last of them right before it (甲、乙等分别).
        let lead_keys: HashSet<&str> = w.leads.iter().map(|&k| self.ms[k].key.as_str()).collect();
        let before: Vec<usize> = self
            .mentions_in(s, p)
            .filter(|&k| lead_keys.contains(self.ms[k].key.as_str()))
            .collect();
        let close = before.iter().any(|&k| self.ms[k].name_end + 4 >= p);
        let mut leads: Vec<String> = Vec::new();
        for &k in &before {
            if !leads.contains(&self.ms[k].key) {
                leads.push(self.ms[k].key.clone());
            }
        }
        (goes && close && leads.len() >= 2 && sites.len() != 1)
            .then(|| leads.into_iter().map(|k| (k, None)).collect())
    }
}

/// Whether the word at `i` sends people listed before it each their own way: 分别, 分头, 相继
/// (all two characters long).
pub(super) fn each_their_own(t: &[char], i: usize) -> bool {
    [RESPECTIVELY, SEPARATELY, IN_TURN]
        .iter()
        .any(|w| word_at(t, i, w))
}
