//! Huddle's server: serves the built app, relays WebRTC signalling between
//! the members of a room over the `/ws` websocket, and keeps the try-on
//! feed's posts under `/api/` (see `docs/protocol.md`).
//!
//! ```no_run
//! # async fn run() -> Result<(), huddle_server::ServeError> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! huddle_server::serve(listener, huddle_server::Config::default()).await
//! # }
//! ```

pub mod config;
pub mod invite;
mod listen;
pub mod password;
mod posts;
pub mod rate_limit;
pub mod rooms;
mod session;
mod state;
mod static_files;
pub mod tls;
mod ws;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use tokio::net::TcpListener;

pub use config::{Cli, Config, RateLimits};
pub use listen::PeerAddr;
pub use ws::HARD_MESSAGE_CAP;

use state::AppState;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("network error: {0}")]
    Io(#[from] io::Error),
    #[error("TLS setup failed: {0}")]
    Tls(#[from] tls::TlsError),
}

/// A bound, configured server, not yet accepting. Lets `main` print the URL
/// only once everything that can fail (like the TLS certificate) is done.
pub struct Server {
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Server {
    /// Prepares to serve on `listener` (TLS certificate made or loaded here).
    pub fn new(listener: TcpListener, config: Config) -> Result<Self, ServeError> {
        let tls = if config.tls {
            Some(tls::server_config(&config.data_dir)?)
        } else {
            None
        };
        if !config.dist_dir.join("index.html").is_file() {
            tracing::warn!(dist = %config.dist_dir.display(), "no index.html in the dist directory; only /ws will work");
        }
        Ok(Self {
            listener,
            router: router(AppState::new(config)),
            tls,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The address a person opens: `http(s)://IP:PORT/`, with the real port,
    /// and loopback when bound to all interfaces.
    pub fn url(&self) -> io::Result<String> {
        Ok(url_for(self.local_addr()?, self.tls.is_some()))
    }

    /// Serves until the process ends.
    pub async fn run(self) -> Result<(), ServeError> {
        let app = self
            .router
            .into_make_service_with_connect_info::<PeerAddr>();
        match self.tls {
            None => {
                axum::serve(listen::PlainListener(self.listener), app).await?;
            }
            Some(config) => {
                let listener = tls::TlsListener::new(self.listener, config)?;
                axum::serve(listener, app).await?;
            }
        }
        Ok(())
    }
}

/// Serves Huddle on `listener` with `config` until the process ends.
pub async fn serve(listener: TcpListener, config: Config) -> Result<(), ServeError> {
    Server::new(listener, config)?.run().await
}

fn router(state: AppState) -> Router {
    let static_files = static_files::service(&state.config.dist_dir);
    Router::new()
        .route("/ws", axum::routing::get(ws::upgrade))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .merge(posts::routes())
        .fallback_service(static_files)
        .with_state(state)
}

/// The URL for a server bound to `addr`.
pub fn url_for(addr: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("{scheme}://{}/", SocketAddr::new(ip, addr.port()))
}

/// Takes a lock even if a thread panicked while holding it: everything
/// guarded here stays consistent between statements, and one failed
/// connection must not take the whole server down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_shows_real_port_and_loopback_for_any_address() {
        let any: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 4321);
        assert_eq!(url_for(any, false), "http://127.0.0.1:4321/");
        let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
        assert_eq!(url_for(local, true), "https://127.0.0.1:8080/");
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 80);
        assert_eq!(url_for(v6, false), "http://[::1]:80/");
    }
}
