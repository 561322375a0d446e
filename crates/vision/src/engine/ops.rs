//! Graph rewrites and hand-written ops for the patterns tract runs slowly in our models,
//! applied at load time to the ONNX files as shipped (see `docs/vision-engine.md` for the
//! measurements). Each rewrite matches a strict pattern and leaves anything else alone.
//!
//! * [`Upsample2x`]: the bilinear ×2 upsampling (`Resize(linear, half_pixel)`) that
//!   `public/models` spell as `Pad(edge)` + per axis 3 `Slice`, 3 `Mul`, 2 `Add`,
//!   2 `Unsqueeze`, `Concat`, `Reshape` (25 ONNX nodes, see PROVENANCE.md). tract runs
//!   that chain as a pad, slices and an element-by-element interleaving `Concat`; the op
//!   does it in one pass, with the same float operations in the same order (bit-identical).
//! * [`MaxPool2x2`]: `MaxPool` with a 2×2 kernel, stride 2 and no padding (NCHW), which
//!   tract runs through its generic patch-based pooling (bit-identical).
//! * [`PRelu`]: the `Relu(x)*(1-s) + x*s` spelling of PRelu (and a residual `Add` feeding
//!   it) in one pass; equal up to float rounding (≤ 1e-4 on the landmark outputs).
//! * [`strip_input_transpose`]: the model takes NCHW, and the engine transposes while
//!   copying the input in (exact).

use tract_onnx::pb;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_core::ops::cnn::{MaxPool, PaddingSpec};
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

/// ONNX `op_type` of the node that replaces the upsampling chain.
pub const UPSAMPLE_OP: &str = "HuddleUpsample2xBilinear";

// ---------------------------------------------------------------------------
// Bilinear ×2 upsampling, NCHW.

/// `Resize(mode=linear, coordinate_transformation_mode=half_pixel, scales=[1,1,2,2])` on an
/// NCHW f32 tensor, computed as the rewritten graph does: along H first, then along W,
/// `even = x[i]*0.75 + x[i-1]*0.25`, `odd = x[i]*0.75 + x[i+1]*0.25`, edges clamped.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Upsample2x;

impl Op for Upsample2x {
    fn name(&self) -> StaticName {
        "Upsample2xBilinear".into()
    }
    op_as_typed_op!();
}

impl EvalOp for Upsample2x {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let shape = input.shape();
        ensure!(shape.len() == 4, "Upsample2x wants NCHW, got {shape:?}");
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3]);
        let x = input.try_as_plain_ram()?;
        let x = x.as_slice::<f32>()?;
        // SAFETY: f32 has no invalid bit patterns and `upsample2x_planes` writes every element.
        let mut out = unsafe { Tensor::uninitialized::<f32>(&[shape[0], shape[1], 2 * h, 2 * w])? };
        {
            let mut view = out.try_as_plain_ram_mut()?;
            let y = view.as_slice_mut::<f32>()?;
            upsample2x_planes(x, y, planes, h, w);
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for Upsample2x {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs[0].rank() == 4 && inputs[0].datum_type == f32::datum_type());
        let s = &inputs[0].shape;
        Ok(tvec!(f32::fact([
            s[0].clone(),
            s[1].clone(),
            s[2].clone() * 2,
            s[3].clone() * 2
        ])))
    }
    as_op!();
}

/// One row of the W pass: `src` (len w) → `dst` (len 2w).
#[inline(always)]
fn upsample_row(src: &[f32], dst: &mut [f32]) {
    let w = src.len();
    debug_assert_eq!(dst.len(), 2 * w);
    if w == 1 {
        // Both neighbours clamp to the only sample.
        let m = src[0] * 0.75;
        dst[0] = m + src[0] * 0.25;
        dst[1] = m + src[0] * 0.25;
        return;
    }
    let m = src[0] * 0.75;
    dst[0] = m + src[0] * 0.25;
    dst[1] = m + src[1] * 0.25;
    let done = simd::upsample_row_inner(src, dst);
    for j in done.max(1)..w - 1 {
        let m = src[j] * 0.75;
        dst[2 * j] = m + src[j - 1] * 0.25;
        dst[2 * j + 1] = m + src[j + 1] * 0.25;
    }
    let m = src[w - 1] * 0.75;
    dst[2 * w - 2] = m + src[w - 2] * 0.25;
    dst[2 * w - 1] = m + src[w - 1] * 0.25;
}

