//! Whether a daemon holds the state directory's writer lock, and telling
//! it to reload. Reads the lock without taking it: a shared `flock` fails
//! while the daemon holds its exclusive one.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use reformwatch::store::LOCK_FILE;

/// The pid of the process holding the lock in `state_dir`, if one does.
pub fn holder(state_dir: &Path) -> Option<i32> {
    let path = state_dir.join(LOCK_FILE);
    let file = File::open(&path).ok()?;
    // SAFETY: flock on a descriptor we own; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) };
    if rc == 0 {
        // SAFETY: as above; we release what we just took.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
        return None;
    }
    std::fs::read_to_string(&path).ok()?.trim().parse().ok()
}

/// Sends SIGHUP to `pid`: the daemon re-reads and validates its config.
pub fn hangup(pid: i32) -> std::io::Result<()> {
    // SAFETY: kill(2) with a pid read from the lock file and a fixed signal.
    if unsafe { libc::kill(pid, libc::SIGHUP) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
