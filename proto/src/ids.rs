//! Identifiers: content hashes, parsed rather than trusted.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Why a string is not an id.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    /// The id has the wrong number of characters.
    #[error("an id has {expected} hex digits, this one has {got} characters")]
    Length {
        /// Hex digits an id of this kind has.
        expected: usize,
        /// Characters given.
        got: usize,
    },
    /// The id holds something other than lower-case hex digits.
    #[error("an id holds only lower-case hex digits")]
    NotHex,
}

fn check_hex(s: &str, len: usize) -> Result<(), IdError> {
    if s.chars().count() != len {
        return Err(IdError::Length {
            expected: len,
            got: s.chars().count(),
        });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(IdError::NotHex);
    }
    Ok(())
}

/// Hex SHA-256 of an article's normalised text: the same article ingested twice has one id,
/// which is also its `Nats-Msg-Id`, so JetStream drops the second copy.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct ArticleId(String);

impl ArticleId {
    /// Hex digits in an article id.
    pub const LEN: usize = 64;

    /// The id of an article whose normalised text is `normalised_text`.
    pub fn of_text(normalised_text: &str) -> Self {
        Self(hex::encode(Sha256::digest(normalised_text.as_bytes())))
    }

    /// The id as hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Stable hash of article id, kind, first day and lead names: re-extracting the same article
/// finds the same activity under the same id, so the timeline's upsert is idempotent.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct EventId(String);

impl EventId {
    /// Hex digits in an event id.
    pub const LEN: usize = 32;

    /// Derive the id from the parts that identify an activity within an article.
    /// `leads` are sorted first so their order in the text does not matter.
    pub fn derive(article: &ArticleId, kind: &str, day: Option<&str>, leads: &[&str]) -> Self {
        let mut leads: Vec<&str> = leads.to_vec();
        leads.sort_unstable();
        let mut h = Sha256::new();
        for part in [article.as_str(), kind, day.unwrap_or("-")] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        for lead in leads {
            h.update(lead.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        Self(hex::encode(&digest[..Self::LEN / 2]))
    }

    /// The id as hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! hex_id_impls {
    ($t:ty) => {
        impl FromStr for $t {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                check_hex(s, <$t>::LEN)?;
                Ok(Self(s.to_owned()))
            }
        }
        impl TryFrom<String> for $t {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                check_hex(&s, <$t>::LEN)?;
                Ok(Self(s))
            }
        }
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
hex_id_impls!(ArticleId);
hex_id_impls!(EventId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_always_has_the_same_article_id() {
        assert_eq!(
            ArticleId::of_text("区委书记"),
            ArticleId::of_text("区委书记")
        );
        assert_ne!(ArticleId::of_text("区委书记"), ArticleId::of_text("区长"));
    }

    #[test]
    fn ids_that_are_not_hex_of_the_right_length_are_refused() {
        assert!("abc".parse::<ArticleId>().is_err());
        assert!("Z".repeat(64).parse::<ArticleId>().is_err());
        assert!("a".repeat(32).parse::<EventId>().is_ok());
        assert!(serde_json::from_str::<EventId>("\"xyz\"").is_err());
    }

    #[test]
    fn event_ids_do_not_depend_on_the_order_of_leads() {
        let a = ArticleId::of_text("x");
        let one = EventId::derive(&a, "meeting", Some("2023-11-07"), &["甲", "乙"]);
        let two = EventId::derive(&a, "meeting", Some("2023-11-07"), &["乙", "甲"]);
        assert_eq!(one, two);
        assert_ne!(
            one,
            EventId::derive(&a, "meeting", Some("2023-11-08"), &["甲", "乙"])
        );
    }
}