/// H pass into two scratch rows, then the W pass of each into the output.
pub(crate) fn upsample2x_planes(x: &[f32], y: &mut [f32], planes: usize, h: usize, w: usize) {
    let mut even = vec![0f32; w];
    let mut odd = vec![0f32; w];
    for p in 0..planes {
        let xp = &x[p * h * w..(p + 1) * h * w];
        let yp = &mut y[p * 4 * h * w..(p + 1) * 4 * h * w];
        for i in 0..h {
            let cur = &xp[i * w..(i + 1) * w];
            let prev = &xp[i.saturating_sub(1) * w..][..w];
            let next = &xp[(i + 1).min(h - 1) * w..][..w];
            let done = simd::upsample_rows(cur, prev, next, &mut even, &mut odd);
            for j in done..w {
                let m = cur[j] * 0.75;
                even[j] = m + prev[j] * 0.25;
                odd[j] = m + next[j] * 0.25;
            }
            let (r0, r1) = yp[2 * i * 2 * w..(2 * i + 2) * 2 * w].split_at_mut(2 * w);
            upsample_row(&even, r0);
            upsample_row(&odd, r1);
        }
    }
}

/// The two upsampling passes with explicit SIMD on wasm (the worker's size-level link-time
/// optimisation would leave the plain loops scalar), the same float operations in the same
/// order as the scalar code, so bit-identical. Each returns how far it got; the scalar loops
/// finish.
mod simd {
    /// H pass: `even = cur·0.75 + prev·0.25`, `odd = cur·0.75 + next·0.25`.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn upsample_rows(
        cur: &[f32],
        prev: &[f32],
        next: &[f32],
        even: &mut [f32],
        odd: &mut [f32],
    ) -> usize {
        use core::arch::wasm32::*;
        let w = cur
            .len()
            .min(prev.len())
            .min(next.len())
            .min(even.len())
            .min(odd.len());
        let (q3, q1) = (f32x4_splat(0.75), f32x4_splat(0.25));
        let mut j = 0;
        while j + 4 <= w {
            // SAFETY: j + 4 ≤ the length of every slice.
            unsafe {
                let m = f32x4_mul(v128_load(cur.as_ptr().add(j) as *const v128), q3);
                let p = v128_load(prev.as_ptr().add(j) as *const v128);
                let n = v128_load(next.as_ptr().add(j) as *const v128);
                v128_store(
                    even.as_mut_ptr().add(j) as *mut v128,
                    f32x4_add(m, f32x4_mul(p, q1)),
                );
                v128_store(
                    odd.as_mut_ptr().add(j) as *mut v128,
                    f32x4_add(m, f32x4_mul(n, q1)),
                );
            }
            j += 4;
        }
        j
    }

    /// W pass for outputs 2j, 2j + 1 with 1 ≤ j and j + 5 ≤ w (both neighbours inside).
    /// Returns the first j it did not do (1 when it did none).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn upsample_row_inner(src: &[f32], dst: &mut [f32]) -> usize {
        use core::arch::wasm32::*;
        let w = src.len();
        if dst.len() < 2 * w {
            return 1;
        }
        let (q3, q1) = (f32x4_splat(0.75), f32x4_splat(0.25));
        let mut j = 1;
        while j + 5 <= w {
            // SAFETY: reads src[j - 1 .. j + 5] and writes dst[2j .. 2j + 8], inside both.
            unsafe {
                let p = src.as_ptr().add(j);
                let m = f32x4_mul(v128_load(p as *const v128), q3);
                let e = f32x4_add(m, f32x4_mul(v128_load(p.sub(1) as *const v128), q1));
                let o = f32x4_add(m, f32x4_mul(v128_load(p.add(1) as *const v128), q1));
                let d = dst.as_mut_ptr().add(2 * j);
                v128_store(d as *mut v128, i32x4_shuffle::<0, 4, 1, 5>(e, o));
                v128_store(d.add(4) as *mut v128, i32x4_shuffle::<2, 6, 3, 7>(e, o));
            }
            j += 4;
        }
        j
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn upsample_rows(_: &[f32], _: &[f32], _: &[f32], _: &mut [f32], _: &mut [f32]) -> usize {
        0
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn upsample_row_inner(_: &[f32], _: &mut [f32]) -> usize {
        1
    }
}

#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
struct Upsample2xExpansion;

