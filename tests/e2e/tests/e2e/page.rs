//! The timeline page (`GET /`) in headless Chromium (Debian `chromium`): search 曹立强 through
//! the URL, see both of his activities, open one and see its evidence with the phrase
//! highlighted and a link to the source; a screenshot is saved and its path printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::EventKind;
use dongtai_testkit::wait_until;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

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

/// Headless Chromium driven over the DevTools protocol (a WebSocket on a local port). The
/// page keeps an EventSource open, so Chromium's `--dump-dom` / `--virtual-time-budget` mode
/// never sees the page go idle; the test instead asks the live page what it shows, as often as
/// it needs, in real time.
struct Browser {
    child: tokio::process::Child,
    ws: tokio::net::TcpStream,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = tokio::process::Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        // Chromium writes the port it took into the profile.
        let port_file = profile.path().join("DevToolsActivePort");
        let up = wait_until(Duration::from_secs(30), || async {
            std::fs::read_to_string(&port_file).is_ok_and(|s| s.lines().count() >= 2)
        })
        .await;
        assert!(up, "chromium opened no DevTools port");
        let port: u16 = std::fs::read_to_string(&port_file)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let found = wait_until(Duration::from_secs(30), || async {
            page_target(port).await.is_some()
        })
        .await;
        assert!(found, "chromium shows no page target");
        let page_ws = page_target(port).await.unwrap();
        let path = &page_ws[page_ws.find("/devtools/").unwrap()..];
        let mut ws = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let handshake = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: ZG9uZ3RhaS1wYWdlLXRlc3Q=\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        ws.write_all(handshake.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        while !answer.ends_with(b"\r\n\r\n") {
            answer.push(ws.read_u8().await.unwrap());
        }
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
        Browser {
            child,
            ws,
            next_id: 0,
            _profile: profile,
        }
    }

