//! Applying changes to staged trees: records, index entries, activity membership, history,
//! the feed's sequence entries, counters and actor summaries. The same code stages a
//! consumer batch and a rebuild chunk; only the commit differs (see [`super::trees`]).

use super::corroborate::{lead_persons, matching_activities};
use super::feed::FeedEntries;
use super::keys::{
    ArticleKey, Day, IdKey, Index, Position, TermNo, decode_u64, history_key, member_key,
};
use super::postings::{Posting, Postings};
use super::record::{
    self, ActorSummary, HistoryEntry, LeadFacts, Listing, StoredEvent, decode, decode_event,
    encode, encode_event,
};
use super::trees::{Staged, Trees};
use super::{Applied, Change, StoreError};
use chrono::{DateTime, Utc};
use dongtai_proto::{ActorKind, EventKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Live events (meta key).
pub const EVENT_COUNT: &[u8] = b"events";

/// Meta key of the number the next new term gets ([`TermNo`]).
pub const NEXT_TERM: &[u8] = b"next_term";

/// Meta key of the live events of one kind.
pub fn kind_counter(kind: EventKind) -> Vec<u8> {
    format!("kind/{}", kind.as_str()).into_bytes()
}

/// A batch being staged.
pub struct Batch<'a> {
    /// The staged trees.
    pub trees: Trees<Staged<'a>>,
    tally: Tally,
    terms: TermNumbers,
    /// The index's blocks this batch changed (written when it ends).
    postings: Postings,
    /// The feed's entries of this batch (written when it ends).
    feed: FeedEntries,
    now: DateTime<Utc>,
}

impl<'a> Batch<'a> {
    /// A batch over `trees`, stamped `now`; `bulk`: a rebuild chunk (see [`Postings::new`]).
    pub fn new(trees: Trees<Staged<'a>>, now: DateTime<Utc>, bulk: bool) -> Self {
        Batch {
            trees,
            tally: Tally::default(),
            terms: TermNumbers::default(),
            postings: Postings::new(bulk),
            feed: FeedEntries::default(),
            now,
        }
    }

    /// Stage `change`, published at `seq`. Returns what it did and the version stored.
    pub fn apply(
        &mut self,
        change: Change,
        seq: u64,
    ) -> Result<(Applied, Option<StoredEvent>), StoreError> {
        let (id, upsert) = match change {
            Change::Upsert(mut e) => {
                // Romanised at write time so queries, feeds and exports all read the same names.
                crate::pinyin::fill(&mut e);
                (IdKey::of(&e.id), Some(e))
            }
            Change::Retract(id) => (IdKey::of(&id), None),
        };
        let old = read_by_id(&self.trees, id)?;
        if old.as_ref().is_some_and(|o| o.stream_seq >= seq) {
            return Ok((Applied::Unchanged, None));
        }
        let mut new = match (upsert, &old) {
            (Some(event), _) => StoredEvent {
                event: *event,
                stream_seq: seq,
                stored_at: self.now,
                retracted: false,
                group: None,
            },
            (None, Some(o)) if !o.retracted => StoredEvent {
                stream_seq: seq,
                stored_at: self.now,
                retracted: true,
                ..o.clone()
            },
            // Retracting what we never had, or had retracted already: nothing to do.
            (None, _) => return Ok((Applied::Unchanged, None)),
        };
        let pos = new.position();
        if let Some(o) = &old {
            if !o.retracted {
                self.unindex(o)?;
            }
            // Its feed entry stays: a reader skips an entry whose record has moved on.
            let entry = HistoryEntry {
                version: o.clone(),
                replaced_at: self.now,
            };
            let hkey = history_key(id, o.stream_seq);
            self.trees
                .history
                .insert(&hkey, record::encode_history(&entry)?);
            if o.position() != pos {
                self.trees.records.remove(&o.position().bytes());
            }
        }
        if !new.retracted {
            let mut leads = Vec::new();
            for name in lead_persons(&new) {
                leads.extend(
                    self.terms
                        .number(&mut self.trees, Index::Actor, name, false)?,
                );
            }
            let found = matching_activities(&mut self.postings, &self.trees.index, &leads, &new)?;
            // Reported once so far: no group, so a query never looks for other reports.
            new.group = None;
            if let Some(activity) = found.first().copied() {
                new.group = Some(activity.event_id().to_string());
                self.join(&new, activity, &found)?;
            }
            self.index(&new)?;
        }
        self.trees.ids.insert(id.bytes(), pos.day.bytes().to_vec());
        self.feed.add(seq, pos);
        self.trees.records.insert(&pos.bytes(), encode_event(&new)?);
        let applied = if old.is_some() {
            Applied::Updated
        } else {
            Applied::Inserted
        };
        Ok((applied, Some(new)))
    }

