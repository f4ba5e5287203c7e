//! reformwatch: watches news sources for reform-related articles, keeps every
//! revision, and mails each subscriber a digest on their own schedule.
//!
//! Data flows one way through the pipeline:
//!
//! ```text
//! schedule ─► fetch ─► decode ─► parse/discover ─► extract ─► normalize ─► store ─► score ─► digest ─► deliver
//! ```
//!
//! Pure stages (`decode`, `parse`, `discover`, `extract`, `pages`, `dates`,
//! `normalize`, `score`, `revise`, `diff`, `digest`, `schedule`) take values
//! and return values. I/O lives at the edges (`fetch`, `store`, `deliver`,
//! `daemon`, `systemd`, `metrics_http`), and `pipeline` is the one place
//! that sequences them for a source.
#![warn(missing_docs)]

pub mod analysis;
pub mod config;
pub mod document;
pub mod mail;
pub mod model;
pub mod net;
pub mod pipeline;
pub mod service;
pub mod store;
