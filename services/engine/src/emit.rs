//! A draft becomes an [`ActivityEvent`]: its id, actors in order, evidence offsets mapped back
//! to the text as received.

use crate::EXTRACTOR;
use crate::activity::Draft;
use dongtai_proto::{
    ActivityEvent, Actor, ActorKind, ArticleId, EventId, Evidence, OffsetMap, Role, Source,
    TimeBasis, When,
};

/// The event of draft `d` of an article whose normal form is `norm`; `map` takes its offsets
/// back to the raw text of `raw_len` chars.
pub(crate) fn to_event(
    d: Draft,
    norm: &[char],
    map: &OffsetMap,
    raw_len: usize,
    article_id: &ArticleId,
    source: &Source,
) -> ActivityEvent {
    let when = match d.when {
        Some(r) => When {
            start: r.start,
            end: r.end,
            part_of_day: r.part,
            approx: r.approx,
            basis: r.basis,
            phrase: d.phrase,
        },
        None => When {
            start: None,
            end: None,
            part_of_day: None,
            approx: true,
            basis: TimeBasis::YearUnknown,
            phrase: d.phrase,
        },
    };
    let day = when.start.map(|s| s.format("%Y-%m-%d").to_string());
    let leads: Vec<&str> = d
        .people
        .iter()
        .filter(|p| p.lead)
        .map(|p| p.name.as_str())
        .collect();
    let id = EventId::derive(article_id, d.kind.as_str(), day.as_deref(), &leads);
    let mut actors: Vec<Actor> = d
        .people
        .iter()
        .map(|p| Actor {
            name: p.name.clone(),
            kind: ActorKind::Person,
            role: if p.lead {
                Role::Lead
            } else {
                Role::Participant
            },
            titles: p.titles.clone(),
            pinyin: None,
        })
        .collect();
    actors.extend(d.orgs.iter().map(|o| Actor {
        name: o.clone(),
        kind: ActorKind::Organization,
        role: Role::Lead,
        titles: Vec::new(),
        pinyin: None,
    }));
    let evidence = d
        .evidence
        .iter()
        .filter(|(s, e)| e > s)
        .map(|&(s, e)| {
            let start = map.to_raw(s).min(raw_len);
            let end = (map.to_raw(e - 1) + 1).clamp(start, raw_len);
            let mut text = String::with_capacity((e - s) * 3);
            text.extend(norm[s..e].iter().filter(|c| **c != '\n'));
            let trimmed = text.trim();
            let text = if trimmed.len() == text.len() {
                text
            } else {
                trimmed.to_owned()
            };
            Evidence {
                article_id: article_id.clone(),
                start,
                end,
                text,
            }
        })
        .collect();
    ActivityEvent {
        schema: dongtai_proto::EVENT_SCHEMA.to_owned(),
        id,
        kind: d.kind,
        when,
        actors,
        places: d.places,
        targets: d.targets,
        topic: d.topic,
        evidence,
        source: source.clone(),
        confidence: d.confidence,
        extractor: EXTRACTOR.to_owned(),
    }
}
