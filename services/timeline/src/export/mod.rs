//! Exports of any `/v1/events` query, handwritten (each format is small and its rules are few):
//! CSV for spreadsheets, iCalendar for calendars, Atom for feed readers; [`http`] says what
//! every export's response carries (file name, `ETag`, the CSV byte order mark).

pub mod atom;
pub mod csv;
pub mod http;
pub mod ics;

use crate::view::Activity;
use dongtai_proto::{ActivityEvent, Role};

/// "林长巡林 Forest-chief inspection: 曹立强 (Cao Liqiang), 区投促办 @ 环城生态公园东片区; 乐高"
pub fn summary(e: &ActivityEvent) -> String {
    let mut s = format!("{} {}: ", e.kind.label_zh(), e.kind.label_en());
    let leads: Vec<String> = e
        .actors
        .iter()
        .filter(|a| a.role == Role::Lead)
        .map(named)
        .collect();
    let who = if leads.is_empty() {
        e.actors.iter().map(named).collect()
    } else {
        leads
    };
    s.push_str(&who.join(", "));
    let where_: Vec<&str> = e
        .places
        .iter()
        .chain(&e.targets)
        .map(String::as_str)
        .collect();
    if !where_.is_empty() {
        s.push_str(" @ ");
        s.push_str(&where_.join(", "));
    }
    s
}

fn named(a: &dongtai_proto::Actor) -> String {
    match &a.pinyin {
        Some(p) => format!("{} ({p})", a.name),
        None => a.name.clone(),
    }
}

/// The evidence sentences of every report of the activity, then where each was printed.
pub fn description(a: &Activity) -> String {
    let mut out = String::new();
    for e in a.reports() {
        for ev in &e.event.evidence {
            out.push_str(&ev.text);
            out.push('\n');
        }
        out.push_str("—— ");
        out.push_str(&citation(&e.event));
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// 徐汇报 2023-11-10 第1版《区委书记调研林长制工作》 https://…
pub fn citation(e: &ActivityEvent) -> String {
    let s = &e.source;
    let mut parts = Vec::new();
    if let Some(o) = &s.outlet {
        parts.push(o.clone());
    }
    if let Some(d) = s.published {
        parts.push(d.to_string());
    }
    if let Some(p) = &s.page {
        parts.push(format!("第{p}版"));
    }
    if let Some(t) = &s.title {
        parts.push(format!("《{t}》"));
    }
    if let Some(u) = &s.url {
        parts.push(u.clone());
    }
    if parts.is_empty() {
        parts.push(format!("article {}", s.article_id));
    }
    parts.join(" ")
}
