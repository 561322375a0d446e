//! Image helpers written for video rates: every function writes into a caller-owned
//! buffer (resized in place, so a video loop reaches a steady state with no
//! allocation) and keeps inner loops branch-light so they auto-vectorise.

pub mod box_filter;
pub mod color;
pub mod guided;
pub mod resize;
pub mod warp;