    /// Write the batch's counters and actor summaries into the staged trees; the batch is then
    /// ready to commit.
    pub fn finish(mut self) -> Result<Trees<Staged<'a>>, StoreError> {
        self.tally.store(&mut self.trees)?;
        self.terms.store(&mut self.trees);
        self.postings.write(&mut self.trees.index)?;
        self.feed.write(&mut self.trees.seq)?;
        Ok(self.trees)
    }

    /// Make `new` a report of `activity`, one of the activities it matched (`found`). Reports
    /// of an activity reported more than once are listed in `groups`; one reported once is not
    /// (most are: they cost no membership entry), so its report is listed now. A report that
    /// matches several activities bridges them, unless two of them hold reports from one
    /// article: an article that tells of two activities means two.
    fn join(
        &mut self,
        new: &StoredEvent,
        activity: IdKey,
        found: &BTreeSet<IdKey>,
    ) -> Result<(), StoreError> {
        let mut articles = BTreeSet::from([new.event.source.article_id.clone()]);
        for (key, mut member) in self.members(activity)? {
            let pos = member.position().bytes();
            self.trees.groups.insert(&key, pos.to_vec());
            if member.group.is_none() {
                // Its first other report: from now on queries look for the others (and its
                // index entries say so, for counts).
                member.group = Some(activity.event_id().to_string());
                self.trees.records.insert(&pos, encode_event(&member)?);
                for (prefix, posting) in self.index_entries(&member, true)? {
                    self.postings.insert(&self.trees.index, &prefix, posting)?;
                }
            }
            articles.insert(member.event.source.article_id);
        }
        for bridged in found.iter().filter(|a| **a != activity) {
            let theirs = self.members(*bridged)?;
            if theirs
                .iter()
                .all(|(_, m)| !articles.contains(&m.event.source.article_id))
            {
                articles.extend(
                    theirs
                        .iter()
                        .map(|(_, m)| m.event.source.article_id.clone()),
                );
                self.merge(theirs, activity)?;
            }
        }
        let pos = new.position();
        self.trees
            .groups
            .insert(&member_key(activity, pos.id), pos.bytes().to_vec());
        Ok(())
    }

    /// The live reports of `activity`, each with its membership key: the listed ones, or the
    /// report itself when it was reported once.
    fn members(&self, activity: IdKey) -> Result<Vec<(Vec<u8>, StoredEvent)>, StoreError> {
        let listed = self.trees.groups.scan_prefix(activity.bytes())?;
        let mut out = Vec::with_capacity(listed.len().max(1));
        for (key, pos) in listed {
            if let Some(bytes) = self.trees.records.get(&pos)? {
                out.push((key, decode_event(&bytes)?));
            }
        }
        if out.is_empty()
            && let Some(only) = read_by_id(&self.trees, activity)?
            && !only.retracted
            && only.activity_key() == activity
        {
            out.push((member_key(activity, activity).to_vec(), only));
        }
        Ok(out)
    }

    /// Add a live event's index entries and counts (membership: see [`Batch::join`]).
    fn index(&mut self, e: &StoredEvent) -> Result<(), StoreError> {
        for (prefix, posting) in self.index_entries(e, true)? {
            self.postings.insert(&self.trees.index, &prefix, posting)?;
        }
        self.count(e, 1)
    }

    /// Take a live event's index entries, membership and counts away.
    fn unindex(&mut self, e: &StoredEvent) -> Result<(), StoreError> {
        for (prefix, posting) in self.index_entries(e, false)? {
            self.postings
                .remove(&self.trees.index, &prefix, &posting.pos)?;
        }
        let key = member_key(e.activity_key(), IdKey::of(&e.event.id));
        if self.trees.groups.get(&key)?.is_some() {
            self.trees.groups.remove(&key);
        }
        self.count(e, -1)
    }

    /// A live event's index entries ([`index_entries`]), new terms numbered when `new_terms`
    /// (otherwise an entry of a term never numbered cannot exist and is left out).
    fn index_entries(
        &mut self,
        e: &StoredEvent,
        new_terms: bool,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let (terms, trees) = (&mut self.terms, &mut self.trees);
        index_entries(e, |index, term| terms.number(trees, index, term, new_terms))
    }

    fn count(&mut self, e: &StoredEvent, delta: i64) -> Result<(), StoreError> {
        let names: BTreeSet<&str> = e.event.actors.iter().map(|a| a.name.as_str()).collect();
        for name in names {
            self.tally.bump_actor(&self.trees.actors, e, name, delta)?;
        }
        self.tally.bump(&self.trees.meta, EVENT_COUNT, delta)?;
        self.tally
            .bump(&self.trees.meta, &kind_counter(e.event.kind), delta)
    }

    /// Move `reports` (every report of another activity) into `into`: a new report bridged
    /// the two.
    fn merge(
        &mut self,
        reports: Vec<(Vec<u8>, StoredEvent)>,
        into: IdKey,
    ) -> Result<(), StoreError> {
        let group = Some(into.event_id().to_string());
        for (key, mut member) in reports {
            self.trees.groups.remove(&key);
            member.group = group.clone();
            // Same keys, new activity id in the lead entries' values.
            for (prefix, posting) in self.index_entries(&member, true)? {
                self.postings.insert(&self.trees.index, &prefix, posting)?;
            }
            let pos = member.position().bytes();
            self.trees
                .groups
                .insert(&member_key(into, IdKey::of(&member.event.id)), pos.to_vec());
            self.trees.records.insert(&pos, encode_event(&member)?);
        }
        Ok(())
    }
}

