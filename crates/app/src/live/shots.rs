//! Taking a photo together. The shooter announces a shot; after the countdown
//! every member takes its own newest cut-out at full camera resolution (its
//! packed canvas, not the scaled-down video the others see), sends it to everyone
//! in chunks over the data channels, and every browser composes the same photo
//! at [`PHOTO_SIZE`] once all parts are in (or the wait is over). A video is
//! announced the same way, and every member records its own preview.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use gloo_timers::future::TimeoutFuture;
use huddle_protocol::chunks::{split, Reassemblies, Received};
use huddle_protocol::{MemberId, SceneState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, HtmlCanvasElement, ImageBitmap};

use super::dom::now;
use super::hold::LiveHold;
use super::image_codec::{blob_bytes, canvas_jpeg, decode_jpeg};
use super::recorder::{Recorder, Video};
use super::room_background::RoomPhoto;
use crate::compose::client::{ComposeClient, ComposeClientError, ComposeEvent, ComposedFrame};
use crate::compose::messages::{ComposeMember, ComposeRequest, FileType, MemberPicture};
use crate::compose::picture::Picture;
use crate::session::{Session, ShotEvent};

/// The photo's size: full HD, composed from full-resolution cut-outs.
pub const PHOTO_SIZE: (u32, u32) = (1920, 1080);
/// How long a shot waits for members' pictures before it is composed without them.
const PART_WAIT_MS: u32 = 8_000;
/// Shots in a burst, and the time between them.
pub const BURST_SHOTS: u32 = 3;
const BURST_GAP_MS: u32 = 700;
/// A video stops by itself after this long, so a forgotten recording does not fill memory.
pub const MAX_VIDEO_S: u32 = 120;
/// JPEG quality of "Save JPEG": visually lossless at a fifth of the PNG's size.
const JPEG_QUALITY: f64 = 0.92;
/// Members' parts travel as JPEG too: several times faster to encode and send than PNG. The
/// mask half survives it (edges soften like on the live video; the receiver snaps the noise).
const PART_QUALITY: f64 = 0.95;

/// A photo in the room's album.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub shot: u64,
    /// An object URL of the photo as JPEG: shown, saved with "Save JPEG", edited from.
    pub jpeg_url: String,
    /// An object URL of the same photo as PNG ("Save photo"), made after the JPEG
    /// is shown: `None` meanwhile.
    pub png_url: Option<String>,
    pub width: u32,
    pub height: u32,
    /// Where this page's time to the photo went.
    pub timings: ShotTimings,
    /// The members' pictures it was made from (packed: frame and mask side by
    /// side), in join order; a member without one is left out.
    pub part_sizes: Vec<(u32, u32)>,
}

/// Milliseconds from the moment this page heard of a shot (the shutter on the
/// shooter's page, the announcement on the others'; after any countdown).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ShotTimings {
    /// Until my own full-resolution cut-out was made, and sent as JPEG.
    pub mine_ms: f64,
    pub mine_sent_ms: f64,
    /// Until every member's picture was in (or the wait ran out).
    pub parts_ms: f64,
    /// Until the photo was composed.
    pub composed_ms: f64,
    /// Until it was encoded and shown.
    pub shown_ms: f64,
    /// The compose worker's own time for the photo: reading the parts, painting.
    pub read_ms: f64,
    pub paint_ms: f64,
}

/// What the shutter bar shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShotStatus {
    /// Seconds left before the shot.
    pub countdown: Option<u32>,
    /// Pictures in / wanted for the photo being put together.
    pub receiving: Option<(usize, usize)>,
    /// Seconds recorded so far, while the room's video is recording.
    pub recording: Option<u32>,
    /// Stopped videos whose files are being finished.
    pub finishing: usize,
    pub problem: Option<String>,
}

/// One shot being gathered.
struct Pending {
    /// Who was in the room when it was taken (join order).
    members: Vec<MemberId>,
    /// A member's picture; `None` when they had none to give (no camera yet).
    parts: BTreeMap<MemberId, Option<ImageBitmap>>,
    scene: SceneState,
    eyes: BTreeMap<MemberId, [[f32; 2]; 2]>,
    composing: bool,
    /// When the countdown ended here (`now()`, ms).
    began: f64,
    /// When my own cut-out was made, and sent.
    mine_at: Option<(f64, f64)>,
}

/// What a shot's photo tells about how it was made, kept past its [`Pending`] life.
struct ShotRecord {
    began: f64,
    mine_at: Option<(f64, f64)>,
    parts_in: f64,
    part_sizes: Vec<(u32, u32)>,
}

