//! Whatever the input, the engine neither panics nor points outside the text, and stays fast.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dongtai_engine::{extract_standalone, normalize, split_page};
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// Pieces of the genre, so random text often looks like an activity.
const PIECES: &[&str] = &[
    "11月5日上午，",
    "3 月 1 日至 3 日，",
    "八日下午",
    "近日，",
    "同日，",
    "当年",
    "第六届进博会",
    "区委书记",
    "区委副书记、区长",
    "县领导",
    "副市长",
    "总林长",
    "董事长",
    "大使",
    "曹",
    "钟",
    "欧阳",
    "立强",
    "晓",
    "咏",
    "一行",
    "带队",
    "率队",
    "前往",
    "来到",
    "到",
    "深入",
    "调研",
    "巡林",
    "巡馆",
    "会见",
    "与",
    "座谈",
    "招商",
    "参加",
    "陪同",
    "在",
    "陪同下",
    "、",
    "，",
    "。",
    "\n",
    "\n\n",
    " ",
    "（下转第 6 版）",
    "等展台",
    "等地",
    "公司",
    "集团",
    "招商团队",
    "调研组",
    "指出",
    "縣長",
    "鄉",
    "·",
    ".",
    "的",
    "了",
    "和",
    "及",
    "“",
    "”",
    "１２",
    "Ａ",
    ",",
    "(",
    ")",
];

fn genre_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..200).prop_map(|v| v.concat())
}

fn check(text: &str) {
    let n = text.chars().count();
    for e in extract_standalone(text, None) {
        for ev in &e.evidence {
            assert!(
                ev.start <= ev.end && ev.end <= n,
                "{}..{} outside {n}",
                ev.start,
                ev.end
            );
        }
    }
    let published = chrono::NaiveDate::from_ymd_opt(2024, 3, 1);
    for e in extract_standalone(text, published) {
        for ev in &e.evidence {
            assert!(ev.start <= ev.end && ev.end <= n);
        }
    }
    let norm = normalize(text);
    for i in 0..norm.text.chars().count() {
        assert!(norm.map.to_raw(i) <= n);
    }
    for a in split_page(text) {
        for i in 0..a.text.chars().count() {
            assert!(a.map.to_raw(i) <= n);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_unicode_never_panics_and_offsets_stay_inside(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn genre_like_text_never_panics_and_offsets_stay_inside(text in genre_text()) {
        check(&text);
    }
}

/// A deterministic pseudo-random text of about `bytes` bytes built from the genre pieces.
fn big_text(bytes: usize, seed: u64) -> String {
    let mut x = seed;
    let mut out = String::with_capacity(bytes + 64);
    while out.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(PIECES[(x % PIECES.len() as u64) as usize]);
    }
    out
}

#[test]
fn a_one_megabyte_input_finishes_fast() {
    let text = big_text(1 << 20, 7);
    let t0 = Instant::now();
    check(&text);
    // Debug build, four passes over the text in `check`: generous, but not quadratic.
    assert!(
        t0.elapsed() < Duration::from_secs(60),
        "took {:?}",
        t0.elapsed()
    );
}
