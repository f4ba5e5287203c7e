//! Pure: topic relevance with an explanation of which terms matched.
// STUB: owned by the decode/parse helper.
