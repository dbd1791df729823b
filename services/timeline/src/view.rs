//! How an event looks in API answers: the stored event plus what readers outside the store need
//! (kind labels in English and Chinese, whether it was retracted).

use crate::store::StoredEvent;
use serde_json::{Value, json};

/// One event as JSON for the API, the feed and the exports.
pub fn event_json(e: &StoredEvent) -> Value {
    let mut v = serde_json::to_value(&e.event).unwrap_or(Value::Null);
    v["kind_label"] = json!({"en": e.event.kind.label_en(), "zh": e.event.kind.label_zh()});
    if e.retracted {
        v["retracted"] = json!(true);
    }
    v
}
