//! `/v1/events`, `/v1/events/{id}`, `/v1/events/{id}/history`, `/v1/actors`, `/v1/stats`.

use super::AppState;
use super::error::ApiError;
use crate::export::{self, atom::FeedSubject};
use crate::query::{self, Cursor, EventQuery, Filter};
use crate::store::StoredEvent;
use crate::view::{Activities, Activity, EventsPage};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use dongtai_proto::{EventId, EventKind};
use serde_json::json;

/// Longest filter value accepted, in characters.
pub const MAX_PARAM_CHARS: usize = 200;

/// Output formats of `/v1/events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"events": [...], "next_cursor": ...}`.
    Json,
    /// One event per line.
    Jsonl,
    /// RFC 4180 CSV, one row per report.
    Csv,
    /// RFC 5545 iCalendar, one VEVENT per activity.
    Ics,
    /// RFC 4287 Atom feed.
    Atom,
}

impl Format {
    /// Exports are whole files for other programs: they default to the largest page.
    fn is_export(self) -> bool {
        matches!(self, Format::Csv | Format::Ics | Format::Atom)
    }
}

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// Parameters of `/v1/events` besides the filters.
const PAGE_PARAMS: [&str; 6] = [
    "limit",
    "cursor",
    "sort",
    "format",
    "bom",
    super::tokens::PARAM,
];

/// Check a parameter's value the same way whatever the parameter: not too long, no control
/// characters.
fn check_value(key: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().count() > MAX_PARAM_CHARS {
        return Err(ApiError::bad(
            key,
            format!("{key} is longer than {MAX_PARAM_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::bad(
            key,
            format!("{key} holds a control character"),
        ));
    }
    Ok(())
}

/// Take one parameter of a query string: refuse a repeated one or a bad value, and parse a
/// filter into `q`. `Ok(false)`: `key` is no filter, the caller handles it.
pub fn take_param<'a>(
    seen: &mut Vec<&'a str>,
    q: &mut EventQuery,
    key: &'a str,
    value: &str,
) -> Result<bool, ApiError> {
    if seen.contains(&key) {
        return Err(ApiError::bad(key, format!("{key} is given more than once")));
    }
    seen.push(key);
    check_value(key, value)?;
    match query::Filter::parse(key, value) {
        None => Ok(false),
        Some(Err(message)) => Err(ApiError::bad(key, message)),
        Some(Ok(filter)) => {
            q.filters.push(filter);
            Ok(true)
        }
    }
}

/// The error for a parameter that is not one of `known` (the filters, then `others`).
pub fn unknown_param(key: &str, others: &[&str]) -> ApiError {
    let known: Vec<&str> = query::Filter::NAMES.iter().chain(others).copied().collect();
    ApiError::bad(
        key,
        format!("unknown parameter {key:?}; known: {}", known.join(", ")),
    )
}

/// Check the filters taken together.
pub fn check_query(q: &EventQuery) -> Result<(), ApiError> {
    q.check()
        .map_err(|(field, message)| ApiError::bad(field, message))
}

/// Validate the query string of `/v1/events` into a query and a format.
pub fn parse_params(pairs: &[(String, String)]) -> Result<(EventQuery, Format), ApiError> {
    let mut q = EventQuery::new([], query::DEFAULT_LIMIT);
    let mut format = Format::Json;
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        if take_param(&mut seen, &mut q, key, value)? {
            continue;
        }
        match key.as_str() {
            "limit" => {
                let n: i64 = value.parse().map_err(|_| {
                    ApiError::bad("limit", format!("limit={value:?} is not a whole number"))
                })?;
                if !(1..=query::MAX_LIMIT as i64).contains(&n) {
                    return Err(ApiError::bad(
                        "limit",
                        format!("limit is between 1 and {}", query::MAX_LIMIT),
                    ));
                }
                q.limit = n as usize;
            }
            "cursor" => {
                q.cursor = Some(Cursor::decode(value).ok_or_else(|| {
                    ApiError::bad("cursor", "cursor is not one this server handed out")
                })?)
            }
            "sort" => {
                q.order = query::Order::parse(value).ok_or_else(|| {
                    ApiError::bad("sort", format!("sort={value:?} is not asc or desc"))
                })?
            }
            "format" => {
                format = match value.as_str() {
                    "json" => Format::Json,
                    "jsonl" => Format::Jsonl,
                    "csv" => Format::Csv,
                    "ics" => Format::Ics,
                    "atom" => Format::Atom,
                    other => {
                        return Err(ApiError::bad(
                            "format",
                            format!("format {other:?} is not json, jsonl, csv, ics or atom"),
                        ));
                    }
                }
            }
            // Checked by the authentication before the handler.
            super::tokens::PARAM => {}
            other => return Err(unknown_param(other, &PAGE_PARAMS)),
        }
    }
    if format.is_export() && !seen.contains(&"limit") {
        q.limit = query::MAX_LIMIT;
    }
    check_query(&q)?;
    Ok((q, format))
}

