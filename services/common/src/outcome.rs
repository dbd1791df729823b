//! What a message handler decides; only the consume loop turns it into an ack.

use std::time::Duration;

/// The result of handling one JetStream message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Its output is durable: ack it.
    Done,
    /// A passing fault (NATS, disk): nak it so it comes back after the delay.
    RetryLater(Duration),
    /// It can never succeed: send it to the dead letters with the reason, then terminate it.
    Poison(String),
}
