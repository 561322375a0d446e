//! WebRTC: one [`peer::PeerLink`] per remote member, held together by a [`mesh::Mesh`];
//! the live cut-out travels as [`media`] frames on each link's `media` data channel.

pub mod bench;
pub mod media;
pub mod mesh;
pub mod peer;
mod sdp;
pub mod video_scale;
