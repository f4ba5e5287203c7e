//! The config's edge: what the file names but does not hold. Validation is
//! pure over the text; this step, run once by [`super::load`], reads the
//! process environment and the files the settings point at, and puts what
//! it finds into the settings:
//!
//! - `$STATE_DIRECTORY` (systemd's `StateDirectory=`) as the default
//!   `state_dir`, and with it the file transport's default outbox;
//! - the SMTP password from `password_env` or `password_file`, or by
//!   default from `$CREDENTIALS_DIRECTORY/smtp-password` (systemd's
//!   `LoadCredential=`);
//! - the certificates of `ca_file`.
//!
//! A secret that cannot be read is a config problem at the key that named
//! it, so `reformwatch check` reports it and the daemon does not start with
//! it; the mail transport never reads the environment or files again.

use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::report::{chain, Problems};
use super::{Secret, SecretSource, Settings, Transport};

/// A value the edge must look up, with where the file names it.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    /// The value as validated.
    pub value: T,
    /// Span of the value in the text.
    pub span: Range<usize>,
    /// Its key path, e.g. `mail.password_env`.
    pub key: String,
}

/// What validation leaves for the edge.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    /// `state_dir` was not given, so `$STATE_DIRECTORY` may supply it.
    pub state_dir_default: bool,
    /// `outbox_dir` was not given, so the outbox follows `state_dir`.
    pub outbox_default: bool,
    /// `password_env`.
    pub password_env: Option<Located<String>>,
    /// `password_file`, resolved against the config's directory.
    pub password_file: Option<Located<PathBuf>>,
    /// `ca_file`, resolved against the config's directory.
    pub ca_file: Option<Located<PathBuf>>,
}

/// Reads one environment variable; the process environment in
/// [`super::load`], a fixed one in tests.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// Why a secret or certificate file could not be used. The messages are
/// the config problems `reformwatch check` prints.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EdgeError {
    /// `password_env` names a variable that is unset or blank.
    #[error("environment variable `{0}` (password_env) is not set or empty")]
    EnvUnset(String),
    /// `password_env` names a variable that is not UTF-8.
    #[error("environment variable `{0}` (password_env) is not valid UTF-8")]
    EnvNotUnicode(String),
    /// A password file that cannot be read.
    #[error("cannot read password file `{}`", .path.display())]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// A password file that is a directory.
    #[error("cannot read password file `{}`: is a directory", .0.display())]
    PasswordDirectory(PathBuf),
    /// A password file holding only blanks.
    #[error("password file `{}` is empty", .0.display())]
    PasswordEmpty(PathBuf),
    /// A CA file that cannot be read.
    #[error("cannot read CA file `{}`", .path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
}

/// Fills `settings` from the environment `env` and the files `refs` names;
/// every problem goes to `problems` at the key that caused it.
pub(crate) fn resolve(settings: &mut Settings, refs: &Refs, env: Env<'_>, problems: &mut Problems) {
    if refs.state_dir_default {
        if let Some(dir) = systemd_state_directory(env) {
            settings.daemon.state_dir = dir;
            if let (true, Transport::File { dir }) =
                (refs.outbox_default, &mut settings.mail.transport)
            {
                *dir = settings.daemon.state_dir.join("outbox");
            }
        }
    }
    let from_env = refs
        .password_env
        .as_ref()
        .and_then(|name| report(problems, name, env_secret(&name.value, env)));
    let from_file = refs
        .password_file
        .as_ref()
        .and_then(|path| report(problems, path, file_secret(&path.value)));
    let ca_pem = refs.ca_file.as_ref().and_then(|ca| {
        let read = std::fs::read(&ca.value).map_err(|source| EdgeError::CaFile {
            path: ca.value.clone(),
            source,
        });
        report(problems, ca, read)
    });
    let Transport::Smtp(smtp) = &mut settings.mail.transport else {
        return;
    };
    smtp.ca_pem = ca_pem;
    smtp.secret = from_env.or(from_file);
    if smtp.password.is_none() {
        if let Some(path) = systemd_credential(env) {
            smtp.secret = file_secret(&path)
                .map_err(|e| problems.nowhere("mail.password_file", chain(&e)))
                .ok();
            smtp.password = Some(SecretSource::File(path));
        }
    }
}

