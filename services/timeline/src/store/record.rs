//! What the store keeps, and how it is written: postcard (compact, serde-driven, not
//! self-describing). postcard needs every field written and read in order, so the event is
//! stored through mirror types without the `skip_serializing_if` of the JSON contract, dates as
//! day numbers, ids as their raw bytes (half their hex text), the schema only when it is not
//! the current one, and the evidence's article id only when it differs from the source's.

use super::StoreError;
use super::keys::{ArticleKey, Day, IdKey, Position};
use chrono::{DateTime, NaiveDate, Utc};
use dongtai_proto::{
    ActivityEvent, Actor, ActorKind, EventKind, Evidence, PartOfDay, Role, Source, TimeBasis, When,
};
use serde::{Deserialize, Serialize};

/// An event as the timeline keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The event as last published.
    pub event: ActivityEvent,
    /// EVENTS stream sequence of that publication (older publications never overwrite newer).
    pub stream_seq: u64,
    /// When the timeline stored this version.
    pub stored_at: DateTime<Utc>,
    /// True once a re-extraction no longer found it.
    #[serde(default)]
    pub retracted: bool,
    /// The activity this report belongs to once another article reported it too: the id of
    /// the activity's first report (see `corroborate`). `None`: reported once so far (its
    /// activity id is its own, and a query need not look for other reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl StoredEvent {
    /// The activity this report is part of: the id every report of it shares (its group, or its
    /// own id when it is the only one).
    pub fn activity_id(&self) -> String {
        self.group
            .clone()
            .unwrap_or_else(|| self.event.id.to_string())
    }

    /// [`StoredEvent::activity_id`] as a key.
    pub fn activity_key(&self) -> IdKey {
        self.group
            .as_deref()
            .and_then(IdKey::parse)
            .unwrap_or_else(|| IdKey::of(&self.event.id))
    }

    /// Where it sits in date order.
    pub fn position(&self) -> Position {
        Position::of(&self.event)
    }

    /// Its last day (its first when it has no end).
    pub fn last_day(&self) -> Day {
        let w = &self.event.when;
        Day::of(w.end.or(w.start)).max(Day::of(w.start))
    }
}

/// One earlier version of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The version that was replaced.
    pub version: StoredEvent,
    /// When it was replaced.
    pub replaced_at: DateTime<Utc>,
}

/// What the timeline knows about one actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorSummary {
    /// Name as written.
    pub name: String,
    /// Person or organisation.
    pub kind: ActorKind,
    /// Every title the articles gave it, first seen first.
    pub titles: Vec<String>,
    /// Live events it takes part in.
    pub events: u64,
}

/// The value of an index entry: what a listing or the corroboration lookup needs to pass over
/// an event without reading its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Last day ([`Day::raw`]): a `from` bound skips events that ended before it.
    pub last: u32,
    /// Set on the actor entries of a lead person: what corroboration compares.
    pub lead: Option<LeadFacts>,
    /// True once the event is a report of an activity reported more than once (it has a
    /// group): only then does a count have to read its record to answer the activity once.
    pub grouped: bool,
}

/// What the corroboration rule needs of a report, kept on its lead persons' index entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadFacts {
    /// Kind of activity.
    pub kind: EventKind,
    /// The article that reported it.
    pub article: ArticleKey,
    /// Its activity id (group); `None`: the entry's own event id (reported once, or the
    /// activity's first report), so most entries do not repeat the id their key ends with.
    pub activity: Option<IdKey>,
}

/// A value written with postcard.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_allocvec(value).map_err(StoreError::Encoding)
}

/// A value read with postcard.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(StoreError::Encoding)
}

/// A stored event's record bytes.
pub fn encode_event(e: &StoredEvent) -> Result<Vec<u8>, StoreError> {
    encode(&Record::of(e)?)
}

/// A stored event from its record bytes.
pub fn decode_event(bytes: &[u8]) -> Result<StoredEvent, StoreError> {
    decode::<Record>(bytes)?.into_stored()
}

/// A history entry's bytes.
pub fn encode_history(h: &HistoryEntry) -> Result<Vec<u8>, StoreError> {
    encode(&(Record::of(&h.version)?, nanos(h.replaced_at)))
}

/// A history entry from its bytes.
pub fn decode_history(bytes: &[u8]) -> Result<HistoryEntry, StoreError> {
    let (record, replaced): (Record, i64) = decode(bytes)?;
    Ok(HistoryEntry {
        version: record.into_stored()?,
        replaced_at: DateTime::from_timestamp_nanos(replaced),
    })
}

fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

fn days(d: Option<NaiveDate>) -> Option<u32> {
    d.map(|d| Day::of(Some(d)).raw())
}

fn date(raw: Option<u32>) -> Option<NaiveDate> {
    raw.and_then(|r| Day::from_raw(r).date())
}

/// [`StoredEvent`] as postcard writes it.
#[derive(Serialize, Deserialize)]
struct Record {
    /// `None`: [`dongtai_proto::EVENT_SCHEMA`].
    schema: Option<String>,
    id: IdKey,
    kind: EventKind,
    start: Option<u32>,
    end: Option<u32>,
    part_of_day: Option<PartOfDay>,
    approx: bool,
    basis: TimeBasis,
    phrase: Option<String>,
    actors: Vec<ActorRecord>,
    places: Vec<String>,
    targets: Vec<String>,
    topic: Option<String>,
    evidence: Vec<EvidenceRecord>,
    source: SourceRecord,
    confidence: f64,
    extractor: String,
    stream_seq: u64,
    stored_at: i64,
    retracted: bool,
    group: Option<IdKey>,
}

