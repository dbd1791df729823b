//! How events look in API answers: the stored event plus what readers outside the store need
//! (kind labels in English and Chinese, romanised names, whether it was retracted), and an
//! [`Activity`]: one happening with every report of it (corroboration).

use crate::store::StoredEvent;
use chrono::{DateTime, Utc};
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

    /// The activity as JSON: the representative event's fields, the evidence of every report,
    /// and `group`, `source_count`, `sources`, `disagreements`.
    pub fn to_json(&self) -> Value {
        let mut v = event_json(&self.lead);
        let evidence: Vec<Value> = self
            .reports()
            .flat_map(|r| r.event.evidence.iter())
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .collect();
        let sources: Vec<Value> = self
            .reports()
            .map(|r| {
                json!({"event_id": r.event.id, "source": r.event.source, "when": r.event.when,
                       "evidence": r.event.evidence, "confidence": r.event.confidence,
                       "extractor": r.event.extractor})
            })
            .collect();
        v["evidence"] = Value::Array(evidence);
        v["group"] = json!(self.group_id());
        v["source_count"] = json!(self.source_count());
        v["sources"] = Value::Array(sources);
        v["disagreements"] = Value::Array(self.disagreements());
        v
    }
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
