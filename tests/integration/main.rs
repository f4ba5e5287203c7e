//! The one integration-test binary: real HTTP and SMTP servers on 127.0.0.1,
//! the real `reformwatch` binary, the acceptance list of issue 2.
//!
//! `harness_*` files test the servers themselves; every other file is one
//! acceptance behaviour, named by what it proves.

mod support;

mod harness_http;
mod harness_smtp;

mod broken_configs_name_key_and_line;
mod digest_carries_reform_items_decoded;
mod due_digest_waits_for_subscriber_slot;
mod hostile_sources_fail_alone;
mod repoll_is_conditional_and_mails_nothing;
mod smtp_outage_keeps_digest_pending;
