//! The timeline page (`GET /`) in headless Chromium (Debian `chromium`): search 曹立强 through
//! the URL, see both of his activities, open one and see its evidence with the phrase
//! highlighted and a link to the source; a screenshot is saved and its path printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::EventKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn chromium() -> PathBuf {
    for p in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "headless Chromium is needed for the page test: install it with `apt-get install -y chromium`"
    );
}

/// Run Chromium on `url` with `extra` arguments; returns stdout.
async fn run_chromium(profile: &Path, url: &str, extra: &[&str]) -> String {
    let mut cmd = tokio::process::Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .expect("chromium did not finish within 90 s")
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_searched_for_cao_liqiang_shows_both_activities_and_opens_one_to_its_evidence() {
    let browser = chromium();
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    // Like the seed page: a forest-chief inspection and a two-day expo visit by 曹立强.
    let forest = make_event(
        "seed forest",
        EventKind::ForestChiefInspection,
        "曹立强",
        "2023-11-05",
        "2023-11-05",
    );
    let mut expo = make_event(
        "seed expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-08",
    );
    expo.when.part_of_day = None;
    expo.when.phrase = Some("11月7日、8日".into());
    expo.targets = vec!["乐高".into(), "迅销".into()];
    expo.places = vec!["国家会展中心（上海）".into()];
    expo.evidence[0].text =
        "11月7日、8日，区委书记曹立强带队巡馆，走访乐高、迅销等展台。<b>".into();
    expo.source.url = Some("https://example.org/xuhui/2023-11-10/1".into());
    let other = make_event(
        "seed meeting",
        EventKind::Meeting,
        "钟晓咏",
        "2023-11-06",
        "2023-11-06",
    );
    for e in [&forest, &expo, &other] {
        publish_event(&js, e).await;
    }
    app.wait_for_events(3).await;

    let (status, ct, html) = get_text(&app, "/").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.contains("dongtai"));

    let profile = tempfile::tempdir().unwrap();
    let url = format!("{}/?actor={}&open={}", app.timeline_url, "曹立强", expo.id);
    let dom = run_chromium(profile.path(), &url, &["--dump-dom"]).await;
    assert!(
        dom.contains("data-count=\"2\""),
        "two activities found: {dom}"
    );
    assert_eq!(dom.matches("<li class=\"activity").count(), 2, "{dom}");
    assert!(!dom.contains("钟晓咏"), "only 曹立强's activities");
    assert!(
        dom.contains(&format!("<li class=\"activity open\" id=\"a-{}\"", expo.id)),
        "the expo opened: {dom}"
    );
    assert!(
        dom.contains("<span class=\"py\">Cao Liqiang</span>"),
        "pinyin beside the name"
    );
    assert!(
        dom.contains("<mark>11月7日、8日</mark>"),
        "time phrase highlighted: {dom}"
    );
    assert!(
        dom.contains("<mark>曹立强</mark>"),
        "searched name highlighted"
    );
    assert!(
        dom.contains("&lt;b&gt;"),
        "evidence is shown as text, never as markup"
    );
    assert!(
        dom.contains("href=\"https://example.org/xuhui/2023-11-10/1\""),
        "link to the source"
    );
    assert!(dom.contains("class=\"dot\""), "activities on the time axis");
    // The kind menu is built from `GET /v1/kinds`: every kind, in the API's order.
    let (status, _, kinds) = get_text(&app, "/v1/kinds").await;
    assert_eq!(status, 200);
    let kinds: serde_json::Value = serde_json::from_str(&kinds).unwrap();
    let listed: Vec<&str> = kinds["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(listed, all);
    let menu: Vec<usize> = all
        .iter()
        .map(|k| {
            dom.find(&format!("<option value=\"{k}\">"))
                .unwrap_or_else(|| panic!("{k} in the kind menu: {dom}"))
        })
        .collect();
    assert!(menu.is_sorted(), "the menu keeps the API's order");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-screenshot");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("timeline-cao-liqiang.png");
    let _ = std::fs::remove_file(&shot);
    let arg = format!("--screenshot={}", shot.display());
    run_chromium(profile.path(), &url, &[&arg, "--window-size=1280,900"]).await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );
    println!(
        "screenshot of the timeline page: {} (chromium {})",
        shot.display(),
        browser.display()
    );
}
