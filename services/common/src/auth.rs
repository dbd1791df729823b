//! Who may call the HTTP APIs: bearer-token checks (tokens are compared in constant time and
//! never logged) and the opt-in CORS policy for pages served from other origins.

use axum::http::{HeaderName, HeaderValue, Method, header};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// True when `header` (the `Authorization` header's value, if any) carries `expected` as a bearer
/// token. With no token configured every request is allowed.
pub fn bearer_allows(expected: Option<&str>, header: Option<&str>) -> bool {
    let Some(expected) = expected else {
        return true;
    };
    let Some(given) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    // Lengths differ → not equal; ct_eq on equal lengths keeps the comparison constant-time.
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// What an access token signs besides its expiry: a token of another purpose or format that
/// happened to share the secret can never pass for one.
const ACCESS_TOKEN_CONTEXT: &[u8] = b"dongtai access token v1\0";

/// `None` never happens in practice: HMAC takes a key of any length.
fn access_mac(secret: &str, expires_unix: u64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(ACCESS_TOKEN_CONTEXT);
    mac.update(&expires_unix.to_be_bytes());
    Some(mac)
}

/// A short-lived access token for clients that cannot send an `Authorization` header (a
/// browser's `EventSource`, a link), passed as `?access_token=`: `{expiry}.{HMAC-SHA256}` with
/// the expiry in Unix seconds, signed with the API's bearer token `secret`. Nothing is stored:
/// any replica with the same secret checks it, and changing the secret revokes every token.
pub fn issue_access_token(secret: &str, expires_unix: u64) -> Option<String> {
    let tag = access_mac(secret, expires_unix)?.finalize().into_bytes();
    Some(format!("{expires_unix}.{}", hex::encode(tag)))
}

/// True when `token` is an access token signed with `secret` that has not expired at
/// `now_unix`. The signature is compared in constant time.
pub fn access_token_allows(secret: &str, token: &str, now_unix: u64) -> bool {
    let Some((expiry, tag)) = token.split_once('.') else {
        return false;
    };
    let (Ok(expires_unix), Ok(tag)) = (expiry.parse::<u64>(), hex::decode(tag)) else {
        return false;
    };
    now_unix < expires_unix
        && access_mac(secret, expires_unix).is_some_and(|mac| mac.verify_slice(&tag).is_ok())
}

/// Parse one origin of `DONGTAI_CORS_ORIGINS`: `scheme://host[:port]` as a browser sends it in
/// `Origin` (no path, no trailing slash), or `*` for any origin.
pub fn parse_origin(text: &str) -> Result<HeaderValue, String> {
    let text = text.trim();
    let bad =
        || format!("{text:?} is not an origin: write scheme://host[:port] without a path, or *");
    if text != "*" {
        let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
        if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
            return Err(bad());
        }
    }
    HeaderValue::from_str(text).map_err(|_| bad())
}

/// The CORS flag of every HTTP service.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CorsArgs {
    /// Origins whose pages may call this API from a browser (CORS), comma-separated, e.g.
    /// `https://newsroom.example,http://127.0.0.1:3000`, or `*` (unset: no CORS headers).
    #[arg(
        long,
        env = "DONGTAI_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = parse_origin
    )]
    pub cors_origins: Vec<HeaderValue>,
}

impl CorsArgs {
    /// The layer for these origins (see [`cors`]).
    pub fn layer(&self) -> Option<CorsLayer> {
        cors(&self.cors_origins)
    }
}

/// The CORS policy of an HTTP API: `None` when no origin is configured, so no CORS header is
/// sent and browsers keep other sites' pages out, as they do by default. Preflights are answered
/// before authentication (browsers send them without credentials); the requests that follow
/// still need the token.
pub fn cors(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().cloned())
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([header::LINK, HeaderName::from_static("x-next-cursor")])
            .max_age(Duration::from_secs(3600)),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{access_token_allows, bearer_allows, issue_access_token, parse_origin};

    #[test]
    fn an_access_token_holds_until_its_expiry_and_only_under_its_secret() {
        let token = issue_access_token("s3cret", 1_000).unwrap();
        assert!(access_token_allows("s3cret", &token, 999));
        assert!(!access_token_allows("s3cret", &token, 1_000), "expired");
        assert!(!access_token_allows("other", &token, 999), "another secret");
        let (_, tag) = token.split_once('.').unwrap();
        let longer = format!("2000.{tag}");
        assert!(
            !access_token_allows("s3cret", &longer, 999),
            "expiry changed"
        );
        assert!(!access_token_allows("s3cret", "s3cret", 0));
        assert!(!access_token_allows("s3cret", "", 0));
    }

    #[test]
    fn origins_are_scheme_host_and_port_or_a_star() {
        assert!(parse_origin("https://newsroom.example").is_ok());
        assert!(parse_origin("http://127.0.0.1:3000").is_ok());
        assert!(parse_origin("*").is_ok());
        assert!(parse_origin("https://newsroom.example/").is_err());
        assert!(parse_origin("newsroom.example").is_err());
        assert!(parse_origin("ftp://x").is_err());
    }

    #[test]
    fn only_the_configured_bearer_token_is_let_in() {
        assert!(bearer_allows(None, None));
        assert!(bearer_allows(Some("s3cret"), Some("Bearer s3cret")));
        assert!(!bearer_allows(Some("s3cret"), Some("Bearer s3cre")));
        assert!(!bearer_allows(Some("s3cret"), Some("s3cret")));
        assert!(!bearer_allows(Some("s3cret"), None));
    }
}
