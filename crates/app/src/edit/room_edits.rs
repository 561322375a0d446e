//! The room's photos being edited together: one editing document per shot,
//! synchronised with every member over the data channels (y-sync payloads in
//! chunks, see `docs/protocol.md`), kept in localStorage, and rendered by the
//! editor. Every member holds every document of the room, whether or not its
//! editor is open, so anyone can open it at any time and find it current.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use huddle_edit::{DocSnapshot, EditDoc};
use huddle_protocol::chunks::{split, Reassemblies, Received};
use huddle_protocol::{MemberId, PeerMessage, RoomId};
use huddle_vision::Rgba8Image;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::fonts::fetch_bytes;
use super::pixels::decode_to_rgba;
use super::saved;
use crate::live::shots::new_transfer_id;
use crate::session::{EditEvent, Session};

/// Changes are written to storage at most this often.
const SAVE_DELAY_MS: u32 = 400;

/// A shot's photo: what is sent and kept (JPEG), and what is drawn on.
#[derive(Clone)]
pub struct EditPhoto {
    jpeg: Rc<Vec<u8>>,
    pub pixels: Rc<Rgba8Image>,
}

/// Where another member is in an editor.
#[derive(Clone, Debug, PartialEq)]
pub struct Presence {
    pub member: MemberId,
    pub cursor: Option<[f32; 2]>,
    pub selected: Option<String>,
}

/// A shot with an editing document, for the list of photos being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct EditedShot {
    pub shot: u64,
    pub has_photo: bool,
}

struct ShotEdit {
    doc: EditDoc,
    photo: Option<EditPhoto>,
    /// Who sent the document, to ask for the photo.
    heard_from: Option<MemberId>,
    asked_for_photo: bool,
    presence: BTreeMap<MemberId, Presence>,
}

impl ShotEdit {
    fn new(doc: EditDoc) -> Self {
        Self {
            doc,
            photo: None,
            heard_from: None,
            asked_for_photo: false,
            presence: BTreeMap::new(),
        }
    }
}

struct Inner {
    session: Session,
    room: RoomId,
    /// My replica's id in every document: new on every page load, as yrs wants.
    client_id: u64,
    shots: RefCell<BTreeMap<u64, ShotEdit>>,
    /// Announced transfers by sender: which shot, and whether it is the photo.
    announced: RefCell<BTreeMap<(MemberId, u64), (u64, bool)>>,
    reassembly: RefCell<Reassemblies<MemberId>>,
    /// Shots changed since the last write to storage.
    unsaved: RefCell<Vec<u64>>,
    saving: Cell<bool>,
    /// Bumped on every change of any document, photo or presence: editors re-render.
    version: RwSignal<u64>,
    list: RwSignal<Vec<EditedShot>>,
    open: RwSignal<Option<u64>>,
    problem: RwSignal<Option<String>>,
    /// The newest snapshot of each document, by the version it was taken at: the editor
    /// asks several times per change, and a busy document takes milliseconds to read.
    snapshots: RefCell<BTreeMap<u64, (u64, Rc<DocSnapshot>)>>,
}

/// The room page's edited photos. `Copy`, so components share it through the
/// context (the documents stay in local storage).
#[derive(Clone, Copy)]
pub struct RoomEdits {
    inner: StoredValue<Rc<Inner>, LocalStorage>,
}

impl RoomEdits {
    /// Starts listening to the others, and brings back what this browser kept for `room`.
    pub fn start(session: Session, room: RoomId) -> Self {
        let client_id = (js_sys::Math::random() * 4_294_967_295.0) as u64 + 1;
        let inner = Rc::new(Inner {
            session,
            room: room.clone(),
            client_id,
            shots: RefCell::new(BTreeMap::new()),
            announced: RefCell::new(BTreeMap::new()),
            reassembly: RefCell::default(),
            unsaved: RefCell::new(Vec::new()),
            saving: Cell::new(false),
            version: RwSignal::new(0),
            list: RwSignal::new(Vec::new()),
            open: RwSignal::new(saved::open_before(&room)),
            problem: RwSignal::new(None),
            snapshots: RefCell::new(BTreeMap::new()),
        });
        for kept in saved::load_room(&room) {
            let Ok(doc) = EditDoc::from_state(client_id, &kept.doc) else {
                continue;
            };
            inner
                .shots
                .borrow_mut()
                .insert(kept.shot, ShotEdit::new(doc));
            if let Some(jpeg) = kept.photo {
                set_photo(&inner, kept.shot, jpeg, false);
            }
        }
        changed(&inner);
        let weak = Rc::downgrade(&inner);
        session.listen_for_edits(Some(Rc::new(move |from, ev| {
            if let Some(inner) = weak.upgrade() {
                on_event(&inner, from, ev);
            }
        })));
        Self {
            inner: StoredValue::new_local(inner),
        }
    }

