//! Writing a WebM from VP8 frames that are already encoded. The browser's
//! `VideoEncoder` (WebCodecs) hands over frames, not a file; unlike
//! MediaRecorder it queues frames instead of dropping them when the device is
//! busy, so a room video keeps every picture the preview painted. The whole
//! file is written at once after Stop, so every size is known (no live
//! streaming tricks) and Info carries the Duration.
//!
//! Layout: EBML header; Segment → Info (1 ms timecodes, Duration), Tracks (one
//! VP8 video track), then one Cluster per key frame (a Cluster also starts
//! before a frame that would be more than 32 s after its Cluster's start, as a
//! SimpleBlock's time is a signed 16-bit offset).

/// One encoded frame, in the order the encoder gave them (VP8 has no
/// reordering, so that is also display order).
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedFrame {
    /// Presentation time in microseconds (any origin: the file starts at the first frame).
    pub timestamp_us: i64,
    pub key: bool,
    pub data: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MuxError {
    #[error("the video has no frames")]
    NoFrames,
    #[error("the video does not start with a key frame")]
    NoKeyFrame,
}

const EBML: u32 = 0x1A45_DFA3;
const EBML_VERSION: u32 = 0x4286;
const EBML_READ_VERSION: u32 = 0x42F7;
const EBML_MAX_ID_LENGTH: u32 = 0x42F2;
const EBML_MAX_SIZE_LENGTH: u32 = 0x42F3;
const DOC_TYPE: u32 = 0x4282;
const DOC_TYPE_VERSION: u32 = 0x4287;
const DOC_TYPE_READ_VERSION: u32 = 0x4285;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const MUXING_APP: u32 = 0x4D80;
const WRITING_APP: u32 = 0x5741;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_NUMBER: u32 = 0xD7;
const TRACK_UID: u32 = 0x73C5;
const TRACK_TYPE: u32 = 0x83;
const CODEC_ID: u32 = 0x86;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const CLUSTER: u32 = 0x1F43_B675;
const TIMECODE: u32 = 0xE7;
const SIMPLE_BLOCK: u32 = 0xA3;

/// Track type "video".
const VIDEO_TRACK: u64 = 1;
/// SimpleBlock flag: the frame is a key frame.
const KEY_FLAG: u8 = 0x80;

/// The frames as a WebM file of `width × height` VP8 video.
pub fn mux_vp8(width: u32, height: u32, frames: &[EncodedFrame]) -> Result<Vec<u8>, MuxError> {
    let first = frames.first().ok_or(MuxError::NoFrames)?;
    if !first.key {
        return Err(MuxError::NoKeyFrame);
    }
    let origin = first.timestamp_us;
    let ms = |f: &EncodedFrame| ((f.timestamp_us - origin).max(0) as f64 / 1000.0).round() as u64;

    let mut clusters = Vec::new();
    let mut cluster: Option<(u64, Vec<u8>)> = None;
    for frame in frames {
        let t = ms(frame);
        let starts_new = match &cluster {
            None => true,
            Some((start, _)) => frame.key || t - start > i16::MAX as u64,
        };
        if starts_new {
            if let Some((start, body)) = cluster.take() {
                clusters.extend(finish_cluster(start, body));
            }
            cluster = Some((t, Vec::new()));
        }
        if let Some((start, body)) = &mut cluster {
            body.extend(simple_block(t - *start, frame));
        }
    }
    if let Some((start, body)) = cluster {
        clusters.extend(finish_cluster(start, body));
    }

    // The last frame shows for as long as the one before it did.
    let last = frames.last().map(ms).unwrap_or(0);
    let before_last = frames.len().checked_sub(2).map(|i| ms(&frames[i]));
    let duration_ms = last + before_last.map_or(0, |b| last - b);

    let mut info = uint(TIMECODE_SCALE, 1_000_000);
    info.extend(element(DURATION, &(duration_ms as f64).to_be_bytes()));
    info.extend(element(MUXING_APP, b"huddle"));
    info.extend(element(WRITING_APP, b"huddle"));

    let mut video = uint(PIXEL_WIDTH, u64::from(width));
    video.extend(uint(PIXEL_HEIGHT, u64::from(height)));
    let mut track = uint(TRACK_NUMBER, 1);
    track.extend(uint(TRACK_UID, 1));
    track.extend(uint(TRACK_TYPE, VIDEO_TRACK));
    track.extend(element(CODEC_ID, b"V_VP8"));
    track.extend(element(VIDEO, &video));

    let mut segment = element(INFO, &info);
    segment.extend(element(TRACKS, &element(TRACK_ENTRY, &track)));
    segment.extend(clusters);

    let mut file = header();
    file.extend(element(SEGMENT, &segment));
    Ok(file)
}

fn header() -> Vec<u8> {
    let mut body = uint(EBML_VERSION, 1);
    body.extend(uint(EBML_READ_VERSION, 1));
    body.extend(uint(EBML_MAX_ID_LENGTH, 4));
    body.extend(uint(EBML_MAX_SIZE_LENGTH, 8));
    body.extend(element(DOC_TYPE, b"webm"));
    body.extend(uint(DOC_TYPE_VERSION, 4));
    body.extend(uint(DOC_TYPE_READ_VERSION, 2));
    element(EBML, &body)
}

fn finish_cluster(start_ms: u64, blocks: Vec<u8>) -> Vec<u8> {
    let mut body = uint(TIMECODE, start_ms);
    body.extend(blocks);
    element(CLUSTER, &body)
}

fn simple_block(relative_ms: u64, frame: &EncodedFrame) -> Vec<u8> {
    // Track number 1 as a one-byte vint, the time offset, the flags.
    let relative = relative_ms.min(i16::MAX as u64) as i16;
    let mut body = Vec::with_capacity(4 + frame.data.len());
    body.push(0x81);
    body.extend_from_slice(&relative.to_be_bytes());
    body.push(if frame.key { KEY_FLAG } else { 0 });
    body.extend_from_slice(&frame.data);
    element(SIMPLE_BLOCK, &body)
}

/// An unsigned integer element in as few bytes as it needs.
fn uint(id: u32, value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(7);
    element(id, &bytes[skip..])
}

/// An element: its id, its size as an 8-byte vint, its body.
fn element(id: u32, body: &[u8]) -> Vec<u8> {
    let id_bytes = id.to_be_bytes();
    let skip = id_bytes.iter().take_while(|&&b| b == 0).count();
    let mut out = Vec::with_capacity(4 + 8 + body.len());
    out.extend_from_slice(&id_bytes[skip..]);
    out.push(0x01);
    out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webm::sniff;
    use std::io::Cursor;

    fn frames(times_ms: &[i64], key_every: usize) -> Vec<EncodedFrame> {
        times_ms
            .iter()
            .enumerate()
            .map(|(i, &t)| EncodedFrame {
                timestamp_us: 5_000_000 + t * 1000,
                key: i % key_every == 0,
                data: vec![i as u8; 10 + i],
            })
            .collect()
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count()
    }

    /// The elements in `bytes`, as written here (every size an 8-byte vint).
    fn children(bytes: &[u8]) -> Vec<(u32, &[u8])> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let id_len = bytes[at].leading_zeros() as usize + 1;
            let id = bytes[at..at + id_len]
                .iter()
                .fold(0u32, |v, &b| (v << 8) | u32::from(b));
            at += id_len;
            assert_eq!(bytes[at], 0x01, "an 8-byte size");
            let mut size = [0u8; 8];
            size[1..].copy_from_slice(&bytes[at + 1..at + 8]);
            let size = u64::from_be_bytes(size) as usize;
            at += 8;
            out.push((id, &bytes[at..at + size]));
            at += size;
        }
        out
    }

    fn clusters(file: &[u8]) -> Vec<Vec<(u32, &[u8])>> {
        let top = children(file);
        assert_eq!(top.iter().map(|c| c.0).collect::<Vec<_>>(), [EBML, SEGMENT]);
        children(top[1].1)
            .into_iter()
            .filter(|(id, _)| *id == CLUSTER)
            .map(|(_, body)| children(body))
            .collect()
    }

    #[test]
    fn the_reader_sees_a_webm_as_long_as_the_frames() {
        let times: Vec<i64> = (0..40).map(|i| i * 100).collect();
        let file = mux_vp8(800, 450, &frames(&times, 10)).unwrap_or_else(|e| panic!("{e}"));
        let media = sniff(Cursor::new(&file), file.len() as u64).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(media.media_type, "video/webm");
        // 0 … 3.9 s of frames, the last showing 0.1 s.
        assert!((media.duration_s - 4.0).abs() < 1e-9, "{media:?}");
    }

    #[test]
    fn every_frame_is_kept_and_each_key_frame_opens_a_cluster() {
        let times: Vec<i64> = (0..25).map(|i| i * 40).collect();
        let file = mux_vp8(640, 480, &frames(&times, 10)).unwrap_or_else(|e| panic!("{e}"));
        let clusters = clusters(&file);
        assert_eq!(clusters.len(), 3, "a cluster per key frame");
        let sent = frames(&times, 10);
        let mut i = 0;
        for cluster in &clusters {
            assert_eq!(cluster[0].0, TIMECODE);
            let start = cluster[0]
                .1
                .iter()
                .fold(0u64, |v, &b| (v << 8) | u64::from(b));
            for (id, block) in &cluster[1..] {
                assert_eq!(*id, SIMPLE_BLOCK);
                let relative = i16::from_be_bytes([block[1], block[2]]) as u64;
                assert_eq!(start + relative, times[i] as u64, "frame {i}'s time");
                assert_eq!(block[3] == KEY_FLAG, sent[i].key, "frame {i}'s key flag");
                assert_eq!(&block[4..], &sent[i].data[..], "frame {i}'s bytes");
                i += 1;
            }
        }
        assert_eq!(i, 25, "every frame");
        assert_eq!(count(&file, b"V_VP8"), 1);
    }

    #[test]
    fn long_gaps_start_a_new_cluster() {
        let file = mux_vp8(8, 8, &frames(&[0, 40_000], 100)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clusters(&file).len(), 2);
    }

    #[test]
    fn nothing_or_no_key_frame_first_is_refused() {
        assert_eq!(mux_vp8(8, 8, &[]), Err(MuxError::NoFrames));
        let mut f = frames(&[0, 40], 1);
        f[0].key = false;
        assert_eq!(mux_vp8(8, 8, &f), Err(MuxError::NoKeyFrame));
    }
}