fn pairs(p: Pairs) -> Result<Vec<(String, String)>, ApiError> {
    p.map(|Query(v)| v)
        .map_err(|e| ApiError::bad("query", e.body_text()))
}

/// `GET /v1/events`. The JSON page carries a total and a `Link` to the next page; exports
/// (every other format) are attachments with an `ETag`: see [`export::http`].
pub async fn list(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    params: Pairs,
) -> Result<Response, ApiError> {
    let (options, mut pairs) = export::http::Options::take(pairs(params)?)?;
    // A browser's access token opened the door (see `tokens`): it is no part of the answer,
    // its links or its entity tag.
    pairs.retain(|(k, _)| k != super::tokens::PARAM);
    let (q, format) = parse_params(&pairs)?;
    options.check(format)?;
    let store = state.store.clone();
    let q2 = q.clone();
    // Only the JSON page carries a total; exports are files, not pages.
    let with_total = format == Format::Json;
    let (page, total) = tokio::task::spawn_blocking(move || {
        let page = query::run(&store, &q2)?;
        let total = match (with_total, &q2.cursor, &page.next_cursor) {
            (false, _, _) => None,
            // The whole answer is on this first page: it is its own count.
            (true, None, None) => Some(query::Total {
                count: page.activities.len() as u64,
                is_lower_bound: false,
            }),
            (true, _, _) => Some(query::count(&store, &q2)?),
        };
        Ok::<_, crate::store::StoreError>((page, total))
    })
    .await
    .map_err(|_| ApiError::Internal)??;
    let next = page.next_cursor.as_ref().map(Cursor::encode);
    let link = next
        .as_deref()
        .and_then(|n| next_link(uri.path(), &pairs, n));
    let activities = &page.activities;
    if format == Format::Json {
        let total = total.unwrap_or(query::Total {
            count: 0,
            is_lower_bound: true,
        });
        // Written straight from the stored events: building a `Value` tree first was a third
        // of a page's CPU (perf, `dongtai-bench query` at 300k events).
        let body = EventsPage {
            events: Activities(activities),
            next_cursor: next.as_deref(),
            total: total.count,
            total_is_lower_bound: total.is_lower_bound,
        };
        let mut resp = Json(body).into_response();
        if let Some(link) = link {
            resp.headers_mut().insert(header::LINK, link);
        }
        return Ok(resp);
    }
    let tag = export::http::etag(&pairs, options, activities);
    if export::http::not_modified(&headers, &tag) {
        return Ok(export::http::not_modified_response(&tag));
    }
    let subject = feed_subject(&q);
    let body = match format {
        // (`json` was answered above.)
        Format::Json | Format::Jsonl => {
            let mut out = String::new();
            for a in activities {
                out.push_str(&serde_json::to_string(&a.json()).map_err(|_| ApiError::Internal)?);
                out.push('\n');
            }
            out
        }
        Format::Csv => export::csv::render(activities),
        Format::Ics => {
            let name = format!("dongtai 动态: {}", subject.title);
            export::ics::render(activities, &name)
        }
        Format::Atom => {
            let links = export::atom::FeedLinks {
                base: export::http::base_url(&headers),
                filters: export::http::filters_query(&pairs),
                requested: format!("/v1/events?{}", export::http::query_string(&pairs)),
            };
            export::atom::render(activities, &subject, &links, chrono::Utc::now())
        }
    };
    let mut resp = export::http::attachment(format, options, &subject, &tag, body);
    if let Some(n) = next.and_then(|n| n.parse().ok()) {
        resp.headers_mut().insert("x-next-cursor", n);
    }
    if let Some(link) = link {
        resp.headers_mut().insert(header::LINK, link);
    }
    Ok(resp)
}

/// The RFC 8288 `Link` to the next page: this request's parameters with the cursor replaced
/// (a reference relative to the server, so it holds behind a proxy that keeps the path).
fn next_link(path: &str, pairs: &[(String, String)], next: &str) -> Option<HeaderValue> {
    let mut params: Vec<(&str, &str)> = pairs
        .iter()
        // (An access token was taken out of the pairs before: see `list`.)
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    params.push(("cursor", next));
    let query = serde_urlencoded::to_string(&params).ok()?;
    HeaderValue::from_str(&format!("<{path}?{query}>; rel=\"next\"")).ok()
}

