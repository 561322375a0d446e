//! The room's live picture in the browser: my cut-out going out ([`sender`]) and
//! everyone's cut-outs composed into one preview ([`preview`]).

pub mod camera_frames;
pub mod codec_recorder;
pub mod dom;
pub mod frames_in_workers;
pub mod hold;
pub mod image_codec;
pub mod photo_camera;
pub mod preview;
pub mod recorder;
pub mod room_background;
pub mod sender;
pub mod shots;
pub mod smiles;
pub mod voice;