impl Expansion for Upsample2xExpansion {
    fn name(&self) -> StaticName {
        UPSAMPLE_OP.into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].rank, 4)?;
        s.equals(&outputs[0].rank, 4)?;
        s.equals(&inputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.given(&inputs[0].shape, move |s, ishape| {
            let oshape: TVec<TDim> = tvec!(
                ishape[0].clone(),
                ishape[1].clone(),
                ishape[2].clone() * 2,
                ishape[3].clone() * 2
            );
            s.equals(&outputs[0].shape, ShapeFactoid::from(oshape))
        })
    }

    fn wire(
        &self,
        prefix: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        model.wire_node(prefix, Upsample2x, inputs)
    }
}

fn upsample_builder(
    _ctx: &tract_onnx::model::ParsingContext,
    _node: &pb::NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(Upsample2xExpansion), vec![]))
}

/// Registers [`UPSAMPLE_OP`] with an ONNX parser.
pub fn register(onnx: &mut tract_onnx::model::Onnx) {
    onnx.op_register.insert(UPSAMPLE_OP, upsample_builder);
}

// --- matching the 25-node chain in the ONNX graph ---

fn init_i64(g: &pb::GraphProto, name: &str) -> Option<Vec<i64>> {
    let t = g.initializer.iter().find(|t| t.name == name)?;
    if t.data_type != pb::tensor_proto::DataType::Int64 as i32 {
        return None;
    }
    if !t.int64_data.is_empty() {
        return Some(t.int64_data.clone());
    }
    Some(
        t.raw_data
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
    )
}

fn init_f32_scalar(g: &pb::GraphProto, name: &str) -> Option<f32> {
    let t = g.initializer.iter().find(|t| t.name == name)?;
    if t.data_type != pb::tensor_proto::DataType::Float as i32 {
        return None;
    }
    let v: Vec<f32> = if !t.float_data.is_empty() {
        t.float_data.clone()
    } else {
        t.raw_data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    (v.len() == 1).then(|| v[0])
}

fn attr<'a>(n: &'a pb::NodeProto, name: &str) -> Option<&'a pb::AttributeProto> {
    n.attribute.iter().find(|a| a.name == name)
}

/// `Mul(input, scalar)` with the scalar as an initializer, either operand order.
fn is_mul_by(g: &pb::GraphProto, n: &pb::NodeProto, input: &str, k: f32) -> bool {
    n.op_type == "Mul"
        && n.input.len() == 2
        && ((n.input[0] == input && init_f32_scalar(g, &n.input[1]) == Some(k))
            || (n.input[1] == input && init_f32_scalar(g, &n.input[0]) == Some(k)))
}

fn is_add_of(n: &pb::NodeProto, a: &str, b: &str) -> bool {
    n.op_type == "Add"
        && n.input.len() == 2
        && ((n.input[0] == a && n.input[1] == b) || (n.input[0] == b && n.input[1] == a))
}

/// One axis of the chain: 12 nodes starting at `ns[0]`, reading `x`. Returns the output.
fn match_axis<'a>(
    g: &pb::GraphProto,
    ns: &'a [pb::NodeProto],
    x: &str,
    axis: i64,
) -> Option<&'a str> {
    if ns.len() < 12 {
        return None;
    }
    let mut len = None;
    for (k, s) in ns[..3].iter().enumerate() {
        if s.op_type != "Slice" || s.input.len() < 4 || s.input[0] != x || s.input.len() > 5 {
            return None;
        }
        let (st, en, ax) = (
            init_i64(g, &s.input[1])?,
            init_i64(g, &s.input[2])?,
            init_i64(g, &s.input[3])?,
        );
        if st != [k as i64] || ax != [axis] || en.len() != 1 {
            return None;
        }
        if s.input.len() == 5 && init_i64(g, &s.input[4])? != [1] {
            return None;
        }
        let l = en[0] - st[0];
        if l < 1 || len.is_some_and(|v| v != l) {
            return None;
        }
        len = Some(l);
    }
    let (prev, mid, next) = (&ns[0].output[0], &ns[1].output[0], &ns[2].output[0]);
    let (m75, pe, ne) = (&ns[3], &ns[4], &ns[5]);
    if !is_mul_by(g, m75, mid, 0.75)
        || !is_mul_by(g, pe, prev, 0.25)
        || !is_mul_by(g, ne, next, 0.25)
    {
        return None;
    }
    let (ev, od) = (&ns[6], &ns[7]);
    if !is_add_of(ev, &m75.output[0], &pe.output[0])
        || !is_add_of(od, &m75.output[0], &ne.output[0])
    {
        return None;
    }
    let (ue, uo, cat, rs) = (&ns[8], &ns[9], &ns[10], &ns[11]);
    for (u, src) in [(ue, &ev.output[0]), (uo, &od.output[0])] {
        if u.op_type != "Unsqueeze"
            || u.input.len() != 2
            || &u.input[0] != src
            || init_i64(g, &u.input[1])? != [axis + 1]
        {
            return None;
        }
    }
    let cat_axis = attr(cat, "axis").map(|a| a.i);
    if cat.op_type != "Concat"
        || cat.input != [ue.output[0].clone(), uo.output[0].clone()]
        || cat_axis != Some(axis + 1)
    {
        return None;
    }
    if rs.op_type != "Reshape" || rs.input.first() != Some(&cat.output[0]) {
        return None;
    }
    Some(&rs.output[0])
}

