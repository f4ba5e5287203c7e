//! Running as a service: the daemon loop ([`daemon`]) and how long its
//! passes may run ([`liveness`]), sd_notify ([`systemd`]), counters and
//! the `/metrics` + `/healthz` responder ([`metrics`], [`metrics_http`]).

pub mod daemon;
pub mod liveness;
pub mod metrics;
pub mod metrics_http;
pub mod systemd;
