//! The digest side: rendering a subscriber's digest ([`digest`]), the
//! compose → relay sequence over the outbox ([`outbox`]), the transports
//! that hand messages to a relay ([`deliver`]), and notices to the admin
//! about failing sources ([`admin`]).

pub mod admin;
pub mod deliver;
pub mod digest;
pub mod outbox;
