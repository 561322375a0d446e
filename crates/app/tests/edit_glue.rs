//! The editor's browser glue in a real browser: documents kept in localStorage come
//! back for their room only, and a kept document loads into a new replica with the
//! same content (what a reload does).

#![cfg(target_arch = "wasm32")]

use huddle_app::edit::elements::digest;
use huddle_app::edit::saved::{load_room, open_before, remember_open, save};
use huddle_edit::{EditDoc, Placement};
use huddle_protocol::RoomId;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn room(n: &str) -> RoomId {
    RoomId::parse(n).expect("room id")
}

#[wasm_bindgen_test]
fn kept_documents_come_back_for_their_room_with_the_same_content() {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage");
    storage.clear().expect("clear");
    let mut doc = EditDoc::new(7);
    let at = Placement {
        x: 0.25,
        y: 0.5,
        scale: 1.0,
        rotation: 0.0,
    };
    doc.add_sticker("star", 0.2, at);
    let id = doc.begin_stroke([255, 0, 0, 255], 0.01, false, at);
    doc.extend_stroke(&id, &[[0.0, 0.0], [0.1, 0.05]])
        .expect("extend");
    doc.end_stroke(&id);
    let (here, elsewhere) = (room("12345678"), room("87654321"));
    assert!(save(&here, 41, &doc.encode_state(), Some(&[1, 2, 3])));
    assert!(save(&elsewhere, 42, &EditDoc::new(8).encode_state(), None));
    // A later save without a photo keeps the photo saved before.
    assert!(save(&here, 41, &doc.encode_state(), None));

    let kept = load_room(&here);
    assert_eq!(kept.len(), 1, "only this room's document");
    assert_eq!(kept[0].shot, 41);
    assert_eq!(kept[0].photo.as_deref(), Some(&[1u8, 2, 3][..]));
    let reloaded = EditDoc::from_state(99, &kept[0].doc).expect("loads");
    assert_eq!(reloaded.snapshot(), doc.snapshot());
    assert_eq!(digest(&reloaded.snapshot()), digest(&doc.snapshot()));
    assert_ne!(
        digest(&reloaded.snapshot()),
        digest(&EditDoc::new(5).snapshot())
    );

    remember_open(&here, Some(41));
    assert_eq!(open_before(&here), Some(41));
    assert_eq!(open_before(&elsewhere), None);
    remember_open(&here, None);
    assert_eq!(open_before(&here), None);
}