/// Replaces every upsampling chain in `proto` with one [`UPSAMPLE_OP`] node. Returns how
/// many were replaced. The chain's inner values must not be read by any other node.
pub fn fuse_upsample_chains(proto: &mut pb::ModelProto) -> usize {
    let Some(g) = proto.graph.as_mut() else {
        return 0;
    };
    let mut replaced = 0;
    let mut i = 0;
    while i < g.node.len() {
        let n = &g.node[i];
        let is_edge_pad = n.op_type == "Pad"
            && attr(n, "mode").is_some_and(|a| a.s == b"edge")
            && n.input.len() >= 2
            && init_i64(g, &n.input[1]).as_deref() == Some(&[0, 0, 1, 1, 0, 0, 1, 1]);
        if !is_edge_pad || i + 25 > g.node.len() {
            i += 1;
            continue;
        }
        let x = n.input[0].clone();
        let padded = n.output[0].clone();
        let found = match_axis(g, &g.node[i + 1..i + 13], &padded, 2)
            .map(str::to_string)
            .and_then(|h| match_axis(g, &g.node[i + 13..i + 25], &h, 3).map(str::to_string));
        let Some(y) = found else {
            i += 1;
            continue;
        };
        // Inner values must stay private to the chain.
        let inner: Vec<String> = g.node[i..i + 24]
            .iter()
            .flat_map(|n| n.output.iter().cloned())
            .collect();
        let outside_reads = g
            .node
            .iter()
            .enumerate()
            .filter(|(k, _)| *k < i || *k >= i + 25)
            .any(|(_, n)| n.input.iter().any(|v| inner.contains(v)))
            || g.output.iter().any(|o| inner.contains(&o.name));
        if outside_reads {
            i += 1;
            continue;
        }
        let node = pb::NodeProto {
            name: format!("{y}.upsample2x"),
            op_type: UPSAMPLE_OP.to_string(),
            input: vec![x],
            output: vec![y],
            ..Default::default()
        };
        g.node.splice(i..i + 25, [node]);
        replaced += 1;
        i += 1;
    }
    replaced
}

// ---------------------------------------------------------------------------
// PRelu spelled `Relu(x)*(1-s) + x*s` (as the shipped face models do: tract's own PRelu
// was slower) → one per-channel op.

/// ONNX `op_type` of the node that replaces the 4-op PRelu.
pub const PRELU_OP: &str = "HuddlePRelu";

/// `x > 0 ? x : s[c]·x` on NCHW f32 with one slope per channel. Equal to the 4-op
/// spelling for `x ≤ 0`, and within an ulp or two of it for `x > 0` (where it returns `x`
/// exactly, as ONNX `PRelu` does, instead of `x(1-s) + xs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PRelu {
    slope: Arc<Tensor>,
    /// Two inputs of the same shape, summed first (the residual `Add` before a PRelu).
    add: bool,
}

impl PRelu {
    /// True when the op sums its two inputs first (a residual `Add` folded in).
    pub fn adds(&self) -> bool {
        self.add
    }

    /// The slopes, one per channel.
    pub fn slopes(&self) -> Vec<f32> {
        self.slope
            .try_as_plain_ram()
            .ok()
            .and_then(|t| t.as_slice::<f32>().ok().map(<[f32]>::to_vec))
            .unwrap_or_default()
    }
}

impl Op for PRelu {
    fn name(&self) -> StaticName {
        "PReluPerChannel".into()
    }
    op_as_typed_op!();
}

