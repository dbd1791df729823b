//! The time resolver: finds time phrases (11月5日上午, 3月1日至3日, 十一月五日, 昨天, 近日,
//! 第六届进博会 …) and turns them into days, anchored on the publication date.

use crate::lexicon::grammar::{
    AGO, LAST_WEEK_HEAD, NEXT_WEEK_HEAD, OF, ONE_OF, WEEK, WEEK_ALT, tens_char, this_week_heads,
    week_words, weekday,
};
use crate::lexicon::grammar::{
    AND_ALSO, AT, DAY, EARLY, EVERY, LATE, MIDDLE_THIRD, MONTH, ON_DATE, ORDINAL, PLUS, SESSION,
    SINCE, TEN, TEN_DAYS, TODAY, UNTIL_NOW, YEAR, bare_day_next, bracket_day_heads,
    day_count_units, day_units, range_words,
};
use crate::lexicon::grammar::{
    CLOSE_BRACKET, COMMA, DUNHAO, FULL_STOP, OPEN_BRACKET, SEMICOLON, WAVE_DASH,
};
use crate::lexicon::{
    ACTION_TRIGGERS, DAY_COUNT_WORDS, DURATION_WORDS, FOLLOWERS, FxMap, MOVEMENT_VERBS,
    PARTS_OF_DAY, RelativeDay, SAME_TIME_WORDS, SameTime, TIME_WORDS, WordSet, entries,
};
use crate::people::is_cjk;
use crate::text::{CLAUSE_END, cn_digit, is_numeral, word_at};
use chrono::{Datelike, Duration, NaiveDate};
use dongtai_proto::{PartOfDay, TimeBasis};
use std::sync::LazyLock;

/// A date as written: parts the text gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ymd {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: u32,
}

/// What a time phrase says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeKind {
    /// A written date, maybe a range.
    Absolute { from: Ymd, to: Option<Ymd> },
    /// 昨天, 近日 …
    Relative(RelativeDay),
    /// 同日, 当天: the day last mentioned.
    SameDay,
    /// 星期六, 周五: the last such day of the week on or before publication (0 is Monday);
    /// with `weeks_back`, that day of this week (0: 本周五), of last week (1: 上周五) or of
    /// next week (-1: 下周五).
    Weekday { day: u32, weeks_back: Option<i32> },
    /// 当年: the year of the expo edition last mentioned.
    ThatYear,
    /// An expo edition with known days.
    Edition { start: NaiveDate, end: NaiveDate },
    /// Days counted from the Spring Festival (春节期间, 除夕, 大年初三): the last such festival
    /// on or before publication.
    Festival { from: i32, to: i32, approx: bool },
}

/// A time phrase found in the text (offsets in chars).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeExpr {
    pub start: usize,
    pub end: usize,
    pub kind: TimeKind,
    pub part: Option<PartOfDay>,
}

impl TimeExpr {
    /// How much a phrase is to be trusted as the day of an activity (higher is better).
    pub fn rank(&self) -> u8 {
        match self.kind {
            TimeKind::Absolute { from, .. } if from.month.is_some() => 6,
            TimeKind::Absolute { .. } => 5,
            TimeKind::SameDay | TimeKind::Weekday { .. } => 4,
            TimeKind::Relative(r) if !r.approx => 4,
            TimeKind::Relative(_) | TimeKind::Festival { .. } => 3,
            TimeKind::ThatYear => 2,
            TimeKind::Edition { .. } => 1,
        }
    }
}

/// Days resolved from a phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub part: Option<PartOfDay>,
    pub approx: bool,
    pub basis: TimeBasis,
}

/// An expo edition: name, number, first and last day.
type Edition = (Vec<char>, u32, NaiveDate, NaiveDate);

static EDITIONS: LazyLock<Vec<Edition>> = LazyLock::new(|| {
    entries(include_str!("lexicon/expo_editions.txt"))
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            let name: Vec<char> = p.next()?.chars().collect();
            let n = p.next()?.parse().ok()?;
            let a = NaiveDate::parse_from_str(p.next()?, "%Y-%m-%d").ok()?;
            let b = NaiveDate::parse_from_str(p.next()?, "%Y-%m-%d").ok()?;
            Some((name, n, a, b))
        })
        .collect()
});

/// Festival words (festival_days.txt): the days each names, counted from 正月初一.
type FestivalDays = FxMap<Vec<char>, (i32, i32, bool)>;

/// The festival words, their days, and 正月初一 of each year.
static FESTIVALS: LazyLock<(WordSet, FestivalDays, Vec<NaiveDate>)> = LazyLock::new(|| {
    let mut set = WordSet::default();
    let mut days = FxMap::default();
    let mut new_years = Vec::new();
    for line in entries(include_str!("lexicon/festival_days.txt")) {
        let p: Vec<&str> = line.split_whitespace().collect();
        match p.as_slice() {
            ["@", year, md] => {
                if let Ok(d) = NaiveDate::parse_from_str(&format!("{year}-{md}"), "%Y-%m-%d") {
                    new_years.push(d);
                }
            }
            [w, a, b, rest @ ..] => {
                let (Ok(a), Ok(b)) = (a.parse(), b.parse()) else {
                    continue;
                };
                let w: Vec<char> = w.chars().collect();
                set.insert(w.clone());
                days.insert(w, (a, b, rest.contains(&"approx")));
            }
            _ => {}
        }
    }
    new_years.sort();
    (set, days, new_years)
});

