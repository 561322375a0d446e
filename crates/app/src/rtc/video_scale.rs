//! How much smaller than my camera's frame the live picture I send is. Every member
//! decodes one stream from each other member and composes them all, so the
//! pixels moved grow with the square of the room; the preview's places for each
//! member shrink as the room grows, so a bigger room can be sent smaller without
//! looking softer. The sender makes my live picture at this scale from the
//! start (segmenting and packing a quarter of the pixels in a 4-member room);
//! shots are made from a full-resolution frame asked for at the shutter.

use std::cell::Cell;
use std::rc::Rc;

/// How many times smaller than the camera's packed picture the video is for a room of
/// `members` (me included). The preview is 800×450: with 2 members each stands
/// in at most 2/3 of it (533 px wide: a 427×320 camera is close to that); with 4
/// a grid cell is 400×225 (a 320×240 camera fits). Never full size: the packed
/// 1280×480 picture took the encoder 0.3–1 s per frame with the cores busy
/// (docs/benchmarks.md), 853×320 a few milliseconds.
pub fn scale_for_room(members: usize) -> f64 {
    match members {
        0..=1 => 1.0,
        2 | 3 => 1.5,
        4 | 5 => 2.0,
        _ => 3.0,
    }
}

/// The scale my live picture is made at for the room as it is now: the page sets
/// it as members come and go, my cut-out sender reads it for every camera frame.
#[derive(Clone, Debug)]
pub struct RoomScale(Rc<Cell<f64>>);

impl Default for RoomScale {
    fn default() -> Self {
        Self(Rc::new(Cell::new(1.0)))
    }
}

impl RoomScale {
    /// The room now has `members` members (me included).
    pub fn set_members(&self, members: usize) {
        self.0.set(scale_for_room(members));
    }

    pub fn get(&self) -> f64 {
        self.0.get()
    }
}

/// `width × height` made `scale` times smaller, with even sides (VP8's colour
/// planes are half size) of at least 2.
pub fn scaled_size(width: u32, height: u32, scale: f64) -> (u32, u32) {
    let even = |v: u32| ((f64::from(v) / scale / 2.0).round() as u32 * 2).max(2);
    (even(width), even(height))
}

#[cfg(test)]
mod tests {
    use super::{scale_for_room, scaled_size, RoomScale};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn bigger_rooms_send_smaller_video() {
        assert_eq!(scale_for_room(1), 1.0);
        assert_eq!(scale_for_room(2), 1.5);
        let scales: Vec<f64> = (2..=8).map(scale_for_room).collect();
        assert!(scales.windows(2).all(|w| w[0] <= w[1]), "{scales:?}");
        // A 4-member grid cell is 400×225: the 640×480 camera halved still fills it.
        assert_eq!(scale_for_room(4), 2.0);
    }

    #[wasm_bindgen_test]
    fn the_shared_scale_follows_the_room() {
        let scale = RoomScale::default();
        let seen_by_sender = scale.clone();
        assert_eq!(seen_by_sender.get(), 1.0);
        scale.set_members(4);
        assert_eq!(seen_by_sender.get(), 2.0);
        scale.set_members(2);
        assert_eq!(seen_by_sender.get(), 1.5);
    }

    #[wasm_bindgen_test]
    fn scaled_sizes_are_even() {
        assert_eq!(scaled_size(1280, 480, 2.0), (640, 240));
        assert_eq!(scaled_size(1280, 480, 1.5), (854, 320));
        assert_eq!(scaled_size(1280, 480, 1.0), (1280, 480));
        assert_eq!(scaled_size(3, 1, 3.0), (2, 2));
    }
}
