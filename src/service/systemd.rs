//! sd_notify: tells systemd when the daemon is ready, reloading or
//! stopping (`Type=notify`), what it is doing (`STATUS=`), and that its
//! loop is alive (`WATCHDOG=1`). A no-op when `NOTIFY_SOCKET` is unset, so
//! the same binary runs outside systemd unchanged. Reads only the
//! environment systemd sets; never decides *when* to notify (the daemon
//! loop does).

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

/// Sends one notification (e.g. `READY=1`) to systemd, if it is listening.
/// Errors are returned for logging; they never stop the daemon.
pub fn notify(state: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return Ok(());
    };
    let socket = UnixDatagram::unbound()?;
    let bytes = path.as_encoded_bytes();
    if let Some(abstract_name) = bytes.strip_prefix(b"@") {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(abstract_name)?;
        socket.send_to_addr(state.as_bytes(), &addr)?;
    } else {
        socket.send_to(state.as_bytes(), std::path::Path::new(&path))?;
    }
    Ok(())
}

/// How often the loop should send `WATCHDOG=1`: half of `WATCHDOG_USEC`,
/// or `None` when systemd asked for no watchdog (unset, zero, unparsable,
/// or `WATCHDOG_PID` names another process).
pub fn watchdog_interval() -> Option<Duration> {
    let usec = std::env::var("WATCHDOG_USEC").ok()?;
    let pid = std::env::var("WATCHDOG_PID").ok();
    watchdog_interval_from(&usec, pid.as_deref(), std::process::id())
}

/// [`watchdog_interval`] on given values (pure, for tests).
pub fn watchdog_interval_from(usec: &str, pid: Option<&str>, own_pid: u32) -> Option<Duration> {
    if let Some(pid) = pid {
        if pid.trim().parse::<u32>().ok()? != own_pid {
            return None;
        }
    }
    let usec: u64 = usec.trim().parse().ok().filter(|u| *u > 0)?;
    Some(Duration::from_micros(usec / 2).max(Duration::from_millis(1)))
}

/// `CLOCK_MONOTONIC` in microseconds, for `MONOTONIC_USEC=` on reload.
pub fn monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64).saturating_mul(1_000_000) + (ts.tv_nsec as u64) / 1_000
}

/// A `STATUS=` line: one line, control characters replaced, at most 400
/// bytes (cut on a character boundary), so an error message from a server
/// cannot inject other `KEY=` assignments.
pub fn status_line(text: &str) -> String {
    let mut out = String::from("STATUS=");
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > 400 {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog_pings_at_half_the_period_for_this_process_only() {
        assert_eq!(
            watchdog_interval_from("2000000", None, 7),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            watchdog_interval_from("60000000", Some("7"), 7),
            Some(Duration::from_secs(30))
        );
        assert_eq!(watchdog_interval_from("60000000", Some("8"), 7), None);
        assert_eq!(watchdog_interval_from("0", None, 7), None);
        assert_eq!(watchdog_interval_from("soon", None, 7), None);
    }

    #[test]
    fn status_is_one_bounded_line() {
        let s = status_line("3 sources\nREADY=1\r\u{7}, 上次错误：超时");
        assert_eq!(s, "STATUS=3 sources READY=1  , 上次错误：超时");
        let long = status_line(&"改".repeat(500));
        assert!(long.len() <= 404 && long.ends_with('…'));
    }

    #[test]
    fn monotonic_clock_moves_forward() {
        let a = monotonic_usec();
        let b = monotonic_usec();
        assert!(a > 0 && b >= a);
    }

    #[test]
    fn sends_to_the_socket_named_in_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.sock");
        let listener = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        // Only this test touches NOTIFY_SOCKET in the unit-test binary.
        unsafe { std::env::set_var("NOTIFY_SOCKET", &path) };
        super::notify("READY=1").unwrap();
        unsafe { std::env::remove_var("NOTIFY_SOCKET") };
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
        // Unset: silently nothing.
        super::notify("READY=1").unwrap();
    }
}
