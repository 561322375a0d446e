//! `huddle-server`: parses the command line, binds, prints the URL, serves.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use huddle_server::{Cli, Config, Server};

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to stderr: stdout carries only the "running at" line that
    // scripts and test harnesses parse.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(log_level())
        .init();
    let cli = Cli::parse();
    let addr = SocketAddr::new(cli.bind, cli.port);
    let config = Config::from(cli);
    match run(addr, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("huddle-server: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(addr: SocketAddr, config: Config) -> Result<(), huddle_server::ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let server = Server::new(listener, config)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "Huddle is running at {}", server.url()?)?;
    stdout.flush()?;
    drop(stdout);
    server.run().await
}

/// `HUDDLE_LOG=debug` (or trace, warn, error) for more or less; info by default.
fn log_level() -> tracing::Level {
    std::env::var("HUDDLE_LOG")
        .ok()
        .and_then(|level| level.parse().ok())
        .unwrap_or(tracing::Level::INFO)
}
