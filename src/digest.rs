//! Pure: a subscriber's pending items → rendered digest (subject, HTML, text).
// STUB: owned by the digest/deliver helper.
