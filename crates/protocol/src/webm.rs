//! Reading WebM files without decoding them, for both sides: the server checks
//! what an uploaded file really is, from its bytes rather than from its name or
//! Content-Type (a WebM: EBML magic, DocType "webm") and how long it plays; the
//! app trims the frames a recording got after its Stop ([`live_cut`]).
//!
//! The length has to be measured, because Chromium's MediaRecorder writes no
//! Duration and leaves the Segment and every Cluster of unknown size (it
//! streams and never seeks back). So the walker goes Segment → Info
//! (TimecodeScale, Duration if present) and Cluster → Timecode + blocks, and
//! the length is the spread of block times (or Duration, when that is longer).
//! It never reads a frame's payload: only element headers, so a 25 MB file
//! costs a few hundred small reads.

use std::fs::File;
use std::io::{self, BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const CLUSTER: u32 = 0x1F43_B675;
const CUES: u32 = 0x1C53_BB6B;
const CHAPTERS: u32 = 0x1043_A770;
const TAGS: u32 = 0x1254_C367;
const ATTACHMENTS: u32 = 0x1941_A469;
const TIMECODE: u32 = 0xE7;
const SIMPLE_BLOCK: u32 = 0xA3;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;

/// Matroska's default: timecodes in milliseconds.
const DEFAULT_TIMECODE_SCALE_NS: u64 = 1_000_000;
/// Real EBML headers are a few dozen bytes; anything huge is not one.
const MAX_HEADER_BYTES: u64 = 4096;

/// A video the walker understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    pub media_type: &'static str,
    /// For the stored file's name, so the media route's Content-Type follows.
    pub extension: &'static str,
    pub duration_s: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SniffError {
    #[error("not a WebM file")]
    WrongType,
    #[error("the file ends in the middle of an element")]
    Truncated,
    #[error("the WebM has no frames")]
    NoFrames,
    #[error("damaged WebM: {0}")]
    Malformed(&'static str),
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
}

/// Sniffs the file at `path`.
pub fn sniff_file(path: &Path) -> Result<Media, SniffError> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    sniff(BufReader::new(file), len)
}

/// Sniffs `len` bytes from `reader`.
pub fn sniff<R: Read + Seek>(reader: R, len: u64) -> Result<Media, SniffError> {
    let times = walk(reader, len, Times::default())?;
    let duration_s = times.duration_s().ok_or(SniffError::NoFrames)?;
    Ok(Media {
        media_type: "video/webm",
        extension: "webm",
        duration_s,
    })
}

/// Where a live WebM (as MediaRecorder writes it: Segment and Clusters of
/// unknown size) can end so that it keeps no frame later than `keep_s`
/// seconds after its first frame: the offset of the first later frame's
/// element. `None` when no frame is later, or when the file cannot end there
/// (a Segment or Cluster of known size would claim the bytes cut off).
///
/// Chrome's canvas capture sends a refresh frame about every 2 s while a
/// recorder is still open, stamped when it is sent; a recorder that waits
/// after Stop for its encoder to catch up gets those as a frozen tail.
pub fn live_cut<R: Read + Seek>(
    reader: R,
    len: u64,
    keep_s: f64,
) -> Result<Option<u64>, SniffError> {
    let times = walk(
        reader,
        len,
        Times {
            keep_s: Some(keep_s),
            ..Times::default()
        },
    )?;
    Ok(times.cut.flatten())
}

fn walk<R: Read + Seek>(reader: R, len: u64, mut times: Times) -> Result<Times, SniffError> {
    let mut walker = Walker {
        reader,
        pos: 0,
        len,
    };
    let mut magic = [0; 4];
    if len < 4 {
        return Err(SniffError::WrongType);
    }
    walker.read_exact(&mut magic)?;
    if u32::from_be_bytes(magic) != EBML {
        return Err(SniffError::WrongType);
    }
    walker.seek_to(0)?;
    walker.ebml_header()?;
    let mut segments = 0;
    while walker.pos < len {
        let (id, size) = walker.header()?;
        match id {
            SEGMENT => {
                segments += 1;
                let end = walker.end_of(size, len)?;
                walker.segment(end, size.is_none(), &mut times)?;
            }
            // Void, or the header of a chained stream's next file.
            _ => walker.skip(walker.known(size)?)?,
        }
    }
    if segments == 0 {
        return Err(SniffError::Truncated);
    }
    Ok(times)
}

/// Block times seen so far, in timecode units.
#[derive(Debug)]
struct Times {
    scale_ns: u64,
    declared: Option<f64>,
    first: Option<i64>,
    last: Option<i64>,
    /// For [`live_cut`]: frames later than this after the first are unwanted,
    keep_s: Option<f64>,
    /// and the first of them was seen: where the file may end (`None` inside
    /// an element of known size).
    cut: Option<Option<u64>>,
}

impl Default for Times {
    fn default() -> Self {
        Self {
            scale_ns: DEFAULT_TIMECODE_SCALE_NS,
            declared: None,
            first: None,
            last: None,
            keep_s: None,
            cut: None,
        }
    }
}

impl Times {
    /// A frame at `time`, its element starting at `start`; `cuttable` when the
    /// file may end right before it.
    fn block(&mut self, time: i64, start: u64, cuttable: bool) {
        let first = self.first.map_or(time, |t| t.min(time));
        self.first = Some(first);
        self.last = Some(self.last.map_or(time, |t| t.max(time)));
        if let (Some(keep_s), None) = (self.keep_s, self.cut) {
            let after_s = (time - first) as f64 * self.scale_ns as f64 / 1e9;
            if after_s > keep_s {
                self.cut = Some(cuttable.then_some(start));
            }
        }
    }

    /// None when there was no frame at all.
    fn duration_s(&self) -> Option<f64> {
        let (first, last) = (self.first?, self.last?);
        let scale_s = self.scale_ns as f64 / 1e9;
        let spread = (last - first) as f64 * scale_s;
        let declared = self.declared.map_or(0.0, |d| d * scale_s);
        Some(spread.max(declared))
    }
}

/// Elements that may follow a Cluster in a Segment: one of these ends a
/// Cluster of unknown size (as does a new EBML header or Segment).
fn ends_unknown_cluster(id: u32) -> bool {
    matches!(
        id,
        SEEK_HEAD | INFO | TRACKS | CLUSTER | CUES | CHAPTERS | TAGS | ATTACHMENTS | EBML | SEGMENT
    )
}

struct Walker<R> {
    reader: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Walker<R> {
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), SniffError> {
        match self.reader.read_exact(buf) {
            Ok(()) => {
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Err(SniffError::Truncated),
            Err(e) => Err(e.into()),
        }
    }

    fn byte(&mut self) -> Result<u8, SniffError> {
        let mut one = [0];
        self.read_exact(&mut one)?;
        Ok(one[0])
    }

    fn seek_to(&mut self, pos: u64) -> Result<(), SniffError> {
        if pos > self.len {
            return Err(SniffError::Truncated);
        }
        self.reader.seek(SeekFrom::Start(pos))?;
        self.pos = pos;
        Ok(())
    }

    fn skip(&mut self, n: u64) -> Result<(), SniffError> {
        let to = self.pos.checked_add(n).ok_or(SniffError::Truncated)?;
        self.seek_to(to)
    }

    /// An element ID: 1 to 4 bytes, the length marked by the leading zeros.
    fn id(&mut self) -> Result<u32, SniffError> {
        let first = self.byte()?;
        let len = first.leading_zeros() + 1;
        if len > 4 {
            return Err(SniffError::Malformed("invalid element ID"));
        }
        let mut id = u32::from(first);
        for _ in 1..len {
            id = (id << 8) | u32::from(self.byte()?);
        }
        Ok(id)
    }

    /// A data size vint (1 to 8 bytes); None for "unknown" (all value bits set).
    fn size(&mut self) -> Result<Option<u64>, SniffError> {
        let first = self.byte()?;
        let len = first.leading_zeros() + 1;
        if len > 8 {
            return Err(SniffError::Malformed("invalid element size"));
        }
        let mask = if len == 8 { 0 } else { 0xFFu8 >> len };
        let mut value = u64::from(first & mask);
        let mut all_ones = first & mask == mask;
        for _ in 1..len {
            let b = self.byte()?;
            all_ones &= b == 0xFF;
            value = (value << 8) | u64::from(b);
        }
        Ok(if all_ones { None } else { Some(value) })
    }

    fn header(&mut self) -> Result<(u32, Option<u64>), SniffError> {
        let id = self.id()?;
        let size = self.size()?;
        Ok((id, size))
    }

    /// Only Segment and Cluster may have unknown sizes (that is how live
    /// WebM is written); anywhere else it is damage.
    fn known(&self, size: Option<u64>) -> Result<u64, SniffError> {
        size.ok_or(SniffError::Malformed(
            "unknown size where a size is required",
        ))
    }

    /// Where an element of `size` starting here ends: `parent_end` for an
    /// unknown size. A declared end past the end of the file is a cut file.
    fn end_of(&self, size: Option<u64>, parent_end: u64) -> Result<u64, SniffError> {
        let Some(size) = size else {
            return Ok(parent_end);
        };
        let end = self.pos.checked_add(size).ok_or(SniffError::Truncated)?;
        if end > self.len {
            Err(SniffError::Truncated)
        } else if end > parent_end {
            Err(SniffError::Malformed("an element overflows its parent"))
        } else {
            Ok(end)
        }
    }

    fn uint(&mut self, size: u64) -> Result<u64, SniffError> {
        if size > 8 {
            return Err(SniffError::Malformed("integer longer than 8 bytes"));
        }
        let mut value = 0u64;
        for _ in 0..size {
            value = (value << 8) | u64::from(self.byte()?);
        }
        Ok(value)
    }

    fn float(&mut self, size: u64) -> Result<f64, SniffError> {
        match size {
            0 => Ok(0.0),
            4 => {
                let mut b = [0; 4];
                self.read_exact(&mut b)?;
                Ok(f64::from(f32::from_be_bytes(b)))
            }
            8 => {
                let mut b = [0; 8];
                self.read_exact(&mut b)?;
                Ok(f64::from_be_bytes(b))
            }
            _ => Err(SniffError::Malformed("a float is 4 or 8 bytes")),
        }
    }

    /// The EBML header: its DocType must say "webm".
    fn ebml_header(&mut self) -> Result<(), SniffError> {
        let (_, size) = self.header()?;
        let size = self.known(size)?;
        if size > MAX_HEADER_BYTES {
            return Err(SniffError::WrongType);
        }
        let end = self.end_of(Some(size), self.len)?;
        let mut doc_type = None;
        while self.pos < end {
            let (id, size) = self.header()?;
            let size = self.known(size)?;
            self.end_of(Some(size), end)?;
            if id == DOC_TYPE {
                let mut text = vec![0; usize::try_from(size).unwrap_or(usize::MAX).min(64)];
                self.read_exact(&mut text)?;
                self.seek_to(end.min(self.pos + size - text.len() as u64))?;
                doc_type = Some(text);
            } else {
                self.skip(size)?;
            }
        }
        // DocType strings may be NUL-padded.
        match doc_type {
            Some(text) if text.split(|&b| b == 0).next() == Some(b"webm") => Ok(()),
            _ => Err(SniffError::WrongType),
        }
    }

    fn segment(&mut self, end: u64, live: bool, times: &mut Times) -> Result<(), SniffError> {
        while self.pos < end {
            let start = self.pos;
            let (id, size) = self.header()?;
            match id {
                INFO => {
                    let info_end = self.end_of(Some(self.known(size)?), end)?;
                    self.info(info_end, times)?;
                }
                CLUSTER => {
                    let cluster_end = self.end_of(size, end)?;
                    self.cluster(cluster_end, size.is_none(), live, times)?;
                }
                // A chained stream: the next EBML header starts a new file.
                EBML | SEGMENT => return self.seek_to(start),
                _ => {
                    let element_end = self.end_of(Some(self.known(size)?), end)?;
                    self.seek_to(element_end)?;
                }
            }
        }
        Ok(())
    }

    fn info(&mut self, end: u64, times: &mut Times) -> Result<(), SniffError> {
        while self.pos < end {
            let (id, size) = self.header()?;
            let size = self.known(size)?;
            self.end_of(Some(size), end)?;
            match id {
                TIMECODE_SCALE => {
                    let scale = self.uint(size)?;
                    if scale == 0 {
                        return Err(SniffError::Malformed("zero TimecodeScale"));
                    }
                    times.scale_ns = scale;
                }
                DURATION => {
                    let duration = self.float(size)?;
                    if !duration.is_finite() || duration < 0.0 {
                        return Err(SniffError::Malformed("invalid Duration"));
                    }
                    times.declared = Some(duration);
                }
                _ => self.skip(size)?,
            }
        }
        Ok(())
    }

    /// `live`: the Segment around it has unknown size too.
    fn cluster(
        &mut self,
        end: u64,
        unknown: bool,
        live: bool,
        times: &mut Times,
    ) -> Result<(), SniffError> {
        let cuttable = unknown && live;
        let mut timecode = None;
        while self.pos < end {
            let start = self.pos;
            let (id, size) = self.header()?;
            if unknown && ends_unknown_cluster(id) {
                return self.seek_to(start);
            }
            let size = self.known(size)?;
            let child_end = self.end_of(Some(size), end)?;
            match id {
                TIMECODE => timecode = Some(self.uint(size)?),
                SIMPLE_BLOCK => {
                    let time = self.block(child_end, timecode)?;
                    times.block(time, start, cuttable);
                }
                BLOCK_GROUP => {
                    while self.pos < child_end {
                        let (id, size) = self.header()?;
                        let size = self.known(size)?;
                        let block_end = self.end_of(Some(size), child_end)?;
                        if id == BLOCK {
                            let time = self.block(block_end, timecode)?;
                            times.block(time, start, cuttable);
                        }
                        self.seek_to(block_end)?;
                    }
                }
                _ => {}
            }
            self.seek_to(child_end)?;
        }
        Ok(())
    }

    /// A (Simple)Block's time: after the track number vint, a signed 16-bit
    /// time relative to the Cluster's Timecode.
    fn block(&mut self, end: u64, cluster: Option<u64>) -> Result<i64, SniffError> {
        let cluster = cluster.ok_or(SniffError::Malformed(
            "a block before its cluster's Timecode",
        ))?;
        let first = self.byte()?;
        let track_len = u64::from(first.leading_zeros()) + 1;
        if track_len > 8 || self.pos + track_len - 1 + 2 > end {
            return Err(SniffError::Malformed("block too short"));
        }
        self.skip(track_len - 1)?;
        let mut relative = [0; 2];
        self.read_exact(&mut relative)?;
        let cluster = i64::try_from(cluster).map_err(|_| SniffError::Malformed("huge Timecode"))?;
        Ok(cluster + i64::from(i16::from_be_bytes(relative)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// An element with a known size (8-byte size vint, as a muxer that
    /// seeks back would write it).
    pub fn element(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out = id_bytes(id);
        out.push(0x01);
        out.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    /// An element of unknown size, as MediaRecorder writes Segment and Cluster.
    pub fn unknown(id: u32, body: &[u8]) -> Vec<u8> {
        let mut out = id_bytes(id);
        out.push(0xFF);
        out.extend_from_slice(body);
        out
    }

    fn id_bytes(id: u32) -> Vec<u8> {
        let bytes = id.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        bytes[skip..].to_vec()
    }

    pub fn header(doc_type: &str) -> Vec<u8> {
        let mut body = element(0x4286, &[1]);
        body.extend(element(DOC_TYPE, doc_type.as_bytes()));
        element(EBML, &body)
    }

    fn simple_block(relative: i16) -> Vec<u8> {
        let mut body = vec![0x81];
        body.extend_from_slice(&relative.to_be_bytes());
        body.extend_from_slice(&[0x80, 1, 2, 3, 4, 5]);
        element(SIMPLE_BLOCK, &body)
    }

    /// A MediaRecorder-style stream: unknown-size Segment and Clusters, no
    /// Duration, one cluster per second with frames every 100 ms.
    pub fn live_webm(seconds: u64) -> Vec<u8> {
        let mut segment = element(INFO, &element(TIMECODE_SCALE, &[0x0F, 0x42, 0x40]));
        segment.extend(element(TRACKS, &[0xAE, 0x80]));
        for s in 0..seconds {
            let mut cluster = element(TIMECODE, &(s * 1000).to_be_bytes());
            for i in 0..10 {
                cluster.extend(simple_block(i * 100));
            }
            segment.extend(unknown(CLUSTER, &cluster));
        }
        let mut file = header("webm");
        file.extend(unknown(SEGMENT, &segment));
        file
    }

    fn run(bytes: &[u8]) -> Result<Media, SniffError> {
        sniff(Cursor::new(bytes), bytes.len() as u64)
    }

    #[test]
    fn live_stream_length_comes_from_block_times() {
        let media = run(&live_webm(3)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(media.media_type, "video/webm");
        assert!((media.duration_s - 2.9).abs() < 1e-9, "{media:?}");
    }

    #[test]
    fn known_sizes_and_block_groups_and_duration() {
        let mut info = element(TIMECODE_SCALE, &[0x0F, 0x42, 0x40]);
        info.extend(element(DURATION, &5000.0f64.to_be_bytes()));
        let mut group_block = vec![0x81];
        group_block.extend_from_slice(&1500i16.to_be_bytes());
        group_block.push(0);
        let mut cluster = element(TIMECODE, &[0]);
        cluster.extend(simple_block(0));
        cluster.extend(element(BLOCK_GROUP, &element(BLOCK, &group_block)));
        let mut segment = element(INFO, &info);
        segment.extend(element(CLUSTER, &cluster));
        segment.extend(element(CUES, &[]));
        let mut file = header("webm");
        file.extend(element(SEGMENT, &segment));
        let media = run(&file).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            (media.duration_s - 5.0).abs() < 1e-9,
            "declared wins: {media:?}"
        );
    }

    #[test]
    fn other_files_are_the_wrong_type() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(matches!(run(png), Err(SniffError::WrongType)));
        assert!(matches!(run(b"hello"), Err(SniffError::WrongType)));
        assert!(matches!(run(b""), Err(SniffError::WrongType)));
        let mut mkv = header("matroska");
        mkv.extend(unknown(SEGMENT, &[]));
        assert!(matches!(run(&mkv), Err(SniffError::WrongType)));
    }

    #[test]
    fn every_cut_is_truncated() {
        let file = live_webm(2);
        let mut known = header("webm");
        known.extend(element(SEGMENT, &file[header("webm").len() + 5..]));
        for whole in [&file, &known] {
            // Every cut inside the header or a block, and the cut of a
            // known-size Segment anywhere, is noticed.
            for cut in 1..whole.len() {
                let result = run(&whole[..cut]);
                let ok_boundary = result.is_ok() || matches!(result, Err(SniffError::NoFrames));
                if ok_boundary {
                    // A live stream cut exactly between elements cannot be
                    // told from a shorter stream.
                    assert!(std::ptr::eq(whole, &file), "known sizes cut at {cut}");
                } else {
                    assert!(
                        matches!(result, Err(SniffError::Truncated | SniffError::WrongType)),
                        "cut at {cut}: {result:?}"
                    );
                }
            }
        }
        let half = &file[..file.len() / 2 + 3];
        assert!(matches!(run(half), Err(SniffError::Truncated)));
    }

    #[test]
    fn a_live_stream_is_cut_before_its_first_late_frame() {
        let file = live_webm(3);
        let at = live_cut(Cursor::new(&file), file.len() as u64, 1.25)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("frames until 2.9 s are later than 1.25 s"));
        // What is left is a whole stream whose last frame is at 1.2 s.
        let kept = run(&file[..at as usize]).unwrap_or_else(|e| panic!("{e}"));
        assert!((kept.duration_s - 1.2).abs() < 1e-9, "{kept:?}");
        // Nothing later than the last frame: nothing to cut.
        assert_eq!(
            live_cut(Cursor::new(&file), file.len() as u64, 2.9).ok(),
            Some(None)
        );
    }

    #[test]
    fn a_file_with_known_sizes_is_never_cut() {
        let file = live_webm(2);
        let mut known = header("webm");
        known.extend(element(SEGMENT, &file[header("webm").len() + 5..]));
        assert_eq!(
            live_cut(Cursor::new(&known), known.len() as u64, 0.5).ok(),
            Some(None)
        );
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let mut file = header("webm");
        file.extend(unknown(SEGMENT, &unknown(INFO, &[])));
        assert!(matches!(run(&file), Err(SniffError::Malformed(_))));
        let mut file = header("webm");
        file.extend(unknown(SEGMENT, &unknown(CLUSTER, &simple_block(0))));
        assert!(matches!(run(&file), Err(SniffError::Malformed(_))));
        let mut file = header("webm");
        file.extend(unknown(SEGMENT, &[0x00, 0x00]));
        assert!(matches!(run(&file), Err(SniffError::Malformed(_))));
        let mut file = header("webm");
        file.extend(unknown(SEGMENT, &element(TRACKS, &[])));
        assert!(matches!(run(&file), Err(SniffError::NoFrames)));
    }
}
