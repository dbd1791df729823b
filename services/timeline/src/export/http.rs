//! What an export response carries besides its body, the same for every format:
//!
//! - `Content-Disposition: attachment` with a file name (`filename=` in ASCII for old clients,
//!   `filename*=UTF-8''…` with the Chinese term, RFC 6266), so a browser saves the file under a
//!   name that says what it holds;
//! - a weak `ETag`, and `304 Not Modified` when `If-None-Match` names it, so feed readers and
//!   calendar subscriptions that poll every few minutes cost a query but no body. The tag is a
//!   hash of what the answer is made of: the format and its options, the paging, and every
//!   report in the answer by id, activity and EVENTS stream sequence (a report's sequence grows
//!   with every change to it, so any change to the answer changes the tag; a report leaving it
//!   changes the set). It is weak because two answers with one tag may still differ in bytes
//!   that do not matter (an empty feed's `updated` is the time of the request; a rebuild
//!   restamps `stored_at`);
//! - `Cache-Control: no-cache`: a cache may keep the file but asks again each time;
//! - for CSV with `bom=1`, a UTF-8 byte order mark first: Excel reads a CSV without one in the
//!   machine's legacy code page, and Chinese turns to mojibake.

use super::atom::FeedSubject;
use crate::routes::error::ApiError;
use crate::routes::events::Format;
use crate::view::Activity;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Export options that are not part of the query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Start a CSV with a UTF-8 byte order mark (`bom=1`).
    pub bom: bool,
}

impl Options {
    /// Parameter names these options take.
    pub const NAMES: [&'static str; 1] = ["bom"];

    /// Take the export options out of a query string's pairs; the rest is the query.
    pub fn take(
        pairs: Vec<(String, String)>,
    ) -> Result<(Options, Vec<(String, String)>), ApiError> {
        let mut options = Options::default();
        let mut seen = false;
        let mut rest = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            if k != "bom" {
                rest.push((k, v));
                continue;
            }
            if seen {
                return Err(ApiError::bad("bom", "bom is given more than once"));
            }
            seen = true;
            options.bom = match v.as_str() {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => return Err(ApiError::bad("bom", "bom is 1 or 0")),
            };
        }
        Ok((options, rest))
    }

    /// Refuse options that do not apply to `format`.
    pub fn check(self, format: Format) -> Result<(), ApiError> {
        if self.bom && format != Format::Csv {
            return Err(ApiError::bad("bom", "bom=1 applies to format=csv only"));
        }
        Ok(())
    }
}

/// File name extension and media type of an export format (`None`: the JSON API answer).
pub fn file_type(format: Format) -> Option<(&'static str, &'static str)> {
    Some(match format {
        Format::Json => return None,
        Format::Jsonl => ("jsonl", "application/jsonl; charset=utf-8"),
        Format::Csv => ("csv", "text/csv; charset=utf-8; header=present"),
        Format::Ics => ("ics", "text/calendar; charset=utf-8"),
        Format::Atom => ("atom", "application/atom+xml; charset=utf-8"),
    })
}

/// The entity tag of an answer (see the module doc). `pairs` is the query string without the
/// options.
pub fn etag(pairs: &[(String, String)], options: Options, activities: &[Activity]) -> String {
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION"));
    hash.update([u8::from(options.bom)]);
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort();
    for (k, v) in sorted {
        for part in [k, v] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
    }
    for a in activities {
        hash.update(a.group_id());
        for r in a.reports() {
            hash.update(r.event.id.as_str());
            hash.update(r.stream_seq.to_be_bytes());
        }
    }
    let digest = hash.finalize();
    format!("W/\"{}\"", hex::encode(&digest[..12]))
}

/// True when the client's `If-None-Match` names `tag` (weak comparison, RFC 9110 13.1.2).
pub fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// The 304 answer for `tag`.
pub fn not_modified_response(tag: &str) -> Response {
    let mut resp = StatusCode::NOT_MODIFIED.into_response();
    set(&mut resp, header::CACHE_CONTROL, "no-cache");
    set(&mut resp, header::ETAG, tag);
    resp
}

/// An export's answer: `body` as an attachment named after `subject`, tagged `tag`.
pub fn attachment(
    format: Format,
    options: Options,
    subject: &FeedSubject,
    tag: &str,
    body: String,
) -> Response {
    let Some((ext, media_type)) = file_type(format) else {
        return body.into_response();
    };
    let body = if options.bom && format == Format::Csv {
        format!("\u{FEFF}{body}")
    } else {
        body
    };
    let mut resp = body.into_response();
    set(&mut resp, header::CONTENT_TYPE, media_type);
    set(
        &mut resp,
        header::CONTENT_DISPOSITION,
        &content_disposition(subject, ext),
    );
    set(&mut resp, header::CACHE_CONTROL, "no-cache");
    set(&mut resp, header::ETAG, tag);
    resp
}

