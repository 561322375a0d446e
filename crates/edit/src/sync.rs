//! The sync messages: the Yjs y-protocols format (`Message::encode_v1`) plus one message of
//! ours, the *causal update*.
//!
//! Links are symmetric: each side sends `sync_start` (SyncStep1 with its state vector) when a
//! link opens, and answers the other's SyncStep1 with what that peer lacks. Local edits go out
//! to every peer. Applied peer updates carry the [`REMOTE`](crate::undo::REMOTE) origin and are
//! not re-broadcast: in a full mesh the author has already sent them to everyone, and the sync
//! steps on (re)connect heal any gap.
//!
//! # Why updates carry their dependencies
//! Messages from different authors arrive in any order (Bob's move of Ann's sticker can beat
//! Ann's sticker to Cleo). yrs keeps such an update as "pending" until its predecessors come,
//! but in yrs 0.28 that path loses data: after pending updates and delete sets meet overlapping
//! (merged or duplicated) updates, replicas can stay different forever even after a full sync
//! (a property test found crops and stroke colours that never converged). So no update is ever
//! handed to yrs before everything it builds on is in the document: every update we send is a
//! [`MSG_CAUSAL_UPDATE`] holding the state vector it depends on, and the receiver holds it
//! ([`Held`]) until its own state vector covers that, asking the sender for a sync in the
//! meantime. yrs's pending machinery then never runs.

use yrs::encoding::read::{Cursor, Error as ReadError, Read};
use yrs::encoding::write::Write;
use yrs::sync::protocol::{
    MSG_AUTH, MSG_AWARENESS, MSG_QUERY_AWARENESS, MSG_SYNC, MSG_SYNC_STEP_1, MSG_SYNC_STEP_2,
    MSG_SYNC_UPDATE,
};
use yrs::sync::{AwarenessUpdate, Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::{Encode, Encoder, EncoderV1};
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::doc::EditDoc;
use crate::error::EditError;
use crate::limits::MAX_PAYLOAD_BYTES;
use crate::undo::REMOTE;

/// `PERMISSION_DENIED` of y-protocols' auth message (not exported by yrs).
const AUTH_DENIED: u8 = 0;

/// Our message tag (y-protocols uses 0..=3): `[tag, buf(state vector v1), buf(update v1)]`,
/// an update that may be applied once the receiver's state vector covers the given one.
pub const MSG_CAUSAL_UPDATE: u8 = 100;

/// Most peer updates held back at once; beyond it the oldest are dropped (the sync steps the
/// receiver asks for bring their content again).
const MAX_HELD: usize = 512;

/// What a payload asks of the document, fully decoded before anything is applied.
enum Incoming {
    Step1(StateVector),
    /// A plain y-protocols SyncStep2 or Update: applied as it comes (other Yjs clients).
    Update(Update),
    Causal(HeldUpdate),
}

/// A peer update waiting for its dependencies.
pub(crate) struct HeldUpdate {
    deps: StateVector,
    update: Update,
}

/// Peer updates not yet applied, oldest first.
#[derive(Default)]
pub(crate) struct Held(Vec<HeldUpdate>);

/// Whether `have` covers every clock in `need`.
fn covers(have: &StateVector, need: &StateVector) -> bool {
    need.iter()
        .all(|(client, clock)| have.get(client) >= *clock)
}

fn causal_message(deps: &StateVector, update: &[u8]) -> Vec<u8> {
    let mut enc = EncoderV1::new();
    enc.write_var(MSG_CAUSAL_UPDATE);
    enc.write_buf(deps.encode_v1());
    enc.write_buf(update);
    enc.to_vec()
}

/// Decodes every message in `payload`. Unlike yrs's `MessageReader`, a payload that ends in the
/// middle of a message is an error rather than a silent stop. Awareness, auth and
/// query-awareness messages are well-formed y-protocols traffic that this document does not
/// use: they are checked and skipped. Any other tag is an error.
fn decode(payload: &[u8]) -> Result<Vec<Incoming>, EditError> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(EditError::PayloadTooLarge {
            len: payload.len(),
            max: MAX_PAYLOAD_BYTES,
        });
    }
    let mut cur = Cursor::new(payload);
    let mut out = Vec::new();
    if !cur.has_content() {
        return Err(ReadError::EndOfBuffer(1).into());
    }
    while cur.has_content() {
        let tag: u8 = cur.read_var()?;
        match tag {
            MSG_SYNC => {
                let sub: u8 = cur.read_var()?;
                let buf = cur.read_buf()?;
                out.push(match sub {
                    MSG_SYNC_STEP_1 => Incoming::Step1(StateVector::decode_v1(buf)?),
                    MSG_SYNC_STEP_2 | MSG_SYNC_UPDATE => Incoming::Update(Update::decode_v1(buf)?),
                    _ => return Err(ReadError::UnexpectedValue.into()),
                });
            }
            MSG_CAUSAL_UPDATE => {
                let deps = StateVector::decode_v1(cur.read_buf()?)?;
                let update = Update::decode_v1(cur.read_buf()?)?;
                out.push(Incoming::Causal(HeldUpdate { deps, update }));
            }
            MSG_AWARENESS => {
                AwarenessUpdate::decode_v1(cur.read_buf()?)?;
            }
            MSG_AUTH => {
                if cur.read_var::<u8>()? == AUTH_DENIED {
                    cur.read_string()?;
                }
            }
            MSG_QUERY_AWARENESS => {}
            _ => return Err(ReadError::UnexpectedValue.into()),
        }
    }
    Ok(out)
}