type ShotClocks = BTreeMap<u64, ShotRecord>;

/// My picture for a shot, when it is ready.
type MyPart = Box<dyn Fn() -> LocalBoxFuture<'static, Option<HtmlCanvasElement>>>;

struct Inner {
    session: Session,
    mine: MyPart,
    /// The composed preview, which videos record.
    preview: Box<dyn Fn() -> Option<HtmlCanvasElement>>,
    client: RefCell<Option<Rc<ComposeClient>>>,
    pending: RefCell<BTreeMap<u64, Pending>>,
    /// Shots complete and waiting for the compose worker.
    ready: RefCell<VecDeque<u64>>,
    reassembly: RefCell<Reassemblies<MemberId>>,
    clocks: RefCell<ShotClocks>,
    album: RwSignal<Vec<Photo>>,
    videos: RwSignal<Vec<Video>>,
    status: RwSignal<ShotStatus>,
    /// Stills the live picture while shots are put together.
    hold: LiveHold,
    /// The video being recorded, by id.
    recording: RefCell<Option<(u64, Recorder)>>,
    /// Stopped recordings whose last data the browser has not handed over yet.
    stopping: RefCell<Vec<(u64, Recorder)>>,
    alive: Cell<bool>,
}

/// Where the photos and videos go, and what the shutter bar shows.
#[derive(Clone)]
pub struct Album {
    pub photos: RwSignal<Vec<Photo>>,
    pub videos: RwSignal<Vec<Video>>,
    pub status: RwSignal<ShotStatus>,
    pub hold: LiveHold,
}

#[derive(Clone)]
pub struct Shots {
    inner: Rc<Inner>,
}

impl Shots {
    /// Starts listening for shots in the room; `mine` makes my full-resolution
    /// packed picture for a shot, `preview` is the composed picture.
    pub fn start(
        session: Session,
        mine: impl Fn() -> LocalBoxFuture<'static, Option<HtmlCanvasElement>> + 'static,
        preview: impl Fn() -> Option<HtmlCanvasElement> + 'static,
        album: Album,
    ) -> Self {
        let status = album.status;
        let inner = Rc::new(Inner {
            session,
            mine: Box::new(mine),
            preview: Box::new(preview),
            client: RefCell::new(None),
            pending: RefCell::new(BTreeMap::new()),
            ready: RefCell::new(VecDeque::new()),
            reassembly: RefCell::default(),
            clocks: RefCell::default(),
            album: album.photos,
            videos: album.videos,
            status,
            hold: album.hold,
            recording: RefCell::new(None),
            stopping: RefCell::new(Vec::new()),
            alive: Cell::new(true),
        });
        let weak = Rc::downgrade(&inner);
        match ComposeClient::spawn(move |ev| {
            if let Some(inner) = weak.upgrade() {
                on_composed(&inner, ev);
            }
        }) {
            Ok(c) => {
                inner.client.replace(Some(c));
            }
            Err(e) => status.update(|s| s.problem = Some(e.to_string())),
        }
        let weak = Rc::downgrade(&inner);
        session.listen_for_shots(Some(Rc::new(move |from, ev| {
            if let Some(inner) = weak.upgrade() {
                on_event(&inner, from, ev);
            }
        })));
        Self { inner }
    }

    /// The room's background photo, for shots taken while the room shows it.
    pub fn set_custom_background(&self, photo: &RoomPhoto) {
        if let Some(client) = self.inner.client.borrow().as_ref() {
            client.set_custom_background(photo.width, photo.height, photo.pixels.clone());
        }
        self.prepare(self.inner.session.scene.get_untracked());
    }

    /// Renders `scene`'s background at the photo's size now, so the next shot does
    /// not wait for it (call when the room's background changes).
    pub fn prepare(&self, scene: SceneState) {
        if let Some(client) = self.inner.client.borrow().as_ref() {
            client.prepare(PHOTO_SIZE.0, PHOTO_SIZE.1, scene);
        }
    }

    /// The preview was just painted: the video being recorded takes the frame.
    pub fn frame_painted(&self) {
        if let Some((_, recorder)) = self.inner.recording.borrow().as_ref() {
            recorder.frame_painted();
        }
    }

    /// Announces a shot to everyone and takes it here too.
    pub fn shoot(&self, countdown_s: u8) {
        let shot = new_transfer_id();
        self.inner.session.announce_shot(shot, countdown_s);
        schedule(&self.inner, shot, countdown_s);
    }

