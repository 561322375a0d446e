//! The UI side of the vision worker: spawns it (lazily, when a page needs it),
//! forwards load requests and frames, and keeps at most one frame in flight.
//!
//! A camera frame that arrives while the worker is busy replaces the one waiting
//! (whose bitmap is closed at once), so a slow device drops frames instead of
//! falling further and further behind.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::compose::picture::Picture;

use crate::live::dom::now;

use super::messages::{
    encode, FrameRequest, FrameResult, FromWorker, ModelChoice, ModelLoad, ToWorker,
};

/// Where trunk puts the worker's loader (see `index.html`).
pub const WORKER_URL: &str = "/vision_worker_loader.js";
/// Where the model files are served.
pub const MODELS_URL: &str = "/models/";

#[derive(Debug, thiserror::Error)]
pub enum VisionClientError {
    #[error("This browser cannot start the vision worker: {0}")]
    Spawn(String),
}

/// A processed frame.
#[derive(Clone, Debug)]
pub struct FrameOutput {
    pub result: FrameResult,
    /// RGBA pixels (`width × height × 4`) when a view was asked for.
    pub image: Option<js_sys::Uint8ClampedArray>,
    /// x, y, z for each of the 468 points of each face, faces in `result.faces` order.
    pub landmarks: Vec<f32>,
}

/// What the worker reports.
#[derive(Clone, Debug)]
pub enum VisionEvent {
    Progress {
        file: String,
        loaded: u64,
        total: Option<u64>,
    },
    Ready(Vec<ModelLoad>),
    LoadFailed(String),
    Frame(Box<FrameOutput>),
    FrameFailed {
        id: u64,
        message: String,
    },
    /// The worker itself failed (script missing, out of memory, a panic).
    Crashed(String),
}

/// The newest frame not sent yet (a newer one replaces it and closes its bitmap),
/// the numbering of frames, and how many were replaced.
#[derive(Default)]
pub(crate) struct Waiting {
    frame: Option<(FrameRequest, Picture)>,
    last_id: u64,
    dropped: u64,
}

impl Waiting {
    /// Numbers `req` (from 1) and keeps it as the frame to send next.
    pub(crate) fn offer(&mut self, mut req: FrameRequest, bitmap: Picture) -> u64 {
        self.last_id += 1;
        req.id = self.last_id;
        if let Some((_, old)) = self.frame.replace((req, bitmap)) {
            old.close();
            self.dropped += 1;
        }
        req.id
    }

    pub(crate) fn take(&mut self) -> Option<(FrameRequest, Picture)> {
        self.frame.take()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.frame.is_none()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some((_, bitmap)) = self.frame.take() {
            bitmap.close();
        }
    }
}

/// When the frame in flight was sent and how long frames usually take (a running
/// mean), in ms: what decides whether a camera loop should capture the next frame.
#[derive(Default)]
pub(crate) struct Pace {
    sent_at: f64,
    typical_ms: f64,
}

impl Pace {
    pub(crate) fn sent(&mut self) {
        self.sent_at = now();
    }

    pub(crate) fn done(&mut self) {
        let took = now() - self.sent_at;
        self.typical_ms = if self.typical_ms == 0.0 {
            took
        } else {
            0.8 * self.typical_ms + 0.2 * took
        };
    }

    /// Whether a frame captured now would be used rather than replaced: the worker is
    /// idle, or nothing is waiting and the frame in flight is due within about the time
    /// it takes to capture the next one. A camera loop that asks this before capturing
    /// spends no main-thread time on frames that would be dropped, yet has the next
    /// frame ready when the worker is.
    pub(crate) fn wants_frame(&self, in_flight: bool, waiting: &Waiting) -> bool {
        /// One animation frame (how often a camera loop asks) plus what
        /// `createImageBitmap` of a video frame takes.
        const CAPTURE_LEAD_MS: f64 = 22.0;
        match in_flight {
            false => true,
            true if !waiting.is_empty() => false,
            true => now() - self.sent_at >= self.typical_ms - CAPTURE_LEAD_MS,
        }
    }
}

struct Inner {
    worker: Worker,
    pace: Pace,
    started: bool,
    /// Messages posted before the worker's wasm was listening.
    before_start: Vec<(JsValue, js_sys::Array)>,
    in_flight: Option<u64>,
    waiting: Waiting,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Handle to one vision worker. Dropping the last clone terminates it.
#[derive(Clone)]
pub struct VisionClient {
    inner: Rc<RefCell<Inner>>,
}

fn frame_message(req: &FrameRequest, picture: &Picture) -> (JsValue, js_sys::Array) {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"meta".into(), &encode(&ToWorker::Frame(*req)).into());
    let _ = js_sys::Reflect::set(&obj, &"bitmap".into(), picture.as_js());
    let transfer = js_sys::Array::of1(picture.as_js());
    (obj.into(), transfer)
}

impl Inner {
    fn post(&mut self, msg: JsValue, transfer: js_sys::Array) {
        if !self.started {
            self.before_start.push((msg, transfer));
            return;
        }
        if let Err(e) = self.worker.post_message_with_transfer(&msg, &transfer) {
            web_sys::console::error_2(&"vision: post to worker failed".into(), &e);
        }
    }

    /// Sends the waiting frame if nothing is in flight.
    fn pump(&mut self) {
        if self.in_flight.is_some() {
            return;
        }
        if let Some((req, bitmap)) = self.waiting.take() {
            let (msg, transfer) = frame_message(&req, &bitmap);
            self.in_flight = Some(req.id);
            self.pace.sent();
            self.post(msg, transfer);
        }
    }
}

