//! How much smaller than my packed canvas the video I send is. Every member
//! encodes one stream per peer and decodes one from each, and composes them all,
//! so the pixels moved grow with the square of the room; the preview's places for
//! each member shrink as the room grows, so a bigger room can be sent smaller
//! without looking softer. My own full-resolution canvas is untouched: shots are
//! made from it, not from the video.
//!
//! The bitrate is capped too: the room's budget is 1.5 Mbit/s per member per
//! peer, and the data channel (heads, scene, shots) rides beside the video.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{RtcPeerConnection, RtcRtpParameters, RtcRtpSender};

/// Video bits per second to each peer, at most.
pub const MAX_VIDEO_BITRATE: u32 = 1_200_000;

/// `scaleResolutionDownBy` for a room of `members` (me included). The preview is
/// 800×450: with 2 members each stands in 2/3 of it (the packed 640×480 camera
/// fits as is); with 4 a grid cell is 400×225 (a 320×240 camera fits).
pub fn scale_for_room(members: usize) -> f64 {
    match members {
        0..=2 => 1.0,
        3 => 1.5,
        4 | 5 => 2.0,
        _ => 3.0,
    }
}

/// Asks every video sender of `pc` to scale down by `scale`, within
/// [`MAX_VIDEO_BITRATE`]. A sender that has no encodings yet (before negotiation
/// in some browsers) is left alone; the link calls this again once connected.
pub fn apply(pc: &RtcPeerConnection, scale: f64) {
    for sender in pc.get_senders().iter() {
        let Ok(sender) = sender.dyn_into::<RtcRtpSender>() else {
            continue;
        };
        if sender.track().is_none_or(|t| t.kind() != "video") {
            continue;
        }
        let params = sender.get_parameters();
        let Some(first) = first_encoding(&params) else {
            continue;
        };
        let wanted = [
            ("scaleResolutionDownBy", scale),
            ("maxBitrate", f64::from(MAX_VIDEO_BITRATE)),
        ];
        let current = |key: &str| {
            js_sys::Reflect::get(&first, &key.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        if wanted
            .iter()
            .all(|(key, v)| current(key).is_some_and(|c| (c - v).abs() < 1e-6))
        {
            continue;
        }
        for (key, v) in wanted {
            let _ = js_sys::Reflect::set(&first, &key.into(), &JsValue::from_f64(v));
        }
        spawn_local(async move {
            if let Err(error) = JsFuture::from(sender.set_parameters_with_parameters(&params)).await
            {
                web_sys::console::debug_2(&"video scale not applied".into(), &error);
            }
        });
    }
}

fn first_encoding(params: &RtcRtpParameters) -> Option<JsValue> {
    let encodings = js_sys::Reflect::get(params, &"encodings".into()).ok()?;
    let encodings = encodings.dyn_into::<js_sys::Array>().ok()?;
    let first = encodings.get(0);
    first.is_object().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::scale_for_room;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn bigger_rooms_send_smaller_video() {
        assert_eq!(scale_for_room(1), 1.0);
        assert_eq!(scale_for_room(2), 1.0);
        let scales: Vec<f64> = (2..=8).map(scale_for_room).collect();
        assert!(scales.windows(2).all(|w| w[0] <= w[1]), "{scales:?}");
        // A 4-member grid cell is 400×225: the 640×480 camera halved still fills it.
        assert_eq!(scale_for_room(4), 2.0);
    }
}
