//! Prints the normalised text (and page split) of a file: a debugging aid.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    for a in dongtai_engine::split_page(&text) {
        println!("=== title: {:?}\n{}", a.title, a.text);
    }
}
