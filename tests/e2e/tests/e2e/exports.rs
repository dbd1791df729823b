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

/// GET a timeline path with extra request headers; status, headers and body bytes.
async fn fetch(
    app: &TestApp,
    path_and_query: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = app
        .http
        .get(format!("{}{}", app.timeline_url, path_and_query));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

/// The expo visit of [`app_with_seed_like_events`] as a second article reported it.
fn second_report_of_the_expo() -> dongtai_proto::ActivityEvent {
    let mut b = make_event(
        "新民晚报 expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-07",
    );
    b.source.outlet = Some("新民晚报".into());
    b.source.url = Some("https://example.org/xinmin/2023-11-08/3".into());
    b.evidence[0].text = "7 日，曹立强一行走访乐高展台。".into();
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_atom_feed_parses_back_with_feed_rs_with_what_rfc_4287_requires() {
    let (app, events) = app_with_seed_like_events().await;
    let expo = &events[1];
    // A second article on the expo: the entry then has two articles, and still one
    // `alternate` link per media type.
    publish_event(&jetstream(&app).await, &second_report_of_the_expo()).await;
    app.wait_for_events(4).await;

    let path = "/v1/events?actor=%E6%9B%B9%E7%AB%8B%E5%BC%BA&format=atom";
    let (status, headers, body) = fetch(&app, path, &[]).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body.clone()).unwrap();
    println!("--- format=atom\n{text}");
    let feed = feed_rs::parser::parse(body.as_slice()).expect("feed-rs parses the feed");
    println!("--- parsed back by feed-rs: {feed:#?}");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(
        feed.id,
        "urn:dongtai:feed:actor:%E6%9B%B9%E7%AB%8B%E5%BC%BA"
    );
    assert_eq!(
        feed.title.as_ref().unwrap().content,
        "dongtai 动态: 曹立强 (Cao Liqiang)"
    );
    assert!(feed.updated.is_some(), "feed updated");
    assert_eq!(feed.authors[0].name.as_deref(), Some("dongtai"));
    let rel = |links: &[feed_rs::model::Link], rel: &str| -> Vec<(Option<String>, String)> {
        links
            .iter()
            .filter(|l| l.rel.as_deref() == Some(rel))
            .map(|l| (l.media_type.clone(), l.href.clone()))
            .collect()
    };
    let self_links = rel(&feed.links, "self");
    assert_eq!(
        self_links,
        vec![(
            Some("application/atom+xml".to_owned()),
            format!("{}{path}", app.timeline_url)
        )],
        "one self link, to what the reader polls"
    );
    assert_eq!(
        rel(&feed.links, "alternate"),
        vec![(
            Some("text/html".to_owned()),
            format!("{}/?actor=%E6%9B%B9%E7%AB%8B%E5%BC%BA", app.timeline_url)
        )],
        "the same view on the page"
    );
    assert_eq!(feed.entries.len(), 2, "two activities of 曹立强");
    for entry in &feed.entries {
        assert!(entry.id.starts_with("urn:dongtai:event:"), "{}", entry.id);
        assert!(entry.title.is_some() && entry.updated.is_some());
        assert!(entry.content.is_some());
        let alternates = rel(&entry.links, "alternate");
        let mut types: Vec<_> = alternates.iter().map(|(t, _)| t.clone()).collect();
        types.sort();
        types.dedup();
        assert_eq!(
            types.len(),
            alternates.len(),
            "one alternate per type: {alternates:?}"
        );
    }
    let expo_entry = feed
        .entries
        .iter()
        .find(|e| e.id == format!("urn:dongtai:event:{}", expo.id))
        .expect("the expo's entry");
    assert_eq!(
        rel(&expo_entry.links, "alternate"),
        vec![
            (
                Some("text/html".to_owned()),
                "https://example.org/xuhui/2023-11-10/1?a=1&b=2".to_owned()
            ),
            (
                Some("application/json".to_owned()),
                format!("{}/v1/events/{}", app.timeline_url, expo.id)
            ),
        ]
    );
    assert_eq!(
        rel(&expo_entry.links, "related"),
        vec![(
            Some("text/html".to_owned()),
            "https://example.org/xinmin/2023-11-08/3".to_owned()
        )],
        "the second article"
    );
    let content = expo_entry
        .content
        .as_ref()
        .unwrap()
        .body
        .as_deref()
        .unwrap();
    assert!(content.contains("曹立强一行走访乐高展台") && content.contains("2 sources"));
    assert!(header(&headers, "content-disposition").starts_with("attachment; filename="));

    // Another filter beside the subject makes another feed, with its own id.
    let (_, _, meetings) = fetch(
        &app,
        "/v1/events?actor=曹立强&kind=expo_visit&format=atom",
        &[],
    )
    .await;
    let meetings = feed_rs::parser::parse(meetings.as_slice()).unwrap();
    assert_ne!(meetings.id, feed.id);
    assert_eq!(meetings.entries.len(), 1);
}

/// The calendar of 曹立强 parsed by the icalendar crate: (UID, SEQUENCE, SUMMARY) of each VEVENT.
async fn calendar(app: &TestApp) -> Vec<(String, u32, String)> {
    use icalendar::Component;
    let (status, headers, body) = fetch(app, "/v1/events?actor=曹立强&format=ics", &[]).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("text/calendar"));
    let text = String::from_utf8(body).unwrap();
    let cal: icalendar::Calendar = text.parse().expect("icalendar parses the calendar");
    assert_eq!(cal.property_value("VERSION"), Some("2.0"));
    assert!(cal.property_value("PRODID").is_some());
    cal.components
        .iter()
        .filter_map(|c| c.as_event())
        .map(|e| {
            assert!(e.get_start().is_some() && e.get_end().is_some());
            assert!(e.get_timestamp().is_some(), "DTSTAMP");
            (
                e.get_uid().unwrap().to_owned(),
                e.get_sequence().expect("SEQUENCE"),
                e.get_summary().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendar_parses_back_with_icalendar_and_its_sequence_grows_whenever_a_report_changes()
{
    let mut app = spawn_app().await;
    let js = jetstream(&app).await;
    let mut first = make_event(
        "徐汇报 expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-07",
    );
    first.targets = vec!["乐高".into()];
    publish_event(&js, &first).await;
    app.wait_for_events(1).await;
    let once = calendar(&app).await;
    println!("--- one report: {once:?}");
    assert_eq!(once.len(), 1);
    let (uid, seq1, summary) = &once[0];
    assert_eq!(uid, &format!("{}@dongtai", first.id));
    assert!(
        summary.contains("Cao Liqiang") && summary.contains("乐高"),
        "{summary}"
    );

    // A second article reports the same visit: still one VEVENT, same UID, higher SEQUENCE.
    let second = second_report_of_the_expo();
    publish_event(&js, &second).await;
    app.wait_for_events(2).await;
    let twice = calendar(&app).await;
    println!("--- a second report joined: {twice:?}");
    assert_eq!(twice.len(), 1, "one activity");
    assert_eq!(&twice[0].0, uid, "the UID stays");
    let seq2 = twice[0].1;
    assert!(
        seq2 > *seq1,
        "SEQUENCE grows when a report joins: {seq1} -> {seq2}"
    );

    // The FIRST report is updated (a re-extraction): SEQUENCE grows again.
    let mut updated = first.clone();
    updated.evidence[0].text = "11 月 7 日，区委书记曹立强带队巡馆，走访乐高展台。".into();
    updated.extractor = "dongtai-extract 9.9.9".into();
    publish_event(&js, &updated).await;
    let changed = dongtai_testkit::wait_until(std::time::Duration::from_secs(30), || async {
        calendar(&app).await[0].1 != seq2
    })
    .await;
    assert!(changed, "the update reached the calendar");
    let updated_once = calendar(&app).await;
    assert_eq!(updated_once.len(), 1);
    let seq3 = updated_once[0].1;
    println!("--- the first report updated: SEQUENCE {seq3}");
    assert!(
        seq3 > seq2,
        "SEQUENCE grows when a report is updated: {seq2} -> {seq3}"
    );

    // Durable: the same after a restart on the same sled.
    app.stop_timeline().await;
    app.start_timeline().await;
    let after = calendar(&app).await;
    assert_eq!(
        after[0].1, seq3,
        "SEQUENCE comes from the store, not from memory"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_with_bom_starts_with_a_byte_order_mark_and_every_export_is_a_named_attachment() {
    let (app, _) = app_with_seed_like_events().await;
    let (status, headers, body) =
        fetch(&app, "/v1/events?actor=曹立强&format=csv&bom=1", &[]).await;
    assert_eq!(status, 200);
    assert!(
        body.starts_with(&[0xEF, 0xBB, 0xBF, b'i', b'd', b',']),
        "BOM then the header"
    );
    assert!(header(&headers, "content-type").starts_with("text/csv; charset=utf-8"));
    let (_, _, plain) = fetch(&app, "/v1/events?actor=曹立强&format=csv", &[]).await;
    assert!(plain.starts_with(b"id,"), "no BOM unless asked");
    assert_eq!(&body[3..], plain.as_slice(), "the same file otherwise");

    for (format, ext) in [
        ("csv", "csv"),
        ("jsonl", "jsonl"),
        ("ics", "ics"),
        ("atom", "atom"),
    ] {
        let (status, headers, _) = fetch(
            &app,
            &format!("/v1/events?actor=曹立强&format={format}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        let cd = header(&headers, "content-disposition");
        println!("format={format}: Content-Disposition: {cd}");
        assert_eq!(
            cd,
            format!(
                "attachment; filename=\"dongtai-actor.{ext}\"; \
                 filename*=UTF-8''dongtai-actor-%E6%9B%B9%E7%AB%8B%E5%BC%BA.{ext}"
            )
        );
    }
    let (_, headers, _) = fetch(&app, "/v1/events?kind=meeting&format=ics", &[]).await;
    assert!(
        header(&headers, "content-disposition")
            .starts_with("attachment; filename=\"dongtai-kind-meeting.ics\"")
    );
    // The JSON answer of the API is no file.
    let (_, headers, _) = fetch(&app, "/v1/events?actor=曹立强", &[]).await;
    assert!(headers.get("content-disposition").is_none());

    let (status, body) = app.get("/v1/events?actor=曹立强&format=ics&bom=1").await;
    assert_eq!((status, body["field"].as_str()), (400, Some("bom")));
    let (status, body) = app.get("/v1/events?format=csv&bom=yes").await;
    assert_eq!((status, body["field"].as_str()), (400, Some("bom")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_and_calendar_pollers_get_304_until_their_answer_changes() {
    let (app, _) = app_with_seed_like_events().await;
    let js = jetstream(&app).await;
    for format in ["atom", "ics"] {
        let path = format!("/v1/events?actor=曹立强&format={format}");
        let (status, headers, _) = fetch(&app, &path, &[]).await;
        assert_eq!(status, 200);
        let tag = header(&headers, "etag").to_owned();
        assert!(
            tag.starts_with("W/\"") && tag.ends_with('"'),
            "a weak tag: {tag}"
        );
        assert_eq!(header(&headers, "cache-control"), "no-cache");
        let (status, again, body) = fetch(&app, &path, &[("if-none-match", &tag)]).await;
        println!(
            "GET {path} If-None-Match: {tag}\n  -> {status}, ETag: {}, {} body bytes",
            header(&again, "etag"),
            body.len()
        );
        assert_eq!(status, 304);
        assert!(body.is_empty());
        assert_eq!(header(&again, "etag"), tag);
        let (status, _, _) = fetch(&app, &path, &[("if-none-match", "W/\"other\"")]).await;
        assert_eq!(status, 200, "another tag gets the file");
    }

    let path = "/v1/events?actor=曹立强&format=ics";
    let (_, headers, _) = fetch(&app, path, &[]).await;
    let tag = header(&headers, "etag").to_owned();
    // Someone else's activity does not change 曹立强's calendar.
    let other = make_event(
        "another meeting",
        EventKind::Meeting,
        "钟晓咏",
        "2023-11-09",
        "2023-11-09",
    );
    publish_event(&js, &other).await;
    app.wait_for_events(4).await;
    let (status, _, _) = fetch(&app, path, &[("if-none-match", &tag)]).await;
    assert_eq!(status, 304, "an unrelated change keeps the tag");
    // A new report of his does.
    publish_event(&js, &second_report_of_the_expo()).await;
    app.wait_for_events(5).await;
    let (status, headers, body) = fetch(&app, path, &[("if-none-match", &tag)]).await;
    println!(
        "after a new report: GET {path} If-None-Match: {tag}\n  -> {status}, ETag: {}",
        header(&headers, "etag")
    );
    assert_eq!(status, 200);
    assert_ne!(header(&headers, "etag"), tag);
    assert!(String::from_utf8(body).unwrap().contains("新民晚报"));
}