    /// [`BURST_SHOTS`] shots in a row.
    pub fn burst(&self, countdown_s: u8) {
        let this = self.clone();
        spawn_local(async move {
            for i in 0..BURST_SHOTS {
                if !this.inner.alive.get() {
                    return;
                }
                this.shoot(if i == 0 { countdown_s } else { 0 });
                let wait = if i == 0 {
                    u32::from(countdown_s) * 1000
                } else {
                    0
                };
                TimeoutFuture::new(wait + BURST_GAP_MS).await;
            }
        });
    }

    /// Starts (`on`) or stops the room's video, for everyone.
    pub fn record(&self, on: bool) {
        self.inner.session.announce_recording(on);
        set_recording(&self.inner, on, true);
    }

    pub fn stop(&self) {
        self.inner.alive.set(false);
        self.inner.recording.replace(None);
        self.inner.stopping.borrow_mut().clear();
        self.inner.session.listen_for_shots(None);
        self.inner.client.replace(None);
        for p in self.inner.pending.borrow_mut().values_mut() {
            close_parts(p);
        }
    }
}

/// A new id for a shot or another chunked transfer.
pub fn new_transfer_id() -> u64 {
    // 53 random bits: ids of transfers by different members never meet in practice.
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}

fn close_parts(p: &mut Pending) {
    for b in p.parts.values().flatten() {
        b.close();
    }
    p.parts.clear();
}

fn on_event(inner: &Rc<Inner>, from: MemberId, ev: ShotEvent) {
    match ev {
        ShotEvent::Shoot { shot, countdown_s } => schedule(inner, shot, countdown_s),
        ShotEvent::Recording { on } => set_recording(inner, on, false),
        ShotEvent::Bytes(bytes) => {
            let received = inner.reassembly.borrow_mut().accept(from, &bytes);
            if let Received::Done { id, bytes } = received {
                receive_part(inner, id, from, bytes);
            }
        }
    }
}

/// Starts or stops recording my preview; `mine`: I pressed the button, so I
/// also end a recording that runs too long.
fn set_recording(inner: &Rc<Inner>, on: bool, mine: bool) {
    if !on {
        if let Some(stopped) = inner.recording.borrow_mut().take() {
            // The encoder still has the frames the busy page queued: the live picture
            // stands still meanwhile, so they are done in about a second, not twenty.
            inner.hold.hold();
            stopped.1.stop();
            inner.stopping.borrow_mut().push(stopped);
            let finishing = inner.stopping.borrow().len();
            inner.status.update(|s| s.finishing = finishing);
        }
        inner.status.update(|s| s.recording = None);
        return;
    }
    if inner.recording.borrow().is_some() {
        return;
    }
    let Some(canvas) = (inner.preview)() else {
        return;
    };
    let id = new_transfer_id();
    let started = now();
    let (width, height) = (canvas.width(), canvas.height());
    let weak = Rc::downgrade(inner);
    let started_recorder = Recorder::start(&canvas, move |blob| {
        if let Some(inner) = weak.upgrade() {
            let seconds = (now() - started) / 1000.0;
            finish_video(&inner, id, blob, seconds, (width, height));
        }
    });
    match started_recorder {
        Ok(recorder) => {
            inner.recording.replace(Some((id, recorder)));
            inner.status.update(|s| s.recording = Some(0));
        }
        Err(e) => {
            let why = e
                .as_string()
                .unwrap_or_else(|| "the browser refused".into());
            inner
                .status
                .update(|s| s.problem = Some(format!("The video could not start: {why}.")));
            return;
        }
    }
    let inner = inner.clone();
    spawn_local(async move {
        for seconds in 1.. {
            TimeoutFuture::new(1000).await;
            let current = inner.recording.borrow().as_ref().map(|r| r.0) == Some(id);
            if !current || !inner.alive.get() {
                return;
            }
            inner.status.update(|s| s.recording = Some(seconds));
            if mine && seconds >= MAX_VIDEO_S {
                inner.session.announce_recording(false);
                set_recording(&inner, false, true);
                return;
            }
        }
    });
}

