//! How events look in API answers: the stored event plus what readers outside the store need
//! (kind labels in English and Chinese, romanised names, whether it was retracted), and an
//! [`Activity`]: one happening with every report of it (corroboration).

use crate::store::StoredEvent;
use chrono::{DateTime, NaiveDate, Utc};
use dongtai_proto::{
    ActivityEvent, Actor, ActorKind, EventKind, Evidence, PartOfDay, Role, Source, TimeBasis, When,
};
use serde::{Serialize, Serializer};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One event as JSON for the API, the feed and the exports.
pub fn event_json(e: &StoredEvent) -> Value {
    // Names were romanised when the event was stored (a store of an older format is rebuilt
    // from the stream, which romanises too), so the record is written out as it is.
    let mut v = serde_json::to_value(&e.event).unwrap_or(Value::Null);
    v["kind_label"] = json!({"en": e.event.kind.label_en(), "zh": e.event.kind.label_zh()});
    if e.retracted {
        v["retracted"] = json!(true);
    }
    v
}

/// How one field of a report reads, for comparing reports.
type ValueOf = fn(&StoredEvent) -> String;

/// One activity as the timeline shows it: the report that represents it (`lead`) and the other
/// articles that reported the same activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The representative report (the first in date order).
    pub lead: StoredEvent,
    /// Other reports of the same activity.
    pub others: Vec<StoredEvent>,
}

impl Activity {
    /// An activity reported once.
    pub fn single(lead: StoredEvent) -> Self {
        Self {
            lead,
            others: Vec::new(),
        }
    }

    /// Every report, the representative first.
    pub fn reports(&self) -> impl Iterator<Item = &StoredEvent> {
        std::iter::once(&self.lead).chain(&self.others)
    }

    /// The id every report of it shares (the event id of the first report stored).
    pub fn group_id(&self) -> String {
        self.lead.activity_id()
    }

    /// How many articles reported it.
    pub fn source_count(&self) -> usize {
        1 + self.others.len()
    }

    /// When any report of it last changed.
    pub fn updated(&self) -> DateTime<Utc> {
        self.reports()
            .map(|r| r.stored_at)
            .max()
            .unwrap_or(self.lead.stored_at)
    }

    /// Where the reports disagree: for each field with more than one value, each value and the
    /// articles that gave it.
    pub fn disagreements(&self) -> Vec<Value> {
        let mut out = Vec::new();
        // One report cannot disagree with itself (most activities: skip building its values).
        if self.others.is_empty() {
            return out;
        }
        let fields: [(&str, ValueOf); 5] = [
            ("when", |r| {
                let w = &r.event.when;
                match (w.start, w.end) {
                    (Some(s), Some(e)) if e != s => format!("{s}..{e}"),
                    (Some(s), _) => s.to_string(),
                    _ => "unknown".into(),
                }
            }),
            ("part_of_day", |r| {
                r.event
                    .when
                    .part_of_day
                    .map(|p| format!("{p:?}").to_lowercase())
                    .unwrap_or_default()
            }),
            ("places", |r| r.event.places.join("、")),
            ("targets", |r| r.event.targets.join("、")),
            ("topic", |r| r.event.topic.clone().unwrap_or_default()),
        ];
        for (field, value_of) in fields {
            let mut values: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for r in self.reports() {
                let src = json!({"event_id": r.event.id, "article_id": r.event.source.article_id,
                                 "outlet": r.event.source.outlet, "phrase": r.event.when.phrase});
                values.entry(value_of(r)).or_default().push(src);
            }
            if values.len() > 1 {
                let values: Vec<Value> = values
                    .into_iter()
                    .map(|(value, sources)| json!({"value": value, "sources": sources}))
                    .collect();
                out.push(json!({"field": field, "values": values}));
            }
        }
        out
    }

    /// The activity as a JSON value: what [`Activity::json`] writes, for answers that add
    /// fields to it (`/v1/events/{id}`).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.json()).unwrap_or(Value::Null)
    }

    /// The activity as the API writes it: the representative event's fields, the evidence of
    /// every report, and `group`, `source_count`, `sources`, `disagreements`. Serialised
    /// straight from the stored events, without a `Value` tree in between.
    pub fn json(&self) -> ActivityJson<'_> {
        let ActivityEvent {
            schema,
            id,
            kind,
            when,
            actors,
            places,
            targets,
            topic,
            // Replaced by the evidence of every report.
            evidence: _,
            source,
            confidence,
            extractor,
        } = &self.lead.event;
        ActivityJson {
            actors: Actors(actors),
            confidence: *confidence,
            disagreements: self.disagreements(),
            evidence: AllEvidence(self),
            extractor,
            group: self.group_id(),
            id: id.as_str(),
            kind: *kind,
            kind_label: KindLabel {
                en: kind.label_en(),
                zh: kind.label_zh(),
            },
            places,
            retracted: self.lead.retracted,
            schema,
            source: source.into(),
            source_count: self.source_count(),
            sources: Reports(self),
            targets,
            topic: topic.as_deref(),
            when: when.into(),
        }
    }
}

