//! Bytes to text. News sites in mainland China mostly serve GB18030/GBK (often labelled
//! gb2312), those in Taiwan and Hong Kong Big5, the rest UTF-8; many label nothing, or label
//! one thing in the HTTP header and another in the page. The order of authority follows the
//! web's: a byte-order mark, then the charset of the HTTP header, then the document's own
//! declaration (`<meta charset>`, `<?xml encoding?>`), then the bytes themselves (valid UTF-8,
//! else a statistical guess among the encodings we read).
//!
//! Decoding is strict: bytes that are not valid in the chosen encoding are an error, never
//! replacement characters, so nothing garbled is ever stored. Encodings outside the set we read
//! (a latin-1 label on a Chinese page is a common server misconfiguration) are refused by name
//! instead of decoded into mojibake.

use encoding_rs::{BIG5, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

/// What kind of document the bytes are: says where its own declaration can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// An HTML page: `<meta charset>` or `<meta http-equiv="Content-Type">`.
    Html,
    /// An XML feed: `<?xml version="1.0" encoding="…"?>`.
    Xml,
    /// Plain text: no declaration.
    Text,
}

/// What decided the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A byte-order mark.
    Bom,
    /// The charset of the Content-Type header.
    Header,
    /// The document's own declaration.
    Declared,
    /// The bytes are valid UTF-8.
    ValidUtf8,
    /// A statistical guess (chardetng).
    Detected,
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Basis::Bom => "byte-order mark",
            Basis::Header => "charset header",
            Basis::Declared => "document's own declaration",
            Basis::ValidUtf8 => "bytes (valid UTF-8)",
            Basis::Detected => "detector",
        })
    }
}

/// A decoded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding it was read in.
    pub encoding: &'static Encoding,
    /// What decided that encoding.
    pub basis: Basis,
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A charset label no encoding goes by.
    #[error("the charset {label:?} ({basis}) is not a known encoding")]
    UnknownCharset {
        /// The label as given.
        label: String,
        /// Where it was given.
        basis: Basis,
    },
    /// A known encoding that is not one of those we read.
    #[error(
        "the {basis} says {encoding}, which dongtai does not read \
         (it reads UTF-8, GB18030/GBK/GB2312 and Big5)"
    )]
    UnsupportedCharset {
        /// The encoding's name.
        encoding: &'static str,
        /// Where it was given.
        basis: Basis,
    },
    /// Bytes that are not valid in the chosen encoding.
    #[error(
        "the bytes are not valid {encoding} (chosen by the {basis}): refusing to store garbled text"
    )]
    Malformed {
        /// The encoding's name.
        encoding: &'static str,
        /// What chose it.
        basis: Basis,
    },
    /// Not UTF-8, and the detector's best guess is not an encoding we read.
    #[error(
        "cannot tell the encoding (not UTF-8; it looks most like {guess}, which dongtai does not \
         read): declare the charset"
    )]
    Undetectable {
        /// The detector's guess.
        guess: &'static str,
    },
}

/// Whether dongtai reads `encoding`. GBK is in: encoding_rs decodes the labels gbk and gb2312
/// with the full GB18030 decoder, as browsers do.
pub fn is_supported(encoding: &'static Encoding) -> bool {
    [UTF_8, GBK, GB18030, BIG5, UTF_16LE, UTF_16BE].contains(&encoding)
}

/// The `charset` parameter of a Content-Type header value, unquoted.
pub fn charset_of_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Decode `bytes` of a document of `kind`. `header_charset` is the charset parameter of the
/// Content-Type it came with; `tld` (lower-case, e.g. `tw`) helps the detector when the bytes
/// say nothing.
pub fn decode(
    bytes: &[u8],
    header_charset: Option<&str>,
    kind: DocKind,
    tld: Option<&str>,
) -> Result<Decoded, DecodeError> {
    let (encoding, basis, body) = choose(bytes, header_charset, kind, tld)?;
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or(DecodeError::Malformed {
            encoding: encoding.name(),
            basis,
        })?
        .into_owned();
    Ok(Decoded {
        text,
        encoding,
        basis,
    })
}

