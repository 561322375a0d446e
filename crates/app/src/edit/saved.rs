//! Editing documents (and their photos) kept in localStorage, so a reload of
//! any member loses nothing. Kept per room and shot; entries older than
//! [`KEEP_MS`] are dropped, since a room that nobody is in any more is gone.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use huddle_protocol::RoomId;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "huddle.edit.";
const OPEN_KEY: &str = "huddle.edit.open";
/// Two days: longer than any photo session, short enough not to fill the storage.
const KEEP_MS: f64 = 2.0 * 24.0 * 3600.0 * 1000.0;

#[derive(Serialize, Deserialize)]
struct Entry {
    saved_ms: f64,
    /// The document's state (`EditDoc::encode_state`), base64.
    doc: String,
    /// The shot's JPEG, base64.
    photo: Option<String>,
}

/// What was kept for one shot.
pub struct SavedEdit {
    pub shot: u64,
    pub doc: Vec<u8>,
    pub photo: Option<Vec<u8>>,
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn key(room: &RoomId, shot: u64) -> String {
    format!("{PREFIX}{room}.{shot}")
}

/// Keeps the document (and the photo, when given; otherwise the one kept before).
/// Returns false when the browser refused (storage full or private mode).
pub fn save(room: &RoomId, shot: u64, doc: &[u8], photo: Option<&[u8]>) -> bool {
    let Some(storage) = local() else {
        return false;
    };
    let key = key(room, shot);
    let photo = photo.map(|p| STANDARD.encode(p)).or_else(|| {
        let old = storage.get_item(&key).ok()??;
        serde_json::from_str::<Entry>(&old).ok()?.photo
    });
    let entry = Entry {
        saved_ms: js_sys::Date::now(),
        doc: STANDARD.encode(doc),
        photo,
    };
    serde_json::to_string(&entry)
        .ok()
        .is_some_and(|text| storage.set_item(&key, &text).is_ok())
}

/// Everything kept for `room`; drops what is too old, for any room.
pub fn load_room(room: &RoomId) -> Vec<SavedEdit> {
    let Some(storage) = local() else {
        return Vec::new();
    };
    let mine = format!("{PREFIX}{room}.");
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX) && k != OPEN_KEY)
        .collect();
    let now = js_sys::Date::now();
    let mut found = Vec::new();
    for k in keys {
        let entry = storage
            .get_item(&k)
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str::<Entry>(&text).ok());
        let Some(entry) = entry.filter(|e| now - e.saved_ms < KEEP_MS) else {
            let _ = storage.remove_item(&k);
            continue;
        };
        let Some(shot) = k.strip_prefix(&mine).and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(doc) = STANDARD.decode(&entry.doc) else {
            continue;
        };
        let photo = entry.photo.and_then(|p| STANDARD.decode(p).ok());
        found.push(SavedEdit { shot, doc, photo });
    }
    found
}

/// Remembers (for this tab) which shot's editor is open, so a reload reopens it.
pub fn remember_open(room: &RoomId, shot: Option<u64>) {
    let Some(storage) = session() else {
        return;
    };
    let _ = match shot {
        Some(shot) => storage.set_item(OPEN_KEY, &format!("{room}.{shot}")),
        None => storage.remove_item(OPEN_KEY),
    };
}

/// The shot whose editor was open in this tab before a reload, if it is in `room`.
pub fn open_before(room: &RoomId) -> Option<u64> {
    let value = session()?.get_item(OPEN_KEY).ok()??;
    value.strip_prefix(&format!("{room}."))?.parse().ok()
}