/// The answer of `/v1/events` as JSON: a page of activities, the cursor of the next page and
/// the total.
#[derive(Serialize)]
pub struct EventsPage<'a> {
    /// The page, in the query's order.
    pub events: Activities<'a>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<&'a str>,
    /// How many activities the whole answer holds (or at least holds).
    pub total: u64,
    /// True when `total` is a lower bound.
    pub total_is_lower_bound: bool,
}

// The API wrote its answers through `serde_json::Value`, whose objects are sorted maps (no
// `preserve_order` feature): every object below writes its keys in that sorted order, so the
// bytes of an answer are what they were. The proto types are destructured without `..`, so a
// field added to one breaks the build here instead of silently going missing from answers.

/// Activities serialised one by one as [`Activity::json`].
pub struct Activities<'a>(pub &'a [Activity]);

impl Serialize for Activities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Activity::json))
    }
}

/// One activity as the API writes it (see [`Activity::json`]).
#[derive(Serialize)]
pub struct ActivityJson<'a> {
    actors: Actors<'a>,
    confidence: f64,
    disagreements: Vec<Value>,
    evidence: AllEvidence<'a>,
    extractor: &'a str,
    group: String,
    id: &'a str,
    kind: EventKind,
    kind_label: KindLabel,
    places: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    retracted: bool,
    schema: &'a str,
    source: SourceJson<'a>,
    source_count: usize,
    sources: Reports<'a>,
    targets: &'a [String],
    topic: Option<&'a str>,
    when: WhenJson<'a>,
}

#[derive(Serialize)]
struct KindLabel {
    en: &'static str,
    zh: &'static str,
}

/// The evidence of every report, the representative's first.
struct AllEvidence<'a>(&'a Activity);

impl Serialize for AllEvidence<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.0
                .reports()
                .flat_map(|r| r.event.evidence.iter())
                .map(EvidenceJson::from),
        )
    }
}

/// Every report as an entry of `sources`.
struct Reports<'a>(&'a Activity);

impl Serialize for Reports<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.reports().map(|r| {
            let e = &r.event;
            ReportJson {
                confidence: e.confidence,
                event_id: e.id.as_str(),
                evidence: Evidences(&e.evidence),
                extractor: &e.extractor,
                source: (&e.source).into(),
                when: (&e.when).into(),
            }
        }))
    }
}

#[derive(Serialize)]
struct ReportJson<'a> {
    confidence: f64,
    event_id: &'a str,
    evidence: Evidences<'a>,
    extractor: &'a str,
    source: SourceJson<'a>,
    when: WhenJson<'a>,
}

struct Evidences<'a>(&'a [Evidence]);

impl Serialize for Evidences<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(EvidenceJson::from))
    }
}

#[derive(Serialize)]
struct EvidenceJson<'a> {
    article_id: &'a str,
    end: usize,
    start: usize,
    text: &'a str,
}

impl<'a> From<&'a Evidence> for EvidenceJson<'a> {
    fn from(e: &'a Evidence) -> Self {
        let Evidence {
            article_id,
            start,
            end,
            text,
        } = e;
        Self {
            article_id: article_id.as_str(),
            end: *end,
            start: *start,
            text,
        }
    }
}

#[derive(Serialize)]
struct SourceJson<'a> {
    article_id: &'a str,
    outlet: Option<&'a str>,
    page: Option<&'a str>,
    published: Option<NaiveDate>,
    title: Option<&'a str>,
    url: Option<&'a str>,
}

impl<'a> From<&'a Source> for SourceJson<'a> {
    fn from(s: &'a Source) -> Self {
        let Source {
            article_id,
            title,
            outlet,
            page,
            published,
            url,
        } = s;
        Self {
            article_id: article_id.as_str(),
            outlet: outlet.as_deref(),
            page: page.as_deref(),
            published: *published,
            title: title.as_deref(),
            url: url.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct WhenJson<'a> {
    approx: bool,
    basis: TimeBasis,
    end: Option<NaiveDate>,
    part_of_day: Option<PartOfDay>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phrase: Option<&'a str>,
    start: Option<NaiveDate>,
}

impl<'a> From<&'a When> for WhenJson<'a> {
    fn from(w: &'a When) -> Self {
        let When {
            start,
            end,
            part_of_day,
            approx,
            basis,
            phrase,
        } = w;
        Self {
            approx: *approx,
            basis: *basis,
            end: *end,
            part_of_day: *part_of_day,
            phrase: phrase.as_deref(),
            start: *start,
        }
    }
}

