//! Activity events: what extract publishes on `events.v1.<kind>` and the timeline stores.

use crate::{ArticleId, EventId};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One official activity: who did what, where and when, with the sentences that say so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActivityEvent {
    /// Always [`crate::EVENT_SCHEMA`].
    pub schema: String,
    /// Stable across re-extraction of the same activity (see [`EventId::derive`]).
    pub id: EventId,
    /// What sort of activity.
    pub kind: EventKind,
    /// When it happened.
    pub when: When,
    /// People and organisations taking part.
    pub actors: Vec<Actor>,
    /// Sites, towns, venues.
    #[serde(default)]
    pub places: Vec<String>,
    /// Companies, booths, organisations visited or met.
    #[serde(default)]
    pub targets: Vec<String>,
    /// The subject, as written.
    #[serde(default)]
    pub topic: Option<String>,
    /// The sentences that prove it.
    pub evidence: Vec<Evidence>,
    /// The article it came from.
    pub source: Source,
    /// 0..=1: how sure the extractor is.
    pub confidence: f64,
    /// Name and version of the extractor, e.g. `dongtai-extract 0.1.0`.
    pub extractor: String,
}

/// The seven kinds of activity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 调研 / 视察 / 考察 / 检查 / 督查.
    SiteInspection,
    /// 展台 / 巡馆 / 进博会 / 展会.
    ExpoVisit,
    /// 林长制 / 巡林 / 林长.
    ForestChiefInspection,
    /// 会见 / 座谈.
    Meeting,
    /// 招商 / 对接洽谈.
    InvestmentPromotion,
    /// 出席 / 主持 会议.
    Conference,
    /// An official activity of no kind above.
    Other,
}

impl EventKind {
    /// How many kinds there are: the size of any table indexed by kind.
    pub const COUNT: usize = 7;

    /// Every kind, in a fixed order.
    pub const ALL: [EventKind; Self::COUNT] = [
        EventKind::SiteInspection,
        EventKind::ExpoVisit,
        EventKind::ForestChiefInspection,
        EventKind::Meeting,
        EventKind::InvestmentPromotion,
        EventKind::Conference,
        EventKind::Other,
    ];

    /// The wire name, also the last token of the subject.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SiteInspection => "site_inspection",
            EventKind::ExpoVisit => "expo_visit",
            EventKind::ForestChiefInspection => "forest_chief_inspection",
            EventKind::Meeting => "meeting",
            EventKind::InvestmentPromotion => "investment_promotion",
            EventKind::Conference => "conference",
            EventKind::Other => "other",
        }
    }

    /// A label for English readers.
    pub fn label_en(self) -> &'static str {
        match self {
            EventKind::SiteInspection => "Site inspection",
            EventKind::ExpoVisit => "Expo visit",
            EventKind::ForestChiefInspection => "Forest-chief inspection",
            EventKind::Meeting => "Meeting",
            EventKind::InvestmentPromotion => "Investment promotion",
            EventKind::Conference => "Conference",
            EventKind::Other => "Other activity",
        }
    }

    /// A label for Chinese readers.
    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::SiteInspection => "调研视察",
            EventKind::ExpoVisit => "展会巡馆",
            EventKind::ForestChiefInspection => "林长巡林",
            EventKind::Meeting => "会见座谈",
            EventKind::InvestmentPromotion => "招商引资",
            EventKind::Conference => "出席会议",
            EventKind::Other => "其他活动",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the seven kinds.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown kind {0:?}; kinds are site_inspection, expo_visit, forest_chief_inspection, meeting, investment_promotion, conference, other"
)]
pub struct UnknownKind(pub String);