fn choose<'b>(
    bytes: &'b [u8],
    header_charset: Option<&str>,
    kind: DocKind,
    tld: Option<&str>,
) -> Result<(&'static Encoding, Basis, &'b [u8]), DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return Ok((encoding, Basis::Bom, &bytes[bom_len..]));
    }
    if let Some(label) = header_charset.filter(|l| !l.trim().is_empty()) {
        return Ok((labelled(label, Basis::Header)?, Basis::Header, bytes));
    }
    let declared = match kind {
        DocKind::Html => meta_charset(bytes),
        DocKind::Xml => xml_encoding(bytes),
        DocKind::Text => None,
    };
    if let Some(label) = declared {
        let encoding = labelled(&label, Basis::Declared)?;
        // An ASCII-compatible document cannot truly be in UTF-16: browsers read such a
        // declaration as UTF-8 too.
        let encoding = if encoding == UTF_16LE || encoding == UTF_16BE {
            UTF_8
        } else {
            encoding
        };
        return Ok((encoding, Basis::Declared, bytes));
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((UTF_8, Basis::ValidUtf8, bytes));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let tld = tld
        .filter(|t| {
            t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        .map(str::as_bytes);
    let guess = detector.guess(tld, chardetng::Utf8Detection::Deny);
    if guess == GBK || guess == BIG5 {
        Ok((guess, Basis::Detected, bytes))
    } else {
        Err(DecodeError::Undetectable {
            guess: guess.name(),
        })
    }
}

fn labelled(label: &str, basis: Basis) -> Result<&'static Encoding, DecodeError> {
    let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        DecodeError::UnknownCharset {
            label: label.to_owned(),
            basis,
        }
    })?;
    if is_supported(encoding) {
        Ok(encoding)
    } else {
        Err(DecodeError::UnsupportedCharset {
            encoding: encoding.name(),
            basis,
        })
    }
}

/// How far into a page its charset declaration may be (the HTML standard's prescan reads 1024
/// bytes; real pages put comments and scripts first, so read more).
const PRESCAN_BYTES: usize = 8192;

/// The charset a page declares in a `<meta>` tag within its first bytes: `<meta charset=X>` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=X">`.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = find(&lower[at..], b"<meta") {
        let start = at + i + 5;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let label = label_at(trim_start(rest));
                if !label.is_empty() {
                    return Some(label);
                }
            }
        }
        at = end;
    }
    None
}

/// The encoding an XML document declares in its prolog.
fn xml_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = trim_start(head);
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = find(head, b"?>")?;
    let prolog = head[..end].to_ascii_lowercase();
    let e = find(&prolog, b"encoding")?;
    let rest = trim_start(&prolog[e + 8..]).strip_prefix(b"=")?;
    let label = label_at(trim_start(rest));
    (!label.is_empty()).then_some(label)
}

