//! The local camera: getUserMedia and the reasons it can fail, in words.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints};

/// Why there is no camera picture, as shown to the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    #[error("Camera blocked: allow camera access in your browser's site settings, then reload.")]
    Blocked,
    #[error("No camera found.")]
    Missing,
    #[error("The camera is in use by another app. Close it and reload.")]
    Busy,
    #[error("This page needs a secure connection (https) to use the camera.")]
    Insecure,
    #[error("The camera could not start ({0}).")]
    Other(String),
}

impl CameraError {
    fn from_js(error: &JsValue) -> Self {
        let name = error
            .dyn_ref::<web_sys::DomException>()
            .map(|e| e.name())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "SecurityError" => Self::Blocked,
            "NotFoundError" | "OverconstrainedError" => Self::Missing,
            "NotReadableError" | "AbortError" => Self::Busy,
            "" => Self::Other(format!("{error:?}")),
            other => Self::Other(other.to_owned()),
        }
    }
}

/// Opens the front camera at a size that suits a grid tile.
pub async fn open_camera() -> Result<MediaStream, CameraError> {
    let window = web_sys::window().ok_or(CameraError::Missing)?;
    // Without a secure context `mediaDevices` is undefined, not an error.
    let devices = window
        .navigator()
        .media_devices()
        .map_err(|_| CameraError::Insecure)?;
    if JsValue::from(devices.clone()).is_undefined() {
        return Err(CameraError::Insecure);
    }
    let video = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&video, &key.into(), &value);
    };
    set("width", ideal(640.0));
    set("height", ideal(480.0));
    set("facingMode", "user".into());
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| CameraError::from_js(&e))?;
    let stream = JsFuture::from(promise)
        .await
        .map_err(|e| CameraError::from_js(&e))?;
    stream
        .dyn_into::<MediaStream>()
        .map_err(|_| CameraError::Other("not a stream".into()))
}

fn ideal(value: f64) -> JsValue {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &"ideal".into(), &value.into());
    object.into()
}

/// Stops every track so the camera light goes off.
pub fn stop_stream(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// A page's camera preview: opens the camera into `video` unless one is open, keeps the
/// stream in `stream` (the page stops it on cleanup), and stops it at once if the page
/// closed (`alive` false) while the camera was starting. `on_error` gets why it failed.
pub fn start_camera_into(
    video: leptos::prelude::NodeRef<leptos::html::Video>,
    stream: leptos::prelude::StoredValue<Option<MediaStream>, leptos::prelude::LocalStorage>,
    alive: leptos::prelude::StoredValue<bool>,
    on_error: impl FnOnce(CameraError) + 'static,
) {
    use leptos::prelude::*;
    if stream.with_value(|s| s.is_some()) {
        return;
    }
    leptos::task::spawn_local(async move {
        match open_camera().await {
            Ok(s) => {
                if !alive.get_value() {
                    stop_stream(&s);
                    return;
                }
                if let Some(v) = video.get_untracked() {
                    v.set_src_object(Some(&s));
                    let _ = v.play();
                }
                stream.set_value(Some(s));
            }
            Err(e) => on_error(e),
        }
    });
}

/// Copies camera frames out of a `<video>` for a worker: at most one copy in progress, and
/// each frame (see [`frame_key`]) copied once. Copying costs the UI thread, so the caller
/// passes `wanted` only when the worker will take the frame.
#[derive(Clone, Default)]
pub struct FrameGrabber(std::rc::Rc<std::cell::Cell<(bool, f64)>>);

/// Which camera frame the video shows: the count of frames it has shown. Its clock
/// (`currentTime`) also moves between frames, and keying on it sent the same frame to
/// the worker two or three times (and counted it as many times in the frame rate).
pub fn frame_key(video: &web_sys::HtmlVideoElement) -> f64 {
    match video.get_video_playback_quality().total_video_frames() {
        0 => video.current_time(),
        n => f64::from(n),
    }
}

impl FrameGrabber {
    /// Starts copying `video`'s current frame when it is new and wanted; `take` gets the bitmap.
    pub fn grab(
        &self,
        video: &web_sys::HtmlVideoElement,
        wanted: bool,
        take: impl FnOnce(web_sys::ImageBitmap) + 'static,
    ) {
        let key = frame_key(video);
        let (busy, last) = self.0.get();
        if busy || key == last || !wanted || video.ready_state() < 2 {
            return;
        }
        let Some(Ok(promise)) =
            web_sys::window().map(|w| w.create_image_bitmap_with_html_video_element(video))
        else {
            return;
        };
        self.0.set((true, key));
        let state = self.0.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let bitmap = JsFuture::from(promise).await;
            state.set((false, state.get().1));
            if let Ok(bitmap) = bitmap {
                take(bitmap.unchecked_into());
            }
        });
    }
}
