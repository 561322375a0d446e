//! The microphone's loudness, for the voice shot: an analyser on the mic
//! stream, read ten times a second and reported on a 0..1 scale.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AnalyserNode, AudioContext, MediaStream, MediaStreamConstraints};

use crate::camera::stop_stream;

/// How often the level is read.
const READ_EVERY_MS: u32 = 100;
/// The quietest level shown above zero, in dB below full scale: room noise sits
/// near the bottom of the meter, a shout near the top.
const FLOOR_DB: f32 = 60.0;

/// What the meter tells its owner.
pub enum VoiceEvent {
    /// Loudness now, 0 (silence) to 1 (full scale).
    Level(f32),
    /// The microphone could not be opened; the sentence says why.
    Failed(String),
}

struct Live {
    stream: MediaStream,
    _timer: Interval,
}

/// Listens while it lives.
pub struct VoiceMeter {
    context: AudioContext,
    live: Rc<RefCell<Option<Live>>>,
}

impl VoiceMeter {
    /// Call from a user gesture (the toggle's click): browsers only let an audio
    /// context run when it is created in one.
    pub fn start(on_event: impl Fn(VoiceEvent) + 'static) -> Result<Self, JsValue> {
        let context = AudioContext::new()?;
        let live: Rc<RefCell<Option<Live>>> = Rc::default();
        let on_event = Rc::new(on_event);
        let (ctx, slot) = (context.clone(), Rc::downgrade(&live));
        spawn_local(async move {
            match open(&ctx, on_event.clone()).await {
                Ok(opened) => match slot.upgrade() {
                    Some(slot) => *slot.borrow_mut() = Some(opened),
                    // Switched off while the browser asked for the microphone.
                    None => stop_stream(&opened.stream),
                },
                Err(e) => on_event(VoiceEvent::Failed(describe(&e))),
            }
        });
        Ok(Self { context, live })
    }
}

impl Drop for VoiceMeter {
    fn drop(&mut self) {
        if let Some(live) = self.live.borrow_mut().take() {
            stop_stream(&live.stream);
        }
        let _ = self.context.close();
    }
}

async fn open(context: &AudioContext, on_event: Rc<dyn Fn(VoiceEvent)>) -> Result<Live, JsValue> {
    let devices = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .navigator()
        .media_devices()?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let stream: MediaStream =
        JsFuture::from(devices.get_user_media_with_constraints(&constraints)?)
            .await?
            .dyn_into()?;
    let _ = JsFuture::from(context.resume()?).await;
    let source = context.create_media_stream_source(&stream)?;
    let analyser = context.create_analyser()?;
    analyser.set_fft_size(2048);
    source.connect_with_audio_node(&analyser)?;
    let mut samples = vec![0f32; analyser.fft_size() as usize];
    let timer = Interval::new(READ_EVERY_MS, move || {
        on_event(VoiceEvent::Level(read_level(&analyser, &mut samples)));
    });
    Ok(Live {
        stream,
        _timer: timer,
    })
}

fn read_level(analyser: &AnalyserNode, samples: &mut [f32]) -> f32 {
    analyser.get_float_time_domain_data(samples);
    level_of(samples)
}

/// The RMS of `samples` on the meter's scale: 0 at [`FLOOR_DB`] below full scale or quieter, 1 at full scale.
fn level_of(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let rms = (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt();
    if rms <= 0.0 {
        return 0.0;
    }
    ((20.0 * rms.log10() + FLOOR_DB) / FLOOR_DB).clamp(0.0, 1.0)
}

fn describe(e: &JsValue) -> String {
    let name = e
        .dyn_ref::<web_sys::DomException>()
        .map(|d| d.name())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => {
            "The voice shot needs your microphone. Allow it in the browser's site settings.".into()
        }
        "NotFoundError" => "No microphone was found for the voice shot.".into(),
        _ => "The microphone could not be opened for the voice shot.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::level_of;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn level_scale() {
        assert_eq!(level_of(&[]), 0.0);
        assert_eq!(level_of(&[0.0; 64]), 0.0);
        // A full-scale square wave is the top of the meter.
        let full: Vec<f32> = (0..64)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert!((level_of(&full) - 1.0).abs() < 1e-6);
        // -30 dBFS is halfway on a 60 dB meter.
        let half = vec![10f32.powf(-30.0 / 20.0); 64];
        assert!((level_of(&half) - 0.5).abs() < 1e-4);
        // Quieter than the floor is zero.
        assert_eq!(level_of(&[1e-5; 64]), 0.0);
    }
}
