//! The whole engine on arbitrary text: no panic, and every evidence span lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let chars = raw.chars().count();
    let published = chrono::NaiveDate::from_ymd_opt(2023, 11, 10);
    for e in dongtai_engine::extract_standalone(raw, published) {
        for ev in &e.evidence {
            assert!(ev.start <= ev.end && ev.end <= chars, "evidence {}..{} outside 0..{chars}", ev.start, ev.end);
        }
        if let (Some(a), Some(b)) = (e.when.start, e.when.end) {
            assert!(a <= b);
        }
    }
});
