//! Why a frame could not be painted (sent to the UI as `Failed`).

use huddle_vision::scene::SceneError;

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("Could not read a member's picture: {0}")]
    Read(String),
    #[error("Could not hand over the picture: {0}")]
    Write(String),
    #[error(transparent)]
    Scene(#[from] SceneError),
}
