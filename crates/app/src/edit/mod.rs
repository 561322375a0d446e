//! Editing a shot together: every member holds the shot's editing document (a
//! yrs CRDT from `huddle-edit`), kept in sync over the room's data channels and
//! in the browser's storage, and renders it with `huddle-vision`'s edit module,
//! the same code for the live editor and the saved file.

pub mod elements;
pub mod export;
pub mod fonts;
pub mod pixels;
pub mod room_edits;
pub mod saved;