/// The value of `result`, or `None` with its error reported at `at`.
fn report<T, V>(
    problems: &mut Problems<'_>,
    at: &Located<T>,
    result: Result<V, EdgeError>,
) -> Option<V> {
    result
        .map_err(|e| problems.at(&at.span, &at.key, chain(&e)))
        .ok()
}

/// The password in environment variable `name`, trimmed.
fn env_secret(name: &str, env: Env<'_>) -> Result<Secret, EdgeError> {
    let unset = || EdgeError::EnvUnset(name.to_owned());
    // Such names cannot be set, and looking them up may panic.
    if name.is_empty() || name.contains(['=', '\0']) {
        return Err(unset());
    }
    let value = env(name).ok_or_else(unset)?;
    let value = value
        .into_string()
        .map_err(|_| EdgeError::EnvNotUnicode(name.to_owned()))?;
    match value.trim() {
        "" => Err(unset()),
        trimmed => Ok(Secret::new(trimmed)),
    }
}

/// The password in file `path`, trimmed.
fn file_secret(path: &Path) -> Result<Secret, EdgeError> {
    if path.is_dir() {
        return Err(EdgeError::PasswordDirectory(path.to_path_buf()));
    }
    let value = std::fs::read_to_string(path).map_err(|source| EdgeError::PasswordFile {
        path: path.to_path_buf(),
        source,
    })?;
    match value.trim() {
        "" => Err(EdgeError::PasswordEmpty(path.to_path_buf())),
        trimmed => Ok(Secret::new(trimmed)),
    }
}

/// `$STATE_DIRECTORY` (set by systemd's `StateDirectory=`; the first entry
/// when it lists several), the default `state_dir` under systemd.
fn systemd_state_directory(env: Env<'_>) -> Option<PathBuf> {
    let dirs = env("STATE_DIRECTORY")?;
    let first = dirs.to_str()?.split(':').next()?.trim();
    (!first.is_empty()).then(|| PathBuf::from(first))
}

