//! What my cut-out sender remembers about the camera frames it gave the vision
//! workers, by the id their pair gave each frame (the pair numbers frames itself;
//! an id the sender made up does not come back): when the camera took it, for the
//! camera → remote measure; whether faces were looked for, so a frame nobody
//! looked at does not say "no face"; and which is a shot's full-size frame.

use std::collections::VecDeque;

/// Frames remembered at most: more than are ever in the workers at once (one in
/// flight, one waiting), so none is forgotten before its answer comes.
const REMEMBERED: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameNote {
    /// When the camera took it (wall-clock ms).
    pub taken_ms: f64,
    pub faces: bool,
    /// Made at the camera's full size for a shot.
    pub still: bool,
}

#[derive(Debug, Default)]
pub struct FramesInWorkers {
    notes: VecDeque<(u64, FrameNote)>,
    /// The shot's full-size frame in the workers, and when it went in (wall ms).
    still: Option<(u64, f64)>,
}

impl FramesInWorkers {
    /// Frame `id` went to the workers at `now_ms`.
    pub fn add(&mut self, id: u64, note: FrameNote, now_ms: f64) {
        if note.still {
            self.still = Some((id, now_ms));
        }
        self.notes.push_back((id, note));
        while self.notes.len() > REMEMBERED {
            self.notes.pop_front();
        }
    }

    /// The note of frame `id`, now answered or failed. The pair answers in order,
    /// so frames before it are done or were replaced on the way: forgotten too.
    pub fn take(&mut self, id: u64) -> Option<FrameNote> {
        if self.still.is_some_and(|(s, _)| s <= id) {
            self.still = None;
        }
        let at = self.notes.iter().position(|(n, _)| *n == id)?;
        self.notes.drain(..=at).next_back().map(|(_, note)| note)
    }

    /// Whether a shot's full-size frame is in the workers at `now_ms`. One in for
    /// longer than `give_up_ms` (its shot went on without it) no longer counts.
    pub fn still_in_workers(&mut self, now_ms: f64, give_up_ms: f64) -> bool {
        match self.still {
            Some((_, since)) if now_ms - since > give_up_ms => {
                self.still = None;
                false
            }
            other => other.is_some(),
        }
    }

    /// The workers will not answer (they failed or are gone).
    pub fn forget_still(&mut self) {
        self.still = None;
    }
}

#[cfg(test)]
mod tests {
    use super::{FrameNote, FramesInWorkers, REMEMBERED};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn note(taken_ms: f64, faces: bool, still: bool) -> FrameNote {
        FrameNote {
            taken_ms,
            faces,
            still,
        }
    }

    #[wasm_bindgen_test]
    fn an_answer_finds_its_own_frame_by_the_pairs_id() {
        let mut frames = FramesInWorkers::default();
        frames.add(7, note(100.0, true, false), 100.0);
        frames.add(8, note(166.0, false, false), 166.0);
        assert_eq!(frames.take(8), Some(note(166.0, false, false)));
        // 7 was replaced before the workers got to it: forgotten with 8's answer.
        assert_eq!(frames.take(7), None);
        assert_eq!(frames.take(9), None, "never given");
    }

    #[wasm_bindgen_test]
    fn a_shots_frame_counts_as_in_the_workers_until_answered_or_given_up() {
        let mut frames = FramesInWorkers::default();
        frames.add(1, note(0.0, true, false), 0.0);
        assert!(!frames.still_in_workers(10.0, 1000.0));
        frames.add(2, note(50.0, true, true), 50.0);
        assert!(frames.still_in_workers(60.0, 1000.0));
        assert_eq!(frames.take(1).map(|n| n.still), Some(false));
        assert!(frames.still_in_workers(70.0, 1000.0), "an earlier answer");
        assert_eq!(frames.take(2).map(|n| n.still), Some(true));
        assert!(!frames.still_in_workers(80.0, 1000.0));

        frames.add(3, note(100.0, false, true), 100.0);
        assert!(frames.still_in_workers(1099.0, 1000.0));
        assert!(!frames.still_in_workers(1101.0, 1000.0), "given up on");
        frames.add(4, note(1200.0, false, true), 1200.0);
        frames.forget_still();
        assert!(!frames.still_in_workers(1201.0, 1000.0));
    }

    #[wasm_bindgen_test]
    fn only_the_newest_frames_are_remembered() {
        let mut frames = FramesInWorkers::default();
        for id in 0..20 {
            frames.add(id, note(id as f64, false, false), id as f64);
        }
        assert_eq!(frames.take(20 - REMEMBERED as u64 - 1), None);
        assert_eq!(frames.take(19).map(|n| n.taken_ms), Some(19.0));
    }
}
