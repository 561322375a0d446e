//! The room's own background photo: one member uploads it, everyone paints it.
//!
//! The photo travels as a JPEG (at most the shot's 1920×1080) in binary chunks
//! ([`huddle_protocol::chunks`]) after a [`PeerMessage::BackgroundPhoto`] that
//! names the transfer. Like every scene setting the newest upload wins, by
//! `(clock, by)`; the room's background id ([`CUSTOM_BACKGROUND`]) says whether
//! it shows. A member whose channel opens later gets it from the earliest
//! joiner holding it, so a late joiner sees the same picture.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use huddle_protocol::chunks::{split, Reassemblies, Received};
use huddle_protocol::{MemberId, PeerMessage};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Blob, HtmlCanvasElement, ImageBitmap};

use super::dom::{context_2d, create};
use super::image_codec::{canvas_jpeg, decode_blob, decode_jpeg};
use crate::compose::messages::CUSTOM_BACKGROUND;
use crate::session::{BackgroundEvent, Session};

/// The largest photo kept: the shot's size, the most any picture needs.
const MAX_SIZE: (u32, u32) = (1920, 1080);
const JPEG_QUALITY: f64 = 0.9;
const NOT_A_PICTURE: &str = "That file is not a picture this browser can open. Try a JPEG or PNG.";

/// Which upload a photo is: later uploads win.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PhotoKey {
    pub clock: u64,
    pub by: MemberId,
}

/// A decoded background photo, ready for the compose workers.
#[derive(Clone)]
pub struct RoomPhoto {
    pub key: PhotoKey,
    pub width: u32,
    pub height: u32,
    /// RGBA, `width × height × 4` bytes.
    pub pixels: js_sys::Uint8ClampedArray,
    /// What is sent to members who join later.
    jpeg: Rc<Vec<u8>>,
}

/// What the background controls show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BackgroundStatus {
    /// The room has a photo to choose.
    pub has_photo: bool,
    /// Preparing or sending my upload.
    pub sending: bool,
    /// Another member's photo arriving: percent received.
    pub receiving: Option<u8>,
    pub problem: Option<String>,
}

type Sink = Rc<dyn Fn(&RoomPhoto)>;

struct Inner {
    session: Session,
    photo: RefCell<Option<RoomPhoto>>,
    /// Announced transfers by sender: which upload each one is.
    announced: RefCell<BTreeMap<(MemberId, u64), PhotoKey>>,
    reassembly: RefCell<Reassemblies<MemberId>>,
    sink: RefCell<Option<Sink>>,
    status: RwSignal<BackgroundStatus>,
}

/// The room page's background photo. `Copy`, so components share it through
/// the context (the browser objects stay in local storage).
#[derive(Clone, Copy)]
pub struct RoomBackground {
    inner: StoredValue<Rc<Inner>, LocalStorage>,
}

impl RoomBackground {
    /// Starts listening for other members' photos and for late joiners.
    pub fn start(session: Session) -> Self {
        let inner = Rc::new(Inner {
            session,
            photo: RefCell::new(None),
            announced: RefCell::new(BTreeMap::new()),
            reassembly: RefCell::default(),
            sink: RefCell::new(None),
            status: RwSignal::new(BackgroundStatus::default()),
        });
        let weak = Rc::downgrade(&inner);
        session.listen_for_background(Some(Rc::new(move |from, ev| {
            if let Some(inner) = weak.upgrade() {
                on_event(&inner, from, ev);
            }
        })));
        Self {
            inner: StoredValue::new_local(inner),
        }
    }

    fn inner(&self) -> Rc<Inner> {
        self.inner.get_value()
    }

    pub fn status(&self) -> RwSignal<BackgroundStatus> {
        self.inner().status
    }

