//! `dongtai-ingest watch` against news sites served by the test itself on 127.0.0.1: an RSS
//! feed, an Atom feed in GBK, pages in GB18030, Big5 and UTF-8 (one whose <meta charset>
//! disagrees with its header), a page that answers 500 twice, and bad sources (a feed that is
//! not XML, a page with no text, a 50 MB page, a redirect loop). Real nats-server, real
//! extract and timeline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dongtai_ingest::config::WatchConfig;
use dongtai_ingest::watch::Watcher;
use dongtai_ingest::watch::health::{Health, SourceHealth};
use dongtai_proto::streams;
use dongtai_testkit::wait_until;
use encoding_rs::{BIG5, Encoding, GB18030, GBK};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

// ---- What the test site serves.

fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(s);
    assert!(!unmappable, "{} cannot encode the test page", enc.name());
    bytes.into_owned()
}

/// A news page of a district government site: navigation, headline, an info line, the body,
/// a footer (in traditional script when `trad`, as a Big5 site would be).
fn news_page(head: &str, title: &str, info: &str, paragraphs: &[&str], trad: bool) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    let (site, nav, footer) = if trad {
        (
            "北埔鎮公所",
            "<a href=\"/\">首頁</a> | <a href=\"/news/\">政務要聞</a> | <a href=\"/gk/\">資訊公開</a>",
            "主辦：北埔鎮公所　地址：北埔鎮中正路1號",
        )
    } else {
        (
            "青石区人民政府",
            "<a href=\"/\">首页</a> | <a href=\"/news/\">政务要闻</a> | <a href=\"/gk/\">信息公开</a>",
            "主办：青石区人民政府办公室　地址：青石区政通路1号",
        )
    };
    format!(
        "<!DOCTYPE html><html><head>{head}<title>{title}_{site}</title></head><body>\
         <div class=\"nav\">{nav}</div>\
         <div class=\"article\"><h1>{title}</h1><div class=\"info\">{info}</div>\
         <div class=\"content\">{body}</div></div>\
         <div class=\"footer\">{footer}</div></body></html>"
    )
}

/// GB18030, declared as gb2312 in a http-equiv meta (as such sites do), dated by a PubDate meta.
fn page_gb18030() -> Vec<u8> {
    let html = news_page(
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
         <meta name=\"PubDate\" content=\"2023-11-07 09:30\">",
        "王立川调研秋收秋种工作",
        "来源：青石区融媒体中心",
        &[
            "11月6日上午，区委书记王立川率队前往青石镇调研秋收秋种工作，先后来到青石镇稻米专业合作社、青石镇农机服务中心，详细了解秋粮收购、农机调度等情况。",
            "王立川指出，要抢抓晴好天气，加快秋收进度，确保颗粒归仓。区委常委、区委办公室主任赵明珺参加调研。",
        ],
        false,
    );
    encode(GB18030, &html)
}

/// Big5 with no declaration at all (the detector must find it), dated in its info line.
fn page_big5() -> Vec<u8> {
    let html = news_page(
        "",
        "區長陳志遠視察北埔鎮防汛工作",
        "發佈時間：2023年11月8日 10:15　來源：北埔鎮公所",
        &[
            "11月7日下午，區委副書記、區長陳志遠前往北埔鎮視察防汛工作，先後來到北埔鎮溪口堤防、北埔鎮排水站，詳細了解防汛物資儲備情況。",
            "陳志遠強調，要壓實防汛責任，確保人民群眾生命財產安全。副區長林雅婷陪同視察。",
        ],
        true,
    );
    encode(BIG5, &html)
}

/// UTF-8, served with charset=utf-8, but its meta says gbk (the header wins).
fn page_utf8_wrong_meta() -> Vec<u8> {
    news_page(
        "<meta charset=\"gbk\"><meta property=\"article:published_time\" \
         content=\"2023-11-09T08:00:00+08:00\">",
        "王立川开展林长制巡林工作",
        "来源：青石区林业局",
        &[
            "11月8日上午，区委书记、区级总林长王立川前往松岭街道开展林长制巡林工作，实地察看松岭森林公园护林防火情况。",
            "王立川要求，各级林长要守好森林资源，扎实推进林长制工作。区级副总林长周海宁参加巡林。",
        ],
        false,
    )
    .into_bytes()
}

