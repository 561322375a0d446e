//! The few WebCodecs calls the app makes (VideoEncoder, VideoDecoder, VideoFrame,
//! EncodedVideoChunk, and Chrome's MediaStreamTrackGenerator). They are not in
//! web-sys's stable API, so they go through `Reflect`.

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlCanvasElement;

/// The global constructor `name`, if this browser has it.
pub fn constructor(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// `new name(...args)`.
pub fn construct(name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let class = constructor(name)
        .ok_or_else(|| JsValue::from_str(&format!("this browser has no {name}")))?;
    let list: Array = args.iter().copied().collect();
    Reflect::construct(&class, &list)
}

/// `target.method(...args)`.
pub fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    let list: Array = args.iter().copied().collect();
    f.apply(target, &list)
}

/// A plain object with these fields.
pub fn object(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

/// A number property (0 when missing).
pub fn number(target: &JsValue, key: &str) -> f64 {
    Reflect::get(target, &key.into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// A `VideoEncoder` making real-time VP8 of `size` at `bitrate`, reporting to
/// `output` (chunk, metadata) and `error`. Real time: libvpx's speed settings (with
/// the default, "quality", a busy device fell seconds behind).
pub fn vp8_encoder(
    output: &JsValue,
    error: &JsValue,
    size: (u32, u32),
    bitrate: f64,
) -> Result<JsValue, JsValue> {
    let init = object(&[("output", output.clone()), ("error", error.clone())]);
    let encoder = construct("VideoEncoder", &[init.as_ref()])?;
    let config = object(&[
        ("codec", "vp8".into()),
        ("width", size.0.into()),
        ("height", size.1.into()),
        ("bitrate", bitrate.into()),
        ("framerate", 30.into()),
        ("latencyMode", "realtime".into()),
    ]);
    call(&encoder, "configure", &[&config])?;
    Ok(encoder)
}

/// Whether a `VideoEncoder` or `VideoDecoder` is configured (not closed by an error).
pub fn is_configured(codec: &JsValue) -> bool {
    Reflect::get(codec, &"state".into())
        .ok()
        .and_then(|s| s.as_string())
        .as_deref()
        == Some("configured")
}

/// A `VideoFrame` of the canvas as it is now, stamped `timestamp_us`. The caller
/// closes it.
pub fn canvas_frame(canvas: &HtmlCanvasElement, timestamp_us: f64) -> Result<JsValue, JsValue> {
    let options = object(&[("timestamp", timestamp_us.round().into())]);
    construct("VideoFrame", &[canvas.as_ref(), options.as_ref()])
}

/// An `EncodedVideoChunk`'s bytes, timestamp (µs) and whether it is a key frame.
pub fn chunk_parts(chunk: &JsValue) -> Result<(Vec<u8>, i64, bool), JsValue> {
    let bytes = Uint8Array::new_with_length(number(chunk, "byteLength") as u32);
    call(chunk, "copyTo", &[bytes.as_ref()])?;
    let timestamp_us = number(chunk, "timestamp") as i64;
    let key = Reflect::get(chunk, &"type".into())?.as_string().as_deref() == Some("key");
    Ok((bytes.to_vec(), timestamp_us, key))
}
