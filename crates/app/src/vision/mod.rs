//! Vision on the UI side: the messages shared with the vision worker and the
//! client that spawns it and feeds it frames.

pub mod client;
pub mod draw;
pub mod messages;
