//! Auditor queries about one official: titles over time as the articles wrote them, who was with
//! them, activities per month, free text over evidence. Events published straight onto EVENTS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::{Actor, ActorKind, EventKind, Role};

fn participant(name: &str, title: &str) -> Actor {
    Actor {
        name: name.into(),
        kind: ActorKind::Person,
        role: Role::Participant,
        titles: vec![title.into()],
        pinyin: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_sees_titles_over_time_companions_and_months_of_one_official() {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    let mut a = make_event(
        "a",
        EventKind::SiteInspection,
        "曹立强",
        "2023-10-20",
        "2023-10-20",
    );
    a.actors[0].titles = vec!["区委副书记".into()];
    a.actors.push(participant("高世昀", "区领导"));
    let mut b = make_event(
        "b",
        EventKind::ForestChiefInspection,
        "曹立强",
        "2023-11-05",
        "2023-11-05",
    );
    b.actors.push(participant("高世昀", "区领导"));
    b.evidence[0].text = "曹立强强调，要压实林长责任。".into();
    let mut c = make_event(
        "c",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-08",
    );
    c.actors.push(participant("钟晓咏", "区长"));
    // Another article on the same expo visit: one activity, counted once.
    let mut c2 = make_event(
        "c2",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-07",
    );
    c2.actors.push(participant("钟晓咏", "区长"));
    for e in [&a, &b, &c, &c2] {
        publish_event(&js, e).await;
    }
    app.wait_for_events(4).await;

    let (status, who) = app.get("/v1/actors/曹立强").await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["pinyin"], "Cao Liqiang");
    assert_eq!(
        who["activities"], 3,
        "two reports of the expo count once: {who}"
    );
    let titles = who["titles"].as_array().unwrap();
    let deputy = titles.iter().find(|t| t["title"] == "区委副书记").unwrap();
    assert_eq!(
        (deputy["first_seen"].as_str(), deputy["last_seen"].as_str()),
        (Some("2023-10-20"), Some("2023-10-20"))
    );
    let secretary = titles.iter().find(|t| t["title"] == "区委书记").unwrap();
    assert_eq!(
        (
            secretary["first_seen"].as_str(),
            secretary["last_seen"].as_str()
        ),
        (Some("2023-11-05"), Some("2023-11-07"))
    );
    assert_eq!(
        who["months"],
        serde_json::json!({"2023-10": 1, "2023-11": 2})
    );

    let (_, months) = app.get("/v1/actors/曹立强/months").await;
    assert_eq!(months["months"]["2023-11"], 2);

    let (_, with) = app.get("/v1/actors/曹立强/companions").await;
    let list = with["companions"].as_array().unwrap();
    // The fixture's 区投促办 led all three with him; 高世昀 came to two.
    assert_eq!(
        (list[0]["name"].as_str(), list[0]["activities"].as_u64()),
        (Some("区投促办"), Some(3))
    );
    let gao = list.iter().find(|c| c["name"] == "高世昀").unwrap();
    assert_eq!(
        (gao["activities"].as_u64(), gao["pinyin"].as_str()),
        (Some(2), Some("Gao Shiyun"))
    );
    let zhong = list.iter().find(|c| c["name"] == "钟晓咏").unwrap();
    assert_eq!(
        zhong["activities"], 1,
        "the corroborated expo visit counts once"
    );

    let found = app.events("q=压实林长责任").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], b.id.to_string());

    let (status, _) = app.get("/v1/actors/无此人").await;
    assert_eq!(status, 404);
}
