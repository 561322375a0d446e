//! Try-on from a product video: the posts API, the hat renderer, the picture
//! painter and the draft that goes from the try-on page to the post page.

pub mod api;
pub mod before_frames;
pub mod draft;
pub mod hat_gl;
pub mod view;
