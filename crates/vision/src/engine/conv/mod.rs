//! Our own kernels for the convolutions that make up most of these models' time:
//! pointwise (1×1), depthwise, and the few group-1 k×k ones (each model's first layer),
//! all NCHW, each with its bias, the activation that follows it and, for pointwise, a
//! residual `Add` before that activation, fused into the one pass that stores the result.
//! Measurements in `docs/vision-engine.md`.
//!
//! The rewrites run on the typed model: [`replace_pointwise_convs`] before declutter
//! (tract would turn a 1×1 convolution into a matrix product there), then
//! [`replace_spatial_convs`] and [`fuse_activations`] after it (declutter first folds
//! explicit padding into the convolutions and turns `Relu` into `Max(x, 0)`).

pub mod activation;
pub mod block;
pub mod depthwise;
pub mod direct;
pub mod padded;
pub mod pointwise;

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_core::ops::binary::TypedBinOp;
use tract_onnx::tract_hir::tract_core::ops::cnn::{Conv, KernelFormat};
use tract_onnx::tract_hir::tract_core::ops::element_wise::ElementWiseOp;
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

use self::activation::Activation;
use self::block::BlockWeights;
use self::depthwise::depthwise;
use self::direct::direct;
use self::padded::{AlignedBuf, ConvGeometry};
use self::pointwise::pointwise;
use super::ops::PRelu;

// Float parameters compare bit for bit, so the ops can be `Eq` as tract asks.
impl Eq for Activation {}

/// 1×1 convolution, stride 1, no padding, NCHW, batch 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointwiseConv {
    weights: Arc<BlockWeights>,
    act: Activation,
    /// A second input of the output's shape, added before the activation.
    residual: bool,
}

impl Op for PointwiseConv {
    fn name(&self) -> StaticName {
        "HuddlePointwiseConv".into()
    }
    op_as_typed_op!();
}

impl EvalOp for PointwiseConv {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let shape = x.shape();
        ensure!(shape.len() == 4 && shape[0] == 1 && shape[1] == self.weights.taps);
        let n = shape[2] * shape[3];
        let xs = x.try_as_plain_ram()?;
        let xs = xs.as_slice::<f32>()?;
        let residual = if self.residual {
            let r = inputs.get(1).context("PointwiseConv: no residual input")?;
            ensure!(r.len() == self.weights.cout * n);
            Some(r.try_as_plain_ram()?)
        } else {
            None
        };
        let residual = residual.as_ref().map(|r| r.as_slice::<f32>()).transpose()?;
        // SAFETY: f32 has no invalid bit patterns and `pointwise` writes every element.
        let mut out =
            unsafe { Tensor::uninitialized::<f32>(&[1, self.weights.cout, shape[2], shape[3]])? };
        {
            let mut view = out.try_as_plain_ram_mut()?;
            pointwise(
                &self.weights,
                xs,
                residual,
                n,
                &self.act,
                view.as_slice_mut::<f32>()?,
            );
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for PointwiseConv {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let s = &inputs[0].shape;
        ensure!(inputs[0].rank() == 4 && inputs[0].datum_type == f32::datum_type());
        ensure!(inputs.len() == 1 + self.residual as usize);
        Ok(tvec!(f32::fact([
            s[0].clone(),
            self.weights.cout.to_dim(),
            s[2].clone(),
            s[3].clone()
        ])))
    }
    as_op!();
}

/// The weights of a [`SpatialConv`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum SpatialWeights {
    /// One kh×kw kernel and one bias per channel.
    Depthwise {
        kernel: Arc<Tensor>,
        bias: Arc<Tensor>,
    },
    /// Group 1: every output channel sees every input channel.
    Direct(Arc<BlockWeights>),
}

/// A k×k convolution, stride 1 or 2, NCHW, batch 1: depthwise or group 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpatialConv {
    geometry: ConvGeometry,
    weights: SpatialWeights,
    act: Activation,
}

impl SpatialConv {
    fn cout(&self) -> usize {
        match &self.weights {
            SpatialWeights::Depthwise { .. } => self.geometry.channels,
            SpatialWeights::Direct(w) => w.cout,
        }
    }
}

