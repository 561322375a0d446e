//! Virtual make-up ("try-on") on a still or live frame, from face landmarks.
//!
//! This is split from the face tracker on purpose: painting needs only the 2-D
//! landmark positions, which may come from this crate's tracker, from a reference
//! file, or from another process, and the compose worker that paints must not
//! compile an inference engine. So nothing here depends on the `models` feature.
//!
//! * [`lips`]: where the lips are, as a soft coverage mask (the open mouth stays
//!   bare, so teeth never get painted).
//! * [`lipstick`]: how a shade is laid on that mask so the lips still look like
//!   lips (their texture and highlights survive), with matte and gloss finishes.
//! * [`hat`]: the head's frame (rotation, size) and where a hat sits on it.

pub mod hat;
pub mod lips;
pub mod lipstick;

pub use lips::{default_feather, lip_mask};
pub use lipstick::{apply_lipstick, Finish, Shade, SHADES};
