//! I/O edge: the network. One HTTP client ([`fetch`]) built with the
//! address policy against request forgery ([`address_policy`], enforced in
//! the client by [`guard`]), robots.txt rules ([`robots`]) and the response
//! headers that say when to ask again ([`cache_hints`]). The client counts
//! its fetches in a [`tally`] that reporters above read.

pub mod address_policy;
pub mod cache_hints;
pub mod fetch;
pub mod guard;
pub mod robots;
pub mod tally;
