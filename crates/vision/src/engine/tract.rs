//! tract-onnx backend: parse, optimise and plan once, then keep one
//! `SimpleState` so every run reuses tract's scratch buffers.

use tract_onnx::prelude::*;

use super::{Engine, Model};
use crate::error::{Result, VisionError};

/// The tract-onnx engine (pure Rust; runs natively and in wasm32).
#[derive(Clone, Copy, Debug, Default)]
pub struct TractEngine;

/// A planned tract model and its persistent state.
pub struct TractModel {
    name: String,
    input_shape: [usize; 4],
    output_names: Vec<String>,
    state: TypedSimpleState,
}

impl std::fmt::Debug for TractModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TractModel")
            .field("name", &self.name)
            .field("input_shape", &self.input_shape)
            .field("output_names", &self.output_names)
            .finish()
    }
}

impl Engine for TractEngine {
    fn load(&self, name: &str, bytes: &[u8]) -> Result<Box<dyn Model>> {
        Ok(Box::new(TractModel::from_bytes(name, bytes)?))
    }
}

impl TractModel {
    /// Parses ONNX bytes, optimises and plans the graph.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Self> {
        let load_err = |e: TractError| VisionError::ModelLoad {
            model: name.to_string(),
            reason: format!("{e:#}"),
        };
        let mismatch = |reason: String| VisionError::ModelMismatch {
            model: name.to_string(),
            reason,
        };
        let mut reader = bytes;
        let model = tract_onnx::onnx()
            .model_for_read(&mut reader)
            .map_err(load_err)?;
        let model = model.into_optimized().map_err(load_err)?;
        if model.inputs.len() != 1 {
            return Err(mismatch(format!(
                "expected 1 input, found {}",
                model.inputs.len()
            )));
        }
        let fact = model.outlet_fact(model.inputs[0]).map_err(load_err)?;
        let dims: Vec<usize> = fact
            .shape
            .as_concrete()
            .ok_or_else(|| mismatch("input shape is not fixed".into()))?
            .to_vec();
        let input_shape: [usize; 4] = dims
            .as_slice()
            .try_into()
            .map_err(|_| mismatch(format!("expected a 4-D NHWC input, found {dims:?}")))?;
        if input_shape[0] != 1 {
            return Err(mismatch(format!("expected batch 1, found {dims:?}")));
        }
        // Output names are the ONNX graph output names; optimisation keeps them as
        // outlet labels or node names.
        let output_names = model
            .outputs
            .iter()
            .map(|o| match model.outlet_label(*o) {
                Some(label) => label.to_string(),
                None => model.node(o.node).name.clone(),
            })
            .collect();
        let plan = model.into_runnable().map_err(load_err)?;
        let state = plan.spawn().map_err(load_err)?;
        Ok(Self {
            name: name.to_string(),
            input_shape,
            output_names,
            state,
        })
    }
}

impl Model for TractModel {
    fn name(&self) -> &str {
        &self.name
    }

    fn input_shape(&self) -> [usize; 4] {
        self.input_shape
    }

    fn output_names(&self) -> &[String] {
        &self.output_names
    }

    fn run(&mut self, input: &[f32], outputs: &mut Vec<Vec<f32>>) -> Result<()> {
        let err = |e: TractError| VisionError::Inference {
            model: self.name.clone(),
            reason: format!("{e:#}"),
        };
        let expected: usize = self.input_shape.iter().product();
        if input.len() != expected {
            return Err(VisionError::Inference {
                model: self.name.clone(),
                reason: format!("input has {} values, model needs {expected}", input.len()),
            });
        }
        let tensor = Tensor::from_shape(&self.input_shape, input).map_err(err)?;
        let result = self.state.run(tvec!(tensor.into())).map_err(err)?;
        outputs.resize_with(result.len(), Vec::new);
        for (dst, value) in outputs.iter_mut().zip(result.iter()) {
            let view = value.try_as_plain_ram().map_err(err)?;
            let slice = view.as_slice::<f32>().map_err(err)?;
            dst.clear();
            dst.extend_from_slice(slice);
        }
        Ok(())
    }
}
