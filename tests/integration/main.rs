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

// issue 5: the outbox proven by faults and crashes
mod crashes_lose_no_digest;
mod hostile_articles_make_clean_mail;
mod huge_digest_is_capped_per_topic;
mod immediate_schedule_coalesces_matches;
mod smtp_faults_keep_outbox_honest;
mod smtp_tls_trusts_only_known_cas;

// issue 6: run as a real service
mod admin_notice_for_failing_sources;
mod import_opml_prints_sources;
mod metrics_and_healthz_are_scraped;
mod polite_polling_limits_and_backoff;
mod redirects_to_private_addresses_are_refused;
mod service_talks_to_systemd;
mod sighup_reload_swaps_or_keeps_config;
mod systemd_directories_are_defaults;

// issue 3: html sources
mod extract_prints_page_article;
mod full_text_feed_merges_pages;
mod html_listing_drift_fails_source;
mod html_source_stores_listed_articles;
mod multi_page_article_is_joined;
mod test_source_previews_without_writing;

// issue 4: silent edits
mod silent_edits_become_revisions;

// issue 12: feedparser parity
mod feeds_agree_with_feed_rs;
mod feeds_read_as_feedparser_does;
