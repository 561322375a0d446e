//! Server settings: the command line (with environment fallbacks) and the
//! [`Config`] the library runs on, which tests build directly.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use huddle_protocol::{IceServer, MAX_POST_BYTES, MAX_POST_SECONDS};

/// Everything [`crate::serve`] needs to know. `Config::default()` is what the
/// command line gives without flags, except that it never reads the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the built app lives; `index.html` there answers every app route.
    pub dist_dir: PathBuf,
    /// Where the server keeps what must survive a restart (the TLS certificate).
    pub data_dir: PathBuf,
    /// Serve HTTPS with a self-signed certificate kept in `data_dir`.
    pub tls: bool,
    /// Handed to every client in `Welcome` for its RTCPeerConnection.
    pub ice_servers: Vec<IceServer>,
    /// How long an invite link works after it is made.
    pub invite_ttl: Duration,
    /// How long an empty room waits for someone to come back before it closes.
    pub empty_room_grace: Duration,
    /// How often the server pings each socket.
    pub heartbeat_interval: Duration,
    /// A socket silent for this long is treated as closed.
    pub heartbeat_timeout: Duration,
    pub rate_limits: RateLimits,
    /// Key for signing invites. `None`: a random key for this process, which is
    /// enough because rooms (and so their invites) do not outlive the process.
    pub invite_secret: Option<Vec<u8>>,
    /// Largest try-on video accepted, in bytes.
    pub max_post_bytes: u64,
    /// Longest try-on video accepted, in seconds.
    pub max_post_seconds: f32,
}

/// Budgets against guessing and flooding. Only *failed* join attempts count
/// against the per-address and per-room budgets, so many people behind one
/// address (or a test harness on 127.0.0.1) can join freely.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimits {
    /// Failed joins allowed per client address per minute.
    pub ip_failures_per_minute: u32,
    /// Failed joins allowed per room per minute (from all addresses together).
    pub room_failures_per_minute: u32,
    /// Sustained messages per second on one connection.
    pub messages_per_second: u32,
    /// Messages one connection may send in a burst above the sustained rate.
    pub message_burst: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            ip_failures_per_minute: 10,
            room_failures_per_minute: 20,
            messages_per_second: 50,
            message_burst: 200,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            dist_dir: PathBuf::from("dist"),
            data_dir: PathBuf::from("data"),
            tls: false,
            ice_servers: Vec::new(),
            invite_ttl: Duration::from_secs(24 * 60 * 60),
            empty_room_grace: Duration::from_secs(30),
            heartbeat_interval: Duration::from_secs(2),
            heartbeat_timeout: Duration::from_secs(6),
            rate_limits: RateLimits::default(),
            invite_secret: None,
            max_post_bytes: MAX_POST_BYTES,
            max_post_seconds: MAX_POST_SECONDS,
        }
    }
}

/// Huddle's server: serves the app and relays WebRTC signalling between room members.
#[derive(Debug, Parser)]
#[command(name = "huddle-server", version, about)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, env = "HUDDLE_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one (the printed URL shows which).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Directory of the built app.
    #[arg(long = "dist", env = "HUDDLE_DIST", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// Directory for the TLS certificate and key, and the posts (`posts/`).
    #[arg(long, env = "HUDDLE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Serve HTTPS with a self-signed certificate (made on first run, then reused).
    #[arg(long, env = "HUDDLE_TLS")]
    pub tls: bool,
    /// ICE servers for clients, as a JSON array of {"urls": [...], "username"?, "credential"?}.
    #[arg(long, env = "HUDDLE_ICE_SERVERS", default_value = "[]", value_parser = parse_ice_servers)]
    pub ice_servers: IceServers,
    /// How long invite links work (e.g. 24h, 90m, 30s).
    #[arg(long, env = "HUDDLE_INVITE_TTL", default_value = "24h", value_parser = parse_duration)]
    pub invite_ttl: Duration,
    /// How long an empty room stays open for a rejoin.
    #[arg(long, env = "HUDDLE_EMPTY_ROOM_GRACE", default_value = "30s", value_parser = parse_duration)]
    pub empty_room_grace: Duration,
    /// How often each socket is pinged.
    #[arg(long, env = "HUDDLE_HEARTBEAT_INTERVAL", default_value = "2s", value_parser = parse_duration)]
    pub heartbeat_interval: Duration,
    /// Silence after which a socket is dropped.
    #[arg(long, env = "HUDDLE_HEARTBEAT_TIMEOUT", default_value = "6s", value_parser = parse_duration)]
    pub heartbeat_timeout: Duration,
    /// Failed join attempts allowed per client address per minute.
    #[arg(long, env = "HUDDLE_IP_FAILURES_PER_MINUTE", default_value_t = 10)]
    pub ip_failures_per_minute: u32,
    /// Failed join attempts allowed per room per minute.
    #[arg(long, env = "HUDDLE_ROOM_FAILURES_PER_MINUTE", default_value_t = 20)]
    pub room_failures_per_minute: u32,
    /// Sustained messages per second allowed on one connection.
    #[arg(long, env = "HUDDLE_MESSAGES_PER_SECOND", default_value_t = 50)]
    pub messages_per_second: u32,
    /// Burst of messages allowed on one connection.
    #[arg(long, env = "HUDDLE_MESSAGE_BURST", default_value_t = 200)]
    pub message_burst: u32,
    /// Secret for signing invite links; random per process when unset.
    #[arg(long, env = "HUDDLE_INVITE_SECRET", hide_env_values = true)]
    pub invite_secret: Option<String>,
    /// Largest try-on video accepted, in bytes.
    #[arg(long, env = "HUDDLE_MAX_POST_BYTES", default_value_t = MAX_POST_BYTES)]
    pub max_post_bytes: u64,
    /// Longest try-on video accepted, in seconds.
    #[arg(long, env = "HUDDLE_MAX_POST_SECONDS", default_value_t = MAX_POST_SECONDS)]
    pub max_post_seconds: f32,
}

