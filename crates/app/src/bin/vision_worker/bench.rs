//! Exports for the in-browser engine benchmark (`scripts/bench.sh vision`): the
//! page imports this worker's module in a window and times `run` exactly as it
//! times onnxruntime-web's `session.run`.

use huddle_vision::engine::{load_model, Model};
use wasm_bindgen::prelude::*;

/// One model through our engine.
#[wasm_bindgen]
pub struct BenchModel {
    model: Box<dyn Model>,
    outputs: Vec<Vec<f32>>,
}

#[wasm_bindgen]
impl BenchModel {
    /// Parses, optimises and plans the model.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, bytes: &[u8]) -> Result<BenchModel, JsError> {
        let model = load_model(name, bytes).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Self {
            model,
            outputs: Vec::new(),
        })
    }

    /// Input element count.
    pub fn input_len(&self) -> usize {
        self.model.input_shape().iter().product()
    }

    /// Runs once; the outputs stay readable with `output`.
    pub fn run(&mut self, input: &[f32]) -> Result<(), JsError> {
        self.model
            .run(input, &mut self.outputs)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    pub fn output_names(&self) -> Vec<String> {
        self.model.output_names().to_vec()
    }

    /// Output `i` of the last run (empty before the first run).
    pub fn output(&self, i: usize) -> Vec<f32> {
        self.outputs.get(i).cloned().unwrap_or_default()
    }
}
