//! WebRTC: one [`peer::PeerLink`] per remote member, held together by a [`mesh::Mesh`].

pub mod bench;
pub mod mesh;
pub mod peer;
mod sdp;
pub mod video_scale;
