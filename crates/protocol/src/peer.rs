//! Messages between browsers on the per-pair data channel.

use serde::{Deserialize, Serialize};

/// Browser ↔ browser, on the reliable ordered data channel of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PeerMessage {
    /// Round-trip probe; the other side answers with [`PeerMessage::Pong`] carrying `seq`.
    Ping {
        seq: u32,
    },
    Pong {
        seq: u32,
    },
    /// The sender's camera state changed, so the others can say why a tile is empty.
    CameraState {
        available: bool,
    },
}
