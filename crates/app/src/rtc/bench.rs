//! A measuring hook for the data-channel round-trip benchmark (tests/e2e/bench).

use wasm_bindgen::prelude::*;

use super::mesh::Mesh;

/// Sends `count` pings, one after another, to the first member whose data channel is open,
/// and returns `{"samples":N,"median_ms":M,"p95_ms":P}` as JSON.
#[wasm_bindgen]
pub async fn measure_round_trips(count: u32) -> Result<String, JsValue> {
    // The bench calls this as soon as both members are listed: give the channel time to open.
    let mut member = None;
    for _ in 0..100 {
        member = Mesh::active().and_then(|m| m.open_members().first().copied());
        if member.is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    let member = member.ok_or_else(|| JsValue::from_str("no open data channel after 10 s"))?;
    let mesh = Mesh::active().ok_or_else(|| JsValue::from_str("not in a room"))?;
    let mut samples = Vec::with_capacity(count as usize);
    for _ in 0..count {
        if let Some(rtt) = mesh.ping(member).await {
            samples.push(rtt);
        }
    }
    if samples.is_empty() {
        return Err(JsValue::from_str("no ping was answered"));
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Ok(format!(
        "{{\"samples\":{},\"median_ms\":{:.3},\"p95_ms\":{:.3}}}",
        samples.len(),
        at(0.5),
        at(0.95)
    ))
}

/// The live video as this page has received it over the last `window_ms`: frames
/// decoded, and the median and 95th percentile of the time from the sender's camera
/// frame to its decoding here (wall clocks: meaningful when the browsers share a
/// machine, as in the room bench), plus the frames this page has encoded in all
/// and the medians over the window of the path's stages: from my camera to my
/// encoder and out of it, and from the senders' cameras to frames arriving here.
/// Returns `{"decoded":N,"median_ms":M,"p95_ms":P,"encoded":E,"to_encoder_ms":T,
/// "to_encoded_ms":U,"to_received_ms":R,"shown":S,"to_shown_ms":V,"to_shown_p95_ms":W,
/// "to_rendered_ms":X,"to_rendered_p95_ms":Y}` as JSON, the last five for other members'
/// pictures from their cameras to my preview: drawn on its canvas, and to the page's
/// next rendering after that (when the canvas goes to the screen).
#[wasm_bindgen]
pub fn live_media_stats(window_ms: f64) -> String {
    let (n, median, p95) = super::media::latency_stats(window_ms);
    let [(_, to_encoder, _), (_, to_encoded, _), (_, to_received, _)] =
        super::media::path_stats(window_ms);
    let (shown, to_shown, to_shown_p95) = super::media::shown_stats(window_ms);
    let (_, to_rendered, to_rendered_p95) = super::media::rendered_stats(window_ms);
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x:.1}")
        } else {
            "null".into()
        }
    };
    format!(
        "{{\"decoded\":{n},\"median_ms\":{},\"p95_ms\":{},\"encoded\":{},\"to_encoder_ms\":{},\"to_encoded_ms\":{},\"to_received_ms\":{},\"shown\":{shown},\"to_shown_ms\":{},\"to_shown_p95_ms\":{},\"to_rendered_ms\":{},\"to_rendered_p95_ms\":{}}}",
        num(median),
        num(p95),
        super::media::frames_encoded(),
        num(to_encoder),
        num(to_encoded),
        num(to_received),
        num(to_shown),
        num(to_shown_p95),
        num(to_rendered),
        num(to_rendered_p95)
    )
}
