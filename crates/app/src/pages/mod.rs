//! One module per page.

pub mod create;
pub mod feed;
pub mod home;
pub mod lab;
pub mod not_found;
pub mod post;
pub mod room;
pub mod tryon;