/// `$CREDENTIALS_DIRECTORY/smtp-password` (systemd's `LoadCredential=`),
/// the default password when the file names none and that file exists.
fn systemd_credential(env: Env<'_>) -> Option<PathBuf> {
    let dir = env("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty())?;
    let path = PathBuf::from(dir).join("smtp-password");
    path.is_file().then_some(path)
}

/// The config path to use: the `--config` flag, else `$REFORMWATCH_CONFIG`,
/// else `/etc/reformwatch/reformwatch.toml` if it exists, else
/// `config/reformwatch.toml`.
pub fn resolve_path(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("REFORMWATCH_CONFIG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let etc = Path::new("/etc/reformwatch/reformwatch.toml");
    if etc.exists() {
        return etc.to_path_buf();
    }
    PathBuf::from("config/reformwatch.toml")
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::path::{Path, PathBuf};

    use super::super::{check, parse, ConfigProblem, SecretSource, Settings, Transport};

    const SMTP: &str = "[mail]\ntransport = \"smtp\"\nsmtp_host = \"relay\"\nsmtp_user = \"w\"\n";

    /// `text` loaded with `vars` as the whole environment.
    fn load_with(
        text: &str,
        path: &Path,
        vars: &[(&str, &str)],
    ) -> Result<Settings, Vec<ConfigProblem>> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        };
        check(text, path, Some(&env)).map_err(|e| e.0)
    }

    fn smtp(s: &Settings) -> &super::super::SmtpSettings {
        match &s.mail.transport {
            Transport::Smtp(smtp) => smtp,
            other => panic!("not smtp: {other:?}"),
        }
    }

    #[test]
    fn parsing_reads_nothing_outside_the_text() {
        let text = format!(
            "{SMTP}password_env = \"REFORMWATCH_FIXTURE_UNSET_PASSWORD\"\nca_file = \"no-such.pem\"\n"
        );
        let path = Path::new("/etc/reformwatch/reformwatch.toml");
        let s = parse(&text, path).unwrap_or_else(|e| panic!("{e}"));
        let env = SecretSource::Env("REFORMWATCH_FIXTURE_UNSET_PASSWORD".into());
        assert_eq!(smtp(&s).password, Some(env));
        assert!(smtp(&s).secret.is_none() && smtp(&s).ca_pem.is_none());
        assert_eq!(s.daemon.state_dir, Path::new("/etc/reformwatch/data"));
        // The edge reads both, and reports each at its line.
        let found = load_with(&text, path, &[("STATE_DIRECTORY", "/var/lib/rw")]).unwrap_err();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].line, Some(5));
        assert!(found[0]
            .message
            .contains("(password_env) is not set or empty"));
        assert_eq!(
            (found[1].line, found[1].key.as_str()),
            (Some(6), "mail.ca_file")
        );
        assert!(found[1]
            .message
            .starts_with("cannot read CA file `/etc/reformwatch/no-such.pem`: "));
    }

    #[test]
    fn systemd_directories_and_secrets_are_resolved_at_the_edge() {
        let dir = tempfile::tempdir().unwrap();
        let (state, creds) = (dir.path().join("state"), dir.path().join("creds"));
        std::fs::create_dir_all(&creds).unwrap();
        std::fs::write(creds.join("smtp-password"), "  pw 改革\n").unwrap();
        let path = dir.path().join("rw.toml");
        let state_s = format!("{}:/second", state.display());
        let creds_s = creds.display().to_string();
        let env = [
            ("STATE_DIRECTORY", state_s.as_str()),
            ("CREDENTIALS_DIRECTORY", creds_s.as_str()),
            ("BLANK", " \t"),
        ];

        let s = load_with(SMTP, &path, &env).unwrap();
        assert_eq!(s.daemon.state_dir, state);
        let credential = creds.join("smtp-password");
        assert_eq!(smtp(&s).password, Some(SecretSource::File(credential)));
        assert_eq!(
            smtp(&s).secret.as_ref().map(|p| p.expose()),
            Some("pw 改革")
        );

        // The file transport's outbox follows $STATE_DIRECTORY unless set;
        // an explicit state_dir wins over it.
        let outbox = |s: &Settings| match &s.mail.transport {
            Transport::File { dir } => dir.clone(),
            other => panic!("not file: {other:?}"),
        };
        let s = load_with("[mail]\n", &path, &env).unwrap();
        assert_eq!(outbox(&s), state.join("outbox"));
        let s = load_with("[mail]\noutbox_dir = \"/srv/out\"\n", &path, &env).unwrap();
        assert_eq!(outbox(&s), PathBuf::from("/srv/out"));
        let s = load_with("[daemon]\nstate_dir = \"/srv/rw\"\n", &path, &env).unwrap();
        assert_eq!(s.daemon.state_dir, PathBuf::from("/srv/rw"));
        assert_eq!(outbox(&s), PathBuf::from("/srv/rw/outbox"));

        // A blank variable or credential is no password.
        let found = load_with(&format!("{SMTP}password_env = \"BLANK\"\n"), &path, &env);
        let found = found.unwrap_err();
        assert_eq!(
            (found[0].line, found[0].key.as_str()),
            (Some(5), "mail.password_env")
        );
        assert!(found[0]
            .message
            .contains("`BLANK` (password_env) is not set or empty"));
        std::fs::write(creds.join("smtp-password"), "\n").unwrap();
        let found = load_with(SMTP, &path, &env).unwrap_err();
        assert_eq!(
            (found[0].line, found[0].key.as_str()),
            (None, "mail.password_file")
        );
        assert!(
            found[0].message.ends_with("smtp-password` is empty"),
            "{found:#?}"
        );
    }
}
