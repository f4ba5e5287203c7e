//! A lock file beside the database so two writers (a daemon and a second
//! daemon or `poll --once`) never share one database file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use super::StoreError;

/// Held for the life of the process; the kernel drops it on exit or crash.
#[derive(Debug)]
pub struct LockFile {
    _file: File,
    /// Where the lock lives.
    pub path: PathBuf,
}

impl LockFile {
    /// Takes the lock at `path` without waiting, or says who holds it.
    pub fn acquire(path: &Path) -> Result<LockFile, StoreError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                what: "cannot open the lock file",
                source,
            })?;
        // SAFETY: flock on a file descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
                holder: holder.trim().to_string(),
            });
        }
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = writeln!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(LockFile {
            _file: file,
            path: path.to_path_buf(),
        })
    }
}