/// UTF-8, the page that answers 500 twice first.
fn page_flaky() -> Vec<u8> {
    news_page(
        "",
        "孙嘉禾带队赴南浔市开展招商活动",
        "发布日期：2023-11-10　来源：区投促办",
        &[
            "11月9日，区委常委、副区长孙嘉禾带队前往南浔市开展招商活动，先后走访南浔智能装备有限公司、南浔新材料科技有限公司，对接洽谈项目合作。",
            "区投促办负责人一同参加。",
        ],
        false,
    )
    .into_bytes()
}

/// UTF-8, the item added while the watcher is stopped.
fn page_late() -> Vec<u8> {
    news_page(
        "<meta name=\"PubDate\" content=\"2023-11-13\">",
        "周海宁调研城市更新工作",
        "",
        &[
            "11月12日上午，区委副书记、区长周海宁前往东湖街道调研城市更新工作，实地察看东湖老旧小区改造项目、东湖口袋公园建设现场。",
            "周海宁强调，要把群众满意作为第一标准。副区长林雅婷陪同调研。",
        ],
        false,
    )
    .into_bytes()
}

fn rss(base: &str, late_item: bool) -> String {
    let item = |path: &str, title: &str, date: &str| {
        format!(
            "<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>\
             <pubDate>{date}</pubDate></item>"
        )
    };
    let mut items = vec![
        item(
            "/news/1.html",
            "王立川调研秋收秋种工作",
            "Tue, 07 Nov 2023 01:30:00 GMT",
        ),
        item(
            "/news/3.html",
            "王立川开展林长制巡林工作",
            "Thu, 09 Nov 2023 00:00:00 GMT",
        ),
        item(
            "/loop/a",
            "一个转来转去的页面",
            "Thu, 09 Nov 2023 02:00:00 GMT",
        ),
    ];
    if late_item {
        items.insert(
            0,
            item(
                "/news/5.html",
                "周海宁调研城市更新工作",
                "Mon, 13 Nov 2023 01:00:00 GMT",
            ),
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>青石区人民政府 政务要闻</title><link>{base}/news/</link>\
         <description>青石区政务要闻</description>{}</channel></rss>",
        items.concat()
    )
}

/// Atom in GBK, declared in its prolog; relative links.
fn atom() -> Vec<u8> {
    let entry = |path: &str, title: &str, date: &str| {
        format!(
            "<entry><title>{title}</title><id>tag:beipu,{path}</id>\
             <link rel=\"alternate\" href=\"{path}\"/><updated>{date}</updated></entry>"
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"GBK\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>北埔镇 动态</title><id>tag:beipu,feed</id><updated>2023-11-10T08:00:00Z</updated>{}</feed>",
        [
            entry(
                "/news/2.html",
                "区长陈志远视察北埔镇防汛工作",
                "2023-11-08T02:15:00Z"
            ),
            entry(
                "/news/4.html",
                "孙嘉禾带队赴南浔市开展招商活动",
                "2023-11-10T01:00:00Z"
            ),
            entry("/news/empty.html", "通知", "2023-11-10T02:00:00Z"),
            entry("/news/huge.html", "附件", "2023-11-10T03:00:00Z"),
        ]
        .concat()
    );
    encode(GBK, &xml)
}

#[derive(Default)]
struct Site {
    base: OnceLock<String>,
    hits: Mutex<HashMap<String, u64>>,
    not_modified: AtomicU32,
    /// Feeds honour If-None-Match / If-Modified-Since.
    validators: AtomicBool,
    /// The RSS feed lists a fifth item.
    late_item: AtomicBool,
    /// 500s the flaky page still answers.
    flaky_failures: AtomicU32,
}

impl Site {
    fn hits(&self, path: &str) -> u64 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
    fn page_hits(&self) -> HashMap<String, u64> {
        let hits = self.hits.lock().unwrap();
        hits.iter()
            .filter(|(p, _)| !p.ends_with(".xml"))
            .map(|(p, n)| (p.clone(), *n))
            .collect()
    }
}

const RSS_ETAG: &str = "\"rss-1\"";
const RSS_ETAG_LATE: &str = "\"rss-2\"";
const ATOM_LAST_MODIFIED: &str = "Fri, 10 Nov 2023 08:00:00 GMT";

async fn serve(
    State(site): State<Arc<Site>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/{path}");
    *site.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let base = site.base.get().unwrap().clone();
    let honour = site.validators.load(Ordering::SeqCst);
    let html =
        |bytes: Vec<u8>, ct: &'static str| ([(header::CONTENT_TYPE, ct)], bytes).into_response();
    match path.as_str() {
        "/rss.xml" => {
            let late = site.late_item.load(Ordering::SeqCst);
            let etag = if late { RSS_ETAG_LATE } else { RSS_ETAG };
            if honour && headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == etag) {
                site.not_modified.fetch_add(1, Ordering::SeqCst);
                return StatusCode::NOT_MODIFIED.into_response();
            }
            (
                [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"), (header::ETAG, etag)],
                rss(&base, late),
            )
                .into_response()
        }
        "/atom.xml" => {
            if honour
                && headers
                    .get(header::IF_MODIFIED_SINCE)
                    .is_some_and(|v| v == ATOM_LAST_MODIFIED)
            {
                site.not_modified.fetch_add(1, Ordering::SeqCst);
                return StatusCode::NOT_MODIFIED.into_response();
            }
            (
                [
                    (header::CONTENT_TYPE, "application/atom+xml"),
                    (header::LAST_MODIFIED, ATOM_LAST_MODIFIED),
                ],
                atom(),
            )
                .into_response()
        }
        "/broken.xml" => html(
            "Service Unavailable: 系统维护中，请稍后访问".as_bytes().to_vec(),
            "text/xml",
        ),
        "/news/1.html" => html(page_gb18030(), "text/html"),
        "/news/2.html" => html(page_big5(), "text/html"),
        "/news/3.html" => html(page_utf8_wrong_meta(), "text/html; charset=utf-8"),
        "/news/4.html" => {
            let left = site.flaky_failures.load(Ordering::SeqCst);
            if left > 0 {
                site.flaky_failures.store(left - 1, Ordering::SeqCst);
                return (StatusCode::INTERNAL_SERVER_ERROR, "数据库连接失败").into_response();
            }
            html(page_flaky(), "text/html; charset=utf-8")
        }
        "/news/5.html" => html(page_late(), "text/html; charset=utf-8"),
        "/news/empty.html" => html(
            b"<html><head><title>\xe9\x80\x9a\xe7\x9f\xa5</title></head><body><script>var a = 1;</script></body></html>"
                .to_vec(),
            "text/html; charset=utf-8",
        ),
        "/news/huge.html" => {
            // 50 MB, chunked (no Content-Length): the watcher must stop reading at its limit.
            let chunk = bytes::Bytes::from(format!("<p>{}</p>", "青石区".repeat(87_000)).into_bytes());
            let chunks = (0..(50 << 20) / chunk.len() + 1)
                .map(move |_| Ok::<_, std::io::Error>(chunk.clone()));
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                Body::from_stream(futures::stream::iter(chunks)),
            )
                .into_response()
        }
        "/loop/a" => (StatusCode::FOUND, [(header::LOCATION, "/loop/b")]).into_response(),
        "/loop/b" => (StatusCode::FOUND, [(header::LOCATION, "/loop/a")]).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start_site() -> Arc<Site> {
    let site = Arc::new(Site::default());
    site.validators.store(true, Ordering::SeqCst);
    site.flaky_failures.store(2, Ordering::SeqCst);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    site.base
        .set(format!("http://{}", listener.local_addr().unwrap()))
        .unwrap();
    let app = axum::Router::new()
        .route("/{*path}", get(serve))
        .with_state(site.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    site
}

// ---- The log, captured for the whole test binary.

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log() -> &'static LogBuffer {
    static LOG: OnceLock<LogBuffer> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_env_filter("dongtai_ingest=debug")
            .with_writer(move || writer.clone())
            .init();
        buf
    })
}

fn log_lines(containing: &[&str]) -> Vec<String> {
    let text = String::from_utf8_lossy(&log().0.lock().unwrap()).into_owned();
    text.lines()
        .filter(|l| containing.iter().all(|c| l.contains(c)))
        .map(str::to_owned)
        .collect()
}

// ---- The watcher, in-process.

struct Running {
    stop: CancellationToken,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
    health: Arc<Health>,
    url: String,
}

impl Running {
    fn source(&self, name: &str) -> SourceHealth {
        self.health
            .snapshot()
            .get(name)
            .cloned()
            .unwrap_or_default()
    }
    async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(30), self.handle)
            .await
            .expect("watch stops in time")
            .unwrap()
            .unwrap();
    }
}

