//! The inference engine seam. Pipelines talk to [`Model`] only, so tract could be
//! swapped for rten (or a WebGPU backend) by adding one implementation here.

pub mod conv;
pub mod eltwise;
pub mod ops;
mod tract;

pub use self::tract::{TractEngine, TractModel, TractOptions};

use crate::error::Result;

/// A loaded model with one NHWC float32 input and any number of float32 outputs.
pub trait Model {
    /// Model name used in error messages.
    fn name(&self) -> &str;
    /// Input shape, `[1, height, width, channels]`.
    fn input_shape(&self) -> [usize; 4];
    /// Output names in the order [`Model::run`] returns them.
    fn output_names(&self) -> &[String];
    /// Runs the model on `input` (`input_shape` elements, NHWC) and writes every
    /// output, flattened, into `outputs` (resized to the output count). Buffers are
    /// reused across calls so a video loop does not allocate per frame.
    fn run(&mut self, input: &[f32], outputs: &mut Vec<Vec<f32>>) -> Result<()>;

    /// Index of the output named `name`, for pipelines that need a specific head.
    fn output_index(&self, name: &str) -> Option<usize> {
        self.output_names().iter().position(|n| n == name)
    }
}

/// Something that turns model bytes into a runnable [`Model`].
pub trait Engine {
    /// Parses and plans a model. `name` is only used in messages.
    fn load(&self, name: &str, bytes: &[u8]) -> Result<Box<dyn Model>>;
}

/// Loads with the default engine (tract).
pub fn load_model(name: &str, bytes: &[u8]) -> Result<Box<dyn Model>> {
    TractEngine.load(name, bytes)
}