/// `attachment; filename="dongtai-actor.ics"; filename*=UTF-8''dongtai-actor-%E6%9B%B9….ics`:
/// the ASCII name keeps the term only when it is plain ASCII (a romanised name, a kind).
pub fn content_disposition(subject: &FeedSubject, ext: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let term: String = subject
        .term
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .collect();
    let ascii = if !term.is_empty() && term.chars().all(plain) {
        format!("dongtai-{}-{term}.{ext}", subject.facet)
    } else {
        format!("dongtai-{}.{ext}", subject.facet)
    };
    let full = if term.is_empty() {
        format!("dongtai-{}.{ext}", subject.facet)
    } else {
        format!("dongtai-{}-{term}.{ext}", subject.facet)
    };
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        super::atom::percent(&full)
    )
}

/// Where the request was sent (`http://host:port`), for absolute links in a feed; empty when
/// the request does not say (links are then relative to the server's root). Behind a proxy,
/// `X-Forwarded-Proto` and `X-Forwarded-Host` win.
pub fn base_url(headers: &HeaderMap) -> String {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
    };
    let scheme = match get("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    let host = get("x-forwarded-host").or_else(|| get("host"));
    match host {
        // An authority only: letters, digits, dots, dashes, a port, brackets of an IPv6 address.
        Some(h)
            if !h.is_empty()
                && h.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                }) =>
        {
            format!("{scheme}://{h}")
        }
        _ => String::new(),
    }
}

/// The filters of a query string, as a query string (paging, format and options left out):
/// what the feed's id and its link to the page are made of.
pub fn filters_query(pairs: &[(String, String)]) -> String {
    join(
        pairs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "limit" | "cursor" | "format" | "bom")),
    )
}

/// The query string as sent, rebuilt from its pairs.
pub fn query_string(pairs: &[(String, String)]) -> String {
    join(pairs.iter())
}

fn join<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    pairs
        .map(|(k, v)| format!("{}={}", super::atom::percent(k), super::atom::percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn set(resp: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_chinese_term_is_in_the_utf8_file_name_and_left_out_of_the_ascii_one() {
        let subject = FeedSubject {
            facet: "actor",
            term: "曹立强".into(),
            title: String::new(),
        };
        assert_eq!(
            content_disposition(&subject, "ics"),
            "attachment; filename=\"dongtai-actor.ics\"; \
             filename*=UTF-8''dongtai-actor-%E6%9B%B9%E7%AB%8B%E5%BC%BA.ics"
        );
        let kind = FeedSubject {
            facet: "kind",
            term: "expo_visit".into(),
            title: String::new(),
        };
        assert!(
            content_disposition(&kind, "csv")
                .starts_with("attachment; filename=\"dongtai-kind-expo_visit.csv\"")
        );
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_a_list_and_a_star() {
        let tag = "W/\"abc\"";
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(not_modified(&with("W/\"abc\""), tag));
        assert!(not_modified(&with("\"abc\""), tag));
        assert!(not_modified(&with("\"x\", W/\"abc\""), tag));
        assert!(not_modified(&with("*"), tag));
        assert!(!not_modified(&with("W/\"abd\""), tag));
        assert!(!not_modified(&HeaderMap::new(), tag));
    }

    #[test]
    fn the_tag_ignores_parameter_order_but_not_the_format_or_the_bom() {
        let tag = |p: &[(&str, &str)], bom| etag(&pairs(p), Options { bom }, &[]);
        let a = tag(&[("actor", "曹立强"), ("format", "csv")], false);
        let b = tag(&[("format", "csv"), ("actor", "曹立强")], false);
        let c = tag(&[("actor", "曹立强"), ("format", "atom")], false);
        let d = tag(&[("actor", "曹立强"), ("format", "csv")], true);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d, "the file with a byte order mark is another file");
        assert!(a.starts_with("W/\"") && a.ends_with('"'));
    }

    #[test]
    fn bom_is_one_or_zero_and_only_for_csv() {
        let (o, rest) = Options::take(pairs(&[("bom", "1"), ("actor", "x")])).unwrap();
        assert!(o.bom);
        assert_eq!(rest, pairs(&[("actor", "x")]));
        assert!(Options::take(pairs(&[("bom", "yes")])).is_err());
        assert!(o.check(Format::Csv).is_ok());
        assert!(o.check(Format::Ics).is_err());
    }

    #[test]
    fn the_base_url_comes_from_the_host_and_refuses_odd_hosts() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(base_url(&h), "http://127.0.0.1:8080");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("news.example.org"),
        );
        assert_eq!(base_url(&h), "https://news.example.org");
        h.insert("x-forwarded-host", HeaderValue::from_static("evil\"x"));
        assert_eq!(base_url(&h), "");
    }
}