    /// Where photos go (the compose workers); called at once with the current one.
    pub fn set_sink(&self, sink: Option<Sink>) {
        // The page may already be gone when a component cleans up.
        let Some(inner) = self.inner.try_get_value() else {
            return;
        };
        if let (Some(sink), Some(photo)) = (&sink, inner.photo.borrow().as_ref()) {
            sink(photo);
        }
        inner.sink.replace(sink);
    }

    /// The current photo, if any.
    pub fn photo(&self) -> Option<RoomPhoto> {
        self.inner().photo.borrow().clone()
    }

    /// Makes `file` the room's background for everyone and switches to it.
    pub fn upload(&self, file: Blob) {
        let inner = self.inner();
        let Some(me) = inner.session.me_untracked() else {
            return;
        };
        inner.status.update(|s| {
            s.sending = true;
            s.problem = None;
        });
        spawn_local(async move {
            match prepare(&file).await {
                Ok(jpeg) => {
                    let key = PhotoKey {
                        clock: inner.session.scene.with_untracked(|s| s.clock()) + 1,
                        by: me,
                    };
                    match decode(key, Rc::new(jpeg)).await {
                        Some(photo) => {
                            send(&inner, &photo, None);
                            adopt(&inner, photo);
                            inner.session.change_scene(|s, me| {
                                s.background = s.stamp(CUSTOM_BACKGROUND.to_owned(), me);
                            });
                        }
                        None => fail(&inner, NOT_A_PICTURE),
                    }
                }
                Err(why) => fail(&inner, why),
            }
            inner.status.update(|s| s.sending = false);
        });
    }

    /// Stops listening (the room page closes).
    pub fn stop(&self) {
        let Some(inner) = self.inner.try_get_value() else {
            return;
        };
        inner.session.listen_for_background(None);
        inner.sink.replace(None);
    }
}

fn fail(inner: &Inner, why: &str) {
    inner.status.update(|s| s.problem = Some(why.to_owned()));
}

/// The file scaled down to fit [`MAX_SIZE`], as JPEG.
async fn prepare(file: &Blob) -> Result<Vec<u8>, &'static str> {
    let bitmap = decode_blob(file).await.ok_or(NOT_A_PICTURE)?;
    let (w, h) = fit(bitmap.width(), bitmap.height());
    let canvas = canvas_of(&bitmap, w, h);
    bitmap.close();
    let canvas = canvas.ok_or("This browser could not prepare the photo.")?;
    canvas_jpeg(&canvas, JPEG_QUALITY)
        .await
        .ok_or("This browser could not prepare the photo.")
}

/// The size that fits within [`MAX_SIZE`], never scaled up.
fn fit(w: u32, h: u32) -> (u32, u32) {
    let (w, h) = (w.max(1), h.max(1));
    let scale = (MAX_SIZE.0 as f32 / w as f32)
        .min(MAX_SIZE.1 as f32 / h as f32)
        .min(1.0);
    let side = |v: u32| ((v as f32 * scale).round() as u32).max(1);
    (side(w), side(h))
}

fn canvas_of(bitmap: &ImageBitmap, w: u32, h: u32) -> Option<HtmlCanvasElement> {
    let canvas: HtmlCanvasElement = create("canvas").ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    context_2d(&canvas)
        .ok()?
        .draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w.into(), h.into())
        .ok()?;
    Some(canvas)
}

/// The JPEG as pixels; every member (the uploader too) paints the decoded
/// JPEG, so every page's picture is the same.
async fn decode(key: PhotoKey, jpeg: Rc<Vec<u8>>) -> Option<RoomPhoto> {
    let bitmap = decode_jpeg(&jpeg).await?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let canvas = canvas_of(&bitmap, w, h);
    bitmap.close();
    let data = context_2d(&canvas?)
        .ok()?
        .get_image_data(0.0, 0.0, w.into(), h.into())
        .ok()?;
    Some(RoomPhoto {
        key,
        width: w,
        height: h,
        pixels: js_sys::Uint8ClampedArray::from(&data.data()[..]),
        jpeg,
    })
}

