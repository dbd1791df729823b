//! Auditor queries about one person or organisation: `GET /v1/actors/{name}` (titles over time as
//! the articles wrote them, activities per month), `/v1/actors/{name}/companions` (who was in the
//! same activities) and `/v1/actors/{name}/months`.
//!
//! Counts are of activities, not reports: two articles on the same visit count once (their
//! corroboration group).

use super::AppState;
use super::error::ApiError;
use crate::store::{Index, StoreError, StoredEvent, TimelineStore};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// When something was seen, and in which activities.
#[derive(Debug, Default)]
struct Seen {
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    activities: BTreeSet<String>,
}

impl Seen {
    fn add(&mut self, day: Option<NaiveDate>, activity: &str) {
        if let Some(d) = day {
            self.first = Some(self.first.map_or(d, |f| f.min(d)));
            self.last = Some(self.last.map_or(d, |l| l.max(d)));
        }
        self.activities.insert(activity.to_owned());
    }
}

/// A person or organisation seen with the actor.
#[derive(Debug)]
struct Companion {
    kind: Value,
    pinyin: Option<String>,
    seen: Seen,
}

/// What the store knows of one actor, computed from its live events.
#[derive(Debug, Default)]
struct Profile {
    titles: BTreeMap<String, Seen>,
    /// `YYYY-MM` → activities.
    months: BTreeMap<String, BTreeSet<String>>,
    companions: BTreeMap<String, Companion>,
    activities: BTreeSet<String>,
}

fn profile(store: &TimelineStore, name: &str) -> Result<Option<Profile>, StoreError> {
    let mut p = Profile::default();
    for hit in store.scan(Index::Actor, name, None, None) {
        let Some(e) = store.at_position(&hit?.0)? else {
            continue;
        };
        if e.retracted {
            continue;
        }
        add(&mut p, name, &e);
    }
    Ok((!p.activities.is_empty()).then_some(p))
}

fn add(p: &mut Profile, name: &str, e: &StoredEvent) {
    let activity = e.activity_id();
    let day = e.event.when.start;
    p.activities.insert(activity.clone());
    if let Some(d) = day {
        p.months
            .entry(d.format("%Y-%m").to_string())
            .or_default()
            .insert(activity.clone());
    }
    for a in &e.event.actors {
        if a.name == name {
            for t in &a.titles {
                p.titles.entry(t.clone()).or_default().add(day, &activity);
            }
        } else {
            let pinyin = a.pinyin.clone().or_else(|| match a.kind {
                dongtai_proto::ActorKind::Person => crate::pinyin::romanise(&a.name),
                dongtai_proto::ActorKind::Organization => None,
            });
            let c = p
                .companions
                .entry(a.name.clone())
                .or_insert_with(|| Companion {
                    kind: json!(a.kind),
                    pinyin,
                    seen: Seen::default(),
                });
            c.seen.add(day, &activity);
        }
    }
}

async fn load(state: &AppState, name: String) -> Result<(String, Profile), ApiError> {
    if name.trim().is_empty() || name.chars().count() > super::events::MAX_PARAM_CHARS {
        return Err(ApiError::bad("name", "name is empty or too long"));
    }
    let store = state.store.clone();
    let n = name.clone();
    let found = tokio::task::spawn_blocking(move || profile(&store, &n))
        .await
        .map_err(|_| ApiError::Internal)??;
    found
        .map(|p| (name.clone(), p))
        .ok_or_else(|| ApiError::NotFound(format!("no live activity of {name}")))
}

fn months_json(p: &Profile) -> Value {
    p.months
        .iter()
        .map(|(m, a)| (m.clone(), json!(a.len())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `GET /v1/actors/{name}`.
pub async fn one(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let (name, p) = load(&state, name).await?;
    let summary = state.store.actor(&name)?;
    let titles: Vec<Value> = p
        .titles
        .iter()
        .map(|(t, seen)| json!({"title": t, "first_seen": seen.first, "last_seen": seen.last, "activities": seen.activities.len()}))
        .collect();
    Ok(Json(json!({
        "name": name,
        "kind": summary.as_ref().map(|s| s.kind),
        "pinyin": crate::pinyin::romanise(&name).filter(|_| summary.as_ref().is_none_or(|s| s.kind == dongtai_proto::ActorKind::Person)),
        "activities": p.activities.len(),
        "titles": titles,
        "months": months_json(&p),
    }))
    .into_response())
}

/// `GET /v1/actors/{name}/companions`: most frequent first.
pub async fn companions(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let (name, p) = load(&state, name).await?;
    let mut list: Vec<Value> = p
        .companions
        .iter()
        .map(|(n, c)| {
            json!({"name": n, "kind": c.kind, "pinyin": c.pinyin, "activities": c.seen.activities.len(),
                   "first": c.seen.first, "last": c.seen.last})
        })
        .collect();
    list.sort_by_key(|c| std::cmp::Reverse(c["activities"].as_u64().unwrap_or(0)));
    Ok(Json(json!({"name": name, "companions": list})).into_response())
}

/// `GET /v1/actors/{name}/months`: activities per calendar month.
pub async fn months(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let (name, p) = load(&state, name).await?;
    Ok(Json(json!({"name": name, "months": months_json(&p)})).into_response())
}
