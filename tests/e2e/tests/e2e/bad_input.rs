//! Malformed requests to ingest and timeline: each gets a 4xx with a JSON error that names the
//! field and the problem, and no stream receives anything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::streams;

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    field: &'static str,
}

fn ingest(
    name: &'static str,
    path: &str,
    ct: Option<&'static str>,
    body: impl Into<Vec<u8>>,
    status: u16,
    field: &'static str,
) -> Case {
    Case {
        name,
        method: "POST",
        path: path.to_owned(),
        content_type: ct,
        body: body.into(),
        status,
        field,
    }
}

fn query(name: &'static str, path: String, status: u16, field: &'static str) -> Case {
    Case {
        name,
        method: "GET",
        path,
        content_type: None,
        body: Vec::new(),
        status,
        field,
    }
}

const JSON: Option<&str> = Some("application/json");
const TEXT: Option<&str> = Some("text/plain; charset=utf-8");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_a_4xx_naming_the_field_and_publish_nothing() {
    let app = spawn_app().await;
    // 600 KiB of UTF-8, over the 512 KiB limit. The server reads and drops a body declared too
    // large (up to 4 MiB, for up to 2 s) before its 413, so the client, still writing, reads
    // the answer rather than a connection closed under it (dongtai_common::http).
    let big = "字".repeat(200 * 1024);
    let cases = vec![
        ingest(
            "empty text",
            "/v1/articles",
            JSON,
            r#"{"text": ""}"#,
            422,
            "text",
        ),
        ingest(
            "blank text",
            "/v1/articles",
            JSON,
            r#"{"text": "  \n\t "}"#,
            422,
            "text",
        ),
        ingest("empty plain body", "/v1/articles", TEXT, "", 422, "text"),
        ingest(
            "not UTF-8",
            "/v1/articles",
            TEXT,
            vec![0xe5, 0xad, 0xff, 0xfe],
            400,
            "body",
        ),
        ingest(
            "over the size limit",
            "/v1/articles",
            TEXT,
            big.clone(),
            413,
            "body",
        ),
        ingest(
            "wrong content type",
            "/v1/articles",
            Some("application/xml"),
            "<a/>",
            415,
            "content-type",
        ),
        ingest(
            "no content type",
            "/v1/articles",
            None,
            "区委书记",
            415,
            "content-type",
        ),
        ingest(
            "malformed JSON",
            "/v1/articles",
            JSON,
            r#"{"text": "区委书记"#,
            400,
            "body",
        ),
        ingest(
            "wrong type in a field",
            "/v1/articles",
            JSON,
            r#"{"text": 5}"#,
            400,
            "text",
        ),
        ingest(
            "impossible date in JSON",
            "/v1/articles",
            JSON,
            r#"{"text": "区委书记前往调研。", "published": "2023-02-30"}"#,
            400,
            "published",
        ),
        ingest(
            "impossible date as parameter",
            "/v1/articles?published=2023-02-30",
            TEXT,
            "区委书记前往调研。",
            400,
            "published",
        ),
        ingest(
            "unknown JSON field",
            "/v1/articles",
            JSON,
            r#"{"text": "区委书记", "txet": 1}"#,
            400,
            "txet",
        ),
        ingest(
            "unknown layout",
            "/v1/articles?layout=poster",
            TEXT,
            "区委书记前往调研。",
            400,
            "layout",
        ),
        ingest(
            "control characters in text",
            "/v1/articles",
            JSON,
            "{\"text\": \"区委\\u0000书记\"}",
            422,
            "text",
        ),
        ingest(
            "a latin-1 charset",
            "/v1/articles",
            Some("text/plain; charset=latin1"),
            "abc",
            415,
            "content-type",
        ),
        query(
            "from after to",
            "/v1/events?from=2023-11-30&to=2023-11-01".into(),
            400,
            "from",
        ),
        query(
            "impossible from date",
            "/v1/events?from=2023-02-30".into(),
            400,
            "from",
        ),
        query("negative limit", "/v1/events?limit=-1".into(), 400, "limit"),
        query(
            "huge limit",
            "/v1/events?limit=100000000000000000000".into(),
            400,
            "limit",
        ),
        query("zero limit", "/v1/events?limit=0".into(), 400, "limit"),
        query("unknown kind", "/v1/events?kind=parade".into(), 400, "kind"),
        query(
            "garbage cursor",
            "/v1/events?cursor=%27%3B%20DROP%20TABLE".into(),
            400,
            "cursor",
        ),
        query(
            "control character in a filter",
            "/v1/events?actor=%E6%9B%B9%00%0A".into(),
            400,
            "actor",
        ),
        query(
            "quotes and escapes in a filter are data",
            "/v1/events?actor=%22%5C%27%7B%7D%24where".into(),
            200,
            "",
        ),
        query(
            "very long query string",
            format!("/v1/events?q={}", "长".repeat(5000)),
            400,
            "q",
        ),
        query("unknown parameter", "/v1/events?actr=x".into(), 400, "actr"),
        query(
            "repeated parameter",
            "/v1/events?actor=a&actor=b".into(),
            400,
            "actor",
        ),
        query(
            "unknown format",
            "/v1/events?format=xml".into(),
            400,
            "format",
        ),
        query(
            "not an event id",
            "/v1/events/..%2F..%2Fetc".into(),
            400,
            "id",
        ),
    ];
    let mut failures = Vec::new();
    for c in &cases {
        let base = if c.method == "POST" {
            &app.ingest.url
        } else {
            &app.timeline_url
        };
        let mut req = match c.method {
            "POST" => app
                .http
                .post(format!("{base}{}", c.path))
                .body(c.body.clone()),
            _ => app.http.get(format!("{base}{}", c.path)),
        };
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
        let field_ok = c.status == 200 || body["field"] == c.field;
        let has_detail = c.status == 200 || body["detail"].as_str().is_some_and(|d| !d.is_empty());
        if status != c.status || !field_ok || !has_detail {
            failures.push(format!(
                "{}: got {status} {body}, want {} field {:?}",
                c.name, c.status, c.field
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let four_xx = cases
        .iter()
        .filter(|c| (400..500).contains(&c.status))
        .count();
    assert!(four_xx >= 15, "at least 15 malformed requests");
    assert_eq!(
        app.stream_messages(streams::ARTICLES).await,
        0,
        "nothing was published"
    );
    assert_eq!(
        app.stream_messages(streams::EVENTS).await,
        0,
        "nothing was published"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_answers_503_and_never_202_while_nats_is_down() {
    let mut app = spawn_app().await;
    app.nats.kill();
    let ok = dongtai_testkit::wait_until(std::time::Duration::from_secs(10), || async {
        let r = app
            .http
            .get(format!("{}/readyz", app.ingest.url))
            .send()
            .await
            .unwrap();
        r.status() == 503
    })
    .await;
    assert!(ok, "ingest never reported not-ready");
    let resp = app
        .http
        .post(format!("{}/v1/articles", app.ingest.url))
        .header("content-type", "text/plain; charset=utf-8")
        .body("11月5日上午，区委书记张明前往某镇调研。")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    app.nats.restart();
}
