//! My cut-out for the room: the camera goes through the vision workers, and each
//! result (frame and mask side by side, see `huddle_vision::scene::packed`) is
//! painted on a canvas, which the mesh then encodes and sends to every member
//! (`rtc::media`). The same canvas is my own picture in my preview, so everyone
//! composes the same pixels. The live picture is made at the room's scale (see
//! `rtc::video_scale`); a shot asks for one frame at the camera's full size
//! ([`CutoutSender::still`]), painted on a canvas of its own.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use huddle_vision::face::topology::{
    LEFT_EYE_INNER, LEFT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_EYE_OUTER,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, ImageBitmap, ImageData,
    MediaStream,
};

use crate::camera::frame_key;
use crate::compose::feed::LiveFeed;
use crate::compose::picture::Picture;
use crate::rtc::media::wall_ms;
use crate::rtc::video_scale::{scaled_size, RoomScale};
use crate::webcodecs::canvas_frame;

use super::camera_frames::CameraFrames;
use super::dom::{animation_loop, context_2d, create};
use super::frames_in_workers::{FrameNote, FramesInWorkers};
use super::hold::LiveHold;
use crate::vision::client::{FrameOutput, VisionEvent, MODELS_URL, WORKER_URL};
use crate::vision::messages::{
    FrameRequest, FrameView, LandmarkModel, ModelChoice, SegmentationModel,
};
use crate::vision::pair::VisionPair;

/// What the room shows about my cut-out.
#[derive(Clone, Debug, PartialEq)]
pub enum SenderEvent {
    /// Model download progress.
    Loading {
        file: String,
        loaded: u64,
        total: Option<u64>,
    },
    Ready,
    /// The vision workers could not start or load; the sentence is for the person.
    Failed(String),
    /// Where my eyes are (fractions of the frame's width and height, so they hold
    /// however the video is scaled on the way) and how much I smile, per frame.
    Head {
        eyes: Option<[[f32; 2]; 2]>,
        smile: f32,
    },
}

/// How long a shot waits for its full-size frame before it takes the live picture
/// (smaller, but better than leaving me out of the photo).
const STILL_WAIT_MS: u32 = 1_000;
/// While nothing in the picture follows my head but a smile shot watches, faces are
/// tracked at most once in this many milliseconds: every frame of a 15 fps camera,
/// every other of a 30 fps one. The tracker follows a face from its last landmarks,
/// so looks far apart follow a moving face worse (with one look in three 15 fps frames the group test's
/// smile shot once never saw two smiles); and the face worker's core is wanted by
/// the rest of the room (in a test room, by the other members' browsers).
const HEAD_LOOK_MS: f64 = 60.0;

/// When my faces are tracked: on every frame while the room follows my head (see
/// `SceneState::follows_head_of`), about 15 times a second while a smile shot
/// watches (until the wall-clock ms in `smiles_until`, see `Session::want_smiles`),
/// and otherwise not at all: nothing else uses them, and on a busy device the face
/// worker's share of the cores is what the live picture waits for (in a 4-member
/// room on two cores, camera → remote went from about 140 to about 100 ms without
/// it). The page sets the first as the scene changes; the sender asks for each
/// camera frame.
#[derive(Clone)]
pub struct HeadPace {
    every_frame: Rc<Cell<bool>>,
    smiles_until: Rc<Cell<f64>>,
    last_look: Rc<Cell<Option<f64>>>,
}

impl HeadPace {
    pub fn new(smiles_until: Rc<Cell<f64>>) -> Self {
        Self {
            every_frame: Rc::default(),
            smiles_until,
            last_look: Rc::default(),
        }
    }

    pub fn set_every_frame(&self, on: bool) {
        self.every_frame.set(on);
    }

    /// Whether the camera frame taken at `now_ms` (wall clock) should track faces.
    fn looks_at(&self, now_ms: f64) -> bool {
        let smiles = now_ms < self.smiles_until.get();
        let due = self
            .last_look
            .get()
            .is_none_or(|last| now_ms - last >= HEAD_LOOK_MS);
        if self.every_frame.get() || (smiles && due) {
            self.last_look.set(Some(now_ms));
            return true;
        }
        false
    }
}

