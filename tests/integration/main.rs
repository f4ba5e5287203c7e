//! The one integration-test binary: real HTTP and SMTP servers on 127.0.0.1,
//! the real `reformwatch` binary, the acceptance list of issue 2.
//!
//! `harness_*` files test the servers themselves; every other file is one
//! acceptance behaviour, named by what it proves.

mod support;

mod harness_http;
mod harness_smtp;

// issue 9: the floor plan
mod edited_rules_reextract_at_once;
mod layers_point_down;

mod broken_configs_name_key_and_line;
mod digest_carries_reform_items_decoded;
mod due_digest_waits_for_subscriber_slot;
mod hostile_sources_fail_alone;
mod one_story_is_mailed_once;
mod repoll_is_conditional_and_mails_nothing;
mod smtp_outage_keeps_digest_pending;

// issue 5: the outbox proven by faults and crashes
mod crashes_lose_no_digest;
mod hostile_articles_make_clean_mail;
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

// issue 14: topic queries and story clusters
mod extract_marks_wire_copies;
mod topic_query_selects_and_backtests;

// issue 10: every README promise under test
mod backfill_window_mails_only_recent_items;
mod panicking_source_fails_alone;
mod polite_fetching_is_measured_by_the_server;
mod robots_txt_is_kept_across_runs;
mod sendmail_transport_pipes_the_digest;

// issue 15: open outputs
mod articles_export_parses_back;
mod completions_and_version;
mod log_lines_fit_their_sink;
mod offline_start_names_the_dns_failure;
mod sources_add_edits_config;
mod sources_add_reloads_running_daemon;
mod topic_feeds_follow_polls_and_edits;

// issue 11: every match reaches the subscriber
mod digest_speaks_one_language;
mod every_match_reaches_the_subscriber;

// issue 12: feedparser parity
mod feeds_agree_with_feed_rs;
mod feeds_read_as_feedparser_does;