/// The stored event with this id, through the staged trees.
fn read_by_id(trees: &Trees<Staged<'_>>, id: IdKey) -> Result<Option<StoredEvent>, StoreError> {
    let Some(day) = trees.ids.get(id.bytes())? else {
        return Ok(None);
    };
    let day = Day::read(&day).ok_or(StoreError::Invalid("ids value"))?;
    match trees.records.get(&Position { day, id }.bytes())? {
        Some(v) => Ok(Some(decode_event(&v)?)),
        None => Ok(None),
    }
}

/// An index entry: the prefix of its term's blocks (`{tag}{term number}`) and the posting.
pub type IndexEntry = ([u8; 1 + TermNo::LEN], Posting);

/// Index entries of a live event. One per kind, actor name (a lead person's carries
/// [`LeadFacts`]), and place or target, each under its term's number as `number` gives it
/// (`None`: the entry is left out).
pub fn index_entries(
    e: &StoredEvent,
    mut number: impl FnMut(Index, &str) -> Result<Option<TermNo>, StoreError>,
) -> Result<Vec<IndexEntry>, StoreError> {
    let ev = &e.event;
    let pos = e.position();
    let last = e.last_day().raw();
    let grouped = e.group.is_some();
    let plain = Listing {
        last,
        lead: None,
        grouped,
    };
    let mut out = Vec::new();
    let mut entry = |index: Index, term: &str, listing: &Listing| -> Result<(), StoreError> {
        if let Some(n) = number(index, term)? {
            let posting = Posting {
                pos,
                listing: listing.clone(),
            };
            out.push((index.prefix(n), posting));
        }
        Ok(())
    };
    entry(Index::Kind, Index::kind_term(ev.kind), &plain)?;
    let leads = lead_persons(e);
    let activity = e.activity_key();
    let lead_listing = Listing {
        last,
        lead: Some(LeadFacts {
            kind: ev.kind,
            article: ArticleKey::of(&ev.source.article_id),
            activity: (activity != pos.id).then_some(activity),
        }),
        grouped,
    };
    let names: BTreeSet<&str> = ev.actors.iter().map(|a| a.name.as_str()).collect();
    for name in names {
        let listing = if leads.contains(name) {
            &lead_listing
        } else {
            &plain
        };
        entry(Index::Actor, name, listing)?;
    }
    let places: BTreeSet<&String> = ev.targets.iter().chain(&ev.places).collect();
    for w in places {
        entry(Index::Target, w, &plain)?;
    }
    Ok(out)
}

