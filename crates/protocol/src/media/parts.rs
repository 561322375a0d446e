//! A `media` message cut into parts small enough to leave at once, and put back
//! together on the other side.
//!
//! Chrome's SCTP (dcSCTP) sends at most four packets (about 1,160 bytes of data
//! each) for every message handed to it; what is left waits until the receiver's
//! acknowledgement comes back. On an idle machine that round trip is a millisecond,
//! but with four busy browsers on two cores it took 40–100 ms, and every live frame
//! of more than four packets waited for it (camera → encoder out → received: 65–110
//! ms with 4 members, against 1–4 ms with 2). Cut into parts of at most four
//! packets, each handed over on its own, a frame leaves in one go.
//!
//! A part is `b'P'`, its index and the count of parts (u8 each), then its slice of
//! the whole message. The channel is reliable and ordered, so parts come in order;
//! one that does not follow the part before it ends the message being put together.

use super::MediaError;

const PART: u8 = b'P';
const PART_HEADER_LEN: usize = 3;
/// The most bytes of one part, header included: four packets' worth of data
/// (1,191-byte packets less their 28 bytes of SCTP headers), with room for a SACK
/// bundled into the first packet.
pub const MAX_PART_LEN: usize = 4 * 1_163 - 64;
const PART_DATA_LEN: usize = MAX_PART_LEN - PART_HEADER_LEN;
/// Largest message that can be cut into parts (255 of them).
pub const MAX_PARTED_LEN: usize = PART_DATA_LEN * u8::MAX as usize;

/// The messages that carry `message`: itself when it is small enough, otherwise
/// its parts in order.
pub fn into_parts(message: Vec<u8>) -> Result<Vec<Vec<u8>>, MediaError> {
    if message.len() <= MAX_PART_LEN {
        return Ok(vec![message]);
    }
    if message.len() > MAX_PARTED_LEN {
        return Err(MediaError::TooLarge(message.len()));
    }
    let count = message.len().div_ceil(PART_DATA_LEN);
    Ok(message
        .chunks(PART_DATA_LEN)
        .enumerate()
        .map(|(index, slice)| {
            let mut part = Vec::with_capacity(PART_HEADER_LEN + slice.len());
            // Both fit a u8: `count` ≤ 255 was checked above.
            part.extend_from_slice(&[PART, index as u8, count as u8]);
            part.extend_from_slice(slice);
            part
        })
        .collect())
}

/// What one message from the channel gave.
#[derive(Debug, Default, PartialEq)]
pub struct Pushed {
    /// A whole message: this one, or the parted one it completed.
    pub message: Option<Vec<u8>>,
    /// Why the message being put together was dropped (a part missing, or one
    /// that lies): the frames after it cannot be decoded without it.
    pub dropped: Option<MediaError>,
}

/// Puts parted messages back together, one channel's worth.
#[derive(Debug, Default)]
pub struct Reassembly {
    /// The message so far, the parts it has, and how many it needs.
    building: Option<(Vec<u8>, u8, u8)>,
}

impl Reassembly {
    /// Takes in the next message from the channel. A whole message comes back at
    /// once; a part completes its message or is kept. A part out of turn, or a
    /// whole message or a first part in the middle of a parted message, drops the
    /// unfinished one; the newcomer still counts.
    pub fn push(&mut self, message: Vec<u8>) -> Pushed {
        let unfinished = |building: Option<_>| building.map(|_| MediaError::PartMissing);
        if message.first() != Some(&PART) {
            return Pushed {
                dropped: unfinished(self.building.take()),
                message: Some(message),
            };
        }
        let &[_, index, count, ..] = message.as_slice() else {
            self.building = None;
            return dropped(MediaError::Truncated(message.len()));
        };
        if count < 2 || index >= count {
            self.building = None;
            return dropped(MediaError::BadPart { index, count });
        }
        let data = &message[PART_HEADER_LEN..];
        if index == 0 {
            let mut whole = Vec::with_capacity(usize::from(count) * PART_DATA_LEN);
            whole.extend_from_slice(data);
            let before = self.building.replace((whole, 1, count));
            return Pushed {
                message: None,
                dropped: unfinished(before),
            };
        }
        match self.building.take() {
            Some((mut whole, have, of)) if have == index && of == count => {
                whole.extend_from_slice(data);
                if index + 1 == count {
                    Pushed {
                        message: Some(whole),
                        dropped: None,
                    }
                } else {
                    self.building = Some((whole, have + 1, of));
                    Pushed::default()
                }
            }
            // The rest of a message already dropped says nothing new.
            None => Pushed::default(),
            Some(_) => dropped(MediaError::PartMissing),
        }
    }
}