struct State {
    ready: Cell<bool>,
    capturing: Cell<bool>,
    last_frame_key: Cell<f64>,
    alive: Cell<bool>,
    /// Live packed pictures painted so far.
    frames: Cell<u64>,
    /// The frames in the workers: when each was taken, whether faces are looked
    /// for, which is a shot's.
    in_workers: RefCell<FramesInWorkers>,
    /// The camera time of the plain frame last painted while the models load.
    unmasked_time: Cell<f64>,
    head_pace: HeadPace,
    /// Each new packed picture, for my place in the preview.
    feed: LiveFeed,
    /// The camera's frames without a bitmap on this thread, where the browser can.
    camera_frames: RefCell<Option<CameraFrames>>,
    /// The room's scale, which the live picture is made at.
    scale: RoomScale,
    /// Shots waiting for a full-size frame.
    stills: RefCell<Vec<oneshot::Sender<()>>>,
}

impl State {
    fn wants_still(&self) -> bool {
        !self.stills.borrow().is_empty()
    }

    /// Whether new camera frames go out now: not while `hold` stills the live
    /// picture, except a shot's full-size frame.
    fn stands_still(&self, hold: &LiveHold) -> bool {
        hold.is_held() && !self.wants_still()
    }

    /// Whether a shot's full-size frame is in the workers now. One given up on by
    /// its shot does not hold up the live picture any longer either.
    fn still_in_workers(&self) -> bool {
        self.in_workers
            .borrow_mut()
            .still_in_workers(wall_ms(), f64::from(STILL_WAIT_MS))
    }

    /// The full-size frame failed or will not come: the shots waiting are told so.
    fn drop_stills(&self) {
        self.stills.borrow_mut().clear();
        self.in_workers.borrow_mut().forget_still();
    }
}

/// Hears each new packed picture (a `VideoFrame` of the canvas, closed after the
/// call) and when its camera frame was taken.
type OnPacked = Rc<dyn Fn(&Picture, f64)>;

pub struct CutoutSender {
    video: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    /// The last full-size picture made for a shot.
    still_canvas: HtmlCanvasElement,
    state: Rc<State>,
    // Kept for the workers' lifetime: dropping it ends them.
    _pair: Rc<RefCell<Option<VisionPair>>>,
}

