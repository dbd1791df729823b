//! Prints generated articles: `cargo run -p dongtai-corpus --example show -- SEED N`.
fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let n = args.next().and_then(|s| s.parse().ok()).unwrap_or(2);
    for a in dongtai_corpus::generate(seed, n) {
        println!(
            "# {} ({}, {} bytes)\n{}\n",
            a.title,
            a.published,
            a.text.len(),
            a.text
        );
    }
}