/// The festival phrase at `text[i]`, if one starts there.
fn festival_at(text: &[char], i: usize) -> Option<TimeExpr> {
    let (words, days, _) = &*FESTIVALS;
    let l = words.longest_at(text, i)?;
    let &(from, to, approx) = days.get(&text[i..i + l])?;
    Some(word_then_part(
        text,
        i,
        l,
        TimeKind::Festival { from, to, approx },
        None,
    ))
}

/// 今 alone before a verb (總統今視察…, 市长今出席…: the way Taiwanese and Hong Kong news
/// write "today"), not a word it begins (今年, 今后).
fn bare_today_at(text: &[char], i: usize) -> Option<TimeExpr> {
    if text[i] != TODAY {
        return None;
    }
    let next = *text.get(i + 1)?;
    let verb = [&*ACTION_TRIGGERS, &*MOVEMENT_VERBS]
        .iter()
        .any(|set| set.starts_at(text, i + 1))
        || next == ON_DATE
        || next == AT;
    verb.then(|| TimeExpr {
        start: i,
        end: i + 1,
        kind: TimeKind::Relative(RelativeDay {
            offset: 0,
            approx: false,
            part: None,
        }),
        part: None,
    })
}

/// A month's early, middle or late third (3月下旬: the 21st to the month's end), as a range.
fn month_third_at(text: &[char], i: usize) -> Option<TimeExpr> {
    let (year, month, j) = year_month_at(text, i);
    let m = month?;
    let (first, last) = match (text.get(j), text.get(j + 1)) {
        (Some(&a), Some(&b)) if b == TEN_DAYS => match a {
            EARLY => (1, 10),
            MIDDLE_THIRD => (11, 20),
            LATE => (21, days_in_month(year, m)),
            _ => return None,
        },
        _ => return None,
    };
    let ymd = |day| Ymd { year, month, day };
    Some(TimeExpr {
        start: i,
        end: j + 2,
        kind: TimeKind::Absolute {
            from: ymd(first),
            to: Some(ymd(last)),
        },
        part: None,
    })
}

