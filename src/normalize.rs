//! Pure: canonical URLs, text normalization and content hashes.
// STUB: owned by the decode/parse helper.