fn finish_video(
    inner: &Rc<Inner>,
    id: u64,
    blob: Option<Blob>,
    seconds: f64,
    (width, height): (u32, u32),
) {
    let url = blob
        .as_ref()
        .and_then(|b| web_sys::Url::create_object_url_with_blob(b).ok());
    match (blob, url) {
        (Some(blob), Some(url)) => inner.videos.update(|v| {
            v.push(Video {
                id,
                url,
                bytes: blob.size(),
                seconds,
                width,
                height,
            })
        }),
        _ => inner
            .status
            .update(|s| s.problem = Some("The video came out empty. Try recording again.".into())),
    }
    // The recorder's callbacks are running right now: let them finish before dropping it.
    let inner = inner.clone();
    spawn_local(async move {
        inner.stopping.borrow_mut().retain(|(i, _)| *i != id);
        let finishing = inner.stopping.borrow().len();
        inner.status.update(|s| s.finishing = finishing);
        if finishing == 0 {
            release_when_done(&inner);
        }
    });
}

/// Notes the shot (who is in it, the room's look now), counts down, then takes my part.
fn schedule(inner: &Rc<Inner>, shot: u64, countdown_s: u8) {
    ensure_pending(inner, shot);
    let inner = inner.clone();
    spawn_local(async move {
        for left in (1..=u32::from(countdown_s)).rev() {
            inner.status.update(|s| s.countdown = Some(left));
            TimeoutFuture::new(1000).await;
        }
        inner.status.update(|s| s.countdown = None);
        if !inner.alive.get() {
            return;
        }
        // The photo's clock starts when the countdown is over.
        if let Some(p) = inner.pending.borrow_mut().get_mut(&shot) {
            p.began = now();
        }
        inner.hold.hold();
        take_my_part(&inner, shot).await;
        TimeoutFuture::new(PART_WAIT_MS).await;
        // Whoever has not sent by now is left out rather than holding everyone up.
        compose_when_complete(&inner, shot, true);
    });
}

fn ensure_pending(inner: &Rc<Inner>, shot: u64) {
    if inner.pending.borrow().contains_key(&shot) {
        return;
    }
    let members = inner.session.member_ids_untracked();
    let eyes = inner.session.eyes();
    inner.pending.borrow_mut().insert(
        shot,
        Pending {
            members,
            parts: BTreeMap::new(),
            scene: inner.session.scene.get_untracked(),
            eyes,
            composing: false,
            began: now(),
            mine_at: None,
        },
    );
    update_progress(inner, shot);
}

/// My full-resolution cut-out of the camera's next frame: kept here as a bitmap,
/// sent to the others as JPEG.
async fn take_my_part(inner: &Rc<Inner>, shot: u64) {
    let Some(me) = inner.session.me_untracked() else {
        return;
    };
    let client = inner.client.borrow().clone();
    let mine = (inner.mine)().await;
    let made = now();
    let part = match mine {
        Some(c) => part_jpeg(client, &c).await,
        None => None,
    };
    // An empty transfer tells the others I have no picture, so nobody waits for me.
    let bytes = part.unwrap_or_default();
    inner.session.broadcast_chunks(&split(shot, &bytes));
    if let Some(p) = inner.pending.borrow_mut().get_mut(&shot) {
        p.mine_at = Some((made, now()));
    }
    // My photo is made from the same JPEG the others get, so every page's photo is the same.
    let bitmap = match bytes.is_empty() {
        true => None,
        false => decode_jpeg(&bytes).await,
    };
    put_part(inner, shot, me, bitmap);
}

/// My canvas as JPEG, encoded in the compose worker; on the page when the worker
/// cannot (slower while the preview keeps the page busy).
async fn part_jpeg(
    client: Option<Rc<ComposeClient>>,
    canvas: &HtmlCanvasElement,
) -> Option<Vec<u8>> {
    let snapshot = match (&client, web_sys::window()) {
        (Some(_), Some(w)) => match w.create_image_bitmap_with_html_canvas_element(canvas) {
            Ok(p) => JsFuture::from(p)
                .await
                .ok()
                .map(JsCast::unchecked_into::<ImageBitmap>),
            Err(_) => None,
        },
        _ => None,
    };
    if let (Some(client), Some(bitmap)) = (client, snapshot) {
        let files = client
            .encode(&bitmap, vec![FileType::jpeg(PART_QUALITY)])
            .await;
        bitmap.close();
        match files.map(|f| f.into_iter().next()) {
            Ok(Some(blob)) => return blob_bytes(&blob).await,
            Ok(None) => {}
            Err(e) => web_sys::console::warn_1(&format!("shot: {e}").into()),
        }
    }
    canvas_jpeg(canvas, PART_QUALITY).await
}

