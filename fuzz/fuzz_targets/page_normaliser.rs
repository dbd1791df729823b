//! The page normaliser and splitter on arbitrary text: no panic, and every normalised offset
//! maps inside the raw text, in order.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let raw_chars = raw.chars().count();
    let n = dongtai_engine::normalize(raw);
    let len = n.text.chars().count();
    let mut prev = 0;
    for i in 0..=len {
        let r = n.map.to_raw(i);
        assert!(r <= raw_chars, "offset {i} maps to {r} beyond {raw_chars}");
        assert!(r >= prev, "offsets go backwards at {i}");
        prev = r;
    }
    for article in dongtai_engine::split_page(raw) {
        let len = article.text.chars().count();
        for i in 0..len {
            assert!(article.map.to_raw(i) < raw_chars.max(1), "page offset {i} outside the page");
        }
    }
});
