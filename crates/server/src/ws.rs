//! The `/ws` endpoint: frames in and out of one websocket, heartbeats, size
//! and flood limits. What the messages mean is `session.rs`'s job.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use huddle_protocol::{ErrorCode, ServerMessage, MAX_MESSAGE_BYTES};

use crate::listen::PeerAddr;
use crate::rate_limit::TokenBucket;
use crate::rooms::Outbox;
use crate::session::{Reply, Session};
use crate::state::AppState;

/// Frames up to this size are read so they can be answered with
/// `message_too_large`; beyond it the websocket library closes the connection.
pub const HARD_MESSAGE_CAP: usize = 4 * MAX_MESSAGE_BYTES;

/// Socket buffers start small: most frames are a few hundred bytes, and ten
/// thousand idle members should not cost a gigabyte of 128 KiB defaults.
const READ_BUFFER_BYTES: usize = 4 * 1024;

const MIN_HEARTBEAT_INTERVAL: Duration = Duration::from_millis(10);

/// Upgrades `GET /ws` to a websocket.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<PeerAddr>,
) -> Response {
    ws.max_message_size(HARD_MESSAGE_CAP)
        .max_frame_size(HARD_MESSAGE_CAP)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| run(socket, state, peer.ip()))
}

/// Why the loop stopped reading (for the log).
#[derive(Debug, thiserror::Error)]
enum Closed {
    #[error("the client closed the connection")]
    ByClient,
    #[error("the socket failed: {0}")]
    Socket(#[from] axum::Error),
    #[error("no frame for longer than the heartbeat timeout")]
    Silent,
    #[error("the client does not read its frames")]
    Lagging,
    #[error("the client floods the server")]
    Flooding,
    #[error("the client never said hello")]
    NoHello,
    #[error("the client speaks another protocol version")]
    WrongVersion,
}

/// Serves one websocket until it closes; the member then leaves its room.
async fn run(mut socket: WebSocket, state: AppState, ip: IpAddr) {
    let (outbox, mut inbox) = Outbox::new();
    let mut session = Session::new(state.clone(), ip, outbox);
    let mut connection = Connection::new(&state);
    // A zero period would make `interval` panic; nobody needs pings faster than this.
    let period = state.config.heartbeat_interval.max(MIN_HEARTBEAT_INTERVAL);
    let mut heartbeat = tokio::time::interval(period);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let closed: Closed = loop {
        let step = tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(message)) => connection.receive(&mut socket, &mut session, message).await,
                Some(Err(error)) => Err(error.into()),
                None => Err(Closed::ByClient),
            },
            frame = inbox.frames.recv() => match frame {
                Some(frame) => socket.send(Message::text(&*frame)).await.map_err(Closed::from),
                // The session holds a sender, so the queue never ends first.
                None => Err(Closed::ByClient),
            },
            () = inbox.kick.notified() => Err(Closed::Lagging),
            _ = heartbeat.tick() => {
                let timeout = state.config.heartbeat_timeout;
                if connection.last_heard.elapsed() > timeout {
                    Err(Closed::Silent)
                } else if !session.greeted() && connection.opened.elapsed() > timeout {
                    // Answering pings is not enough to hold a socket open.
                    Err(Closed::NoHello)
                } else {
                    socket.send(Message::Ping(Bytes::new())).await.map_err(Closed::from)
                }
            }
        };
        if let Err(closed) = step {
            break closed;
        }
    };
    tracing::debug!(%ip, reason = %closed, "websocket closed");
    session.leave();
    // Best effort: the peer may already be gone.
    let _ = socket.send(Message::Close(None)).await;
}

/// Per-socket bookkeeping that is not protocol state.
struct Connection {
    opened: Instant,
    last_heard: Instant,
    flood: TokenBucket,
    /// Messages refused in a row for flooding; past the burst size the client
    /// is not slowing down and is disconnected.
    refused_in_a_row: u32,
    burst: u32,
}

impl Connection {
    fn new(state: &AppState) -> Self {
        let limits = state.config.rate_limits;
        Self {
            opened: Instant::now(),
            last_heard: Instant::now(),
            flood: TokenBucket::per_second(
                limits.messages_per_second,
                limits.message_burst,
                Instant::now(),
            ),
            refused_in_a_row: 0,
            burst: limits.message_burst,
        }
    }

    async fn receive(
        &mut self,
        socket: &mut WebSocket,
        session: &mut Session,
        message: Message,
    ) -> Result<(), Closed> {
        // Any frame, pongs included, shows the client is alive.
        self.last_heard = Instant::now();
        let (text, size) = match message {
            Message::Text(text) => {
                let size = text.len();
                (Some(text), size)
            }
            Message::Binary(bytes) => (None, bytes.len()),
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
            Message::Close(_) => return Err(Closed::ByClient),
        };
        if let Err(retry) = self.flood.take(Instant::now()) {
            self.refused_in_a_row += 1;
            if self.refused_in_a_row > self.burst {
                return Err(Closed::Flooding);
            }
            let error = ServerMessage::error(ErrorCode::TooManyAttempts, Some(retry.secs()));
            return send(socket, &error).await;
        }
        self.refused_in_a_row = 0;
        let reply = match text {
            _ if size > MAX_MESSAGE_BYTES => ErrorCode::MessageTooLarge.into(),
            None => ErrorCode::MalformedMessage.into(),
            Some(text) => session.handle_text(text.as_str()).await,
        };
        match reply {
            Reply::Nothing => Ok(()),
            Reply::Send(message) => send(socket, &message).await,
            Reply::SendAndClose(message) => {
                send(socket, &message).await?;
                Err(Closed::WrongVersion)
            }
        }
    }
}

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> Result<(), Closed> {
    socket
        .send(Message::text(huddle_protocol::encode(message)))
        .await
        .map_err(Closed::from)
}