fn dropped(why: MediaError) -> Pushed {
    Pushed {
        message: None,
        dropped: Some(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(len: usize) -> Vec<u8> {
        let mut m = vec![b'F'];
        m.extend((1..len).map(|i| (i * 7 % 251) as u8));
        m
    }

    fn whole(m: Vec<u8>) -> Pushed {
        Pushed {
            message: Some(m),
            dropped: None,
        }
    }

    fn through(parts: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let mut r = Reassembly::default();
        parts
            .into_iter()
            .filter_map(|p| {
                let pushed = r.push(p);
                assert_eq!(pushed.dropped, None);
                pushed.message
            })
            .collect()
    }

    #[test]
    fn small_messages_go_as_they_are() {
        for len in [1, 100, MAX_PART_LEN] {
            let parts = into_parts(message(len)).unwrap();
            assert_eq!(parts, vec![message(len)]);
            assert_eq!(through(parts), vec![message(len)]);
        }
    }

    #[test]
    fn big_messages_are_cut_into_parts_of_four_packets_and_put_back() {
        for len in [MAX_PART_LEN + 1, 6_500, 30_000, MAX_PARTED_LEN] {
            let parts = into_parts(message(len)).unwrap();
            assert_eq!(parts.len(), len.div_ceil(PART_DATA_LEN));
            assert!(parts
                .iter()
                .all(|p| p.len() <= MAX_PART_LEN && p[0] == PART));
            assert_eq!(through(parts), vec![message(len)], "{len} bytes");
        }
        assert_eq!(
            into_parts(message(MAX_PARTED_LEN + 1)),
            Err(MediaError::TooLarge(MAX_PARTED_LEN + 1))
        );
    }

    #[test]
    fn messages_after_a_parted_one_come_through() {
        let mut all = into_parts(message(9_000)).unwrap();
        all.push(message(50));
        all.extend(into_parts(message(5_000)).unwrap());
        assert_eq!(
            through(all),
            vec![message(9_000), message(50), message(5_000)]
        );
    }

    #[test]
    fn a_lost_part_drops_its_message_once_and_what_follows_comes_through() {
        let parts = into_parts(message(12_000)).unwrap();
        assert_eq!(parts.len(), 3);
        let mut r = Reassembly::default();
        assert_eq!(r.push(parts[0].clone()), Pushed::default());
        assert_eq!(r.push(parts[2].clone()), dropped(MediaError::PartMissing));
        assert_eq!(r.push(parts[1].clone()), Pushed::default());
        // A whole message cutting in: the unfinished one is reported, this one kept.
        assert_eq!(r.push(parts[0].clone()), Pushed::default());
        assert_eq!(
            r.push(message(10)),
            Pushed {
                message: Some(message(10)),
                dropped: Some(MediaError::PartMissing),
            }
        );
        // A new first part while one is unfinished: reported, and the new one built.
        assert_eq!(r.push(parts[0].clone()), Pushed::default());
        assert_eq!(r.push(parts[0].clone()), dropped(MediaError::PartMissing));
        assert_eq!(r.push(parts[1].clone()), Pushed::default());
        assert_eq!(r.push(parts[2].clone()), whole(message(12_000)));
    }

    #[test]
    fn parts_that_lie_are_refused_not_read_past_their_end() {
        let mut r = Reassembly::default();
        assert_eq!(r.push(vec![PART, 0]), dropped(MediaError::Truncated(2)));
        assert_eq!(
            r.push(vec![PART, 0, 1, 9]),
            dropped(MediaError::BadPart { index: 0, count: 1 })
        );
        assert_eq!(
            r.push(vec![PART, 3, 3, 9]),
            dropped(MediaError::BadPart { index: 3, count: 3 })
        );
        // A part claiming another count than its message's first part.
        assert_eq!(r.push(vec![PART, 0, 3, 1]), Pushed::default());
        assert_eq!(
            r.push(vec![PART, 1, 4, 2]),
            dropped(MediaError::PartMissing)
        );
    }
}