async fn start_watch(nats_url: &str, sources: std::path::PathBuf) -> Running {
    let mut config = WatchConfig::for_tests(nats_url, sources);
    config.max_bytes = 4 * 1024 * 1024;
    let watcher = Watcher::build(config).await.unwrap();
    let health = watcher.health();
    let url = format!("http://{}", watcher.local_addr());
    let stop = CancellationToken::new();
    let handle = tokio::spawn(watcher.run_until_stopped(stop.clone()));
    Running {
        stop,
        handle,
        health,
        url,
    }
}

fn write_sources(dir: &std::path::Path, base: &str) -> std::path::PathBuf {
    let path = dir.join("sources.toml");
    std::fs::write(
        &path,
        format!(
            "[[source]]\nname = \"qingshi\"\nfeed = \"{base}/rss.xml\"\noutlet = \"青石区人民政府\"\n\n\
             [[source]]\nname = \"beipu\"\nfeed = \"{base}/atom.xml\"\noutlet = \"北埔镇人民政府\"\n\n\
             [[source]]\nname = \"broken\"\nfeed = \"{base}/broken.xml\"\n"
        ),
    )
    .unwrap();
    path
}

/// Timeline events by their page URL.
async fn events_by_url(app: &TestApp) -> HashMap<String, Vec<serde_json::Value>> {
    let mut out: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    for e in app.events("limit=100").await {
        if let Some(url) = e["source"]["url"].as_str() {
            out.entry(url.to_owned()).or_default().push(e);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_ingests_every_feed_item_once_in_its_encoding_and_survives_bad_sources_and_restarts()
{
    log();
    let site = start_site().await;
    let base = site.base.get().unwrap().clone();
    let app = spawn_app().await;
    let sources = write_sources(app.data.path(), &base);
    let watch = start_watch(app.nats.url(), sources.clone()).await;

    // Every good page arrives, as events in the timeline, with its URL and the page's date.
    let expected = [
        ("/news/1.html", "2023-11-07", "王立川", "2023-11-06"),
        ("/news/2.html", "2023-11-08", "陳志遠", "2023-11-07"),
        ("/news/3.html", "2023-11-09", "王立川", "2023-11-08"),
        ("/news/4.html", "2023-11-10", "孙嘉禾", "2023-11-09"),
    ];
    let arrived = wait_until(Duration::from_secs(60), || async {
        let by_url = events_by_url(&app).await;
        expected
            .iter()
            .all(|(p, ..)| by_url.contains_key(&format!("{base}{p}")))
    })
    .await;
    let by_url = events_by_url(&app).await;
    assert!(
        arrived,
        "not every page reached the timeline: {:?}; health {:#?}",
        by_url.keys(),
        watch.health.snapshot()
    );
    for (path, published, lead, day) in expected {
        let events = &by_url[&format!("{base}{path}")];
        assert_eq!(events.len(), 1, "{path}: {events:#?}");
        let e = &events[0];
        assert_eq!(e["source"]["published"], published, "{path}: {e:#}");
        assert_eq!(e["when"]["start"], day, "{path}: {e:#}");
        let lead_name = e["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["role"] == "lead")
            .unwrap();
        assert_eq!(lead_name["name"], lead, "{path}: {e:#}");
    }
    // The GB18030 page's name outside GB2312 came through, not as mojibake.
    let gb = &by_url[&format!("{base}/news/1.html")][0];
    assert!(gb.to_string().contains("赵明珺"), "{gb:#}");
    assert_eq!(gb["source"]["outlet"], "青石区人民政府");
    assert_eq!(gb["source"]["title"], "王立川调研秋收秋种工作");

    // The flaky page answered 500 twice and was fetched a third time; every other page once.
    assert!(
        wait_until(Duration::from_secs(20), || async {
            watch.source("qingshi").pages_given_up == 1 && watch.source("beipu").pages_given_up == 2
        })
        .await,
        "bad pages were not given up: {:#?}",
        watch.health.snapshot()
    );
    assert_eq!(site.hits("/news/4.html"), 3);
    assert_eq!(watch.source("beipu").pages_retried, 2);
    for p in [
        "/news/1.html",
        "/news/2.html",
        "/news/3.html",
        "/news/empty.html",
        "/news/huge.html",
        "/loop/a",
    ] {
        assert_eq!(site.hits(p), 1, "{p} fetched {} times", site.hits(p));
    }

    // Each bad source gave a clear logged error; the other sources kept flowing (above).
    for (what, words) in [
        (
            "feed not XML",
            vec![
                "ERROR",
                "feed unreadable",
                "source=broken",
                "is not an RSS, Atom or JSON feed",
            ],
        ),
        (
            "page with no text",
            vec!["ERROR", "page given up", "empty.html", "no article text"],
        ),
        (
            "50 MB page",
            vec![
                "ERROR",
                "page given up",
                "huge.html",
                "larger than the 4194304-byte limit",
            ],
        ),
        (
            "redirect loop",
            vec!["ERROR", "page given up", "/loop/a", "redirects in a loop"],
        ),
        (
            "page 500",
            vec!["WARN", "page failed; will retry", "4.html", "500"],
        ),
    ] {
        assert!(
            !log_lines(&words).is_empty(),
            "{what}: no log line with {words:?}"
        );
    }
    let broken = watch.source("broken");
    assert!(!broken.up && broken.polls_failed >= 1, "{broken:#?}");
    assert!(
        broken
            .last_error
            .unwrap()
            .contains("not an RSS, Atom or JSON feed")
    );
    let metrics = crate::helpers::get_body(&app.http, format!("{}/metrics", watch.url)).await;
    // The watch's ops endpoints have the shape of the services' (skeleton.rs).
    dongtai_common::metrics::check_exposition(&metrics).unwrap();
    let ready: serde_json::Value = app
        .http
        .get(format!("{}/readyz", watch.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["nats"], "ok", "{ready}");
    assert!(
        metrics.contains("dongtai_watch_source_up{source=\"broken\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("dongtai_watch_source_up{source=\"qingshi\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("dongtai_watch_pages_total{result=\"ingested\",source=\"beipu\"} 2"),
        "{metrics}"
    );
    assert_eq!(app.stream_messages(streams::ARTICLES).await, 4);

    // A 304 costs no re-parse: the feeds keep being polled, none is parsed again.
    let (rss_parsed, atom_parsed) = (
        watch.source("qingshi").polls_parsed,
        watch.source("beipu").polls_parsed,
    );
    let (rss_304, atom_304) = (
        watch.source("qingshi").polls_not_modified,
        watch.source("beipu").polls_not_modified,
    );
    assert!(
        wait_until(Duration::from_secs(20), || async {
            watch.source("qingshi").polls_not_modified >= rss_304 + 2
                && watch.source("beipu").polls_not_modified >= atom_304 + 2
        })
        .await
    );
    assert_eq!(watch.source("qingshi").polls_parsed, rss_parsed);
    assert_eq!(watch.source("beipu").polls_parsed, atom_parsed);
    assert!(site.not_modified.load(Ordering::SeqCst) >= 4);

    // Restart. Meanwhile the RSS feed gains an item, and the feeds stop answering 304, so the
    // new watcher parses both and must tell the new item from the seen ones by its state alone.
    watch.stop().await;
    let pages_before = site.page_hits();
    site.late_item.store(true, Ordering::SeqCst);
    site.validators.store(false, Ordering::SeqCst);
    let watch = start_watch(app.nats.url(), sources).await;
    assert!(
        wait_until(Duration::from_secs(30), || async {
            watch.source("qingshi").polls_parsed >= 2 && watch.source("beipu").polls_parsed >= 2
        })
        .await,
        "{:#?}",
        watch.health.snapshot()
    );
    let mut pages_after = site.page_hits();
    assert_eq!(
        pages_after.remove("/news/5.html"),
        Some(1),
        "the new item was not fetched once"
    );
    assert_eq!(
        pages_after, pages_before,
        "a page was fetched again after the restart"
    );
    assert_eq!(watch.source("qingshi").items_new, 1);
    assert_eq!(watch.source("beipu").items_new, 0);
    assert!(
        wait_until(Duration::from_secs(30), || async {
            events_by_url(&app)
                .await
                .contains_key(&format!("{base}/news/5.html"))
        })
        .await
    );
    assert_eq!(
        app.stream_messages(streams::ARTICLES).await,
        5,
        "an article was ingested twice"
    );
    let by_url = events_by_url(&app).await;
    assert!(
        by_url.values().all(|events| events.len() == 1),
        "{by_url:#?}"
    );
    assert_eq!(
        by_url[&format!("{base}/news/5.html")][0]["source"]["published"],
        "2023-11-13"
    );
    watch.stop().await;
}

/// `POST /v1/articles` with an HTML page or a text in a Chinese encoding: the page's text,
/// headline and date are stored; bytes that cannot be read are refused with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_html_reads_the_page_in_its_encoding_and_refuses_undecodable_bytes() {
    log();
    let nats = dongtai_testkit::NatsServer::start();
    let ingest = spawn_ingest(nats.url()).await;
    let http = reqwest::Client::new();
    let post = |ct: &'static str, query: Vec<(&'static str, &'static str)>, body: Vec<u8>| {
        let http = http.clone();
        let url = format!("{}/v1/articles", ingest.url);
        async move {
            let resp = http
                .post(url)
                .query(&query)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    let url = "https://www.beipu.example.tw/news/2.html";
    let (status, body) = post("text/html", vec![("url", url)], page_big5()).await;
    assert_eq!(status, 202, "{body}");
    let (status, body) = post("text/html", vec![("url", url)], page_gb18030()).await;
    assert_eq!(status, 202, "{body}");
    // A Big5 text file, no charset given: detected.
    let (status, body) = post(
        "text/plain",
        vec![("published", "2023-11-08")],
        encode(BIG5, "11月7日下午，區長陳志遠前往北埔鎮視察防汛工作。"),
    )
    .await;
    assert_eq!(status, 202, "{body}");

    let js = async_nats::jetstream::new(async_nats::connect(nats.url()).await.unwrap());
    let stream = js.get_stream(streams::ARTICLES).await.unwrap();
    let first: dongtai_proto::Article =
        serde_json::from_slice(&stream.get_raw_message(1).await.unwrap().payload).unwrap();
    assert_eq!(first.url.as_deref(), Some(url));
    assert_eq!(first.published, Some("2023-11-08".parse().unwrap()));
    assert!(
        first
            .text
            .contains("區委副書記、區長陳志遠前往北埔鎮視察防汛工作"),
        "{}",
        first.text
    );
    assert!(!first.text.contains("首頁"), "{}", first.text);
    assert!(
        first
            .title
            .unwrap()
            .contains("區長陳志遠視察北埔鎮防汛工作")
    );
    let second: dongtai_proto::Article =
        serde_json::from_slice(&stream.get_raw_message(2).await.unwrap().payload).unwrap();
    assert_eq!(second.published, Some("2023-11-07".parse().unwrap()));
    assert!(second.text.contains("赵明珺"), "{}", second.text);

    // Bad input: each a 4xx with the reason, nothing stored.
    for (name, ct, body, status, says) in [
        (
            "GB18030 bytes labelled UTF-8",
            "text/html; charset=utf-8",
            page_gb18030(),
            400,
            "not valid UTF-8",
        ),
        (
            "a charset we do not read",
            "text/html; charset=iso-8859-1",
            b"<p>x</p>".to_vec(),
            415,
            "content type",
        ),
        (
            "a page with no text",
            "text/html",
            b"<html><body><script>x()</script></body></html>".to_vec(),
            422,
            "no article text",
        ),
        (
            "bytes no Chinese encoding reads",
            "text/plain",
            encode(
                encoding_rs::WINDOWS_1252,
                "Le préfet a visité la région élevée.",
            ),
            400,
            "cannot tell the encoding",
        ),
    ] {
        let (got, body) = post(ct, vec![], body).await;
        assert_eq!(got, status, "{name}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(says),
            "{name}: {body}"
        );
    }
    let mut stream = js.get_stream(streams::ARTICLES).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 3);
    ingest.stop().await;
}
