//! Keys as types. Every key is fixed-width binary where it can be, ordered so that a range scan
//! walks events in date order: a day is 4 bytes big-endian (days from the common era, 0 when the
//! event has no known date, so those come first), an event id its 16 raw bytes (byte order is
//! the order of its hex text, so pages come out in the order the JSON store gave them).

use chrono::{Datelike as _, NaiveDate};
use dongtai_proto::{ActivityEvent, ArticleId, EventId, EventKind};
use serde::{Deserialize, Serialize};

/// Text of a position's day when the event has no known date (in cursors).
pub const NO_DATE: &str = "0000-00-00";

/// A day in a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

impl Day {
    /// No known date: before every dated day.
    pub const NONE: Day = Day(0);
    /// After every day.
    pub const MAX: Day = Day(u32::MAX);
    /// Bytes in a key.
    pub const LEN: usize = 4;

    /// The key day of `date`.
    pub fn of(date: Option<NaiveDate>) -> Day {
        date.map_or(Day::NONE, |d| {
            Day(u32::try_from(d.num_days_from_ce()).unwrap_or(1).max(1))
        })
    }

    /// The date, when known.
    pub fn date(self) -> Option<NaiveDate> {
        if self == Day::NONE {
            return None;
        }
        i32::try_from(self.0)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
    }

    /// `YYYY-MM-DD`, or [`NO_DATE`].
    pub fn text(self) -> String {
        self.date()
            .map_or_else(|| NO_DATE.to_owned(), |d| d.format("%Y-%m-%d").to_string())
    }

    /// As stored in index values.
    pub fn raw(self) -> u32 {
        self.0
    }

    /// From [`Day::raw`].
    pub fn from_raw(raw: u32) -> Day {
        Day(raw)
    }

    /// The key bytes.
    pub fn bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }

    /// Read a day from the front of `bytes`.
    pub fn read(bytes: &[u8]) -> Option<Day> {
        Some(Day(u32::from_be_bytes(
            bytes.get(..Day::LEN)?.try_into().ok()?,
        )))
    }
}

/// An event id as it appears in keys and records: its 16 raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IdKey([u8; IdKey::LEN]);

impl IdKey {
    /// Bytes in a key.
    pub const LEN: usize = EventId::LEN / 2;

    /// The key of `id` (ids are checked hex when parsed, so this cannot fail for a real one).
    pub fn of(id: &EventId) -> IdKey {
        IdKey(raw(id.as_str()))
    }

    /// The key of an id given as text; `None` when it is not an event id.
    pub fn parse(id: &str) -> Option<IdKey> {
        id.parse::<EventId>().ok().map(|id| IdKey::of(&id))
    }

    /// Read one from the front of `bytes`.
    pub fn read(bytes: &[u8]) -> Option<IdKey> {
        bytes.get(..IdKey::LEN)?.try_into().ok().map(IdKey)
    }

    /// The id.
    pub fn event_id(self) -> EventId {
        // Hex of LEN bytes is always a valid id.
        hex::encode(self.0)
            .parse()
            .unwrap_or_else(|_| unreachable_id())
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// An article id as records and index values keep it: its 32 raw bytes (half its hex text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ArticleKey([u8; ArticleKey::LEN]);

impl ArticleKey {
    /// Bytes.
    pub const LEN: usize = ArticleId::LEN / 2;

    /// The key of `id` (ids are checked lower-case hex when parsed, so this cannot fail for a
    /// real one, and [`ArticleKey::article_id`] gives back the same text).
    pub fn of(id: &ArticleId) -> ArticleKey {
        ArticleKey(raw(id.as_str()))
    }

    /// The id.
    pub fn article_id(self) -> ArticleId {
        // Hex of LEN bytes is always a valid id.
        hex::encode(self.0)
            .parse()
            .unwrap_or_else(|_| ArticleId::of_text(""))
    }
}

/// The bytes of an id's hex text (ids are always 2 N lower-case hex digits when parsed, so
/// decoding cannot fail for a real one).
fn raw<const N: usize>(hex_text: &str) -> [u8; N] {
    let mut b = [0u8; N];
    let _ = hex::decode_to_slice(hex_text, &mut b);
    b
}

#[cold]
fn unreachable_id() -> EventId {
    // hex::encode of 16 bytes is 32 lower-case hex digits, which always parses; never called.
    EventId::derive(&dongtai_proto::ArticleId::of_text(""), "", None, &[])
}

/// Where an event sits in every date-ordered listing: its first day, then its id. The key of
/// its record, the suffix of its index entries, and what a cursor holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// First day.
    pub day: Day,
    /// Event id.
    pub id: IdKey,
}

impl Position {
    /// Bytes in a key.
    pub const LEN: usize = Day::LEN + IdKey::LEN;

    /// The position of `event`.
    pub fn of(event: &ActivityEvent) -> Position {
        Position {
            day: Day::of(event.when.start),
            id: IdKey::of(&event.id),
        }
    }

    /// The first position on `day`.
    pub fn first_on(day: Day) -> Position {
        Position {
            day,
            id: IdKey([0; IdKey::LEN]),
        }
    }

    /// The key bytes.
    pub fn bytes(&self) -> [u8; Position::LEN] {
        let mut b = [0u8; Position::LEN];
        b[..Day::LEN].copy_from_slice(&self.day.bytes());
        b[Day::LEN..].copy_from_slice(&self.id.0);
        b
    }

