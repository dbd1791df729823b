//! OpenAPI 3.1 documents of the HTTP APIs (`GET /openapi.json` on ingest and timeline).
//!
//! Schemas come from the Rust types through schemars, as `proto/schema/*.json` do: OpenAPI 3.1
//! schema objects are JSON Schema 2020-12, so schemars' output is used as is, its definitions
//! placed under `components/schemas`. Each service lists its own operations (it knows its
//! routes and parameters); `proto/openapi/*.json` are the documents written out, kept current
//! and parsed back by a test in each service.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The JSON body of every 4xx and 5xx answer of both services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// What kind of failure: `bad_request`, `not_found`, `unauthorized`, `unavailable`, ….
    pub error: String,
    /// The parameter, header or part of the body at fault, when one is.
    pub field: Option<String>,
    /// What is wrong, for a person.
    pub detail: String,
}

/// A document being built.
pub struct Document {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
    info: Value,
    security_schemes: Map<String, Value>,
}

impl Document {
    /// A document titled `title`, at the crate version of the service, with the `bearer`
    /// security scheme (`DONGTAI_API_TOKEN` / `DONGTAI_INGEST_TOKEN`).
    pub fn new(title: &str, version: &str, description: &str) -> Self {
        let generator = SchemaSettings::draft2020_12()
            .with(|s| {
                s.definitions_path = "/components/schemas".into();
                s.meta_schema = None;
            })
            .into_generator();
        Document {
            generator,
            paths: Map::new(),
            info: json!({"title": title, "version": version, "description": description}),
            security_schemes: Map::from_iter([(
                "bearer".to_owned(),
                json!({"type": "http", "scheme": "bearer"}),
            )]),
        }
    }

    /// The schema of `T`: a `$ref` into the components for a named type (added there), or the
    /// schema itself for a simple one.
    pub fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    /// Add a security scheme (`components/securitySchemes/{name}`).
    pub fn security_scheme(&mut self, name: &str, scheme: Value) {
        self.security_schemes.insert(name.to_owned(), scheme);
    }

    /// Add `operation` at `method` (lower case) `path`.
    pub fn operation(&mut self, method: &str, path: &str, operation: Value) {
        let item = self
            .paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(method.to_owned(), operation);
        }
    }

    /// The `responses` entries of the error statuses an operation can answer, each with
    /// [`ErrorBody`].
    pub fn errors(&mut self, statuses: &[(u16, &str)]) -> Map<String, Value> {
        let body = self.schema::<ErrorBody>();
        statuses
            .iter()
            .map(|(status, description)| {
                (
                    status.to_string(),
                    json!({"description": description,
                           "content": {"application/json": {"schema": body}}}),
                )
            })
            .collect()
    }

    /// Add what every service answers besides its API: `/healthz`, `/readyz`, `/metrics` and
    /// `/openapi.json` (no token needed).
    pub fn ops_operations(&mut self) {
        let text = |description: &str| {
            json!({"200": {"description": description,
                           "content": {"text/plain": {"schema": string_schema(description)}}}})
        };
        for (path, op, summary, responses) in [
            ("/healthz", "healthz", "Alive", text("ok")),
            (
                "/readyz",
                "readyz",
                "Ready to serve (503 when not)",
                json!({"200": {"description": "Ready"}, "503": {"description": "Not ready"}}),
            ),
            (
                "/metrics",
                "metrics",
                "Prometheus metrics",
                text("Prometheus text"),
            ),
            (
                "/openapi.json",
                "openapi",
                "This document",
                json!({"200": json_response("OpenAPI 3.1", json!({"type": "object"}))}),
            ),
        ] {
            self.operation(
                "get",
                path,
                json!({"summary": summary, "operationId": op, "responses": responses}),
            );
        }
    }

    /// The finished document.
    pub fn finish(mut self) -> Value {
        let schemas = self.generator.take_definitions(true);
        json!({
            "openapi": "3.1.0",
            "info": self.info,
            "paths": self.paths,
            "components": {"schemas": schemas, "securitySchemes": self.security_schemes},
        })
    }
}

/// A query parameter.
pub fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description,
           "schema": schema})
}

/// A JSON response with `schema`.
pub fn json_response(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// The schema of a string.
pub fn string_schema(description: &str) -> Value {
    json!({"type": "string", "description": description})
}
