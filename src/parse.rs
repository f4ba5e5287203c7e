//! Pure: a decoded feed document → `FeedDocument` of `Article`s (feed-rs).
// STUB: owned by the decode/parse helper.