/// Days in month `m` (February has 28 when the year is unknown).
fn days_in_month(year: Option<i32>, m: u32) -> u32 {
    let (ny, nm) = if m == 12 {
        (year.unwrap_or(2001) + 1, 1)
    } else {
        (year.unwrap_or(2001), m + 1)
    };
    make_date(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(30, |d| d.day())
}

/// A number at `text[i..]`: ASCII digits, or Chinese numerals up to 99 (十一, 二十八, 三十一)
/// or digit by digit (二〇二三). Returns (value, chars used).
fn number(text: &[char], i: usize) -> Option<(u32, usize)> {
    let c = *text.get(i)?;
    if c.is_ascii_digit() {
        let mut v: u32 = 0;
        let mut j = i;
        while j < text.len() && text[j].is_ascii_digit() && j - i < 4 {
            v = v * 10 + text[j].to_digit(10).unwrap_or(0);
            j += 1;
        }
        if text.get(j).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        return Some((v, j - i));
    }
    if let Some(tens) = tens_char(c) {
        // 廿五 = 25, 卅 = 30.
        return match text.get(i + 1).copied().and_then(cn_digit) {
            Some(u) if u > 0 => Some((tens + u, 2)),
            _ => Some((tens, 1)),
        };
    }
    let mut j = i;
    // At most four numerals: kept on the stack.
    let mut buf = [0u32; 4];
    let mut n = 0;
    let mut has_ten = false;
    while j < text.len() && j - i < 4 {
        match text[j] {
            TEN => {
                has_ten = true;
                buf[n] = 10;
            }
            c => match cn_digit(c) {
                Some(d) => buf[n] = d,
                None => break,
            },
        }
        n += 1;
        j += 1;
    }
    let digits = &buf[..n];
    if digits.is_empty() {
        return None;
    }
    let v = if has_ten {
        match digits {
            [10] => 10,
            [10, u] => 10 + u,
            [t, 10] => t * 10,
            [t, 10, u] => t * 10 + u,
            _ => return None,
        }
    } else {
        digits.iter().fold(0, |acc, d| acc * 10 + d)
    };
    Some((v, j - i))
}

fn part_of_day(text: &[char], i: usize) -> Option<(PartOfDay, usize)> {
    let (words, parts) = &*PARTS_OF_DAY;
    let n = words.longest_at(text, i)?;
    Some((*parts.get(&text[i..i + n])?, n))
}

/// A date at `text[i..]`: [year年][month月]day日|号, with a year or a month. Returns the date and
/// the chars used.
fn date_at(text: &[char], i: usize, need_month: bool) -> Option<(Ymd, usize)> {
    let (year, month, j) = year_month_at(text, i);
    if need_month && month.is_none() {
        return None;
    }
    let (d, n) = number(text, j)?;
    if !(1..=31).contains(&d) || !text.get(j + n).is_some_and(|&c| day_units(c)) {
        return None;
    }
    Some((
        Ymd {
            year,
            month,
            day: d,
        },
        j + n + 1 - i,
    ))
}

/// The first day of a range or list whose unit is written once, after the last day
/// (11月16-18日, 11月7、8日): a month is needed, and the next day must follow a separator.
/// Returns the day and its length, the separator not included.
fn open_first_day_at(text: &[char], i: usize) -> Option<(Ymd, usize)> {
    let (year, month, j) = year_month_at(text, i);
    month?;
    let (d, n) = number(text, j)?;
    let sep = text.get(j + n).copied()?;
    let separated = day_separator(sep);
    if !(1..=31).contains(&d) || !separated {
        return None;
    }
    let (next, _) = date_at(text, j + n + 1, false)?;
    (next.month.is_none() && next.day > d).then_some((
        Ymd {
            year,
            month,
            day: d,
        },
        j + n - i,
    ))
}

/// A year (2023年) and a month (11月) at `i`, each optional, and where the day would start.
fn year_month_at(text: &[char], i: usize) -> (Option<i32>, Option<u32>, usize) {
    let mut j = i;
    let mut year = None;
    if let Some((v, n)) = number(text, j)
        && n == 4
        && text.get(j + n) == Some(&YEAR)
        && (1900..=2100).contains(&v)
    {
        year = Some(v as i32);
        j += n + 1;
    }
    let mut month = None;
    if let Some((v, n)) = number(text, j)
        && text.get(j + n) == Some(&MONTH)
        && (1..=12).contains(&v)
    {
        month = Some(v);
        j += n + 1;
    }
    (year, month, j)
}

/// A month named alone as the header of a chronicle ((2024年5月), or on a line of its own): the
/// whole month, which dates no activity itself but gives the month of the bare days after it
/// (1日，…; 2日，…).
fn month_header_at(text: &[char], i: usize) -> Option<TimeExpr> {
    let opened = i == 0 || matches!(text[i - 1], OPEN_BRACKET | '\n');
    let (year, month, j) = year_month_at(text, i);
    let (y, m) = (year?, month?);
    let closed = matches!(text.get(j), None | Some(&CLOSE_BRACKET | &'\n'));
    if !opened || !closed {
        return None;
    }
    let last = (28..=31).rev().find(|&d| make_date(y, m, d).is_some())?;
    Some(TimeExpr {
        start: i,
        end: j,
        kind: TimeKind::Absolute {
            from: Ymd {
                year,
                month,
                day: 1,
            },
            to: Some(Ymd {
                year,
                month,
                day: last,
            }),
        },
        part: None,
    })
}

/// Whether time phrase `te` of `text` is a month header (see `month_header_at`).
pub fn is_month_header(text: &[char], te: &TimeExpr) -> bool {
    month_header_at(text, te.start).is_some_and(|h| h.end == te.end)
}

/// Every time phrase of `text`, in order.
pub fn scan(text: &[char]) -> Vec<TimeExpr> {
    let mut out: Vec<TimeExpr> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match time_at(text, i) {
            Some(e) => {
                i = e.end;
                out.push(e);
            }
            None => i += 1,
        }
    }
    debug_assert!(out.windows(2).all(|w| w[0].end <= w[1].start));
    out
}

/// The time phrase starting at `text[i]`, if one does.
fn time_at(text: &[char], i: usize) -> Option<TimeExpr> {
    let c = text[i];
    if !may_start_time(c) {
        return None;
    }
    let prev = i.checked_sub(1).map(|p| text[p]);
    if let Some(e) = days_ago_at(text, i).or_else(|| weekday_at(text, i)) {
        return Some(e);
    }
    if is_numeral(c)
        && !prev.is_some_and(|p| is_numeral(p) || p == ORDINAL || p == EVERY)
        && let Some(e) = absolute_at(text, i)
            .or_else(|| month_third_at(text, i))
            .or_else(|| month_header_at(text, i))
    {
        return Some(e);
    }
    if let Some(e) = festival_at(text, i) {
        return Some(e);
    }
    if let Some(e) = bare_today_at(text, i) {
        return Some(e);
    }
    if c == ORDINAL
        && let Some(e) = edition_at(text, i)
    {
        return Some(e);
    }
    if let Some(e) = bracketed_day_at(text, i) {
        return Some(e);
    }
    let (words, rel) = &*TIME_WORDS;
    if let Some(l) = words.longest_at(text, i)
        && let Some(r) = rel.get(&text[i..i + l])
    {
        return Some(word_then_part(text, i, l, TimeKind::Relative(*r), r.part));
    }
    let (same, same_kind) = &*SAME_TIME_WORDS;
    let l = same.longest_at(text, i)?;
    let kind = match same_kind.get(&text[i..i + l])? {
        SameTime::Day => TimeKind::SameDay,
        SameTime::Year => TimeKind::ThatYear,
    };
    Some(word_then_part(text, i, l, kind, None))
}