impl EditDoc {
    /// SyncStep1 with my state vector: send it when a link to a peer opens (and, optionally,
    /// now and then to heal gaps).
    pub fn sync_start(&self) -> Vec<u8> {
        let sv = self.doc.transact().state_vector();
        Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1()
    }

    /// Handles one payload from a peer (may hold several messages) and returns the replies to
    /// send back to that peer: what it lacks for each SyncStep1, and a SyncStep1 of mine when
    /// one of its updates has to wait for something I do not have yet. The whole payload is
    /// decoded before anything is applied, so a malformed payload changes nothing. Applied
    /// remote changes never come back out of [`EditDoc::take_outgoing`].
    pub fn handle_sync(&mut self, payload: &[u8]) -> Result<Vec<Vec<u8>>, EditError> {
        let mut replies = Vec::new();
        let mut asked = false;
        for msg in decode(payload)? {
            match msg {
                Incoming::Step1(sv) => {
                    // Everything the peer lacks, which depends only on what it has (`sv`), and
                    // my document never holds half-integrated updates, so it applies at once.
                    let diff = self.doc.transact().encode_state_as_update_v1(&sv);
                    replies.push(causal_message(&sv, &diff));
                }
                Incoming::Update(update) => {
                    self.doc.transact_mut_with(REMOTE).apply_update(update)?;
                    self.apply_ready()?;
                }
                Incoming::Causal(held) => {
                    let ready = covers(&self.doc.transact().state_vector(), &held.deps);
                    if ready {
                        self.doc
                            .transact_mut_with(REMOTE)
                            .apply_update(held.update)?;
                        self.apply_ready()?;
                    } else {
                        if self.held.0.len() >= MAX_HELD {
                            self.held.0.remove(0);
                        }
                        self.held.0.push(held);
                        if !asked {
                            // The sender has everything its update builds on: its answer fills
                            // my gap even if the authors of the missing parts are gone.
                            replies.push(self.sync_start());
                            asked = true;
                        }
                    }
                }
            }
        }
        Ok(replies)
    }

    /// Applies held updates whose dependencies are now met, until none is.
    fn apply_ready(&mut self) -> Result<(), EditError> {
        loop {
            let sv = self.doc.transact().state_vector();
            let Some(i) = self.held.0.iter().position(|h| covers(&sv, &h.deps)) else {
                return Ok(());
            };
            let held = self.held.0.remove(i);
            self.doc
                .transact_mut_with(REMOTE)
                .apply_update(held.update)?;
        }
    }

    /// How many peer updates are waiting for their predecessors.
    pub fn held_updates(&self) -> usize {
        self.held.0.len()
    }

    /// The message for my changes (edits, undo, redo) since the last call, to broadcast to
    /// every peer: all pending local updates merged into one causal update. Its dependencies
    /// are my whole state vector with my own clock where this batch starts. That may name
    /// more than the batch really builds on (peer changes that came in meanwhile), which only
    /// makes a receiver wait for, or ask for, those changes first.
    pub fn take_outgoing(&mut self) -> Vec<Vec<u8>> {
        let updates = std::mem::take(&mut *self.outbox());
        let update = match updates.len() {
            0 => return Vec::new(),
            1 => updates.into_iter().next().unwrap_or_default(),
            // Cannot fail for updates this doc produced.
            _ => match yrs::merge_updates_v1(&updates) {
                Ok(merged) => merged,
                Err(_) => return self.resend_everything(),
            },
        };
        let mut deps = self.doc.transact().state_vector();
        let now = deps.get(&self.doc.client_id());
        deps.set_min(self.doc.client_id(), self.sent_clock);
        self.sent_clock = now;
        vec![causal_message(&deps, &update)]
    }

    /// My whole document, depending on nothing: the fallback when the batch cannot be merged.
    fn resend_everything(&mut self) -> Vec<Vec<u8>> {
        let empty = StateVector::default();
        let txn = self.doc.transact();
        self.sent_clock = txn.state_vector().get(&self.doc.client_id());
        vec![causal_message(
            &empty,
            &txn.encode_state_as_update_v1(&empty),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_and_unknown_messages_are_errors() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[MSG_SYNC]).is_err());
        assert!(decode(&[MSG_SYNC, MSG_SYNC_UPDATE, 5, 1, 2]).is_err());
        assert!(decode(&[MSG_SYNC, 9, 0]).is_err());
        assert!(decode(&[42, 0]).is_err());
        assert!(matches!(decode(&[MSG_QUERY_AWARENESS]).as_deref(), Ok([])));
    }
}