    /// Read a position from the front of `bytes`.
    pub fn read(bytes: &[u8]) -> Option<Position> {
        Some(Position {
            day: Day::read(bytes)?,
            id: IdKey::read(bytes.get(Day::LEN..)?)?,
        })
    }

    /// Read a position from the end of `bytes` (an index key).
    pub fn read_suffix(bytes: &[u8]) -> Option<Position> {
        Position::read(bytes.get(bytes.len().checked_sub(Position::LEN)?..)?)
    }
}

/// The secondary indexes. Every entry is `{tag}{term number}{position}`, so one term's entries
/// are a contiguous range in date order. (All events by date need no index: records are keyed by
/// position.) A term (name, place, kind) is written once, in the terms tree, with its number
/// ([`TermNo`]); entries carry the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Every live event by date: the records tree itself.
    Date,
    /// By actor name.
    Actor,
    /// By place or target (one list to a question: "who visited X" finds X in either).
    Target,
    /// By kind.
    Kind,
}

/// The number of a term of an index, in place of its text in every index entry. sled keeps
/// several times the live bytes of a small entry on disk, and index keys that spelt the term
/// out (a company name is 20–40 bytes) made the index tree over half of the store (1.9 KB of
/// 3.3 KB per event at 300k events; 1.1 KB with numbers). Numbered from 1 in the order terms
/// are first indexed; never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TermNo(u32);

impl TermNo {
    /// Bytes in a key or a terms value.
    pub const LEN: usize = 4;
    /// The first number given out.
    pub const FIRST: TermNo = TermNo(1);

    /// The stored bytes.
    pub fn bytes(self) -> [u8; TermNo::LEN] {
        self.0.to_be_bytes()
    }

    /// From a terms value; `None` when it is not one.
    pub fn read(bytes: &[u8]) -> Option<TermNo> {
        Some(TermNo(u32::from_be_bytes(
            bytes.get(..TermNo::LEN)?.try_into().ok()?,
        )))
    }

    /// The number after this one (`None`: the numbers are used up).
    pub fn next(self) -> Option<TermNo> {
        self.0.checked_add(1).map(TermNo)
    }
}

impl Index {
    fn tag(self) -> u8 {
        match self {
            Index::Date => b'd',
            Index::Actor => b'a',
            Index::Target => b't',
            Index::Kind => b'k',
        }
    }

    /// The key of `term` in the terms tree: `{tag}{term}`.
    pub fn term_key(self, term: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(term.len() + 1);
        k.push(self.tag());
        k.extend_from_slice(term.as_bytes());
        k
    }

    /// The prefix of every entry of the term numbered `term`.
    pub fn prefix(self, term: TermNo) -> [u8; 1 + TermNo::LEN] {
        let mut k = [0u8; 1 + TermNo::LEN];
        k[0] = self.tag();
        k[1..].copy_from_slice(&term.bytes());
        k
    }

    /// The entry key of the term numbered `term` at `pos`.
    pub fn key(self, term: TermNo, pos: &Position) -> [u8; 1 + TermNo::LEN + Position::LEN] {
        let mut k = [0u8; 1 + TermNo::LEN + Position::LEN];
        k[..1 + TermNo::LEN].copy_from_slice(&self.prefix(term));
        k[1 + TermNo::LEN..].copy_from_slice(&pos.bytes());
        k
    }

    /// The term of a kind index entry.
    pub fn kind_term(kind: EventKind) -> &'static str {
        kind.as_str()
    }
}

/// A member of an activity (corroboration group): `{activity id}{member id}`.
pub fn member_key(activity: IdKey, member: IdKey) -> [u8; 2 * IdKey::LEN] {
    let mut k = [0u8; 2 * IdKey::LEN];
    k[..IdKey::LEN].copy_from_slice(&activity.0);
    k[IdKey::LEN..].copy_from_slice(&member.0);
    k
}

/// An earlier version of an event: `{id}{stream seq of that version}`.
pub fn history_key(id: IdKey, seq: u64) -> [u8; IdKey::LEN + 8] {
    let mut k = [0u8; IdKey::LEN + 8];
    k[..IdKey::LEN].copy_from_slice(&id.0);
    k[IdKey::LEN..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// A big-endian u64 (stream sequences, counters), 0 when short or absent.
pub fn decode_u64(v: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = v.len().min(8);
    b[..n].copy_from_slice(&v[..n]);
    u64::from_be_bytes(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn positions_sort_by_day_then_id_and_undated_events_come_first() {
        let id = |s: &str| IdKey::parse(&s.repeat(32)).unwrap();
        let d = |s: &str| Day::of(Some(s.parse().unwrap()));
        let undated = Position {
            day: Day::NONE,
            id: id("f"),
        };
        let early = Position {
            day: d("2023-11-05"),
            id: id("e"),
        };
        let later_id = Position {
            day: d("2023-11-05"),
            id: id("f"),
        };
        let next_day = Position {
            day: d("2023-11-06"),
            id: id("0"),
        };
        let keys: Vec<_> = [undated, early, later_id, next_day]
            .iter()
            .map(Position::bytes)
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Position::read(&keys[2]), Some(later_id));
        assert_eq!(d("2023-11-05").text(), "2023-11-05");
        assert_eq!(Day::NONE.text(), NO_DATE);
        assert_eq!(id("a").event_id().as_str(), "a".repeat(32));
    }
}
