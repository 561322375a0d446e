//! One module per page.

pub mod create;
pub mod home;
pub mod lab;
pub mod not_found;
pub mod room;
