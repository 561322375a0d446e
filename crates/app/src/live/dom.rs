//! Small DOM helpers the live picture's loops share.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A new element of type `T`, not attached anywhere.
pub fn create<T: JsCast>(tag: &str) -> Result<T, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?
        .create_element(tag)?
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str("unexpected element type"))
}

pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2D context"))?
        .dyn_into()
        .map_err(|_| JsValue::from_str("not a 2D context"))
}

/// The file just chosen in the `<input type="file">` that fired `ev`. The input
/// is cleared, so choosing the same file again fires `change` again.
pub fn take_chosen_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0);
    input.set_value("");
    file
}

/// Calls `tick` on every animation frame until it returns false.
pub fn animation_loop(mut tick: impl FnMut() -> bool + 'static) {
    type Slot = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;
    let slot: Slot = Rc::default();
    let again = slot.clone();
    *slot.borrow_mut() = Some(Closure::new(move || {
        if !tick() {
            // Free the closure after this call returns, not while it runs.
            let again = again.clone();
            wasm_bindgen_futures::spawn_local(async move {
                again.borrow_mut().take();
            });
            return;
        }
        if let (Some(w), Some(cb)) = (web_sys::window(), again.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    let first = slot.borrow();
    if let (Some(w), Some(cb)) = (web_sys::window(), first.as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}

/// Milliseconds on the page's clock.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