impl CutoutSender {
    /// Starts cutting out `camera` at `scale`; `on_event` hears progress and my
    /// head (on the frames `head_pace` has faces tracked on), `on_packed` every new
    /// packed picture. Nothing new goes out while `hold` is held.
    pub fn start(
        camera: &MediaStream,
        head_pace: HeadPace,
        scale: RoomScale,
        hold: LiveHold,
        on_event: impl Fn(SenderEvent) + 'static,
        on_packed: impl Fn(&Picture, f64) + 'static,
    ) -> Result<Self, JsValue> {
        let video: HtmlVideoElement = create("video")?;
        video.set_muted(true);
        video.set_autoplay(true);
        let _ = video.set_attribute("playsinline", "");
        video.set_src_object(Some(camera));
        let _ = video.play();

        let canvas: HtmlCanvasElement = create("canvas")?;
        // Small until the first frame says the camera's size.
        canvas.set_width(2);
        canvas.set_height(2);
        let ctx = context_2d(&canvas)?;
        let still_canvas: HtmlCanvasElement = create("canvas")?;
        let still_ctx = context_2d(&still_canvas)?;
        let on_packed: OnPacked = Rc::new(on_packed);

        let state = Rc::new(State {
            ready: Cell::new(false),
            capturing: Cell::new(false),
            last_frame_key: Cell::new(-1.0),
            alive: Cell::new(true),
            frames: Cell::new(0),
            in_workers: RefCell::default(),
            unmasked_time: Cell::new(-1.0),
            head_pace,
            feed: LiveFeed::default(),
            camera_frames: RefCell::new(CameraFrames::start(camera)),
            scale,
            stills: RefCell::default(),
        });
        let on_event: Rc<dyn Fn(SenderEvent)> = Rc::new(on_event);
        let pair_slot: Rc<RefCell<Option<VisionPair>>> = Rc::default();

        let handler = {
            let state = state.clone();
            let on_event = on_event.clone();
            let canvas = canvas.clone();
            let ctx = ctx.clone();
            let on_packed = on_packed.clone();
            let still_canvas = still_canvas.clone();
            move |ev: VisionEvent| match ev {
                VisionEvent::Progress {
                    file,
                    loaded,
                    total,
                } => on_event(SenderEvent::Loading {
                    file,
                    loaded,
                    total,
                }),
                VisionEvent::Ready(_) => {
                    state.ready.set(true);
                    on_event(SenderEvent::Ready);
                }
                VisionEvent::LoadFailed(m) | VisionEvent::Crashed(m) => {
                    state.ready.set(false);
                    state.drop_stills();
                    on_event(SenderEvent::Failed(m));
                }
                VisionEvent::Frame(out) => {
                    let note = state.in_workers.borrow_mut().take(out.result.id);
                    if !state.alive.get() {
                        return;
                    }
                    // Unknown (never so far): a live frame taken now, faces not looked for.
                    let note = note.unwrap_or(FrameNote {
                        taken_ms: wall_ms(),
                        faces: false,
                        still: false,
                    });
                    if note.still {
                        if paint(&still_canvas, &still_ctx, &out).unwrap_or(false) {
                            for shot in state.stills.take() {
                                let _ = shot.send(());
                            }
                        }
                    } else if paint(&canvas, &ctx, &out).unwrap_or(false) {
                        state.frames.set(state.frames.get() + 1);
                        offer(&state.feed, &canvas, |p| on_packed(p, note.taken_ms));
                    }
                    if note.faces {
                        on_event(head_of(&out));
                    }
                }
                // A bad frame is skipped; the next one is on its way (for a shot, at
                // full size again).
                VisionEvent::FrameFailed { id, .. } => {
                    state.in_workers.borrow_mut().take(id);
                }
            }
        };
        let pair = VisionPair::spawn(WORKER_URL, handler)
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        pair.load(
            MODELS_URL,
            ModelChoice {
                segmentation: Some(SegmentationModel::Landscape),
                landmarks: Some(LandmarkModel::Fast),
            },
        );
        pair_slot.replace(Some(pair));

        // A camera frame goes to the workers as soon as it arrives, when they want
        // it, rather than on the next animation frame.
        if let Some(frames) = state.camera_frames.borrow().as_ref() {
            let (weak_state, weak_pair) = (Rc::downgrade(&state), Rc::downgrade(&pair_slot));
            let (video, hold) = (video.clone(), hold.clone());
            frames.on_frame(move || {
                let (Some(state), Some(pair)) = (weak_state.upgrade(), weak_pair.upgrade()) else {
                    return;
                };
                if state.alive.get() && state.ready.get() && !state.stands_still(&hold) {
                    capture(&state, &video, &pair, Arrival::Now);
                }
            });
        }

        let tick_state = state.clone();
        let tick_video = video.clone();
        let tick_pair = pair_slot.clone();
        let tick_canvas = canvas.clone();
        animation_loop(move || {
            if !tick_state.alive.get() {
                return false;
            }
            if tick_state.stands_still(&hold) {
                return true;
            }
            if tick_state.ready.get() {
                capture(&tick_state, &tick_video, &tick_pair, Arrival::Earlier);
            } else {
                // Until the mask is ready the others see my camera in my tile, and
                // nobody in my place in the picture (an all-background mask).
                if paint_unmasked(&tick_state, &tick_canvas, &ctx, &tick_video).unwrap_or(false) {
                    offer(&tick_state.feed, &tick_canvas, |p| on_packed(p, wall_ms()));
                }
            }
            true
        });

        Ok(Self {
            video,
            canvas,
            still_canvas,
            state,
            _pair: pair_slot,
        })
    }

    /// Each new packed picture, for my own place in the preview.
    pub fn feed(&self) -> &LiveFeed {
        &self.state.feed
    }

    /// My cut-out for a shot: the next camera frame, segmented and packed at the
    /// camera's full size. When none comes in time (the models are not ready, or
    /// the workers are stuck), the live picture, and `None` without one.
    pub fn still(&self) -> impl Future<Output = Option<HtmlCanvasElement>> + 'static {
        let state = self.state.clone();
        let (live, still) = (self.canvas.clone(), self.still_canvas.clone());
        let asked = (state.ready.get() && state.alive.get()).then(|| {
            let (shot, made) = oneshot::channel();
            state.stills.borrow_mut().push(shot);
            made
        });
        async move {
            if let Some(made) = asked {
                if let Either::Left((Ok(()), _)) =
                    select(made, TimeoutFuture::new(STILL_WAIT_MS)).await
                {
                    return Some(still);
                }
            }
            (state.frames.get() > 0).then_some(live)
        }
    }
}

impl Drop for CutoutSender {
    fn drop(&mut self) {
        self.state.alive.set(false);
        self.state.drop_stills();
        self.state.camera_frames.replace(None);
        self.video.set_src_object(None);
    }
}