impl Op for SpatialConv {
    fn name(&self) -> StaticName {
        match self.weights {
            SpatialWeights::Depthwise { .. } => "HuddleDepthwiseConv".into(),
            SpatialWeights::Direct(_) => "HuddleDirectConv".into(),
        }
    }
    op_as_typed_op!();
}

impl EvalOp for SpatialConv {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let g = &self.geometry;
        let x = args_1!(inputs);
        ensure!(x.shape() == [1, g.channels, g.h, g.w]);
        let xs = x.try_as_plain_ram()?;
        let xs = xs.as_slice::<f32>()?;
        // SAFETY: f32 has no invalid bit patterns and both kernels write every element.
        let mut out = unsafe { Tensor::uninitialized::<f32>(&[1, self.cout(), g.oh, g.ow])? };
        {
            let mut view = out.try_as_plain_ram_mut()?;
            let y = view.as_slice_mut::<f32>()?;
            match &self.weights {
                SpatialWeights::Depthwise { kernel, bias } => {
                    let (kernel, bias) = (kernel.try_as_plain_ram()?, bias.try_as_plain_ram()?);
                    // One channel's plane: small enough that a fresh one per call costs little.
                    let mut scratch = AlignedBuf::zeroed(g.plane_len());
                    let (k, b) = (kernel.as_slice::<f32>()?, bias.as_slice::<f32>()?);
                    depthwise(g, k, b, xs, &self.act, y, scratch.as_mut_slice());
                }
                SpatialWeights::Direct(w) => direct(g, w, xs, &self.act, y),
            }
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for SpatialConv {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let g = &self.geometry;
        ensure!(inputs[0].datum_type == f32::datum_type());
        ensure!(inputs[0].shape.as_concrete() == Some(&[1, g.channels, g.h, g.w][..]));
        Ok(tvec!(f32::fact([1, self.cout(), g.oh, g.ow])))
    }
    as_op!();
}

/// The constant f32 values behind an outlet, flattened.
fn const_f32(model: &TypedModel, outlet: OutletId) -> Option<Vec<f32>> {
    let konst = model.outlet_fact(outlet).ok()?.konst.clone()?;
    let t = konst.cast_to::<f32>().ok()?;
    let t = t.try_as_plain_ram().ok()?;
    Some(t.as_slice::<f32>().ok()?.to_vec())
}

/// The conv's bias as one value per output channel (ONNX may give none, a scalar or a vector).
fn bias_of(model: &TypedModel, node: &TypedNode, cout: usize) -> Option<Vec<f32>> {
    let b = match node.inputs.get(2) {
        Some(&outlet) => const_f32(model, outlet)?,
        None => vec![0.0],
    };
    match b.len() {
        1 => Some(vec![b[0]; cout]),
        n if n == cout => Some(b),
        _ => None,
    }
}

/// Node `id`, its convolution and its input's concrete NCHW shape, when it is a plain f32
/// NCHW convolution of batch 1 (what both replacements start from).
fn plain_conv(model: &TypedModel, id: usize) -> Option<(&TypedNode, &Conv, [usize; 4])> {
    let node = model.node(id);
    let conv = node.op_as::<Conv>()?;
    let fact = model.outlet_fact(node.inputs[0]).ok()?;
    let shape = fact.shape.as_concrete()?;
    let ok = conv.q_params.is_none()
        && fact.datum_type == f32::datum_type()
        && conv.pool_spec.data_format == DataFormat::NCHW
        && conv.kernel_fmt == KernelFormat::OIHW
        && shape.len() == 4
        && shape[0] == 1
        && conv.pool_spec.dilations().iter().all(|&d| d == 1);
    ok.then(|| (node, conv, [shape[0], shape[1], shape[2], shape[3]]))
}

/// Replaces 1×1, stride-1, unpadded convolutions with [`PointwiseConv`]. Run on the typed
/// model before declutter. Returns how many.
pub fn replace_pointwise_convs(model: &mut TypedModel) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let Some((node, conv, shape)) = plain_conv(model, id) else {
            continue;
        };
        let ps = &conv.pool_spec;
        let unpadded = ps
            .computed_padding(&shape[2..])
            .iter()
            .all(|p| p.pad_before == 0 && p.pad_after == 0);
        if conv.group != 1
            || ps.kernel_shape.as_slice() != [1, 1]
            || ps.strides().iter().any(|&s| s != 1)
            || !unpadded
        {
            continue;
        }
        let (cin, cout) = (conv.input_channels(), conv.output_channels());
        let (Some(w), Some(b)) = (const_f32(model, node.inputs[1]), bias_of(model, node, cout))
        else {
            continue;
        };
        if w.len() != cin * cout || shape[1] != cin {
            continue;
        }
        let op = PointwiseConv {
            weights: Arc::new(BlockWeights::new(cout, cin, &w, &b)),
            act: Activation::Identity,
            residual: false,
        };
        let patch = TypedModelPatch::replace_single_op(model, node, &node.inputs[..1], op)?;
        patch.apply(model)?;
        count += 1;
    }
    Ok(count)
}