impl EvalOp for PRelu {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let mut inputs = inputs.into_iter();
        let input = inputs.next().context("PRelu: no input")?;
        let other = inputs.next();
        let shape: TVec<usize> = input.shape().into();
        let slope = self.slope.try_as_plain_ram()?;
        let slope = slope.as_slice::<f32>()?;
        ensure!(shape.len() == 4 && shape[1] == slope.len());
        let mut out = input.into_tensor();
        {
            let hw = shape[2] * shape[3];
            let mut view = out.try_as_plain_ram_mut()?;
            let y = view.as_slice_mut::<f32>()?;
            if let Some(other) = other {
                ensure!(
                    other.shape() == &*shape,
                    "PRelu: summed inputs differ in shape"
                );
                let o = other.try_as_plain_ram()?;
                let o = o.as_slice::<f32>()?;
                for ((plane, op), &s) in y
                    .chunks_exact_mut(hw)
                    .zip(o.chunks_exact(hw))
                    .zip(slope.iter().cycle())
                {
                    for (v, b) in plane.iter_mut().zip(op) {
                        let x = *v + *b;
                        *v = if x > 0.0 { x } else { x * s };
                    }
                }
            } else {
                for (plane, &s) in y.chunks_exact_mut(hw).zip(slope.iter().cycle()) {
                    for v in plane {
                        *v = if *v > 0.0 { *v } else { *v * s };
                    }
                }
            }
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for PRelu {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs[0].rank() == 4 && inputs[0].datum_type == f32::datum_type());
        ensure!(inputs[0].shape[1] == TDim::from(self.slope.len()));
        ensure!(inputs.len() == 1 + self.add as usize);
        if self.add {
            ensure!(
                inputs[1].shape == inputs[0].shape && inputs[1].datum_type == f32::datum_type()
            );
        }
        Ok(tvec!(inputs[0].without_value()))
    }
    as_op!();
}

#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
struct PReluExpansion;

impl Expansion for PReluExpansion {
    fn name(&self) -> StaticName {
        PRELU_OP.into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        // [x, slope] or [a, b, slope] (PRelu(a + b), a and b of the output's shape).
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&inputs[0].shape, &outputs[0].shape)?;
        if inputs.len() == 3 {
            s.equals(&inputs[1].shape, &outputs[0].shape)?;
        }
        Ok(())
    }

    fn wire(
        &self,
        prefix: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        let (values, slope) = inputs.split_at(inputs.len() - 1);
        let slope = model
            .outlet_fact(slope[0])?
            .konst
            .clone()
            .context("PRelu slope must be a constant")?;
        let slope = slope
            .clone()
            .into_tensor()
            .into_shape(&[slope.len()])?
            .into_arc_tensor();
        if values.len() == 2 {
            let (a, b) = (model.outlet_fact(values[0])?, model.outlet_fact(values[1])?);
            if a.shape == b.shape && a.datum_type == b.datum_type {
                return model.wire_node(prefix, PRelu { slope, add: true }, values);
            }
            use tract_onnx::tract_core::ops::{change_axes::wire_with_rank_broadcast, math::add};
            let sum = wire_with_rank_broadcast(format!("{prefix}.add"), model, add(), values)?;
            return model.wire_node(prefix, PRelu { slope, add: false }, &sum);
        }
        model.wire_node(prefix, PRelu { slope, add: false }, values)
    }
}

fn prelu_builder(
    _ctx: &tract_onnx::model::ParsingContext,
    _node: &pb::NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(PReluExpansion), vec![]))
}

