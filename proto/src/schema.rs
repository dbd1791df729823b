//! JSON Schema of every message, generated from the types (`proto/schema/*.json` are these,
//! written out; a test keeps them current).

use schemars::schema_for;

/// `(file name, schema)` for every message type.
pub fn all() -> Vec<(&'static str, serde_json::Value)> {
    let to_json = |s: schemars::Schema| s.to_value();
    vec![
        ("article.v1.json", to_json(schema_for!(crate::Article))),
        (
            "article_submission.v1.json",
            to_json(schema_for!(crate::ArticleSubmission)),
        ),
        ("event.v1.json", to_json(schema_for!(crate::ActivityEvent))),
        (
            "dead_article.v1.json",
            to_json(schema_for!(crate::DeadArticle)),
        ),
        ("dead_event.v1.json", to_json(schema_for!(crate::DeadEvent))),
        (
            "retraction.v1.json",
            to_json(schema_for!(crate::Retraction)),
        ),
    ]
}