/// The first character of a word (compared as a character: `str::starts_with(char)` encodes
/// the character and compares bytes, a call per character of the text here).
#[inline]
fn first_char(word: &str) -> Option<char> {
    word.chars().next()
}

/// Whether a time phrase may start with `c`: most characters of a text start none, and are
/// passed over without looking up any table.
fn may_start_time(c: char) -> bool {
    FESTIVALS.0.may_start(c)
        || is_numeral(c)
        || c == ORDINAL
        || bracket_day_heads(c)
        || week_words(c)
        || c == LAST_WEEK_HEAD
        || c == NEXT_WEEK_HEAD
        || this_week_heads(c)
        || first_char(WEEK) == Some(c)
        || first_char(WEEK_ALT) == Some(c)
        || TIME_WORDS.0.may_start(c)
        || SAME_TIME_WORDS.0.may_start(c)
}

/// Days ago (3天前, 两日前): that many days before publication.
fn days_ago_at(text: &[char], i: usize) -> Option<TimeExpr> {
    if i > 0 && is_numeral(text[i - 1]) {
        return None;
    }
    let (n, used) = number(text, i)?;
    let unit = i + used;
    if !(1..=31).contains(&n)
        || !text.get(unit).is_some_and(|&c| day_count_units(c))
        || text.get(unit + 1) != Some(&AGO)
    {
        return None;
    }
    // 8日前往, 3天前来: 前 opens a verb of movement, no "ago".
    let after = unit + 2;
    if text
        .get(after)
        .is_some_and(|&c| is_cjk(c) && c != OF && part_of_day(text, after).is_none())
    {
        return None;
    }
    let r = RelativeDay {
        offset: -i64::from(n),
        approx: false,
        part: None,
    };
    Some(word_then_part(
        text,
        i,
        used + 2,
        TimeKind::Relative(r),
        None,
    ))
}

/// A day of the week (星期六, 礼拜三; 周五 only before a part of the day or punctuation, since
/// 周 is also a surname).
fn weekday_at(text: &[char], i: usize) -> Option<TimeExpr> {
    // 上周五 / 上个星期五, 本周五 / 这周五, 下周五 / 下个星期五.
    let weeks_back = match text[i] {
        c if c == LAST_WEEK_HEAD => Some(1),
        c if this_week_heads(c) => Some(0),
        c if c == NEXT_WEEK_HEAD => Some(-1),
        _ => None,
    };
    let mut j = i + usize::from(weeks_back.is_some());
    if weeks_back.is_some() && text.get(j) == Some(&ONE_OF) {
        j += 1;
    }
    let head = if word_at(text, j, WEEK) || word_at(text, j, WEEK_ALT) {
        2
    } else if text.get(j).is_some_and(|&c| week_words(c)) {
        1
    } else {
        return None;
    };
    let day = weekday(*text.get(j + head)?)?;
    let end = j + head + 1;
    let after = text.get(end).copied();
    let plain = after.is_none_or(|c| CLAUSE_END.contains(&c) || c == DUNHAO)
        || part_of_day(text, end).is_some();
    // 周 alone is also a surname (周五一); after 上/本 it is the week, and so it is before what
    // is done that day (某某周日前往北京).
    let acts = after.is_some_and(|a| bare_day_acts(text, end, a));
    if head == 1 && !plain && !acts && weeks_back.is_none() {
        return None;
    }
    Some(word_then_part(
        text,
        i,
        end - i,
        TimeKind::Weekday { day, weeks_back },
        None,
    ))
}

/// A time word of `l` characters at `text[i]`, with the part of the day written after it
/// (昨天上午), else `part`, the one the word names itself.
fn word_then_part(
    text: &[char],
    i: usize,
    l: usize,
    kind: TimeKind,
    part: Option<PartOfDay>,
) -> TimeExpr {
    let after = part_of_day(text, i + l);
    TimeExpr {
        start: i,
        end: i + l + after.map_or(0, |p| p.1),
        kind,
        part: after.map(|p| p.0).or(part),
    }
}

