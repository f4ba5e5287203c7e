//! A one-line progress display on stderr for `poll --once` at a terminal:
//! requests made so far and time spent, redrawn in place and erased at the
//! end. Silent when stderr is not a terminal (piped, under systemd, in
//! tests), so logs and scripts never see it.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reformwatch::net::tally::FetchTally;
use tokio::task::JoinHandle;

/// The running display; dropping it erases the line.
pub struct Progress {
    task: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts redrawing "polling N sources" if stderr is a terminal,
    /// counting the fetches in `tally`.
    pub fn start(sources: usize, tally: Arc<FetchTally>) -> Self {
        let quiet =
            !std::io::stderr().is_terminal() || std::env::var_os("JOURNAL_STREAM").is_some();
        if quiet || sources == 0 {
            return Progress { task: None };
        }
        let base = tally.total();
        let started = Instant::now();
        let task = tokio::spawn(async move {
            let spinner = ['|', '/', '-', '\\'];
            let mut i = 0usize;
            loop {
                let done = tally.total().saturating_sub(base);
                let line = format!(
                    "\r\x1b[2K{} polling {sources} source{}: {done} request{} done, {:.0}s",
                    spinner[i % spinner.len()],
                    if sources == 1 { "" } else { "s" },
                    if done == 1 { "" } else { "s" },
                    started.elapsed().as_secs_f64()
                );
                {
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(line.as_bytes());
                    let _ = err.flush();
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(120)).await;
            }
        });
        Progress { task: Some(task) }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