fn receive_part(inner: &Rc<Inner>, shot: u64, from: MemberId, bytes: Vec<u8>) {
    ensure_pending(inner, shot);
    if bytes.is_empty() {
        put_part(inner, shot, from, None);
        return;
    }
    let inner = inner.clone();
    spawn_local(async move {
        let bitmap = decode_jpeg(&bytes).await;
        put_part(&inner, shot, from, bitmap);
    });
}

fn put_part(inner: &Rc<Inner>, shot: u64, member: MemberId, bitmap: Option<ImageBitmap>) {
    {
        let mut pending = inner.pending.borrow_mut();
        match pending.get_mut(&shot) {
            Some(p) if !p.composing => {
                if let Some(Some(old)) = p.parts.insert(member, bitmap) {
                    old.close();
                }
            }
            _ => {
                if let Some(b) = bitmap {
                    b.close();
                }
                return;
            }
        }
    }
    update_progress(inner, shot);
    compose_when_complete(inner, shot, false);
}

fn update_progress(inner: &Rc<Inner>, shot: u64) {
    let counts = inner.pending.borrow().get(&shot).map(|p| {
        let have = p.members.iter().filter(|m| p.parts.contains_key(m)).count();
        (have, p.members.len())
    });
    inner
        .status
        .update(|s| s.receiving = counts.filter(|(h, w)| h < w));
}

/// Queues the shot for composing when every member's part is in (or `give_up`).
fn compose_when_complete(inner: &Rc<Inner>, shot: u64, give_up: bool) {
    {
        let mut pending = inner.pending.borrow_mut();
        let Some(p) = pending.get_mut(&shot) else {
            return;
        };
        let complete = p.members.iter().all(|m| p.parts.contains_key(m));
        if p.composing || !(complete || give_up) {
            return;
        }
        p.composing = true;
        let part_sizes = p
            .members
            .iter()
            .filter_map(|m| p.parts.get(m).and_then(Option::as_ref))
            .map(|b| (b.width(), b.height()))
            .collect();
        let record = ShotRecord {
            began: p.began,
            mine_at: p.mine_at,
            parts_in: now(),
            part_sizes,
        };
        inner.clocks.borrow_mut().insert(shot, record);
    }
    inner.ready.borrow_mut().push_back(shot);
    inner.status.update(|s| s.receiving = None);
    pump(inner);
}

/// Sends the next complete shot to the compose worker when it is free.
fn pump(inner: &Rc<Inner>) {
    let Some(client) = inner.client.borrow().clone() else {
        return;
    };
    if !client.is_idle() {
        return;
    }
    let Some(shot) = inner.ready.borrow_mut().pop_front() else {
        return;
    };
    let Some(mut p) = inner.pending.borrow_mut().remove(&shot) else {
        return;
    };
    let mut bitmaps = Vec::new();
    let members = p
        .members
        .iter()
        .map(|&id| {
            let part = p.parts.remove(&id).flatten();
            let eyes = part.as_ref().and_then(|b| {
                let (fw, fh) = ((b.width() / 2) as f32, b.height() as f32);
                p.eyes.get(&id).map(|e| e.map(|[x, y]| [x * fw, y * fh]))
            });
            let picture = match part {
                Some(b) => {
                    bitmaps.push(Picture::from(b));
                    MemberPicture::at(bitmaps.len() - 1)
                }
                None => MemberPicture::None,
            };
            ComposeMember { id, picture, eyes }
        })
        .collect();
    close_parts(&mut p);
    let request = ComposeRequest {
        id: shot,
        width: PHOTO_SIZE.0,
        height: PHOTO_SIZE.1,
        scene: p.scene,
        members,
    };
    if !client.submit(request, bitmaps) {
        inner
            .status
            .update(|s| s.problem = Some("The photo could not be put together. Try again.".into()));
    }
}

fn on_composed(inner: &Rc<Inner>, ev: ComposeEvent) {
    match ev {
        ComposeEvent::Frame(frame) => {
            let inner2 = inner.clone();
            let composed = now();
            let (read_ms, paint_ms) = (frame.timings.read, frame.timings.paint);
            let clock = inner.clocks.borrow_mut().remove(&frame.id);
            let client = inner.client.borrow().clone();
            spawn_local(async move {
                let mut png = None;
                if let Some((mut photo, copy)) = to_photo(client, frame, inner2.status).await {
                    if let Some(record) = clock {
                        let began = record.began;
                        let (made, sent) = record.mine_at.unwrap_or((began, began));
                        photo.timings = ShotTimings {
                            mine_ms: made - began,
                            mine_sent_ms: sent - began,
                            parts_ms: record.parts_in - began,
                            composed_ms: composed - began,
                            shown_ms: now() - began,
                            read_ms,
                            paint_ms,
                        };
                        photo.part_sizes = record.part_sizes;
                    }
                    png = copy.map(|c| (photo.shot, c));
                    inner2.album.update(|a| a.push(photo));
                }
                pump(&inner2);
                release_when_done(&inner2);
                if let Some((shot, copy)) = png {
                    add_png(inner2, shot, copy).await;
                }
            });
        }
        ComposeEvent::Failed { id, message } => {
            inner.clocks.borrow_mut().remove(&id);
            compose_failed(inner, &message);
        }
        ComposeEvent::Crashed(message) => compose_failed(inner, &message),
    }
}

