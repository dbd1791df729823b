//! The customer's seed page, end to end: split into its three articles, and the four activities
//! the annotation holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use dongtai_engine::{DocMeta, extract, split_page};
use dongtai_proto::{ActivityEvent, ActorKind, EventKind, PartOfDay, Role};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn seed() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/xuhui-2023-11-10-p1.txt"
    );
    std::fs::read_to_string(path).expect("the seed page is in seeds/")
}

fn events() -> Vec<ActivityEvent> {
    let meta = DocMeta {
        outlet: Some("徐汇报".into()),
        page: Some("1".into()),
        published: Some(day("2023-11-10")),
        ..DocMeta::default()
    };
    extract(&seed(), &meta)
}

fn of_kind(events: &[ActivityEvent], kind: EventKind) -> &ActivityEvent {
    events
        .iter()
        .find(|e| e.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in {events:#?}"))
}

fn person(e: &ActivityEvent, name: &str) -> (Role, Vec<String>) {
    let a = e
        .actors
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} missing"));
    assert_eq!(a.kind, ActorKind::Person);
    (a.role, a.titles.clone())
}

#[test]
fn the_seed_page_splits_into_three_articles_with_their_headlines() {
    let raw = seed();
    let arts = split_page(&raw);
    let titles: Vec<Option<&str>> = arts.iter().map(|a| a.title.as_deref()).collect();
    assert_eq!(
        titles,
        vec![
            Some("徐汇“招商天团”吹响集结号"),
            None,
            Some("书记区长走进进博会调研徐汇参展企业")
        ]
    );
    assert!(arts[0].text.contains("（下转第6版）"));
    assert!(
        arts[1]
            .text
            .starts_with("11月5日上午，区委书记、区总林长曹立强率队前往")
    );
    assert!(
        arts[2]
            .text
            .starts_with("11月7日、8日，区委书记曹立强，区委副书记、区长钟晓咏带队")
    );
    let page: Vec<char> = raw.chars().collect();
    for a in &arts {
        for (i, c) in a.text.chars().enumerate() {
            let r = a.map.to_raw(i);
            assert!(r < page.len());
            if c.is_alphanumeric() && !c.is_ascii() {
                assert_eq!(page[r], c, "offset {i} of {:?}", a.title);
            }
        }
    }
}

#[test]
fn the_forest_chief_inspection_of_november_5() {
    let events = events();
    let e = of_kind(&events, EventKind::ForestChiefInspection);
    assert_eq!(
        (e.when.start, e.when.end),
        (Some(day("2023-11-05")), Some(day("2023-11-05")))
    );
    assert_eq!(e.when.part_of_day, Some(PartOfDay::Morning));
    assert!(!e.when.approx);
    assert_eq!(
        person(e, "曹立强"),
        (Role::Lead, vec!["区委书记".into(), "区总林长".into()])
    );
    assert_eq!(
        person(e, "高世昀"),
        (Role::Participant, vec!["区领导".into()])
    );
    assert!(e.places.contains(&"环城生态公园东片区".to_string()));
    assert!(e.evidence[0].text.starts_with("11月5日上午"));
}

#[test]
fn the_expo_visit_of_november_7_and_8() {
    let events = events();
    let e = of_kind(&events, EventKind::ExpoVisit);
    assert_eq!(
        (e.when.start, e.when.end),
        (Some(day("2023-11-07")), Some(day("2023-11-08")))
    );
    assert_eq!(person(e, "曹立强"), (Role::Lead, vec!["区委书记".into()]));
    assert_eq!(
        person(e, "钟晓咏"),
        (Role::Lead, vec!["区委副书记".into(), "区长".into()])
    );
    for t in ["乐高", "迅销", "3M", "乐斯福"] {
        assert!(
            e.targets.contains(&t.to_string()),
            "{t} not in {:?}",
            e.targets
        );
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::ExpoVisit)
            .count(),
        1
    );
}

#[test]
fn the_two_activities_led_by_organisations() {
    let events = events();
    let invest = of_kind(&events, EventKind::InvestmentPromotion);
    let orgs: Vec<&str> = invest
        .actors
        .iter()
        .filter(|a| a.kind == ActorKind::Organization)
        .map(|a| a.name.as_str())
        .collect();
    assert!(orgs.contains(&"徐汇“五大战区”进博招商团队"), "{orgs:?}");
    assert_eq!(
        invest.when.start,
        Some(day("2023-11-05")),
        "the sixth expo's first day"
    );
    assert!(invest.when.approx);
    let meeting = of_kind(&events, EventKind::Meeting);
    assert_eq!(
        person(meeting, "易卜雷"),
        (Role::Participant, vec!["冰岛驻华大使".into()])
    );
    assert_eq!(
        meeting.when.start,
        Some(day("2022-11-05")),
        "当年: the fifth expo"
    );
    assert!(
        meeting
            .targets
            .iter()
            .chain(&meeting.places)
            .any(|t| t == "奥索")
    );
}

#[test]
fn evidence_offsets_point_at_the_sentences_on_the_page() {
    let raw: Vec<char> = seed().chars().collect();
    for e in events() {
        assert_eq!(e.source.outlet.as_deref(), Some("徐汇报"));
        for ev in &e.evidence {
            assert!(ev.start < ev.end && ev.end <= raw.len());
            let span: String = raw[ev.start..ev.end]
                .iter()
                .filter(|c| !c.is_whitespace())
                .collect();
            let text: String = ev.text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(span.chars().next(), text.chars().next(), "{}", ev.text);
            assert_eq!(span.chars().last(), text.chars().last(), "{}", ev.text);
        }
    }
}

#[test]
fn without_a_publication_date_the_expo_edition_gives_the_year() {
    let events = dongtai_engine::extract_standalone(&seed(), None);
    let e = of_kind(&events, EventKind::ForestChiefInspection);
    assert_eq!(e.when.start, Some(day("2023-11-05")));
    assert!(e.when.approx);
    assert_eq!(e.when.basis, dongtai_proto::TimeBasis::Inferred);
}
