//! One SMTP session reused for every digest of a relay pass: connect (plain,
//! implicit TLS or required STARTTLS), EHLO, AUTH, then one transaction per
//! message on the same connection, and QUIT when the pass ends.
//!
//! A connection is reused only after a clean 250; after any error it is
//! closed, so the next message starts a fresh session rather than inherit a
//! half-finished transaction. lettre applies its timeout to the TCP connect
//! only, so every command here waits `smtp_timeout` for its reply: MAIL,
//! each RCPT, DATA and the final dot one each; connecting (greeting, EHLO),
//! STARTTLS (reply, handshake, EHLO) and AUTH (up to three replies for
//! LOGIN), which lettre runs as one call, three times it. A silent server
//! is cut off at the command it stalls on, and the error names it.

use std::future::Future;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::Error as SmtpError;
use tokio::sync::Mutex;

/// Replies one message may wait for, at most, with one recipient:
/// connecting, STARTTLS and AUTH three each, MAIL, RCPT, DATA, the final
/// dot, and the QUIT that ends the pass.
pub(super) const MOST_REPLIES_PER_MESSAGE: u32 = 3 + 3 + 3 + 4 + 1;

/// What went wrong with one send.
pub(super) enum SendFailure {
    /// lettre reported an error (reply code, TLS, I/O, protocol).
    Smtp(SmtpError),
    /// No reply to `step` within `after`.
    Timeout {
        /// The command waited on, e.g. `DATA`.
        step: &'static str,
        /// How long it waited.
        after: Duration,
    },
    /// The server lacks an extension the message needs.
    Unsupported(&'static str),
}

/// Connection settings and the open connection, if any.
pub(super) struct SmtpSession {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// How long each command waits for its reply (`smtp_timeout`).
    timeout: Duration,
    conn: Mutex<Option<AsyncSmtpConnection>>,
}

impl SmtpSession {
    /// A session that connects on first use.
    pub(super) fn new(
        host: String,
        port: u16,
        tls: Tls,
        credentials: Option<Credentials>,
        timeout: Duration,
    ) -> Self {
        SmtpSession {
            host,
            port,
            tls,
            credentials,
            hello: ClientId::default(),
            timeout,
            conn: Mutex::new(None),
        }
    }

    /// Sends one message, on the open connection when there is one.
    pub(super) async fn send(
        &self,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendFailure> {
        let mut slot = self.conn.lock().await;
        if slot.is_none() {
            *slot = Some(self.connect().await?);
        }
        let Some(conn) = slot.as_mut() else {
            return Ok(());
        };
        let failure = match self.transaction(conn, envelope, message).await {
            Ok(()) => return Ok(()),
            Err(failure) => failure,
        };
        if let Some(mut conn) = slot.take() {
            if !matches!(failure, SendFailure::Timeout { .. }) {
                // Bounded: a server that just failed us may also stall.
                let _ = tokio::time::timeout(self.timeout, conn.abort()).await;
            }
            // After a timeout the connection's state is unknown: it is
            // dropped without a QUIT that could stall as well.
        }
        Err(failure)
    }

    /// One message on `conn`: MAIL (with 8BITMIME / SMTPUTF8 when the
    /// message needs them, as lettre's own `send` does), RCPT per
    /// recipient, DATA and the message, each waiting `timeout`.
    async fn transaction(
        &self,
        conn: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendFailure> {
        let info = conn.server_info();
        let mut options = Vec::new();
        let mut addresses = envelope.from().into_iter().chain(envelope.to());
        if addresses.any(|a| !AsRef::<str>::as_ref(a).is_ascii()) {
            if !info.supports_feature(Extension::SmtpUtfEight) {
                return Err(SendFailure::Unsupported(
                    "the envelope has non-ASCII addresses and the server does not offer SMTPUTF8",
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !message.is_ascii() {
            if !info.supports_feature(Extension::EightBitMime) {
                return Err(SendFailure::Unsupported(
                    "the message has 8-bit text and the server does not offer 8BITMIME",
                ));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let from = Mail::new(envelope.from().cloned(), options);
        self.step("MAIL FROM", 1, conn.command(from)).await?;
        for to in envelope.to() {
            let rcpt = Rcpt::new(to.clone(), Vec::new());
            self.step("RCPT TO", 1, conn.command(rcpt)).await?;
        }
        self.step("DATA", 1, conn.command(Data)).await?;
        self.step("the message's final dot", 1, conn.message(message))
            .await?;
        Ok(())
    }

    /// Runs one step that waits for `replies` replies, within that many
    /// timeouts.
    async fn step<T>(
        &self,
        step: &'static str,
        replies: u32,
        exchange: impl Future<Output = Result<T, SmtpError>>,
    ) -> Result<T, SendFailure> {
        let after = self.timeout * replies;
        match tokio::time::timeout(after, exchange).await {
            Ok(result) => result.map_err(SendFailure::Smtp),
            Err(_) => Err(SendFailure::Timeout { step, after }),
        }
    }

    /// Ends the session with QUIT (bounded by the timeout), if one is open.
    pub(super) async fn close(&self) {
        if let Some(mut conn) = self.conn.lock().await.take() {
            let _ = tokio::time::timeout(self.timeout, conn.quit()).await;
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendFailure> {
        let implicit = match &self.tls {
            Tls::Wrapper(params) => Some(params.clone()),
            _ => None,
        };
        let connecting = AsyncSmtpConnection::connect_tokio1(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            implicit,
            None,
        );
        let mut conn = self.step("the greeting and EHLO", 3, connecting).await?;
        if let Tls::Required(params) = &self.tls {
            let upgrade = conn.starttls(params.clone(), &self.hello);
            self.step("STARTTLS", 3, upgrade).await?;
        }
        if let Some(credentials) = &self.credentials {
            let login = conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials);
            self.step("AUTH", 3, login).await?;
        }
        Ok(conn)
    }
}
