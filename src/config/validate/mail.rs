//! `[mail]`: transport choice, sender and reply addresses, SMTP settings and
//! the password's source. Reading the password (and `ca_file`) is the
//! edge's job ([`super::super::edge`]), so a bad secret still fails `check`,
//! not the first digest.

use std::path::PathBuf;
use std::time::Duration;

use super::super::edge::Located;
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
        self.refs.outbox_default = outbox.is_none();
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
        self.refs.ca_file = self.located_path(sec, "ca_file", &m.ca_file);
        let ca_file = self.refs.ca_file.as_ref().map(|l| l.value.clone());
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
                secret: None,
                timeout,
                ca_file,
                ca_pem: None,
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

    /// `password_env` / `password_file`: at most one. The edge reads it.
    fn password(&mut self, sec: &Section<RawMail>) -> Option<SecretSource> {
        let m = &sec.value;
        if let (Some(_), Some(file)) = (&m.password_env, &m.password_file) {
            let message = "set either `password_env` or `password_file`, not both";
            self.p.at(&file.span(), &sec.key("password_file"), message);
        }
        self.refs.password_env = self
            .text(sec, "password_env", &m.password_env)
            .map(|k| Located {
                value: k.get_ref().trim().to_owned(),
                span: k.span(),
                key: sec.key("password_env"),
            });
        self.refs.password_file = self.located_path(sec, "password_file", &m.password_file);
        let env = self.refs.password_env.as_ref();
        let file = self.refs.password_file.as_ref();
        env.map(|l| SecretSource::Env(l.value.clone()))
            .or_else(|| file.map(|l| SecretSource::File(l.value.clone())))
    }
}
