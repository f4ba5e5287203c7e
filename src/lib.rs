//! reformwatch: watches news sources for reform-related articles, keeps every
//! revision, and mails each subscriber a digest on their own schedule.
//!
//! # The pipeline, as it runs
//!
//! ```text
//!  service::daemon ── pipeline::schedule::plan ── what is due, when to wake
//!        │
//!        ▼  pipeline::poll_sources: one task per due source (pipeline::source)
//!  net::fetch ─► document::read (decode ─► parse | discover) ─► store: known?
//!    ─► net::fetch pages ─► document::read (decode ─► extract) ─► page_rules::article_of
//!    ─► pipeline::compare (analysis::revise, pure) ─► analysis::score ─► store: record
//!        │
//!        ▼  then pipeline::recheck: stored pages fetched again, same read/revise/record
//!  mail::outbox: store: pending ─► mail::digest (render, pure) ─► store: outbox
//!    ─► mail::deliver (SMTP, sendmail, file) ─► store: sent
//! ```
//!
//! # Layers, and which way dependencies point
//!
//! - [`model`]: the shared values (article, candidate, records, change
//!   classes). Uses nothing else in the crate.
//! - [`config`]: the TOML file → validated settings, topic queries parsed.
//!   Uses `model` only; secrets are read once, at the edge, into settings.
//! - Pure stages, no I/O: [`document`] (decode, parse, discover, extract,
//!   dates, normalize), [`analysis`] (score, revise, diff, cluster),
//!   `mail::digest` (rendering), [`export`] (JSON Lines, CSV, Atom, JSON
//!   Feed; the digest borrows its CSV sheet) and
//!   `pipeline::schedule`. They use `model`, `config` and
//!   each other, never `net`, `store`, `mail` or `service`.
//! - I/O edges: [`net`] (HTTP, address policy, robots.txt) and [`store`]
//!   (SQLite). The store takes and returns `model` values and makes no
//!   decisions; it uses `model` only.
//! - Sequencers: [`pipeline`] (a source's stages in order; uses everything
//!   above) and [`mail`] (compose → relay; uses the store and the digest
//!   renderer).
//! - [`service`]: the daemon, systemd, metrics, topic feeds. The binary's `commands`
//!   sit on top of everything.
//!
//! `tests/integration/layers_point_down.rs` checks this rule on the source.
#![warn(missing_docs)]

pub mod analysis;
pub mod config;
pub mod document;
pub mod export;
pub mod mail;
pub mod model;
pub mod net;
pub mod pipeline;
pub mod service;
pub mod store;
