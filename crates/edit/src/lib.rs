//! The document all members of a room edit together for one captured photo: stickers, freehand
//! strokes and text on top of the photo, plus the photo's crop and rotation. It is a
//! [yrs](https://docs.rs/yrs/0.28.1) CRDT, so members edit concurrently over the WebRTC mesh and
//! every replica converges without a server. Pure Rust, no DOM: it builds for
//! `wasm32-unknown-unknown` and natively (where the tests and the benchmark run).
//!
//! # Using it
//! * One [`EditDoc`] per photo per page load, with a random client id (< 2^53, new after every
//!   reload; [`EditDoc::from_state`] restores saved bytes into such a new replica).
//! * Link to a peer opens → send [`EditDoc::sync_start`]. Binary payload from a peer →
//!   [`EditDoc::handle_sync`], send the replies back to that peer. After local edits →
//!   broadcast [`EditDoc::take_outgoing`] to every peer. Redraw from [`EditDoc::snapshot`].
//! * Undo/redo ([`EditDoc::undo`]) revert only this replica's own steps. Drags call
//!   [`EditDoc::set_placement`] per frame and [`EditDoc::end_action`] at pointer-up.
//!
//! # Schema
//! ```text
//! elements : root Map   "<client>-<counter>" -> nested Map (one per element)
//!            kind   : "sticker" | "stroke" | "text"         (written once, by the creator)
//!            z      : f64                                    stacking key, LWW
//!            place  : [x, y, scale, rotation]  (one value)   LWW as a whole
//!            sticker: preset: string, size: f64
//!            stroke : colour: bytes[4] RGBA, width: f64, eraser: bool,
//!                     points: nested Array of numbers x0, y0, x1, y1, ... (append-only)
//!            text   : text: string, font: string, size: f64, colour: bytes[4], outline: bytes[4] | null
//! frame    : root Map   crop: [left, top, right, bottom] (shares of the photo), turns: int 0..=3
//! ```
//! Why it is shaped like this:
//! * **Root maps** are identified by name, so every replica has the same two without creating
//!   anything concurrently.
//! * **One nested map per element, keyed by an id only its creator mints.** Map keys are
//!   last-writer-wins, so two peers creating a nested type under the *same* key would lose one;
//!   creator-unique ids avoid that. And deleting an element removes its whole map: a peer's
//!   concurrent move writes into the deleted map and is dropped on merge, so a delete is never
//!   undone by a racing drag (it would be if fields were flat keys in a root map).
//! * **Placement as one value** so a concurrent move lands whole (never one peer's x with
//!   another's y). Text style fields are separate keys so a recolour and a retype both survive.
//! * **Points in a nested array** so drawing is an append: peers see the stroke grow, and each
//!   batch is one small update instead of rewriting the whole point list.
//! * **Fractional z instead of a list order.** yrs 0.28 has no array move, and delete +
//!   re-insert duplicates an element when two members reorder it at once. A z number per element
//!   (new value = midpoint of the new neighbours, renumbered when precision runs out) makes
//!   concurrent reorders plain LWW writes. Ties sort by id, so every replica shows the same order.
//!
//! Everything read back is sanitised ([`limits`]), because peers are not trusted: malformed
//! entries are skipped, numbers clamped, lists capped. Malformed payloads return [`EditError`].
//!
//! # wasm notes
//! yrs panics instead of blocking when a transaction is opened while another is alive; no method
//! here nests them and the `yrs::Doc` is never exposed. The undo manager gets a constant clock
//! and explicit step boundaries instead of `SystemTime` (which panics on wasm32).

mod doc;
mod error;
pub mod limits;
mod order;
mod schema;
mod sync;
mod types;
mod undo;

pub use doc::EditDoc;
pub use error::EditError;
pub use types::{
    DocSnapshot, ElementId, ElementKind, ElementSnapshot, Frame, Placement, Reorder, TextStyle,
};
