//! Synthetic activity events for loading a timeline directly (no extraction involved): a fixed
//! population of actors, targets and places, dates spread over five years.

use chrono::{Days, NaiveDate};
use dongtai_corpus::SplitMix64;
use dongtai_proto::{
    ActivityEvent, Actor, ActorKind, ArticleId, EventId, EventKind, Evidence, Role, Source,
    TimeBasis, When,
};

/// Who and what the events are about.
pub struct Population {
    pub actors: Vec<String>,
    pub targets: Vec<String>,
    pub places: Vec<String>,
    /// The first day events fall on; they spread over [`DAYS`] days from it.
    pub first_day: NaiveDate,
}

/// Five years of days.
pub const DAYS: u64 = 5 * 365;

impl Population {
    /// `actors` people (the corpus's name population) and the corpus's companies and places.
    pub fn new(seed: u64, actors: usize) -> Self {
        Population {
            actors: dongtai_corpus::person_names(seed, actors),
            targets: dongtai_corpus::company_names(seed, 400),
            places: dongtai_corpus::place_names(seed, 400),
            first_day: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default(),
        }
    }

    /// Event number `i` of the stream `seed`: the same on every call.
    pub fn event(&self, seed: u64, i: u64) -> ActivityEvent {
        let mut rng = SplitMix64::new(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        rng.next_u64();
        let kind = EventKind::ALL[rng.below(EventKind::ALL.len())];
        let day = self.first_day + Days::new(rng.below(DAYS as usize) as u64);
        let lead = self.actors[rng.below(self.actors.len())].clone();
        let mut actors = vec![person(&lead, Role::Lead, "区委书记")];
        for _ in 0..rng.below(3) {
            let p = &self.actors[rng.below(self.actors.len())];
            if !actors.iter().any(|a| &a.name == p) {
                actors.push(person(p, Role::Participant, "区领导"));
            }
        }
        let targets: Vec<String> = (0..rng.below(4))
            .map(|_| self.targets[rng.below(self.targets.len())].clone())
            .collect();
        let places: Vec<String> = (0..rng.below(3))
            .map(|_| self.places[rng.below(self.places.len())].clone())
            .collect();
        let article_id = ArticleId::of_text(&format!("dongtai-bench {seed} {i}"));
        let day_s = day.format("%Y-%m-%d").to_string();
        let id = EventId::derive(&article_id, kind.as_str(), Some(&day_s), &[lead.as_str()]);
        let text = format!("{day_s}，区委书记{lead}前往{}调研。", places.join("、"));
        ActivityEvent {
            schema: dongtai_proto::EVENT_SCHEMA.to_owned(),
            id,
            kind,
            when: When {
                start: Some(day),
                end: Some(day),
                part_of_day: None,
                approx: false,
                basis: TimeBasis::Explicit,
                phrase: None,
            },
            actors,
            places,
            targets,
            topic: Some("城市更新工作".to_owned()),
            evidence: vec![Evidence {
                article_id: article_id.clone(),
                start: 0,
                end: text.chars().count(),
                text,
            }],
            source: Source {
                article_id,
                title: Some(format!("{lead}调研")),
                outlet: Some("徐汇报".to_owned()),
                page: Some("1".to_owned()),
                published: Some(day + Days::new(2)),
                url: None,
            },
            confidence: 0.9,
            extractor: "dongtai-bench".to_owned(),
        }
    }
}

fn person(name: &str, role: Role, title: &str) -> Actor {
    Actor {
        name: name.to_owned(),
        kind: ActorKind::Person,
        role,
        titles: vec![title.to_owned()],
        pinyin: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_deterministic_and_spread_over_the_population() {
        let pop = Population::new(1, 2_000);
        assert_eq!(pop.event(1, 7), pop.event(1, 7));
        let leads: std::collections::HashSet<_> = (0..5_000)
            .map(|i| pop.event(1, i).actors[0].name.clone())
            .collect();
        assert!(leads.len() > 1_500, "{} distinct leads", leads.len());
        let ids: std::collections::HashSet<_> = (0..5_000).map(|i| pop.event(1, i).id).collect();
        assert_eq!(ids.len(), 5_000);
    }
}
