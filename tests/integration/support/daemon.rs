//! `reformwatch run` in the background, for tests of the service
//! behaviour: started with extra environment (e.g. `NOTIFY_SOCKET`,
//! `WATCHDOG_USEC`), sent signals, its stderr kept in a file the test can
//! read while it runs, and SIGKILLed if the test ends without stopping it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{clean_env, BIN};

/// A running daemon.
pub struct Daemon {
    child: Option<Child>,
    log: PathBuf,
}

impl Daemon {
    /// Starts `reformwatch --config CONFIG run` in `dir` with `env` added
    /// to a cleaned environment (no proxies); stderr goes to `dir/daemon.log`.
    pub fn start(config: &Path, dir: &Path, env: &[(&str, &str)]) -> Self {
        let log = dir.join("daemon.log");
        let err = std::fs::File::create(&log).expect("create daemon.log");
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(config)
            .arg("run")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err);
        clean_env(&mut cmd);
        // Only the variables a test passes may make it look like systemd.
        for v in [
            "NOTIFY_SOCKET",
            "WATCHDOG_USEC",
            "WATCHDOG_PID",
            "STATE_DIRECTORY",
            "CREDENTIALS_DIRECTORY",
        ] {
            cmd.env_remove(v);
        }
        cmd.env("RUST_LOG", "info")
            // Plain log lines the tests can search.
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        Daemon {
            child: Some(child),
            log,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends `sig` (e.g. `libc::SIGHUP`).
    pub fn signal(&self, sig: libc::c_int) {
        let pid = self.pid() as libc::pid_t;
        assert!(pid > 0, "daemon already reaped");
        unsafe { libc::kill(pid, sig) };
    }

    /// What the daemon logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for exit up to `timeout`; `None` if still running.
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let child = self.child.as_mut()?;
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                self.child = None;
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the log contains `needle`, up to `timeout`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