impl FromStr for EventKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, UnknownKind> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// When an activity happened, and how the extractor knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct When {
    /// First day; `None` when not even the year can be known.
    pub start: Option<NaiveDate>,
    /// Last day (equal to `start` for a one-day activity).
    pub end: Option<NaiveDate>,
    /// Part of the day, when the article says.
    #[serde(default)]
    pub part_of_day: Option<PartOfDay>,
    /// True when the days are a guess (近日, 日前, or a year that had to be assumed).
    #[serde(default)]
    pub approx: bool,
    /// How the days were found.
    pub basis: TimeBasis,
    /// The time phrase as written (`11 月 7 日、8 日`), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
}

/// Morning, afternoon or evening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartOfDay {
    /// 上午 / 早上.
    Morning,
    /// 下午 / 中午.
    Afternoon,
    /// 晚上 / 晚间.
    Evening,
}

/// How the days of an event were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// Written out in the text (the year may come from the publication date).
    Explicit,
    /// Relative to the publication date (昨天, 今天, 近日).
    RelativeToPublished,
    /// Inferred from context (an expo edition, the publication date as a last resort).
    Inferred,
    /// The month and day are written but no year could be known: dates are `null`.
    YearUnknown,
}

/// A person or an organisation taking part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Actor {
    /// The name as written.
    pub name: String,
    /// Person or organisation.
    pub kind: ActorKind,
    /// Lead or participant.
    pub role: Role,
    /// Titles written before the name, split at 、.
    #[serde(default)]
    pub titles: Vec<String>,
    /// Romanisation of a person's Chinese name (曹立强 → Cao Liqiang).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinyin: Option<String>,
}

/// Person or organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A named person.
    Person,
    /// An office, team or company acting as one.
    Organization,
}

/// Who led and who took part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 率队 / 带队 / 前往 / 调研 as the subject.
    Lead,
    /// 参加 / 陪同 / 一同, or the party met.
    Participant,
}

/// A sentence that proves an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The article it is in.
    pub article_id: ArticleId,
    /// Character offset of the sentence's start in the document as received.
    pub start: usize,
    /// Character offset just past its end.
    pub end: usize,
    /// The sentence (line breaks of a column layout removed).
    pub text: String,
}

/// The article an event came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// Its id.
    pub article_id: ArticleId,
    /// Headline.
    #[serde(default)]
    pub title: Option<String>,
    /// Newspaper or site.
    #[serde(default)]
    pub outlet: Option<String>,
    /// Page of a printed edition.
    #[serde(default)]
    pub page: Option<String>,
    /// Publication date.
    #[serde(default)]
    pub published: Option<NaiveDate>,
    /// Where it can be read.
    #[serde(default)]
    pub url: Option<String>,
}

/// An event a newer extractor no longer finds, published on [`crate::subjects::EVENTS_RETRACTED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Retraction {
    /// Always [`crate::RETRACTION_SCHEMA`].
    pub schema: String,
    /// The event withdrawn.
    pub event_id: EventId,
    /// The article re-extracted.
    pub article_id: ArticleId,
    /// The extractor that no longer finds it.
    pub extractor: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl ActivityEvent {
    /// Names of the people who led it.
    pub fn lead_names(&self) -> impl Iterator<Item = &str> {
        self.actors
            .iter()
            .filter(|a| a.role == Role::Lead)
            .map(|a| a.name.as_str())
    }
}

/// A message the timeline could not apply (not an event or retraction it can read), published
/// on [`crate::subjects::EVENTS_DEAD`] with the error and the message as it arrived, instead of
/// being dropped: an operator can read why, fix the producer, and republish it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeadEvent {
    /// Always [`crate::DEAD_EVENT_SCHEMA`].
    pub schema: String,
    /// The subject it arrived on (`events.v1.<kind>` or `events.v1.retracted`).
    pub subject: String,
    /// Its sequence in the EVENTS stream, to find the original there.
    pub stream_sequence: u64,
    /// Why it was given up on.
    pub error: String,
    /// How many times it was delivered before that.
    pub deliveries: u64,
    /// The message exactly as it arrived (UTF-8, lossily decoded if it was not).
    pub original: String,
    /// Which service gave up (`dongtai-timeline 0.1.0`).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}
