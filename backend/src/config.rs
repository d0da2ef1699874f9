//! Settings, read from `CLIENTELE_*` environment variables.

use anyhow::{bail, Context};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Argon2id cost. Production uses OWASP's recommendation; tests use cheap values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Argon2Cost {
    /// OWASP: argon2id, m=19 MiB, t=2, p=1.
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
}

/// Brute-force protection. See docs/decisions/0003-login-throttling.md.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures of one account from one address before it is locked there.
    pub account_ip_threshold: u32,
    /// Failures of one account from anywhere before it is locked everywhere.
    pub account_threshold: u32,
    /// Failures from one address, over any accounts, before the address is locked.
    pub ip_threshold: u32,
    /// From this many failures on a key, each further attempt must wait a growing delay.
    pub delay_after: u32,
    /// The first lock, and each step it grows by.
    pub lock_step: Duration,
    /// No delay or lock lasts longer than this.
    pub max_lock: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// Passwords one caller may reset (a client owner's, or a user's set by an
    /// admin) within `window`, before its resets are refused for a window.
    pub resets_per_caller: u32,
    /// Resets of one account's password within `window`, by anyone.
    pub resets_per_account: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_ip_threshold: 10,
            account_threshold: 30,
            ip_threshold: 100,
            delay_after: 3,
            lock_step: Duration::from_secs(60),
            max_lock: Duration::from_secs(15 * 60),
            window: Duration::from_secs(15 * 60),
            resets_per_caller: 30,
            resets_per_account: 5,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub bind: String,
    pub jwt_secret: SecretString,
    pub admin_email: Option<String>,
    pub admin_password: Option<SecretString>,
    pub cors_origins: Vec<String>,
    /// May hold a password: kept out of `Debug`.
    pub redis_url: Option<SecretString>,
    /// Prefix of every key Clientele writes in Redis.
    pub redis_prefix: String,
    pub log_format: LogFormat,
    pub frontend_dir: Option<PathBuf>,
    /// Region for phone numbers written without `+` (ISO 3166, e.g. `IN`).
    pub default_phone_region: String,
    /// Where people log in, for the credentials handed to a new client; by
    /// default derived from the request.
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub argon2: Argon2Cost,
    pub throttle: ThrottlePolicy,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Print the generated bootstrap password (off in tests, which read it back).
    pub print_bootstrap_password: bool,
    /// Where each client's own PostgreSQL database is (`{account}` for its
    /// account number in lower case); by default beside the main database.
    pub client_database_url_template: Option<SecretString>,
    /// Connections open at once to all the clients' own databases.
    pub client_connections: usize,
    /// The longest wait between retries of a client database that fails.
    pub client_retry_max: Duration,
    /// Peers whose `X-Forwarded-For` names the client (the reverse proxy).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_grace: Duration,
    /// PostgreSQL: connections of the main pool, per instance.
    pub database_pool: u32,
    /// PostgreSQL: the longest a database call waits before a 503.
    pub database_timeout: Duration,
}

/// A whole number setting, at least `min`, or `default` when unset.
fn number<T: std::str::FromStr + PartialOrd>(
    name: &str,
    min: T,
    default: T,
    what: &str,
) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<T>()
            .ok()
            .filter(|n| *n >= min)
            .with_context(|| format!("{name} must be {what}, not {v:?}")),
    }
}

/// `CLIENTELE_TRUSTED_PROXIES`: addresses or networks, separated by commas.
pub fn parse_proxies(text: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "CLIENTELE_TRUSTED_PROXIES: {s:?} is neither an IP address nor a network (10.0.0.0/8)"
                    )
                })
        })
        .collect()
}

