//! Grouping sentences into activities: which sentences continue the current activity, their dates,
//! and drafts of one activity merged into one.

use super::{Draft, Parser, Role, SentenceInfo, Work, dedup};
use crate::lexicon::FxSet as HashSet;
use crate::lexicon::grammar::COLON;
use crate::lexicon::grammar::COMMA;
use crate::lexicon::grammar::{
    AFTER, AT, DONE, ENDED, HOST_RECEIVE, HOST_WELCOME, HOUR, MEETING_CHAR, OF, OUR, OUR_PAPER,
    PARTY, SOURCE, SPAN, TOGETHER, WEEK, WHEN, YEAR, dispatch, range_words, third_person,
};
use crate::lexicon::{
    ACTION_TRIGGERS, HELD_EVENTS, LEAD_VERBS, MOVEMENT_VERBS, PAGE_DATE_LABELS, PARTICIPANT_VERBS,
    RECEPTION_VERBS,
};
use crate::people::is_cjk;
use crate::text::word_at;
use crate::text::{CLAUSE_END, clause_end, clause_start, word_before};
use crate::time::{Resolved, Resolver, TimeKind};
use dongtai_proto::{EventKind, TimeBasis};

impl Parser<'_> {
    /// The best own time phrase of a sentence: one that dates an activity, then one in the
    /// actor's field (a date before the actor whose clause runs over a run-on line's end loses),
    /// then the surest kind, then the nearest before the actor (a dateline's date loses to the
    /// date in the sentence itself).
    pub(super) fn own_time(&self, si: usize, actor: usize) -> Option<usize> {
        let (s, e) = self.sents[si];
        let t = self.t;
        // 慰问了春节期间坚守一线的职工, 出席了昨晚举行的招待会: a time inside what was visited
        // dates no activity (an expo's edition does: 参观了第六届进博会某展区).
        let in_object = |k: usize| {
            let st = self.times[k].start;
            !matches!(self.times[k].kind, TimeKind::Edition { .. }) && st > 0 && t[st - 1] == DONE
        };
        let own = self
            .times_in(s, e)
            .filter(|&k| !in_object(k))
            .max_by_key(|&k| {
                let st = self.times[k].start;
                let near = if st <= actor {
                    usize::MAX / 2 - (actor - st)
                } else {
                    usize::MAX / 4 - st
                };
                // A dateline (本报10月26日讯, 某地10月26日电) dates the report, not the activity.
                // A date before the actor whose clause runs over the end of a run-on line (a
                // page's date line, a headline) is another field's (当前报章 2019年02月01日 今日导读
                // … 某某昨(31)日探访).
                let same_field = st > actor || {
                    let end = self.times[k].end;
                    let to = clause_end(t, end, actor);
                    // (The soft breaks are in text order.)
                    let soft = self.doc.soft;
                    soft.get(soft.partition_point(|&x| x < end))
                        .is_none_or(|&x| x >= to)
                };
                (
                    !self.dates_nothing(k),
                    same_field,
                    self.times[k].rank(),
                    near,
                )
            });
        // A sentence without a date of its own under a line that is only a date (a round-up's
        // 6月1日) is dated by it.
        own.or_else(|| self.heading_date(s))
    }

    /// Whether time phrase `k` dates the report rather than an activity: a dateline (讯 or 电
    /// follows it, or 本报讯), a page's timestamp (a clock time follows: 2010年10月25日09时34分),
    /// a date after a page's label (日期：…) or before its source (…日来源：), a page's date run
    /// straight into the story's (2022年04月21日4月20日), or one before a day of the week.
    pub(super) fn dateline(&self, k: usize) -> bool {
        let t = self.t;
        let te = &self.times[k];
        let mut i = te.end;
        while t.get(i) == Some(&' ') {
            i += 1;
        }
        // 沈阳日报 2022年04月21日 4月20日，…: a full date right before another is the page's.
        if let Some(n) = self.times.get(k + 1)
            && n.start == i
            && matches!(te.kind, TimeKind::Absolute { from, .. } if from.year.is_some())
            && matches!(n.kind, TimeKind::Absolute { from, .. } if from.month.is_some())
        {
            return true;
        }
        // (辽宁日报 2020年11月04日 本报讯 …: the paper's own dateline follows the page's date;
        // 2022年04月21日 来源：…: the page's source.)
        if word_at(t, i, SOURCE) {
            return true;
        }
        if word_at(t, i, OUR_PAPER)
            && t.get(i + OUR_PAPER.chars().count())
                .is_some_and(|&c| dispatch(c))
        {
            return true;
        }
        let digits = t[i.min(t.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let mut b = te.start;
        while b > 0 && matches!(t[b - 1], ' ' | COLON | ':') {
            b -= 1;
        }
        // A page's date line names the day of the week (2019年01月09日 星期三).
        // (Or only 星期 when the page cut the day off: 2014年1月17日 星期.)
        let weekday_next = self
            .times
            .get(k + 1)
            .is_some_and(|n| matches!(n.kind, TimeKind::Weekday { .. }) && n.start == i)
            || word_at(t, i, WEEK);
        t.get(i).is_some_and(|&c| dispatch(c))
            || digits > 0 && matches!(t.get(i + digits).copied(), Some(HOUR | ':' | COLON))
            || PAGE_DATE_LABELS.longest_ending_at(t, b).is_some_and(|l| {
                // 时间 alone labels a field only at its head (not 当地时间, 北京时间).
                let bare = l == SPAN.chars().count() && word_at(t, b - l, SPAN);
                !bare || b == l || !is_cjk(t[b - l - 1])
            })
            || weekday_next
    }

    /// Whether time phrase `k` dates no activity: a [`Self::dateline`], or a date that only
    /// bounds a span from now on (即日起到十月十四日, 展至11月5日: 到 or 至 before it, no date
    /// right before that).
    pub(super) fn dates_nothing(&self, k: usize) -> bool {
        let st = self.times[k].start;
        let until =
            st > 0 && range_words(self.t[st - 1]) && (k == 0 || self.times[k - 1].end + 1 < st);
        until || self.dateline(k) || crate::time::is_month_header(self.t, &self.times[k])
    }

    /// The date of the heading the sentence starting at `s` stands under: a line above it that
    /// is only a date (a round-up's 6月1日, then what was done that day), no other date between.
    pub(super) fn heading_date(&self, s: usize) -> Option<usize> {
        self.sentence_of(s)
            .and_then(|si| self.headings.get(si).copied().flatten())
    }

    /// [`Self::heading_date`] of every sentence, in one pass over the text. A round-up has a
    /// heading for each day: a text with only one date line (a headline, its date, the story)
    /// has none.
    pub(super) fn find_headings(&self) -> Vec<Option<usize>> {
        let lines: Vec<DateLine> = (0..self.sents.len()).map(|pi| self.date_line(pi)).collect();
        let headings = lines
            .iter()
            .filter(|l| matches!(l, DateLine::Heading(_)))
            .count();
        let mut current = None;
        let mut out = Vec::with_capacity(lines.len());
        for line in lines {
            out.push(current.filter(|_| headings >= MIN_HEADINGS));
            match line {
                DateLine::Heading(k) => current = Some(k),
                DateLine::Dated => current = None,
                DateLine::Undated => {}
            }
        }
        out
    }

    /// What sentence `pi` says of the dates below it.
    fn date_line(&self, pi: usize) -> DateLine {
        let t = self.t;
        let (ps, pe) = self.sents[pi];
        let mut dates = self.times_in(ps, pe).filter(|&k| !self.dateline(k));
        let Some(k) = dates.next() else {
            return DateLine::Undated;
        };
        let te = &self.times[k];
        // (A bullet, or a year of the Republic the scanner left out, may stand before it:
        // • 107年6月1日.)
        let before = t
            .get(ps..te.start)
            .is_some_and(|x| x.iter().all(|&c| !is_cjk(c) || c == YEAR));
        let next = self.sents.get(pi + 1).map_or(pe, |x| x.0);
        let alone = t
            .get(te.end..next)
            .is_some_and(|x| x.iter().all(|c| c.is_whitespace()) && x.contains(&'\n'));
        // The text's first line dates its page (2021年07月07日 over the headline), not a day.
        if dates.next().is_none() && before && alone && pi > 0 {
            DateLine::Heading(k)
        } else {
            DateLine::Dated
        }
    }

    /// Time phrase `k` resolved. A relative day after a dateline (本报济南11月20日讯 今天下午)
    /// counts from the dateline's day, which may be the day before publication.
    pub(super) fn resolve_time(&self, resolver: &Resolver, k: usize) -> Option<Resolved> {
        let te = &self.times[k];
        let relative = matches!(te.kind, TimeKind::Relative(_) | TimeKind::Weekday { .. });
        let line = relative
            .then(|| (0..k).rev().find(|&j| self.dateline(j)))
            .flatten()
            .filter(|&j| te.start - self.times[j].end < 200)
            .and_then(|j| resolver.resolve(&self.times[j], &self.times[..j]))
            .filter(|r| r.basis == TimeBasis::Explicit && !r.approx)
            .and_then(|r| r.start);
        match line {
            Some(day) => {
                let at_line = Resolver {
                    published: Some(day),
                    ..*resolver
                };
                at_line.resolve(te, &self.times[..k])
            }
            None => resolver.resolve(te, &self.times[..k]),
        }
    }

    /// The nearest time phrase before sentence `si`.
    pub(super) fn time_before(&self, si: usize) -> Option<usize> {
        let (s, _) = self.sents[si];
        self.times.partition_point(|x| x.start < s).checked_sub(1)
    }

    pub(super) fn run(&self, resolver: &Resolver) -> Vec<Draft> {
        let infos: Vec<SentenceInfo> = (0..self.sents.len()).map(|si| self.analyse(si)).collect();
        let mut works: Vec<Work> = Vec::new();
        let mut pending: Vec<(usize, Role)> = Vec::new();
        for (si, info) in infos.iter().enumerate() {
            let own_phrase = self.own_time(si, info.actor_pos);
            // A dateline or a page's timestamp dates no activity: the sentence merges as if it
            // had no date, and the activity keeps it only when nothing better comes.
            let own = own_phrase.filter(|&k| !self.dates_nothing(k));
            if info.announced {
                continue;
            }
            if !info.anchor {
                match works.last_mut() {
                    Some(w) => self.goes_on(w, info, si),
                    None => pending.extend(self.titled_participants(info)),
                }
                continue;
            }
            let leads: Vec<usize> = info
                .roles
                .iter()
                .filter(|r| r.1 == Role::Lead)
                .map(|r| r.0)
                .collect();
            // Hosts who receive the visiting party (某市副市长某某接待了考察团一行) go along
            // on its visit: they take part in it.
            if let Some(w) = works.last_mut()
                && self.hosts_receive(w, info, si, own, resolver)
            {
                w.people
                    .extend(info.roles.iter().map(|&(k, _)| (k, Role::Participant)));
                w.core.push(si);
                w.scope.push(si);
                continue;
            }
            // 某某率队，…: the leads of a team already on its visit, told after it.
            if let Some(i) = self.team_led(&works, &leads, si, own, resolver) {
                let mut w = works.remove(i);
                self.join(&mut w, info, si, own);
                works.push(w);
                continue;
            }
            let apart = works
                .last()
                .is_some_and(|w| self.another_party_met(w, si, &leads, resolver));
            let merge = !apart
                && works.last().is_some_and(|w| {
                    self.continues(w, info, &leads, si, own, resolver)
                        && !self.tour_after(w, info, si)
                });
            if merge && let Some(w) = works.last_mut() {
                self.join(w, info, si, own);
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
                    held: info.held,
                    led: false,
                    apart,
                });
            }
        }
        let mut drafts: Vec<(Draft, Vec<String>, bool, bool)> = Vec::new();
        for w in &works {
            if let Some(d) = self.finish(w, resolver) {
                let leads: Vec<String> = w.leads.iter().map(|&k| self.ms[k].key.clone()).collect();
                let mut split = self.respectively(w, d, resolver);
                if split.len() == 1
                    && let Some((d, _)) = split.pop()
                {
                    drafts.push((d, leads, w.own_time.is_some(), w.apart));
                } else {
                    drafts.extend(
                        split
                            .into_iter()
                            .map(|(d, l)| (d, l, w.own_time.is_some(), w.apart)),
                    );
                }
            }
        }
        merge_drafts(drafts)
    }

    /// Whether anchor sentence `si` (leads `leads`, own time phrase `own`) continues activity
    /// `w`: without a date of its own it does; with one, when it shares a lead (or both are an
    /// organisation's) and its days overlap.
    fn continues(
        &self,
        w: &Work,
        info: &SentenceInfo,
        leads: &[usize],
        si: usize,
        own: Option<usize>,
        resolver: &Resolver,
    ) -> bool {
        let lead_keys: HashSet<&str> = leads.iter().map(|&k| self.ms[k].key.as_str()).collect();
        let shared = w
            .leads
            .iter()
            .any(|&k| lead_keys.contains(self.ms[k].key.as_str()));
        // Hosts receiving visitors (…考察。期间，区长某接待了考察团) and the visitors' own tour
        // are two activities: other leads, none of the visitors named, and one side receives
        // while the other does not.
        let names_lead = self.names_a_lead(w, info);
        let other_side = !names_lead
            && !leads.is_empty()
            && (!w.leads.is_empty() || !w.orgs.is_empty())
            && self.sentence_receives(si) != self.receives(w);
        // Another official doing a visit of their own, none of the activity's leads named
        // (甲在…陪同下，探访了…。乙则在…陪同下，到…探望…): their own activity, on its day.
        // Only asked of a sentence without a date of its own.
        let other_lead = || {
            let t = self.t;
            let (ss, se) = self.sents[si];
            let known = leads.iter().any(|&k| {
                w.people
                    .iter()
                    .any(|&(p, _)| self.ms[p].key == self.ms[k].key)
            });
            // 他亦与…会面: the lead referred to.
            let pronoun = t.get(ss).is_some_and(|&c| third_person(c));
            // 与代表团一行座谈, 向考察团介绍: the visitors referred to, so the same visit.
            // (Not the party of its own lead: 市领导某某一行走访….)
            let own_party = |i: usize| leads.iter().any(|&k| self.ms[k].name_end == i);
            // (Nor the team it leads, 某某带领三分团前往…, nor one in a title: 代表团副团长.)
            let own_team = |i: usize| {
                leads.iter().any(|&k| {
                    let ne = self.ms[k].name_end;
                    (ne..=ne + 4).contains(&i) && LEAD_VERBS.starts_at(t, ne)
                })
            };
            let team = || {
                (ss..se).any(|i| {
                    word_at(t, i, PARTY) && !own_party(i)
                        || self
                            .team_at(i, se)
                            .is_some_and(|l| !self.in_title(i + l - 1) && !own_team(i))
                })
            };
            // …and they go somewhere themselves (到某邨探望, 探访了某邨), not only speak or meet.
            let goes = leads.first().is_some_and(|&k| {
                (self.ms[k].name_end..se)
                    .any(|i| MOVEMENT_VERBS.starts_at(t, i) && !self.in_title(i))
            });
            !names_lead
                && goes
                && !pronoun
                && !shared
                && !known
                && !leads.is_empty()
                && !w.leads.is_empty()
                && info.strong
                && !w.held
                && !team()
        };
        match own {
            _ if other_side => false,
            None if other_lead() => false,
            // An event held in the course of an activity, on its days, is part of it.
            Some(tk) if info.held => self.same_days(resolver, w, tk),
            None => true,
            Some(tk) => {
                let same_org = leads.is_empty() && w.leads.is_empty() && info.org.is_some();
                (shared || same_org) && self.same_days(resolver, w, tk)
            }
        }
    }

    /// Whether anchor sentence `si` opens a tour of its own after the event of activity `w`
    /// (仪式结束后，某某一行还实地调研了…; 签约仪式后，某某一行考察了…; 会后，…): the sentence opens
    /// with a clause that only says an event was over, and what its lead does is a site visit
    /// while the activity so far is not. (A tour of the expo after its opening is the expo
    /// visit: only a site visit splits.)
    fn tour_after(&self, w: &Work, info: &SentenceInfo, si: usize) -> bool {
        let t = self.t;
        let (ss, se) = self.sents[si];
        let ce = clause_end(t, ss, se);
        if ce >= info.actor_pos || ce < ss + 2 || t[ce - 1] != AFTER {
            return false;
        }
        let before = ce - 1;
        let over = before
            .checked_sub(ENDED.chars().count())
            .is_some_and(|i| i >= ss && word_at(t, i, ENDED))
            || before - 1 == ss && t[ss] == MEETING_CHAR
            || HELD_EVENTS.0.longest_ending_at(t, before).is_some();
        if !over || !info.strong {
            return false;
        }
        let tour = Work {
            leads: Vec::new(),
            people: Vec::new(),
            orgs: Vec::new(),
            core: vec![si],
            scope: vec![si],
            own_time: None,
            time: None,
            first_anchor: si,
            actor_pos: info.actor_pos,
            held: false,
            led: false,
            apart: false,
        };
        self.kind(&tour) == EventKind::SiteInspection && self.kind(w) != EventKind::SiteInspection
    }

    /// Whether anchor sentence `si` (leads `leads`) tells another meeting of a lead of meeting
    /// `w`: it receives someone (会见了乙…) none of whom `w` has, and `w` received someone
    /// already (刘某会见了甲一行…。刘某会见了乙一行…: one meeting per party received).
    fn another_party_met(&self, w: &Work, si: usize, leads: &[usize], resolver: &Resolver) -> bool {
        // Only within one day: on a trip of several days its meetings are the trip's.
        let one_day = w
            .time
            .and_then(|k| self.resolve_time(resolver, k))
            .is_some_and(|r| r.start.is_some() && r.start == r.end);
        if !one_day {
            return false;
        }
        let key = |k: usize| self.ms[k].key.as_str();
        let shared = leads
            .iter()
            .any(|&k| w.leads.iter().any(|&l| key(l) == key(k)));
        if !shared {
            return false;
        }
        let received_before = w.core.iter().any(|&c| self.received_party(c).is_some());
        received_before
            && self
                .received_party(si)
                .is_some_and(|k| !w.people.iter().any(|&(p, _)| key(p) == key(k)))
    }

    /// The first person named after the first verb of receiving in sentence `si`, in its clause
    /// (会见了来甬参加某会议的某国部长某某一行 → 某某).
    fn received_party(&self, si: usize) -> Option<usize> {
        let t = self.t;
        let (s, e) = self.sents[si];
        let r = self.reception_at(si)?;
        // (在会见某集团负责人时，…: the meeting told already, not another.)
        let cs = clause_start(t, s, r);
        let ce = clause_end(t, r, e);
        if t[cs] == AT && word_before(t, ce, WHEN) {
            return None;
        }
        self.mentions_in(r, ce).next()
    }

    /// The activity, among `works`, of a team visiting with no one named to lead it, when anchor
    /// sentence `si` names who led it: one of its leads `leads` 率队 or 带队 with nothing after
    /// (某某率队，某某参加), and no date of its own, or the team's.
    fn team_led(
        &self,
        works: &[Work],
        leads: &[usize],
        si: usize,
        own: Option<usize>,
        resolver: &Resolver,
    ) -> Option<usize> {
        let t = self.t;
        let (_, e) = self.sents[si];
        let led = leads.iter().any(|&k| {
            let end = self.ms[k].name_end;
            LEAD_VERBS
                .longest_at(t, end)
                .is_some_and(|l| end + l >= e || CLAUSE_END.contains(&t[end + l]))
        });
        if !led {
            return None;
        }
        works.iter().rposition(|w| {
            w.leads.is_empty()
                && !w.orgs.is_empty()
                && !w.held
                && own.is_none_or(|tk| self.same_days(resolver, w, tk))
        })
    }

    /// Whether a sentence (`info`) names one of the leads of activity `w`.
    fn names_a_lead(&self, w: &Work, info: &SentenceInfo) -> bool {
        info.roles
            .iter()
            .any(|&(k, _)| w.leads.iter().any(|&l| self.ms[l].key == self.ms[k].key))
    }

    /// Whether anchor sentence `si` has hosts receive (接待, 迎接) the party of visit `w`,
    /// referred to as a party (考察团一行, 代表团), none of its leads named, on its days: a
    /// visit that is not itself a reception, told by the visitors. A formal meeting (会见, 座谈)
    /// is one of its own.
    fn hosts_receive(
        &self,
        w: &Work,
        info: &SentenceInfo,
        si: usize,
        own: Option<usize>,
        resolver: &Resolver,
    ) -> bool {
        let t = self.t;
        let (s, e) = self.sents[si];
        // …or meet it and go along (会见考察团并一同考察).
        let Some(v) = (s..e).find(|&i| {
            let meets_and_goes = || {
                RECEPTION_VERBS.starts_at(t, i)
                    && (i + 2..e).any(|k| {
                        word_at(t, k, TOGETHER)
                            && (ACTION_TRIGGERS.starts_at(t, k + 2)
                                || MOVEMENT_VERBS.starts_at(t, k + 2))
                    })
            };
            (word_at(t, i, HOST_RECEIVE) || word_at(t, i, HOST_WELCOME) || meets_and_goes())
                && !self.in_title(i)
        }) else {
            return false;
        };
        let names_lead = self.names_a_lead(w, info);
        let party = (v + 2..e).any(|i| word_at(t, i, PARTY) || self.team_at(i, e).is_some());
        // A visit told by its hosts (来我区考察) makes their reception news of their own; one
        // told by the visitors (赴某市考察) has the hosts go along.
        let (fs, fe) = self.sents[w.first_anchor];
        let to_us = (fs + 1..fe).any(|i| t[i] == OUR && t[i - 1] != OF);
        let visit = (!w.leads.is_empty() || !w.orgs.is_empty()) && !to_us;
        visit
            && party
            && !names_lead
            && !w.held
            && !self.receives(w)
            && !info.roles.is_empty()
            && own.is_none_or(|tk| self.same_days(resolver, w, tk))
    }

    /// Anchor sentence `si` joins activity `w` with its people, organisation and date.
    fn join(&self, w: &mut Work, info: &SentenceInfo, si: usize, own: Option<usize>) {
        let open = w.held && w.leads.is_empty();
        w.led |= info.strong && !info.held && info.roles.iter().any(|r| r.1 == Role::Lead);
        for &(k, role) in &info.roles {
            // A visitor who is then received (会见某一行) is the party met.
            if role == Role::Participant && self.met_at(self.ms[k].start) {
                let key = &self.ms[k].key;
                w.leads.retain(|&l| &self.ms[l].key != key);
                for p in w.people.iter_mut().filter(|p| &self.ms[p.0].key == key) {
                    p.1 = Role::Participant;
                }
            }
            // Who attends (出席) an event held without a person leading it leads it.
            let role = if role == Role::Lead && !info.strong && !open {
                Role::Participant
            } else {
                role
            };
            if role == Role::Lead && !w.leads.iter().any(|&l| self.ms[l].key == self.ms[k].key) {
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
    }

    /// The people of a sentence who take part without leading it: those with titles, and
    /// names listed without them (甲、乙等陪同).
    fn titled_participants(&self, info: &SentenceInfo) -> Vec<(usize, Role)> {
        info.roles
            .iter()
            .filter(|&&(k, _)| !self.ms[k].titles.is_empty() || self.ms[k].listed)
            .map(|&(k, _)| (k, Role::Participant))
            .collect()
    }

    /// A sentence reporting no activity of its own goes on with activity `w`: in its scope
    /// always, among its own sentences when a lead is still on the visit (named unless only
    /// quoted, 他/她 for the only lead, or a sentence that continues without a subject).
    fn goes_on(&self, w: &mut Work, info: &SentenceInfo, si: usize) {
        w.scope.push(si);
        let (ss, _) = self.sents[si];
        let pronoun = w.leads.len() == 1
            && self.t.get(ss).is_some_and(|&c| third_person(c))
            && !self.speech_at(ss + 1, ss + 1);
        let lead_here = pronoun
            || self.continues_activity(si)
            || self.org_goes_on(w, si)
            || info.roles.iter().any(|&(k, _)| {
                w.leads.iter().any(|&l| self.ms[l].key == self.ms[k].key)
                    && !self.speech_at(self.ms[k].name_end, self.ms[k].name_end)
            });
        if lead_here {
            w.core.push(si);
        }
        if !w.leads.is_empty() || w.held {
            w.people.extend(self.titled_participants(info));
        } else if !w.orgs.is_empty() {
            // Officials who went along with an organisation's visit (区领导甲、乙陪同参观).
            w.people.extend(self.accompanying(info, si));
        }
    }

    /// The people of sentence `si` said to go along (陪同, 参加 … after them in the sentence) or
    /// met: the officials taking part in an organisation's activity.
    fn accompanying(&self, info: &SentenceInfo, si: usize) -> Vec<(usize, Role)> {
        let (_, e) = self.sents[si];
        info.roles
            .iter()
            .filter(|&&(k, role)| {
                let m = &self.ms[k];
                // …and those the organisation met (考察团与某某座谈, 会见了某某).
                role == Role::Participant
                    && !m.titles.is_empty()
                    && (PARTICIPANT_VERBS.find(self.t, m.name_end, e).is_some()
                        || self.is_party_met(m))
            })
            .map(|&(k, _)| (k, Role::Participant))
            .collect()
    }

    /// Whether sentence `si` goes on with the visit of the organisation that leads `w`: it
    /// opens with the organisation's name or its tail (苏州市某商会 → 某商会会长带队，…), and
    /// one of its clauses goes on with a verb of movement or visit before anyone is quoted.
    fn org_goes_on(&self, w: &Work, si: usize) -> bool {
        if !w.leads.is_empty() || w.held {
            return false;
        }
        let t = self.t;
        let (s, e) = self.sents[si];
        let mut i = s;
        if let Some(k) = self.times_in(s, s + 1).next() {
            i = self.times[k].end;
        }
        while i < e && (t[i] == COMMA || t[i] == ' ') {
            i += 1;
        }
        let named = w.orgs.iter().any(|&(a, b)| {
            // The name, or its tail of three characters or more.
            (a..b.saturating_sub(2)).any(|x| t[i..e].starts_with(&t[x..b]))
        });
        named && self.moves_on(i, e)
    }

    pub(super) fn same_days(&self, resolver: &Resolver, w: &Work, tk: usize) -> bool {
        let Some(wt) = w.time else { return true };
        let a = self.resolve_time(resolver, wt);
        let b = self.resolve_time(resolver, tk);
        match (a, b) {
            (Some(a), Some(b)) => match (a.start, a.end, b.start, b.end) {
                (Some(s1), Some(e1), Some(s2), Some(e2)) => s1 <= e2 && s2 <= e1,
                _ => a.start == b.start,
            },
            _ => true,
        }
    }
}

/// What a sentence says of the dates of the sentences below it.
enum DateLine {
    /// It has no date: a heading above it still dates what follows.
    Undated,
    /// It is a line of only a date (time phrase `k`): a day's heading.
    Heading(usize),
    /// It has dates of its own: a heading above it no longer dates what follows.
    Dated,
}

/// A round-up has a heading for each of its days: at least this many.
const MIN_HEADINGS: usize = 2;

pub(super) fn days_overlap(a: &Option<Resolved>, b: &Option<Resolved>) -> bool {
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
/// a draft of the same kind. Each draft comes with its leads, whether it has days of its own,
/// and whether it is a meeting kept apart (see `Work::apart`), which joins none before it.
pub(super) fn merge_drafts(drafts: Vec<(Draft, Vec<String>, bool, bool)>) -> Vec<Draft> {
    let mut out: Vec<(Draft, Vec<String>, bool)> = Vec::new();
    for (d, leads, own, apart) in drafts {
        // A meeting with a party of its own stays apart from the meetings before it.
        let target = out.iter().position(|(o, ol, oown)| {
            !apart
                && o.kind == d.kind
                && (leads.iter().any(|l| ol.contains(l))
                    && (!own || !oown || days_overlap(&o.when, &d.when))
                    || leads.is_empty() && !own
                    || ol.is_empty() && !oown)
        });
        match target {
            Some(i) => {
                let (o, ol, oown) = &mut out[i];
                // Days of its own win; so do days inherited over none at all (a headline's
                // activity told again in the body, after a date).
                let explicit = |w: &Option<Resolved>| {
                    w.as_ref().is_some_and(|r| r.basis == TimeBasis::Explicit)
                };
                let inherited = !*oown && !own && !explicit(&o.when) && explicit(&d.when);
                if inherited {
                    o.when = d.when.clone();
                    o.phrase = d.phrase.clone();
                }
                if !*oown && own {
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
