//! tract-onnx backend: parse, optimise and plan once, then keep one
//! `SimpleState` so every run reuses tract's scratch buffers.

use tract_onnx::prelude::*;

use super::{conv, eltwise, ops};
use super::{Engine, Model};
use crate::error::{Result, VisionError};

/// Load-time graph rewrites (all on by default; see `ops.rs`). Exposed so benches can
/// compare against plain tract.
#[derive(Clone, Copy, Debug)]
pub struct TractOptions {
    /// Replace the bilinear ×2 upsampling chains with one [`ops::Upsample2x`] op.
    pub fuse_upsample: bool,
    /// Replace 2×2/stride-2 max pools with [`ops::MaxPool2x2`].
    pub fast_maxpool: bool,
    /// Keep tract's `ChangeAxes` declutter pass (layout propagation).
    pub change_axes: bool,
    /// Replace the 4-op PRelu spelling with one per-channel op ([`ops::fuse_prelu`]).
    pub fuse_prelu: bool,
    /// Run the convolutions with our kernels, activations fused ([`super::conv`]). On by
    /// default in wasm only.
    pub fast_conv: bool,
    /// Drop the model's NHWC→NCHW input `Transpose` and transpose while copying the
    /// input in ([`ops::strip_input_transpose`]).
    pub nchw_input: bool,
}

impl Default for TractOptions {
    fn default() -> Self {
        Self {
            fuse_upsample: true,
            fast_maxpool: true,
            change_axes: true,
            fuse_prelu: true,
            // Our kernels are written for wasm SIMD. Natively tract's AVX2/FMA kernels are
            // faster (selfie 6.2 ms plain tract vs 10.9 ms with ours on x86_64, `cargo bench
            // --bench inference`), so native builds keep tract's.
            fast_conv: cfg!(target_arch = "wasm32"),
            nchw_input: true,
        }
    }
}

impl TractOptions {
    /// tract as it comes: no rewrites.
    pub fn plain() -> Self {
        Self {
            fuse_upsample: false,
            fast_maxpool: false,
            change_axes: true,
            fuse_prelu: false,
            fast_conv: false,
            nchw_input: false,
        }
    }
}

/// The tract-onnx engine (pure Rust; runs natively and in wasm32).
#[derive(Clone, Copy, Debug, Default)]
pub struct TractEngine;