pub const ISSUER: &str = "clientele";
pub const AUDIENCE: &str = "clientele-api";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Read settings from the environment, creating the data directory and the
    /// JWT secret file when they are missing.
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir = PathBuf::from(var("CLIENTELE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        ensure_data_dir(&data_dir)?;
        let database_url =
            var("CLIENTELE_DATABASE_URL").unwrap_or_else(|| default_database_url(&data_dir));
        let jwt_secret = match var("CLIENTELE_JWT_SECRET") {
            Some(s) => SecretString::from(s),
            None => load_or_create_secret(&data_dir.join("jwt-secret"))?,
        };
        check_secret(&jwt_secret)?;
        let log_format = match var("CLIENTELE_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("CLIENTELE_LOG_FORMAT must be pretty or json, not {other:?}"),
        };
        let client_connections = number(
            "CLIENTELE_CLIENT_CONNECTIONS",
            1usize,
            4,
            "a whole number, at least 1",
        )?;
        let seconds = |name: &str, default: u64| -> anyhow::Result<Duration> {
            number(name, 1u64, default, "a whole number of seconds, at least 1")
                .map(Duration::from_secs)
        };
        let client_retry_max = seconds("CLIENTELE_CLIENT_RETRY_MAX", 300)?;
        let shutdown_grace = seconds("CLIENTELE_SHUTDOWN_GRACE", 10)?;
        let database_timeout = seconds("CLIENTELE_DATABASE_TIMEOUT", 5)?;
        let database_pool = number(
            "CLIENTELE_DATABASE_POOL",
            1u32,
            16,
            "a whole number of connections, at least 1",
        )?;
        let trusted_proxies = parse_proxies(&var("CLIENTELE_TRUSTED_PROXIES").unwrap_or_default())?;
        let body_limit = match var("CLIENTELE_BODY_LIMIT") {
            Some(v) => v
                .parse()
                .context("CLIENTELE_BODY_LIMIT must be a number of bytes")?,
            None => 64 * 1024,
        };
        Ok(Self {
            database_url,
            bind: var("CLIENTELE_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret,
            admin_email: var("CLIENTELE_ADMIN_EMAIL"),
            admin_password: var("CLIENTELE_ADMIN_PASSWORD").map(SecretString::from),
            cors_origins: var("CLIENTELE_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().trim_end_matches('/').to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            redis_url: var("CLIENTELE_REDIS_URL").map(SecretString::from),
            redis_prefix: var("CLIENTELE_REDIS_PREFIX").unwrap_or_else(|| "clientele:".into()),
            log_format,
            frontend_dir: var("CLIENTELE_FRONTEND_DIR").map(PathBuf::from),
            default_phone_region: var("CLIENTELE_DEFAULT_PHONE_REGION")
                .unwrap_or_else(|| "IN".into())
                .to_uppercase(),
            public_url: var("CLIENTELE_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()),
            body_limit,
            data_dir,
            client_database_url_template: var("CLIENTELE_CLIENT_DATABASE_URL_TEMPLATE")
                .map(SecretString::from),
            client_connections,
            client_retry_max,
            trusted_proxies,
            shutdown_grace,
            database_pool,
            database_timeout,
            ..Self::defaults()
        })
    }

    /// Defaults for everything that is not read from the environment.
    fn defaults() -> Self {
        Self {
            database_url: String::new(),
            data_dir: PathBuf::from("./data"),
            bind: "127.0.0.1:8080".into(),
            jwt_secret: SecretString::from(String::new()),
            admin_email: None,
            admin_password: None,
            cors_origins: vec![],
            redis_url: None,
            redis_prefix: "clientele:".into(),
            log_format: LogFormat::Pretty,
            frontend_dir: None,
            default_phone_region: "IN".into(),
            public_url: None,
            body_limit: 64 * 1024,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            argon2: Argon2Cost::OWASP,
            throttle: ThrottlePolicy::default(),
            workers: None,
            print_bootstrap_password: true,
            client_database_url_template: None,
            client_connections: 4,
            client_retry_max: Duration::from_secs(300),
            trusted_proxies: Vec::new(),
            shutdown_grace: Duration::from_secs(10),
            database_pool: 16,
            database_timeout: Duration::from_secs(5),
        }
    }

    /// Settings for a test: the given store, a random secret, cheap hashing.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Self {
        use rand::distributions::{Alphanumeric, DistString};
        Self {
            database_url,
            data_dir,
            bind: "127.0.0.1:0".into(),
            jwt_secret: SecretString::from(Alphanumeric.sample_string(&mut rand::thread_rng(), 48)),
            argon2: Argon2Cost {
                memory_kib: 64,
                iterations: 1,
                parallelism: 1,
            },
            workers: Some(1),
            print_bootstrap_password: false,
            client_retry_max: Duration::from_secs(2),
            ..Self::defaults()
        }
    }

    pub fn is_postgres(&self) -> bool {
        is_postgres_url(&self.database_url)
    }
}

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("clientele.db").display())
}

fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))
}

/// The secret must be at least 32 bytes: HS256 is only as strong as its key.
pub fn check_secret(secret: &SecretString) -> anyhow::Result<()> {
    let len = secret.expose_secret().len();
    if len < 32 {
        bail!(
            "CLIENTELE_JWT_SECRET is {len} bytes long; it must be at least 32 bytes \
             (unset it to have one generated and kept in the data directory)"
        );
    }
    Ok(())
}

/// Read the kept secret, or generate one and write it with mode 0600.
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<SecretString> {
    if path.exists() {
        let s = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the JWT secret file {}", path.display()))?;
        return Ok(SecretString::from(s.trim().to_owned()));
    }
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(path, &secret)
        .with_context(|| format!("cannot write the JWT secret file {}", path.display()))?;
    Ok(SecretString::from(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secret_is_refused_with_a_clear_message() {
        let err = check_secret(&SecretString::from("too-short".to_owned())).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"));
        assert!(check_secret(&SecretString::from("x".repeat(32))).is_ok());
    }

    #[test]
    fn generated_secret_is_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        let first = load_or_create_secret(&path).unwrap();
        let second = load_or_create_secret(&path).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert!(first.expose_secret().len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn postgres_is_chosen_from_the_url() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("postgresql://u@h/db"));
        assert!(!is_postgres_url("sqlite://./data/x.db"));
    }
}
