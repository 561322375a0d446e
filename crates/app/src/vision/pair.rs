//! Two vision workers side by side: one makes the person mask, the other tracks
//! faces, on the same frame at the same time. A frame then costs the slower of the
//! two instead of their sum (every phone and laptop has at least two cores), which
//! is what takes live video from ~18 to 30 frames a second.
//!
//! Both workers run the same wasm (downloaded and compiled once); each loads only
//! its own models. A frame goes to both only when both are idle, so their results
//! always belong to the same frame and are joined into one [`FrameOutput`]; a frame
//! that arrives meanwhile waits, replacing the one waiting before it (as in
//! [`VisionClient`]).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ImageBitmap, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use crate::compose::picture::Picture;

use super::client::{FrameOutput, Pace, VisionClient, VisionClientError, VisionEvent, Waiting};
use super::messages::{FrameRequest, FrameView, ModelChoice, ModelLoad, StageTimings};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Person,
    Faces,
}

/// The frame both workers are on, and what each has sent back so far.
struct InFlight {
    id: u64,
    /// Each worker's own id for this frame: a late answer about an earlier frame
    /// (one that failed in the other worker) must not be taken for this one.
    side_ids: [u64; 2],
    person: Option<FrameOutput>,
    /// `None` while awaited; `Some(None)` when this frame asked for no faces.
    faces: Option<Option<FrameOutput>>,
}

struct PairInner {
    person: Option<VisionClient>,
    faces: Option<VisionClient>,
    ready: [Option<Vec<ModelLoad>>; 2],
    in_flight: Option<InFlight>,
    waiting: Waiting,
    /// What [`VisionPair::wants_frame`] decides on.
    pace: Pace,
    /// Scratch canvas that copies a frame for the second worker (a transferred
    /// bitmap can go to one worker only).
    copier: Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>,
}

/// The person worker and the face worker, used like one [`VisionClient`].
/// Dropping the last clone terminates both.
#[derive(Clone)]
pub struct VisionPair {
    inner: Rc<RefCell<PairInner>>,
}

impl VisionPair {
    /// Starts both workers from `script_url`; `on_event` gets every report, with
    /// `Ready` once both are ready and `Frame` once both have done a frame.
    pub fn spawn(
        script_url: &str,
        on_event: impl Fn(VisionEvent) + 'static,
    ) -> Result<Self, VisionClientError> {
        let inner = Rc::new(RefCell::new(PairInner {
            person: None,
            faces: None,
            ready: [None, None],
            in_flight: None,
            waiting: Waiting::default(),
            pace: Pace::default(),
            copier: None,
        }));
        let on_event: Rc<dyn Fn(VisionEvent)> = Rc::new(on_event);
        let spawn_side = |side: Side| {
            let weak = Rc::downgrade(&inner);
            let on_event = on_event.clone();
            VisionClient::spawn(script_url, move |ev| {
                on_side_event(&weak, side, ev, &*on_event)
            })
        };
        let person = spawn_side(Side::Person)?;
        let faces = spawn_side(Side::Faces)?;
        {
            let mut i = inner.borrow_mut();
            i.person = Some(person);
            i.faces = Some(faces);
        }
        Ok(Self { inner })
    }

    /// Loads the segmentation model in one worker and the face models in the other.
    pub fn load(&self, base: &str, models: ModelChoice) {
        let mut inner = self.inner.borrow_mut();
        inner.ready = [None, None];
        if let Some(c) = &inner.person {
            c.load(
                base,
                ModelChoice {
                    landmarks: None,
                    ..models
                },
            );
        }
        if let Some(c) = &inner.faces {
            c.load(
                base,
                ModelChoice {
                    segmentation: None,
                    ..models
                },
            );
        }
    }

    /// Queues a frame for both workers; returns its id. A frame already waiting is
    /// replaced and its bitmap closed.
    pub fn submit(&self, req: FrameRequest, bitmap: impl Into<Picture>) -> u64 {
        let bitmap = bitmap.into();
        let mut inner = self.inner.borrow_mut();
        let id = inner.waiting.offer(req, bitmap);
        inner.pump();
        id
    }

    /// Whether to capture a camera frame now (see [`Pace::wants_frame`]).
    pub fn wants_frame(&self) -> bool {
        let inner = self.inner.borrow();
        inner
            .pace
            .wants_frame(inner.in_flight.is_some(), &inner.waiting)
    }

    /// Frames replaced before the workers got to them.
    pub fn dropped(&self) -> u64 {
        self.inner.borrow().waiting.dropped()
    }

