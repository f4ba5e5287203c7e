//! Self-tests of the test SMTP server (support/smtp.rs) and of the mail
//! reader (support/mail.rs), with a raw SMTP client. No daemon needed.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::mail::ParsedMail;
use crate::support::smtp::{closed_port, SmtpServer};

/// A multipart/alternative message as lettre writes one: RFC 2047 subject,
/// base64 text part, quoted-printable HTML part, and a line that needs
/// dot-stuffing.
const MESSAGE: &str = "From: Reform Watch <watch@example.org>\r\n\
To: analyst@example.org\r\n\
Subject: =?utf-8?b?5pS56Z2pIOaRmOimgSAx?=\r\n\
Message-ID: <abc@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"B\"\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
5ZiJ5YW05ZCE55WM\r\n\
--B\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
<p>&#22025;=E5=85=B4 &amp; co</p>\r\n\
.leading dot\r\n\
--B--\r\n";

fn expect(r: &mut impl BufRead, code: &str) {
    loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(line.starts_with(code), "expected {code}, got {line:?}");
        if line.as_bytes().get(3) != Some(&b'-') {
            return;
        }
    }
}

fn send_one(port: u16, to: &str, message: &str) {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    expect(&mut r, "220");
    for (cmd, code) in [
        ("EHLO client.test".to_string(), "250"),
        ("MAIL FROM:<watch@example.org>".to_string(), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".to_string(), "354"),
    ] {
        write!(w, "{cmd}\r\n").unwrap();
        expect(&mut r, code);
    }
    // Dot-stuff lines that start with '.', then end with <CRLF>.<CRLF>.
    for line in message.split_inclusive("\r\n") {
        if line.starts_with('.') {
            w.write_all(b".").unwrap();
        }
        w.write_all(line.as_bytes()).unwrap();
    }
    w.write_all(b".\r\n").unwrap();
    expect(&mut r, "250");
    w.write_all(b"QUIT\r\n").unwrap();
    expect(&mut r, "221");
}

#[test]
fn records_envelope_and_data_and_parses_as_mime() {
    let server = SmtpServer::start();
    send_one(server.port(), "analyst@example.org", MESSAGE);
    let msgs = server.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].from, "watch@example.org");
    assert_eq!(msgs[0].to, ["analyst@example.org"]);
    assert_eq!(
        String::from_utf8_lossy(&msgs[0].data),
        MESSAGE,
        "data must come back unstuffed"
    );

    let mail = ParsedMail::parse(&msgs[0].data);
    assert_eq!(mail.mime_type, "multipart/alternative");
    assert_eq!(mail.raw_subject, "=?utf-8?b?5pS56Z2pIOaRmOimgSAx?=");
    assert_eq!(mail.subject, "改革 摘要 1");
    assert_eq!(mail.text_parts, ["嘉兴各界"]);
    assert_eq!(mail.html_parts.len(), 1);
    assert!(mail.all_text().contains("嘉兴 & co"), "{}", mail.all_text());
    assert_eq!(mail.message_id.as_deref(), Some("abc@example.org"));
}

#[test]
fn start_on_a_closed_port_then_stop_on_drop() {
    let port = closed_port();
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing should listen yet"
    );
    let server = SmtpServer::start_on(port).expect("start on the reserved port");
    send_one(port, "a@example.org", "Subject: x\r\n\r\nhi\r\n");
    send_one(port, "b@example.org", "Subject: y\r\n\r\nhi\r\n");
    assert_eq!(server.wait_for(2, Duration::from_secs(5)).len(), 2);
    drop(server);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening after drop"
    );
    // And it can come up again on the same port.
    let again = SmtpServer::start_on(port).expect("restart on the same port");
    assert_eq!(again.count(), 0);
}
