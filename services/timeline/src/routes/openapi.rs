//! `GET /openapi.json`: the timeline API as an OpenAPI 3.1 document, built from the types (the
//! contracts in `dongtai_proto`, the filters of [`crate::query::Filter`], and the response
//! shapes below). `proto/openapi/timeline.json` is this document written out; a test keeps it
//! current and parses it back.

use crate::query::{self, Filter};
use axum::Json;
use dongtai_proto::openapi::{Document, json_response, query_param, string_schema};
use dongtai_proto::{ActivityEvent, ActorKind, EventId, EventKind, Evidence, Source, When};
use schemars::JsonSchema;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// A page of `GET /v1/events` (`format=json`).
#[allow(dead_code)]
#[derive(JsonSchema)]
struct EventsPage {
    /// Activities in the order asked (newest first by default).
    events: Vec<Activity>,
    /// Pass back as `cursor=` for the next page; null on the last one. The `Link: rel="next"`
    /// header carries the same.
    next_cursor: Option<String>,
    /// Activities answering the query, counted up to 1000 (see `total_is_lower_bound`).
    total: u64,
    /// True when counting stopped early: there are at least `total`.
    total_is_lower_bound: bool,
}

/// An activity: its first report (an activity event) with what the other reports of the same
/// activity add.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Activity {
    #[serde(flatten)]
    event: ActivityEvent,
    /// The kind in English and Chinese.
    kind_label: KindLabel,
    /// The activity's id (the first stored report's event id).
    group: String,
    /// Reports of this activity.
    source_count: u64,
    /// Every report.
    sources: Vec<Report>,
    /// Fields on which the reports differ.
    disagreements: Vec<Disagreement>,
    /// Present and true when the report was withdrawn (`GET /v1/events/{id}` only).
    retracted: Option<bool>,
    /// When the timeline stored it (`GET /v1/events/{id}` only).
    stored_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A kind's labels.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct KindLabel {
    en: String,
    zh: String,
}

/// One report of an activity.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Report {
    event_id: EventId,
    source: Source,
    when: When,
    evidence: Vec<Evidence>,
    confidence: f64,
    extractor: String,
}

/// A field on which the reports of one activity differ.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Disagreement {
    /// `when`, `part_of_day`, `places`, `targets` or `topic`.
    field: String,
    /// Each value with the reports that gave it.
    values: Vec<Value>,
}

/// `GET /v1/events/{id}/history`.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct History {
    id: EventId,
    /// Every version, oldest first, the current one last (`replaced_at` null).
    versions: Vec<Value>,
}

/// `GET /v1/actors`.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Actors {
    actors: Vec<ActorSummary>,
}

/// An actor as stored.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct ActorSummary {
    /// Name as written.
    name: String,
    kind: ActorKind,
    /// Every title the articles gave it, first seen first.
    titles: Vec<String>,
    /// Live events it takes part in.
    events: u64,
}

/// `GET /v1/stats`.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Stats {
    /// Live events.
    events: u64,
    /// Live events per kind.
    kinds: std::collections::BTreeMap<String, u64>,
}

/// `GET /v1/kinds`.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Kinds {
    kinds: Vec<KindEntry>,
}

/// A kind with its labels.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct KindEntry {
    kind: EventKind,
    en: String,
    zh: String,
}

/// `POST /v1/tokens`.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct AccessToken {
    /// Pass as `?access_token=` on any `GET /v1/...`.
    access_token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    /// Seconds it is valid.
    expires_in: u64,
}

/// The document, built once.
static DOCUMENT: LazyLock<Value> = LazyLock::new(document);

/// `GET /openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(DOCUMENT.clone())
}

fn filter_params() -> Vec<Value> {
    Filter::NAMES
        .iter()
        .map(|name| query_param(name, Filter::help(name), json!({"type": "string"})))
        .collect()
}

