//! What the try-on page hands to the post page: the recorded video and where its
//! anchor should go. Kept in memory for the tab's life (a video is too big for
//! localStorage); a reload on the post page says so and leads back.

use huddle_protocol::posts::ItemId;
use leptos::prelude::*;
use web_sys::Blob;

#[derive(Clone, Debug)]
pub struct Draft {
    pub video: Blob,
    /// An object URL of `video`, for the preview.
    pub url: String,
    pub seconds: f64,
    pub item: ItemId,
    /// The anchor's text, e.g. "AR lipstick experience".
    pub label: String,
    /// Next to the product (0..1 of the video), where the product was last seen.
    pub near_item: (f32, f32),
}

/// A photo taken in a try-on, kept for the tab's session (object URL of the PNG).
#[derive(Clone, Debug, PartialEq)]
pub struct AlbumPhoto {
    pub n: usize,
    pub url: String,
}

/// The session album: every try-on photo taken in this tab, across try-ons (a context).
#[derive(Clone, Copy)]
pub struct Album(pub RwSignal<Vec<AlbumPhoto>>);

impl Default for Album {
    fn default() -> Self {
        Self(RwSignal::new(Vec::new()))
    }
}

/// The draft in progress, shared by the try-on and post pages (a context).
/// `Copy`: the blob stays on this thread, in local storage of the reactive owner.
#[derive(Clone, Copy)]
pub struct Drafts(StoredValue<Option<Draft>, LocalStorage>);

impl Default for Drafts {
    fn default() -> Self {
        Self::new()
    }
}

impl Drafts {
    pub fn new() -> Self {
        Self(StoredValue::new_local(None))
    }

    pub fn set(&self, draft: Draft) {
        if let Some(Some(old)) = self.0.try_update_value(|d| d.replace(draft)) {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
    }

    pub fn get(&self) -> Option<Draft> {
        self.0.try_get_value().flatten()
    }

    /// Forgets the draft once it is posted.
    pub fn clear(&self) {
        if let Some(Some(old)) = self.0.try_update_value(|d| d.take()) {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
    }
}
