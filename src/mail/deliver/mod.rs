//! I/O edge: hands finished messages (bytes from [`crate::mail::digest::build_message`])
//! to a lettre transport — `.eml` files, an SMTP relay, or a sendmail command.
//!
//! This module owns transport construction (with the SMTP password and CA
//! certificates [`crate::config::load`] read at the edge), the SMTP
//! envelope, and turning lettre's errors into [`DeliverError`]s that name
//! the transport, say whether a retry can help and, for the failures an
//! operator meets most (a refused login, TLS), what to check. It does not compose messages, retry, or touch
//! the outbox; the outbox relay decides what to do with an error. SMTP
//! sessions are reused within a relay pass ([`Mailer::end_pass`] closes
//! them); see `deliver/session.rs`.

mod session;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncFileTransport, AsyncSendmailTransport, AsyncTransport, Tokio1Executor};

use session::{SendFailure, SmtpSession};

use crate::config::{MailSettings, SmtpSettings, SmtpTls, Transport};
use crate::mail::error_chain;

/// Overall deadline for one sendmail run (the child is killed after it).
const SENDMAIL_DEADLINE: Duration = Duration::from_secs(120);

/// What one file-transport write is allowed, for [`longest_send`] only:
/// a local write has no deadline of its own.
const FILE_WRITE: Duration = Duration::from_secs(5);

/// The longest handing one message over can take when nothing hangs: for
/// SMTP every reply of an exchange (one recipient) at `smtp_timeout`, for
/// sendmail its deadline. The daemon's liveness bound counts on it.
pub fn longest_send(mail: &MailSettings) -> Duration {
    match &mail.transport {
        Transport::Smtp(smtp) => smtp.timeout * session::MOST_REPLIES_PER_MESSAGE,
        Transport::Sendmail { .. } => SENDMAIL_DEADLINE,
        Transport::File { .. } => FILE_WRITE,
    }
}

/// A configured mail transport, built once and reused for every send.
pub struct Mailer {
    /// Short name used in every error and log line, e.g. `smtp 127.0.0.1:2525`.
    label: String,
    /// Longer description for [`Mailer::describe`].
    description: String,
    inner: Inner,
}

enum Inner {
    File(AsyncFileTransport<Tokio1Executor>),
    /// Connects on first use (so [`Mailer::new`] needs no runtime).
    Smtp(Box<SmtpSession>),
    Sendmail(AsyncSendmailTransport<Tokio1Executor>),
}

/// Why a message could not be handed over. Every message starts with the
/// transport and, for SMTP, `host:port`.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// The transport cannot be set up (missing password, bad TLS host name,
    /// unwritable outbox directory). Permanent until the operator acts.
    #[error("{transport}: {message}")]
    Config {
        /// Transport label.
        transport: String,
        /// What is wrong.
        message: String,
    },
    /// The envelope is unusable (bad sender or recipient address, no
    /// recipients). Permanent.
    #[error("{transport}: invalid envelope: {message}")]
    Envelope {
        /// Transport label.
        transport: String,
        /// What is wrong, naming the address.
        message: String,
    },
    /// The SMTP server answered 5xx. Permanent.
    #[error("{transport}: rejected by server: {code} {text}")]
    Rejected {
        /// Transport label.
        transport: String,
        /// SMTP reply code, e.g. 550.
        code: u16,
        /// The server's reply text.
        text: String,
    },
    /// The SMTP server refused the login (530, 534, 535, 538). Transient,
    /// like Postfix's `smtp_sasl_auth_soft_bounce`: a refused login is the
    /// relay's or the operator's problem, not the recipient's, so the
    /// digest waits for the fix instead of failing.
    #[error("{transport}: deferred by server: {code} authentication refused: {text}")]
    Auth {
        /// Transport label.
        transport: String,
        /// SMTP reply code, e.g. 535.
        code: u16,
        /// The server's reply text.
        text: String,
    },
    /// The SMTP server answered 4xx. Transient.
    #[error("{transport}: deferred by server: {code} {text}")]
    Deferred {
        /// Transport label.
        transport: String,
        /// SMTP reply code, e.g. 451.
        code: u16,
        /// The server's reply text.
        text: String,
    },
    /// The TLS handshake failed (an untrusted certificate, a protocol
    /// mismatch) or the server does not offer the STARTTLS that
    /// `smtp_tls = "starttls"` requires. Transient: nothing was sent.
    #[error("{transport}: {message}")]
    Tls {
        /// Transport label.
        transport: String,
        /// What failed.
        message: String,
    },
    /// Connection refused, timed out, dropped, or an unintelligible reply.
    /// Transient: the message may or may not have been accepted (a drop
    /// after DATA), so a retry may duplicate it.
    #[error("{transport}: {message}")]
    Connection {
        /// Transport label.
        transport: String,
        /// What happened.
        message: String,
    },
    /// Writing the `.eml` file failed (disk full, permissions). Transient.
    #[error("{transport}: {message}")]
    Io {
        /// Transport label.
        transport: String,
        /// What happened.
        message: String,
    },
    /// The sendmail command could not be run or exited with an error.
    /// Transient (sendmail does not tell temporary from permanent here).
    #[error("{transport}: {message}")]
    Command {
        /// Transport label.
        transport: String,
        /// What happened, including the command's stderr.
        message: String,
    },
}

