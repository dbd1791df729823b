//! `GET /openapi.json`: the ingest API as an OpenAPI 3.1 document, built from the types (the
//! submission contract in `dongtai_proto`, the query parameters and the answer of
//! `POST /v1/articles`). `proto/openapi/ingest.json` is this document written out; a test keeps
//! it current and parses it back.

use crate::publish::Accepted;
use crate::routes::ArticleParams;
use axum::Json;
use dongtai_proto::ArticleSubmission;
use dongtai_proto::openapi::{Document, json_response, query_param, string_schema};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// The answer of `POST /v1/articles`.
#[allow(dead_code)]
#[derive(schemars::JsonSchema)]
struct AcceptedArticles {
    /// Every article of the request, in order (a page gives several).
    articles: Vec<Accepted>,
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(document);

/// `GET /openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(DOCUMENT.clone())
}

/// The ingest API's OpenAPI document.
pub fn document() -> Value {
    let mut doc = Document::new(
        "dongtai ingest",
        env!("CARGO_PKG_VERSION"),
        "Takes articles in and publishes them to the ARTICLES stream; 202 only once stored.",
    );
    // The query parameters are the fields of the type the handler parses them into.
    let params_schema = schemars::schema_for!(ArticleParams).to_value();
    let params: Vec<Value> = params_schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let description = s["description"].as_str().unwrap_or_default();
            query_param(name, description, json!({"type": "string"}))
        })
        .collect();
    let submission = doc.schema::<ArticleSubmission>();
    let accepted = doc.schema::<AcceptedArticles>();
    let mut responses = doc.errors(&[
        (400, "Malformed JSON, a bad parameter or date, not UTF-8."),
        (401, "No valid bearer token."),
        (413, "The body is over the size limit."),
        (415, "Neither JSON nor plain text."),
        (422, "Well-formed but unusable (empty text)."),
        (503, "NATS is unreachable: nothing was stored, try again."),
    ]);
    responses.insert(
        "202".into(),
        json_response("Stored in the ARTICLES stream.", accepted),
    );
    doc.operation(
        "post",
        "/v1/articles",
        json!({
            "summary": "Submit an article (JSON), or a text or scanned page (text/plain)",
            "operationId": "submitArticle",
            "parameters": params,
            "requestBody": {"required": true, "content": {
                "application/json": {"schema": submission},
                "text/plain": {"schema": string_schema(
                    "The text; its metadata in the query parameters")}}},
            "security": [{"bearer": []}],
            "responses": responses,
        }),
    );
    doc.ops_operations();
    doc.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn the_ingest_document_is_the_committed_one_and_parses_as_openapi_3_1() {
        let doc = super::document();
        let spec = dongtai_testkit::check_openapi(&doc, "ingest");
        let names = dongtai_testkit::openapi_parameters(&spec, "POST", "/v1/articles");
        assert!(names.iter().any(|n| n == "published"), "{names:?}");
        assert!(doc["paths"]["/v1/articles"]["post"]["requestBody"].is_object());
    }
}
