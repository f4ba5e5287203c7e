//! The digest side: rendering a subscriber's digest ([`digest`]), the one
//! builder of every outgoing message ([`message`]), the compose → relay
//! sequence over the outbox ([`outbox`]), the transports that hand messages
//! to a relay ([`deliver`]), and notices to the admin about failing sources
//! ([`admin`]).

pub mod admin;
pub mod deliver;
pub mod digest;
pub mod message;
pub mod outbox;
mod text;

/// An error and its sources on one line, without repeating text a wrapper
/// already includes: how mail errors are shown in logs and stored.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = err.source();
    }
    out.replace(['\r', '\n'], " ")
}