#[derive(Serialize, Deserialize)]
struct ActorRecord {
    name: String,
    kind: ActorKind,
    role: Role,
    titles: Vec<String>,
    pinyin: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct EvidenceRecord {
    /// `None`: the source's article.
    article_id: Option<ArticleKey>,
    start: u64,
    end: u64,
    text: String,
}

#[derive(Serialize, Deserialize)]
struct SourceRecord {
    article_id: ArticleKey,
    title: Option<String>,
    outlet: Option<String>,
    page: Option<String>,
    published: Option<u32>,
    url: Option<String>,
}

impl Record {
    fn of(s: &StoredEvent) -> Result<Self, StoreError> {
        let e = &s.event;
        let group = match &s.group {
            Some(g) => Some(IdKey::parse(g).ok_or(StoreError::Invalid("group"))?),
            None => None,
        };
        Ok(Record {
            schema: (e.schema != dongtai_proto::EVENT_SCHEMA).then(|| e.schema.clone()),
            id: IdKey::of(&e.id),
            kind: e.kind,
            start: days(e.when.start),
            end: days(e.when.end),
            part_of_day: e.when.part_of_day,
            approx: e.when.approx,
            basis: e.when.basis,
            phrase: e.when.phrase.clone(),
            actors: e
                .actors
                .iter()
                .map(|a| ActorRecord {
                    name: a.name.clone(),
                    kind: a.kind,
                    role: a.role,
                    titles: a.titles.clone(),
                    pinyin: a.pinyin.clone(),
                })
                .collect(),
            places: e.places.clone(),
            targets: e.targets.clone(),
            topic: e.topic.clone(),
            evidence: e
                .evidence
                .iter()
                .map(|x| EvidenceRecord {
                    article_id: (x.article_id != e.source.article_id)
                        .then(|| ArticleKey::of(&x.article_id)),
                    start: x.start as u64,
                    end: x.end as u64,
                    text: x.text.clone(),
                })
                .collect(),
            source: SourceRecord {
                article_id: ArticleKey::of(&e.source.article_id),
                title: e.source.title.clone(),
                outlet: e.source.outlet.clone(),
                page: e.source.page.clone(),
                published: days(e.source.published),
                url: e.source.url.clone(),
            },
            confidence: e.confidence,
            extractor: e.extractor.clone(),
            stream_seq: s.stream_seq,
            stored_at: nanos(s.stored_at),
            retracted: s.retracted,
            group,
        })
    }

    fn into_stored(self) -> Result<StoredEvent, StoreError> {
        let offset = |n: u64| usize::try_from(n).map_err(|_| StoreError::Invalid("offset"));
        let evidence = self
            .evidence
            .into_iter()
            .map(|x| {
                Ok(Evidence {
                    article_id: x.article_id.unwrap_or(self.source.article_id).article_id(),
                    start: offset(x.start)?,
                    end: offset(x.end)?,
                    text: x.text,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(StoredEvent {
            event: ActivityEvent {
                schema: self
                    .schema
                    .unwrap_or_else(|| dongtai_proto::EVENT_SCHEMA.to_owned()),
                id: self.id.event_id(),
                kind: self.kind,
                when: When {
                    start: date(self.start),
                    end: date(self.end),
                    part_of_day: self.part_of_day,
                    approx: self.approx,
                    basis: self.basis,
                    phrase: self.phrase,
                },
                actors: self
                    .actors
                    .into_iter()
                    .map(|a| Actor {
                        name: a.name,
                        kind: a.kind,
                        role: a.role,
                        titles: a.titles,
                        pinyin: a.pinyin,
                    })
                    .collect(),
                places: self.places,
                targets: self.targets,
                topic: self.topic,
                evidence,
                source: Source {
                    article_id: self.source.article_id.article_id(),
                    title: self.source.title,
                    outlet: self.source.outlet,
                    page: self.source.page,
                    published: date(self.source.published),
                    url: self.source.url,
                },
                confidence: self.confidence,
                extractor: self.extractor,
            },
            stream_seq: self.stream_seq,
            stored_at: DateTime::from_timestamp_nanos(self.stored_at),
            retracted: self.retracted,
            group: self.group.map(|g| g.event_id().to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use dongtai_proto::ArticleId;

    #[test]
    fn a_record_reads_back_as_the_event_it_was_written_from_and_is_far_smaller_than_json() {
        let mut stored = crate::view::tests::stored();
        crate::pinyin::fill(&mut stored.event);
        stored.group = Some("0".repeat(32));
        stored.retracted = true;
        let mut other = stored.event.evidence[0].clone();
        other.article_id = ArticleId::of_text("another article");
        stored.event.evidence.push(other);
        let bytes = encode_event(&stored).unwrap();
        assert_eq!(decode_event(&bytes).unwrap(), stored);
        let json = serde_json::to_vec(&stored).unwrap();
        assert!(
            bytes.len() * 3 < json.len() * 2,
            "{} vs {}",
            bytes.len(),
            json.len()
        );
        // A schema other than the current one is kept as written.
        let mut other_schema = stored.clone();
        other_schema.event.schema = "dongtai.event.v1+test".to_owned();
        let bytes = encode_event(&other_schema).unwrap();
        assert_eq!(decode_event(&bytes).unwrap(), other_schema);
        let h = HistoryEntry {
            version: stored,
            replaced_at: Utc::now(),
        };
        assert_eq!(decode_history(&encode_history(&h).unwrap()).unwrap(), h);
    }
}
