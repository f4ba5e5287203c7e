//! `[mail]`: transport choice, sender and reply addresses, SMTP settings and
//! the password's source, which must be usable now (env var set, file
//! readable) so a bad secret fails `check`, not the first digest.

use std::path::PathBuf;
use std::time::Duration;

use super::super::raw::RawMail;
use super::super::tables::Section;
use super::super::values;
use super::super::{
    DaemonSettings, MailSettings, SecretSource, SmtpSettings, SmtpTls, Transport, DEFAULT_MAX_ITEMS,
};
use super::Check;

const DEFAULT_FROM: &str = "reformwatch <reformwatch@localhost>";

impl Check<'_, '_> {
    /// The `[mail]` table: the transport and its secrets, queue limits.
    pub(super) fn mail(
        &mut self,
        sec: &Section<RawMail>,
        daemon: &DaemonSettings,
        has_subscribers: bool,
    ) -> MailSettings {
        let m = &sec.value;
        #[derive(Clone, Copy, PartialEq)]
        enum Kind {
            File,
            Smtp,
            Sendmail,
        }
        let kinds = [
            ("file", Kind::File),
            ("smtp", Kind::Smtp),
            ("sendmail", Kind::Sendmail),
        ];
        let kind = self
            .choice(sec, "transport", &m.transport, &kinds)
            .unwrap_or(Kind::File);
        if m.from.is_none() && has_subscribers {
            self.missing(
                sec,
                "from",
                " (the sender of digests; required when there are subscribers)",
            );
        }
        let mailbox = |t: &str| values::mailbox(t).map(|()| t.trim().to_owned());
        let from = self.parse(sec, "from", &m.from, mailbox);
        let reply_to = self.parse(sec, "reply_to", &m.reply_to, mailbox);
        let outbox = self.path(sec, "outbox_dir", &m.outbox_dir);
        let tls_choices = [
            ("starttls", SmtpTls::Starttls),
            ("tls", SmtpTls::Tls),
            ("none", SmtpTls::None),
        ];
        let tls = self
            .choice(sec, "smtp_tls", &m.smtp_tls, &tls_choices)
            .unwrap_or(SmtpTls::Starttls);
        let port = match &m.smtp_port {
            Some(k) if *k.get_ref() == 0 => {
                self.p.at(
                    &k.span(),
                    &sec.key("smtp_port"),
                    "`smtp_port` must not be 0",
                );
                None
            }
            Some(k) => Some(*k.get_ref()),
            None => None,
        };
        let host = self
            .text(sec, "smtp_host", &m.smtp_host)
            .map(|k| k.get_ref().trim().to_owned());
        if host.is_none() && m.smtp_host.is_none() && kind == Kind::Smtp {
            self.missing(sec, "smtp_host", " (needed for transport = \"smtp\")");
        }
        let user = self
            .text(sec, "smtp_user", &m.smtp_user)
            .map(|k| k.get_ref().to_owned());
        let password = self.password(sec);
        let timeout = self
            .parse(
                sec,
                "smtp_timeout",
                &m.smtp_timeout,
                values::positive_duration,
            )
            .unwrap_or(Duration::from_secs(30));
        let ca_file = self.path(sec, "ca_file", &m.ca_file).inspect(|path| {
            if let Err(e) = std::fs::read(path) {
                if let Some(k) = &m.ca_file {
                    let message = format!("cannot read CA file `{}`: {e}", path.display());
                    self.p.at(&k.span(), &sec.key("ca_file"), message);
                }
            }
        });
        let command = self
            .text(sec, "sendmail_command", &m.sendmail_command)
            .map(|k| PathBuf::from(k.get_ref().trim()))
            .unwrap_or_else(|| PathBuf::from("/usr/sbin/sendmail"));
        let transport = match kind {
            Kind::File => Transport::File {
                dir: outbox.unwrap_or_else(|| daemon.state_dir.join("outbox")),
            },
            Kind::Sendmail => Transport::Sendmail { command },
            Kind::Smtp => Transport::Smtp(SmtpSettings {
                host: host.unwrap_or_default(),
                port: port.unwrap_or(match tls {
                    SmtpTls::Starttls => 587,
                    SmtpTls::Tls => 465,
                    SmtpTls::None => 25,
                }),
                tls,
                user,
                password,
                timeout,
                ca_file,
            }),
        };
        let queue_lifetime = self
            .parse(
                sec,
                "queue_lifetime",
                &m.queue_lifetime,
                values::positive_duration,
            )
            .unwrap_or(Duration::from_secs(5 * 86_400));
        let max_items = self.count(sec, "max_items", &m.max_items, DEFAULT_MAX_ITEMS);
        let coalesce = self
            .parse(sec, "coalesce", &m.coalesce, values::positive_duration)
            .unwrap_or(values::DEFAULT_COALESCE);
        MailSettings {
            from: from.unwrap_or_else(|| DEFAULT_FROM.to_owned()),
            reply_to,
            transport,
            queue_lifetime,
            max_items,
            coalesce,
        }
    }

    /// `password_env` / `password_file`: at most one, and it must be usable now.
    fn password(&mut self, sec: &Section<RawMail>) -> Option<SecretSource> {
        let m = &sec.value;
        if let (Some(_), Some(file)) = (&m.password_env, &m.password_file) {
            let message = "set either `password_env` or `password_file`, not both";
            self.p.at(&file.span(), &sec.key("password_file"), message);
        }
        let env = self.text(sec, "password_env", &m.password_env).map(|k| {
            let name = k.get_ref().trim();
            let set = !name.contains(['=', '\0'])
                && std::env::var_os(name).is_some_and(|v| !v.is_empty());
            if !set {
                let message =
                    format!("environment variable `{name}` (password_env) is not set or empty");
                self.p.at(&k.span(), &sec.key("password_env"), message);
            }
            SecretSource::Env(name.to_owned())
        });
        let file = self
            .path(sec, "password_file", &m.password_file)
            .inspect(|path| {
                let problem = match std::fs::metadata(path) {
                    Ok(meta) if meta.is_dir() => Some("is a directory".to_owned()),
                    Ok(_) => std::fs::File::open(path).err().map(|e| e.to_string()),
                    Err(e) => Some(e.to_string()),
                };
                if let (Some(problem), Some(k)) = (problem, &m.password_file) {
                    let message =
                        format!("cannot read password file `{}`: {problem}", path.display());
                    self.p.at(&k.span(), &sec.key("password_file"), message);
                }
            });
        env.or(file.map(SecretSource::File))
            .or_else(systemd_credential)
    }
}

/// `$CREDENTIALS_DIRECTORY/smtp-password` (systemd's `LoadCredential=`),
/// the default password when the file names none and that file exists.
fn systemd_credential() -> Option<SecretSource> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty())?;
    let path = PathBuf::from(dir).join("smtp-password");
    path.is_file().then_some(SecretSource::File(path))
}
