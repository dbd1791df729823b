//! The whole system against a real nats-server and a real sled, as one test binary: the three
//! services are linked once, not once per file (CI runs on two cores). Each module is one
//! user-facing concern; `helpers` starts the services in-process, `procs` as child processes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod procs;

mod api;
mod auditors;
mod bad_input;
mod cluster;
mod corroboration;
mod exports;
mod faults;
mod feed;
mod guarantees;
mod newsroom;
mod page;
mod pipeline;
mod replay;
mod skeleton;
mod timeline;
mod upgrade;
mod watch;