/// What to check when the relay refuses the login.
const AUTH_HINT: &str =
    "check smtp_user and the password in password_env, password_file or $CREDENTIALS_DIRECTORY/smtp-password";

/// What to check when TLS to the relay fails.
const TLS_HINT: &str = "check that smtp_tls matches the relay's port (starttls: 587, tls: 465) \
and that its certificate chains to the system roots or to [mail] ca_file";

impl DeliverError {
    /// `true` when retrying the same message cannot succeed: a 5xx reply,
    /// an invalid envelope, or a configuration problem. Everything else
    /// (4xx, a refused login, TLS, refused, timeout, dropped connection,
    /// I/O) is transient.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            DeliverError::Rejected { .. }
                | DeliverError::Envelope { .. }
                | DeliverError::Config { .. }
        )
    }

    /// What the operator should check, for the errors whose cure is in the
    /// config: a refused login and TLS failures.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            DeliverError::Auth { .. } => Some(AUTH_HINT),
            DeliverError::Tls { .. } => Some(TLS_HINT),
            _ => None,
        }
    }

    /// The error and its [`hint`](Self::hint) on one line, `…; hint: …`:
    /// how a delivery error is stored in the outbox and reported.
    pub fn with_hint(&self) -> String {
        match self.hint() {
            Some(hint) => format!("{self}; hint: {hint}"),
            None => self.to_string(),
        }
    }
}