/// When the camera frame [`capture`] looks at came.
#[derive(Clone, Copy, PartialEq)]
enum Arrival {
    /// Just now: one the workers cannot take yet waits for the next animation frame.
    Now,
    /// Before this animation frame: one the workers cannot take now is let go.
    Earlier,
}

/// Sends the newest camera frame to the workers when they want one.
fn capture(
    state: &Rc<State>,
    video: &HtmlVideoElement,
    pair: &Rc<RefCell<Option<VisionPair>>>,
    arrival: Arrival,
) {
    // Nothing goes in after a shot's full-size frame, so no later one replaces it
    // while it waits for the workers.
    let wanted =
        !state.still_in_workers() && pair.borrow().as_ref().is_some_and(|p| p.wants_frame());
    let frames = state.camera_frames.borrow();
    if let Some(frames) = frames.as_ref().filter(|f| f.is_reading()) {
        // A frame the workers cannot take by the next animation frame is let go, so
        // the one they get next is fresh off the camera rather than up to a frame
        // interval old.
        if wanted {
            if let Some((frame, taken_ms)) = frames.take() {
                submit(state, pair, taken_ms, frame);
            }
        } else if arrival == Arrival::Earlier {
            if let Some((frame, _)) = frames.take() {
                frame.close();
            }
        }
        return;
    }
    drop(frames);
    // Not the video's clock: it moves between camera frames, and keying on it sent each
    // frame to the workers two or three times (vision, packing and the live video's
    // encoder all ran at 45 a second on a 15 fps camera).
    let t = frame_key(video);
    if state.capturing.get()
        || video.ready_state() < 2
        || t == state.last_frame_key.get()
        || !wanted
    {
        return;
    }
    let Some(Ok(promise)) =
        web_sys::window().map(|w| w.create_image_bitmap_with_html_video_element(video))
    else {
        return;
    };
    state.capturing.set(true);
    state.last_frame_key.set(t);
    let taken_ms = wall_ms();
    let state = state.clone();
    let pair = pair.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let bitmap = JsFuture::from(promise).await;
        state.capturing.set(false);
        let Ok(bitmap) = bitmap else {
            return;
        };
        let bitmap: ImageBitmap = bitmap.unchecked_into();
        submit(&state, &pair, taken_ms, bitmap.into());
    });
}

/// Gives the camera frame taken at `taken_ms` to the workers: at the room's scale,
/// or at full size for a shot waiting for one; faces looked for as the room needs.
fn submit(state: &State, pair: &Rc<RefCell<Option<VisionPair>>>, taken_ms: f64, frame: Picture) {
    match pair.borrow().as_ref() {
        Some(p) if state.alive.get() => {
            let still = state.wants_still();
            let faces = state.head_pace.looks_at(taken_ms);
            let read_size = (!still).then(|| {
                let (w, h) = frame.size();
                scaled_size(w, h, state.scale.get())
            });
            let id = p.submit(
                FrameRequest {
                    id: 0,
                    segment: true,
                    faces,
                    view: FrameView::Packed,
                    still: false,
                    makeup: None,
                    read_size,
                },
                frame,
            );
            let note = FrameNote {
                taken_ms,
                faces,
                still,
            };
            state.in_workers.borrow_mut().add(id, note, wall_ms());
        }
        _ => frame.close(),
    }
}

/// The plain camera frame with an empty mask, at the room's scale; true when it
/// was a new frame.
fn paint_unmasked(
    state: &State,
    canvas: &HtmlCanvasElement,
    ctx: &CanvasRenderingContext2d,
    video: &HtmlVideoElement,
) -> Result<bool, JsValue> {
    let (w, h) = (video.video_width(), video.video_height());
    let t = frame_key(video);
    if video.ready_state() < 2 || w == 0 || h == 0 || t == state.unmasked_time.get() {
        return Ok(false);
    }
    state.unmasked_time.set(t);
    let (w, h) = scaled_size(w, h, state.scale.get());
    if canvas.width() != 2 * w || canvas.height() != h {
        canvas.set_width(2 * w);
        canvas.set_height(h);
    }
    let (fw, fh) = (f64::from(w), f64::from(h));
    ctx.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, fw, fh)?;
    ctx.set_fill_style_str("#000");
    ctx.fill_rect(fw, 0.0, fw, fh);
    Ok(true)
}

