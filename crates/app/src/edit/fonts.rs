//! The bundled fonts for text on photos, fetched once when an editor first opens.

use std::cell::RefCell;
use std::rc::Rc;

use huddle_vision::edit::Fonts;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const FILES: [&str; 3] = [
    "/fonts/DejaVuSans-Bold.ttf",
    "/fonts/DejaVuSerif-Bold.ttf",
    "/fonts/DejaVuSansMono-Bold.ttf",
];

thread_local! {
    static LOADED: RefCell<Option<Rc<Fonts>>> = const { RefCell::new(None) };
}

/// Bytes of `url`, or why not.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched"))?
        .dyn_into()
        .map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = response.array_buffer().map_err(|_| "no body".to_string())?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|_| format!("{url} stopped arriving"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The fonts, fetched on first use.
pub async fn fonts() -> Result<Rc<Fonts>, String> {
    if let Some(f) = LOADED.with(|l| l.borrow().clone()) {
        return Ok(f);
    }
    let (sans, serif, mono) = futures::join!(
        fetch_bytes(FILES[0]),
        fetch_bytes(FILES[1]),
        fetch_bytes(FILES[2])
    );
    let fonts = Fonts::from_bytes(sans?, serif?, mono?).map_err(|e| e.to_string())?;
    let fonts = Rc::new(fonts);
    LOADED.with(|l| l.replace(Some(fonts.clone())));
    Ok(fonts)
}