/// Replaces the remaining 2-D convolutions with stride 1 or 2 on both axes, depthwise or
/// group 1, with [`SpatialConv`]. Run after declutter, which has folded explicit padding
/// into them. Returns how many.
pub fn replace_spatial_convs(model: &mut TypedModel) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let Some((node, conv, shape)) = plain_conv(model, id) else {
            continue;
        };
        let ps = &conv.pool_spec;
        let (cin, cout) = (conv.input_channels(), conv.output_channels());
        let strides = ps.strides();
        let depthwise = conv.group == cin && cout == cin && cin > 1;
        if !(depthwise || conv.group == 1)
            || shape[1] != cin
            || ps.kernel_shape.len() != 2
            || strides[0] != strides[1]
            || !(strides[0] == 1 || strides[0] == 2)
        {
            continue;
        }
        let (kh, kw) = (ps.kernel_shape[0], ps.kernel_shape[1]);
        let (Some(k), Some(b)) = (const_f32(model, node.inputs[1]), bias_of(model, node, cout))
        else {
            continue;
        };
        let taps = if depthwise { kh * kw } else { cin * kh * kw };
        if k.len() != cout * taps {
            continue;
        }
        let pad = ps.computed_padding(&shape[2..]);
        let geometry = ConvGeometry {
            channels: cin,
            h: shape[2],
            w: shape[3],
            kh,
            kw,
            stride: strides[0],
            pad_top: pad[0].pad_before,
            pad_left: pad[1].pad_before,
            oh: pad[0].convoluted,
            ow: pad[1].convoluted,
        };
        if geometry.oh == 0 || geometry.ow == 0 {
            continue;
        }
        let weights = if depthwise {
            SpatialWeights::Depthwise {
                kernel: Arc::new(tensor1(&k)),
                bias: Arc::new(tensor1(&b)),
            }
        } else {
            SpatialWeights::Direct(Arc::new(BlockWeights::new(cout, taps, &k, &b)))
        };
        let op = SpatialConv {
            geometry,
            weights,
            act: Activation::Identity,
        };
        let patch = TypedModelPatch::replace_single_op(model, node, &node.inputs[..1], op)?;
        patch.apply(model)?;
        count += 1;
    }
    Ok(count)
}

/// What the single consumer of a convolution does, when it can be folded into it.
enum Fusable {
    Act(Activation),
    /// `Add(conv, other)` of equal shapes, then the activation of the node after it.
    ResidualThen(OutletId, Activation),
    Residual(OutletId),
}

/// The activation `node` computes, if it is one we fuse.
fn activation_of(model: &TypedModel, node: &TypedNode) -> Option<Activation> {
    if let Some(bin) = node.op_as::<TypedBinOp>() {
        if bin.0.name() != "Max" || node.inputs.len() != 2 {
            return None;
        }
        // Max(x, 0) with the zero on either side.
        let zero = node
            .inputs
            .iter()
            .any(|&i| const_f32(model, i).is_some_and(|v| v.len() == 1 && v[0] == 0.0));
        return zero.then_some(Activation::Relu);
    }
    if let Some(ew) = node.op_as::<ElementWiseOp>() {
        return (ew.0.name() == "HardSwish" && ew.1.is_none()).then_some(Activation::HardSwish);
    }
    if let Some(p) = node.op_as::<PRelu>() {
        return (!p.adds()).then(|| Activation::PRelu(p.slopes()));
    }
    None
}

/// The one node reading `outlet`, unless a model output or several nodes read it.
fn sole_successor(model: &TypedModel, outlet: OutletId) -> Option<usize> {
    if model.outputs.contains(&outlet) {
        return None;
    }
    match model.outlet_successors(outlet) {
        [one] => Some(one.node),
        _ => None,
    }
}

