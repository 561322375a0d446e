//! Big binary messages (a member's full-resolution cut-out for a shot) split into
//! data-channel-sized chunks and put back together on the other side.
//!
//! Each chunk is one binary data-channel message:
//! `b"HC1"`, the transfer id (u64 LE), the chunk index and count (u32 LE each),
//! then up to [`CHUNK_PAYLOAD`] bytes. The channel is reliable and ordered, but
//! reassembly does not rely on order, and a transfer is dropped, not grown
//! without bound, when its header lies.

use std::collections::BTreeMap;

/// Payload bytes per chunk: with the header it stays under 16 KiB, the message
/// size every browser's data channel accepts.
pub const CHUNK_PAYLOAD: usize = 16 * 1024 - HEADER_LEN;
const MAGIC: &[u8; 3] = b"HC1";
const HEADER_LEN: usize = 3 + 8 + 4 + 4;
/// Largest transfer accepted: a 4K packed PNG fits with room to spare.
pub const MAX_TRANSFER_BYTES: usize = 48 * 1024 * 1024;
/// Transfers being received at once from one sender (a burst of shots).
const MAX_OPEN_TRANSFERS: usize = 16;

/// Splits `bytes` into chunk messages for transfer `id`.
pub fn split(id: u64, bytes: &[u8]) -> Vec<Vec<u8>> {
    let count = bytes.len().div_ceil(CHUNK_PAYLOAD).max(1);
    (0..count)
        .map(|i| {
            let part = &bytes
                [(i * CHUNK_PAYLOAD).min(bytes.len())..((i + 1) * CHUNK_PAYLOAD).min(bytes.len())];
            let mut msg = Vec::with_capacity(HEADER_LEN + part.len());
            msg.extend_from_slice(MAGIC);
            msg.extend_from_slice(&id.to_le_bytes());
            msg.extend_from_slice(&(i as u32).to_le_bytes());
            msg.extend_from_slice(&(count as u32).to_le_bytes());
            msg.extend_from_slice(part);
            msg
        })
        .collect()
}

/// The transfer a chunk belongs to, without taking it in; `None` for what is not a chunk.
pub fn transfer_id(msg: &[u8]) -> Option<u64> {
    parse(msg).map(|(id, ..)| id)
}

/// What one chunk did to its transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Part of transfer `id`: `have` of `total` chunks are in.
    Progress { id: u64, have: u32, total: u32 },
    /// Transfer `id` is complete.
    Done { id: u64, bytes: Vec<u8> },
    /// Not a chunk, or a chunk that contradicts its transfer: ignored.
    Rejected,
}

#[derive(Debug)]
struct Transfer {
    total: u32,
    parts: BTreeMap<u32, Vec<u8>>,
    bytes: usize,
}

/// Reassembles the transfers of every sender, each on its own.
#[derive(Debug)]
pub struct Reassemblies<K> {
    by_sender: BTreeMap<K, Reassembly>,
}

impl<K> Default for Reassemblies<K> {
    fn default() -> Self {
        Self {
            by_sender: BTreeMap::new(),
        }
    }
}

impl<K: Ord> Reassemblies<K> {
    /// Takes in one chunk from `from`.
    pub fn accept(&mut self, from: K, msg: &[u8]) -> Received {
        self.by_sender.entry(from).or_default().accept(msg)
    }
}

/// Reassembles the transfers of one sender.
#[derive(Debug, Default)]
pub struct Reassembly {
    open: BTreeMap<u64, Transfer>,
}

impl Reassembly {
    pub fn accept(&mut self, msg: &[u8]) -> Received {
        let Some((id, index, total, payload)) = parse(msg) else {
            return Received::Rejected;
        };
        if total == 0 || index >= total || total as usize > MAX_TRANSFER_BYTES / CHUNK_PAYLOAD + 1 {
            return Received::Rejected;
        }
        if !self.open.contains_key(&id) && self.open.len() >= MAX_OPEN_TRANSFERS {
            // The oldest id gives way: a sender that vanished mid-burst leaves no leak.
            if let Some(&oldest) = self.open.keys().next() {
                self.open.remove(&oldest);
            }
        }
        let t = self.open.entry(id).or_insert(Transfer {
            total,
            parts: BTreeMap::new(),
            bytes: 0,
        });
        if t.total != total || t.bytes + payload.len() > MAX_TRANSFER_BYTES {
            self.open.remove(&id);
            return Received::Rejected;
        }
        if t.parts.insert(index, payload.to_vec()).is_none() {
            t.bytes += payload.len();
        }
        if t.parts.len() as u32 == t.total {
            let t = self.open.remove(&id).unwrap_or(Transfer {
                total: 0,
                parts: BTreeMap::new(),
                bytes: 0,
            });
            let mut bytes = Vec::with_capacity(t.bytes);
            for part in t.parts.into_values() {
                bytes.extend_from_slice(&part);
            }
            Received::Done { id, bytes }
        } else {
            Received::Progress {
                id,
                have: t.parts.len() as u32,
                total: t.total,
            }
        }
    }
}

