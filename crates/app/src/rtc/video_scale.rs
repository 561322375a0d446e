//! How much smaller than my packed canvas the live video I send is. Every member
//! decodes one stream from each other member and composes them all, so the
//! pixels moved grow with the square of the room; the preview's places for each
//! member shrink as the room grows, so a bigger room can be sent smaller without
//! looking softer. My own full-resolution canvas is untouched: shots are made
//! from it, not from the video.

/// How many times smaller than my packed canvas the video is for a room of
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

/// `width × height` made `scale` times smaller, with even sides (VP8's colour
/// planes are half size) of at least 2.
pub fn scaled_size(width: u32, height: u32, scale: f64) -> (u32, u32) {
    let even = |v: u32| ((f64::from(v) / scale / 2.0).round() as u32 * 2).max(2);
    (even(width), even(height))
}

#[cfg(test)]
mod tests {
    use super::{scale_for_room, scaled_size};
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
    fn scaled_sizes_are_even() {
        assert_eq!(scaled_size(1280, 480, 2.0), (640, 240));
        assert_eq!(scaled_size(1280, 480, 1.5), (854, 320));
        assert_eq!(scaled_size(1280, 480, 1.0), (1280, 480));
        assert_eq!(scaled_size(3, 1, 3.0), (2, 2));
    }
}
