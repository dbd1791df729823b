//! Writes the benchmark's generated corpus (2 MB) to a folder, one article a file (NNNNN.txt),
//! so two extract binaries can be compared on it (`eval/same-output.sh`).
//! Usage: `cargo run -p dongtai-engine --example bench_corpus -- DIR`

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: bench_corpus DIR");
    std::fs::create_dir_all(&dir).expect("cannot create the output folder");
    for (i, a) in corpus::corpus(2 << 20).iter().enumerate() {
        std::fs::write(format!("{dir}/{i:05}.txt"), a).expect("cannot write an article");
    }
}