/// A day of the month in brackets after 今/昨/前/明 (今（10）日上午, the way Taiwanese news
/// dates a report): the day as written, its month from the publication date.
fn bracketed_day_at(text: &[char], i: usize) -> Option<TimeExpr> {
    if !text.get(i).is_some_and(|&c| bracket_day_heads(c)) || text.get(i + 1) != Some(&OPEN_BRACKET)
    {
        return None;
    }
    let (d, n) = number(text, i + 2)?;
    let close = i + 2 + n;
    if !(1..=31).contains(&d) || text.get(close) != Some(&CLOSE_BRACKET) {
        return None;
    }
    // 今（3）日上午, or the part of the day right after the bracket (昨(6)晚).
    let day_end = if text.get(close + 1) == Some(&DAY) {
        close + 2
    } else if part_of_day(text, close + 1).is_some() {
        close + 1
    } else {
        return None;
    };
    let part = part_of_day(text, day_end);
    let from = Ymd {
        year: None,
        month: None,
        day: d,
    };
    Some(TimeExpr {
        start: i,
        end: day_end + part.map_or(0, |p| p.1),
        kind: TimeKind::Absolute { from, to: None },
        part: part.map(|p| p.0),
    })
}

fn absolute_at(text: &[char], i: usize) -> Option<TimeExpr> {
    let (from, n) = date_at(text, i, false).or_else(|| open_first_day_at(text, i))?;
    if from.month.is_none() && from.year.is_none() && !bare_day_stands(text, i, n) {
        return None;
    }
    let mut j = i + n;
    let mut to = None;
    let mut part = part_of_day(text, j);
    if let Some((_, pn)) = part {
        j += pn;
    }
    // Ranges: 至 / 到 / — / - / ～, and lists of days with 、, 及, 和.
    loop {
        let sep = text.get(j).copied();
        if !sep.is_some_and(day_separator) {
            break;
        }
        // A dash may be written twice (5月29日--6月1日, 5月29日——6月1日).
        let double = matches!(sep, Some('—' | '-')) && text.get(j + 1) == sep.as_ref();
        if double {
            j += 1;
        }
        let Some((d, m)) = date_at(text, j + 1, false) else {
            break;
        };
        let d = Ymd {
            year: d.year.or(from.year),
            month: d.month.or(from.month),
            ..d
        };
        to = Some(d);
        j += 1 + m;
        if part.is_none()
            && let Some((p, pn)) = part_of_day(text, j)
        {
            part = Some((p, pn));
            j += pn;
        } else if let Some((_, pn)) = part_of_day(text, j) {
            j += pn;
        }
    }
    Some(TimeExpr {
        start: i,
        end: j,
        kind: TimeKind::Absolute { from, to },
        part: part.map(|p| p.0),
    })
}

/// Whether `c` separates the days of a range or list (11月16-18日, 11月7、8日, 3月9及10日,
/// 5月8日至10日).
fn day_separator(c: char) -> bool {
    matches!(c, '—' | '-' | WAVE_DASH | '~' | DUNHAO | AND_ALSO | PLUS) || range_words(c)
}

/// Whether a bare day (八日, 5日) of `n` characters at `text[i]` is a date: only where a date can
/// stand, before a part of day, punctuation or a range word, or inside brackets.
fn bare_day_stands(text: &[char], i: usize, n: usize) -> bool {
    let after = text.get(i + n).copied();
    let before = i.checked_sub(1).map(|p| text[p]);
    let ok = part_of_day(text, i + n).is_some()
        || matches!(
            after,
            Some(COMMA | DUNHAO | CLOSE_BRACKET | '—' | '-') | None
        )
        || after.is_some_and(bare_day_next)
        || matches!(
            before,
            Some(OPEN_BRACKET | CLOSE_BRACKET | COMMA | DUNHAO | ON_DATE | '\n') | None
        )
        || after.is_some_and(|a| bare_day_acts(text, i + n, a));
    // 连续3日, 一连4日: a count of days, not a date.
    let counted = DAY_COUNT_WORDS.longest_ending_at(text, i).is_some()
        || DURATION_WORDS.longest_ending_at(text, i).is_some();
    ok && !counted && !word_at(text, i + n, UNTIL_NOW)
}

/// Whether a bare day written inside a clause (某某率团11日展开考察) dates what follows: an
/// activity verb, a verb of movement or a word that follows names comes right after it (a
/// count of days before it, 连续3日, is ruled out by [`bare_day_stands`]).
fn bare_day_acts(text: &[char], end: usize, after: char) -> bool {
    crate::people::is_cjk(after)
        && (ACTION_TRIGGERS.starts_at(text, end)
            || MOVEMENT_VERBS.starts_at(text, end)
            || FOLLOWERS.starts_at(text, end))
}

/// The number of days an activity lasts, written in the clause after its date (展开一连三天的
/// 访问, 为期2天的考察): the count before 天 or 日 after a duration word. `None` past the clause.
pub fn duration_days(text: &[char], from: usize) -> Option<u32> {
    if text.get(from) == Some(&SINCE) {
        return None;
    }
    let end = (from..text.len().min(from + 40))
        .find(|&k| matches!(text[k], COMMA | FULL_STOP | SEMICOLON | '\n'))
        .unwrap_or(text.len().min(from + 40));
    (from..end).find_map(|k| {
        let l = DURATION_WORDS.longest_at(text, k)?;
        let (n, used) = number(text, k + l)?;
        let unit = text.get(k + l + used)?;
        // A trip lasts days; a campaign that starts then (今日起展开为期15天的…) is no visit.
        ((2..=7).contains(&n) && day_count_units(*unit)).then_some(n)
    })
}

