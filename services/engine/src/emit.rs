//! A draft becomes an [`ActivityEvent`]: its id, actors in order, evidence offsets mapped back
//! to the text as received.

use crate::EXTRACTOR;
use crate::activity::Draft;
use crate::time::Resolved;
use dongtai_proto::{
    ActivityEvent, Actor, ActorKind, ArticleId, EventId, Evidence, OffsetMap, Role, Source,
    TimeBasis, When,
};

/// Where an article's drafts come from: its normal form (`norm`) and the map of its offsets back
/// to the raw text of `raw_len` chars.
pub(crate) struct Origin<'a> {
    pub norm: &'a [char],
    pub map: &'a OffsetMap,
    pub raw_len: usize,
}

/// The event of draft `d` of the article at `at`.
pub(crate) fn to_event(
    mut d: Draft,
    at: &Origin<'_>,
    article_id: &ArticleId,
    source: &Source,
) -> ActivityEvent {
    let when = when_of(d.when.take(), d.phrase.take());
    let day = when.start.map(|s| s.format("%Y-%m-%d").to_string());
    let leads: Vec<&str> = d
        .people
        .iter()
        .filter(|p| p.lead)
        .map(|p| p.name.as_str())
        .collect();
    let id = EventId::derive(article_id, d.kind.as_str(), day.as_deref(), &leads);
    let actors = actors_of(&d);
    let evidence = d
        .evidence
        .iter()
        .filter(|(s, e)| e > s)
        .map(|&(s, e)| evidence_of(at, s, e, article_id))
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

/// The days of a draft and the phrase that dates it; a draft without days says its year is
/// unknown.
fn when_of(days: Option<Resolved>, phrase: Option<String>) -> When {
    match days {
        Some(r) => When {
            start: r.start,
            end: r.end,
            part_of_day: r.part,
            approx: r.approx,
            basis: r.basis,
            phrase,
        },
        None => When {
            start: None,
            end: None,
            part_of_day: None,
            approx: true,
            basis: TimeBasis::YearUnknown,
            phrase,
        },
    }
}

/// People in the draft's order, then organisations, which always lead.
fn actors_of(d: &Draft) -> Vec<Actor> {
    let people = d.people.iter().map(|p| Actor {
        name: p.name.clone(),
        kind: ActorKind::Person,
        role: if p.lead {
            Role::Lead
        } else {
            Role::Participant
        },
        titles: p.titles.clone(),
        pinyin: None,
    });
    let orgs = d.orgs.iter().map(|o| Actor {
        name: o.clone(),
        kind: ActorKind::Organization,
        role: Role::Lead,
        titles: Vec::new(),
        pinyin: None,
    });
    people.chain(orgs).collect()
}

/// The sentence `s..e` of the normal form as evidence: offsets into the raw text, the text
/// without the column breaks and trimmed.
fn evidence_of(at: &Origin<'_>, s: usize, e: usize, article_id: &ArticleId) -> Evidence {
    let start = at.map.to_raw(s).min(at.raw_len);
    let end = (at.map.to_raw(e - 1) + 1).clamp(start, at.raw_len);
    let mut text = String::with_capacity((e - s) * 3);
    text.extend(at.norm[s..e].iter().filter(|c| **c != '\n'));
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
}