fn init_f32(g: &pb::GraphProto, name: &str) -> Option<(Vec<i64>, Vec<f32>)> {
    let t = g.initializer.iter().find(|t| t.name == name)?;
    if t.data_type != pb::tensor_proto::DataType::Float as i32 {
        return None;
    }
    let v = if !t.float_data.is_empty() {
        t.float_data.clone()
    } else {
        t.raw_data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    Some((t.dims.clone(), v))
}

/// Replaces `Add(Mul(Relu(x), 1-s), Mul(x, s))` (per-channel `s` of shape `[C,1,1]` or
/// `[1,C,1,1]`, `1-s` computed in f32 as the rewrite did) with one [`PRELU_OP`] node.
/// Returns how many; registers the op with `onnx` when any.
pub fn fuse_prelu(proto: &mut pb::ModelProto, onnx: &mut tract_onnx::model::Onnx) -> usize {
    use std::collections::HashMap;
    let Some(g) = proto.graph.as_mut() else {
        return 0;
    };
    let producer: HashMap<&str, usize> = g
        .node
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.output.iter().map(move |o| (o.as_str(), i)))
        .collect();
    let mut readers: HashMap<&str, usize> = HashMap::new();
    for n in &g.node {
        for i in &n.input {
            *readers.entry(i.as_str()).or_default() += 1;
        }
    }
    for o in &g.output {
        *readers.entry(o.name.as_str()).or_default() += 1;
    }
    // Mul(value, const initializer) in either order → (value, const name).
    let mul_const = |n: &pb::NodeProto| -> Option<(String, String)> {
        if n.op_type != "Mul" || n.input.len() != 2 {
            return None;
        }
        for (v, c) in [(0, 1), (1, 0)] {
            if init_f32(g, &n.input[c]).is_some() && init_f32(g, &n.input[v]).is_none() {
                return Some((n.input[v].clone(), n.input[c].clone()));
            }
        }
        None
    };
    let per_channel = |dims: &[i64]| matches!(dims, [_, 1, 1] | [1, _, 1, 1]);
    let mut plan = Vec::new(); // (add, relu, mul_a, mul_b, x, slope)
    for (i, n) in g.node.iter().enumerate() {
        if n.op_type != "Add" || n.input.len() != 2 {
            continue;
        }
        for (ia, ib) in [(0, 1), (1, 0)] {
            let (Some(&pa), Some(&pb_)) = (
                producer.get(n.input[ia].as_str()),
                producer.get(n.input[ib].as_str()),
            ) else {
                continue;
            };
            let (Some((r, c1)), Some((x, c2))) = (mul_const(&g.node[pa]), mul_const(&g.node[pb_]))
            else {
                continue;
            };
            let Some(&pr) = producer.get(r.as_str()) else {
                continue;
            };
            if g.node[pr].op_type != "Relu" || g.node[pr].input.first() != Some(&x) {
                continue;
            }
            let (Some((d1, one_minus_s)), Some((d2, s))) = (init_f32(g, &c1), init_f32(g, &c2))
            else {
                continue;
            };
            let exact = d1 == d2
                && per_channel(&d2)
                && s.iter().zip(&one_minus_s).all(|(s, c)| *c == 1.0 - *s);
            let private = [r.as_str(), n.input[ia].as_str(), n.input[ib].as_str()]
                .iter()
                .all(|v| readers.get(v) == Some(&1));
            if exact && private {
                plan.push((i, pr, pa, pb_, x, c2));
                break;
            }
        }
    }
    if plan.is_empty() {
        return 0;
    }
    // A residual `Add` read only by the PRelu (its Relu and Mul) is summed inside it.
    let residuals: Vec<Option<usize>> = plan
        .iter()
        .map(|(_, _, _, _, x, _)| {
            producer.get(x.as_str()).copied().filter(|&p| {
                let n = &g.node[p];
                n.op_type == "Add"
                    && n.input.len() == 2
                    && n.output.len() == 1
                    && n.input
                        .iter()
                        .all(|i| g.initializer.iter().all(|t| &t.name != i))
                    && readers.get(x.as_str()) == Some(&2)
            })
        })
        .collect();
    drop(producer);
    drop(readers);
    let mut dead = vec![false; g.node.len()];
    for ((add, relu, mul_a, mul_b, x, slope), residual) in plan.iter().zip(residuals) {
        let inputs = match residual {
            Some(p) => {
                dead[p] = true;
                vec![
                    g.node[p].input[0].clone(),
                    g.node[p].input[1].clone(),
                    slope.clone(),
                ]
            }
            None => vec![x.clone(), slope.clone()],
        };
        let n = &mut g.node[*add];
        n.op_type = PRELU_OP.into();
        n.domain.clear();
        n.input = inputs;
        dead[*relu] = true;
        dead[*mul_a] = true;
        dead[*mul_b] = true;
    }
    let mut k = 0;
    g.node.retain(|_| {
        k += 1;
        !dead[k - 1]
    });
    onnx.op_register.insert(PRELU_OP, prelu_builder);
    plan.len()
}

// ---------------------------------------------------------------------------
// The NHWC → NCHW input transpose.

