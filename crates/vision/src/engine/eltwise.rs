//! Two element-wise products the segmentation models' decoders and squeeze-excite blocks
//! spend time in, with explicit SIMD on wasm: the sum of two tensors of one shape (a skip
//! connection that also feeds something else, so it cannot fold into a convolution) and
//! the product of an NCHW tensor with one factor per channel (the excite scale).
//!
//! tract runs them through plain loops that the worker's size-level link-time optimisation
//! leaves scalar: 6–9 % of the segmentation models' time in the worker build.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_core::ops::binary::TypedBinOp;

/// What the op computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// `a + b`, both of one shape.
    AddSame,
    /// `x · s[c]`: `x` NCHW (batch 1), `s` shaped `[1, C, 1, 1]`; inputs in that order.
    ScaleChannels,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Elementwise(pub Product);

impl Op for Elementwise {
    fn name(&self) -> StaticName {
        match self.0 {
            Product::AddSame => "HuddleAdd".into(),
            Product::ScaleChannels => "HuddleScaleChannels".into(),
        }
    }
    op_as_typed_op!();
}

impl EvalOp for Elementwise {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let (a, b) = args_2!(inputs);
        let shape: TVec<usize> = a.shape().into();
        let mut out = a.into_tensor();
        {
            let mut view = out.try_as_plain_ram_mut()?;
            let y = view.as_slice_mut::<f32>()?;
            let b = b.try_as_plain_ram()?;
            let b = b.as_slice::<f32>()?;
            match self.0 {
                Product::AddSame => {
                    ensure!(b.len() == y.len());
                    add_into(y, b);
                }
                Product::ScaleChannels => {
                    ensure!(shape.len() == 4 && b.len() == shape[1]);
                    let plane = shape[2] * shape[3];
                    for (p, &s) in y.chunks_exact_mut(plane).zip(b) {
                        scale(p, s);
                    }
                }
            }
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for Elementwise {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 2 && inputs[0].datum_type == f32::datum_type());
        Ok(tvec!(inputs[0].without_value()))
    }
    as_op!();
}

/// `y += b`.
fn add_into(y: &mut [f32], b: &[f32]) {
    let done = simd::add_into(y, b);
    for (v, b) in y[done..].iter_mut().zip(&b[done..]) {
        *v += *b;
    }
}

/// `y *= s`.
fn scale(y: &mut [f32], s: f32) {
    let done = simd::scale(y, s);
    for v in &mut y[done..] {
        *v *= s;
    }
}

mod simd {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn add_into(y: &mut [f32], b: &[f32]) -> usize {
        use core::arch::wasm32::*;
        let n = y.len().min(b.len()) / 4 * 4;
        for (v, b) in y[..n].chunks_exact_mut(4).zip(b.chunks_exact(4)) {
            // SAFETY: chunks of exactly 4 floats.
            unsafe {
                let s = f32x4_add(
                    v128_load(v.as_ptr() as *const v128),
                    v128_load(b.as_ptr() as *const v128),
                );
                v128_store(v.as_mut_ptr() as *mut v128, s);
            }
        }
        n
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn scale(y: &mut [f32], s: f32) -> usize {
        use core::arch::wasm32::*;
        let n = y.len() / 4 * 4;
        let f = f32x4_splat(s);
        for v in y[..n].chunks_exact_mut(4) {
            // SAFETY: a chunk of exactly 4 floats.
            unsafe {
                let p = v.as_mut_ptr() as *mut v128;
                v128_store(p, f32x4_mul(v128_load(p), f));
            }
        }
        n
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn add_into(_: &mut [f32], _: &[f32]) -> usize {
        0
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn scale(_: &mut [f32], _: f32) -> usize {
        0
    }
}

/// Replaces f32 `Add` of two same-shaped NCHW tensors and `Mul` of an NCHW tensor by a
/// `[1, C, 1, 1]` one with [`Elementwise`]. Run after the convolution fusions (which take
/// the adds they can), before tract's codegen. Returns how many.
pub fn replace_elementwise(model: &mut TypedModel) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(bin) = node.op_as::<TypedBinOp>() else {
            continue;
        };
        if node.inputs.len() != 2 {
            continue;
        }
        let facts = [
            model.outlet_fact(node.inputs[0])?,
            model.outlet_fact(node.inputs[1])?,
        ];
        let shapes: Option<Vec<&[usize]>> = facts.iter().map(|f| f.shape.as_concrete()).collect();
        let Some(shapes) = shapes else { continue };
        let all_f32 = facts
            .iter()
            .all(|f| f.datum_type == f32::datum_type() && f.konst.is_none());
        if !all_f32 || shapes.iter().any(|s| s.len() != 4 || s[0] != 1) {
            continue;
        }
        let per_channel = |s: &[usize], of: &[usize]| {
            s[1] == of[1] && s[2] == 1 && s[3] == 1 && of[2] * of[3] > 1
        };
        let (op, inputs) = match bin.0.name() {
            "Add" if shapes[0] == shapes[1] => (Product::AddSame, [node.inputs[0], node.inputs[1]]),
            "Mul" if per_channel(shapes[1], shapes[0]) => {
                (Product::ScaleChannels, [node.inputs[0], node.inputs[1]])
            }
            "Mul" if per_channel(shapes[0], shapes[1]) => {
                (Product::ScaleChannels, [node.inputs[1], node.inputs[0]])
            }
            _ => continue,
        };
        let patch = TypedModelPatch::replace_single_op(model, node, &inputs, Elementwise(op))?;
        patch.apply(model)?;
        count += 1;
    }
    Ok(count)
}