/// What a feed or calendar is about, from the query's filters (the most specific first).
fn feed_subject(q: &EventQuery) -> FeedSubject {
    let subject = |facet, term: &str, title: String| FeedSubject {
        facet,
        term: term.to_owned(),
        title,
    };
    let rank = |f: &&Filter| match f {
        Filter::Actor(_) => 0,
        Filter::Place(_) => 1,
        Filter::Target(_) => 2,
        Filter::Kind(_) => 3,
        Filter::Outlet(_) | Filter::From(_) | Filter::To(_) | Filter::Q(_) => 4,
    };
    let joined = |values: Vec<&str>| values.join(",");
    match q.filters.iter().min_by_key(rank) {
        Some(Filter::Actor(terms)) => {
            let a = joined(terms.iter().map(|t| t.given.as_str()).collect());
            let title = match (terms.len(), crate::pinyin::romanise(&a)) {
                (1, Some(p)) => format!("{a} ({p})"),
                _ => a.clone(),
            };
            subject("actor", &a, title)
        }
        Some(Filter::Place(p)) => subject("place", p, p.clone()),
        Some(Filter::Target(ts)) => {
            let t = joined(ts.iter().map(String::as_str).collect());
            subject("target", &t, t.clone())
        }
        Some(Filter::Kind(ks)) => subject(
            "kind",
            &joined(ks.iter().map(|k| k.as_str()).collect()),
            joined(
                ks.iter()
                    .map(|k| format!("{} {}", k.label_zh(), k.label_en()))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect(),
            ),
        ),
        _ => subject("all", "", "全部 all activities".to_owned()),
    }
}

fn parse_id(id: &str) -> Result<EventId, ApiError> {
    id.parse()
        .map_err(|e| ApiError::bad("id", format!("{id:?} is not an event id: {e}")))
}

fn found(id: &EventId, e: Option<StoredEvent>) -> Result<StoredEvent, ApiError> {
    e.ok_or_else(|| ApiError::NotFound(format!("no event {id}")))
}

/// `GET /v1/events/{id}`: the event, with whether it was retracted.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let e = found(&id, state.store.get(&id)?)?;
    let others = query::others_in_group(&state.store, &e)?;
    let mut v = Activity {
        lead: e.clone(),
        others,
    }
    .to_json();
    v["retracted"] = json!(e.retracted);
    v["stored_at"] = json!(e.stored_at);
    Ok(Json(v).into_response())
}

/// `GET /v1/events/{id}/history`: every version, oldest first, the current one last.
pub async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let current = found(&id, state.store.get(&id)?)?;
    let mut versions: Vec<_> = state
        .store
        .history(&id)?
        .into_iter()
        .map(|h| json!({"extractor": h.version.event.extractor, "stored_at": h.version.stored_at,
                        "replaced_at": h.replaced_at, "retracted": h.version.retracted, "event": h.version.event}))
        .collect();
    versions.push(json!({"extractor": current.event.extractor, "stored_at": current.stored_at,
                         "replaced_at": null, "retracted": current.retracted, "event": current.event}));
    Ok(Json(json!({"id": id, "versions": versions})).into_response())
}

/// `GET /v1/actors`: every actor with its titles and event count.
pub async fn actors(State(state): State<AppState>) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let actors = tokio::task::spawn_blocking(move || store.actors())
        .await
        .map_err(|_| ApiError::Internal)??;
    Ok(Json(json!({ "actors": actors })).into_response())
}

/// `GET /v1/kinds`: every event kind with its labels, in a fixed order. The page builds its kind
/// menu from it, so a new kind needs no change there.
pub async fn kinds() -> Json<serde_json::Value> {
    let kinds: Vec<serde_json::Value> = EventKind::ALL
        .iter()
        .map(|k| json!({"kind": k.as_str(), "zh": k.label_zh(), "en": k.label_en()}))
        .collect();
    Json(json!({ "kinds": kinds }))
}

/// `GET /v1/stats`.
pub async fn stats(State(state): State<AppState>) -> Result<Response, ApiError> {
    let kinds: serde_json::Map<String, serde_json::Value> = state
        .store
        .kind_counts()?
        .into_iter()
        .map(|(k, n)| (k.as_str().to_owned(), json!(n)))
        .collect();
    Ok(Json(json!({"events": state.store.event_count()?, "kinds": kinds})).into_response())
}