    fn inner(&self) -> Option<Rc<Inner>> {
        self.inner.try_get_value()
    }

    pub fn stop(&self) {
        if let Some(inner) = self.inner() {
            save_now(&inner);
            inner.session.listen_for_edits(None);
        }
    }

    /// Any change: read it to re-render.
    pub fn version(&self) -> u64 {
        self.inner().map(|i| i.version.get()).unwrap_or_default()
    }

    /// The shots with a document.
    pub fn list(&self) -> Vec<EditedShot> {
        self.inner().map(|i| i.list.get()).unwrap_or_default()
    }

    /// The shot open in my editor.
    pub fn open_shot(&self) -> Option<u64> {
        self.inner().and_then(|i| i.open.get())
    }

    pub fn problem(&self) -> Option<String> {
        self.inner().and_then(|i| i.problem.get())
    }

    /// Opens the editor on `shot`; `jpeg_url` is my album's copy of the photo,
    /// when I have one (otherwise it comes from the others).
    pub fn open(&self, shot: u64, jpeg_url: Option<String>) {
        let Some(inner) = self.inner() else {
            return;
        };
        let created = ensure_doc(&inner, shot);
        inner.open.set(Some(shot));
        saved::remember_open(&inner.room, Some(shot));
        if created {
            // Everyone learns the document exists, so it is in their list at once.
            let start = inner.shots.borrow().get(&shot).map(|s| s.doc.sync_start());
            if let Some(start) = start {
                send_sync(&inner, shot, &start, None);
            }
        }
        let has_photo = inner
            .shots
            .borrow()
            .get(&shot)
            .is_some_and(|s| s.photo.is_some());
        if let (false, Some(url)) = (has_photo, jpeg_url) {
            let inner = inner.clone();
            spawn_local(async move {
                match fetch_bytes(&url).await {
                    Ok(jpeg) => set_photo(&inner, shot, jpeg, true),
                    Err(e) => inner
                        .problem
                        .set(Some(format!("The photo could not be opened: {e}"))),
                }
            });
        }
        changed(&inner);
    }

    /// Closes my editor (the document stays, in sync).
    pub fn close(&self) {
        let Some(inner) = self.inner() else {
            return;
        };
        if let Some(shot) = inner.open.get_untracked() {
            inner.session.broadcast(&PeerMessage::EditPresence {
                shot,
                open: false,
                cursor: None,
                selected: None,
            });
        }
        inner.open.set(None);
        saved::remember_open(&inner.room, None);
    }

    /// Makes an edit of mine on `shot`'s document and sends it to everyone.
    pub fn edit<R>(&self, shot: u64, change: impl FnOnce(&mut EditDoc) -> R) -> Option<R> {
        let inner = self.inner()?;
        let (result, outgoing) = {
            let mut shots = inner.shots.borrow_mut();
            let doc = &mut shots.get_mut(&shot)?.doc;
            let result = change(doc);
            if doc.is_full() {
                inner.problem.set(Some(format!(
                    "This photo holds {} elements, the most it can: delete some to add more.",
                    huddle_edit::limits::MAX_ELEMENTS
                )));
            }
            (result, doc.take_outgoing())
        };
        for update in outgoing {
            send_sync(&inner, shot, &update, None);
        }
        mark_unsaved(&inner, shot);
        changed(&inner);
        Some(result)
    }

    /// Reads `shot`'s document without changing it.
    pub fn read<R>(&self, shot: u64, read: impl FnOnce(&EditDoc) -> R) -> Option<R> {
        let inner = self.inner()?;
        let shots = inner.shots.borrow();
        Some(read(&shots.get(&shot)?.doc))
    }

