//! Running as a service: the daemon loop ([`daemon`]) and how long its
//! passes may run ([`liveness`]), sd_notify ([`systemd`]), counters and
//! the `/metrics` + `/healthz` responder ([`metrics`], [`metrics_http`]),
//! which also serves the topic feeds ([`feeds`]) written after each pass.

pub mod atomic_file;
pub mod daemon;
pub mod feeds;
pub mod liveness;
pub mod metrics;
pub mod metrics_http;
pub mod systemd;