fn edition_at(text: &[char], i: usize) -> Option<TimeExpr> {
    let (n, used) = number(text, i + 1)?;
    if text.get(i + 1 + used) != Some(&SESSION) {
        return None;
    }
    let after = i + 2 + used;
    for (name, ed, a, b) in EDITIONS.iter() {
        if *ed != n {
            continue;
        }
        // The expo's name may follow after a few characters (第六届中国国际进口博览会).
        for skip in 0..=2 {
            let s = after + skip;
            if s + name.len() <= text.len() && text[s..s + name.len()] == name[..] {
                return Some(TimeExpr {
                    start: i,
                    end: s + name.len(),
                    kind: TimeKind::Edition { start: *a, end: *b },
                    part: None,
                });
            }
        }
    }
    None
}

fn make_date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn previous_month(y: i32, m: u32) -> (i32, u32) {
    if m == 1 { (y - 1, 12) } else { (y, m - 1) }
}

/// Context for resolving: publication date, a year the text states elsewhere, and the phrases
/// resolved before this one.
pub struct Resolver {
    pub published: Option<NaiveDate>,
    pub doc_year: Option<i32>,
}

impl Resolver {
    /// Resolve `e`; `before` are earlier phrases of the same text (for 同日 and 当年).
    pub fn resolve(&self, e: &TimeExpr, before: &[TimeExpr]) -> Option<Resolved> {
        let part = e.part;
        match e.kind {
            TimeKind::Absolute { from, to } => self.absolute(from, to, part, before),
            TimeKind::Weekday { day: d, weeks_back } => {
                let day = self.published.map(|p| {
                    let today = p.weekday().num_days_from_monday();
                    match weeks_back {
                        None => p - Duration::days(i64::from((today + 7 - d) % 7)),
                        Some(w) => {
                            let monday = p - Duration::days(i64::from(today) + 7 * i64::from(w));
                            monday + Duration::days(i64::from(d))
                        }
                    }
                });
                Some(self.counted_from_published(day, part, false))
            }
            TimeKind::Relative(r) => {
                let day = self.published.map(|p| p + Duration::days(r.offset));
                Some(self.counted_from_published(day, part, r.approx))
            }
            TimeKind::SameDay => {
                let k = before.iter().rposition(|b| {
                    !matches!(
                        b.kind,
                        TimeKind::SameDay | TimeKind::Edition { .. } | TimeKind::ThatYear
                    )
                })?;
                let mut r = self.resolve(&before[k], &before[..k])?;
                r.part = part.or(r.part);
                Some(r)
            }
            TimeKind::ThatYear => {
                let k = before
                    .iter()
                    .rposition(|b| matches!(b.kind, TimeKind::Edition { .. }))?;
                let mut r = self.resolve(&before[k], &before[..k])?;
                r.approx = true;
                r.basis = TimeBasis::Inferred;
                Some(r)
            }
            TimeKind::Festival { from, to, approx } => {
                let p = self.published?;
                // The last festival begun by publication; one still to come (春节将近，…春节
                // 期间要…) or long past dates nothing.
                let new_year = FESTIVALS
                    .2
                    .iter()
                    .rev()
                    .find(|&&ny| ny + Duration::days(i64::from(from)) <= p)?;
                let day = |n: i32| *new_year + Duration::days(i64::from(n));
                if p - day(to) > Duration::days(45) {
                    return None;
                }
                Some(Resolved {
                    start: Some(day(from)),
                    end: Some(day(to)),
                    part,
                    approx,
                    basis: TimeBasis::Inferred,
                })
            }
            TimeKind::Edition { start, end } => Some(Resolved {
                start: Some(start),
                end: Some(end),
                part: None,
                approx: true,
                basis: TimeBasis::Inferred,
            }),
        }
    }

    /// A written date or range; an end before the start is the start.
    fn absolute(
        &self,
        from: Ymd,
        to: Option<Ymd>,
        part: Option<PartOfDay>,
        before: &[TimeExpr],
    ) -> Option<Resolved> {
        let (start, approx, basis) = self.ymd(from, before)?;
        let end = match to {
            Some(t) => self.ymd(t, before).and_then(|r| r.0).or(start),
            None => start,
        };
        let end = match (start, end) {
            (Some(s), Some(e)) if e < s => Some(s),
            (_, e) => e,
        };
        Some(Resolved {
            start,
            end,
            part,
            approx,
            basis,
        })
    }

    /// A day counted from publication (`None` when the publication date is unknown: a guess).
    fn counted_from_published(
        &self,
        day: Option<NaiveDate>,
        part: Option<PartOfDay>,
        approx: bool,
    ) -> Resolved {
        Resolved {
            start: day,
            end: day,
            part,
            approx: approx || day.is_none(),
            basis: TimeBasis::RelativeToPublished,
        }
    }

