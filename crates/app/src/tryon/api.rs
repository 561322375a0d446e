//! The posts HTTP API (`docs/protocol.md`, "Posts (HTTP)"): the item catalogue, the
//! feed, and uploads with real progress.
//!
//! Uploads use `XMLHttpRequest` rather than `fetch` because only it reports how
//! much of the body has gone out (`upload.onprogress`); the post's details ride
//! in a percent-encoded header so the body is the plain video.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use huddle_protocol::posts::{Item, NewPost, Post, PostRefusal, NEW_POST_HEADER};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("Huddle's server cannot be reached. Check your connection and try again.")]
    Network,
    /// The server's own sentence (too large, wrong type, too long, …).
    #[error("{0}")]
    Refused(String),
    #[error("The server sent an answer Huddle does not understand.")]
    BadAnswer,
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::BadAnswer)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiError::BadAnswer)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        return Err(refusal(&text));
    }
    serde_json::from_str(&text).map_err(|_| ApiError::BadAnswer)
}

fn refusal(body: &str) -> ApiError {
    serde_json::from_str::<PostRefusal>(body)
        .map(|r| ApiError::Refused(r.message))
        .unwrap_or(ApiError::BadAnswer)
}

pub async fn items() -> Result<Vec<Item>, ApiError> {
    get_json("/api/items").await
}

pub async fn posts() -> Result<Vec<Post>, ApiError> {
    get_json("/api/posts").await
}

/// Sends `video` with `details`; `progress` gets the share sent (0..1) as it goes.
pub async fn upload(
    video: &Blob,
    details: &NewPost,
    progress: impl Fn(f64) + 'static,
) -> Result<Post, ApiError> {
    let xhr = XmlHttpRequest::new().map_err(|_| ApiError::Network)?;
    xhr.open("POST", "/api/posts")
        .map_err(|_| ApiError::Network)?;
    let json = serde_json::to_string(details).map_err(|_| ApiError::BadAnswer)?;
    let encoded = String::from(js_sys::encode_uri_component(&json));
    xhr.set_request_header(NEW_POST_HEADER, &encoded)
        .map_err(|_| ApiError::Network)?;
    xhr.set_request_header("content-type", "video/webm")
        .map_err(|_| ApiError::Network)?;

    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            progress(ev.loaded() / ev.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let (tx, rx) = oneshot::channel::<bool>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let finish = |ok: bool| {
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(ok);
            }
        })
    };
    let (on_load, on_error) = (finish(true), finish(false));
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_error.as_ref().unchecked_ref()));
    xhr.send_with_opt_blob(Some(video))
        .map_err(|_| ApiError::Network)?;
    let answered = rx.await.unwrap_or(false);
    // The callbacks must outlive the request; they go now.
    drop((on_progress, on_load, on_error));
    if !answered {
        return Err(ApiError::Network);
    }
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    match xhr.status().unwrap_or(0) {
        201 => serde_json::from_str(&body).map_err(|_| ApiError::BadAnswer),
        _ => Err(refusal(&body)),
    }
}
