//! The vision client against a stand-in worker (plain JS from a Blob URL) that
//! takes 80 ms per frame: messages sent before the worker listens are kept, and a
//! burst of frames ends with the first and the newest processed, the rest dropped.
//! The person/face pair against two such stand-ins: each worker gets its half of
//! the frame and the halves come back joined.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use huddle_app::vision::client::{VisionClient, VisionEvent};
use huddle_app::vision::messages::{FrameRequest, FrameView, ModelChoice};
use huddle_app::vision::pair::VisionPair;
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
        makeup: None,
        read_size: None,
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

/// Answers the half of the frame it was asked for: the person worker a box and
/// (when asked) pixels after 60 ms, the face worker one face with its points
/// after 90 ms, at the size it was asked to read the frame at. Each says which
/// models it was asked to load.
const HALF_STAND_IN: &str = r#"
onmessage = (e) => {
  const m = JSON.parse(e.data.meta);
  if (m.type === 'load') {
    const files = [];
    if (m.models.segmentation) files.push('person.onnx');
    if (m.models.landmarks) files.push('face.onnx');
    const models = files.map((file) => ({ file, bytes: 1, download_ms: 0, prepare_ms: 0 }));
    postMessage({ meta: JSON.stringify({ type: 'ready', models }) });
  } else if (m.type === 'frame') {
    const ms = m.faces ? 90 : 60;
    const t = performance.now();
    while (performance.now() - t < ms) {}
    const b = e.data.bitmap;
    const [width, height] = m.read_size || [b.width, b.height];
    b.close();
    const faces = m.faces ? [{ bbox: [1, 2, 3, 4], lips_outer: [], lips_inner: [], yaw: 0, pitch: 0,
      roll: 0, smile: 0.75, eye_openness: [1, 1], mouth_openness: 0 }] : [];
    const timings = { read: 1, segment: m.segment ? ms : 0, faces: m.faces ? ms : 0, compose: 0, total: ms };
    const meta = JSON.stringify({ type: 'frame', id: m.id, width, height,
      person: m.segment ? [5, 6, 7, 8] : null, coverage: m.segment ? 0.5 : 0, faces, timings });
    const image = m.view !== 'none' ? new Uint8ClampedArray(width * height * 4) : undefined;
    const landmarks = m.faces ? new Float32Array(468 * 3).fill(2) : undefined;
    postMessage({ meta, image, landmarks });
  }
};
postMessage({ meta: JSON.stringify({ type: 'started' }) });
"#;

/// A pair of [`HALF_STAND_IN`]s, asked to load both models; its events come on the receiver.
fn half_stand_in_pair() -> (VisionPair, mpsc::UnboundedReceiver<VisionEvent>) {
    let (tx, rx) = mpsc::unbounded();
    let pair = VisionPair::spawn(&blob_url(HALF_STAND_IN), move |ev| {
        let _ = tx.unbounded_send(ev);
    })
    .expect("spawn");
    pair.load(
        "/models/",
        ModelChoice {
            segmentation: Some(Default::default()),
            landmarks: Some(Default::default()),
        },
    );
    (pair, rx)
}

#[wasm_bindgen_test]
async fn the_pair_splits_each_frame_and_joins_the_halves() {
    let (pair, mut rx) = half_stand_in_pair();
    match next(&mut rx, "ready").await {
        VisionEvent::Ready(models) => {
            let mut files: Vec<String> = models.into_iter().map(|m| m.file).collect();
            files.sort();
            assert_eq!(
                files,
                ["face.onnx", "person.onnx"],
                "each worker loads its own model"
            );
        }
        other => panic!("unexpected event {other:?}"),
    }

    let mut bitmaps = Vec::new();
    for i in 0..4 {
        bitmaps.push(bitmap(20 + i).await);
    }
    let req = FrameRequest {
        faces: true,
        view: FrameView::CutOut,
        ..request()
    };
    assert!(pair.wants_frame(), "idle workers want a frame");
    let ids: Vec<u64> = bitmaps.into_iter().map(|b| pair.submit(req, b)).collect();
    assert!(pair.is_busy());
    assert!(!pair.wants_frame(), "a frame is already waiting");

    let mut done = Vec::new();
    while done.len() < 2 {
        match next(&mut rx, "joined frames").await {
            VisionEvent::Frame(out) => {
                let r = &out.result;
                assert_eq!(r.person, Some([5.0, 6.0, 7.0, 8.0]), "the person half");
                assert_eq!(r.faces.len(), 1, "the face half");
                assert_eq!(r.faces[0].smile, 0.75);
                assert_eq!(out.landmarks.len(), 468 * 3);
                let image = out.image.as_ref().expect("pixels from the person worker");
                assert_eq!(image.length(), r.width * 8 * 4);
                assert_eq!((r.timings.segment, r.timings.faces), (60.0, 90.0));
                assert_eq!(r.timings.total, 90.0, "the slower worker's time");
                done.push((r.id, r.width));
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(done, vec![(ids[0], 20), (ids[3], 23)]);
    assert_eq!(pair.dropped(), 2);
    if let Either::Left((Some(ev), _)) = select(rx.next(), TimeoutFuture::new(400)).await {
        panic!("unexpected extra event {ev:?}");
    }
    assert!(!pair.is_busy());
    assert!(pair.wants_frame());
}

#[wasm_bindgen_test]
async fn a_frame_read_smaller_for_the_person_keeps_faces_at_full_size_and_joins_them_in_its_pixels()
{
    let (pair, mut rx) = half_stand_in_pair();
    assert!(matches!(
        next(&mut rx, "ready").await,
        VisionEvent::Ready(_)
    ));

    let req = FrameRequest {
        faces: true,
        view: FrameView::Packed,
        read_size: Some((20, 4)),
        ..request()
    };
    pair.submit(req, bitmap(40).await);
    match next(&mut rx, "the joined frame").await {
        VisionEvent::Frame(out) => {
            let r = &out.result;
            assert_eq!((r.width, r.height), (20, 4), "the person worker's size");
            let image = out.image.as_ref().expect("pixels");
            assert_eq!(image.length(), 20 * 4 * 4);
            // The face worker read the whole 40×8 frame: its findings are halved.
            assert_eq!(r.faces[0].bbox, [0.5, 1.0, 1.5, 2.0]);
            assert!(
                out.landmarks.iter().all(|&v| v == 1.0),
                "{:?}",
                &out.landmarks[..6]
            );
        }
        other => panic!("unexpected event {other:?}"),
    }
}
