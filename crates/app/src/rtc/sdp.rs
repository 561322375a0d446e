//! Small bridges to RTCPeerConnection calls that web-sys does not expose in the form
//! perfect negotiation needs.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

/// `pc.setLocalDescription()` with no argument: the browser makes the right offer or
/// answer for the current signalling state, which is what makes perfect negotiation
/// free of races between creating and setting a description.
pub async fn set_local_description_implicit(pc: &RtcPeerConnection) -> Result<(), JsValue> {
    let method: Function = Reflect::get(pc, &"setLocalDescription".into())?.dyn_into()?;
    let promise: Promise = method.call0(pc)?.dyn_into()?;
    JsFuture::from(promise).await.map(|_| ())
}

/// `pc.restartIce()`, present in every current browser.
pub fn restart_ice(pc: &RtcPeerConnection) {
    if let Ok(method) =
        Reflect::get(pc, &"restartIce".into()).and_then(|m| m.dyn_into::<Function>())
    {
        let _ = method.call0(pc);
    }
}
