//! `huddle-loadgen`: opens many signalling members against a Huddle server and
//! measures how long joining takes.
//!
//! Members come in rooms of 4: the first creates the room, the other three
//! join it. Each member's latency is from sending `CreateRoom`/`JoinRoom` to
//! receiving `Joined`. All members stay connected (answering pings) until
//! every room is full, so the server's memory can be read at that point; the
//! line `all N members joined` is printed then.

use std::io::Write;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use huddle_protocol::{ClientMessage, Credential, DisplayName, ServerMessage, PROTOCOL_VERSION};
use tokio::net::TcpStream;
use tokio::sync::{watch, Semaphore};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Signalling load generator for huddle-server.
#[derive(Debug, Parser)]
struct Args {
    /// The server's websocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
    url: String,
    /// How many members to connect (rounded up to whole rooms).
    #[arg(long, short, default_value_t = 10_000)]
    members: usize,
    /// Members per room.
    #[arg(long, default_value_t = 4)]
    room_size: u8,
    /// Members connecting and joining at the same time.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds to keep everyone connected after the last join.
    #[arg(long, default_value_t = 2)]
    hold_secs: u64,
    /// Give up on one step after this many seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
}

#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("websocket: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("server refused: {0:?}")]
    Refused(ServerMessage),
    #[error("the server closed the connection")]
    Closed,
    #[error("timed out")]
    Timeout,
    #[error("bad name: {0}")]
    Name(#[from] huddle_protocol::ProtocolError),
}

/// One connected member.
struct Seated {
    socket: Socket,
    latency: Duration,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("huddle-loadgen: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), LoadError> {
    let room_size = usize::from(args.room_size.max(1));
    let rooms = args.members.div_ceil(room_size);
    let members = rooms * room_size;
    let limit = Semaphore::new(args.concurrency.max(1));
    let limit = std::sync::Arc::new(limit);
    let (stop_tx, stop_rx) = watch::channel(false);
    let timeout = Duration::from_secs(args.timeout_secs);
    let started = Instant::now();

    let mut tasks = tokio::task::JoinSet::new();
    for room in 0..rooms {
        let url = args.url.clone();
        let limit = limit.clone();
        let stop = stop_rx.clone();
        let room_size = args.room_size;
        tasks.spawn(async move { fill_room(&url, room, room_size, &limit, stop, timeout).await });
    }

    let mut latencies = Vec::with_capacity(members);
    let mut holders = tokio::task::JoinSet::new();
    let mut failures = 0usize;
    while let Some(result) = tasks.join_next().await {
        match result {
            Ok(Ok(room)) => {
                for (latency, holder) in room {
                    latencies.push(latency);
                    holders.spawn(holder);
                }
            }
            Ok(Err(error)) => {
                failures += 1;
                if failures <= 5 {
                    eprintln!("a room failed: {error}");
                }
            }
            Err(error) => {
                failures += 1;
                eprintln!("a room task failed: {error}");
            }
        }
    }
    let total = started.elapsed();
    println!("all {} members joined", latencies.len());
    let _ = std::io::stdout().flush();

    report(&latencies, members, failures, total);
    tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
    let _ = stop_tx.send(true);
    while holders.join_next().await.is_some() {}
    if failures > 0 {
        return Err(LoadError::Closed);
    }
    Ok(())
}

type Holder = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Connects one room's members: the first creates it, the rest join.
/// Returns each member's latency and a future that keeps the socket alive.
async fn fill_room(
    url: &str,
    room: usize,
    room_size: u8,
    limit: &Semaphore,
    stop: watch::Receiver<bool>,
    timeout: Duration,
) -> Result<Vec<(Duration, Holder)>, LoadError> {
    let mut seated = Vec::with_capacity(usize::from(room_size));
    let (creator, room_id) = {
        let _permit = limit.acquire().await.map_err(|_| LoadError::Closed)?;
        let name = DisplayName::parse(&format!("host {room}"))?;
        let create = ClientMessage::CreateRoom {
            name,
            member_limit: room_size.max(2),
            password: None,
            featured: false,
        };
        let (member, joined) = member(url, create, timeout).await?;
        let ServerMessage::Joined { room, .. } = joined else {
            return Err(LoadError::Refused(joined));
        };
        (member, room.id)
    };
    seated.push(creator);
    for guest in 1..room_size {
        let _permit = limit.acquire().await.map_err(|_| LoadError::Closed)?;
        let join = ClientMessage::JoinRoom {
            room: room_id.clone(),
            name: DisplayName::parse(&format!("guest {room}.{guest}"))?,
            credential: None::<Credential>,
        };
        let (member, _) = member(url, join, timeout).await?;
        seated.push(member);
    }
    Ok(seated
        .into_iter()
        .map(|s| (s.latency, hold(s.socket, stop.clone())))
        .collect())
}

/// Connects, says hello, sends `request` and waits for `Joined`.
async fn member(
    url: &str,
    request: ClientMessage,
    timeout: Duration,
) -> Result<(Seated, ServerMessage), LoadError> {
    // Small buffers: thousands of sockets live in this one process too.
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let connect = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (mut socket, _) = tokio::time::timeout(timeout, connect)
        .await
        .map_err(|_| LoadError::Timeout)??;
    send(
        &mut socket,
        &ClientMessage::Hello {
            version: PROTOCOL_VERSION,
        },
    )
    .await?;
    match next(&mut socket, timeout).await? {
        ServerMessage::Welcome { .. } => {}
        other => return Err(LoadError::Refused(other)),
    }
    let sent = Instant::now();
    send(&mut socket, &request).await?;
    loop {
        match next(&mut socket, timeout).await? {
            joined @ ServerMessage::Joined { .. } => {
                let latency = sent.elapsed();
                return Ok((Seated { socket, latency }, joined));
            }
            error @ ServerMessage::Error { .. } => return Err(LoadError::Refused(error)),
            _ => {}
        }
    }
}

/// Keeps reading (so pings are answered) until told to stop, then closes.
fn hold(mut socket: Socket, mut stop: watch::Receiver<bool>) -> Holder {
    Box::pin(async move {
        loop {
            tokio::select! {
                frame = socket.next() => if !matches!(frame, Some(Ok(_))) { return },
                _ = stop.changed() => break,
            }
        }
        let _ = socket.close(None).await;
    })
}

async fn send(socket: &mut Socket, message: &ClientMessage) -> Result<(), LoadError> {
    socket
        .send(Message::text(huddle_protocol::encode(message)))
        .await
        .map_err(LoadError::from)
}

/// The next protocol message, skipping pings and the like.
async fn next(socket: &mut Socket, timeout: Duration) -> Result<ServerMessage, LoadError> {
    loop {
        let frame = tokio::time::timeout(timeout, socket.next())
            .await
            .map_err(|_| LoadError::Timeout)?;
        match frame {
            Some(Ok(Message::Text(text))) => {
                if let Ok(message) = huddle_protocol::decode::<ServerMessage>(text.as_str()) {
                    return Ok(message);
                }
            }
            Some(Ok(Message::Close(_))) | None => return Err(LoadError::Closed),
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error.into()),
        }
    }
}

fn report(latencies: &[Duration], wanted: usize, failures: usize, total: Duration) {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let at = |q: f64| -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "members: {} of {wanted} joined, {failures} rooms failed",
        sorted.len()
    );
    println!(
        "join latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(sorted.last().copied().unwrap_or_default())
    );
    println!(
        "total: {:.2} s ({:.0} joins/s)",
        total.as_secs_f64(),
        sorted.len() as f64 / total.as_secs_f64().max(f64::MIN_POSITIVE)
    );
}
