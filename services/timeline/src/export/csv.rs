//! `format=csv`: RFC 4180 (CRLF line ends, fields quoted when they hold a comma, quote or line
//! break, quotes doubled; formula-like text defused, see [`field`]). One row per report: a corroborated activity has one row per source,
//! sharing its `group`.

use crate::view::Activity;
use dongtai_proto::Role;

const HEADER: [&str; 26] = [
    "id",
    "group",
    "source_count",
    "kind",
    "kind_en",
    "kind_zh",
    "start",
    "end",
    "part_of_day",
    "approx",
    "time_phrase",
    "leads",
    "leads_pinyin",
    "participants",
    "titles",
    "places",
    "targets",
    "topic",
    "evidence",
    "article_id",
    "title",
    "outlet",
    "page",
    "published",
    "url",
    "confidence",
];

/// The CSV text of `activities`.
pub fn render(activities: &[Activity]) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| h.to_string()));
    for a in activities {
        for r in a.reports() {
            let e = &r.event;
            let names = |role: Role| -> Vec<String> {
                e.actors
                    .iter()
                    .filter(|x| x.role == role)
                    .map(|x| x.name.clone())
                    .collect()
            };
            let leads_pinyin: Vec<String> = e
                .actors
                .iter()
                .filter(|x| x.role == Role::Lead)
                .map(|x| x.pinyin.clone().unwrap_or_default())
                .collect();
            let titles: Vec<String> = e
                .actors
                .iter()
                .filter(|x| !x.titles.is_empty())
                .map(|x| format!("{}: {}", x.name, x.titles.join("、")))
                .collect();
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let evidence: Vec<&str> = e.evidence.iter().map(|x| x.text.as_str()).collect();
            row(
                &mut out,
                [
                    e.id.to_string(),
                    a.group_id(),
                    a.source_count().to_string(),
                    e.kind.as_str().to_owned(),
                    e.kind.label_en().to_owned(),
                    e.kind.label_zh().to_owned(),
                    date(e.when.start),
                    date(e.when.end),
                    e.when
                        .part_of_day
                        .map(|p| format!("{p:?}").to_lowercase())
                        .unwrap_or_default(),
                    e.when.approx.to_string(),
                    e.when.phrase.clone().unwrap_or_default(),
                    names(Role::Lead).join("; "),
                    leads_pinyin.join("; "),
                    names(Role::Participant).join("; "),
                    titles.join("; "),
                    e.places.join("; "),
                    e.targets.join("; "),
                    e.topic.clone().unwrap_or_default(),
                    evidence.join("\n"),
                    e.source.article_id.to_string(),
                    e.source.title.clone().unwrap_or_default(),
                    e.source.outlet.clone().unwrap_or_default(),
                    e.source.page.clone().unwrap_or_default(),
                    date(e.source.published),
                    e.source.url.clone().unwrap_or_default(),
                    e.confidence.to_string(),
                ]
                .into_iter(),
            );
        }
    }
    out
}

fn row(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(&f));
    }
    out.push_str("\r\n");
}

/// One field, quoted only when it must be. Text from articles that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// so opening an export never executes what an article said.
pub fn field(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::view::tests::stored;

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted_and_quotes_doubled() {
        assert_eq!(field("plain 文字"), "plain 文字");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("one\ntwo"), "\"one\ntwo\"");
    }

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_defused() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        // Only the first character matters; ordinary values stay as they are.
        assert_eq!(field("2023-11-05"), "2023-11-05");
        assert_eq!(field("0.9"), "0.9");
        assert_eq!(field("a=b"), "a=b");
    }

    #[test]
    fn each_event_is_one_row_with_its_evidence_sentence_and_source() {
        let mut e = stored();
        e.event.evidence[0].text = "他说：\"好\"，然后走了".into();
        let text = render(&[Activity::single(e.clone())]);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines.len(),
            3,
            "header, one row, and the empty rest: {text:?}"
        );
        assert!(lines[0].starts_with("id,group,source_count,kind,"));
        assert!(lines[1].starts_with(&format!(
            "{},{},1,forest_chief_inspection,",
            e.event.id, e.event.id
        )));
        assert!(
            lines[1].contains("\"他说：\"\"好\"\"，然后走了\""),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains("Cao Liqiang"));
        assert!(lines[1].contains("徐汇报"));
        assert_eq!(
            lines[1].matches(',').count(),
            HEADER.len() - 1,
            "no comma inside fields here"
        );
    }
}
