//! One error type for the crate: callers in the app match on the variant to
//! decide whether to retry (bad frame) or give up (bad model).

use thiserror::Error;

/// Everything that can go wrong in `huddle-vision`. Nothing in the library panics
/// on bad input; it returns one of these instead.
#[derive(Debug, Error)]
pub enum VisionError {
    /// The model bytes could not be parsed, optimised or planned by the engine.
    #[error("could not load model `{model}`: {reason}")]
    ModelLoad { model: String, reason: String },
    /// The model does not have the input shape or outputs this pipeline expects.
    #[error("model `{model}` does not fit this pipeline: {reason}")]
    ModelMismatch { model: String, reason: String },
    /// The engine failed while running a loaded model.
    #[error("inference failed in `{model}`: {reason}")]
    Inference { model: String, reason: String },
    /// A frame whose buffer does not match its declared size, or an empty frame.
    #[error("bad image: {0}")]
    BadImage(String),
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, VisionError>;