/// A planned tract model and its persistent state.
pub struct TractModel {
    name: String,
    input_shape: [usize; 4],
    /// The planned model takes NCHW (its input transpose was removed); `run` transposes.
    nchw: bool,
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
        Self::from_bytes_with(name, bytes, TractOptions::default())
    }

    /// Parses, rewrites and optimises (but does not plan) an ONNX model. Also returns the
    /// NHWC input dims when the input transpose was stripped (the model then takes NCHW).
    /// Public for profiling tools.
    pub fn optimized_model(
        bytes: &[u8],
        options: TractOptions,
    ) -> TractResult<(TypedModel, Option<[usize; 4]>)> {
        let mut reader = bytes;
        let mut onnx = tract_onnx::onnx();
        let mut proto = onnx.proto_model_for_read(&mut reader)?;
        if options.fuse_upsample && ops::fuse_upsample_chains(&mut proto) > 0 {
            ops::register(&mut onnx);
        }
        if options.fuse_prelu {
            ops::fuse_prelu(&mut proto, &mut onnx);
        }
        let nhwc = if options.nchw_input {
            ops::strip_input_transpose(&mut proto)
        } else {
            None
        };
        let mut model = onnx.model_for_proto_model(&proto)?.into_typed()?;
        if options.fast_conv {
            // Biases reach the convolutions through small constant subgraphs: fold those
            // first (the rest of declutter would turn the 1×1 convolutions into products).
            let mut fold = tract_onnx::tract_core::optim::Optimizer::declutter();
            fold.passes
                .retain(|p| format!("{p:?}").starts_with("PropConst"));
            fold.optimize(&mut model)?;
            conv::replace_pointwise_convs(&mut model)?;
        }
        let mut declutter = tract_onnx::tract_core::optim::Optimizer::declutter();
        if !options.change_axes {
            declutter
                .passes
                .retain(|p| !format!("{p:?}").starts_with("ChangeAxes"));
        }
        declutter.optimize(&mut model)?;
        if options.fast_maxpool {
            ops::replace_maxpools(&mut model)?;
        }
        if options.fast_conv {
            conv::replace_spatial_convs(&mut model)?;
            conv::fuse_activations(&mut model)?;
            eltwise::replace_elementwise(&mut model)?;
        }
        model.optimize()?;
        Ok((model, nhwc))
    }

    /// [`TractModel::from_bytes`] with explicit rewrite options.
    pub fn from_bytes_with(name: &str, bytes: &[u8], options: TractOptions) -> Result<Self> {
        let load_err = |e: TractError| VisionError::ModelLoad {
            model: name.to_string(),
            reason: format!("{e:#}"),
        };
        let mismatch = |reason: String| VisionError::ModelMismatch {
            model: name.to_string(),
            reason,
        };
        let (model, nhwc) = Self::optimized_model(bytes, options).map_err(load_err)?;
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
        let planned: [usize; 4] = dims
            .as_slice()
            .try_into()
            .map_err(|_| mismatch(format!("expected a 4-D NHWC input, found {dims:?}")))?;
        let input_shape = match nhwc {
            Some(s) if [s[0], s[3], s[1], s[2]] == planned => s,
            Some(s) => {
                return Err(mismatch(format!(
                    "NCHW input {planned:?} does not match NHWC {s:?}"
                )))
            }
            None => planned,
        };
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
            nchw: nhwc.is_some(),
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
        let tensor = if self.nchw {
            let [n, h, w, c] = self.input_shape;
            let mut t = unsafe { Tensor::uninitialized::<f32>(&[n, c, h, w]) }.map_err(err)?;
            {
                let mut view = t.try_as_plain_ram_mut().map_err(err)?;
                ops::nhwc_to_nchw(input, view.as_slice_mut::<f32>().map_err(err)?, h, w, c);
            }
            t
        } else {
            Tensor::from_shape(&self.input_shape, input).map_err(err)?
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The load-time rewrites keep every output of every shipped model within 2e-4 of
    /// plain tract (PRelu differs by an ulp or two per layer, and our convolutions sum in
    /// another order; the other rewrites are exact).
    #[test]
    fn rewrites_match_plain_tract() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/models");
        const CONVS: [&str; 3] = [
            "HuddlePointwiseConv",
            "HuddleDepthwiseConv",
            "HuddleDirectConv",
        ];
        for (file, fused_ops) in [
            (
                "selfie_segmentation.onnx",
                &["Upsample2xBilinear", "HuddleAdd", "HuddleScaleChannels"][..],
            ),
            (
                "selfie_segmentation_landscape.onnx",
                &["Upsample2xBilinear", "HuddleAdd", "HuddleScaleChannels"][..],
            ),
            ("face_detection_short_range.onnx", &["MaxPool2x2"][..]),
            ("face_landmark.onnx", &["MaxPool2x2", "PReluPerChannel"][..]),
            (
                "face_landmark_with_attention.onnx",
                &["MaxPool2x2", "PReluPerChannel"][..],
            ),
        ] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            // Without our convolutions, so the PRelus stay visible rather than fused.
            let no_conv = TractOptions {
                fast_conv: false,
                ..TractOptions::default()
            };
            let (without, nhwc) = TractModel::optimized_model(&bytes, no_conv).unwrap();
            assert!(nhwc.is_some(), "{file}: input transpose not stripped");
            // Our kernels, as the wasm build runs them (natively they are off by default).
            let ours = TractOptions {
                fast_conv: true,
                ..TractOptions::default()
            };
            let (typed, _) = TractModel::optimized_model(&bytes, ours).unwrap();
            for op in fused_ops {
                let has = |m: &TypedModel| m.nodes().iter().any(|n| n.op.name() == *op);
                assert!(
                    has(&without) || has(&typed),
                    "{file}: no {op} after rewriting"
                );
            }
            for op in CONVS {
                assert!(
                    typed.nodes().iter().any(|n| n.op.name() == op),
                    "{file}: no {op} after rewriting"
                );
            }
            // Every convolution is ours (tract lowers its own to these ops), but for the
            // landmark heads: one output pixel from a 3×3 input, a dense layer that
            // tract's matrix-vector product runs well.
            let one_pixel = |name: &str| {
                let conv = name.split('.').next().unwrap_or(name);
                typed
                    .node_by_name(format!("{conv}.matmatmul"))
                    .is_ok_and(|n| {
                        let shape = n.outputs[0]
                            .fact
                            .shape
                            .as_concrete()
                            .unwrap_or(&[])
                            .to_vec();
                        shape.last() == Some(&1)
                    })
            };
            let left: Vec<_> = typed
                .nodes()
                .iter()
                .filter(|n| ["DepthWiseConv", "LazyIm2col", "Im2col"].contains(&&*n.op.name()))
                .filter(|n| !one_pixel(&n.name))
                .map(|n| n.name.clone())
                .collect();
            assert!(left.is_empty(), "{file}: tract still convolves {left:?}");
            let mut fast = TractModel::from_bytes_with(file, &bytes, ours).unwrap();
            let mut plain =
                TractModel::from_bytes_with(file, &bytes, TractOptions::plain()).unwrap();
            assert_eq!(fast.input_shape(), plain.input_shape());
            assert_eq!(fast.output_names(), plain.output_names());
            let n: usize = fast.input_shape().iter().product();
            let input: Vec<f32> = (0..n).map(|i| ((i * 7919) % 256) as f32 / 255.0).collect();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            fast.run(&input, &mut a).unwrap();
            plain.run(&input, &mut b).unwrap();
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                let d = x
                    .iter()
                    .zip(y)
                    .map(|(p, q)| (p - q).abs())
                    .fold(0f32, f32::max);
                assert!(d < 2e-4, "{file}: max abs diff {d}");
            }
        }
    }
}
