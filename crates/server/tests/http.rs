//! Plain HTTP: the app's files, the single-page-app fallback, and HTTPS.

mod common;

use std::sync::Arc;

use common::{http_get, parse_response};
use huddle_server::{Config, Server};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const INDEX: &str = "<!doctype html><title>Huddle</title>";

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let write = |name: &str, body: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(path, body).unwrap_or_else(|e| panic!("write: {e}"));
    };
    write("index.html", INDEX);
    write("app-1234.js", "console.log(1)");
    write("style/app.css", "body{}");
    dir
}

#[tokio::test]
async fn files_and_spa_fallback() {
    let dist = dist();
    let addr = common::start(Config {
        dist_dir: dist.path().to_owned(),
        ..Config::default()
    })
    .await;

    let (status, headers, body) = http_get(addr, "/").await;
    assert_eq!((status, body.as_str()), (200, INDEX));
    assert!(headers.contains(&("content-type".into(), "text/html".into())));

    let (status, headers, body) = http_get(addr, "/app-1234.js").await;
    assert_eq!((status, body.as_str()), (200, "console.log(1)"));
    assert!(headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.contains("javascript")));
    assert!(headers.contains(&("cache-control".into(), "no-cache".into())));

    let (status, _, body) = http_get(addr, "/style/app.css").await;
    assert_eq!((status, body.as_str()), (200, "body{}"));

    // App routes are not files: they get index.html.
    for route in [
        "/new",
        "/room/12345678",
        "/room/12345678?invite=abc-_DEF",
        "/a/b/c/",
    ] {
        let (status, headers, body) = http_get(addr, route).await;
        assert_eq!((status, body.as_str()), (200, INDEX), "route {route}");
        assert!(headers.contains(&("cache-control".into(), "no-cache".into())));
    }
    // Missing files stay missing.
    for missing in ["/missing.js", "/style/gone.css", "/favicon.ico"] {
        let (status, _, _) = http_get(addr, missing).await;
        assert_eq!(status, 404, "path {missing}");
    }
    // No escaping the dist directory.
    let (status, _, body) = http_get(addr, "/../Cargo.toml").await;
    assert!(
        status == 404 || status == 400 || body == INDEX,
        "status {status}"
    );

    let (status, _, body) = http_get(addr, "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

#[tokio::test]
async fn printed_url_has_the_real_port() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let server = Server::new(listener, Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(server.url().ok(), Some(format!("http://127.0.0.1:{port}/")));
}

#[tokio::test]
async fn tls_serves_https_with_a_stored_self_signed_certificate() {
    let dist = dist();
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let config = Config {
        dist_dir: dist.path().to_owned(),
        data_dir: data.path().to_owned(),
        tls: true,
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let server = Server::new(listener, config.clone()).unwrap_or_else(|e| panic!("{e}"));
    let url = server.url().unwrap_or_else(|e| panic!("{e}"));
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let addr = server.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(server.run());

    // Trust exactly the certificate the server stored, as a browser would
    // after the person accepts it.
    let cert_path = data.path().join("tls").join("cert.pem");
    let cert_pem = std::fs::read(&cert_path).unwrap_or_else(|e| panic!("no certificate: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&cert_pem) {
        let cert = cert.unwrap_or_else(|e| panic!("bad pem: {e}"));
        roots.add(cert).unwrap_or_else(|e| panic!("bad cert: {e}"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("{e}"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));

    for name in ["localhost", "127.0.0.1"] {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        let server_name = ServerName::try_from(name.to_owned()).unwrap_or_else(|e| panic!("{e}"));
        let mut tls = connector
            .connect(server_name, tcp)
            .await
            .unwrap_or_else(|e| panic!("TLS handshake as {name}: {e}"));
        tls.write_all(
            b"GET /room/12345678 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
        let mut response = Vec::new();
        // A peer closing without close_notify is fine for this check.
        let _ = tls.read_to_end(&mut response).await;
        let (status, _, body) = parse_response(&response);
        assert_eq!((status, body.as_str()), (200, INDEX));
    }

    // A second start reuses the stored certificate.
    let before = std::fs::read(&cert_path).ok();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let _again = Server::new(listener, config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read(&cert_path).ok(), before);
}

#[tokio::test]
async fn binary_prints_one_line_with_the_real_url() {
    use std::io::BufRead;
    let dist = dist();
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_huddle-server"))
        .env("PORT", "0")
        .env("HUDDLE_LOG", "warn")
        .arg("--dist")
        .arg(dist.path())
        .arg("--data-dir")
        .arg(data.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the server binary: {e}"));
    let stdout = child.stdout.take();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        if let Some(stdout) = stdout {
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        }
        line
    })
    .await
    .unwrap_or_default();
    let url = line
        .trim_end()
        .strip_prefix("Huddle is running at http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse::<u16>().ok());
    let result = match url {
        Some(port) if port != 0 => {
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            Ok(http_get(addr, "/new").await)
        }
        _ => Err(line.clone()),
    };
    let _ = child.kill();
    let _ = child.wait();
    match result {
        Ok((status, _, body)) => assert_eq!((status, body.as_str()), (200, INDEX)),
        Err(line) => panic!("unexpected first line: {line:?}"),
    }
}