fn decode(event: &MessageEvent) -> Option<VisionEvent> {
    let data = event.data();
    let meta = js_sys::Reflect::get(&data, &"meta".into())
        .ok()?
        .as_string()?;
    let msg: FromWorker = serde_json::from_str(&meta).ok()?;
    Some(match msg {
        FromWorker::Started => return None,
        FromWorker::Progress {
            file,
            loaded,
            total,
        } => VisionEvent::Progress {
            file,
            loaded,
            total,
        },
        FromWorker::Ready { models } => VisionEvent::Ready(models),
        FromWorker::LoadFailed { message } => VisionEvent::LoadFailed(message),
        FromWorker::FrameFailed { id, message } => VisionEvent::FrameFailed { id, message },
        FromWorker::Frame(result) => {
            let image = js_sys::Reflect::get(&data, &"image".into())
                .ok()
                .and_then(|v| v.dyn_into::<js_sys::Uint8ClampedArray>().ok());
            let landmarks = js_sys::Reflect::get(&data, &"landmarks".into())
                .ok()
                .and_then(|v| v.dyn_into::<js_sys::Float32Array>().ok())
                .map(|a| a.to_vec())
                .unwrap_or_default();
            VisionEvent::Frame(Box::new(FrameOutput {
                result,
                image,
                landmarks,
            }))
        }
    })
}

fn is_started(event: &MessageEvent) -> bool {
    js_sys::Reflect::get(&event.data(), &"meta".into())
        .ok()
        .and_then(|m| m.as_string())
        .and_then(|m| serde_json::from_str::<FromWorker>(&m).ok())
        .is_some_and(|m| m == FromWorker::Started)
}

impl VisionClient {
    /// Starts the worker at `script_url` (a module script); `on_event` gets every
    /// report. Nothing is downloaded until [`VisionClient::load`].
    pub fn spawn(
        script_url: &str,
        on_event: impl Fn(VisionEvent) + 'static,
    ) -> Result<Self, VisionClientError> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(script_url, &options)
            .map_err(|e| VisionClientError::Spawn(format!("{e:?}")))?;
        let on_event = Rc::new(on_event);
        let inner = Rc::new_cyclic(|weak: &Weak<RefCell<Inner>>| {
            let on_message = {
                let weak = weak.clone();
                let on_event = on_event.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                    let Some(inner) = weak.upgrade() else { return };
                    if is_started(&event) {
                        let mut inner = inner.borrow_mut();
                        inner.started = true;
                        for (msg, transfer) in std::mem::take(&mut inner.before_start) {
                            inner.post(msg, transfer);
                        }
                        return;
                    }
                    let Some(ev) = decode(&event) else { return };
                    if let VisionEvent::Frame(out) = &ev {
                        finish(&inner, out.result.id);
                    }
                    if let VisionEvent::FrameFailed { id, .. } = &ev {
                        finish(&inner, *id);
                    }
                    on_event(ev);
                })
            };
            let on_error = {
                let on_event = on_event.clone();
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    let message = js_sys::Reflect::get(&event, &"message".into())
                        .ok()
                        .and_then(|m| m.as_string())
                        .unwrap_or_else(|| "the vision worker could not start".into());
                    on_event(VisionEvent::Crashed(message));
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            RefCell::new(Inner {
                worker,
                started: false,
                before_start: Vec::new(),
                pace: Pace::default(),
                in_flight: None,
                waiting: Waiting::default(),
                _on_message: on_message,
                _on_error: on_error,
            })
        });
        Ok(Self { inner })
    }

    /// Asks the worker to download and prepare `models` from `base` (ends in `/`).
    pub fn load(&self, base: &str, models: ModelChoice) {
        let msg = js_sys::Object::new();
        let load = ToWorker::Load {
            base: base.to_string(),
            models,
        };
        let _ = js_sys::Reflect::set(&msg, &"meta".into(), &encode(&load).into());
        self.inner
            .borrow_mut()
            .post(msg.into(), js_sys::Array::new());
    }

    /// Queues a frame (an `ImageBitmap` or a `VideoFrame`, transferred to the
    /// worker). Returns its id. If a frame is already waiting, it is replaced and
    /// its picture closed.
    pub fn submit(&self, req: FrameRequest, bitmap: impl Into<Picture>) -> u64 {
        let bitmap = bitmap.into();
        let mut inner = self.inner.borrow_mut();
        let id = inner.waiting.offer(req, bitmap);
        inner.pump();
        id
    }

    /// A frame is being processed.
    pub fn is_busy(&self) -> bool {
        self.inner.borrow().in_flight.is_some()
    }

    /// Whether to capture a camera frame now (see [`Pace::wants_frame`]).
    pub fn wants_frame(&self) -> bool {
        let inner = self.inner.borrow();
        inner
            .pace
            .wants_frame(inner.in_flight.is_some(), &inner.waiting)
    }

    /// Frames replaced before the worker got to them.
    pub fn dropped(&self) -> u64 {
        self.inner.borrow().waiting.dropped()
    }
}

fn finish(inner: &Rc<RefCell<Inner>>, id: u64) {
    let mut inner = inner.borrow_mut();
    if inner.in_flight == Some(id) {
        inner.in_flight = None;
        inner.pace.done();
        inner.pump();
    }
}
