//! The group picture on the UI side: the messages shared with the compose worker,
//! the client that spawns it and feeds it frames, and the mapping from the room's
//! shared scene settings to the painter's.

pub mod client;
pub mod feed;
pub mod messages;
pub mod picture;
pub mod settings;
