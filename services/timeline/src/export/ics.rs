//! `format=ics`: an RFC 5545 calendar with one VEVENT per activity.
//!
//! `UID:<event id>@dongtai` never changes for an activity (event ids are stable across
//! re-extraction, and a corroborated activity keeps the id of its group), so a subscribed
//! calendar updates entries in place; `SEQUENCE` and `LAST-MODIFIED` tell it which copy is
//! newer. `SEQUENCE` is the highest EVENTS stream sequence among the activity's reports: every
//! change to any report (a newer version, a second article joining the activity, a report that
//! bridges two activities) is a publication at a higher sequence, so it only grows, and it is
//! durable (each report's sequence is in its sled record, and a rebuild from the stream gives
//! the same numbers), not a counter held in memory. Whole days are all-day events (DTEND is the
//! day after, as RFC 5545 wants); a single day with a known part of the day gets local
//! Asia/Shanghai hours: morning 09–12, afternoon 14–18, evening 19–21.

use super::{description, summary};
use crate::view::Activity;
use chrono::{DateTime, Days, NaiveDate, Utc};
use dongtai_proto::PartOfDay;

/// Shanghai has kept +08:00 all year since 1991: one STANDARD block describes it.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Shanghai",
    "BEGIN:STANDARD",
    "DTSTART:19910915T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The calendar text of `activities` (activities without a known day are left out: a calendar
/// cannot place them).
pub fn render(activities: &[Activity], name: &str) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//dongtai//timeline//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| l.to_string()));
    for a in activities {
        let e = &a.lead.event;
        let Some(start) = e.when.start else { continue };
        let end = e.when.end.unwrap_or(start).max(start);
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}@dongtai", a.group_id()));
        lines.push(format!("DTSTAMP:{}", utc(a.updated())));
        lines.push(format!("LAST-MODIFIED:{}", utc(a.updated())));
        lines.push(format!("SEQUENCE:{}", sequence(a)));
        match (e.when.part_of_day.and_then(hours), start == end) {
            (Some((from, to)), true) => {
                lines.push(format!(
                    "DTSTART;TZID=Asia/Shanghai:{}T{from:02}0000",
                    day(start)
                ));
                lines.push(format!(
                    "DTEND;TZID=Asia/Shanghai:{}T{to:02}0000",
                    day(start)
                ));
            }
            _ => {
                lines.push(format!("DTSTART;VALUE=DATE:{}", day(start)));
                let after = end.checked_add_days(Days::new(1)).unwrap_or(end);
                lines.push(format!("DTEND;VALUE=DATE:{}", day(after)));
            }
        }
        lines.push(format!("SUMMARY:{}", escape(&summary(e))));
        if !e.places.is_empty() || !e.targets.is_empty() {
            let at: Vec<&str> = e
                .places
                .iter()
                .chain(&e.targets)
                .map(String::as_str)
                .collect();
            lines.push(format!("LOCATION:{}", escape(&at.join(", "))));
        }
        lines.push(format!("DESCRIPTION:{}", escape(&description(a))));
        lines.push(format!("CATEGORIES:{}", escape(e.kind.label_en())));
        if let Some(url) = &e.source.url {
            lines.push(format!("URL:{}", url.replace(['\r', '\n'], "")));
        }
        lines.push(format!(
            "STATUS:{}",
            if e.when.approx {
                "TENTATIVE"
            } else {
                "CONFIRMED"
            }
        ));
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        out.push_str(&fold(&l));
    }
    out
}

/// The activity's revision: see the module doc. RFC 5545 makes it an INTEGER (31 bits).
pub fn sequence(a: &Activity) -> u64 {
    a.reports()
        .map(|r| r.stream_seq)
        .max()
        .unwrap_or(a.lead.stream_seq)
        .min(i32::MAX as u64)
}

fn hours(p: PartOfDay) -> Option<(u8, u8)> {
    Some(match p {
        PartOfDay::Morning => (9, 12),
        PartOfDay::Afternoon => (14, 18),
        PartOfDay::Evening => (19, 21),
    })
}

fn day(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as `\n`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character, each
/// physical line ending in CRLF; continuation lines start with a space.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::view::tests::stored;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let line = format!(
            "DESCRIPTION:{}",
            "曹立强前往环城生态公园东片区调研林长制工作".repeat(4)
        );
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        for physical in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(
                physical.len() <= 75,
                "{} octets: {physical}",
                physical.len()
            );
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_newline() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn a_morning_activity_is_timed_in_shanghai_and_a_two_day_one_is_all_day() {
        let morning = stored();
        let mut two_days = stored();
        two_days.event.id = "00000000000000000000000000000002".parse().unwrap();
        two_days.event.when.start = Some("2023-11-07".parse().unwrap());
        two_days.event.when.end = Some("2023-11-08".parse().unwrap());
        let text = render(
            &[
                Activity::single(morning.clone()),
                Activity::single(two_days),
            ],
            "曹立强",
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert!(text.contains(&format!("UID:{}@dongtai\r\n", morning.event.id)));
        assert!(text.contains("DTSTART;TZID=Asia/Shanghai:20231105T090000\r\n"));
        assert!(text.contains("DTEND;TZID=Asia/Shanghai:20231105T120000\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20231107\r\nDTEND;VALUE=DATE:20231109\r\n"));
        assert!(text.contains("Cao Liqiang"));
        assert!(text.contains("TZID:Asia/Shanghai"));
        assert!(text.split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn sequence_is_the_newest_report_so_a_second_article_raises_it() {
        let mut first = stored();
        first.stream_seq = 10;
        let alone = Activity::single(first.clone());
        let mut second = stored();
        second.event.id = "00000000000000000000000000000002".parse().unwrap();
        second.stream_seq = 14;
        let joined = Activity {
            lead: first,
            others: vec![second],
        };
        assert_eq!(sequence(&alone), 10);
        assert_eq!(sequence(&joined), 14);
        assert!(render(&[joined], "x").contains("SEQUENCE:14\r\n"));
    }
}
