//! The wire contract: schema files are current, fixtures round-trip.
#![allow(clippy::unwrap_used)]

use dongtai_proto::{ActivityEvent, Article, DeadArticle, DeadEvent, Retraction};
use std::path::PathBuf;

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

#[test]
fn schema_files_are_generated_from_the_current_types() {
    let regenerate = std::env::var_os("DONGTAI_WRITE_SCHEMA").is_some();
    for (file, schema) in dongtai_proto::schema::all() {
        let path = dir("schema").join(file);
        let want = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if regenerate {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: run `DONGTAI_WRITE_SCHEMA=1 cargo test -p dongtai-proto`",
            path.display()
        );
    }
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(file: &str) {
    let text = std::fs::read_to_string(dir("fixtures/v1").join(file)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let typed: T = serde_json::from_value(value.clone()).unwrap();
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(value, again, "{file} does not survive a round trip");
}

#[test]
fn v1_fixtures_round_trip_unchanged() {
    round_trip::<Article>("article.json");
    round_trip::<ActivityEvent>("event.json");
    round_trip::<DeadArticle>("dead_article.json");
    round_trip::<DeadEvent>("dead_event.json");
    round_trip::<Retraction>("retraction.json");
}
