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

pub mod admin;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod dates;
pub mod decode;
pub mod deliver;
pub mod diff;
pub mod digest;
pub mod discover;
pub mod extract;
pub mod failpoint;
pub mod fetch;
pub mod http_hints;
pub mod metrics;
pub mod metrics_http;
pub mod model;
pub mod netguard;
pub mod netpolicy;
pub mod normalize;
pub mod opml;
pub mod outbox;
pub mod pages;
pub mod parse;
pub mod pipeline;
pub mod revise;
pub mod robots;
pub mod schedule;
pub mod score;
pub mod store;
pub mod systemd;
