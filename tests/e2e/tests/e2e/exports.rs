//! Exports of a query (`format=csv|jsonl|ics|atom`) for one official, over events published
//! straight onto the EVENTS stream. Each export is printed, so `--nocapture` shows what a
//! newsroom would download.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::{EventKind, PartOfDay};

/// Two activities of 曹立强 (a morning inspection, a two-day expo visit) and one of 钟晓咏.
async fn app_with_seed_like_events() -> (TestApp, Vec<dongtai_proto::ActivityEvent>) {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    let forest = make_event(
        "forest",
        EventKind::ForestChiefInspection,
        "曹立强",
        "2023-11-05",
        "2023-11-05",
    );
    let mut expo = make_event(
        "expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-08",
    );
    expo.when.part_of_day = None;
    expo.when.phrase = Some("11 月 7 日、8 日".into());
    expo.targets = vec!["乐高".into(), "迅销".into()];
    expo.places = vec!["国家会展中心（上海）".into()];
    expo.evidence[0].text =
        "11月7日、8日，区委书记曹立强带队巡馆，走访乐高、迅销等展台，\"共享未来\"。".into();
    expo.source.url = Some("https://example.org/xuhui/2023-11-10/1?a=1&b=2".into());
    let mut other = make_event(
        "other",
        EventKind::Meeting,
        "钟晓咏",
        "2023-11-06",
        "2023-11-06",
    );
    other.when.part_of_day = Some(PartOfDay::Afternoon);
    for e in [&forest, &expo, &other] {
        publish_event(&js, e).await;
    }
    app.wait_for_events(3).await;
    (app, vec![forest, expo, other])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_export_of_one_official_holds_exactly_their_activities_with_evidence_and_pinyin() {
    let (app, events) = app_with_seed_like_events().await;
    let (forest, expo) = (&events[0], &events[1]);

    let (status, ct, csv) = get_text(&app, "/v1/events?actor=曹立强&format=csv&sort=asc").await;
    println!("--- format=csv ({ct})\n{csv}");
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/csv"));
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    // The evidence of the expo holds a quote: it is quoted, with the quotes doubled.
    assert_eq!(rows.len(), 3, "header and two rows: {csv}");
    assert!(
        rows[1].starts_with(&forest.id.to_string()) && rows[2].starts_with(&expo.id.to_string())
    );
    assert!(rows[2].contains(
        "\"11月7日、8日，区委书记曹立强带队巡馆，走访乐高、迅销等展台，\"\"共享未来\"\"。\""
    ));
    assert!(rows[1].contains("Cao Liqiang") && rows[1].contains("徐汇报"));

    let (status, ct, jsonl) = get_text(&app, "/v1/events?actor=曹立强&format=jsonl&sort=asc").await;
    println!("--- format=jsonl ({ct})\n{jsonl}");
    assert_eq!(status, 200);
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["kind_label"]["en"], "Expo visit");
    assert_eq!(lines[1]["actors"][0]["pinyin"], "Cao Liqiang");

    let (status, ct, ics) = get_text(&app, "/v1/events?actor=曹立强&format=ics").await;
    println!("--- format=ics ({ct})\n{ics}");
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/calendar"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
    assert!(ics.contains(&format!("UID:{}@dongtai\r\n", forest.id)));
    assert!(ics.contains("DTSTART;TZID=Asia/Shanghai:20231105T090000\r\n"));
    assert!(ics.contains("DTSTART;VALUE=DATE:20231107\r\nDTEND;VALUE=DATE:20231109\r\n"));
    assert!(
        ics.split("\r\n").all(|l| l.len() <= 75),
        "folded at 75 octets"
    );
    let (_, _, again) = get_text(&app, "/v1/events?actor=曹立强&format=ics").await;
    let uids = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(uids(&ics), uids(&again), "UIDs are stable");

    let (status, ct, atom) = get_text(&app, "/v1/events?actor=曹立强&format=atom").await;
    println!("--- format=atom ({ct})\n{atom}");
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/atom+xml"));
    assert_eq!(atom.matches("<entry>").count(), 2);
    assert!(atom.contains("<title type=\"text\">dongtai 动态: 曹立强 (Cao Liqiang)</title>"));
    assert!(atom.contains(&format!("<id>urn:dongtai:event:{}</id>", expo.id)));
    assert!(atom.contains("href=\"https://example.org/xuhui/2023-11-10/1?a=1&amp;b=2\""));
    assert!(atom.contains("&quot;共享未来&quot;"));

    let (status, body) = app.get("/v1/events?actor=曹立强&format=pdf").await;
    assert_eq!((status, body["field"].as_str()), (400, Some("format")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_feed_and_a_kind_calendar_are_titled_by_what_they_follow() {
    let (app, _) = app_with_seed_like_events().await;
    let (_, _, atom) = get_text(&app, "/v1/events?place=国家会展中心（上海）&format=atom").await;
    assert_eq!(atom.matches("<entry>").count(), 1);
    assert!(atom.contains("<title type=\"text\">dongtai 动态: 国家会展中心（上海）</title>"));
    let (_, _, ics) = get_text(&app, "/v1/events?kind=meeting&format=ics").await;
    assert!(ics.contains("DTSTART;TZID=Asia/Shanghai:20231106T140000"));
    assert!(ics.contains("X-WR-CALNAME:dongtai 动态: 会见座谈 Meeting"));
}
