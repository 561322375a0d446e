//! `--tls`: HTTPS with a self-signed certificate, made on first run and kept in
//! the data directory so browsers that accepted it once keep accepting it.
//! Browsers only give pages camera access on https or localhost, so this is
//! how a Huddle reached over a LAN address works at all.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A handshake slower than this is abandoned, so silent sockets cannot pile up.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Finished handshakes waiting for the HTTP server to pick them up.
const READY_QUEUE: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot use {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot read the PEM in {path}: {source}")]
    Pem {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("{0} holds no certificate")]
    NoCertificate(PathBuf),
    #[error("the certificate or key is not usable: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where the certificate and its key live under the data directory.
#[derive(Debug, Clone)]
pub struct CertPaths {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertPaths {
    pub fn in_dir(data_dir: &Path) -> Self {
        let dir = data_dir.join("tls");
        Self {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

/// Names the certificate is valid for: the ways a person opens a local server.
fn subject_alt_names() -> Vec<String> {
    vec!["localhost".into(), "127.0.0.1".into(), "::1".into()]
}

/// Loads the certificate from `data_dir`, generating and storing one first if
/// there is none. Returns the paths and whether a new one was made.
pub fn ensure_certificate(data_dir: &Path) -> Result<(CertPaths, bool), TlsError> {
    let paths = CertPaths::in_dir(data_dir);
    if paths.cert.is_file() && paths.key.is_file() {
        return Ok((paths, false));
    }
    let certified = rcgen::generate_simple_self_signed(subject_alt_names())?;
    let dir = paths.cert.parent().unwrap_or(data_dir);
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Io {
        path: dir.to_owned(),
        source,
    })?;
    write_private(&paths.key, certified.key_pair.serialize_pem().as_bytes())?;
    std::fs::write(&paths.cert, certified.cert.pem()).map_err(|source| TlsError::Io {
        path: paths.cert.clone(),
        source,
    })?;
    Ok((paths, true))
}

/// Writes the private key readable by its owner only.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), TlsError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(contents))
        .map_err(|source| TlsError::Io {
            path: path.to_owned(),
            source,
        })
}

/// A rustls server configuration for the certificate in `data_dir`, made if needed.
pub fn server_config(data_dir: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let (paths, _) = ensure_certificate(data_dir)?;
    let certs = CertificateDer::pem_file_iter(&paths.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|source| TlsError::Pem {
            path: paths.cert.clone(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(paths.cert));
    }
    let key = PrivateKeyDer::from_pem_file(&paths.key).map_err(|source| TlsError::Pem {
        path: paths.key.clone(),
        source,
    })?;
    // ring rather than aws-lc-rs: it builds without cmake or a C toolchain download.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A listener that hands the HTTP server finished TLS streams. Handshakes run
/// in their own tasks, so one slow client never holds up the others.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(accept_loop(listener, acceptor, tx));
        Ok(Self { ready, local_addr })
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, addr) = crate::listen::accept(&listener).await;
        if ready.is_closed() {
            return;
        }
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = ready.send((tls, addr)).await;
                }
                Ok(Err(error)) => tracing::debug!(%addr, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_is_made_once_then_reused() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("need a temp dir");
        };
        let first = ensure_certificate(dir.path());
        let Ok((paths, created)) = first else {
            panic!("generating a certificate failed: {first:?}");
        };
        assert!(created);
        let before = std::fs::read(&paths.cert).ok();
        let Ok((_, created_again)) = ensure_certificate(dir.path()) else {
            panic!("loading the certificate failed");
        };
        assert!(!created_again);
        assert_eq!(std::fs::read(&paths.cert).ok(), before);
        assert!(server_config(dir.path()).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.key).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
    }
}