    /// (day, approx, basis) of a written date.
    fn ymd(&self, d: Ymd, before: &[TimeExpr]) -> Option<(Option<NaiveDate>, bool, TimeBasis)> {
        let month = d.month.or_else(|| {
            before.iter().rev().find_map(|b| match b.kind {
                TimeKind::Absolute { from, to } => to.and_then(|t| t.month).or(from.month),
                _ => None,
            })
        });
        if let Some(y) = d.year {
            let m = month.or(self.published.map(|p| p.month()))?;
            return Some((make_date(y, m, d.day), false, TimeBasis::Explicit));
        }
        // A day the month written before cannot have (2月…昨(31)日) counts from publication.
        let month = month.filter(|&m| {
            d.month.is_some()
                || make_date(self.published.map_or(2000, |p| p.year()), m, d.day).is_some()
        });
        match (self.published, month) {
            (Some(p), Some(m)) => {
                let mut date = make_date(p.year(), m, d.day);
                if date.is_some_and(|x| x > p + Duration::days(7)) {
                    date = make_date(p.year() - 1, m, d.day);
                }
                let basis = if d.month.is_some() {
                    TimeBasis::Explicit
                } else {
                    TimeBasis::RelativeToPublished
                };
                Some((date, false, basis))
            }
            (Some(p), None) => {
                // A day after publication's is last month's (published on the 2nd, 28日 was four
                // days before), unless it is only days ahead this month: published on the 21st,
                // 25日 is what is to come (last month's would be weeks-old news).
                let soon = d.day.saturating_sub(p.day()) <= DAYS_AHEAD_OF_NEWS
                    && make_date(p.year(), p.month(), d.day).is_some();
                let (y, m) = if d.day > p.day() && !soon {
                    previous_month(p.year(), p.month())
                } else {
                    (p.year(), p.month())
                };
                Some((
                    make_date(y, m, d.day),
                    false,
                    TimeBasis::RelativeToPublished,
                ))
            }
            (None, Some(m)) => match self.doc_year {
                Some(y) => Some((make_date(y, m, d.day), true, TimeBasis::Inferred)),
                None => Some((None, true, TimeBasis::YearUnknown)),
            },
            (None, None) => Some((None, true, TimeBasis::YearUnknown)),
        }
    }
}

/// A bare day at most this many days after publication's is this month's, still to come.
const DAYS_AHEAD_OF_NEWS: u32 = 7;

/// The year of the first expo edition the text names (第六届进博会 → 2023), for texts without a
/// publication date or a written year.
pub fn edition_year(text: &[char]) -> Option<i32> {
    scan(text).iter().find_map(|e| match e.kind {
        TimeKind::Edition { start, .. } => Some(start.year()),
        _ => None,
    })
}

