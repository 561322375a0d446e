//! Messages between browsers on the per-pair data channel.

use serde::{Deserialize, Serialize};

use crate::scene::SceneState;
use crate::MemberId;

/// How long one [`PeerMessage::SmilesWanted`] keeps a member tracking faces: two of
/// its one-second repeats may be late before the smiles stop.
pub const SMILES_WANTED_FOR_MS: f64 = 2_500.0;

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
    /// The sender's whole view of the room's picture settings; the receiver
    /// merges it (see [`SceneState::merge`]). Sent on every change and to a
    /// member whose channel just opened.
    Scene {
        // Boxed: the settings dwarf every other message.
        state: Box<SceneState>,
    },
    /// Take a photo: every member sends its full-resolution cut-out for shot
    /// `shot` (binary chunks, see [`crate::chunks`], transfer id = `shot`)
    /// `countdown_s` seconds after this arrives; the shooter counts from sending.
    Shoot {
        shot: u64,
        countdown_s: u8,
    },
    /// The chunks of transfer `transfer` that follow (see [`crate::chunks`])
    /// are a JPEG for the room's custom background, uploaded at Lamport clock
    /// `clock` by `by`. The newest upload by `(clock, by)` wins. Sent to everyone
    /// on upload, and to a member whose channel opens later.
    BackgroundPhoto {
        transfer: u64,
        clock: u64,
        by: MemberId,
    },
    /// The chunks of transfer `transfer` that follow (see [`crate::chunks`])
    /// carry one y-sync payload (Yjs wire format: sync step 1 or 2, or an
    /// update) for the editing document of shot `shot`. Sent on every local
    /// edit, and a sync step 1 for every document to a member whose channel opens.
    EditSync {
        shot: u64,
        transfer: u64,
    },
    /// Asks for shot `shot`'s photo: the sender has its editing document but
    /// not the picture (it joined late or reloaded).
    EditPhotoWanted {
        shot: u64,
    },
    /// The chunks of transfer `transfer` that follow are shot `shot`'s photo
    /// as JPEG, the answer to [`PeerMessage::EditPhotoWanted`].
    EditPhoto {
        shot: u64,
        transfer: u64,
    },
    /// Where the sender is in shot `shot`'s editor, so the others see who edits
    /// what: the pointer (shares of the photo) and the selected element's id.
    /// `open: false` when the sender closed the editor.
    EditPresence {
        shot: u64,
        open: bool,
        cursor: Option<[f32; 2]>,
        selected: Option<String>,
    },
    /// The sender started (`on`) or stopped recording a video of the room.
    /// Every member records its own composed preview meanwhile, so each ends up
    /// with the same video without sending it.
    Recording {
        on: bool,
    },
    /// Where the sender's head is in its own camera frame (fractions of its width
    /// and height, as the video may arrive scaled), sent with
    /// its cut-out frames, for head effects, auto-arrange and the smile shot.
    Head {
        /// Centres of the left and right eye; `None` when no face is seen.
        eyes: Option<[[f32; 2]; 2]>,
        /// 0 (neutral) to 1 (broad smile).
        smile: f32,
    },
    /// The sender's smile shot is watching everyone's smiles: track faces and send
    /// [`PeerMessage::Head`] a few times a second for the next
    /// [`SMILES_WANTED_FOR_MS`]. Sent every second while it watches; without it, a
    /// member whose head nothing in the picture follows tracks no faces at all.
    SmilesWanted,
}