/// Why a transport cannot be set up; shown inside [`DeliverError::Config`].
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The file transport's directory cannot be created.
    #[error("cannot create outbox directory")]
    OutboxDir(#[source] std::io::Error),
    /// `smtp_user` without a password source.
    #[error("smtp_user {0:?} is set but no password_env or password_file is configured")]
    NoPassword(String),
    /// Settings that did not go through [`crate::config::load`], which
    /// reads secrets and certificates (names the key).
    #[error("{0} was not read: settings must come from config::load")]
    NotLoaded(&'static str),
    /// `ca_file` holds no certificate.
    #[error("ca_file {} holds no PEM certificate", .0.display())]
    NoCertificate(PathBuf),
    /// The TLS backend refused the parameters.
    #[error("cannot set up TLS")]
    Tls(#[source] lettre::transport::smtp::Error),
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the transport itself: it holds the SMTP credentials.
        f.debug_struct("Mailer")
            .field("transport", &self.description)
            .finish()
    }
}

impl Mailer {
    /// Builds the transport described by `mail.transport`.
    ///
    /// For SMTP this takes the password and CA certificates that
    /// [`crate::config::load`] read (a user without a password is an error)
    /// and prepares TLS; for the file transport it creates the directory. Needs no async runtime; the SMTP
    /// connection machinery is started on the first [`Mailer::send`].
    pub fn new(mail: &MailSettings) -> Result<Self, DeliverError> {
        match &mail.transport {
            Transport::File { dir } => {
                let label = format!("file {}", dir.display());
                std::fs::create_dir_all(dir).map_err(|e| DeliverError::Config {
                    message: error_chain(&SetupError::OutboxDir(e)),
                    transport: label.clone(),
                })?;
                Ok(Mailer {
                    description: label.clone(),
                    label,
                    inner: Inner::File(AsyncFileTransport::new(dir)),
                })
            }
            Transport::Smtp(smtp) => Self::smtp(smtp),
            Transport::Sendmail { command } => {
                let label = format!("sendmail {}", command.display());
                Ok(Mailer {
                    description: label.clone(),
                    label,
                    inner: Inner::Sendmail(
                        AsyncSendmailTransport::<Tokio1Executor>::new_with_command(
                            command.as_os_str(),
                        ),
                    ),
                })
            }
        }
    }

    fn smtp(smtp: &SmtpSettings) -> Result<Self, DeliverError> {
        let hostport = if smtp.host.contains(':') && !smtp.host.starts_with('[') {
            format!("[{}]:{}", smtp.host, smtp.port)
        } else {
            format!("{}:{}", smtp.host, smtp.port)
        };
        let label = format!("smtp {hostport}");
        let config_err = |e: SetupError| DeliverError::Config {
            transport: label.clone(),
            message: error_chain(&e),
        };
        let host = smtp.host.trim_start_matches('[').trim_end_matches(']');
        let (tls, mode) = match smtp.tls {
            SmtpTls::None => (Tls::None, "plain"),
            SmtpTls::Starttls => (
                Tls::Required(tls_parameters(host, smtp).map_err(config_err)?),
                "starttls",
            ),
            SmtpTls::Tls => (
                Tls::Wrapper(tls_parameters(host, smtp).map_err(config_err)?),
                "tls",
            ),
        };
        let mut credentials = None;
        let mut description = format!("{label} ({mode})");
        if let Some(user) = &smtp.user {
            let password = match (&smtp.password, &smtp.secret) {
                (_, Some(secret)) => secret.expose().to_owned(),
                (None, None) => return Err(config_err(SetupError::NoPassword(user.clone()))),
                (Some(_), None) => return Err(config_err(SetupError::NotLoaded("the password"))),
            };
            credentials = Some(Credentials::new(user.clone(), password));
            description.push_str(&format!(" as {user}"));
        }
        Ok(Mailer {
            label,
            description,
            inner: Inner::Smtp(Box::new(SmtpSession::new(
                host.to_owned(),
                smtp.port,
                tls,
                credentials,
                smtp.timeout,
            ))),
        })
    }

    /// Hands `message` to the transport with the SMTP envelope
    /// `envelope_from` → `to`.
    ///
    /// `envelope_from` may be a bare address or a `Name <addr>` mailbox
    /// (the `[mail] from` value); only the address is used. Must be called
    /// inside a Tokio runtime.
    pub async fn send(
        &self,
        envelope_from: &str,
        to: &[String],
        message: &[u8],
    ) -> Result<(), DeliverError> {
        let envelope = self.envelope(envelope_from, to)?;
        match &self.inner {
            Inner::File(t) => {
                t.send_raw(&envelope, message)
                    .await
                    .map(drop)
                    .map_err(|e| DeliverError::Io {
                        transport: self.label.clone(),
                        message: format!("cannot write message: {}", error_chain(&e)),
                    })
            }
            Inner::Smtp(session) => match session.send(&envelope, message).await {
                Ok(()) => Ok(()),
                Err(SendFailure::Smtp(e)) => Err(self.smtp_error(&e)),
                Err(SendFailure::Timeout { step, after }) => Err(DeliverError::Connection {
                    transport: self.label.clone(),
                    message: format!("timed out after {after:?} waiting for the reply to {step}"),
                }),
                Err(SendFailure::Unsupported(why)) => Err(DeliverError::Connection {
                    transport: self.label.clone(),
                    message: why.to_owned(),
                }),
            },
            Inner::Sendmail(t) => {
                match tokio::time::timeout(SENDMAIL_DEADLINE, t.send_raw(&envelope, message)).await
                {
                    Ok(result) => result.map_err(|e| DeliverError::Command {
                        transport: self.label.clone(),
                        message: error_chain(&e).trim().to_owned(),
                    }),
                    Err(_) => Err(DeliverError::Command {
                        transport: self.label.clone(),
                        message: format!("timed out after {SENDMAIL_DEADLINE:?}; command killed"),
                    }),
                }
            }
        }
    }

    /// Ends a relay pass: closes the SMTP session kept open for the pass
    /// (QUIT, bounded by the SMTP timeout). The next send reconnects. A
    /// no-op for the file and sendmail transports.
    pub async fn end_pass(&self) {
        if let Inner::Smtp(session) = &self.inner {
            session.close().await;
        }
    }

    /// A one-line description for logs and `reformwatch check`, e.g.
    /// `smtp 127.0.0.1:2525 (starttls)` or `file /var/lib/reformwatch/outbox`.
    pub fn describe(&self) -> String {
        self.description.clone()
    }

    fn envelope(&self, envelope_from: &str, to: &[String]) -> Result<Envelope, DeliverError> {
        let envelope_err = |message: String| DeliverError::Envelope {
            transport: self.label.clone(),
            message,
        };
        let from = parse_address(envelope_from)
            .ok_or_else(|| envelope_err(format!("invalid sender address {envelope_from:?}")))?;
        let mut rcpts = Vec::with_capacity(to.len());
        for t in to {
            rcpts.push(
                parse_address(t)
                    .ok_or_else(|| envelope_err(format!("invalid recipient address {t:?}")))?,
            );
        }
        if rcpts.is_empty() {
            return Err(envelope_err("no recipients".to_owned()));
        }
        Envelope::new(Some(from), rcpts).map_err(|e| envelope_err(e.to_string()))
    }

    fn smtp_error(&self, e: &lettre::transport::smtp::Error) -> DeliverError {
        let transport = self.label.clone();
        if let Some(code) = e.status() {
            let code_num: u16 = code.to_string().parse().unwrap_or(0);
            let text = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default()
                .trim()
                .to_owned();
            if matches!(code_num, 530 | 534 | 535 | 538) {
                return DeliverError::Auth {
                    transport,
                    code: code_num,
                    text,
                };
            }
            if e.is_permanent() {
                return DeliverError::Rejected {
                    transport,
                    code: code_num,
                    text,
                };
            }
            return DeliverError::Deferred {
                transport,
                code: code_num,
                text,
            };
        }
        if let Some(message) = tls_failure(e) {
            return DeliverError::Tls { transport, message };
        }
        let message = match find_io_error(e) {
            Some(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                std::io::ErrorKind::TimedOut => "timed out".to_owned(),
                std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe => format!("connection dropped: {io}"),
                _ => error_chain(e),
            },
            None if e.is_timeout() => "timed out".to_owned(),
            None if e.is_response() => {
                format!("connection dropped or invalid reply: {}", error_chain(e))
            }
            None => error_chain(e),
        };
        DeliverError::Connection { transport, message }
    }
}

/// TLS settings for `host`: the system roots plus the certificates of
/// `ca_file` (PEM, read by [`crate::config::load`]), verified with rustls
/// and the platform verifier.
fn tls_parameters(host: &str, smtp: &SmtpSettings) -> Result<TlsParameters, SetupError> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(path) = &smtp.ca_file {
        let pem = smtp
            .ca_pem
            .as_deref()
            .ok_or(SetupError::NotLoaded("ca_file"))?;
        let has_cert = String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----");
        let cert = Certificate::from_pem(pem)
            .ok()
            .filter(|_| has_cert)
            .ok_or_else(|| SetupError::NoCertificate(path.clone()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(SetupError::Tls)
}

/// A user-facing description when `e` is a TLS failure (handshake,
/// untrusted certificate, or a server without STARTTLS), else `None`.
fn tls_failure(e: &lettre::transport::smtp::Error) -> Option<String> {
    let chain = error_chain(e);
    let lower = chain.to_ascii_lowercase();
    if lower.contains("starttls is not supported") {
        return Some(
            "the server does not offer STARTTLS, which smtp_tls = \"starttls\" requires".to_owned(),
        );
    }
    let tls = e.is_tls()
        || lower.contains("certificate")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
        || lower.contains("corrupt message")
        || lower.contains("received corrupt");
    // The innermost cause says what is wrong ("invalid peer certificate:
    // UnknownIssuer"); the wrappers above it only repeat "Connection error".
    let mut cause: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let cause = cause.to_string().replace(['\r', '\n'], " ");
    tls.then(|| format!("TLS failed: {cause}"))
}

/// The address in `Name <a@b>` or `a@b`.
fn parse_address(s: &str) -> Option<Address> {
    let s = s.trim();
    if let Ok(a) = s.parse::<Address>() {
        return Some(a);
    }
    s.parse::<Mailbox>().ok().map(|m| m.email)
}

/// The first `std::io::Error` in an error's source chain.
fn find_io_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests;
