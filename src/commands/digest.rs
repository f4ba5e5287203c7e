//! `reformwatch digest`: compose due (or immediate) digests into the outbox
//! and relay them, or preview one without writing anything.

use std::sync::Arc;

use crate::commands::cli::DigestArgs;
use anyhow::Context;
use chrono::{DateTime, Utc};
use reformwatch::config::Settings;
use reformwatch::mail::admin;
use reformwatch::mail::deliver::Mailer;
use reformwatch::mail::digest;
use reformwatch::mail::outbox::{self, Composed};
use reformwatch::store::digests::ComposeOutcome;
use reformwatch::store::Access;

use super::{open, Exit};

/// Runs the chosen digest action.
pub async fn run(
    settings: &Arc<Settings>,
    args: &DigestArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    if let Some(who) = &args.preview {
        return preview(settings, who, args.html.as_deref(), now);
    }
    if let Some(to) = &args.to {
        if !settings
            .subscribers
            .iter()
            .any(|s| s.email.eq_ignore_ascii_case(to) || &s.id == to)
        {
            eprintln!("no subscriber `{to}` in {}", settings.path.display());
            return Ok(Exit::Config);
        }
    }
    let store = open(settings, Access::Writer)?;
    let composed = if args.send_now {
        outbox::compose_now(settings, &store, now, args.to.as_deref())?
    } else {
        // As the daemon's pass does: notices first, then the digests.
        admin::queue_notices(settings, &store, now)?;
        outbox::compose_due(settings, &store, now)?
    };
    report_composed(&composed);
    let mailer = Mailer::new(&settings.mail)?;
    // --send-now is an operator asking for delivery now: retry waiting
    // digests at once instead of honouring their backoff.
    let relay = outbox::relay(settings, &store, &mailer, now, args.send_now).await?;
    println!(
        "relay via {}: {} sent, {} deferred, {} failed, {} expired",
        mailer.describe(),
        relay.sent,
        relay.deferred,
        relay.failed,
        relay.expired
    );
    for e in &relay.errors {
        eprintln!("error: {e}");
    }
    Ok(if relay.errors.is_empty() {
        Exit::Ok
    } else {
        Exit::Runtime
    })
}

fn report_composed(composed: &[Composed]) {
    for c in composed {
        match &c.outcome {
            ComposeOutcome::Composed { digest_id, items } => {
                println!(
                    "composed digest {digest_id} for {} ({items} articles)",
                    c.subscriber_id
                )
            }
            ComposeOutcome::Empty => println!("nothing new for {}", c.subscriber_id),
            ComposeOutcome::AlreadyComposed => {
                println!(
                    "digest for {} already composed for this period",
                    c.subscriber_id
                )
            }
        }
    }
}

fn preview(
    settings: &Settings,
    who: &str,
    html_out: Option<&std::path::Path>,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let Some(sub) = settings
        .subscribers
        .iter()
        .find(|s| s.email.eq_ignore_ascii_case(who) || s.id == who)
    else {
        eprintln!("no subscriber `{who}` in {}", settings.path.display());
        return Ok(Exit::Config);
    };
    let store = open(settings, Access::Reader)?;
    match outbox::preview(settings, &store, sub, now)? {
        None => println!("nothing pending for {}", sub.email),
        Some(d) => {
            println!("Subject: {}\n\n{}", d.subject, d.text);
            // What else the message would carry: the attachments and sizes.
            for a in &d.attachments {
                let unit = if a.filename.ends_with(".csv") {
                    "rows"
                } else {
                    "revised articles"
                };
                println!(
                    "Attachment: {} ({} {unit}, {} bytes)",
                    a.filename,
                    a.rows,
                    a.content.len()
                );
            }
            // Sizes as the message carries them (CRLF), as the budget counts.
            let text = digest::part_bytes(&d.text);
            match &d.html {
                Some(html) => println!(
                    "Body: text {text} bytes, HTML {} bytes",
                    digest::part_bytes(html)
                ),
                None => println!("Body: text {text} bytes"),
            }
            if let (Some(path), Some(html)) = (html_out, &d.html) {
                std::fs::write(path, html)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("HTML written to {}", path.display());
            }
        }
    }
    Ok(Exit::Ok)
}
