//! The vision client against a stand-in worker (plain JS from a Blob URL) that
//! takes 80 ms per frame: messages sent before the worker listens are kept, and a
//! burst of frames ends with the first and the newest processed, the rest dropped.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use huddle_app::vision::client::{VisionClient, VisionEvent};
use huddle_app::vision::messages::{FrameRequest, FrameView, ModelChoice};
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{ImageBitmap, ImageData};

wasm_bindgen_test_configure!(run_in_browser);

/// Waits a little before listening (so early messages would be lost without the
/// client's buffering), then answers like the real worker.
const STAND_IN: &str = r#"
await new Promise((r) => setTimeout(r, 200));
onmessage = (e) => {
  const m = JSON.parse(e.data.meta);
  if (m.type === 'load') {
    postMessage({ meta: JSON.stringify({ type: 'ready', models: [] }) });
  } else if (m.type === 'frame') {
    const t = performance.now();
    while (performance.now() - t < 80) {}
    const b = e.data.bitmap;
    const width = b.width, height = b.height;
    b.close();
    postMessage({ meta: JSON.stringify({ type: 'frame', id: m.id, width, height, person: null,
      coverage: 0, faces: [], timings: { read: 0, segment: 0, faces: 0, compose: 0, total: 80 } }) });
  }
};
postMessage({ meta: JSON.stringify({ type: 'started' }) });
"#;

fn blob_url(source: &str) -> String {
    let parts = js_sys::Array::of1(&source.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).expect("blob");
    web_sys::Url::create_object_url_with_blob(&blob).expect("object URL")
}

async fn bitmap(width: u32) -> ImageBitmap {
    let pixels = vec![128u8; (width * 8 * 4) as usize];
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), width, 8)
        .expect("image data");
    let window = web_sys::window().expect("window");
    let promise = window
        .create_image_bitmap_with_image_data(&data)
        .expect("createImageBitmap");
    JsFuture::from(promise)
        .await
        .expect("bitmap")
        .unchecked_into()
}

async fn next(rx: &mut mpsc::UnboundedReceiver<VisionEvent>, what: &str) -> VisionEvent {
    match select(rx.next(), TimeoutFuture::new(5_000)).await {
        Either::Left((Some(ev), _)) => ev,
        Either::Left((None, _)) => panic!("event stream ended while waiting for {what}"),
        Either::Right(_) => panic!("timed out after 5 s waiting for {what}"),
    }
}

fn request() -> FrameRequest {
    FrameRequest {
        id: 0,
        segment: true,
        faces: false,
        view: FrameView::None,
        still: false,
    }
}

#[wasm_bindgen_test]
async fn a_burst_of_frames_keeps_only_the_newest_waiting() {
    let (tx, mut rx) = mpsc::unbounded();
    let tx = Rc::new(RefCell::new(tx));
    let sink = tx.clone();
    let client = VisionClient::spawn(&blob_url(STAND_IN), move |ev| {
        let _ = sink.borrow().unbounded_send(ev);
    })
    .expect("spawn");
    // Sent before the stand-in listens: must still arrive.
    client.load("/models/", ModelChoice::default());
    assert!(matches!(
        next(&mut rx, "ready").await,
        VisionEvent::Ready(_)
    ));

    // Six frames of different widths, offered back to back.
    let mut bitmaps = Vec::new();
    for i in 0..6 {
        bitmaps.push(bitmap(10 + i).await);
    }
    let ids: Vec<u64> = bitmaps
        .into_iter()
        .map(|b| client.submit(request(), b))
        .collect();
    assert!(client.is_busy(), "the first frame is in flight");

    let mut done = Vec::new();
    while done.len() < 2 {
        match next(&mut rx, "frame results").await {
            VisionEvent::Frame(out) => done.push((out.result.id, out.result.width)),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(
        done,
        vec![(ids[0], 10), (ids[5], 15)],
        "first and newest frames processed"
    );
    assert_eq!(
        client.dropped(),
        4,
        "frames replaced while the worker was busy"
    );
    // Nothing else comes.
    if let Either::Left((Some(ev), _)) = select(rx.next(), TimeoutFuture::new(400)).await {
        panic!("unexpected extra event {ev:?}");
    }
    assert!(!client.is_busy());
}

#[wasm_bindgen_test]
async fn a_worker_that_cannot_start_is_reported() {
    let (tx, mut rx) = mpsc::unbounded();
    let _client = VisionClient::spawn(&blob_url("throw new Error('boom');"), move |ev| {
        let _ = tx.unbounded_send(ev);
    })
    .expect("spawn");
    match next(&mut rx, "the crash report").await {
        VisionEvent::Crashed(message) => assert!(message.contains("boom"), "{message}"),
        other => panic!("unexpected event {other:?}"),
    }
}
