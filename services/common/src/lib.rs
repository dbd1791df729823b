//! What every dongtai service shares: telemetry, the shutdown trigger, the NATS connection and
//! the idempotent provisioning of streams, the one consume loop and the outcome a message handler
//! returns to it, and the HTTP skeleton (ops endpoints, metrics, request ids, JSON errors).

pub mod auth;
pub mod consume;
pub mod http;
pub mod metrics;
pub mod nats;
pub mod ops;
pub mod outcome;
pub mod shutdown;
pub mod telemetry;

pub use metrics::Metrics;
pub use nats::{
    NatsArgs, StreamLimits, connect, ensure_replicas, provision_newsroom_consumer,
    provision_streams, provision_streams_with,
};
pub use ops::Ops;
pub use outcome::Outcome;
