//! Pure: what an article means. Topic relevance with an explanation
//! ([`score`]), whether a fetched article is a new revision of a stored one
//! ([`revise`]), and the field-aware diff between two versions ([`diff`]).

pub mod cluster;
pub mod diff;
pub mod query;
pub mod revise;
pub mod score;
