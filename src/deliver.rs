//! I/O: lettre transports (file, SMTP, sendmail).
// STUB: owned by the digest/deliver helper.
