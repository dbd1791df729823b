//! Mimics `dongtai-extract file [--published YYYY-MM-DD] PATH`: prints the events of the text in
//! PATH as a JSON array. Used by the quality scorer.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut published = None;
    let mut path = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "file" => {}
            "--published" => {
                let Some(d) = args.get(i + 1) else {
                    eprintln!("error: --published needs a date (YYYY-MM-DD)");
                    return ExitCode::from(2);
                };
                match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                    Ok(d) => published = Some(d),
                    Err(e) => {
                        eprintln!("error: --published {d:?} is not a date YYYY-MM-DD: {e}");
                        return ExitCode::from(2);
                    }
                }
                i += 1;
            }
            p => path = Some(p.to_owned()),
        }
        i += 1;
    }
    let Some(path) = path else {
        eprintln!("usage: extract_file file [--published YYYY-MM-DD] PATH");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: {path} is not UTF-8 text");
        return ExitCode::from(1);
    };
    let events = dongtai_engine::extract_standalone(&text, published);
    match serde_json::to_string_pretty(&events) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write the events as JSON: {e}");
            ExitCode::from(1)
        }
    }
}