    /// A frame is being processed.
    pub fn is_busy(&self) -> bool {
        self.inner.borrow().in_flight.is_some()
    }
}

impl PairInner {
    /// Sends the waiting frame to both workers when neither is busy.
    fn pump(&mut self) {
        if self.in_flight.is_some() {
            return;
        }
        let Some((req, bitmap)) = self.waiting.take() else {
            return;
        };
        let (Some(person), Some(faces)) = (self.person.clone(), self.faces.clone()) else {
            bitmap.close();
            return;
        };
        let copy = if req.faces {
            match self.copy_picture(&bitmap) {
                Ok(copy) => Some(copy),
                Err(e) => {
                    web_sys::console::warn_2(&"vision: could not copy a frame".into(), &e);
                    None
                }
            }
        } else {
            None
        };
        let wants_faces = copy.is_some();
        let person_id = person.submit(
            FrameRequest {
                faces: false,
                ..req
            },
            bitmap,
        );
        let faces_id = copy.map(|copy| {
            faces.submit(
                FrameRequest {
                    segment: false,
                    view: FrameView::None,
                    // Faces at the camera's own size: a face half as wide gives
                    // the landmark model half the detail to go on.
                    read_size: None,
                    ..req
                },
                copy,
            )
        });
        self.pace.sent();
        self.in_flight = Some(InFlight {
            id: req.id,
            side_ids: [person_id, faces_id.unwrap_or_default()],
            person: None,
            faces: if wants_faces { None } else { Some(None) },
        });
    }

    /// A second handle for the face worker: a `VideoFrame` clone shares the pixels;
    /// a bitmap is drawn into a new one.
    fn copy_picture(&mut self, picture: &Picture) -> Result<Picture, JsValue> {
        if let Some(clone) = picture.try_clone() {
            return Ok(clone);
        }
        let bitmap = picture
            .as_js()
            .dyn_ref::<ImageBitmap>()
            .ok_or_else(|| JsValue::from_str("neither a video frame nor a bitmap"))?;
        self.copy_bitmap(bitmap).map(Picture::from)
    }

    fn copy_bitmap(&mut self, bitmap: &ImageBitmap) -> Result<ImageBitmap, JsValue> {
        let (w, h) = (bitmap.width(), bitmap.height());
        if self.copier.is_none() {
            let canvas = OffscreenCanvas::new(w, h)?;
            let ctx = canvas
                .get_context("2d")?
                .ok_or_else(|| JsValue::from_str("no 2d context"))?
                .dyn_into::<OffscreenCanvasRenderingContext2d>()?;
            self.copier = Some((canvas, ctx));
        }
        let Some((canvas, ctx)) = &self.copier else {
            return Err(JsValue::from_str("no copy canvas"));
        };
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        ctx.draw_image_with_image_bitmap(bitmap, 0.0, 0.0)?;
        canvas.transfer_to_image_bitmap()
    }

    /// Both halves of the frame in flight, joined, once both are in.
    fn take_joined(&mut self) -> Option<FrameOutput> {
        let f = self.in_flight.as_mut()?;
        if f.person.is_none() || f.faces.is_none() {
            return None;
        }
        let f = self.in_flight.take()?;
        self.pace.done();
        let (mut out, faces) = (f.person?, f.faces.flatten());
        out.result.id = f.id;
        if let Some(mut faces) = faces {
            in_pixels_of(&mut faces, out.result.width, out.result.height);
            let (p, q) = (out.result.timings, faces.result.timings);
            out.result.timings = StageTimings {
                read: p.read.max(q.read),
                segment: p.segment,
                faces: q.faces,
                compose: p.compose,
                // Side by side: the frame took as long as the slower worker.
                total: p.total.max(q.total),
            };
            out.result.faces = faces.result.faces;
            out.landmarks = faces.landmarks;
        }
        Some(out)
    }
}

/// Moves the face worker's findings into the pixels of a `width × height` frame
/// (the person worker may have read the same frame smaller), so the joined output
/// has one size for everything in it.
fn in_pixels_of(faces: &mut FrameOutput, width: u32, height: u32) {
    let (from_w, from_h) = (faces.result.width, faces.result.height);
    if (from_w, from_h) == (width, height) || from_w == 0 || from_h == 0 {
        return;
    }
    let sx = width as f32 / from_w as f32;
    let sy = height as f32 / from_h as f32;
    let point = |p: &mut [f32; 2]| {
        p[0] *= sx;
        p[1] *= sy;
    };
    // x, y, z per landmark; z is in the same units as x.
    for p in faces.landmarks.chunks_exact_mut(3) {
        p[0] *= sx;
        p[1] *= sy;
        p[2] *= sx;
    }
    for f in &mut faces.result.faces {
        f.bbox = [
            f.bbox[0] * sx,
            f.bbox[1] * sy,
            f.bbox[2] * sx,
            f.bbox[3] * sy,
        ];
        f.lips_outer.iter_mut().for_each(point);
        f.lips_inner.iter_mut().for_each(point);
    }
    faces.result.width = width;
    faces.result.height = height;
}