struct Actors<'a>(&'a [Actor]);

impl Serialize for Actors<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|a| {
            let Actor {
                name,
                kind,
                role,
                titles,
                pinyin,
            } = a;
            ActorJson {
                kind: *kind,
                name,
                pinyin: pinyin.as_deref(),
                role: *role,
                titles,
            }
        }))
    }
}

#[derive(Serialize)]
struct ActorJson<'a> {
    kind: ActorKind,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinyin: Option<&'a str>,
    role: Role,
    titles: &'a [String],
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use dongtai_proto::ActivityEvent;

    /// The v1 fixture as stored (曹立强, 2023-11-05 morning, romanised).
    pub(crate) fn stored() -> StoredEvent {
        let text = include_str!("../../../proto/fixtures/v1/event.json");
        let event: ActivityEvent = serde_json::from_str(text).unwrap();
        StoredEvent {
            event,
            stream_seq: 7,
            stored_at: Utc::now(),
            retracted: false,
            group: None,
        }
    }

    /// How an activity was written before [`Activity::json`]: through a `serde_json::Value`
    /// tree. Kept to prove the direct serialisation writes the same bytes.
    fn through_value(a: &Activity) -> Value {
        let mut v = event_json(&a.lead);
        let evidence: Vec<Value> = a
            .reports()
            .flat_map(|r| r.event.evidence.iter())
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .collect();
        let sources: Vec<Value> = a
            .reports()
            .map(|r| {
                json!({"event_id": r.event.id, "source": r.event.source, "when": r.event.when,
                       "evidence": r.event.evidence, "confidence": r.event.confidence,
                       "extractor": r.event.extractor})
            })
            .collect();
        v["evidence"] = Value::Array(evidence);
        v["group"] = json!(a.group_id());
        v["source_count"] = json!(a.source_count());
        v["sources"] = Value::Array(sources);
        v["disagreements"] = Value::Array(a.disagreements());
        v
    }

    /// Report `i` of a varied store: every optional field both set and unset, several reports
    /// of one activity from different articles (disagreeing on places and times), odd strings.
    fn varied_report(i: u64) -> ActivityEvent {
        let mut e = stored().event;
        let names = ["曹立强", "钟晓咏", "高世昀", "易卜雷", "O'Brien \"Jr\"\n"];
        let group = i / 3;
        e.id = format!("{:032x}", i + 1).parse().unwrap();
        e.kind = EventKind::ALL[(group % EventKind::ALL.len() as u64) as usize];
        let day =
            chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Days::new(group % 300);
        e.when.start = (!group.is_multiple_of(17)).then_some(day);
        e.when.end = e.when.start.map(|d| d + chrono::Days::new(i % 2));
        e.when.part_of_day =
            [None, Some(PartOfDay::Morning), Some(PartOfDay::Evening)][(i % 3) as usize];
        e.when.approx = i.is_multiple_of(5);
        e.when.basis = [TimeBasis::Explicit, TimeBasis::Inferred][(i % 2) as usize];
        e.when.phrase = (!i.is_multiple_of(4)).then(|| format!("{}月{}日", 1 + i % 12, 1 + i % 28));
        e.actors[0].name = names[(group % names.len() as u64) as usize].to_owned();
        e.actors[0].pinyin = (!i.is_multiple_of(3)).then(|| format!("Name {i}"));
        e.actors[1].titles = (0..i % 3).map(|t| format!("职务{t}")).collect();
        e.places = (0..i % 3).map(|p| format!("地点{}", (i + p) % 4)).collect();
        e.targets = (0..i % 2).map(|t| format!("展台\t{t}")).collect();
        e.topic = (i.is_multiple_of(2)).then(|| "林长制工作".to_owned());
        let article = format!("{:064x}", 1000 + i);
        e.evidence = (0..1 + i % 3)
            .map(|k| dongtai_proto::Evidence {
                article_id: article.parse().unwrap(),
                start: (k * 30) as usize,
                end: (k * 30 + 24) as usize,
                text: format!("第{k}句，\u{1}“引号”\\{i}。"),
            })
            .collect();
        e.source.article_id = article.parse().unwrap();
        e.source.title = (i % 3 != 1).then(|| format!("标题 {i}"));
        e.source.outlet = (i % 4 != 1).then(|| "徐汇报".to_owned());
        e.source.page = (i % 2 == 1).then(|| (i % 8).to_string());
        e.source.published = (!i.is_multiple_of(6)).then_some(day + chrono::Days::new(3));
        e.source.url = (i % 5 == 2).then(|| format!("https://example.com/a/{i}?x=1&y=\"2\""));
        e.confidence = [
            0.9,
            0.1 + 0.2,
            1.0 / 3.0,
            0.0,
            1.0,
            0.123_456_789_012_345_68,
        ][(i % 6) as usize];
        e
    }

    #[test]
    fn a_page_serialised_directly_is_byte_for_byte_the_page_built_through_a_json_value() {
        use crate::query::{self, EventQuery, Filter};
        use crate::store::{Change, TimelineStore};
        let dir = tempfile::tempdir().unwrap();
        let store = TimelineStore::open(dir.path()).unwrap();
        let changes = (0..600)
            .map(|i| (Change::Upsert(Box::new(varied_report(i))), i + 1))
            .collect();
        store.apply_batch(changes).unwrap();
        // Retracted reports stay readable by id (and in activities that hold them).
        let retracted: Vec<_> = (0..600)
            .step_by(7)
            .map(|i| (Change::Retract(varied_report(i).id), 1000 + i))
            .collect();
        store.apply_batch(retracted).unwrap();

        let filter = |k: &str, v: &str| Filter::parse(k, v).unwrap().unwrap();
        let queries = [
            EventQuery::new([], 50),
            EventQuery::new([filter("actor", "曹立强")], 50),
            EventQuery::new([filter("actor", "cao liqiang")], 7),
            EventQuery::new([filter("place", "地点1")], 50),
            EventQuery::new(
                [filter("kind", "meeting"), filter("from", "2023-03-01")],
                20,
            ),
        ];
        let (mut pages, mut activities, mut groups) = (0, 0, 0);
        for mut q in queries {
            loop {
                let page = query::run(&store, &q).unwrap();
                let total = query::count(&store, &q).unwrap();
                let next = page.next_cursor.as_ref().map(query::Cursor::encode);
                let old: Vec<Value> = page.activities.iter().map(through_value).collect();
                let old = json!({"events": old, "next_cursor": next, "total": total.count,
                                 "total_is_lower_bound": total.is_lower_bound});
                let new = EventsPage {
                    events: Activities(&page.activities),
                    next_cursor: next.as_deref(),
                    total: total.count,
                    total_is_lower_bound: total.is_lower_bound,
                };
                let (old, new) = (
                    serde_json::to_string(&old).unwrap(),
                    serde_json::to_string(&new).unwrap(),
                );
                assert_eq!(new, old);
                for a in &page.activities {
                    assert_eq!(a.to_json(), through_value(a));
                    groups += usize::from(a.source_count() > 1);
                }
                pages += 1;
                activities += page.activities.len();
                match page.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
        }
        println!("{pages} pages, {activities} activities ({groups} reported more than once)");
        assert!(
            groups > 0 && activities > 300,
            "{groups} groups, {activities} activities"
        );

        // A retracted representative, whatever the queries return.
        let mut lead = store.get(&varied_report(0).id).unwrap().unwrap();
        lead.retracted = true;
        let a = Activity {
            lead,
            others: vec![store.get(&varied_report(1).id).unwrap().unwrap()],
        };
        assert_eq!(
            serde_json::to_string(&a.json()).unwrap(),
            serde_json::to_string(&through_value(&a)).unwrap()
        );
    }

    #[test]
    fn api_events_carry_english_and_chinese_kind_labels() {
        let v = event_json(&stored());
        assert_eq!(
            v["kind_label"],
            json!({"en": "Forest-chief inspection", "zh": "林长巡林"})
        );
    }

    #[test]
    fn two_reports_that_differ_on_the_days_list_both_values_with_their_sources() {
        let first = stored();
        let mut second = stored();
        second.event.id = "00000000000000000000000000000002".parse().unwrap();
        second.event.when.end = Some("2023-11-06".parse().unwrap());
        let a = Activity {
            lead: first,
            others: vec![second],
        };
        let v = a.to_json();
        assert_eq!(v["source_count"], 2);
        assert_eq!(v["sources"].as_array().unwrap().len(), 2);
        assert_eq!(v["evidence"].as_array().unwrap().len(), 2);
        let d = &v["disagreements"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d[0]["field"], "when");
        assert_eq!(d[0]["values"][0]["value"], "2023-11-05");
        assert_eq!(d[0]["values"][1]["value"], "2023-11-05..2023-11-06");
    }
}