/// Removes a leading `Transpose(perm=[0,3,1,2])` that is the only reader of the (single)
/// graph input, and declares the input NCHW instead. Returns the original NHWC dims if it
/// did: the caller then feeds NCHW data (it transposes while copying the input in, which
/// is cheaper than tract's generic `MoveAxis` of a 3-channel image).
pub fn strip_input_transpose(proto: &mut pb::ModelProto) -> Option<[usize; 4]> {
    let g = proto.graph.as_mut()?;
    let inits: std::collections::HashSet<&str> =
        g.initializer.iter().map(|t| t.name.as_str()).collect();
    let real_inputs: Vec<usize> = (0..g.input.len())
        .filter(|&i| !inits.contains(g.input[i].name.as_str()))
        .collect();
    let [ix] = real_inputs[..] else { return None };
    let name = g.input[ix].name.clone();
    let readers: Vec<usize> = (0..g.node.len())
        .filter(|&i| g.node[i].input.contains(&name))
        .collect();
    let [t] = readers[..] else { return None };
    let tn = &g.node[t];
    let perm = attr(tn, "perm").map(|a| a.ints.clone());
    if tn.op_type != "Transpose"
        || perm.as_deref() != Some(&[0, 3, 1, 2])
        || g.output.iter().any(|o| o.name == name)
    {
        return None;
    }
    let out = tn.output[0].clone();
    if g.output.iter().any(|o| o.name == out) {
        return None;
    }
    let ty = g.input[ix].r#type.as_mut()?;
    let Some(pb::type_proto::Value::TensorType(tt)) = ty.value.as_mut() else {
        return None;
    };
    let shape = tt.shape.as_mut()?;
    if shape.dim.len() != 4 {
        return None;
    }
    let mut nhwc = [0usize; 4];
    for (k, d) in shape.dim.iter().enumerate() {
        match d.value {
            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => {
                nhwc[k] = v as usize
            }
            _ => return None,
        }
    }
    let dims = std::mem::take(&mut shape.dim);
    shape.dim = vec![
        dims[0].clone(),
        dims[3].clone(),
        dims[1].clone(),
        dims[2].clone(),
    ];
    g.node.remove(t);
    for n in g.node.iter_mut() {
        for i in n.input.iter_mut() {
            if *i == out {
                *i = name.clone();
            }
        }
    }
    Some(nhwc)
}

/// NHWC → NCHW copy for one image (`n` = 1).
pub(crate) fn nhwc_to_nchw(src: &[f32], dst: &mut [f32], h: usize, w: usize, c: usize) {
    let hw = h * w;
    if c == 3 {
        let (d0, rest) = dst.split_at_mut(hw);
        let (d1, d2) = rest.split_at_mut(hw);
        for (p, px) in src.chunks_exact(3).enumerate() {
            d0[p] = px[0];
            d1[p] = px[1];
            d2[p] = px[2];
        }
    } else {
        for (p, px) in src.chunks_exact(c).enumerate() {
            for (ch, v) in px.iter().enumerate() {
                dst[ch * hw + p] = *v;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// MaxPool 2×2 stride 2, NCHW.

/// `MaxPool(kernel 2×2, stride 2, no padding)` on NCHW f32 (floor: an odd last row or
/// column is dropped, as with ONNX's default `ceil_mode=0`).
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct MaxPool2x2;

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }
    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let shape = input.shape();
        ensure!(shape.len() == 4, "MaxPool2x2 wants NCHW, got {shape:?}");
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3]);
        let (oh, ow) = (h / 2, w / 2);
        let x = input.try_as_plain_ram()?;
        let x = x.as_slice::<f32>()?;
        // SAFETY: f32 has no invalid bit patterns and the pooling loop writes every element.
        let mut out = unsafe { Tensor::uninitialized::<f32>(&[shape[0], shape[1], oh, ow])? };
        {
            let mut view = out.try_as_plain_ram_mut()?;
            let y = view.as_slice_mut::<f32>()?;
            maxpool2x2_planes(x, y, planes, h, w);
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

pub(crate) fn maxpool2x2_planes(x: &[f32], y: &mut [f32], planes: usize, h: usize, w: usize) {
    let (oh, ow) = (h / 2, w / 2);
    for p in 0..planes {
        let xp = &x[p * h * w..(p + 1) * h * w];
        let yp = &mut y[p * oh * ow..(p + 1) * oh * ow];
        for i in 0..oh {
            let r0 = &xp[2 * i * w..][..2 * ow];
            let r1 = &xp[(2 * i + 1) * w..][..2 * ow];
            let dst = &mut yp[i * ow..(i + 1) * ow];
            let done = maxpool_row_simd(r0, r1, dst);
            for (j, d) in dst.iter_mut().enumerate().skip(done) {
                let a = r0[2 * j].max(r0[2 * j + 1]);
                let b = r1[2 * j].max(r1[2 * j + 1]);
                *d = a.max(b);
            }
        }
    }
}

/// Four outputs at a time from two rows: the vertical max, then the max of even and odd
/// lanes. Returns how many outputs it wrote (a multiple of 4). The models hold no NaN, and
/// for other values `pmax` picks what `f32::max` picks (up to the sign of a zero).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn maxpool_row_simd(r0: &[f32], r1: &[f32], dst: &mut [f32]) -> usize {
    use core::arch::wasm32::*;
    let n = dst.len() / 4 * 4;
    for ((a, b), d) in r0
        .chunks_exact(8)
        .zip(r1.chunks_exact(8))
        .zip(dst.chunks_exact_mut(4))
    {
        // SAFETY: chunks_exact gives 8 readable floats in `a` and `b`, 4 writable in `d`.
        unsafe {
            let lo = f32x4_pmax(
                v128_load(a.as_ptr() as *const v128),
                v128_load(b.as_ptr() as *const v128),
            );
            let hi = f32x4_pmax(
                v128_load(a.as_ptr().add(4) as *const v128),
                v128_load(b.as_ptr().add(4) as *const v128),
            );
            let even = i32x4_shuffle::<0, 2, 4, 6>(lo, hi);
            let odd = i32x4_shuffle::<1, 3, 5, 7>(lo, hi);
            v128_store(d.as_mut_ptr() as *mut v128, f32x4_pmax(even, odd));
        }
    }
    n
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn maxpool_row_simd(_r0: &[f32], _r1: &[f32], _dst: &mut [f32]) -> usize {
    0
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs[0].rank() == 4 && inputs[0].datum_type == f32::datum_type());
        let s = &inputs[0].shape;
        Ok(tvec!(f32::fact([
            s[0].clone(),
            s[1].clone(),
            s[2].clone() / 2,
            s[3].clone() / 2
        ])))
    }
    as_op!();
}

