//! Vision on the UI side: the messages shared with the vision worker and the
//! client that spawns it and feeds it frames (one worker, or a person/face pair).

pub mod client;
pub mod draw;
pub mod messages;
pub mod pair;