fn parse(msg: &[u8]) -> Option<(u64, u32, u32, &[u8])> {
    if msg.len() < HEADER_LEN || &msg[..3] != MAGIC || msg.len() - HEADER_LEN > CHUNK_PAYLOAD {
        return None;
    }
    let id = u64::from_le_bytes(msg[3..11].try_into().ok()?);
    let index = u32::from_le_bytes(msg[11..15].try_into().ok()?);
    let total = u32::from_le_bytes(msg[15..19].try_into().ok()?);
    Some((id, index, total, &msg[HEADER_LEN..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn chunks_fit_a_data_channel_message_and_come_back_whole() {
        let bytes = data(CHUNK_PAYLOAD * 3 + 17);
        let chunks = split(9, &bytes);
        assert_eq!(chunks.len(), 4);
        assert!(chunks.iter().all(|c| c.len() <= 16 * 1024));
        let mut r = Reassembly::default();
        // Out of order on purpose.
        for c in [&chunks[2], &chunks[0], &chunks[3]] {
            assert!(matches!(
                r.accept(c),
                Received::Progress {
                    id: 9,
                    total: 4,
                    ..
                }
            ));
        }
        assert_eq!(r.accept(&chunks[1]), Received::Done { id: 9, bytes });
    }

    #[test]
    fn two_senders_using_the_same_transfer_id_do_not_mix() {
        let (a, b) = (data(40_000), vec![7u8; 20_000]);
        let (ca, cb) = (split(5, &a), split(5, &b));
        let mut all = Reassemblies::default();
        assert!(matches!(all.accept(1, &ca[0]), Received::Progress { .. }));
        assert!(matches!(all.accept(2, &cb[0]), Received::Progress { .. }));
        assert!(matches!(all.accept(1, &ca[1]), Received::Progress { .. }));
        assert_eq!(all.accept(2, &cb[1]), Received::Done { id: 5, bytes: b });
        assert_eq!(all.accept(1, &ca[2]), Received::Done { id: 5, bytes: a });
    }

    #[test]
    fn a_chunk_names_its_transfer_without_being_taken_in() {
        let chunks = split(0x1234_5678_9abc, &data(100));
        assert_eq!(transfer_id(&chunks[0]), Some(0x1234_5678_9abc));
        assert_eq!(transfer_id(b"HC"), None);
        assert_eq!(transfer_id(b"not a chunk at all, just text"), None);
    }

    #[test]
    fn an_empty_transfer_is_one_chunk() {
        let chunks = split(1, &[]);
        assert_eq!(chunks.len(), 1);
        let mut r = Reassembly::default();
        assert_eq!(
            r.accept(&chunks[0]),
            Received::Done {
                id: 1,
                bytes: Vec::new()
            }
        );
    }

    #[test]
    fn lying_headers_are_rejected() {
        let mut r = Reassembly::default();
        assert_eq!(r.accept(b"nope"), Received::Rejected);
        let mut c = split(5, &data(10)).remove(0);
        c[11..15].copy_from_slice(&7u32.to_le_bytes()); // index 7 of 1
        assert_eq!(r.accept(&c), Received::Rejected);
        let a = split(6, &data(CHUNK_PAYLOAD * 2));
        let b = split(6, &data(CHUNK_PAYLOAD * 3));
        assert!(matches!(r.accept(&a[0]), Received::Progress { .. }));
        // Same id, another count: the transfer is dropped.
        assert_eq!(r.accept(&b[1]), Received::Rejected);
    }

    #[test]
    fn abandoned_transfers_do_not_pile_up() {
        let mut r = Reassembly::default();
        for id in 0..40 {
            r.accept(&split(id, &data(CHUNK_PAYLOAD * 2))[0]);
        }
        assert!(r.open.len() <= MAX_OPEN_TRANSFERS);
    }
}
