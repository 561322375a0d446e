//! "Save edited photo": the document rendered at the photo's full size by the
//! same code that draws the editor, encoded and handed to the browser as a download.

use std::rc::Rc;

use huddle_vision::edit::{export_size, render_edit, Fonts};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Blob, HtmlAnchorElement};

use super::elements::{drawable, frame};
use super::pixels::encode;
use super::room_edits::RoomEdits;
use crate::live::dom::create;

/// JPEG quality of "Save as JPEG", as for the album's photos.
const JPEG_QUALITY: f64 = 0.92;

/// Renders the edited photo at full size and downloads it; returns what to tell the person.
pub async fn export(edits: RoomEdits, shot: u64, fonts: Option<Rc<Fonts>>, jpeg: bool) -> String {
    let (Some(photo), Some(snap), Some(fonts)) = (edits.photo(shot), edits.snapshot(shot), fonts)
    else {
        return "The photo is not ready yet: try again in a moment.".into();
    };
    let f = frame(&snap.frame);
    let (w, _) = export_size(photo.pixels.width, photo.pixels.height, &f);
    let (_, elements) = drawable(&snap);
    let img = render_edit(&photo.pixels, &f, &elements, &fonts, w);
    let (mime, quality, ext) = if jpeg {
        ("image/jpeg", Some(JPEG_QUALITY), "jpg")
    } else {
        ("image/png", None, "png")
    };
    let Some(blob) = encode(&img, mime, quality).await else {
        return "The browser could not encode the photo.".into();
    };
    let name = format!("huddle-edited-{shot}.{ext}");
    match download(&blob, &name) {
        Ok(()) => format!("Saved {name} ({}×{}).", img.width, img.height),
        Err(_) => "The browser refused the download.".into(),
    }
}

fn download(blob: &Blob, name: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let a: HtmlAnchorElement = create("a")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The download has started from the URL; free it once the browser had time to read it.
    spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}
