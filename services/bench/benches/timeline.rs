//! Criterion benchmarks of the timeline's storage and query paths, without NATS or HTTP:
//! `TimelineStore::upsert` in batches with one flush each (what the consumer does per pull
//! batch), and `query::run` by actor + date range and by target on a pre-loaded store, with
//! what the total of a JSON page (`query::count`) costs beside it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dongtai_bench::events::Population;
use dongtai_timeline::fold::Term;
use dongtai_timeline::query::{self, EventQuery, Filter};
use dongtai_timeline::store::{Change, TimelineStore};
use std::hint::black_box;

/// The timeline service's allocator, so the figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Events in the store the query benchmarks run on.
const PRELOADED: u64 = 20_000;

/// A store in a temp dir holding events `0..n` of seed 1, and a runtime to flush it with.
fn store_with(
    n: u64,
) -> (
    Population,
    tokio::runtime::Runtime,
    tempfile::TempDir,
    TimelineStore,
) {
    let population = Population::new(1, 2_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = TimelineStore::open(dir.path()).unwrap();
    for i in 0..n {
        store.upsert(&population.event(1, i), i + 1).unwrap();
    }
    rt.block_on(store.flush()).unwrap();
    (population, rt, dir, store)
}

fn upsert_batches(c: &mut Criterion) {
    let (population, rt, _dir, store) = store_with(0);
    let mut group = c.benchmark_group("sled_upsert");
    // Fresh events every iteration (seed 2, never stored before): inserts, not no-op repeats.
    let mut next = 0u64;
    for batch in [1u64, 64, 512] {
        group.throughput(Throughput::Elements(batch));
        group.bench_function(format!("batch_{batch}_then_flush"), |b| {
            b.iter_batched(
                || {
                    let first = next;
                    next += batch;
                    (first..next)
                        .map(|i| (Change::Upsert(Box::new(population.event(2, i))), i + 1))
                        .collect::<Vec<_>>()
                },
                // As the consumer writes: one transaction per batch, then one flush.
                |changes| {
                    store.apply_batch(changes).unwrap();
                    rt.block_on(store.flush()).unwrap();
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn queries(c: &mut Criterion) {
    let (population, _rt, _dir, store) = store_with(PRELOADED);
    let mut group = c.benchmark_group("query_run");
    let mut n = 0usize;
    // The n-th actor's activities over a year from a day that moves with n.
    let actor_year = |n: usize| {
        let from = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + Days::new((n % 1_400) as u64);
        let actor = &population.actors[n * 7 % population.actors.len()];
        let filters = [
            Filter::Actor(vec![Term::new(actor)]),
            Filter::From(from),
            Filter::To(from + Days::new(365)),
        ];
        EventQuery::new(filters, 50)
    };
    group.bench_function("actor_one_year_limit_50", |b| {
        b.iter(|| {
            n += 1;
            black_box(query::run(&store, &actor_year(n)).unwrap())
        });
    });
    // What a JSON page adds: its total (capped at query::TOTAL_MAX activities).
    group.bench_function("actor_one_year_total", |b| {
        b.iter(|| {
            n += 1;
            black_box(query::count(&store, &actor_year(n)).unwrap())
        });
    });
    group.bench_function("actor_pinyin_one_year_limit_50", |b| {
        b.iter(|| {
            n += 1;
            let mut q = actor_year(n);
            if let Some(Filter::Actor(terms)) = q.filters.first_mut() {
                let romanised = dongtai_timeline::pinyin::romanise(&terms[0].given);
                terms[0] = Term::new(&romanised.unwrap_or_default());
            }
            black_box(query::run(&store, &q).unwrap())
        });
    });
    group.bench_function("all_limit_50", |b| {
        b.iter(|| black_box(query::run(&store, &EventQuery::new([], 50)).unwrap()));
    });
    group.bench_function("all_limit_50_total", |b| {
        b.iter(|| black_box(query::count(&store, &EventQuery::new([], 50)).unwrap()));
    });
    group.bench_function("target_limit_50", |b| {
        b.iter(|| {
            n += 1;
            let target = population.targets[n % population.targets.len()].clone();
            let q = EventQuery::new([Filter::Target(vec![target])], 50);
            black_box(query::run(&store, &q).unwrap())
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = upsert_batches, queries
}
criterion_main!(benches);
