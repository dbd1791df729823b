//! `POST /v1/tokens`: a short-lived access token for clients that cannot send the bearer header
//! (a browser's `EventSource` for `/v1/feed`, the page's links), passed as `?access_token=` on
//! any `GET /v1/...`. Signed with the API token (see `dongtai_common::auth`), so nothing is
//! stored and every replica with the same token accepts it.

use super::AppState;
use super::error::ApiError;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Lifetime of a token when none is asked, minutes.
pub const DEFAULT_MINUTES: u64 = 15;
/// Longest lifetime, minutes (a day: a wall screen's feed reconnects with a new one).
pub const MAX_MINUTES: u64 = 24 * 60;
/// The query parameter that carries a token.
pub const PARAM: &str = "access_token";

fn now_unix() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// `POST /v1/tokens?minutes=N` (behind the bearer token): `{"access_token", "expires_at",
/// "expires_in"}`.
pub async fn issue(
    State(state): State<AppState>,
    params: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = params.map_err(|e| ApiError::bad("query", e.body_text()))?;
    let mut minutes = DEFAULT_MINUTES;
    for (k, v) in &pairs {
        match k.as_str() {
            "minutes" => {
                minutes = v
                    .parse()
                    .ok()
                    .filter(|m| (1..=MAX_MINUTES).contains(m))
                    .ok_or_else(|| {
                        ApiError::bad(
                            "minutes",
                            format!("minutes is a whole number from 1 to {MAX_MINUTES}"),
                        )
                    })?
            }
            other => {
                return Err(ApiError::bad(
                    other,
                    format!("unknown parameter {other:?}; known: minutes"),
                ));
            }
        }
    }
    let Some(secret) = state.config.token.as_deref() else {
        return Err(ApiError::NotFound(
            "no API token is configured, so /v1 needs no access token".into(),
        ));
    };
    let expires = now_unix().saturating_add(minutes * 60);
    let token =
        dongtai_common::auth::issue_access_token(secret, expires).ok_or(ApiError::Internal)?;
    let expires_at = i64::try_from(expires)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    let body = json!({"access_token": token, "expires_at": expires_at,
                      "expires_in": minutes * 60});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// True when `req` is a read (GET or HEAD) that carries a valid `?access_token=` signed with
/// `secret`. Writes, and asking for another token, need the bearer token itself.
pub fn allows<B>(secret: &str, req: &Request<B>) -> bool {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return false;
    }
    let Some(query) = req.uri().query() else {
        return false;
    };
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == PARAM))
        .is_some_and(|(_, token)| {
            dongtai_common::auth::access_token_allows(secret, &token, now_unix())
        })
}
