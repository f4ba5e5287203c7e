//! Pure: date strings in the formats news sources use → UTC instants.
// STUB: owned by the decode/parse helper.
