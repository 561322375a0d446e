//! The UI side of the compose worker: spawns it, sends it one frame of the group
//! picture at a time and hands back the painted bitmap.
//!
//! Unlike the vision client nothing waits here: the caller builds a frame only
//! when [`ComposeClient::is_idle`], and a frame offered while busy is refused
//! (its bitmaps closed at once), because the members' pictures are newest when
//! the worker is free to take them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use huddle_protocol::SceneState;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ImageBitmap, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::js_text::js_text;

use super::messages::{
    ComposeRequest, ComposeTimings, FileType, FromCompose, PlacedMember, ToCompose,
};
use super::picture::{close_all, Picture};

/// Where trunk puts the worker's loader (`<bin>_loader.js`, see `index.html`).
pub const COMPOSE_WORKER_URL: &str = "/compose_worker_loader.js";

#[derive(Debug, thiserror::Error)]
pub enum ComposeClientError {
    #[error("This browser cannot start the picture worker: {0}")]
    Spawn(String),
    #[error("The picture worker is not ready yet.")]
    NotStarted,
    #[error("The picture could not be saved as a file: {0}")]
    Encode(String),
}

type EncodeReply = Result<Vec<Blob>, ComposeClientError>;

/// A painted group picture.
#[derive(Clone, Debug)]
pub struct ComposedFrame {
    pub id: u64,
    /// `width × height` of the request; the receiver owns it (and closes it).
    pub bitmap: ImageBitmap,
    pub members: Vec<PlacedMember>,
    pub timings: ComposeTimings,
}

/// What the worker reports.
#[derive(Clone, Debug)]
pub enum ComposeEvent {
    Frame(ComposedFrame),
    Failed {
        id: u64,
        message: String,
    },
    /// The worker itself failed (script missing, out of memory, a panic).
    Crashed(String),
}

struct State {
    started: bool,
    in_flight: Option<u64>,
    /// The custom background asked for before the worker listened.
    background: Option<(JsValue, js_sys::Array)>,
    /// The background to prepare, asked for before the worker listened.
    prepare: Option<JsValue>,
    /// Encodings sent, by id, waiting for their files.
    encodes: HashMap<u64, oneshot::Sender<EncodeReply>>,
    next_encode: u64,
}

/// Handle to one compose worker; dropping it terminates the worker.
pub struct ComposeClient {
    worker: Worker,
    state: RefCell<State>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for ComposeClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn encode(msg: &ToCompose) -> String {
    // Serialising these plain types cannot fail (no maps with non-string keys).
    serde_json::to_string(msg).unwrap_or_default()
}

fn message(meta: &ToCompose) -> js_sys::Object {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"meta".into(), &encode(meta).into());
    obj
}

/// The reply to an encoding: its id and files (or why there are none).
fn encode_reply(data: &JsValue) -> Option<(u64, EncodeReply)> {
    let meta = js_sys::Reflect::get(data, &"meta".into())
        .ok()?
        .as_string()?;
    match serde_json::from_str::<FromCompose>(&meta).ok()? {
        FromCompose::Encoded { id } => {
            let blobs = js_sys::Reflect::get(data, &"blobs".into())
                .ok()
                .and_then(|b| b.dyn_into::<js_sys::Array>().ok())
                .map(|list| {
                    list.iter()
                        .filter_map(|b| b.dyn_into::<Blob>().ok())
                        .collect()
                });
            Some((
                id,
                blobs.ok_or_else(|| ComposeClientError::Encode("the worker sent no files".into())),
            ))
        }
        FromCompose::EncodeFailed { id, message } => {
            Some((id, Err(ComposeClientError::Encode(message))))
        }
        _ => None,
    }
}

/// A worker message as an event. `None` for `Started`. A message that does not
/// decode fails the frame in flight, so the loop cannot stall on it.
fn decode(data: &JsValue, in_flight: Option<u64>) -> Option<ComposeEvent> {
    let meta = js_sys::Reflect::get(data, &"meta".into())
        .ok()
        .and_then(|m| m.as_string());
    let bitmap = || {
        js_sys::Reflect::get(data, &"bitmap".into())
            .ok()
            .and_then(|b| b.dyn_into::<ImageBitmap>().ok())
    };
    let msg = meta.and_then(|m| serde_json::from_str::<FromCompose>(&m).ok());
    Some(match msg {
        Some(FromCompose::Started) => return None,
        Some(FromCompose::Frame {
            id,
            members,
            timings,
        }) => match bitmap() {
            Some(bitmap) => ComposeEvent::Frame(ComposedFrame {
                id,
                bitmap,
                members,
                timings,
            }),
            None => ComposeEvent::Failed {
                id,
                message: "The worker sent no picture.".into(),
            },
        },
        Some(FromCompose::Failed { id, message }) => ComposeEvent::Failed { id, message },
        // Taken by `encode_reply` before this is asked.
        Some(FromCompose::Encoded { .. } | FromCompose::EncodeFailed { .. }) => return None,
        None => {
            if let Some(b) = bitmap() {
                b.close();
            }
            ComposeEvent::Failed {
                id: in_flight?,
                message: "The worker sent a message this page does not understand.".into(),
            }
        }
    })
}

