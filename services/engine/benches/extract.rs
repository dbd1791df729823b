//! Extraction speed on the seed page and on a generated corpus of our own articles, next to
//! jieba-rs `cut` on the same text in the same run (issue 6: at least jieba's speed, ≥ 10 MB/s on
//! one core). Prints MB/s for both and their ratio, then criterion's own figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, black_box};
use dongtai_engine::extract_standalone;
use jieba_rs::Jieba;
use std::time::{Duration, Instant};

#[path = "corpus.rs"]
mod corpus;

use corpus::corpus;

fn seed() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../seeds/xuhui-2023-11-10-p1.txt"
    );
    std::fs::read_to_string(path).expect("the seed page is in seeds/")
}

/// MB/s of `f` over `bytes`, best of a few runs of at least half a second.
fn mbps(bytes: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut n = 0u32;
        while t0.elapsed() < Duration::from_millis(500) {
            f();
            n += 1;
        }
        best = best.min(t0.elapsed().as_secs_f64() / f64::from(n));
    }
    bytes as f64 / best / 1e6
}

fn main() {
    let published = NaiveDate::from_ymd_opt(2023, 11, 10);
    let seed = seed();
    let docs = corpus(2 << 20);
    let corpus_bytes: usize = docs.iter().map(String::len).sum();
    let jieba = Jieba::new();
    for (label, texts, bytes) in [
        ("seed page", vec![seed.clone()], seed.len()),
        ("generated corpus", docs.clone(), corpus_bytes),
    ] {
        let engine = mbps(bytes, || {
            for t in &texts {
                black_box(extract_standalone(black_box(t), published));
            }
        });
        let cut = mbps(bytes, || {
            for t in &texts {
                black_box(jieba.cut(black_box(t), true));
            }
        });
        println!(
            "{label}: dongtai-engine extract {engine:.1} MB/s, jieba-rs cut {cut:.1} MB/s, \
             ratio {:.2}x ({bytes} bytes)",
            engine / cut
        );
    }

    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("seed_page");
    g.throughput(Throughput::Bytes(seed.len() as u64));
    g.bench_function("extract", |b| {
        b.iter(|| extract_standalone(black_box(&seed), published))
    });
    g.bench_function("jieba_cut", |b| {
        b.iter(|| jieba.cut(black_box(&seed), true))
    });
    g.finish();
    let mut g = c.benchmark_group("generated_corpus");
    g.throughput(Throughput::Bytes(corpus_bytes as u64));
    g.sample_size(10);
    g.bench_function("extract", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| extract_standalone(black_box(d), published).len())
                .sum::<usize>()
        })
    });
    g.bench_function("jieba_cut", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| jieba.cut(black_box(d), true).len())
                .sum::<usize>()
        })
    });
    g.finish();
    c.final_summary();
}