/// Replaces tract's `MaxPool` nodes that are 2×2/stride 2/unpadded NCHW f32 with
/// [`MaxPool2x2`]. Run on the typed (decluttered) model, before `optimize`.
pub fn replace_maxpools(model: &mut TypedModel) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(mp) = node.op_as::<MaxPool>() else {
            continue;
        };
        let ps = &mp.pool_spec;
        let fact = model.outlet_fact(node.inputs[0])?;
        let Some(shape) = fact.shape.as_concrete() else {
            continue;
        };
        let even = shape.len() == 4 && shape[2] % 2 == 0 && shape[3] % 2 == 0;
        let no_pad = match &ps.padding {
            PaddingSpec::Valid => true,
            PaddingSpec::Explicit(b, a) | PaddingSpec::ExplicitOnnxPool(b, a, false) => {
                b.iter().chain(a.iter()).all(|&p| p == 0)
            }
            PaddingSpec::SameUpper | PaddingSpec::SameLower => even,
            _ => false,
        };
        let ok = mp.with_index_outputs.is_none()
            && ps.data_format == DataFormat::NCHW
            && fact.datum_type == f32::datum_type()
            && shape.len() == 4
            && ps.kernel_shape.as_slice() == [2, 2]
            && ps.strides.as_deref().is_some_and(|s| s == [2, 2])
            && ps
                .dilations
                .as_deref()
                .is_none_or(|d| d.iter().all(|&d| d == 1))
            && no_pad;
        if !ok {
            continue;
        }
        let patch = TypedModelPatch::replace_single_op(model, node, &node.inputs, MaxPool2x2)?;
        patch.apply(model)?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsample_matches_reference_formula() {
        let (h, w) = (3, 4);
        let x: Vec<f32> = (0..h * w).map(|v| v as f32 * 0.37 - 1.0).collect();
        let mut y = vec![0f32; 4 * h * w];
        upsample2x_planes(&x, &mut y, 1, h, w);
        let at = |i: isize, j: isize| {
            x[(i.clamp(0, h as isize - 1) as usize) * w + j.clamp(0, w as isize - 1) as usize]
        };
        for oi in 0..2 * h {
            for oj in 0..2 * w {
                // half-pixel source coordinate, clamped neighbours
                let (i, j) = ((oi / 2) as isize, (oj / 2) as isize);
                let di = if oi % 2 == 0 { -1 } else { 1 };
                let dj = if oj % 2 == 0 { -1 } else { 1 };
                let row = |r: isize| at(r, j) * 0.75 + at(r, j + dj) * 0.25;
                let want = row(i) * 0.75 + row(i + di) * 0.25;
                assert!((y[oi * 2 * w + oj] - want).abs() < 1e-6, "{oi},{oj}");
            }
        }
    }

    #[test]
    fn maxpool_picks_max_of_each_block() {
        let x: Vec<f32> = vec![
            1., 5., 2., 0., 3., 4., 9., 8., 7., 6., 1., 1., 0., 2., 3., 4.,
        ];
        let mut y = vec![0f32; 4];
        maxpool2x2_planes(&x, &mut y, 1, 4, 4);
        assert_eq!(y, vec![5., 9., 7., 4.]);
    }
}