/// Announces and sends `photo` to `to`, or to everyone.
fn send(inner: &Inner, photo: &RoomPhoto, to: Option<MemberId>) {
    let transfer = super::shots::new_transfer_id();
    let announce = PeerMessage::BackgroundPhoto {
        transfer,
        clock: photo.key.clock,
        by: photo.key.by,
    };
    let chunks = split(transfer, &photo.jpeg);
    match to {
        Some(member) => {
            inner.session.send_to(member, &announce);
            inner.session.send_chunks_to(member, &chunks);
        }
        None => {
            inner.session.broadcast(&announce);
            inner.session.broadcast_chunks(&chunks);
        }
    }
}

/// Keeps `photo` if it is the newest, and hands it to the painters.
fn adopt(inner: &Inner, photo: RoomPhoto) {
    let newer = inner
        .photo
        .borrow()
        .as_ref()
        .is_none_or(|p| photo.key > p.key);
    if !newer {
        return;
    }
    let sink = inner.sink.borrow().clone();
    if let Some(sink) = sink {
        sink(&photo);
    }
    inner.photo.replace(Some(photo));
    inner.status.update(|s| s.has_photo = true);
}

fn on_event(inner: &Rc<Inner>, from: MemberId, ev: BackgroundEvent) {
    match ev {
        BackgroundEvent::Announce {
            transfer,
            clock,
            by,
        } => {
            let mut announced = inner.announced.borrow_mut();
            // A sender that vanished mid-transfer must not grow this for ever.
            if announced.len() >= 16 {
                announced.clear();
            }
            announced.insert((from, transfer), PhotoKey { clock, by });
        }
        BackgroundEvent::Bytes(bytes) => receive(inner, from, &bytes),
        BackgroundEvent::ChannelOpen => {
            let Some(photo) = inner.photo.borrow().clone() else {
                return;
            };
            // One copy per newcomer: the earliest joiner (other than them) sends it.
            let me = inner.session.me_untracked();
            let first = inner
                .session
                .member_ids_untracked()
                .into_iter()
                .find(|m| *m != from);
            if me.is_some() && first == me {
                send(inner, &photo, Some(from));
            }
        }
    }
}

fn receive(inner: &Rc<Inner>, from: MemberId, bytes: &[u8]) {
    let received = inner.reassembly.borrow_mut().accept(from, bytes);
    match received {
        Received::Progress { have, total, .. } => {
            let percent = (u64::from(have) * 100 / u64::from(total.max(1))) as u8;
            inner.status.update(|s| s.receiving = Some(percent));
        }
        Received::Done { id, bytes } => {
            inner.status.update(|s| s.receiving = None);
            let Some(key) = inner.announced.borrow_mut().remove(&(from, id)) else {
                return;
            };
            if inner.photo.borrow().as_ref().is_some_and(|p| p.key >= key) {
                return;
            }
            let inner = inner.clone();
            spawn_local(async move {
                match decode(key, Rc::new(bytes)).await {
                    Some(photo) => adopt(&inner, photo),
                    None => fail(
                        &inner,
                        "Another member's background photo could not be opened.",
                    ),
                }
            });
        }
        Received::Rejected => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn photos_fit_the_shot_size_without_growing() {
        assert_eq!(fit(4000, 3000), (1440, 1080));
        assert_eq!(fit(3840, 1080), (1920, 540));
        assert_eq!(fit(640, 480), (640, 480));
        assert_eq!(fit(0, 0), (1, 1));
    }

    #[wasm_bindgen_test]
    fn later_uploads_win_and_ties_go_to_the_higher_member() {
        let a = PhotoKey {
            clock: 4,
            by: MemberId(9),
        };
        let b = PhotoKey {
            clock: 5,
            by: MemberId(1),
        };
        let c = PhotoKey {
            clock: 5,
            by: MemberId(2),
        };
        assert!(a < b && b < c);
    }
}