/// A parsed `--ice-servers` value. A newtype because clap treats a bare
/// `Vec<_>` as "the flag may repeat".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServers(pub Vec<IceServer>);

impl From<Cli> for Config {
    fn from(cli: Cli) -> Self {
        Self {
            dist_dir: cli.dist_dir,
            data_dir: cli.data_dir,
            tls: cli.tls,
            ice_servers: cli.ice_servers.0,
            invite_ttl: cli.invite_ttl,
            empty_room_grace: cli.empty_room_grace,
            heartbeat_interval: cli.heartbeat_interval,
            heartbeat_timeout: cli.heartbeat_timeout,
            rate_limits: RateLimits {
                ip_failures_per_minute: cli.ip_failures_per_minute,
                room_failures_per_minute: cli.room_failures_per_minute,
                messages_per_second: cli.messages_per_second,
                message_burst: cli.message_burst,
            },
            invite_secret: cli
                .invite_secret
                .filter(|s| !s.is_empty())
                .map(String::into_bytes),
            max_post_bytes: cli.max_post_bytes,
            max_post_seconds: cli.max_post_seconds,
        }
    }
}

/// Parses the JSON list of ICE servers.
pub fn parse_ice_servers(text: &str) -> Result<IceServers, String> {
    let servers: Vec<IceServer> = serde_json::from_str(text)
        .map_err(|e| format!("expected a JSON array of {{\"urls\": [...]}}: {e}"))?;
    if let Some(bad) = servers.iter().find(|s| s.urls.is_empty()) {
        return Err(format!("an ICE server has no urls: {bad:?}"));
    }
    Ok(IceServers(servers))
}

/// Parses durations like `24h`, `90m`, `30s`, `500ms`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 30s, 5m, 24h or 500ms"))?;
    let duration = match unit {
        "" | "s" => Duration::from_secs(value),
        "ms" => Duration::from_millis(value),
        "m" => Duration::from_secs(value.saturating_mul(60)),
        "h" => Duration::from_secs(value.saturating_mul(3600)),
        _ => return Err(format!("`{text}` has an unknown unit (use ms, s, m or h)")),
    };
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn ice_servers_parse_from_json() {
        let parsed =
            parse_ice_servers(r#"[{"urls":["turn:example.org"],"username":"u","credential":"c"}]"#)
                .map(|s| s.0);
        assert_eq!(
            parsed,
            Ok(vec![IceServer {
                urls: vec!["turn:example.org".into()],
                username: Some("u".into()),
                credential: Some("c".into()),
            }])
        );
        assert_eq!(parse_ice_servers("[]").map(|s| s.0), Ok(vec![]));
        assert!(parse_ice_servers("{}").is_err());
        assert!(parse_ice_servers(r#"[{"urls":[]}]"#).is_err());
    }

    #[test]
    fn cli_defaults_match_config_defaults() {
        let cli = Cli::try_parse_from(["huddle-server"]);
        let Ok(cli) = cli else {
            panic!("defaults must parse");
        };
        // PORT may be set in the environment of whoever runs the tests.
        let config = Config::from(cli);
        let default = Config::default();
        assert_eq!(config.invite_ttl, default.invite_ttl);
        assert_eq!(config.empty_room_grace, default.empty_room_grace);
        assert_eq!(config.heartbeat_interval, default.heartbeat_interval);
        assert_eq!(config.heartbeat_timeout, default.heartbeat_timeout);
        assert_eq!(config.rate_limits, default.rate_limits);
        assert_eq!(config.max_post_bytes, default.max_post_bytes);
        assert_eq!(config.max_post_seconds, default.max_post_seconds);
    }
}
