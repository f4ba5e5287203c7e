//! One SMTP session reused for every digest of a relay pass: connect (plain,
//! implicit TLS or required STARTTLS), EHLO, AUTH, then one transaction per
//! message on the same connection, and QUIT when the pass ends.
//!
//! A connection is reused only after a clean 250; after any error it is
//! closed, so the next message starts a fresh session rather than inherit a
//! half-finished transaction. Every exchange, connecting included, runs
//! under an overall deadline, because lettre applies its timeout to the TCP
//! connect only and a silent server would otherwise hang the send.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::Error as SmtpError;
use tokio::sync::Mutex;

/// What went wrong with one send.
pub(super) enum SendFailure {
    /// lettre reported an error (reply code, TLS, I/O, protocol).
    Smtp(SmtpError),
    /// The whole exchange did not finish within the deadline.
    Deadline(Duration),
}

/// Connection settings and the open connection, if any.
pub(super) struct SmtpSession {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// lettre's per-connect timeout and our per-command bound for QUIT.
    timeout: Duration,
    /// Deadline for one whole message exchange, connecting included.
    deadline: Duration,
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
        deadline: Duration,
    ) -> Self {
        SmtpSession {
            host,
            port,
            tls,
            credentials,
            hello: ClientId::default(),
            timeout,
            deadline,
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
        let exchange = async {
            if slot.is_none() {
                *slot = Some(self.connect().await?);
            }
            match slot.as_mut() {
                Some(conn) => conn.send(envelope, message).await.map(drop),
                None => Ok(()),
            }
        };
        match tokio::time::timeout(self.deadline, exchange).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                if let Some(mut conn) = slot.take() {
                    // Bounded: a server that just failed us may also stall.
                    let _ = tokio::time::timeout(self.timeout, conn.abort()).await;
                }
                Err(SendFailure::Smtp(e))
            }
            Err(_) => {
                // Mid-exchange: the connection's state is unknown; drop it
                // without a QUIT that could stall as well.
                slot.take();
                Err(SendFailure::Deadline(self.deadline))
            }
        }
    }

    /// Ends the session with QUIT (bounded by the timeout), if one is open.
    pub(super) async fn close(&self) {
        if let Some(mut conn) = self.conn.lock().await.take() {
            let _ = tokio::time::timeout(self.timeout, conn.quit()).await;
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SmtpError> {
        let implicit = match &self.tls {
            Tls::Wrapper(params) => Some(params.clone()),
            _ => None,
        };
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            implicit,
            None,
        )
        .await?;
        if let Tls::Required(params) = &self.tls {
            conn.starttls(params.clone(), &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }
}
