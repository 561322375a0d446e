//! What the browser remembers between visits (localStorage).

const NAME_KEY: &str = "huddle.display_name";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The display name the person used last time, if any.
pub fn remembered_name() -> Option<String> {
    local_storage()?
        .get_item(NAME_KEY)
        .ok()?
        .filter(|n| !n.trim().is_empty())
}

/// Remembers the display name for the next visit. Private browsing may refuse; that only
/// costs the person retyping it.
pub fn remember_name(name: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(NAME_KEY, name.trim());
    }
}
