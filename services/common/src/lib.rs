//! What every dongtai service shares: telemetry, the shutdown trigger, the NATS connection and
//! the idempotent provisioning of streams, and the outcome a message handler returns.

pub mod auth;
pub mod nats;
pub mod outcome;
pub mod shutdown;
pub mod telemetry;

pub use nats::{
    NatsArgs, StreamLimits, connect, ensure_replicas, provision_newsroom_consumer,
    provision_streams, provision_streams_with,
};
pub use outcome::Outcome;
