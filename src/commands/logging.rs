//! Where log lines go decides how they look. A terminal gets colour; a
//! pipe or a file gets plain text (and so does a terminal when `NO_COLOR`
//! is set); journald, recognised by `JOURNAL_STREAM` naming the very
//! stream stderr is, gets no timestamp (it keeps its own) and each line
//! prefixed with its syslog priority, `<3>` error to `<7>` debug, which it
//! strips and records, so `journalctl -p warning` filters.

use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

use super::cli::LogFormat;

/// Where stderr leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// A terminal that may be coloured.
    Terminal,
    /// A pipe, a file, or a terminal under `NO_COLOR`.
    Plain,
    /// systemd's journal.
    Journal,
}

impl Sink {
    fn of_stderr() -> Sink {
        if journal_is_stderr() {
            Sink::Journal
        } else if std::io::stderr().is_terminal() && !no_color() {
            Sink::Terminal
        } else {
            Sink::Plain
        }
    }
}

/// Starts logging to stderr at `RUST_LOG`, else `default`.
pub fn init(format: LogFormat, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let sink = Sink::of_stderr();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(sink == Sink::Terminal);
    let lines = tracing_subscriber::fmt::format().with_target(false);
    match (format, sink) {
        (LogFormat::Json, Sink::Journal) => builder
            .event_format(Prioritized(lines.json().without_time()))
            .init(),
        (LogFormat::Json, _) => builder.event_format(lines.json()).init(),
        (LogFormat::Human, Sink::Journal) => builder
            .event_format(Prioritized(
                lines.without_time().with_level(false).with_ansi(false),
            ))
            .init(),
        (LogFormat::Human, _) => builder.event_format(lines).init(),
    }
}

/// What starts a line the binary prints to stderr itself about a failure
/// (not through the log): `<3>` under journald, so it is recorded as an
/// error like the logged ones; nothing elsewhere.
pub fn error_line_prefix() -> &'static str {
    if Sink::of_stderr() == Sink::Journal {
        "<3>"
    } else {
        ""
    }
}

/// `NO_COLOR` set to anything but the empty string (no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether `JOURNAL_STREAM` (`DEVICE:INODE`, set by systemd for a unit
/// whose stderr is the journal) names the file stderr is open on. A child
/// that inherits the variable but writes elsewhere is not the journal.
fn journal_is_stderr() -> bool {
    let Some(value) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = value.to_str().and_then(|v| v.split_once(':')) else {
        return false;
    };
    let (Ok(dev), Ok(ino)) = (dev.trim().parse::<u64>(), ino.trim().parse::<u64>()) else {
        return false;
    };
    let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| m.dev() == dev && m.ino() == ino)
}

/// The syslog priority journald reads from a `<N>` line prefix.
fn priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// Wraps a line format: every line of an event (a message may span
/// several) starts with the event's priority, so none lands in the
/// journal at the default level.
struct Prioritized<F>(F);

impl<S, N, F> FormatEvent<S, N> for Prioritized<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut text = String::new();
        self.0.format_event(ctx, Writer::new(&mut text), event)?;
        let prio = priority(event.metadata().level());
        for line in text.trim_end_matches('\n').split('\n') {
            writeln!(writer, "<{prio}>{line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::priority;
    use tracing::Level;

    #[test]
    fn levels_map_to_syslog_priorities() {
        let got: Vec<u8> = [
            Level::ERROR,
            Level::WARN,
            Level::INFO,
            Level::DEBUG,
            Level::TRACE,
        ]
        .iter()
        .map(priority)
        .collect();
        assert_eq!(got, [3, 4, 6, 7, 7]);
    }
}