/// The label at the start of `s`, without its quotes.
fn label_at(s: &[u8]) -> String {
    let s = s
        .strip_prefix(b"\"")
        .or_else(|| s.strip_prefix(b"'"))
        .unwrap_or(s);
    s.iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        .map(|&b| b as char)
        .collect()
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Rewrite an XML prolog's encoding declaration to UTF-8 (the text is UTF-8 now): a parser
/// that honours the declaration would otherwise decode the text a second time.
pub fn xml_as_utf8(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml")
        && let Some(end) = trimmed.find("?>")
    {
        let rest = &trimmed[end + 2..];
        return format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{rest}").into();
    }
    text.into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const NEWS: &str = "11月7日上午，区委书记王立川率队前往青石镇调研秋收秋种工作。";
    const NEWS_TRAD: &str = "11月7日上午，區委書記陳志遠率隊前往北埔鎮視察防汛工作。";

    fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
        let (bytes, _, bad) = enc.encode(s);
        assert!(!bad);
        bytes.into_owned()
    }

    #[test]
    fn unlabelled_gb18030_text_is_detected_and_decoded() {
        let bytes = encode(GB18030, NEWS);
        let d = decode(&bytes, None, DocKind::Text, None).unwrap();
        assert_eq!(d.text, NEWS);
        assert_eq!(d.basis, Basis::Detected);
    }

    #[test]
    fn unlabelled_big5_text_is_detected_and_decoded() {
        let bytes = encode(BIG5, NEWS_TRAD);
        let d = decode(&bytes, None, DocKind::Text, None).unwrap();
        assert_eq!(d.text, NEWS_TRAD);
        assert_eq!(d.encoding, BIG5);
    }

    #[test]
    fn the_charset_header_wins_over_the_meta_tag() {
        let page = format!("<html><head><meta charset=\"gbk\"></head><body>{NEWS}</body></html>");
        let d = decode(page.as_bytes(), Some("utf-8"), DocKind::Html, None).unwrap();
        assert_eq!(d.basis, Basis::Header);
        assert!(d.text.contains(NEWS));
    }

    #[test]
    fn a_meta_http_equiv_declaration_is_read() {
        let page = format!(
            "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=gb2312\">\
             </head><body>{NEWS}</body></html>"
        );
        let d = decode(&encode(GBK, &page), None, DocKind::Html, None).unwrap();
        assert_eq!(d.basis, Basis::Declared);
        assert!(d.text.contains(NEWS));
    }

    #[test]
    fn gb2312_label_reads_characters_only_gb18030_has() {
        // 珺 and 𠀀 are outside GB2312: sites labelled gb2312 serve them anyway.
        let s = "副区长李珺𠀀出席";
        let d = decode(&encode(GB18030, s), Some("gb2312"), DocKind::Text, None).unwrap();
        assert_eq!(d.text, s);
    }

    #[test]
    fn an_xml_prolog_declares_the_feed_encoding() {
        let feed = "<?xml version=\"1.0\" encoding=\"GBK\"?><rss><channel><title>区政府</title></channel></rss>";
        let d = decode(&encode(GBK, feed), None, DocKind::Xml, None).unwrap();
        assert_eq!(d.basis, Basis::Declared);
        assert!(
            xml_as_utf8(&d.text).starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss>")
        );
    }

    #[test]
    fn bytes_invalid_in_the_declared_encoding_are_refused_not_replaced() {
        let err = decode(
            &[0xe5, 0xad, 0xff, 0xfe],
            Some("utf-8"),
            DocKind::Text,
            None,
        );
        assert!(matches!(
            err,
            Err(DecodeError::Malformed {
                encoding: "UTF-8",
                ..
            })
        ));
    }

    #[test]
    fn a_latin1_label_is_refused_by_name() {
        let err = decode(b"abc", Some("latin1"), DocKind::Text, None).unwrap_err();
        assert!(err.to_string().contains("windows-1252"), "{err}");
    }

    #[test]
    fn an_unknown_label_is_refused() {
        let err = decode(b"abc", Some("klingon"), DocKind::Text, None).unwrap_err();
        assert!(matches!(err, DecodeError::UnknownCharset { .. }));
    }

    #[test]
    fn bytes_that_look_like_no_chinese_encoding_are_refused() {
        // Latin-1 French: not UTF-8, and no Chinese encoding is the likely reading.
        let bytes = encode(
            encoding_rs::WINDOWS_1252,
            "Le préfet a visité la région élevée.",
        );
        let err = decode(&bytes, None, DocKind::Text, None).unwrap_err();
        assert!(matches!(err, DecodeError::Undetectable { .. }), "{err}");
    }

    #[test]
    fn a_bom_wins_over_everything() {
        let mut bytes = vec![0xef, 0xbb, 0xbf];
        bytes.extend_from_slice(NEWS.as_bytes());
        let d = decode(&bytes, Some("gbk"), DocKind::Text, None).unwrap();
        assert_eq!((d.text.as_str(), d.basis), (NEWS, Basis::Bom));
    }

    #[test]
    fn charset_parameter_is_found_in_any_case_and_quoting() {
        assert_eq!(
            charset_of_content_type("text/html; Charset=\"GB2312\""),
            Some("GB2312")
        );
        assert_eq!(charset_of_content_type("text/html"), None);
    }
}