    /// Call a DevTools method and return its result.
    async fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = serde_json::json!({"id": id, "method": method, "params": params}).to_string();
        // A client frame: FIN + text, masked (the mask may be zero; the server unmasks).
        let mut frame = vec![0x81u8];
        let n = msg.len();
        if n < 126 {
            frame.push(0x80 | n as u8);
        } else if n <= u16::MAX as usize {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
        frame.extend_from_slice(&[0, 0, 0, 0]);
        frame.extend_from_slice(msg.as_bytes());
        self.ws.write_all(&frame).await.unwrap();
        loop {
            let reply: serde_json::Value =
                serde_json::from_slice(&self.read_message().await).unwrap();
            if reply["id"] == id {
                assert!(reply["error"].is_null(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// One whole message from the server (frames joined; the server does not mask).
    async fn read_message(&mut self) -> Vec<u8> {
        let mut message = Vec::new();
        loop {
            let b0 = self.ws.read_u8().await.unwrap();
            let b1 = self.ws.read_u8().await.unwrap();
            let n = match b1 & 0x7f {
                126 => self.ws.read_u16().await.unwrap() as usize,
                127 => self.ws.read_u64().await.unwrap() as usize,
                n => n as usize,
            };
            let mut payload = vec![0u8; n];
            self.ws.read_exact(&mut payload).await.unwrap();
            assert_ne!(b0 & 0x0f, 0x8, "chromium closed the DevTools connection");
            message.extend_from_slice(&payload);
            if b0 & 0x80 != 0 {
                return message;
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    async fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self
            .call(
                "Runtime.evaluate",
                serde_json::json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        r["result"]["value"].clone()
    }

    /// Wait until `expression` is true in the page.
    async fn wait_for(&mut self, expression: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if self.eval(expression).await == serde_json::Value::Bool(true) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the page never showed `{expression}`: {}",
                self.eval("document.body.outerHTML").await
            );
            // Polls the page, not a fixed wait for something to happen.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn dom(&mut self) -> String {
        self.eval("document.documentElement.outerHTML")
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Save a PNG of the window to `path`.
    async fn screenshot(&mut self, path: &Path) {
        use base64::Engine as _;
        let shot = self
            .call(
                "Page.captureScreenshot",
                serde_json::json!({"format": "png"}),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }

    async fn close(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The DevTools WebSocket URL of Chromium's page, once it has one.
async fn page_target(port: u16) -> Option<String> {
    let resp = reqwest::get(format!("http://127.0.0.1:{port}/json/list"))
        .await
        .ok()?;
    let targets: serde_json::Value = resp.json().await.ok()?;
    targets.as_array()?.iter().find(|t| t["type"] == "page")?["webSocketDebuggerUrl"]
        .as_str()
        .map(str::to_owned)
}

/// Where screenshots go (under target/, kept after the test).
fn screenshot_path(name: &str) -> PathBuf {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("page-screenshot");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(name);
    let _ = std::fs::remove_file(&shot);
    shot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_searched_for_cao_liqiang_shows_both_activities_and_opens_one_to_its_evidence() {
    chromium();
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

    let url = format!("{}/?actor={}&open={}", app.timeline_url, "曹立强", expo.id);
    let mut browser = Browser::open(&url).await;
    browser
        .wait_for("document.getElementById('status').dataset.count === '2'")
        .await;
    let dom = browser.dom().await;
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

    let shot = screenshot_path("timeline-cao-liqiang.png");
    browser.screenshot(&shot).await;
    browser.close().await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );
    println!(
        "screenshot of the timeline page: {} (chromium {})",
        shot.display(),
        chromium().display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_links_exports_of_its_view_charts_months_and_shows_a_live_event_without_reload() {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    let october = make_event(
        "october inspection",
        EventKind::SiteInspection,
        "曹立强",
        "2023-10-20",
        "2023-10-20",
    );
    let forest = make_event(
        "november forest",
        EventKind::ForestChiefInspection,
        "曹立强",
        "2023-11-05",
        "2023-11-05",
    );
    let expo = make_event(
        "november expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-08",
    );
    let other = make_event(
        "zhong meeting",
        EventKind::Meeting,
        "钟晓咏",
        "2023-11-06",
        "2023-11-06",
    );
    for e in [&october, &forest, &expo, &other] {
        publish_event(&js, e).await;
    }
    app.wait_for_events(4).await;

    let url = format!("{}/?actor=曹立强&from=2023-10-01", app.timeline_url);
    let mut browser = Browser::open(&url).await;
    browser
        .wait_for(
            "document.getElementById('status').dataset.count === '3' \
             && document.getElementById('live').dataset.state === 'open'",
        )
        .await;

    // Activities per month: October 1, November 2, as bars of an inline SVG.
    let bars = browser
        .eval(
            "[...document.querySelectorAll('#months svg#month-chart rect.bar')]\
             .map(r => [r.dataset.month, r.dataset.count, r.getBBox().height > 0])",
        )
        .await;
    assert_eq!(
        bars,
        serde_json::json!([["2023-10", "1", true], ["2023-11", "2", true]]),
        "one bar per month, drawn"
    );
    assert_eq!(
        browser
            .eval("document.getElementById('months').hidden")
            .await,
        false
    );

    // Export links of the current view: its filters, each format, and files that download.
    let links = browser
        .eval("[...document.querySelectorAll('#exports a')].map(a => a.href)")
        .await;
    let links: Vec<String> = serde_json::from_value(links).unwrap();
    println!("export links: {links:#?}");
    assert_eq!(links.len(), 5);
    for format in ["csv", "ics", "atom", "jsonl"] {
        assert!(
            links
                .iter()
                .any(|l| l.contains(&format!("format={format}"))),
            "{format} among {links:?}"
        );
    }
    assert!(links.iter().any(|l| l.contains("bom=1")), "a CSV for Excel");
    for link in &links {
        assert!(
            link.starts_with(&format!("{}/v1/events?", app.timeline_url))
                && link.contains("actor=%E6%9B%B9%E7%AB%8B%E5%BC%BA")
                && link.contains("from=2023-10-01"),
            "the view's filters are carried: {link}"
        );
        let resp = app.http.get(link).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{link}");
        assert!(
            resp.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=")
        );
    }
    let ics = links.iter().find(|l| l.contains("format=ics")).unwrap();
    let (_, _, ics) = get_text(&app, &ics[app.timeline_url.len()..]).await;
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        3,
        "the view's three activities"
    );

    // Live: an activity published after the page loaded appears without a reload (a value
    // set on the window survives), marked new and counted in the chart; one of someone else
    // does not.
    browser.eval("window.loadedOnce = 'still here'").await;
    let mut live = make_event(
        "live meeting",
        EventKind::Meeting,
        "曹立强",
        "2023-11-20",
        "2023-11-20",
    );
    live.evidence[0].text = "11月20日，区委书记曹立强会见来访企业代表。".into();
    let unrelated = make_event(
        "zhong later",
        EventKind::Meeting,
        "钟晓咏",
        "2023-11-21",
        "2023-11-21",
    );
    publish_event(&js, &unrelated).await;
    publish_event(&js, &live).await;
    browser
        .wait_for(&format!(
            "document.getElementById('a-{}') !== null \
             && document.getElementById('status').dataset.count === '4'",
            live.id
        ))
        .await;
    assert_eq!(
        browser.eval("window.loadedOnce").await,
        "still here",
        "no reload"
    );
    assert_eq!(
        browser
            .eval(&format!(
                "document.getElementById('a-{}').classList.contains('new')",
                live.id
            ))
            .await,
        true
    );
    assert_eq!(
        browser
            .eval("document.querySelector('rect[data-month=\"2023-11\"]').dataset.count")
            .await,
        "3"
    );
    let dom = browser.dom().await;
    assert!(!dom.contains("钟晓咏"), "only 曹立强's activities");

    let shot = screenshot_path("timeline-live.png");
    browser.screenshot(&shot).await;
    browser.close().await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    println!("screenshot after the live event: {}", shot.display());
}

/// Behind `DONGTAI_API_TOKEN` a browser cannot send the bearer header (an `EventSource` has no
/// headers): the page opened with a short-lived access token lists, downloads and listens
/// with it, and without one its calls are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_an_api_token_the_page_opened_with_an_access_token_lists_exports_and_listens() {
    chromium();
    let nats = dongtai_testkit::NatsServer::start();
    let data = tempfile::tempdir().unwrap();
    let secret = "page-test-secret";
    let mut config =
        dongtai_timeline::config::Config::for_tests(nats.url(), data.path().join("timeline"));
    config.token = Some(secret.into());
    let timeline = spawn_timeline_with(config).await;
    let base = timeline.url.clone();
    let js = async_nats::jetstream::new(async_nats::connect(nats.url()).await.unwrap());
    let http = reqwest::Client::new();

    let first = make_event(
        "token first",
        EventKind::SiteInspection,
        "曹立强",
        "2023-10-20",
        "2023-10-20",
    );
    publish_event(&js, &first).await;
    let status = http
        .get(format!("{base}/v1/events"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "without the bearer /v1 is closed");
    let stored = wait_until(Duration::from_secs(30), || async {
        let page = json_of(http.get(format!("{base}/v1/events")).bearer_auth(secret)).await;
        page["events"].as_array().is_some_and(|e| e.len() == 1)
    })
    .await;
    assert!(stored, "the first activity is stored");
    let token = json_of(
        http.post(format!("{base}/v1/tokens?minutes=5"))
            .bearer_auth(secret),
    )
    .await;
    let token = token["access_token"].as_str().unwrap().to_owned();

    // Opened without the token, the page loads but cannot list.
    let mut bare = Browser::open(&format!("{base}/?actor=曹立强")).await;
    bare.wait_for("document.getElementById('status').textContent.includes('错误')")
        .await;
    bare.close().await;

    let mut browser = Browser::open(&format!("{base}/?actor=曹立强&access_token={token}")).await;
    browser
        .wait_for("document.getElementById('status').dataset.count === '1'")
        .await;
    browser
        .wait_for("document.getElementById('live').dataset.state === 'open'")
        .await;
    let status_text = browser
        .eval("document.getElementById('status').textContent")
        .await;
    assert!(
        !status_text.to_string().contains(&token),
        "the token is not shown: {status_text}"
    );
    // An export link of the view downloads with the token it carries.
    let csv = browser
        .eval("document.querySelector('#exports a').href")
        .await;
    let csv = csv.as_str().unwrap().to_owned();
    assert!(csv.contains("access_token="), "{csv}");
    assert_eq!(http.get(&csv).send().await.unwrap().status(), 200, "{csv}");

    // The feed opened with the token brings a new activity in without a reload.
    let live = make_event(
        "token live",
        EventKind::Meeting,
        "曹立强",
        "2023-11-20",
        "2023-11-20",
    );
    publish_event(&js, &live).await;
    browser
        .wait_for("document.getElementById('status').dataset.count === '2'")
        .await;
    browser.close().await;
    timeline.stop().await;
}

/// The JSON body of a request's answer.
async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}
