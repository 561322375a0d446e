//! Shared helpers for the server's integration tests: a server on an
//! ephemeral port and a small protocol client.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use huddle_protocol::{
    ClientMessage, Credential, DisplayName, ErrorCode, Invite, Member, MemberId, RoomId, RoomInfo,
    ServerMessage, PROTOCOL_VERSION,
};
use huddle_server::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for any one frame before failing.
pub const WAIT: Duration = Duration::from_secs(5);

/// Starts a server on 127.0.0.1 with an ephemeral port.
pub async fn start(config: Config) -> SocketAddr {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("cannot bind: {e}"),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => panic!("no local address: {e}"),
    };
    tokio::spawn(async move {
        if let Err(e) = huddle_server::serve(listener, config).await {
            panic!("server failed: {e}");
        }
    });
    addr
}

pub fn name(text: &str) -> DisplayName {
    match DisplayName::parse(text) {
        Ok(n) => n,
        Err(e) => panic!("bad test name {text:?}: {e}"),
    }
}

/// What `Joined` carries, unpacked.
#[derive(Debug, Clone)]
pub struct Joined {
    pub room: RoomInfo,
    pub you: MemberId,
    pub members: Vec<Member>,
    pub invite: Invite,
}

impl Joined {
    pub fn id(&self) -> RoomId {
        self.room.id.clone()
    }
}

pub struct Client {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Connects without saying hello.
    pub async fn connect_raw(addr: SocketAddr) -> Self {
        match tokio_tungstenite::connect_async(format!("ws://{addr}/ws")).await {
            Ok((socket, _)) => Self { socket },
            Err(e) => panic!("cannot connect to {addr}: {e}"),
        }
    }

    /// Connects and completes the hello handshake.
    pub async fn connect(addr: SocketAddr) -> Self {
        let mut client = Self::connect_raw(addr).await;
        client
            .send(&ClientMessage::Hello {
                version: PROTOCOL_VERSION,
            })
            .await;
        match client.recv().await {
            ServerMessage::Welcome { version, .. } => assert_eq!(version, PROTOCOL_VERSION),
            other => panic!("expected welcome, got {other:?}"),
        }
        client
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        self.send_frame(Message::text(huddle_protocol::encode(message)))
            .await;
    }

    pub async fn send_frame(&mut self, frame: Message) {
        if let Err(e) = self.socket.send(frame).await {
            panic!("send failed: {e}");
        }
    }

    /// The next protocol message; fails the test after [`WAIT`].
    pub async fn recv(&mut self) -> ServerMessage {
        match self.try_recv(WAIT).await {
            Some(message) => message,
            None => panic!("no message within {WAIT:?}"),
        }
    }

    /// The next protocol message within `wait`, or None if none came (or the
    /// connection closed).
    pub async fn try_recv(&mut self, wait: Duration) -> Option<ServerMessage> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()??;
            match frame {
                Ok(Message::Text(text)) => {
                    return match huddle_protocol::decode(text.as_str()) {
                        Ok(message) => Some(message),
                        Err(e) => panic!("server sent undecodable {text}: {e}"),
                    }
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Whether the server closes the connection within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    pub async fn expect_error(&mut self, code: ErrorCode) -> Option<u32> {
        match self.recv().await {
            ServerMessage::Error {
                code: got,
                retry_after_secs,
                ..
            } => {
                assert_eq!(got, code, "wrong error code");
                retry_after_secs
            }
            other => panic!("expected error {code:?}, got {other:?}"),
        }
    }

    pub async fn expect_joined(&mut self) -> Joined {
        match self.recv().await {
            ServerMessage::Joined {
                room,
                you,
                members,
                invite,
            } => Joined {
                room,
                you,
                members,
                invite,
            },
            other => panic!("expected joined, got {other:?}"),
        }
    }

    pub async fn create(&mut self, who: &str, member_limit: u8, password: Option<&str>) -> Joined {
        self.send(&ClientMessage::CreateRoom {
            name: name(who),
            member_limit,
            password: password.map(str::to_owned),
            featured: false,
        })
        .await;
        self.expect_joined().await
    }

    pub async fn send_join(&mut self, room: &RoomId, who: &str, credential: Option<Credential>) {
        self.send(&ClientMessage::JoinRoom {
            room: room.clone(),
            name: name(who),
            credential,
        })
        .await;
    }

    pub async fn join(
        &mut self,
        room: &RoomId,
        who: &str,
        credential: Option<Credential>,
    ) -> Joined {
        self.send_join(room, who, credential).await;
        self.expect_joined().await
    }

    /// Checks the connection still answers: a featured-list round trip.
    pub async fn assert_alive(&mut self) {
        self.send(&ClientMessage::ListFeatured).await;
        match self.recv().await {
            ServerMessage::Featured { .. } => {}
            other => panic!("expected featured list, got {other:?}"),
        }
    }
}

/// A plain HTTP/1.1 GET; returns the status code, the headers (lowercased
/// names) and the body.
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, String) {
    let mut stream = match TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => panic!("cannot connect: {e}"),
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    if let Err(e) = stream.write_all(request.as_bytes()).await {
        panic!("cannot send request: {e}");
    }
    let mut response = Vec::new();
    if let Err(e) = stream.read_to_end(&mut response).await {
        panic!("cannot read response: {e}");
    }
    parse_response(&response)
}

pub fn parse_response(raw: &[u8]) -> (u16, Vec<(String, String)>, String) {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        panic!("not an HTTP response: {text}");
    };
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}