    pub fn snapshot(&self, shot: u64) -> Option<Rc<DocSnapshot>> {
        let inner = self.inner()?;
        let version = inner.version.get_untracked();
        if let Some((at, snap)) = inner.snapshots.borrow().get(&shot) {
            if *at == version {
                return Some(snap.clone());
            }
        }
        let snap = Rc::new(self.read(shot, EditDoc::snapshot)?);
        inner
            .snapshots
            .borrow_mut()
            .insert(shot, (version, snap.clone()));
        Some(snap)
    }

    pub fn photo(&self, shot: u64) -> Option<EditPhoto> {
        let inner = self.inner()?;
        let shots = inner.shots.borrow();
        shots.get(&shot)?.photo.clone()
    }

    /// The others in `shot`'s editor, by member.
    pub fn presence(&self, shot: u64) -> Vec<Presence> {
        let Some(inner) = self.inner() else {
            return Vec::new();
        };
        let members = inner.session.member_ids_untracked();
        let shots = inner.shots.borrow();
        shots
            .get(&shot)
            .map(|s| {
                s.presence
                    .values()
                    .filter(|p| members.contains(&p.member))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Tells the others where I am in `shot`'s editor.
    pub fn share_presence(&self, shot: u64, cursor: Option<[f32; 2]>, selected: Option<String>) {
        if let Some(inner) = self.inner() {
            inner.session.broadcast(&PeerMessage::EditPresence {
                shot,
                open: true,
                cursor,
                selected,
            });
        }
    }
}

/// Creates `shot`'s document if there is none; true when it did.
fn ensure_doc(inner: &Rc<Inner>, shot: u64) -> bool {
    let mut shots = inner.shots.borrow_mut();
    if shots.contains_key(&shot) {
        return false;
    }
    shots.insert(shot, ShotEdit::new(EditDoc::new(inner.client_id)));
    true
}

fn changed(inner: &Rc<Inner>) {
    let list = inner
        .shots
        .borrow()
        .iter()
        .map(|(&shot, s)| EditedShot {
            shot,
            has_photo: s.photo.is_some(),
        })
        .collect();
    inner.list.maybe_update(|l| {
        let differs = *l != list;
        *l = list;
        differs
    });
    inner.version.update(|v| *v += 1);
}

/// Announces and sends one sync payload, to `to` or to everyone.
fn send_sync(inner: &Inner, shot: u64, payload: &[u8], to: Option<MemberId>) {
    let transfer = new_transfer_id();
    send_transfer(
        inner,
        &PeerMessage::EditSync { shot, transfer },
        transfer,
        payload,
        to,
    );
}

fn send_transfer(
    inner: &Inner,
    announce: &PeerMessage,
    transfer: u64,
    payload: &[u8],
    to: Option<MemberId>,
) {
    let chunks = split(transfer, payload);
    match to {
        Some(member) => {
            inner.session.send_to(member, announce);
            inner.session.send_chunks_to(member, &chunks);
        }
        None => {
            inner.session.broadcast(announce);
            inner.session.broadcast_chunks(&chunks);
        }
    }
}

fn on_event(inner: &Rc<Inner>, from: MemberId, ev: EditEvent) {
    match ev {
        EditEvent::ChannelOpen => {
            let starts: Vec<(u64, Vec<u8>)> = inner
                .shots
                .borrow()
                .iter()
                .map(|(&shot, s)| (shot, s.doc.sync_start()))
                .collect();
            for (shot, start) in starts {
                send_sync(inner, shot, &start, Some(from));
            }
        }
        EditEvent::Announce {
            shot,
            transfer,
            photo,
        } => {
            let mut announced = inner.announced.borrow_mut();
            if announced.len() >= 256 {
                announced.clear();
            }
            announced.insert((from, transfer), (shot, photo));
        }
        EditEvent::PhotoWanted { shot } => {
            let jpeg = inner
                .shots
                .borrow()
                .get(&shot)
                .and_then(|s| s.photo.as_ref().map(|p| p.jpeg.clone()));
            if let Some(jpeg) = jpeg {
                let transfer = new_transfer_id();
                let announce = PeerMessage::EditPhoto { shot, transfer };
                send_transfer(inner, &announce, transfer, &jpeg, Some(from));
            }
        }
        EditEvent::Presence {
            shot,
            open,
            cursor,
            selected,
        } => {
            if let Some(s) = inner.shots.borrow_mut().get_mut(&shot) {
                if open {
                    let p = Presence {
                        member: from,
                        cursor,
                        selected,
                    };
                    s.presence.insert(from, p);
                } else {
                    s.presence.remove(&from);
                }
            }
            inner.version.update(|v| *v += 1);
        }
        EditEvent::Bytes(bytes) => {
            let received = inner.reassembly.borrow_mut().accept(from, &bytes);
            if let Received::Done { id, bytes } = received {
                let target = inner.announced.borrow_mut().remove(&(from, id));
                match target {
                    Some((shot, true)) => set_photo(inner, shot, bytes, true),
                    Some((shot, false)) => receive_sync(inner, from, shot, &bytes),
                    None => {}
                }
            }
        }
    }
}

fn receive_sync(inner: &Rc<Inner>, from: MemberId, shot: u64, payload: &[u8]) {
    let created = ensure_doc(inner, shot);
    let (replies, ask_photo) = {
        let mut shots = inner.shots.borrow_mut();
        let Some(s) = shots.get_mut(&shot) else {
            return;
        };
        // A broken payload costs only itself: the next sync step heals the gap.
        let replies: Vec<Vec<u8>> = s.doc.handle_sync(payload).unwrap_or_default();
        inner.unsaved.borrow_mut().push(shot);
        s.heard_from.get_or_insert(from);
        let ask = s.photo.is_none() && !s.asked_for_photo;
        s.asked_for_photo |= ask;
        (replies, ask)
    };
    for reply in replies {
        send_sync(inner, shot, &reply, Some(from));
    }
    if created {
        // A document new to me: the sender may lack my state of it too (never, today,
        // but a step 1 back costs a few bytes and makes the exchange symmetric).
        let start = inner.shots.borrow().get(&shot).map(|s| s.doc.sync_start());
        if let Some(start) = start {
            send_sync(inner, shot, &start, Some(from));
        }
    }
    if ask_photo {
        inner
            .session
            .send_to(from, &PeerMessage::EditPhotoWanted { shot });
    }
    schedule_save(inner);
    changed(inner);
}

/// Decodes and keeps `shot`'s photo (if it has none yet); `keep`: also write it to storage.
fn set_photo(inner: &Rc<Inner>, shot: u64, jpeg: Vec<u8>, keep: bool) {
    let inner = inner.clone();
    spawn_local(async move {
        let Some(pixels) = decode_to_rgba(&jpeg).await else {
            inner.problem.set(Some(
                "A photo to edit arrived broken. Reopen it to try again.".into(),
            ));
            return;
        };
        {
            let mut shots = inner.shots.borrow_mut();
            let Some(s) = shots.get_mut(&shot) else {
                return;
            };
            if s.photo.is_some() {
                return;
            }
            s.photo = Some(EditPhoto {
                jpeg: Rc::new(jpeg),
                pixels: Rc::new(pixels),
            });
        }
        if keep {
            save_shot(&inner, shot, true);
        }
        changed(&inner);
    });
}

fn mark_unsaved(inner: &Rc<Inner>, shot: u64) {
    inner.unsaved.borrow_mut().push(shot);
    schedule_save(inner);
}

fn schedule_save(inner: &Rc<Inner>) {
    if inner.saving.replace(true) {
        return;
    }
    let inner = inner.clone();
    spawn_local(async move {
        TimeoutFuture::new(SAVE_DELAY_MS).await;
        inner.saving.set(false);
        save_now(&inner);
    });
}

fn save_now(inner: &Rc<Inner>) {
    let mut shots: Vec<u64> = inner.unsaved.borrow_mut().drain(..).collect();
    shots.sort_unstable();
    shots.dedup();
    for shot in shots {
        save_shot(inner, shot, false);
    }
}

fn save_shot(inner: &Rc<Inner>, shot: u64, with_photo: bool) {
    let (state, photo) = {
        let shots = inner.shots.borrow();
        let Some(s) = shots.get(&shot) else {
            return;
        };
        let photo = with_photo
            .then(|| s.photo.as_ref().map(|p| p.jpeg.clone()))
            .flatten();
        (s.doc.encode_state(), photo)
    };
    if !saved::save(
        &inner.room,
        shot,
        &state,
        photo.as_deref().map(Vec::as_slice),
    ) {
        inner.problem.set(Some(
            "This browser would not keep the edit (storage full or private mode): \
             it lasts until you leave the page."
                .into(),
        ));
    }
}
