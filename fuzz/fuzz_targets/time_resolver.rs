//! The time resolver on arbitrary text and publication dates: no panic, phrases inside the
//! text, and no range that ends before it starts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, u32)| {
    let (raw, day) = input;
    let published = chrono::NaiveDate::from_num_days_from_ce_opt(700_000 + (day % 40_000) as i32);
    let len = dongtai_engine::normalize(raw).text.chars().count();
    for p in dongtai_engine::resolve_times(raw, published) {
        assert!(p.start < p.end && p.end <= len, "phrase {}..{} outside 0..{len}", p.start, p.end);
        if let (Some(a), Some(b)) = (p.first, p.last) {
            assert!(a <= b, "range {a}..{b} ends before it starts");
        }
    }
});
