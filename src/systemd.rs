//! sd_notify: tells systemd when the daemon is ready and when it stops
//! (`Type=notify`). A no-op when `NOTIFY_SOCKET` is unset, so the same
//! binary runs outside systemd unchanged.

use std::os::unix::net::UnixDatagram;

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

#[cfg(test)]
mod tests {
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