fn access_token_param() -> Value {
    query_param(
        super::tokens::PARAM,
        "A short-lived token from POST /v1/tokens, for clients that cannot send the bearer \
         header (a browser's EventSource).",
        json!({"type": "string"}),
    )
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description,
           "schema": {"type": "string"}})
}

/// The timeline API's OpenAPI document.
pub fn document() -> Value {
    let mut doc = Document::new(
        "dongtai timeline",
        env!("CARGO_PKG_VERSION"),
        "Official activities reported by the press: query, export, live feed.",
    );
    doc.security_scheme(
        "accessToken",
        json!({"type": "apiKey", "in": "query", "name": super::tokens::PARAM}),
    );
    let read = json!([{"bearer": []}, {"accessToken": []}]);
    let common = doc.errors(&[
        (400, "A parameter is malformed or unknown."),
        (401, "No valid bearer or access token."),
        (503, "Overloaded or timed out."),
    ]);
    let with = |extra: Map| -> Map {
        let mut all = common.clone();
        all.extend(extra);
        all
    };
    type Map = serde_json::Map<String, Value>;

    let mut params = filter_params();
    params.extend([
        query_param(
            "limit",
            "Page size.",
            json!({"type": "integer", "minimum": 1, "maximum": query::MAX_LIMIT,
                   "default": query::DEFAULT_LIMIT}),
        ),
        query_param(
            "cursor",
            "Where the page starts: a next_cursor handed out.",
            json!({"type": "string"}),
        ),
        query_param(
            "sort",
            "Newest first (desc, the default) or oldest first.",
            json!({"type": "string", "enum": ["desc", "asc"], "default": "desc"}),
        ),
        query_param(
            "format",
            "json (a page), jsonl, csv, ics or atom (exports, 500 rows unless limit says).",
            json!({"type": "string", "enum": ["json", "jsonl", "csv", "ics", "atom"],
                   "default": "json"}),
        ),
        query_param(
            "bom",
            "1: a CSV export starts with a UTF-8 byte order mark, so Excel reads its Chinese.",
            json!({"type": "string", "enum": ["1"]}),
        ),
        access_token_param(),
    ]);
    let page = doc.schema::<EventsPage>();
    let mut ok = json_response("A page of activities.", page);
    for (ct, what) in [
        ("application/jsonl", "one activity per line"),
        ("text/csv", "one row per report"),
        ("text/calendar", "one VEVENT per activity"),
        ("application/atom+xml", "one entry per activity"),
    ] {
        ok["content"][ct] = json!({"schema": string_schema(what)});
    }
    ok["headers"] = json!({
        "Link": {"description": "RFC 8288 link to the next page: <...>; rel=\"next\"",
                 "schema": {"type": "string"}},
        "x-next-cursor": {"description": "The next page's cursor (exports).",
                          "schema": {"type": "string"}},
        "ETag": {"description": "Exports: a weak tag of the answer; send it back in \
                                 If-None-Match for a 304 while nothing changed.",
                 "schema": {"type": "string"}},
        "Content-Disposition": {"description": "Exports: an attachment with a file name.",
                                "schema": {"type": "string"}},
    });
    let mut not_modified = Map::new();
    not_modified.insert(
        "304".to_owned(),
        json!({"description": "An export unchanged since the ETag in If-None-Match."}),
    );
    doc.operation(
        "get",
        "/v1/events",
        json!({"summary": "Activities matching the filters, a page at a time",
               "operationId": "listEvents", "parameters": params, "security": read,
               "responses": with(Map::from_iter([("200".to_owned(), ok)]
                   .into_iter().chain(not_modified)))}),
    );

    let activity = doc.schema::<Activity>();
    let not_found = doc.errors(&[(404, "No such event.")]);
    let id = path_param("id", "An event id (32 hex digits).");
    let mut by_id = with(not_found.clone());
    by_id.insert(
        "200".into(),
        json_response("The event and its activity.", activity),
    );
    doc.operation(
        "get",
        "/v1/events/{id}",
        json!({"summary": "One event, retracted or not", "operationId": "getEvent",
               "parameters": [id, access_token_param()], "security": read, "responses": by_id}),
    );
    let history = doc.schema::<History>();
    let mut hist = with(not_found);
    hist.insert(
        "200".into(),
        json_response("Every version, oldest first.", history),
    );
    doc.operation(
        "get",
        "/v1/events/{id}/history",
        json!({"summary": "Every version the extractors produced",
               "operationId": "getEventHistory", "parameters": [id, access_token_param()],
               "security": read, "responses": hist}),
    );

    let simple: [(&str, &str, &str, Value); 3] = [
        (
            "/v1/actors",
            "listActors",
            "Every actor with its titles and event count",
            doc.schema::<Actors>(),
        ),
        (
            "/v1/stats",
            "getStats",
            "Live events, in all and per kind",
            doc.schema::<Stats>(),
        ),
        (
            "/v1/kinds",
            "listKinds",
            "Every event kind with its labels",
            doc.schema::<Kinds>(),
        ),
    ];
    for (path, op, summary, schema) in simple {
        doc.operation(
            "get",
            path,
            json!({"summary": summary, "operationId": op, "parameters": [access_token_param()],
                   "security": read,
                   "responses": with(Map::from_iter([("200".to_owned(),
                                                       json_response(summary, schema))]))}),
        );
    }
    for (path, op, summary) in [
        (
            "/v1/actors/{name}",
            "getActor",
            "An actor's titles over time and activities per month",
        ),
        (
            "/v1/actors/{name}/companions",
            "getActorCompanions",
            "Who took part in the same activities",
        ),
        (
            "/v1/actors/{name}/months",
            "getActorMonths",
            "Activities per month",
        ),
    ] {
        let mut responses = with(doc.errors(&[(404, "No such actor.")]));
        responses.insert(
            "200".into(),
            json_response(summary, json!({"type": "object"})),
        );
        doc.operation(
            "get",
            path,
            json!({"summary": summary, "operationId": op,
                   "parameters": [path_param("name", "The name as written."),
                                  access_token_param()],
                   "security": read, "responses": responses}),
        );
    }

    let mut feed_params = filter_params();
    feed_params.push(query_param(
        "last_event_id",
        "Resume after this id (the Last-Event-ID header does the same).",
        json!({"type": "integer", "minimum": 0}),
    ));
    feed_params.push(access_token_param());
    feed_params.push(
        json!({"name": "Last-Event-ID", "in": "header", "required": false,
                            "description": "Resume after this id.", "schema": {"type": "integer"}}),
    );
    doc.operation(
        "get",
        "/v1/feed",
        json!({"summary": "Server-sent events: each event as it is stored",
               "operationId": "feed", "parameters": feed_params, "security": read,
               "responses": with(Map::from_iter([("200".to_owned(), json!({
                   "description": "An event stream; `id:` is the EVENTS stream sequence.",
                   "content": {"text/event-stream": {"schema": string_schema("SSE")}}}))]))}),
    );

    let token = doc.schema::<AccessToken>();
    let mut issued = with(doc.errors(&[(404, "No API token is configured.")]));
    issued.insert(
        "201".into(),
        json_response("A short-lived access token.", token),
    );
    doc.operation(
        "post",
        "/v1/tokens",
        json!({"summary": "Exchange the bearer token for a short-lived access token",
               "operationId": "issueAccessToken",
               "parameters": [query_param("minutes", "Lifetime, minutes.",
                   json!({"type": "integer", "minimum": 1, "maximum": super::tokens::MAX_MINUTES,
                          "default": super::tokens::DEFAULT_MINUTES}))],
               "security": [{"bearer": []}], "responses": issued}),
    );

    doc.operation(
        "get",
        "/",
        json!({"summary": "The timeline page", "operationId": "page", "responses": {"200": {
            "description": "HTML", "content": {"text/html": {"schema": string_schema("HTML")}}}}}),
    );
    doc.ops_operations();
    doc.finish()
}