fn compose_failed(inner: &Rc<Inner>, message: &str) {
    inner
        .status
        .update(|s| s.problem = Some(format!("The photo could not be put together: {message}")));
    pump(inner);
    release_when_done(inner);
}

/// Lets the live picture go on once no shot is waiting for parts or the worker
/// and no video is being finished.
fn release_when_done(inner: &Rc<Inner>) {
    let idle = inner.pending.borrow().is_empty()
        && inner.stopping.borrow().is_empty()
        && inner.ready.borrow().is_empty()
        && inner.client.borrow().as_ref().is_none_or(|c| c.is_idle());
    if idle {
        inner.hold.release();
    }
}

/// The composed bitmap as a JPEG object URL, encoded in the compose worker; the
/// PNG follows in the background (see [`add_png`]), from `copy` when there is one.
async fn to_photo(
    client: Option<Rc<ComposeClient>>,
    frame: ComposedFrame,
    status: RwSignal<ShotStatus>,
) -> Option<(Photo, Option<ImageBitmap>)> {
    let (w, h) = (frame.bitmap.width(), frame.bitmap.height());
    let Some(client) = client else {
        frame.bitmap.close();
        let e = ComposeClientError::NotStarted;
        status.update(|s| s.problem = Some(format!("The photo could not be kept: {e}")));
        return None;
    };
    // The encoding takes the bitmap: the PNG is made from a copy.
    let copy = match web_sys::window()
        .and_then(|w| w.create_image_bitmap_with_image_bitmap(&frame.bitmap).ok())
    {
        Some(p) => JsFuture::from(p)
            .await
            .ok()
            .map(JsCast::unchecked_into::<ImageBitmap>),
        None => None,
    };
    let files = client
        .encode(&frame.bitmap, vec![FileType::jpeg(JPEG_QUALITY)])
        .await;
    frame.bitmap.close();
    let jpeg = match files.map(|f| f.into_iter().next()) {
        Ok(Some(blob)) => blob,
        Ok(None) => {
            copy.iter().for_each(ImageBitmap::close);
            return None;
        }
        Err(e) => {
            copy.iter().for_each(ImageBitmap::close);
            status.update(|s| s.problem = Some(format!("The photo could not be kept: {e}")));
            return None;
        }
    };
    let jpeg_url = web_sys::Url::create_object_url_with_blob(&jpeg).ok()?;
    let photo = Photo {
        shot: frame.id,
        jpeg_url,
        png_url: None,
        width: w,
        height: h,
        timings: ShotTimings::default(),
        part_sizes: Vec::new(),
    };
    Some((photo, copy))
}

/// Encodes the photo's PNG from `copy` and puts it on the album's photo `shot`.
/// The JPEG is shown first: a 1920×1080 PNG takes the encoder several times as long.
async fn add_png(inner: Rc<Inner>, shot: u64, copy: ImageBitmap) {
    let client = inner.client.borrow().clone();
    let files = match client {
        Some(c) => c.encode(&copy, vec![FileType::png()]).await,
        None => Err(ComposeClientError::NotStarted),
    };
    copy.close();
    let url = match files.map(|f| f.into_iter().next()) {
        Ok(Some(blob)) => web_sys::Url::create_object_url_with_blob(&blob).ok(),
        Ok(None) => None,
        Err(e) => {
            inner
                .status
                .update(|s| s.problem = Some(format!("The PNG could not be made: {e}")));
            None
        }
    };
    let Some(url) = url else {
        return;
    };
    let mut kept = false;
    if inner.alive.get() {
        inner.album.update(|a| {
            if let Some(p) = a.iter_mut().find(|p| p.shot == shot) {
                p.png_url = Some(url.clone());
                kept = true;
            }
        });
    }
    if !kept {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}