fn on_side_event(
    weak: &Weak<RefCell<PairInner>>,
    side: Side,
    ev: VisionEvent,
    on_event: &dyn Fn(VisionEvent),
) {
    let Some(inner) = weak.upgrade() else { return };
    let slot = match side {
        Side::Person => 0,
        Side::Faces => 1,
    };
    // Work out what to report with the pair borrowed, then report with it released
    // (the page may submit the next frame from inside `on_event`).
    let report = {
        let mut p = inner.borrow_mut();
        match ev {
            VisionEvent::Ready(models) => {
                p.ready[slot] = Some(models);
                match &p.ready {
                    [Some(a), Some(b)] => Some(VisionEvent::Ready(
                        a.iter().chain(b.iter()).cloned().collect(),
                    )),
                    _ => None,
                }
            }
            VisionEvent::Frame(out) => {
                let current = p
                    .in_flight
                    .as_mut()
                    .filter(|f| f.side_ids[slot] == out.result.id);
                if let Some(f) = current {
                    match side {
                        Side::Person => f.person = Some(*out),
                        Side::Faces => f.faces = Some(Some(*out)),
                    }
                }
                let joined = p.take_joined();
                if joined.is_some() {
                    p.pump();
                }
                joined.map(|o| VisionEvent::Frame(Box::new(o)))
            }
            VisionEvent::FrameFailed { id, message } => {
                // The whole frame failed; the other half, if it comes, is dropped.
                let current = p.in_flight.as_ref().is_some_and(|f| f.side_ids[slot] == id);
                if current {
                    let id = p.in_flight.take().map(|f| f.id).unwrap_or_default();
                    p.pump();
                    Some(VisionEvent::FrameFailed { id, message })
                } else {
                    None
                }
            }
            other => Some(other),
        }
    };
    if let Some(ev) = report {
        on_event(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::in_pixels_of;
    use crate::vision::client::FrameOutput;
    use crate::vision::messages::{FaceSummary, FrameResult, StageTimings};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn faces_at(width: u32, height: u32) -> FrameOutput {
        FrameOutput {
            result: FrameResult {
                id: 1,
                width,
                height,
                person: None,
                coverage: 0.0,
                brightness: None,
                faces: vec![FaceSummary {
                    bbox: [100.0, 40.0, 300.0, 280.0],
                    lips_outer: vec![[180.0, 220.0]],
                    lips_inner: vec![[200.0, 224.0]],
                    yaw: 0.1,
                    pitch: 0.0,
                    roll: 0.0,
                    smile: 0.7,
                    eye_openness: [1.0, 1.0],
                    mouth_openness: 0.2,
                }],
                timings: StageTimings::default(),
            },
            image: None,
            landmarks: vec![160.0, 120.0, 8.0, 240.0, 120.0, -4.0],
        }
    }

    #[wasm_bindgen_test]
    fn faces_found_at_camera_size_land_on_the_smaller_person_frame() {
        let mut out = faces_at(640, 480);
        in_pixels_of(&mut out, 320, 240);
        assert_eq!((out.result.width, out.result.height), (320, 240));
        assert_eq!(out.landmarks, vec![80.0, 60.0, 4.0, 120.0, 60.0, -2.0]);
        let face = &out.result.faces[0];
        assert_eq!(face.bbox, [50.0, 20.0, 150.0, 140.0]);
        assert_eq!(face.lips_outer, vec![[90.0, 110.0]]);
        assert_eq!(face.lips_inner, vec![[100.0, 112.0]]);
        // What is not a position stays.
        assert_eq!((face.smile, face.yaw), (0.7, 0.1));
    }

    #[wasm_bindgen_test]
    fn faces_at_the_same_size_are_untouched() {
        let mut out = faces_at(640, 480);
        let before = (out.result.clone(), out.landmarks.clone());
        in_pixels_of(&mut out, 640, 480);
        assert_eq!((out.result, out.landmarks), before);
    }
}