fn fusable(model: &TypedModel, conv: usize, residual_ok: bool) -> Option<(Fusable, usize)> {
    let out = OutletId::new(conv, 0);
    let next = sole_successor(model, out)?;
    let node = model.node(next);
    if let Some(act) = activation_of(model, node) {
        let from_conv = node.inputs.iter().filter(|&&i| i == out).count() == 1;
        return from_conv.then_some((Fusable::Act(act), next));
    }
    // A residual Add of two same-shaped inputs (the PRelu ops that sum their two inputs
    // count too: they are Add then PRelu).
    if !residual_ok || node.inputs.len() != 2 || !node.inputs.contains(&out) {
        return None;
    }
    let other = *node.inputs.iter().find(|&&i| i != out)?;
    let same = model.outlet_fact(other).ok()?.shape == model.outlet_fact(out).ok()?.shape;
    if !same {
        return None;
    }
    if let Some(p) = node.op_as::<PRelu>() {
        return p.adds().then(|| {
            (
                Fusable::ResidualThen(other, Activation::PRelu(p.slopes())),
                next,
            )
        });
    }
    let is_add = node
        .op_as::<TypedBinOp>()
        .is_some_and(|b| b.0.name() == "Add");
    if !is_add {
        return None;
    }
    let add_out = OutletId::new(next, 0);
    if let Some(after) = sole_successor(model, add_out) {
        let an = model.node(after);
        if let Some(act) = activation_of(model, an) {
            if an.inputs.iter().filter(|&&i| i == add_out).count() == 1 {
                return Some((Fusable::ResidualThen(other, act), after));
            }
        }
    }
    Some((Fusable::Residual(other), next))
}

/// Folds the activation (and a residual `Add` before it) that follows each of our
/// convolutions into it. Run after the replacements. Returns how many were folded.
pub fn fuse_activations(model: &mut TypedModel) -> TractResult<usize> {
    let mut count = 0;
    // One fusion per pass, then compaction: a patch leaves the replaced nodes in the graph,
    // still reading their inputs, and they would hide which outlets have a single reader.
    while fuse_one(model)? {
        model.compact()?;
        count += 1;
    }
    Ok(count)
}

fn fuse_one(model: &mut TypedModel) -> TractResult<bool> {
    for id in model.eval_order()? {
        let node = model.node(id);
        let pw = node.op_as::<PointwiseConv>().cloned();
        let sc = node.op_as::<SpatialConv>().cloned();
        let open = pw
            .as_ref()
            .is_some_and(|p| p.act == Activation::Identity && !p.residual)
            || sc.as_ref().is_some_and(|d| d.act == Activation::Identity);
        if !open {
            continue;
        }
        let Some((what, last)) = fusable(model, id, pw.is_some()) else {
            continue;
        };
        let mut patch = TypedModelPatch::new("fuse conv activation");
        let x = patch.tap_model(model, node.inputs[0])?;
        let wire = match (what, pw, sc) {
            (Fusable::Act(act), Some(mut p), _) => {
                p.act = act;
                patch.wire_node(&node.name, p, &[x])?
            }
            (Fusable::Act(act), None, Some(mut d)) => {
                d.act = act;
                patch.wire_node(&node.name, d, &[x])?
            }
            (Fusable::ResidualThen(other, act), Some(mut p), _) => {
                p.act = act;
                p.residual = true;
                let r = patch.tap_model(model, other)?;
                patch.wire_node(&node.name, p, &[x, r])?
            }
            (Fusable::Residual(other), Some(mut p), _) => {
                p.residual = true;
                let r = patch.tap_model(model, other)?;
                patch.wire_node(&node.name, p, &[x, r])?
            }
            _ => continue,
        };
        patch.shunt_outside(model, OutletId::new(last, 0), wire[0])?;
        patch.apply(model)?;
        return Ok(true);
    }
    Ok(false)
}

/// Deterministic values in [-1, 1] for the kernels' tests.
#[cfg(test)]
pub(crate) fn test_values(len: usize, seed: u32) -> Vec<f32> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed) % 2001) as f32 / 1000.0 - 1.0)
        .collect()
}