impl ComposeClient {
    /// Starts the worker from trunk's loader; `on_event` gets every report.
    pub fn spawn(
        on_event: impl Fn(ComposeEvent) + 'static,
    ) -> Result<Rc<Self>, ComposeClientError> {
        Self::spawn_at(COMPOSE_WORKER_URL, on_event)
    }

    /// Starts the worker at `script_url` (a module script; tests use a stand-in).
    pub fn spawn_at(
        script_url: &str,
        on_event: impl Fn(ComposeEvent) + 'static,
    ) -> Result<Rc<Self>, ComposeClientError> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(script_url, &options)
            .map_err(|e| ComposeClientError::Spawn(js_text(&e)))?;
        let on_event = Rc::new(on_event);
        let client = Rc::new_cyclic(|weak: &Weak<Self>| {
            let on_message = {
                let (weak, on_event) = (weak.clone(), on_event.clone());
                Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                    let Some(client) = weak.upgrade() else { return };
                    if let Some(ev) = client.receive(&event.data()) {
                        on_event(ev);
                    }
                })
            };
            let on_error = {
                let (weak, on_event) = (weak.clone(), on_event.clone());
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    // Nothing more will come back for the frame in flight, nor for
                    // encodings (dropping their senders fails them).
                    if let Some(client) = weak.upgrade() {
                        let mut state = client.state.borrow_mut();
                        state.in_flight = None;
                        state.encodes.clear();
                    }
                    let message = js_sys::Reflect::get(&event, &"message".into())
                        .ok()
                        .and_then(|m| m.as_string())
                        .unwrap_or_else(|| "the picture worker could not start".into());
                    on_event(ComposeEvent::Crashed(message));
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Self {
                worker,
                state: RefCell::new(State {
                    started: false,
                    in_flight: None,
                    background: None,
                    prepare: None,
                    encodes: HashMap::new(),
                    next_encode: 0,
                }),
                _on_message: on_message,
                _on_error: on_error,
            }
        });
        Ok(client)
    }

    /// Updates the state for a worker message; the event to report, if any. The
    /// state is released before the caller reports, so `on_event` may submit.
    fn receive(&self, data: &JsValue) -> Option<ComposeEvent> {
        if let Some((id, reply)) = encode_reply(data) {
            let waiting = self.state.borrow_mut().encodes.remove(&id);
            if let Some(tx) = waiting {
                let _ = tx.send(reply);
            }
            return None;
        }
        let mut state = self.state.borrow_mut();
        let event = decode(data, state.in_flight);
        match &event {
            None => {
                state.started = true;
                if let Some((msg, transfer)) = state.background.take() {
                    self.post(&msg, &transfer);
                }
                if let Some(msg) = state.prepare.take() {
                    self.post(&msg, &js_sys::Array::new());
                }
            }
            Some(ComposeEvent::Frame(ComposedFrame { id, .. }))
            | Some(ComposeEvent::Failed { id, .. }) => {
                if state.in_flight == Some(*id) {
                    state.in_flight = None;
                }
            }
            Some(ComposeEvent::Crashed(_)) => state.in_flight = None,
        }
        event
    }

    fn post(&self, msg: &JsValue, transfer: &js_sys::Array) -> bool {
        match self.worker.post_message_with_transfer(msg, transfer) {
            Ok(()) => true,
            Err(e) => {
                web_sys::console::error_2(&"compose: post to worker failed".into(), &e);
                false
            }
        }
    }

    /// The worker listens and has no frame: a frame submitted now is taken.
    pub fn is_idle(&self) -> bool {
        let state = self.state.borrow();
        state.started && state.in_flight.is_none()
    }

    /// Sends a frame with `pictures` (indexed by the members' [`MemberPicture::New`])
    /// transferred to the worker. When the worker is not idle the frame is dropped,
    /// its pictures closed, and `false` returned.
    ///
    /// [`MemberPicture::New`]: super::messages::MemberPicture::New
    pub fn submit(&self, request: ComposeRequest, pictures: Vec<Picture>) -> bool {
        if !self.is_idle() {
            close_all(&pictures);
            return false;
        }
        let id = request.id;
        let msg = message(&ToCompose::Frame(request));
        let list: js_sys::Array = pictures.iter().map(Picture::as_js).collect();
        let _ = js_sys::Reflect::set(&msg, &"bitmaps".into(), &list);
        if !self.post(&msg, &list) {
            close_all(&pictures);
            return false;
        }
        self.state.borrow_mut().in_flight = Some(id);
        true
    }

    /// `bitmap` as picture files, one per `files` entry, encoded in the worker
    /// (so a busy page does not hold them up). The bitmap is transferred (the
    /// caller's handle is left empty) unless the worker has not started yet:
    /// then `NotStarted` comes back at once and the bitmap is untouched.
    pub fn encode(
        &self,
        bitmap: &ImageBitmap,
        files: Vec<FileType>,
    ) -> impl Future<Output = EncodeReply> + 'static {
        let (tx, rx) = oneshot::channel();
        let sent = {
            let mut state = self.state.borrow_mut();
            if state.started {
                let id = state.next_encode;
                state.next_encode += 1;
                let msg = message(&ToCompose::Encode { id, files });
                let list = js_sys::Array::of1(bitmap);
                let _ = js_sys::Reflect::set(&msg, &"bitmaps".into(), &list);
                let posted = self.post(&msg, &list);
                if posted {
                    state.encodes.insert(id, tx);
                }
                Some(posted)
            } else {
                None
            }
        };
        async move {
            match sent {
                None => Err(ComposeClientError::NotStarted),
                Some(false) => Err(ComposeClientError::Encode(
                    "the picture could not be sent to the worker".into(),
                )),
                Some(true) => rx.await.unwrap_or_else(|_| {
                    Err(ComposeClientError::Encode(
                        "the picture worker stopped".into(),
                    ))
                }),
            }
        }
    }

    /// The room's own background photo (`width × height` RGBA), used while the
    /// scene's background id is `custom`. The pixels are copied, so the caller's
    /// array stays usable (and may even be a view of wasm memory).
    /// Has the worker render `scene`'s background at `width × height` ahead of
    /// the frames that will need it (see [`ToCompose::Prepare`]).
    pub fn prepare(&self, width: u32, height: u32, scene: SceneState) {
        let msg: JsValue = message(&ToCompose::Prepare {
            width,
            height,
            scene,
        })
        .into();
        let mut state = self.state.borrow_mut();
        if state.started {
            self.post(&msg, &js_sys::Array::new());
        } else {
            // After the custom photo, if any: the newest scene is the one to prepare.
            state.prepare = Some(msg);
        }
    }

    pub fn set_custom_background(
        &self,
        width: u32,
        height: u32,
        pixels: js_sys::Uint8ClampedArray,
    ) {
        let own = js_sys::Uint8ClampedArray::new(&pixels);
        let msg = message(&ToCompose::CustomBackground { width, height });
        let _ = js_sys::Reflect::set(&msg, &"pixels".into(), &own);
        let transfer = js_sys::Array::of1(&own.buffer());
        let mut state = self.state.borrow_mut();
        if state.started {
            self.post(&msg, &transfer);
        } else {
            // Only the newest photo matters.
            state.background = Some((msg.into(), transfer));
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against a stand-in worker (plain JS from a Blob URL) that answers like
    //! the real one, 50 ms per frame.

    use super::*;
    use futures::channel::mpsc;
    use futures::StreamExt;
    use gloo_timers::future::TimeoutFuture;
    use huddle_protocol::SceneState;
    use wasm_bindgen::Clamped;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::ImageData;

    const STAND_IN: &str = r#"
await new Promise((r) => setTimeout(r, 100));
let bg = 0;
onmessage = (e) => {
  const m = JSON.parse(e.data.meta);
  if (m.type === 'custom_background') { bg = e.data.pixels.length; return; }
  if (m.type === 'encode') {
    const b = e.data.bitmaps[0];
    if (m.files.length === 0) {
      postMessage({ meta: JSON.stringify({ type: 'encode_failed', id: m.id, message: 'none' }) });
      return;
    }
    const c = new OffscreenCanvas(b.width, b.height);
    c.getContext('2d').drawImage(b, 0, 0);
    b.close();
    Promise.all(m.files.map((f) => c.convertToBlob({ type: f.mime, quality: f.quality ?? undefined })))
      .then((blobs) => postMessage({ meta: JSON.stringify({ type: 'encoded', id: m.id }), blobs }));
    return;
  }
  const t = performance.now();
  while (performance.now() - t < 50) {}
  for (const b of e.data.bitmaps) b.close();
  if (m.id === 13) { postMessage({ meta: '{"type":"failed","id":13,"message":"no"}' }); return; }
  if (m.id === 14) { throw new Error('boom'); }
  const c = new OffscreenCanvas(m.width, m.height);
  c.getContext('2d');
  const bitmap = c.transferToImageBitmap();
  const timings = { read: bg, paint: 0, total: 50 };
  postMessage({ meta: JSON.stringify({ type: 'frame', id: m.id, members: [], timings }), bitmap },
    [bitmap]);
};
postMessage({ meta: JSON.stringify({ type: 'started' }) });
"#;

    fn blob_url(source: &str) -> String {
        let parts = js_sys::Array::of1(&source.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob =
            web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).expect("blob");
        web_sys::Url::create_object_url_with_blob(&blob).expect("object URL")
    }

    async fn bitmap() -> ImageBitmap {
        let pixels = vec![128u8; 4 * 4 * 4];
        let data =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), 4, 4).expect("data");
        let window = web_sys::window().expect("window");
        let promise = window
            .create_image_bitmap_with_image_data(&data)
            .expect("createImageBitmap");
        JsFuture::from(promise)
            .await
            .expect("bitmap")
            .unchecked_into()
    }

    fn request(id: u64) -> ComposeRequest {
        ComposeRequest {
            id,
            width: 8,
            height: 6,
            scene: SceneState::default(),
            members: Vec::new(),
        }
    }

    async fn next(rx: &mut mpsc::UnboundedReceiver<ComposeEvent>) -> ComposeEvent {
        let timeout = TimeoutFuture::new(5_000);
        match futures::future::select(rx.next(), timeout).await {
            futures::future::Either::Left((Some(ev), _)) => ev,
            _ => panic!("no event from the stand-in worker"),
        }
    }

    #[wasm_bindgen_test]
    async fn encodings_come_back_as_files_in_the_order_asked() {
        let client = ComposeClient::spawn_at(&blob_url(STAND_IN), |_| {}).expect("spawn");
        let early = bitmap().await;
        let refused = client.encode(&early, vec![FileType::png()]).await;
        assert!(
            matches!(refused, Err(ComposeClientError::NotStarted)),
            "{refused:?}"
        );
        assert_eq!(early.width(), 4, "a bitmap not sent stays usable");
        while !client.is_idle() {
            TimeoutFuture::new(10).await;
        }
        let (first, second) = (bitmap().await, bitmap().await);
        let a = client.encode(&first, vec![FileType::png(), FileType::jpeg(0.9)]);
        let b = client.encode(&second, Vec::new());
        assert_eq!(first.width(), 0, "the bitmap was transferred");
        let files = a.await.expect("files");
        let types: Vec<String> = files.iter().map(|f| f.type_()).collect();
        assert_eq!(types, ["image/png", "image/jpeg"]);
        assert!(files.iter().all(|f| f.size() > 0.0));
        assert!(matches!(b.await, Err(ComposeClientError::Encode(m)) if m == "none"));
    }

    #[wasm_bindgen_test]
    async fn one_frame_in_flight_and_failures_free_the_loop() {
        let (tx, mut rx) = mpsc::unbounded();
        let client = ComposeClient::spawn_at(&blob_url(STAND_IN), move |ev| {
            let _ = tx.unbounded_send(ev);
        })
        .expect("spawn");
        // Before `Started`: the frame is refused and its bitmap closed; the
        // background is kept for later.
        let early = bitmap().await;
        assert!(!client.submit(request(10), vec![early.clone().into()]));
        assert_eq!(early.width(), 0, "a refused bitmap is closed");
        client.set_custom_background(2, 1, js_sys::Uint8ClampedArray::new_with_length(8));
        while !client.is_idle() {
            TimeoutFuture::new(10).await;
        }

        assert!(client.submit(request(11), vec![bitmap().await.into()]));
        assert!(!client.is_idle());
        let busy = bitmap().await;
        assert!(!client.submit(request(12), vec![busy.clone().into()]));
        assert_eq!(busy.width(), 0);
        match next(&mut rx).await {
            ComposeEvent::Frame(f) => {
                assert_eq!((f.id, f.bitmap.width(), f.bitmap.height()), (11, 8, 6));
                assert_eq!(f.timings.read, 8.0, "the early background arrived");
            }
            other => panic!("{other:?}"),
        }
        assert!(client.is_idle());

        assert!(client.submit(request(13), vec![bitmap().await.into()]));
        assert!(matches!(
            next(&mut rx).await,
            ComposeEvent::Failed { id: 13, .. }
        ));
        assert!(client.is_idle());

        assert!(client.submit(request(14), Vec::new()));
        assert!(matches!(next(&mut rx).await, ComposeEvent::Crashed(_)));
        assert!(client.is_idle());
    }
}
