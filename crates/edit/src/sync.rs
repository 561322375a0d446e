//! The y-sync wire messages (the Yjs y-protocols format, `Message::encode_v1`).
//!
//! Links are symmetric: each side sends `sync_start` (SyncStep1 with its state vector) when a
//! link opens and answers the other's SyncStep1 with a SyncStep2 holding what it lacks. Local
//! edits go out as `Update` messages to every peer. Applied peer updates carry the
//! [`REMOTE`](crate::undo::REMOTE) origin and are not re-broadcast: in a full mesh the author
//! has already sent them to everyone, and the sync steps on (re)connect heal any gap.

use yrs::encoding::read::{Cursor, Error as ReadError, Read};
use yrs::sync::protocol::{
    MSG_AUTH, MSG_AWARENESS, MSG_QUERY_AWARENESS, MSG_SYNC, MSG_SYNC_STEP_1, MSG_SYNC_STEP_2,
    MSG_SYNC_UPDATE,
};
use yrs::sync::{AwarenessUpdate, Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::doc::EditDoc;
use crate::error::EditError;
use crate::limits::MAX_PAYLOAD_BYTES;
use crate::undo::REMOTE;

/// `PERMISSION_DENIED` of y-protocols' auth message (not exported by yrs).
const AUTH_DENIED: u8 = 0;

/// What a payload asks of the document, fully decoded before anything is applied.
enum Incoming {
    Step1(StateVector),
    Update(Update),
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
    /// send back to that peer (a SyncStep2 for each SyncStep1). The whole payload is decoded
    /// before anything is applied, so a malformed payload changes nothing. Applied remote
    /// changes never come back out of [`EditDoc::take_outgoing`].
    ///
    /// Updates whose predecessors have not arrived yet are kept by yrs as pending and integrated
    /// once the gap is filled (by a later update or the next sync steps).
    pub fn handle_sync(&mut self, payload: &[u8]) -> Result<Vec<Vec<u8>>, EditError> {
        let mut replies = Vec::new();
        for msg in decode(payload)? {
            match msg {
                Incoming::Step1(sv) => {
                    // Includes pending updates, so a gap on my side does not stall the peer.
                    let diff = self.doc.transact().encode_state_as_update_v1(&sv);
                    replies.push(Message::Sync(SyncMessage::SyncStep2(diff)).encode_v1());
                }
                Incoming::Update(update) => {
                    self.doc.transact_mut_with(REMOTE).apply_update(update)?;
                }
            }
        }
        Ok(replies)
    }

    /// Update messages for my changes (edits, undo, redo) since the last call, to broadcast to
    /// every peer. Several pending updates are merged into one message.
    pub fn take_outgoing(&mut self) -> Vec<Vec<u8>> {
        let updates = std::mem::take(&mut *self.outbox());
        let updates = match updates.len() {
            0 | 1 => updates,
            _ => match yrs::merge_updates_v1(&updates) {
                Ok(merged) => vec![merged],
                // Cannot happen for updates this doc produced; sending them singly is still right.
                Err(_) => updates,
            },
        };
        updates
            .into_iter()
            .map(|u| Message::Sync(SyncMessage::Update(u)).encode_v1())
            .collect()
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