/// One snapshot of the packed canvas (a `VideoFrame`) for the encoder, given to
/// `send`, and for the preview, whose compose worker takes it as it is (before, a
/// bitmap of the canvas was made on this thread for each preview frame).
fn offer(feed: &LiveFeed, canvas: &HtmlCanvasElement, send: impl FnOnce(&Picture)) {
    let Some(snapshot) = canvas_frame(canvas, 0.0).ok().and_then(Picture::from_js) else {
        return;
    };
    send(&snapshot);
    match snapshot.try_clone() {
        Some(mine) => {
            snapshot.close();
            feed.put(mine);
        }
        None => feed.put(snapshot),
    }
}

/// Puts a packed result on the outgoing canvas; true when it did.
fn paint(
    canvas: &HtmlCanvasElement,
    ctx: &CanvasRenderingContext2d,
    out: &FrameOutput,
) -> Result<bool, JsValue> {
    let Some(pixels) = &out.image else {
        return Ok(false);
    };
    let (w, h) = (out.result.width * 2, out.result.height);
    if pixels.length() != w * h * 4 {
        return Ok(false);
    }
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let data = ImageData::new_with_js_u8_clamped_array_and_sh(pixels, w, h)?;
    ctx.put_image_data(&data, 0.0, 0.0)?;
    Ok(true)
}

/// The first face's eye centres (from the mesh's eye corners) and smile.
fn head_of(out: &FrameOutput) -> SenderEvent {
    let Some(face) = out.result.faces.first() else {
        return SenderEvent::Head {
            eyes: None,
            smile: 0.0,
        };
    };
    let (w, h) = (
        out.result.width.max(1) as f32,
        out.result.height.max(1) as f32,
    );
    let point = |i: usize| {
        out.landmarks
            .get(i * 3..i * 3 + 2)
            .map(|p| [p[0] / w, p[1] / h])
    };
    let mid = |a: usize, b: usize| -> Option<[f32; 2]> {
        let (pa, pb) = (point(a)?, point(b)?);
        Some([(pa[0] + pb[0]) * 0.5, (pa[1] + pb[1]) * 0.5])
    };
    let eyes = mid(LEFT_EYE_OUTER, LEFT_EYE_INNER)
        .zip(mid(RIGHT_EYE_INNER, RIGHT_EYE_OUTER))
        .map(|(l, r)| [l, r]);
    SenderEvent::Head {
        eyes,
        smile: face.smile,
    }
}

#[cfg(test)]
mod tests {
    use super::HeadPace;
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn pace_with_smiles_until(until_ms: f64) -> HeadPace {
        HeadPace::new(Rc::new(Cell::new(until_ms)))
    }

    #[wasm_bindgen_test]
    fn for_a_smile_shot_faces_are_looked_at_about_15_times_a_second() {
        // A 15 fps camera: every frame; a 30 fps one: every other.
        let pace = pace_with_smiles_until(1e9);
        let at = |fps: f64, n: u32| f64::from(n) * 1000.0 / fps;
        assert!((0..30).all(|n| pace.looks_at(10_000.0 + at(15.0, n))));
        let pace = pace_with_smiles_until(1e9);
        let looks = (0..60).filter(|&n| pace.looks_at(at(30.0, n))).count();
        assert_eq!(looks, 30, "every other of 60 frames");
    }

    #[wasm_bindgen_test]
    fn a_followed_head_is_looked_at_on_every_frame_and_otherwise_nothing_is() {
        let at = |n: u32| 10_000.0 + f64::from(n) * 1000.0 / 30.0;
        // Nobody's smile shot watches (its last ask lapsed at 9 s).
        let pace = pace_with_smiles_until(9_000.0);
        assert!(!(0..60).any(|n| pace.looks_at(at(n))), "no looks");
        pace.set_every_frame(true);
        assert!((60..90).all(|n| pace.looks_at(at(n))), "every frame");
        pace.set_every_frame(false);
        assert!(!(90..120).any(|n| pace.looks_at(at(n))), "none again");
        // A smile shot starts watching until 20 s: looks again, until then.
        let smiles_until = Rc::new(Cell::new(20_000.0));
        let pace = HeadPace::new(smiles_until.clone());
        let looks = (0..600).filter(|&n| pace.looks_at(at(n))).count();
        // 10 to 20 s at 30 fps, every other frame.
        assert_eq!(looks, 150);
        smiles_until.set(40_000.0);
        assert!(pace.looks_at(at(601)));
    }
}