/// Term numbers a batch has looked up or given out, so each term is read once a batch; a new
/// term's number is staged in the terms tree at once, the next free number in meta when the
/// batch ends.
#[derive(Default)]
struct TermNumbers {
    known: HashMap<Vec<u8>, TermNo>,
    /// The next number to give out, once read.
    next: Option<TermNo>,
}

impl TermNumbers {
    /// The number of `term` in `index`; a new term gets one when `new_terms`, else `None`.
    fn number(
        &mut self,
        trees: &mut Trees<Staged<'_>>,
        index: Index,
        term: &str,
        new_terms: bool,
    ) -> Result<Option<TermNo>, StoreError> {
        let key = index.term_key(term);
        if let Some(n) = self.known.get(&key) {
            return Ok(Some(*n));
        }
        if let Some(v) = trees.terms.get(&key)? {
            let n = TermNo::read(&v).ok_or(StoreError::Invalid("term number"))?;
            self.known.insert(key, n);
            return Ok(Some(n));
        }
        if !new_terms {
            return Ok(None);
        }
        let n = match self.next {
            Some(n) => n,
            None => match trees.meta.get(NEXT_TERM)? {
                Some(v) => TermNo::read(&v).ok_or(StoreError::Invalid("next term number"))?,
                None => TermNo::FIRST,
            },
        };
        self.next = Some(
            n.next()
                .ok_or(StoreError::Invalid("term numbers used up"))?,
        );
        trees.terms.insert(&key, n.bytes().to_vec());
        self.known.insert(key, n);
        Ok(Some(n))
    }

    fn store(self, trees: &mut Trees<Staged<'_>>) {
        if let Some(next) = self.next {
            trees.meta.insert(NEXT_TERM, next.bytes().to_vec());
        }
    }
}

/// Counters and actor summaries a batch changes: each is read once, changed in memory, and
/// written once when the batch ends.
#[derive(Default)]
struct Tally {
    counters: BTreeMap<Vec<u8>, u64>,
    actors: BTreeMap<String, ActorSummary>,
}

impl Tally {
    fn bump(&mut self, meta: &Staged<'_>, key: &[u8], delta: i64) -> Result<(), StoreError> {
        let cur = match self.counters.get_mut(key) {
            Some(c) => c,
            None => {
                let stored = meta.get(key)?.map(|v| decode_u64(&v)).unwrap_or(0);
                self.counters.entry(key.to_vec()).or_insert(stored)
            }
        };
        *cur = cur.saturating_add_signed(delta);
        Ok(())
    }

    fn bump_actor(
        &mut self,
        actors: &Staged<'_>,
        e: &StoredEvent,
        name: &str,
        delta: i64,
    ) -> Result<(), StoreError> {
        let summary = match self.actors.get_mut(name) {
            Some(s) => s,
            None => {
                let stored = match actors.get(name.as_bytes())? {
                    Some(v) => decode::<ActorSummary>(&v)?,
                    None => ActorSummary {
                        name: name.to_owned(),
                        kind: ActorKind::Person,
                        titles: Vec::new(),
                        events: 0,
                    },
                };
                self.actors.entry(name.to_owned()).or_insert(stored)
            }
        };
        summary.events = summary.events.saturating_add_signed(delta);
        if delta > 0 {
            for a in e.event.actors.iter().filter(|a| a.name == name) {
                summary.kind = a.kind;
                for t in &a.titles {
                    if !summary.titles.contains(t) {
                        summary.titles.push(t.clone());
                    }
                }
            }
        }
        Ok(())
    }

    fn store(self, trees: &mut Trees<Staged<'_>>) -> Result<(), StoreError> {
        for (key, n) in self.counters {
            trees.meta.insert(&key, n.to_be_bytes().to_vec());
        }
        for (name, summary) in self.actors {
            trees.actors.insert(name.as_bytes(), encode(&summary)?);
        }
        Ok(())
    }
}