/// A year the text states (2023年, 2023-05-08), for texts without a publication date.
pub fn doc_year(text: &[char]) -> Option<i32> {
    let mut i = 0;
    while i + 4 < text.len() {
        if text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_digit()) {
            let digits = &text[i..i + 4];
            if digits.iter().all(|c| c.is_ascii_digit())
                && matches!(text.get(i + 4).copied(), Some(YEAR | '-' | '/' | '.'))
            {
                let y: i32 = digits.iter().collect::<String>().parse().unwrap_or(0);
                if (1990..=2100).contains(&y) {
                    return Some(y);
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn first(text: &str, published: Option<&str>) -> Resolved {
        let t: Vec<char> = text.chars().collect();
        let exprs = scan(&t);
        assert!(!exprs.is_empty(), "no time phrase in {text}");
        let r = Resolver {
            published: published.map(d),
            doc_year: doc_year(&t),
        };
        let best = exprs
            .iter()
            .enumerate()
            .max_by_key(|(i, e)| (e.rank(), usize::MAX - i))
            .unwrap();
        r.resolve(best.1, &exprs[..best.0]).unwrap()
    }

    #[test]
    fn time_phrases_resolve_to_days_with_their_basis() {
        use PartOfDay::*;
        let cases: &[(&str, &str, &str, &str, Option<PartOfDay>, bool, TimeBasis)] = &[
            (
                "11月5日上午，区委书记调研",
                "2023-11-10",
                "2023-11-05",
                "2023-11-05",
                Some(Morning),
                false,
                TimeBasis::Explicit,
            ),
            (
                "11月7日、8日，区长带队",
                "2023-11-10",
                "2023-11-07",
                "2023-11-08",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "3月1日至3日，考察团",
                "2024-03-05",
                "2024-03-01",
                "2024-03-03",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "3月下旬，县级林长开展巡林",
                "2022-04-07",
                "2022-03-21",
                "2022-03-31",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "2月上旬，县长调研",
                "2024-03-01",
                "2024-02-01",
                "2024-02-10",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "春节期间，市领导走访慰问",
                "2011-02-10",
                "2011-02-02",
                "2011-02-08",
                None,
                true,
                TimeBasis::Inferred,
            ),
            (
                "今日（年初三）上午，司长巡视",
                "2026-02-19",
                "2026-02-19",
                "2026-02-19",
                None,
                false,
                TimeBasis::RelativeToPublished,
            ),
            (
                "大年初三上午，司长巡视",
                "2026-02-25",
                "2026-02-19",
                "2026-02-19",
                Some(Morning),
                false,
                TimeBasis::Inferred,
            ),
            (
                "5月29日--6月1日，县长带队赴广州招商",
                "2023-06-02",
                "2023-05-29",
                "2023-06-01",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "十一月五日下午，县长",
                "2023-11-10",
                "2023-11-05",
                "2023-11-05",
                Some(Afternoon),
                false,
                TimeBasis::Explicit,
            ),
            (
                "二〇二二年十二月二十八日，",
                "2023-01-02",
                "2022-12-28",
                "2022-12-28",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "12月28日，书记巡林",
                "2024-01-03",
                "2023-12-28",
                "2023-12-28",
                None,
                false,
                TimeBasis::Explicit,
            ),
            (
                "昨天，副市长走访",
                "2023-06-02",
                "2023-06-01",
                "2023-06-01",
                None,
                false,
                TimeBasis::RelativeToPublished,
            ),
            (
                "今天上午，区长",
                "2023-06-02",
                "2023-06-02",
                "2023-06-02",
                Some(Morning),
                false,
                TimeBasis::RelativeToPublished,
            ),
            (
                "近日，县委书记",
                "2023-06-02",
                "2023-06-02",
                "2023-06-02",
                None,
                true,
                TimeBasis::RelativeToPublished,
            ),
            (
                "六日下午至晚间，县长",
                "2025-03-07",
                "2025-03-06",
                "2025-03-06",
                Some(Afternoon),
                false,
                TimeBasis::RelativeToPublished,
            ),
            (
                "昨（9）日下午，县长",
                "2024-11-10",
                "2024-11-09",
                "2024-11-09",
                Some(Afternoon),
                false,
                TimeBasis::RelativeToPublished,
            ),
            (
                "今天（5日）继续考察",
                "2024-06-05",
                "2024-06-05",
                "2024-06-05",
                None,
                false,
                TimeBasis::RelativeToPublished,
            ),
            (
                "参观第六届进博会",
                "2023-11-10",
                "2023-11-05",
                "2023-11-10",
                None,
                true,
                TimeBasis::Inferred,
            ),
            (
                "于1月13日至15日期间",
                "2023-01-17",
                "2023-01-13",
                "2023-01-15",
                None,
                false,
                TimeBasis::Explicit,
            ),
        ];
        for (text, published, start, end, part, approx, basis) in cases {
            let r = first(text, Some(published));
            assert_eq!(r.start, Some(d(start)), "{text}");
            assert_eq!(r.end, Some(d(end)), "{text}");
            assert_eq!(r.part, *part, "{text}");
            assert_eq!(r.approx, *approx, "{text}");
            assert_eq!(r.basis, *basis, "{text}");
        }
    }

    #[test]
    fn a_festival_still_to_come_or_long_past_dates_nothing() {
        // Published a week before the Spring Festival of 2026 (02-17): 春节期间 is ahead.
        let t: Vec<char> = "春节期间，各单位务必落实安全措施".chars().collect();
        let r = Resolver {
            published: Some(d("2026-02-10")),
            doc_year: None,
        };
        let e = scan(&t);
        assert!(matches!(e[0].kind, TimeKind::Festival { .. }));
        assert_eq!(r.resolve(&e[0], &[]), None);
        // Published in summer: the festival is months back, no day of this activity.
        let r = Resolver {
            published: Some(d("2026-07-01")),
            doc_year: None,
        };
        assert_eq!(r.resolve(&e[0], &[]), None);
        // A plain 春节 names no day (春节走访慰问 happens before it).
        let t: Vec<char> = "开展春节走访慰问活动".chars().collect();
        assert!(scan(&t).is_empty());
    }

    #[test]
    fn without_a_publication_date_the_year_is_never_guessed_silently() {
        let r = first("5月6日，区长调研", None);
        assert_eq!(
            (r.start, r.approx, r.basis),
            (None, true, TimeBasis::YearUnknown)
        );
        let r = first("发布日期：2021-05-08\n5月6日，区长调研", None);
        assert_eq!(
            (r.start, r.approx, r.basis),
            (Some(d("2021-05-06")), true, TimeBasis::Inferred)
        );
    }

    #[test]
    fn numbers_that_are_not_days_are_not_dates() {
        for text in [
            "第5号令",
            "增长5.6%",
            "共有12家企业",
            "每日巡查",
            "在30日内完成",
        ] {
            let t: Vec<char> = text.chars().collect();
            assert!(
                scan(&t)
                    .iter()
                    .all(|e| !matches!(e.kind, TimeKind::Absolute { .. })),
                "{text}"
            );
        }
    }
}
